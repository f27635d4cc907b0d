"""EC2 route tables through boto3: local routes, targets and their validation, route states
(blackhole), associations and the main table; and the model's longest-prefix match."""

import pytest
from ec2_helpers import code, error, launch, make_subnet, make_vpc, public_network, routes

from awskit.ec2.model import Route, RouteTable, route_for


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


# -- the model: longest prefix, static over propagated ------------------------------------------
def _table(*routes_):
    return RouteTable("rtb-1", "123456789012", "us-east-1", "vpc-1", list(routes_))


def test_route_for_picks_the_longest_matching_prefix():
    local = Route("10.0.0.0/16", "local", "local", "CreateRouteTable")
    default = Route("0.0.0.0/0", "gateway", "igw-1")
    narrow = Route("192.0.2.0/28", "nat-gateway", "nat-1")
    wide = Route("192.0.2.0/24", "gateway", "igw-2")
    table = _table(default, wide, narrow, local)
    assert route_for(table, "192.0.2.3") is narrow
    assert route_for(table, "192.0.2.200") is wide
    assert route_for(table, "10.0.9.9") is local
    assert route_for(table, "8.8.8.8") is default
    assert route_for(_table(local), "8.8.8.8") is None
    assert route_for(table, "2001:db8::1") is None          # no IPv6 route


def test_route_for_prefers_static_routes_to_propagated_ones_of_equal_length():
    propagated = Route("172.16.0.0/16", "gateway", "vgw-1", "EnableVgwRoutePropagation")
    static = Route("172.16.0.0/16", "network-interface", "eni-1")
    more_specific = Route("172.16.1.0/24", "gateway", "vgw-1", "EnableVgwRoutePropagation")
    for order in ((propagated, static), (static, propagated)):
        assert route_for(_table(*order), "172.16.5.5") is static
    assert route_for(_table(propagated, static, more_specific), "172.16.1.9") is more_specific


def test_route_for_prefix_list_destinations():
    endpoint = Route("pl-63a5400a", "gateway", "vpce-1")
    default = Route("0.0.0.0/0", "nat-gateway", "nat-1")
    table = _table(default, endpoint)
    lists = {"pl-63a5400a": ["52.216.0.0/15"]}
    assert route_for(table, "52.217.1.1", lists) is endpoint
    assert route_for(table, "52.217.1.1") is default         # unknown list: no match


# -- tables and routes through boto3 ------------------------------------------------------------
def test_create_route_table_and_routes(cloud, ec2):
    net = public_network(ec2)
    out = routes(ec2, net["table"])
    assert out["10.0.0.0/16"] == {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local",
                                  "Origin": "CreateRouteTable", "State": "active"}
    assert out["0.0.0.0/0"] == {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": net["igw"],
                                "Origin": "CreateRoute", "State": "active"}
    [table] = ec2.describe_route_tables(RouteTableIds=[net["table"]])["RouteTables"]
    assert table["Tags"] == [] and table["PropagatingVgws"] == []
    assert table["Associations"][0]["SubnetId"] == net["subnet"]
    assert table["Associations"][0]["Main"] is False
    model = cloud.ec2.table_for_subnet(net["subnet"])
    assert route_for(model, "93.184.216.34").target_id == net["igw"]


def test_route_errors(ec2):
    net = public_network(ec2)
    table = net["table"]
    assert code(ec2.create_route, RouteTableId=table, DestinationCidrBlock="0.0.0.0/0",
                GatewayId=net["igw"]) == "RouteAlreadyExists"
    for target, expected in [({"GatewayId": "igw-0123456789abcdef0"},
                              "InvalidInternetGatewayID.NotFound"),
                             ({"GatewayId": "foo-1"}, "InvalidGatewayID.NotFound"),
                             ({"NatGatewayId": "nat-0123456789abcdef0"}, "NatGatewayNotFound"),
                             ({"NetworkInterfaceId": "eni-0123456789abcdef0"},
                              "InvalidNetworkInterfaceID.NotFound"),
                             ({"InstanceId": "i-0123456789abcdef0"},
                              "InvalidInstanceID.NotFound"),
                             ({"VpcPeeringConnectionId": "pcx-0123456789abcdef0"},
                              "InvalidVpcPeeringConnectionID.NotFound"),
                             ({"TransitGatewayId": "tgw-0123456789abcdef0"},
                              "InvalidTransitGatewayID.NotFound"),
                             ({"GatewayId": "vgw-0123456789abcdef0"},
                              "InvalidVpnGatewayID.NotFound"),
                             ({}, "MissingParameter"),
                             ({"GatewayId": net["igw"], "NatGatewayId": "nat-1"},
                              "InvalidParameterCombination")]:
        err = error(ec2.create_route, RouteTableId=table, DestinationCidrBlock="198.51.100.0/24",
                    **target)
        assert err["Code"] == expected, target
    assert code(ec2.create_route, RouteTableId=table, DestinationCidrBlock="10.0.5.0/24",
                GatewayId=net["igw"]) == "InvalidParameterValue"     # inside the VPC CIDR
    assert code(ec2.create_route, RouteTableId=table, DestinationCidrBlock="300.0.0.0/8",
                GatewayId=net["igw"]) == "InvalidParameterValue"
    assert code(ec2.create_route, RouteTableId="rtb-0123456789abcdef0",
                DestinationCidrBlock="0.0.0.0/0", GatewayId=net["igw"]) == \
        "InvalidRouteTableID.NotFound"
    # a gateway of another VPC, a detached gateway
    other = make_vpc(ec2, "10.1.0.0/16")
    other_table = ec2.create_route_table(VpcId=other)["RouteTable"]["RouteTableId"]
    assert code(ec2.create_route, RouteTableId=other_table, DestinationCidrBlock="0.0.0.0/0",
                GatewayId=net["igw"]) == "InvalidParameterValue"
    assert code(ec2.replace_route, RouteTableId=table, DestinationCidrBlock="1.2.3.0/24",
                GatewayId=net["igw"]) == "InvalidRoute.NotFound"
    assert code(ec2.delete_route, RouteTableId=table, DestinationCidrBlock="1.2.3.0/24") == \
        "InvalidRoute.NotFound"
    assert code(ec2.delete_route, RouteTableId=table, DestinationCidrBlock="10.0.0.0/16") == \
        "InvalidParameterValue"                           # the local route stays
    assert len(routes(ec2, table)) == 2


def test_routes_to_instances_interfaces_and_nat_gateways(cloud, ec2):
    net = public_network(ec2)
    [inst] = launch(ec2, net["subnet"])
    iid = inst["InstanceId"]
    eni = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=net["table"], DestinationCidrBlock="172.16.0.0/12",
                     InstanceId=iid)
    route = routes(ec2, net["table"])["172.16.0.0/12"]
    assert route["InstanceId"] == iid and route["NetworkInterfaceId"] == eni
    assert route["InstanceOwnerId"] == cloud.default_account and route["State"] == "active"
    # a more specific route inside the VPC may target an interface (middlebox routing)
    ec2.create_route(RouteTableId=net["table"], DestinationCidrBlock="10.0.1.0/24",
                     NetworkInterfaceId=eni)
    assert routes(ec2, net["table"])["10.0.1.0/24"]["NetworkInterfaceId"] == eni
    # the local route's target may be replaced and restored
    ec2.replace_route(RouteTableId=net["table"], DestinationCidrBlock="10.0.0.0/16",
                      NetworkInterfaceId=eni)
    assert routes(ec2, net["table"])["10.0.0.0/16"]["Origin"] == "CreateRouteTable"
    ec2.replace_route(RouteTableId=net["table"], DestinationCidrBlock="10.0.0.0/16",
                      GatewayId="local")
    assert routes(ec2, net["table"])["10.0.0.0/16"]["GatewayId"] == "local"
    # stopping the instance makes its route a blackhole; starting it again restores it
    cloud.advance(30)
    ec2.stop_instances(InstanceIds=[iid])
    assert routes(ec2, net["table"])["172.16.0.0/12"]["State"] == "blackhole"
    cloud.advance(60)
    ec2.start_instances(InstanceIds=[iid])
    assert routes(ec2, net["table"])["172.16.0.0/12"]["State"] == "active"
    ec2.replace_route(RouteTableId=net["table"], DestinationCidrBlock="172.16.0.0/12",
                      GatewayId=net["igw"])
    assert routes(ec2, net["table"])["172.16.0.0/12"]["GatewayId"] == net["igw"]
    ec2.delete_route(RouteTableId=net["table"], DestinationCidrBlock="172.16.0.0/12")
    assert "172.16.0.0/12" not in routes(ec2, net["table"])


def test_detaching_the_gateway_blackholes_its_routes(ec2):
    net = public_network(ec2)
    ec2.detach_internet_gateway(InternetGatewayId=net["igw"], VpcId=net["vpc"])
    assert routes(ec2, net["table"])["0.0.0.0/0"]["State"] == "blackhole"
    ec2.attach_internet_gateway(InternetGatewayId=net["igw"], VpcId=net["vpc"])
    assert routes(ec2, net["table"])["0.0.0.0/0"]["State"] == "active"


def test_route_limit(ec2):
    net = public_network(ec2)
    for i in range(49):                   # 50 static routes, the default one included
        ec2.create_route(RouteTableId=net["table"], DestinationCidrBlock=f"198.51.{i}.0/24",
                         GatewayId=net["igw"])
    assert code(ec2.create_route, RouteTableId=net["table"], DestinationCidrBlock="203.0.113.0/24",
                GatewayId=net["igw"]) == "RouteLimitExceeded"


# -- associations and the main table -----------------------------------------------------------
def test_associations_and_main_table_replacement(cloud, ec2):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    [main] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"]
    main_id = main["RouteTableId"]
    main_assoc = main["Associations"][0]["RouteTableAssociationId"]
    assert "SubnetId" not in main["Associations"][0]
    assert cloud.ec2.table_for_subnet(subnet).route_table_id == main_id   # implicit
    custom = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assoc = ec2.associate_route_table(RouteTableId=custom, SubnetId=subnet)
    assert assoc["AssociationState"] == {"State": "associated"}
    assert cloud.ec2.table_for_subnet(subnet).route_table_id == custom
    assert code(ec2.associate_route_table, RouteTableId=main_id, SubnetId=subnet) == \
        "Resource.AlreadyAssociated"
    found = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id",
                                                "Values": [subnet]}])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [custom]
    assert code(ec2.delete_route_table, RouteTableId=custom) == "DependencyViolation"
    assert code(ec2.disassociate_route_table, AssociationId=main_assoc) == \
        "InvalidParameterValue"
    ec2.disassociate_route_table(AssociationId=assoc["AssociationId"])
    assert cloud.ec2.table_for_subnet(subnet).route_table_id == main_id
    assert code(ec2.disassociate_route_table, AssociationId=assoc["AssociationId"]) == \
        "InvalidAssociationID.NotFound"
    # make the custom table the main one; the old main table can then be deleted
    new = ec2.replace_route_table_association(AssociationId=main_assoc, RouteTableId=custom)
    assert new["NewAssociationId"] != main_assoc
    [table] = ec2.describe_route_tables(RouteTableIds=[custom])["RouteTables"]
    assert table["Associations"][0]["Main"] is True
    assert cloud.ec2.table_for_subnet(subnet).route_table_id == custom
    assert code(ec2.delete_route_table, RouteTableId=custom) == "DependencyViolation"
    ec2.delete_route_table(RouteTableId=main_id)
    assert code(ec2.describe_route_tables, RouteTableIds=[main_id]) == \
        "InvalidRouteTableID.NotFound"


def test_association_errors(ec2):
    vpc = make_vpc(ec2)
    other = make_vpc(ec2, "10.1.0.0/16")
    subnet = make_subnet(ec2, other, "10.1.1.0/24")
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assert code(ec2.associate_route_table, RouteTableId=table, SubnetId=subnet) == \
        "InvalidParameterValue"
    assert code(ec2.associate_route_table, RouteTableId=table,
                SubnetId="subnet-0123456789abcdef0") == "InvalidSubnetID.NotFound"
    assert code(ec2.associate_route_table, RouteTableId=table) == "MissingParameter"
    assert code(ec2.replace_route_table_association, AssociationId="rtbassoc-0123456789abcdef0",
                RouteTableId=table) == "InvalidAssociationID.NotFound"
    assert code(ec2.create_route_table, VpcId="vpc-0123456789abcdef0") == "InvalidVpcID.NotFound"


def test_describe_route_tables_filters(ec2):
    net = public_network(ec2)
    flt = [{"Name": "route.gateway-id", "Values": [net["igw"]]}]
    assert {t["RouteTableId"] for t in ec2.describe_route_tables(Filters=flt)["RouteTables"]} \
        == {net["table"]}
    flt = [{"Name": "route.destination-cidr-block", "Values": ["10.0.0.0/16"]}]
    found = ec2.describe_route_tables(Filters=flt)["RouteTables"]
    assert {t["VpcId"] for t in found} == {net["vpc"]} and len(found) == 2
