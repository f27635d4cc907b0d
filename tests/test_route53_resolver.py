"""Route 53 answering: cloud.route53.resolve() and TestDNSAnswer, routing policies with health,
CNAMEs, wildcards, aliases, private zones, delegation, traces and determinism."""

import ipaddress
from collections import Counter

import pytest

import awskit
from route53_helpers import (change, dns_vpc, error, health_check, new_zone, public_instance,
                             record)


@pytest.fixture
def r53(cloud):
    return cloud.client("route53")


@pytest.fixture
def zone(r53):
    return new_zone(r53, "example.com")


def resolve(cloud, name, rtype="A", **kw):
    return cloud.route53.resolve(name, rtype, **kw)


def weighted(name, ident, weight, value, **extra):
    return record(name, value, SetIdentifier=ident, Weight=weight, **extra)


def down(cloud, ip):
    cloud.route53.endpoints.set(ip, healthy=False)


def test_simple_answers_nxdomain_and_nodata(cloud, r53, zone):
    change(r53, zone, record("www.example.com", ["192.0.2.1", "192.0.2.2"], ttl=120))
    answer = resolve(cloud, "WWW.example.com")
    assert (answer.rcode, answer.values, answer.ttl) == ("NOERROR", ["192.0.2.1", "192.0.2.2"],
                                                         120)
    assert answer.zone_id == zone and answer.nameserver.startswith("ns-")
    assert resolve(cloud, "nope.example.com").rcode == "NXDOMAIN"
    empty = resolve(cloud, "www.example.com", "AAAA")
    assert (empty.rcode, empty.values) == ("NOERROR", [])
    assert resolve(cloud, "www.example.org").rcode == "NXDOMAIN"
    ns = resolve(cloud, "example.com", "NS")
    assert len(ns.values) == 4 and ns.ttl == 172800


def test_cname_chains_and_wildcards(cloud, r53, zone):
    other = new_zone(r53, "example.net")
    change(r53, zone, record("www.example.com", "app.example.net", "CNAME", ttl=300),
           record("*.example.com", "192.0.2.7"), record("x.y.example.com", '"t"', "TXT"))
    change(r53, other, record("app.example.net", "192.0.2.9", ttl=30))
    answer = resolve(cloud, "www.example.com")
    assert [(r["name"], r["type"], r["ttl"], r["value"]) for r in answer.records] == [
        ("www.example.com.", "CNAME", 300, "app.example.net"),
        ("app.example.net.", "A", 30, "192.0.2.9")]
    assert answer.values == ["192.0.2.9"]
    assert resolve(cloud, "anything.example.com").values == ["192.0.2.7"]
    assert resolve(cloud, "deep.anything.example.com").values == ["192.0.2.7"]
    assert resolve(cloud, "a.y.example.com").rcode == "NXDOMAIN"    # y exists: no wildcard
    change(r53, zone, record("loop1.example.com", "loop2.example.com", "CNAME"),
           record("loop2.example.com", "loop1.example.com", "CNAME"))
    assert resolve(cloud, "loop1.example.com").rcode == "SERVFAIL"


def test_weighted_follows_the_weights(cloud, r53, zone):
    change(r53, zone, weighted("w.example.com", "big", 3, "192.0.2.1"),
           weighted("w.example.com", "small", 1, "192.0.2.2"),
           weighted("w.example.com", "off", 0, "192.0.2.3"))
    counts = Counter(resolve(cloud, "w.example.com").values[0] for _ in range(4000))
    assert "192.0.2.3" not in counts
    assert counts["192.0.2.1"] / 4000 == pytest.approx(0.75, abs=0.03)
    change(r53, zone, weighted("z.example.com", "a", 0, "192.0.2.1"),
           weighted("z.example.com", "b", 0, "192.0.2.2"))
    zeros = Counter(resolve(cloud, "z.example.com").values[0] for _ in range(2000))
    assert zeros["192.0.2.1"] / 2000 == pytest.approx(0.5, abs=0.05)


def test_weighted_skips_unhealthy_sets_until_all_are_unhealthy(cloud, r53, zone):
    checks = {ip: health_check(r53, ip, ip, threshold=1) for ip in ("54.239.28.1", "54.239.28.2")}
    change(r53, zone, *[weighted("w.example.com", ip, 1, ip, HealthCheckId=hc)
                        for ip, hc in checks.items()])
    down(cloud, "54.239.28.1")
    cloud.advance(10)
    assert {resolve(cloud, "w.example.com").values[0] for _ in range(50)} == {"54.239.28.2"}
    down(cloud, "54.239.28.2")
    cloud.advance(10)
    assert {resolve(cloud, "w.example.com").values[0] for _ in range(100)} == {
        "54.239.28.1", "54.239.28.2"}


def test_failover_flips_after_threshold_times_interval(cloud, r53, zone):
    primary_ip, secondary_ip = "54.239.28.10", "54.239.28.20"
    hc = health_check(r53, primary_ip, "primary", interval=10, threshold=3)
    change(r53, zone, record("www.example.com", primary_ip, SetIdentifier="p",
                             Failover="PRIMARY", HealthCheckId=hc),
           record("www.example.com", secondary_ip, SetIdentifier="s", Failover="SECONDARY"))
    assert resolve(cloud, "www.example.com").values == [primary_ip]
    cloud.advance(15)
    down(cloud, primary_ip)
    cloud.advance(24)
    assert resolve(cloud, "www.example.com").values == [primary_ip]     # 2 failures at 20, 30
    cloud.advance(1)
    answer = resolve(cloud, "www.example.com")
    assert answer.values == [secondary_ip]                              # 3rd failure at 40 s
    assert any("PRIMARY is unhealthy" in why for why in answer.why)
    assert any(hc in why and "Unhealthy" in why for why in answer.why)
    cloud.route53.endpoints.clear(primary_ip)
    cloud.advance(30)
    assert resolve(cloud, "www.example.com").values == [primary_ip]


def test_failover_when_both_are_unhealthy_answers_primary(cloud, r53, zone):
    hcs = [health_check(r53, ip, ip, threshold=1) for ip in ("54.239.28.10", "54.239.28.20")]
    change(r53, zone, record("f.example.com", "54.239.28.10", SetIdentifier="p",
                             Failover="PRIMARY", HealthCheckId=hcs[0]),
           record("f.example.com", "54.239.28.20", SetIdentifier="s", Failover="SECONDARY",
                  HealthCheckId=hcs[1]))
    down(cloud, "54.239.28.10")
    down(cloud, "54.239.28.20")
    cloud.advance(10)
    assert resolve(cloud, "f.example.com").values == ["54.239.28.10"]


def test_failover_to_an_ec2_instance_that_stops(cloud, r53, zone):
    ec2 = cloud.client("ec2")
    instance_id, ip = public_instance(cloud, ec2)
    hc = health_check(r53, ip, "web", interval=30, threshold=3)
    change(r53, zone, record("www.example.com", ip, SetIdentifier="p", Failover="PRIMARY",
                             HealthCheckId=hc),
           record("www.example.com", "54.239.28.20", SetIdentifier="s", Failover="SECONDARY"))
    ec2.stop_instances(InstanceIds=[instance_id])
    cloud.advance(60)
    assert resolve(cloud, "www.example.com").values == [ip]
    cloud.advance(30)
    assert resolve(cloud, "www.example.com").values == ["54.239.28.20"]


def geo(name, ident, value, check=None, **location):
    extra = {"HealthCheckId": check} if check else {}
    return record(name, value, SetIdentifier=ident, GeoLocation=location, **extra)


def test_geolocation_picks_the_most_specific_match(cloud, r53, zone):
    change(r53, zone, geo("g.example.com", "default", "192.0.2.1", CountryCode="*"),
           geo("g.example.com", "europe", "192.0.2.2", ContinentCode="EU"),
           geo("g.example.com", "france", "192.0.2.3", CountryCode="FR"),
           geo("g.example.com", "washington", "192.0.2.4", CountryCode="US",
               SubdivisionCode="WA"))
    assert resolve(cloud, "g.example.com", client_location="Paris").values == ["192.0.2.3"]
    assert resolve(cloud, "g.example.com", client_location="DE").values == ["192.0.2.2"]
    assert resolve(cloud, "g.example.com", client_location="Seattle").values == ["192.0.2.4"]
    assert resolve(cloud, "g.example.com", client_location="US-TX").values == ["192.0.2.1"]
    assert resolve(cloud, "g.example.com", client_location="Tokyo").values == ["192.0.2.1"]
    assert resolve(cloud, "g.example.com", client_location=(0.0, -160.0)).values == ["192.0.2.1"]
    change(r53, zone, geo("n.example.com", "japan", "192.0.2.5", CountryCode="JP"))
    nodata = resolve(cloud, "n.example.com", client_location="FR")
    assert (nodata.rcode, nodata.values) == ("NOERROR", [])


def test_geolocation_falls_back_when_the_match_is_unhealthy(cloud, r53, zone):
    hc = health_check(r53, "54.239.28.3", "fr", threshold=1)
    change(r53, zone, geo("g.example.com", "default", "54.239.28.1", CountryCode="*"),
           geo("g.example.com", "europe", "54.239.28.2", ContinentCode="EU"),
           geo("g.example.com", "france", "54.239.28.3", check=hc, CountryCode="FR"))
    down(cloud, "54.239.28.3")
    cloud.advance(10)
    assert resolve(cloud, "g.example.com", client_location="FR").values == ["54.239.28.2"]


def test_latency_answers_with_the_nearest_healthy_region(cloud, r53, zone):
    regions = {"us-east-1": "54.239.28.1", "eu-west-3": "54.239.28.2",
               "ap-southeast-2": "54.239.28.3"}
    hc = health_check(r53, regions["eu-west-3"], "paris", threshold=1)
    change(r53, zone, *[record("l.example.com", ip, SetIdentifier=region, Region=region,
                               **({"HealthCheckId": hc} if region == "eu-west-3" else {}))
                        for region, ip in regions.items()])
    assert resolve(cloud, "l.example.com", client_location="Paris").values == [regions["eu-west-3"]]
    assert resolve(cloud, "l.example.com", client_location="Sydney").values == [
        regions["ap-southeast-2"]]
    assert resolve(cloud, "l.example.com", client_location="New York").values == [
        regions["us-east-1"]]
    assert resolve(cloud, "l.example.com", client_location="eu-west-3").values == [
        regions["eu-west-3"]]
    down(cloud, regions["eu-west-3"])
    cloud.advance(10)
    answer = resolve(cloud, "l.example.com", client_location="Paris")
    assert answer.values == [regions["us-east-1"]]       # next lowest latency from Paris
    assert any("Latency from Paris" in why and "(unhealthy)" in why for why in answer.why)


def test_multivalue_answers_up_to_eight_healthy_sets(cloud, r53, zone):
    change(r53, zone, *[record("m.example.com", f"54.239.29.{i}", SetIdentifier=f"m{i}",
                               MultiValueAnswer=True) for i in range(10)])
    answers = [set(resolve(cloud, "m.example.com").values) for _ in range(20)]
    assert all(len(a) == 8 for a in answers) and len({frozenset(a) for a in answers}) > 1
    change(r53, zone, *[record("s.example.com", f"54.239.30.{i}", SetIdentifier=f"s{i}",
                               MultiValueAnswer=True,
                               HealthCheckId=health_check(r53, f"54.239.30.{i}", f"s{i}",
                                                          threshold=1))
                        for i in range(3)])
    down(cloud, "54.239.30.0")
    cloud.advance(10)
    assert sorted(resolve(cloud, "s.example.com").values) == ["54.239.30.1", "54.239.30.2"]


def test_aliases_answer_with_their_target(cloud, r53, zone):
    change(r53, zone, record("www.example.com", "192.0.2.1", ttl=45))
    change(r53, zone, {"Name": "example.com", "Type": "A", "AliasTarget": {
        "HostedZoneId": zone, "DNSName": "www.example.com", "EvaluateTargetHealth": False}},
        {"Name": "cdn.example.com", "Type": "A", "AliasTarget": {
            "HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111111abcdef8.cloudfront.net",
            "EvaluateTargetHealth": False}},
        {"Name": "site.example.com", "Type": "A", "AliasTarget": {
            "HostedZoneId": "Z3AQBSTGFYJSTF", "DNSName": "s3-website-us-east-1.amazonaws.com",
            "EvaluateTargetHealth": False}})
    apex = resolve(cloud, "example.com")
    assert (apex.values, apex.ttl) == (["192.0.2.1"], 45)
    cdn = resolve(cloud, "cdn.example.com", client_location="Paris")
    assert len(cdn.values) == 4 and cdn.ttl == 60
    assert all(ipaddress.ip_address(v) in ipaddress.ip_network("13.32.0.0/15")
               for v in cdn.values)
    assert resolve(cloud, "cdn.example.com", client_location="Paris").values == cdn.values
    site = resolve(cloud, "site.example.com")
    assert ipaddress.ip_address(site.values[0]) in ipaddress.ip_network("52.216.0.0/15")


def test_evaluate_target_health_follows_the_alias(cloud, r53, zone):
    hc = health_check(r53, "54.239.28.1", "t", threshold=1)
    change(r53, zone, record("blue.example.com", "54.239.28.1", HealthCheckId=hc),
           record("green.example.com", "54.239.28.2"))
    change(r53, zone, *[{"Name": "app.example.com", "Type": "A", "SetIdentifier": name,
                         "Failover": role, "AliasTarget": {
                             "HostedZoneId": zone, "DNSName": f"{name}.example.com",
                             "EvaluateTargetHealth": True}}
                        for name, role in (("blue", "PRIMARY"), ("green", "SECONDARY"))])
    assert resolve(cloud, "app.example.com").values == ["54.239.28.1"]
    down(cloud, "54.239.28.1")
    cloud.advance(10)
    assert resolve(cloud, "app.example.com").values == ["54.239.28.2"]


def test_private_zones_answer_only_inside_their_vpcs(cloud, r53, zone):
    ec2 = cloud.client("ec2")
    vpc = dns_vpc(ec2)
    private = new_zone(r53, "example.com", ref="private",
                       VPC={"VPCRegion": "us-east-1", "VPCId": vpc})
    change(r53, zone, record("www.example.com", "54.239.28.1"))
    change(r53, private, record("db.example.com", "10.0.0.5"))
    inside = ("us-east-1", vpc)
    assert resolve(cloud, "db.example.com", vpc=inside).values == ["10.0.0.5"]
    assert resolve(cloud, "db.example.com").rcode == "NXDOMAIN"      # public view
    assert resolve(cloud, "www.example.com", vpc=inside).rcode == "NXDOMAIN"   # shadowed
    assert resolve(cloud, "www.example.com").values == ["54.239.28.1"]
    assert resolve(cloud, "db.example.com", vpc=vpc, client_location="us-east-1").values == \
        ["10.0.0.5"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": False})
    assert resolve(cloud, "db.example.com", vpc=inside).rcode == "NXDOMAIN"
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": False})
    assert resolve(cloud, "www.example.com", vpc=inside).rcode == "SERVFAIL"


def test_an_instance_ip_places_the_client_in_its_vpc(cloud, r53):
    ec2 = cloud.client("ec2")
    instance_id, public_ip = public_instance(cloud, ec2)
    [res] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    vpc = res["Instances"][0]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    private = new_zone(r53, "corp.internal", VPC={"VPCRegion": "us-east-1", "VPCId": vpc})
    change(r53, private, record("db.corp.internal", "10.8.1.50"))
    assert resolve(cloud, "db.corp.internal", client_ip=public_ip).values == ["10.8.1.50"]
    assert resolve(cloud, "db.corp.internal").rcode == "NXDOMAIN"


def test_a_subdomain_zone_answers_once_delegated(cloud, r53, zone):
    child = r53.create_hosted_zone(Name="dev.example.com", CallerReference="child")
    child_id = child["HostedZone"]["Id"].split("/")[-1]
    change(r53, child_id, record("api.dev.example.com", "192.0.2.77"))
    assert resolve(cloud, "api.dev.example.com").rcode == "NXDOMAIN"   # parent answers
    servers = [s + "." for s in child["DelegationSet"]["NameServers"]]
    change(r53, zone, record("dev.example.com", servers, "NS", ttl=172800))
    answer = resolve(cloud, "api.dev.example.com")
    assert (answer.values, answer.zone_id) == (["192.0.2.77"], child_id)
    change(r53, zone, record("ext.example.com", ["ns1.elsewhere.net."], "NS"))
    referral = resolve(cloud, "www.ext.example.com")
    assert referral.values == [] and referral.referral == ["ns1.elsewhere.net."]


def test_resolve_leaves_a_trace_with_the_three_components(cloud, r53, zone):
    hc = health_check(r53, "54.239.28.1", "t")
    change(r53, zone, record("www.example.com", "54.239.28.1", SetIdentifier="p",
                             Failover="PRIMARY", HealthCheckId=hc))
    answer = resolve(cloud, "www.example.com", client_location="London")
    components = {s.component for s in answer.trace.steps}
    assert components == {"Route 53 resolver", "Authoritative name server", "Health checkers"}
    assert cloud.traces[-1] is answer.trace and answer.trace.operation == "Resolve"
    assert "London (GB, EU)" in answer.trace.summary
    assert str(answer).splitlines()[1].split() == ["www.example.com.", "60", "IN", "A",
                                                   "54.239.28.1"]
    with pytest.raises(ValueError):
        resolve(cloud, "www.example.com", client_location="Atlantis")
    with pytest.raises(ValueError):
        resolve(cloud, "www.example.com", "AXFR")
    with pytest.raises(ValueError):
        resolve(cloud, "www..example.com")


def test_test_dns_answer(cloud, r53, zone):
    change(r53, zone, weighted("w.example.com", "a", 1, "192.0.2.1"))
    out = r53.test_dns_answer(HostedZoneId=zone, RecordName="w.example.com", RecordType="A")
    assert {k: v for k, v in out.items() if k != "ResponseMetadata"} == {
        "Nameserver": r53.get_hosted_zone(Id=zone)["DelegationSet"]["NameServers"][0],
        "RecordName": "w.example.com", "RecordType": "A", "RecordData": ["192.0.2.1"],
        "ResponseCode": "NOERROR", "Protocol": "UDP"}
    missing = r53.test_dns_answer(HostedZoneId=zone, RecordName="x.example.com", RecordType="A")
    assert (missing["ResponseCode"], missing["RecordData"]) == ("NXDOMAIN", [])
    steps = {s.component for s in cloud.traces[-1].steps}
    assert "Authoritative name server" in steps
    vpc = dns_vpc(cloud.client("ec2"))
    private = new_zone(r53, "corp.internal", VPC={"VPCRegion": "us-east-1", "VPCId": vpc})
    assert error(r53.test_dns_answer, HostedZoneId=private, RecordName="a.corp.internal",
                 RecordType="A")["Code"] == "InvalidInput"


def _run(seed):
    cloud = awskit.Cloud(seed=seed)
    r53 = cloud.client("route53")
    zone = new_zone(r53, "example.com")
    change(r53, zone, weighted("w.example.com", "a", 1, "192.0.2.1"),
           weighted("w.example.com", "b", 1, "192.0.2.2"))
    return zone, [resolve(cloud, "w.example.com").values[0] for _ in range(30)]


def test_answers_are_deterministic():
    assert _run(3) == _run(3)
    assert _run(3)[1] != _run(4)[1]
