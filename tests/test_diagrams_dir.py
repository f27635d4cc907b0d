"""``diagrams/`` holds exactly what ``scripts/make_diagrams.py`` would write now.

The DOT is compared exactly (awskit draws the same DOT for the same scenario on every
machine); the SVG only has to be there and be an SVG, since Graphviz versions lay out
differently.
"""

import re
from pathlib import Path

import pytest

from awskit.course_diagrams import course_diagrams, lambda_scenario, scenario
from awskit.diagrams import Diagram

DIR = Path(__file__).resolve().parent.parent / "diagrams"
FIX = "run `.venv/bin/python scripts/make_diagrams.py` and commit diagrams/"
LAMBDA = {"lambda-sync-cold-start", "lambda-sync-warm", "lambda-async-invoke",
          "lambda-assignment-failover", "lambda-snapstart-restore", "lambda-component-storage"}
NETWORK = {"typical-network-architecture"}
EXPECTED = {"s3-upload-process", "s3-put-internals", "s3-get-from-replica",
            "s3-upload-denied-by-iam", "architecture"} | LAMBDA | NETWORK


@pytest.fixture(scope="module")
def fresh():
    return course_diagrams()


@pytest.fixture(scope="module")
def lam():
    return lambda_scenario()


def components(trace) -> list[str]:
    return [s.component for s in trace.steps]


def first(trace, component, startswith=""):
    """Index of the first step of ``component`` whose action starts with ``startswith``."""
    return next(i for i, s in enumerate(trace.steps)
                if s.component == component and s.action.startswith(startswith))


def text(diagram) -> str:
    """The DOT source with the title's line breaks as spaces."""
    return diagram.source.replace("\\n", " ")


def nodes(source: str) -> set[str]:
    """The labels of the diagram's nodes (components)."""
    return {quoted or bare for quoted, bare in
            re.findall(r'^\tn\d+ \[label=(?:"([^"]*)"|(\S+))', source, re.MULTILINE)}


def edge_numbers(source: str) -> list[int]:
    return sorted(int(n) for n in re.findall(r'label="(\d+)\. ', source))


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


# -- Lambda: each diagram is the drawing of real invocations ---------------------------------------
def test_cold_start_goes_through_placement_storage_and_init_in_order(lam, fresh):
    [cold] = lam["cold"]
    assert cold.operation == "Invoke" and cold.status == 200 and cold.front == "client"
    order = [first(cold, "Front end"), first(cold, "IAM"), first(cold, "Counting service"),
             first(cold, "Assignment service"), first(cold, "Placement service"),
             first(cold, "Worker host"), first(cold, "Component storage"),
             first(cold, "Execution environment", "INIT"),
             first(cold, "Execution environment", "INVOKE")]
    assert order == sorted(order)
    source = text(fresh["lambda-sync-cold-start"])
    assert {"Front end", "IAM", "Counting service", "Assignment service", "Placement service",
            "Worker host", "Component storage", "Execution environment"} <= nodes(source)
    assert edge_numbers(source) == list(range(1, len(cold.steps) + 1))
    init = cold.steps[first(cold, "Execution environment", "INIT")]
    assert f"INIT {init.duration_ms:g} ms" in source      # the title's figures are the trace's


def test_warm_invoke_reuses_the_environment(lam, fresh):
    [cold], [warm] = lam["cold"], lam["warm"]
    assert "Placement service" not in components(warm)
    assert "Component storage" not in components(warm)
    assert not any(s.action.startswith("INIT") for s in warm.steps)
    env = warm.steps[first(warm, "Execution environment", "INVOKE")].detail["env_id"]
    assert env == cold.steps[first(cold, "Execution environment", "INVOKE")].detail["env_id"]
    assert warm.duration_ms < cold.duration_ms
    source = text(fresh["lambda-sync-warm"])
    assert "Placement service" not in nodes(source) and env in source


def test_async_invoke_is_202_then_the_pollers_trace(lam, fresh):
    accepted, polled = lam["async"]
    assert accepted.status == 202 and components(accepted)[-2] == "Event queue"
    assert "Execution environment" not in components(accepted)
    assert polled.front == "poller" and polled.t0 > accepted.t0
    assert polled.steps[0].component == "Poller"
    assert "Execution environment" in components(polled)
    source = text(fresh["lambda-async-invoke"])
    assert {"Event queue", "Poller", "Execution environment"} <= nodes(source)
    assert edge_numbers(source) == list(range(1, len(accepted.steps) + len(polled.steps) + 1))


def test_failover_replays_the_journal_and_keeps_the_warm_environment(lam, fresh):
    [trace] = lam["failover"]
    step = trace.steps[first(trace, "Assignment service", "Leader")]
    assert step.detail["replayed"] >= 1 and step.detail["new_leader"] != step.detail["failed"]
    assert step.detail["idle_environments"] >= 1
    assert first(trace, "Assignment service", "Leader") < first(trace, "Assignment service",
                                                                  "Find a warm")
    assert "Placement service" not in components(trace)      # no environment was lost
    assert f"replays journal entries #{step.detail['from_seq']}-#{step.detail['to_seq']}" in \
        text(fresh["lambda-assignment-failover"])


def test_snapstart_restores_a_snapshot_instead_of_init(lam, fresh):
    [trace] = lam["snapstart"]
    assert ":1/invocations" in trace.summary or "Qualifier=1" in trace.summary
    assert not any(s.action.startswith("INIT") for s in trace.steps)
    restore = first(trace, "Firecracker microVM", "Restore")
    assert first(trace, "Component storage") < restore < first(trace, "Execution environment",
                                                                 "INVOKE")
    source = text(fresh["lambda-snapstart-restore"])
    assert "Firecracker microVM" in nodes(source)
    assert "random seeds too" in source                   # the uniqueness caveat, in the title


def test_component_storage_deduplicates_and_reads_through_the_caches(lam, fresh):
    create, invoke = lam["images"]
    stored = create.steps[first(create, "Component storage")].detail
    assert create.operation == "CreateFunction"
    assert stored["already_stored_chunks"] > 0 and stored["new_chunks"] < stored["chunks"]
    fetch = invoke.steps[first(invoke, "Component storage")]
    assert fetch.detail["kind"] == "image" and fetch.detail["counts"]["local"] > 0
    tiers = [sub.detail.get("tier") for sub in fetch.substeps]
    assert tiers[1:] == ["local", "az", "origin"]
    source = text(fresh["lambda-component-storage"])
    assert "style=dashed" in source and "Worker-local cache" in source
    assert "already stored (deduplicated)" in source


# -- the network: drawn from the cloud the scenario built through boto3 --------------------------
def test_typical_network_architecture_is_the_scenarios_cloud(fresh):
    from awskit.course_network import network_scenario
    cloud, ids = network_scenario()
    source = fresh["typical-network-architecture"].source
    assert source == cloud.diagram().source
    ec2 = cloud.client("ec2")
    assert len(ec2.describe_vpcs()["Vpcs"]) == 5                 # app, 2 spokes, partner, default
    [tgw] = ec2.describe_transit_gateways()["TransitGateways"]
    attached = ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
    assert tgw["State"] == "available" and {a["State"] for a in attached} == {"available"}
    [vpn] = ec2.describe_vpn_connections()["VpnConnections"]
    assert vpn["State"] == "available"
    [endpoint] = ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    assert endpoint["Status"]["Code"] == "available"
    assert {e["VpcEndpointType"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]} == {
        "Gateway", "Interface"}
    for resource in ("vpc", "shared", "data", "partner", "igw", "vgw", "cgw", "tgw",
                     "nat-a", "nat-b", "web-a", "app-b", "pcx", "vpn", "distribution",
                     "s3-endpoint", "sqs-endpoint", "client-vpn"):
        assert ids[resource] in source, resource
    for cluster in (f"cluster_{ids['vpc']}_us-east-1a", f"cluster_{ids['vpc']}_us-east-1b",
                    "cluster_on_premises", "cluster_global", f"cluster_{ids['public-a']}"):
        assert cluster in source, cluster
    assert "Public subnet public-a" in source and "Private subnet private-b" in source
    assert "failover PRIMARY (web)" in source and "Site-to-Site VPN" in source


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
