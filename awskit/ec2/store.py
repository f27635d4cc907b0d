"""Where the EC2 network lives: resources by id, ids, addresses, the clock, the default VPC.

Mixed into :class:`awskit.ec2.api.EC2`. Every account has, in every Region, a default VPC
(172.31.0.0/16, a /20 default subnet per AZ that maps public IPs on launch, an internet gateway
attached, the main route table sending 0.0.0.0/0 to it, the default security group and network
ACL) [VPCUG default-vpc.md]; awskit creates it the first time the account calls EC2 in that
Region, and never again once deleted (CreateDefaultVpc makes a new one).

Time: what takes time on AWS (a VPC turning ``available``, an instance booting, a NAT gateway
being provisioned or deleted) is a timer ``[due, seq, action, resource id]`` in ``timers``;
:meth:`EC2Store.sync` applies the due ones, in order, at the start of every EC2 request and in
every contract read (``vpc``, ``instance_by_ip``, the graph, saving). Nothing is scheduled on the
cloud's clock, so a saved cloud needs nothing re-scheduled.

Public IPv4 addresses (auto-assigned and Elastic IPs) are drawn at random (seeded) from
3.0.0.0/8, a block Amazon owns and uses for EC2; AWS's real pools differ per Region.
"""

from __future__ import annotations

import ipaddress

from . import model as m
from .codes import fail, not_found
from .filters import check_filters, matches, paginate, select
from .model import (CidrAssociation, InternetGateway, NaclAssociation, NaclEntry, NetworkAcl,
                    Route, RouteTable, RouteTableAssociation, SecurityGroup, SgRule, Subnet, Vpc)

_PUBLIC_POOL = ipaddress.ip_network("3.0.0.0/8")
#: id prefix → the attribute holding that kind (``sg`` and friends are looked up by kind)
STORES = {"vpc": "vpcs", "subnet": "subnets", "rtb": "route_tables",
          "igw": "internet_gateways", "eigw": "egress_only_gateways", "nat": "nat_gateways",
          "eipalloc": "addresses", "sg": "security_groups", "acl": "network_acls",
          "eni": "network_interfaces", "i": "instances",
          # kinds that later work adds (routes may target them once they exist)
          "pcx": "peering_connections", "tgw": "transit_gateways", "vgw": "vpn_gateways",
          "vpce": "vpc_endpoints", "tgw-attach": "tgw_attachments",
          "tgw-rtb": "tgw_route_tables", "cgw": "customer_gateways", "vpn": "vpn_connections",
          "cvpn-endpoint": "client_vpn_endpoints", "vpce-svc": "endpoint_services"}


class EC2Store:
    """Resources by id, and the machinery every operation shares."""

    def _init_store(self) -> None:
        self.vpcs: dict[str, Vpc] = {}
        self.subnets: dict[str, Subnet] = {}
        self.route_tables: dict[str, RouteTable] = {}
        self.internet_gateways: dict[str, InternetGateway] = {}
        self.egress_only_gateways: dict[str, InternetGateway] = {}
        self.nat_gateways: dict = {}
        self.addresses: dict = {}
        self.security_groups: dict[str, SecurityGroup] = {}
        self.network_acls: dict[str, NetworkAcl] = {}
        self.network_interfaces: dict = {}
        self.instances: dict = {}
        self.dhcp_options: dict[str, str] = {}       # "account/region" -> dopt id
        self.initialized: set[str] = set()           # "account/region" seen
        self.timers: list[list] = []                 # [due, seq, action, resource id]
        self.timer_seq = 0
        self.public_ips: set[str] = set()
        # the connectivity options (model_links.py)
        self.peering_connections: dict = {}
        self.transit_gateways: dict = {}
        self.tgw_attachments: dict = {}
        self.tgw_route_tables: dict = {}
        self.vpn_gateways: dict = {}
        self.customer_gateways: dict = {}
        self.vpn_connections: dict = {}
        self.client_vpn_endpoints: dict = {}
        self.vpc_endpoints: dict = {}
        self.endpoint_services: dict = {}
        self.load_balancers: dict = {}               # ARN -> LoadBalancer (ELBv2 stand-in)
        self.vgw_propagations: dict[str, list[str]] = {}   # route table id -> propagating VGWs
        self.links_billed_until = 0.0                # hourly charges metered up to (clock s)
        # Reachability Analyzer (insights.py): plain JSON-ready dicts by nip- / nia- id
        self.insights_paths: dict[str, dict] = {}
        self.insights_analyses: dict[str, dict] = {}

    # -- ids and lookups --------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        """``vpc-0123456789abcdef0``: a prefix and 17 hex digits, seeded per kind."""
        return f"{prefix}-{self.cloud.ids.hex('ec2:' + prefix, 17)}"

    def store_of(self, prefix: str) -> dict:
        return getattr(self, STORES[prefix], {})

    def get(self, req, prefix: str, resource_id):
        """The caller's resource (its account, its Region) or the kind's NotFound error."""
        item = self.store_of(prefix).get(resource_id) if isinstance(resource_id, str) else None
        if item is None or item.account != req.account or item.region != req.region:
            raise not_found(prefix, resource_id)
        return item

    def mine(self, req, prefix: str) -> list:
        """The caller's resources of a kind in the request's Region, sorted by id."""
        return sorted((r for r in self.store_of(prefix).values()
                       if r.account == req.account and r.region == req.region),
                      key=lambda r: _id_of(r))

    def listing(self, req, prefix: str, ids, filters, spec: dict, max_results, next_token,
                key: str, render, what: str, items: list | None = None) -> dict:
        """What a Describe* call answers: the caller's resources of a kind (or ``items``),
        narrowed to ``ids`` (NotFound for a missing one) and ``filters``, one page of them
        rendered under ``key``."""
        check_filters(filters, spec)
        found = select(self.mine(req, prefix) if items is None else items, ids, m.resource_id,
                       prefix, not_found)
        found = [r for r in found if matches(r, filters, spec)]
        page, token = paginate(req, found, m.resource_id, max_results, next_token)
        req.step("EC2 API", f"Describe {what} of {req.account} in {req.region}: {len(page)}",
                 2.0)
        out = {key: [render(r) for r in page]}
        if token:
            out["NextToken"] = token
        return out

    def arn_for(self, req, kind: str, resource_id: str = "*") -> str:
        return m.arn(req.region, req.account, kind, resource_id)

    # -- the default VPC ----------------------------------------------------------------------
    def ensure_region(self, req) -> None:
        """Create the account's default VPC in the Region on its first EC2 call there."""
        key = f"{req.account}/{req.region}"
        if key in self.initialized:
            return
        self.initialized.add(key)
        vpc = self.build_default_vpc(req.account, req.region)
        req.step("EC2 API", f"First EC2 call of {req.account} in {req.region}: create its "
                 f"default VPC {vpc.vpc_id} ({m.DEFAULT_CIDR}, a default subnet in each of "
                 f"{len(self.cloud.regions[req.region].azs)} AZs, internet gateway)", 5.0,
                 vpc=vpc.vpc_id)

    def build_default_vpc(self, account: str, region: str) -> Vpc:
        vpc = self.build_vpc(account, region, m.DEFAULT_CIDR, is_default=True, state="available")
        vpc.enable_dns_hostnames = True
        base = int(ipaddress.ip_network(m.DEFAULT_CIDR).network_address)
        for i, az in enumerate(self.cloud.regions[region].azs):
            cidr = f"{ipaddress.ip_address(base + i * 4096)}/20"
            self.build_subnet(vpc, cidr, az, state="available", map_public=True,
                              default_for_az=True)
        igw = InternetGateway(self.new_id("igw"), account, region, vpc.vpc_id)
        self.internet_gateways[igw.gateway_id] = igw
        self.main_table(vpc.vpc_id).routes.append(Route("0.0.0.0/0", "gateway", igw.gateway_id))
        return vpc

    def build_vpc(self, account: str, region: str, cidr: str, *, tenancy: str = "default",
                  is_default: bool = False, tags: dict | None = None,
                  state: str = "pending") -> Vpc:
        """A VPC with its main route table, default network ACL and default security group."""
        key = f"{account}/{region}"
        if key not in self.dhcp_options:
            self.dhcp_options[key] = self.new_id("dopt")
        vpc = Vpc(self.new_id("vpc"), account, region,
                  [CidrAssociation(self.new_id("vpc-cidr-assoc"), cidr)],
                  self.dhcp_options[key], tenancy=tenancy, is_default=is_default, state=state,
                  tags=dict(tags or {}))
        self.vpcs[vpc.vpc_id] = vpc
        if state == "pending":
            self.schedule(m.VPC_PENDING, "vpc-available", vpc.vpc_id)
        table = self.build_route_table(vpc)
        table.associations.append(RouteTableAssociation(self.new_id("rtbassoc"), main=True))
        nacl = NetworkAcl(self.new_id("acl"), account, region, vpc.vpc_id, is_default=True)
        for egress in (True, False):
            nacl.entries.append(NaclEntry(100, egress, "-1", "allow", cidr="0.0.0.0/0"))
        nacl.entries += star_rules()
        self.network_acls[nacl.nacl_id] = nacl
        group = SecurityGroup(self.new_id("sg"), account, region, vpc.vpc_id, "default",
                              "default VPC security group")
        group.rules = [SgRule(self.new_id("sgr"), False, "-1", group_id=group.group_id,
                              group_owner=account),
                       SgRule(self.new_id("sgr"), True, "-1", cidr_ipv4="0.0.0.0/0")]
        self.security_groups[group.group_id] = group
        return vpc

    def build_route_table(self, vpc: Vpc, tags: dict | None = None) -> RouteTable:
        table = RouteTable(self.new_id("rtb"), vpc.account, vpc.region, vpc.vpc_id,
                           [Route(c.cidr, "local", "local", "CreateRouteTable") for c in vpc.cidrs],
                           tags=dict(tags or {}))
        self.route_tables[table.route_table_id] = table
        return table

    def build_subnet(self, vpc: Vpc, cidr: str, az: str, *, state: str = "pending",
                     map_public: bool = False, default_for_az: bool = False,
                     tags: dict | None = None) -> Subnet:
        subnet = Subnet(self.new_id("subnet"), vpc.account, vpc.region, vpc.vpc_id, cidr, az,
                        m.az_id(vpc.region, az), state=state, map_public_ip_on_launch=map_public,
                        default_for_az=default_for_az, tags=dict(tags or {}))
        self.subnets[subnet.subnet_id] = subnet
        if state == "pending":
            self.schedule(m.SUBNET_PENDING, "subnet-available", subnet.subnet_id)
        self.default_nacl(vpc.vpc_id).associations.append(
            NaclAssociation(self.new_id("aclassoc"), subnet.subnet_id))
        return subnet

    # -- what belongs to a VPC ----------------------------------------------------------------
    def main_table(self, vpc_id: str) -> RouteTable:
        return next(t for t in self.route_tables.values() if t.vpc_id == vpc_id and t.main)

    def default_nacl(self, vpc_id: str) -> NetworkAcl:
        return next(n for n in self.network_acls.values() if n.vpc_id == vpc_id and n.is_default)

    def default_group(self, vpc_id: str) -> SecurityGroup:
        return next(g for g in self.security_groups.values()
                    if g.vpc_id == vpc_id and g.is_default)

    def default_vpc(self, account: str, region: str) -> Vpc | None:
        return next((v for v in self.vpcs.values() if v.account == account
                     and v.region == region and v.is_default), None)

    def table_for_subnet(self, subnet_id: str) -> RouteTable:
        """The subnet's route table: its explicit association, else its VPC's main table."""
        for table in self.route_tables.values():
            if any(a.subnet_id == subnet_id for a in table.associations):
                return table
        return self.main_table(self.subnets[subnet_id].vpc_id)

    def nacl_for_subnet(self, subnet_id: str) -> NetworkAcl:
        return next(n for n in self.network_acls.values()
                    if any(a.subnet_id == subnet_id for a in n.associations))

    # -- time ---------------------------------------------------------------------------------
    def schedule(self, delay: float, action: str, resource_id: str) -> None:
        self.timer_seq += 1
        self.timers.append([self.cloud.clock.elapsed + delay, self.timer_seq, action,
                            resource_id])

    def cancel_timers(self, resource_id: str) -> None:
        self.timers = [t for t in self.timers if t[3] != resource_id]

    def sync(self) -> list[str]:
        """Apply every timer that fell due, in order; refresh route states. Returns notes."""
        now = self.cloud.clock.elapsed
        notes = []
        while True:
            due = sorted(t for t in self.timers if t[0] <= now)
            if not due:
                break
            timer = due[0]
            self.timers.remove(timer)
            when, _, action, resource_id = timer
            self.accrue_until(when)          # bill the time before it (link_pricing.py)
            note = getattr(self, "_on_" + action.replace("-", "_"))(resource_id, when)
            if note:
                notes.append(note)
        self.refresh_routes()
        return notes

    def _on_vpc_available(self, vpc_id: str, when: float) -> str | None:
        if vpc_id in self.vpcs:
            self.vpcs[vpc_id].state = "available"
        return None

    def _on_subnet_available(self, subnet_id: str, when: float) -> str | None:
        if subnet_id in self.subnets:
            self.subnets[subnet_id].state = "available"
        return None

    # -- routes -------------------------------------------------------------------------------
    def refresh_routes(self) -> None:
        """Each route's state: ``blackhole`` when its target is gone or unusable."""
        for table in self.route_tables.values():
            for route in table.routes:
                route.state = "active" if self.target_usable(table.vpc_id, route) \
                    else "blackhole"

    def accrue_until(self, until: float) -> None:
        """Meter time-based charges up to ``until`` (link_pricing.py overrides it)."""

    def propagating_vgws(self, route_table_id: str) -> list[str]:
        """The virtual private gateways propagating routes into a route table (vpn.py)."""
        return self.vgw_propagations.get(route_table_id, [])

    def target_usable(self, vpc_id: str, route: Route) -> bool:
        kind, target = route.target_type, route.target_id
        if kind == "local":
            return True
        if kind in ("gateway", "egress-only-gateway") and target.startswith(("igw-", "eigw-")):
            gateways = self.internet_gateways if target.startswith("igw-") \
                else self.egress_only_gateways
            gateway = gateways.get(target)
            return gateway is not None and gateway.vpc_id == vpc_id
        if kind == "nat-gateway":
            nat = self.nat_gateways.get(target)
            return nat is not None and nat.state in ("pending", "available")
        if kind in ("network-interface", "instance"):
            eni = self.network_interfaces.get(route.eni_id or target)
            if eni is None or not eni.attachment:
                return False
            instance = self.instances.get(eni.attachment.get("instance_id"))
            return instance is None or instance.state in ("pending", "running")
        return target in self.store_of(target.split("-")[0])

    # -- addresses ----------------------------------------------------------------------------
    def used_ips(self, subnet_id: str) -> set[str]:
        used = set()
        for eni in self.network_interfaces.values():
            if eni.subnet_id == subnet_id:
                used.add(eni.private_ip)
                used.update(eni.secondary_ips)
        return used

    def available_count(self, subnet: Subnet) -> int:
        return m.usable_count(subnet.cidr) - len(self.used_ips(subnet.subnet_id))

    def allocate_ip(self, subnet: Subnet, wanted: str | None = None, taken=()) -> str:
        """A free private IPv4 of ``subnet``: ``wanted`` if given and free, else the lowest."""
        net = subnet.network
        used = self.used_ips(subnet.subnet_id) | set(taken)
        if wanted is not None:
            try:
                address = ipaddress.ip_address(wanted)
            except ValueError:
                raise fail("InvalidParameterValue", f"Invalid private IP address {wanted}")
            if address not in net:
                raise fail("InvalidParameterValue", f"Address {wanted} does not fall within "
                                                    "the subnet's address range")
            if wanted in m.reserved(subnet.cidr):
                raise fail("InvalidParameterValue", f"Address {wanted} is in subnet's "
                                                    "reserved address range")
            if wanted in used:
                raise fail("InvalidIPAddress.InUse", f"Address {wanted} is in use.")
            return wanted
        base = int(net.network_address)
        for offset in range(4, net.num_addresses - 1):
            candidate = str(ipaddress.ip_address(base + offset))
            if candidate not in used:
                return candidate
        raise fail("InsufficientFreeAddressesInSubnet", "There are not enough free addresses "
                   f"in subnet '{subnet.subnet_id}' to satisfy the requested number of "
                   "instances.")

    def new_public_ip(self) -> str:
        rng = self.cloud.ids.stream("ec2:public-ip")
        base, size = int(_PUBLIC_POOL.network_address), _PUBLIC_POOL.num_addresses
        while True:
            candidate = str(ipaddress.ip_address(base + rng.randrange(1, size - 1)))
            if candidate not in self.public_ips:
                self.public_ips.add(candidate)
                return candidate

    def release_public_ip(self, ip: str | None) -> None:
        if ip is not None:
            self.public_ips.discard(ip)

    def new_mac(self) -> str:
        raw = self.cloud.ids.hex("ec2:mac", 10)
        return "0e:" + ":".join(raw[i:i + 2] for i in range(0, 10, 2))

    def elastic_ip_of(self, eni_id: str, private_ip: str | None = None):
        """The Elastic IP associated with an ENI (with one of its private IPs), or None."""
        return next((a for a in self.addresses.values() if a.eni_id == eni_id
                     and (private_ip is None or a.private_ip == private_ip)), None)

    def public_ip_of(self, eni) -> str | None:
        address = self.elastic_ip_of(eni.eni_id, eni.private_ip)
        return address.public_ip if address is not None else eni.public_ip

    # -- contracts for other services -----------------------------------------------------------
    def vpc(self, region: str, vpc_id: str) -> Vpc | None:
        """The VPC ``vpc_id`` of ``region`` (any account), or None."""
        self.sync()
        vpc = self.vpcs.get(vpc_id)
        return vpc if vpc is not None and vpc.region == region else None

    def instance_by_ip(self, ip: str):
        """The instance owning private or public IPv4 ``ip`` (any Region/account), or None."""
        self.sync()
        for eni in self.network_interfaces.values():
            attached = (eni.attachment or {}).get("instance_id")
            if attached and ip in (eni.private_ip, self.public_ip_of(eni), *eni.secondary_ips):
                return self.instances.get(attached)
        return None


def star_rules() -> list[NaclEntry]:
    """The ``*`` rules every network ACL ends with: deny all, both directions."""
    return [NaclEntry(m.STAR_RULE, egress, "-1", "deny", cidr="0.0.0.0/0")
            for egress in (True, False)]


def _id_of(resource) -> str:
    return m.resource_id(resource)
