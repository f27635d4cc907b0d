"""The pieces a reachability walk is made of: the packet, the hop it records, and the two
filters (security groups and network ACLs) evaluated exactly as AWS documents them.

- A :class:`Packet` carries a protocol (``tcp``, ``udp`` or ``icmp``), its source and
  destination IPv4 addresses, its destination ports and its source ports (a range: the
  ephemeral ports its sender may pick). ICMP carries ``(type, code)`` in place of ports: an echo
  request is ``(8, 0)``, its reply ``(0, 0)``.
- A **security group** rule matches when its protocol is the packet's (or ``-1``), its port
  range holds the packet's destination ports (ICMP: type and code, ``-1`` = any) and its peer
  holds the far address: for an outbound rule the destination, for an inbound rule the source.
  A CIDR peer holds the addresses inside it, a prefix list its CIDRs, a group peer the private
  addresses of that group's members [VPCUG security-group-rules.md]. The groups of an interface
  allow what any rule of any of them allows (allow-only, union).
- A **network ACL** rule matches the same way (its CIDR holds the destination for an outbound
  rule, the source for an inbound one; its port range the destination ports); the rules of the
  direction are tried lowest number first and the first match decides; ``*`` (32767) denies the
  rest [VPCUG vpc-network-acls.md]. A reply's destination ports are a range (the ephemeral ports
  of whoever opened the connection): awskit asks that the ACL allow the *whole* range, since a
  rule that allows only part of it breaks the connections whose port falls outside; when it
  does not, the deciding rule is the first one that denies a part of it.

Ephemeral ports [VPCUG vpc-network-acls.md]: Linux 32768-61000, Windows 49152-65535, NAT
gateways, Elastic Load Balancing and Lambda 1024-65535. Every host awskit simulates (instances,
the internet host, on-premises hosts, Client VPN users) runs Linux (instances report
``PlatformDetails: Linux/UNIX``), so a connection they open uses 32768-61000; a NAT gateway or a
load balancer that rewrites the source uses 1024-65535.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from dataclasses import dataclass, field

from .model import STAR_RULE, NaclEntry, NetworkAcl, Route, SecurityGroup, SgRule

EPHEMERAL_LINUX = (32768, 61000)
EPHEMERAL_WINDOWS = (49152, 65535)
EPHEMERAL_AWS = (1024, 65535)          # NAT gateway, Elastic Load Balancing, Lambda
ECHO_REQUEST, ECHO_REPLY = (8, 0), (0, 0)
#: protocol name → the IP protocol number network ACLs store
NUMBERS = {"tcp": "6", "udp": "17", "icmp": "1"}
_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
#: addresses an internet gateway never carries: RFC 1918 private and RFC 6598 shared space
_NOT_PUBLIC = [ipaddress.ip_network(c) for c in
               ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")]


def is_private(ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    return any(address in net for net in _NOT_PUBLIC)


@dataclass(frozen=True)
class Packet:
    """One packet of a flow as it is at some point of its way (addresses change at NATs)."""

    protocol: str
    src: str
    dst: str
    ports: tuple[int, int]
    src_ports: tuple[int, int]
    origin: str | None = None      # the ENI that sent it from its own private address
    via: tuple = ()                # what it crossed: "peering", "peering-inter-region", "tgw"...

    def moved(self, **changes) -> "Packet":
        return dataclasses.replace(self, **changes)

    def text(self) -> str:
        if self.protocol == "icmp":
            kind = "echo request" if self.ports == ECHO_REQUEST else "echo reply"
            return f"icmp {kind} {self.src} → {self.dst}"
        return f"{self.protocol} {self.src}:{span(self.src_ports)} → {self.dst}:{span(self.ports)}"


_KINDS = (("sg-", "security-group"), ("acl-", "network-acl"), ("rtb-", "route-table"),
          ("igw-", "internet-gateway"), ("nat-", "nat-gateway"), ("eni-", "network-interface"),
          ("i-", "instance"), ("vpc-", "vpc"), ("subnet-", "subnet"),
          ("pcx-", "vpc-peering-connection"), ("tgw-rtb-", "transit-gateway-route-table"),
          ("tgw-attach-", "transit-gateway-attachment"), ("tgw-", "transit-gateway"),
          ("vgw-", "vpn-gateway"), ("vpn-", "vpn-connection"), ("cgw-", "customer-gateway"),
          ("vpce-svc-", "vpc-endpoint-service"), ("vpce-", "vpc-endpoint"),
          ("cvpn-endpoint-", "client-vpn-endpoint"))


@dataclass
class Hop:
    """One thing the flow met: ``component`` (as a trace names it), the ``resource`` (its id),
    the ``rule`` it applied (or why it stopped the flow), whether it let the packet on, and the
    Reachability Analyzer explanation code when it did not. ``str(hop)`` reads
    ``sg-0abc… outbound rule sgr-0def… allows tcp 443 to 0.0.0.0/0``."""

    component: str
    resource: str
    rule: str
    allowed: bool = True
    code: str | None = None
    packet: str = ""
    arn: str = ""
    direction: str = "forward"
    detail: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.resource} {self.rule}"

    @property
    def kind(self) -> str:
        """The kind of resource (``security-group``, ``route-table``, ...; else the component
        in lower case: ``internet``, ``on-premises network``)."""
        for prefix, kind in _KINDS:
            if self.resource.startswith(prefix):
                return kind
        return self.component.lower()

    def __repr__(self) -> str:
        verdict = "" if self.allowed else f" BLOCKED ({self.code})"
        return f"<Hop [{self.component}] {self}{verdict}>"

    def to_dict(self) -> dict:
        return {"component": self.component, "resource": self.resource, "rule": self.rule,
                "allowed": self.allowed, "code": self.code, "packet": self.packet,
                "direction": self.direction}


# --------------------------------------------------------------------------------------------
# words
# --------------------------------------------------------------------------------------------
def span(ports: tuple[int, int]) -> str:
    return str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"


def proto_words(protocol: str, low=None, high=None) -> str:
    """``all traffic``, ``tcp 443``, ``udp 1024-65535``, ``icmp type 8``, ``protocol 50``."""
    name = _NAMES.get(protocol, protocol)
    if name == "-1":
        return "all traffic"
    if name in ("icmp", "icmpv6"):
        if low in (None, -1):
            return f"all {name}"
        return f"{name} type {low}" + ("" if high in (None, -1) else f" code {high}")
    if name in ("tcp", "udp"):
        if low is None or (low, high) == (0, 65535):
            return f"{name} (all ports)"
        return f"{name} {span((low, high))}"
    return f"protocol {name}"


def sg_peer_words(rule: SgRule) -> str:
    if rule.group_id:
        return f"{rule.group_id} (its members)"
    return rule.peer()


def sg_rule_words(rule: SgRule) -> str:
    direction = "outbound" if rule.egress else "inbound"
    return (f"{direction} rule {rule.rule_id} allows "
            f"{proto_words(rule.protocol, rule.from_port, rule.to_port)} "
            f"{'to' if rule.egress else 'from'} {sg_peer_words(rule)}")


def nacl_rule_words(entry: NaclEntry) -> str:
    number = "*" if entry.rule_number == STAR_RULE else str(entry.rule_number)
    low = entry.icmp_type if entry.protocol in ("1", "58") else entry.port_from
    high = entry.icmp_code if entry.protocol in ("1", "58") else entry.port_to
    return (f"{'outbound' if entry.egress else 'inbound'} rule {number} {entry.action} "
            f"{proto_words(entry.protocol, low, high)} {'to' if entry.egress else 'from'} "
            f"{entry.cidr or entry.ipv6_cidr}")


def route_words(route: Route) -> str:
    extra = " (propagated)" if route.propagated else ""
    state = "" if route.state == "active" else f" [{route.state}]"
    return f"route {route.destination} -> {route.target_id}{extra}{state}"


# --------------------------------------------------------------------------------------------
# matching
# --------------------------------------------------------------------------------------------
def contains(cidr: str | None, ip: str) -> bool:
    if not cidr:
        return False
    net, address = ipaddress.ip_network(cidr), ipaddress.ip_address(ip)
    return net.version == address.version and address in net


def _icmp_match(rule_type, rule_code, ports) -> bool:
    return rule_type in (None, -1, ports[0]) and rule_code in (None, -1, ports[1])


def sg_rule_covers(rule: SgRule, packet: Packet) -> bool:
    """Protocol and ports of ``rule`` hold the packet's (the peer is checked apart)."""
    protocol = _NAMES.get(rule.protocol, rule.protocol)
    if protocol == "-1":
        return True
    if protocol != packet.protocol:
        return False
    if protocol == "icmp":
        return _icmp_match(rule.from_port, rule.to_port, packet.ports)
    return rule.from_port <= packet.ports[0] and packet.ports[1] <= rule.to_port


def sg_verdict(groups: list[SecurityGroup], egress: bool, packet: Packet, peer_holds):
    """(group, rule) of the first rule that allows ``packet`` in that direction, or None.
    ``peer_holds(rule, ip)`` says whether a rule's peer holds an address."""
    far = packet.dst if egress else packet.src
    for group in groups:
        for rule in group.rules:
            if rule.egress == egress and sg_rule_covers(rule, packet) and peer_holds(rule, far):
                return group, rule
    return None


def _entry_protocol_matches(entry: NaclEntry, packet: Packet) -> bool:
    return entry.protocol == "-1" or entry.protocol == NUMBERS[packet.protocol]


def nacl_verdict(nacl: NetworkAcl, egress: bool, packet: Packet):
    """(allowed, deciding entries) for ``packet`` crossing ``nacl`` in that direction.

    For TCP/UDP the whole destination-port range must be allowed: rules are applied in order to
    the parts of the range not yet decided; the answer names the allow rules that decided the
    range, or the first rule that denies part of it."""
    far = packet.dst if egress else packet.src
    pending = [packet.ports]                       # undecided port intervals
    allowing: list[NaclEntry] = []
    for entry in nacl.rules(egress):
        if entry.cidr is None or not contains(entry.cidr, far) \
                or not _entry_protocol_matches(entry, packet):
            continue
        if packet.protocol == "icmp":
            if entry.protocol == "1" and not _icmp_match(entry.icmp_type, entry.icmp_code,
                                                         packet.ports):
                continue
            return entry.action == "allow", [entry]
        low, high = (0, 65535) if entry.port_from is None else (entry.port_from, entry.port_to)
        hit, rest = [], []
        for a, b in pending:
            if b < low or a > high:
                rest.append((a, b))
                continue
            hit.append((max(a, low), min(b, high)))
            if a < low:
                rest.append((a, low - 1))
            if b > high:
                rest.append((high + 1, b))
        if not hit:
            continue
        if entry.action == "deny":
            return False, [entry]
        allowing.append(entry)
        pending = rest
        if not pending:
            return True, allowing
    return False, []                              # no * rule: nothing allows it


# --------------------------------------------------------------------------------------------
# the shapes Reachability Analyzer reports (DescribeNetworkInsightsAnalyses)
# --------------------------------------------------------------------------------------------
def acl_rule_shape(entry: NaclEntry) -> dict:
    """AnalysisAclRule [BC ec2:AnalysisAclRule]."""
    out = {"Cidr": entry.cidr or entry.ipv6_cidr, "Egress": entry.egress}
    if entry.port_from is not None:
        out["PortRange"] = {"From": entry.port_from, "To": entry.port_to}
    out.update(Protocol=entry.protocol, RuleAction=entry.action, RuleNumber=entry.rule_number)
    return out


def sg_rule_shape(group: SecurityGroup, rule: SgRule) -> dict:
    """AnalysisSecurityGroupRule [BC ec2:AnalysisSecurityGroupRule]."""
    out = {}
    if rule.cidr_ipv4 or rule.cidr_ipv6:
        out["Cidr"] = rule.cidr_ipv4 or rule.cidr_ipv6
    out["Direction"] = "egress" if rule.egress else "ingress"
    out["SecurityGroupId"] = rule.group_id or group.group_id
    if rule.from_port is not None and rule.protocol in ("tcp", "udp"):
        out["PortRange"] = {"From": rule.from_port, "To": rule.to_port}
    if rule.prefix_list_id:
        out["PrefixListId"] = rule.prefix_list_id
    out["Protocol"] = rule.protocol
    return out


_ROUTE_MEMBERS = {"local": "GatewayId", "gateway": "GatewayId",
                  "egress-only-gateway": "EgressOnlyInternetGatewayId",
                  "nat-gateway": "NatGatewayId", "network-interface": "NetworkInterfaceId",
                  "instance": "InstanceId", "vpc-peering-connection": "VpcPeeringConnectionId",
                  "transit-gateway": "TransitGatewayId"}


def route_shape(route: Route) -> dict:
    """AnalysisRouteTableRoute [BC ec2:AnalysisRouteTableRoute]."""
    key = "DestinationPrefixListId" if route.destination.startswith("pl-") \
        else "DestinationCidr"
    return {key: route.destination, _ROUTE_MEMBERS[route.target_type]: route.target_id,
            "Origin": route.origin, "State": route.state}
