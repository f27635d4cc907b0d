"""Attaching managed policies to users, groups and roles, and permissions boundaries.

What AWS does (botocore iam model; IAM User Guide): an entity holds at most 10 attached
managed policies (LimitExceeded "Cannot exceed quota for PoliciesPerUser: 10"); attaching an
attached policy changes nothing; a policy of another account is never attachable; a
permissions boundary is one managed policy per user or role that caps, never grants. The
authorization carries ``iam:PolicyARN`` (attach/detach) or ``iam:PermissionsBoundary``
(boundaries) as condition keys. ListEntitiesForPolicy lists where a policy is attached and,
unless filtered, where it is a boundary.
"""

from __future__ import annotations

from .. import errors
from ..service import Request
from .common import MANAGED_POLICIES_PER_ENTITY, iam_operation

_TITLE = {"user": "User", "group": "Group", "role": "Role"}


class AttachmentOperations:
    """Attach/Detach/ListAttached *Policy, ListEntitiesForPolicy, boundaries."""

    def _entity(self, req: Request, kind: str, name: str, action: str, keys=None):
        account = self.acct(req)
        self.allow(req, action, self.arn_for(account, kind, name), account, keys)
        lookup = {"user": self.user_of, "group": self.group_of, "role": self.role_of}[kind]
        return account, lookup(account, name)

    def _attach(self, req, kind, name, arn):
        self.policy_arn_parts(arn)
        account, entity = self._entity(req, kind, name, f"iam:Attach{_TITLE[kind]}Policy",
                                       {"iam:PolicyARN": arn})
        policy = self.attachable(account, arn)
        if arn not in entity.attached:
            if len(entity.attached) >= MANAGED_POLICIES_PER_ENTITY:
                raise errors.LimitExceeded(f"Cannot exceed quota for Policies"
                                           f"Per{_TITLE[kind]}: {MANAGED_POLICIES_PER_ENTITY}")
            entity.attached.append(arn)
            self.changed()
        req.step("IAM", f"Attach {policy.name} to {kind} {entity.name}", 2.0, policy_arn=arn)
        return {}

    def _detach(self, req, kind, name, arn):
        self.policy_arn_parts(arn)
        _, entity = self._entity(req, kind, name, f"iam:Detach{_TITLE[kind]}Policy",
                                 {"iam:PolicyARN": arn})
        if arn not in entity.attached:
            raise errors.NoSuchEntity(f"Policy {arn} was not found.")
        entity.attached.remove(arn)
        self.changed()
        req.step("IAM", f"Detach {arn.rsplit('/', 1)[-1]} from {kind} {entity.name}", 2.0,
                 policy_arn=arn)
        return {}

    def _list_attached(self, req, kind, name, PathPrefix, Marker, MaxItems):
        account, entity = self._entity(req, kind, name,
                                       f"iam:ListAttached{_TITLE[kind]}Policies")
        attached = []
        for arn in entity.attached:
            policy = self.managed_policy(arn)
            if policy is not None and policy.path.startswith(PathPrefix or "/"):
                attached.append({"PolicyName": policy.name, "PolicyArn": arn})
        attached.sort(key=lambda a: (a["PolicyName"].lower(), a["PolicyArn"]))
        chunk, extra = self.page(req, attached, Marker, MaxItems)
        req.step("IAM", f"List the managed policies attached to {kind} {entity.name}", 1.0)
        return {"AttachedPolicies": chunk, **extra}

    # -- users, groups, roles ---------------------------------------------------------------
    @iam_operation
    def attach_user_policy(self, req: Request, UserName: str, PolicyArn: str):
        return self._attach(req, "user", UserName, PolicyArn)

    @iam_operation
    def detach_user_policy(self, req: Request, UserName: str, PolicyArn: str):
        return self._detach(req, "user", UserName, PolicyArn)

    @iam_operation
    def list_attached_user_policies(self, req: Request, UserName: str, PathPrefix=None,
                                    Marker=None, MaxItems=None):
        return self._list_attached(req, "user", UserName, PathPrefix, Marker, MaxItems)

    @iam_operation
    def attach_group_policy(self, req: Request, GroupName: str, PolicyArn: str):
        return self._attach(req, "group", GroupName, PolicyArn)

    @iam_operation
    def detach_group_policy(self, req: Request, GroupName: str, PolicyArn: str):
        return self._detach(req, "group", GroupName, PolicyArn)

    @iam_operation
    def list_attached_group_policies(self, req: Request, GroupName: str, PathPrefix=None,
                                     Marker=None, MaxItems=None):
        return self._list_attached(req, "group", GroupName, PathPrefix, Marker, MaxItems)

    @iam_operation
    def attach_role_policy(self, req: Request, RoleName: str, PolicyArn: str):
        return self._attach(req, "role", RoleName, PolicyArn)

    @iam_operation
    def detach_role_policy(self, req: Request, RoleName: str, PolicyArn: str):
        return self._detach(req, "role", RoleName, PolicyArn)

    @iam_operation
    def list_attached_role_policies(self, req: Request, RoleName: str, PathPrefix=None,
                                    Marker=None, MaxItems=None):
        return self._list_attached(req, "role", RoleName, PathPrefix, Marker, MaxItems)

    # -- where a policy is used -------------------------------------------------------------
    @iam_operation
    def list_entities_for_policy(self, req: Request, PolicyArn: str, EntityFilter=None,
                                 PathPrefix: str = "/", PolicyUsageFilter=None, Marker=None,
                                 MaxItems=None):
        account, policy = self._managed(req, "iam:ListEntitiesForPolicy", PolicyArn)
        found = []
        for kind, table, id_attr in (("Group", account.groups, "group_id"),
                                     ("User", account.users, "user_id"),
                                     ("Role", account.roles, "role_id")):
            if EntityFilter not in (None, kind):
                continue
            for entity in self.by_name(table.values()):
                if not entity.path.startswith(PathPrefix):
                    continue
                as_policy = PolicyUsageFilter in (None, "PermissionsPolicy") and \
                    policy.arn in entity.attached
                as_boundary = PolicyUsageFilter in (None, "PermissionsBoundary") and \
                    getattr(entity, "boundary", None) == policy.arn
                if as_policy or as_boundary:
                    found.append((kind, {f"{kind}Name": entity.name,
                                         f"{kind}Id": getattr(entity, id_attr)}))
        chunk, extra = self.page(req, found, Marker, MaxItems)
        out = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
        for kind, item in chunk:
            out[f"Policy{kind}s"].append(item)
        req.step("IAM", f"Find the users, groups and roles using {policy.name}", 2.0)
        return {**out, **extra}

    # -- permissions boundaries -------------------------------------------------------------
    def _put_boundary(self, req, kind, name, arn):
        self.policy_arn_parts(arn)
        account, entity = self._entity(req, kind, name,
                                       f"iam:Put{_TITLE[kind]}PermissionsBoundary",
                                       {"iam:PermissionsBoundary": arn})
        policy = self.attachable(account, arn, boundary=True)
        entity.boundary = arn
        self.changed()
        req.step("IAM", f"Set {policy.name} as the permissions boundary of {kind} "
                        f"{entity.name}", 2.0, policy_arn=arn)
        return {}

    def _delete_boundary(self, req, kind, name):
        account = self.acct(req)
        entity = {"user": account.users, "role": account.roles}[kind].get(name.lower())
        keys = {"iam:PermissionsBoundary": entity.boundary} if entity and entity.boundary else None
        _, entity = self._entity(req, kind, name,
                                 f"iam:Delete{_TITLE[kind]}PermissionsBoundary", keys)
        entity.boundary = None
        self.changed()
        req.step("IAM", f"Remove the permissions boundary of {kind} {entity.name}", 2.0)
        return {}

    @iam_operation
    def put_user_permissions_boundary(self, req: Request, UserName: str, PermissionsBoundary: str):
        return self._put_boundary(req, "user", UserName, PermissionsBoundary)

    @iam_operation
    def delete_user_permissions_boundary(self, req: Request, UserName: str):
        return self._delete_boundary(req, "user", UserName)

    @iam_operation
    def put_role_permissions_boundary(self, req: Request, RoleName: str, PermissionsBoundary: str):
        return self._put_boundary(req, "role", RoleName, PermissionsBoundary)

    @iam_operation
    def delete_role_permissions_boundary(self, req: Request, RoleName: str):
        return self._delete_boundary(req, "role", RoleName)
