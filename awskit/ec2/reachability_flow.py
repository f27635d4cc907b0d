"""One direction of a flow, walked hop by hop: :class:`Walk`.

A walk moves a :class:`~awskit.ec2.reachability_hops.Packet` through the model the way
:mod:`awskit.ec2.model` describes: out of an interface (its security groups, outbound), out of
its subnet (the subnet's network ACL, outbound: not when the next hop is in the same subnet),
through the VPC router (the subnet's route table, :func:`~awskit.ec2.model.route_for`) to the
route's target, and in at the far end (the destination subnet's ACL, inbound; the interface's
groups, inbound). Each hop is recorded with the rule it applied; the first hop that refuses
the packet stops the walk and is its ``blocked`` hop.

Targets handled here: ``local`` (an interface of the VPC), an internet gateway (1:1 NAT
between a private address and its public IPv4; it refuses a source without a public IPv4 and
a private destination), a NAT gateway (``available`` only; it rewrites the source to its own
address and ports 1024-65535; traffic that entered the VPC over peering or a VPN gateway
cannot use it, traffic from a transit gateway can (centralised egress); nothing from outside
can open a connection to it), an interface or instance (a middlebox: it must
have source/destination checking off), and the egress-only internet gateway (IPv6 only, so
never for the IPv4 flows awskit simulates). Peering, transit gateways, VPN, Client VPN and
endpoints are in :mod:`awskit.ec2.reachability_links`.

A **reply** walk (``reply=True``) carries the answer back: security groups are stateful, so
they let it through without looking at their rules; network ACLs are stateless and must allow
it (its destination ports are the ephemeral ports of whoever opened the connection); NAT
gateways, Client VPN endpoints and PrivateLink undo on the reply the translation they made on
the way out (the forward walk records it in ``states``). A reply routed into a NAT gateway that
did not translate the request would leave with another source address, which the peer drops.

Codes are Reachability Analyzer's explanation codes
(https://docs.aws.amazon.com/vpc/latest/reachability/explanation-codes.html).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from .reachability_hops import EPHEMERAL_AWS, Hop, Packet, is_private, route_shape, route_words
from .reachability_filters import FilterHops
from .reachability_links import LinkHops

MAX_STEPS = 48


@dataclass
class Arrival:
    """Where a walk ended: ``kind`` ``eni`` | ``internet`` | ``onprem`` | ``service`` |
    ``clientvpn`` | ``privatelink``; ``resource`` the id (ENI, host address, cgw, service name,
    Client VPN endpoint, endpoint service) and ``eni`` the interface reached, if any."""

    kind: str
    resource: str
    eni: object = None
    via: object = None
    extra: dict = field(default_factory=dict)


@dataclass
class State:
    """A translation a stateful device made on the way out, undone on the reply where the
    reply reaches ``eni_id``; ``restore``: the packet fields the reply gets back."""

    kind: str
    eni_id: str
    resource: str
    restore: dict
    resume: object = None


class Walk(FilterHops, LinkHops):
    """Walk ``packet`` through ``net``; see the module docstring."""

    def __init__(self, net, packet: Packet, region: str, *, reply: bool = False,
                 states: list | None = None):
        self.net = net
        self.packet = packet
        self.region = region
        self.reply = reply
        self.states: list[State] = [] if states is None else states
        self.hops: list[Hop] = []
        self.blocked: Hop | None = None
        self.arrival: Arrival | None = None
        self.service_reached: str | None = None     # PrivateLink: the endpoint service
        self._seen: set = set()

    @staticmethod
    def state(kind: str, eni_id: str, resource: str, restore: dict, resume=None) -> State:
        return State(kind, eni_id, resource, restore, resume)

    # -- recording ----------------------------------------------------------------------------
    def hop(self, component: str, resource: str, rule: str, *, arn: str = "",
            allowed: bool = True, code: str | None = None, **detail) -> bool:
        hop = Hop(component, resource, rule, allowed, code, self.packet.text(), arn,
                  "return" if self.reply else "forward", detail)
        self.hops.append(hop)
        if not allowed:
            self.blocked = hop
        return allowed

    def block(self, component: str, resource: str, rule: str, code: str, **kw) -> bool:
        return self.hop(component, resource, rule, allowed=False, code=code, **kw)

    def arrive(self, kind: str, resource: str, component: str, words: str, *, eni=None,
               via=None, arn: str = "", shown: str | None = None, **extra) -> bool:
        self.hop(component, shown or resource, words, arn=arn)
        self.arrival = Arrival(kind, resource, eni, via, extra)
        return True

    def tick(self, *key) -> bool:
        """Refuse a walk that comes back where it was with the same packet (a routing loop)."""
        key = (*key, self.packet.src, self.packet.dst)
        if key in self._seen or len(self._seen) >= MAX_STEPS:
            return self.block("VPC router", str(key[1]), f"sends {self.packet.dst} back where "
                              "it came from: a routing loop drops it", "NO_ROUTE_TO_DESTINATION")
        self._seen.add(key)
        return True

    # -- the start ------------------------------------------------------------------------------
    def send(self, eni) -> bool:
        """The packet leaves ``eni``: an instance's interface, or a service's own."""
        instance = self.net.instance_of(eni)
        if instance is not None and instance.state != "running":
            return self.block("Instance", instance.instance_id, f"is {instance.state}: only a "
                              "running instance sends or answers traffic", "BAD_STATE",
                              arn=instance.arn)
        who = instance.instance_id if instance is not None else eni.eni_id
        verb = "answers with" if self.reply else "sends"
        self.hop("Instance" if instance is not None else "Network interface", who,
                 f"{verb} {self.packet.text()} from {eni.eni_id}", arn=(instance or eni).arn)
        return self.groups(eni, egress=True) and self.leave(eni.subnet_id, eni)

    # -- the VPC router -------------------------------------------------------------------------
    def stays(self, subnet, route) -> bool:
        """Whether the route's next hop is in ``subnet`` itself (then no ACL is crossed)."""
        if route is None or route.state != "active":
            return False
        kind, target = route.target_type, route.target_id
        if kind == "local":
            eni = self.net.eni_in_vpc(subnet.vpc_id, self.packet.dst)
            return eni is not None and eni.subnet_id == subnet.subnet_id
        if kind == "nat-gateway":
            return self.net.ec2.nat_gateways[target].subnet_id == subnet.subnet_id
        if kind in ("network-interface", "instance"):
            eni = self.net.enis.get(route.eni_id or target)
            return eni is not None and eni.subnet_id == subnet.subnet_id
        if kind == "transit-gateway":
            att = self.tgw_attachment(target, subnet.vpc_id)
            return att is not None and subnet.subnet_id in att.subnet_ids
        return False

    def leave(self, subnet_id: str, sender) -> bool:
        """Route the packet out of ``subnet_id`` (``sender`` is the interface it left)."""
        if not self.tick("leave", subnet_id):
            return False
        subnet = self.net.subnets[subnet_id]
        table, route = self.net.route(subnet_id, self.packet.dst)
        if not self.stays(subnet, route) and not self.nacl(subnet_id, egress=True):
            return False
        where = {"Vpc": subnet.vpc_id, "Subnet": subnet_id, "RouteTable": table}
        if route is None:
            words = f"has no route {'back ' if self.reply else ''}for {self.packet.dst}"
            ipv6 = [r for r in table.routes if r.target_type == "egress-only-gateway"]
            if ipv6:
                words += (f" (route {ipv6[0].destination} -> {ipv6[0].target_id} is IPv6: an "
                          "egress-only internet gateway carries no IPv4)")
            return self.block("VPC router", table.route_table_id, words,
                              "NO_ROUTE_TO_DESTINATION", arn=table.arn, **where)
        where["RouteTableRoute"] = route_shape(route)
        if route.state != "active":
            return self.block("VPC router", table.route_table_id, route_words(route) +
                              ": its target is gone or unusable, the packet is dropped",
                              "BAD_STATE_ROUTE", arn=table.arn, **where)
        self.hop("VPC router", table.route_table_id, route_words(route), arn=table.arn, **where)
        kind, target = route.target_type, route.target_id
        if kind == "local":
            return self.local(subnet)
        if kind == "nat-gateway":
            return self.nat(self.net.ec2.nat_gateways[target], subnet_id)
        if kind in ("network-interface", "instance"):
            return self.appliance(self.net.enis[route.eni_id or target], subnet_id)
        if target.startswith("igw-"):
            return self.igw_out(self.net.ec2.internet_gateways[target], subnet)
        if target.startswith("vgw-"):
            return self.vgw_out(target, subnet)
        if target.startswith("vpce-"):
            return self.gateway_endpoint(target, subnet)
        if kind == "vpc-peering-connection":
            return self.peering(target, subnet)
        if kind == "transit-gateway":
            return self.tgw_enter(target, subnet)
        return self.block("VPC router", table.route_table_id, f"target {target} carries no "
                          "IPv4 traffic", "NO_ROUTE_TO_DESTINATION", arn=table.arn, **where)

    def local(self, subnet) -> bool:
        eni = self.net.eni_in_vpc(subnet.vpc_id, self.packet.dst)
        if eni is None:
            return self.block("VPC router", subnet.vpc_id, f"local route: no network "
                              f"interface in {subnet.vpc_id} has {self.packet.dst}",
                              "NO_POSSIBLE_DESTINATION", Vpc=subnet.vpc_id)
        return self.deliver(eni, subnet.subnet_id)

    def enter_vpc(self, vpc_id: str, via: str, from_subnet: str | None = None) -> bool:
        """A packet that came in from a gateway or link is delivered by the local route."""
        dst = self.packet.dst
        eni = self.net.eni_in_vpc(vpc_id, dst)
        if eni is None:
            return self.block("VPC router", vpc_id, f"no network interface in {vpc_id} has "
                              f"{dst}", "NO_POSSIBLE_DESTINATION", Vpc=vpc_id)
        cidr = next(str(n) for n in self.net.vpcs[vpc_id].networks
                    if ipaddress.ip_address(dst) in n)
        self.hop("VPC router", vpc_id, f"delivers {dst} (from {via}) to {eni.subnet_id} by the "
                 f"local route {cidr}", arn=self.net.vpcs[vpc_id].arn, Vpc=vpc_id)
        return self.deliver(eni, from_subnet)

    def deliver(self, eni, from_subnet: str | None) -> bool:
        """In at ``eni``: its subnet's ACL (if the packet crosses it), then its groups."""
        if from_subnet != eni.subnet_id and not self.nacl(eni.subnet_id, egress=False):
            return False
        instance = self.net.instance_of(eni)
        if instance is not None and instance.state != "running":
            return self.block("Instance", instance.instance_id, f"is {instance.state}: only a "
                              "running instance receives traffic", "BAD_STATE",
                              arn=instance.arn)
        return self.groups(eni, egress=False) and self.at_eni(eni)

    def at_eni(self, eni) -> bool:
        if self.reply:
            state = next((s for s in reversed(self.states) if s.eni_id == eni.eni_id), None)
            if state is not None:
                self.states.remove(state)
                return self.undo(state, eni)
        elif eni.interface_type == "nat_gateway":
            nat = next((n.nat_id for n in self.net.ec2.nat_gateways.values()
                        if n.eni_id == eni.eni_id), eni.eni_id)
            return self.block("NAT gateway", nat, "accepts no connection opened to it: a NAT "
                              "gateway only translates connections its VPC opens",
                              "NO_POSSIBLE_DESTINATION")
        elif eni.interface_type == "vpc_endpoint":
            return self.interface_endpoint(eni)
        instance = self.net.instance_of(eni)
        who = instance.instance_id if instance is not None else eni.eni_id
        done = self.arrive("eni", eni.eni_id, "Instance" if instance else "Network interface",
                           f"receives it on {eni.eni_id} ({eni.private_ip})", eni=eni,
                           arn=(instance or eni).arn, shown=who)
        if self.service_reached and not self.reply:
            self.arrival.kind, self.arrival.via = "privatelink", self.service_reached
        return done

    def undo(self, state: State, eni) -> bool:
        """A stateful device meets the reply of a connection it translated."""
        self.packet = self.packet.moved(**state.restore)
        if state.kind == "nat":
            self.hop("NAT gateway", state.resource, f"translates the reply back to "
                     f"{self.packet.dst} (it remembers the connection)")
            return self.leave(eni.subnet_id, eni)
        return self.undo_link(state, eni)

    # -- targets -------------------------------------------------------------------------------
    def nat(self, nat, from_subnet: str) -> bool:
        eni = self.net.enis.get(nat.eni_id)
        if self.reply:
            return self.block("NAT gateway", nat.nat_id, "would rewrite the reply's source "
                              "to its own address: the peer expects the reply from "
                              f"{self.packet.src} and drops it (route the reply back the way "
                              "the request came)", "NGW_SOURCE_ADDRESS_REASSIGN", arn=nat.arn)
        if nat.state != "available" or eni is None:
            return self.block("NAT gateway", nat.nat_id, f"is {nat.state}: it carries traffic "
                              "only while available", "BAD_STATE", arn=nat.arn)
        entered = self.packet.via[-1] if self.packet.via else None     # how it came in
        if entered in ("peering", "peering-inter-region", "vpn"):
            return self.block("NAT gateway", nat.nat_id, "carries only traffic that starts in "
                              f"its own VPC (or comes from a transit gateway), not traffic that "
                              f"came over {entered.replace('-', ' ')}",
                              "NGW_REQUIRES_SOURCE_IN_VPC", arn=nat.arn)
        if from_subnet != nat.subnet_id and not self.nacl(nat.subnet_id, egress=False):
            return False
        before = self.packet
        restore = {"dst": before.src}
        if before.protocol != "icmp":            # an echo reply keeps its type and code
            restore["ports"] = before.src_ports
        self.states.append(State("nat", eni.eni_id, nat.nat_id, restore))
        self.packet = before.moved(src=eni.private_ip, src_ports=EPHEMERAL_AWS, origin=None)
        self.hop("NAT gateway", nat.nat_id, f"translates the source {before.src} to its own "
                 f"address {eni.private_ip}, ports {EPHEMERAL_AWS[0]}-{EPHEMERAL_AWS[1]}",
                 arn=nat.arn)
        return self.leave(nat.subnet_id, eni)

    def appliance(self, eni, from_subnet: str) -> bool:
        """A route to an interface: the packet goes to that middlebox, which forwards it."""
        if from_subnet != eni.subnet_id and not self.nacl(eni.subnet_id, egress=False):
            return False
        instance = self.net.instance_of(eni)
        if instance is not None and instance.state != "running":
            return self.block("Instance", instance.instance_id, f"is {instance.state}: it "
                              "forwards nothing", "BAD_STATE", arn=instance.arn)
        if not self.groups(eni, egress=False):
            return False
        if eni.source_dest_check:
            return self.block("Network interface", eni.eni_id, "has source/destination "
                              f"checking on: it drops traffic for {self.packet.dst}, which is "
                              "not its own address", "ENI_SOURCE_DEST_CHECK_RESTRICTION",
                              arn=eni.arn)
        self.hop("Network interface", eni.eni_id, "forwards it (source/destination check off)",
                 arn=eni.arn)
        return self.groups(eni, egress=True) and self.leave(eni.subnet_id, eni)

    def igw_out(self, igw, subnet) -> bool:
        dst, src = self.packet.dst, self.packet.src
        if is_private(dst):
            return self.block("Internet gateway", igw.gateway_id, f"does not carry {dst}: a "
                              "private address is not on the internet (connect the networks "
                              "with peering, a transit gateway or a VPN)",
                              "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", arn=igw.arn)
        eni = self.net.eni_in_vpc(subnet.vpc_id, src)
        public = self.net.public_ip(eni) if eni is not None else None
        if public is None:
            why = (f"{src} has no public IPv4 address (no public IP or Elastic IP): the "
                   "internet gateway has nothing to translate it to") if eni is not None else (
                f"{src} is not an interface of {subnet.vpc_id}: traffic that came from "
                "elsewhere cannot leave through this internet gateway")
            return self.block("Internet gateway", igw.gateway_id, why,
                              "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", arn=igw.arn)
        self.hop("Internet gateway", igw.gateway_id, f"translates the source {src} to its "
                 f"public address {public}", arn=igw.arn)
        self.packet = self.packet.moved(src=public, origin=None)
        return self.internet()

    def internet(self) -> bool:
        dst = self.packet.dst
        eni = self.net.by_public.get(dst)
        if eni is not None:
            return self.igw_in(eni)
        service = self.net.service_of_address(self.region, dst)
        if service is not None:
            return self.arrive("service", service, "AWS service", f"receives it at its public "
                               f"endpoint in {self.region} ({dst})", via="internet")
        return self.arrive("internet", dst, "Internet", "receives it (a host on the internet)")

    def igw_in(self, eni) -> bool:
        dst, vpc_id = self.packet.dst, eni.vpc_id
        igw = self.net.igw_of.get(vpc_id)
        if igw is None:
            return self.block("Internet gateway", vpc_id, "has no internet gateway "
                              f"attached: nothing carries {dst} into it",
                              "NO_POSSIBLE_DESTINATION", arn=self.net.vpcs[vpc_id].arn)
        if eni.attachment is None and eni.interface_type == "interface":
            return self.block("Internet gateway", igw.gateway_id, f"{dst} belongs to "
                              f"{eni.eni_id}, which is attached to nothing",
                              "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", arn=igw.arn)
        self.hop("Internet gateway", igw.gateway_id, f"translates the destination {dst} to "
                 f"{eni.private_ip} ({eni.eni_id})", arn=igw.arn)
        self.packet = self.packet.moved(dst=eni.private_ip, via=self.packet.via + ("igw",))
        return self.enter_vpc(vpc_id, igw.gateway_id)
