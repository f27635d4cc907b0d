"""Distributions: create, read, update (with ``IfMatch``), disable, delete, list.

- A new distribution gets an id like ``E2QWRUHAPOMQZL``, a domain like
  ``d111111abcdef8.cloudfront.net`` and an ETag; it is ``InProgress`` until deployed
  (:data:`~.model.DEPLOY_S` on the clock), and so is every change after an update.
- ``CallerReference`` guards against replays: a reference the account already used gives
  ``DistributionAlreadyExists``, whatever the configuration [BC
  cloudfront:DistributionConfig.CallerReference]; it cannot change on update (``IllegalUpdate``).
- Update and delete need ``IfMatch`` = the current ETag (``InvalidIfMatchVersion`` without it,
  ``PreconditionFailed`` when stale); delete needs the distribution disabled and that change
  deployed (``DistributionNotDisabled``) [BC cloudfront:DeleteDistribution; facts].
- 200 distributions per account (``TooManyDistributions``) [facts: CloudFront quotas].

awskit serves a distribution's newest configuration from the moment it is accepted; on AWS the
edge locations pick it up while the status is ``InProgress`` (a simplification).
"""

from __future__ import annotations

import copy
import string

from ..clock import aws_datetime
from ..service import Request, operation
from .codes import cf_error
from .config import normalise
from .model import DEPLOY_S, MAX_DISTRIBUTIONS, Distribution, distribution_arn

_DOMAIN = string.ascii_lowercase + string.digits
_SUMMARY = ("Id", "ARN", "ETag", "Status", "LastModifiedTime", "DomainName")
_SUMMARY_CONFIG = ("Aliases", "Origins", "OriginGroups", "DefaultCacheBehavior",
                   "CacheBehaviors", "CustomErrorResponses", "Comment", "PriceClass", "Enabled",
                   "ViewerCertificate", "Restrictions", "WebACLId", "HttpVersion",
                   "IsIPV6Enabled", "Staging")


class DistributionOperations:
    """Mixed into :class:`~.api.CloudFront`."""

    # -- shapes -----------------------------------------------------------------------------
    def distribution_shape(self, dist: Distribution) -> dict:
        now = self.cloud.clock.elapsed
        return {"Id": dist.id, "ARN": dist.arn, "Status": dist.status(now),
                "LastModifiedTime": aws_datetime(dist.modified, "ms"),
                "InProgressInvalidationBatches": sum(
                    1 for i in self.invalidations.get(dist.id, []) if i.status(now) != "Completed"),
                "DomainName": dist.domain,
                "ActiveTrustedSigners": {"Enabled": False, "Quantity": 0},
                "ActiveTrustedKeyGroups": {"Enabled": False, "Quantity": 0},
                "DistributionConfig": copy.deepcopy(dist.config)}

    def _summary(self, dist: Distribution) -> dict:
        full = self.distribution_shape(dist)
        out = {k: full[k] for k in _SUMMARY if k in full}
        out["ETag"] = dist.etag
        out.update({k: copy.deepcopy(dist.config[k]) for k in _SUMMARY_CONFIG})
        return out

    # -- validation helpers -----------------------------------------------------------------
    def _normalise(self, req: Request, config: dict, exclude: str | None = None) -> dict:
        account = req.account

        def alias_taken(name: str) -> bool:
            return any(name in (a.lower() for a in d.aliases())
                       for d in self.distributions.values() if d.id != exclude)
        return normalise(config,
                         policy_exists=lambda pid: self.cache_policy(pid, account) is not None,
                         oac_exists=lambda oid: (oid in self.access_controls and
                                                 self.access_controls[oid].account == account),
                         alias_taken=alias_taken)

    def _create(self, req: Request, config: dict, tags: list | None) -> dict:
        account = req.account
        self.authorize(req, "CreateDistribution", distribution_arn(account, "*"))
        if tags is not None:
            self.authorize(req, "TagResource", distribution_arn(account, "*"))
        normalised = self._normalise(req, config)
        tag_map = self.check_tags(tags or [])
        mine = [d for d in self.distributions.values() if d.account == account]
        if any(d.caller_reference == normalised["CallerReference"] for d in mine):
            raise cf_error("DistributionAlreadyExists", "The caller reference that you are "
                           "using to create a distribution is associated with another "
                           "distribution.")
        if len(mine) >= MAX_DISTRIBUTIONS:
            raise cf_error("TooManyDistributions", "Processing your request would cause you to "
                           f"exceed the maximum number of distributions allowed "
                           f"({MAX_DISTRIBUTIONS}).")
        while True:
            dist_id = self.new_id("distribution")
            if dist_id not in self.distributions:
                break
        domain = "d" + "".join(self.cloud.ids.stream("cloudfront-domain").choices(_DOMAIN, k=13))
        now = self.cloud.clock.elapsed
        dist = Distribution(dist_id, account, f"{domain}.cloudfront.net", normalised,
                            self.new_etag(), now, now, now + DEPLOY_S, tag_map)
        self.distributions[dist_id] = dist
        origins = ", ".join(o["DomainName"] for o in dist.origins())
        req.step("CloudFront API", f"Create distribution {dist_id} ({dist.domain}) in front of "
                 f"{origins}; push the configuration to every edge location (InProgress)", 2.0,
                 distribution=dist_id, domain=dist.domain)
        req.status = 201
        return {"Distribution": self.distribution_shape(dist),
                "Location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{dist_id}",
                "ETag": dist.etag}

    # -- operations -------------------------------------------------------------------------
    @operation
    def create_distribution(self, req: Request, DistributionConfig: dict):
        return self._create(req, DistributionConfig, None)

    @operation
    def create_distribution_with_tags(self, req: Request, DistributionConfigWithTags: dict):
        tags = DistributionConfigWithTags["Tags"].get("Items", [])
        return self._create(req, DistributionConfigWithTags["DistributionConfig"], tags)

    @operation
    def get_distribution(self, req: Request, Id: str):
        dist = self.own_distribution(req, Id, "GetDistribution")
        return {"Distribution": self.distribution_shape(dist), "ETag": dist.etag}

    @operation
    def get_distribution_config(self, req: Request, Id: str):
        dist = self.own_distribution(req, Id, "GetDistributionConfig")
        return {"DistributionConfig": copy.deepcopy(dist.config), "ETag": dist.etag}

    @operation
    def update_distribution(self, req: Request, DistributionConfig: dict, Id: str,
                            IfMatch: str | None = None):
        dist = self.own_distribution(req, Id, "UpdateDistribution")
        self.check_if_match(dist.etag, IfMatch)
        normalised = self._normalise(req, DistributionConfig, exclude=dist.id)
        if normalised["CallerReference"] != dist.caller_reference:
            raise cf_error("IllegalUpdate", "The CallerReference of a distribution cannot be "
                                            "changed.")
        was = dist.enabled
        now = self.cloud.clock.elapsed
        dist.config, dist.etag, dist.modified = normalised, self.new_etag(), now
        dist.deployed_at = now + DEPLOY_S
        change = "" if was == dist.enabled else \
            (" (disabled: edge locations stop serving it)" if was else " (enabled)")
        req.step("CloudFront API", f"Update distribution {dist.id}{change}; push the new "
                 "configuration to every edge location (InProgress)", 2.0, distribution=dist.id)
        return {"Distribution": self.distribution_shape(dist), "ETag": dist.etag}

    @operation
    def delete_distribution(self, req: Request, Id: str, IfMatch: str | None = None):
        dist = self.own_distribution(req, Id, "DeleteDistribution")
        self.check_if_match(dist.etag, IfMatch)
        now = self.cloud.clock.elapsed
        if dist.enabled or dist.status(now) != "Deployed":
            why = "enabled" if dist.enabled else "still deploying the change that disabled it"
            raise cf_error("DistributionNotDisabled", "The distribution you are trying to "
                           f"delete has not been disabled (it is {why}).")
        del self.distributions[dist.id]
        self.invalidations.pop(dist.id, None)
        self.drop_cached(dist.id)
        req.step("CloudFront API", f"Delete distribution {dist.id}", 2.0, distribution=dist.id)
        req.status = 204
        return {}

    @operation
    def list_distributions(self, req: Request, Marker: str | None = None,
                           MaxItems: str | None = None):
        self.authorize(req, "ListDistributions", "*")
        mine = sorted((d for d in self.distributions.values() if d.account == req.account),
                      key=lambda d: (d.created, d.id))
        chunk, next_marker, limit = self.page(mine, lambda d: d.id, Marker, MaxItems)
        return {"DistributionList": self.list_shape(Marker, limit, next_marker,
                                                    [self._summary(d) for d in chunk])}
