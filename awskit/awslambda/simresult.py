"""What :func:`~.simulate.simulate` returns: one row per invocation, and views of them.

``result.frame`` — a pandas DataFrame, one row per invocation, in arrival order:

========================  =====================================================================
``t``                     arrival, simulated seconds from the start
``start``                 arrival as a UTC datetime (the cloud's clock at the call + ``t``)
``cold``                  a new environment was created for it (SnapStart restores included)
``restored``              SnapStart: the environment was restored from a snapshot (no INIT)
``environment``           environment id (0, 1, ...; provisioned ones first; -1: throttled)
``provisioned``           served by a provisioned environment
``latency_ms``            Lambda's internal path + the cold start if any + the handler (NaN:
                          throttled)
``duration_ms``           the handler's modelled duration, capped at the timeout (NaN: throttled)
``billed_ms``             billed duration: handler + a cold start's INIT, rounded up to 1 ms
``timed_out``             the handler ran into the function's timeout
``throttled``             refused with TooManyRequestsException (HTTP 429)
``reason``                its ``Reason`` (botocore's ThrottleReason), else missing
``concurrency``           busy environments once this request was admitted (or refused)
``cost_usd``              request + duration charge of this invocation (0 when throttled)
========================  =====================================================================

``result.environments`` — one row per environment: ``created_s`` (NaN for provisioned ones,
initialised before the span), ``removed_s`` and ``removed_because`` ("idle", "lease",
"timeout"; an environment still there at the end shows when it would go; provisioned ones are
never removed), ``host``, ``az``, ``invocations``. ``summary()``, ``concurrency()``, ``timeline()``, ``latency_steps()`` and
:func:`compare` read these; :mod:`.plots` draws them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import pricing

#: the ThrottleReason values a simulation can give [BC]: the function's reserved concurrency,
#: the account's unreserved pool, the scaling rate
REASONS = ("ReservedFunctionConcurrentInvocationLimitExceeded",
           "ConcurrentInvocationLimitExceeded", "FunctionInvocationRateLimitExceeded")
#: bucket sizes (s) for timelines: the smallest giving at most 300 buckets
_BUCKETS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200,
            86400)


def _seconds(freq) -> float:
    if isinstance(freq, bool):
        raise TypeError("freq is seconds or a pandas frequency such as '1min'")
    if isinstance(freq, (int, float)):
        if not freq > 0 or not math.isfinite(freq):
            raise ValueError("freq must be positive")
        return float(freq)
    seconds = pd.Timedelta(freq).total_seconds()
    if seconds <= 0:
        raise ValueError("freq must be positive")
    return seconds


class SimulationResult:
    """The invocations of one simulation (see the module docstring)."""

    def __init__(self, settings, frame: pd.DataFrame, environments: pd.DataFrame):
        self.settings = settings
        self.frame = frame
        self.environments = environments

    @classmethod
    def build(cls, s, times, durations, timed_out, run) -> SimulationResult:
        n = len(times)
        env = np.asarray(run.env, dtype=np.int64)
        kind = np.frombuffer(bytes(run.kind), dtype=np.uint8)
        served = env >= 0
        prov = served & (env < s.provisioned)
        cold, restored = kind == 1, kind == 2
        warm_ms = sum(x[2] for x in s.warm_steps())
        over = np.full(n, warm_ms)
        if run.cold_ms:
            idx = np.fromiter(run.cold_ms.keys(), dtype=np.int64, count=len(run.cold_ms))
            over[idx] = np.fromiter(run.cold_ms.values(), dtype=float, count=len(run.cold_ms))
        latency = np.where(served, np.round(over + durations, 3), np.nan)
        init_billed = s.start.date() >= pricing.INIT_BILLED_SINCE
        init = np.where(cold & ~prov, s.init_ms if init_billed else 0.0, 0.0)
        billed = np.where(served, np.maximum(pricing.GRANULARITY_MS, np.ceil(
            (durations + init) / pricing.GRANULARITY_MS - 1e-9) * pricing.GRANULARITY_MS), 0)
        price = np.where(prov, pricing.PROVISIONED_DURATION_PRICE[s.architecture],
                         pricing.DURATION_PRICE[s.architecture])
        gb = s.memory_mb / 1024
        extra_gb = max(0, s.ephemeral_mb - pricing.FREE_EPHEMERAL_MB) / 1024
        seconds = billed / 1000
        cost = np.where(served, pricing.REQUEST_PRICE + gb * seconds * price
                        + extra_gb * seconds * pricing.EPHEMERAL_PRICE, 0.0)
        codes = np.full(n, -1, dtype=np.int8)
        codes[kind == 3] = REASONS.index(s.cap_reason)
        codes[kind == 4] = 2
        start = s.start + pd.to_timedelta(times, unit="s")
        frame = pd.DataFrame({
            "t": times, "start": start, "cold": cold | restored, "restored": restored,
            "environment": env, "provisioned": prov, "latency_ms": latency,
            "duration_ms": np.where(served, np.round(durations, 3), np.nan),
            "billed_ms": billed.astype(np.int64), "timed_out": served & timed_out,
            "throttled": ~served, "reason": pd.Categorical.from_codes(codes, REASONS),
            "concurrency": np.asarray(run.concurrency, dtype=np.int64), "cost_usd": cost})
        counts = np.bincount(env[served], minlength=len(run.env_created))
        envs = pd.DataFrame({
            "environment": np.arange(len(run.env_created)),
            "provisioned": np.arange(len(run.env_created)) < s.provisioned,
            "created_s": [c if c != -math.inf else np.nan for c in run.env_created],
            "removed_s": [np.nan if r is None else r for r in run.env_removed],
            "removed_because": pd.Categorical(run.env_reason,
                                              categories=["idle", "lease", "timeout"]),
            "host": [f"worker-{h + 1}" for h in run.env_host],
            "az": [s.azs[run.host_az[h]] for h in run.env_host],
            "invocations": counts})
        return cls(s, frame, envs)

    # -- numbers -----------------------------------------------------------------------------
    @property
    def provisioned_cost(self) -> float:
        """The provisioned concurrency charge for the simulated span (5-minute rounding)."""
        s = self.settings
        if not s.provisioned:
            return 0.0
        return pricing.provisioned_charge(s.memory_mb, s.provisioned, s.span_s,
                                          s.architecture)[1]

    def summary(self) -> dict:
        """Counts, shares, latency percentiles (served requests), concurrency, cost."""
        f, s = self.frame, self.settings
        n = len(f)
        served = f.loc[~f["throttled"], "latency_ms"].to_numpy()
        cold = int(f["cold"].sum())
        p50, p90, p99 = (np.percentile(served, [50, 90, 99]) if len(served)
                         else (math.nan,) * 3)
        invoke_cost = float(f["cost_usd"].sum())
        total = invoke_cost + self.provisioned_cost
        return {"function": s.function, "qualifier": s.qualifier, "invocations": n,
                "served": len(served), "cold_starts": cold,
                "cold_share": cold / len(served) if len(served) else 0.0,
                "restored": int(f["restored"].sum()), "throttles": int(f["throttled"].sum()),
                "throttle_share": float(f["throttled"].mean()) if n else 0.0,
                "timeouts": int(f["timed_out"].sum()),
                "p50_ms": float(p50), "p90_ms": float(p90), "p99_ms": float(p99),
                "max_concurrency": int(f["concurrency"].max()) if n else 0,
                "environments_created": int((~self.environments["provisioned"]).sum()),
                "provisioned": s.provisioned,
                "cost_invocations_usd": invoke_cost,
                "cost_provisioned_usd": self.provisioned_cost, "cost_usd": total,
                "cost_per_million_usd": total / n * 1e6 if n else 0.0}

    def __repr__(self) -> str:
        x = self.summary()
        p99 = "-" if math.isnan(x["p99_ms"]) else f"{x['p99_ms']:,.0f} ms"
        n = x["invocations"]
        text = (f"Lambda simulation of {x['function']!r}: {n:,} invocation{'s' * (n != 1)}, "
                f"{_percent(x['cold_share'])} cold, p99 {p99}, {_usd(x['cost_usd'])}")
        if x["throttles"]:
            text += f", {x['throttles']:,} throttled"
        return text

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def latency_steps(self, tier: str = "origin") -> pd.DataFrame:
        """The steps (component, action, ms) of a warm start and of a cold start whose code
        (or snapshot) comes from ``tier`` ("origin" = S3, "az", "local"), microVM ready."""
        if tier not in ("origin", "az", "local"):
            raise ValueError("tier is 'origin', 'az' or 'local'")
        rows = [("warm", *x) for x in self.settings.warm_steps()]
        rows += [("cold", *x) for x in self.settings.cold_steps(tier)]
        return pd.DataFrame(rows, columns=["start", "component", "action", "ms"])

    # -- time series -------------------------------------------------------------------------
    @property
    def horizon_s(self) -> float:
        """The end of the simulated time: the span, or the last request's end if later."""
        f = self.frame
        ends = (f["t"] + f["latency_ms"] / 1000).max() if len(f) else 0.0
        return float(max(self.settings.span_s, 0.0 if pd.isna(ends) else ends))

    def bucket(self, freq=None) -> float:
        """A bucket size (s): ``freq`` (seconds or e.g. '1min') or the smallest of 1 s, 2 s,
        5 s, ... giving at most 300 buckets."""
        if freq is not None:
            return _seconds(freq)
        span = max(self.horizon_s, 1.0)
        return float(next((b for b in _BUCKETS if span / b <= 300), _BUCKETS[-1]))

    def _steps(self):
        """Busy environments as a step function: (event times, level after each event)."""
        f = self.frame[~self.frame["throttled"]]
        t = f["t"].to_numpy()
        end = t + f["latency_ms"].to_numpy() / 1000
        times = np.concatenate([end, t])
        delta = np.concatenate([-np.ones(len(end)), np.ones(len(t))])
        order = np.lexsort((delta, times))          # an end before a start at the same time
        return times[order], np.cumsum(delta[order])

    def concurrency(self, freq=None, how: str = "max") -> pd.Series:
        """Busy environments over time, resampled: the peak (``how="max"``, as CloudWatch's
        ConcurrentExecutions Maximum) or the time-weighted mean of each bucket."""
        if how not in ("max", "mean"):
            raise ValueError("how is 'max' or 'mean'")
        size = self.bucket(freq)
        nb = max(1, math.ceil(self.horizon_s / size - 1e-9))
        times, level = self._steps()
        edges = np.arange(nb + 1) * size
        if not len(times):
            out = np.zeros(nb)
        elif how == "max":
            b = np.minimum((times // size).astype(np.int64), nb - 1)
            out = np.zeros(nb)
            np.maximum.at(out, b, level)
            before = np.searchsorted(b, np.arange(nb), side="left") - 1   # last event before
            carried = np.where(before >= 0, level[np.maximum(before, 0)], 0.0)
            out = np.maximum(out, carried)
        else:                               # the area under the step function, per bucket
            area = np.concatenate([[0.0], np.cumsum(level[:-1] * np.diff(times))])
            j = np.maximum(np.searchsorted(times, edges, side="right") - 1, 0)
            at = np.where(edges >= times[0], area[j] + level[j] * (edges - times[j]), 0.0)
            out = np.diff(at) / size
        index = self.settings.start + pd.to_timedelta(edges[:-1], unit="s")
        return pd.Series(out, index=pd.DatetimeIndex(index, name="start"), name="concurrency")

    def timeline(self, freq=None) -> pd.DataFrame:
        """Per bucket: invocations, cold starts and their share, throttles, p50 and p99
        latency (ms), peak concurrency, cost of the bucket and cumulative cost (provisioned
        concurrency accrued evenly over the span)."""
        size = self.bucket(freq)
        conc = self.concurrency(size)
        nb = len(conc)
        f = self.frame
        b = np.minimum((f["t"].to_numpy() // size).astype(np.int64), nb - 1)
        count = np.bincount(b, minlength=nb)
        throttled = np.bincount(b, weights=f["throttled"].to_numpy(), minlength=nb)
        cold = np.bincount(b, weights=f["cold"].to_numpy(), minlength=nb)
        served = count - throttled
        lat = pd.Series(f["latency_ms"].to_numpy()).groupby(b)
        cost = np.bincount(b, weights=f["cost_usd"].to_numpy(), minlength=nb)
        edges = np.arange(1, nb + 1) * size
        accrued = self.provisioned_cost * np.minimum(edges / self.settings.span_s, 1.0) \
            if self.settings.span_s > 0 else np.full(nb, self.provisioned_cost)
        out = pd.DataFrame({
            "t": np.arange(nb) * size, "invocations": count, "cold_starts": cold.astype(int),
            "cold_share": np.divide(cold, served, out=np.full(nb, np.nan), where=served > 0),
            "throttles": throttled.astype(int),
            "p50_ms": lat.quantile(0.5).reindex(range(nb)).to_numpy(),
            "p99_ms": lat.quantile(0.99).reindex(range(nb)).to_numpy(),
            "concurrency": conc.to_numpy(), "cost_usd": cost,
            "cumulative_cost_usd": np.cumsum(cost) + accrued}, index=conc.index)
        return out

    def plot(self, **kwargs):
        """The dashboard of :func:`~.plots.plot`."""
        from .plots import plot
        return plot(self, **kwargs)


def compare(results: dict) -> pd.DataFrame:
    """One row per what-if (``{"on demand": r1, "provisioned 50": r2}``): the main figures."""
    if not isinstance(results, dict) or not results or not all(
            isinstance(r, SimulationResult) for r in results.values()):
        raise ValueError("compare takes a non-empty dict of name -> SimulationResult")
    keys = ("invocations", "cold_starts", "cold_share", "throttles", "p50_ms", "p90_ms",
            "p99_ms", "max_concurrency", "environments_created", "provisioned", "cost_usd",
            "cost_per_million_usd")
    rows = {}
    for name, result in results.items():
        summary = result.summary()
        rows[name] = {k: summary[k] for k in keys}
    return pd.DataFrame.from_dict(rows, orient="index")


def _percent(share: float) -> str:
    """One decimal, or two significant digits below 0.1% (a million invocations with a few
    dozen cold starts is not "0.0% cold")."""
    if share == 0 or share >= 0.001:
        return f"{share:.1%}"
    return f"{share * 100:.2g}%"


def _usd(x: float) -> str:
    if x == 0 or x >= 0.01:
        return f"${x:,.2f}"
    return f"${x:.{1 - math.floor(math.log10(x))}f}"
