"""EC2 gateways and addresses through boto3: internet gateways, egress-only gateways, Elastic
IPs (quota, association rules) and NAT gateways on the simulated clock."""

import ipaddress

import pytest
from ec2_helpers import code, error, instance, launch, make_subnet, make_vpc, public_network, routes


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


# -- internet gateways --------------------------------------------------------------------------
def test_internet_gateway_lifecycle_and_rules(ec2):
    vpc = make_vpc(ec2)
    out = ec2.create_internet_gateway(TagSpecifications=[{
        "ResourceType": "internet-gateway", "Tags": [{"Key": "Name", "Value": "gw"}]}])
    igw = out["InternetGateway"]["InternetGatewayId"]
    assert out["InternetGateway"]["Attachments"] == [] and igw.startswith("igw-")
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    [desc] = ec2.describe_internet_gateways(InternetGatewayIds=[igw])["InternetGateways"]
    assert desc["Attachments"] == [{"State": "available", "VpcId": vpc}]
    assert desc["Tags"] == [{"Key": "Name", "Value": "gw"}]
    assert code(ec2.attach_internet_gateway, InternetGatewayId=igw, VpcId=vpc) == \
        "Resource.AlreadyAssociated"
    second = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    assert code(ec2.attach_internet_gateway, InternetGatewayId=second, VpcId=vpc) == \
        "InvalidParameterValue"                       # one gateway per VPC
    assert code(ec2.delete_internet_gateway, InternetGatewayId=igw) == "DependencyViolation"
    other = make_vpc(ec2, "10.1.0.0/16")
    assert code(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=other) == \
        "Gateway.NotAttached"
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    assert code(ec2.describe_internet_gateways, InternetGatewayIds=[igw]) == \
        "InvalidInternetGatewayID.NotFound"
    flt = [{"Name": "attachment.vpc-id", "Values": [vpc]}]
    assert ec2.describe_internet_gateways(Filters=flt)["InternetGateways"] == []


def test_five_internet_gateways_per_region(ec2):
    for _ in range(4):                                 # the default VPC's is the fifth
        ec2.create_internet_gateway()
    assert code(ec2.create_internet_gateway) == "InternetGatewayLimitExceeded"


def test_gateway_cannot_be_detached_while_public_addresses_are_mapped(cloud, ec2):
    net = public_network(ec2)
    [inst] = launch(ec2, net["subnet"])
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=allocation, InstanceId=inst["InstanceId"])
    err = error(ec2.detach_internet_gateway, InternetGatewayId=net["igw"], VpcId=net["vpc"])
    assert err["Code"] == "DependencyViolation" and "mapped public" in err["Message"]
    ec2.disassociate_address(AssociationId=ec2.describe_addresses()["Addresses"][0][
        "AssociationId"])
    ec2.detach_internet_gateway(InternetGatewayId=net["igw"], VpcId=net["vpc"])


def test_egress_only_internet_gateway(ec2):
    vpc = make_vpc(ec2)
    out = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]
    gid = out["EgressOnlyInternetGatewayId"]
    assert gid.startswith("eigw-") and out["Attachments"] == [{"State": "attached",
                                                               "VpcId": vpc}]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="::/0",
                     EgressOnlyInternetGatewayId=gid)
    [route] = [r for r in ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0][
        "Routes"] if r.get("DestinationIpv6CidrBlock") == "::/0"]
    assert route["EgressOnlyInternetGatewayId"] == gid and route["State"] == "active"
    assert code(ec2.create_route, RouteTableId=table, DestinationCidrBlock="0.0.0.0/0",
                EgressOnlyInternetGatewayId=gid) == "InvalidParameterValue"   # IPv6 only
    listed = ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]
    assert [g["EgressOnlyInternetGatewayId"] for g in listed] == [gid]
    assert ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=gid)[
        "ReturnCode"] is True
    [route] = [r for r in ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0][
        "Routes"] if r.get("DestinationIpv6CidrBlock") == "::/0"]
    assert route["State"] == "blackhole"
    assert code(ec2.delete_egress_only_internet_gateway, EgressOnlyInternetGatewayId=gid) == \
        "InvalidEgressOnlyInternetGatewayId.NotFound"
    assert code(ec2.create_egress_only_internet_gateway, VpcId="vpc-0123456789abcdef0") == \
        "InvalidVpcID.NotFound"


# -- Elastic IPs --------------------------------------------------------------------------------
def test_elastic_ip_allocation_quota_and_release(cloud, ec2):
    out = ec2.allocate_address(Domain="vpc")
    assert out["Domain"] == "vpc" and out["AllocationId"].startswith("eipalloc-")
    assert ipaddress.ip_address(out["PublicIp"]) in ipaddress.ip_network("3.0.0.0/8")
    for _ in range(4):
        ec2.allocate_address(Domain="vpc")
    err = error(ec2.allocate_address, Domain="vpc")
    assert err["Code"] == "AddressLimitExceeded" and err["Status"] == 400
    cloud.client("ec2", region_name="eu-west-1").allocate_address()   # quota is per Region
    ips = [a["PublicIp"] for a in ec2.describe_addresses()["Addresses"]]
    assert len(set(ips)) == 5
    ec2.release_address(AllocationId=out["AllocationId"])
    assert code(ec2.release_address, AllocationId=out["AllocationId"]) == \
        "InvalidAllocationID.NotFound"
    assert code(ec2.describe_addresses, PublicIps=[out["PublicIp"]]) == "InvalidAddress.NotFound"
    assert code(ec2.allocate_address, Domain="standard") == "NotImplemented"


def test_elastic_ip_association_rules(cloud, ec2):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    [inst] = launch(ec2, subnet)
    allocation = ec2.allocate_address()["AllocationId"]
    err = error(ec2.associate_address, AllocationId=allocation, InstanceId=inst["InstanceId"])
    assert err["Code"] == "Gateway.NotAttached" and vpc in err["Message"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    assoc = ec2.associate_address(AllocationId=allocation, InstanceId=inst["InstanceId"])
    [address] = ec2.describe_addresses(AllocationIds=[allocation])["Addresses"]
    assert address["AssociationId"] == assoc["AssociationId"]
    assert address["InstanceId"] == inst["InstanceId"]
    assert address["PrivateIpAddress"] == inst["PrivateIpAddress"]
    assert instance(ec2, inst["InstanceId"])["PublicIpAddress"] == address["PublicIp"]
    assert cloud.ec2.instance_by_ip(address["PublicIp"]).instance_id == inst["InstanceId"]
    [second] = launch(ec2, subnet)
    assert code(ec2.associate_address, AllocationId=allocation,
                InstanceId=second["InstanceId"]) == "Resource.AlreadyAssociated"
    ec2.associate_address(AllocationId=allocation, InstanceId=second["InstanceId"],
                          AllowReassociation=True)
    assert "PublicIpAddress" not in instance(ec2, inst["InstanceId"])
    assert code(ec2.release_address, AllocationId=allocation) == "InvalidIPAddress.InUse"
    assert code(ec2.associate_address, AllocationId=allocation) == "InvalidParameterCombination"
    assert code(ec2.associate_address, AllocationId=allocation, InstanceId=second["InstanceId"],
                PrivateIpAddress="10.0.1.200", AllowReassociation=True) == \
        "InvalidParameterValue"
    assert code(ec2.disassociate_address, AssociationId="eipassoc-0123456789abcdef0") == \
        "InvalidAssociationID.NotFound"
    current = ec2.describe_addresses()["Addresses"][0]["AssociationId"]
    ec2.disassociate_address(AssociationId=current)
    ec2.release_address(AllocationId=allocation)


def test_elastic_ip_replaces_and_restores_the_auto_assigned_public_ip(cloud, ec2):
    net = public_network(ec2)
    ec2.modify_subnet_attribute(SubnetId=net["subnet"], MapPublicIpOnLaunch={"Value": True})
    [inst] = launch(ec2, net["subnet"])
    auto = inst["PublicIpAddress"]
    allocation = ec2.allocate_address()
    ec2.associate_address(AllocationId=allocation["AllocationId"], InstanceId=inst["InstanceId"])
    assert instance(ec2, inst["InstanceId"])["PublicIpAddress"] == allocation["PublicIp"]
    assert cloud.ec2.instance_by_ip(auto) is None         # the old address was released
    current = ec2.describe_addresses()["Addresses"][0]["AssociationId"]
    ec2.disassociate_address(AssociationId=current)
    fresh = instance(ec2, inst["InstanceId"])["PublicIpAddress"]
    assert fresh not in (auto, allocation["PublicIp"])


# -- NAT gateways -------------------------------------------------------------------------------
def test_nat_gateway_lifecycle_on_the_clock(cloud, ec2):
    net = public_network(ec2)
    allocation = ec2.allocate_address()
    out = ec2.create_nat_gateway(SubnetId=net["subnet"], AllocationId=allocation["AllocationId"],
                                 TagSpecifications=[{"ResourceType": "natgateway", "Tags": [
                                     {"Key": "Name", "Value": "nat-a"}]}])["NatGateway"]
    nat = out["NatGatewayId"]
    assert out["State"] == "pending" and out["ConnectivityType"] == "public"
    [addr] = out["NatGatewayAddresses"]
    assert addr["PublicIp"] == allocation["PublicIp"] and addr["IsPrimary"] is True
    eni = addr["NetworkInterfaceId"]
    [iface] = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"]
    assert iface["InterfaceType"] == "nat_gateway" and iface["RequesterManaged"] is True
    assert iface["PrivateIpAddress"] == addr["PrivateIp"]
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat])
    [desc] = ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"]
    assert desc["State"] == "available" and desc["Tags"] == [{"Key": "Name", "Value": "nat-a"}]
    assert desc["NatGatewayAddresses"][0]["Status"] == "succeeded"
    # a private subnet routes to it
    private = make_subnet(ec2, net["vpc"], "10.0.2.0/24")
    table = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=private)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    assert routes(ec2, table)["0.0.0.0/0"]["State"] == "active"
    assert code(ec2.delete_network_interface, NetworkInterfaceId=eni) == \
        "InvalidNetworkInterface.InUse"
    assert code(ec2.disassociate_address, AssociationId=addr["AssociationId"]) == \
        "InvalidParameterValue"
    # delete: deleting (routes blackhole), deleted (EIP kept, unassociated), gone after an hour
    assert ec2.delete_nat_gateway(NatGatewayId=nat)["NatGatewayId"] == nat
    assert ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"] == \
        "deleting"
    assert routes(ec2, table)["0.0.0.0/0"]["State"] == "blackhole"
    ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=[nat])
    [gone] = ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"]
    assert gone["State"] == "deleted" and "DeleteTime" in gone
    [address] = ec2.describe_addresses()["Addresses"]
    assert "AssociationId" not in address                     # kept, not released
    assert ec2.describe_network_interfaces(Filters=[{"Name": "network-interface-id",
                                                     "Values": [eni]}])["NetworkInterfaces"] == []
    cloud.advance(hours=1)
    assert code(ec2.describe_nat_gateways, NatGatewayIds=[nat]) == "NatGatewayNotFound"


def test_nat_gateway_errors(ec2):
    net = public_network(ec2)
    assert code(ec2.create_nat_gateway, SubnetId=net["subnet"]) == "MissingParameter"
    assert code(ec2.create_nat_gateway, SubnetId=net["subnet"],
                AllocationId="eipalloc-0123456789abcdef0") == "InvalidAllocationID.NotFound"
    assert code(ec2.create_nat_gateway, SubnetId="subnet-0123456789abcdef0",
                AllocationId="eipalloc-0123456789abcdef0") == "InvalidSubnetID.NotFound"
    allocation = ec2.allocate_address()["AllocationId"]
    assert code(ec2.create_nat_gateway, SubnetId=net["subnet"], AllocationId=allocation,
                ConnectivityType="private") == "InvalidParameterCombination"
    ec2.create_nat_gateway(SubnetId=net["subnet"], AllocationId=allocation)
    assert code(ec2.create_nat_gateway, SubnetId=net["subnet"], AllocationId=allocation) == \
        "Resource.AlreadyAssociated"
    private = ec2.create_nat_gateway(SubnetId=net["subnet"], ConnectivityType="private")[
        "NatGateway"]
    assert "PublicIp" not in private["NatGatewayAddresses"][0]
    for _ in range(3):
        ec2.create_nat_gateway(SubnetId=net["subnet"], ConnectivityType="private")
    assert code(ec2.create_nat_gateway, SubnetId=net["subnet"], ConnectivityType="private") == \
        "NatGatewayLimitExceeded"                           # 5 per AZ
    assert code(ec2.delete_nat_gateway, NatGatewayId="nat-0123456789abcdef0") == \
        "NatGatewayNotFound"
    flt = [{"Name": "state", "Values": ["pending"]}]
    assert len(ec2.describe_nat_gateways(Filter=flt)["NatGateways"]) == 5
