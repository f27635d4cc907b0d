"""The EC2 network as plain data: what the API builds and what the reachability engine reads.

Every resource is a dataclass with its AWS id, ``account`` and ``region``; CIDRs are strings in
canonical form (``"10.0.0.0/16"``; parse with :mod:`ipaddress`); rules are ordered lists.
``cloud.ec2`` keeps them in dicts keyed by id (``vpcs``, ``subnets``, ``route_tables``,
``internet_gateways``, ``egress_only_gateways``, ``nat_gateways``, ``addresses`` (by allocation
id), ``security_groups``, ``network_acls``, ``network_interfaces``, ``instances``); call
``cloud.ec2.sync()`` first so that what fell due on the clock (an instance booting, a NAT gateway
becoming available) has happened.

How a packet moves through this model (the reachability engine follows it):

- An **instance** has network interfaces (``eni_ids``, the primary first). A
  :class:`NetworkInterface` sits in one subnet, holds a private IPv4 (``private_ip``), maybe a
  public one (``public_ip``: auto-assigned at launch, or an Elastic IP's, see ``elastic_ip``)
  and the security groups that filter its traffic (``group_ids``).
- A :class:`SecurityGroup` is stateful and allow-only: a flow is allowed if any rule of any of
  the ENI's groups matches it (:class:`SgRule`; ``egress`` says the direction; the peer is a CIDR,
  a prefix list or another group, meaning the private IPs of that group's members); return
  traffic of an allowed flow is always allowed [VPCUG security-groups.md].
- Leaving the subnet, the packet meets the subnet's :class:`NetworkAcl` (stateless: rules of the
  direction in ``rule_number`` order, first match wins, ``*`` = 32767 denies the rest; the reply
  must be allowed by the rules of the other direction) [VPCUG vpc-network-acls.md].
- The subnet's **route table** (its explicit association, else the VPC's main table) picks the
  route for the destination with :func:`route_for`: longest prefix wins; for equal prefixes a
  static route wins over a propagated one [VPCUG VPC_Route_Tables.md]. The route's target is
  ``local`` (inside the VPC), an internet gateway (``igw-``: 1:1 NAT between the private IP and
  its public IP), a NAT gateway (``nat-``: source NAT to its own address), an egress-only IGW,
  an ENI or instance, a peering connection, a transit gateway, a VPN gateway or a gateway
  endpoint: those connectivity options, and how a packet crosses them, are in
  :mod:`awskit.ec2.model_links`.
  A route whose target is gone (NAT gateway deleted, IGW detached, instance stopped) is in state
  ``blackhole`` and drops the packet [BC ec2:RouteState].
- Entering the destination subnet: its NACL (inbound), then the destination ENI's groups.

Simplifications (each also said where it applies): IPv4 only for VPC and subnet addressing
(IPv6 CIDRs in SG and NACL rules are stored); private addresses are handed out lowest-free
first (AWS picks at random); every account sees the same AZ letter → AZ id mapping.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

#: default quotas per Region / VPC [VPCUG amazon-vpc-limits.md, 2023 defaults]
VPCS_PER_REGION = 5               # the default VPC counts too
CIDRS_PER_VPC = 5
SUBNETS_PER_VPC = 200
ROUTE_TABLES_PER_VPC = 200
ROUTES_PER_TABLE = 50
ADDRESSES_PER_REGION = 5
RULES_PER_GROUP = 60              # per direction
NACL_RULES_PER_DIRECTION = 20
GATEWAYS_PER_REGION = 5           # internet gateways: equals the VPC quota
NAT_GATEWAYS_PER_AZ = 5
DEFAULT_CIDR = "172.31.0.0/16"   # the default VPC [VPCUG default-vpc.md]
STAR_RULE = 32767                # the NACL's ``*`` rule as DescribeNetworkAcls shows it

#: seconds on the simulated clock (awskit's choices: AWS gives no fixed figures)
VPC_PENDING = 2.0                 # CreateVpc answers ``pending``
SUBNET_PENDING = 2.0
INSTANCE_BOOT = 30.0              # pending → running
INSTANCE_STOP = 30.0              # stopping → stopped
INSTANCE_SHUTDOWN = 30.0          # shutting-down → terminated
TERMINATED_VISIBLE = 3600.0       # a terminated instance stays listed about an hour
NAT_PENDING = 60.0                # pending → available
NAT_DELETING = 60.0               # deleting → deleted
NAT_DELETED_VISIBLE = 3600.0      # a deleted NAT gateway stays listed about an hour

#: instance state codes [BC ec2:InstanceState.Code]
STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48,
               "stopping": 64, "stopped": 80}

#: the direction words of an AZ id's Region prefix (us-east-1 → use1, ap-northeast-1 → apne1)
_DIRECTIONS = {"east": "e", "west": "w", "north": "n", "south": "s", "central": "c",
               "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}


@dataclass
class CidrAssociation:
    association_id: str
    cidr: str
    state: str = "associated"


@dataclass
class Vpc:
    vpc_id: str
    account: str
    region: str
    cidrs: list[CidrAssociation]          # the primary first
    dhcp_options_id: str
    tenancy: str = "default"
    is_default: bool = False
    state: str = "pending"
    enable_dns_support: bool = True
    enable_dns_hostnames: bool = False
    tags: dict = field(default_factory=dict)

    @property
    def cidr_block(self) -> str:
        return self.cidrs[0].cidr

    @property
    def networks(self) -> list:
        return [ipaddress.ip_network(c.cidr) for c in self.cidrs]

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "vpc", self.vpc_id)


@dataclass
class Subnet:
    subnet_id: str
    account: str
    region: str
    vpc_id: str
    cidr: str
    az: str
    az_id: str
    state: str = "pending"
    map_public_ip_on_launch: bool = False
    default_for_az: bool = False
    tags: dict = field(default_factory=dict)

    @property
    def network(self):
        return ipaddress.ip_network(self.cidr)

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "subnet", self.subnet_id)


@dataclass
class Route:
    """One route: destination (IPv4/IPv6 CIDR or prefix list) → target.

    ``target_type`` is ``local``, ``gateway`` (igw-, vgw-, vpce-), ``egress-only-gateway``,
    ``nat-gateway``, ``network-interface``, ``instance`` (``eni_id`` holds its primary ENI),
    ``vpc-peering-connection`` or ``transit-gateway``. ``origin``: ``CreateRouteTable`` (the
    local routes), ``CreateRoute``, ``EnableVgwRoutePropagation`` (propagated)."""

    destination: str
    target_type: str
    target_id: str
    origin: str = "CreateRoute"
    state: str = "active"
    eni_id: str | None = None
    instance_owner: str | None = None

    @property
    def propagated(self) -> bool:
        return self.origin == "EnableVgwRoutePropagation"


@dataclass
class RouteTableAssociation:
    association_id: str
    subnet_id: str | None = None
    gateway_id: str | None = None
    main: bool = False


@dataclass
class RouteTable:
    route_table_id: str
    account: str
    region: str
    vpc_id: str
    routes: list[Route] = field(default_factory=list)
    associations: list[RouteTableAssociation] = field(default_factory=list)
    tags: dict = field(default_factory=dict)

    @property
    def main(self) -> bool:
        return any(a.main for a in self.associations)

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "route-table", self.route_table_id)


@dataclass
class InternetGateway:
    gateway_id: str
    account: str
    region: str
    vpc_id: str | None = None             # attached VPC
    tags: dict = field(default_factory=dict)
    egress_only: bool = False              # an egress-only IGW (IPv6 outbound only)

    @property
    def arn(self) -> str:
        kind = "egress-only-internet-gateway" if self.egress_only else "internet-gateway"
        return arn(self.region, self.account, kind, self.gateway_id)


@dataclass
class Address:
    """An Elastic IP: allocated to the account, maybe associated with an ENI's private IP."""

    allocation_id: str
    account: str
    region: str
    public_ip: str
    association_id: str | None = None
    eni_id: str | None = None
    private_ip: str | None = None
    tags: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "elastic-ip", self.allocation_id)


@dataclass
class NatGateway:
    nat_id: str
    account: str
    region: str
    vpc_id: str
    subnet_id: str
    connectivity: str                      # public | private
    eni_id: str
    created: float
    allocation_id: str | None = None
    state: str = "pending"
    deleted: float | None = None
    tags: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "natgateway", self.nat_id)


@dataclass
class SgRule:
    """One security-group rule; exactly one of the peers is set."""

    rule_id: str
    egress: bool
    protocol: str                          # -1 | tcp | udp | icmp | icmpv6 | a number
    from_port: int | None = None           # ICMP: the type (-1 = all)
    to_port: int | None = None             # ICMP: the code (-1 = all)
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None
    prefix_list_id: str | None = None
    group_id: str | None = None            # a referenced group: its members' private IPs
    group_owner: str | None = None
    description: str | None = None

    def peer(self) -> str:
        return self.cidr_ipv4 or self.cidr_ipv6 or self.prefix_list_id or self.group_id or ""


@dataclass
class SecurityGroup:
    group_id: str
    account: str
    region: str
    vpc_id: str
    name: str
    description: str
    rules: list[SgRule] = field(default_factory=list)
    tags: dict = field(default_factory=dict)

    @property
    def is_default(self) -> bool:
        return self.name == "default"

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "security-group", self.group_id)


@dataclass
class NaclEntry:
    rule_number: int                       # 1-32766; 32767 is the ``*`` rule
    egress: bool
    protocol: str                          # "-1" or an IP protocol number ("6" = TCP)
    action: str                            # allow | deny
    cidr: str | None = None
    ipv6_cidr: str | None = None
    port_from: int | None = None
    port_to: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None


@dataclass
class NaclAssociation:
    association_id: str
    subnet_id: str


@dataclass
class NetworkAcl:
    nacl_id: str
    account: str
    region: str
    vpc_id: str
    is_default: bool = False
    entries: list[NaclEntry] = field(default_factory=list)
    associations: list[NaclAssociation] = field(default_factory=list)
    tags: dict = field(default_factory=dict)

    def rules(self, egress: bool) -> list[NaclEntry]:
        """The rules of one direction in evaluation order (the ``*`` rules last)."""
        return sorted((e for e in self.entries if e.egress == egress),
                      key=lambda e: (e.rule_number, e.ipv6_cidr is not None))

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "network-acl", self.nacl_id)


@dataclass
class NetworkInterface:
    eni_id: str
    account: str
    region: str
    subnet_id: str
    vpc_id: str
    az: str
    private_ip: str
    mac: str
    group_ids: list[str] = field(default_factory=list)
    secondary_ips: list[str] = field(default_factory=list)
    description: str = ""
    interface_type: str = "interface"      # interface | nat_gateway | ...
    requester_managed: bool = False
    source_dest_check: bool = True
    public_ip: str | None = None           # auto-assigned (not an Elastic IP)
    attachment: dict | None = None         # attachment_id, instance_id, device_index, ...
    tags: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "in-use" if self.attachment else "available"

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "network-interface", self.eni_id)


@dataclass
class Instance:
    instance_id: str
    account: str
    region: str
    az: str
    subnet_id: str
    vpc_id: str
    image_id: str
    instance_type: str
    reservation_id: str
    launched: float
    launch_index: int = 0
    eni_ids: list[str] = field(default_factory=list)
    state: str = "pending"
    key_name: str | None = None
    auto_public_ip: bool = False           # gets a public IPv4 at every start
    transition_reason: str = ""
    state_reason: str | None = None        # StateReason.Code while stopped/terminated
    tags: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "instance", self.instance_id)


#: each resource class's id attribute
ID_FIELDS = {Vpc: "vpc_id", Subnet: "subnet_id", RouteTable: "route_table_id",
             InternetGateway: "gateway_id", Address: "allocation_id", NatGateway: "nat_id",
             SecurityGroup: "group_id", NetworkAcl: "nacl_id", NetworkInterface: "eni_id",
             Instance: "instance_id"}


# --------------------------------------------------------------------------------------------
# Pure functions
# --------------------------------------------------------------------------------------------
def resource_id(resource) -> str:
    """The AWS id of any resource above (``vpc-…``, ``subnet-…``, ``i-…``)."""
    return getattr(resource, ID_FIELDS[type(resource)])


def arn(region: str, account: str, kind: str, resource_id: str) -> str:
    """``arn:aws:ec2:<region>:<account>:<kind>/<id>`` [BC ec2: ARN formats in the docs]."""
    return f"arn:aws:ec2:{region}:{account}:{kind}/{resource_id}"


def az_id(region: str, az: str) -> str:
    """The AZ id (``use1-az1``): the Region's prefix plus a number. On AWS each account's AZ
    letters map to ids in its own order; awskit maps letter n to az<n> for every account."""
    area, direction, number = region.split("-")
    prefix = area + _DIRECTIONS.get(direction, direction[0]) + number
    return f"{prefix}-az{ord(az[-1]) - ord('a') + 1}"


def usable_count(cidr: str) -> int:
    """Addresses a subnet can hand out: all but the five AWS reserves [VPCUG subnet-sizing.md]."""
    return ipaddress.ip_network(cidr).num_addresses - 5


def reserved(cidr: str) -> set[str]:
    """The five reserved addresses: network, router (+1), DNS (+2), future (+3), broadcast."""
    net = ipaddress.ip_network(cidr)
    base = int(net.network_address)
    return {str(ipaddress.ip_address(base + i)) for i in (0, 1, 2, 3)} | \
        {str(net.broadcast_address)}


def route_for(route_table: RouteTable, ip: str, prefix_lists: dict | None = None) -> Route | None:
    """The route ``route_table`` uses for destination ``ip``: the longest matching prefix; for
    equal prefixes a static route beats a propagated one [VPCUG VPC_Route_Tables.md].
    ``prefix_lists`` maps a prefix-list id to its CIDRs (routes to ``pl-`` destinations match
    when one of its CIDRs contains ``ip``). Returns None when no route matches."""
    address = ipaddress.ip_address(ip)
    best, best_key = None, None
    for route in route_table.routes:
        if route.destination.startswith("pl-"):
            cidrs = (prefix_lists or {}).get(route.destination, [])
        else:
            cidrs = [route.destination]
        for cidr in cidrs:
            net = ipaddress.ip_network(cidr)
            if net.version != address.version or address not in net:
                continue
            key = (net.prefixlen, not route.propagated)
            if best_key is None or key > best_key:
                best, best_key = route, key
    return best
