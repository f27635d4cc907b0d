"""CloudFront's errors, straight from botocore's model (``cloudfront/2020-05-31``).

Every exception shape of the model carries its code and HTTP status; its documentation is the
message CloudFront's API reference gives it. :func:`cf_error` builds the error with that status
(and that message, unless a more precise one is given), whatever another service registered
for the same code. CloudFront's error body is ``<ErrorResponse><Error><Type>Sender</Type>
<Code>..</Code><Message>..</Message></Error>``, which boto3 shows as ``Error.Type``.
"""

from __future__ import annotations

import functools
import re

from .. import errors
from ..botocore_support import service_model


@functools.cache
def _modeled(code: str) -> tuple[int, str]:
    model = service_model("cloudfront")
    for shape in model.error_shapes:
        error = shape.metadata.get("error", {})
        if error.get("code", shape.name) == code:
            text = re.sub(r"<[^>]+>", "", shape.documentation or "").strip()
            return error.get("httpStatusCode", 400), " ".join(text.split()) or code
    raise KeyError(f"{code} is not an error of botocore's cloudfront model")


def cf_error(code: str, message: str | None = None, **fields) -> errors.AWSError:
    """The CloudFront error ``code`` (HTTP status from the model)."""
    status, default = _modeled(code)
    cls = errors.for_code(code) if code in errors._REGISTRY else errors.define(code, status,
                                                                                 default)
    return cls(message or default, status=status, **fields)


def invalid(message: str) -> errors.AWSError:
    """``InvalidArgument`` (400) with CloudFront's wording for the bad value."""
    return cf_error("InvalidArgument", message)


def quantities(where: str) -> errors.AWSError:
    return cf_error("InconsistentQuantities",
                    f"The value of Quantity and the size of Items don't match ({where}).")


def listed(block: dict | None, where: str, limit: int | None = None,
           too_many: str | None = None) -> list:
    """The ``Items`` of a ``{Quantity, Items}`` block, checking the two agree."""
    if not block:
        return []
    items = block.get("Items") or []
    if block.get("Quantity") != len(items):
        raise quantities(where)
    if limit is not None and len(items) > limit:
        raise cf_error(too_many or "InvalidArgument")
    return list(items)


def block(items: list) -> dict:
    """``{Quantity, Items}`` as CloudFront returns it (no ``Items`` when empty)."""
    return {"Quantity": len(items), "Items": list(items)} if items else {"Quantity": 0}


def not_simulated(feature: str) -> errors.AWSError:
    """501 for a configuration feature awskit does not simulate (rather than accept it and
    behave as if it were not set, which would teach something false)."""
    return errors.for_code("NotImplemented")(
        f"awskit does not simulate CloudFront {feature} yet", status=501)
