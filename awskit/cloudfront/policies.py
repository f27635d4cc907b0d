"""Cache policies: what goes into the cache key and the TTLs, AWS's managed ones and custom.

Managed policies [CFDG using-managed-cache-policies.md; facts: CloudFront]:

- ``Managed-CachingOptimized`` ``658327ea-f89d-4fab-a63d-7e88639e58f6``: MinTTL 1 s,
  DefaultTTL 86,400 s, MaxTTL 31,536,000 s; no query strings, headers or cookies in the key;
  Gzip and Brotli normalised;
- ``Managed-CachingOptimizedForUncompressedObjects`` ``b2884449-e4de-46a7-ac36-70bc7f1ddd6d``:
  the same without compression;
- ``Managed-CachingDisabled`` ``4135ea2d-6df8-44a3-9df3-4b5a84be39ad``: every TTL 0.

(AWS's own Comment texts and modification times are not reproduced: awskit leaves Comment out
and dates the managed policies at the cloud's epoch.)

Custom policies: names of 1-128 letters, digits, ``-`` and ``_`` unique in the account
(``CachePolicyAlreadyExists``), MinTTL <= DefaultTTL <= MaxTTL (DefaultTTL defaults to 86,400
or MinTTL if larger; MaxTTL to 31,536,000 or DefaultTTL if larger) [BC
cloudfront:CachePolicyConfig]; at most 10 headers, cookies and query strings each and 20 custom
policies per account [facts: CloudFront quotas]; a policy that caches nothing (MaxTTL 0) takes
no key parameters; managed policies cannot be changed (``IllegalUpdate``) or deleted
(``IllegalDelete``); a policy in use by a distribution cannot be deleted (``CachePolicyInUse``).
"""

from __future__ import annotations

import copy
import hashlib
import re

from ..clock import aws_datetime
from ..service import Request, operation
from .codes import block, cf_error, invalid, listed
from .model import MAX_CACHE_POLICIES, MAX_KEY_ITEMS, CachePolicy

_NAME = re.compile(r"[A-Za-z0-9_\-]{1,128}")


def _params(gzip: bool, query=("none", []), headers=("none", []), cookies=("none", [])):
    def part(prefix, kind, items, plural):
        out = {f"{prefix}Behavior": kind}
        if items:
            out[plural] = block(items)
        return out
    return {"EnableAcceptEncodingGzip": gzip, "EnableAcceptEncodingBrotli": gzip,
            "HeadersConfig": part("Header", headers[0], headers[1], "Headers"),
            "CookiesConfig": part("Cookie", cookies[0], cookies[1], "Cookies"),
            "QueryStringsConfig": part("QueryString", query[0], query[1], "QueryStrings")}


def _managed(pid: str, name: str, low: int, default: int, high: int, gzip: bool) -> CachePolicy:
    etag = "E" + hashlib.sha256(pid.encode()).hexdigest().upper()[:13]
    return CachePolicy(pid, None, {"Name": name, "DefaultTTL": default, "MaxTTL": high,
                                   "MinTTL": low,
                                   "ParametersInCacheKeyAndForwardedToOrigin": _params(gzip)},
                       etag, 0.0)


MANAGED = {p.id: p for p in [
    _managed("658327ea-f89d-4fab-a63d-7e88639e58f6", "Managed-CachingOptimized",
             1, 86400, 31536000, True),
    _managed("b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
             "Managed-CachingOptimizedForUncompressedObjects", 1, 86400, 31536000, False),
    _managed("4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "Managed-CachingDisabled", 0, 0, 0, False),
]}
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"

_KEY_PARTS = (("HeadersConfig", "HeaderBehavior", "Headers", "TooManyHeadersInCachePolicy"),
              ("CookiesConfig", "CookieBehavior", "Cookies", "TooManyCookiesInCachePolicy"),
              ("QueryStringsConfig", "QueryStringBehavior", "QueryStrings",
               "TooManyQueryStringsInCachePolicy"))


def normalise_policy(config: dict) -> dict:
    """Validate a CachePolicyConfig and return it as CloudFront stores it."""
    if not _NAME.fullmatch(config["Name"]):
        raise invalid("The parameter Name must be 1-128 letters, digits, hyphens or "
                      "underscores.")
    if len(config.get("Comment", "")) > 128:
        raise invalid("The parameter Comment is too long (128 characters at most).")
    low = config["MinTTL"]
    default = config.get("DefaultTTL", max(86400, low))
    high = config.get("MaxTTL", default if max(low, default) > 31536000 else 31536000)
    if not 0 <= low <= default <= high:
        raise invalid("MinTTL, DefaultTTL and MaxTTL must satisfy MinTTL <= DefaultTTL <= "
                      "MaxTTL.")
    given = config.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
    params = {"EnableAcceptEncodingGzip": given.get("EnableAcceptEncodingGzip", False),
              "EnableAcceptEncodingBrotli": given.get("EnableAcceptEncodingBrotli", False)}
    keyed = params["EnableAcceptEncodingGzip"] or params["EnableAcceptEncodingBrotli"]
    for part, behavior, plural, too_many in _KEY_PARTS:
        section = given.get(part) or {behavior: "none"}
        items = listed(section.get(plural), plural)
        kind = section[behavior]
        if (kind in ("none", "all")) != (not items):
            raise invalid(f"{behavior} {kind} {'takes no' if items else 'needs'} {plural}.")
        if len(items) > MAX_KEY_ITEMS:
            raise cf_error(too_many)
        keyed = keyed or kind != "none"
        params[part] = {behavior: kind, **({plural: block(items)} if items else {})}
    if high == 0 and keyed:
        raise invalid("A cache policy with MaxTTL 0 (caching disabled) cannot include headers, "
                      "cookies, query strings or Accept-Encoding in the cache key.")
    out = {"Name": config["Name"], "DefaultTTL": default, "MaxTTL": high, "MinTTL": low,
           "ParametersInCacheKeyAndForwardedToOrigin": params}
    if "Comment" in config:
        out = {"Comment": config["Comment"], **out}
    return out


class PolicyOperations:
    """Mixed into :class:`~.api.CloudFront`."""

    def cache_policy(self, policy_id: str, account: str) -> CachePolicy | None:
        """A managed policy, or one of ``account``'s custom policies, by id."""
        found = MANAGED.get(policy_id) or self.cache_policies.get(policy_id)
        if found is None or (found.account is not None and found.account != account):
            return None
        return found

    def _policy_shape(self, policy: CachePolicy) -> dict:
        return {"Id": policy.id, "LastModifiedTime": aws_datetime(policy.modified, "ms"),
                "CachePolicyConfig": copy.deepcopy(policy.config)}

    def _own_policy(self, req: Request, policy_id: str, action: str) -> CachePolicy:
        self.authorize(req, action, f"arn:aws:cloudfront::{req.account}:cache-policy/{policy_id}")
        policy = self.cache_policy(policy_id, req.account)
        if policy is None:
            raise cf_error("NoSuchCachePolicy", "The cache policy does not exist.")
        return policy

    def _check_name(self, account: str, name: str, exclude: str | None = None) -> None:
        if any(p.config["Name"] == name and p.id != exclude
               for p in [*MANAGED.values(), *self.cache_policies.values()]
               if p.account in (None, account)):
            raise cf_error("CachePolicyAlreadyExists")

    @operation
    def create_cache_policy(self, req: Request, CachePolicyConfig: dict):
        self.authorize(req, "CreateCachePolicy",
                       f"arn:aws:cloudfront::{req.account}:cache-policy/*")
        config = normalise_policy(CachePolicyConfig)
        self._check_name(req.account, config["Name"])
        if sum(1 for p in self.cache_policies.values()
               if p.account == req.account) >= MAX_CACHE_POLICIES:
            raise cf_error("TooManyCachePolicies")
        policy = CachePolicy(self.cloud.ids.uuid("cloudfront-cache-policy"), req.account, config,
                             self.new_etag(), self.cloud.clock.elapsed)
        self.cache_policies[policy.id] = policy
        req.step("CloudFront API", f"Create cache policy {config['Name']} ({policy.id})", 1.0)
        req.status = 201
        return {"CachePolicy": self._policy_shape(policy), "ETag": policy.etag,
                "Location": f"https://cloudfront.amazonaws.com/2020-05-31/cache-policy/"
                            f"{policy.id}"}

    @operation
    def get_cache_policy(self, req: Request, Id: str):
        policy = self._own_policy(req, Id, "GetCachePolicy")
        return {"CachePolicy": self._policy_shape(policy), "ETag": policy.etag}

    @operation
    def get_cache_policy_config(self, req: Request, Id: str):
        policy = self._own_policy(req, Id, "GetCachePolicyConfig")
        return {"CachePolicyConfig": copy.deepcopy(policy.config), "ETag": policy.etag}

    @operation
    def update_cache_policy(self, req: Request, CachePolicyConfig: dict, Id: str,
                            IfMatch: str | None = None):
        policy = self._own_policy(req, Id, "UpdateCachePolicy")
        if policy.managed:
            raise cf_error("IllegalUpdate", "A managed cache policy cannot be updated.")
        self.check_if_match(policy.etag, IfMatch)
        config = normalise_policy(CachePolicyConfig)
        self._check_name(req.account, config["Name"], exclude=policy.id)
        policy.config, policy.etag = config, self.new_etag()
        policy.modified = self.cloud.clock.elapsed
        req.step("CloudFront API", f"Update cache policy {policy.id}: the distributions using "
                 "it apply the new TTLs and cache key", 1.0)
        return {"CachePolicy": self._policy_shape(policy), "ETag": policy.etag}

    @operation
    def delete_cache_policy(self, req: Request, Id: str, IfMatch: str | None = None):
        policy = self._own_policy(req, Id, "DeleteCachePolicy")
        if policy.managed:
            raise cf_error("IllegalDelete", "A managed cache policy cannot be deleted.")
        self.check_if_match(policy.etag, IfMatch)
        for dist in self.distributions.values():
            behaviours = [dist.config["DefaultCacheBehavior"],
                          *dist.config["CacheBehaviors"].get("Items", [])]
            if any(b.get("CachePolicyId") == policy.id for b in behaviours):
                raise cf_error("CachePolicyInUse", f"The cache policy is attached to a cache "
                                                   f"behavior of distribution {dist.id}.")
        del self.cache_policies[policy.id]
        req.status = 204
        return {}

    @operation
    def list_cache_policies(self, req: Request, Type: str | None = None,
                            Marker: str | None = None, MaxItems: str | None = None):
        self.authorize(req, "ListCachePolicies", "*")
        managed = [("managed", p) for p in MANAGED.values()]
        custom = sorted((("custom", p) for p in self.cache_policies.values()
                         if p.account == req.account), key=lambda tp: (tp[1].modified, tp[1].id))
        every = {"managed": managed, "custom": custom}.get(Type, managed + custom)
        chunk, next_marker, limit = self.page(every, lambda tp: tp[1].id, Marker, MaxItems)
        out = {"MaxItems": limit, **block([{"Type": kind, "CachePolicy": self._policy_shape(p)}
                                           for kind, p in chunk])}
        if next_marker:
            out["NextMarker"] = next_marker
        return {"CachePolicyList": out}
