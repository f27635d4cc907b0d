"""Issue 5's acceptance: the typical architecture, built by unmodified boto3 code under
``awskit.mock_aws()``, answers reachability questions for every connectivity option and names
the rule that blocks a flow."""

import json

import boto3

import awskit


def tags(name, kind):
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def build(cloud):
    """Plain boto3, as a student would write it; returns the ids the questions need."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ids = {}
    vpc = ids["vpc"] = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sub = {name: ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)[
        "Subnet"]["SubnetId"] for name, cidr, az in [
        ("public", "10.0.0.0/24", "us-east-1a"), ("private", "10.0.10.0/24", "us-east-1a")]}
    ids.update(sub)
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=sub["public"])
    web_sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web_sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    app_sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=app_sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
        "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "192.168.0.0/16"}]}])

    def launch(subnet, group, public=False):
        return ec2.run_instances(ImageId="ami-1", InstanceType="t3.micro", MinCount=1,
                                 MaxCount=1, NetworkInterfaces=[{
                                     "DeviceIndex": 0, "SubnetId": subnet, "Groups": [group],
                                     "AssociatePublicIpAddress": public}])[
            "Instances"][0]["InstanceId"]

    ids["web"] = launch(sub["public"], web_sg, public=True)
    ids["app"] = launch(sub["private"], app_sg)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=sub["public"], AllocationId=eip)["NatGateway"][
        "NatGatewayId"]
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat])
    private_rt = ids["private_rt"] = ec2.create_route_table(VpcId=vpc)["RouteTable"][
        "RouteTableId"]
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=sub["private"])

    def spoke(name, cidr):
        spoke_vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=spoke_vpc, CidrBlock=cidr.replace(".0.0/16", ".1.0/24"),
                                   AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        group = ec2.describe_security_groups(Filters=[
            {"Name": "vpc-id", "Values": [spoke_vpc]}])["SecurityGroups"][0]["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
        table = ec2.describe_route_tables(Filters=[
            {"Name": "vpc-id", "Values": [spoke_vpc]}])["RouteTables"][0]["RouteTableId"]
        return spoke_vpc, subnet, table, launch(subnet, group)

    # peering
    partner, _, partner_rt, ids["partner"] = spoke("partner", "10.20.0.0/16")
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=partner)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    cloud.advance(seconds=5)
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    cloud.advance(seconds=5)
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="10.20.0.0/16",
                     VpcPeeringConnectionId=pcx)
    ec2.create_route(RouteTableId=partner_rt, DestinationCidrBlock="10.0.0.0/16",
                     VpcPeeringConnectionId=pcx)
    # transit gateway
    shared, shared_subnet, shared_rt, ids["shared"] = spoke("shared", "10.30.0.0/16")
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    cloud.advance(seconds=120)
    for attach_vpc, subnet in [(vpc, sub["private"]), (shared, shared_subnet)]:
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=attach_vpc,
                                                  SubnetIds=[subnet])
    cloud.advance(seconds=120)
    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="10.30.0.0/16",
                     TransitGatewayId=tgw)
    ec2.create_route(RouteTableId=shared_rt, DestinationCidrBlock="10.0.0.0/16",
                     TransitGatewayId=tgw)
    # Site-to-Site VPN
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    ids["cgw"] = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65000,
                                             IpAddress="198.51.100.12")[
        "CustomerGateway"]["CustomerGatewayId"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=ids["cgw"],
                                    VpnGatewayId=vgw, Options={"StaticRoutesOnly": True})[
        "VpnConnection"]["VpnConnectionId"]
    ec2.create_vpn_connection_route(VpnConnectionId=vpn, DestinationCidrBlock="192.168.0.0/16")
    cloud.advance(seconds=400)
    ec2.enable_vgw_route_propagation(RouteTableId=private_rt, GatewayId=vgw)
    # Client VPN
    ids["cvpn"] = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="10.100.0.0/22",
        ServerCertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/server",
        AuthenticationOptions=[{"Type": "certificate-authentication", "MutualAuthentication": {
            "ClientRootCertificateChainArn": "arn:aws:acm:us-east-1:123456789012:certificate/c"}}],
        ConnectionLogOptions={"Enabled": False}, VpcId=vpc)["ClientVpnEndpointId"]
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=ids["cvpn"],
                                            SubnetId=sub["private"])
    cloud.advance(seconds=180)
    # gateway endpoint for S3
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.s3",
                            VpcEndpointType="Gateway", RouteTableIds=[private_rt])
    return ec2, ids


def test_the_typical_architecture_built_with_boto3_answers_for_every_option(no_network):
    with awskit.mock_aws() as cloud:
        ec2, ids = build(cloud)
        ask = cloud.ec2.reachability

        def path(answer):
            return list(dict.fromkeys(hop.component for hop in answer.hops))

        assert ask("internet", ids["web"], "tcp", 443).reachable                   # IGW
        outbound = ask(ids["app"], "internet", "tcp", 443)                          # NAT
        assert outbound.reachable and "NAT gateway" in path(outbound)
        assert not ask("internet", ids["app"], "tcp", 8080).reachable
        peered = ask(ids["app"], ids["partner"], "tcp", 22)                         # peering
        assert peered.reachable and "VPC peering" in path(peered)
        hub = ask(ids["app"], ids["shared"], "tcp", 22)                              # TGW
        assert hub.reachable and "Transit gateway" in path(hub)
        office = ask(f"onprem:{ids['cgw']}", ids["app"], "tcp", 8080)               # VPN
        assert office.reachable and "Site-to-Site VPN" in path(office)
        s3 = ask(ids["app"], "s3", "tcp", 443)                                       # endpoint
        assert s3.reachable and "VPC endpoint" in path(s3) and "NAT gateway" not in path(s3)
        remote = ask(f"clientvpn:{ids['cvpn']}", ids["app"], "tcp", 8080)           # Client VPN
        assert not remote.reachable and "authorization rule" in remote.blocked_by.rule
        ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=ids["cvpn"],
                                         TargetNetworkCidr="10.0.0.0/16",
                                         AuthorizeAllGroups=True)
        assert ask(f"clientvpn:{ids['cvpn']}", ids["app"], "tcp", 8080).reachable
        ssh = ask("internet", ids["web"], "tcp", 22)                                 # named rule
        assert ssh.blocked_by.component == "Security group"
        assert "no rule allows tcp 22" in ssh.blocked_by.rule
        # the answer through the Reachability Analyzer API agrees
        path_id = ec2.create_network_insights_path(Source=ids["app"], Destination=ids["shared"],
                                                   Protocol="tcp", DestinationPort=22)[
            "NetworkInsightsPath"]["NetworkInsightsPathId"]
        analysis = ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)[
            "NetworkInsightsAnalysis"]
        found = ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[
            analysis["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"][0]
        assert found["NetworkPathFound"] is True
        assert any("tgw-" in json.dumps(component, default=str)
                   for component in found["ForwardPathComponents"])


def test_an_answer_draws_itself_on_the_network():
    cloud = awskit.Cloud(seed=0)
    ec2 = cloud.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    target = ec2.run_instances(ImageId="ami-1", InstanceType="t3.micro", MinCount=1, MaxCount=1,
                               SubnetId=subnet)["Instances"][0]["InstanceId"]
    cloud.advance(seconds=60)
    answer = cloud.ec2.reachability("internet", target, "tcp", 22)   # no public address
    assert not answer.reachable
    drawn = answer.diagram().source
    assert drawn == cloud.diagram(reachability=answer).source
    assert "#DD344C" in drawn                                         # the block, in red
