"""Handlers that call AWS: the parent side of the bridge (the worker side is
``runtime/aws_bridge.py``).

On AWS, Lambda gives each execution environment temporary credentials of the function's
execution role (the Lambda service assumes the role: its trust policy must allow
``lambda.amazonaws.com``) in ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and
``AWS_SESSION_TOKEN``; the function's boto3 calls are signed with them and IAM evaluates the
role's policies. Here the worker's botocore hands every call to this process, and
:class:`CallServer` runs it through the simulated cloud's pipeline as a boto3 client would
(``service.invoke(operation, params, Caller(...))``) with the credentials the call was signed
with, from the Region the client was made for. Each call is a request of its own, with its own
trace (front ``"lambda"``, drawn as called by the Lambda function).

Simulated time: the calls happen *inside* the phase (INIT or INVOKE) that makes them.
:class:`Phase` keeps the cloud's scheduled events waiting while the phase runs (nothing else
happens in the cloud meanwhile: the notebook is single-threaded), lets the calls take their
simulated time from the phase's start, and then puts the clock back at the phase's start so the
caller can record the phase as one step lasting its modelled duration *plus* ``span_ms``, the
time its calls took (a handler waiting on S3 is billed for the wait, as on AWS).

Safety: calls nest (a handler may invoke another function synchronously, whose handler calls
again ...); more than :data:`MAX_DEPTH` phases running inside each other is refused with
``RecursiveInvocationException`` (awskit's safety limit: each level is a live worker process;
AWS's own loop detection stops event-driven chains after about 16 invocations).
"""

from __future__ import annotations

import base64
import datetime
import decimal
import heapq

from botocore.response import StreamingBody

from .. import errors as core_errors
from ..service import Caller

MAX_DEPTH = 8
_GLOBAL_REGIONS = {"aws-global": "us-east-1", None: "us-east-1"}


# --------------------------------------------------------------------------------------------
# Tagged JSON (see runtime/aws_bridge.py)
# --------------------------------------------------------------------------------------------
def decode(value):
    """Parameters from the worker: tagged JSON -> Python values as boto3 was given them."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), = value.items()
        if tag == "__b":
            return base64.b64decode(inner)
        if tag == "__dt":
            return datetime.datetime.fromisoformat(inner)
        if tag == "__dec":
            return decimal.Decimal(inner)
    return {k: decode(v) for k, v in value.items()}


def encode(value):
    """A response -> tagged JSON (a streaming body is read: the worker gets a fresh one)."""
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return {"__b": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, StreamingBody):
        return {"__s": base64.b64encode(value.read()).decode()}
    if isinstance(value, datetime.datetime):
        return {"__dt": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"__dec": str(value)}
    return value


# --------------------------------------------------------------------------------------------
# Answering calls
# --------------------------------------------------------------------------------------------
class CallServer:
    """Answers one process's AWS calls from the cloud; ``calls`` lists what it answered
    (service, operation, request id, HTTP status, error code), phase by phase."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.calls: list[dict] = []
        self.bug: BaseException | None = None       # re-raised after the phase (debug)

    def __call__(self, header: dict) -> dict:
        from ..boto import _error_answer
        cloud = self.cloud
        name, op = header.get("service"), header.get("operation")
        region = header.get("region")
        caller = Caller(access_key_id=header.get("access_key"),
                        secret_key=header.get("secret_key"),
                        session_token=header.get("session_token"),
                        region=_GLOBAL_REGIONS.get(region, region),
                        secure=header.get("secure", True), front="lambda",
                        anonymous=bool(header.get("anonymous")))
        service = None
        try:
            service = cloud.service(name)
            response = service.invoke(op, decode(header.get("params") or {}), caller)
        except core_errors.AWSError as err:
            if not err.response["ResponseMetadata"]["RequestId"]:
                err.bind(op, service.new_request_id() if service else cloud.ids.request_id())
            http, parsed = _error_answer(service, _Model(service, op), err)
            self._note(name, op, parsed, err.code)
            return {"op": "aws_result", "status": http.status_code, "headers": http.headers,
                    "parsed": encode(parsed)}
        except ValueError as exc:               # a service awskit does not simulate
            err = core_errors.for_code("NotImplemented")(str(exc), status=501).bind(
                op or "", cloud.ids.request_id())
            self._note(name, op, err.response, err.code)
            return {"op": "aws_result", "status": 501, "headers": {},
                    "parsed": {"Error": dict(err.response["Error"]),
                               "ResponseMetadata": err.response["ResponseMetadata"]}}
        except Exception as exc:                # a bug inside awskit: an InternalError
            if cloud.debug and self.bug is None:
                self.bug = exc
            err = core_errors.InternalError().bind(op or "", cloud.ids.request_id())
            self._note(name, op, err.response, err.code)
            return {"op": "aws_result", "status": 500, "headers": {},
                    "parsed": {"Error": dict(err.response["Error"]),
                               "ResponseMetadata": err.response["ResponseMetadata"]}}
        meta = response["ResponseMetadata"]
        self._note(name, op, response, None)
        return {"op": "aws_result", "status": meta["HTTPStatusCode"],
                "headers": meta.get("HTTPHeaders", {}), "parsed": encode(response)}

    def _note(self, service: str, operation: str, response: dict, error: str | None) -> None:
        meta = response.get("ResponseMetadata", {})
        self.calls.append({"service": service, "operation": operation,
                           "request_id": meta.get("RequestId", ""),
                           "status": meta.get("HTTPStatusCode"), "error": error})


class _Model:
    """What ``boto._error_answer`` reads of an operation model (its HTTP method)."""

    def __init__(self, service, op):
        try:
            self.http = service.model.operation_model(op).http if service else {}
        except Exception:
            self.http = {}


# --------------------------------------------------------------------------------------------
# Simulated time of a phase
# --------------------------------------------------------------------------------------------
class Phase:
    """``with Phase(svc, server) as phase:`` around a real INIT/INVOKE (see the docstring).

    After the block: the clock is back at ``phase.t0``; ``phase.span_ms`` is the simulated time
    the phase's AWS calls took; ``phase.calls`` what they were.
    """

    def __init__(self, svc, server: CallServer | None):
        self.svc = svc
        self.server = server
        self.t0 = 0.0
        self.span_ms = 0.0
        self.calls: list[dict] = []
        self._held = None
        self._first = 0

    def __enter__(self) -> "Phase":
        svc = self.svc
        depth = getattr(svc, "_phase_depth", 0)
        if depth >= MAX_DEPTH:
            raise recursion_error()
        svc._phase_depth = depth + 1
        clock = svc.cloud.clock
        self.t0 = clock.elapsed
        self._held, clock._queue = clock._queue, []
        self._first = len(self.server.calls) if self.server else 0
        return self

    def __exit__(self, *exc) -> None:
        svc = self.svc
        svc._phase_depth -= 1
        clock = svc.cloud.clock
        self.span_ms = round(max(0.0, clock.elapsed - self.t0) * 1000, 3)
        clock.elapsed = self.t0
        scheduled, clock._queue = clock._queue, self._held
        for event in scheduled:
            heapq.heappush(clock._queue, event)
        if self.server is not None:
            self.calls = self.server.calls[self._first:]
            bug, self.server.bug = self.server.bug, None
            if bug is not None and not any(exc):
                raise bug


def recursion_error():
    from .exceptions import RecursiveInvocationException
    return RecursiveInvocationException(
        f"awskit stops calls nested more than {MAX_DEPTH} handlers deep (each one is a live "
        "worker process); AWS's own loop detection stops event-driven loops after about 16 "
        "invocations.")
