"""What every awskit widget shares: how it is displayed, how it follows the cloud, how it ends.

- :func:`mimebundle`: inside a Jupyter kernel with ipywidgets, the widget's own bundle with a
  stable ``text/plain`` (what nbval compares, and what a fresh notebook shows before its cells
  run); elsewhere the stable text (and, for diagrams, the SVG) alone.
- :class:`View`: an object owning a tree of widgets (``.widget``), displayable, closable.
- :class:`LiveView`: a view that follows a cloud (``cloud.observe``) and re-renders by
  replacing the ``value`` of HTML widgets (no ``Output`` widgets, no ``clear_output``).
  Re-rendering is throttled to once per :attr:`LiveView.min_interval` seconds of wall time,
  with one trailing refresh scheduled so the final state always shows. (View code may read
  the wall clock; model code never does.)

References: the cloud holds a view's observer only weakly, and widget callbacks hold their
view only weakly, so neither keeps the other alive; whoever created the view (the service's
``console()``, a variable) owns it. ``close()`` (or closing its top widget) unregisters the
observer and closes every widget. ipywidgets is imported only when a widget is built.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import sys
import threading
import time
import weakref
from typing import Callable

INSTALL_HINT = "awskit's widgets need ipywidgets: pip install 'awskit[course]'"


@functools.lru_cache(maxsize=None)
def available() -> bool:
    """Is ipywidgets installed? (checked without importing it)"""
    return importlib.util.find_spec("ipywidgets") is not None


def in_kernel() -> bool:
    """Are we running inside a Jupyter kernel (where a widget can be shown)?"""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def ipywidgets():
    """The ipywidgets module, or an ImportError saying how to install it."""
    try:
        import ipywidgets as widgets
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return widgets


def mimebundle(text: str, widget: Callable[[], object], fallback: Callable[[], dict] | None = None
               ) -> dict:
    """The display bundle of something awskit shows as a widget.

    In a kernel with ipywidgets: ``widget()``'s own bundle (its
    ``application/vnd.jupyter.widget-view+json``) with ``text/plain`` replaced by ``text``.
    Otherwise ``fallback()`` (e.g. a diagram's SVG and DOT), whose own ``text/plain`` (a
    diagram's: the same summary, plus the install hint when it has no SVG) wins over ``text``.
    """
    if available() and in_kernel():
        bundle = dict(widget()._repr_mimebundle_() or {})
        if "application/vnd.jupyter.widget-view+json" in bundle:
            bundle["text/plain"] = text
            return bundle
    bundle = dict(fallback()) if fallback is not None else {}
    bundle.setdefault("text/plain", text)
    return bundle


def weak(method: Callable) -> Callable:
    """A callback that calls a bound method while its object lives, and does nothing after."""
    ref = weakref.WeakMethod(method)

    def call(*args, **kwargs):
        bound = ref()
        if bound is not None:
            return bound(*args, **kwargs)
        return None
    return call


def widget_tree(widget) -> list:
    """The widget, its descendants, and their layout/style widgets (each once)."""
    seen, out, todo = set(), [], [widget]
    while todo:
        w = todo.pop()
        if w is None or id(w) in seen:
            continue
        seen.add(id(w))
        out.append(w)
        todo.extend(getattr(w, "children", ()) or ())
        for part in ("layout", "style"):
            todo.append(getattr(w, part, None))
    return out


@functools.lru_cache(maxsize=None)
def _box_class():
    widgets = ipywidgets()

    class ViewBox(widgets.VBox):
        """The top widget of a view: closing it closes the view (observer included)."""

        def close(self):
            ref = self.__dict__.get("_awskit_view")
            view = ref() if ref is not None else None
            if view is not None and not view.closed:
                view.close()      # closes this box too
                return
            super().close()
    return ViewBox


def _close_all(widgets: list) -> None:
    for w in widgets:
        if getattr(w, "comm", None) is not None:
            w.close()


class View:
    """An object that owns a tree of widgets (``.widget``) and shows it when displayed."""

    def __init__(self):
        self.widget = None
        self.closed = False

    def _finish(self, children: list, css_class: str, *, widget_owns_view: bool = False):
        """Make the top widget (a VBox that closes this view when closed) from ``children``.

        ``widget_owns_view``: the widget keeps this view alive (a view that follows no cloud,
        such as a step-through, may live as long as its widget); otherwise the view's owner
        keeps it, and the widgets close when the view goes."""
        widgets = ipywidgets()
        from .html import style_block
        css = widgets.HTML(style_block(), layout=widgets.Layout(height="0px", margin="0"))
        box = _box_class()([css, *children])
        box.add_class("awskit-widget")
        box.add_class(css_class)
        box.__dict__["_awskit_view"] = weakref.ref(self)
        self.widget = box
        if widget_owns_view:
            box.__dict__["_awskit_owner"] = self
        else:   # when the view goes away (its owner dropped it), its widgets go too
            self._finalizer = weakref.finalize(self, _close_all, widget_tree(box))
            self._finalizer.atexit = False
        return box

    def text(self) -> str:
        """The stable one-line description displayed as ``text/plain`` (subclasses refine it)."""
        return type(self).__name__

    def fallback(self) -> dict:
        """What to show where no widget can be shown (besides the text)."""
        return {}

    def _repr_mimebundle_(self, include=None, exclude=None):
        if self.closed:
            return {"text/plain": self.text() + " (closed)"}
        return mimebundle(self.text(), lambda: self.widget, self.fallback)

    def close(self) -> None:
        """Close every widget of this view."""
        if self.closed:
            return
        self.closed = True
        finalizer = self.__dict__.pop("_finalizer", None)
        if finalizer is not None:
            finalizer.detach()
        if self.widget is not None:
            _close_all(widget_tree(self.widget))
            self.widget.__dict__.pop("_awskit_owner", None)

    def __repr__(self) -> str:
        return self.text()


def _running_loop():
    try:
        return asyncio.get_running_loop(), threading.get_ident()
    except RuntimeError:
        return None, threading.get_ident()


class LiveView(View):
    """A view that re-renders when its cloud changes (see the module docstring).

    Subclasses define ``_render()`` (replace the HTML values from the cloud's state) and may
    define ``wants(trace)`` to ignore requests that cannot change what they show.
    """

    #: the least wall time between two refreshes, in seconds
    min_interval = 0.25

    def __init__(self, cloud):
        super().__init__()
        self.cloud = cloud
        self.refreshes = 0
        self._dirty = False
        self._last = float("-inf")
        self._pending = None          # the trailing refresh on its way (timer or handle)
        self._loop, self._owner = _running_loop()
        ref = weakref.ref(self)
        unobserve = []

        def observer(trace):
            view = ref()
            if view is None:          # the view is gone: stop observing
                unobserve[0]()
            elif view.wants(trace):
                view._changed()
        unobserve.append(cloud.observe(observer))
        self._unobserve = unobserve[0]

    def wants(self, trace) -> bool:
        return True

    # -- refreshing -------------------------------------------------------------------------
    def _changed(self) -> None:
        if self.closed:
            return
        self._dirty = True
        wait = self._last + self.min_interval - time.monotonic()
        if wait <= 0 and threading.get_ident() == self._owner:
            self._refresh_safely()
        elif self._pending is None:
            self._schedule(max(wait, 0.0))

    def _schedule(self, delay: float) -> None:
        ref = weakref.ref(self)

        def fire():
            view = ref()
            if view is not None:
                view._fire()
        loop = self._loop
        if loop is not None and loop.is_running() and not loop.is_closed():
            if threading.get_ident() == self._owner:
                self._pending = loop.call_later(delay, fire)
            else:
                self._pending = True
                loop.call_soon_threadsafe(lambda: loop.call_later(delay, fire))
        else:
            timer = threading.Timer(delay, fire)
            timer.daemon = True
            self._pending = timer
            timer.start()

    def _fire(self) -> None:
        self._pending = None
        if self._dirty and not self.closed:
            with self.cloud.lock:
                self._refresh_safely()

    def _refresh_safely(self) -> None:
        """Refresh from an observer or timer: a display problem never breaks a request."""
        try:
            self.refresh()
        except Exception as exc:
            if getattr(self.cloud, "debug", False):
                raise
            self._show_problem(f"could not refresh the display: {type(exc).__name__}: {exc}")

    def _show_problem(self, text: str) -> None:
        """Show a problem of the view itself (subclasses with a status line override)."""

    def refresh(self) -> None:
        """Re-render now from the cloud's current state."""
        if self.closed:
            return
        self._last = time.monotonic()
        self._dirty = False
        self.refreshes += 1
        with self.cloud.lock:
            self._render()

    def flush(self) -> None:
        """Render now if a change is waiting for its trailing refresh."""
        if self._dirty:
            self.refresh()

    def close(self) -> None:
        """Stop following the cloud and close every widget."""
        if self.closed:
            return
        self._unobserve()
        pending, self._pending = self._pending, None
        if hasattr(pending, "cancel"):
            pending.cancel()
        super().close()

    @property
    def observing(self) -> bool:
        return not self.closed
