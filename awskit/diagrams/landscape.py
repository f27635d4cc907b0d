"""The course's map: AWS's core services by category, and the six Well-Architected pillars."""

from __future__ import annotations

import graphviz

from ..catalog import CATEGORIES, CORE_SERVICES, PILLARS
from ..cloud import SERVICES
from . import style
from .render import Diagram

_CATEGORY_TITLES = {"compute": "Compute", "storage": "Storage", "database": "Databases",
                    "networking": "Networking & content delivery",
                    "security": "Security & identity",
                    "integration": "Application integration", "management": "Management"}


def landscape_diagram() -> Diagram:
    """Core services clustered by category; those awskit simulates now drawn solid."""
    title = "AWS core services (solid: simulated by awskit now)"
    dot = graphviz.Digraph("landscape", graph_attr={**style.GRAPH_ATTRS, "rankdir": "TB",
                                                     "ranksep": "0.25", "label": title,
                                                     "labelloc": "t"})
    simulated = 0
    for i, category in enumerate(CATEGORIES):
        rows = [r for r in CORE_SERVICES if r[2] == category]
        colour, fill = style.CATEGORIES[category if category in style.CATEGORIES else "general"]
        with dot.subgraph(name=f"cluster_{category}") as group:
            group.attr(label=_CATEGORY_TITLES[category], color=colour, style="rounded",
                       fontname=style.FONT, fontsize="11")
            previous = None
            for key, name, _, _, notebook in rows:
                live = key in SERVICES
                simulated += live
                group.node(f"s_{key}", f"{name}\\n{notebook}", shape="box",
                           style="rounded,filled" if live else "rounded,dashed",
                           color=colour, fillcolor=fill if live else "white",
                           fontname=style.FONT, fontsize="10")
                if previous is not None:   # stack a category's services in a column
                    group.edge(previous, f"s_{key}", style="invis")
                previous = f"s_{key}"
    return Diagram(dot.source, f"AWS core services: {len(CORE_SERVICES)} in "
                               f"{len(CATEGORIES)} categories, {simulated} simulated by awskit now")


def pillars_diagram() -> Diagram:
    """The six pillars of the Well-Architected Framework and where the course practises each."""
    dot = graphviz.Digraph("pillars", graph_attr={**style.GRAPH_ATTRS, "rankdir": "TB",
                                                   "label": "AWS Well-Architected: six pillars",
                                                   "labelloc": "t"})
    dot.node("wa", "Well-Architected\\nworkload", **style.node_style("Client"))
    for i, (pillar, practice, notebook) in enumerate(PILLARS):
        dot.node(f"p{i}", pillar, shape="box", style="filled", fillcolor="#232F3E",
                 fontcolor="white", fontname=style.FONT, fontsize="11")
        dot.node(f"x{i}", f"{practice}\\n({notebook})", **style.node_style("general"))
        dot.edge("wa", f"p{i}")
        dot.edge(f"p{i}", f"x{i}", style="dashed")
    return Diagram(dot.source, f"AWS Well-Architected Framework: {len(PILLARS)} pillars")
