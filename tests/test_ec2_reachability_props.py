"""Property tests: cloud.ec2.reachability against the rules AWS documents.

- a network ACL decides by its lowest-numbered matching rule (a deny numbered lower than an
  allow always wins), for single ports and for whole ephemeral ranges;
- removing the route to the internet gateway cuts internet reachability;
- peering never transits: in a line of peered VPCs only neighbours talk, whatever the routes;
- a security group with no inbound rule blocks every flow into it;
- a stateless ACL without an ephemeral return rule blocks the reply, while security groups
  always let the reply through;
- a transit gateway makes A–C reachable where peering A–B, B–C does not.
"""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

import awskit
from awskit.ec2.model import NaclEntry, NetworkAcl
from awskit.ec2.reachability_hops import Packet, nacl_verdict
from awskit.ec2.store import star_rules
from reachability_helpers import (group, instance, nacl, peer, settle, table, vpc, subnet,
                                  web_vpc)

SLOW = settings(max_examples=12, deadline=None)
PEERS = ["0.0.0.0/0", "10.0.0.0/8", "10.0.1.0/24", "192.168.0.0/16", "203.0.113.0/24"]
ports = st.integers(min_value=1, max_value=65535)


@st.composite
def entries(draw):
    """A direction's rules: distinct numbers, tcp or all, allow or deny, some peer CIDR."""
    numbers = draw(st.lists(st.integers(1, 32766), min_size=1, max_size=8, unique=True))
    out = []
    for number in numbers:
        protocol = draw(st.sampled_from(["6", "-1", "17"]))
        low = draw(st.integers(0, 65535))
        high = draw(st.integers(low, 65535))
        out.append(NaclEntry(number, False, protocol, draw(st.sampled_from(["allow", "deny"])),
                             cidr=draw(st.sampled_from(PEERS)),
                             port_from=None if protocol == "-1" else low,
                             port_to=None if protocol == "-1" else high))
    return out


def reference(rules, src: str, port: int):
    """The documented evaluation, one port at a time: lowest number first, first match."""
    for entry in sorted(rules, key=lambda e: e.rule_number):
        if entry.protocol not in ("-1", "6"):
            continue
        if ipaddress.ip_address(src) not in ipaddress.ip_network(entry.cidr):
            continue
        if entry.port_from is not None and not entry.port_from <= port <= entry.port_to:
            continue
        return entry
    return None


@settings(max_examples=300, deadline=None)
@given(entries(), st.sampled_from(["10.0.1.9", "192.168.4.4", "203.0.113.10", "8.8.8.8"]),
       ports, st.integers(0, 1500))
def test_an_acl_decides_by_its_lowest_numbered_matching_rule(rules, src, low, width):
    acl = NetworkAcl("acl-1", "1", "us-east-1", "vpc-1", entries=rules + star_rules())
    high = min(low + width, 65535)
    packet = Packet("tcp", src, "10.0.1.5", (low, high), (443, 443))
    allowed, deciding = nacl_verdict(acl, False, packet)
    firsts = [reference(rules, src, p) for p in range(low, high + 1)]
    assert allowed == all(f is not None and f.action == "allow" for f in firsts)
    if not allowed:
        denying = [f for f in firsts if f is None or f.action == "deny"]
        first_deny = min(denying, key=lambda f: 32767 if f is None else f.rule_number)
        assert deciding[0].rule_number == (32767 if first_deny is None
                                           else first_deny.rule_number)


@SLOW
@given(st.integers(1, 32000), st.integers(1, 700), ports, st.sampled_from(["tcp", "udp"]))
def test_a_deny_numbered_lower_than_an_allow_always_wins(deny, gap, port, protocol):
    cloud = awskit.Cloud(seed=1)
    ec2 = cloud.client("ec2")
    net = web_vpc(ec2)
    opened = group(ec2, net["vpc"], "open", [(protocol, (0, 65535), "0.0.0.0/0")])
    web = instance(ec2, net["public"], [opened], public=True)
    number = "6" if protocol == "tcp" else "17"
    acl = nacl(ec2, net["vpc"], net["public"], [
        (deny, False, number, "deny", "0.0.0.0/0", (port, port)),
        (min(deny + gap, 32766), False, "-1", "allow", "0.0.0.0/0", None),
        (100, True, "-1", "allow", "0.0.0.0/0", None)])
    settle(cloud)
    result = cloud.ec2.reachability("internet", web, protocol, port)
    assert not result.reachable
    assert result.blocked_by.resource == acl
    assert result.blocked_by.rule.startswith(f"inbound rule {deny} deny")
    assert cloud.ec2.reachability("internet", web, protocol, port % 65535 + 1).reachable


@st.composite
def public_hosts(draw):
    address = ipaddress.ip_address(draw(st.integers(0x01000000, 0xDF000000)))
    private = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "3.0.0.0/8",
               "16.182.0.0/16", "18.34.0.0/19", "52.0.0.0/8", "54.231.0.0/16", "35.71.64.0/22",
               "127.0.0.0/8")
    if any(address in ipaddress.ip_network(c) for c in private):
        address = ipaddress.ip_address("198.51.100.20")
    return str(address)


@SLOW
@given(public_hosts(), ports, st.sampled_from(["tcp", "udp"]))
def test_removing_the_internet_gateway_route_cuts_internet_reachability(host, port, protocol):
    cloud = awskit.Cloud(seed=2)
    ec2 = cloud.client("ec2")
    net = web_vpc(ec2)
    web = instance(ec2, net["public"], [net["web"]], public=True)
    ec2.create_route(RouteTableId=net["public_rtb"], DestinationCidrBlock="10.99.0.0/16",
                     GatewayId=net["igw"])               # a route that does not match
    settle(cloud)
    assert cloud.ec2.reachability(web, host, protocol, port).reachable
    ec2.delete_route(RouteTableId=net["public_rtb"], DestinationCidrBlock="0.0.0.0/0")
    cut = cloud.ec2.reachability(web, host, protocol, port)
    assert not cut.reachable
    assert cut.blocked_by.code == "NO_ROUTE_TO_DESTINATION"
    assert cut.blocked_by.resource == net["public_rtb"]


def line_of_vpcs(cloud, ec2, n: int):
    """n VPCs 10.i.0.0/16 peered in a line, every table routing every other VPC's CIDR to the
    peering toward it; an instance in each allowing tcp from 10.0.0.0/8."""
    nets = []
    for i in range(n):
        v = vpc(ec2, f"10.{i}.0.0/16")
        s = subnet(ec2, v, f"10.{i}.1.0/24")
        nets.append({"vpc": v, "subnet": s})
    settle(cloud, 5)
    links = [peer(ec2, nets[i]["vpc"], nets[i + 1]["vpc"], cloud) for i in range(n - 1)]
    for i, net in enumerate(nets):
        routes = []
        for j in range(n):
            if j != i:
                pcx = links[i] if j > i else links[i - 1]
                routes.append((f"10.{j}.0.0/16", {"VpcPeeringConnectionId": pcx}))
        table(ec2, net["vpc"], [net["subnet"]], routes)
        g = group(ec2, net["vpc"], "app", [("tcp", (0, 65535), "10.0.0.0/8")])
        net["app"] = instance(ec2, net["subnet"], [g])
    settle(cloud)
    return nets, links


@settings(max_examples=8, deadline=None)
@given(st.integers(3, 4), st.data())   # 5 VPCs per Region, the default one counts
def test_peering_never_transits(n, data):
    cloud = awskit.Cloud(seed=3)
    ec2 = cloud.client("ec2")
    nets, links = line_of_vpcs(cloud, ec2, n)
    i = data.draw(st.integers(0, n - 1))
    j = data.draw(st.integers(0, n - 1).filter(lambda k: k != i))
    port = data.draw(ports)
    result = cloud.ec2.reachability(nets[i]["app"], nets[j]["app"], "tcp", port)
    if abs(i - j) == 1:
        assert result.reachable
    else:
        assert not result.reachable
        assert result.blocked_by.component == "VPC peering"
        assert result.blocked_by.code == "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"
        assert result.blocked_by.resource == (links[i] if j > i else links[i - 1])


@SLOW
@given(ports, st.sampled_from(["tcp", "udp", "icmp"]),
       st.sampled_from(["internet", "same-subnet", "other-subnet"]))
def test_a_group_with_no_inbound_rule_blocks(port, protocol, where):
    cloud = awskit.Cloud(seed=4)
    ec2 = cloud.client("ec2")
    net = web_vpc(ec2)
    closed = group(ec2, net["vpc"], "closed")
    target = instance(ec2, net["public"], [closed], public=True)
    source = {"internet": lambda: "internet",
              "same-subnet": lambda: instance(ec2, net["public"], [net["web"]]),
              "other-subnet": lambda: instance(ec2, net["private"], [net["web"]])}[where]()
    settle(cloud)
    result = cloud.ec2.reachability(source, target, protocol, port)
    assert not result.reachable
    assert result.blocked_by.resource == closed
    assert result.blocked_by.code == "SG_HAS_NO_RULES"


@SLOW
@given(ports, st.integers(1024, 65535), st.booleans())
def test_a_stateless_acl_needs_the_ephemeral_rule_but_a_group_never_does(port, lowest,
                                                                          no_egress):
    cloud = awskit.Cloud(seed=5)
    ec2 = cloud.client("ec2")
    net = web_vpc(ec2)
    opened = group(ec2, net["vpc"], "open", [("tcp", port, "0.0.0.0/0")])
    if no_egress:                                        # a group that allows nothing out
        ec2.revoke_security_group_egress(GroupId=opened, IpPermissions=[
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    web = instance(ec2, net["public"], [opened], public=True)
    acl = nacl(ec2, net["vpc"], net["public"], [
        (100, False, "6", "allow", "0.0.0.0/0", (port, port)),
        (100, True, "6", "allow", "0.0.0.0/0", (port, port))])
    settle(cloud)
    result = cloud.ec2.reachability("internet", web, "tcp", port)
    replies = [h for h in result.return_path if h.component == "Security group"]
    assert all(h.allowed and "stateful" in h.rule for h in replies)
    assert all(h.allowed for h in result.hops)         # the request gets in...
    assert not result.reachable                        # ...its reply, to 32768-61000, not out
    assert result.blocked_by.direction == "return" and result.blocked_by.resource == acl
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=110, Egress=True, Protocol="6",
                                 RuleAction="allow", CidrBlock="0.0.0.0/0",
                                 PortRange={"From": min(lowest, 32768), "To": 65535})
    fixed = cloud.ec2.reachability("internet", web, "tcp", port)
    assert fixed.reachable
    assert all(h.allowed for h in fixed.return_path if h.component == "Security group")


@settings(max_examples=5, deadline=None)
@given(ports)
def test_a_transit_gateway_makes_a_to_c_reachable_where_peering_does_not(port):
    cloud = awskit.Cloud(seed=6)
    ec2 = cloud.client("ec2")
    nets, links = line_of_vpcs(cloud, ec2, 3)
    a, c = nets[0], nets[2]
    assert not cloud.ec2.reachability(a["app"], c["app"], "tcp", port).reachable
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    settle(cloud)
    for net in nets:
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=net["vpc"],
                                                  SubnetIds=[net["subnet"]])
    settle(cloud)
    for net, far in ((a, "10.2.0.0/16"), (c, "10.0.0.0/16")):
        [rtb] = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id",
                                                    "Values": [net["subnet"]]}])["RouteTables"]
        ec2.replace_route(RouteTableId=rtb["RouteTableId"], DestinationCidrBlock=far,
                          TransitGatewayId=tgw)
    result = cloud.ec2.reachability(a["app"], c["app"], "tcp", port)
    assert result.reachable
    assert "Transit gateway" in [h.component for h in result.hops]
    assert "VPC peering" not in [h.component for h in result.hops + result.return_path]
