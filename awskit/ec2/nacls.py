"""Network ACLs: stateless, numbered allow/deny rules on a subnet's edge.

Each direction's rules are evaluated lowest number first, the first match decides, and every
ACL ends with the ``*`` rule that denies what is left; DescribeNetworkAcls shows ``*`` as rule
number 32767 (one for IPv4, and one for IPv6 where IPv6 is used) and it can be neither changed
nor removed; rule numbers are 1-32766 [VPCUG vpc-network-acls.md; BC
ec2:CreateNetworkAclEntryRequest.RuleNumber]. The VPC's default ACL allows everything (rule 100
in each direction); a new ACL denies everything until rules are added and serves no subnet until
associated. Every subnet is associated with exactly one ACL; ReplaceNetworkAclAssociation moves
it to another (a new association id). The default ACL cannot be deleted, nor an ACL that still
serves subnets. At most 20 rules per direction (``NetworkAclEntryLimitExceeded``), 200 ACLs per
VPC [VPCUG amazon-vpc-limits.md]. Protocols are stored as IP protocol numbers ("6" TCP, "17"
UDP, "1" ICMP, "-1" all), as EC2 shows them.
"""

from __future__ import annotations

import ipaddress

from ..service import operation
from . import model as m
from .codes import dependency, fail, missing
from .filters import tag_specifications, with_tags
from .model import NaclAssociation, NaclEntry, NetworkAcl
from .store import star_rules

PROTOCOL_NUMBERS = {"-1": "-1", "all": "-1", "tcp": "6", "udp": "17", "icmp": "1",
                    "icmpv6": "58"}
NACLS_PER_VPC = 200


def entry_dict(entry: NaclEntry) -> dict:
    out = {"CidrBlock": entry.cidr} if entry.cidr else {"Ipv6CidrBlock": entry.ipv6_cidr}
    out["Egress"] = entry.egress
    if entry.icmp_type is not None:
        out["IcmpTypeCode"] = {"Code": entry.icmp_code, "Type": entry.icmp_type}
    if entry.port_from is not None:
        out["PortRange"] = {"From": entry.port_from, "To": entry.port_to}
    out.update(Protocol=entry.protocol, RuleAction=entry.action, RuleNumber=entry.rule_number)
    return out


def nacl_dict(nacl: NetworkAcl) -> dict:
    entries = nacl.rules(True) + nacl.rules(False)
    out = {"Associations": [{"NetworkAclAssociationId": a.association_id,
                             "NetworkAclId": nacl.nacl_id, "SubnetId": a.subnet_id}
                            for a in nacl.associations],
           "Entries": [entry_dict(e) for e in entries], "IsDefault": nacl.is_default,
           "NetworkAclId": nacl.nacl_id}
    with_tags(out, nacl.tags, always=True)
    out.update(VpcId=nacl.vpc_id, OwnerId=nacl.account)
    return out


def _entries(key):
    return lambda n: [key(e) for e in n.entries if key(e) is not None]


NACL_FILTERS = {
    "association.association-id": lambda n: [a.association_id for a in n.associations],
    "association.network-acl-id": lambda n: [n.nacl_id for _ in n.associations],
    "association.subnet-id": lambda n: [a.subnet_id for a in n.associations],
    "default": lambda n: n.is_default,
    "entry.cidr": _entries(lambda e: e.cidr),
    "entry.ipv6-cidr": _entries(lambda e: e.ipv6_cidr),
    "entry.egress": _entries(lambda e: e.egress),
    "entry.protocol": _entries(lambda e: e.protocol),
    "entry.rule-action": _entries(lambda e: e.action),
    "entry.rule-number": _entries(lambda e: e.rule_number),
    "entry.port-range.from": _entries(lambda e: e.port_from),
    "entry.port-range.to": _entries(lambda e: e.port_to),
    "network-acl-id": lambda n: n.nacl_id,
    "owner-id": lambda n: n.account,
    "vpc-id": lambda n: n.vpc_id,
}


def parse_entry(params: dict) -> NaclEntry:
    """The rule a Create/ReplaceNetworkAclEntry request describes (validated)."""
    number = params["RuleNumber"]
    if not 1 <= number <= 32766:
        raise fail("InvalidParameterValue", f"Invalid value '{number}' for ruleNumber. Rule "
                                            "numbers must be between 1 and 32766.")
    raw = str(params["Protocol"]).lower()
    protocol = PROTOCOL_NUMBERS.get(raw, raw)
    if protocol != "-1" and (not protocol.isdigit() or not 0 <= int(protocol) <= 255):
        raise fail("InvalidParameterValue", f"Invalid value '{raw}' for protocol. Give a "
                                            "protocol number (6 TCP, 17 UDP, 1 ICMP) or -1.")
    action = params["RuleAction"]
    if action not in ("allow", "deny"):
        raise fail("InvalidParameterValue", f"Invalid value '{action}' for ruleAction. Use "
                                            "allow or deny.")
    cidr, ipv6 = params.get("CidrBlock"), params.get("Ipv6CidrBlock")
    if (cidr is None) == (ipv6 is None):
        raise missing("cidrBlock or ipv6CidrBlock (exactly one)")
    try:
        net = ipaddress.ip_network(cidr or ipv6, strict=False)
    except ValueError:
        net = None
    if net is None or net.version != (4 if cidr else 6):
        raise fail("InvalidParameterValue", f"Invalid value '{cidr or ipv6}' for CIDR block.")
    entry = NaclEntry(number, params["Egress"], protocol, action)
    if cidr:
        entry.cidr = str(net)
    else:
        entry.ipv6_cidr = str(net)
    if protocol in ("6", "17"):
        ports = params.get("PortRange") or {}
        low, high = ports.get("From"), ports.get("To")
        if low is None or high is None:
            raise missing("portRange")
        if not 0 <= low <= high <= 65535:
            raise fail("InvalidParameterValue", f"Invalid port range {low}-{high}.")
        entry.port_from, entry.port_to = low, high
    elif protocol in ("1", "58"):
        icmp = params.get("IcmpTypeCode") or {}
        if icmp.get("Type") is None or icmp.get("Code") is None:
            raise missing("icmpTypeCode")
        entry.icmp_type, entry.icmp_code = icmp["Type"], icmp["Code"]
    return entry


def _describe(entry: NaclEntry) -> str:
    direction = "outbound" if entry.egress else "inbound"
    ports = f" ports {entry.port_from}-{entry.port_to}" if entry.port_from is not None else ""
    proto = "all" if entry.protocol == "-1" else f"protocol {entry.protocol}"
    return (f"rule {entry.rule_number} {direction}: {entry.action} {proto}{ports} "
            f"{'to' if entry.egress else 'from'} {entry.cidr or entry.ipv6_cidr}")


class NaclOperations:
    """Network ACLs, their entries and associations."""

    def entry_of(self, nacl: NetworkAcl, number: int, egress: bool) -> NaclEntry | None:
        return next((e for e in nacl.entries if e.rule_number == number
                     and e.egress == egress), None)

    @operation
    def create_network_acl(self, req, VpcId, TagSpecifications=None, **_):
        self.begin(req, self.arn_for(req, "network-acl"))
        self.get(req, "vpc", VpcId)
        tags = tag_specifications(TagSpecifications, "network-acl")
        if sum(n.vpc_id == VpcId for n in self.network_acls.values()) >= NACLS_PER_VPC:
            raise fail("NetworkAclLimitExceeded", "The maximum number of network ACLs has been "
                                                  "reached.")
        nacl = NetworkAcl(self.new_id("acl"), req.account, req.region, VpcId,
                          entries=star_rules(), tags=tags)
        self.network_acls[nacl.nacl_id] = nacl
        req.step("Network ACL", f"Create network ACL {nacl.nacl_id} in {VpcId}: only the * "
                 "rules, so it denies everything until rules are added", 3.0, acl=nacl.nacl_id)
        return {"NetworkAcl": nacl_dict(nacl)}

    @operation
    def delete_network_acl(self, req, NetworkAclId, **_):
        self.begin(req, self.arn_for(req, "network-acl", NetworkAclId))
        nacl = self.get(req, "acl", NetworkAclId)
        if nacl.is_default:
            raise fail("InvalidParameterValue", f"cannot delete default network ACL "
                                                f"{NetworkAclId}")
        if nacl.associations:
            raise dependency("networkAcl", NetworkAclId)
        del self.network_acls[NetworkAclId]
        req.step("Network ACL", f"Delete network ACL {NetworkAclId}", 2.0, acl=NetworkAclId)
        return {}

    @operation
    def describe_network_acls(self, req, NetworkAclIds=None, Filters=None, MaxResults=None,
                              NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "acl", NetworkAclIds, Filters, NACL_FILTERS, MaxResults, NextToken,
                            "NetworkAcls", nacl_dict, "network ACLs")

    @operation
    def create_network_acl_entry(self, req, NetworkAclId, **params):
        self.begin(req, self.arn_for(req, "network-acl", NetworkAclId))
        nacl = self.get(req, "acl", NetworkAclId)
        entry = parse_entry(params)
        if self.entry_of(nacl, entry.rule_number, entry.egress) is not None:
            raise fail("NetworkAclEntryAlreadyExists", f"The network acl entry identified by "
                                                       f"{entry.rule_number} already exists.")
        mine = [e for e in nacl.entries if e.egress == entry.egress
                and e.rule_number != m.STAR_RULE]
        if len(mine) >= m.NACL_RULES_PER_DIRECTION:
            raise fail("NetworkAclEntryLimitExceeded", "The maximum number of network acl "
                                                       "entries has been reached.")
        nacl.entries.append(entry)
        req.step("Network ACL", f"Add to {NetworkAclId}: {_describe(entry)}", 2.0,
                 acl=NetworkAclId)
        return {}

    @operation
    def replace_network_acl_entry(self, req, NetworkAclId, **params):
        self.begin(req, self.arn_for(req, "network-acl", NetworkAclId))
        nacl = self.get(req, "acl", NetworkAclId)
        entry = parse_entry(params)
        old = self.entry_of(nacl, entry.rule_number, entry.egress)
        if old is None:
            raise fail("InvalidNetworkAclEntry.NotFound", "The specified rule does not exist "
                                                          "in this network acl.")
        nacl.entries[nacl.entries.index(old)] = entry
        req.step("Network ACL", f"Replace in {NetworkAclId}: {_describe(entry)}", 2.0,
                 acl=NetworkAclId)
        return {}

    @operation
    def delete_network_acl_entry(self, req, NetworkAclId, RuleNumber, Egress, **_):
        self.begin(req, self.arn_for(req, "network-acl", NetworkAclId))
        nacl = self.get(req, "acl", NetworkAclId)
        entry = self.entry_of(nacl, RuleNumber, Egress)
        if RuleNumber == m.STAR_RULE:
            raise fail("InvalidParameterValue", "The * rule of a network ACL cannot be "
                                                "removed.")
        if entry is None:
            raise fail("InvalidNetworkAclEntry.NotFound", "The specified rule does not exist "
                                                          "in this network acl.")
        nacl.entries.remove(entry)
        req.step("Network ACL", f"Remove from {NetworkAclId}: {_describe(entry)}", 2.0,
                 acl=NetworkAclId)
        return {}

    @operation
    def replace_network_acl_association(self, req, AssociationId, NetworkAclId, **_):
        self.begin(req, self.arn_for(req, "network-acl", NetworkAclId))
        target = self.get(req, "acl", NetworkAclId)
        found = next(((n, a) for n in self.mine(req, "acl") for a in n.associations
                      if a.association_id == AssociationId), None)
        if found is None:
            raise fail("InvalidAssociationID.NotFound",
                       f"The association ID '{AssociationId}' does not exist")
        old, assoc = found
        if target.vpc_id != old.vpc_id:
            raise fail("InvalidParameterValue", f"Network ACL {NetworkAclId} and subnet "
                                                f"{assoc.subnet_id} belong to different "
                                                "networks")
        old.associations.remove(assoc)
        new = NaclAssociation(self.new_id("aclassoc"), assoc.subnet_id)
        target.associations.append(new)
        req.step("Network ACL", f"Subnet {assoc.subnet_id} now uses {NetworkAclId} (was "
                 f"{old.nacl_id})", 2.0, acl=NetworkAclId, subnet=assoc.subnet_id)
        return {"NewAssociationId": new.association_id}
