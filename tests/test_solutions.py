"""Every exercise in every notebook has a solution, and the solution passes its check.

A notebook's answer cells are tagged ``answer`` with ``metadata.awskit.exercise`` naming the
exercise; ``notebooks/solutions/<notebook>.py`` holds one section per exercise
(``# exercise: <name>``). The test puts each solution into its answer cell, runs the whole
notebook in a fresh kernel and requires every check cell to answer PASS.
"""

import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SECTION = re.compile(r"^# exercise: ([\w-]+)\s*$", re.M)

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def solutions(notebook: Path) -> dict[str, str]:
    path = NOTEBOOKS / "solutions" / f"{notebook.stem}.py"
    if not path.exists():
        return {}
    parts = SECTION.split(path.read_text())
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2])}


def exercises(nb) -> list:
    return [cell for cell in nb.cells if "answer" in cell.metadata.get("tags", [])]


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_exercise_has_a_solution_that_passes(path):
    nb = nbformat.read(path, as_version=4)
    answers = solutions(path)
    cells = exercises(nb)
    names = [cell.metadata["awskit"]["exercise"] for cell in cells]
    assert names, f"{path.name} has no exercises"
    assert sorted(names) == sorted(answers), \
        f"exercises {sorted(names)} vs solutions {sorted(answers)} in solutions/{path.stem}.py"
    for cell in cells:
        cell.source = answers[cell.metadata["awskit"]["exercise"]]
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    verdicts = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "awskit.exercises.check_" in cell.source:
            texts = [o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", [])]
            verdicts.append("".join(texts))
    assert len(verdicts) == len(cells)
    failed = [v for v in verdicts if not v.startswith("PASS")]
    assert not failed, failed
