"""Diagrams drawn from traces and from cloud.graph(): content, highlight, determinism, rendering."""

import re

import pytest

import awskit
from awskit.diagrams import (Diagram, architecture_diagram, landscape_diagram, pillars_diagram,
                             render, trace_diagram)
from awskit.diagrams.render import INSTALL_HINT


def upload(seed=0):
    cloud = awskit.Cloud(seed=seed)
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="bucket-to-share")
    s3.put_object(Bucket="bucket-to-share", Key="script.txt", Body=b"print('hi')")
    return cloud


def has_node(source: str, label: str) -> bool:
    return re.search(rf'\[label="?{re.escape(label)}"?[ \]]', source) is not None


def edge_labels(source: str) -> list[str]:
    return re.findall(r'-> \w+ \[[^\]]*label="([^"]*)"', source)


def test_the_upload_diagram_is_the_seven_steps_of_the_real_traces():
    cloud = upload()
    diagram = trace_diagram(cloud.traces[-2:])
    labels = edge_labels(diagram.source)
    assert [label.split(".")[0] for label in labels] == [str(i) for i in range(1, 8)]
    assert labels[0].startswith("1. Receive PUT /bucket-to-share")
    assert labels[1] == "2. s3:CreateBucket: allowed" and labels[4] == "5. s3:PutObject: allowed"
    for component in ["Client (boto3)", "API service", "IAM", "Metadata DB", "Data store"]:
        assert has_node(diagram.source, component), component
    assert diagram.summary == "S3 CreateBucket + PutObject: 7 steps, 14.8 ms simulated"
    assert repr(diagram) == diagram.summary


def test_highlight_marks_one_step_and_mutes_the_others():
    cloud = upload()
    plain = trace_diagram(cloud.traces[-2:]).source
    lit = trace_diagram(cloud.traces[-2:], highlight=6).source
    assert "#FF9900" not in plain
    highlighted = [line for line in lit.splitlines() if "#FF9900" in line]
    # the edge of step 6 and the node that took it (the data store)
    assert any('label="6. Persist' in line for line in highlighted)
    assert any(has_node(line, "Data store") for line in highlighted)
    assert lit.count("#AAB7B8") >= 6          # the six other steps are muted
    assert trace_diagram(cloud.traces[-2:], highlight=99).source == plain


def test_internals_draw_the_data_store_inside():
    cloud = upload()
    source = cloud.traces[-1].diagram(internals=True).source
    for component in ["Data routing service", "Placement service", "Data node"]:
        assert component in source
    assert "style=dashed" in source


def test_same_cloud_same_dot_and_stable_ids():
    a, b = upload(seed=3), upload(seed=3)
    assert trace_diagram(a.traces[-2:]).source == trace_diagram(b.traces[-2:]).source
    assert a.diagram().source == b.diagram().source
    assert "0x" not in a.diagram().source            # no id() or memory addresses as ids


def test_architecture_clusters_regions_and_azs_and_marks_failures():
    cloud = upload()
    cloud.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="irish-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    cloud.s3.data_store.fail_node("dn-1")
    diagram = architecture_diagram(cloud)
    source = diagram.source
    assert 'label="Region us-east-1"' in source and 'label="Region eu-west-1"' in source
    assert 'label="Availability Zone us-east-1a"' in source
    assert "(DOWN)" in source and "#DD344C" in source
    assert "bucket-to-share\\nS3 bucket" in source and "script.txt\\nS3 object" in source
    assert "2 S3 buckets" in diagram.summary
    assert "script.txt" not in architecture_diagram(cloud, objects=False).source


def test_many_objects_are_summed_up():
    cloud = awskit.Cloud()
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="many-objects")
    for i in range(10):
        s3.put_object(Bucket="many-objects", Key=f"k{i}", Body=b"")
    assert "+4 more objects" in cloud.diagram().source


def test_landscape_and_pillars():
    from awskit.catalog import landscape
    landscape_now = landscape_diagram()
    simulated = sum(row["simulated by awskit now"] for row in landscape())
    assert simulated >= 3      # S3, IAM, STS at least
    assert "Amazon S3" in landscape_now.source
    assert f"{simulated} simulated by awskit now" in landscape_now.summary
    assert landscape_now.source.count("rounded,filled") == simulated
    assert pillars_diagram().source.count("shape=box style=filled") == 6


def test_rendering_falls_back_to_dot_source_never_an_error(monkeypatch):
    render.render_svg.cache_clear()
    monkeypatch.setattr(render, "RENDERERS", [("none", lambda source: None)])
    bundle = Diagram("digraph { a -> b }", "a tiny graph")._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert bundle["text/plain"].startswith("a tiny graph\n" + INSTALL_HINT)
    assert bundle["text/vnd.graphviz"] == "digraph { a -> b }"
    render.render_svg.cache_clear()


def test_rendering_uses_what_is_available(monkeypatch):
    render.render_svg.cache_clear()
    monkeypatch.setattr(render, "RENDERERS", [("broken", lambda source: None),
                                              ("fake", lambda source: "<svg>fake</svg>")])
    assert render.renderer() == "fake"
    bundle = Diagram("digraph { x }", "x")._repr_mimebundle_()
    assert bundle["image/svg+xml"] == "<svg>fake</svg>" and bundle["text/plain"] == "x"
    render.render_svg.cache_clear()


@pytest.mark.skipif(render.renderer() is None, reason="no Graphviz renderer on this machine")
def test_real_rendering_gives_svg(tmp_path):
    cloud = upload()
    diagram = trace_diagram(cloud.traces[-2:], highlight=3)
    svg = diagram.svg()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg and "Metadata DB" in svg
    written = diagram.save(tmp_path / "upload")
    assert [p.suffix for p in written] == [".dot", ".svg"]
    assert written[0].read_text() == diagram.source
