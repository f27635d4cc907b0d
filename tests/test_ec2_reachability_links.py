"""cloud.ec2.reachability across VPC peering, transit gateways, Site-to-Site VPN and
Client VPN."""

from __future__ import annotations

import pytest

from reachability_helpers import (client_vpn_endpoint, ec2, group, instance,  # noqa: F401
                                  main_table, nacl, peer, settle, subnet, table, vpn_to,
                                  web_vpc)


@pytest.fixture
def three(cloud, ec2):
    """Three VPCs 10.0/16, 10.1/16, 10.2/16 (web_vpc each), an instance in each private subnet
    whose group allows tcp 443 from anywhere."""
    vpcs = [web_vpc(ec2, f"10.{i}.0.0/16") for i in range(3)]
    settle(cloud, 5)
    for v in vpcs:
        v["app"] = instance(ec2, v["private"], [v["web"]])
        v["rtb"] = table(ec2, v["vpc"], [v["private"]])
    settle(cloud)
    return vpcs


def route(ec2, rtb: str, destination: str, **target) -> None:
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock=destination, **target)


# -- VPC peering ------------------------------------------------------------------------------
def test_peering_carries_traffic_both_ways_and_never_transits(cloud, ec2, three):
    a, b, c = three
    ab = peer(ec2, a["vpc"], b["vpc"], cloud)
    bc = peer(ec2, b["vpc"], c["vpc"], cloud)
    route(ec2, a["rtb"], "10.1.0.0/16", VpcPeeringConnectionId=ab)
    route(ec2, a["rtb"], "10.2.0.0/16", VpcPeeringConnectionId=ab)
    route(ec2, b["rtb"], "10.0.0.0/16", VpcPeeringConnectionId=ab)
    route(ec2, b["rtb"], "10.2.0.0/16", VpcPeeringConnectionId=bc)
    route(ec2, c["rtb"], "10.1.0.0/16", VpcPeeringConnectionId=bc)
    route(ec2, c["rtb"], "10.0.0.0/16", VpcPeeringConnectionId=bc)
    ok = cloud.ec2.reachability(a["app"], b["app"], "tcp", 443)
    assert ok.reachable
    assert [h.resource for h in ok.hops].count(ab) == 1
    assert any(h.resource == ab for h in ok.return_path)
    assert cloud.ec2.reachability(b["app"], c["app"], "tcp", 443).reachable
    refused = cloud.ec2.reachability(a["app"], c["app"], "tcp", 443)
    assert refused.blocked_by.resource == ab
    assert refused.blocked_by.code == "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"
    assert "not transitive" in refused.blocked_by.rule
    assert f"{ab} then {bc}" in refused.blocked_by.rule


def test_the_peer_needs_a_route_back(cloud, ec2, three):
    a, b, _ = three
    ab = peer(ec2, a["vpc"], b["vpc"], cloud)
    route(ec2, a["rtb"], "10.1.0.0/16", VpcPeeringConnectionId=ab)
    result = cloud.ec2.reachability(a["app"], b["app"], "tcp", 443)
    assert all(h.allowed for h in result.hops)
    assert result.blocked_by.direction == "return"
    assert result.blocked_by.resource == b["rtb"]
    assert result.blocked_by.rule == f"has no route back for {result.source.address}"


def test_a_peering_that_is_not_active_carries_nothing(cloud, ec2, three):
    a, b, _ = three
    pcx = ec2.create_vpc_peering_connection(VpcId=a["vpc"], PeerVpcId=b["vpc"])[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    settle(cloud, 5)                                     # pending-acceptance
    route(ec2, a["rtb"], "10.1.0.0/16", VpcPeeringConnectionId=pcx)
    result = cloud.ec2.reachability(a["app"], b["app"], "tcp", 443)
    assert result.blocked_by.code in ("BAD_STATE", "BAD_STATE_ROUTE")
    assert pcx in str(result.blocked_by)


def test_a_peered_vpc_cannot_use_the_internet_gateway(cloud, ec2, three):
    a, b, _ = three
    ab = peer(ec2, a["vpc"], b["vpc"], cloud)
    route(ec2, b["rtb"], "0.0.0.0/0", VpcPeeringConnectionId=ab)
    result = cloud.ec2.reachability(b["app"], "internet", "tcp", 443)
    assert result.blocked_by.resource == ab
    assert result.blocked_by.code == "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"


# -- Transit Gateway ---------------------------------------------------------------------------
def tgw_for(cloud, ec2, vpcs, subnets=None) -> tuple[str, dict]:
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    settle(cloud)
    atts = {}
    for v in vpcs:
        atts[v["vpc"]] = ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw, VpcId=v["vpc"],
            SubnetIds=(subnets or {}).get(v["vpc"], [v["private"]]))[
            "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    settle(cloud)
    for v in vpcs:
        route(ec2, v["rtb"], "10.0.0.0/8", TransitGatewayId=tgw)
    return tgw, atts


def test_a_transit_gateway_makes_a_to_c_reachable_where_peering_does_not(cloud, ec2, three):
    a, b, c = three
    tgw, atts = tgw_for(cloud, ec2, [a, b, c])
    result = cloud.ec2.reachability(a["app"], c["app"], "tcp", 443)
    assert result.reachable
    resources = [h.resource for h in result.hops]
    assert atts[a["vpc"]] in resources and atts[c["vpc"]] in resources
    tgw_rt = next(h for h in result.hops if h.resource.startswith("tgw-rtb-"))
    assert tgw_rt.rule == f"route 10.2.0.0/16 -> {atts[c['vpc']]} (propagated from the vpc " \
        "attachment)"
    assert any(h.resource == atts[a["vpc"]] for h in result.return_path)


def test_a_transit_gateway_is_reached_only_from_an_az_it_has_a_subnet_in(cloud, ec2, three):
    a, _, c = three
    other_az = subnet(ec2, a["vpc"], "10.0.3.0/24", "us-east-1b")
    ec2.associate_route_table(RouteTableId=a["rtb"], SubnetId=other_az)
    far = instance(ec2, other_az, [a["web"]])
    tgw, atts = tgw_for(cloud, ec2, [a, c])
    result = cloud.ec2.reachability(far, c["app"], "tcp", 443)
    assert result.blocked_by.code == "TGW_ROUTE_AZ_RESTRICTION"
    assert result.blocked_by.resource == atts[a["vpc"]]
    assert "us-east-1b" in result.blocked_by.rule


def test_a_blackhole_route_in_the_transit_gateway_drops_it(cloud, ec2, three):
    a, _, c = three
    tgw, _ = tgw_for(cloud, ec2, [a, c])
    [desc] = ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"]
    tgw_rt = desc["Options"]["AssociationDefaultRouteTableId"]
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=tgw_rt,
                                     DestinationCidrBlock="10.2.2.0/24", Blackhole=True)
    result = cloud.ec2.reachability(a["app"], c["app"], "tcp", 443)
    assert result.blocked_by.resource == tgw_rt
    assert result.blocked_by.code == "TGW_RTB_BAD_STATE_ROUTE"
    assert "blackhole" in result.blocked_by.rule


def test_the_acl_of_the_transit_gateway_subnet_applies(cloud, ec2, three):
    a, _, c = three
    attach = subnet(ec2, a["vpc"], "10.0.9.0/28")
    tgw, _ = tgw_for(cloud, ec2, [a, c], {a["vpc"]: [attach]})
    assert cloud.ec2.reachability(a["app"], c["app"], "tcp", 443).reachable
    acl = nacl(ec2, a["vpc"], attach, [])
    result = cloud.ec2.reachability(a["app"], c["app"], "tcp", 443)
    assert result.blocked_by.resource == acl and result.blocked_by.direction == "forward"
    assert result.blocked_by.rule == "inbound rule * deny all traffic from 0.0.0.0/0"
    assert result.hops[-1] is result.blocked_by              # entering the TGW's subnet,
    assert result.hops[-2].resource == a["rtb"]              # right after the route to it


def test_centralised_egress_through_a_transit_gateway_and_a_nat_gateway(cloud, ec2, three):
    spoke, egress, _ = three
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=egress["public"], AllocationId=eip)["NatGateway"][
        "NatGatewayId"]
    tgw, atts = tgw_for(cloud, ec2, [spoke, egress])
    route(ec2, spoke["rtb"], "0.0.0.0/0", TransitGatewayId=tgw)
    route(ec2, egress["rtb"], "0.0.0.0/0", NatGatewayId=nat)          # the TGW subnet's table
    route(ec2, egress["public_rtb"], "10.0.0.0/16", TransitGatewayId=tgw)
    [desc] = ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"]
    ec2.create_transit_gateway_route(
        TransitGatewayRouteTableId=desc["Options"]["AssociationDefaultRouteTableId"],
        DestinationCidrBlock="0.0.0.0/0", TransitGatewayAttachmentId=atts[egress["vpc"]])
    result = cloud.ec2.reachability(spoke["app"], "internet", "tcp", 443)
    assert result.reachable, result.describe()
    names = [h.component for h in result.hops]
    assert names.index("Transit gateway") < names.index("NAT gateway") < \
        names.index("Internet gateway")


# -- Site-to-Site VPN --------------------------------------------------------------------------
def test_on_premises_through_a_virtual_private_gateway(cloud, ec2, three):
    a = three[0]
    allowed = group(ec2, a["vpc"], "from-office", [("tcp", 22, "192.168.0.0/16")])
    server = instance(ec2, a["private"], [allowed])
    site = vpn_to(cloud, ec2, a)
    settle(cloud)
    out = cloud.ec2.reachability(a["app"], f"onprem:{site['cgw']}", "tcp", 443)
    assert out.reachable
    assert [h.component for h in out.hops][-3:] == ["VPC router", "Site-to-Site VPN",
                                                     "On-premises network"]
    assert out.hops[-1].resource == site["cgw"]
    assert out.return_path[0].component == "On-premises network"
    into = cloud.ec2.reachability(f"onprem:{site['cgw']}", server, "tcp", 22)
    assert into.reachable
    assert into.hops[0].component == "On-premises network"
    assert cloud.ec2.reachability("192.168.7.9", server, "tcp", 22).reachable
    refused = cloud.ec2.reachability(f"onprem:{site['cgw']}", server, "tcp", 443)
    assert refused.blocked_by.resource == allowed


def test_propagated_routes_and_tunnels_that_are_down(cloud, ec2, three):
    a = three[0]
    site = vpn_to(cloud, ec2, a, propagate=True)
    result = cloud.ec2.reachability(a["app"], f"onprem:{site['cgw']}", "tcp", 443)
    assert result.reachable
    propagated = next(h for h in result.hops if h.resource == a["rtb"])
    assert propagated.rule == f"route 192.168.0.0/16 -> {site['vgw']} (propagated)"
    cloud.ec2.set_tunnel_status(site["vpn"], 0, False)
    assert cloud.ec2.reachability(a["app"], f"onprem:{site['cgw']}", "tcp", 443).reachable
    cloud.ec2.set_tunnel_status(site["vpn"], 1, False)
    down = cloud.ec2.reachability(a["app"], f"onprem:{site['cgw']}", "tcp", 443)
    assert down.blocked_by.resource == a["rtb"]         # the propagated route is withdrawn
    assert down.blocked_by.code == "NO_ROUTE_TO_DESTINATION"


def test_a_static_route_to_a_vpn_whose_tunnels_are_down(cloud, ec2, three):
    a = three[0]
    site = vpn_to(cloud, ec2, a)
    for tunnel in (0, 1):
        cloud.ec2.set_tunnel_status(site["vpn"], tunnel, False)
    down = cloud.ec2.reachability(a["app"], f"onprem:{site['cgw']}", "tcp", 443)
    assert down.blocked_by.resource == site["vpn"]
    assert down.blocked_by.code == "BAD_STATE_VPN"
    assert down.blocked_by.rule == "is available, tunnels DOWN, DOWN: no tunnel is UP"


def test_on_premises_cannot_go_through_the_vpc_to_elsewhere(cloud, ec2, three):
    a, b, _ = three
    site = vpn_to(cloud, ec2, a)
    ab = peer(ec2, a["vpc"], b["vpc"], cloud)
    route(ec2, a["rtb"], "10.1.0.0/16", VpcPeeringConnectionId=ab)
    result = cloud.ec2.reachability(f"onprem:{site['cgw']}", b["app"], "tcp", 443)
    assert not result.reachable
    assert result.blocked_by.code == "NO_ROUTE_TO_DESTINATION"


# -- Client VPN --------------------------------------------------------------------------------
def client_vpn(cloud, ec2, v, authorize: str | None = "10.0.0.0/16") -> str:
    cvpn = client_vpn_endpoint(ec2)
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=cvpn, SubnetId=v["public"])
    settle(cloud, 200)
    if authorize:
        ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=cvpn, TargetNetworkCidr=authorize,
                                         AuthorizeAllGroups=True)
    return cvpn


def test_a_client_vpn_user_reaches_what_rules_authorize(cloud, ec2, three):
    a = three[0]
    cvpn = client_vpn(cloud, ec2, a)
    result = cloud.ec2.reachability(f"clientvpn:{cvpn}", a["app"], "tcp", 443)
    assert result.reachable, result.describe()
    assert result.hops[0].component == "Client VPN user"
    assert "authorization rule 10.0.0.0/16 allows every user" in result.hops[1].rule
    assert result.return_path[-1].component == "Client VPN user"
    internet = cloud.ec2.reachability(f"clientvpn:{cvpn}", "internet", "tcp", 443)
    assert not internet.reachable and internet.blocked_by.component == "Client VPN endpoint"


def test_a_client_vpn_user_without_authorization_reaches_nothing(cloud, ec2, three):
    a = three[0]
    cvpn = client_vpn(cloud, ec2, a, authorize=None)
    result = cloud.ec2.reachability(f"clientvpn:{cvpn}", a["app"], "tcp", 443)
    assert result.blocked_by.component == "Client VPN endpoint"
    assert result.blocked_by.rule.startswith("no authorization rule")
    assert result.blocked_by.code is None        # Reachability Analyzer has no code for it


def test_the_main_table_serves_subnets_without_their_own(cloud, ec2, three):
    a, b, _ = three
    ab = peer(ec2, a["vpc"], b["vpc"], cloud)
    route(ec2, main_table(ec2, a["vpc"]), "10.1.0.0/16", VpcPeeringConnectionId=ab)
    route(ec2, b["rtb"], "10.0.0.0/16", VpcPeeringConnectionId=ab)
    lone = subnet(ec2, a["vpc"], "10.0.5.0/24")
    source = instance(ec2, lone, [a["web"]])
    settle(cloud)
    assert cloud.ec2.reachability(source, b["app"], "tcp", 443).reachable
