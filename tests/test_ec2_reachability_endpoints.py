"""cloud.ec2.reachability to AWS services through gateway and interface endpoints, and to a
PrivateLink service."""

from __future__ import annotations

import pytest

from reachability_helpers import (allow, ec2, group, instance, nacl, net,  # noqa: F401
                                  settle, subnet, table, web_vpc)

NLB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/api/0123456789abcdef"


@pytest.fixture
def private(cloud, ec2, net):
    """web_vpc whose private subnet has its own route table (local only) and an instance."""
    net["rtb"] = table(ec2, net["vpc"], [net["private"]])
    net["app"] = instance(ec2, net["private"], [net["web"]])
    settle(cloud)
    return net


def gateway_endpoint(ec2, net, service: str = "s3") -> str:
    return ec2.create_vpc_endpoint(VpcId=net["vpc"],
                                   ServiceName=f"com.amazonaws.us-east-1.{service}",
                                   RouteTableIds=[net["rtb"]])["VpcEndpoint"]["VpcEndpointId"]


def test_s3_through_a_gateway_endpoint_without_internet_access(cloud, ec2, private):
    refused = cloud.ec2.reachability(private["app"], "s3", "tcp", 443)
    assert refused.blocked_by.code == "NO_ROUTE_TO_DESTINATION"
    vpce = gateway_endpoint(ec2, private)
    result = cloud.ec2.reachability(private["app"], "s3", "tcp", 443)
    assert result.reachable
    route = next(h for h in result.hops if h.resource == private["rtb"])
    assert route.rule == f"route pl-63a5400a -> {vpce}"
    assert result.hops[-1].component == "AWS service" and result.hops[-1].resource == "s3"
    assert [h.component for h in result.return_path][:2] == ["AWS service", "VPC endpoint"]
    assert cloud.ec2.reachability(private["app"], "service:dynamodb", "tcp", 443). \
        blocked_by.code == "NO_ROUTE_TO_DESTINATION"
    assert cloud.ec2.reachability(private["app"], vpce, "tcp", 443).reachable


def test_a_gateway_endpoint_carries_tcp_only(cloud, ec2, private):
    gateway_endpoint(ec2, private)
    result = cloud.ec2.reachability(private["app"], "s3", "udp", 443)
    assert result.blocked_by.code == "VPCE_GATEWAY_PROTOCOL_RESTRICTION"


def test_the_acl_must_admit_the_reply_from_the_service_addresses(cloud, ec2, private):
    gateway_endpoint(ec2, private)
    acl = nacl(ec2, private["vpc"], private["private"], [
        (100, True, "-1", "allow", "0.0.0.0/0", None),
        (100, False, "-1", "allow", "10.0.0.0/16", None)])
    result = cloud.ec2.reachability(private["app"], "s3", "tcp", 443)
    assert result.blocked_by.direction == "return" and result.blocked_by.resource == acl
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=110, Egress=False, Protocol="6",
                                 RuleAction="allow", CidrBlock="16.182.0.0/16",
                                 PortRange={"From": 32768, "To": 61000})
    assert cloud.ec2.reachability(private["app"], "s3", "tcp", 443).reachable


def test_s3_over_the_internet_where_there_is_no_endpoint(cloud, ec2, net):
    web = instance(ec2, net["public"], [net["web"]], public=True)
    settle(cloud)
    result = cloud.ec2.reachability(web, "com.amazonaws.us-east-1.s3", "tcp", 443)
    assert result.reachable
    assert [h.component for h in result.hops][-2:] == ["Internet gateway", "AWS service"]
    assert "public endpoint" in result.hops[-1].rule


def test_an_interface_endpoint_is_filtered_by_its_security_groups(cloud, ec2, private):
    ec2.modify_vpc_attribute(VpcId=private["vpc"], EnableDnsHostnames={"Value": True})
    endpoint_group = group(ec2, private["vpc"], "endpoint")
    vpce = ec2.create_vpc_endpoint(VpcId=private["vpc"], VpcEndpointType="Interface",
                                   ServiceName="com.amazonaws.us-east-1.sqs",
                                   SubnetIds=[private["private"]],
                                   SecurityGroupIds=[endpoint_group])["VpcEndpoint"][
        "VpcEndpointId"]
    settle(cloud)
    refused = cloud.ec2.reachability(private["app"], "service:sqs", "tcp", 443)
    assert refused.blocked_by.resource == endpoint_group
    assert refused.blocked_by.code == "SG_HAS_NO_RULES"
    ec2.authorize_security_group_ingress(GroupId=endpoint_group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "UserIdGroupPairs": [{"GroupId": private["web"]}]}])
    ok = cloud.ec2.reachability(private["app"], "service:sqs", "tcp", 443)
    assert ok.reachable
    assert ok.hops[-1].rule == f"receives it in us-east-1 through interface endpoint {vpce}"
    assert ok.return_path[0].component == "AWS service"


def provider(cloud, ec2, acceptance: bool = True) -> dict:
    """A provider VPC 10.9.0.0/16: an 'api' instance behind a Network Load Balancer, published
    as an endpoint service."""
    net = web_vpc(ec2, "10.9.0.0/16")
    settle(cloud, 5)
    api_group = group(ec2, net["vpc"], "api", [("tcp", 8443, "10.9.0.0/16")])
    api = instance(ec2, net["private"], [api_group])
    settle(cloud)
    cloud.ec2.register_load_balancer(NLB, [net["private"]], [api], [8443])
    svc = ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[NLB],
                                                        AcceptanceRequired=acceptance)[
        "ServiceConfiguration"]
    settle(cloud)
    return {**net, "api": api, "api_group": api_group, "service_id": svc["ServiceId"],
            "service_name": svc["ServiceName"]}


def consume(cloud, ec2, v: dict, side: dict) -> str:
    """An interface endpoint to the provider's service in ``v``'s private subnet, filtered by
    ``v``'s web group (opened to 8443 from 10.0.0.0/16)."""
    allow(ec2, v["web"], "tcp", 8443, "10.0.0.0/16")
    vpce = ec2.create_vpc_endpoint(VpcId=v["vpc"], VpcEndpointType="Interface",
                                   ServiceName=side["service_name"], SubnetIds=[v["private"]],
                                   SecurityGroupIds=[v["web"]])["VpcEndpoint"]["VpcEndpointId"]
    settle(cloud)
    return vpce


def test_privatelink_from_a_consumer_endpoint_to_the_provider_target(cloud, ec2, private):
    side = provider(cloud, ec2)
    vpce = ec2.create_vpc_endpoint(VpcId=private["vpc"], VpcEndpointType="Interface",
                                   ServiceName=side["service_name"],
                                   SubnetIds=[private["private"]],
                                   SecurityGroupIds=[private["web"]])["VpcEndpoint"][
        "VpcEndpointId"]
    settle(cloud)
    waiting = cloud.ec2.reachability(private["app"], side["service_id"], "tcp", 443)
    assert waiting.blocked_by.resource == vpce
    assert "has not accepted" in waiting.blocked_by.rule
    ec2.accept_vpc_endpoint_connections(ServiceId=side["service_id"], VpcEndpointIds=[vpce])
    settle(cloud)
    wrong_port = cloud.ec2.reachability(private["app"], side["service_id"], "tcp", 443)
    assert wrong_port.blocked_by.code == "ELBV2_LISTENER_PORT_RESTRICTION"
    # the endpoint's group (web) admits 443 and 22 only: open 8443 on it
    ec2.authorize_security_group_ingress(GroupId=private["web"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443,
        "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    result = cloud.ec2.reachability(private["app"], side["service_name"], "tcp", 8443)
    assert result.reachable, result.describe()
    names = [h.component for h in result.hops]
    assert names.index("VPC endpoint") < names.index("Load balancer") < len(names) - 1
    assert result.hops[-1].resource == side["api"]
    assert any(h.rule.startswith("PrivateLink carries the reply back") for h in
               result.return_path)
    assert result.return_path[-1].resource == private["app"]


def test_the_provider_target_sees_the_load_balancer_address(cloud, ec2, private):
    side = provider(cloud, ec2, acceptance=False)
    ec2.revoke_security_group_ingress(GroupId=side["api_group"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443,
        "IpRanges": [{"CidrIp": "10.9.0.0/16"}]}])
    allow(ec2, side["api_group"], "tcp", 8443, "10.0.0.0/16")   # the consumer's range: useless
    consume(cloud, ec2, private, side)
    result = cloud.ec2.reachability(private["app"], side["service_id"], "tcp", 8443)
    assert result.blocked_by.resource == side["api_group"]
    assert result.blocked_by.rule.startswith("inbound: no rule allows tcp 8443 from 10.9.2.")


def test_no_endpoint_no_privatelink(cloud, ec2, private):
    side = provider(cloud, ec2)
    result = cloud.ec2.reachability(private["app"], side["service_id"], "tcp", 8443)
    assert result.blocked_by.code == "NO_POSSIBLE_DESTINATION"
    assert "no interface endpoint" in result.blocked_by.rule
    with pytest.raises(ValueError, match="use it as a destination"):
        cloud.ec2.reachability("s3", private["app"])


def test_an_interface_endpoint_in_another_subnet(cloud, ec2, private):
    ec2.modify_vpc_attribute(VpcId=private["vpc"], EnableDnsHostnames={"Value": True})
    other = subnet(ec2, private["vpc"], "10.0.7.0/24", "us-east-1b")
    ec2.create_vpc_endpoint(VpcId=private["vpc"], VpcEndpointType="Interface",
                            ServiceName="com.amazonaws.us-east-1.logs", SubnetIds=[other],
                            SecurityGroupIds=[private["web"]])
    settle(cloud)
    result = cloud.ec2.reachability(private["app"], "logs", "tcp", 443)
    assert result.reachable
    assert [h.component for h in result.hops].count("Network ACL") == 2
