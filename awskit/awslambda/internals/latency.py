"""The latency and capacity model of Lambda's internals: every figure, and where it comes from.

One :class:`Model` holds every duration (ms) and capacity the internals use, so a notebook can
show the table (:meth:`Model.table`) and change a figure for an experiment
(``Internals(cloud, region, Model(idle_reclaim_s=60))``). Each field carries its source
(``Model().table()`` lists them):

- a key in brackets (``[FC-spec]``, ``[ATC-2nd]``, ...) is a fact of ``shared/facts/lambda.md``
  (section A1-A11) with that source;
- "teaching" marks a value AWS does not publish: a plausible choice made so the simulation has
  a number, never something a student should quote as AWS's.

The figures are deterministic on purpose: notebooks reproduce exactly. Real Lambda latencies
vary from call to call; a student compares orders of magnitude (µs for a cache, ms for S3,
~100 ms for a microVM boot, seconds for a heavy INIT), not exact values.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

MIB = 1024 * 1024
KIB = 1024

#: where each figure comes from (field name -> source), shown by :meth:`Model.table`
SOURCES: dict[str, str] = {}


def _f(default, source: str):
    """A model field with its source (kept in :data:`SOURCES` for :meth:`Model.table`)."""
    if isinstance(default, (list, tuple)):
        return field(default_factory=lambda d=tuple(default): list(d), metadata={"source": source})
    return field(default=default, metadata={"source": source})


@dataclass
class Model:
    """Every latency (ms) and capacity of the Lambda internals, with its source."""

    # -- front end (A1) ------------------------------------------------------------------------
    frontend_hosts_per_az: int = _f(2, "teaching (fleet size not published)")
    metadata_host_cache_ms: float = _f(0.05, "teaching (in-memory cache on a front-end host [T25])")
    metadata_az_cache_ms: float = _f(0.5, "teaching (AZ-level second cache [T25])")
    metadata_table_ms: float = _f(4.0, "teaching (DynamoDB function-versions table [T25]; "
                                       "DynamoDB advertises single-digit-ms reads)")
    # -- counting service (A1, A6) ---------------------------------------------------------------
    counting_ms: float = _f(1.0, "[T25] target under 1.5 ms; 1.0 ms is our value under it")
    account_concurrency: int = _f(1000, "[D-quota] default quota per account per Region")
    min_unreserved: int = _f(100, "[BC PutFunctionConcurrency][LDG-conc]")
    scale_new_environments: int = _f(1000, "[D-scale] new environments per function per window")
    scale_window_s: float = _f(10.0, "[D-scale] the window of that rate (10 s)")
    # -- assignment service (A1) -----------------------------------------------------------------
    partitions: int = _f(8, "teaching (partition count not published)")
    replicas_per_partition: int = _f(3, "[SVS404] unconfirmed layout: 1 leader + 2 followers, "
                                        "one per AZ")
    assignment_ms: float = _f(0.5, "teaching (route lookup on the partition leader)")
    journal_append_ms: float = _f(0.4, "teaching (append to the external, replicated log)")
    credentials_ms: float = _f(0.5, "teaching (hand role credentials + env vars to the worker [T25])")
    follower_sync_s: float = _f(1.0, "teaching (how often a follower applies the journal tail)")
    failover_detect_ms: float = _f(50.0, "teaching (failover timing unconfirmed [SVS404])")
    replay_entry_ms: float = _f(0.02, "teaching (apply one journal entry)")
    journal_checkpoint_every: int = _f(10000, "teaching (entries folded into a checkpoint once "
                                              "every node applied them)")
    # -- placement service and worker hosts (A1, A4, A9) -----------------------------------------
    placement_ms: float = _f(2.0, "teaching (pick a host, grant a lease [T25])")
    worker_azs: int = _f(3, "teaching (the Region's first 3 AZs; Lambda is multi-AZ [T25])")
    hosts_per_az: int = _f(2, "teaching (fleet grows when full; real fleet size not published)")
    host_memory_gib: int = _f(1024, "[FC-2nd] ~8,000 x 128 MB per 1 TB host: 1 TiB hosts")
    microvm_sizes_mib: list = _f((128, 256, 512, 1024, 2048, 4096, 8192, 10240),
                                 "teaching sizes; pools of several sizes, smallest that fits [T25]")
    pool_depth: int = _f(2, "teaching (pre-booted empty microVMs kept per size per host [T25])")
    lease_s: float = _f(3 * 3600.0, "teaching; AWS docs: environments end 'every few hours', "
                                    "even when invoked continuously [D-life]")
    idle_reclaim_s: float = _f(600.0, "teaching; AWS publishes no idle timeout [OPL]")
    invoke_proxy_ms: float = _f(0.3, "teaching (invoke proxy on the worker [T25])")
    thaw_ms: float = _f(0.2, "teaching (thaw a frozen environment [LDG-life])")
    runtime_start_ms: float = _f(40.0, "teaching (start the runtime process in the sandbox)")
    # -- Firecracker (A9) ------------------------------------------------------------------------
    vmm_ready_ms: float = _f(8.0, "[FC-spec] VMM process ready in ~8 CPU-ms")
    microvm_boot_ms: float = _f(125.0, "[FC-spec] <=125 ms InstanceStart to guest /sbin/init")
    microvm_overhead_mib: float = _f(5.0, "[FC-spec] <=5 MiB memory overhead per microVM")
    microvm_create_per_s: float = _f(150.0, "[FC-2nd] up to 150 microVMs per second per host")
    pool_take_ms: float = _f(0.5, "teaching (hand over a pre-booted microVM)")
    snapshot_restore_ms: float = _f(6.0, "[SNAP-2nd] restore takes a few ms (~4-10 ms)")
    snapshot_take_ms: float = _f(300.0, "teaching (pause the VM, write memory + disk)")
    # -- component storage (A10) -----------------------------------------------------------------
    chunk_kib: int = _f(512, "[ATC-2nd] fixed 512 KiB chunks")
    lazy_fraction: float = _f(0.064, "[ATC-2nd] containers read ~6.4% of their image at start "
                                     "(Slacker, cited by the paper)")
    local_cache_ms: float = _f(0.1, "teaching (worker-local cache; media unconfirmed [ATC-2nd])")
    az_cache_ms: float = _f(0.55, "[ATC-2nd] AZ-level cache median ~550 us")
    origin_ms: float = _f(36.0, "[ATC-2nd] S3 origin ~36 ms")
    fetch_parallelism: int = _f(8, "teaching (chunks fetched concurrently per tier)")
    local_cache_gib: float = _f(64.0, "teaching (worker-local cache size, LRU)")
    az_cache_gib: float = _f(10240.0, "teaching (AZ-level cache size, LRU)")
    manifest_ms: float = _f(0.55, "teaching (read the manifest; served like an AZ-cache read)")
    # -- SnapStart (A11) -------------------------------------------------------------------------
    snapshot_read_fraction: float = _f(0.1, "teaching (share of snapshot chunks a restore touches)")
    runtime_snapshot_mib: int = _f(48, "teaching (runtime pages identical across snapshots)")
    snapshot_inactive_days: float | None = _f(14.0, "[SL-snap] unused 14 days -> Inactive, "
                                                    "snapshot deleted; None turns the rule off")

    # -- derived ---------------------------------------------------------------------------------
    @property
    def chunk_bytes(self) -> int:
        return self.chunk_kib * KIB

    @property
    def boot_on_demand_ms(self) -> float:
        """VMM ready + guest boot: a microVM booted on the critical path."""
        return self.vmm_ready_ms + self.microvm_boot_ms

    def density(self, memory_mib: int) -> int:
        """How many microVMs of ``memory_mib`` fit on one host: memory / (size + overhead)."""
        return int(self.host_memory_gib * 1024 // (memory_mib + self.microvm_overhead_mib))

    def tiers_ms(self, n: int, per_chunk_ms: float) -> float:
        """Time to read ``n`` chunks from one tier, ``fetch_parallelism`` at a time."""
        if n <= 0:
            return 0.0
        rounds = -(-n // max(1, self.fetch_parallelism))
        return round(rounds * per_chunk_ms, 3)

    # -- reading and saving ----------------------------------------------------------------------
    def table(self) -> list[dict]:
        """Every figure as rows ``{"name", "value", "source"}`` (a pandas DataFrame's input)."""
        return [{"name": f.name, "value": getattr(self, f.name), "source": f.metadata["source"]}
                for f in dataclasses.fields(self)]

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> "Model":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown Lambda model figures: {sorted(unknown)}")
        return cls(**data)

    def __post_init__(self):
        self.microvm_sizes_mib = sorted(int(s) for s in self.microvm_sizes_mib)
        if not self.microvm_sizes_mib:
            raise ValueError("microvm_sizes_mib needs at least one size")
        for name in ("partitions", "replicas_per_partition", "worker_azs", "hosts_per_az",
                     "fetch_parallelism", "chunk_kib", "host_memory_gib"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not 0 < self.lazy_fraction <= 1 or not 0 < self.snapshot_read_fraction <= 1:
            raise ValueError("fractions must be in (0, 1]")


for _field in dataclasses.fields(Model):
    SOURCES[_field.name] = _field.metadata["source"]
