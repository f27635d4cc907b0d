"""The step-through: a trace's diagram with one step highlighted at a time, Play + slider.

``StepThrough(traces)`` (what displaying a :class:`~awskit.trace.Trace` shows, and what
``awskit.widgets.step_through(cloud.traces[-2:])`` gives for the seven-step S3 upload) draws
``trace_diagram(traces, highlight=n)`` for every step n up front, so playing is smooth: moving
the slider (or pressing Play, which is linked to it in the browser) only swaps the ``value``
of an HTML widget. The caption under the diagram names the step's component, its action and
its simulated time. Where no Graphviz renderer exists, the DOT source shows instead, with a
one-line install hint.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ..diagrams import render as _render
from ..diagrams import style as _style
from ..diagrams.traces import describe, numbered_steps, trace_diagram
from ..trace import Trace
from . import html as H
from .core import View, ipywidgets, weak

#: milliseconds between two steps when playing
PLAY_INTERVAL_MS = 1600


def _as_traces(traces) -> list[Trace]:
    if isinstance(traces, Trace):
        return [traces]
    try:
        traces = list(traces)
    except TypeError:
        raise TypeError(f"expected a Trace or a list of Traces, not {type(traces).__name__}") \
            from None
    for t in traces:
        if not isinstance(t, Trace):
            raise TypeError(f"expected Traces, got a {type(t).__name__}")
    return traces


def _render_all(sources: list[str]) -> list[str | None]:
    """SVG of every source (None without a renderer), several ``dot`` processes at a time."""
    if len(sources) <= 2:
        return [_render.render_svg(s) for s in sources]
    with ThreadPoolExecutor(max_workers=min(8, len(sources))) as pool:
        return list(pool.map(_render.render_svg, sources))


class StepThrough(View):
    """Step through one or more traces: ``.step`` (1-based, settable), ``.caption``, ``.svg``,
    ``.widget`` (the ipywidgets container). ``internals=True`` draws the steps' insides too."""

    def __init__(self, traces, *, internals: bool = False, interval_ms: int = PLAY_INTERVAL_MS):
        super().__init__()
        self.traces = _as_traces(traces)
        self.internals = internals
        self._steps = numbered_steps(self.traces)
        n = len(self._steps)
        self.diagrams = [trace_diagram(self.traces, highlight=i, internals=internals)
                         for i in range(1, n + 1)] or [trace_diagram(self.traces)]
        self._svgs = _render_all([d.source for d in self.diagrams])
        self._frames = [H.diagram_html(svg, d.source, hint=_render.INSTALL_HINT, scale=1.25)
                        for svg, d in zip(self._svgs, self.diagrams, strict=True)]
        self._build(max(n, 1), interval_ms)

    # -- widgets ----------------------------------------------------------------------------
    def _build(self, top: int, interval_ms: int) -> None:
        w = ipywidgets()
        self._play = w.Play(value=1, min=1, max=top, step=1, interval=interval_ms,
                            repeat=False, show_repeat=False, description="Play",
                            disabled=self.length == 0, layout=w.Layout(flex="0 0 auto"))
        self._slider = w.IntSlider(value=1, min=1, max=top, step=1, description="Step",
                                   readout=True, continuous_update=True,
                                   disabled=self.length == 0,
                                   layout=w.Layout(flex="1 1 auto", width="auto"),
                                   style={"description_width": "40px"})
        self._link = w.jslink((self._play, "value"), (self._slider, "value"))
        self._diagram = w.HTML(self._frames[0], layout=w.Layout(width="100%"))
        self._caption = w.HTML(self._caption_html(1), layout=w.Layout(width="100%"))
        self._play.add_class("awskit-play")
        self._slider.add_class("awskit-slider")
        self._diagram.add_class("awskit-diagram")
        self._caption.add_class("awskit-caption")
        controls = w.HBox([self._play, self._slider],
                          layout=w.Layout(width="100%", align_items="center"))
        controls.add_class("awskit-controls")
        self._slider.observe(weak(self._on_slider), names="value")
        self._finish([self._diagram, self._caption, controls], "awskit-step-through",
                     widget_owns_view=True)
        self.widget.layout.width = "100%"

    def _on_slider(self, change) -> None:
        self._show(change["new"])

    def _show(self, n: int) -> None:
        self._diagram.value = self._frames[n - 1] if self.length else self._frames[0]
        self._caption.value = self._caption_html(n)

    # -- the Python side --------------------------------------------------------------------
    @property
    def length(self) -> int:
        """The number of steps (the slider runs over 1..length)."""
        return len(self._steps)

    def __len__(self) -> int:
        return self.length

    @property
    def step(self) -> int:
        """The step shown, 1-based."""
        return self._slider.value

    @step.setter
    def step(self, n: int) -> None:
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"step must be an int, not {type(n).__name__}")
        if not 1 <= n <= max(self.length, 1):
            raise ValueError(f"step must be between 1 and {self.length}, not {n}")
        self._play.value = n
        self._slider.value = n

    @property
    def svg(self) -> str | None:
        """The SVG shown now (None when no Graphviz renderer is available)."""
        return self._svgs[self.step - 1] if self.length else self._svgs[0]

    @property
    def source(self) -> str:
        """The DOT source of the diagram shown now."""
        return self.diagrams[self.step - 1 if self.length else 0].source

    @property
    def caption(self) -> str:
        """The caption shown now, as text."""
        return self.caption_for(self.step)

    def caption_for(self, n: int) -> str:
        """``Step 3 of 7 — Metadata DB: Insert bucket row … (+3.0 ms, 2 ms)``."""
        if not self.length:
            return "No steps recorded"
        _, trace, step, _, _ = self._steps[n - 1]
        when = self._when(trace, step)
        return f"Step {n} of {self.length} — {step.component}: {step.action} ({when})"

    def _when(self, trace: Trace, step) -> str:
        offset = (step.t0 - trace.t0) * 1000
        when = f"+{offset:.1f} ms, {step.duration_ms:g} ms"
        return f"{trace.operation} {when}" if len(self.traces) > 1 else when

    def _caption_html(self, n: int) -> str:
        if not self.length:
            return '<div class="awskit-caption-box"><span class="awskit-empty">No steps ' \
                   'recorded</span></div>'
        _, trace, step, _, _ = self._steps[n - 1]
        colour, fill = _style.CATEGORIES[_style.category(step.component)]
        return (f'<div class="awskit-caption-box">'
                f'<span class="awskit-stepno">Step {n} of {self.length}</span>'
                f'<span class="awskit-chip" style="border-color:{colour};background:{fill}">'
                f'{H.esc(step.component)}</span>'
                f'<span class="awskit-action">{H.esc(step.action)}</span>'
                f'<span class="awskit-time">{H.esc(self._when(trace, step))}</span></div>')

    def close(self) -> None:
        """Close the widgets (the Play-slider link too)."""
        if not self.closed:
            self._link.close()
        super().close()

    # -- display ----------------------------------------------------------------------------
    def text(self) -> str:
        return describe(self.traces)

    def fallback(self) -> dict:
        return trace_diagram(self.traces, internals=self.internals)._repr_mimebundle_()

    def html(self) -> str:
        """The current frame as standalone HTML (stylesheet, diagram, caption): for a page or
        a screenshot; the controls are the widget's own and are not part of it."""
        return (f'{H.style_block()}<div class="awskit-widget awskit-step-through">'
                f'<div class="awskit-diagram">{self._diagram.value}</div>'
                f'<div class="awskit-caption">{self._caption.value}</div></div>')


def step_through(traces, *, internals: bool = False) -> StepThrough:
    """A step-through of one trace or several (``cloud.traces[-2:]``), numbered across them."""
    return StepThrough(traces, internals=internals)
