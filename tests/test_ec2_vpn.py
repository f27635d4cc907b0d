"""Site-to-Site VPN through boto3: virtual private gateways, customer gateways, VPN connections
(static and BGP, to a VGW or a TGW), tunnels, route propagation into VPC route tables, the
graph and save/load."""

import ipaddress

import pytest
from ec2_helpers import code, error, make_subnet, make_vpc, routes

import awskit
from awskit.ec2 import model as m
from awskit.ec2 import model_links as ml


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


def vgw_in(cloud, ec2, vpc: str, **params) -> str:
    vgw = ec2.create_vpn_gateway(Type="ipsec.1", **params)["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    cloud.advance(ml.VGW_ATTACHING)
    return vgw


def cgw(ec2, ip: str = "198.51.100.7", asn: int = 65001) -> str:
    return ec2.create_customer_gateway(Type="ipsec.1", IpAddress=ip, BgpAsn=asn)[
        "CustomerGateway"]["CustomerGatewayId"]


def vpn(ec2, customer: str, **params) -> dict:
    return ec2.create_vpn_connection(CustomerGatewayId=customer, Type="ipsec.1", **params)[
        "VpnConnection"]


def main_table(ec2, vpc: str) -> str:
    return ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {
        "Name": "association.main", "Values": ["true"]}])["RouteTables"][0]["RouteTableId"]


# -- virtual private gateways -------------------------------------------------------------------
def test_vpn_gateway_attach_detach_delete(cloud, ec2):
    vpc = make_vpc(ec2)
    out = ec2.create_vpn_gateway(Type="ipsec.1", AmazonSideAsn=65010, TagSpecifications=[
        {"ResourceType": "vpn-gateway", "Tags": [{"Key": "Name", "Value": "vgw"}]}])["VpnGateway"]
    vgw = out["VpnGatewayId"]
    assert vgw.startswith("vgw-") and out["AmazonSideAsn"] == 65010
    assert out["State"] == "available" and out["VpcAttachments"] == []
    assert ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)["VpcAttachment"] == \
        {"VpcId": vpc, "State": "attaching"}
    cloud.advance(ml.VGW_ATTACHING)
    [listed] = ec2.describe_vpn_gateways(Filters=[
        {"Name": "attachment.vpc-id", "Values": [vpc]}])["VpnGateways"]
    assert listed["VpcAttachments"] == [{"VpcId": vpc, "State": "attached"}]
    assert listed["Tags"] == [{"Key": "Name", "Value": "vgw"}]
    assert code(ec2.attach_vpn_gateway, VpcId=vpc, VpnGatewayId=vgw) == \
        "Resource.AlreadyAssociated"
    second = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    assert code(ec2.attach_vpn_gateway, VpcId=vpc, VpnGatewayId=second) == "InvalidVpcState"
    other = make_vpc(ec2, "10.1.0.0/16")
    assert code(ec2.attach_vpn_gateway, VpcId=other, VpnGatewayId=vgw) == \
        "VpnGatewayAttachmentLimitExceeded"
    assert code(ec2.delete_vpc, VpcId=vpc) == "DependencyViolation"
    assert code(ec2.delete_vpn_gateway, VpnGatewayId=vgw) == "IncorrectState"
    assert code(ec2.detach_vpn_gateway, VpcId=other, VpnGatewayId=vgw) == \
        "InvalidVpnGatewayAttachment.NotFound"
    ec2.detach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    assert ec2.describe_vpn_gateways(VpnGatewayIds=[vgw])["VpnGateways"][0][
        "VpcAttachments"][0]["State"] == "detaching"
    cloud.advance(ml.VGW_ATTACHING)
    ec2.delete_vpc(VpcId=vpc)
    ec2.delete_vpn_gateway(VpnGatewayId=vgw)
    assert ec2.describe_vpn_gateways(VpnGatewayIds=[vgw])["VpnGateways"][0]["State"] == \
        "deleted"
    assert code(ec2.delete_vpn_gateway, VpnGatewayId=vgw) == "InvalidVpnGatewayID.NotFound"
    cloud.advance(hours=1)
    assert code(ec2.describe_vpn_gateways, VpnGatewayIds=[vgw]) == \
        "InvalidVpnGatewayID.NotFound"


def test_vpn_gateway_input_and_quota(ec2):
    assert ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["AmazonSideAsn"] == 64512
    assert code(ec2.create_vpn_gateway, Type="ipsec.2") == "InvalidParameterValue"
    assert code(ec2.create_vpn_gateway, Type="ipsec.1", AmazonSideAsn=100) == \
        "InvalidParameterValue"
    for _ in range(4):
        ec2.create_vpn_gateway(Type="ipsec.1")
    assert code(ec2.create_vpn_gateway, Type="ipsec.1") == "VpnGatewayLimitExceeded"


# -- customer gateways --------------------------------------------------------------------------
def test_customer_gateways(cloud, ec2, monkeypatch):
    out = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.7", BgpAsn=65001,
                                      DeviceName="office")["CustomerGateway"]
    assert out["CustomerGatewayId"].startswith("cgw-") and out["BgpAsn"] == "65001"
    assert out["IpAddress"] == "198.51.100.7" and out["DeviceName"] == "office"
    assert cgw(ec2) == out["CustomerGatewayId"]                # the same device: the same one
    assert ec2.create_customer_gateway(Type="ipsec.1", PublicIp="203.0.113.9")[
        "CustomerGateway"]["BgpAsn"] == "65000"
    assert code(ec2.create_customer_gateway, Type="ipsec.1", IpAddress="not-an-ip") == \
        "InvalidParameterValue"
    assert code(ec2.create_customer_gateway, Type="ipsec.1") == "MissingParameter"
    assert code(ec2.create_customer_gateway, Type="ipsec.1", IpAddress="203.0.113.1",
                BgpAsn=0) == "InvalidParameterValue"
    assert code(ec2.create_customer_gateway, Type="ipsec.1", IpAddress="203.0.113.1",
                CertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/x") == \
        "NotImplemented"
    assert [c["CustomerGatewayId"] for c in ec2.describe_customer_gateways(Filters=[
        {"Name": "ip-address", "Values": ["198.51.100.7"]}])["CustomerGateways"]] == \
        [out["CustomerGatewayId"]]
    monkeypatch.setattr(ml, "CGWS_PER_REGION", 2)
    assert code(ec2.create_customer_gateway, Type="ipsec.1", IpAddress="203.0.113.2") == \
        "CustomerGatewayLimitExceeded"
    ec2.delete_customer_gateway(CustomerGatewayId=out["CustomerGatewayId"])
    assert ec2.describe_customer_gateways(CustomerGatewayIds=[out["CustomerGatewayId"]])[
        "CustomerGateways"][0]["State"] == "deleted"
    assert code(ec2.delete_customer_gateway, CustomerGatewayId="cgw-0123456789abcdef0") == \
        "InvalidCustomerGatewayID.NotFound"


# -- VPN connections ----------------------------------------------------------------------------
def test_static_vpn_and_route_propagation(cloud, ec2):
    vpc = make_vpc(ec2)
    vgw = vgw_in(cloud, ec2, vpc)
    customer = cgw(ec2)
    out = vpn(ec2, customer, VpnGatewayId=vgw, Options={"StaticRoutesOnly": True},
              TagSpecifications=[{"ResourceType": "vpn-connection",
                                  "Tags": [{"Key": "Name", "Value": "office"}]}])
    vpn_id = out["VpnConnectionId"]
    assert vpn_id.startswith("vpn-") and out["State"] == "pending"
    assert out["Options"]["StaticRoutesOnly"] is True and out["Category"] == "VPN"
    tunnels = out["Options"]["TunnelOptions"]
    outside = [t["OutsideIpAddress"] for t in tunnels]
    assert len(set(outside)) == 2
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("3.0.0.0/8") for ip in outside)
    for tunnel in tunnels:
        inside = ipaddress.ip_network(tunnel["TunnelInsideCidr"])
        assert inside.prefixlen == 30 and inside.subnet_of(ipaddress.ip_network(
            "169.254.0.0/16"))
    assert [t["Status"] for t in out["VgwTelemetry"]] == ["DOWN", "DOWN"]
    assert all(ip in out["CustomerGatewayConfiguration"] for ip in outside)
    ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.0.0/16")
    assert code(ec2.create_vpn_connection_route, VpnConnectionId=vpn_id,
                DestinationCidrBlock="192.168.0.0/16") == "RouteAlreadyExists"
    table = main_table(ec2, vpc)
    ec2.enable_vgw_route_propagation(GatewayId=vgw, RouteTableId=table)
    assert "192.168.0.0/16" not in routes(ec2, table)              # the VPN is not up yet
    cloud.advance(ml.VPN_PENDING)
    [now] = ec2.describe_vpn_connections(VpnConnectionIds=[vpn_id])["VpnConnections"]
    assert now["State"] == "available" and [t["Status"] for t in now["VgwTelemetry"]] == \
        ["UP", "UP"]
    assert now["Routes"] == [{"DestinationCidrBlock": "192.168.0.0/16", "Source": "Static",
                              "State": "available"}]
    learned = routes(ec2, table)["192.168.0.0/16"]
    assert learned == {"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": vgw,
                       "Origin": "EnableVgwRoutePropagation", "State": "active"}
    [rt] = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"]
    assert rt["PropagatingVgws"] == [{"GatewayId": vgw}]
    # a static route to the same CIDR lives beside it and wins
    subnet = make_subnet(ec2, vpc)
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="192.168.0.0/16",
                     NetworkInterfaceId=eni)
    cloud.ec2.sync()
    picked = m.route_for(cloud.ec2.route_tables[table], "192.168.1.1")
    assert picked.target_id == eni
    ec2.delete_route(RouteTableId=table, DestinationCidrBlock="192.168.0.0/16")
    assert routes(ec2, table)["192.168.0.0/16"]["Origin"] == "EnableVgwRoutePropagation"
    ec2.delete_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.0.0/16")
    assert "192.168.0.0/16" not in routes(ec2, table)
    assert code(ec2.delete_vpn_connection_route, VpnConnectionId=vpn_id,
                DestinationCidrBlock="192.168.0.0/16") == "InvalidRoute.NotFound"
    ec2.disable_vgw_route_propagation(GatewayId=vgw, RouteTableId=table)
    assert ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0][
        "PropagatingVgws"] == []


def test_bgp_vpn_learns_what_the_device_announces(cloud, ec2):
    vpc = make_vpc(ec2)
    vgw = vgw_in(cloud, ec2, vpc)
    customer = cgw(ec2)
    vpn_id = vpn(ec2, customer, VpnGatewayId=vgw)["VpnConnectionId"]
    table = main_table(ec2, vpc)
    ec2.enable_vgw_route_propagation(GatewayId=vgw, RouteTableId=table)
    cloud.advance(ml.VPN_PENDING)
    cloud.ec2.advertise_on_premises(customer, ["172.16.0.0/12", "192.168.10.0/24"])
    assert {d for d, r in routes(ec2, table).items()
            if r.get("Origin") == "EnableVgwRoutePropagation"} == \
        {"172.16.0.0/12", "192.168.10.0/24"}
    telemetry = ec2.describe_vpn_connections()["VpnConnections"][0]["VgwTelemetry"]
    assert [t["AcceptedRouteCount"] for t in telemetry] == [2, 2]
    assert code(ec2.create_vpn_connection_route, VpnConnectionId=vpn_id,
                DestinationCidrBlock="10.9.0.0/16") == "InvalidVpnConnection.InvalidType"
    cloud.ec2.set_tunnel_status(vpn_id, 0, False)
    assert "172.16.0.0/12" in routes(ec2, table)                       # one tunnel is enough
    cloud.ec2.set_tunnel_status(vpn_id, 1, False)
    assert "172.16.0.0/12" not in routes(ec2, table)
    assert cloud.ec2.on_premises_cidrs(cloud.ec2.vpn_connections[vpn_id]) == \
        ["172.16.0.0/12", "192.168.10.0/24"]
    # detaching the VGW withdraws what it propagated and blackholes static routes to it
    cloud.ec2.set_tunnel_status(vpn_id, 1, True)
    other = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=other, DestinationCidrBlock="10.50.0.0/16", GatewayId=vgw)
    assert routes(ec2, other)["10.50.0.0/16"]["State"] == "active"
    ec2.detach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    assert routes(ec2, other)["10.50.0.0/16"]["State"] == "blackhole"
    assert "172.16.0.0/12" not in routes(ec2, table)


def test_vpn_connection_rules(cloud, ec2, monkeypatch):
    vpc = make_vpc(ec2)
    vgw = vgw_in(cloud, ec2, vpc)
    customer = cgw(ec2, asn=64512)
    assert code(ec2.create_vpn_connection, CustomerGatewayId=customer, Type="ipsec.1",
                VpnGatewayId=vgw) == "AsnConflict"
    first = vpn(ec2, customer, VpnGatewayId=vgw, Options={"StaticRoutesOnly": True})
    assert code(ec2.create_vpn_connection, CustomerGatewayId=customer, Type="ipsec.1",
                VpnGatewayId=vgw, Options={"StaticRoutesOnly": True}) == \
        "InvalidOption.Conflict"
    assert code(ec2.create_vpn_connection, CustomerGatewayId=customer, Type="ipsec.1") == \
        "MissingParameter"
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    assert code(ec2.create_vpn_connection, CustomerGatewayId=customer, Type="ipsec.1",
                VpnGatewayId=vgw, TransitGatewayId=tgw) == "InvalidParameterCombination"
    assert code(ec2.create_vpn_connection, CustomerGatewayId="cgw-0123456789abcdef0",
                Type="ipsec.1", VpnGatewayId=vgw) == "InvalidCustomerGatewayID.NotFound"
    assert code(ec2.create_vpn_connection, CustomerGatewayId=customer, Type="ipsec.1",
                VpnGatewayId="vgw-0123456789abcdef0") == "InvalidVpnGatewayID.NotFound"
    assert code(ec2.create_vpn_connection, CustomerGatewayId=customer, Type="ipsec.1",
                TransitGatewayId=tgw) == "IncorrectState"                  # TGW pending
    assert code(ec2.create_customer_gateway, Type="ipsec.1", IpAddress="x") == \
        "InvalidParameterValue"
    assert code(ec2.delete_customer_gateway, CustomerGatewayId=customer) == "IncorrectState"
    assert code(ec2.delete_vpn_gateway, VpnGatewayId=vgw) == "IncorrectState"
    # tunnel inside CIDRs
    used = first["Options"]["TunnelOptions"][0]["TunnelInsideCidr"]
    other = cgw(ec2, "203.0.113.50", 65002)
    options = lambda *cidrs: {"TunnelOptions": [{"TunnelInsideCidr": c} for c in cidrs]}  # noqa
    assert code(ec2.create_vpn_connection, CustomerGatewayId=other, Type="ipsec.1",
                VpnGatewayId=vgw, Options=options(used)) == "InvalidCidr.InUse"
    assert code(ec2.create_vpn_connection, CustomerGatewayId=other, Type="ipsec.1",
                VpnGatewayId=vgw, Options=options("169.254.10.0/30", "169.254.10.0/30")) == \
        "InvalidCidr.InUse"
    for bad in ("169.254.1.0/30", "169.254.10.0/29", "10.0.0.0/30", "nope"):
        assert code(ec2.create_vpn_connection, CustomerGatewayId=other, Type="ipsec.1",
                    VpnGatewayId=vgw, Options=options(bad)) == "InvalidParameterValue"
    chosen = vpn(ec2, other, VpnGatewayId=vgw, Options=options("169.254.10.0/30"))
    assert chosen["Options"]["TunnelOptions"][0]["TunnelInsideCidr"] == "169.254.10.0/30"
    monkeypatch.setattr(ml, "VPNS_PER_VGW", 2)
    third = cgw(ec2, "203.0.113.51", 65003)
    assert code(ec2.create_vpn_connection, CustomerGatewayId=third, Type="ipsec.1",
                VpnGatewayId=vgw) == "VpnConnectionLimitExceeded"
    # deleting
    ec2.delete_vpn_connection(VpnConnectionId=first["VpnConnectionId"])
    assert code(ec2.delete_vpn_connection, VpnConnectionId=first["VpnConnectionId"]) == \
        "InvalidVpnConnection.InvalidState"
    cloud.advance(60)
    [gone] = ec2.describe_vpn_connections(VpnConnectionIds=[first["VpnConnectionId"]])[
        "VpnConnections"]
    assert gone["State"] == "deleted" and "CustomerGatewayConfiguration" not in gone
    assert code(ec2.delete_vpn_connection, VpnConnectionId="vpn-0123456789abcdef0") == \
        "InvalidVpnConnectionID.NotFound"


def test_vpn_to_a_transit_gateway(cloud, ec2):
    tgw = ec2.create_transit_gateway()["TransitGateway"]
    cloud.advance(ml.TGW_PENDING)
    table = tgw["Options"]["AssociationDefaultRouteTableId"]
    customer = cgw(ec2)
    out = vpn(ec2, customer, TransitGatewayId=tgw["TransitGatewayId"])
    assert out["TransitGatewayId"] == tgw["TransitGatewayId"] and "VpnGatewayId" not in out
    [att] = ec2.describe_transit_gateway_attachments(Filters=[
        {"Name": "resource-type", "Values": ["vpn"]}])["TransitGatewayAttachments"]
    assert att["ResourceId"] == out["VpnConnectionId"] and att["State"] == "pending"
    assert code(ec2.create_vpn_connection_route, VpnConnectionId=out["VpnConnectionId"],
                DestinationCidrBlock="10.9.0.0/16") == "InvalidVpnConnection.InvalidType"
    cloud.ec2.advertise_on_premises(customer, ["192.168.0.0/16"])
    cloud.advance(ml.VPN_PENDING)
    [route] = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "attachment.resource-type", "Values": ["vpn"]}])["Routes"]
    assert route["DestinationCidrBlock"] == "192.168.0.0/16" and route["Type"] == "propagated"
    ec2.delete_vpn_connection(VpnConnectionId=out["VpnConnectionId"])
    cloud.advance(60)
    assert ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[
        att["TransitGatewayAttachmentId"]])["TransitGatewayAttachments"][0]["State"] == \
        "deleted"
    assert ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "type", "Values": ["propagated"]}])["Routes"] == []


def test_propagation_needs_an_attached_gateway(cloud, ec2):
    vpc = make_vpc(ec2)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    table = main_table(ec2, vpc)
    assert code(ec2.enable_vgw_route_propagation, GatewayId=vgw, RouteTableId=table) == \
        "Gateway.NotAttached"
    assert code(ec2.disable_vgw_route_propagation, GatewayId=vgw, RouteTableId=table) == \
        "Gateway.NotAttached"
    assert code(ec2.create_route, RouteTableId=table, DestinationCidrBlock="10.50.0.0/16",
                GatewayId=vgw) == "InvalidParameterValue"
    assert code(ec2.enable_vgw_route_propagation, GatewayId="vgw-0123456789abcdef0",
                RouteTableId=table) == "InvalidVpnGatewayID.NotFound"


def test_graph_and_save_load_with_a_pending_vpn(cloud, ec2, tmp_path):
    vpc = make_vpc(ec2)
    vgw = vgw_in(cloud, ec2, vpc)
    customer = cgw(ec2)
    vpn_id = vpn(ec2, customer, VpnGatewayId=vgw, Options={"StaticRoutesOnly": True})[
        "VpnConnectionId"]
    ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock="192.168.0.0/16")
    table = main_table(ec2, vpc)
    ec2.enable_vgw_route_propagation(GatewayId=vgw, RouteTableId=table)
    graph = cloud.graph()
    store = cloud.ec2
    edge = graph.edges[store.vpn_gateways[vgw].arn, store.customer_gateways[customer].arn]
    assert edge["relation"] == "vpn" and edge["id"] == vpn_id
    assert graph.nodes[store.vpn_connections[vpn_id].arn]["on_premises"] == ["192.168.0.0/16"]
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "c.json"))
    for c in (cloud, loaded):
        c.advance(ml.VPN_PENDING)
    assert routes(loaded.client("ec2"), table) == routes(ec2, table)
    assert routes(ec2, table)["192.168.0.0/16"]["State"] == "active"
    assert loaded.client("ec2").describe_vpn_connections()["VpnConnections"] == \
        ec2.describe_vpn_connections()["VpnConnections"]


def test_hourly_charges_are_metered_on_the_clock(cloud, ec2):
    """A VPN connection to a TGW: the connection and its attachment bill while available."""
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    cloud.advance(ml.TGW_PENDING)
    vpn_id = vpn(ec2, cgw(ec2), TransitGatewayId=tgw)["VpnConnectionId"]
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.sqs",
                            VpcEndpointType="Interface", SubnetIds=[subnet],
                            PrivateDnsEnabled=False)
    before = {line["usage_type"]: line for line in cloud.meter.lines()
              if line["service"] == "ec2"}
    assert "VPN-ConnectionHours" not in before                 # pending: not billed yet
    cloud.advance(ml.VPN_PENDING + 10 * 3600)
    lines = {line["usage_type"]: line for line in cloud.meter.lines()
             if line["service"] == "ec2"}
    assert lines["VPN-ConnectionHours"]["quantity"] == pytest.approx(10, abs=0.01)
    assert lines["VPN-ConnectionHours"]["cost_usd"] == pytest.approx(0.5, abs=0.001)
    assert lines["TransitGateway-AttachmentHours"]["cost_usd"] == pytest.approx(0.5, abs=0.001)
    assert lines["VpcEndpoint-AZHours"]["quantity"] == pytest.approx(10 + ml.VPN_PENDING / 3600,
                                                                     abs=0.01)
    ec2.delete_vpn_connection(VpnConnectionId=vpn_id)
    cloud.advance(hours=5)
    after = {line["usage_type"]: line for line in cloud.meter.lines()
             if line["service"] == "ec2"}
    assert after["VPN-ConnectionHours"]["quantity"] == pytest.approx(10, abs=0.01)
    assert after["VpcEndpoint-AZHours"]["quantity"] == pytest.approx(
        15 + ml.VPN_PENDING / 3600, abs=0.01)
