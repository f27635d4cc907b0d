"""``diagrams/`` holds exactly what ``scripts/make_diagrams.py`` would write now.

The DOT is compared exactly (awskit draws the same DOT for the same scenario on every
machine); the SVG only has to be there and be an SVG, since Graphviz versions lay out
differently.
"""

import re
from pathlib import Path

import pytest

from awskit.course_diagrams import course_diagrams, scenario
from awskit.diagrams import Diagram

DIR = Path(__file__).resolve().parent.parent / "diagrams"
FIX = "run `.venv/bin/python scripts/make_diagrams.py` and commit diagrams/"
EXPECTED = {"s3-upload-process", "s3-put-internals", "s3-get-from-replica",
            "s3-upload-denied-by-iam", "architecture"}


@pytest.fixture(scope="module")
def fresh():
    return course_diagrams()


def test_scenario_draws_the_course_diagrams(fresh):
    assert set(fresh) == EXPECTED
    assert all(isinstance(d, Diagram) for d in fresh.values())


def test_upload_process_is_seven_steps_of_create_bucket_and_put_object(fresh):
    _, traces = scenario()
    assert [t.operation for t in (traces["create"], traces["put"])] == ["CreateBucket", "PutObject"]
    assert len(traces["create"].steps) + len(traces["put"].steps) == 7
    numbers = re.findall(r'label="(\d+)\. ', fresh["s3-upload-process"].source)
    assert sorted(map(int, numbers)) == list(range(1, 8))


def test_denied_upload_stops_at_iam(fresh):
    _, traces = scenario()
    denied = traces["denied"]
    assert denied.error == "AccessDenied"
    assert denied.steps[-1].component == "IAM"
    source = fresh["s3-upload-denied-by-iam"].source
    assert "Metadata DB" not in source and "Data store" not in source


def test_put_internals_show_the_data_nodes(fresh):
    source = fresh["s3-put-internals"].source
    assert "Placement service" in source and "Data node dn-" in source
    assert "Placement service" not in fresh["s3-upload-process"].source


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dot_is_current(fresh, name):
    path = DIR / f"{name}.dot"
    assert path.exists(), f"diagrams/{name}.dot is missing: {FIX}"
    assert path.read_text() == fresh[name].source, f"diagrams/{name}.dot is stale: {FIX}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_svg_is_present(name):
    path = DIR / f"{name}.svg"
    assert path.exists(), f"diagrams/{name}.svg is missing: {FIX}"
    text = path.read_text()
    assert "<svg" in text and text.rstrip().endswith("</svg>"), f"diagrams/{name}.svg is not an SVG"


def test_no_stray_files():
    names = {p.stem for p in DIR.iterdir() if p.suffix in (".dot", ".svg")}
    assert names == EXPECTED, f"diagrams/ has files the scenario does not draw: {FIX}"
