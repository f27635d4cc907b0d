"""Helpers for the Route 53 tests (tests/test_route53_*.py)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def error(call, **params) -> dict:
    """Call and return the AWS error (``Error`` plus ``Status``); fail if it succeeds."""
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    response = excinfo.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def public_instance(cloud, ec2) -> tuple[str, str]:
    """A running instance with a public IPv4 in a public subnet: (instance id, public IP)."""
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.8.1.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    [inst] = ec2.run_instances(ImageId="ami-0abcdef1234567890", InstanceType="t3.micro",
                               MinCount=1, MaxCount=1, NetworkInterfaces=[{
                                   "DeviceIndex": 0, "SubnetId": subnet,
                                   "AssociatePublicIpAddress": True}])["Instances"]
    cloud.advance(60)
    [res] = ec2.describe_instances(InstanceIds=[inst["InstanceId"]])["Reservations"]
    described = res["Instances"][0]
    assert described["State"]["Name"] == "running"
    return inst["InstanceId"], described["PublicIpAddress"]


def dns_vpc(ec2, cidr: str = "10.0.0.0/16", hostnames: bool = True) -> str:
    """A VPC with DNS support (and, by default, DNS hostnames: private zones need both)."""
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    if hostnames:
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    return vpc


def record(name: str, value, rtype: str = "A", ttl: int = 60, **extra) -> dict:
    """A ResourceRecordSet with one value (or several, given a list)."""
    values = value if isinstance(value, list) else [value]
    return {"Name": name, "Type": rtype, "TTL": ttl,
            "ResourceRecords": [{"Value": v} for v in values], **extra}


def change(r53, zone_id: str, *rrsets, action: str = "UPSERT", comment=None) -> dict:
    batch = {"Changes": [{"Action": action, "ResourceRecordSet": r} for r in rrsets]}
    if comment is not None:
        batch["Comment"] = comment
    return r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=batch)


def new_zone(r53, name: str = "example.com", ref: str | None = None, **kw) -> str:
    """Create a hosted zone; return its bare id (``Z...``)."""
    out = r53.create_hosted_zone(Name=name, CallerReference=ref or f"ref-{name}-{len(kw)}", **kw)
    return out["HostedZone"]["Id"].split("/")[-1]


def health_check(r53, ip: str, ref: str, kind: str = "HTTP", interval: int = 10,
                 threshold: int = 3, **extra) -> str:
    config = {"Type": kind, "IPAddress": ip, "RequestInterval": interval,
              "FailureThreshold": threshold, **extra}
    return r53.create_health_check(CallerReference=ref,
                                   HealthCheckConfig=config)["HealthCheck"]["Id"]
