"""Traffic patterns and duration distributions for :func:`~.simulate.simulate`.

A pattern is a request rate that is constant piece by piece (requests per second over time
from the start of the simulation); its arrivals are either evenly spaced (the k-th request
arrives when the expected count reaches k) or a Poisson process of that rate (independent
requests, the usual model of many users). Arrivals come from a seeded numpy ``Generator``,
vectorised, so a million of them take milliseconds and the same seed gives the same times.

- :func:`steady` — a constant rate, evenly spaced by default;
- :func:`poisson` — a constant rate, Poisson arrivals;
- :func:`bursty` — a base rate with regular bursts at a higher rate;
- :func:`daily` — a day's curve (a cosine between a trough and a peak), repeated for ``days``;
- :func:`from_times` — your own arrival times (seconds from the start).

Durations (ms per invocation): a number, an array, or a callable ``f(rng, n)``;
:func:`lognormal` is the usual shape of request latencies (a median and a long right tail).
"""

from __future__ import annotations

import math

import numpy as np

#: the largest expected number of arrivals a pattern may ask for (memory stays reasonable)
MAX_ARRIVALS = 20_000_000


class Traffic:
    """A piecewise-constant request rate: ``rates[k]`` requests/s from ``edges[k]`` to
    ``edges[k + 1]`` seconds; ``poisson`` draws Poisson arrivals, else evenly spaced ones."""

    def __init__(self, label: str, edges, rates, poisson: bool, times=None):
        self.label = label
        self.edges = np.asarray(edges, dtype=float)
        self.rates = np.asarray(rates, dtype=float)
        self.poisson = bool(poisson)
        self._times = None if times is None else np.asarray(times, dtype=float)
        if self._times is None:
            if len(self.edges) != len(self.rates) + 1 or np.any(np.diff(self.edges) <= 0):
                raise ValueError("edges must increase and have one more entry than rates")
            if not np.all(np.isfinite(self.rates)) or np.any(self.rates < 0):
                raise ValueError("rates must be finite and non-negative")
            self.cumulative = np.concatenate([[0.0], np.cumsum(self.rates * np.diff(self.edges))])
            if self.expected > MAX_ARRIVALS:
                raise ValueError(f"{self.expected:,.0f} expected invocations: at most "
                                 f"{MAX_ARRIVALS:,} per simulation")

    @property
    def seconds(self) -> float:
        """The span of the pattern (s): billing of provisioned concurrency covers it."""
        if self._times is not None:
            return float(self._times[-1]) if len(self._times) else 0.0
        return float(self.edges[-1])

    @property
    def expected(self) -> float:
        """The expected number of arrivals."""
        if self._times is not None:
            return float(len(self._times))
        return float(self.cumulative[-1])

    def rate(self, t) -> np.ndarray:
        """The request rate (requests/s) at times ``t`` (s)."""
        if self._times is not None:
            raise ValueError("a pattern of given times has no rate")
        k = np.clip(np.searchsorted(self.edges, t, side="right") - 1, 0, len(self.rates) - 1)
        return self.rates[k]

    def times(self, rng: np.random.Generator) -> np.ndarray:
        """Sorted arrival times (s from the start), drawn with ``rng`` when Poisson."""
        if self._times is not None:
            return self._times.copy()
        total = self.cumulative[-1]
        if self.poisson:
            marks = np.sort(rng.uniform(0.0, total, rng.poisson(total)))
        else:
            marks = np.arange(math.ceil(total - 1e-9), dtype=float)
        # invert the cumulative count: the segment where it passes each mark, then within it
        k = np.searchsorted(self.cumulative, marks, side="right") - 1
        k = np.clip(k, 0, len(self.rates) - 1)
        return self.edges[k] + (marks - self.cumulative[k]) / self.rates[k]

    def __repr__(self) -> str:
        return self.label


def _positive(name: str, value: float, zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        raise ValueError(f"{name} must be a {'non-negative' if zero else 'positive'} number, "
                         f"not {value!r}")
    return float(value)


def _num(x: float) -> str:
    return f"{x:,g}"


def steady(rps: float, seconds: float, *, poisson: bool = False) -> Traffic:
    """``rps`` requests per second for ``seconds``; evenly spaced unless ``poisson``."""
    rps, seconds = _positive("rps", rps), _positive("seconds", seconds)
    kind = "poisson" if poisson else "steady"
    return Traffic(f"{kind}({_num(rps)} rps, {_num(seconds)} s)", [0.0, seconds], [rps], poisson)


def poisson(rps: float, seconds: float) -> Traffic:
    """Poisson arrivals at ``rps`` requests per second for ``seconds``."""
    return steady(rps, seconds, poisson=True)


def bursty(base_rps: float, burst_rps: float, burst_every_s: float, burst_len_s: float,
           seconds: float, *, poisson: bool = True) -> Traffic:
    """``base_rps`` with a burst of ``burst_rps`` lasting ``burst_len_s`` every
    ``burst_every_s`` seconds (the first burst at t = 0), for ``seconds``."""
    base = _positive("base_rps", base_rps, zero=True)
    burst = _positive("burst_rps", burst_rps)
    every, length = _positive("burst_every_s", burst_every_s), _positive("burst_len_s", burst_len_s)
    seconds = _positive("seconds", seconds)
    if length > every:
        raise ValueError("burst_len_s cannot exceed burst_every_s")
    edges, rates, start = [0.0], [], 0.0
    while start < seconds:
        end = min(start + length, seconds)
        edges.append(end)
        rates.append(burst)
        nxt = min(start + every, seconds)
        if nxt > end:
            edges.append(nxt)
            rates.append(base)
        start = nxt
    label = (f"bursty({_num(base)} rps, bursts of {_num(burst)} rps for {_num(length)} s every "
             f"{_num(every)} s, {_num(seconds)} s)")
    return Traffic(label, edges, rates, poisson)


def daily(peak_rps: float, days: float = 1, *, trough: float = 0.1, peak_after_h: float = 12.0,
          poisson: bool = True) -> Traffic:
    """A daily curve: the rate follows a cosine between ``peak_rps`` (``peak_after_h`` hours
    after the start of each day) and ``trough * peak_rps`` (12 hours from the peak), for
    ``days`` days. The rate is constant within each minute (1,440 steps a day)."""
    peak = _positive("peak_rps", peak_rps)
    days = _positive("days", days)
    if isinstance(trough, bool) or not isinstance(trough, (int, float)) or not 0 <= trough <= 1:
        raise ValueError("trough is a share of the peak rate, between 0 and 1")
    if isinstance(peak_after_h, bool) or not isinstance(peak_after_h, (int, float)) \
            or not 0 <= peak_after_h < 24:
        raise ValueError("peak_after_h must be in [0, 24)")
    minutes = max(1, round(days * 1440))
    edges = np.arange(minutes + 1, dtype=float) * 60.0
    hours = (edges[:-1] + 30.0) / 3600.0            # the middle of each minute
    shape = (1 + np.cos(2 * np.pi * (hours - peak_after_h) / 24.0)) / 2
    rates = peak * (trough + (1 - trough) * shape)
    label = f"daily(peak {_num(peak)} rps, {_num(days)} day{'s' if days != 1 else ''})"
    return Traffic(label, edges, rates, poisson)


def from_times(times) -> Traffic:
    """Arrivals at the given times (seconds from the start; sorted for you)."""
    arr = np.sort(np.asarray(times, dtype=float).ravel())
    if len(arr) and (not np.all(np.isfinite(arr)) or arr[0] < 0):
        raise ValueError("times must be finite and non-negative seconds")
    if len(arr) > MAX_ARRIVALS:
        raise ValueError(f"at most {MAX_ARRIVALS:,} invocations per simulation")
    return Traffic(f"from_times({len(arr):,} invocations)", [0.0, 1.0], [0.0], False, times=arr)


# -- durations ----------------------------------------------------------------------------------
class Lognormal:
    """Handler durations (ms) drawn from a lognormal distribution with the given median and
    99th percentile: most requests near the median, a few much slower."""

    Z99 = 2.3263478740408408          # the standard normal's 99th percentile

    def __init__(self, median_ms: float, p99_ms: float):
        self.median_ms = _positive("median_ms", median_ms)
        self.p99_ms = _positive("p99_ms", p99_ms)
        if self.p99_ms < self.median_ms:
            raise ValueError("p99_ms cannot be below median_ms")
        self.sigma = math.log(self.p99_ms / self.median_ms) / self.Z99

    def __call__(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.lognormal(math.log(self.median_ms), self.sigma, n)

    def __repr__(self) -> str:
        return f"lognormal(median {_num(self.median_ms)} ms, p99 {_num(self.p99_ms)} ms)"


def lognormal(median_ms: float, p99_ms: float) -> Lognormal:
    """Durations with this median and 99th percentile (ms), for ``simulate(duration_ms=...)``."""
    return Lognormal(median_ms, p99_ms)
