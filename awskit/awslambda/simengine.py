"""The event loop of :func:`~.simulate.simulate` (see that module for the model it runs).

One pass over the arrivals in time order, pure Python over plain lists (numpy prepares the
inputs and digests the outputs): a heap of busy environments by end time, a deque of idle
on-demand environments ordered by release time (most recent at the right: taken first; the
least recent at the left: reclaimed first), a stack of idle provisioned environments, a deque of
the last 10 s of new environments (the scaling rate), and per worker host its load, its pool of
pre-booted microVMs and its next microVM creation slot. About a microsecond per invocation.
"""

from __future__ import annotations

import math
import sys
from collections import deque
from dataclasses import dataclass
from heapq import heappop, heappush

import numpy as np

#: show a progress bar by default above this many invocations (in a Jupyter kernel only)
PROGRESS_THRESHOLD = 200_000
KIND_COLD, KIND_RESTORED, KIND_THROTTLED, KIND_RATE = 1, 2, 3, 4


@dataclass
class Run:
    """The engine's raw output (arrays per invocation, lists per environment)."""

    env: list
    kind: bytearray
    concurrency: list
    cold_ms: dict
    env_created: list
    env_host: list
    env_removed: list
    env_reason: list
    host_az: list


def run(times: np.ndarray, durations: np.ndarray, timed_out: np.ndarray, s, bar) -> Run:
    """The discrete-event loop: a heap of busy environments by end time, a deque of idle ones
    ordered by release time (most recent at the right), a stack of idle provisioned ones."""
    m = s.model
    n, P = len(times), s.provisioned
    T = times.tolist()
    D = durations.tolist()
    warm_ms = sum(x[2] for x in s.warm_steps())
    warm_end = (times + (warm_ms + durations) / 1000.0).tolist()
    TO = timed_out.tolist()
    base = sum(x[2] for x in s.cold_steps()) - s.fetch_ms(
        s.snapshot_chunks if s.snapstart else s.code_chunks, "origin")
    base -= m.vmm_ready_ms if s.snapstart else m.pool_take_ms     # the engine adds the microVM
    chunks = s.snapshot_chunks if s.snapstart else s.code_chunks
    fetch = {t: s.fetch_ms(chunks, t) for t in ("origin", "az", "local")}
    snap, cap, lease, idle_s = s.snapstart, s.on_demand_cap, m.lease_s, s.idle_reclaim_s
    scale_cap, scale_w = m.scale_new_environments, m.scale_window_s
    gap, boot_s = 1.0 / m.microvm_create_per_s, m.boot_on_demand_ms / 1000.0
    size = next((z for z in m.microvm_sizes_mib if z >= s.memory_mb), None)
    if size is None:
        raise ValueError(f"no microVM size fits {s.memory_mb} MB")
    density = m.density(size)
    # the fleet: hosts round-robin over the AZs; each with its pool of pre-booted microVMs
    host_az, host_load, pools, next_create = [], [], [], []
    host_code, az_code = [], [snap] * len(s.azs)     # snapshots are cached in every AZ

    def add_host() -> int:
        counts = [host_az.count(a) for a in range(len(s.azs))]
        host_az.append(counts.index(min(counts)))
        host_load.append(0)
        pools.append(deque([-math.inf] * m.pool_depth))
        next_create.append(-math.inf)
        host_code.append(False)
        return len(host_az) - 1

    for _ in range(len(s.azs) * m.hosts_per_az):
        add_host()
    env_created, env_host, env_removed, env_reason = [], [], [], []
    last_used = []

    def place() -> int:
        h = min(range(len(host_load)), key=host_load.__getitem__)
        if host_load[h] >= density:
            h = add_host()
        host_load[h] += 1
        return h

    for _ in range(P):                 # provisioned: initialised before the span
        env_created.append(-math.inf)
        env_host.append(place())
        env_removed.append(None)
        env_reason.append(None)
        last_used.append(0.0)

    def remove(e: int, when: float, why: str) -> None:
        host_load[env_host[e]] -= 1
        env_removed[e] = when
        env_reason[e] = why

    env_col = [-1] * n
    kind = bytearray(n)
    conc = [0] * n
    cold_ms = {}
    busy, idle, pidle = [], deque(), list(range(P - 1, -1, -1))
    window = deque()
    nprov = nod = 0
    step = max(1, n // 100) if bar.shown else max(1, n)
    for lo in range(0, n, step):
        for i in range(lo, min(n, lo + step)):
            t = T[i]
            while busy and busy[0][0] <= t:
                end, e = heappop(busy)
                if e < 0:
                    e = ~e
                    if e < P:
                        nprov -= 1
                        pidle.append(e)
                    else:
                        nod -= 1
                        remove(e, end, "timeout")
                elif e < P:
                    nprov -= 1
                    pidle.append(e)
                else:
                    nod -= 1
                    if env_created[e] + lease > end:
                        last_used[e] = end
                        idle.append(e)
                    else:
                        remove(e, end, "lease")
            while idle and last_used[idle[0]] + idle_s <= t:
                e = idle.popleft()
                ends = env_created[e] + lease
                if ends < last_used[e] + idle_s:
                    remove(e, ends, "lease")
                else:
                    remove(e, last_used[e] + idle_s, "idle")
            if pidle:
                e = pidle.pop()
                nprov += 1
                end = warm_end[i]
            elif nod >= cap:
                kind[i] = KIND_THROTTLED
                conc[i] = nprov + nod
                continue
            else:
                e = -1
                while idle:
                    e = idle.pop()
                    if env_created[e] + lease > t:
                        break
                    remove(e, env_created[e] + lease, "lease")
                    e = -1
                if e >= 0:
                    end = warm_end[i]
                else:                               # a cold start
                    while window and window[0] <= t - scale_w:
                        window.popleft()
                    if len(window) >= scale_cap:
                        kind[i] = KIND_RATE
                        conc[i] = nprov + nod
                        continue
                    window.append(t)
                    h = place()
                    start = max(t, next_create[h])
                    if snap:
                        next_create[h] = start + gap
                        vm = m.vmm_ready_ms + (start - t) * 1000.0
                        kind[i] = KIND_RESTORED
                    else:
                        pool = pools[h]
                        if pool:
                            ready = pool.popleft()
                            vm = m.pool_take_ms + (ready - t) * 1000.0 if ready > t \
                                else m.pool_take_ms
                            pool.append(start + boot_s)      # boot a replacement
                        else:
                            vm = m.boot_on_demand_ms + (start - t) * 1000.0
                        next_create[h] = start + gap
                        kind[i] = KIND_COLD
                    tier = "local" if host_code[h] else "az" if az_code[host_az[h]] else "origin"
                    host_code[h] = az_code[host_az[h]] = True
                    ms = base + vm + fetch[tier]
                    cold_ms[i] = ms
                    end = t + (ms + D[i]) / 1000.0
                    e = len(env_created)
                    env_created.append(t)
                    env_host.append(h)
                    env_removed.append(None)
                    env_reason.append(None)
                    last_used.append(t)
                nod += 1
            env_col[i] = e
            conc[i] = nprov + nod
            heappush(busy, (end, ~e if TO[i] else e))
        bar.update(min(n, lo + step))
    while busy:                                      # let the last requests finish
        end, e = heappop(busy)
        if e < 0:
            if ~e >= P:
                remove(~e, end, "timeout")
        elif e >= P:
            if env_created[e] + lease > end:
                last_used[e] = end
                idle.append(e)
            else:
                remove(e, end, "lease")
    for e in idle:                                   # when the remaining ones would go
        if env_removed[e] is None:
            ends, idles = env_created[e] + lease, last_used[e] + idle_s
            remove(e, min(ends, idles), "lease" if ends < idles else "idle")
    return Run(env_col, kind, conc, cold_ms, env_created, env_host, env_removed, env_reason,
               host_az)


# -- progress -----------------------------------------------------------------------------------
class Progress:
    """An ipywidgets ``IntProgress`` in a Jupyter kernel for long runs; nothing elsewhere.

    Shown only when asked (``progress=True``) or by default above
    :data:`PROGRESS_THRESHOLD` invocations. Its output's ``text/plain`` is a fixed line
    ("Simulating 1,000,000 invocations of 'fn'"), never the bar's state, so a stored notebook
    output does not depend on it (nbval ignores the widget-view part); closed when done.
    """

    def __init__(self, n: int, progress: bool | None, label: str = ""):
        if progress is not None and not isinstance(progress, bool):
            raise ValueError("progress is True, False or None (automatic)")
        self.bar = None
        want = progress if progress is not None else n > PROGRESS_THRESHOLD
        self.shown = bool(want and n and _in_kernel())
        if self.shown:
            import ipywidgets
            from IPython.display import display
            self.bar = ipywidgets.IntProgress(value=0, min=0, max=n, description="Simulating")
            bundle = dict(self.bar._repr_mimebundle_() or {})
            bundle["text/plain"] = f"Simulating {n:,} invocations{label}"
            display(bundle, raw=True)

    def update(self, done: int) -> None:
        if self.bar is not None:
            self.bar.value = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _in_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None
