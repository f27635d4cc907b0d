"""IAM users, their access keys, login profiles and tags.

What AWS does (botocore iam model; IAM User Guide): user names are unique in an account
ignoring case; a user (and the root user) holds at most 2 access keys, active or inactive;
DeleteUser fails with DeleteConflict while the user still has a password, access keys,
inline or attached policies or group memberships; a key's last use (date, service, Region)
is recorded on every authenticated request ("N/A" until first use).

What we simplify: login profiles store no password (no console sign-in is simulated) and no
password policy is enforced; MFA devices, signing certificates, SSH keys and service-specific
credentials are not simulated. awskit omits ``UserName`` in access-key responses for the root
user's own keys (the field AWS returns there is undocumented).
"""

from __future__ import annotations

from .. import errors
from ..service import Request
from .common import ACCESS_KEYS_PER_USER, iam_operation
from .model import AccessKey, User


class UserOperations:
    """CreateUser ... DeleteLoginProfile (mixed into the IAM service)."""

    # -- users ------------------------------------------------------------------------------
    @iam_operation
    def create_user(self, req: Request, UserName: str, Path: str = "/", Tags=None,
                    PermissionsBoundary: str | None = None):
        account = self.acct(req)
        arn = self.entity_arn(account, "user", UserName, Path)
        keys = self.request_tag_keys(Tags)
        if PermissionsBoundary:
            keys["iam:PermissionsBoundary"] = PermissionsBoundary
        self.allow(req, "iam:CreateUser", arn, account, keys)
        if UserName.lower() in account.users:
            raise errors.EntityAlreadyExists(f"User with name {UserName} already exists.")
        if PermissionsBoundary:
            self.attachable(account, PermissionsBoundary, boundary=True)
        self.check_new_tags(Tags)
        user = User(UserName, Path, arn, self.cloud.ids.unique_id("AIDA"), self.now,
                    tags=[dict(t) for t in Tags or []], boundary=PermissionsBoundary)
        account.users[UserName.lower()] = user
        self.changed()
        req.step("IAM", f"Store user {UserName} ({user.user_id})", 3.0, arn=arn)
        return {"User": self.user_shape(user)}

    @iam_operation
    def get_user(self, req: Request, UserName: str | None = None):
        account = self.acct(req)
        name = self.caller_user_name(req, UserName)
        if name is None:        # the root user asking about itself
            req.step("IAM", "Read the caller: the account root user", 1.0)
            return {"User": {"UserId": account.id, "Arn": account.root_arn,
                             "CreateDate": self.date(account.created)}}
        self.allow(req, "iam:GetUser", self.arn_for(account, "user", name), account)
        user = self.user_of(account, name)
        req.step("IAM", f"Read user {user.name}", 1.0)
        return {"User": self.user_shape(user)}

    @iam_operation
    def list_users(self, req: Request, PathPrefix: str = "/", Marker=None, MaxItems=None):
        account = self.acct(req)
        self.allow(req, "iam:ListUsers", f"arn:aws:iam::{account.id}:user{PathPrefix}", account)
        users = [u for u in self.by_name(account.users.values()) if u.path.startswith(PathPrefix)]
        chunk, extra = self.page(req, users, Marker, MaxItems)
        req.step("IAM", f"List users under {PathPrefix}: {len(chunk)}", 1.0)
        return {"Users": [self.user_shape(u, listing=True) for u in chunk], **extra}

    @iam_operation
    def update_user(self, req: Request, UserName: str, NewPath: str | None = None,
                    NewUserName: str | None = None):
        account = self.acct(req)
        self.allow(req, "iam:UpdateUser", self.arn_for(account, "user", UserName), account)
        user = self.user_of(account, UserName)
        name, path = NewUserName or user.name, NewPath or user.path
        new_arn = self.entity_arn(account, "user", name, path)
        if new_arn != user.arn:     # renaming needs permission on the target too
            self.allow(req, "iam:UpdateUser", new_arn, account)
        other = account.users.get(name.lower())
        if other is not None and other is not user:
            raise errors.EntityAlreadyExists(f"User with name {name} already exists.")
        del account.users[user.name.lower()]
        for key in self.keys.values():
            if key.account == account.id and key.user == user.name:
                key.user = name
        user.name, user.path, user.arn = name, path, new_arn
        account.users[name.lower()] = user
        self.changed()
        req.step("IAM", f"Rename user {UserName} to {name} (path {path})", 3.0, arn=new_arn)
        return {}

    @iam_operation
    def delete_user(self, req: Request, UserName: str):
        account = self.acct(req)
        self.allow(req, "iam:DeleteUser", self.arn_for(account, "user", UserName), account)
        user = self.user_of(account, UserName)
        for present, what in ((user.login_profile, "delete login profile"),
                              (user.access_keys, "delete access keys"),
                              (user.mfa_devices, "delete MFA device"),
                              (user.inline, "delete policies"),
                              (user.attached, "detach all policies"),
                              (user.groups, "remove users from group")):
            if present:
                raise errors.DeleteConflict(f"Cannot delete entity, must {what} first.")
        del account.users[user.name.lower()]
        self.changed()
        req.step("IAM", f"Delete user {user.name}", 3.0, arn=user.arn)
        return {}

    # -- access keys ------------------------------------------------------------------------
    def _key_owner(self, req: Request, UserName: str | None, action: str):
        """(account, user or None for the root user, ARN authorized) for an access-key call."""
        account = self.acct(req)
        name = self.caller_user_name(req, UserName)
        if name is None:
            self.allow(req, action, account.root_arn, account)
            return account, None
        self.allow(req, action, self.arn_for(account, "user", name), account)
        return account, self.user_of(account, name)

    def _keys_of(self, account, user) -> list[AccessKey]:
        if user is not None:
            return [self.keys[k] for k in user.access_keys]
        return [k for k in self.keys.values() if k.account == account.id and k.user is None]

    def _key_of(self, account, user, key_id: str) -> AccessKey:
        for key in self._keys_of(account, user):
            if key.id == key_id:
                return key
        raise errors.NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")

    @staticmethod
    def _key_shape(key: AccessKey, date) -> dict:
        out = {"AccessKeyId": key.id, "Status": key.status, "CreateDate": date(key.created)}
        if key.user is not None:
            out = {"UserName": key.user, **out}
        return out

    @iam_operation
    def create_access_key(self, req: Request, UserName: str | None = None):
        account, user = self._key_owner(req, UserName, "iam:CreateAccessKey")
        if len(self._keys_of(account, user)) >= ACCESS_KEYS_PER_USER:
            raise errors.LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: "
                                       f"{ACCESS_KEYS_PER_USER}")
        ids = self.cloud.ids
        key = AccessKey(ids.access_key_id(), ids.secret_access_key(), account.id,
                        user.name if user else None, self.now)
        self.keys[key.id] = key
        if user is not None:
            user.access_keys.append(key.id)
        self.changed()
        owner = user.name if user else "the root user"
        req.step("IAM", f"Issue access key {key.id} to {owner}", 2.0, access_key_id=key.id)
        return {"AccessKey": {**self._key_shape(key, self.date), "SecretAccessKey": key.secret}}

    @iam_operation
    def list_access_keys(self, req: Request, UserName: str | None = None, Marker=None,
                         MaxItems=None):
        account, user = self._key_owner(req, UserName, "iam:ListAccessKeys")
        keys = sorted(self._keys_of(account, user), key=lambda k: (k.created, k.id))
        chunk, extra = self.page(req, keys, Marker, MaxItems)
        req.step("IAM", f"List access keys of {user.name if user else 'the root user'}", 1.0)
        return {"AccessKeyMetadata": [self._key_shape(k, self.date) for k in chunk], **extra}

    @iam_operation
    def update_access_key(self, req: Request, AccessKeyId: str, Status: str,
                          UserName: str | None = None):
        account, user = self._key_owner(req, UserName, "iam:UpdateAccessKey")
        key = self._key_of(account, user, AccessKeyId)
        if Status not in ("Active", "Inactive"):
            raise errors.InvalidInput(f"Access key status {Status} cannot be set; use Active "
                                      "or Inactive.")            # wording unconfirmed
        key.status = Status
        self.changed()
        req.step("IAM", f"Mark access key {key.id} {Status}", 2.0, access_key_id=key.id)
        return {}

    @iam_operation
    def delete_access_key(self, req: Request, AccessKeyId: str, UserName: str | None = None):
        account, user = self._key_owner(req, UserName, "iam:DeleteAccessKey")
        key = self._key_of(account, user, AccessKeyId)
        del self.keys[key.id]
        if user is not None:
            user.access_keys.remove(key.id)
        self.changed()
        req.step("IAM", f"Delete access key {key.id}", 2.0, access_key_id=key.id)
        return {}

    @iam_operation
    def get_access_key_last_used(self, req: Request, AccessKeyId: str):
        account = self.acct(req)
        key = self.keys.get(AccessKeyId)
        if key is None or key.account != account.id:
            # the operation has no NoSuchEntity error: AWS answers keys you cannot see with
            # AccessDenied (wording unconfirmed)
            raise errors.AccessDenied(f"User: {req.principal.arn} is not authorized to perform: "
                                      f"iam:GetAccessKeyLastUsed on resource: {AccessKeyId}")
        owner = account.root_arn if key.user is None else account.users[key.user.lower()].arn
        self.allow(req, "iam:GetAccessKeyLastUsed", owner, account)
        if key.last_used is None:
            used = {"ServiceName": "N/A", "Region": "N/A"}
        else:
            used = {"LastUsedDate": self.date(key.last_used), "ServiceName": key.last_used_service,
                    "Region": key.last_used_region}
        req.step("IAM", f"Read last use of access key {key.id}", 1.0)
        out = {"AccessKeyLastUsed": used}
        if key.user is not None:
            out["UserName"] = key.user
        return out

    # -- login profiles ---------------------------------------------------------------------
    def _profile_user(self, req: Request, UserName: str | None, action: str) -> User:
        account = self.acct(req)
        name = self.caller_user_name(req, UserName)
        if name is None:
            raise errors.InvalidInput("The root user's password is not managed through IAM; "
                                      "pass UserName.")          # awskit's wording
        self.allow(req, action, self.arn_for(account, "user", name), account)
        return self.user_of(account, name)

    def _profile_shape(self, user: User) -> dict:
        return {"UserName": user.name, "CreateDate": self.date(user.login_profile["created"]),
                "PasswordResetRequired": user.login_profile["reset_required"]}

    @iam_operation
    def create_login_profile(self, req: Request, UserName: str | None = None,
                             Password: str | None = None, PasswordResetRequired: bool = False):
        user = self._profile_user(req, UserName, "iam:CreateLoginProfile")
        if user.login_profile is not None:
            raise errors.EntityAlreadyExists(f"Login Profile for user {user.name} already exists.")
        user.login_profile = {"created": self.now, "reset_required": bool(PasswordResetRequired)}
        self.changed()
        req.step("IAM", f"Create a console password for {user.name}", 3.0)
        return {"LoginProfile": self._profile_shape(user)}

    @iam_operation
    def get_login_profile(self, req: Request, UserName: str | None = None):
        user = self._profile_user(req, UserName, "iam:GetLoginProfile")
        if user.login_profile is None:
            raise errors.NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
        req.step("IAM", f"Read the login profile of {user.name}", 1.0)
        return {"LoginProfile": self._profile_shape(user)}

    @iam_operation
    def delete_login_profile(self, req: Request, UserName: str | None = None):
        user = self._profile_user(req, UserName, "iam:DeleteLoginProfile")
        if user.login_profile is None:
            raise errors.NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
        user.login_profile = None
        self.changed()
        req.step("IAM", f"Delete the console password of {user.name}", 2.0)
        return {}

    # -- tags -------------------------------------------------------------------------------
    @iam_operation
    def tag_user(self, req: Request, UserName: str, Tags):
        account = self.acct(req)
        user = account.users.get(UserName.lower())
        keys = {**self.request_tag_keys(Tags), **self.resource_tag_keys(user)}
        self.allow(req, "iam:TagUser", self.arn_for(account, "user", UserName), account, keys)
        user = self.user_of(account, UserName)
        user.tags = self.merge_tags(user, Tags)
        self.changed()
        req.step("IAM", f"Tag user {user.name}: {', '.join(t['Key'] for t in Tags)}", 2.0)
        return {}

    @iam_operation
    def untag_user(self, req: Request, UserName: str, TagKeys):
        account = self.acct(req)
        user = account.users.get(UserName.lower())
        keys = {"aws:TagKeys": list(TagKeys), **self.resource_tag_keys(user)}
        self.allow(req, "iam:UntagUser", self.arn_for(account, "user", UserName), account, keys)
        user = self.user_of(account, UserName)
        drop = {k.lower() for k in TagKeys}
        user.tags = [t for t in user.tags if t["Key"].lower() not in drop]
        self.changed()
        req.step("IAM", f"Untag user {user.name}: {', '.join(TagKeys)}", 2.0)
        return {}

    @iam_operation
    def list_user_tags(self, req: Request, UserName: str, Marker=None, MaxItems=None):
        account = self.acct(req)
        self.allow(req, "iam:ListUserTags", self.arn_for(account, "user", UserName), account)
        user = self.user_of(account, UserName)
        chunk, extra = self.page(req, user.tags, Marker, MaxItems)
        req.step("IAM", f"List the tags of user {user.name}", 1.0)
        return {"Tags": [dict(t) for t in chunk], **extra}
