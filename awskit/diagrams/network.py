"""The network as it is: ``cloud.diagram()`` once the cloud has a VPC.

Read from ``cloud.graph()`` and drawn as AWS's architecture diagrams draw a network: the AWS
Cloud, each Region, each VPC (its Name tag, id and CIDRs), each Availability Zone inside the
VPC, each subnet inside its AZ — green when public, teal when private. A subnet is public when
its route table (its explicit association, else the VPC's main table) sends ``0.0.0.0/0`` (or
``::/0``) to an internet gateway, which is AWS's own definition [VPCUG VPC_Internet_Gateway.md];
the subnet's label says where its default route goes. Instances (with their private and public
IPs), network interfaces, NAT gateways and interface endpoints sit in their subnets; internet,
egress-only and virtual private gateways and gateway endpoints sit on their VPC; transit
gateways sit in the Region as hubs joined to their VPCs; peerings and VPN connections are
edges; customer gateways sit in an on-premises network outside the cloud; CloudFront and
Route 53 are global, in front. Each subnet's non-local routes are the edges from the subnet to
their targets, labelled with their destinations; a route whose target is gone (``blackhole``)
is dashed red.

Not drawn, to keep the picture readable: route tables, security groups and network ACLs (a
subnet's label and a reachability answer name them), Elastic IPs (shown as public IPs), IAM,
S3 objects and S3's insides (``cloud.diagram(network=False)`` draws those). A default VPC
holding nothing but its default subnets is drawn as one box.

Deterministic: nodes and clusters are emitted in sorted order, with AWS ids (``vpc-…``,
``i-…``) or the ARN (``:`` made ``_``) as DOT ids. Structure comes from the graph; each
subnet's routes (with their states) and the connectivity options from the EC2 model
(:mod:`awskit.ec2.model`, :mod:`awskit.ec2.model_links`), which the graph summarises.

This module reads the graph and places each resource; :mod:`.network_links` places the
connectivity options, :mod:`.network_edge` CloudFront and Route 53, :mod:`.network_dot`
writes the DOT, and :mod:`.network_path` draws a reachability answer on top
(``cloud.diagram(reachability=result)``).
"""

from __future__ import annotations

import ipaddress
import re
import textwrap
from collections import defaultdict

from . import style
from .render import Diagram

#: graph types the network view leaves out (the resource view, network=False, draws them)
HIDDEN = {"account", "principal", "aws-service", "iam-user", "iam-group", "iam-role",
          "iam-policy", "s3-object", "s3-delete-marker", "s3-data-store", "s3-data-node",
          "lambda-version", "lambda-alias", "lambda-layer-version", "log-group",
          "ec2-route-table", "ec2-security-group", "ec2-network-acl", "ec2-elastic-ip",
          "route53-record-set", "endpoint", "ec2-transit-gateway-route-table"}
#: connection kinds drawn as edges, not nodes
LINKS = {"ec2-vpc-peering-connection", "ec2-vpn-connection", "ec2-transit-gateway-attachment"}
#: how the summary names each type
NAMES = {"ec2-vpc": "VPC", "ec2-subnet": "subnet", "ec2-instance": "instance",
         "ec2-internet-gateway": "internet gateway", "ec2-nat-gateway": "NAT gateway",
         "ec2-egress-only-internet-gateway": "egress-only internet gateway",
         "ec2-transit-gateway": "transit gateway", "ec2-vpn-gateway": "virtual private gateway",
         "ec2-customer-gateway": "customer gateway", "ec2-vpn-connection": "VPN connection",
         "ec2-vpc-peering-connection": "peering connection", "ec2-vpc-endpoint": "VPC endpoint",
         "ec2-client-vpn-endpoint": "Client VPN endpoint",
         "cloudfront-distribution": "CloudFront distribution",
         "route53-hosted-zone": "hosted zone", "route53-health-check": "health check",
         "s3-bucket": "S3 bucket"}
MAX_BUCKETS = 6
INTERNET = "internet"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-/]")


def has_network(graph) -> bool:
    """Does the graph hold a VPC (then ``cloud.diagram()`` draws the network)?"""
    return any(d.get("type") == "ec2-vpc" for _, d in graph.nodes(data=True))


def plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {word[:-1] + 'ies' if word.endswith('y') and word[-2] not in 'aeiou' else word + 's'}"


class Network:
    """The graph, indexed for drawing: nodes by AWS id, relations both ways, subnets' routes."""

    def __init__(self, cloud, graph):
        self.cloud, self.graph = cloud, graph
        self.data = dict(graph.nodes(data=True))
        self.keys = sorted(self.data)
        self.by_id = {}                      # AWS id (vpc-…, i-…) -> graph key
        for key in self.keys:
            data = self.data[key]
            if data.get("type", "").startswith("ec2-") and data.get("id"):
                self.by_id[data["id"]] = key

    def kind(self, key: str) -> str:
        return self.data.get(key, {}).get("type", "")

    def of_type(self, kind: str) -> list[str]:
        return [k for k in self.keys if self.data[k].get("type") == kind]

    def out(self, key: str, relation: str, kind: str | None = None) -> list[str]:
        return sorted(t for t in self.graph.successors(key)
                      if self.graph.edges[key, t].get("relation") == relation
                      and (kind is None or self.kind(t) == kind))

    def into(self, key: str, relation: str, kind: str | None = None) -> list[str]:
        return sorted(s for s in self.graph.predecessors(key)
                      if self.graph.edges[s, key].get("relation") == relation
                      and (kind is None or self.kind(s) == kind))

    def aws_id(self, key: str) -> str:
        return self.data.get(key, {}).get("id") or key

    def name(self, key: str) -> str:
        """The Name tag, or "" when the resource has none (its name is then its id)."""
        data = self.data[key]
        name = str(data.get("name", ""))
        return "" if name == data.get("id") else name

    # -- subnets and their routes ---------------------------------------------------------------
    def routes(self, subnet: str) -> list[tuple[str, list[str], str]]:
        """(target, destinations, state) of the subnet's route table (its explicit association,
        else the main table, read from the EC2 model), local routes left out; the target is
        the graph key of what the route leads to (its AWS id when that is not drawn)."""
        ec2 = self.cloud._services.get("ec2")
        subnet_id = self.aws_id(subnet)
        if ec2 is None or subnet_id not in ec2.subnets:
            return []
        grouped: dict[tuple[str, str], list[str]] = {}
        for route in ec2.table_for_subnet(subnet_id).routes:
            if route.target_type == "local":
                continue
            target = self.by_id.get(route.target_id, route.target_id)
            grouped.setdefault((target, route.state), []).append(route.destination)
        return [(t, d, state) for (t, state), d in sorted(grouped.items())]

    def route_table(self, subnet: str) -> str | None:
        """The id of the subnet's route table."""
        ec2 = self.cloud._services.get("ec2")
        subnet_id = self.aws_id(subnet)
        if ec2 is None or subnet_id not in ec2.subnets:
            return None
        return ec2.table_for_subnet(subnet_id).route_table_id

    def default_route(self, subnet: str) -> tuple[str, str] | None:
        """(target id, state) of the route for 0.0.0.0/0, or None."""
        for target, destinations, state in self.routes(subnet):
            if "0.0.0.0/0" in destinations:
                return self.aws_id(target), state
        return None

    def is_public(self, subnet: str) -> bool:
        """Its route table sends 0.0.0.0/0 or ::/0 to an internet gateway (an active route)."""
        return any(str(t).startswith(("arn:aws:ec2:", "igw-")) and
                   self.aws_id(t).startswith("igw-") and state == "active" and
                   ({"0.0.0.0/0", "::/0"} & set(destinations))
                   for t, destinations, state in self.routes(subnet))

    def subnet_of(self, key: str) -> str | None:
        """The subnet holding a resource (instance, ENI, NAT gateway), or None."""
        holders = self.into(key, "contains", "ec2-subnet")
        if holders:
            return holders[0]
        subnet = self.data.get(key, {}).get("subnet")
        return self.by_id.get(subnet) if subnet else None

    def vpc_of(self, key: str) -> str | None:
        data = self.data.get(key, {})
        if data.get("type") == "ec2-vpc":
            return key
        if data.get("vpc"):
            return self.by_id.get(data["vpc"])
        for relation in ("contains", "attached-to"):
            vpcs = self.into(key, relation, "ec2-vpc") or self.out(key, relation, "ec2-vpc")
            if vpcs:
                return vpcs[0]
        subnet = self.subnet_of(key)
        return self.vpc_of(subnet) if subnet and subnet != key else None

    def interfaces(self, key: str) -> list[str]:
        """The network interfaces attached to an instance, NAT gateway or endpoint."""
        return self.into(key, "attached-to", "ec2-network-interface")

    def addresses(self, key: str) -> tuple[list[str], list[str]]:
        """(private IPs, public IPs) of a resource's attached interfaces (or an ENI's own)."""
        enis = [key] if self.kind(key) == "ec2-network-interface" else self.interfaces(key)
        private = [self.data[e].get("private_ip") for e in enis if self.data[e].get("private_ip")]
        public = [self.data[e].get("public_ip") for e in enis if self.data[e].get("public_ip")]
        return private, public


def dot_id(net: Network, key: str) -> str:
    """A DOT id: the AWS id of an EC2 resource, else the graph key with ``:`` made ``_``."""
    data = net.data.get(key, {})
    if data.get("type", "").startswith("ec2-") and data.get("id"):
        return data["id"]
    return _UNSAFE.sub("_", key)


def _cidr_key(cidr: str):
    try:
        net = ipaddress.ip_network(cidr)
        return (net.version, int(net.network_address), net.prefixlen)
    except ValueError:
        return (9, 0, 0)


class Drawing:
    """Where each drawn resource goes (its place: a subnet, a VPC, a Region, global, outside
    the cloud, on-premises), its label and look, and the edges between them."""

    def __init__(self, net: Network):
        self.net = net
        self.places: dict[tuple, list[str]] = defaultdict(list)   # place -> graph keys
        self.labels: dict[str, str] = {}
        self.looks: dict[str, dict] = {}
        self.ids: dict[str, str] = {}
        self.edges: list[tuple[str, str, dict]] = []
        self.subnets: dict[str, list[str]] = defaultdict(list)    # vpc key -> subnet keys
        self.collapsed: set[str] = set()                          # default VPCs drawn as a box
        self.extra: dict[tuple, list[tuple[str, str, dict]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.eni_owner: dict[str, str] = {}   # interfaces drawn as part of their owner
        self.alias: dict[str, str] = {}       # ids drawn as another node (tgw-attach- → tgw)
        self.internet_label = "Internet\\n(users, public IP addresses)"
        self.internet_look: dict = {}
        self._gather()

    def own(self, eni_ids, owner: str | None) -> None:
        """Draw these interfaces as part of ``owner`` (an endpoint, a gateway, ...)."""
        for eni_id in eni_ids:
            self.eni_owner[eni_id] = owner or ""

    def cluster(self, key: str) -> str:
        """The DOT name of a VPC's or subnet's cluster."""
        return f"cluster_{dot_id(self.net, key)}"

    def expand(self, vpc: str | None) -> str | None:
        """Draw a default VPC in full (something connects to it); returns the VPC."""
        self.collapsed.discard(vpc)
        return vpc

    # -- gathering --------------------------------------------------------------------------------
    def put(self, key: str, place: tuple, label: str, kind: str | None = None, **look) -> None:
        self.places[place].append(key)
        self.labels[key] = label
        self.ids[key] = dot_id(self.net, key)
        self.looks[key] = {**style.node_style(kind or self.net.kind(key)), **look}

    def _gather(self) -> None:
        net = self.net
        for key in net.keys:
            self.counts[net.kind(key)] += 1
        for vpc in net.of_type("ec2-vpc"):
            subnets = [s for s in net.out(vpc, "contains", "ec2-subnet")]
            self.subnets[vpc] = sorted(subnets, key=lambda s: _cidr_key(net.data[s].get("cidr")))
        used = {net.subnet_of(k) for k in net.keys if net.kind(k) in (
            "ec2-instance", "ec2-nat-gateway", "ec2-network-interface")}
        for vpc in net.of_type("ec2-vpc"):
            linked = any(net.kind(n) not in ("ec2-subnet", "ec2-route-table", "ec2-network-acl",
                                             "ec2-security-group", "ec2-internet-gateway")
                         for n in [*net.graph.successors(vpc), *net.graph.predecessors(vpc)]
                         if n in net.data and net.kind(n).startswith("ec2-"))
            if net.data[vpc].get("is_default") and not linked and \
                    not used & set(self.subnets[vpc]):
                self.collapsed.add(vpc)
        from .network_links import gather_links
        gather_links(self)
        for key in net.keys:
            if key not in self.labels:
                self._place(key)

    def _place(self, key: str) -> None:
        net, data = self.net, self.net.data[key]
        kind = data.get("type", "")
        if kind in HIDDEN or kind in LINKS or kind in ("ec2-vpc", "ec2-subnet"):
            return
        rid, name = net.aws_id(key), net.name(key)
        region = data.get("region") or ""
        if kind == "ec2-instance":
            subnet = net.subnet_of(key)
            private, public = net.addresses(key)
            ips = " · ".join(private + [f"public {p}" for p in public])
            state = data.get("state", "")
            look = {} if state in ("running", "pending") else {"style": "rounded,filled,dashed"}
            self.put(key, ("subnet", subnet), _lines(head(name, "EC2 instance"), rid, ips,
                                                     "" if state == "running" else state),
                     **look)
        elif kind == "ec2-network-interface":
            owners = net.out(key, "attached-to")
            if owners or data.get("interface_type") != "interface" or rid in self.eni_owner:
                return                                 # drawn as (part of) its owner
            private, public = net.addresses(key)
            self.put(key, ("subnet", net.subnet_of(key)),
                     _lines(head(name, "Network interface"), rid, " · ".join(private + public)))
        elif kind == "ec2-nat-gateway":
            if data.get("state") in ("deleted", "failed"):
                return
            _, public = net.addresses(key)
            how = f"public {public[0]}" if public else data.get("connectivity", "")
            state = data.get("state", "")
            self.put(key, ("subnet", net.subnet_of(key)), _lines(
                head(name, "NAT gateway"), rid, how, "" if state == "available" else state))
        elif kind in ("ec2-internet-gateway", "ec2-egress-only-internet-gateway"):
            vpcs = net.out(key, "attached-to", "ec2-vpc")
            what = "Internet gateway" if kind == "ec2-internet-gateway" else \
                "Egress-only internet gateway"
            if vpcs:
                place = ("vpc", vpcs[0])
                if vpcs[0] in self.collapsed:
                    return
            else:
                place, what = ("region", region), what + ", detached"
            self.put(key, place, _lines(head(name, what), rid))
            if kind == "ec2-internet-gateway" and vpcs:
                self.edge(INTERNET, key, dir="both", arrowsize="0.5")
        elif kind.startswith(("cloudfront-", "route53-")):
            from .network_edge import place_edge_service
            place_edge_service(self, key)
        elif kind == "s3-bucket":
            self.put(key, ("s3", region), f"S3 bucket\\n{data.get('name', '')}")
        elif kind in ("lambda-function", "sqs-queue"):
            what = "Lambda function" if kind == "lambda-function" else "SQS queue"
            self.put(key, ("region", region), f"{what}\\n{data.get('name', '')}")
        elif kind.startswith("ec2-"):
            self._connectivity(key)

    def _connectivity(self, key: str) -> None:
        """Connectivity resources (transit/VPN/customer gateways, endpoints, Client VPN)."""
        net, data = self.net, self.net.data[key]
        vpc = net.vpc_of(key)
        place = ("vpc", vpc) if vpc and vpc not in self.collapsed else \
            ("region", data.get("region", ""))
        what = NAMES.get(data.get("type", ""), data.get("type", "")[4:].replace("-", " "))
        self.put(key, place, _lines(head(net.name(key), what[0].upper() + what[1:]),
                                    net.aws_id(key)))

    @property
    def collapsed_clusters(self) -> set[str]:
        return {f"cluster_{dot_id(self.net, v)}" for v in self.collapsed}

    def edge(self, source: str, target: str, **attrs) -> None:
        self.edges.append((source, target, attrs))

    def route_edges(self) -> None:
        """Each subnet's non-local routes to what is drawn (igw, nat, tgw, vgw, endpoints)."""
        net = self.net
        for vpc, subnets in sorted(self.subnets.items()):
            if vpc in self.collapsed:
                continue
            for subnet in subnets:
                for target, destinations, state in net.routes(subnet):
                    if target not in self.labels:
                        continue
                    attrs = {"label": ", ".join(destinations), "dir": "back",
                             "ltail": "", "lhead": f"cluster_{dot_id(net, subnet)}",
                             "color": style.CATEGORIES["networking"][0]}
                    if state != "active":
                        attrs.update(style="dashed", color=style.BLOCKED,
                                     label=attrs["label"] + " (blackhole)")
                    self.edge(target, f"{subnet}#anchor", **attrs)

    def summary(self) -> str:
        parts = [plural(self.counts[t], NAMES[t]) for t in NAMES if self.counts.get(t)]
        return "Network architecture: " + (", ".join(parts) or "no VPC yet")


def head(name: str, what: str) -> str:
    """A label's first line: ``web-a (EC2 instance)``, or the kind alone."""
    return f"{name} ({what})" if name else what


def _lines(*parts: str) -> str:
    return "\\n".join(p for p in parts if p)


# -- the entry point -----------------------------------------------------------------------------
def network_diagram(cloud, *, graph=None, title: str | None = None,
                    reachability=None) -> Diagram:
    """Draw the network (see the module docstring); ``reachability``: a reachability answer
    to draw on top (:mod:`.network_path`)."""
    from .network_dot import Emitter
    graph = graph if graph is not None else cloud.graph()
    drawing = Drawing(Network(cloud, graph))
    drawing.route_edges()
    summary = drawing.summary()
    heading = summary
    if reachability is not None:
        from .network_path import overlay
        summary = overlay(drawing, reachability)
        heading = "\\n".join([*textwrap.wrap(summary, 140, break_on_hyphens=False),
                               heading])
    return Diagram(Emitter(drawing).source(title or heading), summary)
