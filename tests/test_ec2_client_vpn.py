"""Client VPN through boto3: endpoints (client CIDR, certificates, authentication), target
networks on the simulated clock, authorization rules, routes, the model helpers the
reachability engine uses, the graph and save/load."""

import pytest
from ec2_helpers import code, error, make_subnet, make_vpc

import awskit
from awskit.ec2 import model_links as ml

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-server"
MUTUAL = [{"Type": "certificate-authentication", "MutualAuthentication": {
    "ClientRootCertificateChainArn": "arn:aws:acm:us-east-1:123456789012:certificate/root"}}]
NO_LOG = {"Enabled": False}


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


def endpoint(ec2, cidr: str = "172.20.0.0/22", **params) -> str:
    params = {"ClientCidrBlock": cidr, "ServerCertificateArn": CERT,
              "AuthenticationOptions": MUTUAL, "ConnectionLogOptions": NO_LOG, **params}
    return ec2.create_client_vpn_endpoint(**params)["ClientVpnEndpointId"]


def show(ec2, endpoint_id: str) -> dict:
    [out] = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])[
        "ClientVpnEndpoints"]
    return out


# -- endpoints ----------------------------------------------------------------------------------
def test_create_and_describe_an_endpoint(cloud, ec2):
    out = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="172.20.1.7/22", ServerCertificateArn=CERT,
        AuthenticationOptions=MUTUAL + [{"Type": "federated-authentication",
                                         "FederatedAuthentication": {
                                             "SAMLProviderArn": "arn:aws:iam::123456789012:"
                                                                "saml-provider/idp"}}],
        ConnectionLogOptions={"Enabled": True, "CloudwatchLogGroup": "vpn-logs"},
        DnsServers=["10.0.0.2"], TransportProtocol="tcp", VpnPort=1194, Description="staff",
        SplitTunnel=True, SessionTimeoutHours=12, TagSpecifications=[
            {"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "Name", "Value": "v"}]}])
    endpoint_id = out["ClientVpnEndpointId"]
    assert endpoint_id.startswith("cvpn-endpoint-")
    assert out["Status"] == {"Code": "pending-associate"}
    assert out["DnsName"] == f"*.{endpoint_id}.prod.clientvpn.us-east-1.amazonaws.com"
    shown = show(ec2, endpoint_id)
    assert shown["ClientCidrBlock"] == "172.20.0.0/22"          # canonical
    assert (shown["TransportProtocol"], shown["VpnPort"], shown["SplitTunnel"]) == \
        ("tcp", 1194, True)
    assert shown["VpnProtocol"] == "openvpn" and shown["SessionTimeoutHours"] == 12
    assert shown["AuthenticationOptions"][0]["MutualAuthentication"] == {
        "ClientRootCertificateChain": MUTUAL[0]["MutualAuthentication"][
            "ClientRootCertificateChainArn"]}
    assert shown["AuthenticationOptions"][1]["FederatedAuthentication"] == {
        "SamlProviderArn": "arn:aws:iam::123456789012:saml-provider/idp"}
    assert shown["ConnectionLogOptions"] == {"Enabled": True, "CloudwatchLogGroup": "vpn-logs"}
    assert shown["Tags"] == [{"Key": "Name", "Value": "v"}] and shown["Description"] == "staff"
    assert ec2.describe_client_vpn_endpoints(Filters=[
        {"Name": "transport-protocol", "Values": ["udp"]}])["ClientVpnEndpoints"] == []
    assert ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)["Status"] == \
        {"Code": "deleting"}
    assert code(ec2.describe_client_vpn_endpoints, ClientVpnEndpointIds=[endpoint_id]) == \
        "InvalidClientVpnEndpointId.NotFound"


@pytest.mark.parametrize("change, expected", [
    ({"ClientCidrBlock": "172.20.0.0/23"}, "InvalidParameterValue"),     # /23 too small
    ({"ClientCidrBlock": "172.0.0.0/11"}, "InvalidParameterValue"),      # /11 too big
    ({"ClientCidrBlock": "fd00::/48"}, "InvalidParameterValue"),
    ({"ClientCidrBlock": None}, "MissingParameter"),
    ({"ServerCertificateArn": "my-cert"}, "InvalidParameterValue"),
    ({"AuthenticationOptions": []}, "InvalidParameterValue"),
    ({"AuthenticationOptions": [{"Type": "certificate-authentication"}]}, "MissingParameter"),
    ({"AuthenticationOptions": [
        {"Type": "directory-service-authentication", "ActiveDirectory": {"DirectoryId": "d-1"}},
        {"Type": "federated-authentication", "FederatedAuthentication": {
            "SAMLProviderArn": "arn:aws:iam::123456789012:saml-provider/idp"}}]},
     "InvalidParameterCombination"),
    ({"ConnectionLogOptions": {"Enabled": True}}, "MissingParameter"),
    ({"VpnPort": 8443}, "InvalidParameterValue"),
    ({"SessionTimeoutHours": 5}, "InvalidParameterValue"),
    ({"SecurityGroupIds": ["sg-0123456789abcdef0"]}, "MissingParameter"),
    ({"SelfServicePortal": "enabled"}, "NotImplemented"),
])
def test_endpoint_input_is_checked(ec2, change, expected):
    params = {"ClientCidrBlock": "172.20.0.0/22", "ServerCertificateArn": CERT,
              "AuthenticationOptions": MUTUAL, "ConnectionLogOptions": NO_LOG, **change}
    params = {k: v for k, v in params.items() if v is not None}
    assert code(ec2.create_client_vpn_endpoint, **params) == expected
    assert ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []


def test_endpoint_quota_and_security_groups(cloud, ec2, monkeypatch):
    vpc = make_vpc(ec2)
    other = make_vpc(ec2, "10.1.0.0/16")
    group = ec2.create_security_group(GroupName="vpn", Description="d", VpcId=vpc)["GroupId"]
    assert code(ec2.create_client_vpn_endpoint, ClientCidrBlock="172.20.0.0/22",
                ServerCertificateArn=CERT, AuthenticationOptions=MUTUAL,
                ConnectionLogOptions=NO_LOG, VpcId=other, SecurityGroupIds=[group]) == \
        "InvalidParameterValue"
    endpoint_id = endpoint(ec2, VpcId=vpc, SecurityGroupIds=[group])
    assert show(ec2, endpoint_id)["SecurityGroupIds"] == [group]
    monkeypatch.setattr(ml, "CLIENT_VPNS_PER_REGION", 1)
    assert code(ec2.create_client_vpn_endpoint, ClientCidrBlock="172.24.0.0/22",
                ServerCertificateArn=CERT, AuthenticationOptions=MUTUAL,
                ConnectionLogOptions=NO_LOG) == "ClientVpnEndpointLimitExceeded"


# -- target networks ----------------------------------------------------------------------------
def test_associating_subnets_makes_the_endpoint_available(cloud, ec2):
    vpc = make_vpc(ec2)
    a = make_subnet(ec2, vpc, "10.0.1.0/24", "us-east-1a")
    b = make_subnet(ec2, vpc, "10.0.2.0/24", "us-east-1b")
    a2 = make_subnet(ec2, vpc, "10.0.3.0/24", "us-east-1a")
    endpoint_id = endpoint(ec2)
    out = ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=a)
    assoc = out["AssociationId"]
    assert assoc.startswith("cvpn-assoc-") and out["Status"] == {"Code": "associating"}
    assert show(ec2, endpoint_id)["Status"]["Code"] == "pending-associate"
    default = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])[
        "SecurityGroups"][0]["GroupId"]
    shown = show(ec2, endpoint_id)
    assert shown["VpcId"] == vpc and shown["SecurityGroupIds"] == [default]
    [eni] = ec2.describe_network_interfaces(Filters=[
        {"Name": "subnet-id", "Values": [a]}])["NetworkInterfaces"]
    assert eni["RequesterManaged"] and eni["Groups"][0]["GroupId"] == default
    cloud.advance(ml.CLIENT_VPN_ASSOCIATING)
    assert show(ec2, endpoint_id)["Status"]["Code"] == "available"
    [target] = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)[
        "ClientVpnTargetNetworks"]
    assert (target["TargetNetworkId"], target["Status"]["Code"], target["VpcId"]) == \
        (a, "associated", vpc)
    [route] = ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id)["Routes"]
    assert (route["DestinationCidr"], route["TargetSubnet"], route["Origin"],
            route["Status"]["Code"]) == ("10.0.0.0/16", a, "associate", "active")
    assert code(ec2.associate_client_vpn_target_network, ClientVpnEndpointId=endpoint_id,
                SubnetId=a) == "InvalidClientVpnDuplicateAssociationException"
    assert code(ec2.associate_client_vpn_target_network, ClientVpnEndpointId=endpoint_id,
                SubnetId=a2) == "InvalidClientVpnSubnetId.DuplicateAz"
    other = make_vpc(ec2, "10.1.0.0/16")
    elsewhere = make_subnet(ec2, other, "10.1.1.0/24", "us-east-1c")
    assert code(ec2.associate_client_vpn_target_network, ClientVpnEndpointId=endpoint_id,
                SubnetId=elsewhere) == "InvalidClientVpnSubnetId.NotFound"
    second = ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id,
                                                     SubnetId=b)["AssociationId"]
    assert code(ec2.delete_client_vpn_endpoint, ClientVpnEndpointId=endpoint_id) == \
        "DependencyViolation"
    out = ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id,
                                                     AssociationId=assoc)
    assert out["Status"] == {"Code": "disassociating"}
    assert [r["TargetSubnet"] for r in ec2.describe_client_vpn_routes(
        ClientVpnEndpointId=endpoint_id)["Routes"]] == [b]
    assert show(ec2, endpoint_id)["Status"]["Code"] == "pending-associate"   # b associating
    assert code(ec2.disassociate_client_vpn_target_network, ClientVpnEndpointId=endpoint_id,
                AssociationId=assoc) == "InvalidClientVpnAssociationIdNotFound"
    ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id,
                                               AssociationId=second)
    ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)
    assert ec2.describe_network_interfaces(Filters=[
        {"Name": "requester-managed", "Values": ["true"]}])["NetworkInterfaces"] == []


def test_client_cidr_must_not_overlap_the_vpc(ec2):
    vpc = make_vpc(ec2, "172.20.0.0/16")
    subnet = make_subnet(ec2, vpc, "172.20.1.0/24")
    endpoint_id = endpoint(ec2, "172.20.0.0/22")
    assert code(ec2.associate_client_vpn_target_network, ClientVpnEndpointId=endpoint_id,
                SubnetId=subnet) == "InvalidClientVpnSubnetId.OverlappingCidr"
    assert code(ec2.associate_client_vpn_target_network,
                ClientVpnEndpointId="cvpn-endpoint-0123456789abcdef0", SubnetId=subnet) == \
        "InvalidClientVpnEndpointId.NotFound"


# -- authorization and routes -------------------------------------------------------------------
def test_authorization_rules_and_routes(cloud, ec2, monkeypatch):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    endpoint_id = endpoint(ec2)
    assert code(ec2.create_client_vpn_route, ClientVpnEndpointId=endpoint_id,
                DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet) == \
        "InvalidClientVpnActiveAssociationNotFound"
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=subnet)
    cloud.advance(ml.CLIENT_VPN_ASSOCIATING)
    auth = ec2.authorize_client_vpn_ingress
    assert auth(ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.0.0.0/16",
                AuthorizeAllGroups=True, Description="the VPC")["Status"] == \
        {"Code": "authorizing"}
    auth(ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.0.5.0/24",
         AccessGroupId="admins")
    assert code(auth, ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.0.0.0/16",
                AuthorizeAllGroups=True) == "InvalidClientVpnDuplicateAuthorizationRule"
    assert code(auth, ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.9.0.0/16") == \
        "InvalidParameterCombination"
    assert code(auth, ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="bad",
                AuthorizeAllGroups=True) == "InvalidParameterValue"
    rules = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id)[
        "AuthorizationRules"]
    assert [(r["DestinationCidr"], r["AccessAll"], r.get("GroupId"), r["Status"]["Code"])
            for r in rules] == [("10.0.0.0/16", True, None, "active"),
                                ("10.0.5.0/24", False, "admins", "active")]
    assert [r["DestinationCidr"] for r in ec2.describe_client_vpn_authorization_rules(
        ClientVpnEndpointId=endpoint_id, Filters=[{"Name": "group-id", "Values": ["admins"]}])[
        "AuthorizationRules"]] == ["10.0.5.0/24"]
    # the most specific rule decides: 10.0.5.x needs the admins group
    cvpn = cloud.ec2.client_vpn_endpoints[endpoint_id]
    assert ml.client_vpn_authorized(cvpn, "10.0.1.9").access_all
    assert ml.client_vpn_authorized(cvpn, "10.0.5.9") is None
    assert ml.client_vpn_authorized(cvpn, "10.0.5.9", ("admins",)).group_id == "admins"
    assert ml.client_vpn_authorized(cvpn, "8.8.8.8") is None
    # routes: the internet through the subnet
    assert ml.client_vpn_route_for(cvpn, "8.8.8.8") is None
    out = ec2.create_client_vpn_route(ClientVpnEndpointId=endpoint_id,
                                      DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet,
                                      Description="internet")
    assert out["Status"] == {"Code": "creating"}
    assert ml.client_vpn_route_for(cvpn, "8.8.8.8").target_subnet == subnet
    assert ml.client_vpn_route_for(cvpn, "10.0.0.9").destination_cidr == "10.0.0.0/16"
    assert code(ec2.create_client_vpn_route, ClientVpnEndpointId=endpoint_id,
                DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet) == \
        "InvalidClientVpnDuplicateRoute"
    other = make_subnet(ec2, vpc, "10.0.9.0/24", "us-east-1b")
    assert code(ec2.create_client_vpn_route, ClientVpnEndpointId=endpoint_id,
                DestinationCidrBlock="1.0.0.0/8", TargetVpcSubnetId=other) == \
        "InvalidClientVpnSubnetId.NotFound"
    assert [r["DestinationCidr"] for r in ec2.describe_client_vpn_routes(
        ClientVpnEndpointId=endpoint_id, Filters=[{"Name": "origin", "Values": ["add-route"]}])[
        "Routes"]] == ["0.0.0.0/0"]
    assert code(ec2.delete_client_vpn_route, ClientVpnEndpointId=endpoint_id,
                DestinationCidrBlock="10.0.0.0/16", TargetVpcSubnetId=subnet) == \
        "InvalidParameterValue"                              # added by the association
    ec2.delete_client_vpn_route(ClientVpnEndpointId=endpoint_id,
                                DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet)
    assert code(ec2.delete_client_vpn_route, ClientVpnEndpointId=endpoint_id,
                DestinationCidrBlock="0.0.0.0/0") == "InvalidClientVpnRouteNotFound"
    monkeypatch.setattr(ml, "CLIENT_VPN_ROUTES", 1)
    assert code(ec2.create_client_vpn_route, ClientVpnEndpointId=endpoint_id,
                DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet) == \
        "ClientVpnRouteLimitExceeded"
    monkeypatch.setattr(ml, "CLIENT_VPN_RULES", 2)
    assert code(auth, ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="0.0.0.0/0",
                AuthorizeAllGroups=True) == "ClientVpnAuthorizationRuleLimitExceeded"
    # revoking
    assert ec2.revoke_client_vpn_ingress(ClientVpnEndpointId=endpoint_id,
                                         TargetNetworkCidr="10.0.5.0/24",
                                         AccessGroupId="admins")["Status"] == {"Code": "revoking"}
    assert code(ec2.revoke_client_vpn_ingress, ClientVpnEndpointId=endpoint_id,
                TargetNetworkCidr="10.0.5.0/24", RevokeAllGroups=True) == \
        "InvalidClientVpnEndpointAuthorizationRuleNotFound"
    assert ml.client_vpn_authorized(cvpn, "10.0.5.9").access_all


def test_graph_and_save_load(cloud, ec2, tmp_path):
    vpc = make_vpc(ec2)
    subnet = make_subnet(ec2, vpc)
    endpoint_id = endpoint(ec2)
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=subnet)
    ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint_id,
                                     TargetNetworkCidr="10.0.0.0/16", AuthorizeAllGroups=True)
    graph = cloud.graph()
    cvpn = cloud.ec2.client_vpn_endpoints[endpoint_id]
    assert graph.nodes[cvpn.arn]["type"] == "ec2-client-vpn-endpoint"
    assert graph.edges[cvpn.arn, cloud.ec2.subnets[subnet].arn]["relation"] == \
        "associated-with"
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "c.json"))
    for c in (cloud, loaded):
        c.advance(ml.CLIENT_VPN_ASSOCIATING)
    one, two = (c.client("ec2") for c in (cloud, loaded))
    assert one.describe_client_vpn_endpoints()["ClientVpnEndpoints"] == \
        two.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    assert show(two, endpoint_id)["Status"]["Code"] == "available"
    assert error(two.describe_client_vpn_routes, ClientVpnEndpointId="cvpn-endpoint-0123")[
        "Code"] == "InvalidClientVpnEndpointId.NotFound"
    loaded.advance(hours=2)                          # billed per associated subnet-hour
    [line] = [x for x in loaded.meter.lines() if x["usage_type"] == "ClientVPN-AssociationHours"]
    assert line["quantity"] == pytest.approx(2, abs=0.01)
    assert line["cost_usd"] == pytest.approx(2 * ml.CLIENT_VPN_ASSOCIATION_HOUR, abs=0.001)
