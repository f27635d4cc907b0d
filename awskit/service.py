"""The request pipeline every service shares, and the base class of every service.

A service class (``S3``, ``IAM``, ...) defines its operations as methods decorated with
:func:`operation`, named as in boto3 and taking boto3's parameters::

    class S3(Service):
        service_name = "s3"

        @operation
        def head_bucket(self, req, Bucket, **_):
            ...
            return {"BucketRegion": ...}

Whatever the front (a direct call ``cloud.s3.head_bucket(Bucket="b")``, a boto3 client from
``cloud.client("s3")``, or unmodified boto3 code under ``awskit.mock_aws()``), a call walks
one pipeline: **receive** (the service's front door records the request) → **authenticate**
(access key → principal) → **authorize** (IAM policy evaluation, called by the handler at the
point where AWS checks, see :meth:`Request.authorize`) → the **handler** → **meter** →
**respond** (``ResponseMetadata`` added; errors become the AWS error). Each stage records
steps on the request's :class:`~awskit.trace.Trace`, on the simulated clock.

Direct calls are validated against botocore's model (same ``ParamValidationError`` as boto3)
and run botocore's own ``before-parameter-build`` and ``after-call`` handlers, so a direct
call and a boto3 call see the same parameters and the same response shapes.
"""

from __future__ import annotations

import functools
import importlib
from typing import Callable, ClassVar

from . import errors
from .botocore_support import (_HTTPResponse, _header_members, _header_value,  # noqa: F401
                               botocore_session, builtin_emitter, http_date, service_model)
from .request import ROOT_DECISION, Caller, Request  # noqa: F401 (the API services import)
from .validation import InputValidator

# --------------------------------------------------------------------------------------------
# Declaring operations
# --------------------------------------------------------------------------------------------
def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def operation(fn: Callable | str | None = None):
    """Mark a method as the handler of an AWS operation.

    ``@operation`` derives the operation name from the method name (``put_object`` →
    ``PutObject``); ``@operation("CreateSAMLProvider")`` names it explicitly.
    """
    def mark(func, name=None):
        func.__aws_operation__ = name or _camel(func.__name__)
        return func
    if callable(fn):
        return mark(fn)
    return lambda func: mark(func, fn)


class _OperationInfo:
    __slots__ = ("name", "method", "handler", "model", "validator", "before_event",
                 "after_event", "has_before", "has_after", "before_handlers", "after_handlers",
                 "header_members", "http")

    def __init__(self, service: "Service", name: str, handler: Callable):
        model = service.model.operation_model(name)
        self.name = name
        self.method = handler.__name__
        self.handler = handler
        self.model = model
        self.http = dict(model.http)     # as the model declares it (the request line traced)
        if "authPath" in self.http:      # botocore rewrote it for URL building: undo that
            self.http["requestUri"] = "/{Bucket}" + self.http["requestUri"]
            del self.http["authPath"]
        self.validator = InputValidator(model)
        service_id = service.model.service_id.hyphenize()
        self.before_event = f"before-parameter-build.{service_id}.{name}"
        self.after_event = f"after-call.{service_id}.{name}"
        emitter = builtin_emitter()
        # the handlers botocore's emitter would call for these events, in its order: direct
        # calls run them straight (what ``emitter.emit`` does, minus its per-call lookup)
        self.before_handlers = tuple(emitter._handlers.prefix_search(self.before_event))
        self.after_handlers = tuple(emitter._handlers.prefix_search(self.after_event))
        self.has_before = bool(self.before_handlers)
        self.has_after = bool(self.after_handlers)
        self.header_members = _header_members(model.output_shape)


# --------------------------------------------------------------------------------------------
# The service base class
# --------------------------------------------------------------------------------------------
class Service:
    """Base of every simulated service: operations, the pipeline, state, graph."""

    service_name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    front_component: ClassVar[str] = "API service"
    #: error code for an access key the service does not know (S3: InvalidAccessKeyId)
    unknown_key_error: ClassVar[str] = "InvalidClientTokenId"
    #: simulated duration of an IAM check, in ms
    iam_ms: ClassVar[float] = 2.0
    #: global services (IAM, STS's global endpoint) have no Region in their ARNs
    is_global: ClassVar[bool] = False
    #: errors carry ``<Type>Sender|Receiver</Type>`` (botocore's ``Error.Type``) beyond the
    #: query protocol's: rest-xml services other than S3 (CloudFront) set this
    error_type: ClassVar[bool] = False
    _handlers: ClassVar[dict[str, Callable]] = {}
    #: callables ``(service, operation name, response, error)`` run after every request of every
    #: service (the test suite checks each response against botocore's output shape here)
    response_hooks: ClassVar[list[Callable]] = []
    #: ``"module:Class"`` of the console widget shown when the service is displayed in Jupyter
    #: (``awskit.s3.view:S3Console``); loaded only then. The class takes the service and has a
    #: ``describe(service)`` static method giving the stable ``text/plain``.
    console_view: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        handlers = dict(getattr(cls, "_handlers", {}))
        for klass in reversed(cls.__mro__):       # mixins may define operations too
            for attr, value in list(vars(klass).items()):
                name = getattr(value, "__aws_operation__", None)
                if name is None or hasattr(value, "handler"):
                    continue
                handlers[name] = value
                setattr(cls, attr, _public_method(attr, name, value))
        cls._handlers = handlers

    def __init__(self, cloud):
        self.cloud = cloud
        self._ops: dict[str, _OperationInfo] = {}

    # -- botocore model ---------------------------------------------------------------------
    @property
    def model(self):
        return service_model(self.service_name)

    def operation_info(self, name: str) -> _OperationInfo:
        info = self._ops.get(name)
        if info is None:
            handler = self._handlers.get(name)
            if handler is None:
                raise errors.for_code("NotImplemented")(
                    f"awskit does not simulate {self.service_name}:{name} yet", status=501)
            info = self._ops[name] = _OperationInfo(self, name, handler)
        return info

    @classmethod
    def implemented_operations(cls) -> list[str]:
        return sorted(cls._handlers)

    # -- calling ----------------------------------------------------------------------------
    def default_caller(self) -> Caller:
        """The direct front's caller: the default account's root user, in the default Region.

        Built once and reused while nothing it depends on changes (IAM's ``generation``
        moves on every IAM change); the pipeline never mutates a Caller.
        """
        cloud = self.cloud
        iam = cloud.iam
        key = (cloud.default_account, cloud.default_region, iam.generation)
        cached = self.__dict__.get("_default_caller")
        if cached is None or cached[0] != key:
            caller = Caller(principal=iam.root_principal(cloud.default_account),
                            region=cloud.default_region)
            cached = self.__dict__["_default_caller"] = (key, caller)
        return cached[1]

    def as_caller(self, caller: Caller) -> "ServiceView":
        return ServiceView(self, caller)

    def invoke(self, name: str, params: dict, caller: Caller | None = None) -> dict:
        """Run one operation through the pipeline; raise the AWS error on failure."""
        op = self.operation_info(name)
        caller = caller or self.default_caller()
        direct = caller.front == "direct"
        # One context for both events, as a boto3 client keeps per call: botocore's handlers
        # pass notes through it (ListObjects' ``encoding_type_auto_set`` tells ``after-call`` to
        # URL-decode the keys that ``before-parameter-build`` asked S3 to encode).
        context = {}
        if direct:
            for handler in op.before_handlers:
                handler(params=params, model=op.model, context=context,
                        event_name=op.before_event)
            op.validator(params)
        cloud = self.cloud
        with cloud.lock:
            response, error = self._run(op, params, caller)
        if error is not None:
            raise error
        if direct and op.has_after:
            http_response = _HTTPResponse(200, {})
            for handler in op.after_handlers:
                handler(http_response=http_response, parsed=response, model=op.model,
                        context=context, event_name=op.after_event)
        return response

    def _run(self, op: _OperationInfo, params: dict, caller: Caller):
        """The pipeline proper, under the cloud's lock. Returns (response, error)."""
        cloud = self.cloud
        clock = cloud.clock
        if clock._queue:
            clock.run_due()
        req = Request(self, op, params, caller, self.new_request_id())
        trace = req.trace
        error = None
        response = None
        try:
            self.receive(req)
            req.authenticate()
            response = op.handler(self, req, **params)
            if response is None:
                response = {}
        except errors.AWSError as err:
            error = err
        except Exception as exc:  # a bug inside awskit: never a bare traceback to students
            if cloud.debug:
                raise
            error = errors.InternalError()
            error.__cause__ = exc
            trace.summary += f" [internal error: {type(exc).__name__}: {exc}]"
        if error is not None:
            trace.status = error.status
            trace.error = error.code
            extra = getattr(error, "headers", None)   # headers AWS sends with this error
            if op.http.get("method") == "HEAD" or error.status == 304:
                error = errors.bare(error.status)   # no body: boto3 sees only the status
            error.bind(op.name, req.request_id, self.host_id(req))
            if self.model.protocol == "query" or self.error_type:
                # query-protocol errors (IAM, STS) carry <Type>Sender|Receiver</Type>, which
                # botocore parses into Error.Type: direct calls show it as boto3 does
                error.response["Error"] = {"Type": "Sender" if error.sender_fault else "Receiver",
                                           **error.response["Error"]}
            elif self.model.protocol == "rest-json":
                _lift_modeled_members(self.model, error)
            headers = self.response_headers(req, {}, error.status)
            if extra:
                headers.update(extra)
            error.response["ResponseMetadata"]["HTTPHeaders"] = headers
        self.meter(req, error)
        cloud.traces.append(trace)
        cloud.notify(trace)
        if error is None:
            trace.status = req.status
            response = {"ResponseMetadata": self.response_metadata(req, response, req.status),
                        **response}
        for hook in Service.response_hooks:
            hook(self, op.name, response, error)
        return response, error

    # -- hooks a service overrides --------------------------------------------------------
    def receive(self, req: Request) -> None:
        """Record the front door's step (override to describe the HTTP request)."""
        req.receive(f"Receive {req.operation} request", 1.0)

    def new_request_id(self) -> str:
        return self.cloud.ids.request_id()

    def host_id(self, req: Request) -> str | None:
        return None

    def meter(self, req: Request, error) -> None:
        """Count the request on the usage meter (override for priced requests)."""
        self.cloud.meter.count_request(self.service_name, req.operation, req.account, error)

    def access_denied(self, req: Request, action: str, resource: str, decision) -> errors.AWSError:
        """The AccessDenied error this service returns (IAM-style message by default)."""
        principal = req.principal.arn
        if decision.decision == "explicitDeny":
            kind = decision.deciding.source.kind if decision.deciding is not None else "identity"
            why = f"with an explicit deny in {_POLICY_PHRASES.get(kind, 'a policy')}"
        else:
            why = f"because no identity-based policy allows the {action} action"
        return errors.AccessDenied(
            f"User: {principal} is not authorized to perform: {action} on resource: "
            f"{resource} {why}")

    def auth_error(self, problem: str) -> errors.AWSError:
        """The error for a credential problem: ``unknown-key``, ``inactive``, ``bad-signature``,
        ``bad-token`` or ``expired`` (query/JSON services; S3 overrides)."""
        if problem == "bad-signature":
            return errors.SignatureDoesNotMatch()
        if problem == "expired":
            return errors.ExpiredToken("The security token included in the request is expired",
                                       status=403)
        return errors.for_code(self.unknown_key_error)()

    def resource_policy_for(self, arn: str):
        """(resource-based policy, owner account) of one of this service's resources."""
        return None, None

    def response_headers(self, req: Request, response: dict, status: int) -> dict:
        return {"x-amzn-requestid": req.request_id, "content-type": "text/xml",
                "date": http_date(req.cloud.clock.now)}

    def response_metadata(self, req: Request, response: dict, status: int) -> dict:
        headers = self.response_headers(req, response, status)
        header_members = req.op.header_members
        if header_members:
            for member, value in response.items():     # responses carry few of the members
                spec = header_members.get(member)
                if spec is None or value is None:
                    continue
                header, kind = spec
                if kind == "prefix":
                    for key, item in value.items():
                        headers[header + key.lower()] = str(item)
                else:
                    headers[header] = _header_value(value, kind)
        meta = {"RequestId": req.request_id, "HTTPStatusCode": status, "HTTPHeaders": headers,
                "RetryAttempts": 0}
        host_id = self.host_id(req)
        if host_id is not None:
            meta["HostId"] = host_id
        return meta

    # -- state, graph -----------------------------------------------------------------------
    def state(self) -> dict:
        """The service's whole state as plain JSON data."""
        return {}

    def load_state(self, data: dict) -> None:
        """Restore :meth:`state` (and re-schedule the events it implies)."""

    def add_to_graph(self, graph) -> None:
        """Add this service's resources to the cloud's networkx graph."""

    # -- display in Jupyter -----------------------------------------------------------------
    def _console_class(self):
        module, name = self.console_view.split(":")
        return getattr(importlib.import_module(module), name)

    def console(self):
        """This service's console widget (see ``console_view``): built on first use, the same
        one while it stays open, so displaying the service twice shows one live console."""
        if not self.console_view:
            raise TypeError(f"{self.title or self.service_name} has no console widget")
        view = self.__dict__.get("_console")
        if view is None or view.closed:
            view = self.__dict__["_console"] = self._console_class()(self)
        return view

    def _repr_mimebundle_(self, include=None, exclude=None):
        """In Jupyter, the console widget with a stable ``text/plain``; elsewhere that text."""
        if not self.console_view:
            return None
        from .widgets.core import mimebundle
        return mimebundle(self._console_class().describe(self), lambda: self.console().widget)

    def __repr__(self) -> str:
        return f"<{self.title or self.service_name} in {self.cloud!r}>"


def _lift_modeled_members(model, error) -> None:
    """rest-json errors as boto3 shows them: ``Error`` holds Code and Message, and the error
    shape's own members (Lambda's ``Type``, ``Reason``, ``message``, ...) sit at the top level
    of the response, where botocore's endpoint adds them (``_add_modeled_error_fields``)."""
    shape = model.shape_for_error_code(error.code)
    if shape is None:
        return
    body = error.response["Error"]
    for name in [n for n in body if n not in ("Code", "Message") and n in shape.members]:
        error.response[name] = body.pop(name)
    if "message" in shape.members:
        error.response["message"] = error.message


_POLICY_PHRASES = {"identity": "an identity-based policy", "resource": "a resource-based policy",
                   "boundary": "a permissions boundary", "session": "a session policy",
                   "scp": "a service control policy"}


def _public_method(attr: str, op_name: str, handler: Callable):
    @functools.wraps(handler)
    def call(self, **params):
        return self.invoke(op_name, params)
    call.__aws_operation__ = op_name
    call.handler = handler
    return call


class ServiceView:
    """A service seen by another caller: ``cloud.s3.as_caller(...)``; operations only."""

    def __init__(self, service: Service, caller: Caller):
        self._service = service
        self._caller = caller

    def __getattr__(self, name: str):
        attr = getattr(type(self._service), name, None)
        op_name = getattr(attr, "__aws_operation__", None)
        if op_name is None:
            return getattr(self._service, name)
        service, caller = self._service, self._caller
        return lambda **params: service.invoke(op_name, params, caller)

    def __repr__(self) -> str:
        who = self._caller.principal.arn if self._caller.principal else self._caller.access_key_id
        return f"<{self._service.service_name} as {who}>"
