"""A request in flight: who calls (``Caller``), and what the pipeline and the service record
about it (``Request``: its trace, its principal, its IAM checks)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import errors
from .trace import Trace

if TYPE_CHECKING:
    from .service import Service, _OperationInfo

class Caller:
    """Who is calling and how: credentials (or an already known principal), Region, transport."""

    __slots__ = ("access_key_id", "secret_key", "session_token", "principal", "region",
                 "secure", "source_ip", "front", "anonymous")

    def __init__(self, *, access_key_id=None, secret_key=None, session_token=None, principal=None,
                 region=None, secure=True, source_ip=None, front="direct", anonymous=False):
        self.access_key_id = access_key_id
        self.secret_key = secret_key
        self.session_token = session_token
        self.principal = principal
        self.region = region
        self.secure = secure
        self.source_ip = source_ip
        self.front = front
        self.anonymous = anonymous


class _RootDecision:
    """The decision for an account's root user acting in its own account, where no resource
    policy applies: allowed (IAM User Guide, policy evaluation logic)."""

    decision = "allowed"
    allowed = True
    matched: tuple = ()
    deciding = None
    missing_context_keys: tuple = ()
    reason = "Allowed: the account's root user may do anything in its own account."
    details: dict = {}
    boundary_allowed = None

    def explain(self) -> str:
        return f"Decision: allowed. {self.reason}"


ROOT_DECISION = _RootDecision()


class Request:
    """One request in flight: its caller, its trace, and the steps the service records."""

    __slots__ = ("service", "cloud", "op", "operation", "params", "caller", "trace", "principal",
                 "request_id", "region", "_identity_recorded", "_context", "decision", "status",
                 "_auth_note", "host_id")

    def __init__(self, service: "Service", op: _OperationInfo, params: dict, caller: Caller,
                 request_id: str):
        cloud = service.cloud
        self.service = service
        self.cloud = cloud
        self.op = op
        self.operation = op.name
        self.params = params
        self.caller = caller
        self.request_id = request_id
        self.region = caller.region or cloud.default_region
        self.trace = Trace(request_id, service.service_name, op.name, cloud.clock.elapsed,
                           caller.front, self.region)
        self.principal = None
        self._identity_recorded = False
        self._context = None
        self.decision = None
        self.status = 200             # a handler sets 204 etc. for success codes other than 200
        self.host_id = None
        self._auth_note = ""

    # -- steps ------------------------------------------------------------------------------
    def step(self, component: str, action: str, ms: float = 0.0, /, substeps: list | None = None,
             **detail) -> None:
        """Record a step taken by ``component`` lasting ``ms`` simulated milliseconds.

        ``substeps`` is an optional list of ``(component, action, ms, detail)`` tuples: the
        internals of this step (e.g. the data store's routing, placement and replicas), laid
        out inside it on the clock; the step lasts at least as long as they do.
        """
        if not self._identity_recorded:
            self._record_identity()
        self.trace.record(self.cloud.clock, component, action, ms, substeps, detail)

    def receive(self, action: str, ms: float = 1.0, /, **detail) -> None:
        """The front door's step (recorded before authentication)."""
        clock = self.cloud.clock
        t0 = clock.elapsed
        self.trace.add(self.service.front_component, action, t0, ms, detail)
        clock.elapsed = t0 + ms / 1000

    def _record_identity(self) -> None:
        """Record authentication alone, when the handler's first step is not an IAM check."""
        self._identity_recorded = True
        principal = self.principal
        self.step("IAM", f"Authenticate {self._auth_note}", self.service.iam_ms,
                  principal=principal.arn)

    # -- identity and permissions ---------------------------------------------------------
    def authenticate(self) -> None:
        caller = self.caller
        if caller.principal is not None:
            self.principal = caller.principal
            self._auth_note = f"caller as {caller.principal.arn}"
        else:
            iam = self.cloud.iam
            try:
                self.principal = iam.authenticate(caller, self.service)
            except errors.AWSError as err:   # the request stops at IAM: show where and why
                self._identity_recorded = True
                self.trace.record(self.cloud.clock, "IAM", f"Authenticate access key "
                                  f"{caller.access_key_id}: refused ({err.code})",
                                  self.service.iam_ms, None,
                                  {"access_key_id": caller.access_key_id, "error": err.code})
                raise
            if caller.access_key_id is None:
                self._auth_note = "anonymous request"
            else:
                self._auth_note = f"access key {caller.access_key_id} as {self.principal.arn}"
        self.trace.principal = self.principal.arn
        self.trace.account = self.principal.account or ""

    @property
    def account(self) -> str:
        """The caller's account id (for anonymous callers, and for requests whose credentials
        failed authentication so that no principal is known: the cloud's default account)."""
        principal = self.principal
        if principal is None:
            return self.cloud.default_account
        return principal.account or self.cloud.default_account

    def context(self) -> dict:
        """The global condition keys this request carries (aws:SourceIp, aws:CurrentTime, ...)."""
        if self._context is None:
            self._context = self.cloud.iam.request_context(self)
        return self._context

    def authorize(self, action: str, resource: str = "*", *, resource_policy=None,
                  resource_account: str | None = None, keys: dict | None = None,
                  resource_policy_name: str | None = None):
        """Ask IAM whether the caller may do ``action`` on ``resource``; raise AccessDenied if not.

        Records one "IAM" step (merged with authentication when it is the request's first
        IAM step) and returns the :class:`~awskit.iam.evaluation.Decision`.
        """
        principal = self.principal
        if principal.kind == "root" and resource_policy is None and \
                (resource_account is None or resource_account == principal.account):
            # the root user may do anything in its own account; with no resource policy
            # there is nothing that could deny it (awskit simulates no SCPs)
            decision = ROOT_DECISION
        else:
            context = self.context()
            if keys:
                context = {**context, **keys}
            decision = self.cloud.iam.authorize(principal, action, resource, context,
                                                resource_policy=resource_policy,
                                                resource_account=resource_account,
                                                resource_policy_name=resource_policy_name)
        self.decision = decision
        verdict = "allowed" if decision.allowed else "denied"
        verb = "Authorize" if self._identity_recorded else f"Authenticate {self._auth_note}; authorize"
        self._identity_recorded = True
        self.step("IAM", f"{verb} {action} on {resource}: {verdict}", self.service.iam_ms,
                  principal=self.principal.arn, action=action, resource=resource,
                  decision=decision.decision, reason=decision.reason)
        if not decision.allowed:
            raise self.service.access_denied(self, action, resource, decision)
        return decision
