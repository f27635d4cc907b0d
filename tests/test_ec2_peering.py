"""VPC peering through boto3: the request/accept lifecycle on the simulated clock, other accounts
and Regions, overlapping CIDRs, expiry, routes through a peering, DNS options, quotas, IAM,
the graph and save/load."""

from datetime import timedelta

import pytest
from ec2_helpers import code, error, make_subnet, make_vpc, routes
from iam_helpers import allow, doc, user_with_key

import awskit
from awskit.ec2 import model_links as ml


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


def peer(ec2, a, b, **params) -> str:
    return ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, **params)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]


def show(ec2, pcx: str) -> dict:
    [out] = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])[
        "VpcPeeringConnections"]
    return out


def active_pair(cloud, ec2) -> tuple[str, str, str]:
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(ec2, "10.1.0.0/16")
    pcx = peer(ec2, a, b)
    cloud.advance(ml.PEERING_REQUEST)
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    cloud.advance(ml.PEERING_PROVISIONING)
    return a, b, pcx


# -- lifecycle ----------------------------------------------------------------------------------
def test_request_accept_and_delete_in_one_account(cloud, ec2):
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(ec2, "10.1.0.0/16")
    out = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, TagSpecifications=[
        {"ResourceType": "vpc-peering-connection", "Tags": [{"Key": "Name", "Value": "ab"}]}])[
        "VpcPeeringConnection"]
    pcx = out["VpcPeeringConnectionId"]
    assert pcx.startswith("pcx-") and out["Status"]["Code"] == "initiating-request"
    assert out["Tags"] == [{"Key": "Name", "Value": "ab"}]
    assert out["RequesterVpcInfo"]["CidrBlock"] == "10.0.0.0/16"
    assert "CidrBlock" not in out["AccepterVpcInfo"]            # not established yet
    assert abs(out["ExpirationTime"] - cloud.now - timedelta(days=7)) < timedelta(seconds=1)
    cloud.advance(ml.PEERING_REQUEST)
    pending = show(ec2, pcx)["Status"]
    assert pending == {"Code": "pending-acceptance",
                       "Message": f"Pending Acceptance by {cloud.default_account}"}
    accepted = ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)[
        "VpcPeeringConnection"]
    assert accepted["Status"]["Code"] == "provisioning"
    cloud.advance(ml.PEERING_PROVISIONING)
    now = show(ec2, pcx)
    assert now["Status"] == {"Code": "active", "Message": "Active"}
    assert now["AccepterVpcInfo"]["CidrBlockSet"] == [{"CidrBlock": "10.1.0.0/16"}]
    assert now["AccepterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is False
    assert "ExpirationTime" not in now
    assert ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    gone = show(ec2, pcx)["Status"]
    assert gone == {"Code": "deleted", "Message": f"Deleted by {cloud.default_account}"}
    assert code(ec2.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx) == \
        "InvalidStateTransition"
    cloud.advance(days=2)
    assert code(ec2.describe_vpc_peering_connections, VpcPeeringConnectionIds=[pcx]) == \
        "InvalidVpcPeeringConnectionID.NotFound"


def test_routes_through_a_peering_follow_its_state(cloud, ec2):
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(ec2, "10.1.0.0/16")
    pcx = peer(ec2, a, b)
    cloud.advance(ml.PEERING_REQUEST)
    table_a = ec2.create_route_table(VpcId=a)["RouteTable"]["RouteTableId"]
    table_b = ec2.create_route_table(VpcId=b)["RouteTable"]["RouteTableId"]
    for table, cidr in ((table_a, "10.1.0.0/16"), (table_b, "10.0.0.0/16")):
        ec2.create_route(RouteTableId=table, DestinationCidrBlock=cidr,
                         VpcPeeringConnectionId=pcx)
    route = routes(ec2, table_a)["10.1.0.0/16"]
    assert route["VpcPeeringConnectionId"] == pcx and route["State"] == "blackhole"
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    cloud.advance(ml.PEERING_PROVISIONING)
    assert routes(ec2, table_a)["10.1.0.0/16"]["State"] == "active"
    assert routes(ec2, table_b)["10.0.0.0/16"]["State"] == "active"
    flt = [{"Name": "route.vpc-peering-connection-id", "Values": [pcx]}]
    assert {t["RouteTableId"] for t in ec2.describe_route_tables(Filters=flt)["RouteTables"]} \
        == {table_a, table_b}
    other = make_vpc(ec2, "10.2.0.0/16")
    table_c = ec2.create_route_table(VpcId=other)["RouteTable"]["RouteTableId"]
    assert code(ec2.create_route, RouteTableId=table_c, DestinationCidrBlock="10.1.0.0/16",
                VpcPeeringConnectionId=pcx) == "InvalidVpcPeeringConnectionID.NotFound"
    assert code(ec2.create_route, RouteTableId=table_a, DestinationCidrBlock="10.9.0.0/16",
                VpcPeeringConnectionId="pcx-0123456789abcdef0") == \
        "InvalidVpcPeeringConnectionID.NotFound"
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert routes(ec2, table_a)["10.1.0.0/16"]["State"] == "blackhole"


def test_overlapping_cidrs_fail_and_failed_requests_vanish(cloud, ec2):
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(ec2, "10.0.128.0/17")
    pcx = peer(ec2, a, b)
    cloud.advance(ml.PEERING_REQUEST)
    status = show(ec2, pcx)["Status"]
    assert status["Code"] == "failed" and "overlapping CIDR" in status["Message"]
    err = error(ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    assert err["Code"] == "InvalidStateTransition" and "failed" in err["Message"]
    cloud.advance(hours=2)
    assert code(ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx) == \
        "InvalidVpcPeeringConnectionID.NotFound"
    # a secondary CIDR that overlaps counts too
    c = make_vpc(ec2, "10.1.0.0/16")
    ec2.associate_vpc_cidr_block(VpcId=c, CidrBlock="10.0.64.0/18")
    assert show(ec2, peer(ec2, a, c))["Status"]["Code"] == "initiating-request"
    cloud.advance(ml.PEERING_REQUEST)
    assert ec2.describe_vpc_peering_connections(Filters=[
        {"Name": "status-code", "Values": ["failed"]},
        {"Name": "accepter-vpc-info.vpc-id", "Values": [c]}])["VpcPeeringConnections"]


def test_one_peering_per_pair_and_bad_requests(cloud, ec2):
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(ec2, "10.1.0.0/16")
    peer(ec2, a, b)
    assert code(ec2.create_vpc_peering_connection, VpcId=a, PeerVpcId=b) == \
        "VpcPeeringConnectionAlreadyExists"
    assert code(ec2.create_vpc_peering_connection, VpcId=b, PeerVpcId=a) == \
        "VpcPeeringConnectionAlreadyExists"
    assert code(ec2.create_vpc_peering_connection, VpcId=a) == "MissingParameter"
    assert code(ec2.create_vpc_peering_connection, VpcId=a, PeerVpcId=a) == \
        "InvalidParameterValue"
    assert code(ec2.create_vpc_peering_connection, VpcId=a,
                PeerVpcId="vpc-0123456789abcdef0") == "InvalidVpcID.NotFound"
    assert code(ec2.create_vpc_peering_connection, VpcId="vpc-0123456789abcdef0",
                PeerVpcId=b) == "InvalidVpcID.NotFound"
    assert code(ec2.create_vpc_peering_connection, VpcId=a, PeerVpcId=b,
                PeerOwnerId="999999999999") == "InvalidParameterValue"
    assert code(ec2.create_vpc_peering_connection, VpcId=a, PeerVpcId=b,
                PeerRegion="xx-nowhere-1") == "InvalidParameterValue"
    for call in (ec2.accept_vpc_peering_connection, ec2.reject_vpc_peering_connection,
                 ec2.delete_vpc_peering_connection):
        assert code(call, VpcPeeringConnectionId="pcx-0123456789abcdef0") == \
            "InvalidVpcPeeringConnectionID.NotFound"
    assert code(ec2.describe_vpc_peering_connections,
                Filters=[{"Name": "bogus", "Values": ["x"]}]) == "InvalidParameterValue"


def test_another_account_accepts_or_rejects(cloud, ec2):
    other = cloud.new_account()
    theirs = cloud.client("ec2", account=other)
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(theirs, "10.1.0.0/16")
    pcx = peer(ec2, a, b, PeerOwnerId=other)
    assert theirs.describe_vpc_peering_connections()["VpcPeeringConnections"] == []
    cloud.advance(ml.PEERING_REQUEST)
    seen = show(theirs, pcx)
    assert seen["RequesterVpcInfo"]["OwnerId"] == cloud.default_account
    assert seen["AccepterVpcInfo"]["OwnerId"] == other
    err = error(ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx)
    assert err["Code"] == "OperationNotPermitted"
    assert code(ec2.reject_vpc_peering_connection, VpcPeeringConnectionId=pcx) == \
        "OperationNotPermitted"
    assert code(theirs.delete_vpc_peering_connection, VpcPeeringConnectionId=pcx) == \
        "InvalidStateTransition"                  # the accepter rejects a pending request
    assert code(theirs.delete_vpc, VpcId=b) == "DependencyViolation"
    assert theirs.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    assert show(ec2, pcx)["Status"] == {"Code": "rejected", "Message": f"Rejected by {other}"}
    theirs.delete_vpc(VpcId=b)
    # a pending request from another account to a VPC of a third one: accepted this time
    c = make_vpc(theirs, "10.2.0.0/16")
    pcx = peer(ec2, a, c, PeerOwnerId=other)
    cloud.advance(ml.PEERING_REQUEST)
    theirs.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    cloud.advance(ml.PEERING_PROVISIONING)
    assert show(ec2, pcx)["Status"]["Code"] == "active"
    table = ec2.create_route_table(VpcId=a)["RouteTable"]["RouteTableId"]
    theirs_table = theirs.create_route_table(VpcId=c)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.2.0.0/16",
                     VpcPeeringConnectionId=pcx)
    theirs.create_route(RouteTableId=theirs_table, DestinationCidrBlock="10.0.0.0/16",
                        VpcPeeringConnectionId=pcx)
    assert routes(theirs, theirs_table)["10.0.0.0/16"]["State"] == "active"
    theirs.create_tags(Resources=[pcx], Tags=[{"Key": "side", "Value": "accepter"}])
    assert {"Key": "side", "Value": "accepter"} in show(ec2, pcx)["Tags"]
    # deleting a VPC deletes its active peering
    theirs.delete_route_table(RouteTableId=theirs_table)
    theirs.delete_vpc(VpcId=c)
    assert show(ec2, pcx)["Status"] == {"Code": "deleted", "Message": f"Deleted by {other}"}
    assert routes(ec2, table)["10.2.0.0/16"]["State"] == "blackhole"


def test_inter_region_peering_is_accepted_in_the_accepters_region(cloud, ec2):
    europe = cloud.client("ec2", region_name="eu-west-1")
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(europe, "10.1.0.0/16")
    pcx = peer(ec2, a, b, PeerRegion="eu-west-1")
    cloud.advance(ml.PEERING_REQUEST)
    assert code(ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx) == \
        "OperationNotPermitted"
    europe.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    cloud.advance(ml.PEERING_PROVISIONING)
    out = show(ec2, pcx)
    assert out["Status"]["Code"] == "active"
    assert (out["RequesterVpcInfo"]["Region"], out["AccepterVpcInfo"]["Region"]) == \
        ("us-east-1", "eu-west-1")
    assert cloud.ec2.peering_connections[pcx].inter_region
    other = cloud.client("ec2", region_name="ap-south-1")
    assert other.describe_vpc_peering_connections()["VpcPeeringConnections"] == []
    # a peer VPC that does not exist in another Region: the request fails asynchronously
    ghost = peer(ec2, a, "vpc-0123456789abcdef0", PeerRegion="eu-west-1")
    cloud.advance(ml.PEERING_REQUEST)
    assert show(ec2, ghost)["Status"]["Code"] == "failed"


def test_requests_expire_after_seven_days(cloud, ec2):
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(ec2, "10.1.0.0/16")
    pcx = peer(ec2, a, b)
    cloud.advance(days=7, seconds=-10)
    assert show(ec2, pcx)["Status"]["Code"] == "pending-acceptance"
    cloud.advance(seconds=20)
    assert show(ec2, pcx)["Status"] == {"Code": "expired", "Message": "Expired"}
    assert code(ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=pcx) == \
        "InvalidStateTransition"
    peer(ec2, a, b)                                   # the pair is free again


def test_dns_resolution_options(cloud, ec2):
    a, b, pcx = active_pair(cloud, ec2)
    options = {"AllowDnsResolutionFromRemoteVpc": True}
    assert code(ec2.modify_vpc_peering_connection_options, VpcPeeringConnectionId=pcx,
                RequesterPeeringConnectionOptions=options) == \
        "InvalidVpcPeeringConnectionState.DnsHostnamesDisabled"
    for vpc in (a, b):
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    out = ec2.modify_vpc_peering_connection_options(VpcPeeringConnectionId=pcx,
                                                    RequesterPeeringConnectionOptions=options)
    assert out["RequesterPeeringConnectionOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert "AccepterPeeringConnectionOptions" not in out
    now = show(ec2, pcx)
    assert now["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"]
    assert not now["AccepterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"]
    assert code(ec2.modify_vpc_peering_connection_options, VpcPeeringConnectionId=pcx) == \
        "MissingParameter"
    assert code(ec2.modify_vpc_peering_connection_options, VpcPeeringConnectionId=pcx,
                RequesterPeeringConnectionOptions={
                    "AllowEgressFromLocalClassicLinkToRemoteVpc": True}) == \
        "InvalidParameterValue"
    c = make_vpc(ec2, "10.2.0.0/16")
    pending = peer(ec2, a, c)
    assert code(ec2.modify_vpc_peering_connection_options, VpcPeeringConnectionId=pending,
                RequesterPeeringConnectionOptions=options) == "OperationNotPermitted"


def test_options_of_the_other_side_belong_to_its_owner(cloud, ec2):
    other = cloud.new_account()
    theirs = cloud.client("ec2", account=other)
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(theirs, "10.1.0.0/16")
    pcx = peer(ec2, a, b, PeerOwnerId=other)
    cloud.advance(ml.PEERING_REQUEST)
    theirs.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    cloud.advance(ml.PEERING_PROVISIONING)
    assert code(ec2.modify_vpc_peering_connection_options, VpcPeeringConnectionId=pcx,
                AccepterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": False}) \
        == "OperationNotPermitted"


def test_quotas(cloud, ec2, monkeypatch):
    monkeypatch.setattr(ml, "PEERINGS_OUTSTANDING", 2)
    monkeypatch.setattr(ml, "PEERINGS_ACTIVE_PER_VPC", 1)
    a, b, c, d = (make_vpc(ec2, f"10.{i}.0.0/16") for i in range(4))
    first, second = peer(ec2, a, b), peer(ec2, a, c)
    err = error(ec2.create_vpc_peering_connection, VpcId=a, PeerVpcId=d)
    assert err["Code"] == "OutstandingVpcPeeringConnectionLimitExceeded"
    cloud.advance(ml.PEERING_REQUEST)
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=first)
    assert code(ec2.accept_vpc_peering_connection, VpcPeeringConnectionId=second) == \
        "ActiveVpcPeeringConnectionPerVpcLimitExceeded"


def test_iam_and_dry_run(cloud, ec2):
    a, b = make_vpc(ec2, "10.0.0.0/16"), make_vpc(ec2, "10.1.0.0/16")
    assert code(ec2.create_vpc_peering_connection, VpcId=a, PeerVpcId=b, DryRun=True) == \
        "DryRunOperation"
    assert ec2.describe_vpc_peering_connections()["VpcPeeringConnections"] == []
    creds = user_with_key(cloud, "reader", inline=doc(allow("ec2:Describe*")))
    reader = cloud.client("ec2", **creds)
    err = error(reader.create_vpc_peering_connection, VpcId=a, PeerVpcId=b)
    assert err["Code"] == "UnauthorizedOperation" and \
        "ec2:CreateVpcPeeringConnection" in err["Message"]


def test_graph_and_save_load_mid_transition(cloud, ec2, tmp_path):
    a, b, pcx = active_pair(cloud, ec2)
    c = make_vpc(ec2, "10.2.0.0/16")
    pending = peer(ec2, a, c)
    graph = cloud.graph()
    vpc_arn = lambda v: cloud.ec2.vpcs[v].arn                          # noqa: E731
    edge = graph.edges[vpc_arn(a), vpc_arn(b)]
    assert edge["relation"] == "peered-with" and edge["id"] == pcx and edge["state"] == "active"
    assert graph.nodes[cloud.ec2.peering_connections[pcx].arn]["type"] == \
        "ec2-vpc-peering-connection"
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "c.json"))
    for c_ in (cloud, loaded):
        c_.advance(ml.PEERING_REQUEST)
    for c_ in (cloud, loaded):
        assert show(c_.client("ec2"), pending)["Status"]["Code"] == "pending-acceptance"
    one = cloud.client("ec2").describe_vpc_peering_connections()["VpcPeeringConnections"]
    two = loaded.client("ec2").describe_vpc_peering_connections()["VpcPeeringConnections"]
    assert one == two
    make_subnet(ec2, a)                                   # the cloud goes on working
