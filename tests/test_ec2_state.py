"""EC2 as a whole: tags on any resource, traces, the graph, save/load (with transitions still
pending on the clock) and determinism."""

import json

import pytest
from ec2_helpers import code, launch, make_subnet, make_vpc, public_network

import awskit


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


def build(cloud) -> dict:
    """A small network with something of every kind, some of it mid-transition."""
    ec2 = cloud.client("ec2")
    net = public_network(ec2)
    private = make_subnet(ec2, net["vpc"], "10.0.2.0/24", az="us-east-1b")
    allocation = ec2.allocate_address()["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=net["subnet"], AllocationId=allocation)[
        "NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=private)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    web = ec2.create_security_group(GroupName="web", Description="d", VpcId=net["vpc"])[
        "GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    acl = ec2.create_network_acl(VpcId=net["vpc"])["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                                 RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                                 PortRange={"From": 443, "To": 443})
    [inst] = launch(ec2, net["subnet"], SecurityGroupIds=[web],
                    TagSpecifications=[{"ResourceType": "instance",
                                        "Tags": [{"Key": "Name", "Value": "web-1"}]}])
    ec2.create_tags(Resources=[net["vpc"], net["subnet"]], Tags=[{"Key": "env", "Value": "dev"}])
    return {**net, "private": private, "nat": nat, "web": web, "acl": acl,
            "instance": inst["InstanceId"], "ip": inst["PrivateIpAddress"],
            "allocation": allocation}


def describe_all(ec2) -> dict:
    return {name: {k: v for k, v in getattr(ec2, f"describe_{name}")().items()
                   if k != "ResponseMetadata"}
            for name in ("vpcs", "subnets", "route_tables", "internet_gateways", "addresses",
                         "nat_gateways", "security_groups", "network_acls",
                         "network_interfaces", "instances", "tags")}


# -- tags ---------------------------------------------------------------------------------------
def test_tags_on_any_resource(cloud, ec2):
    ids = build(cloud)
    rows = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["env"]}])["Tags"]
    assert {(r["ResourceId"], r["ResourceType"]) for r in rows} == {
        (ids["vpc"], "vpc"), (ids["subnet"], "subnet")}
    ec2.create_tags(Resources=[ids["instance"], ids["web"], ids["nat"], ids["allocation"]],
                    Tags=[{"Key": "team", "Value": "net"}])
    kinds = {r["ResourceType"] for r in ec2.describe_tags(Filters=[
        {"Name": "key", "Values": ["team"]}])["Tags"]}
    assert kinds == {"instance", "security-group", "natgateway", "elastic-ip"}
    ec2.delete_tags(Resources=[ids["vpc"]], Tags=[{"Key": "env", "Value": "other"}])
    assert ec2.describe_vpcs(VpcIds=[ids["vpc"]])["Vpcs"][0]["Tags"] == [
        {"Key": "env", "Value": "dev"}]                            # value did not match
    ec2.delete_tags(Resources=[ids["vpc"]], Tags=[{"Key": "env"}])
    assert "Tags" not in ec2.describe_vpcs(VpcIds=[ids["vpc"]])["Vpcs"][0]
    ec2.delete_tags(Resources=[ids["instance"]])
    assert ec2.describe_tags(Filters=[{"Name": "resource-id",
                                       "Values": [ids["instance"]]}])["Tags"] == []
    assert code(ec2.create_tags, Resources=["vpc-0123456789abcdef0"], Tags=[
        {"Key": "a", "Value": "b"}]) == "InvalidVpcID.NotFound"
    assert code(ec2.create_tags, Resources=["ami-0123"], Tags=[{"Key": "a", "Value": "b"}]) == \
        "InvalidID"
    assert code(ec2.create_tags, Resources=[], Tags=[{"Key": "a", "Value": "b"}]) == \
        "MissingParameter"
    assert code(ec2.create_tags, Resources=[ids["vpc"]], Tags=[
        {"Key": f"k{i}", "Value": "v"} for i in range(51)]) == "TagLimitExceeded"
    assert code(ec2.create_tags, Resources=[ids["vpc"]], Tags=[
        {"Key": "aws:reserved", "Value": "v"}]) == "InvalidParameterValue"
    # nothing was half-applied by the failed calls
    assert "Tags" not in ec2.describe_vpcs(VpcIds=[ids["vpc"]])["Vpcs"][0]


# -- traces -------------------------------------------------------------------------------------
def test_traces_name_the_components(cloud, ec2):
    build(cloud)
    components = set()
    for trace in cloud.traces:
        if trace.service == "ec2":
            components.update(trace.components)
    assert {"EC2 API", "IAM", "VPC router", "Security group", "Network ACL",
            "Internet gateway", "NAT gateway"} <= components
    first = [t for t in cloud.traces if t.service == "ec2"][0]
    assert any("default VPC" in step.action for step in first)
    cloud.advance(120)
    ec2.describe_vpcs()
    last = list(cloud.traces)[-1]
    assert any("Due on the clock" in s.action and "NAT gateway" in s.action for s in last)


# -- the graph ----------------------------------------------------------------------------------
def test_graph_nodes_and_edges(cloud):
    ids = build(cloud)
    graph = cloud.graph()
    arn = f"arn:aws:ec2:us-east-1:{cloud.default_account}"
    vpc, subnet = f"{arn}:vpc/{ids['vpc']}", f"{arn}:subnet/{ids['subnet']}"
    inst, table = f"{arn}:instance/{ids['instance']}", f"{arn}:route-table/{ids['table']}"
    igw, nat = f"{arn}:internet-gateway/{ids['igw']}", f"{arn}:natgateway/{ids['nat']}"
    assert graph.nodes[vpc]["type"] == "ec2-vpc" and graph.nodes[vpc]["cidrs"] == ["10.0.0.0/16"]
    assert graph.nodes[subnet]["az"] == "us-east-1a"
    assert graph.nodes[inst]["name"] == "web-1" and graph.nodes[inst]["state"] == "pending"
    assert graph.edges[vpc, subnet]["relation"] == "contains"
    assert graph.edges[subnet, inst]["relation"] == "contains"
    assert graph.edges[igw, vpc]["relation"] == "attached-to"
    assert graph.edges[table, subnet]["relation"] == "associated-with"
    assert graph.edges[table, igw] == {"relation": "routes-to", "destinations": ["0.0.0.0/0"],
                                       "state": "active"}
    private_table = [t for t in graph.predecessors(f"{arn}:subnet/{ids['private']}")
                     if graph.nodes[t]["type"] == "ec2-route-table"]
    assert [graph.edges[private_table[0], nat]["relation"]] == ["routes-to"]
    eni = [n for n in graph.predecessors(inst) if graph.nodes[n]["type"] ==
           "ec2-network-interface"][0]
    assert graph.edges[eni, f"{arn}:security-group/{ids['web']}"]["relation"] == \
        "associated-with"
    assert graph.nodes[eni]["private_ip"] == ids["ip"]
    types = {d["type"] for _, d in graph.nodes(data=True) if d["type"].startswith("ec2-")}
    assert types == {"ec2-vpc", "ec2-subnet", "ec2-route-table", "ec2-internet-gateway",
                     "ec2-nat-gateway", "ec2-elastic-ip", "ec2-security-group",
                     "ec2-network-acl", "ec2-network-interface", "ec2-instance"}
    assert cloud.diagram() is not None                          # draws without trouble


# -- save / load --------------------------------------------------------------------------------
def test_save_and_load_round_trip_with_transitions_pending(cloud, tmp_path):
    ids = build(cloud)
    path = cloud.save(tmp_path / "cloud.json")
    loaded = awskit.Cloud.load(path)
    assert describe_all(loaded.client("ec2")) == describe_all(cloud.client("ec2"))
    assert json.loads(json.dumps(loaded.state()["services"]["ec2"])) == \
        json.loads(json.dumps(cloud.state()["services"]["ec2"]))
    # what was pending goes on exactly as in the original
    for c in (cloud, loaded):
        c.advance(120)
    for c in (cloud, loaded):
        ec2 = c.client("ec2")
        assert ec2.describe_nat_gateways(NatGatewayIds=[ids["nat"]])["NatGateways"][0][
            "State"] == "available"
        assert c.ec2.instance_by_ip(ids["ip"]).state == "running"
    a, b = cloud.client("ec2"), loaded.client("ec2")
    assert a.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"] == \
        b.create_vpc(CidrBlock="10.7.0.0/16")["Vpc"]["VpcId"]       # ids continue alike
    assert describe_all(a) == describe_all(b)


def test_same_seed_same_network_different_seed_different_ids():
    runs = []
    for seed in (7, 7, 8):
        cloud = awskit.Cloud(seed=seed)
        build(cloud)
        cloud.advance(100)
        runs.append((describe_all(cloud.client("ec2")),
                     [t.to_dict() for t in cloud.traces if t.service == "ec2"]))
    assert runs[0] == runs[1]
    ids = lambda run: {v["VpcId"] for v in run[0]["vpcs"]["Vpcs"]}     # noqa: E731
    assert ids(runs[0]) != ids(runs[2]) and len(ids(runs[2])) == 2


def test_delete_everything_in_a_vpc(cloud, ec2):
    ids = build(cloud)
    cloud.advance(120)
    ec2.terminate_instances(InstanceIds=[ids["instance"]])
    ec2.delete_nat_gateway(NatGatewayId=ids["nat"])
    cloud.advance(120)
    ec2.disassociate_route_table(AssociationId=[
        a["RouteTableAssociationId"] for t in ec2.describe_route_tables(
            Filters=[{"Name": "vpc-id", "Values": [ids["vpc"]]}])["RouteTables"]
        for a in t["Associations"] if not a["Main"] and a.get("SubnetId") == ids["private"]][0])
    for subnet in (ids["subnet"], ids["private"]):
        ec2.delete_subnet(SubnetId=subnet)
    for table in ec2.describe_route_tables(Filters=[{"Name": "vpc-id",
                                                     "Values": [ids["vpc"]]}])["RouteTables"]:
        if not any(a["Main"] for a in table["Associations"]):
            ec2.delete_route_table(RouteTableId=table["RouteTableId"])
    ec2.delete_security_group(GroupId=ids["web"])
    ec2.delete_network_acl(NetworkAclId=ids["acl"])
    ec2.detach_internet_gateway(InternetGatewayId=ids["igw"], VpcId=ids["vpc"])
    ec2.delete_internet_gateway(InternetGatewayId=ids["igw"])
    ec2.delete_vpc(VpcId=ids["vpc"])
    ec2.release_address(AllocationId=ids["allocation"])
    assert [v["IsDefault"] for v in ec2.describe_vpcs()["Vpcs"]] == [True]
    assert make_vpc(ec2, "10.0.0.0/16").startswith("vpc-")
