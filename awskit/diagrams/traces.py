"""Drawing traces: the components a request passed through, and its steps in order.

The components of one or more traces are the nodes (the caller first); each step is a
numbered edge from the component that asked to the component that acted: the caller to the
service's front door, the front door to IAM, the metadata DB, the data store. Given a step
number, that step is highlighted and the others fade, which is what the step-through widget
shows frame by frame. The S3 upload process diagram is exactly this drawing of a real
``create_bucket`` + ``put_object``: nothing in it is drawn by hand.

A service whose components call each other in a chain (Lambda: assignment → placement →
worker host → microVM) names who asked for each step with a ``trace_edges`` rule on its
service class (``"module:function"``, see :func:`edge_rule`).
"""

from __future__ import annotations

import importlib
import textwrap
from functools import lru_cache

import graphviz

from ..trace import Step, Trace
from . import style
from .render import Diagram

LABEL_WIDTH = 44
LINE_WIDTH = 30
#: how a trace's service is named in titles
SERVICE_NAMES = {"s3": "S3", "iam": "IAM", "sts": "STS", "lambda": "Lambda", "sqs": "SQS",
                 "logs": "CloudWatch Logs", "ec2": "EC2", "cloudfront": "CloudFront",
                 "route53": "Route 53"}


def _short(text: str, width: int = LABEL_WIDTH) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def step_label(step: Step) -> str:
    """A few words for an edge: the IAM action and its verdict, else the action, shortened
    and wrapped on two lines so that a chain of components stays narrow."""
    detail = step.detail or {}
    if step.component == "IAM" and "action" in detail and "decision" in detail:
        return f"{detail['action']}: {detail['decision']}"
    lines = textwrap.wrap(step.action, LINE_WIDTH, break_on_hyphens=False)
    if len(lines) <= 2:
        return "\\n".join(lines)
    return lines[0] + "\\n" + _short(" ".join(lines[1:]), LINE_WIDTH)


def caller_name(trace: Trace) -> str | None:
    if trace.front in ("lifecycle", "poller"):     # work the service starts by itself
        return None
    if trace.front == "lambda":                     # a call made by a Lambda function's code
        return "Lambda function (boto3)"
    return "Client (boto3)" if trace.front in ("client", "mock") else "Client (Python call)"


@lru_cache(maxsize=None)
def edge_rule(service: str):
    """The service's rule ``rule(trace, index, step, caller) -> (source, target) | None``
    naming the edge of a step (``None``: the default, from the trace's front door); ``source``
    None draws a loop on ``target``."""
    from ..cloud import SERVICES
    path = SERVICES.get(service, "")
    if not path:
        return None
    module, name = path.split(":")
    rule = getattr(getattr(importlib.import_module(module), name), "trace_edges", "")
    if not rule:
        return None
    module, name = rule.split(":")
    return getattr(importlib.import_module(module), name)


def numbered_steps(traces: list[Trace]) -> list[tuple[int, Trace, Step, str | None, str]]:
    """(number, trace, step, component the step's edge comes from, component it goes to),
    numbered across traces."""
    out = []
    n = 0
    for trace in traces:
        front = trace.steps[0].component if trace.steps else None
        caller = caller_name(trace)
        rule = edge_rule(trace.service)
        for i, step in enumerate(trace.steps):
            n += 1
            edge = rule(trace, i, step, caller) if rule is not None else None
            if edge is None:
                source = caller if i == 0 else (front if step.component != front else None)
                edge = (source, step.component)
            out.append((n, trace, step, *edge))
    return out


def describe(traces: list[Trace]) -> str:
    """``S3 CreateBucket + PutObject: 7 steps, 14.8 ms simulated``."""
    if not traces:
        return "empty trace"
    services = list(dict.fromkeys(SERVICE_NAMES.get(t.service, t.service) for t in traces))
    ops = " + ".join(t.operation for t in traces)
    steps = sum(len(t.steps) for t in traces)
    ms = round(sum(t.duration_ms for t in traces), 3)
    failed = [t.error for t in traces if t.error]
    outcome = f", {', '.join(failed)}" if failed else ""
    return f"{'/'.join(services)} {ops}: {steps} steps, {ms:g} ms simulated{outcome}"


def trace_diagram(traces, highlight: int | None = None, *, internals: bool = False,
                  title: str | None = None) -> Diagram:
    """The diagram of one trace or a list of traces; ``highlight`` is a 1-based step number.

    With ``internals=True`` the insides of steps (their substeps) are drawn too, as dashed
    edges that hand over from one inner component to the next.
    """
    if isinstance(traces, Trace):
        traces = [traces]
    traces = list(traces)
    steps = numbered_steps(traces)
    summary = describe(traces)
    graph = graphviz.Digraph("trace", graph_attr={**style.GRAPH_ATTRS, "label": title or summary,
                                                   "labelloc": "t"},
                             node_attr={"fontname": style.FONT}, edge_attr=style.EDGE_ATTRS)
    ids: dict[str, str] = {}
    focus = None
    if highlight is not None and not 1 <= highlight <= len(steps):
        highlight = None                 # no such step: nothing to highlight
    if highlight is not None:
        focus = steps[highlight - 1][4]

    def node(component: str) -> str:
        if component not in ids:
            ids[component] = f"n{len(ids)}"
            graph.node(ids[component], component, **style.node_style(component, component == focus))
        return ids[component]

    for _, _, step, source, target in steps:     # declare nodes in order of first appearance
        if source is not None:
            node(source)
        node(target)
    for number, _, step, source, target in steps:
        attrs = {"label": f"{number}. {step_label(step)}"}
        if highlight is not None:
            if number == highlight:
                attrs.update({"color": style.HIGHLIGHT, "fontcolor": "#232F3E", "penwidth": "2.5"})
            else:
                attrs.update({"color": style.MUTED, "fontcolor": style.MUTED})
        if source is None:   # a step the front door takes itself: a loop on its node
            graph.edge(node(target), node(target), **attrs)
        else:
            graph.edge(node(source), node(target), **attrs)
        if internals and step.substeps:     # each inner step hands over to the next
            previous = target
            for k, sub in enumerate(step.substeps, 1):
                graph.edge(node(previous), node(sub.component),
                           label=f"{number}.{k} {_short(sub.action, 36)}", style="dashed",
                           fontsize="8")
                previous = sub.component
    return Diagram(graph.source, summary)
