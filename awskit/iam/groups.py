"""IAM groups and memberships.

What AWS does (botocore iam model; IAM User Guide): a group collects users so that policies
attached to it apply to each member; a user belongs to at most 10 groups; groups cannot be
nested and cannot be a principal; DeleteGroup fails with DeleteConflict while the group has
members, inline policies or attached policies; adding a member twice changes nothing.
"""

from __future__ import annotations

from .. import errors
from ..service import Request
from .common import GROUPS_PER_USER, iam_operation
from .model import Group


class GroupOperations:
    """CreateGroup ... ListGroupsForUser (mixed into the IAM service)."""

    def members(self, account, group: Group) -> list:
        return [u for u in self.by_name(account.users.values())
                if group.name.lower() in (g.lower() for g in u.groups)]

    @iam_operation
    def create_group(self, req: Request, GroupName: str, Path: str = "/"):
        account = self.acct(req)
        arn = self.entity_arn(account, "group", GroupName, Path)
        self.allow(req, "iam:CreateGroup", arn, account)
        if GroupName.lower() in account.groups:
            raise errors.EntityAlreadyExists(f"Group with name {GroupName} already exists.")
        group = Group(GroupName, Path, arn, self.cloud.ids.unique_id("AGPA"), self.now)
        account.groups[GroupName.lower()] = group
        self.changed()
        req.step("IAM", f"Store group {GroupName} ({group.group_id})", 3.0, arn=arn)
        return {"Group": self.group_shape(group)}

    @iam_operation
    def get_group(self, req: Request, GroupName: str, Marker=None, MaxItems=None):
        account = self.acct(req)
        self.allow(req, "iam:GetGroup", self.arn_for(account, "group", GroupName), account)
        group = self.group_of(account, GroupName)
        chunk, extra = self.page(req, self.members(account, group), Marker, MaxItems)
        req.step("IAM", f"Read group {group.name} and its members", 1.0)
        return {"Group": self.group_shape(group),
                "Users": [self.user_shape(u, listing=True) for u in chunk], **extra}

    @iam_operation
    def list_groups(self, req: Request, PathPrefix: str = "/", Marker=None, MaxItems=None):
        account = self.acct(req)
        self.allow(req, "iam:ListGroups", f"arn:aws:iam::{account.id}:group{PathPrefix}", account)
        groups = [g for g in self.by_name(account.groups.values())
                  if g.path.startswith(PathPrefix)]
        chunk, extra = self.page(req, groups, Marker, MaxItems)
        req.step("IAM", f"List groups under {PathPrefix}: {len(chunk)}", 1.0)
        return {"Groups": [self.group_shape(g) for g in chunk], **extra}

    @iam_operation
    def update_group(self, req: Request, GroupName: str, NewPath: str | None = None,
                     NewGroupName: str | None = None):
        account = self.acct(req)
        self.allow(req, "iam:UpdateGroup", self.arn_for(account, "group", GroupName), account)
        group = self.group_of(account, GroupName)
        name, path = NewGroupName or group.name, NewPath or group.path
        new_arn = self.entity_arn(account, "group", name, path)
        if new_arn != group.arn:
            self.allow(req, "iam:UpdateGroup", new_arn, account)
        other = account.groups.get(name.lower())
        if other is not None and other is not group:
            raise errors.EntityAlreadyExists(f"Group with name {name} already exists.")
        for user in account.users.values():
            user.groups = [name if g.lower() == group.name.lower() else g for g in user.groups]
        del account.groups[group.name.lower()]
        group.name, group.path, group.arn = name, path, new_arn
        account.groups[name.lower()] = group
        self.changed()
        req.step("IAM", f"Rename group {GroupName} to {name} (path {path})", 3.0, arn=new_arn)
        return {}

    @iam_operation
    def delete_group(self, req: Request, GroupName: str):
        account = self.acct(req)
        self.allow(req, "iam:DeleteGroup", self.arn_for(account, "group", GroupName), account)
        group = self.group_of(account, GroupName)
        for present, what in ((self.members(account, group), "remove users from group"),
                              (group.inline, "delete policies"),
                              (group.attached, "detach all policies")):
            if present:
                raise errors.DeleteConflict(f"Cannot delete entity, must {what} first.")
        del account.groups[group.name.lower()]
        self.changed()
        req.step("IAM", f"Delete group {group.name}", 3.0, arn=group.arn)
        return {}

    @iam_operation
    def add_user_to_group(self, req: Request, GroupName: str, UserName: str):
        account = self.acct(req)
        self.allow(req, "iam:AddUserToGroup", self.arn_for(account, "group", GroupName), account)
        group = self.group_of(account, GroupName)
        user = self.user_of(account, UserName)
        if group.name.lower() not in (g.lower() for g in user.groups):
            if len(user.groups) >= GROUPS_PER_USER:
                raise errors.LimitExceeded(f"Cannot exceed quota for GroupsPerUser: "
                                           f"{GROUPS_PER_USER}")
            user.groups.append(group.name)
            self.changed()
        req.step("IAM", f"Add user {user.name} to group {group.name}", 2.0)
        return {}

    @iam_operation
    def remove_user_from_group(self, req: Request, GroupName: str, UserName: str):
        account = self.acct(req)
        self.allow(req, "iam:RemoveUserFromGroup", self.arn_for(account, "group", GroupName),
                   account)
        group = self.group_of(account, GroupName)
        user = self.user_of(account, UserName)
        kept = [g for g in user.groups if g.lower() != group.name.lower()]
        if len(kept) == len(user.groups):
            # wording unconfirmed
            raise errors.NoSuchEntity(f"User {user.name} is not in group {group.name}.")
        user.groups = kept
        self.changed()
        req.step("IAM", f"Remove user {user.name} from group {group.name}", 2.0)
        return {}

    @iam_operation
    def list_groups_for_user(self, req: Request, UserName: str, Marker=None, MaxItems=None):
        account = self.acct(req)
        self.allow(req, "iam:ListGroupsForUser", self.arn_for(account, "user", UserName),
                   account)
        user = self.user_of(account, UserName)
        groups = self.by_name(account.groups[g.lower()] for g in user.groups)
        chunk, extra = self.page(req, groups, Marker, MaxItems)
        req.step("IAM", f"List the groups of {user.name}", 1.0)
        return {"Groups": [self.group_shape(g) for g in chunk], **extra}
