"""The Lambda API as boto3's ``lambda`` client sees it.

``Lambda`` (``cloud.awslambda``) is composed from the operation mixins of this package. The
data plane:

- ``invoke.py``: Invoke, InvokeAsync, the per-function duration model (``durations.py``); the
  traced synchronous path in ``execution.py``, the asynchronous one in ``async_invoke.py``;
  real processes in ``environments.py``, handlers' boto3 calls in ``handler_bridge.py``;
- ``hooks.py``: what code storage, publishing (SnapStart) and provisioned concurrency do inside;

the control plane:

- ``functions.py``: CreateFunction, GetFunction(Configuration), ListFunctions, DeleteFunction,
  UpdateFunctionCode, UpdateFunctionConfiguration (code intake and checks in ``code.py``);
- ``versions.py``: PublishVersion, ListVersionsByFunction, aliases;
- ``concurrency.py``: reserved and provisioned concurrency, GetAccountSettings;
- ``event_config.py``: asynchronous invocation configuration (retries, age, destinations);
- ``permissions.py``: the function's resource-based policy and its tags;
- ``layers.py``: layer versions;

over ``common.py`` (front door, authorization, shapes, paging), ``store.py`` (functions, code
store, name resolution: :meth:`~.store.LambdaModel.resolve`) and ``model.py`` (the data).
Billing constants and the meter are in ``pricing.py``; ``runtimes.py`` knows the runtimes.

Timings of the control plane's asynchronous work are class attributes (simulated seconds;
AWS publishes none, see the modules): ``create_seconds``, ``update_seconds``,
``publish_seconds``, ``snapstart_publish_seconds``, ``provisioned_ready_seconds``.
"""

from __future__ import annotations

from ..service import Request, Service, http_date
from . import exceptions as errors
from .async_invoke import AsyncInvocations
from .code import CodeIntake
from .common import LambdaCommon
from .concurrency import ConcurrencyOperations
from .event_config import EventConfigOperations
from .environments import EnvironmentProcesses
from .functions import FunctionOperations
from .hooks import LifecycleHooks
from .invoke import InvokeOperations
from .layers import LayerOperations
from .permissions import PermissionOperations
from .pricing import LambdaPricing
from .store import LambdaModel
from .versions import VersionOperations

_PATH_PARAMS = ("FunctionName", "Name", "Resource", "LayerName", "VersionNumber", "StatementId")


class Lambda(InvokeOperations, AsyncInvocations, LifecycleHooks, EnvironmentProcesses,
             FunctionOperations, VersionOperations, ConcurrencyOperations,
             EventConfigOperations, PermissionOperations, LayerOperations, CodeIntake,
             LambdaCommon, LambdaModel, Service):
    """AWS Lambda."""

    service_name = "lambda"
    title = "AWS Lambda"
    front_component = "Front end"
    unknown_key_error = "UnrecognizedClientException"
    console_view = "awskit.awslambda.view:LambdaConsole"
    trace_edges = "awskit.awslambda.drawing:edge"

    create_seconds = 0.5
    update_seconds = 0.5
    publish_seconds = 0.5
    snapstart_publish_seconds = 120.0
    provisioned_ready_seconds = 60.0

    def __init__(self, cloud):
        Service.__init__(self, cloud)
        self._init_model()
        self.pricing = LambdaPricing(cloud)

    # -- pipeline hooks ---------------------------------------------------------------------
    def receive(self, req: Request) -> None:
        http = req.op.http
        path = http["requestUri"]
        for name in _PATH_PARAMS:
            if name in req.params:
                path = path.replace("{" + name + "}", str(req.params[name]))
        if req.params.get("Qualifier"):
            path += ("&" if "?" in path else "?") + f"Qualifier={req.params['Qualifier']}"
        line = f"{http['method']} {path}"
        req.trace.summary = line
        req.receive(f"Receive {line}", 1.0, method=http["method"], path=path)

    def response_headers(self, req: Request, response: dict, status: int) -> dict:
        return {"x-amzn-requestid": req.request_id, "content-type": "application/json",
                "date": http_date(self.cloud.clock.now)}

    def auth_error(self, problem: str) -> errors.AWSError:
        """The errors AWS's JSON services answer for credential problems."""
        if problem == "bad-signature":
            return errors.InvalidSignatureException()
        if problem == "expired":
            return errors.ExpiredTokenException()
        return errors.UnrecognizedClientException()

    def access_denied(self, req: Request, action: str, resource: str, decision) -> errors.AWSError:
        """AccessDeniedException, worded as Lambda words it (IAM's explanation of the denial;
        "no resource-based policy allows" when another account's function is concerned)."""
        base = super().access_denied(req, action, resource, decision)
        message = base.message
        owner = resource.split(":")[4] if resource.count(":") >= 5 else ""
        if decision.decision != "explicitDeny" and owner and owner != req.account:
            message = message.replace("no identity-based policy", "no resource-based policy")
        return errors.AccessDeniedException(message)

    # -- at scale (not an AWS operation) ------------------------------------------------------
    def simulate(self, function_name: str, traffic, *, duration_ms=None, init_ms=None,
                 qualifier: str | None = None, seed: int | None = None, reserved=None,
                 provisioned=None, snapstart=None, idle_reclaim_s: float | None = None,
                 model=None, progress: bool | None = None, account: str | None = None,
                 region: str | None = None):
        """Replay a traffic pattern against a function with modelled durations, no handler
        run, nothing in the cloud changed: see :func:`awskit.awslambda.simulate.simulate`
        (needs numpy and pandas, the ``course`` extra)."""
        from .simulate import simulate
        return simulate(self, function_name, traffic, duration_ms=duration_ms, init_ms=init_ms,
                        qualifier=qualifier, seed=seed, reserved=reserved,
                        provisioned=provisioned, snapstart=snapstart,
                        idle_reclaim_s=idle_reclaim_s, model=model, progress=progress,
                        account=account, region=region)

    # -- state ------------------------------------------------------------------------------
    def state(self) -> dict:
        from .persist import dump_lambda
        return dump_lambda(self)

    def load_state(self, data: dict) -> None:
        from .persist import load_lambda
        load_lambda(self, data)

    def add_to_graph(self, graph) -> None:
        from .persist import graph_lambda
        graph_lambda(self, graph)
