"""A simulated day of viewers: hit ratio and origin offload; determinism; save/load; graph."""

import json

import pytest

import awskit
from awskit.cloudfront.caching import CacheSettings, ttl
from awskit.cloudfront.model import DEPLOY_S
from awskit.cloudfront.templates import (
    behaviour,
    custom_origin,
    distribution_config,
    s3_origin,
)

DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
PATHS = [f"/img/{i}.jpg" for i in range(20)]


def catalogue_site(cloud, policy_id=None):
    server = cloud.cloudfront.origin_server("shop.example.com", region="eu-west-1")
    for path in PATHS:
        server[path] = (path.encode() * 10, {"Cache-Control": "max-age=86400"})
    extra = {"cache_policy_id": policy_id} if policy_id else {}
    return cloud.client("cloudfront").create_distribution(DistributionConfig=distribution_config(
        [custom_origin("shop.example.com")], behaviour("shop.example.com", **extra),
        caller_reference=f"shop-{policy_id}"))["Distribution"]


def test_a_day_of_traffic_measures_hit_ratio_and_offload(cloud):
    dist = catalogue_site(cloud)
    start = cloud.clock.elapsed
    frame = cloud.cloudfront.simulate_day(dist["Id"], PATHS, requests=2000)
    assert len(frame) == 2000 and frame["time_s"].is_monotonic_increasing
    assert cloud.clock.elapsed - start >= frame["time_s"].max()      # the day passed
    summary = frame.attrs["metrics"]
    metrics = cloud.cloudfront.metrics(dist["Id"])
    assert metrics["requests"] == 2000
    assert metrics["origin_requests"] == frame["origin_request"].sum() == \
        summary["origin_requests"]
    assert summary["hit_ratio"] > 0.8 and summary["origin_offload"] > 0.8
    # every origin fetch is a miss at some edge; the popular paths are asked most
    counts = frame["path"].value_counts()
    assert counts[PATHS[0]] > counts[PATHS[-1]]
    assert set(frame["edge"]) >= {"JFK", "LHR", "NRT"}
    hits = frame[frame["x_cache"] == "Hit from cloudfront"]
    assert hits["latency_ms"].median() < frame[frame["origin_request"]]["latency_ms"].median()


def test_caching_disabled_offloads_nothing(cloud):
    dist = catalogue_site(cloud, DISABLED)
    frame = cloud.cloudfront.simulate_day(dist["Id"], PATHS, requests=300, hours=1)
    assert frame.attrs["metrics"]["hit_ratio"] == 0
    assert frame["origin_request"].all()


def test_replay_input_is_checked(cloud):
    dist = catalogue_site(cloud)
    with pytest.raises(ValueError):
        cloud.cloudfront.replay(dist["Id"], [{"time": -1, "path": "/", "city": "Paris"}])
    with pytest.raises(ValueError):
        cloud.cloudfront.replay("E0000000000000", [])
    with pytest.raises(ValueError):
        cloud.cloudfront.simulate_day(dist["Id"], [], requests=10)


def test_the_same_seed_gives_the_same_day():
    def run():
        cloud = awskit.Cloud(seed=7)
        dist = catalogue_site(cloud)
        frame = cloud.cloudfront.simulate_day(dist["Id"], PATHS, requests=300)
        one = cloud.cloudfront.request(f"https://{dist['DomainName']}{PATHS[3]}",
                                       from_city="Mumbai")
        return dist["Id"], frame, one.headers["X-Amz-Cf-Id"], one.trace.to_dict()
    a, b = run(), run()
    assert a[0] == b[0] and a[2] == b[2] and a[3] == b[3]
    assert a[1].equals(b[1])


def test_save_and_load_keep_distributions_and_caches(cloud, tmp_path):
    cf = cloud.client("cloudfront")
    dist = catalogue_site(cloud)
    cf.tag_resource(Resource=dist["ARN"], Tags={"Items": [{"Key": "k", "Value": "v"}]})
    oac = cf.create_origin_access_control(OriginAccessControlConfig={
        "Name": "o", "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]["Id"]
    policy = cf.create_cache_policy(CachePolicyConfig={"Name": "p", "MinTTL": 0})
    cf.create_invalidation(DistributionId=dist["Id"], InvalidationBatch={
        "Paths": {"Quantity": 1, "Items": ["/nothing"]}, "CallerReference": "i"})
    url = f"https://{dist['DomainName']}{PATHS[0]}"
    cloud.cloudfront.request(url, from_city="Dublin")
    cloud.cloudfront.origin_server("shop.example.com")["/bin"] = (b"\x00\xff", {"X": "1"}, 201)
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "cloud.json"))
    lcf = loaded.client("cloudfront")
    assert lcf.get_distribution(Id=dist["Id"]) ["ETag"] == cf.get_distribution(
        Id=dist["Id"])["ETag"]
    assert lcf.list_tags_for_resource(Resource=dist["ARN"])["Tags"]["Items"] == [
        {"Key": "k", "Value": "v"}]
    assert lcf.get_origin_access_control(Id=oac)["OriginAccessControl"]["Id"] == oac
    assert lcf.get_cache_policy(Id=policy["CachePolicy"]["Id"])["ETag"] == policy["ETag"]
    assert lcf.list_invalidations(DistributionId=dist["Id"])["InvalidationList"]["Quantity"] == 1
    again = loaded.cloudfront.request(url, from_city="Dublin")
    assert again.x_cache == "Hit from cloudfront" and again.body == PATHS[0].encode() * 10
    server = loaded.cloudfront.origin_server("shop.example.com")
    assert server.answer("/bin")[:2] == (201, b"\x00\xff")
    assert loaded.cloudfront.metrics(dist["Id"])["requests"] == 2
    loaded.advance(DEPLOY_S)
    assert lcf.get_distribution(Id=dist["Id"])["Distribution"]["Status"] == "Deployed"
    assert loaded.state()["services"]["cloudfront"] == json.loads(json.dumps(
        loaded.state()["services"]["cloudfront"]))


def test_graph_links_distributions_to_their_origins(cloud):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="assets-bucket")
    dist = cloud.client("cloudfront").create_distribution(DistributionConfig=distribution_config(
        [s3_origin("assets-bucket"), custom_origin("api.example.com")],
        behaviour("assets-bucket"), caller_reference="g"))["Distribution"]
    graph = cloud.graph()
    node = graph.nodes[dist["ARN"]]
    assert node["type"] == "cloudfront-distribution" and node["name"] == dist["DomainName"]
    assert graph.has_edge(dist["ARN"], "arn:aws:s3:::assets-bucket")
    custom = "awskit:cloudfront:origin/api.example.com"
    assert graph.nodes[custom]["type"] == "cloudfront-origin"
    assert not graph.nodes[custom]["resolves"]
    assert graph.edges[dist["ARN"], custom]["relation"] == "routes-to"


# The TTL table of the CloudFront Developer Guide (Expiration.md), case by case.
SETTINGS = CacheSettings(0, 86400, 31536000, ("none",), (), ("none",), "test")
FLOOR = CacheSettings(100, 200, 1000, ("none",), (), ("none",), "test")


@pytest.mark.parametrize("status, headers, settings, expected", [
    (200, {}, SETTINGS, 86400),                                   # no header: DefaultTTL
    (200, {}, CacheSettings(300, 200, 1000, ("none",), (), ("none",), "t"), 300),
    (200, {"Cache-Control": "max-age=50"}, SETTINGS, 50),
    (200, {"Cache-Control": "max-age=50"}, FLOOR, 100),           # below MinTTL
    (200, {"Cache-Control": "max-age=5000"}, FLOOR, 1000),        # above MaxTTL
    (200, {"Cache-Control": "public, s-maxage=70, max-age=5"}, SETTINGS, 70),
    (200, {"Cache-Control": "private"}, FLOOR, 100),
    (200, {"Cache-Control": "no-cache"}, SETTINGS, 0),
    (200, {"Expires": "Mon, 02 Mar 2026 09:10:00 GMT"}, SETTINGS, 600),
    (200, {"Expires": "Mon, 02 Mar 2026 09:10:00 GMT", "Cache-Control": "max-age=60"},
     SETTINGS, 60),                                               # max-age beats Expires
    (200, {"Expires": "not a date"}, SETTINGS, 0),
    (404, {}, SETTINGS, 10),                                      # error caching: 10 s
    (404, {"Cache-Control": "max-age=60"}, SETTINGS, 60),
    (404, {"Cache-Control": "no-store"}, SETTINGS, 0),
    (500, {"Cache-Control": "no-store"}, SETTINGS, 10),           # ignored for a 500
    (416, {}, SETTINGS, 0),                                       # never cached
    (200, {"Cache-Control": "max-age=60"},
     CacheSettings(0, 0, 0, ("none",), (), ("none",), "disabled"), 0),
])
def test_ttl_table(status, headers, settings, expected):
    fetched = awskit.clock.EPOCH.timestamp()                      # 2026-03-02 09:00:00 UTC
    assert ttl(status, headers, settings, fetched) == expected
