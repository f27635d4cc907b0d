"""What every IAM operation shares: front-door checks, lookups, response shapes, paging, quotas.

IAM speaks the query protocol: lists are paginated with ``Marker``/``MaxItems`` (default 100,
``IsTruncated`` always present, ``Marker`` only when truncated; markers are opaque strings);
policy documents travel URL-encoded (RFC 3986) and botocore's ``after-call`` handler decodes
them into dicts on both fronts; dates have second precision.

Quotas (IAM User Guide, reference_iam-quotas.md; ``shared/facts/platform.md``): 2 access keys
per user (and per root user), 10 groups per user, 10 managed policies per user, group and role,
5 versions per managed policy, role trust policy 2,048 characters, managed policy 6,144
characters, inline policies (aggregate per entity) 2,048 (user) / 5,120 (group) / 10,240
(role) characters. Policy sizes count characters other than white space, as IAM does. The
managed and inline size figures are marked unconfirmed in the facts; the error texts AWS sends
for them ("Cannot exceed quota for PolicySize: 6144", "Maximum policy size of 10240 bytes
exceeded for role ...") are quoted in public issue trackers, which is why awskit uses them.

Where awskit chooses an error wording no public AWS response confirmed, the code says
"unconfirmed".
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote

from .. import errors, paging
from ..clock import aws_datetime
from ..service import Request, operation
from . import validate
from .model import AccountIAM, Group, ManagedPolicy, Role, User
from .policy import Policy

ACCESS_KEYS_PER_USER = 2
GROUPS_PER_USER = 10
MANAGED_POLICIES_PER_ENTITY = 10
VERSIONS_PER_POLICY = 5
TRUST_POLICY_SIZE = 2048
MANAGED_POLICY_SIZE = 6144
INLINE_SIZE = {"user": 2048, "group": 5120, "role": 10240}
TAGS_PER_ENTITY = 50
DEFAULT_MAX_ITEMS = 100

_POLICY_ARN = re.compile(r"arn:aws:iam::(\d{12}|aws):policy(/(?:[^/]+/)*)([\w+=,.@-]+)")
_WS = re.compile(r"\s")


def encode_document(policy) -> str:
    """A policy document as IAM returns it: the JSON text, URL-encoded."""
    return quote(policy.text, safe="")


def boundary_shape(arn: str) -> dict:
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


def policy_size(text: str) -> int:
    """A policy's size as IAM counts it against its quotas: characters other than white space."""
    return len(_WS.sub("", text))


def iam_operation(fn):
    """``@operation`` plus IAM's front door: a signed request, credentials allowed to call
    IAM, and the model's constraints checked (ValidationError) before anything else."""
    @functools.wraps(fn)
    def run(self, req: Request, **params):
        self.front_door(req)
        return fn(self, req, **params)
    return operation(run)


class IAMCommon:
    """Helpers for the IAM operation mixins (``self`` is the IAM service)."""

    # -- the front door ---------------------------------------------------------------------
    def front_door(self, req: Request) -> None:
        principal = req.principal
        if principal.kind == "anonymous":
            raise errors.MissingAuthenticationToken()
        if principal.session_key is not None:
            session = self.sessions[principal.session_key]
            if session.role_arn is None and not session.mfa:
                # GetSessionToken credentials cannot call IAM without MFA (STS API reference,
                # GetSessionToken); the error code AWS answers with is unconfirmed.
                raise errors.InvalidClientTokenId()
        validate.check(req.op.model, req.params)

    # -- small things -----------------------------------------------------------------------
    def acct(self, req: Request) -> AccountIAM:
        return self.accounts[req.account]

    @property
    def now(self) -> float:
        return self.cloud.clock.elapsed

    @staticmethod
    def date(elapsed: float):
        return aws_datetime(elapsed)

    @staticmethod
    def entity_arn(account: AccountIAM, kind: str, name: str, path: str = "/") -> str:
        return f"arn:aws:iam::{account.id}:{kind}{path}{name}"

    def allow(self, req: Request, action: str, resource: str, account: AccountIAM | None,
              keys: dict | None = None):
        """Authorize ``action`` on an IAM resource of the caller's account (or an AWS-managed
        policy when ``account`` is None)."""
        return req.authorize(action, resource, keys=keys,
                             resource_account=account.id if account is not None else None)

    # -- lookups (NoSuchEntity texts as IAM sends them) --------------------------------------
    def user_of(self, account: AccountIAM, name: str) -> User:
        user = account.users.get(name.lower())
        if user is None:
            raise errors.NoSuchEntity(f"The user with name {name} cannot be found.")
        return user

    def group_of(self, account: AccountIAM, name: str) -> Group:
        group = account.groups.get(name.lower())
        if group is None:
            raise errors.NoSuchEntity(f"The group with name {name} cannot be found.")
        return group

    def role_of(self, account: AccountIAM, name: str) -> Role:
        role = account.roles.get(name.lower())
        if role is None:
            raise errors.NoSuchEntity(f"The role with name {name} cannot be found.")
        return role

    def arn_for(self, account: AccountIAM, kind: str, name: str) -> str:
        """The ARN IAM authorizes against: the entity's own (with its path) if it exists."""
        table = {"user": account.users, "group": account.groups, "role": account.roles}[kind]
        entity = table.get(name.lower())
        return entity.arn if entity is not None else self.entity_arn(account, kind, name)

    def caller_user_name(self, req: Request, UserName: str | None) -> str | None:
        """``UserName`` or, when omitted, the calling IAM user (None for the root user)."""
        if UserName is not None:
            return UserName
        kind = req.principal.kind
        if kind == "user":
            return req.principal.name
        if kind == "root":
            return None
        raise errors.ValidationError("Must specify userName when calling with non-User "
                                     "credentials")

    def policy_arn_parts(self, arn: str) -> tuple[str, str, str]:
        """(account or "aws", path, name) of a managed policy ARN, or InvalidInput."""
        match = _POLICY_ARN.fullmatch(arn)
        if match is None:
            raise errors.InvalidInput(f"ARN {arn} is not valid.")
        return match.group(1), match.group(2), match.group(3)

    def attachable(self, account: AccountIAM, arn: str, *, boundary: bool = False):
        """The managed policy an entity of ``account`` may attach, or NoSuchEntity."""
        owner, _, _ = self.policy_arn_parts(arn)
        policy = None
        if owner == "aws":
            policy = self.aws_managed.get(arn)
        elif owner == account.id:
            policy = account.policies.get(arn)
        if policy is None:
            prefix = "Scope ARN: " if boundary else "Policy "
            raise errors.NoSuchEntity(f"{prefix}{arn} does not exist or is not attachable.")
        return policy

    # -- tags -------------------------------------------------------------------------------
    @staticmethod
    def request_tag_keys(tags) -> dict:
        if not tags:
            return {}
        keys = {f"aws:RequestTag/{t['Key']}": t["Value"] for t in tags}
        keys["aws:TagKeys"] = [t["Key"] for t in tags]
        return keys

    @staticmethod
    def resource_tag_keys(entity) -> dict:
        return {f"aws:ResourceTag/{t['Key']}": t["Value"] for t in getattr(entity, "tags", [])}

    @staticmethod
    def check_new_tags(tags) -> None:
        keys = [t["Key"].lower() for t in tags or []]
        if len(keys) != len(set(keys)):
            raise errors.InvalidInput("Duplicate tag keys found. Please note that Tag keys are "
                                      "case insensitive.")

    def merge_tags(self, entity, tags) -> list[dict]:
        """Tags after TagUser/TagRole: same key (ignoring case) overwrites, in place."""
        self.check_new_tags(tags)
        merged = [dict(t) for t in entity.tags]
        for tag in tags:
            for i, old in enumerate(merged):
                if old["Key"].lower() == tag["Key"].lower():
                    merged[i] = {"Key": tag["Key"], "Value": tag["Value"]}
                    break
            else:
                merged.append({"Key": tag["Key"], "Value": tag["Value"]})
        if len(merged) > TAGS_PER_ENTITY:
            # wording unconfirmed
            raise errors.LimitExceeded(f"Cannot exceed quota for TagsPerResource: "
                                       f"{TAGS_PER_ENTITY}")
        return merged

    # -- paging -----------------------------------------------------------------------------
    def page(self, req: Request, items: list, Marker: str | None, MaxItems: int | None):
        """(the page, {"IsTruncated", "Marker"?}) for one IAM list response."""
        try:
            chunk, following = paging.page(req.operation, items, Marker,
                                           MaxItems or DEFAULT_MAX_ITEMS)
        except ValueError:
            raise errors.ValidationError("Invalid Marker.") from None   # wording unconfirmed
        extra = {"IsTruncated": following is not None}
        if following:
            extra["Marker"] = following
        return chunk, extra

    @staticmethod
    def by_name(entities) -> list:
        return sorted(entities, key=lambda e: (e.name.lower(), e.name))

    # -- policy documents --------------------------------------------------------------------
    @staticmethod
    def parse(document: str, kind: str = "identity") -> Policy:
        return Policy.parse(document, kind=kind)

    # -- response shapes --------------------------------------------------------------------
    def user_shape(self, user: User, *, listing: bool = False) -> dict:
        out = {"Path": user.path, "UserName": user.name, "UserId": user.user_id,
               "Arn": user.arn, "CreateDate": self.date(user.created)}
        if not listing:
            if user.boundary:
                out["PermissionsBoundary"] = boundary_shape(user.boundary)
            if user.tags:
                out["Tags"] = [dict(t) for t in user.tags]
        return out

    def group_shape(self, group: Group) -> dict:
        return {"Path": group.path, "GroupName": group.name, "GroupId": group.group_id,
                "Arn": group.arn, "CreateDate": self.date(group.created)}

    def role_shape(self, role: Role, mode: str = "get") -> dict:
        """``create`` (CreateRole), ``get`` (GetRole, UpdateRoleDescription), ``list``."""
        out = {"Path": role.path, "RoleName": role.name, "RoleId": role.role_id,
               "Arn": role.arn, "CreateDate": self.date(role.created),
               "AssumeRolePolicyDocument": encode_document(role.trust)}
        if role.description:
            out["Description"] = role.description
        if mode != "create":
            out["MaxSessionDuration"] = role.max_session_duration
        if mode != "list":
            if role.boundary:
                out["PermissionsBoundary"] = boundary_shape(role.boundary)
            if role.tags:
                out["Tags"] = [dict(t) for t in role.tags]
        if mode == "get":
            last = {}
            if role.last_used is not None:
                last = {"LastUsedDate": self.date(role.last_used), "Region": role.last_used_region}
            out["RoleLastUsed"] = last
        return out

    def usage(self, account: AccountIAM, arn: str) -> tuple[int, int]:
        """(AttachmentCount, PermissionsBoundaryUsageCount) of a managed policy in an account."""
        entities = [*account.users.values(), *account.groups.values(), *account.roles.values()]
        attached = sum(1 for e in entities if arn in e.attached)
        bounded = sum(1 for e in entities if getattr(e, "boundary", None) == arn)
        return attached, bounded

    def policy_shape(self, account: AccountIAM, policy: ManagedPolicy, mode: str = "get") -> dict:
        """``get``/``create`` (with Description and Tags) or ``list`` (without)."""
        attached, bounded = self.usage(account, policy.arn)
        out = {"PolicyName": policy.name, "PolicyId": policy.policy_id, "Arn": policy.arn,
               "Path": policy.path, "DefaultVersionId": policy.default_version,
               "AttachmentCount": attached, "PermissionsBoundaryUsageCount": bounded,
               "IsAttachable": True, "CreateDate": self.date(policy.created),
               "UpdateDate": self.date(policy.updated)}
        if mode != "list":
            if policy.description:
                out["Description"] = policy.description
            if policy.tags:
                out["Tags"] = [dict(t) for t in policy.tags]
        return out
