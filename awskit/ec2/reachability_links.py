"""The hops of the connectivity options, mixed into :class:`~awskit.ec2.reachability_flow.Walk`:
VPC peering, Transit Gateway, virtual private gateways and Site-to-Site VPN, Client VPN, gateway
and interface endpoints, PrivateLink. They follow the contract of
:mod:`awskit.ec2.model_links`:

- **Peering**: only ``active``; the source must be in the sending VPC and the destination in
  the peer VPC (``PCX_REQUIRES_ADDRESS_IN_VPC_CIDR``), which is what makes peering
  non-transitive and refuses edge-to-edge routing; in the peer VPC the local route delivers.
- **Transit gateway**: the sending VPC's ``available`` attachment must have a subnet in the
  sender's AZ (``TGW_ROUTE_AZ_RESTRICTION``); the attachment's associated route table picks the
  route (longest prefix; a blackhole drops); the packet leaves through the route's attachment.
  Entering and leaving, it crosses the network ACL of the attachment's subnet in that AZ when
  the other end is in another subnet [TGW tgw-nacls.md]. Into a VPC, a destination inside the
  VPC is delivered locally; any other destination is routed by the route table of the
  attachment's subnet (how centralised egress through a NAT gateway works).
- **VPN gateway**: attached to the VPC; the source must be an interface of the VPC
  (``VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS``); a VPN connection whose on-premises CIDRs hold
  the destination, ``available`` with a tunnel ``UP`` (``BAD_STATE_VPN``). From on premises, a
  packet enters a VPC only at that VPC's own CIDRs.
- **Client VPN**: the endpoint's route and authorization rule for the destination, then
  source NAT to the target network's interface (carrying the endpoint's security groups); the
  client's ports are kept. Reachability Analyzer does not analyse Client VPN, so its refusals
  carry no explanation code.
- **Gateway endpoint**: TCP or ICMP only (``VPCE_GATEWAY_PROTOCOL_RESTRICTION``), from the
  endpoint's own VPC only; the endpoint policy is not evaluated.
- **Interface endpoint / PrivateLink**: the endpoint's interface (its subnet's ACL, its groups)
  then the AWS service, or the provider's endpoint service (``Available``, the endpoint
  accepted) and its load balancer, which forwards from its own address in the target's AZ to
  the first target that is running (awskit's load balancers have no security groups and no
  health checks; the network ACL of its subnet is crossed toward the targets, not on the
  way in from PrivateLink); the reply comes back the same way.
"""

from __future__ import annotations

from .model_links import client_vpn_authorized, client_vpn_route_for, tgw_route_for
from .reachability_hops import EPHEMERAL_AWS, Packet, contains

_ENDED = ("deleting", "deleted", "failed", "rejected", "expired")


class LinkHops:
    """Mixed into Walk: needs ``net``, ``packet``, ``hop``/``block``/``arrive``, ``nacl``,
    ``groups``, ``leave``, ``enter_vpc``, ``send``."""

    # -- VPC peering --------------------------------------------------------------------------
    def peering(self, pcx_id: str, subnet) -> bool:
        net, packet, vpc_id = self.net, self.packet, subnet.vpc_id
        pcx = net.link("peering_connections").get(pcx_id)
        if pcx is None or not pcx.active:
            state = pcx.state if pcx is not None else "gone"
            return self.block("VPC peering", pcx_id, f"is {state}: only an active peering "
                              "connection carries traffic", "BAD_STATE")
        peer = pcx.peer_of(vpc_id)
        if not net.in_vpc(vpc_id, packet.src):
            return self.block("VPC peering", pcx_id, f"carries only traffic from {vpc_id}'s own "
                              f"addresses, not from {packet.src}: no edge-to-edge routing "
                              "through a peered VPC", "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
                              arn=pcx.arn)
        if not net.in_vpc(peer, packet.dst):
            cidrs = ", ".join(str(n) for n in net.vpcs[peer].networks)
            words = (f"delivers only to {peer} ({cidrs}), and {packet.dst} is not in it: "
                     "peering is not transitive")
            beyond = next((v for v in net.vpcs if net.in_vpc(v, packet.dst)), None)
            chain = net.peering_chain(vpc_id, beyond) if beyond else None
            if chain and len(chain) > 1:
                words += (f" (from {vpc_id} to {beyond} would take {' then '.join(chain)}: "
                          "peer them directly or use a transit gateway)")
            return self.block("VPC peering", pcx_id, words, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
                              arn=pcx.arn)
        where = " (inter-Region)" if pcx.inter_region else ""
        self.hop("VPC peering", pcx_id, f"carries it from {vpc_id} to {peer}{where}", arn=pcx.arn)
        mark = "peering-inter-region" if pcx.inter_region else "peering"
        self.packet = packet.moved(via=packet.via + (mark,))
        return self.enter_vpc(peer, pcx_id)

    # -- Transit Gateway ----------------------------------------------------------------------
    def tgw_attachment(self, tgw_id: str, vpc_id: str):
        found = [a for a in self.net.link("tgw_attachments").values()
                 if a.tgw_id == tgw_id and a.resource_type == "vpc" and a.resource_id == vpc_id
                 and a.state not in _ENDED]
        return next((a for a in found if a.state == "available"), found[0] if found else None)

    def tgw_enter(self, tgw_id: str, subnet) -> bool:
        net = self.net
        tgw = net.link("transit_gateways").get(tgw_id)
        if tgw is None or tgw.state != "available":
            return self.block("Transit gateway", tgw_id, f"is {tgw.state if tgw else 'gone'}",
                              "BAD_STATE")
        att = self.tgw_attachment(tgw_id, subnet.vpc_id)
        if att is None or att.state != "available":
            state = att.state if att else "missing"
            return self.block("Transit gateway", att.attachment_id if att else tgw_id,
                              f"{subnet.vpc_id}'s attachment is {state}",
                              "BAD_STATE_ATTACHMENT", arn=tgw.arn)
        entry = next((s for s in att.subnet_ids if net.subnets[s].az == subnet.az), None)
        if entry is None:
            return self.block("Transit gateway", att.attachment_id, f"has no subnet in "
                              f"{subnet.az}: traffic from {subnet.az} cannot reach the transit "
                              "gateway", "TGW_ROUTE_AZ_RESTRICTION", arn=att.arn)
        if entry != subnet.subnet_id and not self.nacl(entry, egress=False):
            return False
        self.hop("Transit gateway", att.attachment_id, f"takes it in from {subnet.vpc_id} "
                 f"through its interface in {entry}", arn=att.arn)
        return self.tgw_route(tgw, att, subnet.az)

    def tgw_route(self, tgw, att, az: str | None) -> bool:
        net, dst = self.net, self.packet.dst
        table_id = att.association_table_id
        if not table_id or table_id not in net.link("tgw_route_tables"):
            return self.block("Transit gateway", att.attachment_id, "is associated with no "
                              "transit gateway route table",
                              "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION", arn=att.arn)
        if not self.tick("tgw", table_id):
            return False
        table = net.link("tgw_route_tables")[table_id]
        route = tgw_route_for(net.transit_routes(table_id), dst)
        if route is None:
            return self.block("Transit gateway", table_id, f"route table has no route for "
                              f"{dst}", "NO_ROUTE_TO_DESTINATION", arn=table.arn)
        origin = "static" if route.route_type == "static" else \
            f"propagated from the {route.resource_type} attachment"
        words = f"route {route.destination} -> {route.attachment_id or 'blackhole'} ({origin})"
        shape = {"DestinationCidr": route.destination, "State": route.state,
                 "RouteOrigin": route.route_type}
        if route.attachment_id:
            out = net.link("tgw_attachments").get(route.attachment_id)
            shape.update(AttachmentId=route.attachment_id, ResourceId=out.resource_id if out
                         else "", ResourceType=out.resource_type if out else "")
        if route.blackhole or route.state != "active":
            return self.block("Transit gateway", table_id, words + ": a blackhole, the transit "
                              "gateway drops it", "TGW_RTB_BAD_STATE_ROUTE", arn=table.arn,
                              TransitGatewayRouteTableRoute=shape, TransitGateway=tgw.tgw_id)
        self.hop("Transit gateway", table_id, words, arn=table.arn,
                 TransitGatewayRouteTableRoute=shape, TransitGateway=tgw.tgw_id)
        out = net.link("tgw_attachments")[route.attachment_id]
        if out.resource_type == "vpn":
            vpn = net.link("vpn_connections").get(out.resource_id)
            return self.vpn_down([vpn] if vpn else [], out.attachment_id, "Transit gateway",
                                 "TGW_BAD_STATE_VPN")
        return self.tgw_exit(out, az)

    def tgw_exit(self, att, az: str | None) -> bool:
        net, dst = self.net, self.packet.dst
        vpc_id = att.resource_id
        target = net.eni_in_vpc(vpc_id, dst)
        zone = target.az if target is not None else az
        exit_subnet = next((s for s in att.subnet_ids if net.subnets[s].az == zone),
                           att.subnet_ids[0] if att.subnet_ids else None)
        if exit_subnet is None:
            return self.block("Transit gateway", att.attachment_id, "has no subnet in "
                              f"{vpc_id}", "BAD_STATE_ATTACHMENT", arn=att.arn)
        self.hop("Transit gateway", att.attachment_id, f"sends it into {vpc_id} through its "
                 f"interface in {exit_subnet}", arn=att.arn)
        self.packet = self.packet.moved(via=self.packet.via + ("tgw",))
        if not net.in_vpc(vpc_id, dst):         # on through that subnet's route table
            return self.leave(exit_subnet, None)
        if target is not None and target.subnet_id != exit_subnet and \
                not self.nacl(exit_subnet, egress=True):
            return False
        return self.enter_vpc(vpc_id, att.attachment_id, from_subnet=exit_subnet)

    # -- VPN gateway, Site-to-Site VPN, on premises ---------------------------------------------
    def vgw_out(self, vgw_id: str, subnet) -> bool:
        net, vpc_id = self.net, subnet.vpc_id
        vgw = net.link("vpn_gateways").get(vgw_id)
        if vgw is None or vgw.vpc_id != vpc_id or vgw.attachment_state != "attached":
            return self.block("VPN gateway", vgw_id, f"is not attached to {vpc_id}",
                              "BAD_STATE_ATTACHMENT", arn=vgw.arn if vgw else "")
        if net.eni_in_vpc(vpc_id, self.packet.src) is None:
            return self.block("VPN gateway", vgw_id, f"carries only {vpc_id}'s own traffic, "
                              f"not traffic from {self.packet.src}: no edge-to-edge routing",
                              "VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS", arn=vgw.arn)
        vpns = [v for v in net.link("vpn_connections").values()
                if v.vgw_id == vgw_id and v.state not in _ENDED]
        return self.vpn_down(vpns, vgw_id, "VPN gateway", "BAD_STATE_VPN")

    def vpn_down(self, vpns: list, gateway: str, component: str, bad_state: str) -> bool:
        net, dst = self.net, self.packet.dst
        fits = [(v, c) for v in vpns for c in net.on_premises_cidrs(v) if contains(c, dst)]
        if not fits:
            return self.block(component, gateway, f"no VPN connection leads to {dst}: no "
                              "on-premises network behind it holds that address",
                              "NO_ROUTE_TO_DESTINATION")
        vpn, cidr = next(((v, c) for v, c in fits if v.up), fits[0])
        if not vpn.up:
            tunnels = ", ".join(t.status for t in vpn.tunnels) or "none"
            return self.block("Site-to-Site VPN", vpn.vpn_id, f"is {vpn.state}, tunnels "
                              f"{tunnels}: no tunnel is UP", bad_state, arn=vpn.arn)
        tunnel = next(t for t in vpn.tunnels if t.status == "UP")
        cgw = net.link("customer_gateways").get(vpn.cgw_id)
        self.hop("Site-to-Site VPN", vpn.vpn_id, f"carries it from {gateway} through the tunnel "
                 f"from {tunnel.outside_ip} to {vpn.cgw_id}", arn=vpn.arn)
        where = f" ({cgw.ip_address})" if cgw is not None else ""
        return self.arrive("onprem", vpn.cgw_id, "On-premises network", f"receives it: "
                           f"{dst} is in {cidr}, behind the customer gateway{where}")

    def from_onprem(self, cgw_id: str) -> bool:
        net, dst = self.net, self.packet.dst
        verb = "answers with" if self.reply else "sends"
        self.hop("On-premises network", cgw_id, f"a host behind it {verb} "
                 f"{self.packet.text()}")
        vpns = sorted((v for v in net.link("vpn_connections").values()
                       if v.cgw_id == cgw_id and v.state not in _ENDED), key=lambda v: v.vpn_id)
        gateways = net.link("vpn_gateways")
        into_vpc = [v for v in vpns if v.vgw_id and gateways.get(v.vgw_id) is not None
                    and gateways[v.vgw_id].vpc_id and net.in_vpc(gateways[v.vgw_id].vpc_id, dst)]
        via_tgw = [v for v in vpns if v.tgw_attachment_id]
        vpn = next((v for v in into_vpc + via_tgw if v.up), (into_vpc + via_tgw or [None])[0])
        if vpn is None:
            return self.block("Site-to-Site VPN", cgw_id, f"no VPN connection of {cgw_id} leads "
                              f"to {dst} (a virtual private gateway admits only its VPC's own "
                              "addresses)", "NO_ROUTE_TO_DESTINATION")
        if not vpn.up:
            tunnels = ", ".join(t.status for t in vpn.tunnels) or "none"
            return self.block("Site-to-Site VPN", vpn.vpn_id, f"is {vpn.state}, tunnels "
                              f"{tunnels}: no tunnel is UP", "BAD_STATE_VPN", arn=vpn.arn)
        gateway = vpn.vgw_id or vpn.tgw_id
        self.hop("Site-to-Site VPN", vpn.vpn_id, f"carries it from {cgw_id} through a tunnel "
                 f"to {gateway}", arn=vpn.arn)
        self.packet = self.packet.moved(via=self.packet.via + ("vpn",))
        if vpn.vgw_id:
            vgw = gateways[vpn.vgw_id]
            self.hop("VPN gateway", vgw.vgw_id, f"takes it into {vgw.vpc_id}", arn=vgw.arn)
            return self.enter_vpc(vgw.vpc_id, vgw.vgw_id)
        att = net.link("tgw_attachments").get(vpn.tgw_attachment_id)
        tgw = net.link("transit_gateways").get(vpn.tgw_id)
        if att is None or tgw is None or att.state != "available":
            return self.block("Transit gateway", vpn.tgw_attachment_id, "the VPN attachment is "
                              "not available", "BAD_STATE_ATTACHMENT")
        self.hop("Transit gateway", att.attachment_id, f"takes it in from {vpn.vpn_id}",
                 arn=att.arn)
        return self.tgw_route(tgw, att, None)

    # -- Client VPN ----------------------------------------------------------------------------
    def from_client_vpn(self, cvpn, groups: tuple) -> bool:
        dst, user = self.packet.dst, self.packet.src
        self.hop("Client VPN user", user, f"(connected to {cvpn.endpoint_id}) sends "
                 f"{self.packet.text()}")
        if cvpn.state != "available":
            return self.block("Client VPN endpoint", cvpn.endpoint_id, f"is {cvpn.state}: it "
                              "carries traffic once a target network is associated", "BAD_STATE",
                              arn=cvpn.arn)
        route = client_vpn_route_for(cvpn, dst)
        if route is None:
            return self.block("Client VPN endpoint", cvpn.endpoint_id, f"has no route for {dst}",
                              None, arn=cvpn.arn)
        target = next((t for t in cvpn.target_networks if t.subnet_id == route.target_subnet
                       and t.status == "associated"), None)
        if target is None or target.eni_id not in self.net.enis:
            return self.block("Client VPN endpoint", cvpn.endpoint_id, f"route "
                              f"{route.destination_cidr} -> {route.target_subnet}: that subnet "
                              "is not an associated target network", None, arn=cvpn.arn)
        rule = client_vpn_authorized(cvpn, dst, groups)
        if rule is None:
            return self.block("Client VPN endpoint", cvpn.endpoint_id, f"no authorization rule "
                              f"lets this user reach {dst}", None, arn=cvpn.arn)
        eni = self.net.enis[target.eni_id]
        who = "every user" if rule.access_all else f"group {rule.group_id}"
        restore = {"dst": user}
        if self.packet.protocol != "icmp":
            restore["ports"] = self.packet.src_ports
        self.states.append(self.state("clientvpn", eni.eni_id, cvpn.endpoint_id, restore))
        self.hop("Client VPN endpoint", cvpn.endpoint_id, f"authorization rule "
                 f"{rule.destination_cidr} allows {who}; route {route.destination_cidr} -> "
                 f"{route.target_subnet}; translates the source {user} to {eni.private_ip}",
                 arn=cvpn.arn)
        self.packet = self.packet.moved(src=eni.private_ip, origin=eni.eni_id,
                                        via=self.packet.via + ("clientvpn",))
        return self.groups(eni, egress=True) and self.leave(eni.subnet_id, eni)

    # -- endpoints and PrivateLink -------------------------------------------------------------
    def gateway_endpoint(self, vpce_id: str, subnet) -> bool:
        net = self.net
        ep = net.link("vpc_endpoints").get(vpce_id)
        if ep is None or ep.state != "available":
            return self.block("VPC endpoint", vpce_id, f"is {ep.state if ep else 'gone'}",
                              "BAD_STATE", arn=ep.arn if ep else "")
        if net.eni_in_vpc(subnet.vpc_id, self.packet.src) is None:
            return self.block("VPC endpoint", vpce_id, f"serves only {subnet.vpc_id}'s own "
                              f"interfaces, not {self.packet.src} (a gateway endpoint is not "
                              "usable from peered VPCs, VPNs or transit gateways)", None,
                              arn=ep.arn)
        if self.packet.protocol not in ("tcp", "icmp"):
            return self.block("VPC endpoint", vpce_id, "a gateway endpoint carries only TCP "
                              "and ICMP echo", "VPCE_GATEWAY_PROTOCOL_RESTRICTION", arn=ep.arn)
        service = ep.service_name.rsplit(".", 1)[-1]
        self.hop("VPC endpoint", vpce_id, f"gateway endpoint takes it to {ep.service_name} "
                 "(awskit does not evaluate endpoint policies)", arn=ep.arn)
        return self.arrive("service", service, "AWS service", f"receives it in {ep.region} "
                           f"through {vpce_id}", via=ep)

    def endpoint_of(self, eni):
        return next((e for e in self.net.link("vpc_endpoints").values()
                     if eni.eni_id in e.eni_ids), None)

    def interface_endpoint(self, eni) -> bool:
        ep = self.endpoint_of(eni)
        if ep is None:
            return self.arrive("eni", eni.eni_id, "Network interface", f"{eni.eni_id} receives "
                               "it", eni=eni, arn=eni.arn)
        if ep.state != "available":
            why = ": the service provider has not accepted it" \
                if ep.state == "pendingAcceptance" else ""
            return self.block("VPC endpoint", ep.endpoint_id, f"is {ep.state}{why}", "BAD_STATE",
                              arn=ep.arn)
        if ep.service_id is None:
            service = ep.service_name.rsplit(".", 1)[-1]
            return self.arrive("service", service, "AWS service", f"receives it in {ep.region} "
                               f"through interface endpoint {ep.endpoint_id}", eni=eni, via=ep)
        return self.privatelink(ep, eni)

    def privatelink(self, ep, eni) -> bool:
        net, packet = self.net, self.packet
        svc = net.link("endpoint_services").get(ep.service_id)
        if svc is None or svc.state.lower() != "available":
            return self.block("VPC endpoint", ep.service_id, f"the endpoint service is "
                              f"{svc.state if svc else 'gone'}", "BAD_STATE")
        if svc.azs and eni.az not in svc.azs:
            return self.block("VPC endpoint", ep.service_id, f"is not offered in {eni.az}",
                              "VPCE_SERVICE_NOT_INSTALLED_IN_AZ", arn=svc.arn)
        lb = next((net.link("load_balancers").get(a) for a in svc.nlb_arns
                   if a in net.link("load_balancers")), None)
        if lb is None or not lb.eni_ids:
            return self.block("Load balancer", ep.service_id, "the service has no load balancer",
                              "BAD_STATE")
        name = lb.arn.rsplit("/", 2)[-2] if lb.arn.count("/") >= 2 else lb.arn
        if packet.protocol != "tcp" or (lb.ports and packet.ports[0] not in lb.ports):
            return self.block("Load balancer", name, f"has no listener for {self.packet_words()}",
                              "ELBV2_LISTENER_PORT_RESTRICTION", arn=lb.arn)
        target = self.lb_target(lb)
        if target is None:
            return self.block("Load balancer", name, "has no running target",
                              "ELBV2_LISTENER_HAS_NO_TG", arn=lb.arn)
        lb_enis = [net.enis[e] for e in lb.eni_ids if e in net.enis]
        lb_eni = next((e for e in lb_enis if e.az == target.az), lb_enis[0])
        self.hop("VPC endpoint", ep.endpoint_id, f"PrivateLink carries it to {svc.service_id} "
                 f"({svc.service_name}) of account {svc.account}", arn=ep.arn)
        self.states.append(self.state("privatelink", lb_eni.eni_id, ep.endpoint_id,
                                      {"src": eni.private_ip, "dst": packet.src,
                                       "ports": packet.src_ports, "src_ports": packet.ports,
                                       "via": packet.via}, resume=(eni, name, lb.arn)))
        self.service_reached = svc.service_id
        self.hop("Load balancer", name, f"forwards it from {lb_eni.private_ip} to its target "
                 f"{target.private_ip} ({target.eni_id})", arn=lb.arn)
        self.packet = Packet(packet.protocol, lb_eni.private_ip, target.private_ip, packet.ports,
                             EPHEMERAL_AWS, None, ("privatelink",))
        return self.leave(lb_eni.subnet_id, lb_eni)

    def lb_target(self, lb):
        """The first target that can answer: a running instance's primary interface (or the
        interface holding a target IP in the load balancer's VPC)."""
        net = self.net
        vpc_id = net.enis[lb.eni_ids[0]].vpc_id if lb.eni_ids[0] in net.enis else None
        for target in lb.targets:
            instance = net.instances.get(target)
            if instance is not None:
                if instance.state == "running" and instance.eni_ids:
                    return net.enis.get(instance.eni_ids[0])
                continue
            eni = net.eni_in_vpc(vpc_id, target) if vpc_id else None
            if eni is not None:
                return eni
        return None

    # -- the replies ---------------------------------------------------------------------------
    def undo_link(self, state, eni) -> bool:
        if state.kind == "clientvpn":
            self.hop("Client VPN endpoint", state.resource, "translates the reply back to the "
                     f"user's address {self.packet.dst}")
            return self.arrive("clientvpn", state.resource, "Client VPN user", "receives it",
                               shown=self.packet.dst)
        eni, name, arn = state.resume
        self.hop("Load balancer", name, "hands the reply back to PrivateLink (it tracks the "
                 "connection)", arn=arn)
        self.hop("VPC endpoint", state.resource, f"PrivateLink carries the reply back to "
                 f"{eni.eni_id}")
        return self.groups(eni, egress=True) and self.leave(eni.subnet_id, eni)
