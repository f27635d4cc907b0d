"""More reasons a flow stops, each named with its resource, rule and explanation code: routing
loops, overlapping networks, gateways missing or used from elsewhere, transit gateway
associations and VPNs, Client VPN endpoints, PrivateLink targets."""

from __future__ import annotations

import pytest

from awskit.ec2.reachability_flow import Walk
from awskit.ec2.reachability_hops import Packet
from awskit.ec2.reachability_net import Net
from reachability_helpers import (client_vpn_endpoint, ec2, group, instance, net,  # noqa: F401
                                  peer, settle, subnet, table, vpc, vpn_to, web_vpc)


def test_a_route_back_into_the_nat_gateway_is_a_loop(cloud, ec2, net):
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=net["public"], AllocationId=eip)["NatGateway"][
        "NatGatewayId"]
    table(ec2, net["vpc"], [net["private"]], [("0.0.0.0/0", {"NatGatewayId": nat})])
    ec2.replace_route(RouteTableId=net["public_rtb"], DestinationCidrBlock="0.0.0.0/0",
                      NatGatewayId=nat)
    app = instance(ec2, net["private"], [net["web"]])
    settle(cloud)
    result = cloud.ec2.reachability(app, "internet", "tcp", 443)
    assert result.blocked_by.code == "NO_ROUTE_TO_DESTINATION"
    assert "routing loop" in result.blocked_by.rule
    assert result.blocked_by.resource == net["public"]


def test_an_overlapping_network_delivers_to_the_wrong_interface(cloud, ec2, net):
    twin = web_vpc(ec2, "10.0.0.0/16")                       # the same CIDR, not connected
    settle(cloud, 5)
    a = instance(ec2, net["public"], [net["web"]])
    b = instance(ec2, twin["public"], [twin["web"]])
    settle(cloud)
    result = cloud.ec2.reachability(a, b, "tcp", 443)
    assert result.blocked_by.code == "NO_POSSIBLE_DESTINATION"
    [a_eni] = [e for e, v in cloud.ec2.network_interfaces.items()
               if (v.attachment or {}).get("instance_id") == a]
    assert result.blocked_by.resource == a_eni              # 10.0.1.4 is itself, here
    assert "it is not" in result.blocked_by.rule


def test_a_public_address_in_a_vpc_without_an_internet_gateway(cloud, ec2):
    lonely = vpc(ec2, "10.5.0.0/16")
    s = subnet(ec2, lonely, "10.5.1.0/24")
    settle(cloud, 5)
    open_ = group(ec2, lonely, "open", [("tcp", 443, "0.0.0.0/0")])
    target = instance(ec2, s, [open_], public=True)
    settle(cloud)
    result = cloud.ec2.reachability("internet", target, "tcp", 443)
    assert result.blocked_by.code == "NO_POSSIBLE_DESTINATION"
    assert result.blocked_by.rule.startswith("has no internet gateway attached")
    assert result.blocked_by.resource == lonely


def test_an_elastic_ip_on_an_interface_attached_to_nothing(cloud, ec2, net):
    eni = ec2.create_network_interface(SubnetId=net["public"], Groups=[net["web"]])[
        "NetworkInterface"]["NetworkInterfaceId"]
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=eni)
    result = cloud.ec2.reachability("internet", eip["PublicIp"], "tcp", 443)
    assert result.blocked_by.code == "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
    assert result.blocked_by.rule == f"{eip['PublicIp']} belongs to {eni}, which is attached " \
        "to nothing"


def test_a_nat_gateway_refuses_traffic_that_came_over_peering(cloud, ec2, net):
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=net["public"], AllocationId=eip)["NatGateway"][
        "NatGatewayId"]
    settle(cloud)
    cloud.ec2.sync()                      # what fell due on the clock (the NAT is available)
    walk = Walk(Net(cloud.ec2), Packet("tcp", "10.1.2.4", "203.0.113.10", (443, 443),
                                       (32768, 61000), via=("peering",)), "us-east-1")
    assert not walk.nat(cloud.ec2.nat_gateways[nat_id], net["private"])
    assert walk.blocked.code == "NGW_REQUIRES_SOURCE_IN_VPC"
    assert walk.blocked.rule.endswith("not traffic that came over peering")
    through_tgw = Walk(Net(cloud.ec2), Packet("tcp", "10.1.2.4", "203.0.113.10", (443, 443),
                                              (32768, 61000), via=("tgw",)), "us-east-1")
    through_tgw.nat(cloud.ec2.nat_gateways[nat_id], net["private"])
    assert through_tgw.hops[0].component == "Network ACL"   # on to the NAT gateway's subnet
    assert through_tgw.hops[1].rule.startswith("translates the source 10.1.2.4")


@pytest.fixture
def hub(cloud, ec2):
    """Two VPCs on a transit gateway: a spoke (10.1/16) and a hub (10.0/16) whose attachment
    subnet has its own route table; the TGW sends 0.0.0.0/0 and 192.168.0.0/16 to the hub."""
    h, s = web_vpc(ec2, "10.0.0.0/16"), web_vpc(ec2, "10.1.0.0/16")
    settle(cloud, 5)
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    settle(cloud)
    atts = {v["vpc"]: ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=v["vpc"], SubnetIds=[v["private"]])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"] for v in (h, s)}
    s["app"] = instance(ec2, s["private"], [s["web"]])
    settle(cloud)
    [desc] = ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"]
    tgw_rt = desc["Options"]["AssociationDefaultRouteTableId"]
    for cidr in ("0.0.0.0/0", "192.168.0.0/16"):
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=tgw_rt,
                                         DestinationCidrBlock=cidr,
                                         TransitGatewayAttachmentId=atts[h["vpc"]])
    table(ec2, s["vpc"], [s["private"]], [("0.0.0.0/0", {"TransitGatewayId": tgw})])
    h["rtb"] = table(ec2, h["vpc"], [h["private"]])
    return {"hub": h, "spoke": s, "tgw": tgw, "atts": atts, "tgw_rt": tgw_rt}


def test_a_virtual_private_gateway_refuses_traffic_from_a_transit_gateway(cloud, ec2, hub):
    h = hub["hub"]
    site = vpn_to(cloud, ec2, h)
    vgw, cgw = site["vgw"], site["cgw"]
    result = cloud.ec2.reachability(hub["spoke"]["app"], f"onprem:{cgw}", "udp", 53)
    assert result.blocked_by.resource == vgw
    assert result.blocked_by.code == "VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS"


def test_a_peering_refuses_traffic_from_elsewhere(cloud, ec2, hub):
    h = hub["hub"]
    far = web_vpc(ec2, "10.2.0.0/16")
    settle(cloud, 5)
    pcx = peer(ec2, h["vpc"], far["vpc"], cloud)
    ec2.create_route(RouteTableId=h["rtb"], DestinationCidrBlock="0.0.0.0/0",
                     VpcPeeringConnectionId=pcx)
    result = cloud.ec2.reachability(hub["spoke"]["app"], "internet", "tcp", 443)
    assert result.blocked_by.resource == pcx
    assert result.blocked_by.code == "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"
    assert f"not from {result.source.address}" in result.blocked_by.rule


def test_a_gateway_endpoint_serves_only_its_own_vpc(cloud, ec2, hub):
    h = hub["hub"]
    ec2.create_vpc_endpoint(VpcId=h["vpc"], ServiceName="com.amazonaws.us-east-1.s3",
                            RouteTableIds=[h["rtb"]])
    result = cloud.ec2.reachability(hub["spoke"]["app"], "16.182.0.1", "tcp", 443)
    assert result.blocked_by.component == "VPC endpoint"
    assert "serves only" in result.blocked_by.rule and result.blocked_by.code is None


def test_an_attachment_with_no_route_table_association(cloud, ec2, hub):
    ec2.disassociate_transit_gateway_route_table(
        TransitGatewayRouteTableId=hub["tgw_rt"],
        TransitGatewayAttachmentId=hub["atts"][hub["spoke"]["vpc"]])
    result = cloud.ec2.reachability(hub["spoke"]["app"], "internet", "tcp", 443)
    assert result.blocked_by.resource == hub["atts"][hub["spoke"]["vpc"]]
    assert result.blocked_by.code == "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION"


def test_a_vpn_on_the_transit_gateway(cloud, ec2, hub):
    cgw = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65020, IpAddress="198.51.100.20")[
        "CustomerGateway"]["CustomerGatewayId"]
    vpn = ec2.create_vpn_connection(CustomerGatewayId=cgw, Type="ipsec.1",
                                    TransitGatewayId=hub["tgw"])["VpnConnection"][
        "VpnConnectionId"]
    cloud.ec2.advertise_on_premises(cgw, ["172.16.0.0/16"])
    settle(cloud, 600)
    spoke = hub["spoke"]
    office = group(ec2, spoke["vpc"], "office", [("tcp", 22, "172.16.0.0/16")])
    server = instance(ec2, spoke["private"], [office])
    settle(cloud)
    ec2.create_route(RouteTableId=ec2.describe_route_tables(Filters=[
        {"Name": "association.subnet-id", "Values": [spoke["private"]]}])["RouteTables"][0][
        "RouteTableId"], DestinationCidrBlock="172.16.0.0/16", TransitGatewayId=hub["tgw"])
    into = cloud.ec2.reachability(f"onprem:{cgw}", server, "tcp", 22)
    assert into.reachable, into.describe()
    assert [h.component for h in into.hops][:3] == ["On-premises network", "Site-to-Site VPN",
                                                    "Transit gateway"]
    out = cloud.ec2.reachability(spoke["app"], f"onprem:{cgw}", "tcp", 443)
    assert out.reachable and out.hops[-2].resource == vpn
    for tunnel in (0, 1):
        cloud.ec2.set_tunnel_status(vpn, tunnel, False)
    down = cloud.ec2.reachability(spoke["app"], f"onprem:{cgw}", "tcp", 443)
    assert down.blocked_by.resource == vpn and down.blocked_by.code == "TGW_BAD_STATE_VPN"


def test_a_client_vpn_endpoint_without_a_target_network(cloud, ec2, net):
    cvpn = client_vpn_endpoint(ec2)
    web = instance(ec2, net["public"], [net["web"]])
    settle(cloud)
    result = cloud.ec2.reachability(f"clientvpn:{cvpn}", web, "tcp", 443)
    assert result.blocked_by.resource == cvpn and result.blocked_by.code == "BAD_STATE"
    assert result.blocked_by.rule.startswith("is pending-associate")
    assert cloud.ec2.reachability("172.20.0.9", web, "tcp", 443).hops[0].resource == \
        "172.20.0.9"


def test_a_privatelink_service_whose_targets_are_stopped(cloud, ec2, net):
    from test_ec2_reachability_endpoints import consume, provider
    side = provider(cloud, ec2, acceptance=False)
    app = instance(ec2, net["private"], [net["web"]])
    consume(cloud, ec2, net, side)
    assert cloud.ec2.reachability(app, side["service_id"], "tcp", 8443).reachable
    ec2.stop_instances(InstanceIds=[side["api"]])
    settle(cloud)
    result = cloud.ec2.reachability(app, side["service_id"], "tcp", 8443)
    assert result.blocked_by.code == "ELBV2_LISTENER_HAS_NO_TG"
    assert result.blocked_by.rule == "has no running target"

