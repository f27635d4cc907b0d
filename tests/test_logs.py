"""CloudWatch Logs through boto3: log groups and streams, PutLogEvents' rules, GetLogEvents
paging, FilterLogEvents patterns, retention on the simulated clock, tags, IAM, traces,
save/load, the graph and the contract Lambda uses (write / events)."""

import pytest
from iam_helpers import allow, doc, error, user_with_key

import awskit

ACCOUNT = "123456789012"
EPOCH_MS = int(awskit.clock.EPOCH.timestamp()) * 1000
HOUR, DAY = 3_600_000, 86_400_000


@pytest.fixture
def logs(cloud):
    return cloud.client("logs")


def now_ms(cloud):
    return round(cloud.clock.timestamp * 1000)


def put(logs, group, stream, *events):
    return logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
        {"timestamp": t, "message": m} for t, m in events])


def setup_stream(logs, group="/app/web", stream="s1"):
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)


# -- groups -----------------------------------------------------------------------------------
def test_log_groups(cloud, logs):
    cloud.advance(seconds=7)
    logs.create_log_group(logGroupName="/app/web", tags={"team": "a"})
    for name in ("/app/api", "/batch/job", "other#1"):
        logs.create_log_group(logGroupName=name)
    groups = logs.describe_log_groups()["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/app/api", "/app/web", "/batch/job", "other#1"]
    web = groups[1]
    assert web["arn"] == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/app/web:*"
    assert web["logGroupArn"] == web["arn"][:-2]
    assert 0 <= web["creationTime"] - (EPOCH_MS + 7000) < 50     # ms, on the simulated clock
    assert (web["storedBytes"], web["metricFilterCount"], web["logGroupClass"]) == (
        0, 0, "STANDARD")
    assert "retentionInDays" not in web
    assert [g["logGroupName"] for g in logs.describe_log_groups(
        logGroupNamePrefix="/app/")["logGroups"]] == ["/app/api", "/app/web"]
    brief = logs.describe_log_groups(logGroupNamePattern="app")["logGroups"]
    assert [set(g) for g in brief] == [{"logGroupName", "creationTime", "arn"}] * 2
    page = logs.describe_log_groups(limit=3)
    assert len(page["logGroups"]) == 3
    rest = logs.describe_log_groups(limit=3, nextToken=page["nextToken"])
    assert [g["logGroupName"] for g in rest["logGroups"]] == ["other#1"] and "nextToken" not in rest
    assert len([g for p in logs.get_paginator("describe_log_groups").paginate(
        PaginationConfig={"PageSize": 1}) for g in p["logGroups"]]) == 4
    cloud.client("logs", region_name="eu-west-1").create_log_group(logGroupName="/app/web")
    assert len(logs.describe_log_groups()["logGroups"]) == 4            # Regional
    logs.delete_log_group(logGroupName="/app/web")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.delete_log_group(logGroupName="/app/web")
    assert len(logs.describe_log_groups()["logGroups"]) == 3


@pytest.mark.parametrize("call, kwargs, code", [
    ("create_log_group", {"logGroupName": "has space"}, "InvalidParameterException"),
    ("create_log_group", {"logGroupName": "x" * 513}, "InvalidParameterException"),
    ("create_log_group", {"logGroupName": "aws/lambda/f"}, "InvalidParameterException"),
    ("create_log_group", {"logGroupName": "/dup"}, "ResourceAlreadyExistsException"),
    ("create_log_group", {"logGroupName": "/t", "tags": {"aws:x": "y"}},
     "InvalidParameterException"),
    ("describe_log_groups", {"limit": 51}, "InvalidParameterException"),
    ("describe_log_groups", {"nextToken": "bogus"}, "InvalidParameterException"),
    ("describe_log_groups", {"logGroupNamePrefix": "/a", "logGroupNamePattern": "a"},
     "InvalidParameterException"),
    ("create_log_stream", {"logGroupName": "/dup", "logStreamName": "a:b"},
     "InvalidParameterException"),
    ("create_log_stream", {"logGroupName": "/dup", "logStreamName": "s"},
     "ResourceAlreadyExistsException"),
    ("create_log_stream", {"logGroupName": "/missing", "logStreamName": "s"},
     "ResourceNotFoundException"),
    ("delete_log_stream", {"logGroupName": "/dup", "logStreamName": "none"},
     "ResourceNotFoundException"),
    ("describe_log_streams", {"logGroupName": "/dup", "orderBy": "LastEventTime",
                              "logStreamNamePrefix": "s"}, "InvalidParameterException"),
    ("describe_log_streams", {}, "InvalidParameterException"),
    ("describe_log_streams", {"logGroupName": "/dup", "logGroupIdentifier": "/dup"},
     "InvalidParameterException"),
    ("put_retention_policy", {"logGroupName": "/dup", "retentionInDays": 2},
     "InvalidParameterException"),
    ("put_retention_policy", {"logGroupName": "/missing", "retentionInDays": 1},
     "ResourceNotFoundException"),
])
def test_bad_requests(logs, call, kwargs, code):
    setup_stream(logs, "/dup", "s")
    err = error(getattr(logs, call), **kwargs)
    assert (err["Code"], err["Status"]) == (code, 400)
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/dup"]
    assert [s["logStreamName"] for s in logs.describe_log_streams(
        logGroupName="/dup")["logStreams"]] == ["s"]


def test_log_streams_order_and_identifier(cloud, logs):
    logs.create_log_group(logGroupName="/g")
    for name in ("b", "a", "c"):
        logs.create_log_stream(logGroupName="/g", logStreamName=name)
    t = now_ms(cloud)
    put(logs, "/g", "c", (t - 5000, "old"))
    put(logs, "/g", "a", (t - 1000, "new"))
    by_name = logs.describe_log_streams(logGroupName="/g")["logStreams"]
    assert [s["logStreamName"] for s in by_name] == ["a", "b", "c"]
    a = by_name[0]
    assert a["arn"] == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/g:log-stream:a"
    assert (a["firstEventTimestamp"], a["lastEventTimestamp"], a["storedBytes"]) == (t - 1000,
                                                                                  t - 1000, 0)
    assert "lastEventTimestamp" not in by_name[1]
    latest = logs.describe_log_streams(logGroupIdentifier=f"arn:aws:logs:us-east-1:{ACCOUNT}:"
                                       "log-group:/g", orderBy="LastEventTime", descending=True)
    assert [s["logStreamName"] for s in latest["logStreams"]] == ["a", "c", "b"]
    page = logs.describe_log_streams(logGroupName="/g", limit=2, descending=True)
    assert [s["logStreamName"] for s in page["logStreams"]] == ["c", "b"]
    assert [s["logStreamName"] for s in logs.describe_log_streams(
        logGroupName="/g", limit=2, descending=True, nextToken=page["nextToken"])[
        "logStreams"]] == ["a"]
    logs.delete_log_stream(logGroupName="/g", logStreamName="a")
    assert len(logs.describe_log_streams(logGroupName="/g")["logStreams"]) == 2


# -- PutLogEvents -----------------------------------------------------------------------------
def test_put_log_events_rules(cloud, logs):
    setup_stream(logs)
    t = now_ms(cloud)
    out = put(logs, "/app/web", "s1", (t - 1, "a"), (t, "b"))
    assert "rejectedLogEventsInfo" not in out
    out = logs.put_log_events(logGroupName="/app/web", logStreamName="s1",
                              sequenceToken="ignored-now",
                              logEvents=[{"timestamp": t, "message": "c"}])
    assert "rejectedLogEventsInfo" not in out
    err = error(put, logs, "/app/web", "s1", (t, "x"), (t - 1, "y"))
    assert "chronological order" in err["Message"]
    assert "24 hours" in error(put, logs, "/app/web", "s1", (t - 2 * DAY, "x"), (t, "y"))["Message"]
    too_big = [(t, "x" * 500_000), (t, "y" * 500_000), (t, "z" * 48_600)]   # + 26 B each
    assert "Upload too large" in error(put, logs, "/app/web", "s1", *too_big)["Message"]
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        put(logs, "/app/web", "missing", (t, "x"))
    out = put(logs, "/app/web", "s1", (t - 15 * DAY, "ancient"), (t - 15 * DAY + 1, "ancient2"),
              (t, "ok"), (t + 3 * HOUR, "future"), (t + 4 * HOUR, "future2"))
    assert out["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1,
                                            "tooNewLogEventStartIndex": 3}
    logs.put_retention_policy(logGroupName="/app/web", retentionInDays=1)
    out = put(logs, "/app/web", "s1", (t - 2 * DAY, "expired"), (t, "fine"))
    assert out["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    messages = [e["message"] for e in logs.get_log_events(logGroupName="/app/web",
                                                          logStreamName="s1")["events"]]
    assert messages == ["a", "b", "c", "ok", "fine"]


# -- reading ----------------------------------------------------------------------------------
def test_get_log_events_paging(cloud, logs):
    setup_stream(logs)
    t = now_ms(cloud)
    put(logs, "/app/web", "s1", *[(t + i, f"m{i}") for i in range(7)])
    tail = logs.get_log_events(logGroupName="/app/web", logStreamName="s1", limit=3)
    assert [e["message"] for e in tail["events"]] == ["m4", "m5", "m6"]
    assert tail["events"][0]["ingestionTime"] >= t
    back = logs.get_log_events(logGroupName="/app/web", logStreamName="s1", limit=3,
                               nextToken=tail["nextBackwardToken"])
    assert [e["message"] for e in back["events"]] == ["m1", "m2", "m3"]
    first = logs.get_log_events(logGroupName="/app/web", logStreamName="s1", limit=3,
                                nextToken=back["nextBackwardToken"])
    assert [e["message"] for e in first["events"]] == ["m0"]
    start = logs.get_log_events(logGroupName="/app/web", logStreamName="s1", limit=3,
                                nextToken=first["nextBackwardToken"])
    assert start["events"] == [] and start["nextBackwardToken"] == first["nextBackwardToken"]
    seen, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = logs.get_log_events(logGroupName="/app/web", logStreamName="s1", limit=3,
                                   startFromHead=True, **kwargs)
        seen += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert seen == [f"m{i}" for i in range(7)]
    put(logs, "/app/web", "s1", (t + 9, "m9"))                 # the forward token resumes
    assert [e["message"] for e in logs.get_log_events(
        logGroupName="/app/web", logStreamName="s1", startFromHead=True,
        nextToken=token)["events"]] == ["m9"]
    window = logs.get_log_events(logGroupName="/app/web", logStreamName="s1", startTime=t + 2,
                                 endTime=t + 4, startFromHead=True)
    assert [e["message"] for e in window["events"]] == ["m2", "m3"]       # endTime exclusive
    assert error(logs.get_log_events, logGroupName="/app/web", logStreamName="s1",
                 nextToken="f/bad")["Code"] == "InvalidParameterException"
    assert error(logs.get_log_events, logGroupName="/app/web", logStreamName="s1",
                 limit=10_001)["Code"] == "InvalidParameterException"


@pytest.mark.parametrize("pattern, expected", [
    (None, ["ERROR disk full", "INFO started", "WARN Exception thrown", "ERROR Exception boom"]),
    ("", ["ERROR disk full", "INFO started", "WARN Exception thrown", "ERROR Exception boom"]),
    ("ERROR", ["ERROR disk full", "ERROR Exception boom"]),
    ("ERROR Exception", ["ERROR Exception boom"]),
    ('"disk full"', ["ERROR disk full"]),
    ('"full disk"', []),
    ("-ERROR", ["INFO started", "WARN Exception thrown"]),
    ("?INFO ?WARN", ["INFO started", "WARN Exception thrown"]),
    ("error", []),                                              # case-sensitive
    ("%^(INFO|WARN)%", ["INFO started", "WARN Exception thrown"]),
])
def test_filter_patterns(cloud, logs, pattern, expected):
    setup_stream(logs)
    logs.create_log_stream(logGroupName="/app/web", logStreamName="s2")
    t = now_ms(cloud)
    put(logs, "/app/web", "s1", (t, "ERROR disk full"), (t + 2, "WARN Exception thrown"))
    put(logs, "/app/web", "s2", (t + 1, "INFO started"), (t + 3, "ERROR Exception boom"))
    kwargs = {} if pattern is None else {"filterPattern": pattern}
    out = logs.filter_log_events(logGroupName="/app/web", **kwargs)
    assert [e["message"] for e in out["events"]] == expected
    assert out["searchedLogStreams"] == []


def test_filter_streams_times_and_paging(cloud, logs):
    setup_stream(logs)
    logs.create_log_stream(logGroupName="/app/web", logStreamName="other")
    t = now_ms(cloud)
    put(logs, "/app/web", "s1", *[(t + i, f"s1-{i}") for i in range(5)])
    put(logs, "/app/web", "other", (t + 2, "other-2"))
    out = logs.filter_log_events(logGroupName="/app/web", logStreamNames=["other"])
    assert [(e["logStreamName"], e["message"]) for e in out["events"]] == [("other", "other-2")]
    assert [e["message"] for e in logs.filter_log_events(
        logGroupName="/app/web", logStreamNamePrefix="s", startTime=t + 1, endTime=t + 3)[
        "events"]] == ["s1-1", "s1-2", "s1-3"]                  # both ends inclusive
    page = logs.filter_log_events(logGroupName="/app/web", limit=4)
    assert [e["message"] for e in page["events"]] == ["s1-0", "s1-1", "s1-2", "other-2"]
    rest = logs.filter_log_events(logGroupName="/app/web", limit=4, nextToken=page["nextToken"])
    assert [e["message"] for e in rest["events"]] == ["s1-3", "s1-4"] and "nextToken" not in rest
    assert len({e["eventId"] for e in page["events"] + rest["events"]}) == 6
    assert error(logs.filter_log_events, logGroupName="/app/web", logStreamNames=["s1"],
                 logStreamNamePrefix="s")["Code"] == "InvalidParameterException"
    err = error(logs.filter_log_events, logGroupName="/app/web", filterPattern='{ $.a = 1 }')
    assert (err["Code"], err["Status"]) == ("NotImplemented", 501)
    assert error(logs.filter_log_events, logGroupName="/app/web",
                 filterPattern='"unterminated')["Code"] == "InvalidParameterException"


# -- retention --------------------------------------------------------------------------------
def test_retention_expires_events_on_the_simulated_clock(cloud, logs):
    setup_stream(logs)
    t = now_ms(cloud)
    put(logs, "/app/web", "s1", (t - 3 * DAY, "three days old"), (t - 3 * DAY + 5, "also old"))
    cloud.advance(hours=12)
    put(logs, "/app/web", "s1", (now_ms(cloud), "recent"))
    logs.put_retention_policy(logGroupName="/app/web", retentionInDays=3)
    assert [g["retentionInDays"] for g in logs.describe_log_groups()["logGroups"]] == [3]
    assert [e["message"] for e in logs.get_log_events(logGroupName="/app/web",
                                                      logStreamName="s1")["events"]] == ["recent"]
    cloud.advance(days=2, hours=23)
    assert len(logs.filter_log_events(logGroupName="/app/web")["events"]) == 1
    cloud.advance(hours=1, seconds=1)
    assert logs.filter_log_events(logGroupName="/app/web")["events"] == []
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == 0
    steps = [s for tr in cloud.traces for s in tr.steps if "retention and expired" in s.action]
    assert steps and steps[0].component == "Log store"
    logs.delete_retention_policy(logGroupName="/app/web")
    put(logs, "/app/web", "s1", (now_ms(cloud), "kept"))
    cloud.advance(days=400)
    assert [e["message"] for e in logs.filter_log_events(logGroupName="/app/web")["events"]] == [
        "kept"]
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]


# -- tags -------------------------------------------------------------------------------------
def test_tags_both_api_generations(logs):
    logs.create_log_group(logGroupName="/g", tags={"a": "1"})
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/g"
    logs.tag_log_group(logGroupName="/g", tags={"b": "2"})
    logs.tag_resource(resourceArn=arn, tags={"c": "3"})
    assert logs.list_tags_log_group(logGroupName="/g")["tags"] == {"a": "1", "b": "2", "c": "3"}
    logs.untag_log_group(logGroupName="/g", tags=["a"])
    logs.untag_resource(resourceArn=arn, tagKeys=["b"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"c": "3"}
    with pytest.raises(logs.exceptions.TooManyTagsException):
        logs.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})
    assert error(logs.tag_log_group, logGroupName="/g", tags={f"k{i}": "v" for i in range(50)})[
        "Code"] == "InvalidParameterException"
    assert error(logs.tag_resource, resourceArn=arn + "x", tags={"a": "b"})["Code"] == \
        "ResourceNotFoundException"
    assert error(logs.list_tags_for_resource, resourceArn="arn:aws:s3:::b")["Code"] == \
        "InvalidParameterException"
    logs.untag_resource(resourceArn=arn, tagKeys=["c"])
    assert "tags" not in logs.list_tags_for_resource(resourceArn=arn)


# -- IAM, traces ------------------------------------------------------------------------------
def test_iam_resource_arns(cloud, logs):
    setup_stream(logs, "/app/web", "s1")
    logs.create_log_group(logGroupName="/secret")
    creds = user_with_key(cloud, "writer", inline=doc(allow(
        ["logs:PutLogEvents", "logs:CreateLogStream", "logs:GetLogEvents"],
        "arn:aws:logs:us-east-1:*:log-group:/app/*")))
    writer = cloud.client("logs", **creds)
    writer.create_log_stream(logGroupName="/app/web", logStreamName="s2")
    put(writer, "/app/web", "s2", (now_ms(cloud), "hello"))
    assert writer.get_log_events(logGroupName="/app/web", logStreamName="s2")["events"]
    err = error(writer.create_log_stream, logGroupName="/secret", logStreamName="s")
    assert (err["Code"], err["Status"]) == ("AccessDeniedException", 400)
    assert "log-group:/secret:log-stream:s" in err["Message"]
    err = error(writer.describe_log_groups)
    assert f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group::log-stream:" in err["Message"]
    assert error(writer.delete_log_group, logGroupName="/app/web")["Code"] == \
        "AccessDeniedException"
    trace = cloud.traces[-1]
    assert [s.component for s in trace.steps] == ["CloudWatch Logs front end", "IAM"]
    put(logs, "/app/web", "s1", (now_ms(cloud), "x"))
    assert [s.component for s in cloud.traces[-1].steps] == ["CloudWatch Logs front end", "IAM",
                                                             "Log store"]


# -- contract, save/load, graph ---------------------------------------------------------------
def test_write_and_events_contract(cloud, logs):
    before = len(cloud.traces)
    cloud.logs.write(ACCOUNT, "us-east-1", "/aws/lambda/fn", "2026/03/02/[$LATEST]abc",
                     [(1.5, "START RequestId: r1"), (1.25, "first by time")])
    assert len(cloud.traces) == before                          # no request of its own
    events = cloud.logs.events("/aws/lambda/fn")
    assert [(e["timestamp"], e["message"]) for e in events] == [
        (EPOCH_MS + 1250, "first by time"), (EPOCH_MS + 1500, "START RequestId: r1")]
    assert events[0]["logStreamName"] == "2026/03/02/[$LATEST]abc"
    cloud.logs.write(ACCOUNT, "us-east-1", "/aws/lambda/fn", "other", [(2.0, "second stream")])
    assert [e["message"] for e in cloud.logs.events("/aws/lambda/fn", "other")] == ["second stream"]
    assert len(cloud.logs.events("/aws/lambda/fn")) == 3
    assert cloud.logs.events("/nope") == []
    out = logs.filter_log_events(logGroupName="/aws/lambda/fn", filterPattern="START")
    assert [e["message"] for e in out["events"]] == ["START RequestId: r1"]
    logs.put_retention_policy(logGroupName="/aws/lambda/fn", retentionInDays=1)
    cloud.advance(days=1, seconds=2)
    assert cloud.logs.events("/aws/lambda/fn") == []


def test_save_load_and_graph(tmp_path, cloud, logs):
    setup_stream(logs)
    logs.put_retention_policy(logGroupName="/app/web", retentionInDays=7)
    logs.tag_log_group(logGroupName="/app/web", tags={"t": "v"})
    put(logs, "/app/web", "s1", (now_ms(cloud), "persisted"))
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "c.json"))
    assert loaded.logs.state() == cloud.logs.state()
    again = loaded.client("logs")
    for client, where in ((logs, cloud), (again, loaded)):
        assert [e["message"] for e in client.get_log_events(
            logGroupName="/app/web", logStreamName="s1")["events"]] == ["persisted"]
        put(client, "/app/web", "s1", (now_ms(where), "after"))
    assert loaded.logs.state() == cloud.logs.state()
    node = loaded.graph().nodes[f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/app/web"]
    assert (node["type"], node["region"], node["name"], node["streams"], node["events"]) == (
        "log-group", "us-east-1", "/app/web", 1, 2)
