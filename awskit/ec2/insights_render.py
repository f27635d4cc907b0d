"""A reachability answer in Reachability Analyzer's shapes: ``PathComponent`` s (forward and
return) and an ``Explanation`` for the hop that blocked the path [BC ec2:PathComponent,
Explanation, AnalysisComponent, AnalysisAclRule, AnalysisSecurityGroupRule,
AnalysisRouteTableRoute, TransitGatewayRouteTableRoute].

Every hop at an AWS resource becomes a component numbered from 1 (``SequenceNumber``) with the
rule it applied (``AclRule``, ``SecurityGroupRule``, ``RouteTableRoute``,
``TransitGatewayRouteTableRoute``) and where it sits (``Vpc``, ``Subnet``, ``TransitGateway``).
Hops that are not AWS resources (a host on the internet or on premises, an AWS service) have
no component, as in Reachability Analyzer, whose paths start and end at resources.
Simplified: components carry ``Id`` and ``Arn`` (no ``Name``); no packet headers
(``OutboundHeader`` / ``InboundHeader``), no ``AdditionalDetails``.
"""

from __future__ import annotations

#: id prefix → the ARN resource type EC2 uses
ARN_KINDS = {"vpc": "vpc", "subnet": "subnet", "rtb": "route-table",
             "igw": "internet-gateway", "acl": "network-acl", "sg": "security-group"}
#: explanation member naming the blocking resource, by id prefix [BC ec2:Explanation]
_EXPLAINED = {"sg": None, "acl": "Acl", "rtb": "RouteTable", "igw": "InternetGateway",
              "nat": "NatGateway", "pcx": "VpcPeeringConnection", "vgw": "VpnGateway",
              "vpn": "VpnConnection", "vpce": "VpcEndpoint", "vpc": "Vpc", "subnet": "Subnet",
              "tgw": "TransitGateway", "tgw-rtb": "TransitGatewayRouteTable",
              "tgw-attach": "TransitGatewayAttachment", "eni": "NetworkInterface",
              "cgw": "CustomerGateway"}


def component(resource_id: str, arn: str) -> dict:
    return {"Id": resource_id, "Arn": arn}


def _near(arn: str, kind: str, resource_id: str) -> str:
    """The ARN of ``resource_id`` in the same Region and account as ``arn``."""
    parts = arn.split(":")
    if len(parts) < 6:
        return ""
    return f"arn:aws:ec2:{parts[3]}:{parts[4]}:{kind}/{resource_id}"


def _place(out: dict, hop) -> None:
    detail = hop.detail
    for key in ("Vpc", "Subnet"):
        value = detail.get(key)
        if isinstance(value, str):
            out[key] = component(value, _near(hop.arn, ARN_KINDS[value.split("-")[0]], value))
    if "TransitGateway" in detail:
        tgw = detail["TransitGateway"]
        out["TransitGateway"] = component(tgw, _near(hop.arn, "transit-gateway", tgw))


def path_components(hops) -> list[dict]:
    """The hops at AWS resources as PathComponents, numbered from 1."""
    out = []
    for hop in hops:
        if not hop.arn:
            continue
        item = {"SequenceNumber": len(out) + 1}
        detail = hop.detail
        if "AclRule" in detail:
            item["AclRule"] = dict(detail["AclRule"])
        item["Component"] = component(hop.resource.split(", ")[0], hop.arn)
        if "RouteTableRoute" in detail:
            item["RouteTableRoute"] = dict(detail["RouteTableRoute"])
        if "SecurityGroupRule" in detail:
            item["SecurityGroupRule"] = dict(detail["SecurityGroupRule"])
        _place(item, hop)
        if "TransitGatewayRouteTableRoute" in detail:
            item["TransitGatewayRouteTableRoute"] = dict(detail["TransitGatewayRouteTableRoute"])
        out.append(item)
    return out


def explanation(hop) -> dict:
    """The Explanation of the hop that blocked the path."""
    out = {}
    detail = hop.detail
    prefix = next((p for p in ("tgw-rtb", "tgw-attach") if hop.resource.startswith(p + "-")),
                  hop.resource.split("-")[0])
    if "Acl" in detail:
        out["Acl"] = component(detail["Acl"].nacl_id, detail["Acl"].arn)
    if "AclRule" in detail:
        out["AclRule"] = dict(detail["AclRule"])
    out["Component"] = component(hop.resource.split(", ")[0], hop.arn)
    if hop.component in ("Security group", "Network ACL"):
        egress = " outbound" in f" {hop.rule}" or hop.rule.startswith("has no outbound")
        out["Direction"] = "egress" if egress else "ingress"
    out["ExplanationCode"] = hop.code or ""
    member = _EXPLAINED.get(prefix)
    if member and member not in out and hop.arn:
        out[member] = component(hop.resource, hop.arn)
    if "RouteTable" in detail:
        out["RouteTable"] = component(detail["RouteTable"].route_table_id,
                                      detail["RouteTable"].arn)
    if "RouteTableRoute" in detail:
        out["RouteTableRoute"] = dict(detail["RouteTableRoute"])
    if "SecurityGroups" in detail:
        out["SecurityGroups"] = [component(g.group_id, g.arn) for g in detail["SecurityGroups"]]
    if "SecurityGroup" in detail:
        group = detail["SecurityGroup"]
        out["SecurityGroup"] = component(group.group_id, group.arn)
    _place(out, hop)
    return out


def analysis_shapes(result) -> dict:
    """NetworkPathFound, ForwardPathComponents, ReturnPathComponents, Explanations."""
    out = {"NetworkPathFound": result.reachable,
           "ForwardPathComponents": path_components(result.hops)}
    if result.reachable:
        out["ReturnPathComponents"] = path_components(result.return_path)
    else:
        out["Explanations"] = [explanation(result.blocked_by)]
    return out
