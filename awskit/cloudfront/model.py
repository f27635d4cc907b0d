"""CloudFront's resources and the state of its caches, as plain data.

- :class:`Distribution`: one distribution of one account: its normalised ``DistributionConfig``
  (every field CloudFront returns, defaults filled in), ETag, tags and deployment status.
  Status is ``InProgress`` until :data:`DEPLOY_S` after the last change, then ``Deployed``
  [BC cloudfront:Distribution.Status]; awskit derives it from the clock, so it moves with
  ``cloud.advance()`` and survives save/load.
- :class:`Invalidation`: ``InProgress`` until :data:`INVALIDATION_S` after creation, then
  ``Completed`` [BC cloudfront:Invalidation.Status]; its paths leave every cache of the
  distribution at that moment.
- :class:`CacheEntry`: one cached response in one cache (an edge location, a regional edge
  cache, an Origin Shield): what was fetched, when it left the origin (``fetched``: the base of
  the ``Age`` header), when it expires and when it reached this cache (``available``).

Timings awskit assumes (AWS publishes none as a guarantee; both are teaching values):
:data:`DEPLOY_S` (an AWS blog reports configuration changes "reliably pushed within 5 minutes",
unconfirmed) and :data:`INVALIDATION_S`. Quotas are CloudFront's 2023 defaults [facts:
CloudFront, CFDG cloudfront-limits.md].
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEPLOY_S = 300.0                  # InProgress -> Deployed after a change (awskit's value)
INVALIDATION_S = 60.0             # InProgress -> Completed (awskit's value)

MAX_DISTRIBUTIONS = 200           # per account
MAX_ORIGINS = 25                  # per distribution
MAX_BEHAVIORS = 25                # per distribution
MAX_CNAMES = 100                  # per distribution
MAX_CACHE_POLICIES = 20           # custom, per account
MAX_KEY_ITEMS = 10                # headers / cookies / query strings in a cache policy
MAX_PATHS_IN_PROGRESS = 3000      # individual invalidation paths in progress per distribution
MAX_WILDCARDS_IN_PROGRESS = 15    # wildcard paths in progress per distribution
MAX_PATH_CHARS = 4000             # one invalidation path
MAX_URL_BYTES = 8192

#: default error-caching minimum TTL [CFDG custom-error-pages-expiration.md]
ERROR_CACHING_S = 10
#: 4xx/5xx codes CloudFront caches (416 is never cached) [CFDG HTTPStatusCodes.md,
#: creating-custom-error-pages.md]; no-cache/no-store/private keep 404/410/414/501 uncached
CACHED_ERRORS = frozenset({400, 403, 404, 405, 414, 500, 501, 502, 503, 504})
ERRORS_RESPECTING_NO_STORE = frozenset({404, 410, 414, 501})
CUSTOM_ERROR_CODES = frozenset({400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504})


def distribution_arn(account: str, distribution_id: str) -> str:
    """``arn:aws:cloudfront::<account>:distribution/<id>``: no Region [facts: CloudFront]."""
    return f"arn:aws:cloudfront::{account}:distribution/{distribution_id}"


@dataclass
class Distribution:
    id: str
    account: str
    domain: str                    # dxxxxxxxxxxxxx.cloudfront.net
    config: dict                   # normalised DistributionConfig
    etag: str
    created: float
    modified: float                # last change (LastModifiedTime)
    deployed_at: float             # when Status turns Deployed
    tags: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return distribution_arn(self.account, self.id)

    @property
    def caller_reference(self) -> str:
        return self.config["CallerReference"]

    @property
    def enabled(self) -> bool:
        return bool(self.config["Enabled"])

    def status(self, now: float) -> str:
        return "Deployed" if now >= self.deployed_at else "InProgress"

    def origins(self) -> list[dict]:
        return self.config["Origins"]["Items"]

    def origin(self, origin_id: str) -> dict | None:
        return next((o for o in self.origins() if o["Id"] == origin_id), None)

    def aliases(self) -> list[str]:
        return self.config["Aliases"].get("Items", [])


@dataclass
class Invalidation:
    id: str
    distribution_id: str
    paths: list
    caller_reference: str
    created: float
    completes: float
    applied: bool = False          # its paths have left the caches

    def status(self, now: float) -> str:
        return "Completed" if now >= self.completes else "InProgress"

    def batch(self) -> dict:
        from .codes import block
        return {"Paths": block(self.paths), "CallerReference": self.caller_reference}


@dataclass
class CachePolicy:
    id: str
    account: str | None            # None for AWS's managed policies
    config: dict                   # CachePolicyConfig
    etag: str
    modified: float

    @property
    def managed(self) -> bool:
        return self.account is None


@dataclass
class OriginAccessControl:
    id: str
    account: str
    config: dict                   # OriginAccessControlConfig
    etag: str


@dataclass
class CacheEntry:
    """A response held by one cache layer."""

    status: int
    body: bytes
    headers: dict                  # the origin's response headers (canonical names)
    etag: str | None
    fetched: float                 # when it left the origin (Age counts from here)
    expires: float                 # fetched + TTL
    available: float               # when it reached this cache (later than now: in flight)

    def fresh(self, now: float) -> bool:
        return now < self.expires


@dataclass
class Metrics:
    """Per-distribution counters of the data plane (what CloudWatch's CloudFront metrics and
    the access logs would show: requests, cache results, bytes)."""

    requests: int = 0
    hits: int = 0                  # served from the edge location's cache
    refresh_hits: int = 0          # expired at the edge, revalidated unchanged (304)
    misses: int = 0
    collapsed: int = 0             # waited for another request's fetch of the same object
    errors: int = 0                # 4xx/5xx responses to viewers
    origin_requests: int = 0
    bytes_out: int = 0             # to viewers
    bytes_from_origin: int = 0

    def as_dict(self) -> dict:
        out = dict(self.__dict__)
        served = self.hits + self.refresh_hits
        out["hit_ratio"] = served / self.requests if self.requests else 0.0
        out["origin_offload"] = 1 - self.origin_requests / self.requests if self.requests else 0.0
        out["byte_offload"] = (1 - self.bytes_from_origin / self.bytes_out
                               if self.bytes_out else 0.0)
        return out
