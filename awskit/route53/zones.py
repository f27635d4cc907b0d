"""Hosted zones and their VPCs: create, read, list, delete, associate.

What Route 53 does [BC route53 operations; facts]:

- CreateHostedZone makes a public zone (four name servers, NS and SOA record sets) or, given a
  VPC, a private zone answering only inside its VPCs. You cannot make a zone for a top-level
  domain. ``CallerReference`` makes the call idempotent per account: reusing one is
  ``HostedZoneAlreadyExists``. Several zones may share a name (each gets its own name servers);
  two private zones of one name cannot share a VPC (``ConflictingDomainExists``). Quota: 500
  zones per account (``TooManyHostedZones``).
- A private zone's VPC must exist and belong to the caller's account: awskit asks EC2 through the
  contract ``cloud.ec2.vpc(region, vpc_id)``; while EC2 is not simulated every VPC is unknown
  (``InvalidVPCId``). Cross-account associations (CreateVPCAssociationAuthorization) are not
  simulated: a VPC of another account is ``NotAuthorizedException``.
- DeleteHostedZone refuses a zone holding anything but its apex NS and SOA record sets
  (``HostedZoneNotEmpty``); a private zone keeps at least one VPC (``LastVPCAssociation``).
- ListHostedZones pages by zone id (awskit lists in creation order; AWS does not document its
  order); ListHostedZonesByName sorts by name with labels reversed, then by id. Both return at
  most 100 zones per page.
- Reusable delegation sets are not simulated: any ``DelegationSetId`` is ``NoSuchDelegationSet``.
"""

from __future__ import annotations

from ..service import Request, operation
from . import names
from .codes import invalid_input, r53_error
from .model import (ENDPOINT, MAX_HEALTH_CHECKS, MAX_RRSETS, MAX_VPCS, MAX_ZONES,
                    PRIVATE_NAME_SERVERS, HostedZone, new_id, new_name_servers, rrset_key)

#: GetAccountLimit values: the two awskit enforces, and the 2023 documented defaults of the
#: resources it does not simulate (their counts are 0)
ACCOUNT_LIMITS = {"MAX_HOSTED_ZONES_BY_OWNER": MAX_ZONES,
                  "MAX_HEALTH_CHECKS_BY_OWNER": MAX_HEALTH_CHECKS,
                  "MAX_REUSABLE_DELEGATION_SETS_BY_OWNER": 100,
                  "MAX_TRAFFIC_POLICIES_BY_OWNER": 50,
                  "MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER": 5}


def page_size(value, default: int = 100, cap: int | None = None) -> int:
    """A ``MaxItems`` string as a page size: ``default`` when absent, at most ``cap`` (values
    above the cap give the cap, as Route 53 does)."""
    if value is None:
        return default
    if not str(value).isdigit() or int(value) < 1:
        raise invalid_input(f"Invalid request: MaxItems must be a positive integer, not {value!r}")
    return min(int(value), cap or default)


def marker_page(items: list, marker, max_items, what: str, cap: int = 100) -> tuple[list, dict]:
    """One page of ``items`` (objects with an ``id``) starting at ``marker``, and the paging
    members of the answer (Marker, IsTruncated, NextMarker, MaxItems)."""
    limit = page_size(max_items, 100, cap)
    if marker is not None:
        ids = [item.id for item in items]
        if marker not in ids:
            raise invalid_input(f"Invalid request: the marker {marker} is not a {what} of this "
                                "listing")
        items = items[ids.index(marker):]
    out = {"Marker": marker or "", "IsTruncated": len(items) > limit,
           "MaxItems": str(max_items or 100)}
    if len(items) > limit:
        out["NextMarker"] = items[limit].id
    return items[:limit], out


class ZoneOperations:
    """CreateHostedZone ... DisassociateVPCFromHostedZone (mixed into ``Route53``)."""

    def _vpc_checked(self, req: Request, vpc: dict | None) -> tuple[str, str]:
        """(region, vpc id) of a request's VPC, once EC2 knows it as the caller's."""
        if not vpc or "VPCId" not in vpc or "VPCRegion" not in vpc:
            raise invalid_input("Invalid request: a VPC needs both VPCId and VPCRegion")
        req.authorize("ec2:DescribeVpcs", "*")
        region, vpc_id = vpc["VPCRegion"], vpc["VPCId"]
        found = self.vpc(region, vpc_id)
        req.step("Route 53 control plane", f"Ask EC2 for VPC {vpc_id} in {region}: "
                 f"{'found' if found is not None else 'not found'}", 2.0)
        if found is None:
            raise r53_error("InvalidVPCId", f"The VPC ID '{vpc_id}' is not valid in "
                                            f"{region}: EC2 has no such VPC.")
        owner = getattr(found, "owner_id", None) or getattr(found, "account", None)
        if owner is not None and owner != req.account:
            raise r53_error("NotAuthorizedException", f"Associating VPC {vpc_id} of account "
                            f"{owner} with a hosted zone of {req.account} has not been "
                            "authorized (CreateVPCAssociationAuthorization).")
        return region, vpc_id

    def _vpc_conflict(self, zone_name: str, region: str, vpc_id: str):
        for other in self.zones.values():
            if other.private and other.name == zone_name and (region, vpc_id) in other.vpcs:
                raise r53_error("ConflictingDomainExists", f"The VPC {vpc_id} in region "
                                f"{region} has already been associated with the hosted zone "
                                f"{other.id} with the same domain name.")

    def _zone_answer(self, zone: HostedZone) -> dict:
        out = {"HostedZone": zone.shape()}
        if zone.private:
            out["VPCs"] = [{"VPCRegion": r, "VPCId": v} for r, v in zone.vpcs]
        else:
            out["DelegationSet"] = {"NameServers": list(zone.name_servers)}
        return out

    @operation
    def create_hosted_zone(self, req: Request, Name: str, CallerReference: str, VPC=None,
                           HostedZoneConfig=None, DelegationSetId=None):
        req.authorize("route53:CreateHostedZone", "*")
        try:
            name = names.canonical(Name)
        except names.BadName:
            raise r53_error("InvalidDomainName", f"{Name} is not a valid domain name.") from None
        if len(names.split(name)) < 2:
            raise r53_error("InvalidDomainName", f"{Name} is a top-level domain: you can't "
                                                 "create a hosted zone for a TLD.")
        config = HostedZoneConfig or {}
        if config.get("PrivateZone") and VPC is None:
            raise invalid_input("Invalid request: a private hosted zone needs a VPC")
        if DelegationSetId is not None:
            raise r53_error("NoSuchDelegationSet", f"A reusable delegation set with the ID "
                                                   f"{DelegationSetId} does not exist.")
        account = req.account
        if (account, CallerReference) in self.zone_refs:
            raise r53_error("HostedZoneAlreadyExists", "A hosted zone has already been created "
                                                       "with the specified caller reference.")
        if sum(z.account == account for z in self.zones.values()) >= MAX_ZONES:
            raise r53_error("TooManyHostedZones", f"Limits Exceeded: MAX_HOSTED_ZONES_BY_OWNER "
                                                  f"is {MAX_ZONES}.")
        vpc = None
        if VPC is not None:
            vpc = self._vpc_checked(req, VPC)
            self._vpc_conflict(name, *vpc)
        ids = self.cloud.ids
        zone_id = new_id(ids, "Z")
        while zone_id in self.zones:
            zone_id = new_id(ids, "Z")
        zone = HostedZone(zone_id, name, account, CallerReference, self.cloud.clock.elapsed,
                          private=vpc is not None, comment=config.get("Comment"),
                          name_servers=[] if vpc else new_name_servers(ids),
                          vpcs=[vpc] if vpc else [])
        for rrset in zone.default_records():
            zone.records[rrset_key(rrset)] = rrset
        self.zones[zone_id] = zone
        self.zone_refs[(account, CallerReference)] = zone_id
        change = self.new_change(req)
        kind = f"private zone for {vpc[1]} ({vpc[0]})" if vpc else \
            "public zone on " + ", ".join(zone.name_servers)
        req.step("Route 53 control plane", f"Create {kind}: {name} ({zone_id}) with its NS and "
                 "SOA record sets", 5.0, zone=zone.arn)
        req.step("Authoritative name server", f"Change {change.id}: PENDING until the zone "
                 "reaches every Route 53 name server", 1.0)
        req.status = 201
        out = {"HostedZone": zone.shape(), "ChangeInfo": change.shape(self.cloud.clock.elapsed),
               "DelegationSet": {"NameServers": list(zone.name_servers or PRIVATE_NAME_SERVERS)},
               "Location": f"{ENDPOINT}/hostedzone/{zone_id}"}
        if vpc:
            out["VPC"] = {"VPCRegion": vpc[0], "VPCId": vpc[1]}
        return out

    @operation
    def get_hosted_zone(self, req: Request, Id: str):
        zone = self.zone_for(req, Id, "GetHostedZone")
        req.step("Route 53 control plane", f"Read hosted zone {zone.name} ({Id})", 1.0)
        return self._zone_answer(zone)

    @operation
    def get_hosted_zone_count(self, req: Request):
        return {"HostedZoneCount": self.count_owned(req, "GetHostedZoneCount",
                                                    self.zones.values(), "hosted zones")}

    @operation
    def list_hosted_zones(self, req: Request, Marker=None, MaxItems=None, DelegationSetId=None,
                          HostedZoneType=None):
        req.authorize("route53:ListHostedZones", "*")
        if DelegationSetId is not None:
            raise r53_error("NoSuchDelegationSet", f"A reusable delegation set with the ID "
                                                   f"{DelegationSetId} does not exist.")
        zones = [z for z in self.zones.values() if z.account == req.account and
                 (HostedZoneType is None or z.private)]
        page, out = marker_page(zones, Marker, MaxItems, "hosted zone")
        req.step("Route 53 control plane", f"List hosted zones of {req.account}: {len(page)}",
                 1.0)
        return {"HostedZones": [z.shape() for z in page], **out}

    @operation
    def list_hosted_zones_by_name(self, req: Request, DNSName=None, HostedZoneId=None,
                                  MaxItems=None):
        req.authorize("route53:ListHostedZonesByName", "*")
        if HostedZoneId is not None and DNSName is None:
            raise invalid_input("Invalid request: HostedZoneId needs DNSName")
        limit = page_size(MaxItems)
        zones = sorted((z for z in self.zones.values() if z.account == req.account),
                       key=lambda z: (names.sort_key(z.name), z.id))
        if DNSName is not None:
            try:
                start = (names.sort_key(names.canonical(DNSName)), HostedZoneId or "")
            except names.BadName:
                raise r53_error("InvalidDomainName", f"{DNSName} is not a valid domain "
                                                     "name.") from None
            zones = [z for z in zones if (names.sort_key(z.name), z.id) >= start]
        page = zones[:limit]
        req.step("Route 53 control plane", f"List hosted zones of {req.account} by name: "
                 f"{len(page)}", 1.0)
        out = {"HostedZones": [z.shape() for z in page], "IsTruncated": len(zones) > limit,
               "MaxItems": str(MaxItems or 100)}
        if DNSName is not None:
            out["DNSName"] = DNSName
        if HostedZoneId is not None:
            out["HostedZoneId"] = HostedZoneId
        if len(zones) > limit:
            out["NextDNSName"], out["NextHostedZoneId"] = zones[limit].name, zones[limit].id
        return out

    @operation("ListHostedZonesByVPC")
    def list_hosted_zones_by_vpc(self, req: Request, VPCId: str, VPCRegion: str, MaxItems=None,
                                 NextToken=None):
        req.authorize("route53:ListHostedZonesByVPC", "*")
        limit = page_size(MaxItems)
        zones = [z for z in self.zones.values() if (VPCRegion, VPCId) in z.vpcs]
        start = 0
        if NextToken is not None:
            ids = [z.id for z in zones]
            if NextToken not in ids:
                raise r53_error("InvalidPaginationToken", "The value that you specified for "
                                                          "NextToken is not valid.")
            start = ids.index(NextToken)
        page = zones[start:start + limit]
        req.step("Route 53 control plane", f"Private zones associated with {VPCId}: "
                 f"{len(page)}", 1.0)
        out = {"HostedZoneSummaries": [{"HostedZoneId": z.id, "Name": z.name,
                                        "Owner": {"OwningAccount": z.account}} for z in page],
               "MaxItems": str(MaxItems or 100)}
        if start + limit < len(zones):
            out["NextToken"] = zones[start + limit].id
        return out

    @operation
    def update_hosted_zone_comment(self, req: Request, Id: str, Comment=None):
        zone = self.zone_for(req, Id, "UpdateHostedZoneComment")
        zone.comment = Comment
        req.step("Route 53 control plane", f"Set the comment of {zone.name} ({Id})", 2.0)
        return {"HostedZone": zone.shape()}

    @operation
    def delete_hosted_zone(self, req: Request, Id: str):
        zone = self.zone_for(req, Id, "DeleteHostedZone")
        extra = [k for k in zone.records if not (k[0] == zone.name and k[1] in ("NS", "SOA"))]
        if extra:
            raise r53_error("HostedZoneNotEmpty", "The specified hosted zone contains "
                                                  "non-required resource record sets and so "
                                                  "cannot be deleted.")
        del self.zones[Id]
        change = self.new_change(req)
        req.step("Route 53 control plane", f"Delete hosted zone {zone.name} ({Id})", 3.0,
                 zone=zone.arn)
        return {"ChangeInfo": change.shape(self.cloud.clock.elapsed)}

    # -- VPCs -------------------------------------------------------------------------------
    @operation("AssociateVPCWithHostedZone")
    def associate_vpc_with_hosted_zone(self, req: Request, HostedZoneId: str, VPC: dict,
                                       Comment=None):
        zone = self.zone_for(req, HostedZoneId, "AssociateVPCWithHostedZone")
        if not zone.private:
            raise r53_error("PublicZoneVPCAssociation")
        region, vpc_id = self._vpc_checked(req, VPC)
        self._vpc_conflict(zone.name, region, vpc_id)
        if len(zone.vpcs) >= MAX_VPCS:
            raise r53_error("LimitsExceeded", f"Limits Exceeded: MAX_VPCS_ASSOCIATED_BY_ZONE is "
                                              f"{MAX_VPCS}.")
        zone.vpcs.append((region, vpc_id))
        change = self.new_change(req, Comment)
        req.step("Route 53 control plane", f"Associate {vpc_id} ({region}) with private zone "
                 f"{zone.name}", 3.0, zone=zone.arn)
        return {"ChangeInfo": change.shape(self.cloud.clock.elapsed)}

    @operation("DisassociateVPCFromHostedZone")
    def disassociate_vpc_from_hosted_zone(self, req: Request, HostedZoneId: str, VPC: dict,
                                          Comment=None):
        zone = self.zone_for(req, HostedZoneId, "DisassociateVPCFromHostedZone")
        key = (VPC.get("VPCRegion"), VPC.get("VPCId"))
        if key not in zone.vpcs:
            raise r53_error("VPCAssociationNotFound", f"The specified VPC {key[1]} and hosted "
                                                      f"zone {zone.id} are not currently "
                                                      "associated.")
        if len(zone.vpcs) == 1:
            raise r53_error("LastVPCAssociation")
        zone.vpcs.remove(key)
        change = self.new_change(req, Comment)
        req.step("Route 53 control plane", f"Disassociate {key[1]} ({key[0]}) from private zone "
                 f"{zone.name}", 3.0, zone=zone.arn)
        return {"ChangeInfo": change.shape(self.cloud.clock.elapsed)}

    # -- limits -----------------------------------------------------------------------------
    @operation
    def get_hosted_zone_limit(self, req: Request, Type: str, HostedZoneId: str):
        zone = self.zone_for(req, HostedZoneId, "GetHostedZoneLimit")
        if Type == "MAX_VPCS_ASSOCIATED_BY_ZONE":
            if not zone.private:
                raise r53_error("HostedZoneNotPrivate")
            value, count = MAX_VPCS, len(zone.vpcs)
        else:
            value, count = MAX_RRSETS, len(zone.records)
        req.step("Route 53 control plane", f"{Type} of {zone.name}: {count} of {value}", 1.0)
        return {"Limit": {"Type": Type, "Value": value}, "Count": count}

    @operation
    def get_account_limit(self, req: Request, Type: str):
        req.authorize("route53:GetAccountLimit", "*")
        if Type not in ACCOUNT_LIMITS:
            raise invalid_input(f"Invalid request: unknown account limit type {Type}")
        count = 0
        if Type == "MAX_HOSTED_ZONES_BY_OWNER":
            count = sum(z.account == req.account for z in self.zones.values())
        elif Type == "MAX_HEALTH_CHECKS_BY_OWNER":
            count = sum(c.account == req.account for c in self.health_checks.values())
        req.step("Route 53 control plane", f"{Type} of {req.account}: {count} of "
                 f"{ACCOUNT_LIMITS[Type]}", 1.0)
        return {"Limit": {"Type": Type, "Value": ACCOUNT_LIMITS[Type]}, "Count": count}
