"""The network consoles: displaying ``cloud.ec2`` (VPC console: diagram, tables, reachability
form), ``cloud.cloudfront`` and ``cloud.route53``. Widgets are driven in plain Python, clicks
with ``Button.click()``, as in tests/test_consoles.py."""

import json
import re
from html import unescape

import pytest

pytest.importorskip("ipywidgets")

import awskit  # noqa: E402
from awskit.course_network import network_scenario  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def rows_of(html: str) -> list[list[str]]:
    """The table's body rows, cell texts."""
    return [[text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", html)[1:]]


def snapshot(cloud) -> tuple:
    """What looking must not change: traces, requests, and every service's saved state."""
    return (len(cloud.traces), cloud.traces.total, dict(cloud.meter.requests),
            json.dumps(cloud.state()["services"], sort_keys=True, default=str))


@pytest.fixture
def net():
    cloud, ids = network_scenario()
    return cloud, ids


@pytest.fixture
def vpc_console(net):
    cloud, _ = net
    view = cloud.ec2.console()
    view.min_interval = 0
    yield view
    view.close()


# -- the VPC console --------------------------------------------------------------------------
def test_text_plain_counts_what_describe_calls_count(net, kernel):
    cloud, _ = net
    ec2 = cloud.client("ec2")
    counts = [len(ec2.describe_vpcs()["Vpcs"]), len(ec2.describe_subnets()["Subnets"]),
              len(ec2.describe_route_tables()["RouteTables"]),
              len(ec2.describe_security_groups()["SecurityGroups"]),
              sum(len(r["Instances"]) for r in ec2.describe_instances()["Reservations"])]
    bundle = cloud.ec2._repr_mimebundle_()
    assert bundle["text/plain"] == (
        f"Amazon VPC console (account 123456789012, us-east-1): {counts[0]} VPCs, "
        f"{counts[1]} subnets, {counts[2]} route tables, {counts[3]} security groups, "
        f"{counts[4]} instances")
    assert WIDGET_VIEW in bundle
    cloud.ec2.console().close()
    fresh = awskit.Cloud(seed=5)
    assert fresh.ec2._repr_mimebundle_()["text/plain"].endswith(
        "0 VPCs, 0 subnets, 0 route tables, 0 security groups, 0 instances")


def test_tables_show_subnets_routes_rules_and_instances(net, vpc_console):
    cloud, ids = net
    view = vpc_console
    view.tab = "Subnets"
    subnets = {r[1]: r for r in rows_of(view._tables.children[1].value)}
    public, private = subnets[ids["public-a"]], subnets[ids["private-a"]]
    assert public[3:5] == ["us-east-1a", "10.0.0.0/24"] and public[6] == "Public"
    used = len(cloud.client("ec2").describe_network_interfaces(Filters=[
        {"Name": "subnet-id", "Values": [ids["public-a"]]}])["NetworkInterfaces"])
    assert public[5] == f"{256 - 5 - used:,}"               # the five reserved addresses
    assert private[6] == "Private" and private[8] == ids["nat-a"]
    view.tab = "Route tables"
    routes = rows_of(view._tables.children[2].value)
    assert [ids["public-rt"], "0.0.0.0/0", ids["igw"], "active"] == \
        [next(r for r in routes if r[1] == ids["public-rt"] and r[5] == "0.0.0.0/0")[i]
         for i in (1, 5, 6, 7)]
    view.tab = "Security groups"
    rules = rows_of(view._tables.children[3].value)
    assert any(r[1] == "web" and r[3:7] == ["Inbound", "TCP", "443", "0.0.0.0/0"] for r in rules)
    assert any(r[1] == "app" and r[5] == "8080" and r[6].endswith("(its members)")
               for r in rules)
    view.tab = "Network ACLs"
    entries = [r for r in rows_of(view._tables.children[4].value) if r[3] == "Inbound"]
    assert [r[4] for r in entries[:2]] == ["100", "*"] and entries[1][8] == "DENY"
    view.tab = "Instances"
    web = next(r for r in rows_of(view._tables.children[5].value) if r[1] == ids["web-a"])
    described = cloud.client("ec2").describe_instances(InstanceIds=[ids["web-a"]])[
        "Reservations"][0]["Instances"][0]
    assert web[0] == "web-a" and web[6:8] == [described["PrivateIpAddress"],
                                              described["PublicIpAddress"]]
    view.tab = "Connections"
    kinds = {r[0] for r in rows_of(view._tables.children[6].value)}
    assert {"VPC peering", "Transit gateway", "Site-to-Site VPN", "Customer gateway"} <= kinds
    with pytest.raises(ValueError):
        view.tab = "Lambda functions"


def test_tables_follow_the_network(net, vpc_console):
    cloud, ids = net
    vpc_console.tab = "Route tables"
    cloud.client("ec2").delete_nat_gateway(NatGatewayId=ids["nat-a"])
    cloud.advance(seconds=120)
    cloud.client("ec2").describe_nat_gateways()          # a request: the console redraws
    routes = rows_of(vpc_console._tables.children[2].value)
    assert any(r[6] == ids["nat-a"] and r[7] == "blackhole" for r in routes)
    assert 'class="awskit-err">blackhole' in vpc_console._tables.children[2].value


def test_the_reachability_form_answers_in_text_and_on_the_diagram(net, vpc_console):
    cloud, ids = net
    view = vpc_console
    assert any(o.startswith(ids["app-a"]) for o in view._source.options)
    assert "internet · a host on the internet" in view._destination.options
    view._source.value = next(o for o in view._source.options if o.startswith(ids["app-a"]))
    view._destination.value = "internet · a host on the internet"
    view._protocol.value, view._port.value = "tcp", "443"
    view._check.click()
    answer = view.answer
    assert answer.reachable and view.status == \
        f"{answer.headline()} ({len(answer.hops) + len(answer.return_path)} hops)"
    rows = rows_of(view._answer.value)
    assert len(rows) == len(answer.hops) + len(answer.return_path)
    assert rows[0][2:4] == ["Instance", ids["app-a"]] and rows[-1][1] == "return"
    assert "#ff9900" in view._diagram.value.lower()
    assert "last reachability answer" in view._diagram.value
    blocked = view.check(ids["web-a"], ids["app-a"], "tcp", 22)     # the app SG allows 8080
    assert not blocked.reachable and blocked.blocked_by.component == "Security group"
    assert view._status_error and "blocked by" in view.status
    assert "✗ blocked" in view._answer.value
    cloud.client("ec2").create_route_table(VpcId=ids["vpc"])    # the network changes
    assert "changed since the last check" in view._diagram.value
    assert 'style="width:100%' in view._diagram.value           # fitted to the width
    view._zoom.value = "Full size"
    assert "overflow:auto" in view._diagram.value and 'style="width:100%' not in \
        view._diagram.value


@pytest.mark.parametrize("source,destination,protocol,port,says", [
    ("", "internet", "tcp", 443, "choose or type a source and a destination first"),
    ("i-0123456789abcdef0", "", "tcp", 443, "choose or type a source and a destination"),
    ("internet", "internet", "sctp", 1, "the protocol is one of tcp, udp, icmp"),
    ("internet", "10.0.0.5", "tcp", "http", "the port is a whole number from 0 to 65535"),
    ("internet", "10.0.0.5", "udp", 70000, "the port is a whole number from 0 to 65535"),
    ("i-0000000000000000f", "internet", "tcp", 443, "Check failed:"),
    ("internet", "internet", "tcp", 443, "Check failed: both ends are outside AWS"),
    ("not-a-thing", "internet", "icmp", "", "Check failed:"),
])
def test_bad_questions_get_a_sentence_not_a_traceback(net, vpc_console, source, destination,
                                                     protocol, port, says):
    traces = len(net[0].traces)
    assert vpc_console.check(source, destination, protocol, port) is None
    assert says in vpc_console.status and vpc_console._status_error
    assert "Traceback" not in vpc_console._status.value
    assert len(net[0].traces) == traces                  # nothing was asked


def test_looking_at_the_network_consoles_makes_no_request(net):
    fresh = awskit.Cloud(seed=0)
    for service in ("ec2", "cloudfront", "route53"):
        getattr(fresh, service).console().close()
    assert len(fresh.traces) == 0 and not fresh.meter.requests
    cloud, _ = net
    before = snapshot(cloud)
    for service in ("ec2", "cloudfront", "route53"):
        view = getattr(cloud, service).console()
        view.refresh()
        view.text()
        getattr(cloud, service)._repr_mimebundle_()
        if service == "ec2":
            for title in ("VPCs", "Subnets", "Route tables", "Security groups", "Network ACLs",
                          "Instances", "Connections"):
                view.tab = title
        view.close()
    assert snapshot(cloud) == before


def test_the_vpc_console_refreshes_on_network_requests_only(net, vpc_console):
    cloud, _ = net
    before = vpc_console.refreshes
    cloud.client("iam").create_user(UserName="alice")
    cloud.client("sqs").create_queue(QueueName="q")
    assert vpc_console.refreshes == before
    cloud.client("ec2").describe_vpcs()
    assert vpc_console.refreshes == before + 1


# -- CloudFront ---------------------------------------------------------------------------------
def _site(cloud) -> str:
    """A distribution in front of a custom origin with two pages; returns its domain."""
    cloud.cloudfront.origin_server("www.example.com").update({"/a.html": "A", "/b.html": "B"})
    dist = cloud.client("cloudfront").create_distribution(DistributionConfig={
        "CallerReference": "site", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "web", "DomainName": "www.example.com", "CustomOriginConfig": {
                "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "web", "ViewerProtocolPolicy": "allow-all",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}})
    return dist["Distribution"]["DomainName"]


def test_the_cloudfront_console_shows_distributions_and_their_metrics(cloud, kernel):
    domain = _site(cloud)
    view = cloud.cloudfront.console()
    view.min_interval = 0
    assert "No viewer requests yet" in view._requests.value
    for path in ("/a.html", "/a.html", "/a.html", "/b.html"):
        cloud.cloudfront.request(f"https://{domain}{path}", from_city="Paris")
    [dist_id] = cloud.cloudfront.distributions
    metrics = cloud.cloudfront.metrics(dist_id)
    served = metrics["hits"] + metrics["refresh_hits"]
    assert metrics["requests"] == 4 and served == 2           # a/a/a/b: two misses, two hits
    [row] = rows_of(view._distributions.value)
    assert row[:2] == [dist_id, domain]
    assert row[4:9] == ["4", str(served), str(metrics["misses"]), "0", "50.0%"]
    assert row[9] == f"{metrics['bytes_from_origin']:,}"
    assert rows_of(view._origins.value) == [[dist_id, "web", "www.example.com", "Custom", "—"]]
    [behaviour] = rows_of(view._behaviours.value)
    assert behaviour[1:4] == ["Default (*)", "web", "allow-all"]
    assert behaviour[4].startswith("Managed-CachingOptimized (TTL min 1 s, default 86400 s")
    recent = rows_of(view._requests.value)
    assert len(recent) == 4 and recent[0][1].startswith(f"GET https://{domain}/b.html from Paris")
    assert cloud.cloudfront._repr_mimebundle_()["text/plain"] == (
        "Amazon CloudFront console (account 123456789012): 1 distribution, 4 requests, "
        "hit ratio 50.0%")
    view.close()


# -- Route 53 -----------------------------------------------------------------------------------
def test_the_route53_console_shows_zones_records_and_health(net, kernel):
    cloud, ids = net
    view = cloud.route53.console()
    view.min_interval = 0
    [zone] = rows_of(view._zones.value)
    assert zone[:3] == ["example.com.", ids["zone"], "Public"] and zone[3] == "4"
    records = {(r[1], r[4]): r for r in rows_of(view._records.value)}
    primary = records[("www.example.com.", "web")]
    assert primary[2:4] == ["A", "failover PRIMARY"] and primary[7] == ids["health_check"]
    assert records[("www.example.com.", "static-site")][6].startswith("alias → d")
    [check] = rows_of(view._checks.value)
    assert check[0] == ids["health_check"] and check[3] == "Healthy"
    assert cloud.route53._repr_mimebundle_()["text/plain"] == (
        "Amazon Route 53 console (account 123456789012): 1 hosted zone, 4 record sets, "
        "1 health check (0 unhealthy)")
    # the web server stops: the health check fails, DNS fails over to CloudFront
    cloud.client("ec2").stop_instances(InstanceIds=[ids["web-a"]])
    cloud.advance(seconds=120)
    view.refresh()
    assert rows_of(view._checks.value)[0][3] == "Unhealthy"
    answer = view.resolve("www.example.com", "A", "FR")
    assert answer.rcode == "NOERROR" and answer.values
    assert ids["web-a"] not in view.status and "Failover" in " ".join(answer.why)
    assert view.status.startswith("www.example.com. A: NOERROR · ")
    assert "www.example.com." in view._answer.value and "Why:" in view._answer.value
    view.close()


@pytest.mark.parametrize("name,rtype,location,says", [
    ("", "A", "FR", "type a domain name first"),
    ("www.example.com", "A", "Atlantis", "unknown client location 'Atlantis'"),
    ("bad..name", "A", "FR", "Resolve bad..name A failed:"),
    ("www.example.com", "BOGUS", "FR", "unknown record type 'BOGUS'"),
])
def test_bad_resolve_input_gets_a_sentence(net, name, rtype, location, says):
    cloud, _ = net
    view = cloud.route53.console()
    assert view.resolve(name, rtype, location) is None
    assert says in view.status and view._status_error and "Traceback" not in view._status.value
    view.close()
