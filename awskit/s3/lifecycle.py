"""Lifecycle configuration (Put/Get/DeleteBucketLifecycleConfiguration), the daily lifecycle
run on the simulated clock (``lifecycle_run.py``), and restoring archived objects.

Restores (botocore 1.43.11 ``RestoreObject`` docs; facts B6): objects in GLACIER (Flexible
Retrieval) and DEEP_ARCHIVE answer GET with 403 ``InvalidObjectState`` until a temporary copy
is restored. ``RestoreObject`` answers 202 when it starts a restore, 200 when the copy is
already there (it then only moves the expiry), and 409 ``RestoreAlreadyInProgress`` while a
restore runs. HEAD and GET report ``x-amz-restore``: ``ongoing-request="true"`` while it runs,
``ongoing-request="false", expiry-date="<HTTP date>"`` once the copy exists. The copy expires
"by adding the number of days specified in the restoration request to the current time and
rounding the resulting time to the next day midnight UTC" (archived S3 Developer Guide,
``restoring-objects.md``); awskit counts the days from the moment the copy is ready.

Restore times are documented as ranges ("typically"); awskit picks the upper end of each, so
runs are deterministic: GLACIER Expedited 5 minutes, Standard 5 hours, Bulk 12 hours;
DEEP_ARCHIVE Standard 12 hours, Bulk 48 hours. Expedited is not available for DEEP_ARCHIVE.
Simplified: provisioned capacity, restore speed upgrades and SELECT restores are not
modelled; a restored copy whose object is deleted is still billed until it expires.
"""

from __future__ import annotations

import email.utils

from .. import errors
from ..service import Request, operation
from . import lifecycle_rules as lr
from .lifecycle_run import LifecycleEngine, due_after
from .model import OID, SCLASS, SIZE, VID

ARCHIVED = ("GLACIER", "DEEP_ARCHIVE")
RESTORE_SECONDS = {("GLACIER", "Expedited"): 5 * 60, ("GLACIER", "Standard"): 5 * 3600,
                   ("GLACIER", "Bulk"): 12 * 3600, ("DEEP_ARCHIVE", "Standard"): 12 * 3600,
                   ("DEEP_ARCHIVE", "Bulk"): 48 * 3600}
TIERS = ("Standard", "Bulk", "Expedited")
errors.define("RestoreAlreadyInProgress", 409, "Object restore is already in progress")


class LifecycleOperations(LifecycleEngine):
    """Mixed into ``awskit.s3.api.S3``."""

    # -- configuration ----------------------------------------------------------------------
    @operation
    def put_bucket_lifecycle_configuration(self, req: Request, Bucket: str,
                                           LifecycleConfiguration: dict | None = None,
                                           ExpectedBucketOwner=None,
                                           TransitionDefaultMinimumObjectSize: str | None = None,
                                           **_):
        bucket = self._config_bucket(req, Bucket, "s3:PutLifecycleConfiguration",
                                     ExpectedBucketOwner)
        if LifecycleConfiguration is None:
            raise errors.MalformedXML()
        config = lr.validate(LifecycleConfiguration, TransitionDefaultMinimumObjectSize,
                             lambda: lr.rule_id(self.cloud.ids))
        bucket.lifecycle = config
        enabled = sum(1 for r in config["Rules"] if r["Status"] == "Enabled")
        req.step("Metadata DB", f"Store the lifecycle configuration of {Bucket}: "
                 f"{len(config['Rules'])} rule(s), {enabled} enabled", 2.0, table="bucket")
        self.schedule_lifecycle()
        return {"TransitionDefaultMinimumObjectSize":
                config["TransitionDefaultMinimumObjectSize"]}

    @operation
    def get_bucket_lifecycle_configuration(self, req: Request, Bucket: str,
                                           ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:GetLifecycleConfiguration",
                                     ExpectedBucketOwner)
        if not bucket.lifecycle:
            raise errors.NoSuchLifecycleConfiguration(BucketName=Bucket)
        req.step("Metadata DB", f"Read the lifecycle configuration of {Bucket}", 1.0)
        return {"Rules": [lr.to_api(r) for r in bucket.lifecycle["Rules"]],
                "TransitionDefaultMinimumObjectSize":
                    bucket.lifecycle["TransitionDefaultMinimumObjectSize"]}

    @operation
    def delete_bucket_lifecycle(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self._config_bucket(req, Bucket, "s3:PutLifecycleConfiguration",
                                     ExpectedBucketOwner)
        bucket.lifecycle = None
        req.step("Metadata DB", f"Delete the lifecycle configuration of {Bucket}", 2.0,
                 table="bucket")
        req.status = 204
        return {}

    # -- restores ---------------------------------------------------------------------------
    @operation
    def restore_object(self, req: Request, Bucket: str, Key: str, VersionId: str | None = None,
                       RestoreRequest: dict | None = None, ExpectedBucketOwner=None, **_):
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:RestoreObject", bucket, Key)
        check_owner(bucket, ExpectedBucketOwner)
        request = RestoreRequest or {}
        row = self._resolve_version(req, bucket, Key, VersionId)
        cls = row[SCLASS]
        if cls not in ARCHIVED:
            raise errors.InvalidObjectState(StorageClass=cls)
        days = request.get("Days")
        if days is None:                                        # wording unconfirmed
            raise errors.MalformedXML()
        if days < 1:                                            # wording unconfirmed
            raise errors.InvalidArgument("Days must be greater than 0", ArgumentName="Days",
                                         ArgumentValue=str(days))
        tier = (request.get("GlacierJobParameters") or {}).get("Tier") or \
            request.get("Tier") or "Standard"
        if (cls, tier) not in RESTORE_SECONDS:                  # wording unconfirmed
            raise errors.InvalidArgument(f"{tier} retrievals are not available for objects in "
                                         f"the {cls} storage class", ArgumentName="Tier",
                                         ArgumentValue=tier)
        now = self.cloud.clock.elapsed
        state = self.restores.get(row[OID])
        if state is not None and state["ready"] > now:
            raise errors.RestoreAlreadyInProgress()
        if state is not None:
            state["days"] = days
            state["expires"] = due_after(now, days)
            self._schedule_restore(row[OID])
            req.step("Metadata DB", f"{Key} is already restored: its copy now expires "
                     f"{self.cloud.clock.at(state['expires']):%Y-%m-%d %H:%M} UTC", 1.0,
                     object_id=row[OID])
            return {}
        ready = now + RESTORE_SECONDS[(cls, tier)]
        self.restores[row[OID]] = {"bucket": Bucket, "key": Key, "version_id": row[VID],
                                   "storage_class": cls, "tier": tier, "days": days,
                                   "size": row[SIZE], "account": bucket.owner,
                                   "region": bucket.region, "requested": now, "ready": ready,
                                   "expires": None}
        self.pricing.retrieval(bucket.owner, cls, tier, row[SIZE])
        self._schedule_restore(row[OID])
        req.step("Data store", f"Start a {tier} retrieval of UUID {row[OID]} from {cls}: the "
                 f"copy will be ready {self.cloud.clock.at(ready):%Y-%m-%d %H:%M} UTC", 1.0,
                 uuid=row[OID], tier=tier)
        req.status = 202
        return {}

    def _schedule_restore(self, object_id: str) -> None:
        """(Re)schedule the clock event of a restore: completion, then expiry."""
        events = self.__dict__.setdefault("_restore_events", {})
        old = events.pop(object_id, None)
        if old is not None:
            old.cancel()
        state = self.restores.get(object_id)
        if state is None:
            return
        clock = self.cloud.clock
        if state["expires"] is None:
            events[object_id] = clock.schedule_at(
                state["ready"], lambda: self._restore_ready(object_id),
                name=f"S3 restore of {state['bucket']}/{state['key']} completes")
        else:
            events[object_id] = clock.schedule_at(
                state["expires"], lambda: self._restore_expired(object_id),
                name=f"S3 restored copy of {state['bucket']}/{state['key']} expires")

    def _restore_ready(self, object_id: str) -> None:
        state = self.restores.get(object_id)
        if state is None:
            return
        state["expires"] = due_after(state["ready"], state["days"])
        self.pricing.change(state["account"], state["region"], "RESTORED_COPY", state["size"], +1)
        self._schedule_restore(object_id)

    def _restore_expired(self, object_id: str) -> None:
        state = self.restores.pop(object_id, None)
        self.__dict__.get("_restore_events", {}).pop(object_id, None)
        if state is not None:
            self.pricing.change(state["account"], state["region"], "RESTORED_COPY",
                                state["size"], -1)

    def restore_status(self, row) -> str | None:
        """The ``x-amz-restore`` value of an object version, or None if no restore is known."""
        state = self.restores.get(row[OID])
        if state is None or row[SCLASS] not in ARCHIVED:
            return None
        if state["expires"] is None:
            return 'ongoing-request="true"'
        expiry = email.utils.format_datetime(self.cloud.clock.at(state["expires"]), usegmt=True)
        return f'ongoing-request="false", expiry-date="{expiry}"'

    def is_restored(self, row) -> bool:
        """Has a temporary copy of this archived version been restored (and not expired)?"""
        state = self.restores.get(row[OID])
        return state is not None and state["expires"] is not None

    @property
    def restores(self) -> dict:
        """Restores in progress or done, by the object version's UUID (saved with the cloud)."""
        return self.__dict__.setdefault("_restores", {})

    def restore_lifecycle_schedules(self) -> None:
        """Re-create the clock events a loaded cloud implies: the daily run and restores
        (called by ``S3Model.restore_schedules``)."""
        self.__dict__.pop("_lifecycle_event", None)
        self.schedule_lifecycle()
        for object_id in sorted(self.restores):
            self._schedule_restore(object_id)

