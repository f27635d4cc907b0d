"""A reachability answer drawn on the network: ``cloud.diagram(reachability=result)``.

The result is what ``cloud.ec2.reachability(...)`` answers (:mod:`awskit.ec2.reachability`):
``.reachable``, ``.hops`` in order, then the reply's ``.return_path`` — each hop with ``component`` ("Security group", "Network
ACL", "VPC router", "Internet gateway", ...), ``resource`` (its id), ``rule`` (the rule it
applied, in words), ``allowed`` and ``direction`` (``forward`` or ``return``) — and
``.blocked_by`` (the hop that stopped the flow, or None). Any object with those attributes
will do (``resource_id`` and ``action`` are read too, for answers shaped that way).

Each hop is drawn where it happens, numbered in order, its rule written beside it:

- a hop at something the network drawing shows (an instance, a NAT gateway, an internet or
  transit gateway, an endpoint, the internet) highlights that node and adds the hop's lines to
  its label;
- a hop at a filter or router the drawing leaves out (security groups, network ACLs, route
  tables, the VPC's local routing) becomes a small node of its own inside the subnet (or VPC)
  where the packet is at that moment (one node per resource and subnet: the reply that meets
  it again adds its line there);
- orange edges join the hops in order (dashed on the way back: the reply); the hop that
  blocked the flow is red, with its rule, and the path ends there.
"""

from __future__ import annotations

import ipaddress
import textwrap

from . import style
from .network import INTERNET
from .network_links import USERS, _service

WRAP, MAX_LINES = 44, 3
CHECKPOINTS = {"Security group": "Security group", "Network ACL": "Network ACL",
               "VPC router": "Route table"}


def hops_of(result) -> list:
    """The forward hops, then the reply's (``return_path``) when the answer keeps them apart."""
    return [*(getattr(result, "hops", None) or []),
            *(getattr(result, "return_path", None) or [])]


def hop_resource(hop) -> str:
    raw = getattr(hop, "resource", None) or getattr(hop, "resource_id", None) or ""
    return str(raw).split(",")[0].strip()


def hop_allowed(hop) -> bool:
    if hasattr(hop, "allowed"):
        return bool(hop.allowed)
    return str(getattr(hop, "action", "allow")).lower() not in ("deny", "block", "blocked",
                                                                "drop")


def hop_text(hop) -> str:
    return " ".join(str(getattr(hop, "rule", "") or "").split())


def answer_text(result) -> str:
    """The answer's headline (``Reachability i-… → internet, tcp 443: NOT reachable``), and
    what blocked it: ``; blocked by acl-… (Network ACL): <rule>``."""
    blocked = getattr(result, "blocked_by", None)
    reachable = getattr(result, "reachable", blocked is None)
    headline = getattr(result, "headline", None)
    if callable(headline):
        head = headline()
    else:
        head = "Reachability: " + ("reachable" if reachable else "NOT reachable")
    if reachable:
        return f"{head} ({len(hops_of(result))} hops)"
    if blocked is None:
        return head
    component = getattr(blocked, "component", "")
    where = f"{hop_resource(blocked)} ({component})" if component else hop_resource(blocked)
    back = " on the way back" if getattr(blocked, "direction", "") == "return" else ""
    return f"{head}; blocked{back} by {where}: {hop_text(blocked)}"


def _wrap(text: str) -> list[str]:
    lines = textwrap.wrap(text, WRAP, break_on_hyphens=False) or [""]
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        lines[-1] = lines[-1][:WRAP - 1] + "…"
    return lines


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "'")


class Overlay:
    """Where each hop goes on the drawing (see the module docstring)."""

    def __init__(self, drawing, result):
        self.drawing, self.net = drawing, drawing.net
        self.hops = hops_of(result)
        self.blocked = getattr(result, "blocked_by", None)
        self.keys: list[str] = []             # per hop: the node it is drawn at
        self.checkpoints: dict[tuple, str] = {}   # (resource, place) -> its node
        self.places: dict[str, tuple] = {}    # node -> place (drawn nodes and checkpoints)
        for place, keys in drawing.places.items():
            for key in keys:
                self.places[key] = place

    # -- where a hop happens -----------------------------------------------------------------
    def drawn(self, rid: str) -> str | None:
        """The drawn node of an AWS id (an interface: its owner's)."""
        net, labels = self.net, self.drawing.labels
        for mapped in (self.drawing.alias.get(rid), self.drawing.eni_owner.get(rid)):
            if mapped in labels:
                return mapped
        key = net.by_id.get(rid)
        if key in labels:
            return key
        if key and net.kind(key) == "ec2-network-interface":
            for owner in net.out(key, "attached-to"):
                if owner in labels:
                    return owner
        return None

    def subnet_near(self, index: int, rid: str, inbound: bool) -> str | None:
        """The subnet the packet is in at hop ``index``: among the subnets ``rid`` (a network
        ACL, route table or security group) applies to, the one of the nearest hop drawn in a
        subnet (the next hops first for an inbound rule, the previous ones otherwise)."""
        candidates = self.applies_to(rid)
        before = list(range(index - 1, -1, -1))
        after = list(range(index + 1, len(self.hops)))
        first, second = (after, before) if inbound else (before, after)
        order = [i for n in range(max(len(first), len(second)))
                 for i in (first[n:n + 1] + second[n:n + 1])]
        for i in order:
            key = self.keys[i] if i < len(self.keys) else self.drawn(hop_resource(self.hops[i]))
            place = self.places.get(key) if key else None
            if place and place[0] == "subnet" and (not candidates or place[1] in candidates):
                return place[1]
        keys = sorted(self.net.by_id[s] for s in candidates if s in self.net.by_id)
        return keys[0] if keys else None

    def applies_to(self, rid: str) -> set[str]:
        """Subnet keys a network ACL, route table or security group filters."""
        ec2 = self.net.cloud._services.get("ec2")
        if ec2 is None:
            return set()
        ids: set[str] = set()
        if rid in getattr(ec2, "network_acls", {}):
            ids = {a.subnet_id for a in ec2.network_acls[rid].associations}
        elif rid in getattr(ec2, "route_tables", {}):
            ids = {s for s, sub in ec2.subnets.items()
                   if sub.vpc_id == ec2.route_tables[rid].vpc_id
                   and ec2.table_for_subnet(s).route_table_id == rid}
        elif rid in getattr(ec2, "security_groups", {}):
            ids = {e.subnet_id for e in ec2.network_interfaces.values() if rid in e.group_ids}
        return {self.net.by_id[i] for i in ids if i in self.net.by_id}

    def place_of(self, index: int, hop) -> str:
        """The node hop ``index`` is drawn at (a checkpoint node is made when needed)."""
        rid, component = hop_resource(hop), str(getattr(hop, "component", ""))
        if component in CHECKPOINTS or rid.startswith(("sg-", "acl-", "rtb-", "pcx-")):
            return self.checkpoint(index, hop, rid, component)
        key = self.drawn(rid)
        if key is not None:
            return key
        if rid.lower() == "internet" or component.lower() in ("internet", "internet host"):
            return INTERNET
        if component == "Client VPN user" and USERS in self.drawing.labels:
            return USERS
        if component == "AWS service":
            region = getattr(hop, "region", None) or self.net.cloud.default_region
            return _service(self.drawing, region, rid.rsplit(".", 1)[-1])
        if _is_public_ip(rid):
            return INTERNET
        return self.checkpoint(index, hop, rid, component)

    def checkpoint(self, index: int, hop, rid: str, component: str) -> str:
        net = self.net
        inbound = hop_text(hop).lower().startswith("inbound")
        subnet = self.subnet_near(index, rid, inbound)
        vpc_key = net.by_id.get(rid) if rid.startswith("vpc-") else None
        if vpc_key and vpc_key not in self.drawing.collapsed:
            place = ("vpc", vpc_key)
        elif subnet is not None and not rid.startswith("pcx-"):
            place = ("subnet", subnet)
        elif "premises" in component.lower() or rid.startswith("cgw-"):
            place = ("on-premises",)
        else:
            region = next((net.data[s].get("region") for s in [subnet] if s), None)
            place = ("region", region or net.cloud.default_region)
        if (rid, place) in self.checkpoints:     # met again (the reply): the same node
            return self.checkpoints[rid, place]
        node = self.checkpoints[rid, place] = f"hop{index + 1}"
        what = CHECKPOINTS.get(component, component) if not rid.startswith("vpc-") \
            else "VPC router (local route)"
        self.drawing.extra[place].append((node, f"{what} {rid}", {}))
        self.places[node] = place
        return node

    # -- drawing --------------------------------------------------------------------------------
    def apply(self) -> None:
        lines: dict[str, list[str]] = {}
        stop = None
        for i, hop in enumerate(self.hops):
            key = self.place_of(i, hop)
            self.keys.append(key)
            allowed = hop_allowed(hop) and hop is not self.blocked
            text = hop_text(hop)
            mark = "" if allowed else "✗ BLOCKED: "
            wrapped = _wrap(f"{i + 1}. {mark}{text}")
            lines.setdefault(key, []).extend(wrapped)
            if not allowed:
                stop = key
                break
        for key, extra in lines.items():
            self._label(key, extra, blocked=key == stop)
        previous = None
        for i, key in enumerate(self.keys):
            if previous is not None and key != previous:
                back = str(getattr(self.hops[i], "direction", "forward")) == "return"
                red = key == stop and i == len(self.keys) - 1
                self.drawing.edge(previous, key, label=str(i + 1),
                                  color=style.BLOCKED if red else style.HIGHLIGHT,
                                  fontcolor=style.BLOCKED if red else "#232F3E",
                                  penwidth="2.5", style="dashed" if back else "bold",
                                  fontsize="11")
            previous = key

    def _label(self, key: str, extra: list[str], blocked: bool) -> None:
        d = self.drawing
        body = "\\l".join(_escape(line) for line in extra) + "\\l"
        look = {"penwidth": "3", "color": style.BLOCKED if blocked else style.HIGHLIGHT}
        if blocked:
            look["fillcolor"] = style.BLOCKED_FILL
            look["fontcolor"] = style.BLOCKED
        for nodes in d.extra.values():           # a checkpoint of this overlay
            for n, (node_id, label, old) in enumerate(nodes):
                if node_id == key:
                    nodes[n] = (node_id, f"{label}\\n{body}", {
                        **style.node_style("ec2-security-group" if "Security" in label
                                           or "ACL" in label else "ec2-route-table"),
                        "fontsize": "9", **look})
                    return
        if key == INTERNET:
            d.internet_label = f"Internet\\n{body}"
            d.internet_look = look
            return
        if key in d.labels:
            d.labels[key] = f"{d.labels[key]}\\n{body}"
            d.looks[key] = {**d.looks[key], **look}


def _is_public_ip(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return address.is_global


def overlay(drawing, result) -> str:
    """Draw ``result`` on ``drawing``; returns the answer in one line."""
    Overlay(drawing, result).apply()
    return answer_text(result)
