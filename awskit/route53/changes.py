"""Change batches: ChangeResourceRecordSets' rules, applied all or nothing.

Route 53 validates a batch and then makes all of its changes or none [BC
route53:ChangeResourceRecordSets]. awskit applies the changes in order to a copy of the zone's
record sets and replaces the zone's records only when no change failed. Malformed record sets
fail at once with ``InvalidInput``; problems with the zone's contents are collected and
reported together in one ``InvalidChangeBatch`` (as Route 53 lists them).

Messages quoted from real responses: "Tried to create resource record set [name='...',
type='...'] but it already exists", "... but it was not found", "... but the values provided do
not match the current values", "RRSet with DNS name ... is not permitted in zone ...", "RRSet of
type CNAME with DNS name ... is not permitted at apex in zone ...", "... is not permitted as it
conflicts with other records with the same DNS name in zone ...", "... is not permitted because a
conflicting RRSet of type  CNAME with the same DNS name already exists in zone ...", "RRSet with
DNS name ..., type ..., SetIdentifier ... cannot be created as a non-weighted set exists with
the same name and type.", "... cannot be created as other RRSets exist with the same name and
type.", "... cannot be created as weighted sets must contain the same TTL.", "Tried to create an
alias that targets ..., but the alias target name does not lie within the target zone" / "but
that target was not found", "Expected exactly one of [AliasTarget, all of [TTL, and
ResourceRecords], or TrafficPolicyInstanceId]", "The request contains an invalid set of changes
for a resource record set ...", "A HostedZone must contain exactly one SOA record." and "... at
least one NS record for the zone itself.". Other messages are awskit's wording in that style.

Not simulated (refused with ``InvalidInput`` naming awskit): traffic policy instances, CIDR
(IP-based) routing and geoproximity routing.
"""

from __future__ import annotations

from collections import defaultdict

from . import geo, names
from .codes import change_batch_error, invalid_input
from .model import (CLOUDFRONT_ZONE, MAX_CHANGES, MAX_POLICY_RECORDS, MAX_RRSETS, MAX_VALUES,
                    S3_WEBSITE_ZONES, HostedZone, policy_of, rrset_key, values_of)
from .values import check_values

_ORDER = ["Name", "Type", "SetIdentifier", "Weight", "Region", "GeoLocation", "Failover",
          "MultiValueAnswer", "TTL", "ResourceRecords", "AliasTarget", "HealthCheckId"]
_POLICY_FIELDS = ("Weight", "Region", "GeoLocation", "Failover", "MultiValueAnswer")
_NO_POLICY_TYPES = {"SOA", "NS", "DS"}
_NOT_SIMULATED = {"TrafficPolicyInstanceId": "traffic policy instances",
                  "CidrRoutingConfig": "IP-based (CIDR) routing",
                  "GeoProximityLocation": "geoproximity routing"}


def _where(action: str, given: dict) -> str:
    return (f"Change with [Action={action}, Name={given.get('Name')}, Type={given.get('Type')}, "
            f"SetIdentifier={given.get('SetIdentifier', 'null')}]")


def _label(rrset: dict) -> str:
    extra = f", set-identifier='{rrset['SetIdentifier']}'" if "SetIdentifier" in rrset else ""
    return f"[name='{rrset['Name']}', type='{rrset['Type']}'{extra}]"


def _check_geolocation(geoloc: dict, where: str) -> dict:
    continent, country = geoloc.get("ContinentCode"), geoloc.get("CountryCode")
    subdivision = geoloc.get("SubdivisionCode")
    if (continent is None) == (country is None):
        raise invalid_input(f"Invalid request: a GeoLocation needs exactly one of ContinentCode "
                            f"and CountryCode in {where}")
    if continent is not None and continent not in geo.CONTINENTS:
        raise invalid_input(f"Invalid request: ContinentCode {continent} is not one of "
                            f"{', '.join(geo.CONTINENTS)} in {where}")
    if country is not None and country != "*" and country not in geo.COUNTRY_CONTINENT:
        raise invalid_input(f"Invalid request: CountryCode {country} is not an ISO 3166-1 "
                            f"alpha-2 country code or * in {where}")
    if subdivision is not None and (country in (None, "*") or
                                    (country == "US" and subdivision not in geo.US_STATES)):
        raise invalid_input(f"Invalid request: SubdivisionCode {subdivision} is not a "
                            f"subdivision of {country} in {where}")
    return {k: geoloc[k] for k in ("ContinentCode", "CountryCode", "SubdivisionCode")
            if k in geoloc}


def canonical_rrset(action: str, given: dict) -> dict:
    """The record set as Route 53 stores it, or ``InvalidInput`` for a malformed one."""
    where = _where(action, given)
    for key, what in _NOT_SIMULATED.items():
        if key in given:
            raise invalid_input(f"awskit does not simulate {what} ({key}) in {where}")
    try:
        name = names.canonical(given["Name"])
    except names.BadName as exc:
        raise invalid_input(f"Invalid request: {given['Name']!r} is not a valid domain name "
                            f"({exc}) in {where}") from None
    alias = given.get("AliasTarget")
    plain = "TTL" in given or "ResourceRecords" in given
    if alias is not None and plain or alias is None and not ("TTL" in given and
                                                             "ResourceRecords" in given):
        found = "more than one" if alias is not None and plain else "none"
        raise invalid_input("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, "
                            f"and ResourceRecords], or TrafficPolicyInstanceId], but found "
                            f"{found} in {where}")
    rtype = given["Type"]
    policies = [f for f in _POLICY_FIELDS if f in given]
    if len(policies) > 1:
        raise invalid_input(f"Invalid request: {' and '.join(policies)} cannot be combined (one "
                            f"routing policy per record set) in {where}")
    if policies and "SetIdentifier" not in given:
        raise invalid_input(f"Invalid request: Missing field 'SetIdentifier' in {where}")
    if "SetIdentifier" in given and not policies:
        raise invalid_input(f"Invalid request: a SetIdentifier needs a routing policy (Weight, "
                            f"Region, GeoLocation, Failover or MultiValueAnswer) in {where}")
    if policies and rtype in _NO_POLICY_TYPES:
        raise invalid_input(f"Invalid request: records of type {rtype} use the simple routing "
                            f"policy only, in {where}")
    if "MultiValueAnswer" in given and (alias is not None or rtype == "CNAME"):
        raise invalid_input(f"Invalid request: multivalue answer records cannot be alias or "
                            f"CNAME records, in {where}")
    out = {"Name": name, **{k: given[k] for k in _ORDER[1:] if k in given}}
    if "GeoLocation" in out:
        out["GeoLocation"] = _check_geolocation(given["GeoLocation"], where)
    if alias is not None:
        try:
            target = names.canonical(alias["DNSName"])
        except names.BadName as exc:
            raise invalid_input(f"Invalid request: alias target {alias['DNSName']!r} is not a "
                                f"valid domain name ({exc}) in {where}") from None
        out["AliasTarget"] = {"HostedZoneId": alias["HostedZoneId"].split("/")[-1],
                              "DNSName": target,
                              "EvaluateTargetHealth": alias["EvaluateTargetHealth"]}
    if "ResourceRecords" in out:
        out["ResourceRecords"] = [{"Value": r["Value"]} for r in given["ResourceRecords"]]
    return {k: out[k] for k in _ORDER if k in out}


class BatchApplier:
    """Applies one change batch to a copy of a zone's record sets, collecting problems."""

    def __init__(self, zone: HostedZone, health_check_exists):
        self.zone = zone
        self.records = zone.copy_records()
        self.by_name: dict[str, set] = defaultdict(set)      # name -> keys of its record sets
        for key in self.records:
            self.by_name[key[0]].add(key)
        self.health_check_exists = health_check_exists
        self.problems: list[str] = []
        self.seen: set[tuple] = set()
        self.done: list[str] = []
        self.aliases: list[dict] = []

    def apply(self, changes: list[dict]) -> dict:
        """The zone's record sets after the batch (raise the AWS error if any change fails)."""
        if len(changes) > MAX_CHANGES:
            raise change_batch_error([f"Number of records limit of {MAX_CHANGES} exceeded."])
        prepared = [(c["Action"], canonical_rrset(c["Action"], c["ResourceRecordSet"]))
                    for c in changes]
        for _, rrset in prepared:
            check_id = rrset.get("HealthCheckId")
            if check_id is not None:
                self.health_check_exists(check_id)
        for action, rrset in prepared:
            self._one(action, rrset)
        self._whole_zone()
        if self.problems:
            raise change_batch_error(self.problems)
        return self.records

    # -- one change -------------------------------------------------------------------------
    def _one(self, action: str, rrset: dict) -> None:
        zone, key = self.zone, rrset_key(rrset)
        name, rtype = key[0], key[1]
        if (key, action) in self.seen:
            self.problems.append("The request contains an invalid set of changes for a resource "
                                 f"record set '{rtype} {name}'")
            return
        self.seen.add((key, action))
        if not names.in_zone(name, zone.name):
            self.problems.append(f"RRSet with DNS name {name} is not permitted in zone "
                                 f"{zone.name}")
            return
        existing = self.records.get(key)
        if action == "DELETE":
            if existing is None:
                self.problems.append(f"Tried to delete resource record set {_label(rrset)} but "
                                     "it was not found")
            elif _comparable(existing) != _comparable(rrset):
                self.problems.append(f"Tried to delete resource record set {_label(rrset)} but "
                                     "the values provided do not match the current values")
            else:
                del self.records[key]
                self.by_name[name].discard(key)
                self.done.append(f"delete {rtype} {name}")
            return
        if action == "CREATE" and existing is not None:
            self.problems.append(f"Tried to create resource record set {_label(rrset)} but it "
                                 "already exists")
            return
        problem = self._placement(rrset) or self._group(rrset)
        if problem:
            self.problems.append(problem)
            return
        self.problems.extend(check_values(rtype, values_of(rrset)))
        if len(values_of(rrset)) > MAX_VALUES:
            self.problems.append(f"RRSet with DNS name {name}, type {rtype} has "
                                 f"{len(values_of(rrset))} values; the limit is {MAX_VALUES}.")
        if "AliasTarget" in rrset:
            self.aliases.append(rrset)
        self.records[key] = rrset
        self.by_name[name].add(key)
        self.done.append(f"{'upsert' if action == 'UPSERT' else 'create'} {rtype} {name}")

    def _placement(self, rrset: dict) -> str | None:
        """Apex, wildcard and CNAME rules for a record set being created or replaced."""
        zone, name, rtype = self.zone, rrset["Name"], rrset["Type"]
        if rtype == "CNAME" and name == zone.name:
            return f"RRSet of type CNAME with DNS name {name} is not permitted at apex in zone " \
                   f"{zone.name}"
        if rtype == "SOA" and name != zone.name:
            return f"RRSet of type SOA with DNS name {name} is not permitted: a zone's only SOA " \
                   f"record set is at its apex {zone.name}"
        if rtype == "NS" and names.is_wildcard(name):
            return f"RRSet of type NS with DNS name {name} is not permitted: NS records cannot " \
                   "use the * wildcard"
        others = [self.records[k] for k in self.by_name[name]]
        if rtype == "CNAME" and any(r["Type"] != "CNAME" for r in others):
            return f"RRSet of type CNAME with DNS name {name} is not permitted as it conflicts " \
                   f"with other records with the same DNS name in zone {zone.name}"
        if rtype != "CNAME" and any(r["Type"] == "CNAME" for r in others):
            return f"RRSet of type {rtype} with DNS name {name} is not permitted because a " \
                   f"conflicting RRSet of type  CNAME with the same DNS name already exists in " \
                   f"zone {zone.name}"
        return None

    def _group(self, rrset: dict) -> str | None:
        """Routing-policy rules among the record sets of one name and type."""
        name, rtype = rrset["Name"], rrset["Type"]
        key, policy = rrset_key(rrset), policy_of(rrset)
        group = [self.records[k] for k in self.by_name[name] if k[1] == rtype and k != key]
        if not group:
            return None
        ident = rrset.get("SetIdentifier")
        if policy == "simple":
            return f"RRSet with DNS name {name}, type {rtype} cannot be created as other RRSets " \
                   "exist with the same name and type."
        if any(policy_of(r) != policy for r in group):
            return f"RRSet with DNS name {name}, type {rtype}, SetIdentifier {ident} cannot be " \
                   f"created as a non-{policy} set exists with the same name and type."
        if len(group) + 1 > MAX_POLICY_RECORDS:
            return f"RRSet with DNS name {name}, type {rtype}, SetIdentifier {ident} cannot be " \
                   f"created: at most {MAX_POLICY_RECORDS} {policy} record sets may share a " \
                   "name and type."
        field, clash = _UNIQUE.get(policy, (None, None))
        if field is not None:
            for other in group:
                if other.get(field) == rrset.get(field):
                    return f"RRSet with DNS name {name}, type {rtype}, SetIdentifier {ident} " \
                           f"cannot be created as {clash} " \
                           f"(SetIdentifier {other['SetIdentifier']})."
        if policy == "weighted" and "TTL" in rrset:
            ttls = {r["TTL"] for r in group if "TTL" in r}
            if ttls and ttls != {rrset["TTL"]}:
                return f"RRSet with DNS name {name} and type {rtype}, SetIdentifier {ident} " \
                       "cannot be created as weighted sets must contain the same TTL."
        return None

    # -- the zone after every change ------------------------------------------------------
    def _whole_zone(self) -> None:
        zone = self.zone
        if (zone.name, "SOA", "") not in self.records:
            self.problems.append("A HostedZone must contain exactly one SOA record.")
        if (zone.name, "NS", "") not in self.records:
            self.problems.append("A HostedZone must contain at least one NS record for the "
                                 "zone itself.")
        for rrset in self.aliases:
            if self.records.get(rrset_key(rrset)) is rrset:
                problem = self._alias(rrset)
                if problem:
                    self.problems.append(problem)
        if len(self.records) > MAX_RRSETS and len(self.records) > len(zone.records):
            self.problems.append(f"The hosted zone {zone.name} would hold {len(self.records)} "
                                 f"resource record sets; the limit is {MAX_RRSETS} "
                                 "(MAX_RRSETS_BY_ZONE).")

    def _alias(self, rrset: dict) -> str | None:
        target = rrset["AliasTarget"]
        zone_id, dns, rtype = target["HostedZoneId"], target["DNSName"], rrset["Type"]
        start = f"Tried to create an alias that targets {dns}, type {rtype} in zone {zone_id}"
        outside = f"{start}, but the alias target name does not lie within the target zone"
        if zone_id == self.zone.id:
            if not names.in_zone(dns, self.zone.name):
                return outside
            if not any(k[1] == rtype for k in self.by_name.get(dns, ())):
                return f"{start}, but that target was not found"
            return None
        if zone_id == CLOUDFRONT_ZONE:
            if not dns.endswith(".cloudfront.net."):
                return outside
            if self.zone.private:
                return f"{start}, but a private hosted zone cannot route traffic to a " \
                       "CloudFront distribution"
            if rtype not in ("A", "AAAA"):
                return f"{start}, but a CloudFront alias must be of type A or AAAA"
            return None
        for region, website_zone in S3_WEBSITE_ZONES.items():
            if zone_id == website_zone:
                if dns not in (f"s3-website-{region}.amazonaws.com.",
                               f"s3-website.{region}.amazonaws.com."):
                    return outside
                return None if rtype == "A" else f"{start}, but an S3 website alias must be " \
                                                  "of type A"
        return f"{start}, but that target was not found (awskit simulates alias targets in the " \
               "same hosted zone, CloudFront distributions and S3 website endpoints)"


#: policy -> (the field no two record sets of a group may share, what the message says)
_UNIQUE = {"latency": ("Region", "a latency record set for this Region already exists"),
           "failover": ("Failover", "a failover record set of this role already exists"),
           "geolocation": ("GeoLocation", "a record set for this location already exists")}


def _comparable(rrset: dict) -> dict:
    out = dict(rrset)
    if "ResourceRecords" in out:
        out["ResourceRecords"] = sorted(r["Value"] for r in out["ResourceRecords"])
    return out
