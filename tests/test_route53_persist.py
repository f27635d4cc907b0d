"""Route 53 state survives save/load (health checkers keep their rhythm), draws itself into
cloud.graph(), and is deterministic."""

import awskit
from route53_helpers import change, dns_vpc, health_check, new_zone, record

IP = "54.239.28.85"


def build(cloud):
    r53 = cloud.client("route53")
    zone = new_zone(r53, "example.com")
    vpc = dns_vpc(cloud.client("ec2"))
    private = new_zone(r53, "corp.internal", VPC={"VPCRegion": "us-east-1", "VPCId": vpc})
    hc = health_check(r53, IP, "web", interval=10, threshold=2)
    change(r53, zone, record("www.example.com", IP, SetIdentifier="p", Failover="PRIMARY",
                             HealthCheckId=hc),
           record("www.example.com", "54.239.28.99", SetIdentifier="s", Failover="SECONDARY"),
           record("*.example.com", '"wild"', "TXT"))
    change(r53, zone, {"Name": "example.com", "Type": "A", "AliasTarget": {
        "HostedZoneId": zone, "DNSName": "www.example.com", "EvaluateTargetHealth": True}})
    change(r53, private, record("db.corp.internal", "10.0.0.5"))
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone,
                                 AddTags=[{"Key": "env", "Value": "prod"}])
    cloud.route53.endpoints.set("54.239.28.99", 443, status_code=503)
    return r53, zone, private, hc, vpc


def test_save_and_load_keep_zones_records_checks_and_the_probe_rhythm(cloud, tmp_path):
    r53, zone, private, hc, vpc = build(cloud)
    cloud.advance(15)                              # one probe done, the next due at +20 s
    before = {
        "zones": r53.list_hosted_zones()["HostedZones"],
        "records": r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"],
        "private": r53.get_hosted_zone(Id=private),
        "check": r53.get_health_check(HealthCheckId=hc)["HealthCheck"],
        "tags": r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone),
    }
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "cloud.json.gz"))
    r2 = loaded.client("route53")
    assert r2.list_hosted_zones()["HostedZones"] == before["zones"]
    assert r2.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"] == \
        before["records"]
    assert {k: v for k, v in r2.get_hosted_zone(Id=private).items() if k != "ResponseMetadata"} \
        == {k: v for k, v in before["private"].items() if k != "ResponseMetadata"}
    assert r2.get_health_check(HealthCheckId=hc)["HealthCheck"] == before["check"]
    assert r2.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone)[
        "ResourceTagSet"] == before["tags"]["ResourceTagSet"]
    assert loaded.route53.endpoints.get("54.239.28.99", 443).status_code == 503
    for world in (cloud, loaded):                  # both go down the same way from here
        world.route53.endpoints.set(IP, healthy=False)
        world.advance(14.9)
        assert world.route53.resolve("www.example.com").values == [IP]
        world.advance(0.2)
        assert world.route53.resolve("www.example.com").values == ["54.239.28.99"]
        assert world.route53.resolve("example.com").values == ["54.239.28.99"]
        assert world.route53.resolve("db.corp.internal", vpc=("us-east-1", vpc)).values == [
            "10.0.0.5"]
    assert loaded.route53.health_checks[hc].since == cloud.route53.health_checks[hc].since
    again = loaded.client("route53").create_hosted_zone(Name="next.com", CallerReference="n")
    assert again["HostedZone"]["Id"] == cloud.client("route53").create_hosted_zone(
        Name="next.com", CallerReference="n")["HostedZone"]["Id"]


def test_the_graph_links_zones_records_targets_and_health_checks(cloud):
    r53, zone, private, hc, vpc = build(cloud)
    graph = cloud.graph()
    zone_arn = f"arn:aws:route53:::hostedzone/{zone}"
    assert graph.nodes[zone_arn]["type"] == "route53-hosted-zone"
    assert "region" not in graph.nodes[zone_arn]                  # global
    rrsets = [n for _, n, d in graph.out_edges(zone_arn, data=True)
              if d["relation"] == "contains"]
    assert len(rrsets) == len(r53.list_resource_record_sets(
        HostedZoneId=zone)["ResourceRecordSets"])
    primary = f"{zone_arn}/www.example.com./A/p"
    assert graph.edges[primary, f"arn:aws:route53:::healthcheck/{hc}"]["relation"] == \
        "health-checked-by"
    assert graph.edges[primary, f"endpoint:{IP}"]["relation"] == "routes-to"
    assert graph.edges[f"{zone_arn}/example.com./A", primary]["relation"] == "alias-to"
    check = graph.nodes[f"arn:aws:route53:::healthcheck/{hc}"]
    assert (check["type"], check["status"]) == ("route53-health-check", "up")
    private_arn = f"arn:aws:route53:::hostedzone/{private}"
    assert graph.edges[private_arn, f"arn:aws:ec2:us-east-1:123456789012:vpc/{vpc}"][
        "relation"] == "answers-in"
    cloud.diagram()                                                # draws without error


def test_an_alias_to_a_simulated_distribution_points_at_it_in_the_graph(cloud):
    from awskit.cloudfront.templates import behaviour, distribution_config, s3_origin
    cf = cloud.client("cloudfront")
    dist = cf.create_distribution(DistributionConfig=distribution_config(
        [s3_origin("site-bucket")], behaviour("site-bucket"), caller_reference="d"))
    domain = dist["Distribution"]["DomainName"]
    r53 = cloud.client("route53")
    zone = new_zone(r53, "example.com")
    change(r53, zone, {"Name": "example.com", "Type": "A", "AliasTarget": {
        "HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": domain, "EvaluateTargetHealth": False}})
    graph = cloud.graph()
    node = f"arn:aws:route53:::hostedzone/{zone}/example.com./A"
    assert graph.edges[node, dist["Distribution"]["ARN"]]["relation"] == "alias-to"


def test_same_seed_same_ids_and_traces():
    def run():
        cloud = awskit.Cloud(seed=11)
        r53, zone, private, hc, vpc = build(cloud)
        cloud.advance(25)
        answer = cloud.route53.resolve("www.example.com", client_location="Tokyo")
        return (zone, private, hc, answer.values, [s.action for s in answer.trace.steps],
                [t.to_dict() for t in cloud.traces])
    assert run() == run()
