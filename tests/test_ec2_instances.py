"""Network interfaces and instances through boto3: addressing, attachment rules, RunInstances'
placement and public IPs, states on the simulated clock and the waiters, DescribeInstances,
and the contracts other services use (``instance_by_ip``)."""

import boto3
import pytest
from ec2_helpers import code, error, instance, launch, make_subnet, make_vpc, public_network

import awskit


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


# -- network interfaces -------------------------------------------------------------------------
def test_interfaces_take_the_lowest_free_address_and_the_default_group(ec2):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc, "10.0.1.0/24")
    first = ec2.create_network_interface(SubnetId=subnet, Description="db")["NetworkInterface"]
    assert first["PrivateIpAddress"] == "10.0.1.4"             # .0-.3 are reserved
    assert first["Status"] == "available" and first["InterfaceType"] == "interface"
    assert first["AvailabilityZone"] == "us-east-1a" and first["Description"] == "db"
    assert [g["GroupName"] for g in first["Groups"]] == ["default"]
    assert first["PrivateDnsName"] == "ip-10-0-1-4.ec2.internal" and first["TagSet"] == []
    assert len(first["MacAddress"].split(":")) == 6
    chosen = ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.0.1.200")
    assert chosen["NetworkInterface"]["PrivateIpAddress"] == "10.0.1.200"
    nxt = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]
    assert nxt["PrivateIpAddress"] == "10.0.1.5"
    for ip, expected in [("10.0.1.200", "InvalidIPAddress.InUse"),
                         ("10.0.1.1", "InvalidParameterValue"),      # the VPC router
                         ("10.0.1.255", "InvalidParameterValue"),    # broadcast
                         ("10.0.2.9", "InvalidParameterValue"),
                         ("banana", "InvalidParameterValue")]:
        assert code(ec2.create_network_interface, SubnetId=subnet, PrivateIpAddress=ip) == \
            expected, ip
    other_vpc_group = ec2.create_security_group(GroupName="x", Description="d")["GroupId"]
    assert code(ec2.create_network_interface, SubnetId=subnet,
                Groups=[other_vpc_group]) == "InvalidParameter"
    groups = [ec2.create_security_group(GroupName=f"g{i}", Description="d", VpcId=vpc)[
        "GroupId"] for i in range(6)]
    assert code(ec2.create_network_interface, SubnetId=subnet, Groups=groups) == \
        "SecurityGroupsPerInterfaceLimitExceeded"
    five = ec2.create_network_interface(SubnetId=subnet, Groups=groups[:5])["NetworkInterface"]
    assert [g["GroupId"] for g in five["Groups"]] == groups[:5]


def test_attach_and_detach_interfaces(cloud, ec2):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    other_az = make_subnet(ec2, vpc, "10.0.2.0/24", az="us-east-1b")
    [inst] = launch(ec2, subnet)
    iid = inst["InstanceId"]
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    far = ec2.create_network_interface(SubnetId=other_az)["NetworkInterface"][
        "NetworkInterfaceId"]
    assert code(ec2.attach_network_interface, NetworkInterfaceId=eni, InstanceId=iid,
                DeviceIndex=1) == "IncorrectInstanceState"         # still pending
    cloud.advance(30)
    assert code(ec2.attach_network_interface, NetworkInterfaceId=far, InstanceId=iid,
                DeviceIndex=1) == "InvalidParameterCombination"    # another AZ
    assert code(ec2.attach_network_interface, NetworkInterfaceId=eni, InstanceId=iid,
                DeviceIndex=0) == "InvalidParameterValue"          # index taken
    attachment = ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=iid,
                                              DeviceIndex=1)["AttachmentId"]
    [desc] = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"]
    assert desc["Status"] == "in-use" and desc["Attachment"]["InstanceId"] == iid
    assert len(instance(ec2, iid)["NetworkInterfaces"]) == 2
    assert code(ec2.attach_network_interface, NetworkInterfaceId=eni, InstanceId=iid,
                DeviceIndex=2) == "InvalidNetworkInterface.InUse"
    assert code(ec2.delete_network_interface, NetworkInterfaceId=eni) == \
        "InvalidNetworkInterface.InUse"
    primary = inst["NetworkInterfaces"][0]["Attachment"]["AttachmentId"]
    assert code(ec2.detach_network_interface, AttachmentId=primary) == "OperationNotPermitted"
    ec2.detach_network_interface(AttachmentId=attachment)
    assert code(ec2.detach_network_interface, AttachmentId=attachment) == \
        "InvalidAttachmentID.NotFound"
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    assert code(ec2.delete_network_interface, NetworkInterfaceId=eni) == \
        "InvalidNetworkInterfaceID.NotFound"
    by_instance = ec2.describe_network_interfaces(Filters=[
        {"Name": "attachment.instance-id", "Values": [iid]}])["NetworkInterfaces"]
    assert [e["NetworkInterfaceId"] for e in by_instance] == [
        inst["NetworkInterfaces"][0]["NetworkInterfaceId"]]


# -- RunInstances -------------------------------------------------------------------------------
def test_run_instances_in_the_default_vpc_gets_a_public_ip(cloud, ec2):
    [inst] = launch(ec2, TagSpecifications=[{"ResourceType": "instance", "Tags": [
        {"Key": "Name", "Value": "web-1"}]}])
    assert inst["State"] == {"Code": 0, "Name": "pending"}
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])[
        "Vpcs"][0]["VpcId"]
    assert inst["VpcId"] == default_vpc and inst["PrivateIpAddress"].startswith("172.31.")
    public = inst["PublicIpAddress"]
    assert inst["PublicDnsName"] == "ec2-" + public.replace(".", "-") + \
        ".compute-1.amazonaws.com"
    assert inst["SecurityGroups"][0]["GroupName"] == "default"
    assert inst["Tags"] == [{"Key": "Name", "Value": "web-1"}]
    assert inst["InstanceId"].startswith("i-") and len(inst["InstanceId"]) == 19
    found = cloud.ec2.instance_by_ip(public)
    assert found.instance_id == inst["InstanceId"] and found.state == "pending"
    assert found.az == inst["Placement"]["AvailabilityZone"] and found.region == "us-east-1"
    assert cloud.ec2.instance_by_ip(inst["PrivateIpAddress"]) is found
    assert cloud.ec2.instance_by_ip("192.0.2.1") is None
    ec2.get_waiter("instance_running").wait(InstanceIds=[inst["InstanceId"]])
    assert found.state == "running"


def test_run_instances_placement_options(ec2):
    net = public_network(ec2)
    [private] = launch(ec2, net["subnet"])
    assert "PublicIpAddress" not in private and private["PublicDnsName"] == ""
    [public] = launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": net["subnet"],
                                               "AssociatePublicIpAddress": True}])
    assert "PublicIpAddress" in public
    assert public["PublicDnsName"] == ""               # the VPC has no DNS hostnames
    [fixed] = launch(ec2, net["subnet"], PrivateIpAddress="10.0.1.77")
    assert fixed["PrivateIpAddress"] == "10.0.1.77"
    [zoned] = launch(ec2, Placement={"AvailabilityZone": "us-east-1d"})
    assert zoned["Placement"]["AvailabilityZone"] == "us-east-1d"
    two = ec2.run_instances(ImageId="ami-1", InstanceType="t3.micro", MinCount=2, MaxCount=2,
                            SubnetId=net["subnet"])
    assert len({i["InstanceId"] for i in two["Instances"]}) == 2
    assert [i["AmiLaunchIndex"] for i in two["Instances"]] == [0, 1]
    assert two["ReservationId"].startswith("r-")


@pytest.mark.parametrize("params, expected", [
    ({"ImageId": ""}, "MissingParameter"),
    ({"InstanceType": "t9.enormous"}, "InvalidParameterValue"),
    ({"MinCount": 0, "MaxCount": 1}, "InvalidParameterValue"),
    ({"MinCount": 3, "MaxCount": 2}, "InvalidParameterValue"),
    ({"SubnetId": "subnet-0123456789abcdef0"}, "InvalidSubnetID.NotFound"),
    ({"SecurityGroupIds": ["sg-0123456789abcdef0"]}, "InvalidGroup.NotFound"),
    ({"SecurityGroups": ["nope"]}, "InvalidGroup.NotFound"),
    ({"PrivateIpAddress": "172.31.0.9", "MinCount": 1, "MaxCount": 2},
     "InvalidParameterCombination"),
    ({"Placement": {"AvailabilityZone": "us-east-1q"}}, "InvalidParameterValue"),
    ({"TagSpecifications": [{"ResourceType": "vpc", "Tags": []}]}, "InvalidParameterValue"),
    ({"LaunchTemplate": {"LaunchTemplateId": "lt-1"}}, "NotImplemented"),
])
def test_run_instances_refuses_and_launches_nothing(ec2, params, expected):
    base = {"ImageId": "ami-1", "InstanceType": "t3.micro", "MinCount": 1, "MaxCount": 1}
    assert code(ec2.run_instances, **{**base, **params}) == expected
    assert ec2.describe_instances()["Reservations"] == []


# -- states -------------------------------------------------------------------------------------
def test_stop_start_terminate_on_the_clock(cloud, ec2):
    net = public_network(ec2)
    [inst] = launch(ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": net["subnet"],
                                             "AssociatePublicIpAddress": True}])
    iid = inst["InstanceId"]
    first_public = inst["PublicIpAddress"]
    cloud.advance(29)
    assert instance(ec2, iid)["State"]["Name"] == "pending"
    cloud.advance(1)
    assert instance(ec2, iid)["State"]["Name"] == "running"
    out = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]
    assert out["PreviousState"]["Name"] == "running" and out["CurrentState"] == {
        "Code": 64, "Name": "stopping"}
    ec2.get_waiter("instance_stopped").wait(InstanceIds=[iid])
    stopped = instance(ec2, iid)
    assert "PublicIpAddress" not in stopped and stopped["PrivateIpAddress"] == \
        inst["PrivateIpAddress"]
    assert stopped["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
    assert stopped["StateTransitionReason"].startswith("User initiated (2026-")
    assert cloud.ec2.instance_by_ip(inst["PrivateIpAddress"]).state == "stopped"
    again = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]
    assert again["PreviousState"]["Name"] == again["CurrentState"]["Name"] == "stopped"
    out = ec2.start_instances(InstanceIds=[iid])["StartingInstances"][0]
    assert out["CurrentState"]["Name"] == "pending"
    ec2.get_waiter("instance_running").wait(InstanceIds=[iid])
    restarted = instance(ec2, iid)
    assert restarted["PublicIpAddress"] != first_public          # a new public IPv4
    eni = restarted["NetworkInterfaces"][0]["NetworkInterfaceId"]
    out = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
    assert out["CurrentState"] == {"Code": 32, "Name": "shutting-down"}
    assert code(ec2.start_instances, InstanceIds=[iid]) == "IncorrectInstanceState"
    ec2.get_waiter("instance_terminated").wait(InstanceIds=[iid])
    gone = instance(ec2, iid)
    assert gone["State"]["Name"] == "terminated" and gone["NetworkInterfaces"] == []
    assert code(ec2.describe_network_interfaces, NetworkInterfaceIds=[eni]) == \
        "InvalidNetworkInterfaceID.NotFound"                    # deleted on termination
    assert cloud.ec2.instance_by_ip(inst["PrivateIpAddress"]) is None
    assert code(ec2.stop_instances, InstanceIds=[iid]) == "IncorrectInstanceState"
    cloud.advance(hours=1)
    assert code(ec2.describe_instances, InstanceIds=[iid]) == "InvalidInstanceID.NotFound"


def test_describe_instances_ids_filters_and_pages(cloud, ec2):
    ids = [i["InstanceId"] for i in launch(ec2, count=3)]
    [other] = launch(ec2, InstanceType="t3.small")
    err = error(ec2.describe_instances, InstanceIds=[ids[0], "i-0123456789abcdef0",
                                                     "i-0123456789abcdef1"])
    assert err["Code"] == "InvalidInstanceID.NotFound" and "do not exist" in err["Message"]
    assert code(ec2.describe_instances, InstanceIds=["web-1"]) == "InvalidInstanceID.Malformed"
    assert code(ec2.describe_instances, InstanceIds=ids, MaxResults=5) == \
        "InvalidParameterCombination"

    def found(flt):
        res = ec2.describe_instances(Filters=flt)["Reservations"]
        return {i["InstanceId"] for r in res for i in r["Instances"]}
    assert found([{"Name": "instance-type", "Values": ["t3.small"]}]) == {other["InstanceId"]}
    assert found([{"Name": "instance-state-name", "Values": ["pending"]}]) == {*ids,
                                                                               other["InstanceId"]}
    ip = instance(ec2, ids[1])["PrivateIpAddress"]
    assert found([{"Name": "private-ip-address", "Values": [ip]}]) == {ids[1]}
    res = ec2.describe_instances()["Reservations"]
    assert sorted(len(r["Instances"]) for r in res) == [1, 3]    # grouped by reservation
    pages = list(ec2.get_paginator("describe_instances").paginate(
        PaginationConfig={"PageSize": 5}))
    assert sum(len(i["Instances"]) for p in pages for i in p["Reservations"]) == 4
    ec2.get_waiter("instance_exists").wait(InstanceIds=ids)


def test_mock_aws_front(no_network):
    cloud = awskit.Cloud(seed=3)
    with awskit.mock_aws(cloud):
        ec2 = boto3.client("ec2", region_name="eu-central-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = make_subnet(ec2, vpc, "10.0.1.0/24", az="eu-central-1b")
        [inst] = launch(ec2, subnet)
        ec2.get_waiter("instance_running").wait(InstanceIds=[inst["InstanceId"]])
        assert inst["PrivateDnsName"] == "ip-10-0-1-4.eu-central-1.compute.internal"
        resource = boto3.resource("ec2", region_name="eu-central-1")
        assert resource.Vpc(vpc).cidr_block == "10.0.0.0/16"
        assert [s.id for s in resource.Vpc(vpc).subnets.all()] == [subnet]
    assert cloud.ec2.instance_by_ip("10.0.1.4").state == "running"
