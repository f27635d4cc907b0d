"""Managed policies: standalone, versioned policy documents with an ARN.

What AWS does (botocore iam model; IAM User Guide, managed policies and versioning):
customer-managed policies live in one account (``arn:aws:iam::<acct>:policy/<path><name>``),
names unique ignoring case; each keeps at most 5 versions (``v1``, ``v2``, ... never reused),
one of them the default that takes effect; a document is at most 6,144 non-white-space
characters. AWS-managed policies (``arn:aws:iam::aws:policy/...``) are shared by every account
and cannot be changed by anyone. DeletePolicy fails while the policy is attached (or used as a
permissions boundary) or still has non-default versions. ``UpdateDate`` is when the newest
version was created. ListPolicies lists both kinds (``Scope`` All/AWS/Local), can keep only
attached ones and filter by use (permissions policy or boundary); it leaves out descriptions
and tags. awskit counts a policy used only as a permissions boundary as attached for
``OnlyAttached`` (as ListEntitiesForPolicy lists boundary uses): AWS's documentation does not
say, so this is an interpretation.

What we simplify: awskit ships a handful of AWS-managed policies (``awskit.iam.managed``), not
the ~1,000 of a real account.
"""

from __future__ import annotations

from .. import errors
from ..service import Request
from .common import (MANAGED_POLICY_SIZE, VERSIONS_PER_POLICY, encode_document, iam_operation,
                     policy_size)
from .model import ManagedPolicy, PolicyVersion


class ManagedPolicyOperations:
    """CreatePolicy ... SetDefaultPolicyVersion (mixed into the IAM service)."""

    def _document(self, document: str):
        policy = self.parse(document)
        if policy_size(document) > MANAGED_POLICY_SIZE:
            raise errors.LimitExceeded(f"Cannot exceed quota for PolicySize: "
                                       f"{MANAGED_POLICY_SIZE}")
        return policy

    def _managed(self, req: Request, action: str, arn: str, *, write: bool = False):
        """Authorize ``action`` on a managed policy ARN; (caller's account, the policy).

        Reads of AWS-managed policies are authorized as reads of a shared resource; writes
        are authorized against the "aws" account, which no policy of yours can allow."""
        owner, _, _ = self.policy_arn_parts(arn)
        account = self.acct(req)
        resource_account = owner if (owner != "aws" or write) else None
        req.authorize(action, arn, resource_account=resource_account)
        policy = (self.aws_managed.get(arn) if owner == "aws"
                  else account.policies.get(arn) if owner == account.id else None)
        if policy is None:
            raise errors.NoSuchEntity(f"Policy {arn} was not found.")
        return account, policy

    def _version(self, policy, version_id: str):
        version = policy.versions.get(version_id)
        if version is None:
            raise errors.NoSuchEntity(f"Policy {policy.arn} version {version_id} does not exist "
                                      "or is not attachable.")      # wording unconfirmed
        return version

    def _version_shape(self, version, with_document: bool) -> dict:
        out = {"VersionId": version.version_id, "IsDefaultVersion": version.is_default,
               "CreateDate": self.date(version.created)}
        if with_document:
            out = {"Document": encode_document(version.document), **out}
        return out

    # -- policies ---------------------------------------------------------------------------
    @iam_operation
    def create_policy(self, req: Request, PolicyName: str, PolicyDocument: str, Path: str = "/",
                      Description: str | None = None, Tags=None):
        account = self.acct(req)
        arn = f"arn:aws:iam::{account.id}:policy{Path}{PolicyName}"
        self.allow(req, "iam:CreatePolicy", arn, account, self.request_tag_keys(Tags))
        if any(p.name.lower() == PolicyName.lower() for p in account.policies.values()):
            raise errors.EntityAlreadyExists(f"A policy called {PolicyName} already exists. "
                                             "Duplicate names are not allowed.")
        document = self._document(PolicyDocument)
        self.check_new_tags(Tags)
        now = self.now
        policy = ManagedPolicy(PolicyName, Path, arn, self.cloud.ids.unique_id("ANPA"), now, now,
                               versions={"v1": PolicyVersion("v1", document, now, True)},
                               description=Description or "", tags=[dict(t) for t in Tags or []])
        account.policies[arn] = policy
        self.changed()
        req.step("IAM", f"Store managed policy {PolicyName} (v1)", 3.0, arn=arn)
        return {"Policy": self.policy_shape(account, policy, "create")}

    @iam_operation
    def get_policy(self, req: Request, PolicyArn: str):
        account, policy = self._managed(req, "iam:GetPolicy", PolicyArn)
        req.step("IAM", f"Read managed policy {policy.name}", 1.0)
        return {"Policy": self.policy_shape(account, policy, "get")}

    @iam_operation
    def list_policies(self, req: Request, Scope: str = "All", OnlyAttached: bool = False,
                      PathPrefix: str = "/", PolicyUsageFilter: str | None = None, Marker=None,
                      MaxItems=None):
        account = self.acct(req)
        req.authorize("iam:ListPolicies", f"policy path {PathPrefix}")
        candidates = []
        if Scope in ("All", "AWS"):
            candidates += list(self.aws_managed.values())
        if Scope in ("All", "Local"):
            candidates += list(account.policies.values())
        chosen = []
        for policy in self.by_name(candidates):
            if not policy.path.startswith(PathPrefix):
                continue
            attached, bounded = self.usage(account, policy.arn)
            if OnlyAttached and not (attached or bounded):
                continue
            if PolicyUsageFilter == "PermissionsPolicy" and not attached:
                continue
            if PolicyUsageFilter == "PermissionsBoundary" and not bounded:
                continue
            chosen.append(policy)
        chunk, extra = self.page(req, chosen, Marker, MaxItems)
        req.step("IAM", f"List managed policies (Scope={Scope}): {len(chunk)}", 1.0)
        return {"Policies": [self.policy_shape(account, p, "list") for p in chunk], **extra}

    @iam_operation
    def delete_policy(self, req: Request, PolicyArn: str):
        account, policy = self._managed(req, "iam:DeletePolicy", PolicyArn, write=True)
        if any(self.usage(account, policy.arn)):
            raise errors.DeleteConflict("Cannot delete a policy attached to entities.")
        if len(policy.versions) > 1:
            raise errors.DeleteConflict(
                "This policy has more than one version. Before you delete a policy, you must "
                "delete the policy's versions. The default version is deleted with the policy.")
        del account.policies[policy.arn]
        self.changed()
        req.step("IAM", f"Delete managed policy {policy.name}", 3.0, arn=policy.arn)
        return {}

    # -- versions ---------------------------------------------------------------------------
    @iam_operation
    def create_policy_version(self, req: Request, PolicyArn: str, PolicyDocument: str,
                              SetAsDefault: bool = False):
        _, policy = self._managed(req, "iam:CreatePolicyVersion", PolicyArn, write=True)
        if len(policy.versions) >= VERSIONS_PER_POLICY:
            raise errors.LimitExceeded(f"A managed policy can have up to {VERSIONS_PER_POLICY} "
                                       "versions. Before you create a new version, you must "
                                       "delete an existing version.")
        document = self._document(PolicyDocument)
        version_id = f"v{policy.next_version}"
        policy.next_version += 1
        version = PolicyVersion(version_id, document, self.now, False)
        policy.versions[version_id] = version
        policy.updated = self.now
        if SetAsDefault:
            self._make_default(policy, version_id)
        self.changed()
        req.step("IAM", f"Store version {version_id} of {policy.name}"
                        + (" as the default" if SetAsDefault else ""), 3.0)
        return {"PolicyVersion": self._version_shape(version, False)}

    def _make_default(self, policy, version_id: str) -> None:
        for vid, version in policy.versions.items():
            version.is_default = vid == version_id
        policy.default_version = version_id

    @iam_operation
    def get_policy_version(self, req: Request, PolicyArn: str, VersionId: str):
        _, policy = self._managed(req, "iam:GetPolicyVersion", PolicyArn)
        version = self._version(policy, VersionId)
        req.step("IAM", f"Read version {VersionId} of {policy.name}", 1.0)
        return {"PolicyVersion": self._version_shape(version, True)}

    @iam_operation
    def list_policy_versions(self, req: Request, PolicyArn: str, Marker=None, MaxItems=None):
        _, policy = self._managed(req, "iam:ListPolicyVersions", PolicyArn)
        versions = sorted(policy.versions.values(), key=lambda v: int(v.version_id[1:]),
                          reverse=True)
        chunk, extra = self.page(req, versions, Marker, MaxItems)
        req.step("IAM", f"List the versions of {policy.name}", 1.0)
        return {"Versions": [self._version_shape(v, False) for v in chunk], **extra}

    @iam_operation
    def delete_policy_version(self, req: Request, PolicyArn: str, VersionId: str):
        _, policy = self._managed(req, "iam:DeletePolicyVersion", PolicyArn, write=True)
        version = self._version(policy, VersionId)
        if version.is_default:
            raise errors.DeleteConflict("Cannot delete the default version of a policy.")
        del policy.versions[VersionId]
        policy.updated = max(v.created for v in policy.versions.values())
        self.changed()
        req.step("IAM", f"Delete version {VersionId} of {policy.name}", 2.0)
        return {}

    @iam_operation
    def set_default_policy_version(self, req: Request, PolicyArn: str, VersionId: str):
        _, policy = self._managed(req, "iam:SetDefaultPolicyVersion", PolicyArn, write=True)
        self._version(policy, VersionId)
        self._make_default(policy, VersionId)
        self.changed()
        req.step("IAM", f"Make {VersionId} the default version of {policy.name}", 2.0)
        return {}
