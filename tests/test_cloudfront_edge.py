"""The data plane: hits, misses, Age, TTL rules, revalidation, invalidations, behaviours,
Origin Shield, S3 access, custom origins, errors, edge choice and the trace."""

import json

import pytest

from awskit.cloudfront import geo
from awskit.cloudfront.model import INVALIDATION_S
from awskit.cloudfront.templates import (
    behaviour,
    custom_origin,
    distribution_config,
    s3_origin,
)

DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
OAC = {"Name": "site", "SigningProtocol": "sigv4", "SigningBehavior": "always",
       "OriginAccessControlOriginType": "s3"}


def s3_site(cloud, bucket="site-bucket", *, oac=True, policy=True, shield=None, **extra):
    """A private bucket behind a distribution with OAC and a bucket policy letting CloudFront
    read for the account's distributions (AWS documents it with one distribution's ARN)."""
    s3, cf = cloud.client("s3"), cloud.client("cloudfront")
    if bucket not in cloud.s3.buckets:
        s3.create_bucket(Bucket=bucket)
    oac_id = cf.create_origin_access_control(OriginAccessControlConfig={
        **OAC, "Name": f"oac-{len(cloud.cloudfront.access_controls)}"})[
        "OriginAccessControl"]["Id"] if oac else ""
    dist = cf.create_distribution(DistributionConfig=distribution_config(
        [s3_origin(bucket, oac_id=oac_id, shield_region=shield)],
        extra.pop("default", behaviour(bucket)),
        caller_reference=f"ref-{len(cloud.cloudfront.distributions)}", **extra))["Distribution"]
    if policy:
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*",
                "Condition": {"StringLike": {"AWS:SourceArn": dist["ARN"].rsplit("/", 1)[0]
                                                              + "/*"}}}]}))
    return dist


def url(dist, path="/index.html", scheme="https"):
    return f"{scheme}://{dist['DomainName']}{path}"


@pytest.fixture
def site(cloud):
    cloud.client("s3").create_bucket(Bucket="site-bucket")
    cloud.client("s3").put_object(Bucket="site-bucket", Key="index.html", Body=b"<h1>v1</h1>",
                                  ContentType="text/html", CacheControl="max-age=300")
    return s3_site(cloud)


def get(cloud, dist, path="/index.html", city="Paris", **kw):
    return cloud.cloudfront.request(url(dist, path), from_city=city, **kw)


# -- hits, misses, Age ----------------------------------------------------------------------
def test_miss_then_hit_with_age(cloud, site):
    first = get(cloud, site)
    assert (first.status, first.x_cache, first.served_by) == (200, "Miss from cloudfront",
                                                              "Origin")
    assert first.body == b"<h1>v1</h1>" and first.headers["content-type"] == "text/html"
    assert "Age" not in first.headers and first.origin_request
    assert first.headers["X-Amz-Cf-Pop"].startswith("CDG")
    assert first.headers["Via"].endswith(".cloudfront.net (CloudFront)")
    cloud.advance(120)
    second = get(cloud, site)
    assert (second.x_cache, second.served_by) == ("Hit from cloudfront",
                                                  "CloudFront edge location")
    assert second.age == 120 and not second.origin_request
    assert second.latency_ms < first.latency_ms
    m = cloud.cloudfront.metrics(site["Id"])
    assert (m["requests"], m["hits"], m["misses"], m["origin_requests"]) == (2, 1, 1, 1)
    assert m["hit_ratio"] == 0.5
    assert cloud.meter.requests[("s3", "GetObject")] == 1   # S3 bills the one origin GET


def test_trace_shows_the_path_through_the_layers(cloud, site):
    response = get(cloud, site)
    trace = response.trace
    assert trace is cloud.traces.last and trace.service == "cloudfront"
    assert trace.components == ["CloudFront edge location", "Regional edge cache", "Origin"]
    origin_step = next(s for s in trace.steps if s.component == "Origin")
    assert {s.component for s in origin_step.substeps} >= {"IAM", "Metadata DB"}
    assert trace.duration_ms == pytest.approx(response.latency_ms)
    assert cloud.clock.elapsed == pytest.approx(trace.t0 + response.latency_ms / 1000)


def test_a_regional_edge_cache_serves_a_neighbouring_edge(cloud, site):
    get(cloud, site, city="Berlin")                        # FRA edge, eu-central-1 REC
    other = get(cloud, site, city="Zurich")                # ZRH edge, the same REC
    assert other.edge == "ZRH" and other.x_cache == "Miss from cloudfront"
    assert other.served_by == "Regional edge cache" and not other.origin_request
    assert other.age is not None                           # it was cached upstream


def test_expired_unchanged_object_is_a_refresh_hit_changed_is_a_miss(cloud, site):
    get(cloud, site)
    cloud.advance(301)
    refreshed = get(cloud, site)
    assert refreshed.x_cache == "RefreshHit from cloudfront" and refreshed.origin_request
    cloud.client("s3").put_object(Bucket="site-bucket", Key="index.html", Body=b"<h1>v2</h1>",
                                  CacheControl="max-age=300")
    assert get(cloud, site).body == b"<h1>v1</h1>"         # still fresh at the edge
    cloud.advance(301)
    changed = get(cloud, site)
    assert changed.x_cache == "Miss from cloudfront" and changed.body == b"<h1>v2</h1>"


# -- TTL rules through the data plane ------------------------------------------------------------
def legacy(low=0, default=86400, high=31536000, query=False, keys=()):
    fv = {"QueryString": query, "Cookies": {"Forward": "none"}}
    if keys:
        fv["QueryStringCacheKeys"] = {"Quantity": len(keys), "Items": list(keys)}
    return {"ForwardedValues": fv, "MinTTL": low, "DefaultTTL": default, "MaxTTL": high}


@pytest.mark.parametrize("cache_control, ttls, cached_for", [
    ("max-age=600", (0, 60, 300), 300),             # MaxTTL caps the origin's max-age
    ("max-age=10", (60, 86400, 31536000), 60),      # MinTTL floors it
    ("s-maxage=30, max-age=600", (0, 86400, 31536000), 30),   # s-maxage wins
    (None, (0, 120, 31536000), 120),                # no header: DefaultTTL
    ("no-store", (0, 86400, 31536000), 0),          # not cached with MinTTL 0...
    ("no-store", (5, 86400, 31536000), 5),          # ...cached for MinTTL otherwise
])
def test_ttl_rules(cloud, cache_control, ttls, cached_for):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="ttl-bucket")
    extra = {"CacheControl": cache_control} if cache_control else {}
    s3.put_object(Bucket="ttl-bucket", Key="f", Body=b"x", **extra)
    low, default, high = ttls
    dist = s3_site(cloud, "ttl-bucket", default=behaviour("ttl-bucket", legacy=legacy(
        low, default, high)))
    get(cloud, dist, "/f")
    if cached_for == 0:
        assert get(cloud, dist, "/f").x_cache == "Miss from cloudfront"
        return
    cloud.advance(cached_for - 1)
    assert get(cloud, dist, "/f").x_cache == "Hit from cloudfront"
    cloud.advance(2)
    assert get(cloud, dist, "/f").x_cache == "RefreshHit from cloudfront"


def test_expires_header_sets_the_ttl(cloud):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="exp-bucket")
    s3.put_object(Bucket="exp-bucket", Key="f", Body=b"x",
                  Expires=cloud.clock.now.replace(microsecond=0) + __import__(
                      "datetime").timedelta(seconds=100))
    dist = s3_site(cloud, "exp-bucket")
    get(cloud, dist, "/f")
    cloud.advance(90)
    assert get(cloud, dist, "/f").x_cache == "Hit from cloudfront"
    cloud.advance(20)
    assert get(cloud, dist, "/f").x_cache != "Hit from cloudfront"


def test_caching_disabled_always_goes_to_the_origin(cloud, site):
    dist = s3_site(cloud, default=behaviour("site-bucket", cache_policy_id=DISABLED))
    for _ in range(3):
        response = get(cloud, dist)
        assert response.x_cache == "Miss from cloudfront" and response.origin_request
    assert "Regional edge cache" not in response.trace.components   # dynamic: edge → origin


def test_cache_key_includes_only_whitelisted_query_strings(cloud):
    server = cloud.cloudfront.origin_server("api.example.com")
    server["/items"] = ("[]", {"Cache-Control": "max-age=60"})
    dist = cloud.client("cloudfront").create_distribution(DistributionConfig=distribution_config(
        [custom_origin("api.example.com")], behaviour("api.example.com", legacy=legacy(
            query=True, keys=["page"])), caller_reference="q"))["Distribution"]
    base = "/items?page=1"
    assert get(cloud, dist, base).x_cache == "Miss from cloudfront"
    assert get(cloud, dist, base + "&utm=mail").x_cache == "Hit from cloudfront"
    assert get(cloud, dist, "/items?page=2").x_cache == "Miss from cloudfront"
    assert server.requests == 2


# -- invalidation ----------------------------------------------------------------------------
def test_invalidation_takes_effect_when_it_completes(cloud, site):
    cf = cloud.client("cloudfront")
    get(cloud, site)
    cloud.client("s3").put_object(Bucket="site-bucket", Key="index.html", Body=b"<h1>v2</h1>",
                                  CacheControl="max-age=300")
    cf.create_invalidation(DistributionId=site["Id"], InvalidationBatch={
        "Paths": {"Quantity": 1, "Items": ["/index*"]}, "CallerReference": "deploy-2"})
    assert get(cloud, site).body == b"<h1>v1</h1>"         # still in progress
    assert set(cloud.cloudfront.cached(site["Id"])["layer"]) == {"edge:CDG", "rec:eu-west-2"}
    cloud.advance(INVALIDATION_S)
    assert cloud.cloudfront.cached(site["Id"]).empty      # every copy is gone
    after = get(cloud, site)
    assert after.body == b"<h1>v2</h1>" and after.x_cache == "Miss from cloudfront"
    assert cloud.cloudfront.metrics(site["Id"])["origin_requests"] == 2


# -- behaviours -------------------------------------------------------------------------------
def two_origin_dist(cloud, patterns):
    for name in ("images.example.com", "jpeg.example.com", "www.example.com"):
        cloud.cloudfront.origin_server(name)["/images/a.jpg"] = name
    behaviours = [behaviour(origin, path_pattern=pattern) for pattern, origin in patterns]
    return cloud.client("cloudfront").create_distribution(DistributionConfig=distribution_config(
        [custom_origin(n) for n in ("images.example.com", "jpeg.example.com", "www.example.com")],
        behaviour("www.example.com"), behaviours=behaviours,
        caller_reference=str(patterns)))["Distribution"]


@pytest.mark.parametrize("patterns, origin", [
    ([("/images/*", "images.example.com"), ("*.jpg", "jpeg.example.com")], "images.example.com"),
    ([("*.jpg", "jpeg.example.com"), ("/images/*", "images.example.com")], "jpeg.example.com"),
    ([("images/?.jpg", "images.example.com")], "images.example.com"),
    ([("/images/??.jpg", "images.example.com")], "www.example.com"),
    ([("/IMAGES/*", "images.example.com")], "www.example.com"),       # case-sensitive
])
def test_cache_behaviour_precedence(cloud, patterns, origin):
    dist = two_origin_dist(cloud, patterns)
    assert get(cloud, dist, "/images/a.jpg").text == origin


# -- Origin Shield and collapsing -----------------------------------------------------------------
@pytest.mark.parametrize("shield, origin_requests", [(None, 2), ("us-east-1", 1)])
def test_origin_shield_sends_one_request_to_the_origin(cloud, shield, origin_requests):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="media-bucket")
    s3.put_object(Bucket="media-bucket", Key="video.mp4", Body=b"0" * 1000)
    dist = s3_site(cloud, "media-bucket", shield=shield)
    get(cloud, dist, "/video.mp4", city="Tokyo")
    second = get(cloud, dist, "/video.mp4", city="London")
    assert cloud.cloudfront.metrics(dist["Id"])["origin_requests"] == origin_requests
    if shield:
        assert second.served_by == "Origin Shield"
        assert "Origin Shield" in second.trace.components


@pytest.mark.parametrize("shield, origin_requests", [(None, 2), ("eu-central-1", 1)])
def test_simultaneous_requests_collapse(cloud, site, shield, origin_requests):
    dist = s3_site(cloud, shield=shield) if shield else site
    frame = cloud.cloudfront.replay(dist["Id"], [
        {"time": 0.0, "path": "/index.html", "city": c}
        for c in ("Paris", "Paris", "Paris", "Berlin", "Zurich")])
    # Paris uses the London REC, Berlin and Zurich the Frankfurt one: without Origin Shield
    # each REC fetches once; with it, the Shield fetches once for both
    assert list(frame["edge"]) == ["CDG", "CDG", "CDG", "FRA", "ZRH"]
    assert frame["origin_request"].sum() == origin_requests
    assert frame["collapsed"].sum() == 5 - origin_requests
    assert (frame["status"] == 200).all()
    later = cloud.cloudfront.replay(dist["Id"], [{"time": 1.0, "path": "/index.html",
                                                  "city": "Paris"}])
    assert later["x_cache"].tolist() == ["Hit from cloudfront"]


# -- S3 access, errors ---------------------------------------------------------------------------
def test_without_oac_a_private_bucket_refuses_and_a_public_one_serves(cloud):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="open-bucket")
    s3.put_object(Bucket="open-bucket", Key="f", Body=b"public")
    dist = s3_site(cloud, "open-bucket", oac=False, policy=False)
    denied = get(cloud, dist, "/f")
    assert (denied.status, denied.x_cache) == (403, "Error from cloudfront")
    assert b"AccessDenied" in denied.body
    s3.delete_public_access_block(Bucket="open-bucket")
    s3.put_bucket_policy(Bucket="open-bucket", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                "Action": "s3:GetObject",
                                                "Resource": "arn:aws:s3:::open-bucket/*"}]}))
    cloud.advance(11)                                      # the cached 403 expires (10 s)
    assert get(cloud, dist, "/f").text == "public"


def test_errors_from_s3_are_cached_for_ten_seconds(cloud, site):
    missing = get(cloud, site, "/missing.html")
    assert missing.status == 403                           # no s3:ListBucket: AccessDenied
    cloud.client("s3").put_object(Bucket="site-bucket", Key="missing.html", Body=b"here")
    cloud.advance(5)
    assert get(cloud, site, "/missing.html").status == 403
    cloud.advance(6)
    assert get(cloud, site, "/missing.html").status == 200


def test_missing_bucket_and_unreachable_custom_origins(cloud):
    cf = cloud.client("cloudfront")
    gone = cf.create_distribution(DistributionConfig=distribution_config(
        [s3_origin("no-such-bucket")], behaviour("no-such-bucket"),
        caller_reference="gone"))["Distribution"]
    answer = get(cloud, gone, "/x")
    assert answer.status == 404 and b"NoSuchBucket" in answer.body
    custom = cf.create_distribution(DistributionConfig=distribution_config(
        [custom_origin("nowhere.example.com")], behaviour("nowhere.example.com"),
        caller_reference="custom"))["Distribution"]
    assert get(cloud, custom, "/").status == 502
    server = cloud.cloudfront.origin_server("nowhere.example.com")
    server.up = False
    cloud.advance(11)
    timed_out = get(cloud, custom, "/")
    assert timed_out.status == 504 and timed_out.latency_ms >= 3 * 10 * 1000


def test_custom_error_page(cloud):
    server = cloud.cloudfront.origin_server("www.example.com")
    server["/404.html"] = ("sorry", {"Content-Type": "text/html"})
    dist = cloud.client("cloudfront").create_distribution(DistributionConfig=distribution_config(
        [custom_origin("www.example.com")], behaviour("www.example.com"),
        caller_reference="e", CustomErrorResponses={"Quantity": 1, "Items": [{
            "ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": "404",
            "ErrorCachingMinTTL": 30}]}))["Distribution"]
    answer = get(cloud, dist, "/nope")
    assert (answer.status, answer.text) == (404, "sorry")
    server["/nope"] = "found"
    cloud.advance(20)
    assert get(cloud, dist, "/nope").status == 404         # ErrorCachingMinTTL 30 s
    cloud.advance(11)
    assert get(cloud, dist, "/nope").text == "found"


def test_edge_rules_before_the_cache(cloud, site):
    redirect = cloud.cloudfront.request(url(site, scheme="http"), from_city="Paris")
    assert redirect.status == 301 and redirect.headers["Location"].startswith("https://")
    blocked = s3_site(cloud, Restrictions={"GeoRestriction": {
        "RestrictionType": "blacklist", "Quantity": 1, "Items": ["FR"]}})
    assert get(cloud, blocked, city="Paris").status == 403
    assert get(cloud, blocked, city="Berlin").status == 200
    head = get(cloud, site, method="HEAD")
    assert head.body == b"" and head.headers["Content-Length"] == str(len(b"<h1>v1</h1>"))
    with pytest.raises(ValueError):
        cloud.cloudfront.request("https://d0000000000000.cloudfront.net/")


# -- where requests go --------------------------------------------------------------------------
@pytest.mark.parametrize("city, edge", [("Tokyo", "NRT"), ("Frankfurt", "FRA"),
                                        ("Sao Paulo", "GRU"), ("Sydney", "SYD"),
                                        ((40.7, -74.0), "JFK")])
def test_viewers_reach_their_nearest_edge(city, edge):
    assert geo.nearest_edge(geo.city(city), "PriceClass_All").code == edge


def test_edge_locations_table(cloud):
    table = cloud.cloudfront.edge_locations()
    assert {"IAD", "FRA", "NRT", "GRU", "SYD"} <= set(table["code"])
    assert set(table["regional_edge_cache"]) <= set(geo.SHIELD_REGIONS)
    row = table[table["code"] == "NRT"].iloc[0]
    assert (row["city"], row["regional_edge_cache"]) == ("Tokyo", "ap-northeast-1")


def test_price_class_limits_the_edges(cloud, site):
    cheap = s3_site(cloud, PriceClass="PriceClass_100")
    near = get(cloud, site, city="Sydney")
    far = get(cloud, cheap, city="Sydney")
    assert near.edge == "SYD"
    assert geo.EDGE_LOCATIONS[far.edge].continent in ("North America", "Europe")
    assert far.latency_ms > near.latency_ms
    with pytest.raises(ValueError):
        geo.city("Atlantis")
