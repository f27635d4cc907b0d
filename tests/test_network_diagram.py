"""The network drawing (``cloud.diagram()`` once a VPC exists) and a reachability answer drawn
on it: clusters nested AWS Cloud > Region > VPC > AZ > subnet, public/private subnets from their
route tables, gateways on their VPC, the transit gateway as a hub, peering and VPN edges,
on-premises outside the cloud, CloudFront and Route 53 global; the path's hops in order and the
blocking rule in red; the same cloud always draws the same DOT."""

import re
from types import SimpleNamespace

import pytest

import awskit
from awskit.course_network import network_scenario
from awskit.diagrams import architecture_diagram, render

HIGHLIGHT, BLOCKED = "#FF9900", "#DD344C"


def layout(source: str):
    """({node id: [enclosing clusters, outermost first]}, {cluster: label}, [(a, b, attrs)])."""
    stack, where, labels, edges = [], {}, {}, []
    for line in source.splitlines():
        text = line.strip()
        opened = re.match(r'subgraph "?([^" ]+)"? \{$', text)
        if opened:
            stack.append(opened.group(1))
        elif text == "}":
            if stack:
                stack.pop()
        elif re.match(r'"?[^" \[]+"? -> ', text):
            a, b, attrs = re.match(r'"?([^" ]+)"? -> "?([^" ]+)"?(?: \[(.*)\])?$', text).groups()
            edges.append((a, b, attrs or ""))
        elif "[" not in text and "label=" in text and stack:
            labels[stack[-1]] = re.search(r'label="((?:[^"\\]|\\.)*)"', text).group(1)
        else:
            node = re.match(r'"?([^" \[]+)"? \[', text)
            if node and node.group(1) not in ("graph", "edge", "node"):
                where[node.group(1)] = [s for s in stack if s.startswith("cluster")]
    return where, labels, edges


def node_line(source: str, node_id: str) -> str:
    """The node's DOT line, its label's line breaks made spaces."""
    line = next(line for line in source.splitlines()
                if re.match(rf'\s*"?{re.escape(node_id)}"? \[', line))
    return line.replace("\\l", " ").replace("\\n", " ")


@pytest.fixture(scope="module")
def typical():
    cloud, ids = network_scenario()
    return cloud, ids, cloud.diagram()


def test_clusters_nest_cloud_region_vpc_az_subnet(typical):
    cloud, ids, diagram = typical
    where, labels, _ = layout(diagram.source)
    vpc = ids["vpc"]
    assert where[ids["web-a"]] == ["cluster_aws", "cluster_us-east-1", f"cluster_{vpc}",
                                   f"cluster_{vpc}_us-east-1a", f"cluster_{ids['public-a']}"]
    assert where[ids["app-b"]][-2:] == [f"cluster_{vpc}_us-east-1b",
                                        f"cluster_{ids['private-b']}"]
    assert labels[f"cluster_{vpc}"] == f"VPC app · 10.0.0.0/16\\n{vpc}"
    assert labels[f"cluster_{vpc}_us-east-1a"] == "Availability Zone us-east-1a"
    assert labels["cluster_us-east-1"] == "Region us-east-1"
    # each VPC has its own AZ clusters: the spokes' us-east-1a is not the app VPC's
    assert where[ids["shared-server"]][2:4] == [f"cluster_{ids['shared']}",
                                                f"cluster_{ids['shared']}_us-east-1a"]
    assert diagram.summary.startswith("Network architecture: 5 VPCs, 13 subnets, 6 instances")


def test_public_and_private_subnets_follow_their_route_tables(typical):
    cloud, ids, diagram = typical
    _, labels, _ = layout(diagram.source)
    public, private = labels[f"cluster_{ids['public-a']}"], labels[f"cluster_{ids['private-a']}"]
    assert public.startswith("Public subnet public-a · 10.0.0.0/24")
    assert public.endswith(f"0.0.0.0/0 → {ids['igw']}")
    assert private.startswith("Private subnet private-a · 10.0.10.0/24")
    assert private.endswith(f"0.0.0.0/0 → {ids['nat-a']}")
    assert labels[f"cluster_{ids['shared-a']}"].endswith("no route to the internet")
    fills = {name: re.search(rf'subgraph "?{name}"? {{\n\s*(.*)', diagram.source).group(1)
             for name in (f"cluster_{ids['public-a']}", f"cluster_{ids['private-a']}")}
    assert 'fillcolor="#F2F6E8"' in fills[f"cluster_{ids['public-a']}"]       # green
    assert 'fillcolor="#E6F6F7"' in fills[f"cluster_{ids['private-a']}"]      # teal


def test_a_subnet_turns_private_when_its_internet_route_goes():
    cloud = awskit.Cloud(seed=1)
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.5.1.0/24",
                               AvailabilityZone="us-east-1c")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    label = lambda: layout(cloud.diagram().source)[1][f"cluster_{subnet}"]  # noqa: E731
    assert label().startswith("Private subnet") and label().endswith("no route to the internet")
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    assert label().startswith("Public subnet") and label().endswith(f"0.0.0.0/0 → {igw}")
    ec2.delete_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0")
    assert label().startswith("Private subnet")


def test_gateways_sit_on_their_vpc_and_nat_gateways_in_public_subnets(typical):
    cloud, ids, diagram = typical
    where, _, edges = layout(diagram.source)
    vpc = f"cluster_{ids['vpc']}"
    for gateway in ("igw", "vgw"):
        assert where[ids[gateway]][-1] == vpc, gateway          # in the VPC, outside the AZs
    assert where[ids["nat-b"]][-1] == f"cluster_{ids['public-b']}"
    assert ("internet", ids["igw"]) in {(a, b) for a, b, _ in edges}
    assert where["internet"] == []                                # outside the AWS Cloud


def test_transit_gateway_is_a_hub_joined_to_each_vpc(typical):
    cloud, ids, diagram = typical
    where, _, edges = layout(diagram.source)
    tgw = ids["tgw"]
    assert where[tgw] == ["cluster_aws", "cluster_us-east-1"]      # in the Region, no VPC
    attached = {re.search(r'lhead="?cluster_([^" ]+)', attrs).group(1)
                for a, b, attrs in edges if a == tgw and "attachment" in attrs}
    assert attached == {ids["vpc"], ids["shared"], ids["data"]}
    routes = [attrs for a, b, attrs in edges if a == tgw and b == f"anchor_{ids['private-a']}"]
    assert routes and "10.1.0.0/16, 10.2.0.0/16" in routes[0] and "dir=back" in routes[0]


def test_peering_is_an_edge_between_vpcs_dashed_until_active(typical):
    cloud, ids, diagram = typical
    _, _, edges = layout(diagram.source)
    [peering] = [(a, b, attrs) for a, b, attrs in edges if "VPC peering" in attrs]
    assert peering[:2] == (f"anchor_{ids['vpc']}", f"anchor_{ids['partner']}")
    assert ids["pcx"] in peering[2] and "style=bold" in peering[2] and "dir=both" in peering[2]
    cloud, ids = network_scenario()                 # a cloud of its own: it changes
    pending = cloud.client("ec2").create_vpc_peering_connection(
        VpcId=ids["data"], PeerVpcId=ids["partner"])["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    cloud.advance(seconds=10)
    _, _, edges = layout(cloud.diagram().source)
    [attrs] = [attrs for _, _, attrs in edges if pending in attrs]
    assert "style=dashed" in attrs and "(pending-acceptance)" in attrs


def test_vpn_runs_to_the_on_premises_network_outside_the_cloud(typical):
    cloud, ids, diagram = typical
    where, labels, edges = layout(diagram.source)
    assert where[ids["cgw"]] == ["cluster_on_premises"]
    assert "networks 192.168.0.0/16" in node_line(diagram.source, ids["cgw"])
    [vpn] = [attrs for a, b, attrs in edges if (a, b) == (ids["vgw"], ids["cgw"])]
    assert f"Site-to-Site VPN {ids['vpn']}" in vpn and "2 of 2 tunnels UP" in vpn


def test_endpoints_and_client_vpn(typical):
    cloud, ids, diagram = typical
    where, labels, edges = layout(diagram.source)
    gateway = ids["s3-endpoint"]
    assert where[gateway][-1] == f"cluster_{ids['vpc']}"           # on the VPC
    assert "Amazon S3 (pl-" in node_line(diagram.source, gateway)
    for az in "ab":                        # the route tables send S3's prefix list to it
        [route] = [attrs for a, b, attrs in edges
                   if (a, b) == (gateway, f"anchor_{ids[f'private-{az}']}")]
        assert re.search(r'label="?pl-[0-9a-f]+', route)
    interface = ids["sqs-endpoint"]
    nodes = [n for n in where if n.startswith(interface)]
    assert sorted(where[n][-1] for n in nodes) == sorted(
        f"cluster_{ids[f'private-{az}']}" for az in "ab")              # one per subnet
    ec2 = cloud.client("ec2")
    [described] = ec2.describe_vpc_endpoints(VpcEndpointIds=[interface])["VpcEndpoints"]
    eni_ips = {e["PrivateIpAddress"] for e in ec2.describe_network_interfaces(
        NetworkInterfaceIds=described["NetworkInterfaceIds"])["NetworkInterfaces"]}
    assert {re.search(r"(10\.0\.1[01]\.\d+)", node_line(diagram.source, n)).group(1)
            for n in nodes} == eni_ips
    cvpn = ids["client-vpn"]
    assert where[cvpn] == ["cluster_aws", "cluster_us-east-1"]
    assert where["client-vpn-users"] == []                            # outside the cloud
    targets = {b for a, b, attrs in edges if a == cvpn and "target network" in attrs}
    assert targets == {f"anchor_{ids['private-a']}"}


def test_a_private_zone_answers_in_its_vpc():
    cloud, ids = network_scenario()
    zone = cloud.client("route53").create_hosted_zone(
        Name="corp.internal", CallerReference="corp", HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": "us-east-1", "VPCId": ids["vpc"]})["HostedZone"]["Id"].split("/")[-1]
    where, labels, edges = layout(cloud.diagram().source)
    cluster = next(c for c in labels if zone in c)
    assert labels[cluster].startswith("Route 53 private hosted zone corp.internal.")
    [answers] = [attrs for a, b, attrs in edges if b == f"anchor_{ids['vpc']}"
                 and "private DNS" in attrs]
    assert f'lhead="cluster_{ids["vpc"]}"' in answers
    assert not [a for a, b, _ in edges if a == "internet" and zone in b]   # not public DNS


def test_cloudfront_and_route53_are_global_in_front(typical):
    cloud, ids, diagram = typical
    where, labels, edges = layout(diagram.source)
    dist = next(n for n in where if ids["distribution"] in n)
    assert where[dist] == ["cluster_aws", "cluster_global"]
    bucket = next(n for n in where if n.endswith("example-site-assets"))
    assert where[bucket][-1] == "cluster_s3_us-east-1"
    assert (dist, bucket) in {(a, b) for a, b, _ in edges}
    zone = next(c for c in labels if ids["zone"] in c)
    records = [n for n, clusters in where.items() if clusters and clusters[-1] == zone]
    texts = [node_line(diagram.source, n) for n in records]
    assert any("failover PRIMARY (web)" in t for t in texts)
    assert any("failover SECONDARY (static-site)" in t for t in texts)
    secondary = records[[("SECONDARY" in t) for t in texts].index(True)]
    assert (secondary, dist) in {(a, b) for a, b, _ in edges}       # the alias


def test_a_route_to_a_deleted_nat_gateway_is_a_red_blackhole():
    cloud, ids = network_scenario()
    cloud.client("ec2").delete_nat_gateway(NatGatewayId=ids["nat-a"])
    cloud.advance(seconds=120)
    where, labels, edges = layout(cloud.diagram().source)
    assert labels[f"cluster_{ids['private-a']}"].endswith(f"→ {ids['nat-a']} (blackhole)")
    assert ids["nat-a"] not in where                                # deleted: not drawn


def test_default_vpc_is_one_box_until_something_runs_in_it():
    cloud = awskit.Cloud(seed=2)
    ec2 = cloud.client("ec2")
    [vpc] = ec2.describe_vpcs()["Vpcs"]
    where, labels, _ = layout(cloud.diagram().source)
    assert vpc["VpcId"] in where and "nothing launched" in node_line(cloud.diagram().source,
                                                                      vpc["VpcId"])
    assert not [c for c in labels if c.startswith("cluster_subnet-")]
    ec2.run_instances(ImageId="ami-0abcdef1234567890", MinCount=1, MaxCount=1)
    where, labels, _ = layout(cloud.diagram().source)
    subnets = [c for c in labels if c.startswith("cluster_subnet-")]
    assert len(subnets) == len(ec2.describe_subnets()["Subnets"]) == 6
    assert all(labels[c].startswith("Public subnet") for c in subnets)


def test_the_resource_view_stays_for_clouds_without_a_vpc():
    cloud = awskit.Cloud(seed=0)
    cloud.client("s3").create_bucket(Bucket="plain-bucket")
    plain = cloud.diagram()
    assert plain.summary.startswith("Architecture:") and "VPC" not in plain.source
    cloud.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")
    assert cloud.diagram().summary.startswith("Network architecture:")
    resources = cloud.diagram(network=False)
    assert resources.summary.startswith("Architecture:") and "plain-bucket\\nS3 bucket" in \
        resources.source
    assert architecture_diagram(cloud, network=True) == cloud.diagram()


def test_the_same_cloud_draws_the_same_dot(typical):
    _, _, diagram = typical
    again, _ = network_scenario()
    assert again.diagram().source == diagram.source
    assert "0x" not in diagram.source


# -- a reachability answer drawn on the network ----------------------------------------------
def path_edges(source: str) -> list[tuple[str, str, str]]:
    return [(a, b, attrs) for a, b, attrs in layout(source)[2] if HIGHLIGHT in attrs
            or (BLOCKED in attrs and "penwidth=2.5" in attrs)]


def test_a_reachable_path_is_highlighted_hop_by_hop(typical):
    cloud, ids, _ = typical
    result = cloud.ec2.reachability(ids["app-a"], "internet", "tcp", 443)
    assert result.reachable
    diagram = cloud.diagram(reachability=result)
    hops = result.hops + result.return_path
    edges = path_edges(diagram.source)
    numbers = [int(re.search(r'label=(\d+)', attrs).group(1)) for _, _, attrs in edges]
    assert numbers == sorted(numbers) and numbers[0] == 2 and numbers[-1] <= len(hops)
    assert edges[0][0] == ids["app-a"]                     # hop 1: the instance itself
    assert HIGHLIGHT in node_line(diagram.source, ids["app-a"])
    assert "1. sends tcp" in node_line(diagram.source, ids["app-a"])
    where, _, _ = layout(diagram.source)
    second = edges[0][1]                                   # hop 2: its security group
    assert second == "hop2" and where["hop2"][-1] == f"cluster_{ids['private-a']}"
    assert "Security group" in node_line(diagram.source, "hop2")
    nat_hop = next(i for i, h in enumerate(hops, 1) if h.component == "NAT gateway")
    assert f"{nat_hop}. translates the source" in node_line(diagram.source, ids["nat-a"])
    inbound = next(i for i, h in enumerate(hops, 1) if h.component == "Network ACL"
                   and h.rule.startswith("inbound"))       # entering the public subnet
    assert where[f"hop{inbound}"][-1] == f"cluster_{ids['public-a']}"
    assert any(b == "internet" for _, b, _ in edges)
    assert any("style=dashed" in attrs for _, _, attrs in edges)   # the reply's way
    assert BLOCKED not in "".join(attrs for _, _, attrs in edges)
    assert diagram.summary.endswith("tcp 443: reachable (20 hops)") or \
        diagram.summary.endswith(f"reachable ({len(hops)} hops)")


def test_the_blocking_rule_is_marked_red_with_its_text():
    cloud, ids = network_scenario()
    ec2 = cloud.client("ec2")
    acl = ec2.create_network_acl(VpcId=ids["vpc"])["NetworkAcl"]["NetworkAclId"]
    for egress in (True, False):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1",
                                     RuleAction="allow", Egress=egress, CidrBlock="0.0.0.0/0")
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=90, Protocol="6",
                                 RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0",
                                 PortRange={"From": 1024, "To": 65535})
    [assoc] = [a for n in ec2.describe_network_acls()["NetworkAcls"] for a in n["Associations"]
               if a["SubnetId"] == ids["public-a"]]
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"],
                                        NetworkAclId=acl)
    result = cloud.ec2.reachability(ids["app-a"], "internet", "tcp", 443)
    assert not result.reachable and result.blocked_by.resource == acl
    diagram = cloud.diagram(reachability=result)
    hops = result.hops + result.return_path
    # one node for the ACL in public-a: the request's lines, then the reply's, which it blocks
    [blocked] = [n for n, where in layout(diagram.source)[0].items() if n.startswith("hop")
                 and acl in node_line(diagram.source, n)]
    line = node_line(diagram.source, blocked)
    assert BLOCKED in line and f"{len(hops)}. ✗ BLOCKED: inbound rule 90 deny tcp 1024-65535" \
        in line
    numbers = [i for i, h in enumerate(hops, 1) if h.resource == acl]
    assert len(numbers) == 3 and all(f"{n}. " in line for n in numbers)
    assert "inbound rule 100 allow" in line                       # the request got in
    assert layout(diagram.source)[0][blocked][-1] == f"cluster_{ids['public-a']}"
    last = path_edges(diagram.source)[-1]
    assert last[1] == blocked and BLOCKED in last[2] and f"label={len(hops)}" in last[2]
    assert "NOT reachable" in diagram.summary and acl in diagram.summary
    assert "Network architecture:" in diagram.source           # the title keeps both


@pytest.mark.parametrize("source,destination,drawn_at", [
    ("app-a", "shared-server", ("tgw",)),                  # through the transit gateway
    ("onprem", "app-a", ("cgw", "vgw")),                   # in over the Site-to-Site VPN
    ("clientvpn", "app-b", ("client-vpn", "client-vpn-users")),
    ("app-b", "service:sqs", ("sqs-endpoint@private-b",)),  # the endpoint in its own AZ
])
def test_paths_through_the_connectivity_options(typical, source, destination, drawn_at):
    cloud, ids, _ = typical
    names = {"onprem": f"onprem:{ids['cgw']}", "clientvpn": f"clientvpn:{ids['client-vpn']}"}
    result = cloud.ec2.reachability(names.get(source, ids.get(source)),
                                    ids.get(destination, destination), "tcp", 8080
                                    if destination != "service:sqs" else 443)
    source_dot = cloud.diagram(reachability=result).source
    for name in drawn_at:
        resource, _, subnet = name.partition("@")
        node = ids.get(resource, resource) + (f"@{ids[subnet]}" if subnet else "")
        line = node_line(source_dot, node)
        assert HIGHLIGHT in line or BLOCKED in line, name
        assert re.search(r"\d+\. ", line), name                 # a numbered hop is written there


def test_any_answer_with_hops_and_blocked_by_can_be_drawn(typical):
    cloud, ids, _ = typical
    hops = [SimpleNamespace(resource_id=ids["web-a"], rule="sends tcp 22", action="allow"),
            SimpleNamespace(resource_id=ids["igw"], rule="no route back", action="deny")]
    answer = SimpleNamespace(reachable=False, hops=hops, blocked_by=hops[1])
    source = cloud.diagram(reachability=answer).source
    assert "2. ✗ BLOCKED: no route back" in node_line(source, ids["igw"])
    assert BLOCKED in node_line(source, ids["igw"])
    assert (ids["web-a"], ids["igw"]) in {(a, b) for a, b, _ in path_edges(source)}


@pytest.mark.skipif(render.renderer() is None, reason="no Graphviz renderer on this machine")
def test_the_network_renders(typical):
    cloud, ids, diagram = typical
    svg = diagram.svg()
    assert "</svg>" in svg and "hub (Transit gateway)" in svg
    answer = cloud.ec2.reachability(ids["web-a"], ids["app-a"], "tcp", 8080)
    assert "</svg>" in cloud.diagram(reachability=answer).svg()
