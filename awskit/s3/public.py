"""Bucket policies as S3 checks them, and what S3 calls "public".

**Validation.** ``PutBucketPolicy`` parses the document with the IAM policy engine
(``Policy.parse(text, kind="resource")``) and then runs S3's own checks, answering
400 ``MalformedPolicy`` with S3's wording (messages as S3 returns them, quoted in public issue
trackers, e.g. aws-samples/aws-serverless-appsync-app#4, versity/versitygw#645-650,
aws-amplify/docs#7799):

- "Policies must be valid JSON and the first byte must be '{'" (the text does not start with
  ``{``; other JSON faults keep the engine's "This policy contains invalid Json");
- "Invalid principal in policy" (a malformed principal, or an IAM user/role that does not
  exist in this cloud: S3 resolves principals when it stores a policy);
- "Invalid effect: <value>";
- "Policy has invalid action" (not an ``s3:`` action S3 knows);
- "Policy has invalid resource" (a Resource that is neither this bucket nor its objects);
- "Action does not apply to any resource(s) in statement" (every action of a statement must
  apply to one of its resources: ``s3:GetObject`` needs ``arn:aws:s3:::bucket/...``,
  ``s3:ListBucket`` needs ``arn:aws:s3:::bucket``);
- "Policy has an invalid condition key" (an ``s3:`` key S3 does not define; S3 accepts any
  ``aws:`` key, as observed by the maintainers of scality/cloudserver);
- bucket policies are limited to 20 KB (S3 User Guide, "Adding a bucket policy"); the wording
  "Policy exceeds the maximum allowed document size." is **unconfirmed** (it is MinIO's).

Action and condition-key catalogues follow the Service Authorization Reference ("Actions,
resources, and condition keys for Amazon S3"); S3 Express, Outposts and S3 Tables actions are
left out.

**Public.** S3 User Guide, "Blocking public access to your Amazon S3 storage", section
"The meaning of 'public'": S3 starts by assuming a bucket policy is public; a policy is
non-public only if every ``Allow`` statement grants access to fixed values (no wildcard, no
policy variable) of a principal (an account, user, role or service principal) or of one of
these condition keys: ``aws:SourceIp`` (CIDRs no broader than /8 for IPv4 and /32 for IPv6),
``aws:SourceArn``, ``aws:SourceVpc``, ``aws:SourceVpce``, ``aws:SourceOwner``,
``aws:SourceAccount``, ``s3:x-amz-server-side-encryption-aws-kms-key-id``, ``aws:userid``
(outside the pattern ``AROLEID:*``), ``s3:DataAccessPointArn`` (the access point name may be a
wildcard when the account is fixed), ``s3:DataAccessPointAccount``, and the principal keys
``aws:PrincipalOrgID``, ``aws:PrincipalAccount``, ``aws:PrincipalArn`` (the guide cites
``aws:PrincipalOrgID`` as an example of a principal). A ``Federated`` principal is public (the
guide's first example). Simplified: a condition counts as pinning only under a positive
operator (``StringEquals``, ``StringEqualsIgnoreCase``, ``StringLike``/``ArnLike``/``ArnEquals``
without wildcards, ``IpAddress``), not with ``...IfExists`` or ``ForAllValues:``, which are
true when the key is missing.

**ACLs.** An ACL is public if it grants anything to the ``AllUsers`` or
``AuthenticatedUsers`` groups (same guide): the canned ACLs ``public-read``,
``public-read-write`` and ``authenticated-read``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from functools import lru_cache

from .. import errors
from ..iam.policy import Policy

MAX_POLICY_BYTES = 20 * 1024

PUBLIC_CANNED_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GROUP_URIS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                     "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")

OBJECT_ACTIONS = frozenset("""
AbortMultipartUpload BypassGovernanceRetention DeleteObject DeleteObjectTagging
DeleteObjectVersion DeleteObjectVersionTagging GetObject GetObjectAcl GetObjectAttributes
GetObjectLegalHold GetObjectRetention GetObjectTagging GetObjectTorrent GetObjectVersion
GetObjectVersionAcl GetObjectVersionAttributes GetObjectVersionForReplication
GetObjectVersionTagging GetObjectVersionTorrent InitiateReplication ListMultipartUploadParts
ObjectOwnerOverrideToBucketOwner PutObject PutObjectAcl PutObjectLegalHold PutObjectRetention
PutObjectTagging PutObjectVersionAcl PutObjectVersionTagging ReplicateDelete ReplicateObject
ReplicateTags RestoreObject
""".split())
BUCKET_ACTIONS = frozenset("""
CreateBucket CreateBucketMetadataTableConfiguration DeleteBucket
DeleteBucketMetadataTableConfiguration DeleteBucketOwnershipControls DeleteBucketPolicy
DeleteBucketWebsite GetAccelerateConfiguration GetAnalyticsConfiguration GetBucketAcl
GetBucketCORS GetBucketLocation GetBucketLogging GetBucketMetadataTableConfiguration
GetBucketNotification GetBucketObjectLockConfiguration GetBucketOwnershipControls
GetBucketPolicy GetBucketPolicyStatus GetBucketPublicAccessBlock GetBucketRequestPayment
GetBucketTagging GetBucketVersioning GetBucketWebsite GetEncryptionConfiguration
GetIntelligentTieringConfiguration GetInventoryConfiguration GetLifecycleConfiguration
GetMetricsConfiguration GetReplicationConfiguration ListBucket ListBucketMultipartUploads
ListBucketVersions PutAccelerateConfiguration PutAnalyticsConfiguration PutBucketAcl
PutBucketCORS PutBucketLogging PutBucketNotification PutBucketObjectLockConfiguration
PutBucketOwnershipControls PutBucketPolicy PutBucketPublicAccessBlock PutBucketRequestPayment
PutBucketTagging PutBucketVersioning PutBucketWebsite PutEncryptionConfiguration
PutIntelligentTieringConfiguration PutInventoryConfiguration PutLifecycleConfiguration
PutMetricsConfiguration PutReplicationConfiguration
""".split())
#: actions on the account, access points, jobs or Storage Lens: never on a bucket or object ARN
OTHER_ACTIONS = frozenset("""
CreateAccessPoint CreateJob DeleteAccessPoint DeleteAccessPointPolicy DeleteJobTagging
DeleteStorageLensConfiguration DescribeJob GetAccessPoint GetAccessPointPolicy
GetAccessPointPolicyStatus GetAccountPublicAccessBlock GetStorageLensConfiguration ListAccessPoints
ListAllMyBuckets ListJobs ListStorageLensConfigurations PutAccessPointPolicy
PutAccountPublicAccessBlock PutJobTagging PutStorageLensConfiguration UpdateJobPriority
UpdateJobStatus
""".split())
_ALL_ACTIONS = {a.lower(): a for a in OBJECT_ACTIONS | BUCKET_ACTIONS | OTHER_ACTIONS}

S3_CONDITION_KEYS = frozenset(k.lower() for k in """
s3:AccessGrantsInstanceArn s3:AccessPointNetworkOrigin s3:authType s3:DataAccessPointAccount
s3:DataAccessPointArn s3:delimiter s3:ExistingJobOperation s3:ExistingJobPriority s3:if-match
s3:if-none-match s3:InventoryAccessibleOptionalFields s3:JobSuspendedCause
s3:LocationConstraint s3:max-keys s3:object-lock-legal-hold s3:object-lock-mode
s3:object-lock-remaining-retention-days s3:object-lock-retain-until-date
s3:ObjectCreationOperation s3:prefix s3:RequestJobOperation s3:RequestJobPriority
s3:RequestObjectTagKeys s3:ResourceAccount s3:signatureAge s3:signatureversion s3:TlsVersion
s3:versionid s3:x-amz-acl s3:x-amz-content-sha256 s3:x-amz-copy-source
s3:x-amz-grant-full-control s3:x-amz-grant-read s3:x-amz-grant-read-acp s3:x-amz-grant-write
s3:x-amz-grant-write-acp s3:x-amz-metadata-directive s3:x-amz-object-ownership
s3:x-amz-server-side-encryption s3:x-amz-server-side-encryption-aws-kms-key-id
s3:x-amz-server-side-encryption-customer-algorithm s3:x-amz-storage-class
s3:x-amz-website-redirect-location
""".split())
S3_CONDITION_PREFIXES = ("s3:existingobjecttag/", "s3:requestobjecttag/", "s3:buckettag/")

#: condition keys whose fixed value makes an Allow to everyone non-public (lower-case)
PINNING_KEYS = frozenset(k.lower() for k in (
    "aws:SourceIp", "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceOwner",
    "aws:SourceAccount", "s3:x-amz-server-side-encryption-aws-kms-key-id", "aws:userid",
    "s3:DataAccessPointArn", "s3:DataAccessPointAccount", "aws:PrincipalOrgID",
    "aws:PrincipalAccount", "aws:PrincipalArn"))
_PINNING_OPERATORS = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike",
                                "ArnEquals", "ArnLike", "IpAddress"})
_ROLE_SESSIONS = re.compile(r"AROA[A-Z0-9]+:\*")
_ACCESS_POINTS = re.compile(r"arn:aws[a-z-]*:s3:[a-z0-9-]+:\d{12}:accesspoint/.*")
_S3_ARN = re.compile(r"arn:(aws[a-z-]*):s3:([^:]*):([^:]*):(.*)", re.S)


def malformed(message: str) -> errors.AWSError:
    return errors.MalformedPolicy(message)


# -- validation ---------------------------------------------------------------------------------
def parse_bucket_policy(text, bucket_name: str, iam) -> Policy:
    """Parse ``text`` as a bucket policy of ``bucket_name``; raise MalformedPolicy as S3 does."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not text.lstrip().startswith("{"):
        raise malformed("Policies must be valid JSON and the first byte must be '{'")
    try:
        raw = json.loads(text)
    except ValueError:
        raw = None
    if isinstance(raw, dict):
        if len(json.dumps(raw, separators=(",", ":")).encode()) > MAX_POLICY_BYTES:
            raise malformed("Policy exceeds the maximum allowed document size.")
        statements = raw.get("Statement")
        for item in statements if isinstance(statements, list) else [statements]:
            effect = item.get("Effect") if isinstance(item, dict) else None
            if isinstance(effect, str) and effect not in ("Allow", "Deny"):
                raise malformed(f"Invalid effect: {effect}")
    try:
        policy = Policy.parse(text, kind="resource")
    except errors.AWSError as exc:
        message = exc.message
        if message.startswith("Invalid principal in policy"):
            message = "Invalid principal in policy"
        raise malformed(message) from None
    for st in policy.statements:
        _check_principals(st, iam)
    for st in policy.statements:
        _check_statement(st, bucket_name)
    return policy


def _check_principals(st, iam) -> None:
    principal = st.principal if st.principal is not None else st.not_principal
    if not isinstance(principal, dict):
        return
    for arn in principal.get("AWS", ()):
        parts = arn.split(":", 5)
        if len(parts) < 6 or parts[2] != "iam" or parts[5] == "root":
            continue
        kind, _, path = parts[5].partition("/")
        name = path.rsplit("/", 1)[-1].lower()
        account = iam.accounts.get(parts[4])
        entities = None if account is None else (account.users if kind == "user" else account.roles)
        if entities is None or name not in entities:
            raise malformed("Invalid principal in policy")


def _resource_kinds(pattern: str, bucket_name: str) -> set[str]:
    """Which of {"bucket", "object"} a Resource pattern can name in this bucket."""
    if pattern == "*":
        return {"bucket", "object"}
    match = _S3_ARN.fullmatch(pattern)
    if match is None or match.group(2) or match.group(3):
        return set()
    rest = match.group(4)
    kinds = set()
    if "/" in rest:
        if _wild(rest.split("/", 1)[0]).fullmatch(bucket_name):
            kinds.add("object")
        return kinds
    regex = _wild(rest)
    if regex.fullmatch(bucket_name):
        kinds.add("bucket")
    if regex.fullmatch(bucket_name + "/key"):
        kinds.add("object")
    return kinds


@lru_cache(maxsize=1024)
def _wild(pattern: str) -> re.Pattern:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in pattern), re.S)


def _actions_named(action: str) -> list[str] | None:
    """The S3 actions an Action entry names (case-insensitive, wildcards expanded)."""
    if action == "*":
        return list(_ALL_ACTIONS.values())
    vendor, _, name = action.partition(":")
    if vendor.lower() != "s3" or not name:
        return None
    if "*" in name or "?" in name:
        regex = _wild(name.lower())
        hits = [a for low, a in _ALL_ACTIONS.items() if regex.fullmatch(low)]
        return hits or None
    hit = _ALL_ACTIONS.get(name.lower())
    return [hit] if hit else None


def _applies(action: str, kinds: set[str]) -> bool:
    return ("object" in kinds and action in OBJECT_ACTIONS) or \
        ("bucket" in kinds and action in BUCKET_ACTIONS)


def _check_statement(st, bucket_name: str) -> None:
    named = []
    for action in st.action if st.action is not None else st.not_action:
        actions = _actions_named(action)
        if actions is None:
            raise malformed("Policy has invalid action")
        named.append(actions)
    kinds: set[str] = set()
    for pattern in st.resource if st.resource is not None else st.not_resource:
        found = _resource_kinds(pattern, bucket_name)
        if not found:
            raise malformed("Policy has invalid resource")
        kinds |= found
    if st.not_resource is not None:
        kinds = {"bucket", "object"}
    if st.action is not None:
        for actions in named:
            if not any(_applies(a, kinds) for a in actions):
                raise malformed("Action does not apply to any resource(s) in statement")
    for block in (st.condition or {}).values():
        for key in block:
            low = key.lower()
            if low.startswith("aws:"):
                continue
            if low in S3_CONDITION_KEYS or low.startswith(S3_CONDITION_PREFIXES):
                continue
            raise malformed("Policy has an invalid condition key")


# -- what "public" means -----------------------------------------------------------------------
def _fixed(value: str) -> bool:
    return not any(c in value for c in "*?") and "${" not in value


def _pins(operator: str, key: str, values: list[str]) -> bool:
    """Does one condition clause limit the statement to fixed values of a pinning key?"""
    if ":" in operator.replace("ForAnyValue:", "") or operator.endswith("IfExists"):
        return False
    base = operator.replace("ForAnyValue:", "")
    if base not in _PINNING_OPERATORS or not values:
        return False
    key = key.lower()
    if key not in PINNING_KEYS:
        return False
    if key == "aws:sourceip":
        if base != "IpAddress":
            return False
        for value in values:
            try:
                net = ipaddress.ip_network(value.strip(), strict=False)
            except ValueError:
                return False
            if net.prefixlen < (8 if net.version == 4 else 32):
                return False
        return True
    if base == "IpAddress":
        return False
    for value in values:
        if key == "aws:userid" and _ROLE_SESSIONS.fullmatch(value):
            continue
        if key == "s3:dataaccesspointarn" and _ACCESS_POINTS.fullmatch(value):
            continue
        if not _fixed(value):
            return False
    return True


def statement_is_public(st) -> bool:
    """An Allow statement that grants access to anyone (S3's definition, module docstring)."""
    if st.effect != "Allow":
        return False
    if st.not_principal is not None:
        open_to_all = True
    else:
        principal = st.principal
        open_to_all = principal == "*" or bool(principal.get("Federated")) or any(
            not _fixed(v) for v in principal.get("AWS", ()))
    if not open_to_all:
        return False
    for operator, block in (st.condition or {}).items():
        for key, values in block.items():
            if _pins(operator, key, values):
                return False
    return True


@lru_cache(maxsize=512)
def _public_text(text: str) -> bool:
    policy = Policy.parse(text, kind="resource")
    return any(statement_is_public(st) for st in policy.statements)


def is_public(policy) -> bool:
    """Is this bucket policy public? (``GetBucketPolicyStatus``'s ``IsPublic``)"""
    return policy is not None and _public_text(policy.text)


@lru_cache(maxsize=512)
def _restricted(text: str, same_account: bool) -> Policy:
    policy = Policy.parse(text, kind="resource")
    kept = [st for st in policy.statements
            if st.effect == "Deny" or (same_account and not statement_is_public(st))]
    return Policy(policy.text, policy.to_dict(), policy.kind, kept)


def restricted_policy(policy, same_account: bool) -> Policy:
    """The bucket policy as ``RestrictPublicBuckets`` lets it act on a public bucket.

    Only AWS service principals and authorized users of the bucket owner's account keep
    access: every Deny stays; for callers of the owner's account the non-public Allow
    statements stay; for anyone else (anonymous callers, other accounts) no Allow stays,
    "including non-public delegation to specific accounts" (User Guide, module docstring).
    """
    return _restricted(policy.text, same_account)


def acl_is_public(acl: str | None = None, grants: dict | None = None) -> bool:
    """Does a canned ACL (or x-amz-grant-* headers) grant to AllUsers / AuthenticatedUsers?"""
    if acl in PUBLIC_CANNED_ACLS:
        return True
    return any(uri in (value or "") for value in (grants or {}).values()
               for uri in PUBLIC_GROUP_URIS)
