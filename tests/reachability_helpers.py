"""Networks built through boto3 for the reachability tests (tests/test_ec2_reachability*.py)
and the network benchmark. Every builder takes an ``ec2`` boto3 client of the cloud and moves
the cloud's clock on where AWS would make the caller wait (VPCs, subnets, instances, NAT
gateways, peering, transit gateways)."""

from __future__ import annotations

import pytest

AMI = "ami-0abcdef1234567890"


@pytest.fixture
def ec2(cloud):
    """A boto3 EC2 client of the test's cloud (import it into a test module to use it)."""
    return cloud.client("ec2")


@pytest.fixture
def net(cloud, ec2):
    """:func:`web_vpc`, available."""
    built = web_vpc(ec2)
    settle(cloud, 5)
    return built


def settle(cloud, seconds: float = 120) -> None:
    """Let what is pending on the clock become available (instances boot in 30 s, NAT gateways
    and transit gateway attachments take 60 s)."""
    cloud.advance(seconds=seconds)


def vpc(ec2, cidr: str = "10.0.0.0/16") -> str:
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def subnet(ec2, vpc_id: str, cidr: str, az: str = "us-east-1a") -> str:
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"][
        "SubnetId"]


def table(ec2, vpc_id: str, subnet_ids=(), routes=()) -> str:
    """A route table associated with ``subnet_ids``; ``routes``: (destination, {target})."""
    rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    for destination, target in routes:
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock=destination, **target)
    for subnet_id in subnet_ids:
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet_id)
    return rtb


def igw(ec2, vpc_id: str) -> str:
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    return gateway


def group(ec2, vpc_id: str, name: str, ingress=()) -> str:
    """A security group (all outbound) with inbound ``(protocol, port, cidr)`` rules; a peer
    starting with ``sg-`` is a group reference."""
    group_id = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)[
        "GroupId"]
    for protocol, port, peer in ingress:
        allow(ec2, group_id, protocol, port, peer)
    return group_id


def allow(ec2, group_id: str, protocol: str, port, peer: str, egress: bool = False) -> None:
    perm = {"IpProtocol": protocol}
    if protocol in ("tcp", "udp"):
        low, high = port if isinstance(port, tuple) else (port, port)
        perm.update(FromPort=low, ToPort=high)
    elif protocol == "icmp":
        perm.update(FromPort=-1, ToPort=-1)
    if peer.startswith("sg-"):
        perm["UserIdGroupPairs"] = [{"GroupId": peer}]
    else:
        perm["IpRanges"] = [{"CidrIp": peer}]
    call = ec2.authorize_security_group_egress if egress else ec2.authorize_security_group_ingress
    call(GroupId=group_id, IpPermissions=[perm])


def instance(ec2, subnet_id: str, groups=None, public: bool = False, ip: str | None = None):
    nic = {"DeviceIndex": 0, "SubnetId": subnet_id, "AssociatePublicIpAddress": public}
    if groups:
        nic["Groups"] = list(groups)
    if ip:
        nic["PrivateIpAddress"] = ip
    return ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                             NetworkInterfaces=[nic])["Instances"][0]["InstanceId"]


def nacl(ec2, vpc_id: str, subnet_id: str, entries) -> str:
    """A new network ACL for ``subnet_id`` with ``entries``: (number, egress, protocol,
    action, cidr, (from, to) or None)."""
    acl = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    for entry in entries:
        acl_entry(ec2, acl, *entry)
    [current] = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id",
                                                    "Values": [subnet_id]}])["NetworkAcls"]
    assoc = next(a for a in current["Associations"] if a["SubnetId"] == subnet_id)
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"],
                                        NetworkAclId=acl)
    return acl


def acl_entry(ec2, acl: str, number: int, egress: bool, protocol: str, action: str, cidr: str,
              ports=None, replace: bool = False) -> None:
    params = {"NetworkAclId": acl, "RuleNumber": number, "Egress": egress,
              "Protocol": protocol, "RuleAction": action, "CidrBlock": cidr}
    if ports is not None:
        params["PortRange"] = {"From": ports[0], "To": ports[1]}
    (ec2.replace_network_acl_entry if replace else ec2.create_network_acl_entry)(**params)


def web_vpc(ec2, cidr: str = "10.0.0.0/16", az: str = "us-east-1a") -> dict:
    """A VPC with an internet gateway, a public subnet (x.x.1.0/24, route 0.0.0.0/0 → igw) and
    a private subnet (x.x.2.0/24, main route table: local only), and a ``web`` group allowing
    tcp 443 and 22 from anywhere."""
    base = cidr.split(".")
    prefix = f"{base[0]}.{base[1]}"
    v = vpc(ec2, cidr)
    public = subnet(ec2, v, f"{prefix}.1.0/24", az)
    private = subnet(ec2, v, f"{prefix}.2.0/24", az)
    gateway = igw(ec2, v)
    rtb = table(ec2, v, [public], [("0.0.0.0/0", {"GatewayId": gateway})])
    web = group(ec2, v, "web", [("tcp", 443, "0.0.0.0/0"), ("tcp", 22, "0.0.0.0/0")])
    return {"vpc": v, "public": public, "private": private, "igw": gateway, "public_rtb": rtb,
            "web": web}


def peer(ec2, vpc_a: str, vpc_b: str, cloud) -> str:
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    settle(cloud, 5)
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    settle(cloud, 10)
    return pcx


def main_table(ec2, vpc_id: str) -> str:
    [rtb] = ec2.describe_route_tables(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]},
        {"Name": "association.main", "Values": ["true"]}])["RouteTables"]
    return rtb["RouteTableId"]


def vpn_to(cloud, ec2, v: dict, cidr: str = "192.168.0.0/16", propagate: bool = False) -> dict:
    """A virtual private gateway on ``v["vpc"]``, a static VPN to a customer gateway with
    ``cidr`` behind it, and a route (or VGW route propagation) in ``v["rtb"]``."""
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=v["vpc"], VpnGatewayId=vgw)
    cgw = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65000, IpAddress="198.51.100.7")[
        "CustomerGateway"]["CustomerGatewayId"]
    vpn = ec2.create_vpn_connection(CustomerGatewayId=cgw, Type="ipsec.1", VpnGatewayId=vgw,
                                    Options={"StaticRoutesOnly": True})["VpnConnection"][
        "VpnConnectionId"]
    settle(cloud, 600)
    ec2.create_vpn_connection_route(VpnConnectionId=vpn, DestinationCidrBlock=cidr)
    if propagate:
        ec2.enable_vgw_route_propagation(GatewayId=vgw, RouteTableId=v["rtb"])
    else:
        ec2.create_route(RouteTableId=v["rtb"], DestinationCidrBlock=cidr, GatewayId=vgw)
    return {"vgw": vgw, "cgw": cgw, "vpn": vpn}


CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"


def client_vpn_endpoint(ec2) -> str:
    """A Client VPN endpoint (client CIDR 172.20.0.0/22, mutual authentication)."""
    return ec2.create_client_vpn_endpoint(
        ClientCidrBlock="172.20.0.0/22", ServerCertificateArn=CERT,
        AuthenticationOptions=[{"Type": "certificate-authentication", "MutualAuthentication": {
            "ClientRootCertificateChainArn": CERT}}],
        ConnectionLogOptions={"Enabled": False})["ClientVpnEndpointId"]
