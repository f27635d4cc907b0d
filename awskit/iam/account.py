"""Account-wide IAM: the account alias and GetAccountSummary.

What AWS does (botocore iam model; AWS Sign-In User Guide, account alias): an account has at
most one alias, unique across all of AWS; creating a new one replaces the old one.
GetAccountSummary reports entity counts and quotas (IAM User Guide, reference_iam-quotas.md;
``shared/facts/platform.md``). Quota values the facts do not list (server certificates 20,
instance profiles 1,000, policy versions in use 10,000, signing certificates 2) are AWS's
documented defaults as awskit knows them, unconfirmed in the facts.
"""

from __future__ import annotations

from .. import errors
from ..service import Request
from .common import (ACCESS_KEYS_PER_USER, GROUPS_PER_USER, INLINE_SIZE,
                     MANAGED_POLICIES_PER_ENTITY, MANAGED_POLICY_SIZE, TRUST_POLICY_SIZE,
                     VERSIONS_PER_POLICY, iam_operation)


class AccountOperations:
    """Create/List/DeleteAccountAlias, GetAccountSummary (mixed into the IAM service)."""

    @iam_operation
    def create_account_alias(self, req: Request, AccountAlias: str):
        account = self.acct(req)
        self.allow(req, "iam:CreateAccountAlias", "*", account)
        owner = next((a for a in self.accounts.values() if a.alias == AccountAlias), None)
        if owner is not None and owner is not account:
            raise errors.EntityAlreadyExists(f"The account alias {AccountAlias} already exists.")
        previous, account.alias = account.alias, AccountAlias
        self.changed()
        req.step("IAM", f"Set the account alias to {AccountAlias}"
                        + (f" (replacing {previous})" if previous else ""), 2.0)
        return {}

    @iam_operation
    def list_account_aliases(self, req: Request, Marker=None, MaxItems=None):
        account = self.acct(req)
        self.allow(req, "iam:ListAccountAliases", "*", account)
        chunk, extra = self.page(req, [account.alias] if account.alias else [], Marker, MaxItems)
        req.step("IAM", "Read the account alias", 1.0)
        return {"AccountAliases": chunk, **extra}

    @iam_operation
    def delete_account_alias(self, req: Request, AccountAlias: str):
        account = self.acct(req)
        self.allow(req, "iam:DeleteAccountAlias", "*", account)
        if account.alias != AccountAlias:
            raise errors.NoSuchEntity(f"The account alias {AccountAlias} cannot be found.")
        account.alias = None
        self.changed()
        req.step("IAM", f"Delete the account alias {AccountAlias}", 2.0)
        return {}

    @iam_operation
    def get_account_summary(self, req: Request):
        account = self.acct(req)
        self.allow(req, "iam:GetAccountSummary", "*", account)
        root_keys = [k for k in self.keys.values() if k.account == account.id and k.user is None]
        attached = {arn for e in [*account.users.values(), *account.groups.values(),
                                  *account.roles.values()] for arn in e.attached}
        in_use = sum(len(p.versions) for p in account.policies.values() if p.arn in attached)
        summary = {
            "Users": len(account.users), "UsersQuota": 5000,
            "Groups": len(account.groups), "GroupsQuota": 300,
            "Roles": len(account.roles), "RolesQuota": 1000,
            "Policies": len(account.policies), "PoliciesQuota": 1500,
            "PolicySizeQuota": MANAGED_POLICY_SIZE, "VersionsPerPolicyQuota": VERSIONS_PER_POLICY,
            "PolicyVersionsInUse": in_use, "PolicyVersionsInUseQuota": 10000,
            "AttachedPoliciesPerUserQuota": MANAGED_POLICIES_PER_ENTITY,
            "AttachedPoliciesPerGroupQuota": MANAGED_POLICIES_PER_ENTITY,
            "AttachedPoliciesPerRoleQuota": MANAGED_POLICIES_PER_ENTITY,
            "UserPolicySizeQuota": INLINE_SIZE["user"],
            "GroupPolicySizeQuota": INLINE_SIZE["group"],
            "RolePolicySizeQuota": INLINE_SIZE["role"],
            "AssumeRolePolicySizeQuota": TRUST_POLICY_SIZE,
            "GroupsPerUserQuota": GROUPS_PER_USER, "AccessKeysPerUserQuota": ACCESS_KEYS_PER_USER,
            "SigningCertificatesPerUserQuota": 2,
            "ServerCertificates": 0, "ServerCertificatesQuota": 20,
            "InstanceProfiles": 0, "InstanceProfilesQuota": 1000,
            "MFADevices": 0, "MFADevicesInUse": 0, "AccountMFAEnabled": 0,
            "AccountAccessKeysPresent": 1 if root_keys else 0,
            "AccountPasswordPresent": 1, "AccountSigningCertificatesPresent": 0,
            "Providers": 0, "GlobalEndpointTokenVersion": 1,
        }
        req.step("IAM", "Count the account's IAM entities", 2.0)
        return {"SummaryMap": summary}
