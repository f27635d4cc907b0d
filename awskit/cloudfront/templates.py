"""Small builders for the ``DistributionConfig`` CreateDistribution takes (plain dicts).

    from awskit.cloudfront.templates import distribution_config, s3_origin, behaviour
    config = distribution_config([s3_origin("my-bucket", oac_id=oac)],
                                 behaviour("my-bucket"), caller_reference="site-v1")
    cloud.client("cloudfront").create_distribution(DistributionConfig=config)

They write only what the API requires plus what you ask for; CloudFront fills in the rest.
"""

from __future__ import annotations

from .policies import CACHING_OPTIMIZED


def _shield(region: str | None) -> dict:
    return {"OriginShield": {"Enabled": True, "OriginShieldRegion": region}} if region else {}


def s3_origin(bucket: str, *, origin_id: str | None = None, oac_id: str = "",
              origin_path: str = "", shield_region: str | None = None) -> dict:
    """An S3 bucket origin (REST endpoint), signed with origin access control ``oac_id``."""
    return {"Id": origin_id or bucket, "DomainName": f"{bucket}.s3.amazonaws.com",
            "OriginPath": origin_path, "S3OriginConfig": {"OriginAccessIdentity": ""},
            "OriginAccessControlId": oac_id, **_shield(shield_region)}


def custom_origin(domain: str, *, origin_id: str | None = None,
                  protocol: str = "https-only", shield_region: str | None = None) -> dict:
    """A custom (HTTP server) origin."""
    return {"Id": origin_id or domain, "DomainName": domain,
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443,
                                   "OriginProtocolPolicy": protocol},
            **_shield(shield_region)}


def behaviour(origin_id: str, *, path_pattern: str | None = None,
              cache_policy_id: str | None = CACHING_OPTIMIZED,
              viewer_protocol: str = "redirect-to-https", legacy: dict | None = None) -> dict:
    """A cache behaviour (the default one without ``path_pattern``). ``legacy`` gives
    ``ForwardedValues`` and TTLs instead of a cache policy, e.g. ``{"ForwardedValues":
    {"QueryString": False, "Cookies": {"Forward": "none"}}, "MinTTL": 0}``."""
    out = {"TargetOriginId": origin_id, "ViewerProtocolPolicy": viewer_protocol}
    if path_pattern is not None:
        out = {"PathPattern": path_pattern, **out}
    if legacy is not None:
        out.update(legacy)
    else:
        out["CachePolicyId"] = cache_policy_id
    return out


def distribution_config(origins: list, default_behaviour: dict, *, caller_reference: str,
                        behaviours: list = (), comment: str = "", enabled: bool = True,
                        **extra) -> dict:
    """A whole DistributionConfig; ``extra`` adds top-level fields (``PriceClass``, ...)."""
    config = {"CallerReference": caller_reference, "Comment": comment, "Enabled": enabled,
              "Origins": {"Quantity": len(origins), "Items": list(origins)},
              "DefaultCacheBehavior": default_behaviour}
    if behaviours:
        config["CacheBehaviors"] = {"Quantity": len(behaviours), "Items": list(behaviours)}
    config.update(extra)
    return config
