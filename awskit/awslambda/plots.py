"""Plots of Lambda simulations (matplotlib, imported only when a plot is drawn).

- :func:`plot` — one simulation's dashboard: concurrency against its limits, cold-start (and
  throttle) share, p50/p99 latency, cumulative cost;
- :func:`compare_plot` — the same four panels with one line per what-if
  (``{"on demand": r1, "provisioned 50": r2, "SnapStart": r3}``);
- :func:`concurrency_plot`, :func:`cold_start_plot`, :func:`latency_plot`, :func:`cost_plot`
  — one panel each, on a given ``ax`` or a new figure.

Figures are deterministic (fixed size and resolution, no dates or timestamps: time is shown
from the start of the simulation) and are returned closed to pyplot, so a notebook shows each
once (as the cell's value) and nothing piles up in pyplot's state.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

#: one colour per line (what-ifs in order), then the colours of limits and extras
PALETTE = ("#1f6fb4", "#e8710a", "#2e9e44", "#c5283d", "#7b4fb0", "#8c564b", "#d44fa8",
           "#5f6b73")
LIMIT, PROVISIONED, THROTTLE = "#c5283d", "#2e9e44", "#c5283d"
SIZE, DPI = (12.0, 7.5), 100
STYLE = {"axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
         "grid.alpha": 0.3, "grid.linestyle": "-", "font.size": 9.5, "axes.titlesize": 11,
         "axes.titleweight": "bold", "axes.labelsize": 9.5, "legend.fontsize": 8.5,
         "legend.frameon": False, "lines.linewidth": 1.6, "figure.facecolor": "white",
         "svg.hashsalt": "awskit"}


def _plt():
    import matplotlib.pyplot as plt
    return plt


def _units(horizon_s: float) -> tuple[float, str]:
    """Divide seconds by this, label the axis with that unit."""
    if horizon_s <= 600:
        return 1.0, "s"
    if horizon_s <= 4 * 3600:
        return 60.0, "min"
    return 3600.0, "h"


def _check(results) -> dict:
    from .simresult import SimulationResult
    if isinstance(results, SimulationResult):
        return {results.settings.function: results}
    if not isinstance(results, dict) or not results or not all(
            isinstance(r, SimulationResult) for r in results.values()):
        raise ValueError("expected a SimulationResult or a non-empty dict of name -> "
                         "SimulationResult")
    return results


class _Frames:
    """Timelines of several results on one time axis (the largest bucket of them)."""

    def __init__(self, results: dict, freq=None):
        self.results = results
        size = max(r.bucket(freq) for r in results.values())
        self.horizon = max(max(r.horizon_s for r in results.values()), size)
        self.scale, self.unit = _units(self.horizon)
        self.size = size
        self.lines = {name: r.timeline(size) for name, r in results.items()}

    def x(self, tl, edge: bool = False) -> np.ndarray:
        """Bucket starts (or ends, for cumulative values) in the axis unit."""
        return (tl["t"].to_numpy() + (self.size if edge else 0.0)) / self.scale

    @property
    def xlabel(self) -> str:
        bucket = f"{self.size:g} s" if self.size < 60 else f"{self.size / 60:g} min"
        return f"time since start ({self.unit}; buckets of {bucket})"


def _axes(ax):
    plt = _plt()
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=(SIZE[0] / 2, SIZE[1] / 2), dpi=DPI, layout="constrained")
    plt.close(fig)
    return fig, ax


def _finish(ax, frames: _Frames, title: str, ylabel: str) -> None:
    ax.set_title(title, loc="left")
    ax.set_xlabel(frames.xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, frames.horizon / frames.scale)
    ax.set_ylim(bottom=0)
    handles, _ = ax.get_legend_handles_labels()
    if handles:
        ax.legend(loc="best")


def _draw_concurrency(ax, frames: _Frames, single: bool) -> None:
    peak = 0.0
    for k, (name, tl) in enumerate(frames.lines.items()):
        y = tl["concurrency"].to_numpy()
        peak = max(peak, float(y.max()) if len(y) else 0.0)
        ax.step(frames.x(tl), y, where="post", color=PALETTE[k % len(PALETTE)], lw=_width(k),
                label="busy environments (peak per bucket)" if single else name)
    if single:
        s = next(iter(frames.results.values())).settings
        if s.reserved is not None:
            ax.axhline(s.reserved, color=LIMIT, linestyle="--", linewidth=1.2,
                       label=f"reserved concurrency ({s.reserved:,})")
        elif peak >= 0.5 * s.account_limit:
            ax.axhline(s.account_limit, color=LIMIT, linestyle="--", linewidth=1.2,
                       label=f"account quota ({s.account_limit:,})")
        if s.provisioned:
            ax.axhline(s.provisioned, color=PROVISIONED, linestyle=":", linewidth=1.4,
                       label=f"provisioned concurrency ({s.provisioned:,})")
    _finish(ax, frames, "Concurrency", "busy execution environments")


def _draw_cold(ax, frames: _Frames, single: bool) -> None:
    for k, (name, tl) in enumerate(frames.lines.items()):
        colour = PALETTE[k % len(PALETTE)]
        ax.plot(frames.x(tl), 100 * tl["cold_share"].to_numpy(), color=colour, lw=_width(k),
                label="cold starts (% of served)" if single else name, drawstyle="steps-post")
        throttled = tl["throttles"].to_numpy()
        if throttled.any():
            share = np.divide(100 * throttled, tl["invocations"].to_numpy(),
                              out=np.full(len(tl), np.nan), where=tl["invocations"].to_numpy() > 0)
            ax.plot(frames.x(tl), share, color=THROTTLE if single else colour,
                    linestyle="--", drawstyle="steps-post",
                    label="throttled (% of requests)" if single else None)
    throttles = any(tl["throttles"].any() for tl in frames.lines.values())
    title = "Cold starts" + (" and throttles" if throttles else "")
    if throttles and not single:
        title = "Cold starts (solid) and throttles (dashed)"
    _finish(ax, frames, title, "share of requests (%)")


def _draw_latency(ax, frames: _Frames, single: bool) -> None:
    low, high = math.inf, 0.0
    for k, (name, tl) in enumerate(frames.lines.items()):
        colour = PALETTE[k % len(PALETTE)]
        x = frames.x(tl)
        p50, p99 = tl["p50_ms"].to_numpy(), tl["p99_ms"].to_numpy()
        ax.plot(x, p99, color=colour, drawstyle="steps-post", lw=_width(k),
                label="p99" if single else name)
        ax.plot(x, p50, color=colour, drawstyle="steps-post", linestyle="--", alpha=0.8,
                label="p50" if single else None)
        if np.isfinite(p50).any():
            low, high = min(low, np.nanmin(p50)), max(high, np.nanmax(p99))
    _finish(ax, frames, "Latency, front end to end of handler" if single
            else "Latency: p99 (solid) and p50 (dashed)", "latency (ms)")
    if high > 0 and low > 0 and high / low > 30:
        ax.set_yscale("log")
        ax.set_ylabel("latency (ms, log scale)")


def _draw_cost(ax, frames: _Frames, single: bool) -> None:
    for k, (name, tl) in enumerate(frames.lines.items()):
        colour = PALETTE[k % len(PALETTE)]
        x = np.concatenate([[0.0], frames.x(tl, edge=True)])
        y = np.concatenate([[0.0], tl["cumulative_cost_usd"].to_numpy()])
        ax.plot(x, y, color=colour, lw=_width(k), label="total" if single else name)
        result = frames.results[name]
        if single and result.settings.provisioned:
            span = result.settings.span_s / frames.scale
            ax.plot([0, span], [0, result.provisioned_cost], color=PROVISIONED, linestyle=":",
                    label="provisioned concurrency part")
    _finish(ax, frames, "Cumulative cost", "cost (USD)")
    top = ax.get_ylim()[1]
    digits = max(2, min(8, 1 - math.floor(math.log10(top)))) if top > 0 else 2
    from matplotlib.ticker import StrMethodFormatter
    ax.yaxis.set_major_formatter(StrMethodFormatter("${x:,." + str(digits) + "f}"))


def _width(k: int) -> float:
    """Earlier what-ifs are drawn wider, so a later line on top of one leaves it visible."""
    return max(1.0, 2.6 - 0.5 * k)


def _panel(draw, title_default: str):
    def panel(results, *, ax=None, freq=None):
        results = _check(results)
        import matplotlib
        with matplotlib.rc_context(STYLE):
            fig, ax = _axes(ax)
            draw(ax, _Frames(results, freq), len(results) == 1)
        return fig
    panel.__doc__ = (f"{title_default} of one result or a dict of what-ifs, on ``ax`` (or a "
                     "new figure); ``freq``: bucket size (s or e.g. '1min'). Returns the figure.")
    return panel


concurrency_plot = _panel(_draw_concurrency, "Busy environments over time")
cold_start_plot = _panel(_draw_cold, "Cold-start (and throttle) share over time")
latency_plot = _panel(_draw_latency, "p50 and p99 latency over time")
cost_plot = _panel(_draw_cost, "Cumulative cost")


def _dashboard(results: dict, freq, title: str, subtitle: str):
    import matplotlib
    plt = _plt()
    single = len(results) == 1
    with matplotlib.rc_context(STYLE):
        fig, axes = plt.subplots(2, 2, figsize=SIZE, dpi=DPI, layout="constrained")
        plt.close(fig)
        frames = _Frames(results, freq)
        for draw, ax in zip((_draw_concurrency, _draw_cold, _draw_latency, _draw_cost),
                            axes.flat):
            draw(ax, frames, single)
        fig.suptitle(title + "\n" + textwrap.fill(subtitle, 150), fontsize=11, x=0.01,
                     ha="left")
    return fig


def plot(result, *, freq=None):
    """The four panels of one simulation; the title is the result's summary line."""
    (name, result), = _check(result).items()
    s = result.settings
    return _dashboard({name: result}, freq, repr(result), _settings_line(s))


def compare_plot(results: dict, *, freq=None, title: str | None = None):
    """The four panels with one line per what-if (a dict of name -> SimulationResult)."""
    results = _check(results)
    first = next(iter(results.values())).settings
    names = ", ".join(results)
    return _dashboard(results, freq, title or f"Lambda what-ifs for {first.function!r}: {names}",
                      f"traffic {first.traffic}; handler {first.duration}; "
                      f"{first.memory_mb:,} MB")


def _settings_line(s) -> str:
    parts = [f"traffic {s.traffic}", f"handler {s.duration}", f"INIT {s.init_ms:g} ms",
             f"{s.memory_mb:,} MB"]
    if s.reserved is not None:
        parts.append(f"reserved {s.reserved:,}")
    if s.provisioned:
        parts.append(f"provisioned {s.provisioned:,}")
    if s.snapstart:
        parts.append("SnapStart")
    return "; ".join(parts)
