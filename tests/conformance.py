"""Conformance: every response awskit gives must be one botocore could have parsed off the wire.

``tests/conftest.py`` installs :func:`hook` in ``awskit.service.Service.response_hooks`` for the
whole test session, so every request any test makes (direct calls, ``cloud.client``,
``mock_aws``) is checked right where it is answered, before botocore's ``after-call`` handlers
run (as botocore's parser would hand its result to them). A violation raises
:class:`ConformanceError` (an ``AssertionError``) inside the request, which fails the test
that made it.

What a successful response must be (botocore 1.43.11's ``operation_model(name).output_shape``):

- only members of the output shape, plus ``ResponseMetadata`` (``RequestId``,
  ``HTTPStatusCode``, ``HTTPHeaders``, ``RetryAttempts``, S3's ``HostId``), with the status
  the operation's model declares (``responseCode``, else 200; 206 for a ranged read; the
  few other statuses AWS documents are in ``EXTRA_STATUSES``);
- every required member present, no member ``None`` (botocore's parsers never produce one;
  the one exception is GetBucketLocation's ``LocationConstraint``, which botocore's own
  ``parse_get_bucket_location`` sets to ``None`` for us-east-1);
- every value of its shape's type, recursively: string → ``str`` (within the model's enum,
  length limits and pattern), integer/long → ``int``, boolean → ``bool``, float/double →
  ``float``, timestamp → an aware ``datetime`` in ``dateutil.tz.tzutc()`` no more precise
  than its wire format, blob → ``bytes`` (a ``StreamingBody`` for a streaming payload: one
  marked streaming, or a blob that is the output's whole payload, as botocore decides),
  list → ``list``, map → ``dict``, structure → ``dict``. Where AWS itself answers outside
  its model (the root user's GetUser, the policy simulator's "IAM Policy"), ``DEVIATIONS``
  says so, narrowly.

What an error must be: an ``awskit.errors.AWSError`` (a botocore ``ClientError``) bound to the
operation, whose ``response`` has ``Error.Code`` / ``Error.Message`` strings (extra fields
strings too; ``Error.Type`` Sender/Receiver for query-protocol services such as IAM and
STS), ``ResponseMetadata`` with a request id and the error's HTTP status (4xx/5xx or 304),
and, when the code is one the service's model declares, the status the model gives it.
"""

from __future__ import annotations

import fnmatch
import re
from datetime import datetime

from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from dateutil.tz import tzutc

from awskit.service import service_model

#: (service, operation, member path) whose value may be None, with the reason.
NONE_ALLOWED = {
    ("s3", "GetBucketLocation", "LocationConstraint"):
        "botocore's parse_get_bucket_location gives None for us-east-1",
}
#: (service, operation) -> success statuses AWS documents besides the model's responseCode.
EXTRA_STATUSES = {
    ("s3", "RestoreObject"): {202},       # botocore RestoreObject docs: "202 Accepted" on start
    ("s3", "PutBucketTagging"): {204},    # S3 API reference example: "HTTP/1.1 204 No Content"
    # the model's StatusCode member (location statusCode) reports it: 204 for a function, as
    # DeleteFunction always answered (202 only for Lambda Managed Instances functions)
    ("lambda", "DeleteFunction"): {204},
    # InvocationResponse.StatusCode doc: 202 for the Event invocation type, 204 for DryRun
    ("lambda", "Invoke"): {202, 204},
}
#: Where AWS itself answers outside its model: (service, operation) -> [(applies(response),
#: problem path (fnmatch pattern), fragment of the problem, why)]. A matching problem is not a
#: violation. Keep this short: every entry is a fact about AWS, checked in the service's docs.
def _root_user(response) -> bool:
    return str(response.get("User", {}).get("Arn", "")).endswith(":root")


DEVIATIONS = {
    ("iam", "GetUser"): [
        # GetUser called with root credentials and no UserName: IAM answers with the account id
        # as UserId (12 digits, below idType's min 16) and no UserName or Path (both "required").
        (_root_user, "User.UserId", "below idType's min", "root: UserId is the account id"),
        (_root_user, "User.UserName", "required member", "root: IAM sends no UserName"),
        (_root_user, "User.Path", "required member", "root: IAM sends no Path"),
    ],
    # CreateAccessKey by the root user for itself: there is no user name to send; awskit leaves
    # UserName out, as IAM does for the root user's GetUser (unconfirmed for CreateAccessKey)
    ("iam", "CreateAccessKey"): [
        (lambda r: "UserName" not in r.get("AccessKey", {}), "AccessKey.UserName",
         "required member", "root: no user name"),
    ],
    # the policy simulator's matched statements name their source type "IAM Policy" (as real
    # responses and the CLI show it), a value missing from the model's PolicySourceType enum
    **{("iam", op): [(lambda r: True, "EvaluationResults*.MatchedStatements*.SourcePolicyType",
                      "'IAM Policy' is not one of", "simulator responses say 'IAM Policy'")]
       for op in ("SimulateCustomPolicy", "SimulatePrincipalPolicy")},
    # an attached internet gateway's attachment State is "available" (the ec2 model's own
    # InternetGatewayAttachment.State documentation says so; its enum lists only attaching...)
    ("ec2", "DescribeInternetGateways"): [
        (lambda r: True, "InternetGateways*.Attachments*.State", "'available' is not one of",
         "attached internet gateways show available")],
    # a NAT gateway's interface has InterfaceType "nat_gateway" (the value DescribeNetwork-
    # Interfaces' interface-type filter documents), where the enum spells it natGateway
    ("ec2", "DescribeNetworkInterfaces"): [
        (lambda r: True, "NetworkInterfaces*.InterfaceType", "'nat_gateway' is not one of",
         "NAT gateway interfaces show nat_gateway")],
    # a VPC endpoint's State is camelCase on the wire (available, pendingAcceptance, ...: the
    # values DescribeVpcEndpoints' vpc-endpoint-state filter documents), where the model's
    # State enum capitalizes them
    **{("ec2", op): [(lambda r: True, path, "is not one of State's enum",
                      "VPC endpoint states are camelCase")]
       for op, path in (("CreateVpcEndpoint", "VpcEndpoint.State"),
                        ("DescribeVpcEndpoints", "VpcEndpoints*.State"),
                        ("DescribeVpcEndpointConnections",
                         "VpcEndpointConnections*.VpcEndpointState"))},
}
_METADATA_KEYS = {"RequestId", "HTTPStatusCode", "HTTPHeaders", "RetryAttempts", "HostId"}
_XML_PROTOCOLS = {"rest-xml", "query", "ec2"}
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9.]*$|^[1-5][0-9][0-9]$")
_patterns: dict[str, re.Pattern | None] = {}
_error_statuses: dict[str, dict[str, int]] = {}


class ConformanceError(AssertionError):
    """A response or error that botocore could not have produced for this operation."""


def _pattern(text: str):
    """A botocore (Java-style) pattern compiled for ``re.fullmatch``, or None if Python's
    ``re`` cannot read it (``\\p{L}`` classes): such patterns go unchecked."""
    if text not in _patterns:
        try:
            _patterns[text] = re.compile(text, re.DOTALL)
        except re.error:
            _patterns[text] = None
    return _patterns[text]


# --------------------------------------------------------------------------------------------
# Values against shapes
# --------------------------------------------------------------------------------------------
class _Walker:
    def __init__(self, service: str, operation: str, protocol: str):
        self.service = service
        self.operation = operation
        self.xml = protocol in _XML_PROTOCOLS
        self.problems: list[str] = []
        # a blob that is the output's payload streams, marked or not (botocore's
        # OperationModel.get_streaming_output: Lambda Invoke's Payload)
        op = service_model(service).operation_model(operation)
        self.streaming = (op.output_shape.serialization.get("payload")
                          if op.has_streaming_output else None)

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path or '<top>'}: {message}")

    def structure(self, shape, value, path: str, top: bool = False) -> None:
        if type(value) is not dict:
            self.fail(path, f"expected a dict for structure {shape.name}, got {type(value).__name__}")
            return
        members = shape.members
        for name, item in value.items():
            if top and name == "ResponseMetadata":
                continue
            where = f"{path}.{name}" if path else name
            member = members.get(name)
            if member is None:
                self.fail(where, f"unknown key: {shape.name} has no member {name!r} "
                                 f"(members: {', '.join(sorted(members)) or 'none'})")
                continue
            if item is None:
                if (self.service, self.operation, where) not in NONE_ALLOWED:
                    self.fail(where, "None: botocore never parses a member as None "
                                     "(leave the key out instead)")
                continue
            self.value(member, item, where, top and member.serialization.get("location"))
        for name in shape.required_members:
            if name not in value:
                self.fail(f"{path}.{name}" if path else name,
                          f"required member of {shape.name} is missing")

    def value(self, shape, value, path: str, location=None) -> None:
        kind = shape.type_name
        if kind == "structure":
            if shape.is_document_type:
                return                      # any JSON value
            self.structure(shape, value, path)
            if shape.is_tagged_union and type(value) is dict and len(value) != 1:
                self.fail(path, f"union {shape.name} must set exactly one member")
        elif kind == "list":
            if type(value) is not list:
                self.fail(path, f"expected a list, got {type(value).__name__}")
                return
            self._limits(shape, len(value), path, "length")
            for i, item in enumerate(value):
                if item is None:
                    self.fail(f"{path}[{i}]", "None in a list")
                else:
                    self.value(shape.member, item, f"{path}[{i}]")
        elif kind == "map":
            if type(value) is not dict:
                self.fail(path, f"expected a dict (map), got {type(value).__name__}")
                return
            for key, item in value.items():
                self.value(shape.key, key, f"{path}<key {key!r}>")
                if item is None:
                    self.fail(f"{path}[{key!r}]", "None in a map")
                else:
                    self.value(shape.value, item, f"{path}[{key!r}]")
        elif kind == "string":
            self.string(shape, value, path)
        elif kind in ("integer", "long"):
            if type(value) is not int:
                self.fail(path, f"expected int ({kind}), got {type(value).__name__}")
            else:
                self._limits(shape, value, path, "value")
        elif kind == "boolean":
            if type(value) is not bool:
                self.fail(path, f"expected bool, got {type(value).__name__}")
        elif kind in ("float", "double"):
            ok = type(value) is float or (not self.xml and type(value) is int)
            if not ok:
                self.fail(path, f"expected float ({kind}), got {type(value).__name__}")
        elif kind == "timestamp":
            self.timestamp(value, path, location)
        elif kind == "blob":
            if shape.serialization.get("streaming") or path == self.streaming:
                if not isinstance(value, StreamingBody):
                    self.fail(path, f"a streaming payload must be a botocore StreamingBody, "
                                    f"got {type(value).__name__}")
            elif type(value) is not bytes:
                self.fail(path, f"expected bytes (blob), got {type(value).__name__}")
        else:
            self.fail(path, f"shape type {kind} is not checked by the conformance checker")

    def string(self, shape, value, path: str) -> None:
        if shape.serialization.get("jsonvalue"):
            return                          # botocore decodes these into any JSON value
        if type(value) is not str:
            self.fail(path, f"expected str, got {type(value).__name__}")
            return
        enum = shape.enum
        if enum and value not in enum:
            self.fail(path, f"{value!r} is not one of {shape.name}'s enum values {sorted(enum)}")
        self._limits(shape, len(value), path, "length")
        pattern = shape.metadata.get("pattern")
        if pattern:
            compiled = _pattern(pattern)
            if compiled is not None and not compiled.fullmatch(value):
                self.fail(path, f"{value!r} does not match {shape.name}'s pattern {pattern}")

    def timestamp(self, value, path: str, location) -> None:
        if type(value) is not datetime:
            self.fail(path, f"expected datetime, got {type(value).__name__}")
            return
        if value.tzinfo is None:
            self.fail(path, "a naive datetime: botocore gives aware datetimes in tzutc()")
            return
        if not isinstance(value.tzinfo, tzutc):
            self.fail(path, f"tzinfo is {value.tzinfo!r}; botocore's parser gives "
                            "dateutil.tz.tzutc()")
        if location == "header" and value.microsecond:
            self.fail(path, "an HTTP-date header carries whole seconds; this value has "
                            f"{value.microsecond} microseconds")
        elif self.xml and value.microsecond % 1000:
            self.fail(path, "XML timestamps carry at most milliseconds; this value has "
                            f"{value.microsecond} microseconds")

    def _limits(self, shape, n: int, path: str, what: str) -> None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and n < low:
            self.fail(path, f"{what} {n} is below {shape.name}'s min {low}")
        if high is not None and n > high:
            self.fail(path, f"{what} {n} is above {shape.name}'s max {high}")


# --------------------------------------------------------------------------------------------
# Responses and errors
# --------------------------------------------------------------------------------------------
def response_problems(service: str, operation: str, response) -> list[str]:
    """What is wrong with a successful ``response`` of ``service:operation`` (empty if nothing)."""
    model = service_model(service)
    op = model.operation_model(operation)
    walker = _Walker(service, operation, model.protocol)
    if type(response) is not dict:
        return [f"<top>: expected a dict, got {type(response).__name__}"]
    _metadata(walker, service, op, response.get("ResponseMetadata"), error_status=None)
    shape = op.output_shape
    if shape is None:
        extra = sorted(k for k in response if k != "ResponseMetadata")
        if extra:
            walker.fail("<top>", f"{operation} has no output members; got {extra}")
    else:
        walker.structure(shape, response, "", top=True)
    deviations = [(path, fragment) for applies, path, fragment, _ in
                  DEVIATIONS.get((service, operation), ()) if applies(response)]
    return [p for p in walker.problems
            if not any(fnmatch.fnmatchcase(p.partition(": ")[0], path) and fragment in p
                       for path, fragment in deviations)]


def _metadata(walker: _Walker, service: str, op, meta, error_status) -> None:
    if type(meta) is not dict:
        walker.fail("ResponseMetadata", "missing or not a dict")
        return
    unknown = set(meta) - _METADATA_KEYS
    if unknown:
        walker.fail("ResponseMetadata", f"unknown keys {sorted(unknown)}")
    request_id = meta.get("RequestId")
    if type(request_id) is not str or not request_id:
        walker.fail("ResponseMetadata.RequestId", f"expected a non-empty str, got {request_id!r}")
    status = meta.get("HTTPStatusCode")
    if error_status is None:
        expected = {op.http.get("responseCode", 200)} | EXTRA_STATUSES.get((service, op.name),
                                                                           set())
        if "Range" in (op.input_shape.members if op.input_shape else {}):
            expected.add(206)
        if status not in expected:
            walker.fail("ResponseMetadata.HTTPStatusCode",
                        f"{status!r}; {op.name} succeeds with {sorted(expected)}")
    elif status != error_status:
        walker.fail("ResponseMetadata.HTTPStatusCode",
                    f"{status!r} differs from the error's status {error_status}")
    headers = meta.get("HTTPHeaders")
    if type(headers) is not dict:
        walker.fail("ResponseMetadata.HTTPHeaders", "missing or not a dict")
    else:
        for key, value in headers.items():
            if type(key) is not str or key != key.lower() or type(value) is not str:
                walker.fail("ResponseMetadata.HTTPHeaders",
                            f"{key!r}: {value!r} (botocore gives lower-case str keys and str values)")
    if meta.get("RetryAttempts") != 0 or type(meta.get("RetryAttempts")) is not int:
        walker.fail("ResponseMetadata.RetryAttempts", f"{meta.get('RetryAttempts')!r}, expected 0")
    if service == "s3" and type(meta.get("HostId")) is not str:
        walker.fail("ResponseMetadata.HostId", "S3 responses carry a HostId (x-amz-id-2)")


def modeled_error_statuses(service: str) -> dict[str, int]:
    """Error code → HTTP status for the exception shapes of a service's model."""
    table = _error_statuses.get(service)
    if table is None:
        table = {}
        for shape in service_model(service).error_shapes:
            error = shape.metadata.get("error", {})
            status = error.get("httpStatusCode")
            if status is not None:
                table[error.get("code", shape.name)] = status
        _error_statuses[service] = table
    return table


def error_problems(service: str, operation: str, error) -> list[str]:
    """What is wrong with an error raised by ``service:operation`` (empty if nothing)."""
    model = service_model(service)
    op = model.operation_model(operation)
    walker = _Walker(service, operation, model.protocol)
    if not isinstance(error, ClientError):
        return [f"<error>: {type(error).__name__} is not a botocore ClientError"]
    if getattr(error, "operation_name", None) != operation:
        walker.fail("<error>", f"operation_name {error.operation_name!r}, expected {operation!r}")
    response = error.response
    extra = set(response or {}) - {"Error", "ResponseMetadata"} if type(response) is dict else set()
    if type(response) is not dict or not {"Error", "ResponseMetadata"} <= set(response):
        return walker.problems + [f"<error>.response: keys {sorted(response or {})}, "
                                  "expected Error and ResponseMetadata"]
    if extra:
        # botocore adds the error shape's modeled members at the top level (rest-json: Lambda's
        # Type, Reason, message); nothing else may appear there
        code_shape = model.shape_for_error_code(response["Error"].get("Code", ""))
        members = set(code_shape.members) if code_shape is not None else set()
        if model.protocol != "rest-json" or not extra <= members:
            walker.fail("<error>.response", f"top-level keys {sorted(extra)} are not modeled "
                                            "members of this error")
    body = response["Error"]
    code, message = body.get("Code"), body.get("Message")
    if type(code) is not str or not _CODE.match(code):
        walker.fail("Error.Code", f"{code!r} is not an AWS error code")
    if type(message) is not str or not message:
        walker.fail("Error.Message", f"expected a non-empty str, got {message!r}")
    for key, value in body.items():
        if type(value) is not str:
            walker.fail(f"Error.{key}", f"error fields are strings on the wire; got "
                                        f"{type(value).__name__}")
    if model.protocol == "query" and op.http.get("method") != "HEAD" and \
            body.get("Type") not in ("Sender", "Receiver"):
        walker.fail("Error.Type", f"{body.get('Type')!r}: query-protocol errors carry Type "
                                  "Sender or Receiver, as botocore parses them")
    status = getattr(error, "status", None)
    if type(status) is not int or not (status == 304 or 400 <= status <= 599):
        walker.fail("<error>.status", f"{status!r} is not an error status")
    if op.http.get("method") == "HEAD" and code != str(status):
        walker.fail("Error.Code", f"HEAD responses have no body: boto3 reports the status "
                                  f"({status}) as the code, not {code!r}")
    modeled = modeled_error_statuses(service).get(code)
    if modeled is not None and modeled != status:
        walker.fail("<error>.status", f"{code} is HTTP {modeled} in the {service} model, "
                                      f"not {status}")
    _metadata(walker, service, op, response["ResponseMetadata"], error_status=status)
    return walker.problems


def check_response(service: str, operation: str, response) -> None:
    problems = response_problems(service, operation, response)
    if problems:
        raise ConformanceError(f"{service}:{operation} response does not conform to botocore's "
                               "output shape:\n  " + "\n  ".join(problems))


def check_error(service: str, operation: str, error) -> None:
    problems = error_problems(service, operation, error)
    if problems:
        raise ConformanceError(f"{service}:{operation} error does not have the shape boto3 "
                               "expects:\n  " + "\n  ".join(problems))


def hook(service, operation: str, response, error) -> None:
    """The ``Service.response_hooks`` entry: check what the request is about to return."""
    if error is not None:
        check_error(service.service_name, operation, error)
    else:
        check_response(service.service_name, operation, response)


def install() -> None:
    from awskit.service import Service
    if hook not in Service.response_hooks:
        Service.response_hooks.append(hook)
