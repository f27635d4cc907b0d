"""AWS STS: who am I, and temporary credentials (AssumeRole, GetSessionToken).

What AWS does (botocore sts model and its operation documentation; IAM User Guide, see
``shared/facts/platform.md``):

- ``GetCallerIdentity`` needs no permission (an explicit deny cannot stop it) and answers for
  every kind of caller: the root user, an IAM user (also through GetSessionToken
  credentials) and a role session (``arn:aws:sts::<acct>:assumed-role/<role>/<session>``).
- ``AssumeRole`` returns temporary credentials (``ASIA...`` key, secret, session token,
  expiration) when the role's trust policy allows the caller *and*, unless the trust policy
  names the caller's own ARN in the same account, the caller's identity policies allow
  ``sts:AssumeRole`` on the role (always needed across accounts). Root users cannot assume
  roles. STS does not reveal whether a role exists. The trust policy sees ``sts:ExternalId``,
  ``sts:RoleSessionName``, ``sts:SourceIdentity``, the request's session tags
  (``aws:RequestTag/...``, ``aws:TagKeys``) and, with SerialNumber and TokenCode,
  ``aws:MultiFactorAuthPresent``; passing tags also needs ``sts:TagSession``, a source
  identity ``sts:SetSourceIdentity``. Sessions last 900 s up to the role's maximum (1-12 h,
  default 1 h), at most 1 h when a role session assumes a role (role chaining). Session
  policies (inline ``Policy`` and up to 10 ``PolicyArns`` of the role's account or AWS) can
  only narrow the role's permissions; their plaintext is limited to 2,048 characters.
- ``GetSessionToken`` gives an IAM user (900 s-36 h, default 12 h) or root user (at most 1 h)
  temporary credentials with its own permissions; it needs no permission and cannot be called
  with session credentials; its credentials cannot call IAM without MFA and can call only
  AssumeRole and GetCallerIdentity in STS.
- Temporary credentials stop working at their expiration (``ExpiredToken``).

What we simplify: MFA codes are not checked (no MFA devices are simulated: any SerialNumber
and 6-digit TokenCode count as MFA); ``PackedPolicySize`` is the share of the 2,048-character
plaintext limit the minified session policy (plus 64 characters per policy ARN and per tag)
uses, since AWS's packed binary format is not public; transitive session tags are carried to
chained sessions, without AWS's rules against overriding them.
"""

from __future__ import annotations

import functools
import json
import re

from .. import errors
from ..clock import aws_datetime
from ..iam import validate
from ..iam.model import Session
from ..iam.policy import Policy as PolicyDocument
from ..service import Request, Service, operation

_ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):role(/(?:[^/]+/)*)([\w+=,.@-]+)")
SESSION_POLICY_PLAINTEXT = 2048
SESSION_POLICY_ARNS = 10
CHAINED_MAX = 3600


def sts_operation(fn):
    """``@operation`` plus STS's front door: a signed request, the model's constraints."""
    @functools.wraps(fn)
    def run(self, req: Request, **params):
        if req.principal.kind == "anonymous":
            raise errors.MissingAuthenticationToken()
        validate.check(req.op.model, req.params)
        return fn(self, req, **params)
    return operation(run)


class STS(Service):
    """AWS Security Token Service."""

    service_name = "sts"
    title = "STS"
    front_component = "STS API"
    is_global = True

    def access_denied(self, req: Request, action: str, resource: str, decision):
        """AssumeRole refused by the trust policy (the identity side allowing) reads without a
        "because ..." clause."""
        allows = {m.source.kind for m in decision.matched if m.effect == "Allow"}
        if action == "sts:AssumeRole" and decision.decision != "explicitDeny" and \
                "identity" in allows and "resource" not in allows:
            return errors.AccessDenied(f"User: {req.principal.arn} is not authorized to perform: "
                                       f"{action} on resource: {resource}")
        return super().access_denied(req, action, resource, decision)

    def _session_of(self, req: Request) -> Session | None:
        key = req.principal.session_key
        return self.cloud.iam.sessions.get(key) if key else None

    # -- who am I ---------------------------------------------------------------------------
    @sts_operation
    def get_caller_identity(self, req: Request):
        p = req.principal
        req.step("STS", f"Identify the caller: {p.arn}", 1.0, principal=p.arn)
        return {"UserId": p.user_id, "Account": p.account, "Arn": p.arn}

    # -- AssumeRole -------------------------------------------------------------------------
    @sts_operation
    def assume_role(self, req: Request, RoleArn: str, RoleSessionName: str,
                    DurationSeconds: int = 3600, Policy: str | None = None, PolicyArns=None,
                    Tags=None, TransitiveTagKeys=None, ExternalId: str | None = None,
                    SerialNumber: str | None = None, TokenCode: str | None = None,
                    SourceIdentity: str | None = None, ProvidedContexts=None):
        iam = self.cloud.iam
        caller = req.principal
        if caller.kind == "root":
            raise errors.AccessDenied("Roles may not be assumed by root accounts.")
        previous = self._session_of(req)
        mfa = (SerialNumber is not None and TokenCode is not None) or bool(
            previous is not None and previous.mfa)
        source_identity = SourceIdentity or (previous.source_identity if previous else None)
        tags = [dict(t) for t in Tags or []]
        if previous is not None:     # transitive tags travel along a role chain
            carried = {k.lower() for k in previous.transitive}
            tags += [dict(t) for t in previous.tags if t["Key"].lower() in carried and
                     t["Key"].lower() not in {x["Key"].lower() for x in tags}]
        keys = {"sts:RoleSessionName": RoleSessionName}
        if ExternalId is not None:
            keys["sts:ExternalId"] = ExternalId
        if SourceIdentity is not None:
            keys["sts:SourceIdentity"] = SourceIdentity
        if SerialNumber is not None and TokenCode is not None:
            keys["aws:MultiFactorAuthPresent"] = "true"
            keys["aws:MultiFactorAuthAge"] = "0"
        if Tags:
            keys.update({f"aws:RequestTag/{t['Key']}": t["Value"] for t in Tags})
            keys["aws:TagKeys"] = [t["Key"] for t in Tags]
        if TransitiveTagKeys:
            keys["sts:TransitiveTagKeys"] = list(TransitiveTagKeys)
        match = _ROLE_ARN.fullmatch(RoleArn)
        account = iam.accounts.get(match.group(1)) if match else None
        role = account.roles.get(match.group(3).lower()) if account else None
        if role is None or role.arn != RoleArn:
            # STS does not reveal whether the role exists
            decision = req.authorize("sts:AssumeRole", RoleArn, keys=keys)
            raise self.access_denied(req, "sts:AssumeRole", RoleArn, decision)
        trust = {"resource_policy": role.trust, "resource_account": account.id,
                 "resource_policy_name": f"{role.arn} (trust policy)"}
        req.authorize("sts:AssumeRole", role.arn, keys=keys, **trust)
        if Tags or TransitiveTagKeys:
            req.authorize("sts:TagSession", role.arn, keys=keys, **trust)
        if SourceIdentity is not None:
            req.authorize("sts:SetSourceIdentity", role.arn, keys=keys, **trust)
        chained = caller.kind == "assumed-role"
        limit = CHAINED_MAX if chained else role.max_session_duration
        if DurationSeconds > limit:
            raise errors.ValidationError(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                "assumed by role chaining." if chained else
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        session_policies, policy_arns, size = self._session_policies(Policy, PolicyArns,
                                                                       account.id, len(tags))
        session = self._new_session(
            req, account=account.id, duration=DurationSeconds, role=role,
            session_name=RoleSessionName, policies=session_policies, policy_arns=policy_arns,
            tags=tags, transitive=list(TransitiveTagKeys or []) + (
                list(previous.transitive) if previous else []),
            source_identity=source_identity, mfa=mfa)
        role.last_used = self.cloud.clock.elapsed
        role.last_used_region = req.region
        out = {"Credentials": self._credentials(session),
               "AssumedRoleUser": {"AssumedRoleId": session.user_id, "Arn": session.arn}}
        if Policy is not None or policy_arns or tags:
            out["PackedPolicySize"] = size
        if source_identity is not None:
            out["SourceIdentity"] = source_identity
        return out

    def _session_policies(self, Policy, PolicyArns, role_account: str, n_tags: int):
        """(parsed session policies, policy ARNs, PackedPolicySize) or the STS error."""
        iam = self.cloud.iam
        policies = [PolicyDocument.parse(Policy, kind="identity")] if Policy is not None else []
        arns = [p["arn"] for p in PolicyArns or []]
        if len(arns) > SESSION_POLICY_ARNS:
            raise validate.validation_error(
                arns, "policyArns", f"Member must have length less than or equal to "
                f"{SESSION_POLICY_ARNS}")
        for arn in arns:
            owner = arn.split(":")[4] if arn.count(":") >= 5 else ""
            if owner not in ("aws", role_account) or iam.managed_policy(arn) is None:
                raise errors.ValidationError(f"Policy {arn} does not exist or is not "
                                             "attachable.")               # wording unconfirmed
        plaintext = len(json.dumps(json.loads(Policy), separators=(",", ":"))) if Policy else 0
        size = (plaintext + 64 * (len(arns) + n_tags)) * 100 // SESSION_POLICY_PLAINTEXT
        if plaintext + sum(len(a) for a in arns) > SESSION_POLICY_PLAINTEXT or size > 100:
            raise errors.PackedPolicyTooLarge(f"Packed policy consumes {size}% of allotted "
                                              "space, please use smaller policy.")
        return policies, arns, size

    # -- GetSessionToken --------------------------------------------------------------------
    @sts_operation
    def get_session_token(self, req: Request, DurationSeconds: int = 43200,
                          SerialNumber: str | None = None, TokenCode: str | None = None):
        caller = req.principal
        if caller.session_key is not None:
            raise errors.AccessDenied("Cannot call GetSessionToken with session credentials")
        if caller.kind == "root":
            DurationSeconds = min(DurationSeconds, 3600)
        session = self._new_session(req, account=caller.account, duration=DurationSeconds,
                                    session_name=caller.name, arn=caller.arn,
                                    user_id=caller.user_id,
                                    mfa=SerialNumber is not None and TokenCode is not None)
        return {"Credentials": self._credentials(session)}

    # -- helpers ----------------------------------------------------------------------------
    def _new_session(self, req: Request, *, account: str, duration: int, session_name: str,
                     role=None, arn: str | None = None, user_id: str | None = None,
                     policies=(), policy_arns=(), tags=(), transitive=(), source_identity=None,
                     mfa: bool = False) -> Session:
        ids = self.cloud.ids
        now = self.cloud.clock.elapsed
        if role is not None:
            arn = f"arn:aws:sts::{account}:assumed-role/{role.name}/{session_name}"
            user_id = f"{role.role_id}:{session_name}"
        session = Session(
            access_key_id=ids.access_key_id(temporary=True), secret=ids.secret_access_key(),
            token=ids.session_token(), account=account, arn=arn, user_id=user_id,
            role_arn=role.arn if role else None, role_name=role.name if role else None,
            session_name=session_name, issued=now, expires=now + duration,
            policies=list(policies), policy_arns=list(policy_arns), mfa=mfa,
            source_identity=source_identity, tags=[dict(t) for t in tags],
            transitive=list(transitive))
        self.cloud.iam.sessions[session.access_key_id] = session
        req.step("STS", f"Issue temporary credentials {session.access_key_id} for "
                        f"{session.arn}, valid {duration} s", 3.0,
                 access_key_id=session.access_key_id, expires_in=duration)
        return session

    @staticmethod
    def _credentials(session: Session) -> dict:
        return {"AccessKeyId": session.access_key_id, "SecretAccessKey": session.secret,
                "SessionToken": session.token, "Expiration": aws_datetime(session.expires)}
