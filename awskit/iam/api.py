"""The IAM API: users, groups, roles, policies and access keys, as boto3's ``iam`` client sees them.

IAM is a global service (no Region in its ARNs; its endpoint lives in us-east-1). It speaks
the query protocol: policy documents travel URL-encoded and botocore decodes them into dicts,
so both fronts hand the student a dict.
"""

from __future__ import annotations

from urllib.parse import quote

from .. import errors
from ..clock import EPOCH
from ..service import Request, Service, operation
from .auth import IAMModel
from .model import AccessKey, AccountIAM, ManagedPolicy, PolicyVersion, User
from .policy import Policy


def encode_document(policy) -> str:
    """A policy document as IAM returns it: the JSON text, URL-encoded."""
    return quote(policy.text, safe="")


class IAM(IAMModel, Service):
    """AWS Identity and Access Management."""

    service_name = "iam"
    title = "IAM"
    front_component = "IAM API"
    is_global = True

    def __init__(self, cloud):
        Service.__init__(self, cloud)
        self._init_model()

    # -- helpers ----------------------------------------------------------------------------
    def when(self, elapsed: float):
        from datetime import timedelta
        return EPOCH + timedelta(seconds=elapsed)

    def acct(self, req: Request) -> AccountIAM:
        return self.accounts[req.account]

    def user_of(self, account: AccountIAM, name: str) -> User:
        user = account.users.get(name.lower())
        if user is None:
            raise errors.NoSuchEntity(f"The user with name {name} cannot be found.")
        return user

    def user_shape(self, user: User) -> dict:
        out = {"Path": user.path, "UserName": user.name, "UserId": user.user_id, "Arn": user.arn,
               "CreateDate": self.when(user.created)}
        if user.boundary:
            out["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                          "PermissionsBoundaryArn": user.boundary}
        if user.tags:
            out["Tags"] = [dict(t) for t in user.tags]
        return out

    def check_path(self, path: str) -> None:
        if not (path.startswith("/") and path.endswith("/")) or len(path) > 512:
            raise errors.ValidationError(
                "The specified value for path is invalid. It must begin and end with / and "
                "contain only alphanumeric characters and/or / characters.")

    # -- users (a first slice; the rest of the IAM API lives beside these) -------------------
    @operation
    def create_user(self, req: Request, UserName: str, Path: str = "/", Tags=None,
                    PermissionsBoundary: str | None = None):
        account = self.acct(req)
        arn = f"arn:aws:iam::{account.id}:user{Path}{UserName}"
        req.authorize("iam:CreateUser", arn)
        self.check_path(Path)
        if UserName.lower() in account.users:
            raise errors.EntityAlreadyExists(f"User with name {UserName} already exists.")
        user = User(UserName, Path, arn, self.cloud.ids.unique_id("AIDA"), self.cloud.clock.elapsed,
                    tags=[dict(t) for t in Tags or []], boundary=PermissionsBoundary)
        account.users[UserName.lower()] = user
        self.changed()
        req.step("IAM", f"Store user {UserName}", 3.0, arn=arn)
        return {"User": self.user_shape(user)}

    @operation
    def get_user(self, req: Request, UserName: str | None = None):
        account = self.acct(req)
        if UserName is None:
            if req.principal.kind == "root":
                req.step("IAM", "Look up the caller (root user)", 1.0)
                return {"User": {"Path": "/", "UserName": "", "UserId": account.id,
                                 "Arn": account.root_arn, "CreateDate": self.when(account.created)}}
            UserName = req.principal.name
        user = self.user_of(account, UserName)
        req.authorize("iam:GetUser", user.arn)
        return {"User": self.user_shape(user)}

    @operation
    def create_access_key(self, req: Request, UserName: str | None = None):
        account = self.acct(req)
        if UserName is None and req.principal.kind == "user":
            UserName = req.principal.name
        if UserName is None:
            raise errors.ValidationError("awskit gives root access keys out with the account; "
                                         "use cloud.iam.root_credentials(account)")
        user = self.user_of(account, UserName)
        req.authorize("iam:CreateAccessKey", user.arn)
        if len(user.access_keys) >= 2:
            raise errors.LimitExceeded("Cannot exceed quota for AccessKeysPerUser: 2")
        ids = self.cloud.ids
        key = AccessKey(ids.access_key_id(), ids.secret_access_key(), account.id, user.name,
                        self.cloud.clock.elapsed)
        self.keys[key.id] = key
        user.access_keys.append(key.id)
        self.changed()
        req.step("IAM", f"Issue access key {key.id} to {user.name}", 2.0, access_key_id=key.id)
        return {"AccessKey": {"UserName": user.name, "AccessKeyId": key.id, "Status": key.status,
                              "SecretAccessKey": key.secret, "CreateDate": self.when(key.created)}}

    @operation
    def put_user_policy(self, req: Request, UserName: str, PolicyName: str, PolicyDocument: str):
        account = self.acct(req)
        user = self.user_of(account, UserName)
        req.authorize("iam:PutUserPolicy", user.arn)
        policy = Policy.parse(PolicyDocument, kind="identity")
        user.inline[PolicyName] = policy
        self.changed()
        req.step("IAM", f"Store inline policy {PolicyName} on user {UserName}", 3.0)
        return {}

    # -- state ------------------------------------------------------------------------------
    def state(self) -> dict:
        from .persist import dump_iam
        return dump_iam(self)

    def load_state(self, data: dict) -> None:
        from .persist import load_iam
        load_iam(self, data)

    def add_to_graph(self, graph) -> None:
        from .persist import graph_iam
        graph_iam(self, graph)
