"""cloud.ec2.reachability through NAT gateways, middleboxes and egress-only gateways, and the
replies that come back the wrong way."""

from __future__ import annotations

import pytest

from reachability_helpers import (acl_entry, ec2, group, instance, nacl, net,  # noqa: F401
                                  settle, subnet, table, web_vpc)


@pytest.fixture
def natted(cloud, ec2, net):
    """web_vpc plus a NAT gateway in the public subnet; the private subnet routes 0.0.0.0/0
    to it."""
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=net["public"], AllocationId=eip["AllocationId"])[
        "NatGateway"]["NatGatewayId"]
    rtb = table(ec2, net["vpc"], [net["private"]], [("0.0.0.0/0", {"NatGatewayId": nat})])
    app = instance(ec2, net["private"], [net["web"]])
    settle(cloud)
    return {**net, "nat": nat, "eip": eip["PublicIp"], "private_rtb": rtb, "app": app}


def test_a_private_instance_goes_out_through_the_nat_gateway(cloud, natted):
    result = cloud.ec2.reachability(natted["app"], "internet", "tcp", 443)
    assert result.reachable
    names = [h.component for h in result.hops]
    assert names == ["Instance", "Security group", "Network ACL", "VPC router", "Network ACL",
                     "NAT gateway", "Network ACL", "VPC router", "Internet gateway", "Internet"]
    assert str(result.hops[3]) == f"{natted['private_rtb']} route 0.0.0.0/0 -> {natted['nat']}"
    assert "translates the source 10.0.2." in result.hops[5].rule
    assert "ports 1024-65535" in result.hops[5].rule
    assert str(result.hops[7]) == f"{natted['public_rtb']} route 0.0.0.0/0 -> {natted['igw']}"
    assert result.hops[8].rule.endswith(f"to its public address {natted['eip']}")
    back = [h.component for h in result.return_path]
    assert back.index("NAT gateway") < back.index("Instance")
    nat_back = next(h for h in result.return_path if h.component == "NAT gateway")
    assert "translates the reply back to 10.0.2." in nat_back.rule
    # the reply reaches the NAT gateway on its own ephemeral ports, then the instance on its
    assert "1024-65535" in result.return_path[1].packet
    assert "32768-61000" in result.return_path[-1].packet


def test_a_ping_through_the_nat_gateway_comes_back(cloud, ec2, natted):
    result = cloud.ec2.reachability(natted["app"], "8.8.8.8", "icmp")
    assert result.reachable
    assert [h.packet.split(" ")[1:3] for h in result.return_path][-1] == ["echo", "reply"]


def test_nothing_on_the_internet_can_open_a_connection_through_the_nat(cloud, natted):
    into_app = cloud.ec2.reachability("internet", natted["app"], "tcp", 443)
    assert into_app.blocked_by.code == "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
    into_nat = cloud.ec2.reachability("internet", natted["eip"], "tcp", 443)
    assert into_nat.blocked_by.component == "NAT gateway"
    assert into_nat.blocked_by.resource == natted["nat"]
    assert "accepts no connection" in into_nat.blocked_by.rule


def test_the_nat_subnet_acl_must_admit_replies_on_the_nat_ports(cloud, ec2, natted):
    acl = nacl(ec2, natted["vpc"], natted["public"], [
        (100, True, "-1", "allow", "0.0.0.0/0", None),
        (100, False, "6", "allow", "10.0.0.0/16", (443, 443)),
        (110, False, "6", "allow", "0.0.0.0/0", (32768, 65535))])
    result = cloud.ec2.reachability(natted["app"], "internet", "tcp", 443)
    assert result.blocked_by.direction == "return" and result.blocked_by.resource == acl
    assert "1024-65535" in result.blocked_by.rule
    acl_entry(ec2, acl, 110, False, "6", "allow", "0.0.0.0/0", (1024, 65535), replace=True)
    assert cloud.ec2.reachability(natted["app"], "internet", "tcp", 443).reachable


def test_a_pending_or_deleted_nat_gateway_drops_the_packet(cloud, ec2, net):
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=net["public"], AllocationId=eip)["NatGateway"][
        "NatGatewayId"]
    rtb = table(ec2, net["vpc"], [net["private"]], [("0.0.0.0/0", {"NatGatewayId": nat})])
    app = instance(ec2, net["private"], [net["web"]])
    settle(cloud, 40)                                    # the instance runs, the NAT is pending
    pending = cloud.ec2.reachability(app, "internet", "tcp", 443)
    assert pending.blocked_by.resource == nat and pending.blocked_by.code == "BAD_STATE"
    assert pending.blocked_by.rule.startswith("is pending")
    settle(cloud)
    assert cloud.ec2.reachability(app, "internet", "tcp", 443).reachable
    ec2.delete_nat_gateway(NatGatewayId=nat)
    gone = cloud.ec2.reachability(app, "internet", "tcp", 443)
    assert gone.blocked_by.resource == rtb and gone.blocked_by.code == "BAD_STATE_ROUTE"
    assert "[blackhole]" in gone.blocked_by.rule


def test_a_reply_routed_into_a_nat_gateway_comes_back_from_the_wrong_address(cloud, ec2,
                                                                               natted):
    exposed = instance(ec2, natted["private"], [natted["web"]], public=True)
    settle(cloud)
    result = cloud.ec2.reachability("internet", exposed, "tcp", 443)
    assert all(h.allowed for h in result.hops)
    assert result.blocked_by.direction == "return"
    assert result.blocked_by.resource == natted["nat"]
    assert result.blocked_by.code == "NGW_SOURCE_ADDRESS_REASSIGN"


def test_traffic_from_a_peered_vpc_cannot_use_the_nat_gateway(cloud, ec2, natted):
    from reachability_helpers import peer
    other = web_vpc(ec2, "10.1.0.0/16")
    settle(cloud, 5)
    pcx = peer(ec2, other["vpc"], natted["vpc"], cloud)
    table(ec2, other["vpc"], [other["private"]],
          [("0.0.0.0/0", {"VpcPeeringConnectionId": pcx})])
    far = instance(ec2, other["private"], [other["web"]])
    settle(cloud)
    result = cloud.ec2.reachability(far, "internet", "tcp", 443)
    assert result.blocked_by.component == "VPC peering"
    assert result.blocked_by.code == "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"


def test_a_middlebox_must_have_source_destination_checking_off(cloud, ec2, net):
    inspect = subnet(ec2, net["vpc"], "10.0.3.0/24")
    box_group = group(ec2, net["vpc"], "box", [("-1", None, "10.0.0.0/16")])
    box = instance(ec2, inspect, [box_group])
    a = instance(ec2, net["public"], [net["web"]])
    b = instance(ec2, net["private"], [net["web"]])
    settle(cloud)
    box_eni = ec2.describe_instances(InstanceIds=[box])["Reservations"][0]["Instances"][0][
        "NetworkInterfaces"][0]["NetworkInterfaceId"]
    table(ec2, net["vpc"], [], [])
    ec2.create_route(RouteTableId=net["public_rtb"], DestinationCidrBlock="10.0.2.0/24",
                     NetworkInterfaceId=box_eni)
    refused = cloud.ec2.reachability(a, b, "tcp", 443)
    assert refused.blocked_by.resource == box_eni
    assert refused.blocked_by.code == "ENI_SOURCE_DEST_CHECK_RESTRICTION"
    cloud.ec2.network_interfaces[box_eni].source_dest_check = False   # no API for it yet
    result = cloud.ec2.reachability(a, b, "tcp", 443)
    assert result.reachable
    assert [h.resource for h in result.hops].count(box_eni) == 1
    assert any(h.rule.startswith("forwards it") for h in result.hops)


def test_an_egress_only_gateway_carries_no_ipv4(cloud, ec2, net):
    eigw = ec2.create_egress_only_internet_gateway(VpcId=net["vpc"])[
        "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    rtb = table(ec2, net["vpc"], [net["private"]],
                [])
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0",
                     EgressOnlyInternetGatewayId=eigw)
    app = instance(ec2, net["private"], [net["web"]], public=True)
    settle(cloud)
    result = cloud.ec2.reachability(app, "internet", "tcp", 443)
    assert result.blocked_by.code == "NO_ROUTE_TO_DESTINATION"
    assert f"::/0 -> {eigw} is IPv6" in result.blocked_by.rule
