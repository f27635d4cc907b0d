"""IAM's state: accounts, principals, policies and credentials, and how a request is judged.

What AWS does: every signed request names an access key; IAM maps it to a principal (the
account's root user, an IAM user, or a role session from STS), gathers the policies that
apply to that principal and evaluates them, together with the resource's own policy, as
documented in the IAM User Guide (policy evaluation logic; see ``shared/facts/platform.md``).

What we simplify: names are unique per account ignoring case, as in IAM; every account's root
user has an access key (AWS advises against root keys, but boto3 needs credentials and a
student needs a first caller); MFA is a flag on a session rather than a device protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from ..clock import EPOCH

PARTITION = "aws"


def iso(elapsed: float) -> str:
    """ISO 8601 UTC (seconds precision, ``Z``) for a clock reading, as IAM condition keys use."""
    return (EPOCH + timedelta(seconds=elapsed)).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------
# Principals: who a request acts as
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request.

    ``kind`` is ``"root"``, ``"user"``, ``"assumed-role"`` or ``"anonymous"``; ``user_id`` is
    the value of ``aws:userid`` (account id for root, ``AIDA...`` for a user,
    ``AROA...:session`` for a role session).
    """

    kind: str
    arn: str
    account: str | None
    name: str
    user_id: str
    role_arn: str | None = None
    access_key_id: str | None = None
    session_key: str | None = None   # the STS session behind an assumed-role principal

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    @property
    def principal_type(self) -> str:
        """``aws:PrincipalType``: Account, User, AssumedRole or Anonymous."""
        return {"root": "Account", "user": "User", "assumed-role": "AssumedRole",
                "anonymous": "Anonymous"}[self.kind]

    def __str__(self) -> str:
        return self.arn


ANONYMOUS = Principal("anonymous", "*", None, "anonymous", "anonymous")


# --------------------------------------------------------------------------------------------
# Entities
# --------------------------------------------------------------------------------------------
@dataclass
class AccessKey:
    id: str
    secret: str
    account: str
    user: str | None            # IAM user name; None for the root user's key
    created: float
    status: str = "Active"      # Active | Inactive
    last_used: float | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None


@dataclass
class PolicyVersion:
    version_id: str             # "v1", "v2", ...
    document: object            # awskit.iam.policy.Policy
    created: float
    is_default: bool = False


@dataclass
class ManagedPolicy:
    name: str
    path: str
    arn: str
    policy_id: str
    created: float
    updated: float
    versions: dict[str, PolicyVersion] = field(default_factory=dict)
    default_version: str = "v1"
    description: str = ""
    tags: list[dict] = field(default_factory=list)
    aws_managed: bool = False
    next_version: int = 2

    @property
    def document(self):
        return self.versions[self.default_version].document


@dataclass
class User:
    name: str
    path: str
    arn: str
    user_id: str
    created: float
    inline: dict[str, object] = field(default_factory=dict)     # policy name -> Policy
    attached: list[str] = field(default_factory=list)           # managed policy ARNs
    groups: list[str] = field(default_factory=list)             # group names
    access_keys: list[str] = field(default_factory=list)        # access key ids
    tags: list[dict] = field(default_factory=list)
    boundary: str | None = None                                  # permissions boundary ARN
    login_profile: dict | None = None                            # {"created", "reset_required"}
    mfa_devices: list[dict] = field(default_factory=list)


@dataclass
class Group:
    name: str
    path: str
    arn: str
    group_id: str
    created: float
    inline: dict[str, object] = field(default_factory=dict)
    attached: list[str] = field(default_factory=list)


@dataclass
class Role:
    name: str
    path: str
    arn: str
    role_id: str
    created: float
    trust: object                                                # Policy (kind "trust")
    description: str = ""
    max_session_duration: int = 3600
    inline: dict[str, object] = field(default_factory=dict)
    attached: list[str] = field(default_factory=list)
    tags: list[dict] = field(default_factory=list)
    boundary: str | None = None
    last_used: float | None = None
    last_used_region: str | None = None


@dataclass
class Session:
    """Temporary credentials from STS (AssumeRole / GetSessionToken)."""

    access_key_id: str
    secret: str
    token: str
    account: str
    arn: str                     # arn:aws:sts::<acct>:assumed-role/<role>/<session>
    user_id: str                 # AROA...:<session>
    role_arn: str | None
    role_name: str | None
    session_name: str
    issued: float
    expires: float
    policies: list = field(default_factory=list)      # session policies (Policy objects)
    policy_arns: list[str] = field(default_factory=list)
    mfa: bool = False
    source_identity: str | None = None
    tags: list[dict] = field(default_factory=list)
    transitive: list[str] = field(default_factory=list)   # transitive session tag keys


@dataclass
class AccountIAM:
    """One account's IAM: its root user and every IAM entity in it."""

    id: str
    root_key: AccessKey
    created: float
    users: dict[str, User] = field(default_factory=dict)         # lower-case name -> User
    groups: dict[str, Group] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)   # ARN -> customer managed
    alias: str | None = None

    @property
    def root_arn(self) -> str:
        return f"arn:{PARTITION}:iam::{self.id}:root"
