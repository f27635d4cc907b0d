"""The notebooks are stored with their outputs, as ``scripts/run_notebooks.py`` leaves them.

nbval (``scripts/test`` runs it strict) compares stored outputs with a fresh run, but it skips
any cell whose stored copy never ran: a notebook saved without outputs would pass unchecked,
and a student on a fresh Binder would see nothing before running it. So every code cell must
have run, top to bottom in one fresh kernel; no output may be an error or hold a local path;
nothing that changes from run to run (timings, widget state) may be stored; and a cell that
opts out of comparison with ``# NBVAL_IGNORE_OUTPUT`` must say why.
"""

import json
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
FIX = "run `.venv/bin/python scripts/run_notebooks.py` and commit the notebook"
LOCAL_PATH = re.compile(r"(/work/|/root/|/home/\w|/Users/\w|/tmp/|[A-Z]:\\\\Users)")


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def nb(request):
    return request.param.name, nbformat.read(request.param, as_version=4)


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


def test_every_code_cell_ran_in_order_in_one_fresh_kernel(nb):
    name, notebook = nb
    counts = [c.execution_count for c in code_cells(notebook)]
    assert None not in counts, f"{name}: cells {[i for i, c in enumerate(counts) if c is None]} " \
                               f"were never run: {FIX}"
    assert counts == list(range(1, len(counts) + 1)), f"{name}: not run top to bottom: {FIX}"


def test_no_errors_and_no_local_paths(nb):
    name, notebook = nb
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if "raises-exception" not in cell.metadata.get("tags", []):
                assert output.output_type != "error", \
                    f"{name} cell {index} stores an error: {output.get('ename')}: {output.get('evalue')}"
            text = json.dumps(output)
            found = LOCAL_PATH.search(text)
            assert not found, f"{name} cell {index} stores a local path ({found.group()}...)"


def test_nothing_that_changes_between_runs_is_stored(nb):
    name, notebook = nb
    assert "widgets" not in notebook.metadata, f"{name} stores widget state (random ids): {FIX}"
    for index, cell in enumerate(notebook.cells):
        assert "execution" not in cell.metadata, f"{name} cell {index} stores timings: {FIX}"


def test_ignored_outputs_say_why(nb):
    name, notebook = nb
    for index, cell in enumerate(code_cells(notebook)):
        if "NBVAL_IGNORE_OUTPUT" not in cell.source:
            continue
        comments = [line.replace("NBVAL_IGNORE_OUTPUT", "").strip("# :-—\t")
                    for line in cell.source.splitlines() if line.lstrip().startswith("#")]
        assert any(len(c.split()) >= 3 for c in comments), \
            f"{name} code cell {index} ignores its output without a comment saying why"
