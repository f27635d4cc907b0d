"""The Lambda runtime: real handler code in worker processes (awskit/awslambda/runtime)."""

import gc
import json
import os
import re
import time

import pytest

from awskit.awslambda.packaging import zip_function
from awskit.awslambda.runtime import (EnvironmentDead, ExecutionProcess, RuntimeProcessError,
                                      SnapshotError)
from awskit.awslambda.runtime import errors, report

NOW_MS = 1_700_000_000_123            # 2023-11-14T22:13:20.123Z on the simulated clock
ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"


@pytest.fixture
def make():
    """make(source, handler=..., **config) -> an ExecutionProcess (closed after the test)."""
    made = []

    def make(source, handler="lambda_function.handler", memory_mb=128, environment=None,
             runtime="python3.12", **kw):
        code, _ = zip_function(source)
        p = ExecutionProcess(code, handler, environment or {}, memory_mb, "fn", "$LATEST",
                             "/aws/lambda/fn", "2023/11/14/[$LATEST]0123456789abcdef",
                             "us-east-1", "123456789012", runtime=runtime, **kw)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


def started(make, source, **kw):
    p = make(source, **kw)
    out = p.init(10, now_ms=NOW_MS)
    assert out.ok, out
    return p


def invoke(p, event=None, rid="req-1", timeout_s=3.0, **kw):
    payload = event if isinstance(event, bytes) else json.dumps(event or {}).encode()
    return p.invoke(payload, rid, timeout_s, deadline_ms=NOW_MS + int(timeout_s * 1000),
                    now_ms=NOW_MS, **kw)


def gone(pid):
    """True if no process ``pid`` runs any more (a zombie awaiting its reaper counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/status") as f:
            return any(line.startswith("State:") and "Z" in line for line in f)
    except FileNotFoundError:
        return True


# -- warm invocations, environment, context ---------------------------------------------------

COUNTER = '''
import random
print("INIT runs")
CALLS = 0
TOKEN = random.random()
def handler(event, context):
    global CALLS
    CALLS += 1
    return {"calls": CALLS, "token": TOKEN, "echo": event}
'''


def test_module_state_survives_warm_invocations(make):
    p = make(COUNTER)
    init = p.init(10, now_ms=NOW_MS)
    assert init.ok and init.status == "ok" and init.logs == ["INIT runs"]
    results = [json.loads(invoke(p, {"i": i}, rid=f"r{i}").payload) for i in range(3)]
    assert [r["calls"] for r in results] == [1, 2, 3]
    assert len({r["token"] for r in results}) == 1
    assert results[2]["echo"] == {"i": 2}
    assert p.invocations == 3 and p.alive


def test_environment_variables_as_lambda_sets_them(make):
    src = '''
import os, time
def handler(event, context):
    return {"env": dict(os.environ), "cwd": os.getcwd(), "tz": time.tzname[0],
            "listing": sorted(os.listdir(os.environ["LAMBDA_TASK_ROOT"]))}
'''
    p = started(make, src, environment={"STAGE": "dev", "AWS_REGION": "eu-west-1"})
    out = json.loads(invoke(p).payload)
    env = out["env"]
    assert env["STAGE"] == "dev"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"   # reserved wins
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fn"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/fn"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == "2023/11/14/[$LATEST]0123456789abcdef"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["_HANDLER"] == "lambda_function.handler"
    assert env["TZ"] == ":UTC" and out["tz"] == "UTC"
    assert out["cwd"] == env["LAMBDA_TASK_ROOT"] == p.task_root
    assert out["listing"] == ["lambda_function.py"]
    assert "AWS_ACCESS_KEY_ID" not in env and "HOME" not in env    # nothing from the notebook


def test_context_object(make):
    src = '''
import time
def handler(event, context):
    before = context.get_remaining_time_in_millis()
    time.sleep(0.25)
    return {"before": before, "after": context.get_remaining_time_in_millis(),
            "id": context.aws_request_id, "name": context.function_name,
            "version": context.function_version, "arn": context.invoked_function_arn,
            "mem": context.memory_limit_in_mb, "group": context.log_group_name,
            "stream": context.log_stream_name,
            "cognito": [context.identity.cognito_identity_id,
                        context.identity.cognito_identity_pool_id],
            "client": None if context.client_context is None else
                      [context.client_context.custom, context.client_context.client.app_title]}
'''
    p = started(make, src)
    out = json.loads(invoke(p, rid="abc-123").payload)
    assert out["id"] == "abc-123" and out["name"] == "fn" and out["version"] == "$LATEST"
    assert out["arn"] == ARN                        # default: the unqualified ARN
    assert out["mem"] == "128"                      # a string, as AWS's runtime gives it
    assert out["group"] == "/aws/lambda/fn" and out["stream"].endswith("0123456789abcdef")
    assert out["cognito"] == [None, None] and out["client"] is None
    assert 2900 <= out["before"] <= 3000
    assert 200 <= out["before"] - out["after"] <= 1000
    out = json.loads(invoke(p, invoked_function_arn=ARN + ":prod",
                            identity={"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "p"},
                            client_context=json.dumps({"custom": {"k": "v"},
                                                       "client": {"app_title": "app"}})).payload)
    assert out["arn"] == ARN + ":prod"
    assert out["cognito"] == ["id-1", "p"] and out["client"] == [{"k": "v"}, "app"]


def test_remaining_time_on_the_real_clock_without_now_ms(make):
    p = started(make, "def handler(e, c):\n    return c.get_remaining_time_in_millis()\n")
    out = p.invoke(b"{}", "r", 3, deadline_ms=int(time.time() * 1000) + 2000)
    assert 1500 <= json.loads(out.payload) <= 2000
    out = p.invoke(b"{}", "r", 3, deadline_ms=int(time.time() * 1000) - 5000)
    assert json.loads(out.payload) == 0                          # never negative


def test_bad_client_context_is_the_runtimes_error(make):
    p = started(make, "def handler(e, c):\n    return 1\n")
    out = invoke(p, client_context="{not json")
    assert out.status == "error" and out.error["errorType"] == "Runtime.LambdaContextUnmarshalError"
    assert out.error["errorMessage"].startswith("Unable to parse Client Context JSON: ")


# -- logs -------------------------------------------------------------------------------------

LOGGING = '''
import logging, os, sys
logger = logging.getLogger()
print("module level")
def handler(event, context):
    print("to stdout")
    print("to stderr", file=sys.stderr)
    os.write(1, b"straight to fd 1\\n")
    logger.info("hidden: the root logger is at WARNING")
    logger.warning("first line\\nsecond line")
    logger.setLevel(logging.INFO)
    logger.info("now shown")
    context.log("via context.log")
    print(event["tag"])
    return None
'''


def test_logs_are_captured_per_invocation_in_order(make):
    p = make(LOGGING)
    assert p.init(10, now_ms=NOW_MS).logs == ["module level"]
    out = invoke(p, {"tag": "one"}, rid="req-A")
    assert out.status == "ok" and out.payload == b"null"
    assert out.logs == [
        "to stdout", "to stderr", "straight to fd 1",
        "[WARNING]\t2023-11-14T22:13:20.123Z\treq-A\tfirst line\nsecond line",   # one event
        "[INFO]\t2023-11-14T22:13:20.123Z\treq-A\tnow shown",
        "via context.log", "one"]
    second = invoke(p, {"tag": "two"}, rid="req-B").logs
    assert second[-1] == "two" and "one" not in second
    assert "[INFO]\t2023-11-14T22:13:20.123Z\treq-B\tnow shown" in second


def test_log_timestamps_follow_the_real_clock_without_now_ms(make):
    p = make("import logging\ndef handler(e, c):\n    logging.error('x')\n")
    p.init(10)
    out = p.invoke(b"{}", "rid", 3, deadline_ms=0)
    line = out.logs[0]
    assert re.fullmatch(r"\[ERROR\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\trid\tx", line)
    assert line.split("\t")[1][:4] == time.strftime("%Y", time.gmtime())


def test_printed_bytes_cannot_corrupt_the_protocol(make):
    src = '''
import os
def handler(event, context):
    os.write(1, bytes(range(256)) + b"\\x00\\x00\\x00\\x10{\\"op\\": \\"result\\"}")
    print("\\x00\\x1eawskit-log\\x1e half a frame")
    return {"fine": True}
'''
    p = started(make, src)
    out = invoke(p)
    assert out.status == "ok" and json.loads(out.payload) == {"fine": True}
    assert json.loads(invoke(p).payload) == {"fine": True}


# -- function errors --------------------------------------------------------------------------

def test_an_exception_is_an_unhandled_function_error_and_the_environment_stays_warm(make):
    src = '''
CALLS = 0
def helper(x):
    raise ValueError(f"bad value {x}")
def handler(event, context):
    global CALLS
    CALLS += 1
    if event.get("fail"):
        helper(event["fail"])
    return CALLS
'''
    p = started(make, src)
    out = invoke(p, {"fail": 42}, rid="req-9")
    assert out.status == "error" and p.alive
    doc = json.loads(out.payload)
    assert doc == out.error
    assert list(doc) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert doc["errorMessage"] == "bad value 42" and doc["errorType"] == "ValueError"
    assert doc["requestId"] == "req-9"
    assert doc["stackTrace"] == [
        '  File "/var/task/lambda_function.py", line 9, in handler\n    helper(event["fail"])\n',
        '  File "/var/task/lambda_function.py", line 4, in helper\n'
        '    raise ValueError(f"bad value {x}")\n']
    assert out.payload.startswith(b'{"errorMessage": "bad value 42", "errorType"')
    assert out.logs == [
        "[ERROR] ValueError: bad value 42\nTraceback (most recent call last):\n"
        '\u00a0\u00a0File "/var/task/lambda_function.py", line 9, in handler\n'
        '\u00a0\u00a0\u00a0\u00a0helper(event["fail"])\n'
        '\u00a0\u00a0File "/var/task/lambda_function.py", line 4, in helper\n'
        '\u00a0\u00a0\u00a0\u00a0raise ValueError(f"bad value {x}")']
    assert json.loads(invoke(p).payload) == 2               # same process, state kept


def test_marshalling_results(make):
    src = '''
import decimal
def handler(event, context):
    kind = event["kind"]
    if kind == "set":
        return {1, 2}
    if kind == "bytes":
        return b"\\x00raw\\xff"
    if kind == "decimal":
        return {"a": decimal.Decimal("12"), "b": decimal.Decimal("1.5")}
    if kind == "text":
        return "caf\\u00e9"
    return None
'''
    p = started(make, src)
    out = invoke(p, {"kind": "set"}, rid="r-m")
    assert out.status == "error" and out.error == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError", "requestId": "r-m", "stackTrace": []}
    assert invoke(p, {"kind": "bytes"}).payload == b"\x00raw\xff"
    assert json.loads(invoke(p, {"kind": "decimal"}).payload) == {"a": 12, "b": 1.5}
    assert invoke(p, {"kind": "text"}).payload == '"café"'.encode()       # python3.12: UTF-8
    q = started(make, src, runtime="python3.11")
    assert invoke(q, {"kind": "text"}).payload == b'"caf\\u00e9"'          # before: escaped
    r = started(make, src, runtime="python3.13")
    assert invoke(r, {"kind": "text"}).payload == '"café"'.encode()


def test_an_event_that_is_not_json_is_an_unmarshal_error(make):
    p = started(make, "def handler(e, c):\n    return 1\n")
    out = invoke(p, b"{nope")
    assert out.status == "error" and out.error["errorType"] == "Runtime.UnmarshalError"
    assert out.error["errorMessage"].startswith("Unable to unmarshal input: Expecting")


def test_a_large_response_is_returned_with_its_size(make):
    p = started(make, "def handler(e, c):\n    return 'x' * (7 * 1024 * 1024)\n", memory_mb=512)
    out = invoke(p)
    assert out.status == "ok" and out.payload_size == 7 * 1024 * 1024 + 2
    assert out.payload_size > errors.MAX_SYNC_RESPONSE_BYTES
    assert errors.response_too_large_error() == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size "
                        "(6291556 bytes).", "errorType": "Function.ResponseSizeTooLarge"}


# -- crashes, timeouts, memory: the kernel survives, the environment is replaced ---------------

FRAGILE = '''
import ctypes, os, sys, time, subprocess
def handler(event, context):
    how = event["how"]
    print("about to", how)
    if how == "exit":
        sys.exit(3)
    if how == "exit0":
        sys.exit()
    if how == "_exit":
        os._exit(7)
    if how == "segfault":
        ctypes.string_at(0)
    if how == "kill":
        os.kill(os.getpid(), 9)
    if how == "loop":
        while True:
            pass
    if how == "child":
        child = subprocess.Popen(["sleep", "60"])
        with open(event["pidfile"], "w") as f:
            f.write(str(child.pid))
        time.sleep(60)
    if how == "grow":
        hog = bytearray(300 * 1024 * 1024)
        return len(hog)
    if how == "huge":
        hog = bytearray(64 * 1024 ** 3)      # more than the address space the worker may map
        return len(hog)
    if how == "fork":
        if os.fork() == 0:
            return "from the child"          # must not answer in place of the parent
        os.wait()
        return "from the parent"
    if how == "leak":
        hog = []
        while True:
            hog.append(bytearray(1024 * 1024))
    return "fine"
'''


@pytest.mark.parametrize("how, reason", [
    ("exit", "Runtime exited with error: exit status 3"),
    ("exit0", "Runtime exited without providing a reason"),
    ("_exit", "Runtime exited with error: exit status 7"),
    ("segfault", "Runtime exited with error: signal: segmentation fault"),
    ("kill", "Runtime exited with error: signal: killed"),
])
def test_a_crash_is_a_runtime_exit_error(make, how, reason):
    p = started(make, FRAGILE)
    pid = p.pid
    out = invoke(p, {"how": how}, rid="req-x")
    assert out.status == "crash" and out.error_type == "Runtime.ExitError"
    assert out.error == {"errorType": "Runtime.ExitError",
                         "errorMessage": f"RequestId: req-x Error: {reason}"}
    assert json.loads(out.payload) == out.error
    assert out.logs[0] == f"about to {how}"            # what it printed before dying is kept
    assert not p.alive and gone(pid)
    with pytest.raises(EnvironmentDead):
        invoke(p, {"how": "nothing"})
    q = started(make, FRAGILE)                          # the function still works
    assert json.loads(invoke(q, {"how": "nothing"}).payload) == "fine"


def test_a_handler_that_forks_answers_once(make):
    p = started(make, FRAGILE)
    assert json.loads(invoke(p, {"how": "fork"}).payload) == "from the parent"
    assert json.loads(invoke(p, {"how": "nothing"}).payload) == "fine"


def test_an_infinite_loop_is_stopped_at_the_timeout(make, tmp_path):
    p = started(make, FRAGILE)
    pid = p.pid
    start = time.monotonic()
    out = invoke(p, {"how": "loop"}, rid="req-loop", timeout_s=1.0)
    elapsed = time.monotonic() - start
    assert 1.0 <= elapsed < 2.5
    assert out.status == "timeout" and out.error_type is None
    assert out.error == {"errorType": "Sandbox.Timedout",
                         "errorMessage": "RequestId: req-loop Error: Task timed out after "
                                         "1.00 seconds"}
    assert out.payload == (b'{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: '
                           b'req-loop Error: Task timed out after 1.00 seconds"}')
    assert 1000 <= out.measured_ms < 2500 and out.logs == ["about to loop"]
    assert not p.alive and gone(pid)
    q = started(make, FRAGILE)
    assert json.loads(invoke(q, {"how": "nothing"}).payload) == "fine"


def test_a_timeout_kills_what_the_handler_started(make, tmp_path):
    p = started(make, FRAGILE)
    pidfile = tmp_path / "child.pid"
    out = invoke(p, {"how": "child", "pidfile": str(pidfile)}, timeout_s=1.0)
    assert out.status == "timeout"
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 2
    while not gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(child)


@pytest.mark.parametrize("how", ["grow", "leak", "huge"])
def test_memory_above_the_configured_size_is_out_of_memory(make, how):
    p = started(make, FRAGILE, memory_mb=128)
    out = invoke(p, {"how": how}, rid="req-m", timeout_s=20)
    assert out.status == "crash" and out.error_type == "Runtime.OutOfMemory"
    assert out.error == {"errorType": "Runtime.OutOfMemory",
                         "errorMessage": "RequestId: req-m Error: Runtime exited with error: "
                                         "signal: killed"}
    assert out.max_memory_mb == 128 and not p.alive
    big = started(make, FRAGILE, memory_mb=512)          # with more memory it fits
    assert json.loads(invoke(big, {"how": "grow"}).payload) == 300 * 1024 * 1024
    assert 300 < invoke(big, {"how": "nothing"}).max_memory_mb <= 512


def test_an_interrupted_invocation_does_not_leave_the_environment_out_of_step(make):
    import signal

    def interrupt(*_):
        raise KeyboardInterrupt

    p = started(make, FRAGILE)
    pid = p.pid
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(KeyboardInterrupt):          # the student pressed "interrupt"
            invoke(p, {"how": "loop"}, timeout_s=30)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not p.alive and gone(pid)
    with pytest.raises(EnvironmentDead):
        invoke(p, {"how": "nothing"})


def test_an_environment_serves_one_request_at_a_time(make):
    import threading
    p = started(make, "import time\ndef handler(e, c):\n    time.sleep(e['s'])\n    return 1\n")
    results = []
    t = threading.Thread(target=lambda: results.append(invoke(p, {"s": 0.5})))
    t.start()
    time.sleep(0.2)
    with pytest.raises(RuntimeProcessError, match="busy"):
        invoke(p, {"s": 0})
    t.join()
    assert results[0].status == "ok" and invoke(p, {"s": 0}).status == "ok"


def test_the_notebooks_own_memory_does_not_count(make):
    from awskit.awslambda.runtime import spawn
    hog = bytearray(400 * 1024 * 1024)
    hog[::4096] = b"x" * len(hog[::4096])            # really resident in this process
    spawn.POOL.clear()                                # a worker started now, from a big parent
    p = started(make, COUNTER, memory_mb=128)
    out = invoke(p)
    assert out.status == "ok" and 5 < out.max_memory_mb < 100
    del hog


# -- INIT errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("source, handler, error_type, message", [
    ("import requests\ndef handler(e, c): pass\n", "lambda_function.handler",
     "Runtime.ImportModuleError",
     "Unable to import module 'lambda_function': No module named 'requests'"),
    ("import numpy\n", "lambda_function.handler", "Runtime.ImportModuleError",
     "Unable to import module 'lambda_function': No module named 'numpy'"),
    ("x = 1\n", "other.handler", "Runtime.ImportModuleError",
     "Unable to import module 'other': No module named 'other'"),
    ("def h(e, c): pass\n", "lambda_function.handler", "Runtime.HandlerNotFound",
     "Handler 'handler' missing on module 'lambda_function'"),
    ("def h(e, c): pass\n", "lambda_function", "Runtime.MalformedHandlerName",
     "Bad handler 'lambda_function': not enough values to unpack (expected 2, got 1)"),
    ("def h(e, c): pass\n", "sys.handler", "Runtime.BuiltInModuleConflict",
     "Cannot use built-in module sys as a handler module"),
])
def test_init_errors_as_the_python_runtime_reports_them(make, source, handler, error_type,
                                                         message):
    p = make(source, handler=handler)
    out = p.init(10, now_ms=NOW_MS)
    assert not out.ok and out.status == "error" and out.error_type == error_type
    assert out.error == {"errorMessage": message, "errorType": error_type, "requestId": "",
                         "stackTrace": []}
    assert out.logs == [f"[ERROR] {error_type}: {message}\nTraceback (most recent call last):"]
    assert not p.alive
    with pytest.raises(EnvironmentDead):
        invoke(p)


def test_a_syntax_error_and_an_exception_in_module_code(make):
    p = make("def handler(e, c)\n    pass\n")
    out = p.init(10)
    assert out.error_type == "Runtime.UserCodeSyntaxError"
    assert out.error["errorMessage"] == ("Syntax error in module 'lambda_function': expected ':' "
                                         "(lambda_function.py, line 1)")
    assert out.error["stackTrace"] == ['  File "/var/task/lambda_function.py" Line 1\n'
                                       '    def handler(e, c)\n']
    q = make("CONFIG = {}\nTABLE = CONFIG['table']\n")
    out = q.init(10)
    assert out.error_type == "KeyError" and out.error["errorMessage"] == "'table'"
    trace = out.error["stackTrace"]
    assert "awskit" not in trace[0]                       # the runtime's own frames are left out
    assert trace[-1] == ('  File "/var/task/lambda_function.py", line 2, in <module>\n'
                         "    TABLE = CONFIG['table']\n")


def test_boto3_is_importable_as_on_aws(make):
    p = started(make, "import boto3\ndef handler(e, c):\n    return boto3.__version__\n")
    assert json.loads(invoke(p).payload) == __import__("boto3").__version__


def test_init_crash_and_init_timeout(make):
    p = make("import sys\nprint('starting')\nsys.exit(2)\n")
    out = p.init(10, request_id="req-c")
    assert (out.status, out.error_type) == ("crash", "Runtime.ExitError")
    assert out.error["errorMessage"] == "RequestId: req-c Error: Runtime exited with error: " \
                                        "exit status 2"
    assert out.logs == ["starting"] and not p.alive
    q = make("while True:\n    pass\n")
    start = time.monotonic()
    out = q.init(1.0, request_id="req-t")
    assert time.monotonic() - start < 2.5
    assert out.status == "timeout" and not out.ok and not q.alive
    assert out.error == errors.timeout_error("req-t", 1.0)


def test_misuse_is_a_python_error(make):
    with pytest.raises(ValueError):
        ExecutionProcess(b"not a zip", "a.b", {}, 128, "fn", "$LATEST", "g", "s", "us-east-1",
                         "123456789012")
    p = make("def handler(e, c):\n    return 1\n")
    with pytest.raises(RuntimeProcessError):
        invoke(p)                                          # before init
    p.init(10)
    with pytest.raises(RuntimeProcessError):
        p.init(10)                                         # INIT runs once


# -- SnapStart snapshots ----------------------------------------------------------------------

SNAPSTART = '''
import random, uuid
from snapshot_restore_py import register_before_snapshot, register_after_restore
print("INIT runs")
EVENTS = []
TOKEN = random.random()          # generated during INIT: the same in every restored copy

@register_before_snapshot
def close_a():
    EVENTS.append("before-a")

register_before_snapshot(EVENTS.append, "before-b")

@register_after_restore
def reopen_a():
    EVENTS.append("after-a")

register_after_restore(EVENTS.append, "after-b")

def handler(event, context):
    if event.get("fail_after_restore"):
        register_after_restore(lambda: 1 / 0)
    return {"token": TOKEN, "next_random": random.random(), "uuid": str(uuid.uuid4()),
            "events": EVENTS, "stream": context.log_stream_name}
'''


def test_restored_copies_share_the_initialised_state(make):
    p = make(SNAPSTART, initialization_type="snap-start")
    assert p.init(10).logs == ["INIT runs"]
    original = p.pid
    snap = p.snapshot()
    assert not p.alive and snap.alive
    a = ExecutionProcess.restore(snap, log_stream="2023/11/14/[1]aaaa")
    b = snap.restore()
    try:
        assert a.restore_result.ok and a.restore_result.logs == []     # INIT did not run again
        assert a.alive and b.alive and len({a.pid, b.pid, original}) == 3
        ra, rb = json.loads(invoke(a).payload), json.loads(invoke(b).payload)
        assert ra["token"] == rb["token"]                     # the uniqueness hazard...
        assert ra["next_random"] == rb["next_random"]         # ...including the RNG's state
        assert ra["uuid"] != rb["uuid"]                       # the kernel's CSPRNG stays unique
        # before-snapshot hooks in reverse registration order, after-restore in order
        assert ra["events"] == ["before-b", "before-a", "after-a", "after-b"]
        assert ra["stream"] == "2023/11/14/[1]aaaa" and rb["stream"].endswith("0123456789abcdef")
        assert a.log_stream == "2023/11/14/[1]aaaa"
        assert json.loads(invoke(a).payload)["next_random"] != ra["next_random"]
    finally:
        a.close()
        b.close()
        snap.close()
    assert not snap.alive and gone(original) and gone(a.pid) and gone(b.pid)


def test_a_crash_in_a_restored_copy_and_closing_the_snapshot_early(make):
    p = make(FRAGILE)
    p.init(10)
    snap = p.snapshot()
    a, b = snap.restore(), snap.restore()
    out = invoke(a, {"how": "exit"}, rid="req-r")
    assert out.status == "crash"
    assert out.error["errorMessage"] == "RequestId: req-r Error: Runtime exited with error: " \
                                        "exit status 3"
    out = invoke(b, {"how": "loop"}, timeout_s=1.0)
    assert out.status == "timeout" and gone(b.pid)
    c = snap.restore()
    snap.close()                                  # c keeps working until it is closed
    assert json.loads(invoke(c, {"how": "nothing"}).payload) == "fine"
    with pytest.raises(EnvironmentDead):
        snap.restore()
    template = p.pid
    c.close()
    assert gone(c.pid) and gone(template) and not snap.alive


def test_failing_snapstart_hooks(make):
    p = make("from snapshot_restore_py import register_before_snapshot\n"
             "register_before_snapshot(lambda: {}['key'])\n"
             "def handler(e, c):\n    return 1\n")
    p.init(10)
    with pytest.raises(SnapshotError) as caught:
        p.snapshot()
    assert caught.value.error_type == "Runtime.BeforeSnapshotError"
    assert caught.value.error["errorType"] == "KeyError" and not p.alive
    q = make(SNAPSTART)
    q.init(10)
    invoke(q, {"fail_after_restore": True})       # registers a failing after-restore hook
    snap = q.snapshot()
    r = snap.restore()
    assert not r.restore_result.ok and not r.alive
    assert r.restore_result.error_type == "Runtime.AfterRestoreError"
    assert r.restore_result.error["errorType"] == "ZeroDivisionError"
    assert r.restore_result.logs[0].startswith("[ERROR] ZeroDivisionError: division by zero")
    snap.close()


# -- cleanup ----------------------------------------------------------------------------------

def test_close_leaves_no_process_and_no_files(make):
    p = started(make, COUNTER)
    pid, root = p.pid, p.task_root
    assert not gone(pid) and os.path.isdir(root)
    p.close()
    p.close()                                     # idempotent
    assert gone(pid) and not os.path.exists(root) and not p.alive


def test_a_forgotten_environment_is_cleaned_up_by_the_garbage_collector():
    code, handler = zip_function("def handler(e, c):\n    return 1\n")
    p = ExecutionProcess(code, handler, {}, 128, "fn", "$LATEST", "g", "s", "us-east-1",
                         "123456789012")
    p.init(10)
    pid, root = p.pid, p.task_root
    del p
    gc.collect()
    assert gone(pid) and not os.path.exists(root)


# -- platform log lines -----------------------------------------------------------------------

def test_report_lines():
    assert report.start_line("r1") == "START RequestId: r1 Version: $LATEST"
    assert report.start_line("r1", "3") == "START RequestId: r1 Version: 3"
    assert report.end_line("r1") == "END RequestId: r1"
    assert report.report_line("r1", 12.344, 128, 40, init_ms=150.209) == (
        "REPORT RequestId: r1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB"
        "\tMax Memory Used: 40 MB\tInit Duration: 150.21 ms")
    assert report.report_line("r1", 3000.0, 128, 31, status="timeout").endswith(
        "Max Memory Used: 31 MB\tStatus: timeout")
    assert report.report_line("r1", 5, 128, 31, billed=9, status="error",
                              error_type="Runtime.ExitError").endswith(
        "Billed Duration: 9 ms\tMemory Size: 128 MB\tMax Memory Used: 31 MB\tStatus: error"
        "\tError Type: Runtime.ExitError")
    assert report.report_line("r1", 20.22, 512, 142, restore_ms=474.16,
                              billed_restore_ms=140).endswith(
        "Restore Duration: 474.16 ms\tBilled Restore Duration: 140 ms")
    assert [report.billed_ms(x) for x in (0.2, 1.0, 1.0001, 15.74, 2999.99)] == [1, 1, 2, 16, 3000]
    assert report.init_report_line(1236.04, "timeout") == (
        "INIT_REPORT Init Duration: 1236.04 ms\tPhase: init\tStatus: timeout")
    assert report.init_report_line(80, "error", "Runtime.ImportModuleError", phase="invoke") == (
        "INIT_REPORT Init Duration: 80.00 ms\tPhase: invoke\tStatus: error"
        "\tError Type: Runtime.ImportModuleError")
    assert report.restore_report_line(1236.04, "timeout") == (
        "RESTORE_REPORT Restore Duration: 1236.04 ms\tStatus: timeout")
    lines = report.invocation_lines("r2", ["hello"], 1.5, 256, 50, version="7")
    assert lines == ["START RequestId: r2 Version: 7", "hello", "END RequestId: r2",
                     "REPORT RequestId: r2\tDuration: 1.50 ms\tBilled Duration: 2 ms\t"
                     "Memory Size: 256 MB\tMax Memory Used: 50 MB"]
    with pytest.raises(ValueError):
        report.report_line("r", 1, 128, 1, status="crash")


def test_platform_error_documents():
    assert errors.exit_reason(1) == "Runtime exited with error: exit status 1"
    assert errors.exit_reason(-6) == "Runtime exited with error: signal: aborted"
    assert errors.exit_reason(-15) == "Runtime exited with error: signal: terminated"
    assert errors.exit_reason(0) == "Runtime exited without providing a reason"
    assert errors.timeout_error("r", 900) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": "RequestId: r Error: Task timed out after 900.00 seconds"}


# -- packaging --------------------------------------------------------------------------------

def lambda_handler(event, context):
    import platform
    return {"hello": event.get("name", "world"), "python": platform.python_version() > "3"}


def test_zip_function_from_a_function_runs_in_an_environment(make):
    code, handler = zip_function(lambda_handler)
    assert handler == "lambda_function.lambda_handler"
    p = ExecutionProcess(code, handler, {}, 128, "fn", "$LATEST", "g", "s", "us-east-1",
                         "123456789012")
    try:
        assert p.init(10).ok
        assert json.loads(invoke(p, {"name": "ada"}).payload) == {"hello": "ada", "python": True}
    finally:
        p.close()


def test_zip_function_is_deterministic_and_lambda_readable():
    import io
    import zipfile
    src = "import helper\ndef handler(e, c):\n    return helper.X\n"
    one, h1 = zip_function(src, extra_files={"helper.py": "X = 1\n", "data/b.bin": b"\x00"})
    time.sleep(1.1)                               # a clock-dependent timestamp would change
    two, h2 = zip_function(src, extra_files={"data/b.bin": b"\x00", "helper.py": "X = 1\n"})
    assert one == two and h1 == h2 == "lambda_function.handler"
    with zipfile.ZipFile(io.BytesIO(one)) as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == ["data/b.bin", "helper.py", "lambda_function.py"]
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
        assert all((i.external_attr >> 16) & 0o777 == 0o644 for i in infos)
        assert z.read("lambda_function.py").decode() == src
    code, handler = zip_function(src, handler_name="main", module="app")
    assert handler == "app.main"


def test_zip_function_rejects_what_cannot_run_on_lambda():
    secret = 42

    def closure(event, context):
        return secret

    with pytest.raises(ValueError, match="closure"):
        zip_function(closure)
    with pytest.raises(ValueError, match="lambda"):
        zip_function(lambda e, c: 1)
    with pytest.raises(ValueError):
        zip_function("x = 1", module="my-module")
    with pytest.raises(ValueError):
        zip_function("x = 1", handler_name="not valid")
    for path in ("../escape.py", "/etc/passwd", "a\\b.py", ""):
        with pytest.raises(ValueError):
            zip_function("x = 1", extra_files={path: "x"})
    with pytest.raises(ValueError):
        zip_function("x = 1", extra_files={"lambda_function.py": "y"})
    with pytest.raises(TypeError):
        zip_function(42)


def uses_json_from_outside(event, context):
    return json.dumps(event)


def imports_inside(event, context):
    import json as j

    def helper(x):
        return j.dumps(x)
    return helper(event)


def test_zip_function_names_globals_the_module_would_miss():
    with pytest.raises(ValueError, match="uses json, defined outside it"):
        zip_function(uses_json_from_outside)
    code, handler = zip_function(imports_inside)      # imports and nested defs are fine
    assert handler == "lambda_function.imports_inside"
