"""Site-to-Site VPN connections: Create/Describe/DeleteVpnConnection and
Create/DeleteVpnConnectionRoute (the rules are in ``vpn.py``'s docstring).

A connection to a VGW or a TGW from an available customer gateway: one per VGW and customer
gateway pair (``InvalidOption.Conflict``); with BGP the customer gateway's ASN must differ from
the VGW's (``AsnConflict``); its two tunnels get outside addresses from AWS's public pool and
inside /30s (``TunnelInsideCidr`` may name them: a /30 of 169.254.0.0/16, not one of the
reserved ones, not used by another tunnel of the same gateway: ``InvalidCidr.InUse``).
Static routes are for static VGW connections only (``InvalidVpnConnection.InvalidType``); a
TGW connection's routes live in the TGW route tables. Deleting takes ``VPN_PENDING`` / 5 s of
``deleting``, then the connection (and its TGW attachment) is ``deleted`` and stays listed an
hour. The ``CustomerGatewayConfiguration`` document is awskit's short summary, not the full
device configuration AWS generates.
"""

from __future__ import annotations

import ipaddress

from ..clock import aws_datetime
from ..service import operation
from . import model_links as ml
from .codes import fail, invalid_value, not_implemented
from .filters import tag_specifications, with_tags
from .model_links import VpnConnection, VpnStaticRoute, VpnTunnel
from .vpn import GONE, VPN_FILTERS, _INSIDE, _RESERVED

VPN_DELETING = 60.0


def _config(vpn: VpnConnection, cgw_ip: str) -> str:
    tunnels = "".join(
        f"<ipsec_tunnel><customer_gateway><tunnel_outside_address><ip_address>{cgw_ip}"
        f"</ip_address></tunnel_outside_address></customer_gateway><vpn_gateway>"
        f"<tunnel_outside_address><ip_address>{t.outside_ip}</ip_address>"
        f"</tunnel_outside_address><tunnel_inside_address><network_cidr>{t.inside_cidr}"
        f"</network_cidr></tunnel_inside_address></vpn_gateway></ipsec_tunnel>"
        for t in vpn.tunnels)
    return (f'<?xml version="1.0" encoding="UTF-8"?><vpn_connection id="{vpn.vpn_id}">'
            f"<customer_gateway_id>{vpn.cgw_id}</customer_gateway_id>"
            f"<vpn_connection_type>ipsec.1</vpn_connection_type>{tunnels}</vpn_connection>")


class VpnConnectionOperations:
    """VPN connections and their static routes."""

    def vpn_dict(self, vpn: VpnConnection) -> dict:
        cgw = self.customer_gateways.get(vpn.cgw_id)
        out = {"Category": "VPN"}
        if vpn.tgw_id:
            out["TransitGatewayId"] = vpn.tgw_id
        out["GatewayAssociationState"] = "associated" if vpn.state != "deleted" \
            else "not-associated"
        out["Options"] = {
            "EnableAcceleration": False, "StaticRoutesOnly": vpn.static_routes_only,
            "LocalIpv4NetworkCidr": "0.0.0.0/0", "RemoteIpv4NetworkCidr": "0.0.0.0/0",
            "OutsideIpAddressType": "PublicIpv4", "TunnelInsideIpVersion": "ipv4",
            "TunnelOptions": [{"OutsideIpAddress": t.outside_ip, "TunnelInsideCidr": t.inside_cidr}
                              for t in vpn.tunnels]}
        out["Routes"] = [{"DestinationCidrBlock": r.cidr, "Source": "Static", "State": r.state}
                         for r in vpn.routes]
        with_tags(out, vpn.tags, always=True)
        learned = len(self.on_premises_cidrs(vpn))
        out["VgwTelemetry"] = [{
            "AcceptedRouteCount": learned if t.status == "UP" and not vpn.static_routes_only
            else 0, "LastStatusChange": aws_datetime(t.changed), "OutsideIpAddress": t.outside_ip,
            "Status": t.status, "StatusMessage": f"{learned} BGP ROUTES"
            if t.status == "UP" and not vpn.static_routes_only else ""} for t in vpn.tunnels]
        out.update(VpnConnectionId=vpn.vpn_id, State=vpn.state)
        if vpn.state != "deleted" and cgw is not None:
            out["CustomerGatewayConfiguration"] = _config(vpn, cgw.ip_address)
        out.update(Type="ipsec.1", CustomerGatewayId=vpn.cgw_id)
        if vpn.vgw_id:
            out["VpnGatewayId"] = vpn.vgw_id
        return out

    def tunnel_inside_cidrs(self, options: list, used: set) -> list[str]:
        """Two tunnel inside CIDRs: the ones asked for, else free ones picked at random."""
        out = []
        for option in (options or [])[:2]:
            cidr = option.get("TunnelInsideCidr")
            if cidr is None:
                out.append(None)
                continue
            try:
                net = ipaddress.IPv4Network(cidr)
            except ValueError:
                raise invalid_value("TunnelInsideCidr", cidr, "This is not a valid CIDR block.")
            if net.prefixlen != 30 or not net.subnet_of(_INSIDE) or str(net) in _RESERVED:
                raise invalid_value("TunnelInsideCidr", cidr, "The inside CIDR must be a /30 "
                                    "of 169.254.0.0/16 outside the reserved ranges.")
            if str(net) in used or str(net) in out:
                raise fail("InvalidCidr.InUse", f"The inside CIDR {net} is already in use.")
            out.append(str(net))
        out += [None] * (2 - len(out))
        rng = self.cloud.ids.stream("ec2:vpn-inside")
        for i, cidr in enumerate(out):
            while cidr is None or cidr in _RESERVED or cidr in used or out.count(cidr) > 1:
                cidr = f"169.254.{rng.randrange(0, 256)}.{rng.randrange(0, 64) * 4}/30"
                out[i] = cidr
        return out

    @operation
    def create_vpn_connection(self, req, CustomerGatewayId, Type, VpnGatewayId=None,
                              TransitGatewayId=None, VpnConcentratorId=None, Options=None,
                              TagSpecifications=None, **_):
        self.begin(req, self.arn_for(req, "vpn-connection"))
        if Type != "ipsec.1":
            raise invalid_value("Type", Type, "The only supported type is ipsec.1.")
        if VpnConcentratorId is not None:
            raise not_implemented("VPN concentrators")
        options = Options or {}
        if options.get("EnableAcceleration") or options.get("TunnelInsideIpVersion") == "ipv6":
            raise not_implemented("accelerated and IPv6 VPN connections")
        if (VpnGatewayId is None) == (TransitGatewayId is None):
            raise fail("InvalidParameterCombination" if VpnGatewayId else "MissingParameter",
                       "Specify either VpnGatewayId or TransitGatewayId.")
        cgw = self.get(req, "cgw", CustomerGatewayId)
        if cgw.state != "available":
            raise fail("InvalidCustomerGatewayState", f"{CustomerGatewayId} is {cgw.state}.")
        static = bool(options.get("StaticRoutesOnly", False))
        vgw = tgw = None
        if VpnGatewayId is not None:
            vgw = self.get(req, "vgw", VpnGatewayId)
            if vgw.state != "available":
                raise fail("InvalidVpnGatewayState", f"{VpnGatewayId} is {vgw.state}.")
            if any(v.vgw_id == VpnGatewayId and v.cgw_id == CustomerGatewayId
                   and v.state != "deleted" for v in self.vpn_connections.values()):
                raise fail("InvalidOption.Conflict", f"A VPN connection between {VpnGatewayId} "
                                                     f"and {CustomerGatewayId} already exists.")
            if not static and cgw.bgp_asn == vgw.asn:
                raise fail("AsnConflict", f"The customer gateway ASN {cgw.bgp_asn} is the same "
                                          f"as the virtual private gateway's.")
        else:
            tgw = self.usable_tgw(req, TransitGatewayId)
        live = [v for v in self.mine(req, "vpn") if v.state != "deleted"]
        if len(live) >= ml.VPNS_PER_REGION or (vgw is not None and sum(
                v.vgw_id == VpnGatewayId for v in live) >= ml.VPNS_PER_VGW):
            raise fail("VpnConnectionLimitExceeded", "The maximum number of VPN connections has "
                                                     "been reached.")
        used = {t.inside_cidr for v in live if (v.vgw_id or v.tgw_id) == (VpnGatewayId or
                                                                        TransitGatewayId)
                for t in v.tunnels}
        inside = self.tunnel_inside_cidrs(options.get("TunnelOptions"), used)
        tags = tag_specifications(TagSpecifications, "vpn-connection")
        vpn = VpnConnection(self.new_id("vpn"), req.account, req.region, CustomerGatewayId,
                            self.cloud.clock.elapsed, vgw_id=VpnGatewayId,
                            tgw_id=TransitGatewayId, static_routes_only=static, tags=tags)
        vpn.tunnels = [VpnTunnel(self.new_public_ip(), cidr, "DOWN", vpn.created)
                       for cidr in inside]
        self.vpn_connections[vpn.vpn_id] = vpn
        if tgw is not None:
            vpn.tgw_attachment_id = self.new_attachment(req, tgw, "vpn", vpn.vpn_id,
                                                        {}).attachment_id
        self.schedule(ml.VPN_PENDING, "vpn-available", vpn.vpn_id)
        req.step("EC2 API", f"Create VPN connection {vpn.vpn_id}: "
                 f"{VpnGatewayId or TransitGatewayId} ↔ {CustomerGatewayId} ({cgw.ip_address}), "
                 f"tunnels to "
                 f"{' and '.join(t.outside_ip for t in vpn.tunnels)}, "
                 f"{'static' if static else 'BGP'} routing; pending", 8.0, vpn=vpn.vpn_id)
        return {"VpnConnection": self.vpn_dict(vpn)}

    def _on_vpn_available(self, vpn_id: str, when: float) -> str | None:
        vpn = self.vpn_connections.get(vpn_id)
        if vpn is None or vpn.state != "pending":
            return None
        vpn.state = "available"
        for tunnel in vpn.tunnels:
            tunnel.status, tunnel.changed = "UP", when
        att = self.tgw_attachments.get(vpn.tgw_attachment_id or "")
        if att is not None and att.state == "pending":
            att.state = "available"
        self.refresh_vgw_routes()
        return f"VPN connection {vpn_id} is available; both tunnels are UP"

    @operation
    def describe_vpn_connections(self, req, VpnConnectionIds=None, Filters=None, **_):
        self.begin(req)
        return self.listing(req, "vpn", VpnConnectionIds, Filters, VPN_FILTERS, None, None,
                            "VpnConnections", self.vpn_dict, "VPN connections")

    @operation
    def delete_vpn_connection(self, req, VpnConnectionId, **_):
        self.begin(req, self.arn_for(req, "vpn-connection", VpnConnectionId))
        vpn = self.get(req, "vpn", VpnConnectionId)
        if vpn.state in ("deleting", "deleted"):
            raise fail("InvalidVpnConnection.InvalidState", f"{VpnConnectionId} is "
                                                            f"{vpn.state}.")
        self.cancel_timers(vpn.vpn_id)
        vpn.state = "deleting"
        for tunnel in vpn.tunnels:
            tunnel.status, tunnel.changed = "DOWN", self.cloud.clock.elapsed
        att = self.tgw_attachments.get(vpn.tgw_attachment_id or "")
        if att is not None:
            att.state = "deleting"
        self.schedule(VPN_DELETING, "vpn-deleted", vpn.vpn_id)
        self.refresh_vgw_routes()
        req.step("EC2 API", f"Delete VPN connection {VpnConnectionId}: tunnels down, its "
                 "propagated routes withdrawn", 3.0, vpn=VpnConnectionId)
        return {}

    def _on_vpn_deleted(self, vpn_id: str, when: float) -> str | None:
        vpn = self.vpn_connections.get(vpn_id)
        if vpn is None:
            return None
        vpn.state = "deleted"
        for tunnel in vpn.tunnels:
            self.release_public_ip(tunnel.outside_ip)
        att = self.tgw_attachments.get(vpn.tgw_attachment_id or "")
        if att is not None:
            att.state = "deleted"
            self.drop_attachment(att)
            self.schedule(GONE, "attachment-gone", att.attachment_id)
        self.schedule(GONE - (self.cloud.clock.elapsed - when), "vpn-gone", vpn_id)
        return f"VPN connection {vpn_id} is deleted"

    # -- static routes ---------------------------------------------------------------------------
    def static_vpn(self, req, vpn_id, cidr):
        vpn = self.get(req, "vpn", vpn_id)
        if not vpn.static_routes_only or vpn.tgw_id:
            raise fail("InvalidVpnConnection.InvalidType", f"The VPN connection {vpn_id} does "
                                                           "not support static routes.")
        if vpn.state not in ("pending", "available"):
            raise fail("InvalidVpnConnection.InvalidState", f"{vpn_id} is {vpn.state}.")
        try:
            net = ipaddress.IPv4Network(str(cidr), strict=False)
        except ValueError:
            raise invalid_value("DestinationCidrBlock", cidr, "This is not a valid CIDR block.")
        return vpn, str(net)

    @operation
    def create_vpn_connection_route(self, req, DestinationCidrBlock, VpnConnectionId, **_):
        self.begin(req, self.arn_for(req, "vpn-connection", VpnConnectionId))
        vpn, cidr = self.static_vpn(req, VpnConnectionId, DestinationCidrBlock)
        if any(r.cidr == cidr for r in vpn.routes):
            raise fail("RouteAlreadyExists", f"The route {cidr} already exists for "
                                             f"{VpnConnectionId}.")
        vpn.routes.append(VpnStaticRoute(cidr))
        self.refresh_vgw_routes()
        req.step("EC2 API", f"Add static VPN route {cidr} (on premises) to {VpnConnectionId}",
                 2.0, vpn=VpnConnectionId)
        return {}

    @operation
    def delete_vpn_connection_route(self, req, DestinationCidrBlock, VpnConnectionId, **_):
        self.begin(req, self.arn_for(req, "vpn-connection", VpnConnectionId))
        vpn, cidr = self.static_vpn(req, VpnConnectionId, DestinationCidrBlock)
        route = next((r for r in vpn.routes if r.cidr == cidr), None)
        if route is None:
            raise fail("InvalidRoute.NotFound", f"The route {cidr} does not exist for "
                                                f"{VpnConnectionId}.")
        vpn.routes.remove(route)
        self.refresh_vgw_routes()
        req.step("EC2 API", f"Delete static VPN route {cidr} from {VpnConnectionId}", 2.0,
                 vpn=VpnConnectionId)
        return {}
