"""The architecture as it is: ``cloud.diagram()`` draws ``cloud.graph()``.

Resources sit in nested clusters — the AWS Cloud, then each Region, then each Availability
Zone — read from the ``region`` / ``az`` attributes of the graph's nodes; global resources
(IAM) sit in a cluster of their own. Once the cloud has a VPC, ``cloud.diagram()`` draws the
network instead (Region > VPC > AZ > subnet: :mod:`.network`); ``network=False`` keeps this
drawing. Edges are the
graph's relations (member-of, attached-policy, trusts, stores-in, ...); "contains" relations
are shown by the clustering itself. Everything is emitted in sorted order with ARNs as ids,
so the same cloud always draws the same DOT.
"""

from __future__ import annotations

from collections import defaultdict

import graphviz

from . import style
from .render import Diagram

TYPE_NAMES = {
    "account": "AWS account", "iam-user": "IAM user", "iam-group": "IAM group",
    "iam-role": "IAM role", "iam-policy": "IAM policy", "principal": "principal",
    "aws-service": "AWS service", "s3-bucket": "S3 bucket", "s3-object": "S3 object",
    "s3-delete-marker": "delete marker", "s3-data-store": "S3 data store",
    "s3-data-node": "data node",
}
HIDDEN_RELATIONS = {"contains"}
MAX_OBJECTS = 6      # objects drawn per bucket; the rest are summed up in one node


def _label(data: dict) -> str:
    kind = TYPE_NAMES.get(data.get("type", ""), data.get("type", ""))
    name = str(data.get("name", ""))
    extra = "\\n(DOWN)" if data.get("status") == "down" else ""
    return f"{name}\\n{kind}{extra}"


def architecture_diagram(cloud, *, objects: bool = True, title: str | None = None,
                         network: bool | None = None, reachability=None) -> Diagram:
    """Draw the cloud's resources, clustered by Region and AZ.

    ``network``: draw the network (Region > VPC > AZ > subnet, gateways, links, edge
    services: :mod:`.network`); by default it is drawn when the cloud has a VPC, or a
    ``reachability`` answer to draw on top is given. ``network=False`` draws every resource
    (IAM, S3 objects, ...) by Region and AZ, as before any VPC existed."""
    graph = cloud.graph()
    from .network import has_network, network_diagram
    if network or (network is None and (reachability is not None or has_network(graph))):
        return network_diagram(cloud, graph=graph, title=title, reachability=reachability)
    shown = {}
    per_bucket: dict[str, list[str]] = defaultdict(list)
    for key in sorted(graph.nodes):
        data = graph.nodes[key]
        kind = data.get("type", "")
        if kind in ("s3-object", "s3-delete-marker"):
            if not objects:
                continue
            bucket = next((p for p in sorted(graph.predecessors(key))
                           if graph.nodes[p].get("type") == "s3-bucket"), None)
            if bucket is not None:
                per_bucket[bucket].append(key)
                if len(per_bucket[bucket]) > MAX_OBJECTS:
                    continue
        shown[key] = data

    counts = defaultdict(int)
    for data in graph.nodes.values():
        counts[data.get("type", "")] += 1
    summary = "Architecture: " + (", ".join(
        f"{n} {TYPE_NAMES.get(t, t)}{'s' if n != 1 else ''}"
        for t, n in sorted(counts.items()) if t) or "no resources yet")

    dot = graphviz.Digraph("architecture", graph_attr={**style.GRAPH_ATTRS, "rankdir": "TB",
                                                        "compound": "true",
                                                        "label": title or summary,
                                                        "labelloc": "t"},
                           edge_attr=style.EDGE_ATTRS)
    regional = defaultdict(lambda: defaultdict(list))   # region -> az ("" = none) -> keys
    global_nodes = []
    for key, data in shown.items():
        region = data.get("region")
        if region:
            regional[region][data.get("az", "")].append(key)
        else:
            global_nodes.append(key)

    ids = {key: f"r{i}" for i, key in enumerate(sorted(shown))}   # ARNs hold ':' (DOT ports)

    def add(target, key):
        data = shown[key]
        look = style.node_style(data.get("type", ""))
        if data.get("status") == "down":     # a failed component: red, dashed
            look.update({"color": "#DD344C", "fillcolor": "#FCEBED", "style": "rounded,filled,dashed"})
        target.node(ids[key], _label(data), **look)

    with dot.subgraph(name="cluster_aws") as aws:
        aws.attr(label="AWS Cloud", **style.cluster_style("cloud"))
        if global_nodes:
            with aws.subgraph(name="cluster_global") as glob:
                glob.attr(label="Global (IAM)", **style.cluster_style("group"))
                for key in global_nodes:
                    add(glob, key)
        for region in sorted(regional):
            with aws.subgraph(name=f"cluster_{region}") as reg:
                reg.attr(label=f"Region {region}", **style.cluster_style("region"))
                for bucket, keys in sorted(per_bucket.items()):
                    if len(keys) > MAX_OBJECTS and shown[bucket].get("region") == region:
                        reg.node(f"{ids[bucket]}_more", f"+{len(keys) - MAX_OBJECTS} more objects",
                                 **style.node_style("s3-object"))
                for az in sorted(regional[region]):
                    if not az:
                        for key in regional[region][az]:
                            add(reg, key)
                        continue
                    with reg.subgraph(name=f"cluster_{az}") as zone:
                        zone.attr(label=f"Availability Zone {az}", **style.cluster_style("az"))
                        for key in regional[region][az]:
                            add(zone, key)
    for bucket, keys in sorted(per_bucket.items()):
        if len(keys) > MAX_OBJECTS:
            dot.edge(ids[bucket], f"{ids[bucket]}_more", style="dotted")
    for source, target, data in sorted(graph.edges(data=True)):
        relation = data.get("relation", "")
        if source not in shown or target not in shown:
            continue
        kind = shown[source].get("type", "")
        if relation in HIDDEN_RELATIONS and not kind == "s3-bucket":
            continue
        label = "" if relation == "contains" else relation
        dot.edge(ids[source], ids[target], label=label)
    return Diagram(dot.source, summary)
