"""Can this reach that? ``cloud.ec2.reachability(source, destination, protocol, port)``.

    >>> result = cloud.ec2.reachability("i-0abc…", "internet", "tcp", 443)
    >>> result.reachable, result.blocked_by
    (False, <Hop [Network ACL] acl-… outbound rule * deny all traffic to 0.0.0.0/0 BLOCKED …>)
    >>> print(result.describe())            # every hop, the rule it applied, the reply's way

The answer follows a packet hop by hop through the network as it is configured now (see
:mod:`awskit.ec2.reachability_flow` and :mod:`awskit.ec2.reachability_links` for each hop and
:mod:`awskit.ec2.reachability_ends` for what a source or destination may be), then its reply
back. ``reachable`` is True only when both ways get through: security groups are stateful (the
reply of an allowed connection is allowed), network ACLs are stateless (the reply must be
allowed explicitly, to the ephemeral ports of whoever opened the connection: 32768-61000 for
the Linux hosts awskit simulates, 1024-65535 behind a NAT gateway or load balancer; see
:mod:`awskit.ec2.reachability_hops`). ``blocked_by`` is the hop that stopped the flow (or its
reply): the resource, the rule, and Reachability Analyzer's explanation code.

Like AWS's Reachability Analyzer, a question reads configuration: no packet is sent and no time
passes on the clock. It is not an AWS request (nothing is authorized or billed), but it leaves a
trace on ``cloud.traces`` (service ``ec2``, operation ``Reachability``, one step per hop, drawn
as a chain by ``trace.diagram()`` and stepped through by ``trace.view()``). The boto3 way to ask
is the Reachability Analyzer API (:mod:`awskit.ec2.insights`).

Which address is used for a destination instance or interface: its private address; if the
flow does not get through that way and it has a public IPv4, its public address too, and the
answer is the way that got furthest (the private address first on a tie). A flow from the
internet can only use the public address.
"""

from __future__ import annotations

from .model_links import aws_prefix_lists
from .reachability_ends import INTERNET, End, first_host, resolve  # noqa: F401 (INTERNET)
from .reachability_flow import Walk
from .reachability_hops import ECHO_REPLY, ECHO_REQUEST, EPHEMERAL_LINUX, Hop, Packet
from .reachability_net import Net
from .reachability_show import ReachabilityView, record_trace

PROTOCOLS = ("tcp", "udp", "icmp")


class Reachability(ReachabilityView):
    """The answer: ``reachable``, ``hops`` (forward), ``return_path`` (the reply's hops),
    ``blocked_by`` (the :class:`~awskit.ec2.reachability_hops.Hop` that stopped it, or None),
    ``trace``; ``describe()`` reads it all."""

    def __init__(self, source: End, destination: End, protocol: str, port, hops, return_path,
                 blocked_by: Hop | None):
        self.source = source
        self.destination = destination
        self.protocol = protocol
        self.port = port
        self.hops: list[Hop] = hops
        self.return_path: list[Hop] = return_path
        self.blocked_by = blocked_by
        self.reachable = blocked_by is None
        self.ephemeral: tuple | None = None
        self.trace = None
        self.cloud = None

    def diagram(self):
        """The network as it is now with this answer drawn on top (``cloud.diagram(
        reachability=...)``): the path highlighted, the blocking rule in red."""
        if self.cloud is None:
            raise ValueError("this answer was not made by cloud.ec2.reachability")
        return self.cloud.diagram(reachability=self)

    @property
    def explanation_code(self) -> str | None:
        return self.blocked_by.code if self.blocked_by is not None else None

    @property
    def resources(self) -> list[str]:
        """The resource ids the flow met, forward then back, each once, in order."""
        return list(dict.fromkeys(h.resource for h in self.hops + self.return_path))


def _matches(end: End, arrival, address: str) -> bool:
    if arrival is None:
        return False
    if end.kind == "eni":
        return arrival.kind == "eni" and arrival.resource == end.eni.eni_id
    if end.kind == "internet":
        return arrival.kind == "internet" and arrival.resource == address
    if end.kind == "privatelink":
        return arrival.kind == "privatelink" and arrival.via == end.resource
    return arrival.kind == end.kind and arrival.resource == end.resource


def _elsewhere(walk: Walk, end: End, reply: bool) -> Hop:
    arrival = walk.arrival
    what = "the reply" if reply else "the packet"
    hop = Hop(walk.hops[-1].component if walk.hops else "VPC router", arrival.resource,
              f"is where {what} arrives: it is not {end.text()}", False,
              "NO_POSSIBLE_DESTINATION", walk.packet.text(), "",
              "return" if reply else "forward")
    walk.hops.append(hop)
    return hop


def _dest_addresses(net: Net, src: End, dst: End) -> list[str]:
    """The destination addresses to try, in order (see the module docstring)."""
    if dst.kind == "eni":
        if dst.eni is None:                       # a terminated instance: nothing to address
            return []
        public = net.public_ip(dst.eni)
        if dst.public or src.kind == "internet":
            return [public] if public else []
        same = src.eni is not None and dst.eni is not None and src.eni.vpc_id == dst.eni.vpc_id
        return [dst.address] + ([public] if public and not same else [])
    if dst.address is not None:
        return [dst.address]
    if dst.endpoint is not None:
        ep = _endpoint_for(net, src, lambda e: e.endpoint_id == dst.endpoint)
        return [ep] if ep else []
    if dst.kind == "service":
        region = src.region if src.kind == "eni" else dst.region
        public = aws_prefix_lists(region).get(dst.resource)
        ep = _endpoint_for(net, src, lambda e: e.service_id is None and e.region == region
                           and e.service_name.endswith("." + dst.resource)
                           and (e.private_dns_enabled or public is None))
        if ep is not None:
            return [ep]
        return [first_host(public[1][0])] if public else []
    if dst.kind == "privatelink":
        ep = _endpoint_for(net, src, lambda e: e.service_id == dst.resource)
        return [ep] if ep else []
    return []


def _endpoint_for(net: Net, src: End, wanted) -> str | None:
    """The private address of an interface endpoint ``wanted`` accepts: in the source's VPC
    and AZ first, then its VPC, then any in the Region."""
    found = []
    for ep in net.link("vpc_endpoints").values():
        if ep.endpoint_type != "Interface" or ep.state in ("deleting", "deleted") or \
                not wanted(ep):
            continue
        for eni_id in ep.eni_ids:
            eni = net.enis.get(eni_id)
            if eni is None:
                continue
            rank = (0 if src.eni is not None and eni.vpc_id == src.eni.vpc_id else 1,
                    0 if src.eni is not None and eni.az == src.eni.az else 1, eni.eni_id)
            found.append((rank, eni.private_ip))
    return min(found)[1] if found else None


def _start(walk: Walk, src: End) -> bool:
    if src.kind == "eni":
        if src.eni is None:
            return walk.block("Instance", src.label, f"is {src.instance.state}: it has no "
                              "network interface left", "BAD_STATE", arn=src.instance.arn)
        return walk.send(src.eni)
    if src.kind == "internet":
        walk.hop("Internet", src.address, f"(a host on the internet) sends "
                 f"{walk.packet.text()}")
        return walk.internet()
    if src.kind == "onprem":
        return walk.from_onprem(src.resource)
    return walk.from_client_vpn(src.obj, src.groups)


def _reply(back: Walk, arrival) -> bool:
    kind = arrival.kind
    if kind in ("eni", "privatelink"):
        return back.send(arrival.eni)
    if kind == "internet":
        back.hop("Internet", arrival.resource, f"answers with {back.packet.text()}")
        return back.internet()
    if kind == "onprem":
        return back.from_onprem(arrival.resource)
    back.hop("AWS service", arrival.resource, f"answers with {back.packet.text()}")
    ep = arrival.via
    if ep == "internet":
        return back.internet()
    if arrival.eni is not None:
        return back.send(arrival.eni)
    back.hop("VPC endpoint", ep.endpoint_id, f"carries the reply into {ep.vpc_id}", arn=ep.arn)
    back.packet = back.packet.moved(via=("vpce",))
    return back.enter_vpc(ep.vpc_id, ep.endpoint_id)


def _one_way(net: Net, src: End, dst: End, protocol: str, port, address: str, ephemeral):
    """(forward walk, reply walk or None, blocked hop or None) for one destination address."""
    ports = ECHO_REQUEST if protocol == "icmp" else (port, port)
    src_ports = (0, 0) if protocol == "icmp" else ephemeral
    packet = Packet(protocol, src.address, address, ports, src_ports,
                    src.eni.eni_id if src.eni is not None else None)
    walk = Walk(net, packet, src.region if src.kind == "eni" else dst.region)
    if not _start(walk, src):
        return walk, None, walk.blocked
    if not _matches(dst, walk.arrival, address):
        return walk, None, _elsewhere(walk, dst, False)
    final = walk.packet
    answer = Packet(protocol, final.dst, final.src, ECHO_REPLY if protocol == "icmp"
                    else final.src_ports, ECHO_REPLY if protocol == "icmp" else final.ports,
                    walk.arrival.eni.eni_id if walk.arrival.eni is not None else None)
    back = Walk(net, answer, walk.region, reply=True, states=list(walk.states))
    if not _reply(back, walk.arrival):
        return walk, back, back.blocked
    if not _matches(src, back.arrival, src.address) or back.packet.dst != src.address:
        return walk, back, _elsewhere(back, src, True)
    return walk, back, None


def analyze(net: Net, src: End, dst: End, protocol: str, port, ephemeral=None) -> Reachability:
    """Walk the flow both ways (see the module docstring); no trace recorded."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
    if protocol != "icmp" and (not isinstance(port, int) or isinstance(port, bool)
                               or not 0 <= port <= 65535):
        raise ValueError(f"port must be an integer from 0 to 65535, not {port!r}")
    if src.kind == dst.kind and src.kind in ("internet", "onprem", "clientvpn"):
        raise ValueError("both ends are outside AWS: ask about a flow into or out of a VPC")
    if src.address is None and src.kind != "eni":
        raise ValueError(f"{src.label} has no address to send from (a customer gateway "
                         "needs on-premises CIDRs: VPN static routes or advertised routes)")
    ephemeral = tuple(ephemeral) if ephemeral is not None else src.ephemeral or EPHEMERAL_LINUX
    tries = []
    for address in _dest_addresses(net, src, dst):
        walk, back, blocked = _one_way(net, src, dst, protocol, port, address, ephemeral)
        tries.append((walk, back, blocked))
        if blocked is None:
            break
    if not tries:
        walk = Walk(net, Packet(protocol, src.address or "", "", (0, 0), (0, 0)), dst.region)
        walk.block(*_no_address(dst))
        tries.append((walk, None, walk.blocked))
    walk, back, blocked = next((t for t in tries if t[2] is None),
                               max(tries, key=lambda t: (len(t[0].hops) +
                                                         (len(t[1].hops) if t[1] else 0))))
    result = Reachability(src, dst, protocol, port, walk.hops, back.hops if back else [],
                          blocked)
    result.ephemeral = ephemeral
    return result


def _no_address(dst: End) -> tuple:
    if dst.kind == "eni" and dst.eni is not None:
        return ("Internet gateway", dst.eni.eni_id, f"{dst.label} has no public IPv4 address: "
                "the internet cannot address it", "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS")
    if dst.kind == "eni":
        return ("Instance", dst.label, f"is {dst.instance.state}: it has no network "
                "interface left", "BAD_STATE")
    if dst.kind == "privatelink":
        return ("VPC endpoint", dst.resource, "no interface endpoint connects to this service: "
                "create one in the consumer VPC", "NO_POSSIBLE_DESTINATION")
    if dst.kind == "service":
        return ("VPC endpoint", dst.resource, "no interface endpoint to it is in reach (awskit "
                "models public addresses only for S3 and DynamoDB)", "NO_POSSIBLE_DESTINATION")
    return ("On-premises network", dst.resource, "has no on-premises CIDR (give the VPN "
            "connection static routes, or advertise them)", "NO_ROUTE_TO_DESTINATION")


class ReachabilityOperations:
    """Mixed into the EC2 service: ``cloud.ec2.reachability(...)``."""

    def reachability(self, source, destination, protocol: str = "tcp", port: int = 443, *,
                     region: str | None = None, ephemeral=None) -> Reachability:
        """Whether ``source`` can open a ``protocol`` connection to ``destination`` on
        ``port`` (ICMP: a ping) and get the reply; see the module docstring. ``ephemeral``
        overrides the source ports the opener uses (default: Linux's 32768-61000)."""
        cloud = self.cloud
        with cloud.lock:
            cloud.clock.run_due()
            self.sync()
            net = Net(self)
            src = resolve(net, source, region, "source")
            dst = resolve(net, destination, region or src.region, "destination")
            result = analyze(net, src, dst, protocol, port, ephemeral)
            result.trace = record_trace(cloud, result)
            result.cloud = cloud
            return result


def trace_edge(trace, index: int, step, caller):
    """The diagram of a reachability trace is the chain of hops (a ``trace_edges`` rule)."""
    if trace.operation != "Reachability":
        return None
    if index == 0:
        return (None, step.component)
    return (trace.steps[index - 1].component, step.component)
