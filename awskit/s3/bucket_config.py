"""Bucket configuration: bucket policy, Block Public Access, default encryption, object
ownership, bucket tagging and the (read-only) ACLs.

What AWS does (botocore 1.43.11 S3 model, operation docs; S3 User Guide):

- **Bucket policy.** Only identities of the bucket owner's account may get, put or delete the
  policy: one from another account that IAM allows gets 405 ``MethodNotAllowed``. To keep
  owners from locking themselves out, the *root user of the owner's account* may always get,
  put and delete it, "even if their bucket policy explicitly denies the root principal's
  access" (PutBucketPolicy/GetBucketPolicy/DeleteBucketPolicy docs). A new policy is checked by
  ``public.parse_bucket_policy``; ``GetBucketPolicy`` returns the text exactly as stored.
- **Block Public Access** (facts B9): four booleans, all on for new buckets since April 2023.
  ``BlockPublicPolicy`` makes ``PutBucketPolicy`` of a public policy fail with 403
  AccessDenied; ``RestrictPublicBuckets`` limits a public bucket policy to service principals
  and the owner's account (applied in ``S3.authorize`` through
  :meth:`BucketConfigOperations.effective_bucket_policy`); ``BlockPublicAcls`` refuses a
  request carrying a public ACL with 403 AccessDenied (PutObject, CreateMultipartUpload,
  CopyObject: :meth:`public_acl_blocked`); ``IgnorePublicAcls`` ignores public ACLs. Simplified:
  awskit stores no ACL grants, so an accepted public ACL never grants access whatever
  ``IgnorePublicAcls`` says, and CreateBucket does not check its ACL against Block Public
  Access. Deleting the configuration turns all four off for the bucket (account-level
  settings, an ``s3control`` API, are not modelled).
- **Default encryption**: SSE-S3 (AES256) since 2023-01-05; ``DeleteBucketEncryption`` "resets
  the default encryption for the bucket as server-side encryption with Amazon S3 managed keys
  (SSE-S3)", so ``GetBucketEncryption`` still answers the SSE-S3 rule after a delete.
- **Object Ownership**: ``BucketOwnerEnforced`` (default since April 2023, ACLs disabled),
  ``BucketOwnerPreferred``, ``ObjectWriter``. Without ownership controls (after a delete) S3
  behaves as ``ObjectWriter`` and ``GetBucketOwnershipControls`` answers
  ``OwnershipControlsNotFoundError``.
- **Bucket tags**: at most 50 per bucket (S3 User Guide, "Using cost allocation S3 bucket
  tags"); keys 1-128 and values 0-256 characters; ``aws:`` keys are reserved.
- **ACLs**: with ``BucketOwnerEnforced`` "requests to read ACLs are still supported and return
  the bucket-owner-full-control ACL with the owner being the account that created the bucket"
  (GetBucketAcl doc). awskit stores no ACL grants, so every ACL read answers the owner's
  FULL_CONTROL grant (the owner being the object writer's account for objects written under
  ``ObjectWriter``).
"""

from __future__ import annotations

import json

from .. import errors
from ..service import Request, operation
from . import public
from .model import DEFAULT_ENCRYPTION, DM, OWNER, Bucket
from .objects import check_tags

BPA_FIELDS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
OWNERSHIP = ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")
SSE_ALGORITHMS = ("AES256", "aws:kms", "aws:kms:dsse")
MAX_BUCKET_TAGS = 50
META_MS = 1.0


class BucketConfigOperations:
    """Mixed into ``awskit.s3.api.S3``."""

    # -- helpers used by the pipeline and other operations ----------------------------------
    def _config_bucket(self, req: Request, Bucket: str, action: str, expected=None) -> "Bucket":
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self.authorize(req, action, bucket)
        check_owner(bucket, expected)
        return bucket

    def effective_bucket_policy(self, principal, bucket, req: Request | None = None):
        """The bucket policy IAM should evaluate, after ``RestrictPublicBuckets``."""
        policy = bucket.policy
        pab = bucket.public_access_block or {}
        if policy is None or not pab.get("RestrictPublicBuckets") or not public.is_public(policy):
            return policy
        same_account = principal.account == bucket.owner
        restricted = public.restricted_policy(policy, same_account)
        if req is not None and len(restricted.statements) != len(policy.statements):
            who = "callers of the owner's account" if same_account else \
                "anonymous and cross-account callers"
            req.step("IAM", f"Block Public Access: {bucket.name}'s policy is public and "
                     f"RestrictPublicBuckets is on, so its public grants (and, for {who}, "
                     "any delegation) are ignored", 0.5, bucket=bucket.name,
                     setting="RestrictPublicBuckets")
        return restricted

    def public_acl_blocked(self, bucket, acl: str | None, grants: dict | None = None) -> bool:
        """``BlockPublicAcls``: must a request carrying this ACL be refused (403)?"""
        pab = bucket.public_access_block or {}
        return bool(pab.get("BlockPublicAcls")) and public.acl_is_public(acl, grants)

    # -- bucket policy ----------------------------------------------------------------------
    def _policy_access(self, req: Request, bucket, action: str) -> None:
        """IAM check with the owner-root lock-out exception, then the same-account rule."""
        if req.principal.kind == "root" and req.principal.account == bucket.owner:
            if not self.allowed(req, action, bucket):
                req.step("IAM", f"The bucket policy denies {action} to the owner's root user, "
                         "but the root user may always manage its bucket's policy "
                         "(lock-out protection)", self.iam_ms, action=action,
                         decision="allowed")
                return
        self.authorize(req, action, bucket)
        if req.principal.account != bucket.owner:
            raise errors.MethodNotAllowed()

    @operation
    def put_bucket_policy(self, req: Request, Bucket: str, Policy: str,
                          ConfirmRemoveSelfBucketAccess: bool = False, ExpectedBucketOwner=None,
                          **_):
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self._policy_access(req, bucket, "s3:PutBucketPolicy")
        check_owner(bucket, ExpectedBucketOwner)
        policy = public.parse_bucket_policy(Policy, bucket.name, self.cloud.iam)
        if public.is_public(policy) and (bucket.public_access_block or {}).get("BlockPublicPolicy"):
            req.step("API service", "Block Public Access: the policy is public and "
                     "BlockPublicPolicy is on; refuse it", META_MS, setting="BlockPublicPolicy")
            raise errors.AccessDenied()
        bucket.policy = policy
        req.step("Metadata DB", f"Store the bucket policy of {Bucket} "
                 f"({len(policy.statements)} statement(s), "
                 f"{'public' if public.is_public(policy) else 'not public'})", 2.0,
                 table="bucket", bucket=Bucket)
        return {}

    @operation
    def get_bucket_policy(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self._policy_access(req, bucket, "s3:GetBucketPolicy")
        check_owner(bucket, ExpectedBucketOwner)
        if bucket.policy is None:
            raise errors.NoSuchBucketPolicy(BucketName=Bucket)
        req.step("Metadata DB", f"Read the bucket policy of {Bucket}", META_MS, table="bucket")
        return {"Policy": bucket.policy.text}

    @operation
    def delete_bucket_policy(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self._policy_access(req, bucket, "s3:DeleteBucketPolicy")
        check_owner(bucket, ExpectedBucketOwner)
        bucket.policy = None
        req.step("Metadata DB", f"Delete the bucket policy of {Bucket}", 2.0, table="bucket")
        req.status = 204
        return {}

    @operation
    def get_bucket_policy_status(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:GetBucketPolicyStatus", ExpectedBucketOwner)
        if bucket.policy is None:
            raise errors.NoSuchBucketPolicy(BucketName=Bucket)
        is_public = public.is_public(bucket.policy)
        req.step("API service", f"Evaluate whether the policy of {Bucket} is public: "
                 f"{is_public}", META_MS)
        return {"PolicyStatus": {"IsPublic": is_public}}

    # -- Block Public Access ----------------------------------------------------------------
    @operation
    def put_public_access_block(self, req: Request, Bucket: str,
                                PublicAccessBlockConfiguration: dict, ExpectedBucketOwner=None,
                                **_):
        bucket = self._config_bucket(req, Bucket, "s3:PutBucketPublicAccessBlock",
                                     ExpectedBucketOwner)
        config = {name: bool(PublicAccessBlockConfiguration.get(name, False))
                  for name in BPA_FIELDS}
        bucket.public_access_block = config
        on = [name for name in BPA_FIELDS if config[name]]
        req.step("Metadata DB", f"Store Block Public Access for {Bucket}: "
                 + (", ".join(on) if on else "all off"), 2.0, table="bucket", **config)
        return {}

    @operation
    def get_public_access_block(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:GetBucketPublicAccessBlock",
                                     ExpectedBucketOwner)
        if bucket.public_access_block is None:
            raise errors.NoSuchPublicAccessBlockConfiguration(BucketName=Bucket)
        req.step("Metadata DB", f"Read Block Public Access of {Bucket}", META_MS)
        return {"PublicAccessBlockConfiguration": dict(bucket.public_access_block)}

    @operation
    def delete_public_access_block(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:PutBucketPublicAccessBlock",
                                     ExpectedBucketOwner)
        bucket.public_access_block = None
        req.step("Metadata DB", f"Delete Block Public Access of {Bucket}: all four settings "
                 "are off for this bucket now", 2.0, table="bucket")
        req.status = 204
        return {}

    # -- default encryption -----------------------------------------------------------------
    @operation
    def put_bucket_encryption(self, req: Request, Bucket: str,
                              ServerSideEncryptionConfiguration: dict, ExpectedBucketOwner=None,
                              **_):
        bucket = self._config_bucket(req, Bucket, "s3:PutEncryptionConfiguration",
                                     ExpectedBucketOwner)
        rules = ServerSideEncryptionConfiguration.get("Rules") or []
        if len(rules) != 1:
            raise errors.MalformedXML()
        rule = rules[0]
        default = rule.get("ApplyServerSideEncryptionByDefault")
        if default is None:
            raise errors.MalformedXML()
        algorithm = default.get("SSEAlgorithm")
        if algorithm not in SSE_ALGORITHMS:
            raise errors.MalformedXML()
        key_id = default.get("KMSMasterKeyID")
        if key_id is not None and algorithm == "AES256":
            raise errors.InvalidArgument("a KMSMasterKeyID is not applicable if the default sse "
                                         "algorithm is not aws:kms or aws:kms:dsse",
                                         ArgumentName="ApplyServerSideEncryptionByDefault")
        stored = {"SSEAlgorithm": algorithm}
        if key_id is not None:
            stored["KMSMasterKeyID"] = key_id
        bucket.encryption = {"Rules": [{"ApplyServerSideEncryptionByDefault": stored,
                                        "BucketKeyEnabled": bool(rule.get("BucketKeyEnabled",
                                                                          False))}]}
        req.step("Metadata DB", f"Store default encryption of {Bucket}: {algorithm}", 2.0,
                 table="bucket")
        return {}

    @operation
    def get_bucket_encryption(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:GetEncryptionConfiguration",
                                     ExpectedBucketOwner)
        req.step("Metadata DB", f"Read default encryption of {Bucket}", META_MS)
        return {"ServerSideEncryptionConfiguration": json.loads(json.dumps(bucket.encryption))}

    @operation
    def delete_bucket_encryption(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:PutEncryptionConfiguration",
                                     ExpectedBucketOwner)
        bucket.encryption = json.loads(json.dumps(DEFAULT_ENCRYPTION))
        req.step("Metadata DB", f"Reset default encryption of {Bucket} to SSE-S3 (AES256)", 2.0,
                 table="bucket")
        req.status = 204
        return {}

    # -- object ownership -------------------------------------------------------------------
    @operation
    def put_bucket_ownership_controls(self, req: Request, Bucket: str, OwnershipControls: dict,
                                      ExpectedBucketOwner=None, **_):
        bucket = self._config_bucket(req, Bucket, "s3:PutBucketOwnershipControls",
                                     ExpectedBucketOwner)
        rules = OwnershipControls.get("Rules") or []
        if len(rules) != 1 or rules[0].get("ObjectOwnership") not in OWNERSHIP:
            raise errors.MalformedXML()
        bucket.ownership = rules[0]["ObjectOwnership"]
        req.step("Metadata DB", f"Store Object Ownership of {Bucket}: {bucket.ownership}"
                 + (" (ACLs disabled)" if bucket.ownership == "BucketOwnerEnforced" else ""),
                 2.0, table="bucket")
        return {}

    @operation
    def get_bucket_ownership_controls(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:GetBucketOwnershipControls",
                                     ExpectedBucketOwner)
        if not bucket.ownership:
            raise errors.OwnershipControlsNotFoundError(BucketName=Bucket)
        req.step("Metadata DB", f"Read Object Ownership of {Bucket}", META_MS)
        return {"OwnershipControls": {"Rules": [{"ObjectOwnership": bucket.ownership}]}}

    @operation
    def delete_bucket_ownership_controls(self, req: Request, Bucket: str,
                                         ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:PutBucketOwnershipControls",
                                     ExpectedBucketOwner)
        bucket.ownership = None
        req.step("Metadata DB", f"Delete Object Ownership of {Bucket}: objects now belong to "
                 "the account that writes them (ObjectWriter behaviour)", 2.0, table="bucket")
        req.status = 204
        return {}

    # -- bucket tags ------------------------------------------------------------------------
    @operation
    def put_bucket_tagging(self, req: Request, Bucket: str, Tagging: dict,
                           ExpectedBucketOwner=None, **_):
        bucket = self._config_bucket(req, Bucket, "s3:PutBucketTagging", ExpectedBucketOwner)
        tags = check_tags(Tagging.get("TagSet") or [], limit=MAX_BUCKET_TAGS,  # wording unconfirmed
                          too_many=errors.InvalidTag("Bucket tag count cannot be greater than 50"))
        bucket.tags = tags
        req.step("Metadata DB", f"Store {len(tags)} tag(s) on bucket {Bucket}", 2.0,
                 table="bucket")
        req.status = 204
        return {}

    @operation
    def get_bucket_tagging(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:GetBucketTagging", ExpectedBucketOwner)
        if not bucket.tags:
            raise errors.NoSuchTagSet(BucketName=Bucket)
        req.step("Metadata DB", f"Read the tags of bucket {Bucket}", META_MS)
        return {"TagSet": [dict(t) for t in bucket.tags]}

    @operation
    def delete_bucket_tagging(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:PutBucketTagging", ExpectedBucketOwner)
        bucket.tags = None
        req.step("Metadata DB", f"Delete the tags of bucket {Bucket}", 2.0, table="bucket")
        req.status = 204
        return {}

    # -- ACLs (read-only) -------------------------------------------------------------------
    def _owner_acl(self, account: str) -> dict:
        owner = self.owner(account)
        return {"Owner": owner,
                "Grants": [{"Grantee": {**owner, "Type": "CanonicalUser"},
                            "Permission": "FULL_CONTROL"}]}

    @operation
    def get_bucket_acl(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:GetBucketAcl", ExpectedBucketOwner)
        req.step("Metadata DB", f"Read the ACL of {Bucket}: the owner has FULL_CONTROL", META_MS)
        return self._owner_acl(bucket.owner)

    @operation
    def get_object_acl(self, req: Request, Bucket: str, Key: str, VersionId: str | None = None,
                       ExpectedBucketOwner=None, **_):
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        action = "s3:GetObjectVersionAcl" if VersionId is not None else "s3:GetObjectAcl"
        self.authorize(req, action, bucket, Key)
        check_owner(bucket, ExpectedBucketOwner)
        row = self._resolve_version(req, bucket, Key, VersionId)
        owner = bucket.owner if bucket.ownership == "BucketOwnerEnforced" or row[DM] \
            else (row[OWNER] or bucket.owner)
        out = self._owner_acl(owner)
        return out
