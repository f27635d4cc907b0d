"""The course in a real browser: notebooks 07 and 06 in JupyterLab, driven by Debian's Chromium.

JupyterLab serves a temporary copy of ``notebooks/``; Chromium opens the notebook (the S3
upload process, then the Lambda deep dive, whose handlers really run in worker processes), runs
all cells (Run → Run All Cells) and waits for the kernel to be idle. Then the first step-through
widget must render its diagram SVG and its slider, and pressing Play (or moving the slider) must
change the caption and move the highlight (the edge drawn in #FF9900) to another step. A
screenshot goes to ``artifacts/browser/<notebook>.png``.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from .conftest import chromium_context, jupyterlab_server

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = [ROOT / "notebooks" / f"{name}.ipynb"
             for name in ("07-s3-upload-process", "06-lambda-deep-dive")]
ARTIFACTS = ROOT / "artifacts" / "browser"
RUN_TIMEOUT_S = 300

WIDGET = ".awskit-step-through"
SVG = f"{WIDGET} .awskit-diagram svg"
SLIDER = f"{WIDGET} .awskit-slider"
PLAY = f"{WIDGET} .awskit-play"
CAPTION = f"{WIDGET} .awskit-caption"

# The highlighted step: the label of the edge drawn in the highlight colour (Graphviz may
# write the colour in either case).
HIGHLIGHTED_EDGE_JS = """(svg) => {
  const edges = [...svg.querySelectorAll('g.edge')].filter(g =>
      [...g.querySelectorAll('path, polygon')].some(p =>
          (p.getAttribute('stroke') || '').toLowerCase() === '#ff9900'));
  return edges.map(g => [...g.querySelectorAll('text')].map(t => t.textContent).join(' '));
}"""


def wait_for(predicate, timeout_s: float, what: str, interval_s: float = 0.25):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")


def menu(page, top: str, item: str) -> None:
    page.click(f".lm-MenuBar-itemLabel:text-is('{top}')")
    page.click(f".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel:text-is('{item}')")


def prompts(page) -> list[str]:
    return page.eval_on_selector_all(".jp-CodeCell .jp-InputArea-prompt",
                                     "els => els.map(e => e.textContent.trim())")


def run_all_cells(page) -> None:
    """Clear the stored outputs, Run → Run All Cells, and wait until every code cell has run
    and the kernel is idle."""
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
    # collapse the file browser: the notebook (and the screenshot) get the whole width
    page.click(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']")
    page.click(".jp-Notebook .jp-Cell .jp-InputPrompt")      # focus the notebook again
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    # Before anything runs, stored widget outputs show their text/plain, not an error.
    assert page.get_by_text("Error displaying widget").count() == 0
    menu(page, "Edit", "Clear Outputs of All Cells")
    wait_for(lambda: not any(p[1:-2].isdigit() for p in prompts(page)), 30,
             "the stored outputs to be cleared")
    menu(page, "Run", "Run All Cells")

    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                          ":has(.ansi-red-fg)")

    def all_ran():
        assert errors.count() == 0, f"a cell raised:\n{errors.first.inner_text()[:3000]}"
        shown = prompts(page)
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count() > 0
        return idle and shown and all(p[1:-2].isdigit() for p in shown)
    wait_for(all_ran, RUN_TIMEOUT_S, "every cell to run and the kernel to be idle")


def shown_step(page) -> tuple[str, list[str]]:
    """(caption text, labels of the highlighted edges) of the step-through widget."""
    caption = page.locator(CAPTION).first.inner_text().strip()
    highlighted = page.locator(SVG).first.evaluate(HIGHLIGHTED_EDGE_JS)
    return caption, highlighted


def exercise_step_through(page, screenshot: Path) -> dict:
    """Check the widget renders and that Play (or the slider) moves it; save a screenshot."""
    widget = page.locator(WIDGET).first
    widget.wait_for(state="attached", timeout=60_000)
    widget.scroll_into_view_if_needed()
    page.locator(SVG).first.wait_for(state="visible", timeout=60_000)
    page.locator(SLIDER).first.wait_for(state="visible", timeout=30_000)
    before = shown_step(page)
    assert before[0], "the caption is empty"
    assert len(before[1]) == 1, f"expected one highlighted step before Play, got {before[1]}"

    play = page.locator(f"{PLAY} button").first
    if play.count() and play.is_visible():
        play.click()
    else:   # no Play button: move the slider with the keyboard
        handle = page.locator(f"{SLIDER} .noUi-handle").first
        handle.focus()
        handle.press("ArrowRight")
    after = wait_for(lambda: (s := shown_step(page))[0] != before[0] and s[1] != before[1] and s,
                     30, "the caption and the highlighted step to change")
    assert len(after[1]) == 1, f"expected one highlighted step after Play, got {after[1]}"
    widget.evaluate("e => e.scrollIntoView({block: 'start'})")
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot))
    return {"before": before, "after": after}


def drive_notebook(source_dir: Path, notebook: str, state: Path, screenshot: Path) -> dict:
    """Serve a copy of ``source_dir``, open ``notebook``, run it, exercise its step-through."""
    root = state / "notebooks"
    screenshot.with_suffix(".failed.png").unlink(missing_ok=True)
    shutil.copytree(source_dir, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    with jupyterlab_server(root, state) as server, \
            chromium_context(state / "chromium-profile") as context:
        page = context.new_page()
        page.goto(server.lab_url(notebook), wait_until="domcontentloaded")
        try:
            run_all_cells(page)
            return exercise_step_through(page, screenshot)
        except Exception:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot.with_suffix(".failed.png")))
            raise


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_step_through_in_jupyterlab(notebook, tmp_path, capsys):
    screenshot = ARTIFACTS / f"{notebook.stem}.png"
    seen = drive_notebook(notebook.parent, notebook.name, tmp_path, screenshot)
    assert screenshot.stat().st_size > 10_000
    with capsys.disabled():
        print(f"\nbrowser test: {seen['before'][0]!r} -> {seen['after'][0]!r}; "
              f"screenshot {screenshot}")
