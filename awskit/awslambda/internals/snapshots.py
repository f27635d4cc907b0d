"""The SnapStart snapshot store (fact A11).

What AWS does [D-snap][SNAP-news][SNAP-2nd][SL-snap][D-snap-custom]: when a version is
published with ``SnapStart.ApplyOn = PublishedVersions``, Lambda runs INIT, takes a Firecracker
snapshot of the microVM's memory and disk, encrypts it, keeps several copies and caches it;
later cold starts *restore* the snapshot (a few ms for Firecracker itself, the restore phase
capped at 10 s) instead of running INIT. The snapshot lives in the same chunk store as images.
Every restored copy starts from the same memory: whatever INIT made unique (random seeds, UUIDs,
tokens, credentials) is identical in all of them, and must be regenerated after restore
(``@register_after_restore`` hooks, a CSPRNG). A SnapStart version not invoked for 14 days goes
Inactive and its snapshot is deleted.

How we model it: a snapshot's memory is ``memory_mb`` MiB of chunk *descriptors* (a full
Firecracker snapshot writes all guest memory); the first ``runtime_snapshot_mib`` are the
runtime's pages, identical in every snapshot of that runtime (a teaching assumption), so they
deduplicate; its disk is the function's code image (the same chunks). A restore reads
``snapshot_read_fraction`` of the chunks (teaching) through the tiered caches. States:
``Ready`` (created within the PublishVersion call here; on AWS the version is ``Pending`` with
reason ``Creating`` meanwhile, which the control plane shows) and ``Inactive`` (deleted after
``snapshot_inactive_days`` without an invoke; ``None`` turns the rule off). ``process_snapshot``
is the runtime's handle for the pre-initialised process (never saved with the cloud).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .latency import MIB

UNIQUENESS = ("Every copy restored from this snapshot starts with the same memory: random "
              "seeds, UUIDs, tokens and credentials created during INIT are identical in all of "
              "them; regenerate them after restore (after-restore hooks, a CSPRNG).")


@dataclass
class Snapshot:
    snapshot_id: str
    function_key: str
    runtime: str
    memory_mb: int
    created: float
    last_used: float
    init_ms: float
    state: str = "Ready"            # "Ready" | "Inactive"
    restores: int = 0
    process_snapshot: object = field(default=None, repr=False)

    @property
    def owner(self) -> str:
        return "snapshot:" + self.function_key

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("snapshot_id", "function_key", "runtime",
                                              "memory_mb", "created", "last_used", "init_ms",
                                              "state", "restores")}


class Snapshots:
    """One Region's SnapStart snapshots (see the module docstring)."""

    def __init__(self, clock, model, storage, azs: list[str], ids):
        self.clock = clock
        self.model = model
        self.storage = storage
        self.azs = list(azs)
        self.ids = ids
        self.snapshots: dict[str, Snapshot] = {}          # function key -> snapshot
        self._events: dict[str, object] = {}
        self._on_inactive: list[Callable[[Snapshot], None]] = []

    def on_inactive(self, callback: Callable[[Snapshot], None]) -> None:
        """Call ``callback(snapshot)`` when a snapshot goes Inactive (14 days unused)."""
        self._on_inactive.append(callback)

    def get(self, function_key: str) -> Snapshot | None:
        """The Ready snapshot of ``function_key``, or None."""
        snap = self.snapshots.get(function_key)
        return snap if snap is not None and snap.state == "Ready" else None

    # -- taking ------------------------------------------------------------------------------------
    def take(self, function_key: str, *, runtime: str, memory_mb: int, init_ms: float,
             code=None, salt: str | None = None, process_snapshot=None) -> tuple[Snapshot, list]:
        """Snapshot a microVM whose INIT just ran: (snapshot, steps). ``code``: the code manifest."""
        model = self.model
        snap = Snapshot("snap-" + self.ids.hex("lambda-snapshot", 16), function_key, runtime,
                        int(memory_mb), self.clock.elapsed, self.clock.elapsed, float(init_ms),
                        process_snapshot=process_snapshot)
        per = model.chunk_bytes
        n_mem = -(-int(memory_mb) * MIB // per)
        n_runtime = min(n_mem, model.runtime_snapshot_mib * MIB // per)
        descriptors = [(f"runtime:{runtime}:page-block:{i}" if i < n_runtime
                        else f"{snap.snapshot_id}:page-block:{i}", per) for i in range(n_mem)]
        # the disk: the function's image chunks (already stored, deduplicated)
        manifest, stats = self.storage.register_descriptors(snap.owner, descriptors, salt=salt,
                                                            extra=code)
        self.storage.warm(manifest, self.azs)
        old = self.snapshots.get(function_key)
        if old is not None and function_key in self._events:
            self._events.pop(function_key).cancel()
        self.snapshots[function_key] = snap
        self._schedule(snap)
        write_ms = model.tiers_ms(stats["new_chunks"], model.origin_ms)
        steps = [("Firecracker microVM", f"Pause the microVM and snapshot its memory "
                  f"({memory_mb} MiB) and disk", model.snapshot_take_ms,
                  {"snapshot_id": snap.snapshot_id}),
                 ("Component storage", f"Store snapshot {snap.snapshot_id}: {len(manifest.chunks)}"
                  f" encrypted chunks, {stats['new_chunks']} new ({n_runtime} runtime chunks "
                  f"shared with other {runtime} snapshots); cache copies in "
                  f"{', '.join(self.azs)}", write_ms,
                  {"snapshot_id": snap.snapshot_id, "chunks": len(manifest.chunks),
                   "new_chunks": stats["new_chunks"], "manifest_id": manifest.manifest_id})]
        return snap, steps

    # -- restoring ---------------------------------------------------------------------------------
    def restore_steps(self, snap: Snapshot, host_id: str, az: str) -> list:
        """Fetch the snapshot chunks a restore reads, then restore: the steps that replace INIT."""
        manifest = self.storage.images[snap.owner]
        fetch = self.storage.fetch(manifest, host_id, az, what=f"snapshot {snap.snapshot_id}")
        snap.restores += 1
        self.touch(snap.function_key)
        return [fetch.step,
                ("Firecracker microVM", f"Restore snapshot {snap.snapshot_id} (memory + disk) "
                 f"instead of INIT ({snap.init_ms:g} ms when it was taken)",
                 self.model.snapshot_restore_ms,
                 {"snapshot_id": snap.snapshot_id, "uniqueness": UNIQUENESS,
                  "restore_limit_s": 10})]

    def touch(self, function_key: str) -> None:
        """The version was invoked: it is not idle (for the inactivity rule)."""
        snap = self.snapshots.get(function_key)
        if snap is not None and snap.state == "Ready":
            snap.last_used = self.clock.elapsed

    # -- inactivity ----------------------------------------------------------------------------------
    def _schedule(self, snap: Snapshot) -> None:
        days = self.model.snapshot_inactive_days
        if days is None or snap.state != "Ready":
            return
        key = snap.function_key

        def check():
            self._events.pop(key, None)
            if self.snapshots.get(key) is not snap or snap.state != "Ready":
                return
            if self.clock.elapsed - snap.last_used >= days * 86400:
                self.deactivate(key)
            else:
                self._schedule(snap)
        self._events[key] = self.clock.schedule_at(snap.last_used + days * 86400, check,
                                                   name=f"SnapStart inactivity check {key}")

    def deactivate(self, function_key: str) -> Snapshot:
        """Inactive: the snapshot is deleted (its chunks go at the next GC)."""
        snap = self.snapshots[function_key]
        snap.state = "Inactive"
        snap.process_snapshot = None
        self.storage.drop(snap.owner)
        event = self._events.pop(function_key, None)
        if event is not None:
            event.cancel()
        for callback in list(self._on_inactive):
            callback(snap)
        return snap

    def delete(self, function_key: str) -> None:
        """The version was deleted."""
        snap = self.snapshots.pop(function_key, None)
        if snap is not None:
            self.storage.drop(snap.owner)
        event = self._events.pop(function_key, None)
        if event is not None:
            event.cancel()

    # -- reading, saving -----------------------------------------------------------------------------
    def describe(self) -> list[dict]:
        out = []
        for key, snap in sorted(self.snapshots.items()):
            d = snap.to_dict()
            manifest = self.storage.images.get(snap.owner)
            d["chunks"] = len(manifest.chunks) if manifest else 0
            d["process_snapshot"] = snap.process_snapshot is not None
            out.append(d)
        return out

    def dump(self) -> dict:
        return {"snapshots": [s.to_dict() for _, s in sorted(self.snapshots.items())]}

    def restore(self, data: dict) -> None:
        for event in self._events.values():
            event.cancel()
        self._events = {}
        self.snapshots = {d["function_key"]: Snapshot(**d) for d in data["snapshots"]}
        for snap in self.snapshots.values():
            self._schedule(snap)
