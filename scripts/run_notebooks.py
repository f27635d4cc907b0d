#!/usr/bin/env python3
"""Regenerate the course's stored outputs, the same way every time, then ``diagrams/``.

Each notebook (all of ``notebooks/*.ipynb``, or the ones named) is executed in place with
nbclient: a fresh ``python3`` kernel, working directory ``notebooks/``, cells in order, no
errors allowed (a cell tagged ``raises-exception`` may raise). What would change from one run
to the next is left out: no execution timing in cell metadata, no widget state in the notebook
metadata (a student sees each widget's text/plain until the cell runs) and stable widget
model ids, no Python patch version in ``language_info``; cells without an id get a stable one.
Then it refuses outputs that hold an error or a local path, and runs ``scripts/make_diagrams.py``.

Usage: .venv/bin/python scripts/run_notebooks.py [notebooks/07-s3-upload-process.ipynb ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "python3"
CELL_TIMEOUT_S = 600
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL}


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def normalize(nb, name: str) -> None:
    """Drop what varies between runs and machines; give cells without an id a stable one.

    A widget output refers to its model by a random id; with no widget state stored, that
    model exists in no saved notebook anyway (JupyterLab shows the output's text/plain until
    the cell runs again), so the id is replaced by one derived from the notebook, cell and
    output: regenerating an unchanged notebook then changes nothing."""
    nb.nbformat_minor = max(nb.nbformat_minor, 5)     # 4.5: cells carry ids
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.get("language_info", {}).pop("version", None)
    seen = set()
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = coalesce_streams(cell.outputs)
        for n, output in enumerate(cell.get("outputs", [])):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if isinstance(view, dict) and "model_id" in view:
                view["model_id"] = hashlib.md5(f"{name}:{index}:{n}".encode()).hexdigest()
        if not cell.get("id") or cell.id in seen:
            cell.id = f"cell-{index:03d}"
        seen.add(cell.id)


def coalesce_streams(outputs: list) -> list:
    """One output per run of stdout (or stderr) text: how the kernel cut it into messages
    depends on timing, what it printed does not."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if output.get("output_type") == "stream" and previous is not None and \
                previous.get("output_type") == "stream" and previous.name == output.name:
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def problems(nb, name: str) -> list[str]:
    """Errors and local paths in the stored outputs (a fresh Binder would show them)."""
    found = []
    local = {str(ROOT) + "/", str(Path.home()) + "/", os.environ.get("TMPDIR", "/tmp") + "/"}
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and "raises-exception" not in cell.metadata.get("tags", []):
                found.append(f"{name} cell {index}: error {output.get('ename')}")
            text = json.dumps(output)
            for path in local:
                if path != "/" and path in text:
                    found.append(f"{name} cell {index}: output holds the local path {path}")
    return found


def run(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    started = time.monotonic()
    client = NotebookClient(nb, kernel_name=KERNEL, timeout=CELL_TIMEOUT_S, startup_timeout=120,
                            record_timing=False, store_widget_state=False,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    normalize(nb, path.name)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"ran {shown} in {time.monotonic() - started:.1f} s", flush=True)
    return problems(nb, path.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebooks/*.ipynb)")
    parser.add_argument("--no-diagrams", action="store_true",
                        help="do not run scripts/make_diagrams.py afterwards")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("*.ipynb"))
    if not paths:
        print("run_notebooks: no notebooks found in notebooks/", file=sys.stderr)
        return 1
    found = []
    for path in paths:
        found += run(path)
    for problem in found:
        print(f"run_notebooks: {problem}", file=sys.stderr)
    if not args.no_diagrams:
        done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_diagrams.py")],
                              check=False)
        if done.returncode:
            return done.returncode
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
