#!/usr/bin/env python3
"""Write the course's key diagrams to ``diagrams/<name>.dot`` and ``diagrams/<name>.svg``.

The diagrams come from the fixed scenarios in ``awskit/course_diagrams.py`` (Lambda's run real
handlers in worker processes, closed when the scenario ends; the typical network architecture
is built through boto3 by ``awskit/course_network.py``). The DOT is exact
(``tests/test_diagrams_dir.py`` compares it); the SVG is whatever the local Graphviz draws
(system ``dot``, else the ``awskit[wasm]`` extra), so it may differ between machines.
Files in ``diagrams/`` that the scenario no longer produces are removed.

Usage: .venv/bin/python scripts/make_diagrams.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "diagrams"


def main() -> int:
    sys.path.insert(0, str(ROOT))     # the awskit of this checkout, installed or not
    from awskit.course_diagrams import course_diagrams
    from awskit.diagrams import renderer

    if renderer() is None:
        print("make_diagrams: no Graphviz renderer: install Debian's graphviz package "
              "(apt-get install graphviz) or pip install -e '.[wasm]'", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    diagrams = course_diagrams()
    keep = set()
    for name, diagram in diagrams.items():
        for path in diagram.save(OUT / name):
            keep.add(path.name)
    for path in sorted(OUT.iterdir()):
        if path.suffix in (".dot", ".svg") and path.name not in keep:
            path.unlink()
            print(f"removed stale {path.relative_to(ROOT)}")
    print(f"wrote {len(diagrams)} diagrams (DOT + SVG, rendered by {renderer()}) "
          f"to {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
