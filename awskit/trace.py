"""Traces: the internal steps every request really took, on the simulated clock.

A :class:`Trace` is plain data: one per request, with the ordered :class:`Step` list that the
pipeline and the service recorded ("API service" received the request, "IAM" authorized it,
"Data store" persisted the bytes, ...). Diagrams and step-through widgets are drawn from
traces; nothing here knows about graphviz.

``cloud.traces`` is a :class:`TraceLog`: the most recent traces, newest last, bounded so that
long runs do not grow memory without end (``cloud.traces.maxlen = 10_000`` to keep more).
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from typing import Iterator

from .clock import EPOCH


class Step:
    """One internal step: ``component`` did ``action`` at ``start`` for ``duration_ms``.

    ``substeps`` (or None) are the internals of this step, laid out inside it on the clock:
    e.g. the data store's routing, placement, primary and replicas.
    """

    __slots__ = ("component", "action", "detail", "t0", "duration_ms", "_substeps")

    def __init__(self, component: str, action: str, detail: dict, t0: float, duration_ms: float,
                 substeps: list | None = None):
        self.component = component
        self.action = action
        self.detail = detail
        self.t0 = t0                  # seconds since the clock's epoch
        self.duration_ms = duration_ms
        self._substeps = substeps     # Steps, or (component, action, ms, detail) tuples

    @property
    def substeps(self) -> list["Step"] | None:
        subs = self._substeps
        if subs and type(subs[0]) is tuple:   # made into Steps when first looked at
            t, out = self.t0, []
            for component, action, ms, detail in subs:
                out.append(Step(component, action, detail, t, ms))
                t += ms / 1000
            self._substeps = subs = out
        return subs

    @property
    def start(self) -> datetime:
        return EPOCH + timedelta(seconds=self.t0)

    @property
    def end(self) -> datetime:
        return EPOCH + timedelta(seconds=self.t0 + self.duration_ms / 1000)

    def to_dict(self) -> dict:
        return {"component": self.component, "action": self.action, "detail": self.detail,
                "start": self.start.isoformat(), "t0": self.t0, "duration_ms": self.duration_ms,
                "substeps": [s.to_dict() for s in self.substeps] if self.substeps else []}

    @classmethod
    def from_dict(cls, d: dict) -> "Step":
        return cls(d["component"], d["action"], d["detail"], d["t0"], d["duration_ms"],
                   [cls.from_dict(s) for s in d["substeps"]] or None)

    def __eq__(self, other):
        return isinstance(other, Step) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"<Step {self.component}: {self.action} ({self.duration_ms:g} ms)>"


class Trace:
    """Everything one request did. ``steps`` is ordered; ``status`` is the HTTP status."""

    __slots__ = ("request_id", "service", "operation", "principal", "account", "region",
                 "t0", "steps", "status", "error", "front", "summary")

    def __init__(self, request_id: str, service: str, operation: str, t0: float,
                 front: str = "direct", region: str = ""):
        self.request_id = request_id
        self.service = service
        self.operation = operation
        self.principal = ""           # ARN of the caller once authenticated
        self.account = ""
        self.region = region
        self.t0 = t0
        self.steps: list[Step] = []
        self.status = 200
        self.error: str | None = None  # AWS error code when the request failed
        self.front = front             # "direct", "client" or "mock"
        self.summary = ""              # a short description of the request, e.g. "PUT /b/k"

    def add(self, component: str, action: str, t0: float, duration_ms: float, detail: dict) -> Step:
        step = Step(component, action, detail, t0, duration_ms)
        self.steps.append(step)
        return step

    def record(self, clock, component: str, action: str, ms: float, substeps, detail: dict) -> Step:
        """Append a step starting now on ``clock`` and move the clock past it.

        ``substeps`` is None or a list of ``(component, action, ms, detail)`` tuples laid
        end to end inside the step; the step lasts at least as long as they do.
        """
        t0 = clock.elapsed
        if substeps:
            span = 0.0
            for sub in substeps:
                span += sub[2]
            if span > ms:
                ms = span
            ms = int(ms * 1000 + 0.5) / 1000     # to the microsecond: sums of floats drift
        else:
            substeps = None
        step = Step(component, action, detail, t0, ms, substeps)
        self.steps.append(step)
        clock.elapsed = t0 + ms / 1000
        return step

    # -- reading ----------------------------------------------------------------------------
    @property
    def start(self) -> datetime:
        return EPOCH + timedelta(seconds=self.t0)

    @property
    def duration_ms(self) -> float:
        """Simulated time from the first step's start to the last step's end."""
        if not self.steps:
            return 0.0
        last = self.steps[-1]
        return round((last.t0 - self.t0) * 1000 + last.duration_ms, 3)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def components(self) -> list[str]:
        """The components involved, in the order they first appear."""
        return list(dict.fromkeys(s.component for s in self.steps))

    def to_dict(self) -> dict:
        return {"request_id": self.request_id, "service": self.service,
                "operation": self.operation, "principal": self.principal,
                "account": self.account, "region": self.region, "t0": self.t0,
                "status": self.status, "error": self.error, "front": self.front,
                "summary": self.summary, "steps": [s.to_dict() for s in self.steps]}

    @classmethod
    def from_dict(cls, d: dict) -> "Trace":
        trace = cls(d["request_id"], d["service"], d["operation"], d["t0"], d["front"], d["region"])
        trace.principal, trace.account = d["principal"], d["account"]
        trace.status, trace.error, trace.summary = d["status"], d["error"], d["summary"]
        trace.steps = [Step.from_dict(s) for s in d["steps"]]
        return trace

    def __eq__(self, other):
        return isinstance(other, Trace) and self.to_dict() == other.to_dict()

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def diagram(self, highlight: int | None = None, *, internals: bool = False):
        """This trace drawn: components as nodes, steps as numbered edges (see
        :func:`awskit.diagrams.trace_diagram`); ``highlight`` is a 1-based step number."""
        from .diagrams import trace_diagram
        return trace_diagram(self, highlight, internals=internals)

    def view(self, *, internals: bool = False):
        """The step-through widget of this trace: Play + slider over its steps, the diagram
        highlighting one step at a time, a caption (see :mod:`awskit.widgets`; needs ipywidgets)."""
        from .widgets.stepthrough import StepThrough
        return StepThrough(self, internals=internals)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Displayed in Jupyter: the step-through widget, with a stable one-line ``text/plain``
        ("S3 PutObject: 4 steps, 9.806 ms simulated"); without ipywidgets or a kernel, that
        line and the diagram (SVG and DOT)."""
        from .diagrams.traces import describe
        from .widgets.core import mimebundle

        return mimebundle(describe([self]), lambda: self.view().widget,
                          lambda: self.diagram()._repr_mimebundle_())

    def describe(self) -> str:
        """A numbered, human-readable list of the steps."""
        lines = [repr(self)]
        for i, s in enumerate(self.steps, 1):
            lines.append(f"{i:>2}. [{s.component}] {s.action} (+{(s.t0 - self.t0) * 1000:.1f} ms, "
                         f"{s.duration_ms:g} ms)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        outcome = "OK" if self.error is None else f"{self.error}"
        return (f"<{self.service} {self.operation} trace: {len(self.steps)} steps, "
                f"{self.duration_ms:g} ms simulated, {outcome}>")


class TraceLog:
    """The most recent traces, newest last; ``maxlen`` bounds memory (default 1,000)."""

    def __init__(self, maxlen: int = 1000):
        self._traces: deque[Trace] = deque(maxlen=maxlen)
        self.total = 0  # every trace ever recorded, including the ones that fell off

    @property
    def maxlen(self) -> int:
        return self._traces.maxlen

    @maxlen.setter
    def maxlen(self, value: int) -> None:
        if value < 1:
            raise ValueError("maxlen must be at least 1")
        self._traces = deque(self._traces, maxlen=value)

    def append(self, trace: Trace) -> None:
        self._traces.append(trace)
        self.total += 1

    def clear(self) -> None:
        self._traces.clear()

    def __len__(self) -> int:
        return len(self._traces)

    def __iter__(self) -> Iterator[Trace]:
        return iter(self._traces)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(self._traces)[i]
        return self._traces[i]

    @property
    def last(self) -> Trace | None:
        return self._traces[-1] if self._traces else None

    def filter(self, service: str | None = None, operation: str | None = None) -> list[Trace]:
        """Traces of one service and/or operation, oldest first."""
        return [t for t in self._traces
                if (service is None or t.service == service)
                and (operation is None or t.operation == operation)]

    def __repr__(self) -> str:
        return f"<TraceLog: {len(self)} recent traces of {self.total} (maxlen {self.maxlen})>"
