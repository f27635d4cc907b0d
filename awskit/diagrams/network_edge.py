"""The edge services in the network drawing: CloudFront and Route 53, global, in front.

- a **CloudFront distribution** (its id, domain name and status) takes the internet's HTTPS
  requests and reaches each origin: an S3 bucket's node, or a custom origin (in its Region when
  awskit simulates its server, else outside the cloud);
- a **Route 53 hosted zone** is a box of its record sets (NS and SOA left out), each with its
  routing policy and set identifier (``failover PRIMARY (web)``, ``weighted 70 (blue)``),
  joined to what it answers with (an alias to CloudFront, an instance's address) and to its
  health check; a public zone answers the internet's DNS queries, a private one answers in its
  VPCs;
- a **health check** shows its status, red and dashed while unhealthy.
"""

from __future__ import annotations

from . import style
from .network import INTERNET, dot_id


def place_edge_service(drawing, key: str) -> None:
    """Place a CloudFront or Route 53 node of the graph on the drawing."""
    net, data = drawing.net, drawing.net.data[key]
    kind = data.get("type", "")
    region = data.get("region") or ""
    if kind == "cloudfront-distribution":
        drawing.put(key, ("global",), f"CloudFront distribution {data.get('id', '')}\\n"
                 f"{data.get('name', '')}\\n{data.get('status', '')}"
                 + ("" if data.get("enabled", True) else " (disabled)"))
        drawing.edge(INTERNET, key, label="HTTPS")
        for target in net.out(key, "routes-to"):
            drawing.edge(key, target, label="origin")
    elif kind == "cloudfront-origin":
        place = ("region", region) if region else ("outside",)
        drawing.put(key, place, f"Custom origin\\n{data.get('name', '')}")
    elif kind == "route53-hosted-zone":
        _zone(drawing, key)
    elif kind == "route53-health-check":
        down = data.get("status") == "down"
        look = {"color": style.BLOCKED, "fillcolor": style.BLOCKED_FILL,
                "style": "rounded,filled,dashed"} if down else {}
        drawing.put(key, ("global",), f"Route 53 health check\\n{data.get('name', '')}\\n"
                 f"{data.get('check_type', '')}: {'UNHEALTHY' if down else 'healthy'}",
                 **look)


def _zone(drawing, key: str) -> None:
    """A hosted zone (a cluster in the global area) and its records that lead somewhere."""
    net, data = drawing.net, drawing.net.data[key]
    private = data.get("private")
    zone = ("zone", key)
    drawing.places[zone]
    drawing.labels[key] = (f"Route 53 {'private' if private else 'public'} hosted zone "
                        f"{data.get('name', '')}\\n{data.get('zone_id', '')}")
    drawing.ids[key] = dot_id(net, key)
    policies = _record_policies(net.cloud, data.get("zone_id"))
    for record in net.out(key, "contains", "route53-record-set"):
        rdata = net.data[record]
        name_type = str(rdata.get("name", ""))
        if name_type.rsplit(" ", 1)[-1] in ("NS", "SOA"):
            continue
        ident = rdata.get("set_identifier", "")
        policy = policies.get((name_type, ident), "")
        extra = f"{policy} ({ident})" if policy and ident else policy or ident
        drawing.put(record, zone, name_type + (f"\\n{extra}" if extra else ""),
                 kind="route53-record-set")
        for relation in ("alias-to", "routes-to", "health-checked-by"):
            for target in net.out(record, relation):
                if net.kind(target) == "endpoint" and target not in drawing.labels:
                    drawing.put(target, ("outside",), f"{net.data[target].get('name', '')}",
                             kind="endpoint")
                drawing.edge(record, target, label={"alias-to": "alias",
                                                 "health-checked-by": "health check"}
                          .get(relation, ""), style="dashed"
                          if relation == "health-checked-by" else "solid")
    if not private:
        drawing.edge(INTERNET, f"{key}#anchor", label="DNS", lhead=f"cluster_{drawing.ids[key]}")
    for vpc in net.out(key, "answers-in"):
        drawing.edge(f"{key}#anchor", f"{vpc}#anchor", ltail=f"cluster_{drawing.ids[key]}",
                  lhead=f"cluster_{dot_id(net, vpc)}", style="dashed",
                  label="private DNS", constraint="false")

def _record_policies(cloud, zone_id) -> dict:
    """(``"name TYPE"``, set identifier) -> the routing policy in words (failover PRIMARY,
    weighted 70, latency us-east-1, ...), read from the Route 53 model."""
    route53 = getattr(cloud, "_services", {}).get("route53")
    zone = route53.zones.get(zone_id) if route53 is not None and zone_id else None
    if zone is None:
        return {}
    out = {}
    for (name, rtype, ident), rrset in zone.records.items():
        if "Failover" in rrset:
            words = f"failover {rrset['Failover']}"
        elif "Weight" in rrset:
            words = f"weighted {rrset['Weight']}"
        elif "Region" in rrset:
            words = f"latency {rrset['Region']}"
        elif "GeoLocation" in rrset:
            words = "geolocation " + "/".join(str(v) for v in rrset["GeoLocation"].values())
        elif "MultiValueAnswer" in rrset:
            words = "multivalue"
        else:
            words = "alias" if "AliasTarget" in rrset else ""
        out[(f"{name} {rtype}", ident)] = words
    return out
