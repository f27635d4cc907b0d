"""Deployment packages for notebooks: a Python function or source string as the zip Lambda takes.

CreateFunction takes ``Code={"ZipFile": <bytes of a .zip>}`` whose files include the handler's
module; ``Handler="lambda_function.handler"`` names ``handler`` in ``lambda_function.py``.
:func:`zip_function` builds that zip reproducibly (fixed timestamps and permissions, files in
path order), so the same source always gives the same ``CodeSha256``::

    from awskit.awslambda.packaging import zip_function

    def lambda_handler(event, context):
        return {"hello": event.get("name", "world")}

    code, handler = zip_function(lambda_handler)     # handler == "lambda_function.lambda_handler"
    lam.create_function(FunctionName="hello", Runtime="python3.12", Role=role_arn,
                        Handler=handler, Code={"ZipFile": code})

A function is packaged from its own source: imports it needs go inside it, and closures and
lambdas (whose source is not a module) are refused with ValueError.
"""

from __future__ import annotations

import inspect
import io
import textwrap
import zipfile

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _check_path(path: str, module_file: str) -> None:
    if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path or \
            any(part in ("", "..") for part in path.split("/")):
        raise ValueError(f"invalid path in the package: {path!r}")
    if path == module_file:
        raise ValueError(f"{path} is the handler's module; pass its source instead")


def zip_function(source, handler_name: str | None = None, module: str = "lambda_function",
                 extra_files: dict | None = None) -> tuple[bytes, str]:
    """(zip bytes, Handler string) for a handler given as a function or as module source.

    ``source``: a plain module-level function (its source becomes the module) or the module's
    source text. ``handler_name``: the function to call (default: the function's name, or
    ``handler`` for source text). ``module``: the module's name (``lambda_function``).
    ``extra_files``: more files, ``{relative path: text or bytes}``.
    """
    if inspect.isfunction(source):
        if source.__name__ == "<lambda>":
            raise ValueError("a lambda has no module source of its own: define the handler "
                             "with def")
        if source.__code__.co_freevars:
            raise ValueError(f"{source.__name__} is a closure (it uses "
                             f"{', '.join(source.__code__.co_freevars)} from an enclosing "
                             "function): Lambda runs the module alone")
        try:
            text = textwrap.dedent(inspect.getsource(source))
        except (OSError, TypeError):
            raise ValueError(f"the source of {source.__name__} is not available (a function "
                             "typed at an interactive prompt?): pass the module's source "
                             "text instead") from None
        _check_globals(source, text)
        handler_name = handler_name or source.__name__
    elif isinstance(source, str):
        text = source
        handler_name = handler_name or "handler"
    else:
        raise TypeError(f"zip_function takes a function or source text, not "
                        f"{type(source).__name__}")
    if not module.isidentifier():
        raise ValueError(f"module name {module!r} is not a Python identifier")
    if not handler_name.isidentifier():
        raise ValueError(f"handler name {handler_name!r} is not a Python identifier")
    module_file = f"{module}.py"
    files = {module_file: text}
    for path, content in (extra_files or {}).items():
        _check_path(path, module_file)
        files[path] = content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            content = files[path]
            archive.writestr(info, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue(), f"{module}.{handler_name}"


def _check_globals(function, text: str) -> None:
    """A handler zipped from a function runs in a module of its own: every global name it
    uses must be a builtin or defined in that module (imports at the top of a notebook are
    not). Refuse early, naming what is missing, instead of failing at the first invoke."""
    import ast
    import builtins
    import dis

    defined = set(dir(builtins))
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.Global):
            defined.update(node.names)
    used, codes = set(), [function.__code__]
    while codes:
        code = codes.pop()
        used.update(i.argval for i in dis.get_instructions(code) if i.opname == "LOAD_GLOBAL")
        codes.extend(c for c in code.co_consts if inspect.iscode(c))
    missing = sorted(used - defined)
    if missing:
        raise ValueError(f"{function.__name__} uses {', '.join(missing)}, defined outside it: "
                         "Lambda runs the function's module alone, so import or define "
                         f"{'it' if len(missing) == 1 else 'them'} inside the function")
