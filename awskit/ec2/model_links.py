"""The connectivity options of a VPC as plain data: peering, Transit Gateway, Site-to-Site VPN,
Client VPN, VPC endpoints and PrivateLink. The contract the reachability engine reads.

Like :mod:`awskit.ec2.model`: dataclasses with their AWS id, ``account``, ``region``; CIDRs are
canonical strings; ``cloud.ec2`` keeps them in dicts by id (``peering_connections``,
``transit_gateways``, ``tgw_attachments``, ``tgw_route_tables``, ``vpn_gateways``,
``customer_gateways``, ``vpn_connections``, ``client_vpn_endpoints``, ``vpc_endpoints``,
``endpoint_services``, ``load_balancers`` (by ARN)); call ``cloud.ec2.sync()`` first so that
what fell due on the clock has happened. A route in a VPC route table names these resources as
its target (``Route.target_type`` ``vpc-peering-connection``, ``transit-gateway``, or
``gateway`` with a ``vgw-``/``vpce-`` id); :func:`awskit.ec2.model.route_for` picks it
(``cloud.ec2.prefix_list_cidrs()`` gives the prefix lists it needs).

How a packet crosses each one:

- **VPC peering** (:class:`PeeringConnection`, ``pcx-``): links exactly two VPCs
  (``requester_vpc_id``, ``accepter_vpc_id``; accounts and Regions may differ). Only while
  ``state == "active"`` (routes to it are ``blackhole`` otherwise). A packet routed to the pcx
  from one VPC arrives in the other VPC only if its destination is inside one of that VPC's
  CIDRs: there it is delivered by the local route (destination subnet NACL inbound, then the
  ENI's groups). It is never routed onward by the peer's route tables: peering is not
  transitive (A–B and A–C give no B–C) and there is no edge-to-edge routing (the peer's IGW,
  NAT gateway, VPN, VGW or gateway endpoint is not usable through it) [PEER
  vpc-peering-basics.md]. The reply needs a route back to the pcx in the peer's table.
- **Transit Gateway** (:class:`TransitGateway`, ``tgw-``): a Regional router. Each
  :class:`TgwAttachment` (``tgw-attach-``; ``resource_type`` ``vpc`` or ``vpn``) connects one
  VPC (an ENI in each ``subnet_ids`` subnet, one per AZ, listed in ``eni_ids``) or one VPN
  connection. A packet from a VPC whose route targets the TGW enters through that VPC's
  ``available`` attachment to that TGW (resources in an AZ with no attachment subnet cannot
  reach the TGW); the attachment's associated :class:`TgwRouteTable`
  (``association_table_id``) picks the route with :func:`tgw_route_for` over
  ``cloud.ec2.transit_routes(table_id)`` (static routes plus routes propagated by the table's
  ``propagations``: a VPC attachment propagates its VPC's CIDRs, a VPN attachment its
  on-premises CIDRs). A ``blackhole`` route or no route drops it; else it leaves through the
  route's attachment: into that VPC (local delivery as above) or down the VPN. This is
  transitive: any two attachments whose tables route to each other talk [TGW
  how-transit-gateways-work.md]. AWS also applies the network ACL of the attachment's subnet
  to traffic entering and leaving the TGW in that AZ (the engine may model it).
- **Site-to-Site VPN**: a :class:`VpnGateway` (``vgw-``) attached to one VPC (``vpc_id`` while
  ``attachment_state == "attached"``) or a TGW terminates :class:`VpnConnection` s (``vpn-``)
  to a :class:`CustomerGateway` (``cgw-``, the customer's device at ``ip_address``). The
  on-premises network is the set of CIDRs behind that device:
  ``cloud.ec2.on_premises_cidrs(vpn)`` = the connection's static routes if
  ``static_routes_only``, else the customer gateway's ``advertised_cidrs`` (what its device
  announces over BGP; set with ``cloud.ec2.advertise_on_premises(cgw_id, cidrs)``, awskit's
  stand-in for the customer's router). A packet reaches on-premises when a route (static, or
  propagated with origin ``EnableVgwRoutePropagation``) sends it to the VGW, the connection is
  ``available``, one of its two :class:`VpnTunnel` s is ``UP`` and the destination is inside
  its on-premises CIDRs. On-premises traffic enters the VPC only to the VPC's own CIDRs (no
  edge-to-edge).
- **Client VPN** (:class:`ClientVpnEndpoint`, ``cvpn-endpoint-``): a remote user connects and
  gets an address from ``client_cidr``. A packet to destination D follows the endpoint's
  :class:`ClientVpnRoute` s (:func:`client_vpn_route_for`: longest prefix; the route's
  ``target_subnet`` must be an ``associated`` :class:`ClientVpnTargetNetwork`) and must be
  allowed by an ``active`` :class:`ClientVpnAuthorizationRule` (:func:`client_vpn_authorized`:
  the most specific rule containing D decides; ``access_all`` or the user's group). It is then
  source-NATed to the target network's ENI (``eni_id``, carrying the endpoint's ``group_ids``)
  and continues as a packet of that subnet: its route table (e.g. 0.0.0.0/0 to an IGW for
  internet access), NACLs, and the destination's groups [CVPN what-is.md].
- **Gateway endpoint** (:class:`VpcEndpoint` with ``endpoint_type == "Gateway"``, S3 or
  DynamoDB): adds to each of ``route_table_ids`` a route from the service's prefix list
  (``prefix_list_id``, CIDRs from ``cloud.ec2.prefix_list_cidrs()``) to the ``vpce-``; a packet
  to such an address taken by that route reaches the service in the same Region. No security
  groups, only the endpoint ``policy``; not usable from peered VPCs, VPNs or TGWs.
- **Interface endpoint** (``endpoint_type == "Interface"``): an ENI in each of ``subnet_ids``
  (``eni_ids``, ``interface_type`` ``vpc_endpoint``, with the endpoint's ``group_ids``). A
  packet to an ENI's private IP (the private DNS name resolves to them when
  ``private_dns_enabled``) is routed locally; the ENI subnet's NACL and the endpoint's groups
  filter it; it then reaches the AWS service, or for PrivateLink (``service_id`` set, state
  ``available``) the provider's :class:`EndpointService`: its :class:`LoadBalancer` s (awskit's
  stand-in for ELBv2 NLBs: ``cloud.ec2.register_load_balancer(arn, subnet_ids, targets,
  ports)``) forward to their ``targets`` (instance ids or IPs of the provider's VPC; ``ports``
  empty = every port). Traffic is one-way: the provider cannot open connections to the consumer.

Prices (us-east-1, secondary sources in the facts): ``hourly_price`` on each billable resource;
``link_pricing.py`` meters them on the simulated clock. Peering and gateway endpoints have no
hourly charge.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field

from .model import ID_FIELDS, arn

#: default quotas [PEER/VPCUG amazon-vpc-limits.md, TGW transit-gateway-quotas.md,
#: S2S vpn-limits.md, CVPN limits.md; 2023 defaults]
PEERINGS_ACTIVE_PER_VPC = 50
PEERINGS_OUTSTANDING = 25            # pending-acceptance requests per account
TGWS_PER_REGION = 5
TGW_ROUTE_TABLES = 20
TGW_STATIC_ROUTES = 10_000
TGWS_PER_VPC = 5
VGWS_PER_REGION = 5
CGWS_PER_REGION = 50
VPNS_PER_REGION = 50
VPNS_PER_VGW = 10
CLIENT_VPNS_PER_REGION = 5
CLIENT_VPN_RULES = 50
CLIENT_VPN_ROUTES = 10
GATEWAY_ENDPOINTS_PER_REGION = 20
INTERFACE_ENDPOINTS_PER_VPC = 50
POLICY_CHARS = 20_480

#: seconds on the simulated clock (awskit's choices where AWS gives no figure)
PEERING_REQUEST = 2.0                 # initiating-request → pending-acceptance (or failed)
PEERING_PROVISIONING = 5.0            # provisioning → active
PEERING_EXPIRY = 7 * 86400.0          # pending-acceptance → expired [PEER vpc-peering-basics]
PEERING_VISIBLE = {"failed": 7200.0, "expired": 2 * 86400.0, "rejected": 2 * 86400.0,
                   "deleted": 2 * 86400.0}   # per side AWS keeps some shorter: awskit the longer
TGW_PENDING = 60.0
TGW_DELETING = 60.0
ATTACHMENT_PENDING = 60.0
VGW_ATTACHING = 30.0
VPN_PENDING = 300.0                    # AWS: several minutes
CLIENT_VPN_ASSOCIATING = 120.0
ENDPOINT_PENDING = 60.0                # interface endpoints
SERVICE_PENDING = 30.0                 # endpoint service configurations

#: USD per hour / per GB, us-east-1 (secondary sources; Client VPN unconfirmed)
TGW_ATTACHMENT_HOUR = 0.05
TGW_PER_GB = 0.02
VPN_CONNECTION_HOUR = 0.05
INTERFACE_ENDPOINT_AZ_HOUR = 0.01
CLIENT_VPN_ASSOCIATION_HOUR = 0.10
CLIENT_VPN_CONNECTION_HOUR = 0.05


# --------------------------------------------------------------------------------------------
# VPC peering
# --------------------------------------------------------------------------------------------
@dataclass
class PeeringConnection:
    """``account``/``region`` are the requester's. ``*_cidrs`` are the VPCs' IPv4 CIDRs as
    DescribeVpcPeeringConnections shows them; ``*_dns`` the AllowDnsResolutionFromRemoteVpc
    option of each side; ``ended`` when it reached a final state."""

    pcx_id: str
    account: str
    region: str
    requester_vpc_id: str
    accepter_vpc_id: str
    accepter_account: str
    accepter_region: str
    created: float
    requester_cidrs: list[str] = field(default_factory=list)
    accepter_cidrs: list[str] = field(default_factory=list)
    state: str = "initiating-request"
    message: str = "Initiating Request to {account}"
    requester_dns: bool = False
    accepter_dns: bool = False
    ended: float | None = None
    tags: dict = field(default_factory=dict)

    @property
    def vpc_ids(self) -> tuple[str, str]:
        return self.requester_vpc_id, self.accepter_vpc_id

    def peer_of(self, vpc_id: str) -> str | None:
        """The VPC on the other side of ``vpc_id`` (None if ``vpc_id`` is not an end)."""
        if vpc_id == self.requester_vpc_id:
            return self.accepter_vpc_id
        return self.requester_vpc_id if vpc_id == self.accepter_vpc_id else None

    @property
    def active(self) -> bool:
        return self.state == "active"

    @property
    def inter_region(self) -> bool:
        return self.region != self.accepter_region

    hourly_price = 0.0

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "vpc-peering-connection", self.pcx_id)


# --------------------------------------------------------------------------------------------
# Transit Gateway
# --------------------------------------------------------------------------------------------
@dataclass
class TransitGateway:
    tgw_id: str
    account: str
    region: str
    created: float
    asn: int = 64512
    description: str = ""
    state: str = "pending"
    default_association: bool = True
    default_propagation: bool = True
    association_table_id: str | None = None     # the default association route table
    propagation_table_id: str | None = None     # the default propagation route table
    dns_support: bool = True
    vpn_ecmp: bool = True
    auto_accept_shared: bool = False
    tags: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "transit-gateway", self.tgw_id)


@dataclass
class TgwAttachment:
    """``resource_type`` ``vpc`` (``resource_id`` a VPC, ``subnet_ids``/``eni_ids`` one per AZ)
    or ``vpn`` (``resource_id`` a VPN connection). ``association_table_id``: the one TGW route
    table it is associated with (None: none)."""

    attachment_id: str
    account: str
    region: str
    tgw_id: str
    resource_type: str
    resource_id: str
    created: float
    subnet_ids: list[str] = field(default_factory=list)
    eni_ids: list[str] = field(default_factory=list)
    state: str = "pending"
    association_table_id: str | None = None
    dns_support: bool = True
    appliance_mode: bool = False
    tags: dict = field(default_factory=dict)

    hourly_price = TGW_ATTACHMENT_HOUR

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "transit-gateway-attachment", self.attachment_id)


@dataclass
class TgwRoute:
    """A TGW route: ``attachment_id`` None with ``blackhole`` True drops matching packets;
    ``route_type`` ``static`` or ``propagated`` (then ``resource_type`` says from what)."""

    destination: str
    attachment_id: str | None = None
    blackhole: bool = False
    route_type: str = "static"
    resource_type: str = ""
    state: str = "active"


@dataclass
class TgwRouteTable:
    """``routes``: the static routes (propagated ones are computed by
    ``cloud.ec2.transit_routes``); ``propagations``: attachment ids propagating into it."""

    route_table_id: str
    account: str
    region: str
    tgw_id: str
    created: float
    default_association: bool = False
    default_propagation: bool = False
    state: str = "available"
    routes: list[TgwRoute] = field(default_factory=list)
    propagations: list[str] = field(default_factory=list)
    tags: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "transit-gateway-route-table",
                   self.route_table_id)


# --------------------------------------------------------------------------------------------
# Site-to-Site VPN
# --------------------------------------------------------------------------------------------
@dataclass
class VpnGateway:
    vgw_id: str
    account: str
    region: str
    asn: int = 64512
    state: str = "available"
    vpc_id: str | None = None
    attachment_state: str = "detached"     # attaching | attached | detaching | detached
    tags: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "vpn-gateway", self.vgw_id)


@dataclass
class CustomerGateway:
    """The customer's VPN device: its public ``ip_address`` and BGP ASN. ``advertised_cidrs``:
    the on-premises networks its device announces over BGP (awskit's stand-in)."""

    cgw_id: str
    account: str
    region: str
    ip_address: str
    bgp_asn: int = 65000
    device_name: str | None = None
    state: str = "available"
    advertised_cidrs: list[str] = field(default_factory=list)
    tags: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "customer-gateway", self.cgw_id)


@dataclass
class VpnTunnel:
    outside_ip: str                        # the AWS end's public address
    inside_cidr: str                       # a /30 of 169.254.0.0/16
    status: str = "DOWN"                   # UP | DOWN (telemetry)
    changed: float = 0.0


@dataclass
class VpnStaticRoute:
    cidr: str
    state: str = "available"               # pending | available | deleting | deleted


@dataclass
class VpnConnection:
    """Two tunnels from ``vgw_id`` (or ``tgw_id`` through ``tgw_attachment_id``) to
    ``cgw_id``; ``routes``: the static routes (the on-premises CIDRs of a static VPN)."""

    vpn_id: str
    account: str
    region: str
    cgw_id: str
    created: float
    vgw_id: str | None = None
    tgw_id: str | None = None
    tgw_attachment_id: str | None = None
    static_routes_only: bool = False
    state: str = "pending"
    routes: list[VpnStaticRoute] = field(default_factory=list)
    tunnels: list[VpnTunnel] = field(default_factory=list)
    ended: float | None = None
    tags: dict = field(default_factory=dict)

    hourly_price = VPN_CONNECTION_HOUR

    @property
    def up(self) -> bool:
        return self.state == "available" and any(t.status == "UP" for t in self.tunnels)

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "vpn-connection", self.vpn_id)


# --------------------------------------------------------------------------------------------
# Client VPN
# --------------------------------------------------------------------------------------------
@dataclass
class ClientVpnTargetNetwork:
    association_id: str
    subnet_id: str
    vpc_id: str
    eni_id: str                            # where client traffic is source-NATed
    status: str = "associating"


@dataclass
class ClientVpnAuthorizationRule:
    destination_cidr: str
    access_all: bool = False
    group_id: str | None = None            # a directory / IdP group (when not access_all)
    description: str = ""
    status: str = "active"


@dataclass
class ClientVpnRoute:
    destination_cidr: str
    target_subnet: str
    origin: str = "add-route"              # add-route | associate
    description: str = ""
    status: str = "active"


@dataclass
class ClientVpnEndpoint:
    """``authentication`` and ``connection_log`` keep the request's shapes."""

    endpoint_id: str
    account: str
    region: str
    client_cidr: str
    server_certificate_arn: str
    created: float
    authentication: list[dict] = field(default_factory=list)
    connection_log: dict = field(default_factory=dict)
    dns_servers: list[str] = field(default_factory=list)
    transport: str = "udp"
    vpn_port: int = 443
    split_tunnel: bool = False
    vpc_id: str | None = None
    group_ids: list[str] = field(default_factory=list)
    description: str = ""
    session_timeout_hours: int = 24
    state: str = "pending-associate"
    target_networks: list[ClientVpnTargetNetwork] = field(default_factory=list)
    rules: list[ClientVpnAuthorizationRule] = field(default_factory=list)
    routes: list[ClientVpnRoute] = field(default_factory=list)
    tags: dict = field(default_factory=dict)

    @property
    def hourly_price(self) -> float:
        """Per associated subnet (connections are charged on top, per connection-hour)."""
        associated = sum(t.status == "associated" for t in self.target_networks)
        return CLIENT_VPN_ASSOCIATION_HOUR * associated

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "client-vpn-endpoint", self.endpoint_id)


# --------------------------------------------------------------------------------------------
# VPC endpoints and PrivateLink
# --------------------------------------------------------------------------------------------
@dataclass
class VpcEndpoint:
    endpoint_id: str
    account: str
    region: str
    vpc_id: str
    service_name: str
    endpoint_type: str                     # Gateway | Interface
    created: float
    state: str = "available"               # pending | pendingAcceptance | available | ...
    policy: str | None = None
    route_table_ids: list[str] = field(default_factory=list)
    prefix_list_id: str | None = None      # Gateway: the service's prefix list
    subnet_ids: list[str] = field(default_factory=list)
    eni_ids: list[str] = field(default_factory=list)
    group_ids: list[str] = field(default_factory=list)
    private_dns_enabled: bool = False
    service_id: str | None = None          # PrivateLink: the vpce-svc- it connects to
    tags: dict = field(default_factory=dict)

    @property
    def hourly_price(self) -> float:
        return INTERFACE_ENDPOINT_AZ_HOUR * len(self.subnet_ids) \
            if self.endpoint_type == "Interface" else 0.0

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "vpc-endpoint", self.endpoint_id)


@dataclass
class EndpointService:
    """A PrivateLink service: NLB-backed; ``allowed_principals`` are IAM ARNs or ``*``."""

    service_id: str
    account: str
    region: str
    service_name: str
    nlb_arns: list[str]
    created: float
    acceptance_required: bool = True
    allowed_principals: list[str] = field(default_factory=list)
    state: str = "Pending"
    azs: list[str] = field(default_factory=list)
    tags: dict = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return arn(self.region, self.account, "vpc-endpoint-service", self.service_id)


@dataclass
class LoadBalancer:
    """awskit's stand-in for an ELBv2 Network Load Balancer (ELB is not simulated): its ARN,
    an ENI in each subnet, and the ``targets`` (instance ids or IPs) it forwards ``ports``
    to (empty: every port)."""

    arn: str
    account: str
    region: str
    subnet_ids: list[str]
    eni_ids: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    tags: dict = field(default_factory=dict)


#: register each class's id attribute with :func:`awskit.ec2.model.resource_id`
ID_FIELDS.update({PeeringConnection: "pcx_id", TransitGateway: "tgw_id",
                  TgwAttachment: "attachment_id", TgwRouteTable: "route_table_id",
                  VpnGateway: "vgw_id", CustomerGateway: "cgw_id", VpnConnection: "vpn_id",
                  ClientVpnEndpoint: "endpoint_id", VpcEndpoint: "endpoint_id",
                  EndpointService: "service_id", LoadBalancer: "arn"})


# --------------------------------------------------------------------------------------------
# Pure functions
# --------------------------------------------------------------------------------------------
#: preference among TGW routes of equal prefix [TGW how-transit-gateways-work.md]
_TGW_RANK = {"static": 3, "vpc": 2, "direct-connect-gateway": 1, "connect": 1, "vpn": 0}


def tgw_route_for(routes: list[TgwRoute], ip: str) -> TgwRoute | None:
    """The TGW route for ``ip``: longest prefix; ties go static > VPC propagated > VPN
    propagated. A ``blackhole`` route is returned too (it drops the packet)."""
    address = ipaddress.ip_address(ip)
    best, best_key = None, None
    for route in routes:
        net = ipaddress.ip_network(route.destination)
        if net.version != address.version or address not in net:
            continue
        rank = _TGW_RANK["static"] if route.route_type == "static" \
            else _TGW_RANK.get(route.resource_type, 0)
        key = (net.prefixlen, rank)
        if best_key is None or key > best_key:
            best, best_key = route, key
    return best


def _contains(cidr: str, ip: str) -> bool:
    address, net = ipaddress.ip_address(ip), ipaddress.ip_network(cidr)
    return net.version == address.version and address in net


def client_vpn_route_for(endpoint: ClientVpnEndpoint, ip: str) -> ClientVpnRoute | None:
    """The Client VPN route for ``ip`` (longest prefix among ``active`` routes), or None."""
    found = [r for r in endpoint.routes if r.status == "active" and _contains(r.destination_cidr,
                                                                              ip)]
    return max(found, key=lambda r: ipaddress.ip_network(r.destination_cidr).prefixlen,
               default=None)


def client_vpn_authorized(endpoint: ClientVpnEndpoint, ip: str,
                          groups: tuple = ()) -> ClientVpnAuthorizationRule | None:
    """The authorization rule that lets a user of ``groups`` reach ``ip``, or None: among the
    ``active`` rules containing ``ip`` the most specific prefix decides [CVPN
    cvpn-working-rules.md]."""
    found = [r for r in endpoint.rules if r.status == "active" and _contains(r.destination_cidr,
                                                                             ip)]
    if not found:
        return None
    longest = max(ipaddress.ip_network(r.destination_cidr).prefixlen for r in found)
    best = [r for r in found if ipaddress.ip_network(r.destination_cidr).prefixlen == longest]
    return next((r for r in best if r.access_all or r.group_id in groups), None)


#: the AWS-managed prefix lists awskit publishes in us-east-1 (their real ids) with a sample of
#: the address ranges AWS publishes for the service there; AWS's full lists are longer and change
_US_EAST_1 = {
    "s3": ("pl-63a5400a", ["16.182.0.0/16", "18.34.0.0/19", "52.216.0.0/15", "54.231.0.0/16"]),
    "dynamodb": ("pl-02cd2c6b", ["35.71.64.0/22", "52.94.0.0/22", "52.119.224.0/20"]),
}


def aws_prefix_lists(region: str) -> dict[str, tuple[str, list[str]]]:
    """service (``s3``, ``dynamodb``) → (prefix-list id, CIDRs) in ``region``. Outside
    us-east-1 the ids are derived from the Region's name and the CIDRs are stand-ins carved
    from 52.0.0.0/8 (AWS's real per-Region ids and ranges differ)."""
    if region == "us-east-1":
        return {k: (pl, list(cidrs)) for k, (pl, cidrs) in _US_EAST_1.items()}
    out = {}
    for service, (low, span) in (("s3", (128, 64)), ("dynamodb", (64, 24))):
        digest = hashlib.sha256(f"{region}/{service}".encode()).digest()
        out[service] = (f"pl-{digest[:4].hex()}", [f"52.{low + digest[4] % span}.0.0/16"])
    return out
