"""Saving Route 53 (``state`` / ``load_state``) and drawing it into ``cloud.graph()``.

State is plain JSON: zones with their record sets, changes, health checks with what their
checkers last saw, caller references, and the endpoint registry. Loading re-schedules each
health check's next probe at the instant it was due.

Graph: hosted zones (``route53-hosted-zone``, global: no Region) contain their record sets
(``route53-record-set``); a record set routes to its targets: another record set (alias), a
simulated EC2 instance or CloudFront distribution when the graph has it, else an ``endpoint``
node for the IP address or DNS name; record sets point to the health checks that gate them
(``route53-health-check``), which probe their endpoint.
"""

from __future__ import annotations

import dataclasses

from .model import Change, HealthCheck, HostedZone, rrset_key, values_of


def _rrset_node(zone: HostedZone, rrset: dict) -> str:
    name, rtype, ident = rrset_key(rrset)
    return f"{zone.arn}/{name}/{rtype}" + (f"/{ident}" if ident else "")


class Route53Persistence:
    """state / load_state / add_to_graph (mixed into ``Route53``)."""

    def state(self) -> dict:
        zones = []
        for zone in self.zones.values():
            data = {f.name: getattr(zone, f.name) for f in dataclasses.fields(zone)}
            data["records"] = list(zone.records.values())
            data["vpcs"] = [list(v) for v in zone.vpcs]
            zones.append(data)
        checks = []
        for check in self.health_checks.values():
            data = dataclasses.asdict(check)
            data["last_failure"] = list(check.last_failure) if check.last_failure else None
            checks.append(data)
        return {"zones": zones,
                "changes": [dataclasses.asdict(c) for c in self.changes.values()],
                "health_checks": checks,
                "zone_refs": [[a, r, i] for (a, r), i in self.zone_refs.items()],
                "check_refs": [[a, r, i] for (a, r), i in self.check_refs.items()],
                "endpoints": self.endpoints.state()}

    def load_state(self, data: dict) -> None:
        for event in list(self._probe_events.values()):
            event.cancel()
        self._init_checkers()
        self.zones, self.changes, self.health_checks = {}, {}, {}
        for saved in data["zones"]:
            saved = dict(saved)
            records = saved.pop("records")
            saved["vpcs"] = [tuple(v) for v in saved["vpcs"]]
            zone = HostedZone(**saved)
            zone.records = {rrset_key(r): r for r in records}
            self.zones[zone.id] = zone
        for saved in data["changes"]:
            self.changes[saved["id"]] = Change(**saved)
        for saved in data["health_checks"]:
            saved = dict(saved)
            if saved["last_failure"] is not None:
                saved["last_failure"] = tuple(saved["last_failure"])
            check = HealthCheck(**saved)
            self.health_checks[check.id] = check
            if check.next_probe is not None:
                self.schedule_probe(check, check.next_probe)
        self.zone_refs = {(a, r): i for a, r, i in data["zone_refs"]}
        self.check_refs = {(a, r): i for a, r, i in data["check_refs"]}
        self.endpoints.load(data["endpoints"])

    # -- graph ------------------------------------------------------------------------------
    def add_to_graph(self, graph) -> None:
        for check in self.health_checks.values():
            config = check.config
            graph.add_node(check.arn, type="route53-health-check", name=check.id,
                           account=check.account, check_type=config["Type"],
                           status="up" if self.check_healthy(check) else "down")
            target = config.get("IPAddress") or config.get("FullyQualifiedDomainName")
            if target:
                graph.add_edge(check.arn, self._endpoint_node(graph, target), relation="probes")
            for child in config.get("ChildHealthChecks", []):
                if child in self.health_checks:
                    graph.add_edge(check.arn, self.health_checks[child].arn, relation="combines")
        for zone in self.zones.values():
            graph.add_node(zone.arn, type="route53-hosted-zone", name=zone.name,
                           account=zone.account, private=zone.private, zone_id=zone.id)
            graph.add_edge(f"arn:aws:iam::{zone.account}:root", zone.arn, relation="owns")
            for vpc_region, vpc_id in zone.vpcs:
                vpc_arn = f"arn:aws:ec2:{vpc_region}:{zone.account}:vpc/{vpc_id}"
                if vpc_arn in graph:
                    graph.add_edge(zone.arn, vpc_arn, relation="answers-in")
            for rrset in zone.records.values():
                self._graph_rrset(graph, zone, rrset)

    def _graph_rrset(self, graph, zone: HostedZone, rrset: dict) -> None:
        node = _rrset_node(zone, rrset)
        graph.add_node(node, type="route53-record-set", name=f"{rrset['Name']} {rrset['Type']}",
                       set_identifier=rrset.get("SetIdentifier", ""), zone=zone.id)
        graph.add_edge(zone.arn, node, relation="contains")
        check = self.health_checks.get(rrset.get("HealthCheckId", ""))
        if check is not None:
            graph.add_edge(node, check.arn, relation="health-checked-by")
        alias = rrset.get("AliasTarget")
        if alias is not None:
            if alias["HostedZoneId"] == zone.id:
                for target in zone.group(alias["DNSName"], rrset["Type"]):
                    graph.add_edge(node, _rrset_node(zone, target), relation="alias-to")
            else:
                graph.add_edge(node, self._endpoint_node(graph, alias["DNSName"]),
                               relation="alias-to")
            return
        if rrset["Type"] in ("A", "AAAA", "CNAME"):
            for value in values_of(rrset):
                graph.add_edge(node, self._endpoint_node(graph, value), relation="routes-to")

    def _endpoint_node(self, graph, target: str) -> str:
        """The graph node of an IP address or DNS name: a simulated resource when there is one."""
        instance = self.instance_by_ip(target)
        if instance is not None:
            for key in (getattr(instance, "arn", None),
                        f"arn:aws:ec2:{instance.region}:{getattr(instance, 'account', '')}:"
                        f"instance/{instance.instance_id}"):
                if key and key in graph:
                    return key
        host = target.rstrip(".").lower()
        for key, data in graph.nodes(data=True):
            if data.get("type") == "cloudfront-distribution" and \
                    str(data.get("name", "")).lower() == host:
                return key
        key = f"endpoint:{host}"
        if key not in graph:
            graph.add_node(key, type="endpoint", name=host)
        return key
