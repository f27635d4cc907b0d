"""Diagrams drawn from the cloud's real state and traces, in one shared style.

- :func:`trace_diagram` (also ``trace.diagram()``): the steps of one or more requests;
- :func:`architecture_diagram` (also ``cloud.diagram()``): the resources, by Region and AZ;
- :func:`landscape_diagram`, :func:`pillars_diagram`: the course's map of core services
  and the Well-Architected pillars;
- :class:`Diagram`: DOT source + SVG (system ``dot``, or the ``awskit[wasm]`` extra), shown
  in Jupyter with a stable one-line text summary.
"""

from .architecture import architecture_diagram
from .landscape import landscape_diagram, pillars_diagram
from .render import Diagram, render_svg, renderer
from .traces import trace_diagram

__all__ = ["Diagram", "architecture_diagram", "landscape_diagram", "pillars_diagram",
           "render_svg", "renderer", "trace_diagram"]
