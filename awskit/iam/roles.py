"""IAM roles: identities with no credentials of their own, assumed through STS.

What AWS does (botocore iam model; IAM User Guide): a role has a trust policy (who may assume
it: a resource-based policy whose only actions are STS ones, at most 2,048 non-white-space
characters by default) and permissions policies; its maximum session duration is 1 to 12 hours
(3,600-43,200 s, default 3,600); DeleteRole fails with DeleteConflict while inline or attached
policies remain. GetRole reports when and in which Region the role was last assumed
(``RoleLastUsed``); ListRoles leaves out tags, boundary and last use.

IAM also refuses a trust policy naming an IAM user or role that does not exist
(MalformedPolicyDocument "Invalid principal in policy").

What we simplify: no service-linked roles and no instance profiles; principals of accounts
outside this cloud are not checked; when a trusted user or role is later deleted, AWS shows
its unique id in the trust policy, awskit keeps the ARN.
"""

from __future__ import annotations

import re

from .. import errors
from ..service import Request
from .common import TRUST_POLICY_SIZE, iam_operation, policy_size
from .model import Role

_ENTITY_ARN = re.compile(r"arn:aws:iam::(\d{12}):(user|role)(/(?:[^/]+/)*)([\w+=,.@-]+)")


class RoleOperations:
    """CreateRole ... ListRoleTags (mixed into the IAM service)."""

    def _trust(self, document: str):
        trust = self.parse(document, "trust")
        if policy_size(document) > TRUST_POLICY_SIZE:
            raise errors.LimitExceeded(f"Cannot exceed quota for ACLSizePerRole: "
                                       f"{TRUST_POLICY_SIZE}")
        for statement in trust.statements:
            principal = statement.principal or statement.not_principal
            for arn in principal.get("AWS", []) if isinstance(principal, dict) else []:
                if not self._principal_exists(arn):
                    raise errors.MalformedPolicyDocument(
                        f'Invalid principal in policy: "AWS":"{arn}"')
        return trust

    def _principal_exists(self, arn: str) -> bool:
        """IAM refuses trust policies naming users or roles that do not exist (checked for the
        accounts of this cloud; other accounts' principals are taken on trust)."""
        match = _ENTITY_ARN.fullmatch(arn)
        if match is None or match.group(1) not in self.accounts:
            return True
        account = self.accounts[match.group(1)]
        table = account.users if match.group(2) == "user" else account.roles
        entity = table.get(match.group(4).lower())
        return entity is not None and entity.arn == arn

    def _role(self, req: Request, RoleName: str, action: str, keys: dict | None = None):
        account = self.acct(req)
        role = account.roles.get(RoleName.lower())
        keys = {**(keys or {}), **self.resource_tag_keys(role)}
        self.allow(req, action, self.arn_for(account, "role", RoleName), account, keys)
        return account, self.role_of(account, RoleName)

    @iam_operation
    def create_role(self, req: Request, RoleName: str, AssumeRolePolicyDocument: str,
                    Path: str = "/", Description: str | None = None,
                    MaxSessionDuration: int = 3600, PermissionsBoundary: str | None = None,
                    Tags=None):
        account = self.acct(req)
        arn = self.entity_arn(account, "role", RoleName, Path)
        keys = self.request_tag_keys(Tags)
        if PermissionsBoundary:
            keys["iam:PermissionsBoundary"] = PermissionsBoundary
        self.allow(req, "iam:CreateRole", arn, account, keys)
        if RoleName.lower() in account.roles:
            raise errors.EntityAlreadyExists(f"Role with name {RoleName} already exists.")
        trust = self._trust(AssumeRolePolicyDocument)
        if PermissionsBoundary:
            self.attachable(account, PermissionsBoundary, boundary=True)
        self.check_new_tags(Tags)
        role = Role(RoleName, Path, arn, self.cloud.ids.unique_id("AROA"), self.now, trust,
                    description=Description or "", max_session_duration=MaxSessionDuration,
                    tags=[dict(t) for t in Tags or []], boundary=PermissionsBoundary)
        account.roles[RoleName.lower()] = role
        self.changed()
        req.step("IAM", f"Store role {RoleName} ({role.role_id}) and its trust policy", 3.0,
                 arn=arn)
        return {"Role": self.role_shape(role, "create")}

    @iam_operation
    def get_role(self, req: Request, RoleName: str):
        _, role = self._role(req, RoleName, "iam:GetRole")
        req.step("IAM", f"Read role {role.name}", 1.0)
        return {"Role": self.role_shape(role, "get")}

    @iam_operation
    def list_roles(self, req: Request, PathPrefix: str = "/", Marker=None, MaxItems=None):
        account = self.acct(req)
        self.allow(req, "iam:ListRoles", f"arn:aws:iam::{account.id}:role{PathPrefix}", account)
        roles = [r for r in self.by_name(account.roles.values()) if r.path.startswith(PathPrefix)]
        chunk, extra = self.page(req, roles, Marker, MaxItems)
        req.step("IAM", f"List roles under {PathPrefix}: {len(chunk)}", 1.0)
        return {"Roles": [self.role_shape(r, "list") for r in chunk], **extra}

    @iam_operation
    def update_role(self, req: Request, RoleName: str, Description: str | None = None,
                    MaxSessionDuration: int | None = None):
        _, role = self._role(req, RoleName, "iam:UpdateRole")
        if Description is not None:
            role.description = Description
        if MaxSessionDuration is not None:
            role.max_session_duration = MaxSessionDuration
        self.changed()
        req.step("IAM", f"Update role {role.name}", 2.0)
        return {}

    @iam_operation
    def update_role_description(self, req: Request, RoleName: str, Description: str):
        _, role = self._role(req, RoleName, "iam:UpdateRoleDescription")
        role.description = Description
        self.changed()
        req.step("IAM", f"Update the description of role {role.name}", 2.0)
        return {"Role": self.role_shape(role, "get")}

    @iam_operation
    def update_assume_role_policy(self, req: Request, RoleName: str, PolicyDocument: str):
        _, role = self._role(req, RoleName, "iam:UpdateAssumeRolePolicy")
        role.trust = self._trust(PolicyDocument)
        self.changed()
        req.step("IAM", f"Replace the trust policy of role {role.name}", 3.0)
        return {}

    @iam_operation
    def delete_role(self, req: Request, RoleName: str):
        account, role = self._role(req, RoleName, "iam:DeleteRole")
        for present, what in ((role.inline, "delete policies"),
                              (role.attached, "detach all policies")):
            if present:
                raise errors.DeleteConflict(f"Cannot delete entity, must {what} first.")
        del account.roles[role.name.lower()]
        self.changed()
        req.step("IAM", f"Delete role {role.name}", 3.0, arn=role.arn)
        return {}

    # -- tags -------------------------------------------------------------------------------
    @iam_operation
    def tag_role(self, req: Request, RoleName: str, Tags):
        _, role = self._role(req, RoleName, "iam:TagRole", self.request_tag_keys(Tags))
        role.tags = self.merge_tags(role, Tags)
        self.changed()
        req.step("IAM", f"Tag role {role.name}: {', '.join(t['Key'] for t in Tags)}", 2.0)
        return {}

    @iam_operation
    def untag_role(self, req: Request, RoleName: str, TagKeys):
        _, role = self._role(req, RoleName, "iam:UntagRole", {"aws:TagKeys": list(TagKeys)})
        drop = {k.lower() for k in TagKeys}
        role.tags = [t for t in role.tags if t["Key"].lower() not in drop]
        self.changed()
        req.step("IAM", f"Untag role {role.name}: {', '.join(TagKeys)}", 2.0)
        return {}

    @iam_operation
    def list_role_tags(self, req: Request, RoleName: str, Marker=None, MaxItems=None):
        _, role = self._role(req, RoleName, "iam:ListRoleTags")
        chunk, extra = self.page(req, role.tags, Marker, MaxItems)
        req.step("IAM", f"List the tags of role {role.name}", 1.0)
        return {"Tags": [dict(t) for t in chunk], **extra}
