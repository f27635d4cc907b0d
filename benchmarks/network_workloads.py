"""The network benchmark's workloads: a 50-VPC, 500-instance network asked reachability
questions, drawn, and EC2 networking calls through boto3 (under awskit and under moto).

The network (built through boto3 under awskit, untimed): 5 accounts × 3 Regions (us-east-1,
us-west-2, eu-west-1); the VPC quota is 5 per Region and the default VPC counts, so at most 4
VPCs per account and Region: 50 VPCs over the 15 (account, Region) pairs, each 10.k.0.0/16.
Each VPC has an internet gateway, a public subnet (0.0.0.0/0 → igw), a private subnet with its
own network ACL (10.0.0.0/8 in, replies to ephemeral ports, everything out), groups ``web``
(443 from anywhere, 22 from 10.0.0.0/8), ``app`` (8080 from ``web``) and ``db`` (5432 from
``app``), and 10 instances: 2 web (public IPs), 5 app, 3 db. The VPCs of one (account, Region)
share a transit gateway (10.0.0.0/8 → tgw from the private subnets); the first VPC of each pair
is peered with the first VPC of the next pair (a ring of 15 peering connections, across
accounts and Regions) and has a NAT gateway for its private subnet. Questions are drawn from a
seeded mix: inside a VPC (group references), across the transit gateway, over a peering, two
peerings away (refused: peering does not transit, and each transit gateway serves one account
and Region), from the internet, out through the NAT gateway.
"""

from __future__ import annotations

import random
import statistics
import time

import boto3

REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
AMI = "ami-0abcdef1234567890"


def _sg(ec2, vpc: str, name: str, rules) -> str:
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
    perms = []
    for port, peer in rules:
        perm = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
        if peer.startswith("sg-"):
            perm["UserIdGroupPairs"] = [{"GroupId": peer}]
        else:
            perm["IpRanges"] = [{"CidrIp": peer}]
        perms.append(perm)
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=perms)
    return group


def _vpc(ec2, k: int, az: str) -> dict:
    """One VPC of the network (see the module docstring), without instances."""
    cidr = f"10.{k}.0.0/16"
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{k}.1.0/24", AvailabilityZone=az)[
        "Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{k}.2.0/24", AvailabilityZone=az)[
        "Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=public)
    inner = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=inner, SubnetId=private)
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for number, egress, cidr, ports in ((100, False, "10.0.0.0/8", None),
                                        (110, False, "0.0.0.0/0", (1024, 65535)),
                                        (100, True, "0.0.0.0/0", None)):
        entry = {"NetworkAclId": acl, "RuleNumber": number, "Egress": egress,
                 "Protocol": "-1" if ports is None else "6", "RuleAction": "allow",
                 "CidrBlock": cidr}
        if ports:
            entry["PortRange"] = {"From": ports[0], "To": ports[1]}
        ec2.create_network_acl_entry(**entry)
    [current] = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id",
                                                    "Values": [private]}])["NetworkAcls"]
    assoc = next(a for a in current["Associations"] if a["SubnetId"] == private)
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"],
                                        NetworkAclId=acl)
    web = _sg(ec2, vpc, "web", [(443, "0.0.0.0/0"), (22, "10.0.0.0/8")])
    app = _sg(ec2, vpc, "app", [(8080, web)])
    db = _sg(ec2, vpc, "db", [(5432, app)])
    return {"vpc": vpc, "k": k, "public": public, "private": private, "rtb": inner,
            "public_rtb": rtb,
            "web_sg": web, "app_sg": app, "db_sg": db}


def _run(ec2, subnet: str, group: str, count: int, public: bool) -> list[str]:
    nic = {"DeviceIndex": 0, "SubnetId": subnet, "Groups": [group],
           "AssociatePublicIpAddress": public}
    out = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=count,
                            MaxCount=count, NetworkInterfaces=[nic])["Instances"]
    return [i["InstanceId"] for i in out]


def build_network(cloud, vpcs: int = 50, per_vpc: int = 10) -> dict:
    """The network of the module docstring, in ``cloud``; returns its VPC records."""
    accounts = [cloud.default_account] + [cloud.new_account() for _ in range(4)]
    pairs = [(a, r) for a in accounts for r in REGIONS]
    clients = {p: cloud.client("ec2", p[0], region_name=p[1]) for p in pairs}
    built, k = [], 0
    for round_ in range(4):
        for pair in pairs:
            if k < vpcs:
                net = _vpc(clients[pair], k, f"{pair[1]}a")
                net.update(pair=pair, index=round_)
                built.append(net)
                k += 1
    cloud.advance(seconds=5)
    for net in built:
        ec2 = clients[net["pair"]]
        net["web"] = _run(ec2, net["public"], net["web_sg"], 2, True)
        net["app"] = _run(ec2, net["private"], net["app_sg"], max(1, per_vpc // 2), False)
        net["db"] = _run(ec2, net["private"], net["db_sg"], per_vpc - 2 - per_vpc // 2, False)
    heads = {pair: next(n for n in built if n["pair"] == pair) for pair in pairs}
    for pair, head in heads.items():            # a NAT gateway for each pair's first VPC
        ec2 = clients[pair]
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        head["nat"] = ec2.create_nat_gateway(SubnetId=head["public"], AllocationId=eip)[
            "NatGateway"]["NatGatewayId"]
    tgws = {pair: clients[pair].create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
            for pair in pairs}
    cloud.advance(seconds=120)
    for net in built:
        clients[net["pair"]].create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgws[net["pair"]], VpcId=net["vpc"], SubnetIds=[net["private"]])
    for i, pair in enumerate(pairs):             # the ring of peerings between pair heads
        a, b = heads[pair], heads[pairs[(i + 1) % len(pairs)]]
        pcx = clients[pair].create_vpc_peering_connection(
            VpcId=a["vpc"], PeerVpcId=b["vpc"], PeerOwnerId=b["pair"][0],
            PeerRegion=b["pair"][1])["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        cloud.advance(seconds=5)
        clients[b["pair"]].accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
        a.setdefault("peers", []).append((b, pcx))
        b.setdefault("peers", []).append((a, pcx))
    cloud.advance(seconds=120)
    for net in built:
        ec2 = clients[net["pair"]]
        for rtb in (net["rtb"], net["public_rtb"]):
            ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/8",
                             TransitGatewayId=tgws[net["pair"]])
            for other, pcx in net.get("peers", []):
                ec2.create_route(RouteTableId=rtb, DestinationCidrBlock=f"10.{other['k']}.0.0/16",
                                 VpcPeeringConnectionId=pcx)
        if "nat" in net:
            ec2.create_route(RouteTableId=net["rtb"], DestinationCidrBlock="0.0.0.0/0",
                             NatGatewayId=net["nat"])
    return {"vpcs": built, "tgws": tgws}


def questions(network: dict, n: int, seed: int = 7) -> list[tuple]:
    """n (source, destination, protocol, port) questions from the seeded mix."""
    rng = random.Random(seed)
    vpcs = network["vpcs"]
    heads = [v for v in vpcs if "peers" in v]
    out = []
    for i in range(n):
        kind = i % 6
        v = rng.choice(vpcs)
        if kind == 0:
            out.append((rng.choice(v["app"]), rng.choice(v["db"]), "tcp", 5432))
        elif kind == 1:
            mates = [w for w in vpcs if w["pair"] == v["pair"] and w is not v] or [v]
            out.append((rng.choice(v["app"]), rng.choice(rng.choice(mates)["web"]), "tcp", 443))
        elif kind == 2:
            h = rng.choice(heads)
            other, _ = rng.choice(h["peers"])
            out.append((rng.choice(h["app"]), rng.choice(other["web"]), "tcp", 22))
        elif kind == 3:
            h = rng.choice(heads)
            far = heads[(heads.index(h) + 2) % len(heads)]
            out.append((rng.choice(h["app"]), rng.choice(far["db"]), "tcp", 5432))
        elif kind == 4:
            out.append(("internet", rng.choice(v["web"]), "tcp", 443))
        else:
            out.append((rng.choice(rng.choice(heads)["app"]), "internet", "tcp", 443))
    return out


def reachability_queries(cloud, asked: list[tuple]) -> dict:
    """Time each question (ms) after an untimed warm-up of ten; returns the times and how
    many were reachable."""
    for question in asked[:10]:
        cloud.ec2.reachability(*question)
    times, reachable = [], 0
    for source, destination, protocol, port in asked:
        t0 = time.perf_counter()
        answer = cloud.ec2.reachability(source, destination, protocol, port)
        times.append((time.perf_counter() - t0) * 1000)
        reachable += answer.reachable
    times.sort()
    return {"n": len(times), "mean": statistics.fmean(times), "median": statistics.median(times),
            "p95": times[int(0.95 * (len(times) - 1))], "max": times[-1],
            "reachable": reachable}


def diagram_times(cloud) -> dict:
    """Seconds to build ``cloud.diagram()`` (graph + DOT) and to render it to SVG."""
    t0 = time.perf_counter()
    diagram = cloud.diagram()
    built = time.perf_counter() - t0
    from awskit.diagrams.render import render_svg
    render_svg.cache_clear()
    t0 = time.perf_counter()
    svg = diagram.svg()
    rendered = time.perf_counter() - t0 if svg else None
    return {"build": built, "render": rendered, "nodes": diagram.source.count("\n"),
            "summary": diagram.summary}


def ec2_calls(n: int) -> tuple[int, float]:
    """boto3 EC2 networking calls (inside an active mock): one VPC, then per step a subnet, a
    security group, an ingress rule, a route table and a route, and Describe calls (subnets,
    groups, route tables; VPCs every tenth step). n <= 190 (subnets per VPC: 200)."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ops = 0
    t0 = time.perf_counter()
    for i in range(n):
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName=f"g{i}", Description="bench",
                                          VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        ec2.describe_subnets(SubnetIds=[subnet])
        ec2.describe_security_groups(GroupIds=[group])
        ec2.describe_route_tables(RouteTableIds=[table])
        ops += 8
        if i % 10 == 9:
            ec2.describe_vpcs(VpcIds=[vpc])
            ops += 1
    return ops, time.perf_counter() - t0
