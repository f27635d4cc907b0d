"""Shared helpers for the EC2 tests (tests/test_ec2_*.py)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

REGION = "us-east-1"


def error(call, **params) -> dict:
    """Call and return the AWS error (``Error`` dict plus ``Status``); fail if it succeeds."""
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    response = excinfo.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def code(call, **params) -> str:
    return error(call, **params)["Code"]


def tags(name: str, kind: str) -> list[dict]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def make_vpc(ec2, cidr: str = "10.0.0.0/16", name: str | None = None) -> str:
    params = {"CidrBlock": cidr}
    if name:
        params["TagSpecifications"] = tags(name, "vpc")
    return ec2.create_vpc(**params)["Vpc"]["VpcId"]


def make_subnet(ec2, vpc_id: str, cidr: str = "10.0.1.0/24", az: str = "us-east-1a") -> str:
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"][
        "SubnetId"]


def public_network(ec2, cidr: str = "10.0.0.0/16") -> dict:
    """A VPC with an attached internet gateway and a public subnet (route 0.0.0.0/0 → igw)."""
    vpc = make_vpc(ec2, cidr)
    subnet = make_subnet(ec2, vpc, cidr.replace("0.0/16", "1.0/24"))
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    return {"vpc": vpc, "subnet": subnet, "igw": igw, "table": table}


def launch(ec2, subnet: str | None = None, count: int = 1, **params) -> list[dict]:
    if subnet is not None:
        params["SubnetId"] = subnet
    params = {"ImageId": "ami-0abcdef1234567890", "InstanceType": "t3.micro", **params}
    return ec2.run_instances(MinCount=count, MaxCount=count, **params)["Instances"]


def instance(ec2, instance_id: str) -> dict:
    [res] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return res["Instances"][0]


def routes(ec2, table: str) -> dict:
    """destination → the route dict, for one route table."""
    [rt] = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"]
    return {r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock"): r
            for r in rt["Routes"]}
