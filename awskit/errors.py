"""AWS errors: one exception class per AWS error code.

Every class carries the code AWS puts on the wire, its HTTP status and AWS's default message,
and subclasses botocore's ``ClientError``, so ``except ClientError`` catches an error from a
direct call (``cloud.s3.get_object(...)``) exactly as it catches one from a boto3 client.
``err.response`` has the same shape boto3 gives: ``{"Error": {"Code", "Message", ...},
"ResponseMetadata": {...}}``.

Codes and statuses come from botocore's service models (``Error.Code`` table of the S3 model,
``error.httpStatusCode`` of each exception shape in the IAM and STS models); messages are the
ones the real services send.
"""

from __future__ import annotations

from botocore.exceptions import ClientError, ParamValidationError  # noqa: F401 (re-export)


class AWSError(ClientError):
    """Base of every awskit service error. ``code``, ``status`` and ``message`` are AWS's."""

    code = "InternalError"
    status = 500
    default_message = "We encountered an internal error. Please try again."
    sender_fault = False

    def __init__(self, message: str | None = None, *, status: int | None = None, **fields):
        self.message = message if message is not None else self.default_message
        if status is not None:
            self.status = status
        self.fields = fields
        self.operation_name = ""
        self._set_response(self._response(request_id="", host_id=None), "")

    def _response(self, request_id: str, host_id: str | None) -> dict:
        meta = {"RequestId": request_id, "HTTPStatusCode": self.status, "HTTPHeaders": {},
                "RetryAttempts": 0}
        if host_id is not None:
            meta["HostId"] = host_id
        error = {"Code": self.code, "Message": self.message}
        error.update(self.fields)
        return {"Error": error, "ResponseMetadata": meta}

    def _set_response(self, response: dict, operation_name: str) -> None:
        ClientError.__init__(self, response, operation_name)

    def bind(self, operation_name: str, request_id: str, host_id: str | None = None) -> "AWSError":
        """Attach the operation and request id once the pipeline knows them."""
        self._set_response(self._response(request_id, host_id), operation_name)
        return self

    def __reduce__(self):
        return (_rebuild, (self.code, self.message, self.status, self.fields))


def _rebuild(code, message, status, fields):
    return for_code(code)(message, status=status, **fields)


_REGISTRY: dict[str, type[AWSError]] = {}


def define(code: str, status: int, message: str, *, sender_fault: bool | None = None) -> type[AWSError]:
    """Create (or return) the exception class for an AWS error code."""
    cls = _REGISTRY.get(code)
    if cls is None:
        name = code if code.isidentifier() else "Error" + "".join(ch for ch in code if ch.isalnum())
        cls = type(name, (AWSError,), {
            "code": code, "status": status, "default_message": message,
            "sender_fault": status < 500 if sender_fault is None else sender_fault,
            "__module__": __name__,
            "__doc__": f"AWS error ``{code}`` (HTTP {status}): {message}",
        })
        _REGISTRY[code] = cls
        globals()[name] = cls
    return cls


def bare(status: int) -> AWSError:
    """The error boto3 reports for a response with no body (HEAD, 304): code = the status."""
    import http
    return define(str(status), status, http.HTTPStatus(status).phrase)()


def for_code(code: str) -> type[AWSError]:
    """The class for ``code``; unknown codes get a generic client-error (400) class."""
    return _REGISTRY.get(code) or define(code, 400, code)


# code, HTTP status, default message (as the real services send them)
_TABLE = [
    # common to many services
    ("InternalError", 500, "We encountered an internal error. Please try again."),
    ("ServiceUnavailable", 503, "Service is unable to handle request."),
    ("AccessDenied", 403, "Access Denied"),
    ("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."),
    ("InvalidClientTokenId", 403, "The security token included in the request is invalid."),
    ("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the "
     "signature you provided. Check your key and signing method."),
    ("ExpiredToken", 400, "The provided token has expired."),
    ("ValidationError", 400, "Invalid request"),
    ("ValidationException", 400, "Invalid request"),
    ("InvalidParameterValue", 400, "Invalid parameter value"),
    ("NotImplemented", 501, "A header you provided implies functionality that is not implemented"),
    ("NotModified", 304, "Not Modified"),
    # S3 (botocore s3 model, shape Error, member Code)
    ("BucketAlreadyExists", 409, "The requested bucket name is not available. The bucket "
     "namespace is shared by all users of the system. Please select a different name and try again."),
    ("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket "
     "succeeded and you already own it."),
    ("BucketNotEmpty", 409, "The bucket you tried to delete is not empty"),
    ("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size"),
    ("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."),
    ("IllegalLocationConstraintException", 400, "The unspecified location constraint is "
     "incompatible for the region specific endpoint this request was sent to."),
    ("InvalidArgument", 400, "Invalid Argument"),
    ("InvalidBucketName", 400, "The specified bucket is not valid."),
    ("InvalidBucketState", 409, "The request is not valid with the current state of the bucket."),
    ("InvalidDigest", 400, "The Content-MD5 you specified is not valid."),
    ("BadDigest", 400, "The Content-MD5 you specified did not match what we received."),
    ("InvalidLocationConstraint", 400, "The specified location-constraint is not valid"),
    ("InvalidObjectState", 403, "The operation is not valid for the object's storage class"),
    ("InvalidPart", 400, "One or more of the specified parts could not be found.  The part may "
     "not have been uploaded, or the specified entity tag may not match the part's entity tag."),
    ("InvalidPartOrder", 400, "The list of parts was not in ascending order. The parts list must "
     "be specified in order by part number."),
    ("InvalidRange", 416, "The requested range is not satisfiable"),
    ("InvalidRequest", 400, "Invalid Request"),
    ("InvalidStorageClass", 400, "The storage class you specified is not valid"),
    ("InvalidTag", 400, "The tag provided was not a valid tag."),
    ("KeyTooLongError", 400, "Your key is too long"),
    ("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against "
     "our published schema"),
    ("MalformedPolicy", 400, "Policies must be valid JSON and the first byte must be '{'"),
    ("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size"),
    ("MethodNotAllowed", 405, "The specified method is not allowed against this resource."),
    ("NoSuchBucket", 404, "The specified bucket does not exist"),
    ("NoSuchBucketPolicy", 404, "The bucket policy does not exist"),
    ("NoSuchKey", 404, "The specified key does not exist."),
    ("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist"),
    ("NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was "
     "not found"),
    ("NoSuchTagSet", 404, "The TagSet does not exist"),
    ("NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or "
     "the upload may have been aborted or completed."),
    ("NoSuchVersion", 404, "The specified version does not exist."),
    ("OwnershipControlsNotFoundError", 404, "The bucket ownership controls were not found"),
    ("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold"),
    ("ServerSideEncryptionConfigurationNotFoundError", 404, "The server side encryption "
     "configuration was not found"),
    ("SlowDown", 503, "Please reduce your request rate."),
    ("TooManyBuckets", 400, "You have attempted to create more buckets than allowed"),
    ("TooManyParts", 400, "You have attempted to upload more parts than allowed"),
    ("UnexpectedContent", 400, "This request does not support content"),
    ("AccessControlListNotSupported", 400, "The bucket does not allow ACLs"),
    ("InvalidBucketAclWithObjectOwnership", 400, "Bucket cannot have ACLs set with "
     "ObjectOwnership's BucketOwnerEnforced setting"),
    ("InvalidToken", 400, "The provided token is malformed or otherwise invalid."),
    ("BadRequest", 400, "Bad Request"),
    ("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
    # IAM (botocore iam model, exception shapes)
    ("NoSuchEntity", 404, "The request was rejected because it referenced an entity that does not exist."),
    ("EntityAlreadyExists", 409, "The request was rejected because it attempted to create a "
     "resource that already exists."),
    ("DeleteConflict", 409, "The request was rejected because it attempted to delete a resource "
     "that has attached subordinate entities."),
    ("LimitExceeded", 409, "The request was rejected because it attempted to create resources "
     "beyond the current AWS account limits."),
    ("MalformedPolicyDocument", 400, "The policy document is malformed."),
    ("InvalidInput", 400, "The request was rejected because an invalid or out-of-range value "
     "was supplied for an input parameter."),
    ("PolicyEvaluation", 500, "The request failed because a provided policy could not be "
     "successfully evaluated."),
    ("UnmodifiableEntity", 400, "The request was rejected because service-linked roles are protected."),
    # STS (botocore sts model)
    ("PackedPolicyTooLarge", 400, "The request was rejected because the total packed size of the "
     "session policies and session tags combined was too large."),
    ("RegionDisabledException", 403, "STS is not activated in the requested region."),
]

for _code, _status, _message in _TABLE:
    define(_code, _status, _message)

__all__ = ["AWSError", "ClientError", "ParamValidationError", "define", "for_code",
           *(cls.__name__ for cls in _REGISTRY.values())]
