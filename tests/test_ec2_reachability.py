"""cloud.ec2.reachability: security groups, network ACLs, route tables, internet gateways,
the reply path, bad input, the trace it leaves."""

from __future__ import annotations

import pytest

import awskit
from awskit.diagrams.traces import numbered_steps
from reachability_helpers import (allow, ec2, group, instance, nacl, net,  # noqa: F401
                                  settle, subnet, table, web_vpc)


def components(hops):
    return [h.component for h in hops]


def test_a_public_instance_reaches_the_internet_and_every_hop_names_its_rule(cloud, ec2, net):
    web = instance(ec2, net["public"], [net["web"]], public=True)
    settle(cloud)
    result = cloud.ec2.reachability(web, "internet", "tcp", 443)
    assert result.reachable and result.blocked_by is None
    assert components(result.hops) == ["Instance", "Security group", "Network ACL",
                                       "VPC router", "Internet gateway", "Internet"]
    sg, acl, route = result.hops[1], result.hops[2], result.hops[3]
    assert sg.resource == net["web"] and "outbound rule sgr-" in sg.rule
    assert sg.rule.endswith("allows all traffic to 0.0.0.0/0")
    assert str(acl).startswith("acl-") and "outbound rule 100 allow" in str(acl)
    assert str(route) == f"{net['public_rtb']} route 0.0.0.0/0 -> {net['igw']}"
    # the reply: the internet gateway maps the public address back, the ACL lets it in,
    # the security group lets it in because it is stateful
    assert components(result.return_path) == ["Internet", "Internet gateway", "VPC router",
                                              "Network ACL", "Security group", "Instance"]
    assert "inbound rule 100 allow" in str(result.return_path[3])
    assert "stateful" in result.return_path[4].rule
    assert "32768-61000" in result.return_path[0].packet


def test_without_a_public_address_the_internet_gateway_refuses_the_packet(cloud, ec2, net):
    private = instance(ec2, net["public"], [net["web"]], public=False)
    settle(cloud)
    result = cloud.ec2.reachability(private, "internet", "tcp", 443)
    assert not result.reachable
    assert result.blocked_by.component == "Internet gateway"
    assert result.blocked_by.resource == net["igw"]
    assert result.blocked_by.code == "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"
    assert result.return_path == []


def test_from_the_internet_the_security_group_decides_by_port(cloud, ec2, net):
    web = instance(ec2, net["public"], [net["web"]], public=True)
    settle(cloud)
    assert cloud.ec2.reachability(awskit.ec2.INTERNET, web, "tcp", 443).reachable
    refused = cloud.ec2.reachability("internet", web, "tcp", 80)
    assert not refused.reachable
    assert refused.blocked_by.resource == net["web"]
    assert refused.blocked_by.code == "ENI_SG_RULES_MISMATCH"
    assert "no rule allows tcp 80" in refused.blocked_by.rule


def test_a_group_with_no_inbound_rule_blocks_everything(cloud, ec2, net):
    closed = group(ec2, net["vpc"], "closed")
    web = instance(ec2, net["public"], [closed], public=True)
    settle(cloud)
    result = cloud.ec2.reachability("internet", web, "tcp", 22)
    assert result.blocked_by.resource == closed
    assert result.blocked_by.rule == "has no inbound rules"
    assert result.blocked_by.code == "SG_HAS_NO_RULES"


def test_an_instance_without_a_public_address_cannot_be_reached_from_the_internet(cloud, ec2,
                                                                                   net):
    private = instance(ec2, net["public"], [net["web"]])
    settle(cloud)
    result = cloud.ec2.reachability("internet", private, "tcp", 443)
    assert result.blocked_by.code == "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
    assert "no public IPv4" in result.blocked_by.rule


def test_a_subnet_without_a_route_cannot_reach_the_internet(cloud, ec2, net):
    app = instance(ec2, net["private"], [net["web"]], public=True)
    settle(cloud)
    result = cloud.ec2.reachability(app, "internet", "tcp", 443)
    assert result.blocked_by.component == "VPC router"
    assert result.blocked_by.code == "NO_ROUTE_TO_DESTINATION"
    assert result.blocked_by.rule == "has no route for 203.0.113.10"


def test_a_lower_numbered_deny_wins_and_is_named(cloud, ec2, net):
    web = instance(ec2, net["public"], [net["web"]], public=True)
    acl = nacl(ec2, net["vpc"], net["public"], [
        (90, True, "6", "deny", "0.0.0.0/0", (443, 443)),
        (100, True, "-1", "allow", "0.0.0.0/0", None),
        (100, False, "-1", "allow", "0.0.0.0/0", None)])
    settle(cloud)
    result = cloud.ec2.reachability(web, "internet", "tcp", 443)
    assert result.blocked_by.resource == acl
    assert result.blocked_by.rule == "outbound rule 90 deny tcp 443 to 0.0.0.0/0"
    assert result.blocked_by.code == "SUBNET_ACL_RESTRICTION"
    assert cloud.ec2.reachability(web, "internet", "tcp", 80).reachable


def test_a_stateless_acl_must_let_the_reply_out_to_the_ephemeral_ports(cloud, ec2, net):
    web = instance(ec2, net["public"], [net["web"]], public=True)
    acl = nacl(ec2, net["vpc"], net["public"], [
        (100, False, "6", "allow", "0.0.0.0/0", (443, 443)),
        (100, True, "6", "allow", "0.0.0.0/0", (443, 443))])
    settle(cloud)
    result = cloud.ec2.reachability("internet", web, "tcp", 443)
    assert all(h.allowed for h in result.hops)              # the request gets in
    assert result.blocked_by.direction == "return"
    assert result.blocked_by.resource == acl
    assert result.blocked_by.rule.startswith("outbound rule * deny all traffic to 0.0.0.0/0")
    assert "32768-61000" in result.blocked_by.rule
    # the security group let the reply out without any outbound rule for it: stateful
    assert result.return_path[1].component == "Security group" and result.return_path[1].allowed
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=110, Egress=True, Protocol="6",
                                 RuleAction="allow", CidrBlock="0.0.0.0/0",
                                 PortRange={"From": 32768, "To": 61000})
    assert cloud.ec2.reachability("internet", web, "tcp", 443).reachable


def test_an_acl_that_opens_only_part_of_the_ephemeral_range_is_named(cloud, ec2, net):
    web = instance(ec2, net["public"], [net["web"]], public=True)
    nacl(ec2, net["vpc"], net["public"], [
        (100, False, "-1", "allow", "0.0.0.0/0", None),
        (100, True, "6", "allow", "0.0.0.0/0", (443, 443)),
        (110, True, "6", "allow", "0.0.0.0/0", (32768, 50000)),
        (120, True, "6", "deny", "0.0.0.0/0", (50001, 65535)),
        (130, True, "6", "allow", "0.0.0.0/0", (0, 65535))])
    settle(cloud)
    result = cloud.ec2.reachability("internet", web, "tcp", 443)
    assert result.blocked_by.rule == "outbound rule 120 deny tcp 50001-65535 to 0.0.0.0/0" \
        " (the reply goes to ephemeral ports 32768-61000: network ACLs are stateless)"
    # an opener using only 32768-50000 gets its replies
    assert cloud.ec2.reachability("internet", web, "tcp", 443,
                                  ephemeral=(32768, 50000)).reachable


def test_no_acl_is_crossed_inside_one_subnet(cloud, ec2, net):
    inside = group(ec2, net["vpc"], "inside", [("tcp", 5432, "10.0.0.0/16")])
    a = instance(ec2, net["private"], [inside])
    b = instance(ec2, net["private"], [inside])
    c_subnet = subnet(ec2, net["vpc"], "10.0.3.0/24")
    c = instance(ec2, c_subnet, [inside])
    nacl(ec2, net["vpc"], net["private"], [])            # denies everything
    settle(cloud)
    same = cloud.ec2.reachability(a, b, "tcp", 5432)
    assert same.reachable
    assert "Network ACL" not in components(same.hops + same.return_path)
    assert components(same.hops) == ["Instance", "Security group", "VPC router",
                                     "Security group", "Instance"]
    across = cloud.ec2.reachability(c, a, "tcp", 5432)
    assert across.blocked_by.component == "Network ACL"
    assert across.blocked_by.rule == "inbound rule * deny all traffic from 0.0.0.0/0"


def test_a_group_reference_matches_the_members_private_addresses(cloud, ec2, net):
    app = group(ec2, net["vpc"], "app")
    db = group(ec2, net["vpc"], "db", [("tcp", 5432, app)])
    database = instance(ec2, net["private"], [db])
    member = instance(ec2, net["private"], [app])
    stranger = instance(ec2, net["private"], [net["web"]])
    settle(cloud)
    ok = cloud.ec2.reachability(member, database, "tcp", 5432)
    assert ok.reachable
    assert ok.hops[-2].rule.endswith(f"allows tcp 5432 from {app} (its members)")
    refused = cloud.ec2.reachability(stranger, database, "tcp", 5432)
    assert refused.blocked_by.resource == db
    assert refused.blocked_by.code == "ENI_SG_RULES_MISMATCH"


def test_outbound_rules_of_the_source_are_checked(cloud, ec2, net):
    locked = group(ec2, net["vpc"], "locked")
    ec2.revoke_security_group_egress(GroupId=locked, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    allow(ec2, locked, "tcp", 443, "0.0.0.0/0", egress=True)
    web = instance(ec2, net["public"], [locked], public=True)
    settle(cloud)
    assert cloud.ec2.reachability(web, "internet", "tcp", 443).reachable
    refused = cloud.ec2.reachability(web, "internet", "tcp", 80)
    assert refused.blocked_by.rule == "outbound: no rule allows tcp 80 to 203.0.113.10"


def test_a_stopped_instance_neither_sends_nor_receives(cloud, ec2, net):
    web = instance(ec2, net["public"], [net["web"]], public=True)
    other = instance(ec2, net["public"], [net["web"]])
    settle(cloud)
    ec2.stop_instances(InstanceIds=[web])
    settle(cloud)
    out = cloud.ec2.reachability(web, "internet", "tcp", 443)
    assert out.blocked_by.code == "BAD_STATE" and out.blocked_by.resource == web
    assert out.blocked_by.rule.startswith("is stopped")
    into = cloud.ec2.reachability(other, web, "tcp", 443)
    assert into.blocked_by.code == "BAD_STATE" and into.blocked_by.resource == web
    ec2.terminate_instances(InstanceIds=[web])
    settle(cloud)
    gone = cloud.ec2.reachability(other, web, "tcp", 443)
    assert gone.blocked_by.code == "BAD_STATE"
    assert gone.blocked_by.rule == "is terminated: it has no network interface left"
    assert cloud.ec2.reachability(web, other, "tcp", 443).blocked_by.rule == gone.blocked_by.rule


def test_a_private_address_of_another_vpc_is_not_on_the_internet(cloud, ec2, net):
    other = web_vpc(ec2, "10.1.0.0/16")
    settle(cloud, 5)
    a = instance(ec2, net["public"], [net["web"]], public=True)
    hidden = instance(ec2, other["public"], [other["web"]])
    shown = instance(ec2, other["public"], [other["web"]], public=True)
    settle(cloud)
    refused = cloud.ec2.reachability(a, hidden, "tcp", 443)
    assert refused.blocked_by.code == "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"
    # with a public address the flow goes out and back in over the internet
    ok = cloud.ec2.reachability(a, shown, "tcp", 443)
    assert ok.reachable
    assert components(ok.hops).count("Internet gateway") == 2


def test_addresses_name_the_ends_too(cloud, ec2, net):
    web = instance(ec2, net["public"], [net["web"]], public=True)
    settle(cloud)
    [desc] = ec2.describe_instances(InstanceIds=[web])["Reservations"][0]["Instances"]
    by_public = cloud.ec2.reachability("203.0.113.10", desc["PublicIpAddress"], "tcp", 443)
    assert by_public.reachable
    assert by_public.hops[-1].resource == web
    by_private = cloud.ec2.reachability(desc["PrivateIpAddress"], "8.8.8.8", "udp", 53)
    assert by_private.reachable and by_private.hops[-1].resource == "8.8.8.8"
    assert by_private.hops[0].resource == web


def test_ping(cloud, ec2, net):
    default = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [net["vpc"]]},
        {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    a = instance(ec2, net["public"], [default])
    b = instance(ec2, net["private"], [default])
    c = instance(ec2, net["private"], [net["web"]])
    settle(cloud)
    ok = cloud.ec2.reachability(a, b, "icmp")
    assert ok.reachable and "icmp echo request" in ok.hops[0].packet
    assert "icmp echo reply" in ok.return_path[0].packet
    refused = cloud.ec2.reachability(a, c, "icmp")
    assert refused.blocked_by.rule == f"inbound: no rule allows icmp echo request from " \
        f"{ok.source.address}"


@pytest.mark.parametrize("source,destination,protocol,port,message", [
    ("i-0123456789abcdef0", "internet", "tcp", 443, "no instance"),
    ("eni-0123456789abcdef0", "internet", "tcp", 443, "no network interface"),
    ("internet", "8.8.8.8", "tcp", 443, "outside AWS"),
    ("s3", "internet", "tcp", 443, "does not open them"),
    ("10.9.9.9", "internet", "tcp", 443, "private address 10.9.9.9"),
    ("2001:db8::1", "internet", "tcp", 443, "IPv4"),
    ("somewhere", "internet", "tcp", 443, "cannot tell"),
    (None, "internet", "tcp", 443, "is a string"),
    ("WEB", "internet", "sctp", 443, "protocol must be"),
    ("WEB", "internet", "tcp", 70000, "port must be"),
    ("WEB", "internet", "tcp", "443", "port must be"),
    ("WEB", "vpce-svc-0123456789abcdef0", "tcp", 443, "no endpoint service"),
    ("WEB", "onprem:cgw-0123456789abcdef0", "tcp", 443, "no customer gateway"),
])
def test_bad_questions_say_what_is_wrong(cloud, ec2, net, source, destination, protocol, port,
                                         message):
    web = instance(ec2, net["public"], [net["web"]], public=True)
    before = len(cloud.traces)
    with pytest.raises(ValueError, match=message):
        cloud.ec2.reachability(web if source == "WEB" else source, destination, protocol, port)
    assert len(cloud.traces) == before          # nothing recorded for a bad question


def test_the_answer_is_a_trace_drawn_as_the_chain_of_hops(cloud, ec2, net):
    web = instance(ec2, net["public"], [net["web"]], public=True)
    settle(cloud)
    t0 = cloud.clock.elapsed
    result = cloud.ec2.reachability(web, "internet", "tcp", 443)
    trace = cloud.traces.last
    assert trace is result.trace and trace.operation == "Reachability"
    assert trace.service == "ec2" and cloud.clock.elapsed == t0      # no time passes
    assert len(trace.steps) == len(result.hops) + len(result.return_path)
    assert trace.steps[4].component == "Internet gateway"
    assert trace.steps[len(result.hops)].action.startswith("Reply: ")
    edges = [(source, target) for _, _, _, source, target in numbered_steps([trace])]
    assert edges[0] == (None, "Instance")
    assert edges[1:6] == [("Instance", "Security group"), ("Security group", "Network ACL"),
                          ("Network ACL", "VPC router"), ("VPC router", "Internet gateway"),
                          ("Internet gateway", "Internet")]
    assert "VPC router" in trace.diagram().source


def test_answers_read_the_same_for_the_same_seed():
    def run():
        cloud = awskit.Cloud(seed=3)
        ec2 = cloud.client("ec2")
        net = web_vpc(ec2)
        settle(cloud, 5)
        web = instance(ec2, net["public"], [net["web"]], public=True)
        settle(cloud)
        result = cloud.ec2.reachability("internet", web, "tcp", 22)
        return result.describe(), result._repr_mimebundle_()["text/plain"], repr(result)
    first, second = run(), run()
    assert first == second
    assert first[0] == first[1] and first[0].splitlines()[0] in first[2]
    assert first[0].startswith("Reachability internet (203.0.113.10) → i-")
    assert "tcp 22: reachable" in first[0].splitlines()[0]


def test_route_to_a_blackhole_and_to_a_new_table(cloud, ec2, net):
    app = instance(ec2, net["private"], [net["web"]], public=True)
    settle(cloud)
    rtb = table(ec2, net["vpc"], [net["private"]], [("0.0.0.0/0", {"GatewayId": net["igw"]})])
    assert cloud.ec2.reachability(app, "internet", "tcp", 443).reachable
    ec2.delete_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0")
    result = cloud.ec2.reachability(app, "internet", "tcp", 443)
    assert result.blocked_by.resource == rtb and result.blocked_by.code == \
        "NO_ROUTE_TO_DESTINATION"
