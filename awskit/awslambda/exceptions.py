"""Lambda's error classes, with Lambda's HTTP statuses.

``awskit.errors`` keeps one class per error code for the whole cloud, but codes are shared
between services with different statuses (CloudWatch Logs answers ResourceNotFoundException
with HTTP 400, Lambda with 404), so Lambda raises its own classes, defined here from the lambda
model (botocore 1.43.11: ``httpStatusCode`` of each exception shape) plus the codes Lambda sends
that the model does not declare (RequestEntityTooLargeException 413 for oversized uploads,
ValidationException for constraint violations, AccessDeniedException, UnrecognizedClientException).
They are ``awskit.errors.AWSError`` (botocore ``ClientError``) subclasses; anything else is
looked up in ``awskit.errors`` (``from . import exceptions as errors`` reads like the core).
"""

from __future__ import annotations

from .. import errors as _core

AWSError = _core.AWSError


def _define(code: str, status: int, message: str) -> type:
    return type(code, (_core.AWSError,), {
        "code": code, "status": status, "default_message": message,
        "sender_fault": status < 500, "__module__": __name__,
        "__doc__": f"Lambda error ``{code}`` (HTTP {status})."})


ResourceNotFoundException = _define("ResourceNotFoundException", 404,
                                    "The resource you requested does not exist.")
ResourceConflictException = _define("ResourceConflictException", 409,
                                    "The resource already exists, or another operation is in "
                                    "progress.")
InvalidParameterValueException = _define("InvalidParameterValueException", 400,
                                         "One of the parameters in the request is not valid.")
PreconditionFailedException = _define(
    "PreconditionFailedException", 412, "The Revision Id provided does not match the latest "
    "Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
ProvisionedConcurrencyConfigNotFoundException = _define(
    "ProvisionedConcurrencyConfigNotFoundException", 404,
    "No Provisioned Concurrency Config found for this function")
PolicyLengthExceededException = _define("PolicyLengthExceededException", 400,
                                        "The permissions policy for the resource is too large.")
CodeStorageExceededException = _define("CodeStorageExceededException", 400,
                                       "Code storage limit exceeded.")
RequestEntityTooLargeException = _define("RequestEntityTooLargeException", 413,
                                         "Request must be smaller than 6291456 bytes for the "
                                         "InvokeFunction operation")
TooManyRequestsException = _define("TooManyRequestsException", 429, "Rate exceeded")
ServiceException = _define("ServiceException", 500, "An internal error occurred.")
ValidationException = _define("ValidationException", 400, "Invalid request")
AccessDeniedException = _define("AccessDeniedException", 403, "Access denied")
UnrecognizedClientException = _define("UnrecognizedClientException", 403,
                                       "The security token included in the request is invalid.")

# the invoke path's (botocore 1.43.11 Invoke errors; messages as AWS sends them where known)
InvalidRequestContentException = _define("InvalidRequestContentException", 400,
                                         "Could not parse request body into json")
RecursiveInvocationException = _define(
    "RecursiveInvocationException", 400, "Lambda has detected your function being invoked in a "
    "recursive loop with other AWS resources and stopped your function's invocation.")
SnapStartNotReadyException = _define(
    "SnapStartNotReadyException", 409, "Lambda is initializing your function. You can invoke "
    "the function when the function state becomes Active.")
SnapStartException = _define(
    "SnapStartException", 400, "The afterRestore() runtime hook encountered an error. For more "
    "information, check the Amazon CloudWatch logs.")

InvalidSignatureException = _define(
    "InvalidSignatureException", 403, "The request signature we calculated does not match the "
    "signature you provided. Check your AWS Secret Access Key and signing method. Consult the "
    "service documentation for details.")
ExpiredTokenException = _define("ExpiredTokenException", 403,
                                "The security token included in the request is expired")


def __getattr__(name: str):
    return getattr(_core, name)
