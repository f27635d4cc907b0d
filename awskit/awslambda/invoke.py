"""Invoke and InvokeAsync: running a function (the data plane).

What AWS does (botocore 1.43.11 lambda model, Invoke and InvokeAsync docs; facts A1, A2, A6,
A7):

- ``InvocationType``: ``RequestResponse`` (default) runs the function and answers 200 with its
  response as ``Payload``; ``Event`` queues the event for asynchronous invocation and answers
  202 at once (``async_invoke.py``); ``DryRun`` only checks the parameters and the caller's
  permission and answers 204. ``ExecutedVersion`` says which version ran (an alias resolves,
  with its routing weights, to one). ``LogType=Tail`` adds ``LogResult``: base64 of the last
  4 KB of the invocation's log (synchronous invocations only). ``ClientContext``: up to 3,583
  bytes of base64-encoded JSON handed to the handler as ``context.client_context``
  (synchronous invocations only).
- A function error does not change the HTTP status: 200 with ``FunctionError: Unhandled``
  (header ``X-Amz-Function-Error``) and the error document exactly as the runtime (or, for
  timeouts and crashes, the platform) wrote it.
- Payload: JSON (an empty payload reaches the handler as ``{}``); at most 6 MB synchronously
  ("Request must be smaller than 6291456 bytes for the InvokeFunction operation") and 1 MB for
  ``Event`` ("<n> byte payload is too large for the Event invocation type (limit 1048576
  bytes)"), both RequestEntityTooLargeException (413); not JSON: InvalidRequestContentException
  "Could not parse request body into json: Could not parse payload into json: ..." (what follows
  the prefix is Python's parser's explanation here, Jackson's on AWS).
- A function still ``Pending`` (being created): ResourceConflictException; a SnapStart version
  still being published: SnapStartNotReadyException. During an update, invocations use the
  previous code and configuration.
- Throttles: TooManyRequestsException (429) ``{"Reason": ..., "Type": "User", "message":
  "Rate Exceeded."}``. botocore puts a modeled error's extra members beside ``Error`` in
  ``e.response``; awskit's errors carry them inside ``e.response["Error"]`` (``Reason``,
  ``Type``), as for every awskit service.
- Authorization: ``lambda:InvokeFunction`` on the function's ARN (qualified when the request
  names a version or alias), with the function's resource-based policy for that qualifier, so
  another account (or a service principal, see :meth:`InvokeOperations.invoke_as_service`)
  can invoke only through an AddPermission statement. ``InvokeAsync`` (deprecated, 256 KB)
  needs ``lambda:InvokeAsync`` and answers ``Status: 202``.

Not simulated: non-Python runtimes (their Invoke answers 501 NotImplemented: awskit runs
Python handlers only), response streaming, durable functions and tenant isolation.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from collections import deque

from botocore.response import StreamingBody

from ..service import Request, Service
from . import exceptions as errors
from .common import lambda_operation
from .durations import DEFAULT, DurationModel
from .execution import Run

SYNC_LIMIT = 6_291_456
EVENT_LIMIT = 1_048_576
INVOKE_ASYNC_LIMIT = 262_144
CLIENT_CONTEXT_LIMIT = 3583


def _named_operation(name: str):
    """``@lambda_operation`` for a handler whose method name is not boto3's."""
    def mark(fn):
        handler = lambda_operation(fn)
        handler.__aws_operation__ = name
        return handler
    return mark


def _body(data: bytes) -> StreamingBody:
    return StreamingBody(io.BytesIO(data), len(data))


def payload_bytes(value) -> bytes:
    """The request body as bytes, from what boto3 accepts (bytes, str, a file)."""
    if value is None:
        return b""
    if hasattr(value, "read"):
        value = value.read()
    if isinstance(value, str):
        return value.encode()
    return bytes(value)


def check_json(payload: bytes) -> bytes:
    """The event to hand the handler: the payload if it is JSON (``{}`` if empty)."""
    if not payload.strip():
        return b"{}"
    try:
        json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise errors.InvalidRequestContentException(
            f"Could not parse request body into json: Could not parse payload into json: {exc}"
        ) from None
    return payload


class InvokeOperations:
    """Invoke, InvokeAsync, and the per-function duration model (mixed into the service)."""

    def _init_model(self) -> None:
        super()._init_model()
        self._init_processes()
        self._init_async()
        self.duration_models: dict[str, DurationModel] = {}
        #: the most recent invocations (modelled and measured figures), newest last
        self.invocations: deque = deque(maxlen=1000)
        self._phase_depth = 0
        self._log_rights: dict[tuple, bool] = {}

    def internals(self, region: str | None = None):
        found = super().internals(region)
        self._hook_internals(found)
        return found

    # -- the duration model -------------------------------------------------------------------
    def duration_model_of(self, version) -> DurationModel:
        return self.duration_models.get(version.function_arn, DEFAULT)

    def set_duration_model(self, function_name: str, *, init_ms: float | None = None,
                           invoke_ms: float | None = None, per_kb_ms: float | None = None,
                           memory_used_mb: int | None = None, at_memory_mb: int | None = None,
                           account: str | None = None, region: str | None = None):
        """Set a function's modelled durations (see ``durations.py``); None keeps the default
        for its memory size. Applies to every version; returns the DurationModel."""
        found = self.resolve(function_name, account=account, region=region)
        model = DurationModel(init_ms, invoke_ms, per_kb_ms, memory_used_mb, at_memory_mb)
        with self.cloud.lock:
            self.duration_models[found.function.arn] = model
        return model

    def duration_model(self, function_name: str, *, account: str | None = None,
                       region: str | None = None) -> DurationModel:
        found = self.resolve(function_name, account=account, region=region)
        return self.duration_models.get(found.function.arn, DEFAULT)

    # -- helpers ------------------------------------------------------------------------------
    def role_may_log(self, version) -> bool:
        """Would the execution role be allowed to write the function's logs (PutLogEvents)?"""
        key = (version.role, version.log_group_name, version.region, self.cloud.iam.generation)
        found = self._log_rights.get(key)
        if found is None:
            if len(self._log_rights) > 256:
                self._log_rights.clear()
            arn = (f"arn:aws:logs:{version.region}:{version.account}:log-group:"
                   f"{version.log_group_name}:log-stream:*")
            found = self._log_rights[key] = self.role_may(version.role, "logs:PutLogEvents", arn)
        return found

    def _pick(self, found):
        """The version that runs: an alias's routing weights drawn from a seeded stream."""
        if found.alias is not None and found.alias.routing:
            return found.pick(self.cloud.ids.stream("lambda-alias-routing").random())
        return found.version

    @staticmethod
    def _refuse_unsimulated(version, params: dict) -> None:
        for name, what in (("TenantId", "tenant isolation"),
                           ("DurableExecutionName", "durable functions")):
            if params.get(name):
                raise errors.for_code("NotImplemented")(
                    f"awskit does not simulate {what} ({name})", status=501)
        if version.package_type == "Zip" and not (version.runtime or "").startswith("python"):
            raise errors.for_code("NotImplemented")(
                f"awskit runs Python handlers only: it cannot run {version.runtime} code",
                status=501)

    @staticmethod
    def _client_context(value: str | None) -> str | None:
        if value is None:
            return None
        if len(value) > CLIENT_CONTEXT_LIMIT:            # awskit's wording
            raise errors.InvalidRequestContentException(
                f"Client context must be at most {CLIENT_CONTEXT_LIMIT} bytes of base64.")
        try:
            return base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise errors.InvalidRequestContentException(    # awskit's wording
                "Client context must be base64-encoded JSON.") from None

    # -- Invoke -------------------------------------------------------------------------------
    def invoke(self, *args, **kwargs):
        """Two methods in one name: the pipeline's ``invoke(operation, params, caller)`` (every
        service has it) and boto3's Invoke operation, ``cloud.awslambda.invoke(FunctionName=...,
        Payload=...)`` (keyword arguments only, as boto3 takes them)."""
        if args:
            return Service.invoke(self, *args, **kwargs)
        return Service.invoke(self, "Invoke", kwargs)

    @_named_operation("Invoke")
    def invoke_operation(self, req: Request, FunctionName: str,
                         InvocationType: str = "RequestResponse", LogType: str = "None",
                         ClientContext: str | None = None, Payload=None,
                         Qualifier: str | None = None, **params):
        """Invoke (reached as ``invoke(FunctionName=...)``: see :meth:`invoke`)."""
        payload = payload_bytes(Payload)
        if InvocationType == "Event" and len(payload) > EVENT_LIMIT:
            raise errors.RequestEntityTooLargeException(
                f"{len(payload)} byte payload is too large for the Event invocation type "
                f"(limit {EVENT_LIMIT} bytes)")
        if len(payload) > SYNC_LIMIT:
            raise errors.RequestEntityTooLargeException(
                f"Request must be smaller than {SYNC_LIMIT} bytes for the InvokeFunction "
                "operation")
        found = self.target(req, "lambda:InvokeFunction", FunctionName, Qualifier, read=None)
        version = self._pick(found)
        if InvocationType == "DryRun":
            internals = self.internals(req.region)
            live = version.live(self.now)
            internals.record(req, internals.frontend.load_metadata(live.arn, live.revision_id))
            req.step("Front end", "DryRun: the caller may invoke the function; nothing runs",
                     0.5)
            req.status = 204
            return {"StatusCode": 204, "Payload": _body(b"")}
        self._refuse_unsimulated(version, params)
        payload = check_json(payload)
        if InvocationType == "Event":
            self.enqueue_event(req, found, version, payload)
            req.status = 202
            return {"StatusCode": 202, "Payload": _body(b"")}
        context = self._client_context(ClientContext)
        run = Run(self, req, found, version, payload, invocation_type="RequestResponse",
                  client_context=context)
        run.begin()
        run.complete()
        out = {"StatusCode": 200, "Payload": _body(run.response),
               "ExecutedVersion": version.version}
        if run.function_error:
            out["FunctionError"] = run.function_error
        if LogType == "Tail":
            out["LogResult"] = run.log_tail()
        return out

    @lambda_operation
    def invoke_async(self, req: Request, FunctionName: str, InvokeArgs=None):
        payload = payload_bytes(InvokeArgs)
        if len(payload) > INVOKE_ASYNC_LIMIT:            # awskit's wording for the old API
            raise errors.RequestEntityTooLargeException(
                f"{len(payload)} byte payload is too large for the InvokeAsync operation "
                f"(limit {INVOKE_ASYNC_LIMIT} bytes)")
        found = self.target(req, "lambda:InvokeAsync", FunctionName, read=None)
        version = self._pick(found)
        self._refuse_unsimulated(version, {})
        self.enqueue_event(req, found, version, check_json(payload))
        req.status = 202
        return {"Status": 202}

    # -- invocations by AWS services -----------------------------------------------------------
    def invoke_as_service(self, service_principal: str, FunctionName: str, Payload=b"{}", *,
                          source_arn: str | None = None, source_account: str | None = None,
                          Qualifier: str | None = None, region: str | None = None) -> dict:
        """An AWS service (``"s3.amazonaws.com"``, ...) invokes a function asynchronously, as
        event notifications do: allowed only by a statement of the function's resource-based
        policy naming that service (``aws:SourceArn`` / ``aws:SourceAccount`` conditions
        apply). Returns ``{"StatusCode": 202, "RequestId": ...}``; raises AccessDeniedException
        otherwise. (A helper for other simulated services; AWS has no API for it.)"""
        from ..iam.evaluation import AuthzRequest, PolicySource, evaluate
        with self.cloud.lock:
            region = region or self.cloud.default_region
            found = self.resolve(FunctionName, Qualifier, region=region)
            function = found.function
            policy = found.policy
            context = {"aws:SourceArn": source_arn, "aws:SourceAccount": source_account,
                       "aws:PrincipalServiceName": service_principal}
            request = AuthzRequest(
                action="lambda:InvokeFunction", resource=found.arn, principal_arn=service_principal,
                service_principal=service_principal, resource_account=function.account,
                context={k: v for k, v in context.items() if v is not None})
            sources = [PolicySource(policy, f"{found.arn} (function policy)", "resource",
                                    "resource")] if policy is not None else []
            if not evaluate(request, [], sources).allowed:
                raise errors.AccessDeniedException(
                    f"The service {service_principal} is not authorized to perform: "
                    f"lambda:InvokeFunction on resource: {found.arn}")
            payload = check_json(payload_bytes(Payload))
            event = self.enqueue_internal(found, self._pick(found), payload,
                                          source=service_principal)
            return {"StatusCode": 202, "RequestId": event.event_id}


InvokeOperations.invoke.__aws_operation__ = "Invoke"      # ServiceView: as_caller(...).invoke(...)
InvokeOperations.invoke.handler = InvokeOperations.invoke_operation
