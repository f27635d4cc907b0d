"""Cache policies, origin access controls and invalidations through boto3."""

import pytest
from botocore.exceptions import ClientError

from awskit.cloudfront.model import DEPLOY_S, INVALIDATION_S
from awskit.cloudfront.templates import behaviour, distribution_config, s3_origin

OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"      # AWS's documented managed policy ids
DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


@pytest.fixture
def cf(cloud):
    return cloud.client("cloudfront")


def error_of(call, **params):
    with pytest.raises(ClientError) as info:
        call(**params)
    return info.value.response["Error"]["Code"], \
        info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def policy(name="short", **extra):
    return {"Name": name, "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 600,
            "ParametersInCacheKeyAndForwardedToOrigin": {
                "EnableAcceptEncodingGzip": False,
                "HeadersConfig": {"HeaderBehavior": "none"},
                "CookiesConfig": {"CookieBehavior": "none"},
                "QueryStringsConfig": {"QueryStringBehavior": "whitelist", "QueryStrings": {
                    "Quantity": 1, "Items": ["v"]}}}, **extra}


def dist_with(cf, policy_id=OPTIMIZED, oac_id="", ref="r"):
    return cf.create_distribution(DistributionConfig=distribution_config(
        [s3_origin("site-b", oac_id=oac_id)], behaviour("site-b", cache_policy_id=policy_id),
        caller_reference=ref))["Distribution"]


# -- cache policies ---------------------------------------------------------------------------
def test_managed_policies_are_listed_with_their_documented_settings(cf):
    listed = cf.list_cache_policies(Type="managed")["CachePolicyList"]
    by_id = {p["CachePolicy"]["Id"]: p for p in listed["Items"]}
    assert {OPTIMIZED, DISABLED} <= set(by_id)
    assert all(p["Type"] == "managed" for p in listed["Items"])
    optimized = cf.get_cache_policy(Id=OPTIMIZED)["CachePolicy"]["CachePolicyConfig"]
    assert (optimized["Name"], optimized["MinTTL"], optimized["DefaultTTL"],
            optimized["MaxTTL"]) == ("Managed-CachingOptimized", 1, 86400, 31536000)
    keys = optimized["ParametersInCacheKeyAndForwardedToOrigin"]
    assert keys["QueryStringsConfig"] == {"QueryStringBehavior": "none"}
    assert keys["EnableAcceptEncodingGzip"] and keys["EnableAcceptEncodingBrotli"]
    disabled = cf.get_cache_policy_config(Id=DISABLED)["CachePolicyConfig"]
    assert (disabled["MinTTL"], disabled["DefaultTTL"], disabled["MaxTTL"]) == (0, 0, 0)
    assert cf.list_cache_policies(Type="custom")["CachePolicyList"]["Quantity"] == 0


def test_custom_policy_lifecycle(cf):
    created = cf.create_cache_policy(CachePolicyConfig=policy())
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    pid, etag = created["CachePolicy"]["Id"], created["ETag"]
    assert cf.get_cache_policy(Id=pid)["CachePolicy"]["CachePolicyConfig"]["DefaultTTL"] == 60
    assert error_of(cf.create_cache_policy, CachePolicyConfig=policy()) == \
        ("CachePolicyAlreadyExists", 409)
    assert error_of(cf.update_cache_policy, Id=pid, CachePolicyConfig=policy(DefaultTTL=30),
                    IfMatch="stale") == ("PreconditionFailed", 412)
    etag = cf.update_cache_policy(Id=pid, CachePolicyConfig=policy(DefaultTTL=30),
                                  IfMatch=etag)["ETag"]
    assert cf.get_cache_policy_config(Id=pid)["CachePolicyConfig"]["DefaultTTL"] == 30
    dist = dist_with(cf, pid)
    assert error_of(cf.delete_cache_policy, Id=pid, IfMatch=etag) == ("CachePolicyInUse", 409)
    current = cf.get_distribution_config(Id=dist["Id"])
    config = current["DistributionConfig"]
    config["DefaultCacheBehavior"]["CachePolicyId"] = OPTIMIZED
    cf.update_distribution(Id=dist["Id"], DistributionConfig=config, IfMatch=current["ETag"])
    cf.delete_cache_policy(Id=pid, IfMatch=etag)
    assert error_of(cf.get_cache_policy, Id=pid) == ("NoSuchCachePolicy", 404)


def test_managed_policies_cannot_change(cf):
    etag = cf.get_cache_policy(Id=OPTIMIZED)["ETag"]
    assert error_of(cf.update_cache_policy, Id=OPTIMIZED, CachePolicyConfig=policy(),
                    IfMatch=etag)[0] == "IllegalUpdate"
    assert error_of(cf.delete_cache_policy, Id=OPTIMIZED, IfMatch=etag)[0] == "IllegalDelete"


@pytest.mark.parametrize("bad, code", [
    (policy(name="has space"), "InvalidArgument"),
    (policy(MinTTL=100, DefaultTTL=10), "InvalidArgument"),
    (policy(MaxTTL=0, DefaultTTL=0), "InvalidArgument"),        # caching off, key parts on
    ({**policy(), "ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": False, "HeadersConfig": {
            "HeaderBehavior": "whitelist",
            "Headers": {"Quantity": 11, "Items": [f"h{i}" for i in range(11)]}},
        "CookiesConfig": {"CookieBehavior": "none"},
        "QueryStringsConfig": {"QueryStringBehavior": "none"}}}, "TooManyHeadersInCachePolicy"),
    ({**policy(), "ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": False, "HeadersConfig": {"HeaderBehavior": "whitelist"},
        "CookiesConfig": {"CookieBehavior": "none"},
        "QueryStringsConfig": {"QueryStringBehavior": "none"}}}, "InvalidArgument"),
])
def test_bad_cache_policies(cf, bad, code):
    assert error_of(cf.create_cache_policy, CachePolicyConfig=bad)[0] == code
    assert cf.list_cache_policies(Type="custom")["CachePolicyList"]["Quantity"] == 0


def test_cache_policy_quota(cf, monkeypatch):
    monkeypatch.setattr("awskit.cloudfront.policies.MAX_CACHE_POLICIES", 1)
    cf.create_cache_policy(CachePolicyConfig=policy("one"))
    assert error_of(cf.create_cache_policy, CachePolicyConfig=policy("two")) == \
        ("TooManyCachePolicies", 400)


# -- origin access control --------------------------------------------------------------------
OAC = {"Name": "site", "SigningProtocol": "sigv4", "SigningBehavior": "always",
       "OriginAccessControlOriginType": "s3"}


def test_origin_access_control_lifecycle(cf):
    created = cf.create_origin_access_control(OriginAccessControlConfig=OAC)
    oac_id, etag = created["OriginAccessControl"]["Id"], created["ETag"]
    assert created["OriginAccessControl"]["OriginAccessControlConfig"]["Description"] == ""
    assert error_of(cf.create_origin_access_control, OriginAccessControlConfig=OAC) == \
        ("OriginAccessControlAlreadyExists", 409)
    listed = cf.list_origin_access_controls()["OriginAccessControlList"]
    assert [o["Id"] for o in listed["Items"]] == [oac_id]
    etag = cf.update_origin_access_control(Id=oac_id, IfMatch=etag, OriginAccessControlConfig={
        **OAC, "SigningBehavior": "no-override"})["ETag"]
    assert cf.get_origin_access_control_config(Id=oac_id)["OriginAccessControlConfig"][
        "SigningBehavior"] == "no-override"
    assert error_of(cf.update_origin_access_control, Id=oac_id, IfMatch=etag,
                    OriginAccessControlConfig={**OAC, "OriginAccessControlOriginType": "lambda"}
                    )[0] == "IllegalUpdate"
    dist_with(cf, oac_id=oac_id)
    assert error_of(cf.delete_origin_access_control, Id=oac_id, IfMatch=etag) == \
        ("OriginAccessControlInUse", 409)
    assert error_of(cf.get_origin_access_control, Id="E0000000000000") == \
        ("NoSuchOriginAccessControl", 404)


# -- invalidations ----------------------------------------------------------------------------
def paths(*items, ref="inv-1"):
    return {"Paths": {"Quantity": len(items), "Items": list(items)}, "CallerReference": ref}


def test_invalidation_moves_from_in_progress_to_completed(cf, cloud):
    dist_id = dist_with(cf)["Id"]
    cloud.advance(DEPLOY_S)
    created = cf.create_invalidation(DistributionId=dist_id, InvalidationBatch=paths("/a.html",
                                                                                     "/img/*"))
    inv = created["Invalidation"]
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert inv["Id"].startswith("I") and inv["Status"] == "InProgress"
    assert inv["InvalidationBatch"]["Paths"]["Items"] == ["/a.html", "/img/*"]
    assert cf.get_distribution(Id=dist_id)["Distribution"]["InProgressInvalidationBatches"] == 1
    again = cf.create_invalidation(DistributionId=dist_id, InvalidationBatch=paths(
        "/a.html", "/img/*"))
    assert again["Invalidation"]["Id"] == inv["Id"]              # same reference, same paths
    assert error_of(cf.create_invalidation, DistributionId=dist_id,
                    InvalidationBatch=paths("/other"))[0] == "InvalidationBatchAlreadyExists"
    cf.get_waiter("invalidation_completed").wait(DistributionId=dist_id, Id=inv["Id"])
    assert cloud.clock.elapsed >= DEPLOY_S + INVALIDATION_S
    assert cf.get_invalidation(DistributionId=dist_id, Id=inv["Id"])["Invalidation"][
        "Status"] == "Completed"
    assert cf.get_distribution(Id=dist_id)["Distribution"]["InProgressInvalidationBatches"] == 0


def test_invalidation_list_and_errors(cf, cloud):
    dist_id = dist_with(cf)["Id"]
    first = cf.create_invalidation(DistributionId=dist_id, InvalidationBatch=paths("/1", ref="1"))
    cloud.advance(1)
    second = cf.create_invalidation(DistributionId=dist_id,
                                    InvalidationBatch=paths("/2", ref="2"))
    listed = cf.list_invalidations(DistributionId=dist_id)["InvalidationList"]
    assert [i["Id"] for i in listed["Items"]] == [second["Invalidation"]["Id"],
                                                  first["Invalidation"]["Id"]]
    assert error_of(cf.get_invalidation, DistributionId=dist_id, Id="I0000000000000") == \
        ("NoSuchInvalidation", 404)
    assert error_of(cf.create_invalidation, DistributionId="E0000000000000",
                    InvalidationBatch=paths("/x")) == ("NoSuchDistribution", 404)
    for bad in ("no-slash", "/a*b"):
        assert error_of(cf.create_invalidation, DistributionId=dist_id,
                        InvalidationBatch=paths(bad, ref=bad))[0] == "InvalidArgument"
    assert error_of(cf.create_invalidation, DistributionId=dist_id, InvalidationBatch={
        "Paths": {"Quantity": 2, "Items": ["/x"]}, "CallerReference": "q"})[0] == \
        "InconsistentQuantities"


def test_at_most_15_wildcard_paths_in_progress(cf):
    dist_id = dist_with(cf)["Id"]
    cf.create_invalidation(DistributionId=dist_id, InvalidationBatch=paths(
        *[f"/d{i}/*" for i in range(15)], ref="a"))
    assert error_of(cf.create_invalidation, DistributionId=dist_id,
                    InvalidationBatch=paths("/more/*", ref="b")) == \
        ("TooManyInvalidationsInProgress", 400)
    cf.create_invalidation(DistributionId=dist_id, InvalidationBatch=paths("/single", ref="c"))
