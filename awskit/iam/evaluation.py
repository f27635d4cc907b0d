"""The IAM policy evaluation engine: one request, every applicable policy, one decision.

AWS's documented logic (IAM User Guide, "Policy evaluation logic" and "Cross-account policy
evaluation logic"; shared/facts/platform.md):

1. Every request starts implicitly denied (the account root user is the exception).
2. An explicit ``Deny`` in any applicable policy (identity, resource, boundary, session, SCP)
   wins.
3. SCPs never grant: if SCPs are given, one of them must allow, else implicit deny.
4. Same account: an ``Allow`` in an identity-based *or* a resource-based policy suffices.
   A permissions boundary and session policies limit identity-based allows (identity ∩
   boundary, role identity ∩ session). A resource-based policy that names the IAM user ARN or
   the role-session ARN grants directly and is not limited by them; one that names the role
   ARN is limited by boundary and session policy; one that names the account delegates to the
   account's identity-based policies.
5. Cross account: the caller's identity side must allow (the calling account's root counts as
   allowing) *and* a resource-based policy of the owning account must allow the principal.
6. Role trust policies (``Policy.kind == "trust"`` among the resource policies) must
   themselves allow the principal, even within one account.
7. Anonymous callers are allowed only by resource-based policies open to everyone
   (``"Principal": "*"`` / ``{"AWS": "*"}``, or a ``NotPrincipal`` that does not list them).

Simplified: ``NotPrincipal`` is matched literally against the caller's own ARN (AWS may also
evaluate the role and the account, which is why it recommends listing them too); a wildcard
principal (``"*"``) counts as naming the caller directly; RCPs and VPC endpoint policies are
not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .conditions import normalize_context
from .policy import Policy, Statement

__all__ = ["PolicySource", "AuthzRequest", "MatchedStatement", "Decision", "evaluate"]

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitDeny", "implicitDeny"
_DIRECT = frozenset({"direct", "wildcard", "service"})     # grants not limited by guardrails
_GROUP_TITLES = (("identity", "Identity-based policies"), ("resource", "Resource-based policies"),
                 ("boundary", "Permissions boundary"), ("session", "Session policies"),
                 ("scp", "Service control policies"))
_GROUP_NAMES = {"identity": "an identity-based policy", "resource": "a resource-based policy",
                "boundary": "the permissions boundary", "session": "a session policy",
                "scp": "a service control policy"}


@dataclass
class PolicySource:
    """One policy taking part in a decision, with the identifiers IAM reports for it."""
    policy: Policy
    source_id: str
    source_type: str   # PolicySourceType: user|group|role|aws-managed|user-managed|resource|none
    kind: str = "identity"      # identity | resource | boundary | session | scp


@dataclass
class AuthzRequest:
    """What is being asked: who (principal), what (action), on what (resource), in what context.

    ``federated_provider`` and ``canonical_user`` (awskit additions) identify callers that
    ``{"Federated": ...}`` and ``{"CanonicalUser": ...}`` principals match.
    """
    action: str
    resource: str
    principal_arn: str
    principal_account: str | None = None
    role_arn: str | None = None
    is_root: bool = False
    anonymous: bool = False
    service_principal: str | None = None
    resource_account: str | None = None
    context: dict = field(default_factory=dict)
    federated_provider: str | None = None
    canonical_user: str | None = None


@dataclass
class MatchedStatement:
    """A statement whose Effect, Principal, Action, Resource and Condition all matched."""
    source: PolicySource
    statement: Statement
    principal_kind: str | None = field(default=None, repr=False, compare=False)

    @property
    def source_id(self) -> str:
        return self.source.source_id

    @property
    def source_type(self) -> str:
        return self.source.source_type

    @property
    def effect(self) -> str:
        return self.statement.effect

    @property
    def sid(self) -> str | None:
        return self.statement.sid

    def to_api(self) -> dict:
        """The IAM API ``Statement`` shape (a MatchedStatements entry)."""
        (l1, c1), (l2, c2) = self.statement.start, self.statement.end
        return {"SourcePolicyId": self.source.source_id,
                "SourcePolicyType": self.source.source_type,
                "StartPosition": {"Line": l1, "Column": c1},
                "EndPosition": {"Line": l2, "Column": c2}}


@dataclass
class Decision:
    """The outcome of ``evaluate``: IAM's EvalDecision plus what matched and why."""
    decision: str
    allowed: bool
    matched: list[MatchedStatement]
    deciding: MatchedStatement | None
    missing_context_keys: list[str]
    reason: str
    details: dict[str, str]
    boundary_allowed: bool | None = None
    _inputs: tuple | None = field(default=None, repr=False, compare=False)

    def to_api(self) -> dict:
        """IAM's ``EvaluationResult`` shape (as SimulatePrincipalPolicy returns it)."""
        request = self._inputs[0] if self._inputs else None
        if self.decision == EXPLICIT_DENY:
            shown = [m for m in self.matched if m.effect == "Deny"]
        elif self.allowed:
            shown = [m for m in self.matched if m.effect == "Allow" and m.source.kind != "scp"]
        else:
            shown = []
        out = {"EvalActionName": request.action if request else "",
               "EvalResourceName": request.resource if request else "*",
               "EvalDecision": self.decision,
               "MatchedStatements": [m.to_api() for m in shown],
               "MissingContextValues": list(self.missing_context_keys)}
        if self.boundary_allowed is not None:
            out["PermissionsBoundaryDecisionDetail"] = {
                "AllowedByPermissionsBoundary": self.boundary_allowed}
        return out

    def explain(self) -> str:
        """Every policy considered, every statement matched or why not, and the deciding rule."""
        if not self._inputs:
            return f"Decision: {self.decision}. {self.reason}"
        return _explain(self)


# -- the request as the engine sees it --------------------------------------------------------
class _Caller:
    """Facts about the request computed once: who is calling, and the condition context."""

    __slots__ = ("request", "action", "resource", "arn", "role_arn", "account", "root_arn",
                 "anonymous", "service", "federated", "canonical", "is_root", "external",
                 "_ctx")

    def __init__(self, request: AuthzRequest):
        self.request = request
        self.action, self.resource = request.action, request.resource
        self.arn, self.role_arn = request.principal_arn, request.role_arn
        self.service = request.service_principal.lower() if request.service_principal else None
        self.federated, self.canonical = request.federated_provider, request.canonical_user
        self.anonymous = request.anonymous or (request.principal_arn == "*" and not (
            self.service or self.federated or self.canonical))
        # callers without IAM identity policies: anonymous, AWS services, web-identity callers
        self.external = self.anonymous or self.service is not None or request.principal_arn == "*"
        self.is_root = request.is_root
        parts = self.arn.split(":") if self.arn.startswith("arn:") else []
        self.account = request.principal_account or (parts[4] if len(parts) > 4 else None)
        partition = parts[1] if len(parts) > 1 else "aws"
        self.root_arn = f"arn:{partition}:iam::{self.account}:root" if self.account else None
        self._ctx = None

    def lookup(self, key: str):
        """Condition-key lookup (key already lower-cased): list of values or None."""
        ctx = self._ctx
        if ctx is None:
            ctx = self._ctx = self._context()
        return ctx.get(key)

    def _context(self) -> dict:
        """The given context plus the global keys awskit can derive from the request."""
        derived: dict = {}
        r = self.request
        if not self.external:
            parts = self.arn.split(":", 5)
            resource = parts[5] if len(parts) > 5 else ""
            if self.is_root:
                derived["aws:PrincipalType"] = "Account"
            elif resource.startswith("user/"):
                derived["aws:PrincipalType"] = "User"
                derived["aws:username"] = resource.rsplit("/", 1)[-1]
            elif resource.startswith("assumed-role/"):
                derived["aws:PrincipalType"] = "AssumedRole"
            elif resource.startswith("federated-user/"):
                derived["aws:PrincipalType"] = "FederatedUser"
            derived["aws:PrincipalArn"] = r.role_arn or self.arn
            if self.account:
                derived["aws:PrincipalAccount"] = self.account
        elif self.anonymous:
            derived["aws:PrincipalType"] = "Anonymous"
        if r.resource_account:
            derived["aws:ResourceAccount"] = r.resource_account
        ctx = normalize_context(derived)
        ctx.update(normalize_context(r.context))
        return ctx

    def principal_kind(self, st: Statement) -> str | None:
        """How a resource/trust statement's Principal names the caller (None: it does not)."""
        if st._p_wild:
            return "wildcard"
        if self.anonymous:
            return None
        aws = st._p_aws
        if aws:
            if self.arn in aws and not self.is_root:
                return "direct"
            if self.role_arn and self.role_arn in aws:
                return "role"
            if self.account and (self.account in aws or self.root_arn in aws):
                return "account"
        if self.service is not None and self.service in st._p_service:
            return "service"
        if self.federated is not None and self.federated in st._p_federated:
            return "direct"
        if self.canonical is not None and self.canonical in st._p_canonical:
            return "direct"
        return None

    def not_principal_applies(self, st: Statement) -> bool:
        """NotPrincipal matches everyone except the principals it lists (literal rule)."""
        if st._p_wild:
            return False
        if self.anonymous:
            return True
        listed = (self.arn in st._p_aws
                  or (self.is_root and self.account in st._p_aws)
                  or (self.service is not None and self.service in st._p_service)
                  or (self.federated is not None and self.federated in st._p_federated)
                  or (self.canonical is not None and self.canonical in st._p_canonical))
        return not listed


def _match(caller: _Caller, source: PolicySource, st: Statement, principals: bool):
    """A MatchedStatement if ``st`` applies to the request (action already matched), else None."""
    kind = None
    if principals:
        if st.principal is not None:
            kind = caller.principal_kind(st)
            if kind is None:
                return None
        elif st.not_principal is not None:
            if not caller.not_principal_applies(st):
                return None
            kind = "wildcard"
        else:
            return None
    if not st.matches_resource(caller.resource, caller.lookup):
        return None
    if st._clauses and not st.matches_conditions(caller.lookup):
        return None
    return MatchedStatement(source, st, kind)


def evaluate(request: AuthzRequest, identity=(), resource=(), boundary: PolicySource | None = None,
             session=(), scps=()) -> Decision:
    """Decide ``request`` against the given policies as AWS does (see the module docstring)."""
    caller = _Caller(request)
    action = request.action
    no_identity = caller.external or caller.is_root
    groups = (("identity", () if no_identity else identity, False),
              ("resource", resource, True),
              ("boundary", () if no_identity or boundary is None else (boundary,), False),
              ("session", () if no_identity else session, False),
              ("scp", scps, False))
    matched: list[MatchedStatement] = []
    by_group: dict[str, list[MatchedStatement]] = {}
    missing: dict[str, str] = {}                       # lower-cased key -> key as written
    details: dict[str, str] = {}
    for group, sources, principals in groups:
        hits = by_group[group] = []
        for source in sources:
            verdict = IMPLICIT_DENY
            for st in source.policy.statements_for_action(action):
                for key, key_lower in st._keys:
                    if key_lower not in missing and caller.lookup(key_lower) is None:
                        missing[key_lower] = key
                m = _match(caller, source, st, principals)
                if m is not None:
                    hits.append(m)
                    if m.statement.effect == "Deny":
                        verdict = EXPLICIT_DENY
                    elif verdict == IMPLICIT_DENY:
                        verdict = ALLOWED
            previous = details.get(source.source_id)
            if previous is None or verdict == EXPLICIT_DENY or (
                    verdict == ALLOWED and previous == IMPLICIT_DENY):
                details[source.source_id] = verdict
        matched.extend(hits)
    decision, deciding, reason, boundary_allowed = _decide(caller, by_group, request, resource,
                                                           boundary, session, scps, no_identity)
    return Decision(decision, decision == ALLOWED, matched, deciding, list(missing.values()),
                    reason, details, boundary_allowed,
                    (request, tuple(identity), tuple(resource), boundary, tuple(session),
                     tuple(scps)))


def _first(hits, effect="Allow", kinds=None):
    for m in hits:
        if m.statement.effect == effect and (kinds is None or m.principal_kind in kinds):
            return m
    return None


def _where(m: MatchedStatement) -> str:
    return f"statement {m.statement.label} in policy {m.source.source_id}"


def _decide(caller, by_group, request, resource_sources, boundary, session, scps, no_identity):
    """(decision, deciding statement, reason, boundary_allowed) from the matched statements."""
    action = request.action
    boundary_allowed = None
    if boundary is not None and not no_identity:
        boundary_allowed = _first(by_group["boundary"]) is not None
    for group, _ in _GROUP_TITLES:
        deny = _first(by_group[group], "Deny")
        if deny is not None:
            return (EXPLICIT_DENY, deny, f"Denied: explicit deny by {_where(deny)} "
                    f"({_GROUP_NAMES[group]})", boundary_allowed)
    if scps and _first(by_group["scp"]) is None:
        return IMPLICIT_DENY, None, f"Denied: no service control policy allows {action}", \
            boundary_allowed
    cross = (request.resource_account is not None and caller.account is not None
             and request.resource_account != caller.account and not caller.external)
    res_hits = by_group["resource"]
    trust = next((s for s in resource_sources if s.policy.kind == "trust"), None)
    if caller.is_root and not cross:
        if trust is not None and _first(res_hits) is None:
            return (IMPLICIT_DENY, None, f"Denied: the trust policy {trust.source_id} does not "
                    f"allow {caller.arn} to perform {action}", boundary_allowed)
        return (ALLOWED, _first(res_hits), f"Allowed: {caller.arn} is the account root user, "
                "which has full access to its own account's resources", boundary_allowed)
    if caller.external:
        grant = _first(res_hits)
        if grant is not None:
            return ALLOWED, grant, f"Allowed by {_where(grant)}", boundary_allowed
        who = ("anonymous caller" if caller.anonymous else f"service {caller.service}"
               if caller.service else f"caller {caller.federated or caller.canonical}")
        return (IMPLICIT_DENY, None, f"Denied: no resource-based policy allows {action} for the "
                f"{who}" + (" (it needs Principal \"*\")" if caller.anonymous else ""),
                boundary_allowed)
    identity_allow = _first(by_group["identity"])
    # the root user has no boundary or session policies (it can only reach here cross-account)
    boundary_ok = boundary is None or caller.is_root or bool(boundary_allowed)
    session_ok = not session or caller.is_root or _first(by_group["session"]) is not None
    if cross:
        identity_ok = caller.is_root or identity_allow is not None
        grant = _first(res_hits)
        if not identity_ok:
            return (IMPLICIT_DENY, None, f"Denied: cross-account request, and no identity-based "
                    f"policy in account {caller.account} allows {action}", boundary_allowed)
        if not boundary_ok:
            return (IMPLICIT_DENY, None, f"Denied: the permissions boundary {boundary.source_id} "
                    f"does not allow {action}", boundary_allowed)
        if not session_ok:
            return IMPLICIT_DENY, None, f"Denied: no session policy allows {action}", \
                boundary_allowed
        if grant is None:
            return (IMPLICIT_DENY, None, f"Denied: cross-account request, and no resource-based "
                    f"policy of account {request.resource_account} allows {action} for "
                    f"{caller.arn}", boundary_allowed)
        return (ALLOWED, grant, f"Allowed by {_where(grant)} (cross-account: the identity side "
                f"of account {caller.account} allows it too)", boundary_allowed)
    direct = _first(res_hits, kinds=_DIRECT)
    if direct is not None:
        return ALLOWED, direct, f"Allowed by {_where(direct)}", boundary_allowed
    if trust is not None and _first(res_hits) is None:
        return (IMPLICIT_DENY, None, f"Denied: the trust policy {trust.source_id} does not allow "
                f"{caller.arn} to perform {action}", boundary_allowed)
    grant = identity_allow or _first(res_hits, kinds=("role",))
    if grant is None:
        extra = ", and no resource-based policy allows it" if resource_sources else ""
        return (IMPLICIT_DENY, None, f"Denied: no identity-based policy allows {action}{extra}",
                boundary_allowed)
    if not boundary_ok:
        return (IMPLICIT_DENY, None, f"Denied: {action} is allowed by {_where(grant)}, but the "
                f"permissions boundary {boundary.source_id} does not allow it", boundary_allowed)
    if not session_ok:
        return (IMPLICIT_DENY, None, f"Denied: {action} is allowed by {_where(grant)}, but no "
                "session policy allows it", boundary_allowed)
    return ALLOWED, grant, f"Allowed by {_where(grant)}", boundary_allowed


# -- explanations -----------------------------------------------------------------------------
def _why_not(caller: _Caller, st: Statement, principals: bool) -> tuple[bool, list[str]]:
    """(matched?, lines) for one statement: the first element that failed, or the conditions."""
    if not st.matches_action(caller.action):
        if st.action is not None:
            return False, [f"action {caller.action} is not matched by Action {st.action}"]
        return False, [f"action {caller.action} is excluded by NotAction {st.not_action}"]
    if principals:
        if st.principal is not None and caller.principal_kind(st) is None:
            return False, [f"principal {caller.arn} is not named by Principal {st.principal}"]
        if st.not_principal is not None and not caller.not_principal_applies(st):
            return False, [f"principal {caller.arn} is listed in NotPrincipal {st.not_principal}"]
        if st.principal is None and st.not_principal is None:
            return False, ["statement has no Principal"]
    if not st.matches_resource(caller.resource, caller.lookup):
        if st.resource is not None:
            return False, [f"resource {caller.resource} is not matched by Resource {st.resource}"]
        return False, [f"resource {caller.resource} is excluded by NotResource {st.not_resource}"
                       " (or a policy variable in it had no value)"]
    lines, ok = [], True
    for clause in st.clauses:
        result, text = clause.explain(caller.lookup)
        ok = ok and result
        lines.append(("  ok: " if result else "  FAILED: ") + text)
    if not ok:
        return False, ["condition not met:"] + lines
    return True, (["conditions met:"] + lines) if lines else []


def _explain(decision: Decision) -> str:
    request, identity, resource, boundary, session, scps = decision._inputs
    caller = _Caller(request)
    who = ("anonymous caller" if caller.anonymous else
           f"service {caller.service}" if caller.service else caller.arn)
    out = [f"Request: {request.action} on {request.resource} by {who}"
           + (f" (resource account {request.resource_account})"
              if request.resource_account else "")]
    if caller.is_root:
        out.append("  The caller is the account root user: identity-based policies do not "
                   "apply to it.")
    no_identity = caller.external or caller.is_root
    groups = (("identity", identity), ("resource", resource),
              ("boundary", (boundary,) if boundary is not None else ()),
              ("session", session), ("scp", scps))
    for (group, sources), (_, title) in zip(groups, _GROUP_TITLES):
        out.append(f"{title}:")
        if not sources:
            out.append("  (none)")
            continue
        if no_identity and group in ("identity", "boundary", "session"):
            out.append("  (not applicable to this caller)")
            continue
        for source in sources:
            verdict = decision.details.get(source.source_id, IMPLICIT_DENY)
            out.append(f"  {source.source_id} ({source.source_type}) -> {verdict}")
            for st in source.policy.statements:
                ok, lines = _why_not(caller, st, group == "resource")
                state = "MATCHED" if ok else "no match"
                head = f"    statement {st.label} ({st.effect}): {state}"
                if not ok and len(lines) == 1:
                    out.append(f"{head} - {lines[0]}")
                else:
                    out.append(head + (f" - {lines[0]}" if lines else ""))
                    out.extend("      " + line for line in lines[1:])
    if decision.missing_context_keys:
        out.append("Missing context keys: " + ", ".join(decision.missing_context_keys))
    out.append(f"Decision: {decision.decision}. {decision.reason}")
    return "\n".join(out)
