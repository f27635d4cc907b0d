"""Invoke, synchronously: the student's handler really runs, traced (awskit/awslambda/invoke.py,
execution.py, environments.py, durations.py)."""

import base64
import json
import time

import boto3
import pytest
from botocore.exceptions import ClientError
from lambda_invoke_helpers import (COUNTER, call, components, deploy, fails, report, role,
                                   step)

import awskit

FAILING = """
import sys, time
def handler(event, context):
    what = event["do"]
    if what == "raise":
        raise ValueError("boom")
    if what == "exit":
        sys.exit(3)
    if what == "loop":
        while True:
            pass
    if what == "oom":
        return len(bytearray(400 * 1024 * 1024))
    return "fine"
"""


@pytest.fixture
def lam(cloud):
    yield cloud.client("lambda")
    cloud.awslambda.stop_processes()


# -- running, warm and cold ---------------------------------------------------------------------
def test_handler_runs_with_its_log_tail_and_report(cloud, lam):
    deploy(cloud, COUNTER)
    out = call(lam, event={"a": 1})
    rid = out["ResponseMetadata"]["RequestId"]
    body = json.loads(out["Body"])
    assert out["StatusCode"] == 200 and out["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in out
    assert body["count"] == 1 and body["rid"] == rid and body["memory"] == "128"
    assert body["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:fn"
    lines = out["Log"].splitlines()
    assert lines[0] == "init ran"                              # INIT output, before START
    assert lines[1] == f"START RequestId: {rid} Version: $LATEST"
    assert lines[2] == "event {'a': 1}"
    assert lines[3] == f"END RequestId: {rid}"
    fields = report(out["Log"])
    assert fields["REPORT RequestId"] == rid
    assert fields["Memory Size"] == "128 MB" and "Init Duration" in fields
    warm = call(lam, event={"a": 2})
    assert "Init Duration" not in report(warm["Log"])
    assert warm["Log"].splitlines()[0].startswith("START RequestId")


def test_warm_invokes_reuse_the_environment_and_its_module_state(cloud, lam):
    deploy(cloud, COUNTER)
    first, second, third = (json.loads(call(lam)["Body"]) for _ in range(3))
    assert [first["count"], second["count"], third["count"]] == [1, 2, 3]
    assert first["pid"] == second["pid"] == third["pid"]
    records = list(cloud.awslambda.invocations)[-3:]
    assert [r.cold for r in records] == [True, False, False]
    assert len({r.env_id for r in records}) == 1


def test_cold_and_warm_traces_differ_as_lambda_works(cloud, lam):
    deploy(cloud, COUNTER)
    call(lam)
    cold = cloud.traces[-1]
    call(lam)
    warm = cloud.traces[-1]
    for trace in (cold, warm):
        assert trace.components[:4] == ["Front end", "IAM", "Counting service",
                                         "Assignment service"]
        assert components(trace)[-2:] == ["CloudWatch Logs", "Front end"]
        assert step(trace, "IAM").detail["action"] == "lambda:InvokeFunction"
    assert {"Placement service", "Component storage"} <= set(cold.components)
    assert not {"Placement service", "Component storage"} & set(warm.components)
    assert any(s.action.startswith("INIT") for s in cold.steps)
    assert not any(s.action.startswith("INIT") for s in warm.steps)
    assert any(s.action.startswith("Thaw") for s in warm.steps)
    assert warm.duration_ms < cold.duration_ms
    invoke = step(warm, "Execution environment", "INVOKE")
    assert invoke.duration_ms == pytest.approx(cloud.awslambda.invocations[-1].duration_ms)
    # the real measured time is on the invocation record, never in the trace
    assert cloud.awslambda.invocations[-1].measured_ms is not None
    assert not any("measured" in key for s in warm.steps for key in s.detail)


def test_the_mock_aws_and_direct_fronts_run_it_too(cloud, lam):
    deploy(cloud, COUNTER)
    with awskit.mock_aws(cloud):
        out = boto3.client("lambda").invoke(FunctionName="fn", Payload=b"{}")
        assert json.loads(out["Payload"].read())["count"] == 1
    direct = cloud.awslambda.invoke(FunctionName="fn", Payload='{"x": 1}')
    assert json.loads(direct["Payload"].read())["count"] == 2
    assert direct["StatusCode"] == 200
    assert cloud.traces[-1].front == "direct"


# -- errors of the function ------------------------------------------------------------------
def test_an_exception_is_an_unhandled_function_error_with_the_runtimes_document(cloud, lam):
    deploy(cloud, FAILING)
    out = call(lam, event={"do": "raise"})
    rid = out["ResponseMetadata"]["RequestId"]
    assert out["StatusCode"] == 200 and out["FunctionError"] == "Unhandled"
    assert out["ResponseMetadata"]["HTTPHeaders"]["x-amz-function-error"] == "Unhandled"
    doc = json.loads(out["Body"])
    assert doc["errorType"] == "ValueError" and doc["errorMessage"] == "boom"
    assert doc["requestId"] == rid
    assert doc["stackTrace"] and "lambda_function.py" in doc["stackTrace"][0]
    assert "[ERROR] ValueError: boom" in out["Log"]
    assert "Status" not in report(out["Log"])         # the runtime caught it
    assert call(lam, event={"do": "ok"})["Body"] == b'"fine"'     # still warm
    assert cloud.awslambda.invocations[-1].cold is False


def test_an_endless_loop_is_stopped_at_the_timeout_and_the_function_works_after(cloud, lam):
    deploy(cloud, FAILING, Timeout=1)
    began = time.monotonic()
    out = call(lam, event={"do": "loop"})
    assert time.monotonic() - began < 10
    rid = out["ResponseMetadata"]["RequestId"]
    assert out["FunctionError"] == "Unhandled"
    assert json.loads(out["Body"]) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {rid} Error: Task timed out after 1.00 seconds"}
    fields = report(out["Log"])
    assert fields["Duration"] == "1000.00 ms" and fields["Status"] == "timeout"
    dead = cloud.awslambda.invocations[-1]
    after = call(lam, event={"do": "ok"})
    assert after["Body"] == b'"fine"' and "FunctionError" not in after
    assert cloud.awslambda.invocations[-1].cold                  # a new environment
    assert cloud.awslambda.invocations[-1].env_id != dead.env_id


@pytest.mark.parametrize("what,error_type,reason", [
    ("exit", "Runtime.ExitError", "Runtime exited with error: exit status 3"),
    ("oom", "Runtime.OutOfMemory", "Runtime exited with error: signal: killed")])
def test_a_crash_is_reported_as_aws_reports_it(cloud, lam, what, error_type, reason):
    deploy(cloud, FAILING)
    out = call(lam, event={"do": what})
    rid = out["ResponseMetadata"]["RequestId"]
    assert out["FunctionError"] == "Unhandled"
    assert json.loads(out["Body"]) == {"errorType": error_type,
                                       "errorMessage": f"RequestId: {rid} Error: {reason}"}
    fields = report(out["Log"])
    assert fields["Status"] == "error" and fields["Error Type"] == error_type
    if what == "oom":
        assert fields["Max Memory Used"] == "128 MB"
    assert call(lam, event={"do": "ok"})["Body"] == b'"fine"'
    assert cloud.awslambda.invocations[-1].cold


def test_a_failed_init_is_retried_in_the_invoke_phase_then_reported(cloud, lam):
    deploy(cloud, "import no_such_module\ndef handler(e, c):\n    return 1\n")
    out = call(lam)
    rid = out["ResponseMetadata"]["RequestId"]
    assert out["FunctionError"] == "Unhandled"
    doc = json.loads(out["Body"])
    assert doc == {"errorMessage": "Unable to import module 'lambda_function': No module "
                                   "named 'no_such_module'",
                   "errorType": "Runtime.ImportModuleError", "requestId": "", "stackTrace": []}
    lines = out["Log"].splitlines()
    reports = [line for line in lines if line.startswith("INIT_REPORT")]
    assert len(reports) == 2
    assert "Phase: init\tStatus: error\tError Type: Runtime.ImportModuleError" in reports[0]
    assert "Phase: invoke\tStatus: error\tError Type: Runtime.ImportModuleError" in reports[1]
    assert lines.index(reports[0]) < lines.index(f"START RequestId: {rid} Version: $LATEST") \
        < lines.index(reports[1])
    assert report(out["Log"])["Error Type"] == "Runtime.ImportModuleError"
    inits = [s for s in cloud.traces[-1].steps if s.action.startswith("INIT")]
    assert [s.detail["phase"] for s in inits] == ["init", "invoke"]
    again = call(lam)
    assert again["FunctionError"] == "Unhandled" and cloud.awslambda.invocations[-1].cold


# -- errors of the request ---------------------------------------------------------------------
def test_payload_limits_and_content(cloud, lam):
    deploy(cloud, "def handler(e, c):\n    return e\n")
    big = fails(lam.invoke, FunctionName="fn", Payload=b'"' + b"x" * 6_291_456 + b'"')
    assert big == {"Code": "RequestEntityTooLargeException", "Status": 413,
                   "Message": "Request must be smaller than 6291456 bytes for the "
                              "InvokeFunction operation"}
    event = b'"' + b"x" * 1_048_576 + b'"'
    async_big = fails(lam.invoke, FunctionName="fn", InvocationType="Event", Payload=event)
    assert async_big["Message"] == (f"{len(event)} byte payload is too large for the Event "
                                    "invocation type (limit 1048576 bytes)")
    bad = fails(lam.invoke, FunctionName="fn", Payload=b"{not json")
    assert bad["Code"] == "InvalidRequestContentException" and bad["Status"] == 400
    assert bad["Message"].startswith("Could not parse request body into json: Could not parse "
                                     "payload into json: ")
    assert fails(lam.invoke, FunctionName="fn", Payload=b"\xff\xfe")["Code"] == \
        "InvalidRequestContentException"
    assert json.loads(lam.invoke(FunctionName="fn")["Payload"].read()) == {}
    assert json.loads(lam.invoke(FunctionName="fn", Payload=b"[1, 2]")["Payload"].read()) == [1, 2]
    # none of the refused requests ran the function
    assert len([i for i in cloud.awslambda.invocations if i.status == "ok"]) == 2


def test_missing_function_version_and_state(cloud, lam):
    assert fails(lam.invoke, FunctionName="nope")["Code"] == "ResourceNotFoundException"
    deploy(cloud, COUNTER, wait=False)
    pending = fails(lam.invoke, FunctionName="fn")
    assert pending["Code"] == "ResourceConflictException" and pending["Status"] == 409
    assert "Pending" in pending["Message"]
    cloud.advance(1)
    assert fails(lam.invoke, FunctionName="fn", Qualifier="7")["Status"] == 404
    assert fails(lam.invoke, FunctionName="fn", InvocationType="Later")["Code"] == \
        "ValidationException"
    assert call(lam)["StatusCode"] == 200


def test_reserved_concurrency_zero_throttles_every_invoke(cloud, lam):
    deploy(cloud, COUNTER)
    lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as info:
        lam.invoke(FunctionName="fn")
    response = info.value.response
    # as boto3 shows it: Code and Message in Error, the modeled members at the top level
    assert response["Error"] == {"Code": "TooManyRequestsException", "Message": "Rate Exceeded."}
    assert (response["Reason"], response["Type"], response["message"]) == (
        "ReservedFunctionConcurrentInvocationLimitExceeded", "User", "Rate Exceeded.")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    trace = cloud.traces[-1]
    assert trace.components[-1] == "Counting service"          # it stops there
    assert cloud.awslambda.invocations[-1].status == "throttled"
    lam.delete_function_concurrency(FunctionName="fn")
    assert call(lam)["StatusCode"] == 200


def test_the_account_limit_throttles_a_nested_invoke(cloud, lam):
    caller = """
import boto3, json
from botocore.exceptions import ClientError
def handler(event, context):
    try:
        boto3.client("lambda").invoke(FunctionName="inner", Payload=b"{}")
        return "ran"
    except ClientError as e:
        return [e.response["Error"]["Code"], e.response.get("Reason")]
"""
    exec_role = role(cloud, "caller", [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                                        "Resource": "*"}])
    deploy(cloud, caller, name="outer", role_arn=exec_role)
    deploy(cloud, COUNTER, name="inner")
    assert json.loads(call(lam, "outer")["Body"]) == "ran"
    cloud.awslambda.set_concurrency_limit(1)
    assert json.loads(call(lam, "outer")["Body"]) == [
        "TooManyRequestsException", "ConcurrentInvocationLimitExceeded"]


def test_dry_run_checks_permission_and_runs_nothing(cloud, lam):
    deploy(cloud, COUNTER)
    out = lam.invoke(FunctionName="fn", InvocationType="DryRun")
    assert out["StatusCode"] == 204 and out["Payload"].read() == b""
    assert not cloud.awslambda.invocations
    other = cloud.client("lambda", account=cloud.new_account())
    arn = "arn:aws:lambda:us-east-1:123456789012:function:fn"
    assert fails(other.invoke, FunctionName=arn, InvocationType="DryRun")["Code"] == \
        "AccessDeniedException"


def test_another_account_invokes_only_through_the_resource_policy(cloud, lam):
    deploy(cloud, COUNTER)
    outsider = cloud.new_account()
    other = cloud.client("lambda", account=outsider)
    arn = "arn:aws:lambda:us-east-1:123456789012:function:fn"
    denied = fails(other.invoke, FunctionName=arn)
    assert denied["Code"] == "AccessDeniedException" and denied["Status"] == 403
    assert "no resource-based policy allows the lambda:InvokeFunction action" in \
        denied["Message"]
    lam.add_permission(FunctionName="fn", StatementId="partner",
                       Action="lambda:InvokeFunction", Principal=outsider)
    assert json.loads(call(other, arn)["Body"])["count"] == 1


def test_a_service_principal_needs_a_statement_naming_it(cloud, lam):
    deploy(cloud, COUNTER)
    with pytest.raises(ClientError) as info:
        cloud.awslambda.invoke_as_service("s3.amazonaws.com", "fn",
                                          source_arn="arn:aws:s3:::uploads")
    assert info.value.response["Error"]["Code"] == "AccessDeniedException"
    lam.add_permission(FunctionName="fn", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::uploads")
    with pytest.raises(ClientError):                    # the condition names another bucket
        cloud.awslambda.invoke_as_service("s3.amazonaws.com", "fn",
                                          source_arn="arn:aws:s3:::other")
    out = cloud.awslambda.invoke_as_service("s3.amazonaws.com", "fn", b'{"Records": []}',
                                            source_arn="arn:aws:s3:::uploads")
    assert out["StatusCode"] == 202
    cloud.advance(1)
    assert cloud.awslambda.invocations[-1].request_id == out["RequestId"]


def test_versions_aliases_and_the_invoked_arn(cloud, lam):
    deploy(cloud, COUNTER)
    lam.publish_version(FunctionName="fn")
    cloud.advance(1)
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    out = call(lam, Qualifier="live")
    assert out["ExecutedVersion"] == "1"
    assert json.loads(out["Body"])["arn"].endswith(":function:fn:live")
    assert "Version: 1" in out["Log"].splitlines()[1]
    by_name = call(lam, "fn:1")
    assert by_name["ExecutedVersion"] == "1"
    assert json.loads(by_name["Body"])["count"] == 2         # the same environment of version 1


def test_client_context_reaches_the_handler(cloud, lam):
    deploy(cloud, "def handler(e, c):\n    return c.client_context.custom\n")
    context = base64.b64encode(json.dumps({"custom": {"user": "ana"}}).encode()).decode()
    assert json.loads(call(lam, ClientContext=context)["Body"]) == {"user": "ana"}
    assert fails(lam.invoke, FunctionName="fn", ClientContext="%%%")["Code"] == \
        "InvalidRequestContentException"


def test_other_runtimes_are_not_run(cloud, lam):
    deploy(cloud, COUNTER, Runtime="nodejs22.x")
    assert fails(lam.invoke, FunctionName="fn")["Status"] == 501


def test_invoke_async_the_legacy_api(cloud, lam):
    deploy(cloud, COUNTER)
    assert lam.invoke_async(FunctionName="fn", InvokeArgs=b"{}")["Status"] == 202
    assert fails(lam.invoke_async, FunctionName="fn", InvokeArgs=b"x" * 262_145)["Status"] == 413
    cloud.advance(1)
    assert cloud.awslambda.invocations[-1].invocation_type == "Event"
