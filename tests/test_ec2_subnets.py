"""EC2 subnets through boto3: CIDR rules, AZs, reserved addresses and the available count,
filters and pagination, deletion, MapPublicIpOnLaunch, the subnet_available waiter."""

import pytest
from ec2_helpers import code, error, launch, make_subnet, make_vpc, tags


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


@pytest.fixture
def vpc(ec2):
    return make_vpc(ec2, "10.0.0.0/16")


def test_create_subnet_shape_and_waiter(ec2, vpc):
    out = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1b",
                            TagSpecifications=tags("web", "subnet"))["Subnet"]
    assert out["State"] == "pending" and out["VpcId"] == vpc
    assert out["AvailabilityZone"] == "us-east-1b" and out["AvailabilityZoneId"] == "use1-az2"
    assert out["AvailableIpAddressCount"] == 251 and out["MapPublicIpOnLaunch"] is False
    assert out["DefaultForAz"] is False and out["Tags"] == [{"Key": "Name", "Value": "web"}]
    assert out["SubnetArn"] == f"arn:aws:ec2:us-east-1:123456789012:subnet/{out['SubnetId']}"
    ec2.get_waiter("subnet_available").wait(SubnetIds=[out["SubnetId"]])
    [subnet] = ec2.describe_subnets(SubnetIds=[out["SubnetId"]])["Subnets"]
    assert subnet["State"] == "available"


@pytest.mark.parametrize("prefix, usable", [(16, 65531), (20, 4091), (24, 251), (28, 11)])
def test_five_addresses_are_reserved_whatever_the_size(ec2, vpc, prefix, usable):
    cidr = f"10.0.0.0/{prefix}"
    out = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone="us-east-1a")
    assert out["Subnet"]["AvailableIpAddressCount"] == usable == 2 ** (32 - prefix) - 5


def test_subnet_by_zone_id_and_picked_zone(ec2, vpc):
    out = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24",
                            AvailabilityZoneId="use1-az3")["Subnet"]
    assert out["AvailabilityZone"] == "us-east-1c"
    picked = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.3.0/24")["Subnet"]
    assert picked["AvailabilityZone"].startswith("us-east-1")
    assert code(ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.4.0/24",
                AvailabilityZone="us-east-1a", AvailabilityZoneId="use1-az3") == \
        "InvalidParameterCombination"


@pytest.mark.parametrize("cidr, zone, expected", [
    ("10.1.0.0/24", "us-east-1a", "InvalidSubnet.Range"),      # outside the VPC
    ("10.0.0.0/15", "us-east-1a", "InvalidSubnet.Range"),      # larger than /16
    ("10.0.0.0/29", "us-east-1a", "InvalidSubnet.Range"),      # smaller than /28
    ("10.0.1.128/25", "us-east-1a", "InvalidSubnet.Conflict"),  # inside 10.0.1.0/24
    ("10.0.0.0/23", "us-east-1a", "InvalidSubnet.Conflict"),    # contains 10.0.1.0/24
    ("10.0.9.0/33", "us-east-1a", "InvalidParameterValue"),
    ("10.0.9.0/24", "us-east-1z", "InvalidParameterValue"),     # no such AZ
    ("10.0.9.0/24", "eu-west-1a", "InvalidParameterValue"),     # another Region's AZ
])
def test_create_subnet_refuses(ec2, vpc, cidr, zone, expected):
    make_subnet(ec2, vpc, "10.0.1.0/24")
    err = error(ec2.create_subnet, VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)
    assert err["Code"] == expected and err["Status"] == 400
    assert len(ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "Subnets"]) == 1


def test_create_subnet_missing_things(ec2, vpc):
    assert code(ec2.create_subnet, VpcId="vpc-0123456789abcdef0", CidrBlock="10.0.1.0/24") == \
        "InvalidVpcID.NotFound"
    assert code(ec2.create_subnet, VpcId=vpc) == "MissingParameter"
    assert code(ec2.create_subnet, VpcId=vpc, CidrBlock="10.0.1.0/24",
                Ipv6Native=True) == "NotImplemented"


def test_available_count_drops_as_interfaces_take_addresses(cloud, ec2, vpc):
    subnet = make_subnet(ec2, vpc, "10.0.1.0/28")

    def free():
        return ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["AvailableIpAddressCount"]
    assert free() == 11
    first = launch(ec2, subnet, count=3)
    assert [i["PrivateIpAddress"] for i in first] == ["10.0.1.4", "10.0.1.5", "10.0.1.6"]
    assert free() == 8
    eni = ec2.create_network_interface(SubnetId=subnet, SecondaryPrivateIpAddressCount=2)
    assert free() == 5
    assert code(ec2.stop_instances, InstanceIds=[first[0]["InstanceId"]]) == \
        "IncorrectInstanceState"               # still pending
    cloud.advance(30)
    ec2.stop_instances(InstanceIds=[first[0]["InstanceId"]])
    cloud.advance(60)
    assert free() == 5                     # a stopped instance keeps its address
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterface"]["NetworkInterfaceId"])
    assert free() == 8
    # launch as many as fit between MinCount and MaxCount, or refuse below MinCount
    more = ec2.run_instances(ImageId="ami-1", InstanceType="t3.micro", MinCount=1, MaxCount=20,
                             SubnetId=subnet)["Instances"]
    assert len(more) == 8 and free() == 0
    assert code(launch, ec2=ec2, subnet=subnet) == "InsufficientFreeAddressesInSubnet"


def test_describe_subnets_filters_and_pagination(ec2, vpc):
    ids = [make_subnet(ec2, vpc, f"10.0.{i}.0/24", az=f"us-east-1{'ab'[i % 2]}")
           for i in range(7)]

    def found(**params):
        return {s["SubnetId"] for s in ec2.describe_subnets(**params)["Subnets"]}
    mine = [{"Name": "vpc-id", "Values": [vpc]}]
    assert found(Filters=mine) == set(ids)
    assert found(Filters=mine + [{"Name": "availability-zone", "Values": ["us-east-1b"]}]) == \
        set(ids[1::2])
    assert found(Filters=[{"Name": "cidr-block", "Values": ["10.0.3.0/24"]}]) == {ids[3]}
    assert found(Filters=mine + [{"Name": "default-for-az", "Values": ["true"]}]) == set()
    launch(ec2, ids[6])
    assert found(Filters=mine + [{"Name": "available-ip-address-count", "Values": ["250"]}]) \
        == {ids[6]}
    assert code(ec2.describe_subnets, Filters=[{"Name": "size", "Values": ["1"]}]) == \
        "InvalidParameterValue"
    assert code(ec2.describe_subnets, SubnetIds=[ids[0], "subnet-0123456789abcdef0"]) == \
        "InvalidSubnetID.NotFound"
    pages = list(ec2.get_paginator("describe_subnets").paginate(
        Filters=mine, PaginationConfig={"PageSize": 5}))
    assert [len(p["Subnets"]) for p in pages] == [5, 2]
    assert {s["SubnetId"] for p in pages for s in p["Subnets"]} == set(ids)


def test_delete_subnet_and_its_dependencies(cloud, ec2, vpc):
    subnet = make_subnet(ec2, vpc)
    [inst] = launch(ec2, subnet)
    err = error(ec2.delete_subnet, SubnetId=subnet)
    assert err["Code"] == "DependencyViolation" and subnet in err["Message"]
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    cloud.advance(60)
    ec2.delete_subnet(SubnetId=subnet)
    assert code(ec2.delete_subnet, SubnetId=subnet) == "InvalidSubnetID.NotFound"
    [acl] = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "NetworkAcls"]
    assert acl["Associations"] == []


def test_map_public_ip_on_launch(ec2, vpc):
    subnet = make_subnet(ec2, vpc)
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    assert ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["MapPublicIpOnLaunch"] is True
    assert code(ec2.modify_subnet_attribute, SubnetId=subnet) == "MissingParameter"
    assert code(ec2.modify_subnet_attribute, SubnetId=subnet,
                EnableDns64={"Value": True}) == "NotImplemented"
    assert code(ec2.modify_subnet_attribute, SubnetId="subnet-0123456789abcdef0",
                MapPublicIpOnLaunch={"Value": True}) == "InvalidSubnetID.NotFound"
