"""How a reachability answer reads: ``describe()``, ``repr()``, its Jupyter display, and the
trace it leaves on ``cloud.traces``.

The trace has one step per hop, forward then return (component as the hop names it:
"Instance", "Security group", "Network ACL", "VPC router", "Internet gateway", "NAT gateway",
"VPC peering", "Transit gateway", "VPN gateway", "Site-to-Site VPN", "VPC endpoint",
"Load balancer", "Client VPN endpoint", "Internet", "On-premises network", "AWS service", ...),
each lasting 0 ms: a reachability question reads configuration, no time passes. The EC2
service's ``trace_edges`` rule draws it as the chain the packet followed.
"""

from __future__ import annotations

from ..trace import Trace
from .reachability_hops import span


class ReachabilityView:
    """Text and display of a :class:`~awskit.ec2.reachability.Reachability`."""

    def headline(self) -> str:
        if self.protocol == "icmp":
            what = "icmp (ping)"
        else:
            what = f"{self.protocol} {self.port}"
        verdict = "reachable" if self.reachable else "NOT reachable"
        return (f"Reachability {self.source.text()} → {self.destination.text()}, {what}: "
                f"{verdict}")

    def describe(self) -> str:
        """Every hop with the rule it applied, the blocking one marked, the reply's way."""
        lines = [self.headline()]
        if self.blocked_by is not None:
            where = "on the way back" if self.blocked_by.direction == "return" else ""
            code = f" ({self.blocked_by.code})" if self.blocked_by.code else ""
            lines.append(f"Blocked {where + ' ' if where else ''}by [{self.blocked_by.component}]"
                         f" {self.blocked_by}{code}")
        for title, hops in (("Forward path", self.hops), ("Return path", self.return_path)):
            if not hops:
                continue
            lines.append(f"{title}:")
            for i, hop in enumerate(hops, 1):
                mark = "" if hop.allowed else f"  ✗ BLOCKED ({hop.code or 'no code'})"
                lines.append(f"{i:>3}. [{hop.component}] {hop}{mark}")
        if self.protocol != "icmp" and self.ephemeral:
            lines.append(f"The opener's ephemeral ports: {span(self.ephemeral)} (network ACLs "
                         "must let the reply reach them)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        blocked = f", blocked by {self.blocked_by}" if self.blocked_by is not None else ""
        return f"<{self.headline()}{blocked}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter: the trace's step-through widget (or its diagram); ``text/plain`` is
        :meth:`describe` (stable: no ids change between runs of the same seed)."""
        text = self.describe()
        if self.trace is None:
            return {"text/plain": text}
        from ..widgets.core import mimebundle
        bundle = mimebundle(text, lambda: self.trace.view().widget,
                            lambda: self.trace.diagram()._repr_mimebundle_())
        bundle["text/plain"] = text
        return bundle


def record_trace(cloud, result) -> Trace:
    """The answer as a trace on ``cloud.traces`` (0 ms steps; see the module docstring)."""
    src = result.source
    trace = Trace(cloud.ids.uuid("ec2-reachability"), "ec2", "Reachability",
                  cloud.clock.elapsed, "direct", src.region)
    trace.account = src.account or cloud.default_account
    what = "icmp" if result.protocol == "icmp" else f"{result.protocol} {result.port}"
    verdict = "reachable" if result.reachable else f"blocked by {result.blocked_by.resource}"
    trace.summary = f"{src.label} → {result.destination.label} {what}: {verdict}"
    t0 = cloud.clock.elapsed
    for hop in result.hops + result.return_path:
        prefix = "Reply: " if hop.direction == "return" else ""
        mark = "" if hop.allowed else f" — BLOCKED ({hop.code or 'no code'})"
        trace.add(hop.component, f"{prefix}{hop}{mark}", t0, 0.0,
                  {"resource": hop.resource, "allowed": hop.allowed, "code": hop.code,
                   "direction": hop.direction, "packet": hop.packet})
    cloud.traces.append(trace)
    cloud.notify(trace)
    return trace
