"""Security groups: stateful, allow-only filters on network interfaces.

A group belongs to one VPC; its name is unique in the VPC (``InvalidGroup.Duplicate``) and may
not start with ``sg-``. A new group allows all outbound IPv4 and nothing inbound; the VPC's
``default`` group also allows all inbound traffic from its own members, and cannot be deleted
(``CannotDelete``); a group still used by an interface or referenced by another group's rule
cannot be deleted (``DependencyViolation``) [VPCUG security-groups.md, default-security-group.md].
A rule is a protocol (``-1`` all, tcp, udp, icmp, icmpv6 or a number), a port range (ICMP: type
and code; all ports for other protocols) and a peer: an IPv4/IPv6 CIDR or another group of the
same VPC (its members' private addresses). An identical rule is ``InvalidPermission.Duplicate``;
revoking a missing one ``InvalidPermission.NotFound``; at most 60 rules per direction
(``RulesPerSecurityGroupLimitExceeded``) [VPCUG amazon-vpc-limits.md]. Each rule has an id
(``sgr-``) that DescribeSecurityGroupRules lists; DescribeSecurityGroups groups rules with the
same protocol and ports into one ``IpPermissions`` entry, as EC2 does.

Simplified: prefix-list peers and references to groups of peered VPCs are NotImplemented.
"""

from __future__ import annotations

import ipaddress

from ..service import operation
from . import model as m
from .codes import fail, missing, not_found, not_implemented
from .filters import (check_filters, matches, paginate, select, tag_list, tag_specifications,
                      with_tags)
from .model import SecurityGroup, SgRule

PROTOCOLS = {"-1": "-1", "all": "-1", "tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp",
             "icmp": "icmp", "1": "icmp", "icmpv6": "icmpv6", "58": "icmpv6"}


def _perms(egress: bool, key):
    return lambda g: [key(r) for r in g.rules if r.egress == egress and key(r) is not None]


GROUP_FILTERS = {
    "description": lambda g: g.description,
    "group-id": lambda g: g.group_id,
    "group-name": lambda g: g.name,
    "owner-id": lambda g: g.account,
    "vpc-id": lambda g: g.vpc_id,
    "ip-permission.cidr": _perms(False, lambda r: r.cidr_ipv4),
    "ip-permission.ipv6-cidr": _perms(False, lambda r: r.cidr_ipv6),
    "ip-permission.from-port": _perms(False, lambda r: r.from_port),
    "ip-permission.to-port": _perms(False, lambda r: r.to_port),
    "ip-permission.protocol": _perms(False, lambda r: r.protocol),
    "ip-permission.group-id": _perms(False, lambda r: r.group_id),
    "egress.ip-permission.cidr": _perms(True, lambda r: r.cidr_ipv4),
    "egress.ip-permission.from-port": _perms(True, lambda r: r.from_port),
    "egress.ip-permission.to-port": _perms(True, lambda r: r.to_port),
    "egress.ip-permission.protocol": _perms(True, lambda r: r.protocol),
    "egress.ip-permission.group-id": _perms(True, lambda r: r.group_id),
}


def describe_rule(rule: SgRule) -> str:
    """The rule as EC2's Duplicate message words it."""
    proto = "ALL" if rule.protocol == "-1" else rule.protocol.upper()
    ports = f", from port: {rule.from_port}, to port: {rule.to_port}" \
        if rule.from_port is not None else ""
    return f'peer: {rule.peer()}, {proto}{ports}, ALLOW'


def _key(rule: SgRule) -> tuple:
    return (rule.egress, rule.protocol, rule.from_port, rule.to_port, rule.cidr_ipv4,
            rule.cidr_ipv6, rule.prefix_list_id, rule.group_id)


def permissions(group: SecurityGroup, egress: bool) -> list[dict]:
    """The group's rules of one direction as boto3 ``IpPermissions`` (grouped by protocol and
    ports, in the order rules were added)."""
    out: dict[tuple, dict] = {}
    for rule in group.rules:
        if rule.egress != egress:
            continue
        key = (rule.protocol, rule.from_port, rule.to_port)
        perm = out.get(key)
        if perm is None:
            perm = out[key] = {"IpProtocol": rule.protocol}
            if rule.from_port is not None:
                perm.update(FromPort=rule.from_port, ToPort=rule.to_port)
            perm.update(UserIdGroupPairs=[], IpRanges=[], Ipv6Ranges=[], PrefixListIds=[])
        note = {"Description": rule.description} if rule.description else {}
        if rule.cidr_ipv4:
            perm["IpRanges"].append({"CidrIp": rule.cidr_ipv4, **note})
        elif rule.cidr_ipv6:
            perm["Ipv6Ranges"].append({"CidrIpv6": rule.cidr_ipv6, **note})
        elif rule.prefix_list_id:
            perm["PrefixListIds"].append({"PrefixListId": rule.prefix_list_id, **note})
        else:
            perm["UserIdGroupPairs"].append({**note, "UserId": rule.group_owner,
                                             "GroupId": rule.group_id})
    return list(out.values())


def group_dict(group: SecurityGroup) -> dict:
    out = {"GroupId": group.group_id, "IpPermissionsEgress": permissions(group, True),
           "VpcId": group.vpc_id, "SecurityGroupArn": group.arn, "OwnerId": group.account,
           "GroupName": group.name, "Description": group.description,
           "IpPermissions": permissions(group, False)}
    return with_tags(out, group.tags)


def rule_dict(group: SecurityGroup, rule: SgRule, revoked: bool = False) -> dict:
    out = {"SecurityGroupRuleId": rule.rule_id, "GroupId": group.group_id}
    if not revoked:
        out["GroupOwnerId"] = group.account
    out.update(IsEgress=rule.egress, IpProtocol=rule.protocol,
               FromPort=-1 if rule.from_port is None else rule.from_port,
               ToPort=-1 if rule.to_port is None else rule.to_port)
    if rule.cidr_ipv4:
        out["CidrIpv4"] = rule.cidr_ipv4
    elif rule.cidr_ipv6:
        out["CidrIpv6"] = rule.cidr_ipv6
    elif rule.prefix_list_id:
        out["PrefixListId"] = rule.prefix_list_id
    elif revoked:
        out["ReferencedGroupId"] = rule.group_id
    else:
        out["ReferencedGroupInfo"] = {"GroupId": rule.group_id, "UserId": rule.group_owner}
    if rule.description:
        out["Description"] = rule.description
    if not revoked:
        out["Tags"] = []
        out["SecurityGroupRuleArn"] = m.arn(group.region, group.account, "security-group-rule",
                                            rule.rule_id)
    return out


class SecurityGroupOperations:
    """Security groups and their rules."""

    def groups_for(self, req, vpc_id: str, group_ids) -> list[str]:
        """The groups an interface in ``vpc_id`` gets: those named (of that VPC, at most 5),
        else the VPC's default group."""
        if not group_ids:
            return [self.default_group(vpc_id).group_id]
        out = []
        for group_id in group_ids:
            group = self.get(req, "sg", group_id)
            if group.vpc_id != vpc_id:
                raise fail("InvalidParameter", f"Security group {group_id} and subnet belong "
                                               "to different networks.")
            if group_id not in out:
                out.append(group_id)
        if len(out) > 5:
            raise fail("SecurityGroupsPerInterfaceLimitExceeded",
                       "The maximum number of security groups per interface has been reached.")
        return out

    def group_named(self, req, group_id, group_name) -> SecurityGroup:
        """The group a request names by id, or by name in the default VPC."""
        if group_id is not None:
            return self.get(req, "sg", group_id)
        if group_name is None:
            raise missing("GroupId")
        vpc = self.default_vpc(req.account, req.region)
        group = next((g for g in self.security_groups.values() if vpc is not None
                      and g.vpc_id == vpc.vpc_id and g.name == group_name), None)
        if group is None:
            raise fail("InvalidGroup.NotFound", f"The security group '{group_name}' does not "
                       f"exist in default VPC '{vpc.vpc_id if vpc else 'none'}'")
        return group

    # -- groups ---------------------------------------------------------------------------------
    @operation
    def create_security_group(self, req, Description, GroupName, VpcId=None,
                              TagSpecifications=None, **_):
        self.begin(req, self.arn_for(req, "security-group"))
        if VpcId is None:
            vpc = self.default_vpc(req.account, req.region)
            if vpc is None:
                raise fail("VPCIdNotSpecified", "No default VPC for this user")
        else:
            vpc = self.get(req, "vpc", VpcId)
        if not 1 <= len(GroupName) <= 255 or GroupName.lower().startswith("sg-"):
            raise fail("InvalidParameterValue", f"Invalid value '{GroupName}' for groupName. "
                       "Group names must be 1-255 characters and may not start with 'sg-'.")
        if len(Description) > 255:
            raise fail("InvalidParameterValue", "Invalid value for GroupDescription: at most "
                                                "255 characters.")
        if any(g.vpc_id == vpc.vpc_id and g.name == GroupName
               for g in self.security_groups.values()):
            raise fail("InvalidGroup.Duplicate", f"The security group '{GroupName}' already "
                                                 f"exists for VPC '{vpc.vpc_id}'")
        tags = tag_specifications(TagSpecifications, "security-group")
        group = SecurityGroup(self.new_id("sg"), req.account, req.region, vpc.vpc_id,
                              GroupName, Description, tags=tags)
        group.rules.append(SgRule(self.new_id("sgr"), True, "-1", cidr_ipv4="0.0.0.0/0"))
        self.security_groups[group.group_id] = group
        req.step("Security group", f"Create security group {group.group_id} ({GroupName}) in "
                 f"{vpc.vpc_id}: no inbound rule, all outbound allowed", 4.0,
                 group=group.group_id)
        return with_tags({"GroupId": group.group_id}, tags) | {"SecurityGroupArn": group.arn}

    @operation
    def delete_security_group(self, req, GroupId=None, GroupName=None, **_):
        self.begin(req, self.arn_for(req, "security-group", GroupId or "*"))
        group = self.group_named(req, GroupId, GroupName)
        if group.is_default:
            raise fail("CannotDelete", f'the specified group: "{group.group_id}" name: '
                                       '"default" cannot be deleted by a user')
        used = any(group.group_id in e.group_ids for e in self.network_interfaces.values())
        referenced = any(r.group_id == group.group_id for g in self.security_groups.values()
                         if g is not group for r in g.rules)
        if used or referenced:
            raise fail("DependencyViolation", f"resource {group.group_id} has a dependent "
                                              "object")
        del self.security_groups[group.group_id]
        req.step("Security group", f"Delete security group {group.group_id} ({group.name})",
                 3.0, group=group.group_id)
        return {"Return": True, "GroupId": group.group_id}

    @operation
    def describe_security_groups(self, req, GroupIds=None, GroupNames=None, Filters=None,
                                 MaxResults=None, NextToken=None, **_):
        self.begin(req)
        check_filters(Filters, GROUP_FILTERS)
        groups = select(self.mine(req, "sg"), GroupIds, lambda g: g.group_id, "sg", not_found)
        if GroupNames:
            groups = [self.group_named(req, None, name) for name in GroupNames]
        groups = [g for g in groups if matches(g, Filters, GROUP_FILTERS)]
        page, token = paginate(req, groups, lambda g: g.group_id, MaxResults, NextToken)
        req.step("EC2 API", f"Describe security groups: {len(page)}", 2.0)
        out = {"SecurityGroups": [group_dict(g) for g in page]}
        if token:
            out["NextToken"] = token
        return out

    # -- rules ----------------------------------------------------------------------------------
    def parse_rules(self, req, group: SecurityGroup, egress: bool, params: dict) -> list[SgRule]:
        """The rules a request's ``IpPermissions`` (or legacy CidrIp/IpProtocol/...) describe."""
        perms = list(params.get("IpPermissions") or [])
        legacy = {k: params[k] for k in ("IpProtocol", "FromPort", "ToPort", "CidrIp")
                  if params.get(k) is not None}
        if params.get("SourceSecurityGroupName") or params.get("SourceSecurityGroupOwnerId"):
            raise not_implemented("SourceSecurityGroupName (use IpPermissions with a GroupId)")
        if legacy:
            if perms:
                raise fail("InvalidParameterCombination", "The parameter 'ipPermissions' may "
                           "not be used in combination with 'cidrIp', 'ipProtocol', ...")
            perms = [{"IpProtocol": legacy.get("IpProtocol", "-1"),
                      "FromPort": legacy.get("FromPort"), "ToPort": legacy.get("ToPort"),
                      "IpRanges": [{"CidrIp": legacy["CidrIp"]}] if "CidrIp" in legacy else []}]
        if not perms:
            raise missing("IpPermissions")
        out = []
        for perm in perms:
            protocol, low, high = self.ports(perm)
            peers = []
            for item in perm.get("IpRanges") or []:
                peers.append({"cidr_ipv4": _cidr(item.get("CidrIp"), 4),
                              "description": item.get("Description")})
            for item in perm.get("Ipv6Ranges") or []:
                peers.append({"cidr_ipv6": _cidr(item.get("CidrIpv6"), 6),
                              "description": item.get("Description")})
            if perm.get("PrefixListIds"):
                raise not_implemented("prefix-list rules")
            for pair in perm.get("UserIdGroupPairs") or []:
                if pair.get("VpcPeeringConnectionId"):
                    raise not_implemented("rules referencing groups of peered VPCs")
                other = self.group_named_in_vpc(req, group, pair)
                peers.append({"group_id": other.group_id, "group_owner": other.account,
                              "description": pair.get("Description")})
            if not peers:
                raise missing("IpPermissions.IpRanges (or Ipv6Ranges or UserIdGroupPairs)")
            for peer in peers:
                out.append(SgRule("", egress, protocol, low, high, **peer))
        return out

    @staticmethod
    def ports(perm: dict) -> tuple:
        raw = str(perm.get("IpProtocol", "")).lower()
        protocol = PROTOCOLS.get(raw)
        if protocol is None:
            if not raw.isdigit() or not 0 <= int(raw) <= 255:
                raise fail("InvalidParameterValue", f"Invalid value '{raw}' for IP protocol. "
                                                    "Unknown protocol.")
            protocol = raw
        low, high = perm.get("FromPort"), perm.get("ToPort")
        if protocol in ("tcp", "udp"):
            if low is None or high is None or not 0 <= low <= high <= 65535:
                raise fail("InvalidParameterValue", f"Invalid TCP/UDP port range "
                                                    f"({low}, {high}): give 0 <= FromPort <= "
                                                    "ToPort <= 65535.")
            return protocol, low, high
        if protocol in ("icmp", "icmpv6"):
            low, high = (-1 if low is None else low), (-1 if high is None else high)
            if not (-1 <= low <= 255 and -1 <= high <= 255):
                raise fail("InvalidParameterValue", f"Invalid ICMP type/code ({low}, {high}).")
            return protocol, low, high
        return protocol, None, None

    def group_named_in_vpc(self, req, group: SecurityGroup, pair: dict) -> SecurityGroup:
        if pair.get("GroupId"):
            other = self.security_groups.get(pair["GroupId"])
            if other is None or other.region != req.region or other.account != \
                    pair.get("UserId", req.account):
                raise not_found("sg", pair["GroupId"])
        elif pair.get("GroupName"):
            other = next((g for g in self.security_groups.values() if g.vpc_id == group.vpc_id
                          and g.name == pair["GroupName"]), None)
            if other is None:
                raise not_found("sg", pair["GroupName"])
        else:
            raise missing("UserIdGroupPairs.GroupId")
        if other.vpc_id != group.vpc_id:
            raise fail("InvalidGroup.NotFound", "You have specified two resources that belong "
                                                "to different networks.")
        return other

    def authorize_rules(self, req, egress: bool, params: dict) -> dict:
        self.begin(req, self.arn_for(req, "security-group", params.get("GroupId") or "*"))
        group = self.group_named(req, params.get("GroupId"), params.get("GroupName"))
        rules = self.parse_rules(req, group, egress, params)
        existing = {_key(r) for r in group.rules}
        for rule in rules:
            if _key(rule) in existing:
                raise fail("InvalidPermission.Duplicate",
                           f'the specified rule "{describe_rule(rule)}" already exists')
            existing.add(_key(rule))
        if sum(r.egress == egress for r in group.rules) + len(rules) > m.RULES_PER_GROUP:
            raise fail("RulesPerSecurityGroupLimitExceeded",
                       "The maximum number of rules per security group has been reached.")
        tags = tag_specifications(params.get("TagSpecifications"), "security-group-rule")
        for rule in rules:
            rule.rule_id = self.new_id("sgr")
            group.rules.append(rule)
        direction = "outbound" if egress else "inbound"
        req.step("Security group", f"Allow {direction} on {group.group_id}: "
                 + "; ".join(describe_rule(r) for r in rules), 3.0, group=group.group_id)
        return {"Return": True, "SecurityGroupRules": [
            {**rule_dict(group, r), "Tags": tag_list(tags)} for r in rules]}

    def revoke_rules(self, req, egress: bool, params: dict) -> dict:
        self.begin(req, self.arn_for(req, "security-group", params.get("GroupId") or "*"))
        group = self.group_named(req, params.get("GroupId"), params.get("GroupName"))
        ids = params.get("SecurityGroupRuleIds")
        if ids:
            chosen = []
            for rule_id in ids:
                rule = next((r for r in group.rules if r.rule_id == rule_id
                             and r.egress == egress), None)
                if rule is None:
                    raise not_found("sgr", rule_id)
                chosen.append(rule)
        else:
            by_key = {_key(r): r for r in group.rules}
            chosen = []
            for rule in self.parse_rules(req, group, egress, params):
                if _key(rule) not in by_key:
                    raise fail("InvalidPermission.NotFound", "The specified rule does not "
                                                             "exist in this security group.")
                chosen.append(by_key[_key(rule)])
        group.rules = [r for r in group.rules if r not in chosen]
        req.step("Security group", f"Revoke from {group.group_id}: "
                 + "; ".join(describe_rule(r) for r in chosen), 3.0, group=group.group_id)
        return {"Return": True,
                "RevokedSecurityGroupRules": [rule_dict(group, r, revoked=True)
                                              for r in chosen]}

    @operation
    def authorize_security_group_ingress(self, req, **params):
        return self.authorize_rules(req, False, params)

    @operation
    def authorize_security_group_egress(self, req, **params):
        return self.authorize_rules(req, True, params)

    @operation
    def revoke_security_group_ingress(self, req, **params):
        return self.revoke_rules(req, False, params)

    @operation
    def revoke_security_group_egress(self, req, **params):
        return self.revoke_rules(req, True, params)

    @operation
    def describe_security_group_rules(self, req, SecurityGroupRuleIds=None, Filters=None,
                                      MaxResults=None, NextToken=None, **_):
        self.begin(req)
        spec = {"group-id": lambda p: p[0].group_id,
                "security-group-rule-id": lambda p: p[1].rule_id}
        check_filters(Filters, spec)
        pairs = [(g, r) for g in self.mine(req, "sg") for r in g.rules]
        if SecurityGroupRuleIds:
            known = {r.rule_id for _, r in pairs}
            for rule_id in SecurityGroupRuleIds:
                if rule_id not in known:
                    raise not_found("sgr", rule_id)
            pairs = [p for p in pairs if p[1].rule_id in SecurityGroupRuleIds]
        pairs = [p for p in pairs if matches(p, Filters, spec)]
        page, token = paginate(req, pairs, lambda p: p[1].rule_id, MaxResults, NextToken)
        req.step("EC2 API", f"Describe security group rules: {len(page)}", 2.0)
        out = {"SecurityGroupRules": [rule_dict(g, r) for g, r in page]}
        if token:
            out["NextToken"] = token
        return out


def _cidr(value, version: int) -> str:
    try:
        net = ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        net = None
    if net is None or net.version != version:
        raise fail("InvalidParameterValue", f"CIDR block {value} is malformed")
    return str(net)
