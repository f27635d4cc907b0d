"""Record sets: ChangeResourceRecordSets and ListResourceRecordSets.

- ChangeResourceRecordSets applies a batch of CREATE / DELETE / UPSERT changes all or nothing
  (rules in ``changes.py``) and answers a ChangeInfo that is ``PENDING`` for 60 simulated
  seconds, then ``INSYNC``. awskit's name servers answer with the new records at once (Route
  53's answer may lag the change by up to the propagation time; awskit does not model that
  window). IAM sees the batch's record names (lower case, no trailing dot), types and actions
  as the condition keys ``route53:ChangeResourceRecordSetsNormalizedRecordNames``,
  ``...RecordTypes`` and ``...Actions``.
- ListResourceRecordSets sorts by name with the labels reversed (``com.example.www.``), then
  by type, then (awskit) by set identifier, and pages up to 300 record sets at a time with
  ``NextRecordName`` / ``NextRecordType`` / ``NextRecordIdentifier`` [BC
  route53:ListResourceRecordSets].
"""

from __future__ import annotations

import copy

from ..service import Request, operation
from . import names
from .changes import BatchApplier
from .codes import invalid_input, no_health_check
from .zones import page_size


def _condition_keys(changes: list[dict]) -> dict:
    record_names, types, actions = [], [], []
    for change in changes:
        rrset = change.get("ResourceRecordSet", {})
        try:
            record_names.append(names.display(names.canonical(rrset.get("Name", "")))[:-1])
        except names.BadName:
            pass
        types.append(rrset.get("Type", ""))
        actions.append(change.get("Action", ""))
    return {"route53:ChangeResourceRecordSetsNormalizedRecordNames": sorted(set(record_names)),
            "route53:ChangeResourceRecordSetsRecordTypes": sorted(set(types)),
            "route53:ChangeResourceRecordSetsActions": sorted(set(actions))}


def _order(key: tuple[str, str, str]) -> tuple[str, str, str]:
    return names.sort_key(key[0]), key[1], key[2]


class RecordOperations:
    """ChangeResourceRecordSets, ListResourceRecordSets (mixed into ``Route53``)."""

    @operation
    def change_resource_record_sets(self, req: Request, HostedZoneId: str, ChangeBatch: dict):
        changes = ChangeBatch["Changes"]
        zone = self.zone_for(req, HostedZoneId, "ChangeResourceRecordSets",
                             keys=_condition_keys(changes))
        if not changes:
            raise invalid_input("Invalid request: a change batch holds at least one change")

        def health_check_exists(check_id: str) -> None:
            check = self.health_checks.get(check_id)
            if check is None or check.account != req.account:
                raise no_health_check(check_id)

        applier = BatchApplier(zone, health_check_exists)
        records = applier.apply(changes)
        zone.records = records
        change = self.new_change(req, ChangeBatch.get("Comment"))
        req.step("Route 53 control plane", f"Apply {len(changes)} change(s) to {zone.name} all "
                 f"or nothing: {'; '.join(applier.done)}", 4.0, zone=zone.arn,
                 record_sets=len(records))
        req.step("Authoritative name server", f"Change {change.id}: PENDING until every Route "
                 "53 name server has it (about 60 s), then INSYNC", 1.0)
        return {"ChangeInfo": change.shape(self.cloud.clock.elapsed)}

    @operation
    def list_resource_record_sets(self, req: Request, HostedZoneId: str, StartRecordName=None,
                                  StartRecordType=None, StartRecordIdentifier=None,
                                  MaxItems=None):
        zone = self.zone_for(req, HostedZoneId, "ListResourceRecordSets")
        if StartRecordType is not None and StartRecordName is None:
            raise invalid_input("The input is not valid: StartRecordType requires "
                                "StartRecordName.")
        if StartRecordIdentifier is not None and StartRecordType is None:
            raise invalid_input("The input is not valid: StartRecordIdentifier requires "
                                "StartRecordName and StartRecordType.")
        limit = page_size(MaxItems, 300)
        keys = sorted(zone.records, key=_order)
        if StartRecordName is not None:
            try:
                start_name = names.canonical(StartRecordName)
            except names.BadName:
                raise invalid_input(f"The input is not valid: {StartRecordName} is not a "
                                    "domain name.") from None
            start = (names.sort_key(start_name), StartRecordType or "",
                     StartRecordIdentifier or "")
            keys = [k for k in keys if _order(k) >= start]
        page = keys[:limit]
        req.step("Route 53 control plane", f"List record sets of {zone.name}: {len(page)} of "
                 f"{len(zone.records)}", 1.0 + len(page) / 100)
        out = {"ResourceRecordSets": [copy.deepcopy(zone.records[k]) for k in page],
               "IsTruncated": len(keys) > limit, "MaxItems": str(MaxItems or 300)}
        if len(keys) > limit:
            name, rtype, ident = keys[limit]
            out["NextRecordName"], out["NextRecordType"] = name, rtype
            if ident:
                out["NextRecordIdentifier"] = ident
        return out
