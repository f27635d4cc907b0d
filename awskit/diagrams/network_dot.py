"""The network drawing (:mod:`.network`) as DOT: the clusters nested AWS Cloud > Region > VPC
> Availability Zone > subnet (the internet and on-premises networks outside, the global edge
services on top), each cluster's resources in sorted order, then the edges. Invisible anchor
points give each cluster a node that edges can end at (``lhead``/``ltail`` clip them at the
cluster's border) and, with invisible edges, stack what sits inside: the edge network above
the Regions, a VPC's gateways above its subnets, an AZ's subnets in a column."""

from __future__ import annotations

from collections import defaultdict

import graphviz

from . import style
from .network import INTERNET, MAX_BUCKETS, Drawing, dot_id, plural

ANCHOR = {"shape": "point", "width": "0.01", "height": "0.01", "style": "invis"}


class Emitter:
    """The drawing as DOT: clusters nested cloud > Region > VPC > AZ > subnet, then edges."""

    def __init__(self, drawing: Drawing):
        self.drawing, self.net = drawing, drawing.net
        self.emitted: dict[str, str] = {}        # graph key or "key#anchor" -> DOT id

    def nodes(self, target, place) -> None:
        d = self.drawing
        for key in sorted(d.places.get(place, []), key=lambda k: d.ids[k]):
            target.node(d.ids[key], d.labels[key], **d.looks[key])
            self.emitted[key] = d.ids[key]
        for node_id, label, look in d.extra.get(place, []):
            target.node(node_id, label, **look)
            self.emitted[node_id] = node_id

    def anchor(self, target, key: str) -> None:
        node_id = f"anchor_{dot_id(self.net, key)}"
        target.node(node_id, "", **ANCHOR)
        self.emitted[f"{key}#anchor"] = node_id

    def source(self, label: str) -> str:
        d, net = self.drawing, self.net
        dot = graphviz.Digraph("network", graph_attr={
            **style.GRAPH_ATTRS, "rankdir": "LR", "compound": "true", "newrank": "true",
            "label": label, "labelloc": "t"}, edge_attr=style.EDGE_ATTRS)
        ends = {s for s, _, _ in d.edges} | {t for _, t, _ in d.edges}
        if INTERNET in ends:
            with dot.subgraph(name="top") as top:         # the internet above everything
                top.attr(rank="min")
                top.node(INTERNET, d.internet_label, **{**style.node_style("internet"),
                                                        "peripheries": "2", **d.internet_look})
            self.emitted[INTERNET] = INTERNET
        self.nodes(dot, ("outside",))
        if d.places.get(("on-premises",)) or d.extra.get(("on-premises",)):
            with dot.subgraph(name="cluster_on_premises") as onprem:
                onprem.attr(label="On-premises network (corporate data center)",
                            **style.cluster_style("on-premises"))
                self.nodes(onprem, ("on-premises",))
        with dot.subgraph(name="cluster_aws") as aws:
            aws.attr(label="AWS Cloud", **style.cluster_style("cloud"))
            self.global_area(aws)
            regions = sorted({net.data[v].get("region", "") for v in net.of_type("ec2-vpc")} |
                             {p[1] for p in d.places if p[0] in ("region", "s3") and p[1]})
            above = sorted(v for k, v in self.emitted.items() if k in self.global_keys)
            for region in regions:
                with aws.subgraph(name=f"cluster_{region}") as reg:
                    reg.attr(label=f"Region {region}", **style.cluster_style("region"))
                    self.anchor(reg, f"region:{region}")
                    for node_id in above:             # the edge network above the Regions
                        aws.edge(node_id, self.emitted[f"region:{region}#anchor"],
                                 style="invis")
                    before = set(self.emitted)
                    self.nodes(reg, ("region", region))
                    if d.places.get(("s3", region)):
                        self.s3(reg, region)
                    for vpc in net.of_type("ec2-vpc"):
                        if net.data[vpc].get("region") == region:
                            self.vpc(reg, vpc)
                    top = self.emitted[f"region:{region}#anchor"]
                    for key in sorted(set(self.emitted) - before):   # all below its label
                        if key.endswith("#anchor") or key in d.places.get(("region", region), ()):
                            reg.edge(top, self.emitted[key], style="invis")
        for source, target, attrs in d.edges:
            if source not in self.emitted or target not in self.emitted:
                continue
            attrs = {k: v for k, v in attrs.items() if v != ""}
            for side in ("ltail", "lhead"):      # a collapsed VPC has no cluster to clip at
                if attrs.get(side) in d.collapsed_clusters:
                    attrs.pop(side)
            dot.edge(self.emitted[source], self.emitted[target], **attrs)
        return dot.source

    @property
    def global_keys(self) -> set[str]:
        d = self.drawing
        return {k for p, keys in d.places.items() if p[0] in ("global", "zone") for k in keys}

    def global_area(self, aws) -> None:
        d = self.drawing
        zones = sorted(p for p in d.places if p[0] == "zone")
        if not (d.places.get(("global",)) or zones):
            return
        with aws.subgraph(name="cluster_global") as glob:
            glob.attr(label="Global: edge network (CloudFront, Route 53)",
                      **style.cluster_style("global"))
            self.nodes(glob, ("global",))
            for place in zones:
                with glob.subgraph(name=f"cluster_{d.ids[place[1]]}") as box:
                    box.attr(label=d.labels[place[1]], **style.cluster_style("group"))
                    self.anchor(box, place[1])
                    self.nodes(box, place)

    def s3(self, reg, region: str) -> None:
        d = self.drawing
        keys = sorted(d.places[("s3", region)], key=lambda k: d.ids[k])
        with reg.subgraph(name=f"cluster_s3_{region}") as box:
            box.attr(label="Amazon S3", **style.cluster_style("service"))
            self.emitted[f"s3:{region}#anchor"] = f"anchor_s3_{region}"
            box.node(f"anchor_s3_{region}", "", **ANCHOR)
            if len(keys) > MAX_BUCKETS:
                d.places[("s3", region)] = keys[:MAX_BUCKETS]
                box.node(f"s3_more_{region}", f"+{len(keys) - MAX_BUCKETS} more buckets",
                         **style.node_style("s3-bucket"))
            self.nodes(box, ("s3", region))

    def vpc(self, reg, vpc: str) -> None:
        d, net = self.drawing, self.net
        data = net.data[vpc]
        cidrs = ", ".join(data.get("cidrs", []))
        what = "Default VPC" if data.get("is_default") else "VPC"
        name = net.name(vpc)
        if vpc in d.collapsed:
            label = (f"{what} {net.aws_id(vpc)}\\n{cidrs} · "
                     f"{plural(len(d.subnets[vpc]), 'default subnet')}, nothing launched")
            reg.node(dot_id(net, vpc), label, **{**style.node_style("ec2-vpc"),
                                                 "style": "rounded,dashed"})
            self.emitted[f"{vpc}#anchor"] = self.emitted[vpc] = dot_id(net, vpc)
            return
        with reg.subgraph(name=f"cluster_{dot_id(net, vpc)}") as box:
            box.attr(label=f"{what}{' ' + name if name else ''} · {cidrs}\\n{net.aws_id(vpc)}",
                     **style.cluster_style("vpc"))
            self.anchor(box, vpc)
            self.nodes(box, ("vpc", vpc))
            for key in d.places.get(("vpc", vpc), ()):     # gateways below the VPC's label
                box.edge(self.emitted[f"{vpc}#anchor"], self.emitted[key], style="invis")
            by_az = defaultdict(list)
            for subnet in d.subnets[vpc]:
                by_az[net.data[subnet].get("az", "")].append(subnet)
            for az in sorted(by_az):
                with box.subgraph(name=f"cluster_{dot_id(net, vpc)}_{az}") as zone:
                    zone.attr(label=f"Availability Zone {az}", **style.cluster_style("az"))
                    above: list[str] = []
                    for subnet in by_az[az]:       # an AZ's subnets one after the other
                        inside = self.subnet(zone, subnet)
                        for node_id in above:
                            zone.edge(node_id, inside[0], style="invis")
                        above = inside

    def subnet(self, zone, subnet: str) -> list[str]:
        """Draw a subnet; returns the DOT ids inside it (its anchor first)."""
        net = self.net
        data = net.data[subnet]
        public = net.is_public(subnet)
        name = net.name(subnet)
        route = net.default_route(subnet)
        if route is None:
            how = "no route to the internet"
        else:
            how = f"0.0.0.0/0 → {route[0]}" + (" (blackhole)" if route[1] != "active" else "")
        label = (f"{'Public' if public else 'Private'} subnet{' ' + name if name else ''} · "
                 f"{data.get('cidr', '')}\\n{net.aws_id(subnet)}\\n{how}")
        with zone.subgraph(name=f"cluster_{dot_id(net, subnet)}") as box:
            box.attr(label=label, **style.cluster_style(
                "public-subnet" if public else "private-subnet"))
            self.anchor(box, subnet)
            before = set(self.emitted)
            self.nodes(box, ("subnet", subnet))
            top = self.emitted[f"{subnet}#anchor"]
            inside = sorted(self.emitted[k] for k in set(self.emitted) - before)
            for node_id in inside:               # the anchor (and the label) on top
                box.edge(top, node_id, style="invis")
        return [top, *inside]
