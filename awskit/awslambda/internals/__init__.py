"""The inside of AWS Lambda in one Region, as a deterministic, traced model.

``Internals(cloud, region)`` (reached as ``cloud.awslambda.internals(region)``) holds:

- ``frontend`` — the invoke front ends and their metadata caches (:mod:`.frontend`);
- ``counting`` — concurrency quotas, reservations, the scaling rate (:mod:`.counting`);
- ``assignment`` — partitions, leaders and followers, the journal (:mod:`.assignment`);
- ``placement`` / ``workers`` — worker hosts and Firecracker microVM pools (:mod:`.placement`);
- ``storage`` — chunked, convergently encrypted images behind tiered caches (:mod:`.storage`);
- ``snapshots`` — SnapStart (:mod:`.snapshots`);
- ``environments`` — every live :class:`ExecutionEnvironment` by id;
- ``model`` — every latency and capacity with its source (:mod:`.latency`).

Nothing here records a trace: each operation returns *steps*, ``(component, action, ms,
detail)`` tuples (a step's detail may carry ``"substeps"``), and the invoke path records them
with :meth:`Internals.record`. A synchronous invoke, in order::

    internals = cloud.awslambda.internals(region)
    steps = internals.frontend.load_metadata(function_key, revision_id)
    grant = internals.counting.acquire(account, function_key, qualifier)  # grant.steps
    if not grant: ...TooManyRequestsException(Reason=grant.reason)
    start = internals.start(account, function_key, memory_mb=..., runtime=..., grant=grant,
                            snapstart=...)            # warm, or cold (start.steps)
    if start.throttle: counting.release(grant); ...TooManyRequestsException(Reason=...)
    if start.needs_init: ...run INIT in start.env, record its step...
    steps = internals.initialized(start.env)          # journal: assigned (no-op if warm)
    ...run the handler...
    steps = internals.finish(start.env); internals.counting.release(grant)

Concurrency settings: ``internals.counting.use(adapter)`` reads them from the control plane
(six read methods, see :class:`~.counting.LocalConfig`), or set them on the counting service.
Code is registered once per version with ``internals.storage.register_image(function_key,
zip_bytes or [layer, ...])``; SnapStart snapshots with :meth:`Internals.take_snapshot`.
Environments idle for ``model.idle_reclaim_s`` are reclaimed on the simulated clock; register
``internals.on_reclaim(callback)`` to close their worker processes.
"""

from __future__ import annotations

from collections import deque

from .assignment import Assignment
from .counting import Counting, Grant, LimitError
from .environment import ExecutionEnvironment
from .frontend import FrontEnd
from .latency import Model
from .lifecycle import Lifecycle, Start
from .placement import Placement
from .snapshots import UNIQUENESS, Snapshots
from .storage import ComponentStorage

__all__ = ["Internals", "ExecutionEnvironment", "Model", "Grant", "Start", "LimitError",
           "UNIQUENESS"]


class Internals(Lifecycle):
    """Lambda's internals in one Region (see the module docstring)."""

    def __init__(self, cloud, region: str, model: Model | None = None):
        if region not in cloud.regions:
            raise ValueError(f"unknown Region {region!r}")
        self.cloud = cloud
        self.region = region
        self.clock = cloud.clock
        self.ids = cloud.ids
        self._reclaim_callbacks: list = []
        self._build(model or Model())

    def _build(self, model: Model) -> None:
        self.model = model
        self.azs = list(self.cloud.regions[self.region].azs[:model.worker_azs])
        self.environments: dict[str, ExecutionEnvironment] = {}
        self._events: dict[str, dict] = {}
        self.history: deque = deque(maxlen=1000)
        self.frontend = FrontEnd(self.clock, model, self.azs)
        self.counting = Counting(self.clock, model)
        self.assignment = Assignment(self.clock, model, self.azs, self.environments)
        self.placement = Placement(self.clock, model, self.azs)
        self.storage = ComponentStorage(model, self.region)
        self.snapshots = Snapshots(self.clock, model, self.storage, self.azs, self.ids)

    @property
    def workers(self) -> list:
        """The worker hosts (``placement.hosts``)."""
        return self.placement.hosts

    @staticmethod
    def record(req, steps: list) -> None:
        """Record ``steps`` on a request's trace, each detail's ``substeps`` as its substeps."""
        for component, action, ms, detail in steps:
            detail = dict(detail)
            subs = detail.pop("substeps", None)
            req.step(component, action, ms, substeps=subs, **detail)

    def _log(self, component: str, action: str, **detail) -> None:
        self.history.append({"t": self.clock.elapsed, "component": component, "action": action,
                             "detail": detail})

    # -- SnapStart -------------------------------------------------------------------------------------
    def take_snapshot(self, account: str, function_key: str, *, memory_mb: int, init_ms: float,
                      runtime: str = "python3.12", image=None, process_snapshot=None):
        """PublishVersion with SnapStart: INIT ran (the caller ran it and measured ``init_ms``)
        in a microVM placed for it; snapshot it: ``(snapshot, steps)``. The build microVM is
        destroyed afterwards; restores happen on later cold starts."""
        if image is None:
            image = self.storage.images.get(function_key)
        if image is None:
            raise KeyError(f"no code registered for {function_key}")
        host, vm, steps = self.placement.place(memory_mb, function_key)
        steps.append(("Execution environment", f"Start the {runtime} runtime in {vm.vm_id}",
                      self.model.runtime_start_ms, {"vm_id": vm.vm_id}))
        steps.append(self.storage.fetch(image, host.host_id, host.az).step)
        steps.append(("Execution environment", "INIT (before the snapshot)", float(init_ms),
                      {"vm_id": vm.vm_id}))
        snap, snap_steps = self.snapshots.take(function_key, runtime=runtime,
                                               memory_mb=memory_mb, init_ms=init_ms, code=image,
                                               process_snapshot=process_snapshot)
        self.placement.destroy(host.host_id, vm.vm_id)
        self._log("Firecracker microVM", f"snapshot {snap.snapshot_id} of {function_key}",
                  snapshot_id=snap.snapshot_id)
        return snap, steps + snap_steps

    # -- failures ---------------------------------------------------------------------------------------
    def fail_leader(self, partition: int | str) -> dict:
        """Fail the leader of a partition (its number, or a function key to find it)."""
        if isinstance(partition, str):
            partition = self.assignment.partition_of(partition)
        out = self.assignment.fail_leader(partition)
        self._log("Assignment service", f"leader {out['failed']} of partition {partition} failed",
                  **out)
        return out

    def fail_host(self, host_id: str) -> list[str]:
        """The placement service declares a worker unhealthy: its environments are drained."""
        env_ids = self.placement.fail_host(host_id)
        for env_id in env_ids:
            env = self.environments.get(env_id)
            if env is not None:
                self._remove(env, "drain", f"worker host {host_id} unhealthy")
        self._log("Placement service", f"{host_id} unhealthy: {len(env_ids)} environments drained",
                  host_id=host_id, environments=env_ids)
        return env_ids

    def recover_host(self, host_id: str) -> None:
        self.placement.recover_host(host_id)
        self._log("Placement service", f"{host_id} healthy again", host_id=host_id)

    # -- reading ----------------------------------------------------------------------------------------
    def describe(self) -> dict:
        """Plain data for a console: hosts with their microVMs and environments, partitions and
        leaders, caches and hit rates, dedup ratio, snapshots, concurrency."""
        counting = self.counting
        accounts = sorted({a for a, _ in counting.in_use} | {a for a, _ in counting.local.reserved_by}
                          | {e.account for e in self.environments.values()}
                          | set(counting.local.limits))
        envs = sorted(self.environments.values(), key=lambda e: (e.host_id, e.env_id))
        return {"region": self.region, "azs": list(self.azs), "now": self.clock.elapsed,
                "hosts": self.placement.describe(self.environments),
                "environments": [e.describe() for e in envs],
                "partitions": self.assignment.state()["partitions"],
                "storage": self.storage.describe(),
                "snapshots": self.snapshots.describe(),
                "concurrency": {a: self.counting.usage(a) for a in accounts},
                "frontend": self.frontend.describe(),
                "history": list(self.history)}

    def figures(self) -> list[dict]:
        """Every latency and capacity of the model with its source (see :mod:`.latency`)."""
        return self.model.table()

    # -- persistence --------------------------------------------------------------------------------------
    def state(self) -> dict:
        """Everything as plain JSON data. Environments are saved without their processes: a
        loaded cloud has none running, so each saved environment comes back with
        ``process=None`` and its next request runs INIT again in it (see
        :meth:`warm_start_steps`). SnapStart process handles are not saved either."""
        return {"region": self.region, "model": self.model.to_dict(),
                "environments": [e.to_dict() for e in sorted(self.environments.values(),
                                                             key=lambda e: e.env_id)],
                "frontend": self.frontend.dump(), "counting": self.counting.dump(),
                "assignment": self.assignment.dump(), "placement": self.placement.dump(),
                "storage": self.storage.dump(), "snapshots": self.snapshots.dump(),
                "history": list(self.history)}

    def load_state(self, data: dict) -> None:
        """Restore :meth:`state`; re-arm idle-reclaim, lease and SnapStart timers on the clock."""
        for timers in self._events.values():
            for event in timers.values():
                event.cancel()
        for event in self.snapshots._events.values():
            event.cancel()
        self._build(Model.from_dict(data["model"]))
        for saved in data["environments"]:
            env = ExecutionEnvironment.from_dict(saved)
            self.environments[env.env_id] = env
        self.frontend.restore(data["frontend"])
        self.counting.restore(data["counting"])
        self.assignment.restore(data["assignment"])
        self.placement.restore(data["placement"])
        self.storage.restore(data["storage"])
        self.snapshots.restore(data["snapshots"])
        self.history.extend(data["history"])
        self._reschedule_all()

    def __repr__(self) -> str:
        busy = sum(1 for e in self.environments.values() if e.state == "busy")
        return (f"<Lambda internals {self.region}: {len(self.placement.hosts)} worker hosts, "
                f"{len(self.environments)} environments ({busy} busy), "
                f"{len(self.assignment.partitions)} partitions>")
