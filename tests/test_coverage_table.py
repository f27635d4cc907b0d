"""docs/coverage.md is generated from the code; it must never go stale, and every handler
must name a real botocore operation of its service."""

import importlib.util
from pathlib import Path

import pytest

from awskit.cloud import SERVICES
from awskit.service import Service, operation, service_model

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "coverage_table.py"


def _script():
    spec = importlib.util.spec_from_file_location("coverage_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


coverage_table = _script()


def test_committed_table_is_up_to_date():
    fresh = coverage_table.render()
    committed = (ROOT / "docs" / "coverage.md").read_text() if (ROOT / "docs" / "coverage.md").exists() else ""
    assert committed == fresh, (
        "docs/coverage.md is stale: run `python scripts/coverage_table.py` and commit the result")


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_handler_is_a_real_operation_of_its_service(name):
    cls = coverage_table.service_classes()[name]
    real = set(service_model(name).operation_names)
    implemented = cls.implemented_operations()
    assert implemented, f"{cls.__name__} implements no operation"
    bogus = [op for op in implemented if op not in real]
    assert not bogus, f"{cls.__name__} has handlers for operations botocore's {name} model lacks: {bogus}"


def test_table_counts_match_the_services():
    rows = {r["service"]: r for r in coverage_table.coverage()}
    assert set(rows) == set(SERVICES)
    text = coverage_table.render()
    for name, row in rows.items():
        cls = coverage_table.service_classes()[name]
        assert row["implemented"] == sorted(cls.implemented_operations())
        assert row["total"] == len(service_model(name).operation_names)
        assert set(row["implemented"]) | set(row["missing"]) == set(service_model(name).operation_names)
        assert not set(row["implemented"]) & set(row["missing"])
        n = len(row["implemented"])
        assert f"| {n} | {row['total']} | {100 * n / row['total']:.1f}% |" in text
        for op in row["implemented"]:
            assert f"`{op}`" in text
    fractions = [len(r["implemented"]) / r["total"] for r in coverage_table.coverage()]
    assert fractions == sorted(fractions, reverse=True)


def test_a_handler_for_a_nonexistent_operation_is_refused(monkeypatch):
    """The generator itself must catch a misnamed handler (e.g. a typo like PutObjekt)."""
    class Broken(Service):
        service_name = "s3"
        title = "Broken S3"

        @operation
        def put_objekt(self, req, **_):
            return {}

    monkeypatch.setattr(coverage_table, "service_classes", lambda: {"s3": Broken})
    with pytest.raises(ValueError, match="PutObjekt"):
        coverage_table.coverage()


def test_check_mode_reports_a_stale_file(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "coverage.md"
    stale.write_text("# API coverage\n\nold\n")
    monkeypatch.setattr(coverage_table, "OUTPUT", stale)
    monkeypatch.setattr(coverage_table, "ROOT", tmp_path)
    assert coverage_table.main(["--check"]) == 1
    assert "python scripts/coverage_table.py" in capsys.readouterr().err
    assert coverage_table.main([]) == 0
    assert coverage_table.main(["--check"]) == 0
    assert stale.read_text() == coverage_table.render()
