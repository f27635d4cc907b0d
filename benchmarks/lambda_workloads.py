"""The Lambda benchmark workloads: one real handler, invoked through boto3 and called directly.

Each timed function returns ``(operations, seconds)`` (or a dict of figures) and times only
the calls: clouds, roles and functions are set up untimed, and the environment a warm figure
reuses is created by an untimed first invoke. Wall time is ``time.perf_counter`` (here only:
awskit's own model never reads the wall clock). ``run.py`` runs the rounds and prints medians.

- :func:`direct_calls`: the handler called as a Python function (the baseline);
- :func:`warm_invokes`: ``invoke`` of the same handler through a boto3 client, under whatever
  mock is active (``awskit.mock_aws()`` or ``moto.mock_aws()``) or ``cloud.client("lambda")``;
- :func:`cold_start`: the wall time of a first invoke, which creates an execution environment
  (its worker process taken from the idle pool, or spawned), against the warm invokes after it;
- :func:`simulate_million`: ``cloud.awslambda.simulate`` of one million invocations;
- :func:`control_plane`: CreateFunction / GetFunction / ListFunctions, which moto also answers
  without Docker; :func:`moto_invoke_probe`: whether moto can run the handler at all.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import select
import time
from types import SimpleNamespace

import boto3

from awskit.awslambda.packaging import zip_function

SOURCE = ("def handler(event, context):\n"
          "    return {'hello': event.get('name', 'world')}\n")
CODE, HANDLER = zip_function(SOURCE)
EVENT = {"name": "benchmark"}
PAYLOAD = json.dumps(EVENT).encode()
EXPECTED = {"hello": "benchmark"}
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
REGION = "us-east-1"


# -- setup (untimed) ------------------------------------------------------------------------------
def clients(cloud=None):
    """(iam, lambda) boto3 clients: ``cloud.client(...)``, or plain boto3 under an active mock."""
    if cloud is not None:
        return cloud.client("iam"), cloud.client("lambda")
    return boto3.client("iam", region_name=REGION), boto3.client("lambda", region_name=REGION)


def role_arn(iam, name: str = "bench-exec") -> str:
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]


def create(lam, role: str, name: str = "bench") -> None:
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler=HANDLER,
                        Code={"ZipFile": CODE}, MemorySize=128, Timeout=10)


def invoke_once(lam, name: str = "bench") -> dict:
    """One synchronous invoke; checks the handler's answer."""
    out = lam.invoke(FunctionName=name, Payload=PAYLOAD)
    body = out["Payload"].read()
    if out.get("FunctionError") or json.loads(body) != EXPECTED:
        raise AssertionError(f"the handler did not answer: {out.get('FunctionError')} {body!r}")
    return out


def awskit_function(cloud, name: str = "bench"):
    """A cloud's lambda client with an Active function ``name``."""
    iam, lam = clients(cloud)
    create(lam, role_arn(iam), name)
    cloud.advance(seconds=cloud.awslambda.create_seconds)       # Pending -> Active
    return lam


def wait_for_pool(timeout_s: float = 10.0) -> int:
    """Wait (untimed) until every idle pooled interpreter has announced itself ready, without
    reading its message (the environment that takes it reads it); returns how many."""
    from awskit.awslambda.runtime import spawn
    deadline = time.monotonic() + timeout_s
    for worker in list(spawn.POOL.idle):
        select.select([worker.sock], [], [], max(0.0, deadline - time.monotonic()))
    return len(spawn.POOL.idle)


# -- the baseline -----------------------------------------------------------------------------------
def direct_calls(n: int) -> tuple[int, float]:
    """The handler's module executed once, then ``handler(event, context)`` called n times."""
    namespace: dict = {"__name__": "lambda_function"}
    exec(compile(SOURCE, "lambda_function.py", "exec"), namespace)   # noqa: S102 (an import)
    handler = namespace["handler"]
    context = SimpleNamespace(aws_request_id="r", function_name="bench", memory_limit_in_mb=128)
    t0 = time.perf_counter()
    for _ in range(n):
        out = handler(EVENT, context)
    elapsed = time.perf_counter() - t0
    assert out == EXPECTED
    return n, elapsed


# -- warm invokes ------------------------------------------------------------------------------------
def warm_invokes(lam, n: int, name: str = "bench") -> tuple[int, float]:
    """n synchronous invokes of a function whose environment is already warm (the caller made
    one untimed invoke first), each reading the response payload."""
    t0 = time.perf_counter()
    for _ in range(n):
        out = lam.invoke(FunctionName=name, Payload=PAYLOAD)
        body = out["Payload"].read()
    elapsed = time.perf_counter() - t0
    assert json.loads(body) == EXPECTED and not out.get("FunctionError"), body
    return n, elapsed


def awskit_client_warm(n: int) -> tuple[int, float]:
    """Warm invokes through ``cloud.client("lambda")``."""
    import awskit
    cloud = awskit.Cloud(seed=0)
    try:
        lam = awskit_function(cloud)
        invoke_once(lam)                                        # the cold start, untimed
        wait_for_pool()                  # the pool's replacement interpreter has booted
        return warm_invokes(lam, n)
    finally:
        cloud.awslambda.stop_processes()


def awskit_mock_warm(n: int) -> tuple[int, float]:
    """Warm invokes through plain ``boto3.client("lambda")`` inside ``awskit.mock_aws()``."""
    import awskit
    cloud = awskit.Cloud(seed=0)
    try:
        with awskit.mock_aws(cloud):
            iam, lam = clients()
            create(lam, role_arn(iam))
            cloud.advance(seconds=cloud.awslambda.create_seconds)
            invoke_once(lam)
            wait_for_pool()
            return warm_invokes(lam, n)
    finally:
        cloud.awslambda.stop_processes()


# -- cold starts -------------------------------------------------------------------------------------
def cold_start(pooled: bool) -> dict:
    """Wall time of a first invoke (a new execution environment: a worker process, INIT) and of
    the warm invokes after it (the median of five). ``pooled``: the process comes from the pool
    of idle interpreters booted ahead of time (awskit's default); else the pool is emptied and
    the invoke spawns one."""
    import awskit
    from awskit.awslambda.runtime import spawn
    size = spawn.POOL.size
    cloud = awskit.Cloud(seed=0)
    try:
        lam = awskit_function(cloud)
        if pooled:
            spawn.POOL.resize(max(size, 1))
            wait_for_pool()
        else:
            spawn.POOL.resize(0)
        t0 = time.perf_counter()
        invoke_once(lam)
        cold_s = time.perf_counter() - t0
        record, simulated_ms = cloud.awslambda.invocations[-1], cloud.traces[-1].duration_ms
        assert record.cold, "the first invoke should have been a cold start"
        wait_for_pool()
        warm = []
        for _ in range(5):
            t0 = time.perf_counter()
            invoke_once(lam)
            warm.append(time.perf_counter() - t0)
        assert not cloud.awslambda.invocations[-1].cold
        warm_s = sorted(warm)[2]                       # the median of five
        return {"cold_s": cold_s, "warm_s": warm_s, "init_ms": record.measured_init_ms,
                "simulated_ms": simulated_ms}
    finally:
        cloud.awslambda.stop_processes()
        spawn.POOL.resize(size)


# -- at scale ----------------------------------------------------------------------------------------
def simulate_million(n: int = 1_000_000) -> dict:
    """``cloud.awslambda.simulate`` of n invocations: a steady 1,000 requests/s, lognormal
    durations (median 40 ms, p99 300 ms), on a 1,024 MB function (no handler runs)."""
    import awskit
    from awskit.awslambda import traffic
    cloud = awskit.Cloud(seed=0)
    iam, lam = clients(cloud)
    lam.create_function(FunctionName="scale", Runtime="python3.12", Role=role_arn(iam),
                        Handler=HANDLER, Code={"ZipFile": CODE}, MemorySize=1024, Timeout=60)
    cloud.advance(seconds=cloud.awslambda.create_seconds)
    pattern = traffic.steady(1000, n / 1000)
    t0 = time.perf_counter()
    result = cloud.awslambda.simulate("scale", pattern, duration_ms=traffic.lognormal(40, 300),
                                      progress=False)
    elapsed = time.perf_counter() - t0
    assert len(result.frame) == n, len(result.frame)
    return {"n": n, "seconds": elapsed, "cold": int(result.frame["cold"].sum())}


# -- what moto can do without Docker --------------------------------------------------------------
def control_plane(n: int) -> tuple[int, float]:
    """Under an active mock: n CreateFunction + n GetFunction, and a ListFunctions (one page
    of 50) every tenth function. Keep n <= 50: moto ignores MaxItems and would list them all."""
    iam, lam = clients()
    role = role_arn(iam)
    ops = 0
    t0 = time.perf_counter()
    for i in range(n):
        name = f"fn-{i:05d}"
        create(lam, role, name)
        lam.get_function(FunctionName=name)
        ops += 2
        if i % 10 == 9:
            lam.list_functions(MaxItems=50)
            ops += 1
    elapsed = time.perf_counter() - t0
    listed = lam.list_functions(MaxItems=50)["Functions"]
    assert len(listed) == min(50, n), len(listed)
    return ops, elapsed


def moto_invoke_probe() -> tuple[bool, str]:
    """Inside ``moto.mock_aws()``: create the function and invoke it once. (True, "") when the
    handler really ran; else (False, what moto answered)."""
    import moto
    log = logging.getLogger("moto")
    level = log.level
    log.setLevel(logging.CRITICAL)             # its "error running docker" is reported below
    try:
        with moto.mock_aws(), contextlib.redirect_stdout(io.StringIO()):
            iam, lam = clients()
            create(lam, role_arn(iam))
            out = lam.invoke(FunctionName="bench", Payload=PAYLOAD)
            body = out["Payload"].read()
    except Exception as exc:                   # noqa: BLE001 (reported, not hidden)
        return False, f"{type(exc).__name__}: {exc}"
    finally:
        log.setLevel(level)
    try:
        ran = json.loads(body) == EXPECTED and not out.get("FunctionError")
    except ValueError:
        ran = False
    if ran:
        return True, ""
    text = body.decode("utf-8", "replace").strip()
    return False, f"FunctionError={out.get('FunctionError')}: {text[:160]}"


def moto_warm(n: int) -> tuple[int, float]:
    """Warm invokes under ``moto.mock_aws()`` (only when :func:`moto_invoke_probe` succeeded)."""
    import moto
    with moto.mock_aws():
        iam, lam = clients()
        create(lam, role_arn(iam))
        invoke_once(lam)
        return warm_invokes(lam, n)
