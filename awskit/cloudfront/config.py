"""``DistributionConfig``: validated, and normalised to every field CloudFront returns.

CloudFront answers with the whole configuration, defaults filled in (empty ``{Quantity: 0}``
blocks, ``""`` strings, ``Logging`` off, ``PriceClass_All``, ``http2``, three connection
attempts of 10 s, ...) as the AWS CLI examples of CreateDistribution/GetDistribution show and
botocore's model documents (ConnectionAttempts 3, ConnectionTimeout 10, OriginReadTimeout 30,
OriginKeepaliveTimeout 5, DefaultTTL 86,400, MaxTTL 31,536,000) [BC cloudfront:Origin,
CustomOriginConfig, DefaultCacheBehavior]; ``IsIPV6Enabled`` is false unless given (awskit's
reading: the API documents no default). A behaviour names either a ``CachePolicyId`` or the
legacy ``ForwardedValues`` with ``MinTTL``/``DefaultTTL``/``MaxTTL`` (never both).

Features whose effect awskit does not simulate (Lambda@Edge and CloudFront Functions, signed
URLs, origin groups, origin request and response headers policies, logging, AWS WAF, staging
distributions, VPC origins, field-level encryption, ...) are refused with 501 NotImplemented
rather than accepted and ignored. ``Compress`` is accepted; awskit never compresses (viewers get
the object as the origin sent it). Certificates cannot be checked (awskit has no ACM): an
ACM certificate ARN must be in us-east-1, as CloudFront requires, and is trusted to cover the
aliases.
"""

from __future__ import annotations

import re

from .codes import block, cf_error, invalid, listed, not_simulated
from .model import CUSTOM_ERROR_CODES, MAX_BEHAVIORS, MAX_CNAMES, MAX_ORIGINS

S3_DOMAIN = re.compile(r"(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])\.s3"
                       r"(?:[.\-](?P<region>[a-z]{2}(?:-[a-z]+)+-\d))?\.amazonaws\.com")
_ALIAS = re.compile(r"(\*\.)?([a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_ACM = re.compile(r"arn:aws:acm:us-east-1:\d{12}:certificate/[\w\-]+")
_METHOD_SETS = ({"GET", "HEAD"}, {"GET", "HEAD", "OPTIONS"},
                {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"})
_RESPONSE_CODES = {"200", *(str(c) for c in CUSTOM_ERROR_CODES)}
_OFF = {"LambdaFunctionAssociations": "Lambda@Edge associations",
        "FunctionAssociations": "CloudFront Functions", "OriginGroups": "origin groups"}
_EMPTY_ONLY = {"FieldLevelEncryptionId": "field-level encryption",
               "RealtimeLogConfigArn": "real-time logs",
               "OriginRequestPolicyId": "origin request policies",
               "ResponseHeadersPolicyId": "response headers policies",
               "WebACLId": "AWS WAF web ACLs",
               "ContinuousDeploymentPolicyId": "continuous deployment",
               "AnycastIpListId": "Anycast static IP lists"}
_ABSENT = {"TenantConfig": "multi-tenant distributions", "ViewerMtlsConfig": "viewer mTLS",
           "ConnectionFunctionAssociation": "connection functions",
           "CacheTagConfig": "cache tags", "VpcOriginConfig": "VPC origins"}


def s3_bucket_of(domain: str) -> str | None:
    """The bucket an S3 REST endpoint domain names (``b.s3.amazonaws.com``,
    ``b.s3.us-west-2.amazonaws.com``), or None (website endpoints are custom origins)."""
    found = S3_DOMAIN.fullmatch(domain.lower())
    return found.group("bucket") if found else None


def _refuse_unsimulated(where: dict) -> None:
    for name, feature in _OFF.items():
        if (where.get(name) or {}).get("Quantity"):
            raise not_simulated(feature)
    for name, feature in _EMPTY_ONLY.items():
        if where.get(name):
            raise not_simulated(feature)
    for name, feature in _ABSENT.items():
        if where.get(name):
            raise not_simulated(feature)


# -- origins ----------------------------------------------------------------------------------
def _origin(o: dict, oac_exists) -> dict:
    _refuse_unsimulated(o)
    s3, custom = o.get("S3OriginConfig"), o.get("CustomOriginConfig")
    if (s3 is None) == (custom is None):
        raise cf_error("InvalidOrigin", "Each origin needs exactly one of S3OriginConfig and "
                                        "CustomOriginConfig.")
    path = o.get("OriginPath", "")
    if path and (not path.startswith("/") or path.endswith("/")):
        raise invalid("The parameter Origin Path must start with a slash (/) and must not end "
                      "with one.")
    out = {"Id": o["Id"], "DomainName": o["DomainName"], "OriginPath": path,
           "CustomHeaders": block(listed(o.get("CustomHeaders"), "CustomHeaders"))}
    oac = o.get("OriginAccessControlId", "")
    if s3 is not None:
        if s3_bucket_of(o["DomainName"]) is None:
            raise invalid("The parameter Origin DomainName does not refer to a valid S3 bucket.")
        if s3.get("OriginAccessIdentity"):
            if oac:
                raise cf_error("IllegalOriginAccessConfiguration")
            raise cf_error("InvalidOriginAccessIdentity", "awskit simulates origin access "
                           "control (OAC), not legacy origin access identities: the origin "
                           "access identity does not exist.")
        out["S3OriginConfig"] = {"OriginAccessIdentity": "",
                                 **_timeout(s3, "OriginReadTimeout", 1, 120, None)}
    else:
        if custom.get("OriginMtlsConfig"):
            raise not_simulated("origin mutual TLS")
        for port in ("HTTPPort", "HTTPSPort"):
            if not (custom[port] in (80, 443) or 1024 <= custom[port] <= 65535):
                raise invalid(f"The parameter {port} must be 80, 443 or 1024-65535.")
        item = {"HTTPPort": custom["HTTPPort"], "HTTPSPort": custom["HTTPSPort"],
                "OriginProtocolPolicy": custom["OriginProtocolPolicy"]}
        if custom.get("OriginSslProtocols"):
            item["OriginSslProtocols"] = block(listed(custom["OriginSslProtocols"],
                                                      "OriginSslProtocols"))
        item.update(_timeout(custom, "OriginReadTimeout", 1, 120, 30))
        item.update(_timeout(custom, "OriginKeepaliveTimeout", 1, 120, 5))
        if custom.get("IpAddressType"):
            item["IpAddressType"] = custom["IpAddressType"]
        out["CustomOriginConfig"] = item
    out.update(_timeout(o, "ConnectionAttempts", 1, 3, 3))
    out.update(_timeout(o, "ConnectionTimeout", 1, 10, 10))
    shield = o.get("OriginShield") or {"Enabled": False}
    if shield["Enabled"]:
        from .geo import SHIELD_REGIONS
        region = shield.get("OriginShieldRegion")
        if region not in SHIELD_REGIONS:
            raise invalid(f"The parameter OriginShieldRegion must be one of the Regions where "
                          f"CloudFront offers Origin Shield: {', '.join(SHIELD_REGIONS)}.")
        out["OriginShield"] = {"Enabled": True, "OriginShieldRegion": region}
    else:
        out["OriginShield"] = {"Enabled": False}
    if oac and not oac_exists(oac):
        raise cf_error("InvalidOriginAccessControl",
                       f"The origin access control {oac} does not exist.")
    out["OriginAccessControlId"] = oac
    return out


def _timeout(where: dict, name: str, low: int, high: int, default):
    value = where.get(name, default)
    if value is None:
        return {}
    if not low <= value <= high:
        code = {"OriginReadTimeout": "InvalidOriginReadTimeout",
                "OriginKeepaliveTimeout": "InvalidOriginKeepaliveTimeout"}.get(name)
        message = f"The parameter {name} must be between {low} and {high}."
        raise cf_error(code, message) if code else invalid(message)
    return {name: value}


# -- behaviours -------------------------------------------------------------------------------
def _methods(allowed: dict | None) -> dict:
    if not allowed:
        return {"Quantity": 2, "Items": ["HEAD", "GET"],
                "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}}
    items = listed(allowed, "AllowedMethods")
    cached = listed(allowed.get("CachedMethods"), "CachedMethods") or ["HEAD", "GET"]
    if set(items) not in _METHOD_SETS or len(set(items)) != len(items):
        raise invalid("AllowedMethods must be GET and HEAD; GET, HEAD and OPTIONS; or GET, "
                      "HEAD, OPTIONS, PUT, PATCH, POST and DELETE.")
    if set(cached) not in _METHOD_SETS[:2] or not set(cached) <= set(items):
        raise invalid("CachedMethods must be GET and HEAD, or GET, HEAD and OPTIONS, and only "
                      "methods that AllowedMethods allows.")
    return {"Quantity": len(items), "Items": items,
            "CachedMethods": {"Quantity": len(cached), "Items": cached}}


def _forwarded(fv: dict) -> dict:
    cookies = fv["Cookies"]
    names = listed(cookies.get("WhitelistedNames"), "WhitelistedNames")
    if (cookies["Forward"] == "whitelist") != bool(names):
        raise cf_error("InvalidForwardCookies")
    headers = listed(fv.get("Headers"), "Headers")
    if len(headers) > 10:
        raise cf_error("TooManyHeadersInForwardedValues")
    keys = listed(fv.get("QueryStringCacheKeys"), "QueryStringCacheKeys")
    if keys and not fv["QueryString"]:
        raise cf_error("InvalidQueryStringParameters", "QueryStringCacheKeys needs QueryString "
                                                       "true.")
    out_cookies = {"Forward": cookies["Forward"]}
    if names:
        out_cookies["WhitelistedNames"] = block(names)
    return {"QueryString": fv["QueryString"], "Cookies": out_cookies, "Headers": block(headers),
            "QueryStringCacheKeys": block(keys)}


def _legacy_ttls(b: dict) -> dict:
    low = b.get("MinTTL", 0)
    default = b.get("DefaultTTL", max(86400, low))
    high = b.get("MaxTTL", default if max(low, default) > 31536000 else 31536000)
    if not 0 <= low <= default <= high:
        raise cf_error("InvalidTTLOrder", "MinTTL, DefaultTTL and MaxTTL must satisfy "
                                          "MinTTL <= DefaultTTL <= MaxTTL.")
    return {"MinTTL": low, "DefaultTTL": default, "MaxTTL": high}


def _behaviour(b: dict, origin_ids: set, policy_exists) -> dict:
    _refuse_unsimulated(b)
    for name, feature in (("TrustedSigners", "signed URLs (trusted signers)"),
                          ("TrustedKeyGroups", "signed URLs (trusted key groups)")):
        if (b.get(name) or {}).get("Enabled") or (b.get(name) or {}).get("Quantity"):
            raise not_simulated(feature)
    if b.get("SmoothStreaming") or (b.get("GrpcConfig") or {}).get("Enabled"):
        raise not_simulated("Smooth Streaming and gRPC")
    if b["TargetOriginId"] not in origin_ids:
        raise cf_error("NoSuchOrigin", f"No origin exists with the specified Origin Id: "
                                       f"{b['TargetOriginId']}.")
    out = {}
    if "PathPattern" in b:
        if not b["PathPattern"] or len(b["PathPattern"]) > 255:
            raise invalid("The parameter PathPattern must be 1 to 255 characters.")
        out["PathPattern"] = b["PathPattern"]
    out.update({"TargetOriginId": b["TargetOriginId"],
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
                "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
                "ViewerProtocolPolicy": b["ViewerProtocolPolicy"],
                "AllowedMethods": _methods(b.get("AllowedMethods")),
                "SmoothStreaming": False, "Compress": bool(b.get("Compress", False)),
                "LambdaFunctionAssociations": {"Quantity": 0},
                "FunctionAssociations": {"Quantity": 0}, "FieldLevelEncryptionId": ""})
    legacy = [k for k in ("ForwardedValues", "MinTTL", "DefaultTTL", "MaxTTL") if k in b]
    policy = b.get("CachePolicyId")
    if policy:
        if legacy:
            raise invalid(f"The parameter {legacy[0]} cannot be used when a cache policy is "
                          "associated to the cache behavior.")
        if not policy_exists(policy):
            raise cf_error("NoSuchCachePolicy", f"The cache policy {policy} does not exist.")
        out["CachePolicyId"] = policy
        return out
    if "ForwardedValues" not in b:
        raise invalid("The parameter ForwardedValues is required.")
    out["ForwardedValues"] = _forwarded(b["ForwardedValues"])
    out.update(_legacy_ttls(b))
    if out["MinTTL"] and "*" in out["ForwardedValues"]["Headers"].get("Items", []):
        raise invalid("MinTTL must be 0 when all headers (*) are forwarded.")
    return out


# -- the whole configuration ------------------------------------------------------------------
def _errors(config: dict) -> dict:
    items = []
    for e in listed(config.get("CustomErrorResponses"), "CustomErrorResponses"):
        if e["ErrorCode"] not in CUSTOM_ERROR_CODES:
            raise cf_error("InvalidErrorCode", f"Error code {e['ErrorCode']} cannot have a "
                                               "custom error response.")
        page, code = e.get("ResponsePagePath", ""), e.get("ResponseCode", "")
        if bool(page) != bool(code):
            raise invalid("ResponsePagePath and ResponseCode must be specified together.")
        if page and not page.startswith("/"):
            raise cf_error("InvalidRelativePath")
        if code and code not in _RESPONSE_CODES:
            raise cf_error("InvalidResponseCode")
        items.append({"ErrorCode": e["ErrorCode"], "ResponsePagePath": page,
                      "ResponseCode": code, "ErrorCachingMinTTL": e.get("ErrorCachingMinTTL", 10)})
    return block(items)


def _certificate(config: dict, aliases: list) -> dict:
    cert = config.get("ViewerCertificate") or {}
    acm, iam = cert.get("ACMCertificateArn"), cert.get("IAMCertificateId")
    if acm and iam:
        raise cf_error("InvalidViewerCertificate", "Specify ACMCertificateArn or "
                                                   "IAMCertificateId, not both.")
    if iam:
        raise not_simulated("IAM server certificates for viewers")
    if acm:
        if not _ACM.fullmatch(acm):
            raise cf_error("InvalidViewerCertificate", "The specified SSL certificate doesn't "
                           "exist, isn't in us-east-1 region, isn't valid, or doesn't include "
                           "a valid certificate chain.")
        return {"CloudFrontDefaultCertificate": False, "ACMCertificateArn": acm,
                "SSLSupportMethod": cert.get("SSLSupportMethod", "sni-only"),
                "MinimumProtocolVersion": cert.get("MinimumProtocolVersion", "TLSv1.2_2021"),
                "Certificate": acm, "CertificateSource": "acm"}
    if aliases:
        raise cf_error("InvalidViewerCertificate", "To add an alternate domain name (CNAME) to "
                       "a CloudFront distribution, you must attach a trusted certificate that "
                       "validates your authorization to use the domain name.")
    return {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1",
            "CertificateSource": "cloudfront"}


def _restrictions(config: dict) -> dict:
    geo = (config.get("Restrictions") or {}).get("GeoRestriction") or \
        {"RestrictionType": "none", "Quantity": 0}
    items = listed(geo, "GeoRestriction")
    if (geo["RestrictionType"] == "none") != (not items) or \
            any(not re.fullmatch(r"[A-Z]{2}", c) for c in items):
        raise cf_error("InvalidGeoRestrictionParameter", "A blacklist or whitelist needs ISO "
                       "3166-1 alpha-2 country codes; RestrictionType none takes none.")
    out = {"RestrictionType": geo["RestrictionType"], **block(items)}
    return {"GeoRestriction": out}


def normalise(config: dict, *, policy_exists, oac_exists, alias_taken) -> dict:
    """Validate ``config`` (raising CloudFront's error) and return it as CloudFront stores it.

    ``policy_exists(id)``, ``oac_exists(id)`` and ``alias_taken(name)`` look up the account's
    cache policies, origin access controls and other distributions' aliases.
    """
    _refuse_unsimulated(config)
    if config.get("Staging"):
        raise not_simulated("staging distributions")
    if (config.get("Logging") or {}).get("Enabled"):
        raise not_simulated("standard logging")
    if config.get("ConnectionMode", "direct") != "direct":
        raise not_simulated("multi-tenant distributions")
    if not config["CallerReference"]:
        raise invalid("The parameter CallerReference must not be empty.")
    if len(config["Comment"]) > 128:
        raise invalid("The parameter Comment is too long (128 characters at most).")
    root = config.get("DefaultRootObject", "")
    if root.startswith("/") or len(root) > 255:
        raise cf_error("InvalidDefaultRootObject")
    aliases = listed(config.get("Aliases"), "Aliases", MAX_CNAMES, "TooManyDistributionCNAMEs")
    for alias in aliases:
        if not _ALIAS.fullmatch(alias.lower()):
            raise invalid(f"The parameter CNAME contains an invalid domain name: {alias}")
        if alias_taken(alias.lower()):
            raise cf_error("CNAMEAlreadyExists", f"One or more of the CNAMEs you provided are "
                           f"already associated with a different resource: {alias}")
    origins = listed(config["Origins"], "Origins", MAX_ORIGINS, "TooManyOrigins")
    if not origins:
        raise invalid("A distribution needs at least one origin.")
    ids = [o["Id"] for o in origins]
    if len(set(ids)) != len(ids):
        raise invalid("The parameter Origin Id must be unique within the distribution.")
    behaviours = listed(config.get("CacheBehaviors"), "CacheBehaviors", MAX_BEHAVIORS,
                        "TooManyCacheBehaviors")
    patterns = [b["PathPattern"] for b in behaviours]
    if len(set(patterns)) != len(patterns):
        raise invalid("Two cache behaviors have the same PathPattern.")
    out = {"CallerReference": config["CallerReference"], "Aliases": block(aliases),
           "DefaultRootObject": root,
           "Origins": block([_origin(o, oac_exists) for o in origins]),
           "OriginGroups": {"Quantity": 0},
           "DefaultCacheBehavior": _behaviour(config["DefaultCacheBehavior"], set(ids),
                                              policy_exists),
           "CacheBehaviors": block([_behaviour(b, set(ids), policy_exists)
                                    for b in behaviours]),
           "CustomErrorResponses": _errors(config), "Comment": config["Comment"],
           "Logging": {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""},
           "PriceClass": config.get("PriceClass", "PriceClass_All"),
           "Enabled": config["Enabled"], "ViewerCertificate": _certificate(config, aliases),
           "Restrictions": _restrictions(config), "WebACLId": "",
           "HttpVersion": config.get("HttpVersion", "http2"),
           "IsIPV6Enabled": config.get("IsIPV6Enabled", False),
           "ContinuousDeploymentPolicyId": "", "Staging": False}
    return out
