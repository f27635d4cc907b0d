"""The invoke path's internals: handlers calling AWS (handler_bridge.py), provisioned
concurrency and SnapStart (hooks.py), environments reclaimed, reloaded clouds, images."""

import io
import json
import os
import zipfile

import pytest
from lambda_invoke_helpers import LOGS, call, deploy, fails, report, role, step

import awskit
from awskit.awslambda.internals import UNIQUENESS

S3_HANDLER = """
import boto3
s3 = boto3.client("s3")
def handler(event, context):
    s3.put_object(Bucket=event["bucket"], Key="note.txt", Body=b"written by lambda")
    return s3.get_object(Bucket=event["bucket"], Key="note.txt")["Body"].read().decode()
"""
RANDOM = """
import os, random, uuid
seed = random.random()
token = uuid.uuid4().hex
def handler(event, context):
    return {"seed": seed, "next": random.random(), "token": token, "pid": os.getpid(),
            "init": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"]}
"""


@pytest.fixture
def lam(cloud):
    yield cloud.client("lambda")
    cloud.awslambda.stop_processes()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/status") as f:
        return not any(line.startswith("State:") and "Z" in line for line in f)


# -- handlers that call AWS ---------------------------------------------------------------------
def test_a_handler_writes_to_s3_and_reads_it_back_as_its_role(cloud, lam, no_network):
    cloud.client("s3").create_bucket(Bucket="notes")
    exec_role = role(cloud, "writer", [LOGS, {"Effect": "Allow",
                                              "Action": ["s3:PutObject", "s3:GetObject"],
                                              "Resource": "arn:aws:s3:::notes/*"}])
    deploy(cloud, S3_HANDLER, role_arn=exec_role)
    out = call(lam, event={"bucket": "notes"})
    assert json.loads(out["Body"]) == "written by lambda"
    got = cloud.client("s3").get_object(Bucket="notes", Key="note.txt")
    assert got["Body"].read() == b"written by lambda"
    put, get = [t for t in cloud.traces if t.front == "lambda"]
    assert (put.operation, get.operation) == ("PutObject", "GetObject")
    assert put.principal == "arn:aws:sts::123456789012:assumed-role/writer/fn"
    invoke = cloud.traces.filter("lambda", "Invoke")[-1]
    run = step(invoke, "Execution environment", "INVOKE")
    calls = [c["operation"] for c in run.detail["aws_calls"]]
    assert calls == ["PutObject", "GetObject"]
    # the calls happen inside the INVOKE step, and it lasts as long as they do
    assert run.t0 <= put.t0 and get.t0 + get.duration_ms / 1000 <= \
        run.t0 + run.duration_ms / 1000 + 1e-9
    assert run.detail["aws_calls_ms"] == pytest.approx(put.duration_ms + get.duration_ms)
    assert float(report(out["Log"])["Duration"].split()[0]) == pytest.approx(run.duration_ms,
                                                                             abs=0.01)


def test_a_role_without_put_object_gets_access_denied_inside_the_handler(cloud, lam):
    cloud.client("s3").create_bucket(Bucket="notes")
    reader = role(cloud, "reader", [LOGS, {"Effect": "Allow", "Action": "s3:GetObject",
                                           "Resource": "*"}])
    source = S3_HANDLER.replace("    s3.put_object", "    try:\n        s3.put_object") \
        .replace('Body=b"written by lambda")',
                 'Body=b"x")\n    except Exception as e:\n'
                 '        from botocore.exceptions import ClientError\n'
                 '        return [isinstance(e, ClientError), e.response["Error"]["Code"]]')
    deploy(cloud, source, role_arn=reader)
    out = call(lam, event={"bucket": "notes"})
    assert "FunctionError" not in out
    assert json.loads(out["Body"]) == [True, "AccessDenied"]
    denied = [t for t in cloud.traces if t.front == "lambda"][-1]
    assert denied.error == "AccessDenied"
    assert "assumed-role/reader/fn" in denied.principal


def test_the_environment_holds_the_roles_temporary_credentials(cloud, lam):
    deploy(cloud, "import os\ndef handler(e, c):\n    return [os.environ.get(k, '')[:4] for k "
                  "in ('AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN')] + "
                  "[os.environ['AWS_REGION']]\n")
    assert json.loads(call(lam)["Body"]) == ["ASIA", "IQoJ", "us-east-1"]
    key = json.loads(call(lam)["Body"])
    session = [s for s in cloud.iam.sessions.values() if s.session_name == "fn"]
    assert len(session) == 1 and session[0].role_name == "role-fn" and key[0] == "ASIA"
    # a role whose trust policy no longer allows Lambda: new environments get no credentials
    cloud.client("iam").update_assume_role_policy(RoleName="role-fn", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "ec2.amazonaws.com"}}]}))
    cloud.awslambda.stop_processes()              # the next invoke starts a new process
    assert json.loads(call(lam)["Body"]) == ["", "", "us-east-1"]
    init = step(cloud.traces[-1], "Execution environment", "INIT")
    assert "cannot assume" in init.detail["credentials"]


def test_nested_calls_deeper_than_the_limit_are_refused(cloud, lam):
    loop = """
import boto3, json
def handler(event, context):
    depth = event.get("depth", 0)
    try:
        out = boto3.client("lambda").invoke(FunctionName="fn",
                                            Payload=json.dumps({"depth": depth + 1}))
        return json.loads(out["Payload"].read())
    except Exception as e:
        return {"stopped_at": depth, "code": e.response["Error"]["Code"]}
"""
    deploy(cloud, loop, role_arn=role(cloud, "r", [LOGS, {"Effect": "Allow",
                                                          "Action": "lambda:InvokeFunction",
                                                          "Resource": "*"}]),
           Timeout=60)             # eight nested cold starts must not time out on a busy machine
    out = json.loads(call(lam)["Body"])
    assert out["code"] == "RecursiveInvocationException"
    assert out["stopped_at"] == 7
    assert cloud.awslambda._phase_depth == 0


# -- provisioned concurrency ---------------------------------------------------------------------
def test_provisioned_concurrency_makes_the_first_invoke_warm(cloud, lam):
    deploy(cloud, RANDOM)
    lam.publish_version(FunctionName="fn")
    cloud.advance(1)
    out = lam.put_provisioned_concurrency_config(FunctionName="fn", Qualifier="1",
                                                 ProvisionedConcurrentExecutions=2)
    assert out["Status"] == "IN_PROGRESS"
    cloud.advance(61)
    assert lam.get_provisioned_concurrency_config(FunctionName="fn", Qualifier="1")[
        "Status"] == "READY"
    [allocation] = [t for t in cloud.traces if t.operation == "ProvisionedConcurrency"]
    assert allocation.front == "lifecycle"
    assert len([s for s in allocation.steps if s.action.startswith("INIT")]) == 2
    inits = [e["message"] for e in cloud.logs.events("/aws/lambda/fn")
             if e["message"].startswith("INIT_REPORT")]
    assert len(inits) == 2 and all("Phase: init" in m for m in inits)
    first = call(lam, Qualifier="1")
    body = json.loads(first["Body"])
    assert body["init"] == "provisioned-concurrency"
    assert "Init Duration" not in report(first["Log"])
    record = cloud.awslambda.invocations[-1]
    assert not record.cold and record.provisioned
    trace = cloud.traces[-1]
    assert "provisioned" in step(trace, "Counting service").action
    assert "Placement service" not in trace.components
    lines = {line["usage_type"] for line in cloud.meter.lines()}
    assert {"Lambda-Provisioned-GB-Second", "Lambda-Provisioned-Concurrency"} <= lines
    lam.delete_provisioned_concurrency_config(FunctionName="fn", Qualifier="1")
    envs = cloud.awslambda.internals().environments.values()
    assert not [e for e in envs if e.provisioned]
    assert not alive(body["pid"])


# -- SnapStart -----------------------------------------------------------------------------------
def test_snapstart_restores_instead_of_init_and_shares_the_snapshots_randomness(cloud, lam):
    deploy(cloud, RANDOM, SnapStart={"ApplyOn": "PublishedVersions"})
    lam.publish_version(FunctionName="fn")
    published = cloud.traces[-1]
    assert "Firecracker microVM" in published.components
    assert any(s.action.startswith("INIT (before the snapshot)") for s in published.steps)
    not_ready = fails(lam.invoke, FunctionName="fn", Qualifier="1")
    assert not_ready["Code"] == "SnapStartNotReadyException" and not_ready["Status"] == 409
    cloud.advance(cloud.awslambda.snapstart_publish_seconds + 2)
    first = call(lam, Qualifier="1")
    trace = cloud.traces[-1]
    assert any(s.action.startswith("Restore snapshot") for s in trace.steps)
    assert not any(s.action.startswith("INIT") for s in trace.steps)
    assert step(trace, "Execution environment", "env-").detail["uniqueness"] == UNIQUENESS
    fields = report(first["Log"])
    assert "Restore Duration" in fields and "Init Duration" not in fields
    cloud.advance(cloud.awslambda.internals().model.idle_reclaim_s + 1)    # reclaimed
    second = call(lam, Qualifier="1")
    a, b = json.loads(first["Body"]), json.loads(second["Body"])
    assert cloud.awslambda.invocations[-1].restored and a["pid"] != b["pid"]
    assert a["init"] == b["init"] == "snap-start"
    assert a["seed"] == b["seed"] and a["next"] == b["next"]    # the uniqueness hazard
    assert a["token"] == b["token"]
    assert call(lam)["StatusCode"] == 200                        # $LATEST: no SnapStart


def test_random_is_seeded_per_environment_so_runs_repeat():
    def draws(cloud, lam):
        deploy(cloud, RANDOM)
        first = json.loads(call(lam)["Body"])
        cloud.advance(cloud.awslambda.internals().model.idle_reclaim_s + 1)   # a new environment
        second = json.loads(call(lam)["Body"])
        cloud.awslambda.stop_processes()
        return first, second

    clouds = [awskit.Cloud(seed=0), awskit.Cloud(seed=0), awskit.Cloud(seed=1)]
    runs = [draws(c, c.client("lambda")) for c in clouds]
    (a1, a2), (b1, b2), (c1, _) = runs
    assert (a1["seed"], a1["next"], a2["seed"]) == (b1["seed"], b1["next"], b2["seed"])
    assert a1["seed"] != a2["seed"]                     # two environments, two seeds
    assert c1["seed"] != a1["seed"]                     # another cloud seed, other numbers
    assert a1["token"] != b1["token"]                   # uuid4 stays truly random


# -- environments' lifetime ----------------------------------------------------------------------
def test_idle_environments_are_reclaimed_and_their_process_killed(cloud, lam):
    deploy(cloud, RANDOM)
    pid = json.loads(call(lam)["Body"])["pid"]
    assert alive(pid)
    cloud.advance(cloud.awslambda.internals().model.idle_reclaim_s + 1)
    assert not alive(pid)
    assert not cloud.awslambda.internals().environments
    call(lam)
    assert cloud.awslambda.invocations[-1].cold


def test_a_loaded_cloud_initializes_its_environments_again(cloud, lam, tmp_path):
    deploy(cloud, RANDOM)
    first = json.loads(call(lam)["Body"])
    cloud.save(tmp_path / "c.json")
    loaded = awskit.Cloud.load(tmp_path / "c.json")
    try:
        out = call(loaded.client("lambda"))
        trace = loaded.traces[-1]
        assert "Placement service" not in trace.components       # the same environment ...
        assert any("no live process" in s.action for s in trace.steps)
        assert any(s.action.startswith("INIT") for s in trace.steps)   # ... runs INIT again
        assert json.loads(out["Body"])["pid"] != first["pid"]
        assert "Init Duration" in report(out["Log"])
    finally:
        loaded.awslambda.stop_processes()


def test_a_container_image_with_python_code_runs(cloud, lam):
    app = io.BytesIO()
    with zipfile.ZipFile(app, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return 'from the image'\n")
    uri = cloud.awslambda.push_image("app", [b"base layer " * 1000, app.getvalue()])
    exec_role = role(cloud, "img")
    lam.create_function(FunctionName="img", Role=exec_role, PackageType="Image",
                        Code={"ImageUri": uri}, ImageConfig={"Command": ["app.handler"]})
    lam.create_function(FunctionName="broken", Role=exec_role, PackageType="Image",
                        Code={"ImageUri": uri})
    cloud.advance(1)
    assert json.loads(call(lam, "img")["Body"]) == "from the image"
    fetch = step(cloud.traces[-1], "Component storage")
    assert fetch.detail["kind"] == "image"
    out = call(lam, "broken")
    assert out["FunctionError"] == "Unhandled"
    assert json.loads(out["Body"])["errorType"] == "Runtime.InvalidEntrypoint"


def test_a_damaged_zip_layer_is_refused_at_push(cloud):
    app = io.BytesIO()
    with zipfile.ZipFile(app, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return 'from the image'\n")
    damaged = app.getvalue().replace(b"from", b"FROM")          # the CRC no longer matches
    with pytest.raises(ValueError, match="layer 2 is a damaged .zip archive"):
        cloud.awslambda.push_image("app", [b"base", damaged])
    assert not cloud.awslambda.images                            # nothing half-pushed


def test_a_failed_assignment_leader_loses_no_warm_environment(cloud, lam):
    deploy(cloud, RANDOM)
    pid = json.loads(call(lam)["Body"])["pid"]
    key = "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST"
    failed = cloud.awslambda.internals().fail_leader(key)
    out = json.loads(call(lam)["Body"])
    trace = cloud.traces[-1]
    failover = next(s for s in trace.steps if "is down" in s.action)
    assert failover.component == "Assignment service"
    assert failover.detail["failed"] == failed["failed"] and failover.detail["replayed"] >= 1
    assert out["pid"] == pid and not cloud.awslambda.invocations[-1].cold


def test_calls_to_services_awskit_does_not_simulate_fail_inside_the_handler(cloud, lam,
                                                                          no_network):
    deploy(cloud, "import boto3\ndef handler(e, c):\n    try:\n"
                  "        boto3.client('dynamodb').list_tables()\n    except Exception as x:\n"
                  "        return [x.response['Error']['Code'],\n"
                  "                x.response['ResponseMetadata']['HTTPStatusCode']]\n")
    assert json.loads(call(lam)["Body"]) == ["NotImplemented", 501]
    run = step(cloud.traces[-1], "Execution environment", "INVOKE")
    assert run.detail["aws_calls"][0]["service"] == "dynamodb"


def test_provisioned_environments_beyond_the_process_cap_start_at_first_use(cloud, lam,
                                                                           monkeypatch):
    from awskit.awslambda import hooks
    monkeypatch.setattr(hooks, "REAL_PROVISIONED", 1)
    deploy(cloud, RANDOM)
    lam.publish_version(FunctionName="fn")
    cloud.advance(1)
    lam.put_provisioned_concurrency_config(FunctionName="fn", Qualifier="1",
                                           ProvisionedConcurrentExecutions=2)
    cloud.advance(61)
    envs = [e for e in cloud.awslambda.internals().environments.values() if e.provisioned]
    assert len(envs) == 2
    for n in range(2):
        lam.invoke(FunctionName="fn", Qualifier="1", InvocationType="Event", Payload=b"{}")
    cloud.advance(1)
    records = list(cloud.awslambda.invocations)[-2:]
    assert {r.env_id for r in records} == {e.env_id for e in envs}
    assert not any(r.cold for r in records) and all(r.init_ms is None for r in records)
    for trace in [t for t in cloud.traces if t.front == "poller"]:
        assert not any(s.action.startswith("INIT") for s in trace.steps)
    assert not any(isinstance(e.process, hooks.DeferredProcess) for e in envs)


def test_a_bare_execution_process_never_sends_boto3_calls_to_the_network(no_network):
    from awskit.awslambda.packaging import zip_function
    from awskit.awslambda.runtime import ExecutionProcess
    code, handler = zip_function(
        "import boto3\ndef handler(e, c):\n    try:\n        boto3.client('s3', region_name="
        "'us-east-1', aws_access_key_id='AKIAX', aws_secret_access_key='x').list_buckets()\n"
        "    except Exception as x:\n        return x.response['Error']['Code']\n")
    process = ExecutionProcess(code, handler, {}, 256, "fn", "$LATEST", "/aws/lambda/fn", "s",
                               "us-east-1", "123456789012")
    try:
        assert process.init(10).ok
        out = process.invoke(b"{}", "r-1", 10, deadline_ms=2**42)
        assert json.loads(out.payload) == "NotImplemented"
        seen = []
        process.answer_aws_calls(lambda header: seen.append(header) or {
            "op": "aws_result", "status": 200, "headers": {},
            "parsed": {"Buckets": [{"Name": "b", "CreationDate": {"__dt": "2026-03-02T09:00:00"}}],
                       "ResponseMetadata": {"HTTPStatusCode": 200}}})
        out = process.invoke(b"{}", "r-2", 10, deadline_ms=2**42)
        assert out.status == "ok" and out.payload == b"null"
        assert seen[0]["service"] == "s3" and seen[0]["operation"] == "ListBuckets"
        assert seen[0]["access_key"] == "AKIAX" and seen[0]["region"] == "us-east-1"
    finally:
        process.close()
