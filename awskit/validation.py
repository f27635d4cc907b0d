"""Parameter validation against botocore's own service models, fast.

boto3 validates parameters client-side with botocore's ``ParamValidator`` and raises
``ParamValidationError`` before sending anything. Direct calls (``cloud.s3.put_object(...)``)
must fail the same way. Running ``ParamValidator`` on every call costs more than the rest
of a small request, so each operation's input shape is compiled once into a checker that
accepts exactly what botocore accepts on the common path (types, required members, unknown
members, ``min`` constraints). When the quick check is not sure, botocore's validator has the
last word and produces its exact error report.
"""

from __future__ import annotations

from decimal import Decimal
from datetime import datetime
from typing import Any, Callable

from botocore.exceptions import ParamValidationError
from botocore.validate import ParamValidator

Check = Callable[[Any], bool]

_validator = ParamValidator()


def _true(_value) -> bool:
    return True


def _compile(shape, depth: int = 0) -> Check:
    """A predicate that returns True only for values botocore would accept."""
    if depth > 12:  # recursive shapes: leave the deep end to botocore
        return lambda value: False
    kind = shape.type_name
    minimum = shape.metadata.get("min")
    if kind == "structure":
        if shape.is_document_type or shape.is_tagged_union:
            return lambda value: False
        members = {name: _compile(member, depth + 1) for name, member in shape.members.items()}
        required = tuple(shape.required_members)

        def check_structure(value, members=members, required=required) -> bool:
            if type(value) is not dict:
                return False
            for name in required:
                if name not in value:
                    return False
            for name, item in value.items():
                check = members.get(name)
                if check is None or not check(item):
                    return False
            return True
        return check_structure
    if kind == "string":
        if shape.serialization.get("jsonvalue"):
            return lambda value: False
        low = minimum if minimum is not None else (1 if shape.serialization.get("hostLabel") else None)
        if low:
            return lambda value: type(value) is str and len(value) >= low
        return lambda value: type(value) is str
    if kind in ("integer", "long"):
        if minimum is not None:
            return lambda value: isinstance(value, int) and value >= minimum
        return lambda value: isinstance(value, int)
    if kind == "boolean":
        return lambda value: isinstance(value, bool)
    if kind in ("double", "float"):
        if minimum is not None:
            return lambda value: isinstance(value, (float, Decimal)) and value >= minimum
        return lambda value: isinstance(value, (float, Decimal))
    if kind == "blob":
        return lambda value: isinstance(value, (bytes, bytearray, str)) or hasattr(value, "read")
    if kind == "timestamp":
        return lambda value: isinstance(value, datetime)  # strings: botocore decides
    if kind == "list":
        item_check = _compile(shape.member, depth + 1)

        def check_list(value, item_check=item_check, minimum=minimum) -> bool:
            if not isinstance(value, (list, tuple)):
                return False
            if minimum is not None and len(value) < minimum:
                return False
            return all(item_check(item) for item in value)
        return check_list
    if kind == "map":
        key_check = _compile(shape.key, depth + 1)
        value_check = _compile(shape.value, depth + 1)

        def check_map(value) -> bool:
            if not isinstance(value, dict):
                return False
            return all(key_check(k) and value_check(v) for k, v in value.items())
        return check_map
    return lambda value: False


class InputValidator:
    """Validates one operation's parameters; raises botocore's ``ParamValidationError``."""

    def __init__(self, operation_model):
        self.shape = operation_model.input_shape
        self.quick = _compile(self.shape) if self.shape is not None else _true

    def __call__(self, params: dict) -> None:
        if self.shape is None:
            if params:
                raise ParamValidationError(
                    report=f"Unknown parameter in input: \"{next(iter(params))}\", "
                           "must be one of: ")
            return
        if self.quick(params):
            return
        report = _validator.validate(params, self.shape)
        if report.has_errors():
            raise ParamValidationError(report=report.generate_report())
