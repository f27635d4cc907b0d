"""EC2 VPCs through boto3: the default VPC, CreateVpc's CIDR rules, DescribeVpcs filters and
pagination, DeleteVpc's dependencies, DNS attributes, secondary CIDRs, quotas, AZs, and the
EC2-wide rules (DryRun, UnauthorizedOperation, AuthFailure, account and Region isolation)."""

import ipaddress

import pytest
from ec2_helpers import code, error, make_subnet, make_vpc, tags
from iam_helpers import allow, doc, user_with_key

from awskit.regions import REGIONS


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


# -- the default VPC ----------------------------------------------------------------------------
def test_every_region_has_a_default_vpc_built_as_aws_documents(cloud, ec2):
    [vpc] = ec2.describe_vpcs()["Vpcs"]
    assert vpc["IsDefault"] is True and vpc["CidrBlock"] == "172.31.0.0/16"
    assert vpc["State"] == "available" and vpc["OwnerId"] == cloud.default_account
    assert vpc["VpcId"].startswith("vpc-") and len(vpc["VpcId"]) == 21
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])[
        "Subnets"]
    azs = REGIONS["us-east-1"].azs
    assert sorted(s["AvailabilityZone"] for s in subnets) == sorted(azs)
    for s in subnets:
        net = ipaddress.ip_network(s["CidrBlock"])
        assert net.prefixlen == 20 and net.subnet_of(ipaddress.ip_network("172.31.0.0/16"))
        assert s["DefaultForAz"] and s["MapPublicIpOnLaunch"]
        assert s["AvailableIpAddressCount"] == 4096 - 5
    cidrs = [ipaddress.ip_network(s["CidrBlock"]) for s in subnets]
    assert not any(a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1:])
    [igw] = ec2.describe_internet_gateways()["InternetGateways"]
    assert igw["Attachments"] == [{"State": "available", "VpcId": vpc["VpcId"]}]
    [main] = ec2.describe_route_tables(Filters=[{"Name": "association.main",
                                                 "Values": ["true"]}])["RouteTables"]
    assert {r["DestinationCidrBlock"]: r["GatewayId"] for r in main["Routes"]} == {
        "172.31.0.0/16": "local", "0.0.0.0/0": igw["InternetGatewayId"]}
    [group] = ec2.describe_security_groups()["SecurityGroups"]
    assert group["GroupName"] == "default"
    [nacl] = ec2.describe_network_acls()["NetworkAcls"]
    assert nacl["IsDefault"] and len(nacl["Associations"]) == len(azs)
    attribute = ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")
    assert attribute["EnableDnsHostnames"] == {"Value": True}


def test_default_vpcs_are_per_account_and_region_and_uses_real_az_names(cloud):
    eu = cloud.client("ec2", region_name="eu-west-1")
    other = cloud.client("ec2", account=cloud.new_account())
    us = cloud.client("ec2")
    ids = {c.describe_vpcs()["Vpcs"][0]["VpcId"] for c in (eu, other, us)}
    assert len(ids) == 3
    zones = eu.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == list(REGIONS["eu-west-1"].azs)
    assert [z["ZoneId"] for z in zones] == ["euw1-az1", "euw1-az2", "euw1-az3"]
    assert all(z["State"] == "available" and z["RegionName"] == "eu-west-1" for z in zones)
    one = eu.describe_availability_zones(ZoneNames=["eu-west-1b"])["AvailabilityZones"]
    assert [z["ZoneId"] for z in one] == ["euw1-az2"]
    assert code(eu.describe_availability_zones, ZoneNames=["eu-west-1z"]) == \
        "InvalidParameterValue"


def test_deleted_default_vpc_stays_deleted_until_create_default_vpc(ec2):
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    assert code(ec2.delete_vpc, VpcId=vpc) == "DependencyViolation"
    for s in ec2.describe_subnets()["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    igw = ec2.describe_internet_gateways()["InternetGateways"][0]["InternetGatewayId"]
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    ec2.delete_vpc(VpcId=vpc)
    assert ec2.describe_vpcs()["Vpcs"] == []
    assert ec2.describe_security_groups()["SecurityGroups"] == []
    assert ec2.describe_route_tables()["RouteTables"] == []
    new = ec2.create_default_vpc()["Vpc"]
    assert new["IsDefault"] and new["CidrBlock"] == "172.31.0.0/16" and new["VpcId"] != vpc
    assert code(ec2.create_default_vpc) == "DefaultVpcAlreadyExists"


# -- CreateVpc ----------------------------------------------------------------------------------
def test_create_vpc_canonicalises_the_cidr_and_becomes_available(cloud, ec2):
    out = ec2.create_vpc(CidrBlock="100.68.0.18/18", TagSpecifications=tags("app", "vpc"))["Vpc"]
    assert out["CidrBlock"] == "100.68.0.0/18" and out["State"] == "pending"
    assert out["Tags"] == [{"Key": "Name", "Value": "app"}] and out["IsDefault"] is False
    assert out["CidrBlockAssociationSet"][0]["CidrBlock"] == "100.68.0.0/18"
    ec2.get_waiter("vpc_available").wait(VpcIds=[out["VpcId"]])
    [vpc] = ec2.describe_vpcs(VpcIds=[out["VpcId"]])["Vpcs"]
    assert vpc["State"] == "available"
    assert cloud.ec2.vpc("us-east-1", out["VpcId"]).enable_dns_support is True
    assert cloud.ec2.vpc("eu-west-1", out["VpcId"]) is None
    # each new VPC gets its own main table (local route), default ACL and default group
    [table] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id",
                                                  "Values": [out["VpcId"]]}])["RouteTables"]
    assert table["Routes"] == [{"DestinationCidrBlock": "100.68.0.0/18", "GatewayId": "local",
                                "Origin": "CreateRouteTable", "State": "active"}]
    assert table["Associations"][0]["Main"] is True


@pytest.mark.parametrize("cidr, expected", [
    ("10.0.0.0/8", "InvalidVpc.Range"), ("10.0.0.0/15", "InvalidVpc.Range"),
    ("10.0.0.0/29", "InvalidVpc.Range"), ("10.0.0.0/33", "InvalidParameterValue"),
    ("not-a-cidr", "InvalidParameterValue"), ("2001:db8::/56", "InvalidParameterValue"),
])
def test_create_vpc_refuses_bad_cidrs(ec2, cidr, expected):
    assert code(ec2.create_vpc, CidrBlock=cidr) == expected
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1        # nothing was created


def test_create_vpc_other_bad_input(ec2):
    assert code(ec2.create_vpc) == "MissingParameter"
    assert code(ec2.create_vpc, CidrBlock="10.0.0.0/16",
                TagSpecifications=tags("x", "subnet")) == "InvalidParameterValue"
    assert code(ec2.create_vpc, CidrBlock="10.0.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "aws:x", "Value": "y"}]}]) == \
        "InvalidParameterValue"
    assert code(ec2.create_vpc, CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True) == \
        "NotImplemented"
    assert error(ec2.create_vpc, CidrBlock="10.0.0.0/16", InstanceTenancy="host")["Status"] == 400


def test_five_vpcs_per_region_counting_the_default_one(ec2, cloud):
    for i in range(4):
        make_vpc(ec2, f"10.{i}.0.0/16")
    err = error(ec2.create_vpc, CidrBlock="10.9.0.0/16")
    assert err["Code"] == "VpcLimitExceeded" and err["Status"] == 400
    cloud.client("ec2", region_name="us-west-2").create_vpc(CidrBlock="10.9.0.0/16")


# -- DescribeVpcs -------------------------------------------------------------------------------
def test_describe_vpcs_ids_filters_and_pagination(ec2):
    a = make_vpc(ec2, "10.0.0.0/16", name="alpha")
    b = make_vpc(ec2, "10.1.0.0/16", name="beta")
    c = make_vpc(ec2, "192.168.0.0/24")

    def ids(**params):
        return {v["VpcId"] for v in ec2.describe_vpcs(**params)["Vpcs"]}
    assert ids(VpcIds=[a, b]) == {a, b}
    assert ids(Filters=[{"Name": "tag:Name", "Values": ["alpha"]}]) == {a}
    assert ids(Filters=[{"Name": "tag:Name", "Values": ["*a"]}]) == {a, b}
    assert ids(Filters=[{"Name": "cidr", "Values": ["192.168.0.0/24"]}]) == {c}
    assert ids(Filters=[{"Name": "is-default", "Values": ["false"]},
                        {"Name": "tag-key", "Values": ["Name"]}]) == {a, b}
    assert ids(Filters=[{"Name": "vpc-id", "Values": [b, c]}]) == {b, c}
    assert len(ids(Filters=[{"Name": "is-default", "Values": ["true"]}])) == 1
    err = error(ec2.describe_vpcs, VpcIds=["vpc-0123456789abcdef0"])
    assert err["Code"] == "InvalidVpcID.NotFound" and "vpc-0123456789abcdef0" in err["Message"]
    assert code(ec2.describe_vpcs, Filters=[{"Name": "colour", "Values": ["x"]}]) == \
        "InvalidParameterValue"
    first = ec2.describe_vpcs(MaxResults=5)
    assert len(first["Vpcs"]) == 4 and "NextToken" not in first
    seen, pages = [], 0
    paginator = ec2.get_paginator("describe_vpcs")
    for page in paginator.paginate(PaginationConfig={"PageSize": 5}):
        seen += [v["VpcId"] for v in page["Vpcs"]]
        pages += 1
    assert len(seen) == 4 == len(set(seen)) and pages == 1
    assert code(ec2.describe_vpcs, MaxResults=5, NextToken="bogus") == "InvalidPaginationToken"
    assert code(ec2.describe_vpcs, MaxResults=5000) == "InvalidParameterValue"


# -- DeleteVpc ----------------------------------------------------------------------------------
def test_delete_vpc_refuses_while_dependencies_remain_and_removes_its_defaults(ec2):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    group = ec2.create_security_group(GroupName="g", Description="d", VpcId=vpc)["GroupId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    for remove in (lambda: ec2.delete_subnet(SubnetId=subnet),
                   lambda: ec2.delete_security_group(GroupId=group),
                   lambda: ec2.delete_route_table(RouteTableId=table),
                   lambda: ec2.delete_network_acl(NetworkAclId=acl),
                   lambda: ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)):
        err = error(ec2.delete_vpc, VpcId=vpc)
        assert err["Code"] == "DependencyViolation" and vpc in err["Message"]
        remove()
    ec2.delete_vpc(VpcId=vpc)
    flt = [{"Name": "vpc-id", "Values": [vpc]}]
    assert ec2.describe_route_tables(Filters=flt)["RouteTables"] == []
    assert ec2.describe_network_acls(Filters=flt)["NetworkAcls"] == []
    assert ec2.describe_security_groups(Filters=flt)["SecurityGroups"] == []
    assert code(ec2.delete_vpc, VpcId=vpc) == "InvalidVpcID.NotFound"


# -- attributes and secondary CIDRs -------------------------------------------------------------
def test_dns_attributes(ec2):
    vpc = make_vpc(ec2)

    def get(name):
        out = ec2.describe_vpc_attribute(VpcId=vpc, Attribute=name)
        return out[name[0].upper() + name[1:]]["Value"]
    assert get("enableDnsSupport") is True and get("enableDnsHostnames") is False
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    assert get("enableDnsHostnames") is True
    assert code(ec2.modify_vpc_attribute, VpcId=vpc, EnableDnsHostnames={"Value": True},
                EnableDnsSupport={"Value": True}) == "InvalidParameterCombination"
    assert code(ec2.modify_vpc_attribute, VpcId=vpc) == "InvalidParameterCombination"
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": False})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": False})
    assert code(ec2.modify_vpc_attribute, VpcId=vpc, EnableDnsHostnames={"Value": True}) == \
        "InvalidParameterValue"
    assert code(ec2.describe_vpc_attribute, VpcId="vpc-0123456789abcdef0",
                Attribute="enableDnsSupport") == "InvalidVpcID.NotFound"


def test_secondary_cidrs_rules_and_local_routes(ec2):
    vpc = make_vpc(ec2, "10.0.0.0/16")
    out = ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.1.0.0/16")
    assoc = out["CidrBlockAssociation"]["AssociationId"]
    assert out["CidrBlockAssociation"]["CidrBlockState"]["State"] == "associating"
    [table] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"]
    assert {r["DestinationCidrBlock"] for r in table["Routes"]} == {"10.0.0.0/16",
                                                                    "10.1.0.0/16"}
    make_subnet(ec2, vpc, "10.1.5.0/24")              # a subnet may use the new range
    assert code(ec2.associate_vpc_cidr_block, VpcId=vpc, CidrBlock="10.0.128.0/17") == \
        "InvalidVpc.Range"                             # overlaps the primary
    assert code(ec2.associate_vpc_cidr_block, VpcId=vpc, CidrBlock="192.168.0.0/16") == \
        "InvalidVpc.Range"                             # another RFC 1918 range
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="100.64.0.0/16")
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.2.0.0/16")
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.3.0.0/16")
    assert code(ec2.associate_vpc_cidr_block, VpcId=vpc, CidrBlock="10.4.0.0/16") == \
        "CidrLimitExceeded"
    assert code(ec2.disassociate_vpc_cidr_block, AssociationId=assoc) == "DependencyViolation"
    primary = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["CidrBlockAssociationSet"][0]
    assert code(ec2.disassociate_vpc_cidr_block, AssociationId=primary["AssociationId"]) == \
        "OperationNotPermitted"
    other = [c for c in ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["CidrBlockAssociationSet"]
             if c["CidrBlock"] == "10.3.0.0/16"][0]["AssociationId"]
    ec2.disassociate_vpc_cidr_block(AssociationId=other)
    [table] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"]
    assert "10.3.0.0/16" not in {r["DestinationCidrBlock"] for r in table["Routes"]}
    assert code(ec2.disassociate_vpc_cidr_block, AssociationId=other) == \
        "InvalidVpcCidrBlockAssociationID.NotFound"


# -- EC2-wide rules -----------------------------------------------------------------------------
def test_dry_run_checks_permission_and_changes_nothing(ec2):
    err = error(ec2.create_vpc, CidrBlock="10.0.0.0/16", DryRun=True)
    assert err["Code"] == "DryRunOperation" and err["Status"] == 412
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1


def test_iam_users_need_ec2_permissions(cloud):
    creds = user_with_key(cloud, "reader", inline=doc(allow("ec2:Describe*")))
    ec2 = cloud.client("ec2", **creds)
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1
    err = error(ec2.create_vpc, CidrBlock="10.0.0.0/16")
    assert err["Code"] == "UnauthorizedOperation" and err["Status"] == 403
    assert "ec2:CreateVpc" in err["Message"] and "reader" in err["Message"]
    assert error(ec2.create_vpc, CidrBlock="10.0.0.0/16", DryRun=True)["Code"] == \
        "UnauthorizedOperation"
    bad = cloud.client("ec2", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                       aws_secret_access_key="x" * 40)
    err = error(bad.describe_vpcs)
    assert err["Code"] == "AuthFailure" and err["Status"] == 401


def test_resources_of_other_accounts_and_regions_are_not_found(cloud, ec2):
    vpc = make_vpc(ec2)
    other = cloud.client("ec2", account=cloud.new_account())
    assert code(other.describe_vpcs, VpcIds=[vpc]) == "InvalidVpcID.NotFound"
    assert code(other.delete_vpc, VpcId=vpc) == "InvalidVpcID.NotFound"
    eu = cloud.client("ec2", region_name="eu-west-1")
    assert code(eu.create_subnet, VpcId=vpc, CidrBlock="10.0.1.0/24") == "InvalidVpcID.NotFound"
    assert vpc in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}


def test_direct_front_matches_boto3(cloud):
    out = cloud.ec2.create_vpc(CidrBlock="10.5.0.0/16")
    assert out["Vpc"]["CidrBlock"] == "10.5.0.0/16"
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(cloud.client("ec2").exceptions.ClientError) as excinfo:
        cloud.ec2.delete_vpc(VpcId="vpc-0123456789abcdef0")
    assert excinfo.value.response["Error"]["Code"] == "InvalidVpcID.NotFound"
