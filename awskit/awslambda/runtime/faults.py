"""How AWS's Python runtime reports what goes wrong in the function (worker side, stdlib only).

Behaviour of the runtime interface client that ships in Lambda's Python runtimes
(aws/aws-lambda-python-runtime-interface-client, ``awslambdaric/bootstrap.py``,
``lambda_runtime_exception.py``, ``lambda_runtime_marshaller.py``), re-implemented:

- handler ``"module.function"``: ``Runtime.MalformedHandlerName`` "Bad handler 'x': not enough
  values to unpack (expected 2, got 1)"; ``Runtime.BuiltInModuleConflict`` "Cannot use built-in
  module sys as a handler module"; ``Runtime.ImportModuleError`` "Unable to import module
  'lambda_function': No module named 'requests'"; ``Runtime.UserCodeSyntaxError`` "Syntax error
  in module 'lambda_function': invalid syntax (lambda_function.py, line 3)";
  ``Runtime.HandlerNotFound`` "Handler 'handler' missing on module 'lambda_function'". Any other
  exception raised by module-level code is reported with its own class name (e.g. ``KeyError``).
  Init errors carry ``"requestId": ""`` (seen in real Invoke responses, e.g. an aws-cli session
  of May 2025: ``{"errorMessage": "Unable to import module ...", "errorType":
  "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}``).
- an exception in the handler: ``{"errorMessage": str(exc), "errorType": ExcClass.__name__,
  "requestId": <id>, "stackTrace": [...]}`` (Developer Guide, python-exceptions, shows the
  same document; ``requestId`` was added in 2021, awslambdaric PR 40), the stack trace as
  ``traceback.format_list`` lines without the runtime's own frames.
- a result that is not JSON serializable: ``Runtime.MarshalError`` "Unable to marshal response:
  Object of type set is not JSON serializable" (python-exceptions). ``bytes`` are returned as
  they are; ``decimal.Decimal`` becomes a JSON number; from python3.12 on, non-ASCII characters
  are written as UTF-8, older runtimes escape them (``\\u00e9``) (awslambdaric
  ``tests/test_lambda_runtime_marshaller.py``: 3.12 and 3.13 unescaped, 3.9-3.11 escaped).
- an event that is not JSON: ``Runtime.UnmarshalError`` "Unable to unmarshal input: ...".
- the log record of an error: ``[ERROR] <type>: <message>`` then ``Traceback (most recent call
  last):`` and the frames, their leading spaces turned into no-break spaces, as ONE log event.

Simplified: stack traces show ``/var/task/...`` for the function's files, as on AWS, although
the code really lives in a private temporary directory (``LAMBDA_TASK_ROOT`` says where). The
runtime's long ``LAMBDA_WARNING: Unhandled exception...`` paragraph before init errors is left
out.
"""

from __future__ import annotations

import decimal
import importlib
import json
import os
import sys
import traceback

MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"
BEFORE_SNAPSHOT_ERROR = "Runtime.BeforeSnapshotError"
AFTER_RESTORE_ERROR = "Runtime.AfterRestoreError"

_NBSP = "\u00a0"
# the runtime's own files: their frames lead every trace and are left out, as AWS's are
_RUNTIME_FILES = {os.path.abspath(__file__),
                  os.path.join(os.path.dirname(os.path.abspath(__file__)), "bootstrap.py")}
TASK_ROOT_SHOWN = "/var/task"


class Fault(Exception):
    """An error the runtime itself diagnoses (its errorType is a ``Runtime.*`` name)."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None):
        super().__init__(message)
        self.error_type, self.message, self.trace = error_type, message, trace


def get_handler(handler: str):
    """Import the handler's module (this runs the function's INIT code) and return the
    function; raises Fault, or whatever the module's own code raised."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault(MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {e}") from None
    if modname.split(".")[0] in sys.builtin_module_names:
        raise Fault(BUILT_IN_MODULE_CONFLICT,
                    f"Cannot use built-in module {modname} as a handler module")
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise Fault(IMPORT_MODULE_ERROR, f"Unable to import module '{modname}': {e}") from None
    except SyntaxError as e:
        trace = [f'  File "{_shown(e.filename)}" Line {e.lineno}\n    {e.text}']
        raise Fault(USER_CODE_SYNTAX_ERROR, f"Syntax error in module '{modname}': {e}",
                    trace) from None
    try:
        return getattr(module, fname)
    except AttributeError:
        raise Fault(HANDLER_NOT_FOUND,
                    f"Handler '{fname}' missing on module '{modname}'") from None


_task_roots: list[str] = []


def set_task_root(path: str) -> None:
    """The task root as given and as resolved (a temporary directory may be behind a symlink)."""
    _task_roots[:] = list(dict.fromkeys([path.rstrip("/"), os.path.realpath(path)]))


def _shown(filename):
    """A file name as the student would see it on AWS (the task root is ``/var/task``)."""
    for root in _task_roots:
        if filename and filename.startswith(root + "/"):
            return TASK_ROOT_SHOWN + filename[len(root):]
    return filename


def make_error(message, error_type, stack_trace, request_id="") -> dict:
    return {"errorMessage": message or "", "errorType": error_type or "",
            "requestId": request_id if request_id is not None else "",
            "stackTrace": stack_trace or []}


def error_from_fault(fault: Fault, request_id="") -> dict:
    return make_error(fault.message, fault.error_type, fault.trace, request_id)


def error_from_exception(exc: BaseException, request_id="") -> dict:
    """The error document of an exception, without the runtime's own leading frames."""
    frames = [(_shown(f.filename), f.lineno, f.name, f.line)
              for f in traceback.extract_tb(exc.__traceback__)]
    for i, frame in enumerate(frames):
        if "/bootstrap.py" not in frame[0] and frame[0] not in _RUNTIME_FILES:
            frames = frames[i:]
            break
    return make_error(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)


def error_log_event(error: dict) -> str:
    """The ``[ERROR]`` log event the runtime writes for an error document."""
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        head += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [head]
    if error.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            for line in (element.splitlines() if element else [""]):
                stripped = line.lstrip(" ")
                lines.append(_NBSP * (len(line) - len(stripped)) + stripped)
    return "\n".join(lines)


def _decimal(obj):
    if isinstance(obj, decimal.Decimal):
        if obj.is_nan():
            return float("nan")
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def escapes_non_ascii(execution_env: str | None) -> bool:
    """True for runtimes before python3.12 (their JSON escapes non-ASCII characters)."""
    prefix = "AWS_Lambda_python3."
    if execution_env and execution_env.startswith(prefix) and \
            execution_env[len(prefix):].isdigit():
        return int(execution_env[len(prefix):]) < 12
    return True


def marshal(result, ensure_ascii: bool) -> bytes:
    """The Invoke response body for the handler's return value."""
    if isinstance(result, bytes):
        return result
    try:
        return json.dumps(result, ensure_ascii=ensure_ascii, default=_decimal).encode()
    except Exception as e:
        raise Fault(MARSHAL_ERROR, f"Unable to marshal response: {e}") from None


def unmarshal(body: bytes):
    try:
        return json.loads(body)
    except Exception as e:
        raise Fault(UNMARSHAL_ERROR, f"Unable to unmarshal input: {e}") from None


def parse_json_header(value, name: str):
    """Client context / identity as the invoker sent them (JSON text or already a dict)."""
    if value is None or isinstance(value, dict):
        return value
    try:
        return json.loads(value)
    except Exception as e:
        raise Fault(CONTEXT_UNMARSHAL_ERROR, f"Unable to parse {name} JSON: {e}") from None


def error_json(error: dict, ensure_ascii: bool) -> bytes:
    return json.dumps(error, ensure_ascii=ensure_ascii).encode()
