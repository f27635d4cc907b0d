"""The widgets a student sees (ipywidgets 8), and the parts they share.

- :class:`StepThrough` / :func:`step_through`: a trace's diagram, one step highlighted at a
  time, with Play + slider and a caption (also what displaying a ``Trace`` shows);
- the service consoles live beside their services (``awskit/s3/view.py``,
  ``awskit/iam/view.py``) and show when ``cloud.s3`` / ``cloud.iam`` is displayed;
- ``core.py``: display bundles with a stable ``text/plain``, throttled live refresh, closing;
- ``html.py``: the shared stylesheet, tables, inline SVG, the DOT fallback.

Widgets update by replacing the ``value`` of HTML widgets: no ``Output`` widgets, no
``clear_output``, no display-update handles (they flicker and nbval cannot compare them).
ipywidgets stays optional: ``import awskit`` never imports it, and without it (or outside a
kernel) everything displays as its stable text, diagrams as their SVG.
"""

from __future__ import annotations

from .core import available, in_kernel

__all__ = ["StepThrough", "step_through", "available", "in_kernel"]


def __getattr__(name):
    if name in ("StepThrough", "step_through"):   # imports graphviz: loaded on first use
        from . import stepthrough
        return getattr(stepthrough, name)
    raise AttributeError(f"module 'awskit.widgets' has no attribute {name!r}")
