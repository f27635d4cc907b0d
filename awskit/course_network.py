"""The typical AWS network architecture, built through boto3 on a fresh ``Cloud(seed=0)``:
the scenario behind ``diagrams/typical-network-architecture`` (:mod:`awskit.course_diagrams`)
and the network tests.

Built step by step as an architect would: a VPC ``app`` (10.0.0.0/16) across two Availability
Zones, each with a public subnet (route 0.0.0.0/0 to the internet gateway; a web server with
a public IP; a NAT gateway with an Elastic IP) and a private subnet (an app server; 0.0.0.0/0
to its own AZ's NAT gateway, so one AZ failing leaves the other's way out); security groups
``web`` (HTTPS from anywhere) and ``app`` (8080 from members of ``web``); a transit gateway
``hub`` joining ``app`` to two more VPCs (``shared``, ``data``); a Site-to-Site VPN from a
virtual private gateway on ``app`` to the data center's customer gateway (static route
192.168.0.0/16); a VPC peering with a ``partner`` VPC; a gateway endpoint to S3 on the private
route tables and an interface endpoint to SQS in the private subnets; a Client VPN endpoint
for remote staff, associated with ``private-a``; CloudFront in front of an S3 bucket;
and a Route 53 zone whose failover records send ``www.example.com`` to the web server while
its health check passes, else to CloudFront. The clock is advanced as the resources need
(NAT gateways, the transit gateway and its attachments, the VPN, the distribution).
"""

from __future__ import annotations

from .cloud import Cloud


def _tags(name: str, kind: str) -> list[dict]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def _vpc(ec2, name: str, cidr: str) -> str:
    return ec2.create_vpc(CidrBlock=cidr, TagSpecifications=_tags(name, "vpc"))["Vpc"]["VpcId"]


def _subnet(ec2, vpc: str, name: str, cidr: str, az: str) -> str:
    return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az,
                             TagSpecifications=_tags(name, "subnet"))["Subnet"]["SubnetId"]


def _table(ec2, vpc: str, name: str, subnets: list[str], **routes: dict) -> str:
    table = ec2.create_route_table(VpcId=vpc, TagSpecifications=_tags(name, "route-table"))[
        "RouteTable"]["RouteTableId"]
    for destination, target in routes.get("routes", {}).items():
        ec2.create_route(RouteTableId=table, DestinationCidrBlock=destination, **target)
    for subnet in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    return table


def _launch(ec2, name: str, subnet: str, group: str, public: bool = False) -> str:
    return ec2.run_instances(
        ImageId="ami-0abcdef1234567890", InstanceType="t3.micro", MinCount=1, MaxCount=1,
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet, "Groups": [group],
                            "AssociatePublicIpAddress": public}],
        TagSpecifications=_tags(name, "instance"))["Instances"][0]["InstanceId"]


def network_scenario() -> tuple[Cloud, dict[str, str]]:
    """The typical network architecture (see the module docstring) on a fresh ``Cloud(seed=0)``,
    built through boto3; returns the cloud and the ids of its main resources."""
    cloud = Cloud(seed=0)
    ec2 = cloud.client("ec2")
    ids = {"vpc": _vpc(ec2, "app", "10.0.0.0/16")}
    vpc = ids["vpc"]
    ids["igw"] = ec2.create_internet_gateway(TagSpecifications=_tags("app-igw", "internet-gateway"))[
        "InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=ids["igw"], VpcId=vpc)
    web_sg = ec2.create_security_group(VpcId=vpc, GroupName="web", Description="HTTPS from "
                                       "anywhere")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web_sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    app_sg = ec2.create_security_group(VpcId=vpc, GroupName="app", Description="8080 from the "
                                       "web tier")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=app_sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
        "UserIdGroupPairs": [{"GroupId": web_sg}]}])
    for i, az in enumerate(("us-east-1a", "us-east-1b")):
        public = _subnet(ec2, vpc, f"public-{az[-1]}", f"10.0.{i}.0/24", az)
        private = _subnet(ec2, vpc, f"private-{az[-1]}", f"10.0.{10 + i}.0/24", az)
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip, TagSpecifications=_tags(
            f"nat-{az[-1]}", "natgateway"))["NatGateway"]["NatGatewayId"]
        ids.update({f"public-{az[-1]}": public, f"private-{az[-1]}": private,
                    f"nat-{az[-1]}": nat,
                    f"web-{az[-1]}": _launch(ec2, f"web-{az[-1]}", public, web_sg, True),
                    f"app-{az[-1]}": _launch(ec2, f"app-{az[-1]}", private, app_sg)})
    ids["public-rt"] = _table(ec2, vpc, "public", [ids["public-a"], ids["public-b"]],
                              routes={"0.0.0.0/0": {"GatewayId": ids["igw"]}})
    cloud.advance(seconds=120)                  # NAT gateways and VPCs become available
    # a transit gateway hub joining two more VPCs
    ids["tgw"] = ec2.create_transit_gateway(Description="hub", TagSpecifications=_tags(
        "hub", "transit-gateway"))["TransitGateway"]["TransitGatewayId"]
    cloud.advance(seconds=120)
    spokes = {"app": (vpc, [ids["private-a"], ids["private-b"]])}
    for name, cidr in (("shared", "10.1.0.0/16"), ("data", "10.2.0.0/16")):
        spoke = ids[name] = _vpc(ec2, name, cidr)
        subnet = ids[f"{name}-a"] = _subnet(ec2, spoke, f"{name}-a", cidr.replace(".0.0/16",
                                                                                  ".1.0/24"),
                                            "us-east-1a")
        ids[f"{name}-server"] = _launch(ec2, f"{name}-server", subnet,
                                        ec2.describe_security_groups(Filters=[
                                            {"Name": "vpc-id", "Values": [spoke]}])[
                                            "SecurityGroups"][0]["GroupId"])
        spokes[name] = (spoke, [subnet])
    cloud.advance(seconds=60)
    for name, (spoke, subnets) in spokes.items():
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=ids["tgw"], VpcId=spoke,
                                                  SubnetIds=subnets)
    cloud.advance(seconds=120)
    # Site-to-Site VPN to the data center through a virtual private gateway on the app VPC
    ids["vgw"] = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=ids["vgw"])
    ids["cgw"] = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65000,
                                             IpAddress="198.51.100.12",
                                             TagSpecifications=_tags("data-center",
                                                                     "customer-gateway"))[
        "CustomerGateway"]["CustomerGatewayId"]
    ids["vpn"] = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=ids["cgw"],
                                           VpnGatewayId=ids["vgw"],
                                           Options={"StaticRoutesOnly": True})[
        "VpnConnection"]["VpnConnectionId"]
    ec2.create_vpn_connection_route(VpnConnectionId=ids["vpn"],
                                    DestinationCidrBlock="192.168.0.0/16")
    # a peering with a partner VPC
    ids["partner"] = _vpc(ec2, "partner", "172.20.0.0/16")
    ids["partner-a"] = _subnet(ec2, ids["partner"], "partner-a", "172.20.1.0/24", "us-east-1b")
    cloud.advance(seconds=5)
    ids["pcx"] = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=ids["partner"])[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    cloud.advance(seconds=5)
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=ids["pcx"])
    cloud.advance(seconds=400)                  # the VPN and the peering come up
    for az in "ab":
        ids[f"private-{az}-rt"] = _table(ec2, vpc, f"private-{az}", [ids[f"private-{az}"]], routes={
            "0.0.0.0/0": {"NatGatewayId": ids[f"nat-{az}"]},
            "10.1.0.0/16": {"TransitGatewayId": ids["tgw"]},
            "10.2.0.0/16": {"TransitGatewayId": ids["tgw"]},
            "172.20.0.0/16": {"VpcPeeringConnectionId": ids["pcx"]},
            "192.168.0.0/16": {"GatewayId": ids["vgw"]}})
    for name in ("shared", "data"):
        _table(ec2, ids[name], name, [ids[f"{name}-a"]],
               routes={"10.0.0.0/8": {"TransitGatewayId": ids["tgw"]}})
    _table(ec2, ids["partner"], "partner", [ids["partner-a"]],
           routes={"10.0.10.0/23": {"VpcPeeringConnectionId": ids["pcx"]}})
    _private_access(cloud, ids)
    _edge(cloud, ids)
    return cloud, ids


def _private_access(cloud: Cloud, ids: dict) -> None:
    """VPC endpoints (S3 through a gateway endpoint on the private route tables; SQS through an
    interface endpoint in each private subnet) and Client VPN for remote staff."""
    ec2 = cloud.client("ec2")
    private = [ids["private-a"], ids["private-b"]]
    ids["s3-endpoint"] = ec2.create_vpc_endpoint(
        VpcId=ids["vpc"], ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway",
        RouteTableIds=[ids["private-a-rt"], ids["private-b-rt"]])["VpcEndpoint"]["VpcEndpointId"]
    ec2.modify_vpc_attribute(VpcId=ids["vpc"], EnableDnsHostnames={"Value": True})
    group = ec2.create_security_group(VpcId=ids["vpc"], GroupName="endpoints",
                                      Description="HTTPS from the VPC")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    ids["sqs-endpoint"] = ec2.create_vpc_endpoint(
        VpcId=ids["vpc"], ServiceName="com.amazonaws.us-east-1.sqs",
        VpcEndpointType="Interface", SubnetIds=private, SecurityGroupIds=[group],
        PrivateDnsEnabled=True)["VpcEndpoint"]["VpcEndpointId"]
    ids["client-vpn"] = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="10.100.0.0/22",
        ServerCertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/vpn-server",
        AuthenticationOptions=[{"Type": "certificate-authentication",
                                "MutualAuthentication": {"ClientRootCertificateChainArn": (
                                    "arn:aws:acm:us-east-1:123456789012:certificate/clients")}}],
        ConnectionLogOptions={"Enabled": False}, VpcId=ids["vpc"])["ClientVpnEndpointId"]
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=ids["client-vpn"],
                                            SubnetId=ids["private-a"])
    ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=ids["client-vpn"],
                                     TargetNetworkCidr="10.0.0.0/16", AuthorizeAllGroups=True)
    cloud.advance(seconds=180)                  # the interface endpoint and Client VPN are up


def _edge(cloud: Cloud, ids: dict) -> None:
    """CloudFront in front of an S3 bucket; Route 53 failover from the web server to it."""
    cloud.client("s3").create_bucket(Bucket="example-site-assets")
    dist = cloud.client("cloudfront").create_distribution(DistributionConfig={
        "CallerReference": "site", "Comment": "static site", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "assets", "DomainName": "example-site-assets.s3.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "assets",
                                 "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}})[
        "Distribution"]
    ids["distribution"] = dist["Id"]
    ec2, r53 = cloud.client("ec2"), cloud.client("route53")
    web = ec2.describe_instances(InstanceIds=[ids["web-a"]])["Reservations"][0]["Instances"][0]
    zone = r53.create_hosted_zone(Name="example.com", CallerReference="example.com")[
        "HostedZone"]["Id"].split("/")[-1]
    check = r53.create_health_check(CallerReference="web-a", HealthCheckConfig={
        "Type": "HTTPS", "IPAddress": web["PublicIpAddress"], "Port": 443,
        "RequestInterval": 10, "FailureThreshold": 3})["HealthCheck"]["Id"]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "CREATE", "ResourceRecordSet": {
            "Name": "www.example.com", "Type": "A", "SetIdentifier": "web", "TTL": 60,
            "Failover": "PRIMARY", "HealthCheckId": check,
            "ResourceRecords": [{"Value": web["PublicIpAddress"]}]}},
        {"Action": "CREATE", "ResourceRecordSet": {
            "Name": "www.example.com", "Type": "A", "SetIdentifier": "static-site",
            "Failover": "SECONDARY", "AliasTarget": {
                "HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": dist["DomainName"],
                "EvaluateTargetHealth": False}}}]})
    ids.update(zone=zone, health_check=check)
    cloud.advance(seconds=300)                  # the distribution is Deployed


