"""Server-side input validation, as IAM and STS answer it.

boto3 checks only types, required members and ``min`` constraints before sending; the
service checks the rest of the botocore model's constraints (``max`` lengths and values,
``pattern``, ``enum``, list lengths) and answers one ``ValidationError`` listing every
failure, in the wording of AWS's request validation layer::

    1 validation error detected: Value 'bad name' at 'userName' failed to satisfy
    constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+

Fields are named in lower camel case (``userName``, ``maxSessionDuration``); list members as
``tags.1.member.key``. Patterns are the model's Java regular expressions, matched against the
whole value (``\\w`` is ASCII-only in Java, ``\\p{L}``/``\\p{Z}``/``\\p{N}`` are Unicode
letter/separator/number classes). The values of ``sensitive`` members (passwords) are not
echoed (awskit's choice: AWS's exact wording for them is unconfirmed).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .. import errors

_UNICODE_CLASS = re.compile(r"\\p\{([LZN])\}")


def _field(name: str) -> str:
    return name[:1].lower() + name[1:]


@lru_cache(maxsize=None)
def _matcher(pattern: str):
    """A full-match predicate for one of the model's (Java) patterns."""
    if _UNICODE_CLASS.search(pattern):
        # only used by tag keys/values: a character class of Unicode categories + literals
        body = pattern[1:pattern.rindex("]")]
        categories = set(_UNICODE_CLASS.findall(body))
        literals = _UNICODE_CLASS.sub("", body).replace("\\-", "-").replace("\\", "")
        empty_ok = pattern.endswith("*")

        def check(value: str) -> bool:
            if not value:
                return empty_ok
            return all(ch in literals or unicodedata.category(ch)[0] in categories
                       for ch in value)
        return check
    try:
        regex = re.compile(pattern, re.ASCII)
    except re.error:            # a pattern Python cannot read: leave it to the parser
        return lambda value: True
    return lambda value: regex.fullmatch(value) is not None


def _problems(shape, value, where: str, out: list) -> None:
    kind = shape.type_name
    meta = shape.metadata
    shown = "" if meta.get("sensitive") else f" '{value}'"
    if kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"Value{shown} at '{where}' failed to satisfy constraint: Member must "
                       f"have length less than or equal to {meta['max']}")
        if "enum" in meta and value not in meta["enum"]:
            out.append(f"Value{shown} at '{where}' failed to satisfy constraint: Member must "
                       f"satisfy enum value set: [{', '.join(meta['enum'])}]")
        if "pattern" in meta and not _matcher(meta["pattern"])(value):
            out.append(f"Value{shown} at '{where}' failed to satisfy constraint: Member must "
                       f"satisfy regular expression pattern: {meta['pattern']}")
    elif kind in ("integer", "long") and isinstance(value, int):
        if "max" in meta and value > meta["max"]:
            out.append(f"Value '{value}' at '{where}' failed to satisfy constraint: Member "
                       f"must have value less than or equal to {meta['max']}")
    elif kind == "list" and isinstance(value, (list, tuple)):
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"Value '{value}' at '{where}' failed to satisfy constraint: Member "
                       f"must have length less than or equal to {meta['max']}")
        for i, item in enumerate(value, 1):
            _problems(shape.member, item, f"{where}.{i}.member", out)
    elif kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                _problems(member, value[name], f"{where}.{_field(name)}", out)


def check(operation_model, params: dict) -> None:
    """Raise IAM/STS's ``ValidationError`` if ``params`` break the model's constraints."""
    shape = operation_model.input_shape
    if shape is None:
        return
    problems: list[str] = []
    for name, member in shape.members.items():
        if name in params and params[name] is not None:
            _problems(member, params[name], _field(name), problems)
    if problems:
        n = len(problems)
        raise errors.ValidationError(
            f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(problems))


def validation_error(value, where: str, constraint: str) -> errors.AWSError:
    """A one-problem ValidationError in the same wording (for checks made in handlers)."""
    return errors.ValidationError(f"1 validation error detected: Value '{value}' at '{where}' "
                                  f"failed to satisfy constraint: {constraint}")
