"""Authentication and authorization: what IAM does on every request of every service.

``IAMModel`` holds every account's IAM entities and the index of access keys. The request
pipeline (``awskit.service``) calls :meth:`IAMModel.authenticate` (access key → principal)
and :meth:`IAMModel.authorize` (principal, action, resource, request context → decision).
The decision itself comes from the policy evaluation engine (``awskit.iam.evaluation``).
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
        self._policy_cache: dict[str, tuple[int, tuple]] = {}

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
        """(access key id, secret) of an account's root user."""
        key = self.accounts[account_id].root_key
        return key.id, key.secret

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
                if session.role_arn is not None:
                    kind = "assumed-role"
                else:  # GetSessionToken: the user (or root) itself, with temporary keys
                    kind = "root" if session.arn.endswith(":root") else "user"
                principal = self._principals[key_id] = Principal(
                    kind, session.arn, session.account, session.session_name,
                    session.user_id, role_arn=session.role_arn, access_key_id=key_id,
                    session_key=key_id)
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
                principal = self.root_principal(key.account)
            else:
                user = account.users[key.user.lower()]
                principal = Principal("user", user.arn, key.account, user.name, user.user_id,
                                      access_key_id=key_id)
            self._principals[key_id] = principal
        return principal

    # -- policies ---------------------------------------------------------------------------
    def managed_policy(self, arn: str):
        policy = self.aws_managed.get(arn)
        if policy is None:
            account = arn.split(":")[4]
            if account in self.accounts:
                policy = self.accounts[account].policies.get(arn)
        return policy

    def policy_sources(self, principal: Principal) -> tuple[list, object, list]:
        """(identity policies, permissions boundary, session policies) that apply to a principal."""
        cached = self._policy_cache.get(principal.arn)
        if cached is not None and cached[0] == self.generation:
            return cached[1]
        identity, boundary, session_policies = [], None, []
        if principal.kind == "user":
            account = self.accounts[principal.account]
            user = account.users[principal.name.lower()]
            self._add_entity_policies(identity, user, "user", f"user/{user.name}")
            for group_name in user.groups:
                group = account.groups[group_name.lower()]
                self._add_entity_policies(identity, group, "group", f"group/{group.name}")
            boundary = self._boundary(user.boundary)
        elif principal.kind == "assumed-role":
            session = self.sessions[principal.session_key]
            role = self.accounts[principal.account].roles.get(session.role_name.lower())
            if role is not None:
                self._add_entity_policies(identity, role, "role", f"role/{role.name}")
                boundary = self._boundary(role.boundary)
            for i, policy in enumerate(session.policies):
                session_policies.append(PolicySource(policy, f"session-policy-{i + 1}", "none",
                                                     "session"))
            for arn in session.policy_arns:
                managed = self.managed_policy(arn)
                if managed is not None:
                    session_policies.append(PolicySource(managed.document, arn, "none", "session"))
        result = (identity, boundary, session_policies)
        self._policy_cache[principal.arn] = (self.generation, result)
        return result

    def _add_entity_policies(self, out: list, entity, source_type: str, prefix: str) -> None:
        for name, policy in entity.inline.items():
            out.append(PolicySource(policy, name, source_type, "identity"))
        for arn in entity.attached:
            managed = self.managed_policy(arn)
            if managed is not None:
                out.append(PolicySource(managed.document, arn,
                                        "aws-managed" if managed.aws_managed else "user-managed",
                                        "identity"))

    def _boundary(self, arn: str | None):
        if not arn:
            return None
        managed = self.managed_policy(arn)
        if managed is None:
            return None
        return PolicySource(managed.document, arn,
                            "aws-managed" if managed.aws_managed else "user-managed", "boundary")

    # -- authorization ----------------------------------------------------------------------
    def authorize(self, principal: Principal, action: str, resource: str, context: dict, *,
                  resource_policy=None, resource_account: str | None = None,
                  resource_policy_name: str | None = None):
        """Evaluate every applicable policy for one action on one resource → ``Decision``."""
        if principal.kind == "anonymous":
            identity, boundary, session = [], None, []
        elif principal.kind == "root":
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
        cloud = self.cloud
        principal = req.principal
        now = cloud.clock.elapsed
        caller = req.caller
        context = {
            "aws:CurrentTime": iso(now),
            "aws:EpochTime": str(int(cloud.clock.timestamp)),
            "aws:SecureTransport": "true" if caller.secure else "false",
            "aws:SourceIp": caller.source_ip or cloud.source_ip,
            "aws:RequestedRegion": req.region,
            "aws:PrincipalType": principal.principal_type,
            "aws:userid": principal.user_id,
            "aws:ViaAWSService": "false",
        }
        if principal.kind != "anonymous":
            context["aws:PrincipalAccount"] = principal.account
            context["aws:PrincipalArn"] = principal.role_arn or principal.arn
        if principal.session_key is not None:   # temporary credentials carry MFA keys
            session = self.sessions[principal.session_key]
            context["aws:MultiFactorAuthPresent"] = "true" if session.mfa else "false"
            context["aws:TokenIssueTime"] = iso(session.issued)
            if session.mfa:
                context["aws:MultiFactorAuthAge"] = str(int(now - session.issued))
        if principal.kind == "user":
            context["aws:username"] = principal.name
            user = self.accounts[principal.account].users[principal.name.lower()]
            for tag in user.tags:
                context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
        elif principal.kind == "assumed-role":
            session = self.sessions[principal.session_key]
            role = self.accounts[principal.account].roles.get((session.role_name or "").lower())
            if role is not None:
                for tag in role.tags:
                    context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
            for tag in session.tags:
                context[f"aws:PrincipalTag/{tag['Key']}"] = tag["Value"]
            if session.source_identity:
                context["aws:SourceIdentity"] = session.source_identity
        return context

    def resolve_principal(self, who) -> Principal:
        """A principal from a Principal, an ARN, a user name, an account id or an access key id."""
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
        raise errors.NoSuchEntity(f"No principal named {who} exists in this cloud.")

    def explain(self, principal, action: str, resource: str = "*", *, context: dict | None = None,
                resource_policy=None, resource_account: str | None = None) -> str:
        """Which statement decides whether ``principal`` may do ``action`` on ``resource``, and why."""
        p = self.resolve_principal(principal)
        if resource_policy is None and resource_account is None:
            resource_policy, resource_account = self.cloud.resource_policy(resource)
        ctx = {"aws:PrincipalType": p.principal_type, "aws:userid": p.user_id,
               "aws:SecureTransport": "true", "aws:SourceIp": self.cloud.source_ip,
               "aws:CurrentTime": iso(self.cloud.clock.elapsed),
               "aws:RequestedRegion": self.cloud.default_region}
        if p.kind == "user":
            ctx["aws:username"] = p.name
        if p.account:
            ctx["aws:PrincipalArn"] = p.role_arn or p.arn
            ctx["aws:PrincipalAccount"] = p.account
        ctx.update(context or {})
        return self.authorize(p, action, resource, ctx, resource_policy=resource_policy,
                              resource_account=resource_account).explain()
