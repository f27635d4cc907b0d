"""The widgets a student sees: import hygiene, the step-through, live refresh and lifetime.
(The S3 and IAM consoles' own behaviour: tests/test_consoles.py.)

Widgets are instantiated in plain Python (no browser, no kernel): moving a slider is
simulated by setting its value, as the browser would."""

import ast
import asyncio
import gc
import pathlib
import re
import subprocess
import sys
import time
import weakref
from html import unescape

import pytest
from widget_helpers import upload

ipywidgets = pytest.importorskip("ipywidgets")

import awskit  # noqa: E402
from awskit.diagrams import render  # noqa: E402
from awskit.widgets import StepThrough, core, step_through  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ROOT = pathlib.Path(__file__).resolve().parents[1]


def edges(svg):
    """(label, stroke colour) of every edge of a Graphviz SVG, in document order."""
    out = []
    for block in re.findall(r'<g id="edge\d+" class="edge">(.*?)</g>', svg, re.S):
        stroke = re.search(r'<path[^>]*stroke="([^"]+)"', block).group(1).lower()
        label = unescape(re.search(r"<text[^>]*>(.*?)</text>", block, re.S).group(1))
        out.append((label, stroke))
    return out


def text_of(html):
    return unescape(re.sub(r"<[^>]+>", " ", html))


# -- import hygiene ---------------------------------------------------------------------------
def test_import_awskit_imports_no_widget_or_diagram_library():
    code = ("import awskit; c = awskit.Cloud(seed=0); awskit.widgets.available(); "
            "c.s3.create_bucket(Bucket='abc'); repr(c.s3); repr(c.iam); repr(c.traces[-1])")
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()}
    assert {"ipywidgets", "graphviz", "pandas"} & imported == set()
    assert "awskit" in imported
    # what the notebooks write after a bare `import awskit`
    subprocess.run([sys.executable, "-c", "import awskit; awskit.widgets.step_through"],
                   cwd=ROOT, check=True)


def test_no_output_widgets_clear_output_or_display_handles_anywhere():
    """In code (not prose): no Output widget, clear_output, display ids or update handles."""
    banned = {"Output", "clear_output", "update_display", "DisplayHandle", "display_id"}
    offenders = []
    for path in (ROOT / "awskit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            name = (node.id if isinstance(node, ast.Name) else
                    node.attr if isinstance(node, ast.Attribute) else
                    node.arg if isinstance(node, ast.keyword) else
                    node.name if isinstance(node, ast.alias) else None)
            if name and name.split(".")[-1] in banned:
                offenders.append(f"{path.name}:{node.lineno}: {name}")
    assert offenders == []
    assert ast.parse("w.Output()").body[0].value.func.attr == "Output"   # the check can see one


# -- the step-through -------------------------------------------------------------------------
def test_step_through_covers_every_step_of_the_upload(cloud):
    traces = upload(cloud)
    st = step_through(traces)
    steps = [s for t in traces for s in t.steps]
    assert len(steps) == 7 and st.length == len(st) == 7
    assert (st._slider.min, st._slider.max, st._play.min, st._play.max) == (1, 7, 1, 7)
    link = st._link
    assert {link.source[0], link.target[0]} == {st._play, st._slider}
    assert link.source[1] == link.target[1] == "value"
    classes = {c for w in core.widget_tree(st.widget) for c in getattr(w, "_dom_classes", ())}
    assert {"awskit-step-through", "awskit-play", "awskit-slider", "awskit-diagram",
            "awskit-caption"} <= classes


def test_slider_drives_caption_and_highlighted_edge(cloud):
    traces = upload(cloud)
    st = StepThrough(traces)
    flat = [(t, s) for t in traces for s in t.steps]
    seen = set()
    for n in [3, 1, 7, 5, 2, 6, 4]:
        st._slider.value = n                       # what the browser sends when the slider moves
        trace, step = flat[n - 1]
        offset = (step.t0 - trace.t0) * 1000
        assert st.step == n
        assert st.caption == (f"Step {n} of 7 — {step.component}: {step.action} "
                              f"({trace.operation} +{offset:.1f} ms, {step.duration_ms:g} ms)")
        assert f"Step {n} of 7" in st._caption.value and step.component in st._caption.value
        lit = [label for label, stroke in edges(st.svg) if stroke == "#ff9900"]
        assert len(lit) == 1 and lit[0].startswith(f"{n}. ")
        assert all(stroke != "#ff9900" for label, stroke in edges(st.svg) if label != lit[0])
        assert st._diagram.value not in seen       # each step shows its own frame
        seen.add(st._diagram.value)
    assert st.caption.startswith("Step 4 of 7 — API service: Receive PUT /photos/cat.jpg")
    st.step = 5
    assert st.caption.startswith("Step 5 of 7 — IAM: ") and "s3:PutObject" in st.caption


def test_step_setter_moves_both_controls_and_checks_its_input(cloud):
    st = step_through(upload(cloud))
    st.step = 6
    assert (st._play.value, st._slider.value) == (6, 6)
    assert "Data store" in st.caption
    for bad, error in [(0, ValueError), (8, ValueError), (2.0, TypeError), (True, TypeError)]:
        with pytest.raises(error):
            st.step = bad
    assert st.step == 6


def test_frames_are_rendered_up_front(cloud, monkeypatch):
    st = step_through(upload(cloud))
    render.render_svg.cache_clear()

    def refuse(source):
        raise AssertionError("rendered while playing")
    monkeypatch.setattr(render, "RENDERERS", [("refuse", refuse)])
    for n in range(1, 8):
        st.step = n
        assert st.svg.startswith("<?xml") or st.svg.startswith("<svg")
    render.render_svg.cache_clear()


def test_without_a_renderer_the_dot_source_shows_with_the_hint(cloud, monkeypatch):
    traces = upload(cloud)
    render.render_svg.cache_clear()
    monkeypatch.setattr(render, "RENDERERS", [])
    try:
        st = step_through(traces)
        st.step = 2
        assert st.svg is None
        assert "<svg" not in st._diagram.value
        assert "awskit-dot" in st._diagram.value
        assert render.INSTALL_HINT in unescape(st._diagram.value)
        assert unescape(re.search(r"<pre[^>]*>(.*)</pre>", st._diagram.value, re.S).group(1)) \
            == st.source
        assert "Step 2 of 7" in st.caption
    finally:
        render.render_svg.cache_clear()


def test_text_plain_is_the_stable_summary(cloud, kernel):
    traces = upload(cloud)
    create, put = traces
    expected = (f"S3 CreateBucket + PutObject: 7 steps, "
                f"{round(create.duration_ms + put.duration_ms, 3):g} ms simulated")
    st = step_through(traces)
    bundle = st._repr_mimebundle_()
    assert bundle["text/plain"] == expected == repr(st)
    assert bundle[WIDGET_VIEW]["model_id"] == st.widget.model_id
    one = put._repr_mimebundle_()                       # displaying a Trace
    assert one["text/plain"] == f"S3 PutObject: 4 steps, {put.duration_ms:g} ms simulated"
    assert WIDGET_VIEW in one
    other = awskit.Cloud(seed=0)                        # same seed, same calls: same text
    assert step_through(upload(other))._repr_mimebundle_()["text/plain"] == expected


def test_outside_a_kernel_a_trace_displays_its_text_and_diagram(cloud):
    put = upload(cloud)[-1]
    bundle = put._repr_mimebundle_()
    assert WIDGET_VIEW not in bundle
    assert bundle["text/plain"].startswith("S3 PutObject: 4 steps")
    assert "<svg" in bundle["image/svg+xml"] and bundle["text/vnd.graphviz"] == put.diagram().source


def test_without_ipywidgets_displays_fall_back_to_text(cloud, kernel, monkeypatch):
    put = upload(cloud)[-1]
    monkeypatch.setattr(core, "available", lambda: False)
    assert WIDGET_VIEW not in put._repr_mimebundle_()
    bundle = cloud.s3._repr_mimebundle_()
    assert bundle == {"text/plain": awskit.s3.view.describe(cloud.s3)}


def test_step_through_edge_cases(cloud):
    put = upload(cloud)[-1]
    view = put.view(internals=True)
    assert view.length == 4 and "style=dashed" in view.source
    empty = StepThrough([])
    assert (empty.length, empty.caption, empty.text()) == (0, "No steps recorded", "empty trace")
    assert empty._slider.disabled and empty._play.disabled
    for bad in [42, [put, "not a trace"]]:
        with pytest.raises(TypeError):
            StepThrough(bad)


def test_closing_a_step_through_releases_its_widgets(cloud):
    st = step_through(upload(cloud))
    ids = [w.model_id for w in core.widget_tree(st.widget)] + [st._link.model_id]
    st.widget.close()                                   # closing the widget closes the view
    assert st.closed
    assert not set(ids) & set(ipywidgets.widgets.widget._instances)


# -- throttling, closing, lifetime ------------------------------------------------------------
def test_refreshes_are_throttled_and_the_final_state_shows(cloud):
    cloud.s3.create_bucket(Bucket="many")
    view = cloud.s3.console()
    start = time.monotonic()
    for i in range(1000):
        cloud.s3.put_object(Bucket="many", Key=f"k{i:04d}", Body=b"")
    elapsed = time.monotonic() - start
    assert view.refreshes <= 2 + elapsed / view.min_interval
    time.sleep(view.min_interval + 0.3)               # the trailing refresh (a timer here)
    assert re.search(r"many\s+us-east-1\s+Disabled\s+1,000\b", text_of(view._buckets.value))
    view.close()


def test_with_an_event_loop_the_trailing_refresh_is_scheduled_on_it(cloud):
    async def scenario():
        view = cloud.s3.console()
        assert view._loop is asyncio.get_running_loop()
        cloud.s3.create_bucket(Bucket="loop")
        for i in range(1000):
            cloud.s3.put_object(Bucket="loop", Key=f"k{i:04d}", Body=b"")
        assert isinstance(view._pending, asyncio.TimerHandle) or not view._dirty
        counted = view.refreshes
        await asyncio.sleep(view.min_interval + 0.2)
        return view, counted
    view, counted = asyncio.run(scenario())
    assert counted <= 10 and not view._dirty
    assert "1,000" in text_of(view._buckets.value)
    view.close()


def test_closing_a_console_unregisters_its_observer(cloud):
    before = len(cloud._observers)
    view = cloud.s3.console()
    assert len(cloud._observers) == before + 1
    view.close()
    assert len(cloud._observers) == before and view.widget.comm is None
    again = cloud.s3.console()
    assert again is not view
    again.widget.close()                              # closing the widget closes the view
    assert again.closed and len(cloud._observers) == before
    refreshes = again.refreshes
    cloud.s3.create_bucket(Bucket="after-close")
    assert again.refreshes == refreshes


def test_a_console_does_not_keep_its_cloud_alive(kernel):
    def make():
        cloud = awskit.Cloud(seed=0)
        cloud.s3._repr_mimebundle_()                  # displayed: its widgets stay registered
        cloud.iam._repr_mimebundle_()
        return weakref.ref(cloud), cloud.s3.console().widget
    ref, widget = make()
    gc.collect()
    assert ref() is None
    assert widget.comm is None                        # the view went, its widgets closed


def test_services_without_a_console(cloud):
    assert cloud.sts._repr_mimebundle_() is None
    with pytest.raises(TypeError):
        cloud.sts.console()
