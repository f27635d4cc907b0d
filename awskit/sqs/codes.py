"""SQS errors as boto3 shows them.

SQS moved from the query protocol to JSON (2023) and stayed *query-compatible*: an error
response carries the model's shape name in ``__type`` and the legacy query error code in the
``x-amzn-query-error`` header (``AWS.SimpleQueueService.NonExistentQueue;Sender``). botocore
parses that into ``Error.Code`` = the legacy code, ``Error.QueryErrorCode`` = the shape name and
``Error.Type`` = ``Sender`` (``botocore/parsers.py``, ``_do_query_compatible_error_parse``), and
its ``after-call.sqs.*`` handler raises the modelled class (``client.exceptions.QueueDoesNotExist``)
from ``QueryErrorCode`` (``botocore/handlers.py``, ``_handle_sqs_compatible_error``).

Legacy codes and HTTP statuses: the last query-protocol SQS model,
``aws/aws-sdk-go models/apis/sqs/2012-11-05/api-2.json`` (shapes without an ``error`` entry use
their shape name and 400). Errors SQS does not model (``InvalidParameterValue``,
``MissingParameter``, ``AccessDenied``) carry just their code and message here; whether SQS adds
the query-error header to those is unconfirmed.
"""

from __future__ import annotations

from .. import errors

#: model shape name -> (legacy query error code, HTTP status)
LEGACY = {
    "BatchEntryIdsNotDistinct": ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400),
    "BatchRequestTooLong": ("AWS.SimpleQueueService.BatchRequestTooLong", 400),
    "EmptyBatchRequest": ("AWS.SimpleQueueService.EmptyBatchRequest", 400),
    "InvalidAttributeName": ("InvalidAttributeName", 400),
    "InvalidAttributeValue": ("InvalidAttributeValue", 400),
    "InvalidBatchEntryId": ("AWS.SimpleQueueService.InvalidBatchEntryId", 400),
    "InvalidMessageContents": ("InvalidMessageContents", 400),
    "MessageNotInflight": ("AWS.SimpleQueueService.MessageNotInflight", 400),
    "OverLimit": ("OverLimit", 403),
    "PurgeQueueInProgress": ("AWS.SimpleQueueService.PurgeQueueInProgress", 403),
    "QueueDeletedRecently": ("AWS.SimpleQueueService.QueueDeletedRecently", 400),
    "QueueDoesNotExist": ("AWS.SimpleQueueService.NonExistentQueue", 400),
    "QueueNameExists": ("QueueAlreadyExists", 400),
    "ReceiptHandleIsInvalid": ("ReceiptHandleIsInvalid", 400),
    "TooManyEntriesInBatchRequest": ("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400),
    "UnsupportedOperation": ("AWS.SimpleQueueService.UnsupportedOperation", 400),
}

errors.define("MissingParameter", 400, "A required parameter for the specified action is not "
              "supplied.")


def sqs_error(shape: str, message: str) -> errors.AWSError:
    """The error for one of SQS's modelled exceptions, as botocore parses it."""
    code, status = LEGACY[shape]
    cls = errors.define(code, status, message)
    err = cls(message, status=status, QueryErrorCode=shape, Type="Sender")
    err.headers = {"x-amzn-query-error": f"{code};Sender"}     # as SQS sends it
    return err


def invalid_value(parameter: str, value, reason: str) -> errors.AWSError:
    """``InvalidParameterValue`` as SQS words it: ``Value X for parameter P is invalid.
    Reason: R``."""
    return errors.InvalidParameterValue(
        f"Value {value} for parameter {parameter} is invalid. Reason: {reason}")


def invalid_attribute(name: str, reason: str | None = None) -> errors.AWSError:
    message = f"Invalid value for the parameter {name}."
    if reason:
        message += f" Reason: {reason}"
    return sqs_error("InvalidAttributeValue", message)


def unknown_attribute(name: str) -> errors.AWSError:
    return sqs_error("InvalidAttributeName", f"Unknown Attribute {name}.")


def missing(parameter: str) -> errors.AWSError:
    return errors.MissingParameter(f"The request must contain the parameter {parameter}.")


def no_queue() -> errors.AWSError:
    return sqs_error("QueueDoesNotExist", "The specified queue does not exist.")
