"""VPC endpoints and PrivateLink through boto3: gateway endpoints and their prefix-list routes,
interface endpoints (interfaces, security groups, private DNS), the services list, prefix
lists, endpoint services behind the NLB stand-in, permissions, acceptance, the graph and
save/load."""

import json

import pytest
from ec2_helpers import code, error, make_subnet, make_vpc

import awskit
from awskit.ec2 import model as m
from awskit.ec2 import model_links as ml

S3 = "com.amazonaws.us-east-1.s3"
SQS = "com.amazonaws.us-east-1.sqs"


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


def endpoint(ec2, **params) -> dict:
    return ec2.create_vpc_endpoint(**params)["VpcEndpoint"]


def show(ec2, endpoint_id: str) -> dict:
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]


def table_routes(ec2, table: str) -> list[dict]:
    return ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]


def dns_vpc(ec2, cidr: str = "10.0.0.0/16") -> str:
    vpc = make_vpc(ec2, cidr)
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    return vpc


# -- gateway endpoints --------------------------------------------------------------------------
def test_gateway_endpoint_adds_prefix_list_routes(cloud, ec2):
    vpc = make_vpc(ec2)
    a = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    b = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    out = endpoint(ec2, VpcId=vpc, ServiceName=S3, RouteTableIds=[a], TagSpecifications=[
        {"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": "s3"}]}])
    vpce = out["VpcEndpointId"]
    assert vpce.startswith("vpce-") and out["VpcEndpointType"] == "Gateway"
    assert out["State"] == "available" and out["RouteTableIds"] == [a]
    assert json.loads(out["PolicyDocument"])["Statement"][0]["Effect"] == "Allow"
    [pl] = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name",
                                               "Values": [S3]}])["PrefixLists"]
    route = [r for r in table_routes(ec2, a) if "DestinationPrefixListId" in r]
    assert route == [{"DestinationPrefixListId": pl["PrefixListId"], "GatewayId": vpce,
                      "Origin": "CreateRoute", "State": "active"}]
    # S3 traffic takes the endpoint: the prefix-list route is more specific than 0.0.0.0/0
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.create_route(RouteTableId=a, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    cloud.ec2.sync()
    s3_ip = pl["Cidrs"][0].split("/")[0]
    picked = m.route_for(cloud.ec2.route_tables[a], s3_ip, cloud.ec2.prefix_list_cidrs())
    assert picked.target_id == vpce
    assert m.route_for(cloud.ec2.route_tables[a], "8.8.8.8",
                       cloud.ec2.prefix_list_cidrs()).target_id == igw
    # the endpoint manages its routes
    assert code(ec2.create_route, RouteTableId=b, DestinationCidrBlock="52.216.0.0/15",
                GatewayId=vpce) == "InvalidParameterValue"
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddRouteTableIds=[b], RemoveRouteTableIds=[a])
    assert show(ec2, vpce)["RouteTableIds"] == [b]
    assert not any("DestinationPrefixListId" in r for r in table_routes(ec2, a))
    assert any(r.get("GatewayId") == vpce for r in table_routes(ec2, b))
    assert code(ec2.modify_vpc_endpoint, VpcEndpointId=vpce, AddRouteTableIds=[b]) == \
        "RouteAlreadyExists"
    assert code(ec2.modify_vpc_endpoint, VpcEndpointId=vpce, RemoveRouteTableIds=[a]) == \
        "InvalidRouteTableID.NotFound"
    assert code(ec2.modify_vpc_endpoint, VpcEndpointId=vpce, AddSubnetIds=["subnet-1"]) == \
        "InvalidParameter"
    assert code(ec2.delete_vpc, VpcId=vpc) == "DependencyViolation"
    assert ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce, "vpce-0123456789abcdef0"])[
        "Unsuccessful"] == [{"Error": {"Code": "InvalidVpcEndpoint.NotFound", "Message":
                                       "The VpcEndpoint Id 'vpce-0123456789abcdef0' does not "
                                       "exist"}, "ResourceId": "vpce-0123456789abcdef0"}]
    assert not any("DestinationPrefixListId" in r for r in table_routes(ec2, b))
    assert code(ec2.describe_vpc_endpoints, VpcEndpointIds=[vpce]) == \
        "InvalidVpcEndpointId.NotFound"


def test_gateway_endpoint_rules(cloud, ec2, monkeypatch):
    vpc = make_vpc(ec2)
    other = make_vpc(ec2, "10.1.0.0/16")
    theirs = ec2.create_route_table(VpcId=other)["RouteTable"]["RouteTableId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    assert code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=S3,
                RouteTableIds=[theirs]) == "InvalidParameter"
    assert code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=SQS) == "InvalidParameter"
    assert code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName="com.amazonaws.us-east-1.nope") \
        == "InvalidServiceName"
    assert code(ec2.create_vpc_endpoint, VpcId=vpc,
                ServiceName="com.amazonaws.eu-west-1.s3") == "InvalidServiceName"
    assert code(ec2.create_vpc_endpoint, VpcId=vpc) == "MissingParameter"
    assert code(ec2.create_vpc_endpoint, VpcId="vpc-0123456789abcdef0", ServiceName=S3) == \
        "InvalidVpcID.NotFound"
    assert code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=S3, PolicyDocument="{nope") \
        == "InvalidPolicyDocument"
    assert code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=S3,
                PolicyDocument=json.dumps({"Statement": [], "x": "y" * 20500})) == \
        "InvalidPolicyDocument"
    assert code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=S3,
                VpcEndpointType="GatewayLoadBalancer") == "NotImplemented"
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*",
                                        "Action": "s3:GetObject", "Resource": "*"}]})
    dynamo = endpoint(ec2, VpcId=vpc, ServiceName="com.amazonaws.us-east-1.dynamodb",
                      RouteTableIds=[table], PolicyDocument=policy)
    assert dynamo["PolicyDocument"] == policy
    ec2.modify_vpc_endpoint(VpcEndpointId=dynamo["VpcEndpointId"], ResetPolicy=True)
    assert json.loads(show(ec2, dynamo["VpcEndpointId"])["PolicyDocument"])["Statement"][0][
        "Action"] == "*"
    assert code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName="com.amazonaws.us-east-1."
                "dynamodb", RouteTableIds=[table]) == "RouteAlreadyExists"
    monkeypatch.setattr(ml, "GATEWAY_ENDPOINTS_PER_REGION", 1)
    assert code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=S3) == \
        "VpcEndpointLimitExceeded"


# -- interface endpoints ------------------------------------------------------------------------
def test_interface_endpoint_interfaces_and_private_dns(cloud, ec2):
    vpc = dns_vpc(ec2)
    a = make_subnet(ec2, vpc, "10.0.1.0/24", "us-east-1a")
    b = make_subnet(ec2, vpc, "10.0.2.0/24", "us-east-1b")
    group = ec2.create_security_group(GroupName="https", Description="d", VpcId=vpc)["GroupId"]
    out = endpoint(ec2, VpcId=vpc, ServiceName=SQS, VpcEndpointType="Interface",
                   SubnetIds=[a, b], SecurityGroupIds=[group])
    vpce = out["VpcEndpointId"]
    assert out["State"] == "pending" and out["PrivateDnsEnabled"] is True
    assert out["Groups"] == [{"GroupId": group, "GroupName": "https"}]
    enis = ec2.describe_network_interfaces(NetworkInterfaceIds=out["NetworkInterfaceIds"])[
        "NetworkInterfaces"]
    assert sorted(e["SubnetId"] for e in enis) == sorted([a, b])
    assert all(e["InterfaceType"] == "vpc_endpoint" and e["Groups"][0]["GroupId"] == group
               for e in enis)
    names = [d["DnsName"] for d in out["DnsEntries"]]
    assert names[0].startswith(vpce) and names[0].endswith(".sqs.us-east-1.vpce.amazonaws.com")
    assert any("us-east-1a" in n for n in names) and "sqs.us-east-1.amazonaws.com" in names
    assert out["DnsEntries"][0]["HostedZoneId"] == "Z7HUB22UULQXV"
    cloud.advance(ml.ENDPOINT_PENDING)
    assert show(ec2, vpce)["State"] == "available"
    # a second endpoint to SQS cannot also take the private name
    assert code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=SQS,
                VpcEndpointType="Interface", SubnetIds=[a]) == "InvalidParameter"
    second = endpoint(ec2, VpcId=vpc, ServiceName=SQS, VpcEndpointType="Interface",
                      SubnetIds=[a], PrivateDnsEnabled=False)
    assert second["Groups"][0]["GroupName"] == "default"
    # modify: subnets and groups
    c = make_subnet(ec2, vpc, "10.0.3.0/24", "us-east-1c")
    a2 = make_subnet(ec2, vpc, "10.0.4.0/24", "us-east-1a")
    assert code(ec2.modify_vpc_endpoint, VpcEndpointId=vpce, AddSubnetIds=[a2]) == \
        "DuplicateSubnetsInSameZone"
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddSubnetIds=[c], RemoveSubnetIds=[a])
    now = show(ec2, vpce)
    assert sorted(now["SubnetIds"]) == sorted([b, c]) and len(now["NetworkInterfaceIds"]) == 2
    default = second["Groups"][0]["GroupId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddSecurityGroupIds=[default],
                            RemoveSecurityGroupIds=[group])
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[
        show(ec2, vpce)["NetworkInterfaceIds"][0]])["NetworkInterfaces"][0]
    assert [g["GroupId"] for g in eni["Groups"]] == [default]
    assert code(ec2.modify_vpc_endpoint, VpcEndpointId=vpce, AddRouteTableIds=["rtb-1"]) == \
        "InvalidParameter"
    assert code(ec2.modify_vpc_endpoint, VpcEndpointId=vpce, RemoveSubnetIds=[a]) == \
        "InvalidSubnetID.NotFound"
    assert code(ec2.delete_subnet, SubnetId=b) == "DependencyViolation"
    assert code(ec2.delete_network_interface,
                NetworkInterfaceId=now["NetworkInterfaceIds"][0]) == \
        "InvalidNetworkInterface.InUse"
    ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    ec2.delete_subnet(SubnetId=b)
    flt = [{"Name": "vpc-endpoint-type", "Values": ["Interface"]}]
    assert [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(Filters=flt)[
        "VpcEndpoints"]] == [second["VpcEndpointId"]]


def test_interface_endpoint_rules(cloud, ec2, monkeypatch):
    plain = make_vpc(ec2)
    subnet = make_subnet(ec2, plain)
    err = error(ec2.create_vpc_endpoint, VpcId=plain, ServiceName=SQS,
                VpcEndpointType="Interface", SubnetIds=[subnet])
    assert err["Code"] == "InvalidParameter" and "enableDnsHostnames" in err["Message"]
    endpoint(ec2, VpcId=plain, ServiceName=SQS, VpcEndpointType="Interface",
             SubnetIds=[subnet], PrivateDnsEnabled=False)
    a2 = make_subnet(ec2, plain, "10.0.2.0/24", "us-east-1a")
    assert code(ec2.create_vpc_endpoint, VpcId=plain, ServiceName=SQS,
                VpcEndpointType="Interface", SubnetIds=[subnet, a2],
                PrivateDnsEnabled=False) == "DuplicateSubnetsInSameZone"
    assert code(ec2.create_vpc_endpoint, VpcId=plain, ServiceName=SQS,
                VpcEndpointType="Interface") == "MissingParameter"
    assert code(ec2.create_vpc_endpoint, VpcId=plain, ServiceName=SQS,
                VpcEndpointType="Interface", SubnetIds=[subnet],
                RouteTableIds=["rtb-0123456789abcdef0"]) == "InvalidParameter"
    other = make_vpc(ec2, "10.1.0.0/16")
    theirs = ec2.create_security_group(GroupName="g", Description="d", VpcId=other)["GroupId"]
    assert code(ec2.create_vpc_endpoint, VpcId=plain, ServiceName=SQS,
                VpcEndpointType="Interface", SubnetIds=[subnet], SecurityGroupIds=[theirs],
                PrivateDnsEnabled=False) == "InvalidParameter"
    assert code(ec2.create_vpc_endpoint, VpcId=plain, ServiceName=S3, VpcEndpointType="Interface",
                SubnetIds=[subnet], PrivateDnsEnabled=True) == "InvalidParameter"   # no name
    monkeypatch.setattr(ml, "INTERFACE_ENDPOINTS_PER_VPC", 1)
    assert code(ec2.create_vpc_endpoint, VpcId=plain, ServiceName=S3,
                VpcEndpointType="Interface", SubnetIds=[subnet]) == "VpcEndpointLimitExceeded"


# -- services and prefix lists ------------------------------------------------------------------
def test_services_and_prefix_lists(cloud, ec2):
    out = ec2.describe_vpc_endpoint_services()
    assert S3 in out["ServiceNames"] and SQS in out["ServiceNames"]
    s3 = [d for d in out["ServiceDetails"] if d["ServiceName"] == S3]
    assert sorted(d["ServiceType"][0]["ServiceType"] for d in s3) == ["Gateway", "Interface"]
    [sqs] = [d for d in out["ServiceDetails"] if d["ServiceName"] == SQS]
    assert sqs["PrivateDnsName"] == "sqs.us-east-1.amazonaws.com" and sqs["Owner"] == "amazon"
    assert sqs["AvailabilityZones"] == ["us-east-1a", "us-east-1b", "us-east-1c",
                                        "us-east-1d", "us-east-1e", "us-east-1f"]
    gateways = ec2.describe_vpc_endpoint_services(Filters=[
        {"Name": "service-type", "Values": ["Gateway"]}])["ServiceNames"]
    assert gateways == ["com.amazonaws.us-east-1.dynamodb", S3]
    assert code(ec2.describe_vpc_endpoint_services, ServiceNames=["com.example.nope"]) == \
        "InvalidServiceName"
    europe = cloud.client("ec2", region_name="eu-west-1")
    assert "com.amazonaws.eu-west-1.s3" in europe.describe_vpc_endpoint_services()[
        "ServiceNames"]
    lists = ec2.describe_prefix_lists()["PrefixLists"]
    assert {p["PrefixListName"]: p["PrefixListId"] for p in lists} == {
        S3: "pl-63a5400a", "com.amazonaws.us-east-1.dynamodb": "pl-02cd2c6b"}
    managed = ec2.describe_managed_prefix_lists(PrefixListIds=["pl-63a5400a"])["PrefixLists"]
    assert managed[0]["OwnerId"] == "AWS" and managed[0]["State"] == "create-complete"
    entries = ec2.get_managed_prefix_list_entries(PrefixListId="pl-63a5400a")["Entries"]
    assert [e["Cidr"] for e in entries] == [p for p in lists if p["PrefixListId"] ==
                                            "pl-63a5400a"][0]["Cidrs"]
    assert code(ec2.describe_prefix_lists, PrefixListIds=["pl-00000000"]) == \
        "InvalidPrefixListID.NotFound"
    assert code(ec2.get_managed_prefix_list_entries, PrefixListId="pl-00000000") == \
        "InvalidPrefixListID.NotFound"
    europe_lists = europe.describe_prefix_lists()["PrefixLists"]
    assert {p["PrefixListId"] for p in europe_lists}.isdisjoint({p["PrefixListId"]
                                                                 for p in lists})
    assert set(cloud.ec2.prefix_list_cidrs()) >= {p["PrefixListId"] for p in
                                                  lists + europe_lists}


# -- PrivateLink --------------------------------------------------------------------------------
def provider(cloud, acceptance: bool = True) -> dict:
    account = cloud.new_account()
    ec2 = cloud.client("ec2", account=account)
    vpc = make_vpc(ec2, "10.9.0.0/16")
    subnet = make_subnet(ec2, vpc, "10.9.1.0/24", "us-east-1a")
    arn = f"arn:aws:elasticloadbalancing:us-east-1:{account}:loadbalancer/net/web/" \
          "0123456789abcdef"
    lb = cloud.ec2.register_load_balancer(arn, [subnet], ["10.9.1.50"], [443])
    svc = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[arn], AcceptanceRequired=acceptance, TagSpecifications=[
            {"ResourceType": "vpc-endpoint-service", "Tags": [{"Key": "Name", "Value": "web"}]}])[
        "ServiceConfiguration"]
    return {"account": account, "ec2": ec2, "arn": arn, "lb": lb, "svc": svc,
            "subnet": subnet}


def test_endpoint_service_consumers_need_permission_and_acceptance(cloud, ec2):
    p = provider(cloud)
    svc, theirs = p["svc"], p["ec2"]
    assert svc["ServiceState"] == "Pending" and svc["ServiceName"] == \
        f"com.amazonaws.vpce.us-east-1.{svc['ServiceId']}"
    assert svc["AvailabilityZones"] == ["us-east-1a"] and svc["AcceptanceRequired"] is True
    assert p["lb"].eni_ids and theirs.describe_network_interfaces(Filters=[
        {"Name": "interface-type", "Values": ["network_load_balancer"]}])["NetworkInterfaces"]
    cloud.advance(ml.SERVICE_PENDING)
    [conf] = theirs.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    assert conf["ServiceState"] == "Available" and conf["NetworkLoadBalancerArns"] == [p["arn"]]
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc, "10.0.1.0/24", "us-east-1a")
    create = lambda: endpoint(ec2, VpcId=vpc, ServiceName=svc["ServiceName"],  # noqa: E731
                              VpcEndpointType="Interface", SubnetIds=[subnet])
    assert svc["ServiceName"] not in ec2.describe_vpc_endpoint_services()["ServiceNames"]
    assert code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=svc["ServiceName"],
                VpcEndpointType="Interface", SubnetIds=[subnet]) == "InvalidServiceName"
    root = f"arn:aws:iam::{cloud.default_account}:root"
    added = theirs.modify_vpc_endpoint_service_permissions(
        ServiceId=svc["ServiceId"], AddAllowedPrincipals=[root])
    assert added["ReturnValue"] is True and added["AddedPrincipals"][0]["PrincipalType"] == \
        "Account"
    [allowed] = theirs.describe_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"])[
        "AllowedPrincipals"]
    assert allowed["Principal"] == root and \
        allowed["ServicePermissionId"].startswith("vpce-svc-perm-")
    [detail] = [d for d in ec2.describe_vpc_endpoint_services()["ServiceDetails"]
                if d["ServiceName"] == svc["ServiceName"]]
    assert detail["Owner"] == p["account"] and detail["AcceptanceRequired"] is True
    assert code(ec2.create_vpc_endpoint, VpcId=vpc, ServiceName=svc["ServiceName"],
                VpcEndpointType="Interface", SubnetIds=[subnet],
                PolicyDocument=json.dumps({"Statement": []})) == "InvalidParameter"
    consumer = create()
    vpce = consumer["VpcEndpointId"]
    assert consumer["State"] == "pendingAcceptance" and "PolicyDocument" not in consumer
    assert consumer["PrivateDnsEnabled"] is False
    [conn] = theirs.describe_vpc_endpoint_connections()["VpcEndpointConnections"]
    assert (conn["VpcEndpointId"], conn["VpcEndpointOwner"], conn["VpcEndpointState"]) == \
        (vpce, cloud.default_account, "pendingAcceptance")
    assert ec2.describe_vpc_endpoint_connections()["VpcEndpointConnections"] == []
    out = theirs.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"],
                                                 VpcEndpointIds=[vpce, "vpce-0123456789abcdef0"])
    assert [u["ResourceId"] for u in out["Unsuccessful"]] == ["vpce-0123456789abcdef0"]
    again = theirs.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"],
                                                   VpcEndpointIds=[vpce])["Unsuccessful"]
    assert again[0]["Error"]["Code"] == "InvalidState"
    assert show(ec2, vpce)["State"] == "pending"
    cloud.advance(ml.ENDPOINT_PENDING)
    assert show(ec2, vpce)["State"] == "available"
    assert cloud.ec2.vpc_endpoints[vpce].service_id == svc["ServiceId"]
    # a service with connected endpoints stays
    [failed] = theirs.delete_vpc_endpoint_service_configurations(
        ServiceIds=[svc["ServiceId"]])["Unsuccessful"]
    assert failed["Error"]["Code"] == "ExistingVpcEndpointConnections"
    # a second consumer endpoint, rejected
    other_subnet = make_subnet(ec2, make_vpc(ec2, "10.1.0.0/16"), "10.1.1.0/24", "us-east-1a")
    rejected = endpoint(ec2, VpcId=ec2.describe_subnets(SubnetIds=[other_subnet])["Subnets"][0][
        "VpcId"], ServiceName=svc["ServiceName"], VpcEndpointType="Interface",
        SubnetIds=[other_subnet])["VpcEndpointId"]
    assert theirs.reject_vpc_endpoint_connections(ServiceId=svc["ServiceId"],
                                                  VpcEndpointIds=[rejected])["Unsuccessful"] == []
    assert show(ec2, rejected)["State"] == "rejected"
    theirs.modify_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"],
                                                   RemoveAllowedPrincipals=[root])
    assert svc["ServiceName"] not in ec2.describe_vpc_endpoint_services()["ServiceNames"]
    ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce, rejected])
    assert theirs.delete_vpc_endpoint_service_configurations(
        ServiceIds=[svc["ServiceId"], "vpce-svc-0123456789abcdef0"])["Unsuccessful"][0][
        "Error"]["Code"] == "InvalidVpcEndpointService.NotFound"
    assert theirs.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"] == []


def test_endpoint_service_input(cloud, ec2):
    p = provider(cloud, acceptance=False)
    theirs = p["ec2"]
    assert p["svc"]["AcceptanceRequired"] is False
    assert code(theirs.create_vpc_endpoint_service_configuration) == "MissingParameter"
    assert code(theirs.create_vpc_endpoint_service_configuration,
                NetworkLoadBalancerArns=["arn:aws:elasticloadbalancing:nope"]) == \
        "InvalidNetworkLoadBalancerArn.Malformed"
    unknown = p["arn"].replace("0123456789abcdef", "fedcba9876543210")
    assert code(theirs.create_vpc_endpoint_service_configuration,
                NetworkLoadBalancerArns=[unknown]) == "InvalidNetworkLoadBalancerArn.NotFound"
    assert code(ec2.create_vpc_endpoint_service_configuration,           # another account's
                NetworkLoadBalancerArns=[p["arn"]]) == "InvalidNetworkLoadBalancerArn.NotFound"
    assert code(theirs.create_vpc_endpoint_service_configuration,
                NetworkLoadBalancerArns=[p["arn"]], PrivateDnsName="web.example.com") == \
        "NotImplemented"
    assert code(theirs.modify_vpc_endpoint_service_permissions, ServiceId=p["svc"]["ServiceId"],
                AddAllowedPrincipals=["someone"]) == "InvalidParameterValue"
    assert code(ec2.modify_vpc_endpoint_service_permissions, ServiceId=p["svc"]["ServiceId"],
                AddAllowedPrincipals=["*"]) == "InvalidVpcEndpointServiceId.NotFound"
    with pytest.raises(ValueError):
        cloud.ec2.register_load_balancer("arn:aws:nope", [p["subnet"]])
    with pytest.raises(ValueError):
        cloud.ec2.register_load_balancer(p["arn"].replace(p["account"], cloud.default_account),
                                         [p["subnet"]])
    # without acceptance an allowed consumer's endpoint becomes available by itself
    cloud.advance(ml.SERVICE_PENDING)
    theirs.modify_vpc_endpoint_service_permissions(ServiceId=p["svc"]["ServiceId"],
                                                   AddAllowedPrincipals=["*"])
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc, "10.0.1.0/24", "us-east-1b")
    vpce = endpoint(ec2, VpcId=vpc, ServiceName=p["svc"]["ServiceName"],
                    VpcEndpointType="Interface", SubnetIds=[subnet])["VpcEndpointId"]
    assert show(ec2, vpce)["State"] == "pending"
    cloud.advance(ml.ENDPOINT_PENDING)
    assert show(ec2, vpce)["State"] == "available"


def test_graph_save_load_and_determinism(cloud, ec2, tmp_path):
    p = provider(cloud, acceptance=False)
    cloud.advance(ml.SERVICE_PENDING)
    p["ec2"].modify_vpc_endpoint_service_permissions(ServiceId=p["svc"]["ServiceId"],
                                                     AddAllowedPrincipals=["*"])
    vpc = dns_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    gateway = endpoint(ec2, VpcId=vpc, ServiceName=S3, RouteTableIds=[table])["VpcEndpointId"]
    link = endpoint(ec2, VpcId=vpc, ServiceName=p["svc"]["ServiceName"],
                    VpcEndpointType="Interface", SubnetIds=[subnet])["VpcEndpointId"]
    graph = cloud.graph()
    store = cloud.ec2
    assert graph.edges[store.route_tables[table].arn, store.vpc_endpoints[gateway].arn][
        "relation"] == "routes-to"
    assert graph.edges[store.vpc_endpoints[link].arn,
                       store.endpoint_services[p["svc"]["ServiceId"]].arn]["relation"] == \
        "connects-to"
    assert graph.nodes[p["arn"]]["type"] == "elbv2-load-balancer"
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "c.json"))
    for c in (cloud, loaded):
        c.advance(ml.ENDPOINT_PENDING)
    one, two = (c.client("ec2").describe_vpc_endpoints()["VpcEndpoints"]
                for c in (cloud, loaded))
    assert one == two and {e["State"] for e in one} == {"available"}
    assert loaded.ec2.load_balancers[p["arn"]].targets == ["10.9.1.50"]
