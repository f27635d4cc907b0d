"""Site-to-Site VPN: virtual private gateways, customer gateways, VPN connections, their static
routes, and VGW route propagation into VPC route tables.

A virtual private gateway (VGW, type ``ipsec.1``, Amazon-side ASN 64512 unless given, fixed
afterwards) is attached to at most one VPC and a VPC has at most one (``InvalidVpcState`` /
``VpnGatewayAttachmentLimitExceeded``); attaching and detaching take ``VGW_ATTACHING`` s; it
cannot be deleted while attached or while VPN connections use it (``IncorrectState``); a VPC
with a VGW attached cannot be deleted [S2S how_it_works.md; BC ec2:AttachVpnGateway].
A customer gateway describes the customer's device: its static public IPv4 and BGP ASN
(creating the same one again returns it) [BC ec2:CreateCustomerGateway].

A VPN connection (``ipsec.1``) joins a customer gateway to a VGW or to a transit gateway (then a
``vpn`` TGW attachment comes with it); it has two tunnels, each with an AWS outside address
and an inside /30 of 169.254.0.0/16 (given, or picked; a few /30s are reserved). ``pending`` →
``available`` after ``VPN_PENDING`` s. awskit assumes the customer's device is configured:
both tunnels come ``UP`` when the connection is available (``set_tunnel_status`` brings one
down or up again). Routing is static (``StaticRoutesOnly``: CreateVpnConnectionRoute names the
on-premises CIDRs) or BGP (the device announces them: ``advertise_on_premises(cgw_id, cidrs)``
is awskit's stand-in for it). With EnableVgwRoutePropagation a route table gets, for every
on-premises CIDR reachable through an available connection of its VPC's VGW, a route to the
VGW with origin ``EnableVgwRoutePropagation`` (a static route to the same CIDR wins)
[VPCUG VPC_Route_Tables.md; S2S VPNRoutingTypes.md].

Quotas: 5 VGWs, 50 customer gateways, 50 VPN connections per Region, 10 per VGW
[S2S vpn-limits.md]. Price: $0.05 per connection-hour (secondary source;
``VpnConnection.hourly_price``, not metered). Simplified: no accelerated VPNs, certificate
authentication, IPv6 tunnels or tunnel options beyond the inside CIDR and pre-shared key; a
static VPN route is available at once.
"""

from __future__ import annotations

import ipaddress

from ..service import operation
from . import model_links as ml
from .codes import fail, invalid_value, missing, not_found, not_implemented
from .filters import tag_specifications, with_tags
from .model import Route
from .model_links import CustomerGateway, VpnConnection, VpnGateway

GONE = 3600.0                              # deleted gateways / connections stay listed an hour
_INSIDE = ipaddress.ip_network("169.254.0.0/16")
_RESERVED = {f"169.254.{i}.0/30" for i in range(6)} | {"169.254.169.252/30"}

VGW_FILTERS = {
    "amazon-side-asn": lambda g: g.asn,
    "attachment.state": lambda g: g.attachment_state if g.vpc_id else None,
    "attachment.vpc-id": lambda g: g.vpc_id,
    "state": lambda g: g.state,
    "type": lambda g: "ipsec.1",
    "vpn-gateway-id": lambda g: g.vgw_id,
}
CGW_FILTERS = {"bgp-asn": lambda c: c.bgp_asn, "customer-gateway-id": lambda c: c.cgw_id,
               "ip-address": lambda c: c.ip_address, "state": lambda c: c.state,
               "type": lambda c: "ipsec.1"}
VPN_FILTERS = {
    "customer-gateway-id": lambda v: v.cgw_id,
    "option.static-routes-only": lambda v: v.static_routes_only,
    "route.destination-cidr-block": lambda v: [r.cidr for r in v.routes],
    "state": lambda v: v.state,
    "transit-gateway-id": lambda v: v.tgw_id,
    "type": lambda v: "ipsec.1",
    "vpn-connection-id": lambda v: v.vpn_id,
    "vpn-gateway-id": lambda v: v.vgw_id,
}


def vgw_dict(vgw: VpnGateway) -> dict:
    out = {"AmazonSideAsn": vgw.asn}
    with_tags(out, vgw.tags)
    out.update(VpnGatewayId=vgw.vgw_id, State=vgw.state, Type="ipsec.1",
               VpcAttachments=[{"VpcId": vgw.vpc_id, "State": vgw.attachment_state}]
               if vgw.vpc_id else [])
    return out


def cgw_dict(cgw: CustomerGateway) -> dict:
    out = {}
    if cgw.device_name:
        out["DeviceName"] = cgw.device_name
    with_tags(out, cgw.tags)
    out.update(BgpAsnExtended=str(cgw.bgp_asn) if cgw.bgp_asn > 2147483647 else None,
               CustomerGatewayId=cgw.cgw_id, State=cgw.state, Type="ipsec.1",
               IpAddress=cgw.ip_address, BgpAsn=str(cgw.bgp_asn))
    return {k: v for k, v in out.items() if v is not None}


def _asn(value, low_high=((64512, 65534), (4200000000, 4294967294))) -> int:
    if not any(low <= value <= high for low, high in low_high):
        raise invalid_value("AmazonSideAsn", value, "The ASN must be a private ASN "
                                                    "(64512-65534 or 4200000000-4294967294).")
    return value


class VpnOperations:
    """Virtual private gateways, customer gateways, VPN connections and propagation."""

    # -- hooks and contracts ---------------------------------------------------------------------
    def on_premises_cidrs(self, vpn: VpnConnection) -> list[str]:
        """The CIDRs behind the connection's customer gateway: its static routes, or what the
        device announces over BGP (``advertise_on_premises``)."""
        if vpn.static_routes_only:
            return [r.cidr for r in vpn.routes if r.state == "available"]
        cgw = self.customer_gateways.get(vpn.cgw_id)
        return list(cgw.advertised_cidrs) if cgw else []

    def advertise_on_premises(self, cgw_id: str, cidrs) -> None:
        """awskit's stand-in for the customer's router: the on-premises CIDRs the device behind
        ``cgw_id`` announces over BGP to every (non-static) VPN connection it terminates."""
        cgw = self.customer_gateways[cgw_id]
        cgw.advertised_cidrs = [str(ipaddress.ip_network(c, strict=False)) for c in cidrs]
        self.refresh_vgw_routes()

    def set_tunnel_status(self, vpn_id: str, index: int, up: bool) -> None:
        """Bring tunnel ``index`` (0 or 1) of a connection down or up (the device side)."""
        tunnel = self.vpn_connections[vpn_id].tunnels[index]
        tunnel.status, tunnel.changed = ("UP" if up else "DOWN"), self.cloud.clock.elapsed
        self.refresh_vgw_routes()

    def refresh_vgw_routes(self) -> None:
        """Rebuild the propagated routes of every route table from the VGWs propagating to it."""
        for table in self.route_tables.values():
            table.routes = [r for r in table.routes if not r.propagated]
            for vgw_id in self.vgw_propagations.get(table.route_table_id, []):
                vgw = self.vpn_gateways.get(vgw_id)
                if vgw is None or vgw.vpc_id != table.vpc_id or \
                        vgw.attachment_state != "attached":
                    continue
                cidrs = sorted({c for v in self.vpn_connections.values()
                                if v.vgw_id == vgw_id and v.up for c in self.on_premises_cidrs(v)})
                table.routes += [Route(c, "gateway", vgw_id, "EnableVgwRoutePropagation")
                                 for c in cidrs]
        for table_id in [t for t in self.vgw_propagations if t not in self.route_tables]:
            del self.vgw_propagations[table_id]
        self.refresh_routes()

    def check_vgw_target(self, req, table, vgw_id: str, parameter: str) -> None:
        vgw = self.get(req, "vgw", vgw_id)
        if vgw.state != "available":
            raise not_found("vgw", vgw_id)
        if vgw.vpc_id != table.vpc_id:
            raise fail("InvalidParameterValue", f"route table {table.route_table_id} and "
                                                f"network gateway {vgw_id} belong to different "
                                                "networks")

    def target_usable(self, vpc_id: str, route) -> bool:
        if route.target_id.startswith("vgw-"):
            vgw = self.vpn_gateways.get(route.target_id)
            return vgw is not None and vgw.vpc_id == vpc_id and \
                vgw.attachment_state == "attached"
        return super().target_usable(vpc_id, route)

    def vpc_dependencies(self, vpc_id: str) -> list[str]:
        return super().vpc_dependencies(vpc_id) + [
            g.vgw_id for g in self.vpn_gateways.values() if g.vpc_id == vpc_id]

    def _on_vpn_gone(self, resource_id: str, when: float) -> str | None:
        for store in (self.vpn_gateways, self.customer_gateways, self.vpn_connections):
            store.pop(resource_id, None)
        return None

    # -- virtual private gateways ----------------------------------------------------------------
    @operation
    def create_vpn_gateway(self, req, Type, AvailabilityZone=None, AmazonSideAsn=None,
                           TagSpecifications=None, **_):
        self.begin(req, self.arn_for(req, "vpn-gateway"))
        if Type != "ipsec.1":
            raise invalid_value("Type", Type, "The only supported type is ipsec.1.")
        asn = _asn(AmazonSideAsn) if AmazonSideAsn is not None else 64512
        tags = tag_specifications(TagSpecifications, "vpn-gateway")
        if sum(g.state != "deleted" for g in self.mine(req, "vgw")) >= ml.VGWS_PER_REGION:
            raise fail("VpnGatewayLimitExceeded", "The maximum number of virtual private "
                                                  "gateways has been reached.")
        vgw = VpnGateway(self.new_id("vgw"), req.account, req.region, asn, tags=tags)
        self.vpn_gateways[vgw.vgw_id] = vgw
        req.step("EC2 API", f"Create virtual private gateway {vgw.vgw_id} (ASN {asn})", 3.0,
                 gateway=vgw.vgw_id)
        return {"VpnGateway": vgw_dict(vgw)}

    @operation
    def attach_vpn_gateway(self, req, VpcId, VpnGatewayId, **_):
        self.begin(req, self.arn_for(req, "vpn-gateway", VpnGatewayId))
        vgw = self.get(req, "vgw", VpnGatewayId)
        self.get(req, "vpc", VpcId)
        if vgw.state != "available":
            raise fail("InvalidVpnGatewayState", f"{VpnGatewayId} is {vgw.state}.")
        if vgw.vpc_id == VpcId:
            raise fail("Resource.AlreadyAssociated", f"{VpnGatewayId} is already attached to "
                                                     f"{VpcId}")
        if vgw.vpc_id is not None:
            raise fail("VpnGatewayAttachmentLimitExceeded", f"{VpnGatewayId} is already "
                                                            f"attached to {vgw.vpc_id}")
        if any(g.vpc_id == VpcId for g in self.vpn_gateways.values()):
            raise fail("InvalidVpcState", f"{VpcId} already has a virtual private gateway "
                                          "attached.")
        vgw.vpc_id, vgw.attachment_state = VpcId, "attaching"
        self.schedule(ml.VGW_ATTACHING, "vgw-attached", vgw.vgw_id)
        req.step("EC2 API", f"Attach {VpnGatewayId} to {VpcId}: attaching", 3.0,
                 gateway=VpnGatewayId)
        return {"VpcAttachment": {"VpcId": VpcId, "State": "attaching"}}

    @operation
    def detach_vpn_gateway(self, req, VpcId, VpnGatewayId, **_):
        self.begin(req, self.arn_for(req, "vpn-gateway", VpnGatewayId))
        vgw = self.get(req, "vgw", VpnGatewayId)
        if vgw.vpc_id != VpcId or vgw.attachment_state not in ("attaching", "attached"):
            raise fail("InvalidVpnGatewayAttachment.NotFound", f"The attachment with vpn "
                       f"gateway ID '{VpnGatewayId}' and vpc ID '{VpcId}' does not exist")
        self.cancel_timers(vgw.vgw_id)
        vgw.attachment_state = "detaching"
        self.schedule(ml.VGW_ATTACHING, "vgw-detached", vgw.vgw_id)
        self.refresh_vgw_routes()
        req.step("EC2 API", f"Detach {VpnGatewayId} from {VpcId}: routes to it are now "
                 "blackholes", 3.0, gateway=VpnGatewayId)
        return {}

    def _on_vgw_attached(self, vgw_id: str, when: float) -> str | None:
        vgw = self.vpn_gateways.get(vgw_id)
        if vgw is not None and vgw.attachment_state == "attaching":
            vgw.attachment_state = "attached"
            self.refresh_vgw_routes()
            return f"Virtual private gateway {vgw_id} is attached to {vgw.vpc_id}"
        return None

    def _on_vgw_detached(self, vgw_id: str, when: float) -> str | None:
        vgw = self.vpn_gateways.get(vgw_id)
        if vgw is None or vgw.attachment_state != "detaching":
            return None
        for table_id, gateways in self.vgw_propagations.items():
            table = self.route_tables.get(table_id)
            if table is not None and table.vpc_id == vgw.vpc_id and vgw_id in gateways:
                gateways.remove(vgw_id)
        vgw.vpc_id, vgw.attachment_state = None, "detached"
        self.refresh_vgw_routes()
        return f"Virtual private gateway {vgw_id} is detached"

    @operation
    def delete_vpn_gateway(self, req, VpnGatewayId, **_):
        self.begin(req, self.arn_for(req, "vpn-gateway", VpnGatewayId))
        vgw = self.get(req, "vgw", VpnGatewayId)
        if vgw.state == "deleted":
            raise not_found("vgw", VpnGatewayId)
        if vgw.vpc_id is not None:
            raise fail("IncorrectState", f"The vpn gateway {VpnGatewayId} is attached to "
                                         f"{vgw.vpc_id}; detach it first.")
        if any(v.vgw_id == VpnGatewayId and v.state != "deleted"
               for v in self.vpn_connections.values()):
            raise fail("IncorrectState", f"The vpn gateway {VpnGatewayId} has VPN connections; "
                                         "delete them first.")
        vgw.state = "deleted"
        self.schedule(GONE, "vpn-gone", VpnGatewayId)
        req.step("EC2 API", f"Delete virtual private gateway {VpnGatewayId}", 2.0,
                 gateway=VpnGatewayId)
        return {}

    @operation
    def describe_vpn_gateways(self, req, VpnGatewayIds=None, Filters=None, **_):
        self.begin(req)
        return self.listing(req, "vgw", VpnGatewayIds, Filters, VGW_FILTERS, None, None,
                            "VpnGateways", vgw_dict, "virtual private gateways")

    # -- customer gateways -----------------------------------------------------------------------
    @operation
    def create_customer_gateway(self, req, Type, BgpAsn=None, IpAddress=None, PublicIp=None,
                                DeviceName=None, CertificateArn=None, BgpAsnExtended=None,
                                TagSpecifications=None, **_):
        self.begin(req, self.arn_for(req, "customer-gateway"))
        if Type != "ipsec.1":
            raise invalid_value("Type", Type, "The only supported type is ipsec.1.")
        if CertificateArn is not None:
            raise not_implemented("certificate-based customer gateways")
        address = IpAddress or PublicIp
        if address is None:
            raise missing("IpAddress")
        try:
            ip = ipaddress.IPv4Address(address)
        except ValueError:
            raise invalid_value("IpAddress", address, "This is not a valid IPv4 address.")
        asn = int(BgpAsnExtended) if BgpAsnExtended is not None else \
            (65000 if BgpAsn is None else BgpAsn)
        if not 1 <= asn <= 4294967294:
            raise invalid_value("BgpAsn", asn, "The BGP ASN must be between 1 and 4294967294.")
        tags = tag_specifications(TagSpecifications, "customer-gateway")
        same = next((c for c in self.mine(req, "cgw") if c.ip_address == str(ip)
                     and c.bgp_asn == asn and c.state == "available"), None)
        if same is not None:
            req.step("EC2 API", f"Customer gateway {same.cgw_id} already describes {ip} "
                     f"(ASN {asn})", 1.0)
            return {"CustomerGateway": cgw_dict(same)}
        if sum(c.state != "deleted" for c in self.mine(req, "cgw")) >= ml.CGWS_PER_REGION:
            raise fail("CustomerGatewayLimitExceeded", "The maximum number of customer gateways "
                                                       "has been reached.")
        cgw = CustomerGateway(self.new_id("cgw"), req.account, req.region, str(ip), asn,
                              DeviceName, tags=tags)
        self.customer_gateways[cgw.cgw_id] = cgw
        req.step("EC2 API", f"Create customer gateway {cgw.cgw_id}: device {ip}, ASN {asn}",
                 2.0, gateway=cgw.cgw_id)
        return {"CustomerGateway": cgw_dict(cgw)}

    @operation
    def delete_customer_gateway(self, req, CustomerGatewayId, **_):
        self.begin(req, self.arn_for(req, "customer-gateway", CustomerGatewayId))
        cgw = self.get(req, "cgw", CustomerGatewayId)
        if cgw.state == "deleted":
            raise not_found("cgw", CustomerGatewayId)
        if any(v.cgw_id == CustomerGatewayId and v.state != "deleted"
               for v in self.vpn_connections.values()):
            raise fail("IncorrectState", f"The customer gateway {CustomerGatewayId} is in use "
                                         "by a VPN connection.")
        cgw.state = "deleted"
        self.schedule(GONE, "vpn-gone", CustomerGatewayId)
        req.step("EC2 API", f"Delete customer gateway {CustomerGatewayId}", 2.0)
        return {}

    @operation
    def describe_customer_gateways(self, req, CustomerGatewayIds=None, Filters=None, **_):
        self.begin(req)
        return self.listing(req, "cgw", CustomerGatewayIds, Filters, CGW_FILTERS, None, None,
                            "CustomerGateways", cgw_dict, "customer gateways")

    # -- propagation -----------------------------------------------------------------------------
    def vgw_propagation(self, req, GatewayId, RouteTableId):
        table = self.get(req, "rtb", RouteTableId)
        vgw = self.get(req, "vgw", GatewayId)
        if vgw.vpc_id != table.vpc_id or vgw.attachment_state not in ("attaching", "attached"):
            raise fail("Gateway.NotAttached", f"resource {GatewayId} is not attached to network "
                                              f"{table.vpc_id}")
        return table, vgw

    @operation
    def enable_vgw_route_propagation(self, req, GatewayId, RouteTableId, **_):
        self.begin(req, self.arn_for(req, "route-table", RouteTableId))
        table, vgw = self.vgw_propagation(req, GatewayId, RouteTableId)
        gateways = self.vgw_propagations.setdefault(RouteTableId, [])
        if GatewayId not in gateways:
            gateways.append(GatewayId)
        self.refresh_vgw_routes()
        learned = [r.destination for r in table.routes if r.propagated]
        req.step("VPC router", f"Propagate the on-premises routes of {GatewayId} into "
                 f"{RouteTableId}: {', '.join(learned) or 'none yet'}", 3.0,
                 route_table=RouteTableId)
        return {}

    @operation
    def disable_vgw_route_propagation(self, req, GatewayId, RouteTableId, **_):
        self.begin(req, self.arn_for(req, "route-table", RouteTableId))
        self.vgw_propagation(req, GatewayId, RouteTableId)
        gateways = self.vgw_propagations.get(RouteTableId, [])
        if GatewayId in gateways:
            gateways.remove(GatewayId)
        self.refresh_vgw_routes()
        req.step("VPC router", f"Stop propagating {GatewayId} into {RouteTableId}: its "
                 "propagated routes are removed", 2.0, route_table=RouteTableId)
        return {}
