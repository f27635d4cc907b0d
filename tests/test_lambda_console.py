"""The Lambda console: displaying ``cloud.awslambda`` (awskit/awslambda/view.py). Widgets are
instantiated in plain Python: clicks are simulated with ``Button.click()`` and by setting
widget values, as the browser would (see tests/test_consoles.py)."""

import gc
import json
import re
import weakref
from datetime import datetime, timezone
from html import unescape

import pytest

pytest.importorskip("ipywidgets")

import ipywidgets  # noqa: E402

import awskit  # noqa: E402
from awskit.awslambda.packaging import zip_function  # noqa: E402
from awskit.widgets import core  # noqa: E402
from lambda_invoke_helpers import COUNTER, call, deploy, role  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FAILING = "def handler(event, context):\n    raise ValueError('boom: ' + str(event))\n"
ROOT = "arn:aws:iam::123456789012:root"


def text_of(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def rows_of(html):
    """The body rows of every table, each a list of its cells' text."""
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if cells:
            out.append([text_of(c) for c in cells])
    return out


@pytest.fixture
def lam(cloud):
    return cloud.client("lambda")


@pytest.fixture
def console(cloud):
    view = cloud.awslambda.console()
    view.min_interval = 0          # refresh on every request (throttling: test_widgets.py)
    yield view
    view.close()


def _internals(cloud):
    return cloud.awslambda._internals[cloud.default_region]


# -- text/plain ---------------------------------------------------------------------------------
def test_text_plain_counts_functions_environments_invocations_and_cost(cloud, lam, kernel):
    empty = ("AWS Lambda console (account 123456789012, us-east-1): 0 functions, "
             "0 execution environments (0 warm), 0 invocations; $0.000000000 so far")
    assert cloud.awslambda._repr_mimebundle_()["text/plain"] == empty
    deploy(cloud, COUNTER)
    deploy(cloud, FAILING, name="bad")
    call(lam)
    call(lam)
    call(lam, "bad")
    cost = sum(r.cost for r in cloud.awslambda.invocations)
    assert cost > 0 and cost == pytest.approx(cloud.meter.total("lambda"))
    first, second = cloud.awslambda._repr_mimebundle_(), cloud.awslambda._repr_mimebundle_()
    assert first["text/plain"] == (
        "AWS Lambda console (account 123456789012, us-east-1): 2 functions, "
        f"2 execution environments (2 warm), 3 invocations; ${cost:,.9f} so far")
    assert first[WIDGET_VIEW]["model_id"] == second[WIDGET_VIEW]["model_id"]
    view = cloud.awslambda.console()            # built by the first display, throttled since
    view.flush()
    assert repr(view) == view.text() == first["text/plain"]
    assert f"${cost:,.9f} so far" in view._header.value
    view.close()
    assert cloud.awslambda._repr_mimebundle_()[WIDGET_VIEW]["model_id"] != \
        first[WIDGET_VIEW]["model_id"]
    cloud.awslambda.console().close()


def test_text_plain_outside_a_kernel_is_the_text_alone(cloud):
    bundle = cloud.awslambda._repr_mimebundle_()
    assert list(bundle) == ["text/plain"] and bundle["text/plain"].startswith("AWS Lambda console")
    assert cloud.awslambda._internals == {}       # describing built no internals


def test_text_counts_only_the_default_account(cloud):
    other = cloud.new_account()
    lam = cloud.client("lambda", account=other)
    code, handler = zip_function(COUNTER)
    lam.create_function(FunctionName="theirs", Runtime="python3.12", Handler=handler,
                        Role=role(cloud, "exec", account=other), Code={"ZipFile": code})
    cloud.advance(cloud.awslambda.create_seconds)
    call(lam, "theirs")
    assert cloud.meter.total("lambda") > 0 and _internals(cloud).environments
    assert cloud.awslambda._repr_mimebundle_()["text/plain"].endswith(
        "0 functions, 0 execution environments (0 warm), 0 invocations; $0.000000000 so far")
    view = cloud.awslambda.console()
    cloud.advance(_internals(cloud).model.idle_reclaim_s + 1)      # theirs is reclaimed
    view.refresh()
    assert "theirs" not in view._environments.value and "theirs" not in view._functions.value
    assert "No execution environments" in view._environments.value
    assert "No invocations yet" in view._invocations.value
    view.close()


# -- functions -----------------------------------------------------------------------------------
def test_functions_table_shows_the_configuration(cloud, lam, console):
    deploy(cloud, COUNTER, MemorySize=256, Timeout=10, wait=False)
    row = rows_of(console._functions.value)[0]
    assert row[:8] == ["fn", "python3.12", "lambda_function.handler", "256", "10", "Zip",
                       "Pending", "—"]
    cloud.advance(cloud.awslambda.create_seconds)
    lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=5)
    version = lam.publish_version(FunctionName="fn")["Version"]
    cloud.advance(cloud.awslambda.publish_seconds)
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion=version)
    lam.put_provisioned_concurrency_config(FunctionName="fn", Qualifier="live",
                                           ProvisionedConcurrentExecutions=2)
    config = lam.get_function_configuration(FunctionName="fn")
    row = rows_of(console._functions.value)[0]
    assert row[6:11] == ["Active", "5", "live: 0/2 IN_PROGRESS", "Off",
                         f"{version}; live→{version}"]
    stamp = config["LastModified"]           # 2026-03-02T09:00:00.059+0000
    assert row[11] == stamp[:10] + " " + stamp[11:23] + " UTC"
    assert row[12] == f"{config['CodeSize']:,}"
    cloud.advance(cloud.awslambda.provisioned_ready_seconds)
    lam.update_function_configuration(FunctionName="fn", MemorySize=512,
                                       SnapStart={"ApplyOn": "PublishedVersions"})
    row = rows_of(console._functions.value)[0]
    assert row[3] == "512" and row[6] == "Active (update in progress)"
    assert row[8] == "live: 2/2 READY" and row[9] == "On (published versions)"
    lam.delete_function(FunctionName="fn")
    assert "No functions yet" in console._functions.value


# -- execution environments ----------------------------------------------------------------------
def _env_rows(console):
    return {r[0]: r for r in rows_of(console._environments.value)}


def test_environments_follow_invocations_and_idle_reclaim(cloud, lam, console):
    assert "No execution environments" in console._environments.value
    deploy(cloud, COUNTER)
    call(lam)
    record = cloud.awslambda.invocations[-1]
    rows = _env_rows(console)
    assert list(rows) == [record.env_id]
    row = rows[record.env_id]
    assert row[1:3] == ["fn:$LATEST", "idle (warm)"] and row[4] == "1"
    assert row[3].startswith(f"{record.host_id}/vm-")
    assert f"{record.host_id} · us-east-1" in text_of(console._environments.value)
    call(lam)
    assert _env_rows(console)[record.env_id][4] == "2"           # warm: the same one
    idle = _internals(cloud).model.idle_reclaim_s
    cloud.advance(idle / 2)
    console.refresh()                                 # the clock makes no request
    assert f"in {idle / 2:,.1f} s" in _env_rows(console)[record.env_id][7]
    cloud.advance(idle / 2 + 1)
    console.refresh()
    row = _env_rows(console)[record.env_id]
    assert row[1:4] == ["fn:$LATEST", "reclaimed", "destroyed"]
    assert f"idle for {idle:g} s" in row[7]
    assert "0 live environments (0 warm)" in text_of(console._environments.value)
    assert "0 execution environments (0 warm)" in console.text()
    call(lam)                                            # a new cold start, a new environment
    assert cloud.awslambda.invocations[-1].cold
    rows = _env_rows(console)
    new = cloud.awslambda.invocations[-1].env_id
    assert new != record.env_id and rows[new][2] == "idle (warm)"
    assert rows[record.env_id][2] == "reclaimed"


def test_initializing_and_busy_environments_show_while_a_handler_runs(cloud, lam, console):
    outer = """
import boto3
boto3.client("lambda").list_functions()          # during INIT
def handler(event, context):
    boto3.client("lambda").invoke(FunctionName="inner", Payload=b"{}")
    return "ran"
"""
    exec_role = role(cloud, "caller", [{"Effect": "Allow", "Resource": "*", "Action": [
        "lambda:InvokeFunction", "lambda:ListFunctions"]}])
    deploy(cloud, outer, name="outer", role_arn=exec_role)
    deploy(cloud, COUNTER, name="inner")
    seen = []
    cloud.observe(lambda t: seen.append((t.operation, {r[1]: r[2] for r in rows_of(
        console._environments.value)}, text_of(console._concurrency.value))))
    assert json.loads(call(lam, "outer")["Body"]) == "ran"
    (op1, envs1, conc1), (op2, envs2, conc2), (op3, envs3, conc3) = seen
    assert op1 == "ListFunctions" and envs1 == {"outer:$LATEST": "initializing (cold start)"}
    assert op2 == "Invoke" and envs2 == {"outer:$LATEST": "busy", "inner:$LATEST": "idle (warm)"}
    assert conc1.startswith("Concurrency 1 of 1,000") and conc2.startswith("Concurrency 1 of")
    assert envs3 == {"outer:$LATEST": "idle (warm)", "inner:$LATEST": "idle (warm)"}
    assert conc3.startswith("Concurrency 0 of 1,000")


# -- concurrency ---------------------------------------------------------------------------------
def test_concurrency_against_the_account_quota(cloud, lam, console):
    deploy(cloud, COUNTER)
    deploy(cloud, COUNTER, name="other")
    assert "all share the unreserved pool" in console._concurrency.value
    lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=7)
    cloud.awslambda.set_concurrency_limit(400)
    call(lam)                                          # a Lambda trace: the console refreshes
    settings = lam.get_account_settings()["AccountLimit"]
    text = text_of(console._concurrency.value)
    assert f"0 of {settings['ConcurrentExecutions']:,} concurrent executions" in text
    assert f"UnreservedConcurrentExecutions {settings['UnreservedConcurrentExecutions']:,}" \
        in text and settings["UnreservedConcurrentExecutions"] == 393
    assert rows_of(console._concurrency.value) == [["fn", "7", "—", "0"]]


# -- invocations and their traces ----------------------------------------------------------------
def test_recent_invocations_and_the_trace_picker(cloud, lam, console):
    assert "No invocations yet" in console._invocations.value
    assert console.step_through is None and "No invocation yet" in console._trace_note.value
    deploy(cloud, COUNTER)
    deploy(cloud, FAILING, name="bad")
    call(lam)
    call(lam)
    call(lam, "bad")
    records = list(cloud.awslambda.invocations)
    rows = rows_of(console._invocations.value)
    assert [r[1] for r in rows] == [r.request_id for r in records[::-1]]
    assert [r[2:5] for r in rows] == [["bad:$LATEST", "sync", "cold"],
                                      ["fn:$LATEST", "sync", "warm"],
                                      ["fn:$LATEST", "sync", "cold"]]
    assert rows[0][9] == "error: ValueError" and rows[1][9] == "ok"
    assert rows[2][5] == f"{records[0].init_ms:,.2f}" and rows[1][5] == "—"
    assert [r[7] for r in rows] == [f"{r.billed_ms:,}" for r in records[::-1]]
    # the picker follows the newest invocation ...
    assert console.invocation is records[-1]
    assert console.step_through.traces == [records[-1].trace]
    assert console.step_through.traces[0] is cloud.traces[-1]
    # ... until an older one is chosen, which then stays
    old = console.step_through
    console._picker.value = console._picker.options[2][1]
    assert console.invocation is records[0] and console.step_through.traces == [records[0].trace]
    assert old.closed and records[0].request_id in console._trace_note.value
    call(lam)
    assert console.invocation is records[0]
    assert len(console._picker.options) == 4
    assert console.select(records[-1].request_id) is records[-1]
    with pytest.raises(ValueError):
        console.select("not-a-request-id")


def test_async_attempts_are_listed_one_by_one(cloud, lam, console):
    deploy(cloud, FAILING, name="bad")
    lam.put_function_event_invoke_config(FunctionName="bad", MaximumRetryAttempts=1)
    lam.invoke(FunctionName="bad", InvocationType="Event", Payload=b"{}")
    cloud.advance(600)
    rows = rows_of(console._invocations.value)
    assert [r[3] for r in rows] == ["async #2", "async #1"]
    assert rows[0][1] == rows[1][1]                    # one event, one request id
    assert len({v for _, v in console._picker.options}) == 2
    assert console.step_through.traces[0].summary.startswith("Poller: attempt 2")


# -- the invoke control --------------------------------------------------------------------------
def test_invoke_control_runs_a_real_request_and_shows_its_trace(cloud, console):
    deploy(cloud, COUNTER)
    console._payload.value = '{"hello": "world"}'
    console._invoke.click()
    trace = cloud.traces[-1]
    assert (trace.service, trace.operation, trace.principal) == ("lambda", "Invoke", ROOT)
    assert console.step_through.traces == [trace]
    assert console.invocation.request_id == trace.request_id
    assert console.status.startswith("Invoked fn (version $LATEST): StatusCode 200, cold start")
    assert f"request {trace.request_id}" in console.status and '"count": 1' in console.status
    assert "awskit-ok" in console._status.value
    out = console.invoke({"again": True})
    assert json.loads(out["Payload"])["count"] == 2 and out["StatusCode"] == 200
    assert ", warm start" in console.status
    assert console.step_through.traces[0] is cloud.traces[-1]
    assert console.step_through.traces[0].request_id == out["ResponseMetadata"]["RequestId"]
    logs = text_of(console._logs.value)
    assert f"START RequestId: {trace.request_id}" in logs and "event {'again': True}" in logs


def test_invoke_control_shows_a_function_error(cloud, console):
    deploy(cloud, COUNTER)
    deploy(cloud, FAILING, name="bad")
    console.function = "bad"
    assert console.invoke('{"n": 1}') is not None
    assert "FunctionError: Unhandled (ValueError: boom: {'n': 1})" in console.status
    assert "awskit-err" in console._status.value and "Traceback" not in console._status.value
    trace = cloud.traces[-1]
    assert console.step_through.traces == [trace]
    console.step_through.step = console.step_through.length
    assert "X-Amz-Function-Error: Unhandled" in console.step_through.caption
    assert "[ERROR] ValueError: boom" in text_of(console._logs.value)
    console.function = "fn"                        # the logs follow the chosen function
    assert "Logs of fn" in console._logs.value and "boom" not in console._logs.value
    with pytest.raises(ValueError):
        console.function = "missing"


def test_bad_input_is_refused_before_any_request(cloud, console):
    before = len(cloud.traces)
    console._invoke.click()
    assert console.status == "Invoke: create a function first."
    deploy(cloud, COUNTER)
    before = len(cloud.traces)
    for bad in ["{nope", "[1, 2", "'single'"]:
        console._payload.value = bad
        console._invoke.click()
        assert console.status.startswith("Invoke: the payload is not valid JSON (")
        assert console.status.endswith("nothing was sent.")
    assert len(cloud.traces) == before and not cloud.awslambda.invocations
    console._payload.value = "  "                  # empty: Lambda hands the handler {}
    assert console.invoke() is not None and "event {}" in text_of(console._logs.value)


def test_aws_errors_are_shown_not_raised(cloud, lam, console, monkeypatch):
    deploy(cloud, COUNTER)
    lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=0)
    assert console.invoke("{}") is None
    assert console.status == "Invoke fn failed: TooManyRequestsException: Rate Exceeded."
    throttled = cloud.awslambda.invocations[-1]
    assert throttled.status == "throttled" and console.invocation is throttled
    assert console.step_through.traces == [cloud.traces[-1]]
    assert rows_of(console._invocations.value)[0][9] == "throttled (429)"
    console.refresh()
    lam.delete_function_concurrency(FunctionName="fn")
    console.min_interval = 3600                    # keep the dropdown stale on purpose
    lam.delete_function(FunctionName="fn")
    assert console.invoke() is None
    assert console.status.startswith("Invoke fn failed: ResourceNotFoundException: Function "
                                     "not found: arn:aws:lambda:us-east-1:123456789012:function:fn")
    console.min_interval = 0
    deploy(cloud, COUNTER, role_arn=f"arn:aws:iam::{cloud.default_account}:role/role-fn")
    monkeypatch.setattr(cloud.awslambda, "invoke", lambda **_: 1 / 0)
    assert console.invoke() is None
    assert console.status == "Invoke fn failed: ZeroDivisionError: division by zero"


# -- looking costs nothing -----------------------------------------------------------------------
def test_looking_at_the_console_makes_no_request(cloud, lam):
    fresh = awskit.Cloud(seed=0)
    fresh.awslambda.console().close()
    assert fresh.awslambda._internals == {} and len(fresh.traces) == 0
    deploy(cloud, COUNTER)
    deploy(cloud, FAILING, name="bad")
    call(lam)
    call(lam, "bad")
    traces, total = len(cloud.traces), cloud.traces.total
    requests = dict(cloud.meter.requests)
    state = json.dumps(cloud.awslambda.state(), sort_keys=True, default=str)
    view = cloud.awslambda.console()
    view.refresh()
    view.function = "fn"
    view._picker.value = view._picker.options[-1][1]
    view.step_through.step = 3
    cloud.awslambda._repr_mimebundle_()
    view.text()
    assert (len(cloud.traces), cloud.traces.total) == (traces, total)
    assert dict(cloud.meter.requests) == requests
    assert json.dumps(cloud.awslambda.state(), sort_keys=True, default=str) == state
    view.close()


def test_the_console_refreshes_on_lambda_and_logs_requests_only(cloud, console):
    before = console.refreshes
    cloud.client("s3").create_bucket(Bucket="not-lambda")
    assert console.refreshes == before
    cloud.client("logs").create_log_group(logGroupName="/aws/lambda/fn")
    assert console.refreshes == before + 1
    cloud.client("lambda").list_functions()
    assert console.refreshes == before + 2


def test_the_last_log_lines_of_the_chosen_function(cloud, lam, console):
    deploy(cloud, COUNTER)
    for i in range(12):
        call(lam, event={"i": i})
    events = cloud.logs.events("/aws/lambda/fn")
    rows = rows_of(console._logs.value)
    assert len(rows) == 20 and len(events) > 20
    assert [r[2] for r in rows] == [" ".join(e["message"].split()) for e in events[-20:]]
    assert rows[-1][2].startswith("REPORT RequestId: " + cloud.awslambda.invocations[-1].request_id)
    assert f"last 20 of {len(events)} lines" in text_of(console._logs.value)
    last = datetime.fromtimestamp(events[-1]["timestamp"] / 1000, timezone.utc)
    assert rows[-1][0] == f"{last:%Y-%m-%d %H:%M:%S}.{last.microsecond // 1000:03d}"


# -- closing -------------------------------------------------------------------------------------
def test_closing_releases_every_widget_and_the_observer(cloud, lam):
    deploy(cloud, COUNTER)
    call(lam)
    observers = len(cloud._observers)
    view = cloud.awslambda.console()
    assert len(cloud._observers) == observers + 1
    st = view.step_through
    ids = {w.model_id for w in core.widget_tree(view.widget)} | {st._link.model_id}
    assert {w.model_id for w in core.widget_tree(st.widget)} <= ids
    view.widget.close()                              # closing the widget closes the view
    assert view.closed and st.closed and len(cloud._observers) == observers
    assert not ids & set(ipywidgets.widgets.widget._instances)
    refreshes = view.refreshes
    call(lam)
    assert view.refreshes == refreshes


def test_a_dropped_console_closes_its_step_through(cloud, lam):
    from awskit.awslambda.view import LambdaConsole
    deploy(cloud, COUNTER)
    call(lam)

    def make():
        view = LambdaConsole(cloud.awslambda)        # owned by nobody but this function
        return weakref.ref(view), view.widget, view.step_through.widget
    ref, widget, st_widget = make()
    gc.collect()
    assert ref() is None
    assert widget.comm is None and st_widget.comm is None
