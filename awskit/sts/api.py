"""AWS STS: who am I, and temporary credentials (AssumeRole, GetSessionToken).

What AWS does: ``AssumeRole`` returns temporary credentials (``ASIA...`` key, secret, session
token, expiration) for a role whose trust policy allows the caller and whose identity side
(the caller's own policies) allows ``sts:AssumeRole``; sessions last 900 s up to the role's
maximum (1-12 h, default 1 h), at most 1 h when a role session assumes another role (role
chaining); a session policy can only narrow the role's permissions. Root users cannot assume
roles. ``GetCallerIdentity`` needs no permission. (botocore sts model; IAM User Guide, see
``shared/facts/platform.md``.)

What we simplify: session tags and source identity are stored and exposed as condition keys,
with no transitive-tag rules.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from .. import errors
from ..clock import EPOCH
from ..iam.model import Session
from ..iam.policy import Policy as PolicyDocument
from ..service import Request, Service, operation

_SESSION_NAME = re.compile(r"^[\w+=,.@-]*$")


def _validation(value: str, field: str, pattern: str) -> errors.AWSError:
    return errors.ValidationError(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {pattern}")


class STS(Service):
    """AWS Security Token Service."""

    service_name = "sts"
    title = "STS"
    front_component = "STS API"
    is_global = True

    def _expiration(self, seconds: float):
        return EPOCH + timedelta(seconds=self.cloud.clock.elapsed + seconds)

    @operation
    def get_caller_identity(self, req: Request):
        p = req.principal
        req.step("STS", f"Identify the caller: {p.arn}", 1.0, principal=p.arn)
        if p.kind == "anonymous":
            raise errors.for_code("MissingAuthenticationToken")(
                "Request is missing Authentication Token", status=403)
        return {"UserId": p.user_id, "Account": p.account, "Arn": p.arn}

    @operation
    def assume_role(self, req: Request, RoleArn: str, RoleSessionName: str,
                    DurationSeconds: int = 3600, Policy: str | None = None, PolicyArns=None,
                    Tags=None, SourceIdentity: str | None = None, SerialNumber=None,
                    TokenCode=None, ExternalId=None, **_unsupported):
        iam = self.cloud.iam
        caller = req.principal
        if not _SESSION_NAME.match(RoleSessionName) or len(RoleSessionName) > 64:
            raise _validation(RoleSessionName, "roleSessionName", r"[\w+=,.@-]*")
        parts = RoleArn.split(":")
        role = None
        if len(parts) == 6 and parts[2] == "iam" and parts[5].startswith("role/"):
            account = iam.accounts.get(parts[4])
            role_name = parts[5].rsplit("/", 1)[-1]
            if account is not None:
                role = account.roles.get(role_name.lower())
        if caller.kind == "root":
            raise errors.AccessDenied("Roles may not be assumed by root accounts.")
        keys = {"sts:RoleSessionName": RoleSessionName}
        if ExternalId is not None:
            keys["sts:ExternalId"] = ExternalId
        if SourceIdentity is not None:
            keys["sts:SourceIdentity"] = SourceIdentity
        if role is None or role.arn != RoleArn:
            # STS does not reveal whether the role exists
            req.authorize("sts:AssumeRole", RoleArn, keys=keys)
            raise self.access_denied(req, "sts:AssumeRole", RoleArn, req.decision)
        decision = req.authorize("sts:AssumeRole", role.arn, resource_policy=role.trust,
                                 resource_account=parts[4], keys=keys,
                                 resource_policy_name=f"{role.arn} (trust policy)")
        if not any(m.source.kind == "resource" and m.statement.effect == "Allow"
                   for m in decision.matched):
            # a role's trust policy must itself allow the caller (IAM User Guide)
            raise errors.AccessDenied(
                f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: "
                f"{role.arn}")
        chained = caller.kind == "assumed-role"
        limit = 3600 if chained else role.max_session_duration
        if DurationSeconds > limit:
            raise errors.ValidationError(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                "assumed by role chaining." if chained else
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        if DurationSeconds < 900:
            raise errors.ValidationError(
                f"1 validation error detected: Value '{DurationSeconds}' at 'durationSeconds' "
                "failed to satisfy constraint: Member must have value greater than or equal to 900")
        session_policies = []
        if Policy is not None:
            if len(Policy) > 2048:
                raise errors.PackedPolicyTooLarge()
            session_policies.append(PolicyDocument.parse(Policy, kind="identity"))
        policy_arns = [p["arn"] for p in PolicyArns or []]
        if len(policy_arns) > 10:
            raise errors.ValidationError("The number of session policy ARNs must not exceed 10.")
        for arn in policy_arns:
            if iam.managed_policy(arn) is None:
                raise errors.ValidationError(f"Policy {arn} does not exist or is not attachable.")
        session = self._new_session(req, role.arn, role.name, role.role_id, RoleSessionName,
                                    parts[4], DurationSeconds, session_policies, policy_arns,
                                    Tags, SourceIdentity, mfa=SerialNumber is not None and
                                    TokenCode is not None)
        role.last_used = self.cloud.clock.elapsed
        role.last_used_region = req.region
        out = {"Credentials": self._credentials(session),
               "AssumedRoleUser": {"AssumedRoleId": session.user_id, "Arn": session.arn}}
        if Policy is not None or policy_arns:
            # AWS packs the session policies in a compressed binary form and reports the share
            # of its limit they use; we report the share of the 2,048-character plaintext limit
            # the minified policy text uses (an approximation, said so in the docs).
            size = len(json.dumps(json.loads(Policy), separators=(",", ":"))) if Policy else 0
            out["PackedPolicySize"] = min(100, (size + 64 * len(policy_arns)) * 100 // 2048)
        if SourceIdentity is not None:
            out["SourceIdentity"] = SourceIdentity
        return out

    @operation
    def get_session_token(self, req: Request, DurationSeconds: int = 43200,
                          SerialNumber: str | None = None, TokenCode: str | None = None):
        caller = req.principal
        if caller.kind == "assumed-role":
            raise errors.AccessDenied("Cannot call GetSessionToken with session credentials")
        limit = 3600 if caller.kind == "root" else 129600
        if not 900 <= DurationSeconds <= 129600:
            raise errors.ValidationError(
                f"1 validation error detected: Value '{DurationSeconds}' at 'durationSeconds' "
                "failed to satisfy constraint: Member must have value between 900 and 129600")
        DurationSeconds = min(DurationSeconds, limit)
        session = self._new_session(req, None, None, caller.user_id, caller.name,
                                    caller.account, DurationSeconds, [], [], None, None,
                                    mfa=SerialNumber is not None and TokenCode is not None,
                                    arn=caller.arn, user_id=caller.user_id)
        return {"Credentials": self._credentials(session)}

    # -- helpers ----------------------------------------------------------------------------
    def _new_session(self, req, role_arn, role_name, role_id, session_name, account, duration,
                     policies, policy_arns, tags, source_identity, mfa, arn=None, user_id=None):
        ids = self.cloud.ids
        iam = self.cloud.iam
        now = self.cloud.clock.elapsed
        session = Session(
            access_key_id=ids.access_key_id(temporary=True), secret=ids.secret_access_key(),
            token=ids.session_token(), account=account,
            arn=arn or f"arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}",
            user_id=user_id or f"{role_id}:{session_name}", role_arn=role_arn,
            role_name=role_name, session_name=session_name, issued=now, expires=now + duration,
            policies=policies, policy_arns=policy_arns, mfa=mfa,
            source_identity=source_identity, tags=[dict(t) for t in tags or []])
        iam.sessions[session.access_key_id] = session
        req.step("STS", f"Issue temporary credentials {session.access_key_id} for "
                        f"{session.arn}, valid {duration} s", 3.0,
                 access_key_id=session.access_key_id, expires_in=duration)
        return session

    def _credentials(self, session: Session) -> dict:
        return {"AccessKeyId": session.access_key_id, "SecretAccessKey": session.secret,
                "SessionToken": session.token,
                "Expiration": EPOCH + timedelta(seconds=session.expires)}

