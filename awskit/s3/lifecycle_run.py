"""The lifecycle engine: S3's daily pass over every bucket that has a lifecycle configuration.

What AWS does (S3 User Guide, "Lifecycle configuration elements" and "Transitioning objects
using Amazon S3 Lifecycle"; archived copy awsdocs/amazon-s3-developer-guide
``intro-lifecycle-rules.md``):

- "Amazon S3 calculates the time by adding the number of days specified in the rule to the
  object creation time and rounding the resulting time to the next day midnight UTC": an
  object written 2014-01-15 10:30 with a 3-day rule is eligible on 2014-01-19 00:00 UTC. A
  noncurrent version's days count from when its successor was written. Dates act at their
  midnight.
- Objects are transitioned only along the supported waterfall; objects smaller than 128 KB
  are not transitioned (``TransitionDefaultMinimumObjectSize`` ``all_storage_classes_128K``,
  the default; ``varies_by_storage_class`` lets them go to GLACIER and DEEP_ARCHIVE), unless
  the rule has its own object-size filter.
- When several actions apply: "Permanent deletion takes precedence over transition.
  Transition takes precedence over creation of delete markers. When an object is eligible for
  both a S3 Glacier Flexible Retrieval and S3 Standard-IA (or S3 One Zone-IA) transition,
  Amazon S3 chooses the S3 Glacier Flexible Retrieval transition" (User Guide, "Lifecycle and
  other bucket configurations"); awskit picks the coldest eligible class.
- Expiration of a current version is a DELETE by S3: permanent removal in an unversioned
  bucket, a delete marker in a versioned one; ``NoncurrentVersionExpiration`` removes
  noncurrent versions for good, keeping the ``NewerNoncurrentVersions`` newest ones;
  ``ExpiredObjectDeleteMarker`` removes a delete marker that is the key's only version;
  ``AbortIncompleteMultipartUpload`` aborts uploads started that many days before.
- Billing follows the eligibility date, not the (asynchronous) moment S3 acts.

What we simplify: S3 queues lifecycle work and may act hours or days after an object becomes
eligible; awskit acts in a run at exactly 00:00 UTC each day, so results are deterministic.
Each action is recorded as a trace of its own (service ``s3``, operation ``Lifecycle``, caller
``s3.amazonaws.com``) in ``cloud.traces``.
"""

from __future__ import annotations

import json
import math

from ..trace import Trace
from . import lifecycle_rules as lr
from .model import DM, KEY, LATEST, LM, OID, SCLASS, SIZE, TAGS, VID

DAY = lr.DAY
SMALL = 128 * 1024
LIFECYCLE_PRINCIPAL = "s3.amazonaws.com"


def next_midnight(elapsed: float, strictly_after: bool = True) -> float:
    """The first 00:00 UTC at or after (strictly after) ``elapsed`` clock seconds."""
    from ..clock import _EPOCH_TS
    absolute = _EPOCH_TS + elapsed
    day = math.floor(absolute / DAY) + 1 if strictly_after else math.ceil(absolute / DAY)
    return day * DAY - _EPOCH_TS


def due_after(start: float, days: int) -> float:
    """``start`` + ``days``, rounded up to the next midnight UTC (S3's rule timing)."""
    return next_midnight(start + days * DAY, strictly_after=False)


class LifecycleAction:
    """One lifecycle action in progress: records its steps on a trace, as a request does."""

    def __init__(self, service, bucket, summary: str):
        cloud = service.cloud
        self.cloud = cloud
        self.trace = Trace(cloud.ids.s3_request_id(), "s3", "Lifecycle", cloud.clock.elapsed,
                           "lifecycle", bucket.region)
        self.trace.principal = LIFECYCLE_PRINCIPAL
        self.trace.account = bucket.owner
        self.trace.summary = summary
        self.status = 200

    def step(self, component: str, action: str, ms: float = 0.0, /, substeps=None, **detail):
        self.trace.record(self.cloud.clock, component, action, ms, substeps, detail)

    def done(self) -> None:
        self.cloud.traces.append(self.trace)
        self.cloud.notify(self.trace)


class LifecycleEngine:
    """The daily run; mixed into ``S3`` through ``LifecycleOperations``."""

    # -- scheduling -------------------------------------------------------------------------
    def schedule_lifecycle(self) -> None:
        """Make sure the next daily run (00:00 UTC) is scheduled while any bucket has rules."""
        event = getattr(self, "_lifecycle_event", None)
        if event is not None and not event.cancelled:
            return
        if not any(b.lifecycle for b in self.buckets.values()):
            return
        due = next_midnight(self.cloud.clock.elapsed)
        self._lifecycle_event = self.cloud.clock.schedule_at(due, self._daily_run,
                                                             name="S3 lifecycle run")

    def _daily_run(self) -> None:
        now = self._lifecycle_event.due
        self._lifecycle_event = None
        for name in sorted(self.buckets):
            bucket = self.buckets.get(name)
            if bucket is not None and bucket.lifecycle:
                self.run_lifecycle(bucket, now)
        self.pricing.accrue_all()
        self.schedule_lifecycle()

    # -- one bucket -------------------------------------------------------------------------
    def run_lifecycle(self, bucket, now: float) -> None:
        """Apply the bucket's enabled rules as of ``now`` (a midnight on the clock)."""
        config = bucket.lifecycle
        rules = [r for r in config["Rules"] if r["Status"] == "Enabled"]
        if not rules:
            return
        rows = self.meta.db.execute(
            "SELECT object_name FROM object WHERE bucket_id = ? GROUP BY object_name "
            "ORDER BY object_name", (bucket.bucket_id,)).fetchall()
        for (key,) in rows:
            self._lifecycle_key(bucket, key, rules, config, now)
        self._abort_uploads(bucket, rules, now)

    def _lifecycle_key(self, bucket, key: str, rules: list, config: dict, now: float) -> None:
        versions = self.meta.versions_of(bucket.bucket_id, key)          # newest first
        if not versions:
            return
        if bucket.ever_versioned:
            self._noncurrent(bucket, key, versions, rules, now)
            versions = self.meta.versions_of(bucket.bucket_id, key)
            if not versions:
                return
        current = versions[0]
        if not current[LATEST]:
            return
        tags = {t["Key"]: t["Value"] for t in json.loads(current[TAGS] or "[]")}
        chosen = [r for r in rules if lr.matches(r, key, current[SIZE], tags, bool(current[DM]))]
        if not chosen:
            return
        if current[DM]:
            if len(versions) == 1 and any((r.get("Expiration") or {}).get(
                    "ExpiredObjectDeleteMarker") for r in chosen):
                act = LifecycleAction(self, bucket, f"Lifecycle: remove expired delete marker "
                                      f"{bucket.name}/{key}")
                act.step("Lifecycle", f"{key}: its delete marker is the only version left "
                         "(ExpiredObjectDeleteMarker): remove it", 0.5, key=key)
                self.delete_key(act, bucket, key, current[VID])
                act.done()
            return
        expire = self._expiration_due(current, chosen, now)
        target = self._transition_due(current, chosen, config, now)
        if expire is not None and (bucket.versioning is None or target is None):
            self._expire_current(bucket, key, current, expire, now)
        elif target is not None:
            self._transition(bucket, current, target[0], target[1], now)

    def _expiration_due(self, row, rules, now):
        for rule in rules:
            exp = rule.get("Expiration") or {}
            if exp.get("Days") is not None and due_after(row[LM], exp["Days"]) <= now:
                return rule
            if exp.get("Date") is not None and exp["Date"] <= now:
                return rule
        return None

    def _transition_due(self, row, rules, config, now, field="Days", since=None, rank=0):
        """(rule, storage class) of the coldest transition due for this version, or None.

        For a noncurrent version, ``since`` is when it became noncurrent and ``rank`` how many
        newer noncurrent versions it has (``NewerNoncurrentVersions`` keeps that many).
        """
        current, size = row[SCLASS], row[SIZE]
        best = None
        start = row[LM] if since is None else since
        for rule in rules:
            for t in rule.get("Transitions" if since is None else "NoncurrentVersionTransitions",
                              ()):
                cls = t["StorageClass"]
                if cls not in lr.ALLOWED.get(current, ()):
                    continue
                if rank < t.get("NewerNoncurrentVersions", 0):
                    continue
                when = t["Date"] if t.get("Date") is not None else due_after(start, t[field])
                if when > now or not self._size_allows(size, cls, rule, config):
                    continue
                if best is None or lr.RANK[cls] > lr.RANK[best[1]]:
                    best = (rule, cls)
        return best

    @staticmethod
    def _size_allows(size: int, cls: str, rule: dict, config: dict) -> bool:
        if size >= SMALL or lr.has_size_filter(rule):
            return True
        if config.get("TransitionDefaultMinimumObjectSize") == "varies_by_storage_class":
            return cls in lr.ARCHIVE_CLASSES
        return False

    # -- actions ----------------------------------------------------------------------------
    def _expire_current(self, bucket, key, row, rule, now) -> None:
        kind = "delete marker" if bucket.versioning else "permanent delete"
        act = LifecycleAction(self, bucket, f"Lifecycle: expire {bucket.name}/{key} ({kind})")
        act.step("Lifecycle", f"Rule '{rule['ID']}': {key} has expired; S3 deletes it "
                 + ("(versioned bucket: a delete marker becomes current)" if bucket.versioning
                    else "for good"), 0.5, rule=rule["ID"], key=key)
        self.delete_key(act, bucket, key, None)
        if not bucket.versioning:
            act.step("Data store", f"Free the bytes of UUID {row[OID]}", 0.5, uuid=row[OID])
        act.done()

    def _transition(self, bucket, row, rule, cls, now, noncurrent=False) -> None:
        key, old = row[KEY], row[SCLASS]
        what = f"{key} (noncurrent version {row[VID]})" if noncurrent else key
        act = LifecycleAction(self, bucket, f"Lifecycle: transition {bucket.name}/{what} "
                              f"{old} → {cls}")
        act.step("Lifecycle", f"Rule '{rule['ID']}': {what} is due to move from {old} to {cls}",
                 0.5, rule=rule["ID"], key=key, storage_class=cls)
        self.meta.update_object(row[OID], storage_class=cls, transitioned=now)
        act.step("Metadata DB", f"Update the row of {what}: storage_class {old} → {cls}", 2.0,
                 table="object", object_id=row[OID], storage_class=cls)
        self.pricing.transition(bucket.owner, bucket.region, old, cls, row[SIZE], row, now)
        act.done()

    def _noncurrent(self, bucket, key, versions, rules, now) -> None:
        """Noncurrent expirations (permanent) and transitions, oldest first."""
        noncurrent = []
        for i, row in enumerate(versions[1:], start=1):
            noncurrent.append((i - 1, row, versions[i - 1][LM]))   # (rank, row, since)
        for rank, row, since in reversed(noncurrent):
            tags = {t["Key"]: t["Value"] for t in json.loads(row[TAGS] or "[]")}
            chosen = [r for r in rules if lr.matches(r, key, row[SIZE], tags, bool(row[DM]))]
            expiring = None
            for rule in chosen:
                nve = rule.get("NoncurrentVersionExpiration")
                if nve is None or due_after(since, nve["NoncurrentDays"]) > now:
                    continue
                if rank < nve.get("NewerNoncurrentVersions", 0):
                    continue
                expiring = rule
                break
            if expiring is not None:
                act = LifecycleAction(self, bucket, f"Lifecycle: expire noncurrent "
                                      f"{bucket.name}/{key} version {row[VID]}")
                act.step("Lifecycle", f"Rule '{expiring['ID']}': version {row[VID]} of {key} has "
                         "been noncurrent long enough; delete it permanently", 0.5,
                         rule=expiring["ID"], key=key, version_id=row[VID])
                self.delete_key(act, bucket, key, row[VID])
                if not row[DM]:
                    act.step("Data store", f"Free the bytes of UUID {row[OID]}", 0.5,
                             uuid=row[OID])
                act.done()
                continue
            if row[DM]:
                continue
            target = self._transition_due(row, chosen, bucket.lifecycle, now,
                                          field="NoncurrentDays", since=since, rank=rank)
            if target is not None:
                self._transition(bucket, row, target[0], target[1], now, noncurrent=True)

    def _abort_uploads(self, bucket, rules, now) -> None:
        uploads = self.meta.db.execute(
            "SELECT upload_id, object_name, initiated_s FROM multipart_upload "
            "WHERE bucket_id = ? ORDER BY initiated_s, upload_id", (bucket.bucket_id,)).fetchall()
        for upload_id, key, initiated in uploads:
            for rule in rules:
                abort = rule.get("AbortIncompleteMultipartUpload")
                if abort is None or not lr.matches(rule, key, 0, {}, False):
                    continue
                if due_after(initiated, abort["DaysAfterInitiation"]) > now:
                    continue
                act = LifecycleAction(self, bucket, f"Lifecycle: abort multipart upload of "
                                      f"{bucket.name}/{key}")
                act.step("Lifecycle", f"Rule '{rule['ID']}': the multipart upload of {key} "
                         f"started {abort['DaysAfterInitiation']} day(s) ago is incomplete: "
                         "abort it", 0.5, rule=rule["ID"], key=key, upload_id=upload_id)
                self.drop_upload(bucket, upload_id)
                act.step("Metadata DB", "Delete the multipart_upload row and its part rows", 2.0,
                         table="multipart_upload", upload_id=upload_id)
                act.step("Data store", "Free the bytes of the uploaded parts", 0.5)
                act.done()
                break
