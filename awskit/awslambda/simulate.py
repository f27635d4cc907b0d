"""Lambda at scale: replay a traffic pattern against a function, with modelled durations.

``cloud.awslambda.simulate("fn", traffic.steady(100, 60), duration_ms=40)`` runs no handler: it
replays the arrivals through a model of Lambda's scaling (facts A1, A4-A6, A8-A11) and returns
a :class:`SimulationResult` with one row per invocation. Nothing in the cloud changes (no
environment, no meter charge, the clock does not move): it is a what-if, and the same seed
gives the same rows. The arrivals' seed derives from the cloud's seed (not from the function),
so what-ifs of one cloud see the same traffic.

The model, request by request (in arrival order):

- **Counting** (A6): a free provisioned environment serves first; otherwise the request counts
  against the function's reserved concurrency (a cap: ``ReservedFunctionConcurrentInvocation
  LimitExceeded``) or the account's unreserved pool (the quota minus every reservation and the
  provisioned concurrency of unreserved functions: ``ConcurrentInvocationLimitExceeded``).
  Provisioned environments count against the same cap, used or not.
- **Assignment**: an environment serves one request at a time [LDG-conc]; a request takes the
  most recently used idle environment (as awskit's assignment service does, a teaching choice:
  AWS does not publish its choice; with it, surplus environments stay idle and are reclaimed).
- **Cold start** when none is idle: the scaling rate allows 1,000 new environments per function
  per sliding 10 s (``FunctionInvocationRateLimitExceeded`` beyond); placement on the least
  loaded worker host; a pre-booted microVM from the host's pool (or a wait for one: a host
  creates 150 microVMs/s, so a burst of cold starts on one host waits for boots); credentials;
  runtime start; code download through the caches (the first cold start in an AZ reads S3, the
  first on a host the AZ cache, later ones the worker's cache); INIT. The fleet is the model's
  (``hosts_per_az`` hosts per AZ, more only when memory runs out), far smaller than AWS's, so
  a large burst queues for microVM creation longer than it would on AWS. With SnapStart: a fresh
  VMM, the snapshot's chunks (cached in every AZ at publish) and a restore, instead of runtime
  start, code download and INIT. Every figure is the internals' :class:`~.internals.latency.Model`.
- **Warm start**: front end, counting, assignment, journal, invoke proxy, thaw (about 2.5 ms).
- **Reclaim**: an idle environment goes after ``idle_reclaim_s`` (the model's teaching value;
  AWS publishes none), every on-demand environment when its lease ends (``lease_s``);
  provisioned environments are never reclaimed. A handler that runs into the function's timeout
  is stopped at it and its on-demand environment is replaced by a later cold start.
- **Billing** (A8): $0.20 per million requests plus GB-seconds of duration, rounded up to 1 ms;
  a cold start's INIT is billed (since 2025-08-01); a provisioned environment's duration at the
  provisioned rate and its INIT in the provisioned charge, billed for the simulated span rounded
  up to 5 minutes (:mod:`.pricing`). A throttled request never runs and is charged nothing,
  as awskit's invoke path meters it (whether AWS counts it as a request: not in our facts).

Simplified (and why): durations are given, not measured (no handler runs); latency counts
Lambda's internal path from the front end's metadata lookup to the end of the handler (no
client network, authentication or response transfer); the worker fleet, its microVM pools and
caches start fresh and are the function's alone (other functions' traffic is not simulated);
a pool's wait is measured at arrival; the metadata always comes from the front end's host
cache; an alias's routing weights are ignored (its primary version runs); a timed-out
provisioned environment is re-initialised off the request path; SnapStart's own charges (for
Python and .NET, snapshot caching and restores) are not in awskit's price list; no free tier.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .internals.latency import MIB, Model
from .runtimes import SNAPSTART
from .simengine import Progress, run
from .simresult import REASONS, SimulationResult, compare  # noqa: F401  (re-exported)
from .traffic import Traffic, from_times

INIT_LIMIT_MS = 10_000           # facts A4: INIT is limited to 10 s


@dataclass
class Settings:
    """What one simulation ran with (``result.settings``)."""

    function: str
    qualifier: str
    arn: str
    runtime: str | None
    memory_mb: int
    architecture: str
    ephemeral_mb: int
    timeout_s: int
    reserved: int | None
    provisioned: int
    snapstart: bool
    idle_reclaim_s: float
    account_limit: int
    on_demand_cap: int            # on-demand environments the counting service allows
    cap_reason: str
    init_ms: float
    code_chunks: int
    snapshot_chunks: int
    traffic: str
    duration: str
    default_duration_ms: float
    seed: int
    start: pd.Timestamp
    span_s: float
    region: str
    azs: list
    model: Model = field(repr=False)

    # -- the latency model, step by step ---------------------------------------------------
    def warm_steps(self) -> list[tuple[str, str, float]]:
        m = self.model
        return [("Front end", "load metadata (host cache)", m.metadata_host_cache_ms),
                ("Counting service", "check concurrency", m.counting_ms),
                ("Assignment service", "find an idle environment", m.assignment_ms),
                ("Assignment service", "journal: assign", m.journal_append_ms),
                ("Worker host", "invoke proxy forwards the payload", m.invoke_proxy_ms),
                ("Execution environment", "thaw", m.thaw_ms)]

    def cold_steps(self, tier: str = "origin") -> list[tuple[str, str, float]]:
        """A cold start with a ready pooled microVM and the code (or snapshot) read from
        ``tier`` ("origin", "az" or "local"); the engine adds the waits for microVMs."""
        m = self.model
        steps = self.warm_steps()[:3] + [
            ("Placement service", "place on a worker host, grant a lease", m.placement_ms)]
        if self.snapstart:
            steps += [("Firecracker microVM", "start a VMM to restore into", m.vmm_ready_ms),
                      ("Assignment service", "journal: create", m.journal_append_ms),
                      ("Assignment service", "credentials and environment variables",
                       m.credentials_ms),
                      ("Component storage", (f"snapshot: {_chunks_text(self.snapshot_chunks)} from "
                                             f"{_TIER_NAMES[tier]}"),
                       self.fetch_ms(self.snapshot_chunks, tier)),
                      ("Firecracker microVM", "restore the snapshot (no INIT)",
                       m.snapshot_restore_ms)]
        else:
            steps += [("Worker host", "take a pre-booted microVM from the pool", m.pool_take_ms),
                      ("Assignment service", "journal: create", m.journal_append_ms),
                      ("Assignment service", "credentials and environment variables",
                       m.credentials_ms),
                      ("Execution environment", "start the runtime", m.runtime_start_ms),
                      ("Component storage", (f"code: {_chunks_text(self.code_chunks)} from "
                                             f"{_TIER_NAMES[tier]}"),
                       self.fetch_ms(self.code_chunks, tier)),
                      ("Execution environment", "INIT", self.init_ms)]
        return steps + [("Assignment service", "journal: assign", m.journal_append_ms)]

    def fetch_ms(self, chunks: int, tier: str) -> float:
        m = self.model
        per = {"origin": m.origin_ms, "az": m.az_cache_ms, "local": m.local_cache_ms}[tier]
        return round(m.manifest_ms + m.tiers_ms(chunks, per), 3)


_TIER_NAMES = {"origin": "S3", "az": "the AZ cache", "local": "the worker's cache"}


def _chunks_text(n: int) -> str:
    return f"{n:,} chunk{'s' * (n != 1)}"


def simulate(lam, function_name: str, traffic: Traffic, *, duration_ms=None, init_ms=None,
             qualifier: str | None = None, seed: int | None = None, reserved=None,
             provisioned=None, snapstart=None, idle_reclaim_s: float | None = None,
             model: Model | None = None, progress: bool | None = None,
             account: str | None = None, region: str | None = None) -> SimulationResult:
    """Replay ``traffic`` against a function (see the module docstring).

    ``duration_ms``: the handler's duration, a number, one value per invocation, or a callable
    ``f(rng, n)`` (e.g. ``traffic.lognormal(40, 200)``); capped at the function's timeout.
    ``init_ms``: INIT of a cold start (at most 10 s). Either one left None comes from the
    function's duration model (:mod:`.durations`, an empty payload at its memory size).
    ``reserved``/``provisioned``/``snapstart``: None takes the function's configuration (the
    provisioned concurrency of ``qualifier``); a value is a what-if (``reserved=False``: no
    reservation; ``provisioned=0``: none). ``snapstart=True`` models the version as published
    with SnapStart (AWS applies it to published versions only). ``model``: the latency model
    (default: the Region's internals' model). ``progress``: a progress bar in Jupyter (default:
    only above 200,000 invocations; ``False`` never).
    """
    if isinstance(traffic, (list, tuple, np.ndarray, pd.Series)):
        traffic = from_times(traffic)
    settings = _settings(lam, function_name, traffic, duration_ms, init_ms, qualifier, seed,
                         reserved, provisioned, snapstart, idle_reclaim_s, model, account, region)
    rng = np.random.default_rng(settings.seed)
    times = traffic.times(rng)
    n = len(times)
    durations = _durations(duration_ms, rng, n, settings.default_duration_ms)
    timeout_ms = settings.timeout_s * 1000.0
    timed_out = durations > timeout_ms
    durations = np.minimum(durations, timeout_ms)
    bar = Progress(n, progress, f" of {settings.function!r}")
    try:
        out = run(times, durations, timed_out, settings, bar)
    finally:
        bar.close()
    return SimulationResult.build(settings, times, durations, timed_out, out)


# -- configuration ------------------------------------------------------------------------------
def _settings(lam, function_name, traffic, duration_ms, init_ms, qualifier, seed, reserved,
              provisioned, snapstart, idle_reclaim_s, model, account, region) -> Settings:
    region = region or lam.cloud.default_region
    resolved = lam.resolve(function_name, qualifier, account=account, region=region)
    function, version = resolved.function, resolved.version
    internals = lam._internals.get(region)
    if model is None:
        model = internals.model if internals is not None else Model()
    if not isinstance(model, Model):
        raise TypeError("model must be an awskit.awslambda.internals.Model")
    if not isinstance(traffic, Traffic):
        raise TypeError("traffic must be a pattern of awskit.awslambda.traffic (steady, "
                        "poisson, bursty, daily, from_times) or a list of arrival times (s)")
    acct = function.account
    limit = lam.concurrency_limit(acct, region)
    others = [f for f in lam.functions_in(acct, region) if f is not function]
    others_reserved = sum(f.reserved for f in others if f.reserved is not None)
    others_provisioned = sum(f.provisioned_total() for f in others if f.reserved is None)
    minimum = lam.minimum_unreserved(acct, region)

    if reserved is None:
        reserved = function.reserved
    elif reserved is False:
        reserved = None
    elif isinstance(reserved, bool) or not isinstance(reserved, int) or reserved < 0:
        raise ValueError("reserved is a non-negative integer, False (none) or None (as "
                         "configured)")
    if reserved is not None and limit - others_reserved - reserved < minimum:
        raise ValueError(f"reserved={reserved} would leave the account fewer than {minimum} "
                         f"unreserved (quota {limit}, {others_reserved} reserved by others)")
    if provisioned is None:
        config = resolved.provisioned
        provisioned = config.requested if config is not None else 0
    elif provisioned is False:
        provisioned = 0
    elif isinstance(provisioned, bool) or not isinstance(provisioned, int) or provisioned < 0:
        raise ValueError("provisioned is a non-negative integer or None (as configured)")
    # provisioned concurrency of the function's other qualifiers also holds capacity
    own = sum(pc.requested for q, pc in function.provisioned.items() if q != resolved.qualifier)
    if reserved is not None:
        if provisioned + own > reserved:
            raise ValueError(f"provisioned={provisioned} (+{own} on other qualifiers) exceeds "
                             f"the reserved concurrency ({reserved})")
        cap, reason = reserved - provisioned - own, REASONS[0]
    else:
        pool = limit - others_reserved - others_provisioned - own
        if provisioned > pool - minimum:
            raise ValueError(f"provisioned={provisioned} exceeds the account's unreserved "
                             f"concurrency minus {minimum} ({pool - minimum} available)")
        cap, reason = pool - provisioned, REASONS[1]

    if snapstart is None:
        snapstart = version.snapstart_on
    elif not isinstance(snapstart, bool):
        raise ValueError("snapstart is True, False or None (as configured)")
    if snapstart:
        if version.runtime not in SNAPSTART:
            raise ValueError(f"SnapStart does not support the {version.runtime} runtime")
        if provisioned:
            raise ValueError("SnapStart cannot be combined with provisioned concurrency")
        if version.ephemeral_storage > 512:
            raise ValueError("SnapStart does not support ephemeral storage above 512 MB")

    idle_s = model.idle_reclaim_s if idle_reclaim_s is None else idle_reclaim_s
    if isinstance(idle_s, bool) or not isinstance(idle_s, (int, float)) or not idle_s > 0:
        raise ValueError("idle_reclaim_s must be a positive number of seconds")
    durations = _duration_model(lam, version)
    init = durations.init(version.memory) if init_ms is None else init_ms
    if isinstance(init, bool) or not isinstance(init, (int, float)) or not math.isfinite(init) \
            or not 0 <= init <= INIT_LIMIT_MS:
        raise ValueError(f"init_ms must be between 0 and {INIT_LIMIT_MS:,} ms (INIT's limit)")
    if seed is None:
        digest = hashlib.sha256(f"awskit:{lam.cloud.seed}:lambda-simulate".encode()).digest()
        seed = int.from_bytes(digest[:8], "big")
    elif isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError("seed must be a non-negative integer")
    code, snap = _chunks(lam, internals, version, model)
    return Settings(
        function=function.name, qualifier=resolved.qualifier or "$LATEST", arn=version.arn,
        runtime=version.runtime, memory_mb=version.memory, architecture=version.architecture,
        ephemeral_mb=version.ephemeral_storage, timeout_s=version.timeout, reserved=reserved,
        provisioned=provisioned, snapstart=snapstart, idle_reclaim_s=float(idle_s),
        account_limit=limit, on_demand_cap=cap, cap_reason=reason, init_ms=float(init),
        code_chunks=code, snapshot_chunks=snap, traffic=repr(traffic),
        duration=_describe(duration_ms, durations.invoke(version.memory)),
        default_duration_ms=durations.invoke(version.memory), seed=seed, start=pd.Timestamp(lam.cloud.clock.now),
        span_s=traffic.seconds, region=region,
        azs=list(lam.cloud.regions[region].azs[:model.worker_azs]), model=model)


def _chunks(lam, internals, version, model) -> tuple[int, int]:
    """Chunks a cold start reads: (code, SnapStart snapshot). Exact when the internals hold the
    manifests (the function was invoked or published), else estimated the same way: a .zip is
    read whole, a container image lazily (~6.4%), a snapshot ``snapshot_read_fraction``."""
    per = model.chunk_bytes
    storage = internals.storage if internals is not None else None
    if version.package_type == "Image":
        sizes = [len(b) for b in lam.image_layers(version)] or [version.code_size]
    else:
        sizes = [version.code_size] + [lv.code_size for lv in lam.layer_versions_of(version)]
    total = sum(max(1, -(-s // per)) for s in sizes)
    manifest = storage.images.get(version.arn) if storage is not None else None
    if manifest is not None:
        code = len({c[0] for c in storage.needed(manifest)})
    elif version.package_type == "Image":
        code = 1 + round(model.lazy_fraction * (total - 1))
    else:
        code = total
    snap_manifest = storage.images.get("snapshot:" + version.arn) if storage else None
    if snap_manifest is not None:
        snap = len({c[0] for c in storage.needed(snap_manifest)})
    else:
        memory_chunks = -(-version.memory * MIB // per)
        snap = 1 + round(model.snapshot_read_fraction * (memory_chunks + total - 1))
    return code, snap


def _duration_model(lam, version):
    """The function's duration model (:mod:`.durations`): the one the invoke path uses for this
    version (``cloud.awslambda.set_duration_model``), else the default model."""
    from . import durations
    getter = getattr(lam, "duration_model_of", None)
    found = getter(version) if callable(getter) else None
    return found if isinstance(found, durations.DurationModel) else durations.DEFAULT


def _describe(duration_ms, default: float) -> str:
    if duration_ms is None:
        return f"{default:g} ms (duration model)"
    if isinstance(duration_ms, (int, float)) and not isinstance(duration_ms, bool):
        return f"{duration_ms:g} ms"
    if callable(duration_ms):
        return repr(duration_ms)
    return f"{len(duration_ms):,} given values"


def _durations(duration_ms, rng, n: int, default: float) -> np.ndarray:
    if duration_ms is None:
        duration_ms = default
    if isinstance(duration_ms, (bool, str)):
        raise TypeError("duration_ms must be a number of milliseconds, an array or a callable")
    if isinstance(duration_ms, (int, float)):
        out = np.full(n, float(duration_ms))
    else:
        out = np.asarray(duration_ms(rng, n) if callable(duration_ms) else duration_ms,
                         dtype=float)
        if out.shape != (n,):
            raise ValueError(f"duration_ms gave {out.shape} values for {n:,} invocations")
    if n and (not np.all(np.isfinite(out)) or out.min() < 0):
        raise ValueError("durations must be finite and non-negative (ms)")
    return out
