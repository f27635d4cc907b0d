"""Routing policies: which record sets of one name and type answer a query, and why.

What Route 53 does [BC route53:ResourceRecordSet (Weight, Region, GeoLocation, Failover,
MultiValueAnswer, HealthCheckId); R53 routing-policy.md; facts]:

- A record set with a health check is healthy while the check is; an alias with
  ``EvaluateTargetHealth`` is healthy while its target group has a healthy record set; others
  are always healthy. When every record set of a group is unhealthy, Route 53 treats them all
  as healthy.
- Simple: the one record set (health checks are not consulted).
- Weighted: a record set with probability weight / total among the healthy ones; weight-0 sets
  answer only when every healthy set has weight 0 (then all equally).
- Latency: the healthy set whose Region has the lowest latency from the client (``geo.py``).
- Failover: PRIMARY while healthy; else SECONDARY if healthy (or without a health check);
  PRIMARY again when SECONDARY is unhealthy too.
- Geolocation: the most specific match, subdivision > country > continent > default ``*``;
  when that one is unhealthy, the next more general one. No match and no default: no answer.
- Multivalue answer: up to eight healthy sets at random (up to eight unhealthy ones when none
  is healthy).

Random choices draw from the cloud's seeded stream ``route53-resolver``, so the same seed and
queries give the same answers.
"""

from __future__ import annotations

from .geo import latency_ms
from .model import HostedZone, policy_of


def _ident(rrset: dict) -> str:
    return rrset.get("SetIdentifier", rrset["Name"])


class Picker:
    """Chooses among a group of record sets for one query (``query`` supplies the client's
    location, the random stream and the trace)."""

    def __init__(self, service, zone: HostedZone, query):
        self.service, self.zone, self.query = service, zone, query

    # -- health -----------------------------------------------------------------------------
    def healthy(self, rrset: dict, depth: int = 0) -> bool:
        service, query = self.service, self.query
        check_id = rrset.get("HealthCheckId")
        if check_id is not None:
            check = service.health_checks.get(check_id)
            if check is None:
                query.step("Health checkers", f"{_ident(rrset)}: health check {check_id} no "
                           "longer exists (AWS: its status is unpredictable; awskit: healthy)")
            else:
                query.step("Health checkers", f"{_ident(rrset)}: " + service.describe_check(check))
                if not service.check_healthy(check):
                    return False
        alias = rrset.get("AliasTarget")
        if alias and alias["EvaluateTargetHealth"] and alias["HostedZoneId"] == self.zone.id \
                and depth < 8:
            targets = self.zone.group(alias["DNSName"], rrset["Type"])
            ok = any(self.healthy(t, depth + 1) for t in targets)
            query.step("Health checkers", f"{_ident(rrset)}: evaluates the health of its alias "
                       f"target {alias['DNSName']} {rrset['Type']}: "
                       f"{'healthy' if ok else 'no healthy record set'}")
            return ok
        return True

    # -- choosing ---------------------------------------------------------------------------
    def choose(self, group: list[dict]) -> list[dict]:
        """The record sets that answer (empty: no answer)."""
        policy = policy_of(group[0])
        group = sorted(group, key=lambda r: r.get("SetIdentifier", ""))
        if policy == "simple":
            self.query.step("Authoritative name server", "Simple routing: the one record set "
                            "answers")
            return group[:1]
        ok = {_ident(r): self.healthy(r) for r in group}
        return getattr(self, f"_{policy}")(group, ok)

    def _pool(self, group, ok, what: str) -> list[dict]:
        pool = [r for r in group if ok[_ident(r)]]
        if not pool:
            self.query.step("Authoritative name server", f"{what}: every record set is unhealthy, "
                            "so Route 53 treats them all as healthy")
            return list(group)
        return pool

    def _weighted(self, group, ok) -> list[dict]:
        pool = self._pool(group, ok, "Weighted")
        candidates = [r for r in pool if r["Weight"] > 0]
        weights = [r["Weight"] for r in candidates]
        if not candidates:
            candidates, weights = pool, [1] * len(pool)
        total = sum(weights)
        draw = self.query.rng.random() * total
        upto, chosen = 0.0, candidates[-1]
        for rrset, weight in zip(candidates, weights):
            upto += weight
            if draw < upto:
                chosen = rrset
                break
        shares = ", ".join(f"{_ident(r)} {w}/{total}" for r, w in zip(candidates, weights))
        self.query.step("Authoritative name server", f"Weighted: {shares}; random draw "
                        f"{draw:.2f} of {total} picks {_ident(chosen)}")
        return [chosen]

    def _latency(self, group, ok) -> list[dict]:
        where = self.query.location
        ranked = sorted(group, key=lambda r: (latency_ms(where, r["Region"]), _ident(r)))
        pool = self._pool(ranked, ok, "Latency")
        chosen = pool[0]
        listing = ", ".join(f"{r['Region']} {latency_ms(where, r['Region']):g} ms"
                            f"{'' if ok[_ident(r)] else ' (unhealthy)'}" for r in ranked)
        self.query.step("Authoritative name server", f"Latency from {where.label}: {listing}; "
                        f"lowest healthy: {chosen['Region']} ({_ident(chosen)})")
        return [chosen]

    def _failover(self, group, ok) -> list[dict]:
        primary = next((r for r in group if r["Failover"] == "PRIMARY"), None)
        secondary = next((r for r in group if r["Failover"] == "SECONDARY"), None)
        if primary is not None and ok[_ident(primary)]:
            chosen, why = primary, "PRIMARY is healthy"
        elif secondary is not None and ok[_ident(secondary)]:
            chosen, why = secondary, "PRIMARY is unhealthy (or absent) and SECONDARY is healthy"
        elif primary is not None:
            chosen, why = primary, "SECONDARY is unhealthy (or absent), so PRIMARY answers " \
                                   "whatever its health"
        else:
            chosen, why = secondary, "only a SECONDARY exists"
        self.query.step("Authoritative name server", f"Failover: {why}: {_ident(chosen)} "
                        "answers")
        return [chosen]

    def _geolocation(self, group, ok) -> list[dict]:
        where = self.query.location
        ranked = []
        for rrset in group:
            rank = _geo_rank(rrset["GeoLocation"], where)
            if rank is not None:
                ranked.append((rank, rrset))
        ranked.sort(key=lambda item: item[0])
        if not ranked:
            self.query.step("Authoritative name server", f"Geolocation: no record set matches "
                            f"{where} and there is no default (*) record: no answer")
            return []
        order = [r for _, r in ranked]
        chosen = self._pool(order, ok, "Geolocation")[0]
        matched = ", ".join(f"{_ident(r)} ({_geo_text(r['GeoLocation'])}"
                            f"{'' if ok[_ident(r)] else ', unhealthy'})" for r in order)
        self.query.step("Authoritative name server", f"Geolocation for {where}: matches, most "
                        f"specific first: {matched}; {_ident(chosen)} answers")
        return [chosen]

    def _multivalue(self, group, ok) -> list[dict]:
        pool = self._pool(group, ok, "Multivalue answer")
        if len(pool) > 8:
            picked = set(map(_ident, self.query.rng.sample(pool, 8)))
            pool = [r for r in pool if _ident(r) in picked]
        self.query.step("Authoritative name server", f"Multivalue answer: {len(pool)} record "
                        f"set(s): {', '.join(map(_ident, pool))}")
        return pool


def _geo_rank(geoloc: dict, where) -> int | None:
    """0 subdivision, 1 country, 2 continent, 3 default; None when it does not match."""
    country = geoloc.get("CountryCode")
    if "SubdivisionCode" in geoloc:
        return 0 if (where.country, where.subdivision) == (country,
                                                          geoloc["SubdivisionCode"]) else None
    if country == "*":
        return 3
    if country is not None:
        return 1 if where.country == country else None
    return 2 if where.continent == geoloc.get("ContinentCode") else None


def _geo_text(geoloc: dict) -> str:
    if geoloc.get("CountryCode") == "*":
        return "default"
    return "-".join(geoloc[k] for k in ("ContinentCode", "CountryCode", "SubdivisionCode")
                    if k in geoloc)
