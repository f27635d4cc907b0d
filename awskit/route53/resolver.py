"""Answering DNS queries as Route 53 does: ``cloud.route53.resolve(...)`` and TestDNSAnswer.

``resolve(name, type="A", client_location=..., client_ip=..., vpc=...)`` plays a client's
recursive resolver asking Route 53's name servers, and returns an :class:`Answer` (response
code, records with TTLs, the zone and name server that answered, and a trace whose steps say
why: "Route 53 resolver", "Authoritative name server", "Health checkers").

What it follows [R53 routing-policy.md, hosted-zone-private-considerations; facts]:

- Which zone answers: a client in a VPC (``vpc=(region, vpc_id)``, or ``client_ip`` of an
  instance) asks the Route 53 Resolver, which answers from a private zone associated with that
  VPC when one holds the name (the most specific), and then only from it: a name the private
  zone lacks is NXDOMAIN even if a public zone has it. The VPC needs ``enableDnsSupport`` (else
  nothing answers) and ``enableDnsHostnames`` (else private zones are not used). Everyone else
  sees public zones only. Several public zones may share a name; with no registrar in awskit
  the oldest one is the one the domain is delegated to; a more specific public zone answers
  only if its parent zone delegates to it (an NS record set naming its name servers).
- Inside a zone: exact name, else a wildcard (``*.<closest encloser>``); NXDOMAIN when the
  name does not exist, an empty answer (NODATA) when it exists without that type; a CNAME
  answers any type and the resolver follows it (up to 8 steps); an NS record set below the apex
  is a delegation (the answer is a referral to those name servers).
- Routing policies and health: ``routing.py``. Alias records answer with their target's
  records and TTL: another record set of the zone, a CloudFront distribution or an S3 website
  endpoint. awskit draws those services' addresses from their published ranges (CloudFront
  13.32.0.0/15 and 2600:9000::/28, four addresses; S3 website one address of 52.216.0.0/15
  whatever the Region), with a TTL of 60 s (unconfirmed); a simulated CloudFront that offers
  ``edge_addresses(domain, location)`` is asked instead.
- TestDNSAnswer answers from the public zone named, for a resolver placed where the caller's
  Region is (awskit has no IP geolocation: ``ResolverIP`` / ``EDNS0ClientSubnetIP`` of a
  simulated instance place the client in its Region; other addresses are ignored).
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field

from ..service import Request, operation
from ..trace import Trace
from . import geo, names
from .codes import invalid_input, no_zone
from .model import CLOUDFRONT_ZONE, PRIVATE_NAME_SERVERS, HostedZone, values_of
from .routing import Picker

_AWS_TTL = 60
_MAX_HOPS = 8


@dataclass
class Answer:
    """A DNS answer: ``rcode`` (NOERROR, NXDOMAIN, SERVFAIL), ``records`` (dicts with name,
    type, ttl, value, in answer order), and why (``why`` lines; ``trace`` for resolve())."""

    name: str
    type: str
    rcode: str = "NOERROR"
    records: list[dict] = field(default_factory=list)
    zone_id: str | None = None
    nameserver: str | None = None
    location: geo.Location | None = None
    referral: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    trace: Trace | None = None

    @property
    def values(self) -> list[str]:
        """The values of the queried type (after any CNAME chain)."""
        return [r["value"] for r in self.records if r["type"] == self.type]

    @property
    def ttl(self) -> int | None:
        ttls = [r["ttl"] for r in self.records if r["type"] == self.type]
        return min(ttls) if ttls else None

    def __str__(self) -> str:
        lines = [f";; {self.name} {self.type}: {self.rcode}"
                 + (f" (zone {self.zone_id}, {self.nameserver})" if self.zone_id else "")]
        lines += [f"{r['name']}\t{r['ttl']}\tIN\t{r['type']}\t{r['value']}" for r in self.records]
        if self.referral:
            lines.append(";; referral to " + ", ".join(self.referral))
        return "\n".join(lines)


class _Query:
    """One resolution: where the client is, its VPC, the random stream, the step recorder."""

    def __init__(self, service, location, vpc, step):
        self.location, self.vpc, self.step_fn = location, vpc, step
        self.rng = service.cloud.ids.stream("route53-resolver")
        self.why: list[str] = []
        self.private_ok = True

    def step(self, component: str, action: str, ms: float = 0.5) -> None:
        self.why.append(action)
        if self.step_fn is not None:
            self.step_fn(component, action, ms)


def _address(network: str, seed: str, i: int) -> str:
    net = ipaddress.ip_network(network)
    digest = int.from_bytes(hashlib.sha256(f"{seed}:{i}".encode()).digest()[:8], "big")
    return str(net.network_address + 1 + digest % (net.num_addresses - 2))


class ResolverOperations:
    """resolve(), TestDNSAnswer and the lookups behind them (mixed into ``Route53``)."""

    # -- public entry points ----------------------------------------------------------------
    def resolve(self, name: str, type: str = "A", *, client_location=None, client_ip=None,
                vpc=None) -> Answer:
        """Answer ``name`` / ``type`` as Route 53 would for a client (module docstring)."""
        cloud = self.cloud
        with cloud.lock:
            cloud.clock.run_due()
            qname = names.canonical(name)
            types = self.model.shape_for("RRType").enum
            if type not in types:
                raise ValueError(f"unknown record type {type!r}; one of {', '.join(types)}")
            instance = self.instance_by_ip(client_ip) if client_ip else None
            if client_location is None:
                client_location = instance.region if instance is not None \
                    else cloud.default_region
            location = geo.locate(client_location)
            if isinstance(vpc, str):
                vpc = (client_location if client_location in geo.REGION_PLACES
                       else cloud.default_region, vpc)
            if vpc is None and instance is not None and getattr(instance, "vpc_id", None):
                vpc = (instance.region, instance.vpc_id)
            trace = Trace(cloud.ids.uuid("route53-query"), "route53", "Resolve",
                          cloud.clock.elapsed, "direct", vpc[0] if vpc else "")
            trace.summary = f"{names.display(qname)} {type} from {location}"
            query = _Query(self, location, tuple(vpc) if vpc else None,
                           lambda c, a, ms: trace.record(cloud.clock, c, a, ms, None, {}))
            where = f" in {vpc[1]} ({vpc[0]})" if vpc else ""
            query.step("Route 53 resolver", f"Client at {location}{where} asks for "
                       f"{names.display(qname)} {type}", 1.0)
            answer = self._resolve(qname, type, query)
            answer.trace = trace
            trace.status = 200
            cloud.traces.append(trace)
            cloud.notify(trace)
            return answer

    def public_addresses(self, fqdn: str) -> list[str]:
        """The A values public DNS gives for ``fqdn`` now (what health checkers resolve)."""
        try:
            qname = names.canonical(fqdn)
        except names.BadName:
            return []
        query = _Query(self, geo.locate("us-east-1"), None, None)
        return self._resolve(qname, "A", query).values

    @operation("TestDNSAnswer")
    def test_dns_answer(self, req: Request, HostedZoneId: str, RecordName: str, RecordType: str,
                        ResolverIP=None, EDNS0ClientSubnetIP=None, EDNS0ClientSubnetMask=None):
        req.authorize("route53:TestDNSAnswer", "*")      # an action without a resource type
        zone = self.zones.get(HostedZoneId)
        if zone is None or zone.account != req.account:
            raise no_zone(HostedZoneId)
        if zone.private:
            raise invalid_input("TestDNSAnswer supports public hosted zones only.")
        try:
            qname = names.canonical(RecordName)
        except names.BadName:
            raise invalid_input(f"Invalid request: {RecordName} is not a domain name") from None
        where = req.region
        for ip in (EDNS0ClientSubnetIP, ResolverIP):
            instance = self.instance_by_ip(ip) if ip else None
            if instance is not None:
                where = instance.region
                break
        query = _Query(self, geo.locate(where if where in geo.REGION_PLACES else "us-east-1"),
                       None, lambda c, a, ms: req.step(c, a, ms))
        query.step("Route 53 resolver", f"Test query {names.display(qname)} {RecordType} against "
                   f"zone {zone.name} for a resolver at {query.location}", 1.0)
        answer = self._resolve(qname, RecordType, query, zone=zone)
        return {"Nameserver": zone.name_servers[0], "RecordName": RecordName,
                "RecordType": RecordType, "RecordData": [r["value"] for r in answer.records],
                "ResponseCode": answer.rcode, "Protocol": "UDP"}

    # -- finding the zone -------------------------------------------------------------------
    def _find_zone(self, qname: str, query: _Query) -> HostedZone | None:
        if query.vpc is not None:
            vpc_model = self.vpc(*query.vpc)
            if vpc_model is not None and not getattr(vpc_model, "enable_dns_hostnames", True):
                query.step("Route 53 resolver", f"{query.vpc[1]} has enableDnsHostnames off: "
                           "private hosted zones do not answer in it")
            else:
                private = [z for z in self.zones.values() if z.private and
                           query.vpc in z.vpcs and names.in_zone(qname, z.name)]
                if private:
                    zone = max(private, key=lambda z: (len(names.split(z.name)), -z.created))
                    query.step("Route 53 resolver", f"Private zone {zone.name} ({zone.id}) is "
                               f"associated with {query.vpc[1]}: it alone answers for its names")
                    return zone
        public = sorted((z for z in self.zones.values() if not z.private and
                         names.in_zone(qname, z.name)),
                        key=lambda z: (len(names.split(z.name)), z.created))
        if not public:
            return None
        current = public[0]
        query.step("Route 53 resolver", f"The domain is delegated to public zone {current.name} "
                   f"({current.id}) on {', '.join(current.name_servers)}")
        for zone in public[1:]:
            if zone.name == current.name or not names.in_zone(zone.name, current.name):
                continue
            ns = current.records.get((zone.name, "NS", ""))
            servers = {v.rstrip(".").lower() for v in values_of(ns)} if ns else set()
            if servers & set(zone.name_servers):
                query.step("Route 53 resolver", f"{current.name} delegates {zone.name} to "
                           f"zone {zone.id}")
                current = zone
        return current

    # -- resolving --------------------------------------------------------------------------
    def _resolve(self, qname: str, qtype: str, query: _Query, hops: int = 0,
                 zone: HostedZone | None = None) -> Answer:
        answer = Answer(qname, qtype, location=query.location, why=query.why)
        if query.vpc is not None and hops == 0:
            vpc_model = self.vpc(*query.vpc)
            if vpc_model is not None and not getattr(vpc_model, "enable_dns_support", True):
                answer.rcode = "SERVFAIL"
                query.step("Route 53 resolver", f"{query.vpc[1]} has enableDnsSupport off: the "
                           "Route 53 Resolver at the VPC's +2 address does not answer")
                return answer
        zone = zone or self._find_zone(qname, query)
        if zone is None:
            found = self._aws_endpoint(qname, qtype, query)
            if found is None:
                answer.rcode = "NXDOMAIN"
                query.step("Route 53 resolver", f"No hosted zone in this cloud holds "
                           f"{names.display(qname)} (awskit's DNS knows only its hosted zones "
                           "and AWS endpoints): NXDOMAIN")
                return answer
            answer.records = [{"name": qname, "type": qtype, "ttl": found[1], "value": v}
                              for v in found[0]]
            return answer
        answer.zone_id = zone.id
        answer.nameserver = (zone.name_servers or PRIVATE_NAME_SERVERS)[0]
        self._in_zone(zone, qname, qtype, query, answer, hops)
        return answer

    def _in_zone(self, zone: HostedZone, qname: str, qtype: str, query: _Query,
                 answer: Answer, hops: int) -> None:
        server = answer.nameserver
        for name in [qname] + names.ancestors(qname, zone.name):
            ns = zone.records.get((name, "NS", ""))
            if ns is not None and name != zone.name and not (name == qname and qtype == "NS"):
                answer.referral = values_of(ns)
                query.step("Authoritative name server", f"{server}: {names.display(name)} is "
                           f"delegated to {', '.join(answer.referral)}: referral")
                return
        node, at = qname, zone.named(qname)
        if not at and not any(names.in_zone(k[0], qname) for k in zone.records):
            for ancestor in names.ancestors(qname, zone.name):
                wild = "\\052." + ancestor
                if zone.named(wild):
                    node, at = wild, zone.named(wild)
                    query.step("Authoritative name server", f"{server}: no record set at "
                               f"{names.display(qname)}; the wildcard {names.display(wild)} "
                               "matches")
                    break
                if any(names.in_zone(k[0], ancestor) for k in zone.records):
                    break           # the closest encloser exists and has no wildcard
            if not at:
                answer.rcode = "NXDOMAIN"
                query.step("Authoritative name server", f"{server}: {names.display(qname)} does "
                           f"not exist in {zone.name}: NXDOMAIN")
                return
        group = [r for r in at if r["Type"] == qtype]
        if not group and qtype != "CNAME":
            group = [r for r in at if r["Type"] == "CNAME"]
        if not group:
            query.step("Authoritative name server", f"{server}: {names.display(qname)} has no "
                       f"{qtype} record set: empty answer (NODATA)")
            return
        query.step("Authoritative name server", f"{server}: zone {zone.name} holds "
                   f"{len(group)} {group[0]['Type']} record set(s) at {names.display(node)}")
        picker = Picker(self, zone, query)
        for rrset in picker.choose(group):
            values, ttl = self._values(zone, rrset, query)
            answer.records += [{"name": qname, "type": rrset["Type"], "ttl": ttl, "value": v}
                               for v in values]
        cnames = [r["value"] for r in answer.records if r["type"] == "CNAME"]
        if cnames and qtype != "CNAME" and not any(r["type"] == qtype for r in answer.records):
            if hops >= _MAX_HOPS:
                answer.rcode = "SERVFAIL"
                query.step("Route 53 resolver", f"More than {_MAX_HOPS} CNAME steps: SERVFAIL")
                return
            target = names.canonical(cnames[0])
            query.step("Route 53 resolver", f"Follow the CNAME to {names.display(target)}")
            following = self._resolve(target, qtype, query, hops + 1)
            answer.records += following.records
            if following.rcode != "NOERROR":
                answer.rcode = following.rcode

    def _values(self, zone: HostedZone, rrset: dict, query: _Query,
                depth: int = 0) -> tuple[list[str], int]:
        alias = rrset.get("AliasTarget")
        if alias is None:
            return values_of(rrset), rrset["TTL"]
        target = alias["DNSName"]
        if alias["HostedZoneId"] == zone.id:
            group = zone.group(target, rrset["Type"])
            query.step("Authoritative name server", f"Alias to {names.display(target)} "
                       f"{rrset['Type']} in the same zone: answer with its records and TTL")
            if not group or depth >= _MAX_HOPS:
                return [], 0
            values, ttl = [], 0
            for chosen in Picker(self, zone, query).choose(group):
                more, ttl = self._values(zone, chosen, query, depth + 1)
                values += more
            return values, ttl
        found = self._aws_endpoint(target, rrset["Type"], query)
        return found if found is not None else ([], _AWS_TTL)

    def _aws_endpoint(self, dns: str, rtype: str, query: _Query):
        """(addresses, TTL) of a CloudFront or S3 website endpoint name, or None."""
        if dns.endswith(".cloudfront.net.") and rtype in ("A", "AAAA"):
            cloudfront = self.cloud._services.get("cloudfront")
            finder = getattr(cloudfront, "edge_addresses", None)
            if finder is not None:
                addresses = list(finder(dns.rstrip("."), query.location))
                how = "the simulated CloudFront names its edge"
            else:
                network = "13.32.0.0/15" if rtype == "A" else "2600:9000::/28"
                seed = f"{dns}:{query.location.country or query.location.label}"
                addresses = [_address(network, seed, i) for i in range(4)]
                how = f"awskit draws CloudFront edge addresses from {network}"
            query.step("Route 53 resolver", f"{names.display(dns)} is a CloudFront distribution "
                       f"(hosted zone {CLOUDFRONT_ZONE}): {how}")
            return addresses, _AWS_TTL
        if dns.startswith(("s3-website-", "s3-website.")) and dns.endswith(".amazonaws.com.") \
                and rtype == "A":
            query.step("Route 53 resolver", f"{names.display(dns)} is an S3 website endpoint: "
                       "awskit answers an address from 52.216.0.0/15")
            return [_address("52.216.0.0/15", dns, 0)], _AWS_TTL
        return None
