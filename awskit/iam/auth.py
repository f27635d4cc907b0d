"""Authentication and authorization: what IAM does on every request of every service.

``IAMModel`` holds every account's IAM entities and the index of access keys. The request
pipeline (``awskit.service``) calls :meth:`IAMModel.authenticate` (access key → principal)
and :meth:`IAMModel.authorize` (principal, action, resource, request context → decision).
The decision itself comes from the policy evaluation engine (``awskit.iam.evaluation``).

What AWS does: an access key maps to the root user or an IAM user (long-term ``AKIA`` keys,
refused when inactive or deleted) or to an STS session (``ASIA`` keys with a session token,
refused once expired). A role session's permissions are looked up at each request: the
role's current policies (while the role that issued the session still exists), its
permissions boundary, and the session policies. Credentials that no longer map to the
entity that obtained them (a deleted user, even if re-created under the same name) stop
working.
"""

from __future__ import annotations

from .. import errors
from ..service import Caller
from .evaluation import AuthzRequest, PolicySource, evaluate
from .managed import aws_managed_policies
from .model import ANONYMOUS, AccessKey, AccountIAM, Principal, Session, iso


class IAMModel:
    """Accounts, credentials and policy lookup. Mixed into the IAM service class."""

    def _init_model(self) -> None:
        self.accounts: dict[str, AccountIAM] = {}
        self.keys: dict[str, AccessKey] = {}          # long-term keys (root and users)
        self.sessions: dict[str, Session] = {}        # STS temporary keys
        self.generation = 0                           # bumped on every change that affects policies
        self._aws_managed = None
        self._principals: dict[str, Principal] = {}   # access key id -> principal (cache)
        self._policy_cache: dict[tuple, tuple[int, tuple]] = {}

    # -- accounts ---------------------------------------------------------------------------
    def create_account(self, account_id: str) -> AccountIAM:
        ids = self.cloud.ids
        key = AccessKey(ids.access_key_id(), ids.secret_access_key(), account_id, None,
                        self.cloud.clock.elapsed)
        account = AccountIAM(account_id, key, self.cloud.clock.elapsed)
        self.accounts[account_id] = account
        self.keys[key.id] = key
        return account

    def account(self, account_id: str) -> AccountIAM:
        return self.accounts[account_id]

    def root_principal(self, account_id: str) -> Principal:
        account = self.accounts[account_id]
        return Principal("root", account.root_arn, account_id, "root", account_id,
                         access_key_id=account.root_key.id)

    def root_credentials(self, account_id: str) -> tuple[str, str]:
        """(access key id, secret) of an active access key of an account's root user."""
        account = self.accounts[account_id]
        keys = [account.root_key] + [k for k in self.keys.values()
                                     if k.account == account_id and k.user is None]
        for key in keys:
            if self.keys.get(key.id) is key and key.status == "Active":
                return key.id, key.secret
        raise ValueError(f"the root user of account {account_id} has no active access key "
                         "(create one with iam.create_access_key() as root)")

    @property
    def aws_managed(self) -> dict:
        """AWS-managed policies by ARN (shared by every account)."""
        if self._aws_managed is None:
            self._aws_managed = aws_managed_policies()
        return self._aws_managed

    def changed(self) -> None:
        """Call after any change to entities, policies or keys: drops cached lookups."""
        self.generation += 1
        self._principals.clear()

    # -- authentication ---------------------------------------------------------------------
    def authenticate(self, caller, service) -> Principal:
        """Map the caller's credentials to a principal, or raise the service's auth error."""
        key_id = caller.access_key_id
        if caller.anonymous or key_id is None:
            return ANONYMOUS
        principal = self._principals.get(key_id)
        if key_id.startswith("ASIA"):
            session = self.sessions.get(key_id)
            if session is None:
                raise service.auth_error("unknown-key")
            if caller.secret_key is not None and caller.secret_key != session.secret:
                raise service.auth_error("bad-signature")
            if caller.session_token != session.token:
                raise service.auth_error("bad-token")
            if self.cloud.clock.elapsed >= session.expires:
                raise service.auth_error("expired")
            if principal is None:
                principal = self._session_principal(session)
                if principal is None:    # the user behind a GetSessionToken session is gone
                    raise service.auth_error("unknown-key")
                self._principals[key_id] = principal
            return principal
        key = self.keys.get(key_id)
        if key is None:
            raise service.auth_error("unknown-key")
        if caller.secret_key is not None and caller.secret_key != key.secret:
            raise service.auth_error("bad-signature")
        if key.status != "Active":
            raise service.auth_error("inactive")
        key.last_used = self.cloud.clock.elapsed
        key.last_used_service = service.service_name
        key.last_used_region = caller.region or self.cloud.default_region
        if principal is None:
            account = self.accounts[key.account]
            if key.user is None:
                principal = Principal("root", account.root_arn, key.account, "root",
                                      key.account, access_key_id=key_id)
            else:
                user = account.users[key.user.lower()]
                principal = Principal("user", user.arn, key.account, user.name, user.user_id,
                                      access_key_id=key_id)
            self._principals[key_id] = principal
        return principal

    def _session_principal(self, session: Session) -> Principal | None:
        key_id = session.access_key_id
        if session.role_arn is not None:
            return Principal("assumed-role", session.arn, session.account, session.session_name,
                             session.user_id, role_arn=session.role_arn, access_key_id=key_id,
                             session_key=key_id)
        account = self.accounts[session.account]
        if session.arn == account.root_arn:
            return Principal("root", session.arn, session.account, "root", session.user_id,
                             access_key_id=key_id, session_key=key_id)
        user = next((u for u in account.users.values() if u.user_id == session.user_id), None)
        if user is None:
            return None
        return Principal("user", user.arn, session.account, user.name, user.user_id,
                         access_key_id=key_id, session_key=key_id)

    # -- policies ---------------------------------------------------------------------------
    def managed_policy(self, arn: str):
        policy = self.aws_managed.get(arn)
        if policy is None:
            parts = arn.split(":")
            account = parts[4] if len(parts) > 4 else ""
            if account in self.accounts:
                policy = self.accounts[account].policies.get(arn)
        return policy

    def role_of_principal(self, principal: Principal):
        """The role behind a role-session principal, if it still exists (same role id)."""
        account = self.accounts.get(principal.account)
        name = (principal.role_arn or "").rsplit("/", 1)[-1]
        role = account.roles.get(name.lower()) if account else None
        if role is None or not principal.user_id.startswith(role.role_id):
            return None
        return role

    def entity_sources(self, account: AccountIAM, kind: str, entity, *,
                       simulator: bool = False) -> list[PolicySource]:
        """Identity-based policies of a user (with its groups'), group or role.

        ``simulator`` names them as the IAM policy simulator reports them: managed policies
        by name, inline ones as ``<kind>_<entity>_<policy>``, all of type "IAM Policy"
        (as real SimulatePrincipalPolicy responses show)."""
        out: list[PolicySource] = []
        holders = [(kind, entity)]
        if kind == "user":
            holders += [("group", account.groups[g.lower()]) for g in entity.groups
                        if g.lower() in account.groups]
        for holder_kind, holder in holders:
            for name, policy in holder.inline.items():
                source_id = (f"{holder_kind}_{holder.name}_{name}" if simulator else
                             f"{name} (inline policy of {holder_kind} {holder.name})")
                out.append(PolicySource(policy, source_id,
                                        "IAM Policy" if simulator else holder_kind, "identity"))
            for arn in holder.attached:
                managed = self.managed_policy(arn)
                if managed is None:
                    continue
                kind_name = "aws-managed" if managed.aws_managed else "user-managed"
                out.append(PolicySource(managed.document, managed.name if simulator else arn,
                                        "IAM Policy" if simulator else kind_name, "identity"))
        return out

    def boundary_source(self, arn: str | None, source_id: str | None = None):
        managed = self.managed_policy(arn) if arn else None
        if managed is None:
            return None
        return PolicySource(managed.document, source_id or arn,
                            "aws-managed" if managed.aws_managed else "user-managed", "boundary")

    def policy_sources(self, principal: Principal) -> tuple[list, object, list]:
        """(identity policies, permissions boundary, session policies) that apply to a principal."""
        cache_key = (principal.arn, principal.session_key)
        cached = self._policy_cache.get(cache_key)
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        identity, boundary, session_policies = [], None, []
        account = self.accounts.get(principal.account)
        if principal.kind == "user":
            user = account.users.get(principal.name.lower())
            if user is not None and user.user_id == principal.user_id:
                identity = self.entity_sources(account, "user", user)
                boundary = self.boundary_source(user.boundary)
        elif principal.kind == "assumed-role":
            role = self.role_of_principal(principal)
            if role is not None:
                identity = self.entity_sources(account, "role", role)
                boundary = self.boundary_source(role.boundary)
            session = self.sessions.get(principal.session_key)
            if session is not None:
                for i, policy in enumerate(session.policies):
                    session_policies.append(PolicySource(policy, f"session policy {i + 1}",
                                                         "none", "session"))
                for arn in session.policy_arns:
                    managed = self.managed_policy(arn)
                    if managed is not None:
                        session_policies.append(PolicySource(managed.document, arn, "none",
                                                             "session"))
        result = (identity, boundary, session_policies)
        self._policy_cache[cache_key] = (self.generation, result)
        return result

    # -- authorization ----------------------------------------------------------------------
    def authorize(self, principal: Principal, action: str, resource: str, context: dict, *,
                  resource_policy=None, resource_account: str | None = None,
                  resource_policy_name: str | None = None):
        """Evaluate every applicable policy for one action on one resource → ``Decision``."""
        if principal.kind in ("anonymous", "root"):
            identity, boundary, session = [], None, []
        else:
            identity, boundary, session = self.policy_sources(principal)
        resources = []
        if resource_policy is not None:
            resources.append(PolicySource(resource_policy, resource_policy_name or resource,
                                          "resource", "resource"))
        request = AuthzRequest(
            action=action, resource=resource, principal_arn=principal.arn,
            principal_account=principal.account, role_arn=principal.role_arn,
            is_root=principal.kind == "root", anonymous=principal.kind == "anonymous",
            resource_account=resource_account, context=context)
        return evaluate(request, identity, resources, boundary=boundary, session=session)

    def request_context(self, req) -> dict:
        """The global condition keys a request carries (IAM User Guide, global condition keys)."""
        caller = req.caller
        return self.principal_context(req.principal, region=req.region, secure=caller.secure,
                                      source_ip=caller.source_ip or self.cloud.source_ip)

    def principal_context(self, principal: Principal, *, region: str, secure: bool = True,
                          source_ip: str | None = None) -> dict:
        """Global condition keys for a request by ``principal`` now."""
        cloud = self.cloud
        now = cloud.clock.elapsed
        context = {
            "aws:CurrentTime": iso(now),
            "aws:EpochTime": str(int(cloud.clock.timestamp)),
            "aws:SecureTransport": "true" if secure else "false",
            "aws:SourceIp": source_ip or cloud.source_ip,
            "aws:RequestedRegion": region,
            "aws:PrincipalType": principal.principal_type,
            "aws:userid": principal.user_id,
            "aws:ViaAWSService": "false",
        }
        if principal.kind != "anonymous":
            context["aws:PrincipalAccount"] = principal.account
            context["aws:PrincipalArn"] = principal.role_arn or principal.arn
        session = self.sessions.get(principal.session_key) if principal.session_key else None
        if session is not None:          # temporary credentials carry MFA keys
            context["aws:MultiFactorAuthPresent"] = "true" if session.mfa else "false"
            context["aws:TokenIssueTime"] = iso(session.issued)
            if session.mfa:
                context["aws:MultiFactorAuthAge"] = str(int(now - session.issued))
        account = self.accounts.get(principal.account)
        if principal.kind == "user":
            context["aws:username"] = principal.name
            user = account.users.get(principal.name.lower())
            for tag in user.tags if user is not None else ():
                context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
        elif principal.kind == "assumed-role":
            role = self.role_of_principal(principal)
            for tag in role.tags if role is not None else ():
                context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
            if session is not None:
                for tag in session.tags:      # session tags override role tags (any case)
                    for key in [k for k in context if k.lower() ==
                                f"aws:principaltag/{tag['Key'].lower()}"]:
                        del context[key]
                    context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
                if session.source_identity:
                    context["aws:SourceIdentity"] = session.source_identity
        return context

    # -- explaining -------------------------------------------------------------------------
    def resolve_principal(self, who) -> Principal:
        """A principal from a Principal, an access key id, a session ARN, a user (ARN or name),
        a role (ARN or name: a session of that role), an account id or root ARN."""
        if isinstance(who, Principal):
            return who
        if who in ("*", "anonymous"):
            return ANONYMOUS
        session = self.sessions.get(who) or next(
            (s for s in self.sessions.values() if s.arn == who), None)
        if session is not None:
            return self.authenticate(Caller(access_key_id=session.access_key_id,
                                            session_token=session.token), self)
        if who in self.keys:
            return self.authenticate(Caller(access_key_id=who), self)
        for account in self.accounts.values():
            if who in (account.root_arn, account.id):
                return self.root_principal(account.id)
            for user in account.users.values():
                if who in (user.arn, user.name):
                    return Principal("user", user.arn, account.id, user.name, user.user_id)
            for role in account.roles.values():
                if who in (role.arn, role.name):
                    return Principal("assumed-role",
                                     f"arn:aws:sts::{account.id}:assumed-role/{role.name}/explain",
                                     account.id, "explain", f"{role.role_id}:explain",
                                     role_arn=role.arn)
        raise errors.NoSuchEntity(f"No principal named {who} exists in this cloud.")

    def explain(self, principal, action: str, resource: str = "*", *, context: dict | None = None,
                resource_policy=None, resource_account: str | None = None):
        """Why ``principal`` may or may not do ``action`` on ``resource``: an
        :class:`~awskit.iam.explain.Explanation` (its ``decision`` is the engine's Decision).

        The resource's own policy (an S3 bucket policy, ...) is looked up with
        ``cloud.resource_policy(resource)`` unless one is passed."""
        from .explain import Explanation, resource_policy_label
        p = self.resolve_principal(principal)
        if resource_policy is None and resource_account is None:
            resource_policy, resource_account = self.cloud.resource_policy(resource)
        label = resource_policy_label(resource) if resource_policy is not None else None
        ctx = self.principal_context(p, region=self.cloud.default_region)
        ctx.update(context or {})
        decision = self.authorize(p, action, resource, ctx, resource_policy=resource_policy,
                                  resource_account=resource_account, resource_policy_name=label)
        if p.kind in ("anonymous", "root"):
            identity, boundary, session = None, None, []
        else:
            identity, boundary, session = self.policy_sources(p)
        considered = {"identity": identity, "boundary": boundary, "session": session,
                      "resource": label}
        return Explanation(p, action, resource, decision, considered)
