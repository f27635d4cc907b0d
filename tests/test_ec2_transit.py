"""Transit Gateway through boto3: gateways and their default route table, VPC attachments (one
interface per AZ), TGW route tables, associations, propagation, static and blackhole routes,
SearchTransitGatewayRoutes, VPC routes to the TGW, transitive routing, the graph and save/load."""

import pytest
from ec2_helpers import code, error, make_subnet, make_vpc, routes

import awskit
from awskit.ec2 import model_links as ml


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


def make_tgw(cloud, ec2, **params) -> dict:
    tgw = ec2.create_transit_gateway(**params)["TransitGateway"]
    cloud.advance(ml.TGW_PENDING)
    return tgw


def attach(ec2, tgw_id: str, vpc: str, subnets: list[str]) -> str:
    return ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw_id, VpcId=vpc, SubnetIds=subnets)[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]


def hub(cloud, ec2, n: int = 3) -> dict:
    """A TGW with ``n`` VPCs (10.<i>.0.0/16, one subnet each) attached and available."""
    tgw = make_tgw(cloud, ec2)
    out = {"tgw": tgw["TransitGatewayId"],
           "table": tgw["Options"]["AssociationDefaultRouteTableId"], "vpcs": [],
           "subnets": [], "attachments": []}
    for i in range(n):
        vpc = make_vpc(ec2, f"10.{i}.0.0/16")
        subnet = make_subnet(ec2, vpc, f"10.{i}.1.0/24")
        out["vpcs"].append(vpc)
        out["subnets"].append(subnet)
        out["attachments"].append(attach(ec2, out["tgw"], vpc, [subnet]))
    cloud.advance(ml.ATTACHMENT_PENDING)
    return out


def search(ec2, table: str, *filters) -> list[dict]:
    return ec2.search_transit_gateway_routes(
        TransitGatewayRouteTableId=table,
        Filters=list(filters) or [{"Name": "state", "Values": ["active", "blackhole"]}])["Routes"]


# -- transit gateways ---------------------------------------------------------------------------
def test_transit_gateway_lifecycle_and_default_route_table(cloud, ec2):
    out = ec2.create_transit_gateway(Description="hub", TagSpecifications=[
        {"ResourceType": "transit-gateway", "Tags": [{"Key": "Name", "Value": "hub"}]}])[
        "TransitGateway"]
    tgw = out["TransitGatewayId"]
    assert tgw.startswith("tgw-") and out["State"] == "pending"
    assert out["TransitGatewayArn"] == f"arn:aws:ec2:us-east-1:{cloud.default_account}:" \
                                       f"transit-gateway/{tgw}"
    options = out["Options"]
    assert options["AmazonSideAsn"] == 64512
    assert options["AssociationDefaultRouteTableId"] == \
        options["PropagationDefaultRouteTableId"]
    [table] = ec2.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"]
    assert table["TransitGatewayRouteTableId"] == options["AssociationDefaultRouteTableId"]
    assert table["DefaultAssociationRouteTable"] and table["DefaultPropagationRouteTable"]
    assert code(ec2.create_transit_gateway_route_table, TransitGatewayId=tgw) == \
        "IncorrectState"                                             # still pending
    cloud.advance(ml.TGW_PENDING)
    [now] = ec2.describe_transit_gateways(Filters=[
        {"Name": "state", "Values": ["available"]},
        {"Name": "options.amazon-side-asn", "Values": ["64512"]}])["TransitGateways"]
    assert now["Tags"] == [{"Key": "Name", "Value": "hub"}] and now["Description"] == "hub"
    assert ec2.delete_transit_gateway(TransitGatewayId=tgw)["TransitGateway"]["State"] == \
        "deleting"
    cloud.advance(ml.TGW_DELETING)
    assert ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0][
        "State"] == "deleted"
    assert ec2.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"] == []
    cloud.advance(hours=1)
    assert code(ec2.describe_transit_gateways, TransitGatewayIds=[tgw]) == \
        "InvalidTransitGatewayID.NotFound"


def test_transit_gateway_options_and_quota(cloud, ec2):
    plain = ec2.create_transit_gateway(Options={
        "DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "disable",
        "AmazonSideAsn": 4200000000})["TransitGateway"]
    assert "AssociationDefaultRouteTableId" not in plain["Options"]
    assert plain["Options"]["AmazonSideAsn"] == 4200000000
    assert ec2.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"] == []
    half = ec2.create_transit_gateway(Options={"DefaultRouteTablePropagation": "disable"})[
        "TransitGateway"]["Options"]
    assert "AssociationDefaultRouteTableId" in half and \
        "PropagationDefaultRouteTableId" not in half
    assert code(ec2.create_transit_gateway, Options={"AmazonSideAsn": 100}) == \
        "InvalidParameterValue"
    assert code(ec2.create_transit_gateway, Options={"DnsSupport": "maybe"}) == \
        "InvalidParameterValue"
    assert code(ec2.create_transit_gateway, Options={"MulticastSupport": "enable"}) == \
        "NotImplemented"
    for _ in range(3):
        ec2.create_transit_gateway()
    err = error(ec2.create_transit_gateway)
    assert err["Code"] == "TransitGatewayLimitExceeded"
    assert code(ec2.delete_transit_gateway, TransitGatewayId="tgw-0123456789abcdef0") == \
        "InvalidTransitGatewayID.NotFound"


# -- VPC attachments ----------------------------------------------------------------------------
def test_vpc_attachment_puts_an_interface_in_each_subnet(cloud, ec2):
    tgw = make_tgw(cloud, ec2)["TransitGatewayId"]
    vpc = make_vpc(ec2)
    a = make_subnet(ec2, vpc, "10.0.1.0/24", "us-east-1a")
    b = make_subnet(ec2, vpc, "10.0.2.0/24", "us-east-1b")
    a2 = make_subnet(ec2, vpc, "10.0.3.0/24", "us-east-1a")
    out = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[a, b], Options={"ApplianceModeSupport":
                                                                     "enable"},
        TagSpecifications=[{"ResourceType": "transit-gateway-attachment",
                            "Tags": [{"Key": "Name", "Value": "spoke"}]}])[
        "TransitGatewayVpcAttachment"]
    att = out["TransitGatewayAttachmentId"]
    assert att.startswith("tgw-attach-") and out["State"] == "pending"
    assert out["SubnetIds"] == [a, b] and out["Options"]["ApplianceModeSupport"] == "enable"
    enis = ec2.describe_network_interfaces(Filters=[
        {"Name": "interface-type", "Values": ["transit_gateway"]}])["NetworkInterfaces"]
    assert sorted(e["SubnetId"] for e in enis) == sorted([a, b])
    assert all(e["RequesterManaged"] and att in e["Description"] for e in enis)
    assert code(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw, VpcId=vpc,
                SubnetIds=[a2]) == "DuplicateTransitGatewayAttachment"
    other = make_vpc(ec2, "10.1.0.0/16")
    theirs = make_subnet(ec2, other, "10.1.1.0/24", "us-east-1a")
    theirs2 = make_subnet(ec2, other, "10.1.2.0/24", "us-east-1a")
    assert code(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw, VpcId=other,
                SubnetIds=[theirs, theirs2]) == "DuplicateSubnetsInSameZone"
    assert code(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw, VpcId=other,
                SubnetIds=[a]) == "InvalidParameterValue"
    assert code(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=tgw, VpcId=other,
                SubnetIds=["subnet-0123456789abcdef0"]) == "InvalidSubnetID.NotFound"
    cloud.advance(ml.ATTACHMENT_PENDING)
    [listed] = ec2.describe_transit_gateway_vpc_attachments(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}])["TransitGatewayVpcAttachments"]
    assert listed["State"] == "available" and listed["Tags"] == [{"Key": "Name",
                                                                  "Value": "spoke"}]
    [generic] = ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[att])[
        "TransitGatewayAttachments"]
    assert generic["ResourceType"] == "vpc" and generic["ResourceId"] == vpc
    assert generic["Association"]["State"] == "associated"
    # what cannot go while the attachment holds on
    assert code(ec2.delete_subnet, SubnetId=a) == "DependencyViolation"
    assert code(ec2.delete_vpc, VpcId=vpc) == "DependencyViolation"
    assert code(ec2.delete_transit_gateway, TransitGatewayId=tgw) == "IncorrectState"
    deleting = ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att)
    assert deleting["TransitGatewayVpcAttachment"]["State"] == "deleting"
    assert code(ec2.delete_transit_gateway_vpc_attachment, TransitGatewayAttachmentId=att) == \
        "IncorrectState"
    cloud.advance(ml.ATTACHMENT_PENDING)
    assert ec2.describe_network_interfaces(Filters=[
        {"Name": "interface-type", "Values": ["transit_gateway"]}])["NetworkInterfaces"] == []
    ec2.delete_subnet(SubnetId=a)
    cloud.advance(hours=1)
    assert code(ec2.delete_transit_gateway_vpc_attachment, TransitGatewayAttachmentId=att) == \
        "InvalidTransitGatewayAttachmentID.NotFound"
    ec2.delete_transit_gateway(TransitGatewayId=tgw)


def test_vpc_routes_to_the_transit_gateway(cloud, ec2):
    tgw = make_tgw(cloud, ec2)["TransitGatewayId"]
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    att = attach(ec2, tgw, vpc, [subnet])
    assert code(ec2.create_route, RouteTableId=table, DestinationCidrBlock="10.0.0.0/8",
                TransitGatewayId=tgw) == "InvalidTransitGatewayID.NotFound"   # not available
    cloud.advance(ml.ATTACHMENT_PENDING)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.0.0.0/8",
                     TransitGatewayId=tgw)
    route = routes(ec2, table)["10.0.0.0/8"]
    assert route["TransitGatewayId"] == tgw and route["State"] == "active"
    flt = [{"Name": "route.transit-gateway-id", "Values": [tgw]}]
    assert [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=flt)["RouteTables"]] \
        == [table]
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att)
    assert routes(ec2, table)["10.0.0.0/8"]["State"] == "blackhole"


# -- routing ------------------------------------------------------------------------------------
def test_transitive_routing_through_the_default_table(cloud, ec2):
    net = hub(cloud, ec2, 3)
    found = search(ec2, net["table"], {"Name": "type", "Values": ["propagated"]})
    assert [(r["DestinationCidrBlock"], r["TransitGatewayAttachments"][0]["ResourceId"])
            for r in found] == [(f"10.{i}.0.0/16", net["vpcs"][i]) for i in range(3)]
    table_routes = cloud.ec2.transit_routes(net["table"])
    hop = ml.tgw_route_for(table_routes, "10.2.7.7")
    assert hop.attachment_id == net["attachments"][2] and hop.route_type == "propagated"
    # a static route beats a propagated one of the same prefix; a more specific one wins
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=net["table"],
                                     DestinationCidrBlock="10.2.0.0/16", Blackhole=True)
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=net["table"],
                                     DestinationCidrBlock="10.2.5.0/24",
                                     TransitGatewayAttachmentId=net["attachments"][1])
    table_routes = cloud.ec2.transit_routes(net["table"])
    assert ml.tgw_route_for(table_routes, "10.2.7.7").state == "blackhole"
    assert ml.tgw_route_for(table_routes, "10.2.5.9").attachment_id == net["attachments"][1]
    assert ml.tgw_route_for(table_routes, "192.168.0.1") is None
    # a deleted attachment stops propagating and its static routes turn blackhole
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=net["attachments"][1])
    cloud.advance(ml.ATTACHMENT_PENDING)
    states = {r["DestinationCidrBlock"]: r["State"] for r in search(ec2, net["table"])}
    assert states == {"10.0.0.0/16": "active", "10.2.0.0/16": "blackhole",
                      "10.2.5.0/24": "blackhole"}


def test_route_tables_isolate_attachments(cloud, ec2):
    net = hub(cloud, ec2, 3)
    a, b, c = net["attachments"]
    isolated = ec2.create_transit_gateway_route_table(
        TransitGatewayId=net["tgw"], TagSpecifications=[
            {"ResourceType": "transit-gateway-route-table",
             "Tags": [{"Key": "Name", "Value": "isolated"}]}])["TransitGatewayRouteTable"]
    table = isolated["TransitGatewayRouteTableId"]
    assert isolated["State"] == "available" and not isolated["DefaultAssociationRouteTable"]
    assert code(ec2.associate_transit_gateway_route_table, TransitGatewayRouteTableId=table,
                TransitGatewayAttachmentId=a) == "Resource.AlreadyAssociated"
    assert code(ec2.disassociate_transit_gateway_route_table,
                TransitGatewayRouteTableId=table, TransitGatewayAttachmentId=a) == \
        "InvalidAssociation.NotFound"
    out = ec2.disassociate_transit_gateway_route_table(
        TransitGatewayRouteTableId=net["table"], TransitGatewayAttachmentId=a)["Association"]
    assert out["State"] == "disassociating" and out["ResourceId"] == net["vpcs"][0]
    out = ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=table,
                                                    TransitGatewayAttachmentId=a)["Association"]
    assert out["TransitGatewayRouteTableId"] == table and out["ResourceType"] == "vpc"
    prop = ec2.enable_transit_gateway_route_table_propagation(
        TransitGatewayRouteTableId=table, TransitGatewayAttachmentId=b)["Propagation"]
    assert prop["State"] == "enabling" and prop["ResourceId"] == net["vpcs"][1]
    assert code(ec2.enable_transit_gateway_route_table_propagation,
                TransitGatewayRouteTableId=table, TransitGatewayAttachmentId=b) == \
        "TransitGatewayRouteTablePropagation.Duplicate"
    assert code(ec2.disable_transit_gateway_route_table_propagation,
                TransitGatewayRouteTableId=table, TransitGatewayAttachmentId=c) == \
        "TransitGatewayRouteTablePropagation.NotFound"
    # A's packets now see only B: C is out of reach
    assert [r["DestinationCidrBlock"] for r in search(ec2, table)] == ["10.1.0.0/16"]
    assert ml.tgw_route_for(cloud.ec2.transit_routes(table), "10.2.0.1") is None
    assoc = ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=table)
    assert [x["TransitGatewayAttachmentId"] for x in assoc["Associations"]] == [a]
    assoc = ec2.get_transit_gateway_route_table_associations(
        TransitGatewayRouteTableId=net["table"],
        Filters=[{"Name": "resource-id", "Values": [net["vpcs"][2]]}])["Associations"]
    assert [x["TransitGatewayAttachmentId"] for x in assoc] == [c]
    props = ec2.get_transit_gateway_route_table_propagations(
        TransitGatewayRouteTableId=table)["TransitGatewayRouteTablePropagations"]
    assert [(p["TransitGatewayAttachmentId"], p["State"]) for p in props] == [(b, "enabled")]
    assert code(ec2.delete_transit_gateway_route_table, TransitGatewayRouteTableId=table) == \
        "IncorrectState"
    ec2.disable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=table,
                                                        TransitGatewayAttachmentId=b)
    ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=table,
                                                 TransitGatewayAttachmentId=a)
    deleted = ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=table)
    assert deleted["TransitGatewayRouteTable"]["State"] == "deleting"
    assert code(ec2.get_transit_gateway_route_table_propagations,
                TransitGatewayRouteTableId=table) == "InvalidRouteTableID.NotFound"


def test_static_route_rules_and_search_filters(cloud, ec2):
    net = hub(cloud, ec2, 2)
    table, (a, b) = net["table"], net["attachments"]
    create = ec2.create_transit_gateway_route
    made = create(TransitGatewayRouteTableId=table, DestinationCidrBlock="172.16.0.0/12",
                  TransitGatewayAttachmentId=b)["Route"]
    assert made == {"DestinationCidrBlock": "172.16.0.0/12", "TransitGatewayAttachments": [{
        "ResourceId": net["vpcs"][1], "TransitGatewayAttachmentId": b, "ResourceType": "vpc"}],
        "Type": "static", "State": "active"}
    assert code(create, TransitGatewayRouteTableId=table, DestinationCidrBlock="172.16.0.0/12",
                TransitGatewayAttachmentId=a) == "RouteAlreadyExists"
    assert code(create, TransitGatewayRouteTableId=table, DestinationCidrBlock="1.0.0.0/8") == \
        "InvalidParameterCombination"
    assert code(create, TransitGatewayRouteTableId=table, DestinationCidrBlock="1.0.0.0/8",
                TransitGatewayAttachmentId=a, Blackhole=True) == "InvalidParameterCombination"
    assert code(create, TransitGatewayRouteTableId=table, DestinationCidrBlock="nope",
                Blackhole=True) == "InvalidParameterValue"
    assert code(create, TransitGatewayRouteTableId="tgw-rtb-0123456789abcdef0",
                DestinationCidrBlock="1.0.0.0/8", Blackhole=True) == \
        "InvalidRouteTableID.NotFound"
    other = make_tgw(cloud, ec2)
    assert code(create, TransitGatewayRouteTableId=other["Options"][
        "AssociationDefaultRouteTableId"], DestinationCidrBlock="1.0.0.0/8",
        TransitGatewayAttachmentId=a) == "InvalidParameterValue"
    create(TransitGatewayRouteTableId=table, DestinationCidrBlock="172.16.8.0/24",
           Blackhole=True)
    dests = lambda rs: [r["DestinationCidrBlock"] for r in rs]          # noqa: E731
    assert dests(search(ec2, table, {"Name": "route-search.exact-match",
                                     "Values": ["172.16.0.0/12"]})) == ["172.16.0.0/12"]
    assert dests(search(ec2, table, {"Name": "route-search.longest-prefix-match",
                                     "Values": ["172.16.8.9/32"]})) == ["172.16.8.0/24"]
    assert dests(search(ec2, table, {"Name": "route-search.subnet-of-match",
                                     "Values": ["172.16.0.0/12"]})) == \
        ["172.16.0.0/12", "172.16.8.0/24"]
    assert dests(search(ec2, table, {"Name": "route-search.supernet-of-match",
                                     "Values": ["10.1.2.0/24"]})) == ["10.1.0.0/16"]
    assert dests(search(ec2, table, {"Name": "attachment.resource-id",
                                     "Values": [net["vpcs"][1]]})) == \
        ["10.1.0.0/16", "172.16.0.0/12"]
    assert dests(search(ec2, table, {"Name": "state", "Values": ["blackhole"]})) == \
        ["172.16.8.0/24"]
    page = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table, Filters=[
        {"Name": "type", "Values": ["static", "propagated"]}], MaxResults=5)
    assert len(page["Routes"]) == 4 and page["AdditionalRoutesAvailable"] is False
    assert code(ec2.search_transit_gateway_routes, TransitGatewayRouteTableId=table,
                Filters=[{"Name": "bogus", "Values": ["x"]}]) == "InvalidParameterValue"
    gone = ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=table,
                                            DestinationCidrBlock="172.16.8.0/24")["Route"]
    assert gone["State"] == "deleted"
    assert code(ec2.delete_transit_gateway_route, TransitGatewayRouteTableId=table,
                DestinationCidrBlock="172.16.8.0/24") == "InvalidRoute.NotFound"


def test_quotas_per_vpc_and_per_gateway(cloud, ec2, monkeypatch):
    monkeypatch.setattr(ml, "TGWS_PER_VPC", 1)
    monkeypatch.setattr(ml, "TGW_ROUTE_TABLES", 1)
    monkeypatch.setattr(ml, "TGW_STATIC_ROUTES", 1)
    net = hub(cloud, ec2, 1)
    second = make_tgw(cloud, ec2)["TransitGatewayId"]
    assert code(ec2.create_transit_gateway_vpc_attachment, TransitGatewayId=second,
                VpcId=net["vpcs"][0], SubnetIds=[net["subnets"][0]]) == "ResourceLimitExceeded"
    assert code(ec2.create_transit_gateway_route_table, TransitGatewayId=net["tgw"]) == \
        "ResourceLimitExceeded"
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=net["table"],
                                     DestinationCidrBlock="1.0.0.0/8", Blackhole=True)
    assert code(ec2.create_transit_gateway_route, TransitGatewayRouteTableId=net["table"],
                DestinationCidrBlock="2.0.0.0/8", Blackhole=True) == "ResourceLimitExceeded"


def test_graph_save_load_and_determinism(cloud, ec2, tmp_path):
    net = hub(cloud, ec2, 2)
    late = make_vpc(ec2, "10.5.0.0/16")
    pending = attach(ec2, net["tgw"], late, [make_subnet(ec2, late, "10.5.1.0/24")])
    graph = cloud.graph()
    tgw = cloud.ec2.transit_gateways[net["tgw"]]
    assert graph.nodes[tgw.arn]["type"] == "ec2-transit-gateway"
    edge = graph.edges[tgw.arn, cloud.ec2.vpcs[net["vpcs"][0]].arn]
    assert edge["relation"] == "attached-to" and edge["id"] == net["attachments"][0]
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "c.json"))
    for c in (cloud, loaded):
        c.advance(ml.ATTACHMENT_PENDING)
    views = [c.client("ec2").describe_transit_gateway_attachments()["TransitGatewayAttachments"]
             for c in (cloud, loaded)]
    assert views[0] == views[1]
    assert {a["TransitGatewayAttachmentId"]: a["State"] for a in views[0]}[pending] == \
        "available"
    assert search(loaded.client("ec2"), net["table"]) == search(ec2, net["table"])
    again = awskit.Cloud(seed=0)
    hub(again, again.client("ec2"), 2)
    again.ec2.sync()                      # the model contract: sync, then read
    assert again.ec2.transit_routes(net["table"]) == \
        [r for r in cloud.ec2.transit_routes(net["table"]) if r.destination != "10.5.0.0/16"]


def test_create_tags_and_describe_tags_on_connectivity_resources(cloud, ec2):
    net = hub(cloud, ec2, 1)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.1")[
        "CustomerGateway"]["CustomerGatewayId"]
    vpce = ec2.create_vpc_endpoint(VpcId=net["vpcs"][0], ServiceName="com.amazonaws.us-east-1."
                                   "s3")["VpcEndpoint"]["VpcEndpointId"]
    ids = [net["tgw"], net["attachments"][0], net["table"], vgw, cgw, vpce]
    ec2.create_tags(Resources=ids, Tags=[{"Key": "team", "Value": "net"}])
    rows = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["team"]}])["Tags"]
    assert {(r["ResourceId"], r["ResourceType"]) for r in rows} == {
        (net["tgw"], "transit-gateway"), (net["attachments"][0], "transit-gateway-attachment"),
        (net["table"], "transit-gateway-route-table"), (vgw, "vpn-gateway"),
        (cgw, "customer-gateway"), (vpce, "vpc-endpoint")}
    [att] = ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
    assert att["Tags"] == [{"Key": "team", "Value": "net"}]
    ec2.delete_tags(Resources=[net["attachments"][0]])
    assert ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"][0][
        "Tags"] == []
    assert code(ec2.create_tags, Resources=["tgw-attach-0123456789abcdef0"],
                Tags=[{"Key": "a", "Value": "b"}]) == "InvalidTransitGatewayAttachmentID.NotFound"
