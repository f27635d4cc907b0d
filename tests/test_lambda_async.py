"""Asynchronous invocation: the event queue, the poller, retries on the simulated clock, the
dead-letter queue and destinations (awskit/awslambda/async_invoke.py)."""

import json

import pytest
from lambda_invoke_helpers import LOGS, deploy, role, step

import awskit
from awskit.awslambda import async_invoke

HANDLER = """
def handler(event, context):
    if event.get("fail"):
        raise RuntimeError("cannot: " + str(event["fail"]))
    return {"done": event}
"""
SLOW = "import time\ndef handler(event, context):\n    return event\n"
SEND = {"Effect": "Allow", "Action": ["sqs:SendMessage", "lambda:InvokeFunction"],
        "Resource": "*"}


@pytest.fixture
def lam(cloud):
    yield cloud.client("lambda")
    cloud.awslambda.stop_processes()


def queue(cloud, name):
    sqs = cloud.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    return url, arn


def received(cloud, url):
    return cloud.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                               MessageAttributeNames=["All"]).get("Messages", [])


def fire(lam, event, name="fn", **kw):
    return lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event), **kw)


def attempts(cloud):
    return [t for t in cloud.traces if t.front == "poller"]


def test_an_event_is_accepted_at_once_and_run_by_a_poller_later(cloud, lam):
    deploy(cloud, HANDLER)
    out = fire(lam, {"n": 1})
    assert out["StatusCode"] == 202 and out["Payload"].read() == b""
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 202
    accepted = cloud.traces[-1]
    assert accepted.components == ["Front end", "IAM", "Event queue"]
    assert "async" in step(accepted, "Front end", "fe-").detail["fleet"]
    assert not cloud.awslambda.invocations                  # nothing ran yet
    cloud.advance(1)
    [run] = attempts(cloud)
    assert run.request_id == out["ResponseMetadata"]["RequestId"]
    assert run.t0 == pytest.approx(accepted.t0 + accepted.duration_ms / 1000
                                   - async_invoke.RESPOND_MS / 1000 - async_invoke.QUEUE_MS / 1000
                                   + async_invoke.POLL_DELAY_S, abs=0.01)
    assert run.components[0] == "Poller"
    assert {"Counting service", "Assignment service", "Execution environment"} <= \
        set(run.components)
    assert run.steps[-1].action.startswith("Success: delete event")
    record = cloud.awslambda.invocations[-1]
    assert record.invocation_type == "Event" and record.status == "ok"
    logs = cloud.logs.events("/aws/lambda/fn")
    assert any(e["message"] == f"START RequestId: {run.request_id} Version: $LATEST"
               for e in logs)


def test_a_failing_event_reaches_the_dlq_after_three_attempts_at_the_documented_times(cloud,
                                                                                       lam):
    url, arn = queue(cloud, "dlq")
    deploy(cloud, HANDLER, role_arn=role(cloud, "r", [LOGS, SEND]),
           DeadLetterConfig={"TargetArn": arn})
    out = fire(lam, {"fail": "always"})
    rid = out["ResponseMetadata"]["RequestId"]
    cloud.advance(61)
    assert len(attempts(cloud)) == 2 and not received(cloud, url)
    cloud.advance(minutes=5)
    runs = attempts(cloud)
    assert len(runs) == 3 and {t.request_id for t in runs} == {rid}
    invoked = [step(t, "Execution environment", "INVOKE") for t in runs]
    ends = [s.t0 + s.duration_ms / 1000 for s in invoked]
    starts = [t.t0 for t in runs]
    assert starts[1] - ends[0] == pytest.approx(60, abs=0.05)    # ~1 minute before the 2nd
    assert starts[2] - ends[1] == pytest.approx(120, abs=0.05)   # ~2 minutes before the 3rd
    [message] = received(cloud, url)
    assert json.loads(message["Body"]) == {"fail": "always"}
    attributes = message["MessageAttributes"]
    assert attributes["RequestID"]["StringValue"] == rid
    assert attributes["ErrorCode"] == {"StringValue": "200", "DataType": "Number"}
    assert attributes["ErrorMessage"]["StringValue"] == "cannot: always"
    assert [r.attempt for r in cloud.awslambda.invocations] == [1, 2, 3]
    assert any(s.component == "Amazon SQS" for s in runs[-1].steps)


def test_maximum_retry_attempts_and_the_on_failure_record(cloud, lam):
    url, arn = queue(cloud, "failures")
    deploy(cloud, HANDLER, role_arn=role(cloud, "r", [LOGS, SEND]))
    lam.put_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    rid = fire(lam, {"fail": 1})["ResponseMetadata"]["RequestId"]
    cloud.advance(1)
    assert len(attempts(cloud)) == 1
    [message] = received(cloud, url)
    record = json.loads(message["Body"])
    assert record["version"] == "1.0"
    assert record["timestamp"].startswith("2026-03-02T09:00:0") and record["timestamp"][-1] == "Z"
    assert record["requestContext"] == {
        "requestId": rid, "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:fn:"
                                         "$LATEST",
        "condition": "RetriesExhausted", "approximateInvokeCount": 1}
    assert record["requestPayload"] == {"fail": 1}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                         "functionError": "Unhandled"}
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    assert record["responsePayload"]["errorMessage"] == "cannot: 1"


def test_on_success_to_a_queue_and_to_another_function(cloud, lam):
    url, arn = queue(cloud, "successes")
    exec_role = role(cloud, "r", [LOGS, SEND])
    deploy(cloud, HANDLER, role_arn=exec_role)
    deploy(cloud, "def handler(e, c):\n    return e\n", name="audit")
    lam.put_function_event_invoke_config(FunctionName="fn", DestinationConfig={
        "OnSuccess": {"Destination": arn}})
    fire(lam, {"n": 5})
    cloud.advance(1)
    record = json.loads(received(cloud, url)[0]["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"] == {"done": {"n": 5}}
    assert "functionError" not in record["responseContext"]
    audit = lam.get_function(FunctionName="audit")["Configuration"]["FunctionArn"]
    lam.put_function_event_invoke_config(FunctionName="fn", DestinationConfig={
        "OnSuccess": {"Destination": audit}})
    fire(lam, {"n": 6})
    cloud.advance(1)
    last = cloud.awslambda.invocations[-1]
    assert last.function_arn.endswith(":function:audit:$LATEST")
    assert last.invocation_type == "Event"
    assert any(e["message"].startswith("START") for e in cloud.logs.events("/aws/lambda/audit"))


def test_a_destination_the_role_may_not_use_is_not_delivered(cloud, lam):
    url, arn = queue(cloud, "failures")
    deploy(cloud, HANDLER)                               # the role may only write logs
    lam.put_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=0,
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    fire(lam, {"fail": 1})
    cloud.advance(1)
    assert not received(cloud, url)
    assert "may not sqs:SendMessage" in attempts(cloud)[-1].steps[-1].action


def test_events_due_together_run_concurrently_in_separate_environments(cloud, lam):
    deploy(cloud, SLOW)
    for n in range(3):
        fire(lam, {"n": n})
    cloud.advance(1)
    runs = list(cloud.awslambda.invocations)
    assert len({r.env_id for r in runs}) == 3 and all(r.cold for r in runs)
    assert len({r.start for r in runs}) == 1                 # one batch, the same moment
    for n in range(3):
        fire(lam, {"n": n})
    cloud.advance(1)
    again = list(cloud.awslambda.invocations)[3:]
    assert {r.env_id for r in again} == {r.env_id for r in runs}
    assert not any(r.cold for r in again)


def test_throttled_events_are_retried_with_backoff(cloud, lam):
    deploy(cloud, SLOW)
    lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=1)
    for n in range(2):
        fire(lam, {"n": n})
    cloud.advance(0.5)
    runs = attempts(cloud)
    assert sorted(t.status for t in runs) == [200, 429]
    throttled = next(t for t in runs if t.status == 429)
    assert throttled.error == "TooManyRequestsException"
    assert "retry in 1 s" in throttled.steps[-1].action
    assert runs[0].t0 == runs[1].t0                        # the same batch
    cloud.advance(2)
    again = attempts(cloud)[2]
    assert again.status == 200 and again.t0 - throttled.t0 == pytest.approx(1, abs=0.05)
    assert sorted(r.status for r in cloud.awslambda.invocations) == ["ok", "ok", "throttled"]


def test_reserved_concurrency_zero_sends_events_on_without_retries(cloud, lam):
    url, arn = queue(cloud, "dlq")
    deploy(cloud, SLOW, role_arn=role(cloud, "r", [LOGS, SEND]),
           DeadLetterConfig={"TargetArn": arn})
    lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=0)
    fire(lam, {"n": 1})
    cloud.advance(1)
    [message] = received(cloud, url)
    assert json.loads(message["Body"]) == {"n": 1}
    assert message["MessageAttributes"]["ErrorCode"]["StringValue"] == "429"
    assert len(attempts(cloud)) == 1


def test_an_event_older_than_the_maximum_age_is_discarded(cloud, lam):
    url, arn = queue(cloud, "failures")
    deploy(cloud, HANDLER, role_arn=role(cloud, "r", [LOGS, SEND]))
    lam.put_function_event_invoke_config(FunctionName="fn", MaximumEventAgeInSeconds=60,
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    fire(lam, {"fail": 1})
    cloud.advance(minutes=5)
    runs = attempts(cloud)
    assert len(runs) == 2                                    # the 2nd pickup finds it too old
    assert not any(s.action.startswith("INVOKE") for s in runs[1].steps)
    record = json.loads(received(cloud, url)[0]["Body"])
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 1


def test_queued_events_survive_save_and_load(cloud, lam, tmp_path):
    deploy(cloud, HANDLER)
    cloud.awslambda.set_duration_model("fn", invoke_ms=42)
    fire(lam, {"n": 1})
    cloud.save(tmp_path / "c.json")
    loaded = awskit.Cloud.load(tmp_path / "c.json")
    try:
        assert len(loaded.awslambda.events) == 1
        assert loaded.awslambda.duration_model("fn").invoke_ms == 42
        loaded.advance(1)
        [record] = loaded.awslambda.invocations
        assert record.status == "ok" and record.duration_ms == 42
        assert not loaded.awslambda.events
    finally:
        loaded.awslambda.stop_processes()
