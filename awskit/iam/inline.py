"""Inline policies: policy documents embedded in one user, group or role.

What AWS does (botocore iam model; IAM User Guide): Put*Policy creates or replaces the named
policy; the aggregate size of an entity's inline policies is limited (2,048 / 5,120 / 10,240
non-white-space characters for users / groups / roles; LimitExceeded "Maximum policy size of
... bytes exceeded for ..."); Get*Policy returns the document URL-encoded, as submitted.
"""

from __future__ import annotations

from .. import errors
from ..service import Request
from .common import INLINE_SIZE, encode_document, iam_operation, policy_size

_TITLE = {"user": "User", "group": "Group", "role": "Role"}


class InlinePolicyOperations:
    """Put/Get/List/Delete User/Group/Role Policy (mixed into the IAM service)."""

    def _holder(self, req: Request, kind: str, name: str, verb: str):
        account = self.acct(req)
        self.allow(req, f"iam:{verb}{_TITLE[kind]}Polic{'ies' if verb == 'List' else 'y'}",
                   self.arn_for(account, kind, name), account)
        return {"user": self.user_of, "group": self.group_of, "role": self.role_of}[kind](
            account, name)

    def _put(self, req, kind, name, PolicyName, PolicyDocument):
        entity = self._holder(req, kind, name, "Put")
        policy = self.parse(PolicyDocument)
        total = policy_size(PolicyDocument) + sum(
            policy_size(p.text) for n, p in entity.inline.items() if n != PolicyName)
        if total > INLINE_SIZE[kind]:
            raise errors.LimitExceeded(f"Maximum policy size of {INLINE_SIZE[kind]} bytes "
                                       f"exceeded for {kind} {entity.name}")
        replaced = PolicyName in entity.inline
        entity.inline[PolicyName] = policy
        self.changed()
        req.step("IAM", f"{'Replace' if replaced else 'Store'} inline policy {PolicyName} of "
                        f"{kind} {entity.name}", 3.0)
        return {}

    def _get(self, req, kind, name, PolicyName):
        entity = self._holder(req, kind, name, "Get")
        policy = entity.inline.get(PolicyName)
        if policy is None:
            raise errors.NoSuchEntity(f"The {kind} policy with name {PolicyName} cannot be "
                                      "found.")
        req.step("IAM", f"Read inline policy {PolicyName} of {kind} {entity.name}", 1.0)
        return {f"{_TITLE[kind]}Name": entity.name, "PolicyName": PolicyName,
                "PolicyDocument": encode_document(policy)}

    def _list(self, req, kind, name, Marker, MaxItems):
        entity = self._holder(req, kind, name, "List")
        names = sorted(entity.inline, key=lambda n: (n.lower(), n))
        chunk, extra = self.page(req, names, Marker, MaxItems)
        req.step("IAM", f"List inline policies of {kind} {entity.name}", 1.0)
        return {"PolicyNames": chunk, **extra}

    def _delete(self, req, kind, name, PolicyName):
        entity = self._holder(req, kind, name, "Delete")
        if PolicyName not in entity.inline:
            raise errors.NoSuchEntity(f"The {kind} policy with name {PolicyName} cannot be "
                                      "found.")
        del entity.inline[PolicyName]
        self.changed()
        req.step("IAM", f"Delete inline policy {PolicyName} of {kind} {entity.name}", 2.0)
        return {}

    # -- users ------------------------------------------------------------------------------
    @iam_operation
    def put_user_policy(self, req: Request, UserName: str, PolicyName: str, PolicyDocument: str):
        return self._put(req, "user", UserName, PolicyName, PolicyDocument)

    @iam_operation
    def get_user_policy(self, req: Request, UserName: str, PolicyName: str):
        return self._get(req, "user", UserName, PolicyName)

    @iam_operation
    def list_user_policies(self, req: Request, UserName: str, Marker=None, MaxItems=None):
        return self._list(req, "user", UserName, Marker, MaxItems)

    @iam_operation
    def delete_user_policy(self, req: Request, UserName: str, PolicyName: str):
        return self._delete(req, "user", UserName, PolicyName)

    # -- groups -----------------------------------------------------------------------------
    @iam_operation
    def put_group_policy(self, req: Request, GroupName: str, PolicyName: str,
                         PolicyDocument: str):
        return self._put(req, "group", GroupName, PolicyName, PolicyDocument)

    @iam_operation
    def get_group_policy(self, req: Request, GroupName: str, PolicyName: str):
        return self._get(req, "group", GroupName, PolicyName)

    @iam_operation
    def list_group_policies(self, req: Request, GroupName: str, Marker=None, MaxItems=None):
        return self._list(req, "group", GroupName, Marker, MaxItems)

    @iam_operation
    def delete_group_policy(self, req: Request, GroupName: str, PolicyName: str):
        return self._delete(req, "group", GroupName, PolicyName)

    # -- roles ------------------------------------------------------------------------------
    @iam_operation
    def put_role_policy(self, req: Request, RoleName: str, PolicyName: str, PolicyDocument: str):
        return self._put(req, "role", RoleName, PolicyName, PolicyDocument)

    @iam_operation
    def get_role_policy(self, req: Request, RoleName: str, PolicyName: str):
        return self._get(req, "role", RoleName, PolicyName)

    @iam_operation
    def list_role_policies(self, req: Request, RoleName: str, Marker=None, MaxItems=None):
        return self._list(req, "role", RoleName, Marker, MaxItems)

    @iam_operation
    def delete_role_policy(self, req: Request, RoleName: str, PolicyName: str):
        return self._delete(req, "role", RoleName, PolicyName)
