"""The Reachability Analyzer API through boto3: paths, analyses, their shapes and errors."""

from __future__ import annotations

from datetime import timedelta

import pytest

import awskit
from ec2_helpers import code, error
from reachability_helpers import ec2, group, instance, nacl, net, settle  # noqa: F401


@pytest.fixture
def site(cloud, ec2, net):
    """web_vpc with a running web instance (``web_i``) that has a public address."""
    net["web_i"] = instance(ec2, net["public"], [net["web"]], public=True)
    settle(cloud)
    return net


def path(ec2, **params) -> str:
    return ec2.create_network_insights_path(**params)["NetworkInsightsPath"][
        "NetworkInsightsPathId"]


def analyse(ec2, path_id: str) -> dict:
    return ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)[
        "NetworkInsightsAnalysis"]


def test_a_path_is_stored_and_described_as_created(cloud, ec2, site):
    created = ec2.create_network_insights_path(
        Source=site["igw"], Destination=site["web_i"], Protocol="tcp", DestinationPort=443,
        TagSpecifications=[{"ResourceType": "network-insights-path",
                            "Tags": [{"Key": "Name", "Value": "web"}]}])["NetworkInsightsPath"]
    assert created["NetworkInsightsPathId"].startswith("nip-")
    assert created["NetworkInsightsPathArn"] == \
        f"arn:aws:ec2:us-east-1:123456789012:network-insights-path/" \
        f"{created['NetworkInsightsPathId']}"
    assert created["SourceArn"].endswith(f":internet-gateway/{site['igw']}")
    assert created["DestinationArn"].endswith(f":instance/{site['web_i']}")
    assert created["DestinationPort"] == 443 and created["Tags"][0]["Value"] == "web"
    [listed] = ec2.describe_network_insights_paths(
        Filters=[{"Name": "source", "Values": [site["igw"]]}])["NetworkInsightsPaths"]
    assert listed == created
    assert ec2.describe_network_insights_paths(
        Filters=[{"Name": "protocol", "Values": ["udp"]}])["NetworkInsightsPaths"] == []


def test_an_analysis_finds_the_path_with_its_components(cloud, ec2, site):
    result = analyse(ec2, path(ec2, Source=site["igw"], Destination=site["web_i"],
                               Protocol="tcp", DestinationPort=443))
    assert result["Status"] == "succeeded" and result["NetworkPathFound"] is True
    assert "Explanations" not in result
    forward = result["ForwardPathComponents"]
    assert [c["SequenceNumber"] for c in forward] == list(range(1, len(forward) + 1))
    ids = [c["Component"]["Id"] for c in forward]
    assert ids[0] == site["igw"] and ids[-1] == site["web_i"]
    rule = next(c["SecurityGroupRule"] for c in forward if "SecurityGroupRule" in c)
    assert rule == {"Cidr": "0.0.0.0/0", "Direction": "ingress",
                    "SecurityGroupId": site["web"], "PortRange": {"From": 443, "To": 443},
                    "Protocol": "tcp"}
    acl = next(c for c in forward if "AclRule" in c)
    assert acl["AclRule"]["RuleNumber"] == 100 and acl["AclRule"]["Egress"] is False
    assert acl["Subnet"]["Id"] == site["public"]
    back = result["ReturnPathComponents"]
    route = next(c for c in back if "RouteTableRoute" in c)
    assert route["Component"]["Id"] == site["public_rtb"]
    assert route["RouteTableRoute"] == {"DestinationCidr": "0.0.0.0/0",
                                        "GatewayId": site["igw"], "Origin": "CreateRoute",
                                        "State": "active"}
    # the same answer as the direct question
    direct = cloud.ec2.reachability(site["igw"], site["web_i"], "tcp", 443)
    assert [h.resource for h in direct.hops if h.arn] == ids


@pytest.mark.parametrize("setup,port,explanation", [
    ("nothing", 80, "ENI_SG_RULES_MISMATCH"),
    ("acl", 443, "SUBNET_ACL_RESTRICTION"),
    ("no-route", 443, "NO_ROUTE_TO_DESTINATION"),
])
def test_an_analysis_explains_what_blocks(cloud, ec2, site, setup, port, explanation):
    if setup == "acl":
        acl_id = nacl(ec2, site["vpc"], site["public"], [])
    if setup == "no-route":
        ec2.delete_route(RouteTableId=site["public_rtb"], DestinationCidrBlock="0.0.0.0/0")
        result = analyse(ec2, path(ec2, Source=site["web_i"], Destination=site["igw"],
                                   Protocol="tcp", DestinationPort=port))
    else:
        result = analyse(ec2, path(ec2, Source=site["igw"], Destination=site["web_i"],
                                   Protocol="tcp", DestinationPort=port))
    assert result["NetworkPathFound"] is False and "ReturnPathComponents" not in result
    [why] = result["Explanations"]
    assert why["ExplanationCode"] == explanation
    if setup == "nothing":
        assert why["SecurityGroups"] == [{"Id": site["web"], "Arn": why["Component"]["Arn"]}]
        assert why["Direction"] == "ingress"
    if setup == "acl":
        assert why["Acl"]["Id"] == acl_id and why["AclRule"]["RuleNumber"] == 32767
        assert why["AclRule"]["RuleAction"] == "deny" and why["Subnet"]["Id"] == site["public"]
    if setup == "no-route":
        assert why["RouteTable"]["Id"] == site["public_rtb"]
        assert why["Vpc"]["Id"] == site["vpc"]


def test_without_a_port_the_analysis_looks_for_any_port(cloud, ec2, site):
    only = group(ec2, site["vpc"], "only-8080", [("tcp", 8080, "0.0.0.0/0")])
    target = instance(ec2, site["public"], [only], public=True)
    closed = instance(ec2, site["public"], [group(ec2, site["vpc"], "closed")], public=True)
    settle(cloud)
    found = analyse(ec2, path(ec2, Source=site["igw"], Destination=target, Protocol="tcp"))
    assert found["NetworkPathFound"] is True
    rule = next(c["SecurityGroupRule"] for c in found["ForwardPathComponents"]
                if "SecurityGroupRule" in c)
    assert rule["PortRange"] == {"From": 8080, "To": 8080}
    missing = analyse(ec2, path(ec2, Source=site["igw"], Destination=closed, Protocol="udp"))
    assert missing["NetworkPathFound"] is False
    assert missing["Explanations"][0]["ExplanationCode"] == "SG_HAS_NO_RULES"


def test_describe_analyses_by_path_id_time_and_filters(cloud, ec2, site):
    good = path(ec2, Source=site["igw"], Destination=site["web_i"], Protocol="tcp",
                DestinationPort=443)
    first = analyse(ec2, good)
    cloud.advance(seconds=3600)
    second = analyse(ec2, good)
    listed = ec2.describe_network_insights_analyses(NetworkInsightsPathId=good)[
        "NetworkInsightsAnalyses"]
    assert {a["NetworkInsightsAnalysisId"] for a in listed} == \
        {first["NetworkInsightsAnalysisId"], second["NetworkInsightsAnalysisId"]}
    late = ec2.describe_network_insights_analyses(
        NetworkInsightsPathId=good, AnalysisStartTime=first["StartDate"] + timedelta(minutes=1))[
        "NetworkInsightsAnalyses"]
    assert [a["NetworkInsightsAnalysisId"] for a in late] == [second["NetworkInsightsAnalysisId"]]
    assert ec2.describe_network_insights_analyses(
        NetworkInsightsPathId=good, Filters=[{"Name": "path-found", "Values": ["false"]}])[
        "NetworkInsightsAnalyses"] == []
    page = ec2.describe_network_insights_analyses(NetworkInsightsPathId=good, MaxResults=1)
    assert len(page["NetworkInsightsAnalyses"]) == 1 and "NextToken" in page
    assert code(ec2.describe_network_insights_analyses) == "MissingParameter"


def test_an_analysis_of_a_path_whose_end_is_gone_fails(cloud, ec2, site):
    gone = path(ec2, Source=site["web_i"], Destination=site["igw"], Protocol="tcp",
                DestinationPort=443)
    ec2.terminate_instances(InstanceIds=[site["web_i"]])
    settle(cloud, 4000)
    result = analyse(ec2, gone)
    assert result["Status"] == "failed"
    assert result["StatusMessage"] == f"The request failed due to missing component " \
        f"{site['web_i']}"
    assert "NetworkPathFound" not in result


def test_deleting_paths_and_analyses(cloud, ec2, site):
    nip = path(ec2, Source=site["igw"], Destination=site["web_i"], Protocol="tcp",
               DestinationPort=22)
    nia = analyse(ec2, nip)["NetworkInsightsAnalysisId"]
    assert code(ec2.delete_network_insights_path, NetworkInsightsPathId=nip) == \
        "AnalysisExistsForNetworkInsightsPath"
    assert ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=nia)[
        "NetworkInsightsAnalysisId"] == nia
    assert ec2.delete_network_insights_path(NetworkInsightsPathId=nip)[
        "NetworkInsightsPathId"] == nip
    assert code(ec2.describe_network_insights_paths, NetworkInsightsPathIds=[nip]) == \
        "InvalidNetworkInsightsPathId.NotFound"
    assert code(ec2.delete_network_insights_analysis, NetworkInsightsAnalysisId=nia) == \
        "InvalidNetworkInsightsAnalysisId.NotFound"
    assert code(ec2.start_network_insights_analysis, NetworkInsightsPathId=nip) == \
        "InvalidNetworkInsightsPathId.NotFound"


@pytest.mark.parametrize("params,expected,status", [
    ({"Source": "i-0123456789abcdef0", "Destination": "IGW"}, "InvalidInstanceID.NotFound",
     400),
    ({"Source": "WEB", "Destination": "IGW", "Protocol": "icmp"}, "InvalidParameterValue", 400),
    ({"Source": "WEB", "Destination": "IGW", "DestinationPort": 70000},
     "InvalidParameterValue", 400),
    ({"Source": "WEB"}, "MissingParameter", 400),
    ({"Source": "tgw-0123456789abcdef0", "Destination": "IGW"}, "NotImplemented", 501),
    ({"Source": "WEB", "Destination": "IGW", "SourceIp": "10.9.9.9"}, "InvalidParameterValue",
     400),
    ({"Source": "arn:aws:ec2:us-east-1:210987654321:instance/i-0123456789abcdef0",
      "Destination": "IGW"}, "NotImplemented", 501),
    ({"Source": "WEB", "Destination": "IGW", "DryRun": True}, "DryRunOperation", 412),
    ({"Source": "bogus", "Destination": "IGW"}, "InvalidParameterValue", 400),
    ({"Source": "IGW", "Destination": "WEB", "SourceIp": "10.1.2.3"}, "InvalidParameterValue",
     400),
    ({"Source": "WEB", "Destination": "IGW", "FilterAtSource": {"SourceAddress": "10.0.1.4"}},
     "NotImplemented", 501),
])
def test_bad_paths_get_ec2_errors(cloud, ec2, site, params, expected, status):
    names = {"WEB": site["web_i"], "IGW": site["igw"]}
    params = {"Protocol": "tcp", **{k: names.get(v, v) if isinstance(v, str) else v
                                    for k, v in params.items()}}
    got = error(ec2.create_network_insights_path, **params)
    assert (got["Code"], got["Status"]) == (expected, status)
    assert cloud.ec2.insights_paths == {}


def test_a_client_token_makes_creation_idempotent(cloud, ec2, site):
    params = {"Source": site["igw"], "Destination": site["web_i"], "Protocol": "tcp",
              "DestinationPort": 443, "ClientToken": "once"}
    assert path(ec2, **params) == path(ec2, **params)
    assert len(cloud.ec2.insights_paths) == 1


def test_the_analysis_trace_carries_the_hops(cloud, ec2, site):
    analyse(ec2, path(ec2, Source=site["igw"], Destination=site["web_i"], Protocol="tcp",
                      DestinationPort=443))
    trace = cloud.traces.last
    assert trace.operation == "StartNetworkInsightsAnalysis"
    step = next(s for s in trace.steps if s.component == "Reachability Analyzer")
    direct = cloud.ec2.reachability(site["igw"], site["web_i"], "tcp", 443)
    assert [s.component for s in step.substeps] == \
        [h.component for h in direct.hops + direct.return_path]


def test_paths_and_analyses_survive_save_and_load(cloud, ec2, site, tmp_path):
    nip = path(ec2, Source=site["igw"], Destination=site["web_i"], Protocol="tcp",
               DestinationPort=443)
    nia = analyse(ec2, nip)
    copy = awskit.Cloud.load(cloud.save(tmp_path / "cloud.json"))
    again = copy.client("ec2")
    assert again.describe_network_insights_paths()["NetworkInsightsPaths"] == \
        ec2.describe_network_insights_paths()["NetworkInsightsPaths"]
    [loaded] = again.describe_network_insights_analyses(
        NetworkInsightsAnalysisIds=[nia["NetworkInsightsAnalysisId"]])["NetworkInsightsAnalyses"]
    assert loaded == nia
