"""Invoke: what an invocation leaves behind (CloudWatch Logs, the bill), the duration model,
determinism, and what a new configuration does to environments."""

import json
import re

import pytest
from botocore.exceptions import ClientError
from lambda_invoke_helpers import COUNTER, call, deploy, report, role, step

import awskit
from awskit.awslambda.durations import ONE_VCPU_MB, DurationModel
from awskit.awslambda.packaging import zip_function


@pytest.fixture
def lam(cloud):
    yield cloud.client("lambda")
    cloud.awslambda.stop_processes()


# -- logs, billing, durations ------------------------------------------------------------------
def test_logs_reach_cloudwatch_logs_in_the_environments_stream(cloud, lam):
    deploy(cloud, COUNTER)
    rids = [call(lam, event={"n": n})["ResponseMetadata"]["RequestId"] for n in range(2)]
    logs = cloud.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/lambda/fn")["logStreams"]
    assert len(streams) == 1
    name = streams[0]["logStreamName"]
    assert re.fullmatch(r"2026/03/02/\[\$LATEST\][0-9a-f]{32}", name)
    events = logs.get_log_events(logGroupName="/aws/lambda/fn", logStreamName=name,
                                 startFromHead=True)["events"]
    messages = [e["message"] for e in events]
    assert messages[0] == "init ran"
    assert messages.count(f"START RequestId: {rids[1]} Version: $LATEST") == 1
    assert "event {'n': 1}" in messages and messages[-1].startswith(f"REPORT RequestId: {rids[1]}")
    starts = [e["timestamp"] for e in events if e["message"].startswith("START")]
    assert starts == sorted(starts) and starts[0] < starts[1]
    trace = cloud.traces.filter("lambda", "Invoke")[-1]
    assert step(trace, "CloudWatch Logs").detail["log_stream"] == name


def test_the_role_without_log_permissions_is_pointed_out(cloud, lam):
    deploy(cloud, COUNTER, role_arn=role(cloud, "bare", statements=()))
    call(lam)
    assert "AWSLambdaBasicExecutionRole" in step(cloud.traces[-1], "CloudWatch Logs").action


def test_billing_goes_on_the_meter(cloud, lam):
    deploy(cloud, COUNTER, MemorySize=512)
    cold, warm = call(lam), call(lam)
    lines = {line["usage_type"]: line for line in cloud.meter.lines()
             if line["service"] == "lambda"}
    assert lines["Request"]["quantity"] == 2
    billed = [int(report(o["Log"])["Billed Duration"].split()[0]) for o in (cold, warm)]
    init = float(report(cold["Log"])["Init Duration"].split()[0])
    duration = float(report(cold["Log"])["Duration"].split()[0])
    assert billed[0] == -(-(init + duration) // 1)            # INIT billed since 2025-08-01
    gbs = sum(512 / 1024 * b / 1000 for b in billed)
    assert lines["Lambda-GB-Second"]["quantity"] == pytest.approx(gbs)
    assert lines["Lambda-GB-Second"]["cost_usd"] == pytest.approx(gbs * 0.0000166667)
    assert sum(i.cost for i in cloud.awslambda.invocations) == pytest.approx(
        cloud.meter.total("lambda"))


def test_the_duration_model_is_configurable_and_scales_with_memory(cloud, lam):
    deploy(cloud, COUNTER, Timeout=1)
    model = cloud.awslambda.set_duration_model("fn", invoke_ms=120, init_ms=300)
    assert model == cloud.awslambda.duration_model("fn")
    cold = call(lam)
    fields = report(cold["Log"])
    assert fields["Duration"] == "120.00 ms" and fields["Init Duration"] == "300.00 ms"
    assert step(cloud.traces[-1], "Execution environment", "INVOKE").duration_ms == 120
    cloud.awslambda.set_duration_model("fn", invoke_ms=1500)     # longer than the timeout
    slow = call(lam)
    assert slow["FunctionError"] == "Unhandled"
    assert json.loads(slow["Body"])["errorType"] == "Sandbox.Timedout"
    defaults = DurationModel()
    assert defaults.invoke(128) > defaults.invoke(ONE_VCPU_MB) == defaults.invoke(10240)
    assert defaults.init(128) > defaults.init(1024)
    scaled = DurationModel(invoke_ms=100, at_memory_mb=ONE_VCPU_MB)
    assert scaled.invoke(ONE_VCPU_MB // 2) == pytest.approx(200, rel=0.01)
    for bad in ({"invoke_ms": -1}, {"init_ms": "fast"}, {"memory_used_mb": 0}):
        with pytest.raises(ValueError):
            cloud.awslambda.set_duration_model("fn", **bad)
    with pytest.raises(ClientError) as info:
        cloud.awslambda.set_duration_model("missing", invoke_ms=1)
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_same_seed_same_traces_and_responses():
    def run():
        cloud = awskit.Cloud(seed=7)
        deploy(cloud, COUNTER.replace("os.getpid()", "0"))
        lam = cloud.client("lambda")
        out = [call(lam, event={"i": i}) for i in range(2)]
        lam.invoke(FunctionName="fn", InvocationType="Event", Payload=b"{}")
        cloud.advance(1)
        traces = [t.to_dict() for t in cloud.traces]
        cloud.awslambda.stop_processes()
        return traces, [(o["Body"], o["Log"]) for o in out]
    assert run() == run()


# -- configuration changes, code ---------------------------------------------------------------
def test_new_code_gets_new_environments(cloud, lam):
    deploy(cloud, COUNTER)
    call(lam)
    old = cloud.awslambda.invocations[-1].env_id
    code, _ = zip_function("def handler(e, c):\n    return 'v2'\n")
    lam.update_function_code(FunctionName="fn", ZipFile=code)
    assert json.loads(call(lam)["Body"])["count"] == 2       # the update is still in progress
    cloud.advance(1)
    assert call(lam)["Body"] == b'"v2"'
    assert cloud.awslambda.invocations[-1].env_id != old
    assert any("drain" in s.action for s in cloud.traces[-1].steps)


def test_layers_are_importable(cloud, lam):
    layer, _ = zip_function("def handler(e, c):\n    return 0\n", extra_files={
        "python/greeting.py": "WORD = 'hello from a layer'\n"})
    arn = lam.publish_layer_version(LayerName="words", Content={"ZipFile": layer})[
        "LayerVersionArn"]
    deploy(cloud, "import greeting\ndef handler(e, c):\n    return greeting.WORD\n",
           Layers=[arn])
    assert json.loads(call(lam)["Body"]) == "hello from a layer"
