"""The networking exercise checks: a hint that names what is missing, never an exception."""

import awskit
from awskit import exercises


def launch(ec2, subnet, name, public=False, groups=None):
    interface = {"DeviceIndex": 0, "SubnetId": subnet, "AssociatePublicIpAddress": public}
    if groups:
        interface["Groups"] = groups
    return ec2.run_instances(ImageId="ami-1", InstanceType="t3.micro", MinCount=1, MaxCount=1,
                             NetworkInterfaces=[interface], TagSpecifications=[{
                                 "ResourceType": "instance",
                                 "Tags": [{"Key": "Name", "Value": name}]}])[
        "Instances"][0]["InstanceId"]


def test_private_outbound_hints_then_passes():
    cloud = awskit.Cloud(seed=0)
    assert "no instance named 'batch'" in exercises.check_private_outbound(cloud).message
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24",
                                AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    launch(ec2, private, "batch")
    cloud.advance(seconds=60)
    assert "cannot reach the internet" in exercises.check_private_outbound(cloud).message
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[
        "RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    # a public subnet everywhere: out without NAT (no public IP: not reachable at all)
    assert not exercises.check_private_outbound(cloud).passed
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    cloud.advance(seconds=120)
    ec2.replace_route(RouteTableId=main, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    assert exercises.check_private_outbound(cloud).passed


def test_transit_hub_refuses_peering():
    cloud = awskit.Cloud(seed=0)
    ec2 = cloud.client("ec2")
    made = {}
    for name, cidr in [("dev", "10.1.0.0/16"), ("test", "10.2.0.0/16"), ("prod", "10.3.0.0/16")]:
        vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace(".0.0/16", ".1.0/24"),
                                   AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        launch(ec2, subnet, name)
        made[name] = vpc
    cloud.advance(seconds=60)
    assert "cannot reach" in exercises.check_transit_hub(cloud).message
    pcx = ec2.create_vpc_peering_connection(VpcId=made["dev"], PeerVpcId=made["test"])[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    cloud.advance(seconds=5)
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    cloud.advance(seconds=5)
    assert "peering connections join these VPCs" in exercises.check_transit_hub(cloud).message
