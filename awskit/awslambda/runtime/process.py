"""``ExecutionProcess``: the real process behind one simulated execution environment.

    p = ExecutionProcess(code_zip, "lambda_function.lambda_handler", {"STAGE": "dev"}, 128,
                         "my-function", "$LATEST", "/aws/lambda/my-function",
                         "2024/01/01/[$LATEST]0123...", "us-east-1", "123456789012")
    init = p.init(timeout_s=10)                    # INIT: unzip, import the module
    out = p.invoke(b'{"x": 1}', request_id="...", timeout_s=3, deadline_ms=...)
    out.status, out.payload, out.logs              # "ok" | "error" | "timeout" | "crash"
    p.close()

What Lambda does and what we do (each environment is a Firecracker microVM on AWS, a worker
process here, see ``bootstrap.py``):

- INIT runs once; then each invoke reuses the warm process, whose module state persists.
- A handler that raises gives ``status="error"`` and the runtime's error document; the
  environment stays warm (the runtime catches the exception, as on AWS).
- A timeout kills the process group: ``status="timeout"``, Lambda's ``Sandbox.Timedout``
  document; a process that exits or dies (``sys.exit``, ``os._exit``, a segfault, killed):
  ``status="crash"``, ``Runtime.ExitError``; resident memory above the configured size (sampled
  every 10 ms, and checked against the peak after each phase): killed, ``status="crash"``,
  ``Runtime.OutOfMemory``. After a timeout or crash the environment is dead (``alive`` False)
  and the caller creates a new one, as Lambda resets the environment [fact sheet A4].
- The payload of a successful invoke is returned whatever its size; a caller applying the 6 MB
  synchronous limit uses ``errors.response_too_large_error()``.
- ``now_ms`` (epoch milliseconds of the simulated clock) makes log timestamps deterministic:
  every ``logging`` record of a phase is stamped with the phase's start time on that clock
  (simplified: on AWS they advance in real time). ``deadline_ms`` is on the same clock (the
  real wall clock if ``now_ms`` is None); the real timeout is ``timeout_s``.
- ``random_seed`` seeds Python's ``random`` before INIT, so handlers drawing from it give the
  same numbers on every run of a notebook (AWS seeds from the kernel's entropy); a SnapStart
  restore keeps the snapshot's ``random`` state, as a restored microVM does.

Simplified: the handler runs on the notebook's own Python version, whatever ``runtime`` says
(``AWS_EXECUTION_ENV`` reports the configured runtime); memory counts the worker process
itself, not processes the handler starts; a baseline interpreter uses ~15 MB where AWS's Python
runtime uses ~40 MB. boto3 calls made by the handler never reach the network: the worker sends
them to this process (``aws_bridge.py``), which answers them with :meth:`answer_aws_calls`'s
callable while it waits for the phase to end (the Lambda service attaches the simulated cloud,
with the execution role's credentials in the environment); unanswered, they fail.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
import weakref
import zipfile
from dataclasses import dataclass, field

from . import errors, spawn

#: the INIT phase's own cap on AWS for on-demand environments [fact sheet A4]
INIT_TIMEOUT_S = 10.0


@dataclass
class InitOutcome:
    ok: bool
    error: dict | None              # the runtime's error document (or a platform one)
    logs: list[str]                 # log events written during INIT
    measured_ms: float              # real time the worker spent in INIT
    status: str = "ok"              # "ok" | "error" | "timeout" | "crash"
    error_type: str | None = None   # INIT_REPORT's "Error Type" (e.g. Runtime.ImportModuleError)
    max_memory_mb: int = 0
    wall_ms: float = 0.0            # real time seen by the parent (incl. waiting for the process)


@dataclass
class InvokeOutcome:
    status: str                     # "ok" | "error" | "timeout" | "crash"
    payload: bytes                  # response body: the result, or the error document
    error: dict | None
    logs: list[str]                 # the handler's log events (no START/END/REPORT)
    measured_ms: float              # real handler time (parent's elapsed time on timeout/crash)
    max_memory_mb: int              # peak resident memory of the environment so far
    wall_ms: float = 0.0            # real round trip seen by the parent
    error_type: str | None = field(default=None)   # REPORT's "Error Type" for crashes

    @property
    def payload_size(self) -> int:
        return len(self.payload)


class ExecutionProcess:
    """One execution environment's worker process (see the module docstring)."""

    #: top-level packages the handler may import from site-packages (AWS ships boto3 & deps)
    runtime_packages = spawn.RUNTIME_PACKAGES

    def __init__(self, code_zip: bytes, handler: str, environment: dict[str, str],
                 memory_mb: int, function_name: str, function_version: str, log_group: str,
                 log_stream: str, region: str, account: str, runtime: str = "python3.12",
                 initialization_type: str = "on-demand", random_seed: int | None = None):
        if not zipfile.is_zipfile(io.BytesIO(code_zip)):
            raise ValueError("code_zip is not a zip file (the control plane must reject it)")
        self.handler, self.memory_mb = handler, int(memory_mb)
        self.function_name, self.function_version = function_name, function_version
        self.log_group, self.log_stream = log_group, log_stream
        self.region, self.account, self.runtime = region, account, runtime
        self.initialization_type = initialization_type
        self.random_seed = random_seed
        self.environment = dict(environment or {})
        self._worker = spawn.POOL.take(self.runtime_packages)
        self._finalizer = weakref.finalize(self, self._worker.destroy)
        self._code_dir = self._worker.dirs[0]
        self.task_root = os.path.join(self._code_dir.path, "task")
        with open(os.path.join(self._code_dir.path, "code.zip"), "wb") as f:
            f.write(code_zip)
        self._busy = threading.Lock()
        self.initialized = False
        self.invocations = 0
        self.restore_result: InitOutcome | None = None
        self._peak_mb = 0

    # -- state ---------------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return not self._worker.dead

    @property
    def pid(self) -> int:
        return self._worker.pid

    def _check_alive(self):
        if not self.alive:
            raise errors.EnvironmentDead("this execution environment's process is gone; "
                                         "create a new ExecutionProcess")

    def _serving(self):
        """Hold the environment for one phase: it serves one request at a time."""
        self._check_alive()
        if not self._busy.acquire(blocking=False):
            raise errors.RuntimeProcessError("this execution environment is busy: it serves one "
                                             "request at a time")
        return _Release(self._busy)

    def lambda_environment(self) -> dict[str, str]:
        """The environment variables the function sees (Developer Guide, configuration-envvars:
        reserved variables are set by Lambda and cannot be overridden by the function's)."""
        env = dict(spawn.BASE_ENV)
        env.update(self.environment)
        env.update({
            "_HANDLER": self.handler, "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region, "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": self.function_version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": self.initialization_type,
            "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
            "LAMBDA_TASK_ROOT": self.task_root, "LAMBDA_RUNTIME_DIR": spawn.RUNTIME_DIR,
            "TZ": ":UTC"})
        return env

    def answer_aws_calls(self, serve) -> None:
        """Answer the function's boto3 calls with ``serve(header) -> reply header`` (messages
        ``aws_call`` / ``aws_result``, see ``aws_bridge.py``), while INIT or INVOKE runs."""
        self._worker.serve = serve

    # -- the end of a phase --------------------------------------------------------------------
    def _die(self, how: str, request_id: str):
        """End the process of a failed phase (kill it unless it ended by itself), reap it and
        collect its last logs: ``(status, platform error or None for a timeout, logs, code)``."""
        worker = self._worker
        self._peak_mb = max(self._peak_mb, worker.peak_mb())
        if how in ("timeout", "oom"):
            worker.kill()
        code = worker.reap()
        logs = worker.read_logs()
        worker.destroy()
        self._finalizer.detach()
        if how == "timeout":
            return "timeout", None, logs, code
        if how == "oom":
            self._peak_mb = self.memory_mb
            return "crash", errors.out_of_memory_error(request_id), logs, code
        return "crash", errors.exit_error(request_id, code), logs, code

    # -- INIT ----------------------------------------------------------------------------------
    def init(self, timeout_s: float = INIT_TIMEOUT_S, now_ms: int | None = None,
             request_id: str = "") -> InitOutcome:
        """Run INIT (unpack the code, set the environment, import the handler's module).
        ``request_id`` only names the invocation in platform error messages."""
        with self._serving():
            return self._init(timeout_s, now_ms, request_id)

    def _init(self, timeout_s, now_ms, request_id) -> InitOutcome:
        if self.initialized:
            raise errors.RuntimeProcessError("INIT runs once per execution environment")
        start = time.monotonic()
        deadline = start + timeout_s
        worker = self._worker
        got = worker.wait(deadline)
        if got[0] == "msg":
            worker.send({"op": "init", "zip_path": os.path.join(self._code_dir.path, "code.zip"),
                         "task_root": self.task_root, "handler": self.handler,
                         "env": self.lambda_environment(), "runtime_dir": spawn.RUNTIME_DIR,
                         "address_space_mb": max(4 * self.memory_mb, self.memory_mb + 2048),
                         "now_ms": now_ms, "random_seed": self.random_seed})
            got = worker.wait(deadline, self.memory_mb)
        wall = (time.monotonic() - start) * 1000
        if got[0] == "msg" and got[1].get("op") == "init_done":
            header = got[1]
            self._peak_mb = max(self._peak_mb, header.get("max_memory_mb", 0))
            if header["ok"] and self._peak_mb <= self.memory_mb:
                self.initialized = True
                return InitOutcome(True, None, worker.read_logs(), header["measured_ms"],
                                   max_memory_mb=self._peak_mb, wall_ms=wall)
            if header["ok"]:
                got = ("oom",)
            else:
                error = header["error"]
                _, _, logs, _ = self._die("exit", request_id)
                return InitOutcome(False, error, logs, header["measured_ms"], "error",
                                   error["errorType"], self._peak_mb, wall)
        status, error, logs, _ = self._die(_how(got), request_id)
        if status == "timeout":
            error = errors.timeout_error(request_id, timeout_s)
        return InitOutcome(False, error, logs, wall, status,
                           None if status == "timeout" else error["errorType"],
                           self._peak_mb, wall)

    # -- INVOKE --------------------------------------------------------------------------------
    def invoke(self, payload: bytes, request_id: str, timeout_s: float, deadline_ms: int,
               client_context=None, identity=None, invoked_function_arn: str | None = None,
               now_ms: int | None = None) -> InvokeOutcome:
        """Run the handler once with ``payload`` (the event, JSON bytes)."""
        with self._serving():
            return self._invoke(payload, request_id, timeout_s, deadline_ms, client_context,
                                identity, invoked_function_arn, now_ms)

    def _invoke(self, payload, request_id, timeout_s, deadline_ms, client_context, identity,
                invoked_function_arn, now_ms) -> InvokeOutcome:
        if not self.initialized:
            raise errors.RuntimeProcessError("call init() before invoke()")
        if invoked_function_arn is None:
            invoked_function_arn = (f"arn:aws:lambda:{self.region}:{self.account}:function:"
                                    f"{self.function_name}")
        worker = self._worker
        start = time.monotonic()
        worker.send({"op": "invoke", "request_id": request_id, "deadline_ms": deadline_ms,
                     "now_ms": now_ms, "invoked_function_arn": invoked_function_arn,
                     "client_context": client_context, "identity": identity}, bytes(payload))
        got = worker.wait(start + timeout_s, self.memory_mb)
        wall = (time.monotonic() - start) * 1000
        self.invocations += 1
        if got[0] == "msg" and got[1].get("op") == "result":
            header, body = got[1], got[2]
            self._peak_mb = max(self._peak_mb, header.get("max_memory_mb", 0))
            if self._peak_mb <= self.memory_mb:
                logs = worker.read_logs()
                if header["ok"]:
                    return InvokeOutcome("ok", body, None, logs, header["measured_ms"],
                                         self._peak_mb, wall)
                error = _json(body)
                return InvokeOutcome("error", body, error, logs, header["measured_ms"],
                                     self._peak_mb, wall)
            got = ("oom",)
        status, error, logs, _ = self._die(_how(got), request_id)
        if status == "timeout":
            error = errors.timeout_error(request_id, timeout_s)
        return InvokeOutcome(status, errors.platform_payload(error), error, logs, wall,
                             self._peak_mb, wall,
                             None if status == "timeout" else error["errorType"])

    # -- SnapStart -----------------------------------------------------------------------------
    def snapshot(self, timeout_s: float = INIT_TIMEOUT_S):
        """Run the before-snapshot hooks and turn this initialised process into a snapshot
        (see ``snapshot.py``). This environment is used up, as on AWS, where the environment
        that ran INIT for a SnapStart version is snapshotted and never serves invocations."""
        from .snapshot import Snapshot
        return Snapshot._take(self, timeout_s)

    @classmethod
    def restore(cls, snapshot, log_stream: str | None = None, timeout_s: float = 10.0):
        """A new execution environment started from ``snapshot``: its module code does not run
        again; ``restore_result`` tells how the after-restore hooks went."""
        return snapshot.restore(log_stream=log_stream, timeout_s=timeout_s)

    # -- the end -------------------------------------------------------------------------------
    def close(self) -> None:
        """Shut the environment down: kill its process group, remove its files (idempotent)."""
        self._finalizer()

    def __repr__(self):
        state = "alive" if self.alive else "dead"
        return (f"<ExecutionProcess {self.function_name}:{self.function_version} pid={self.pid} "
                f"{state} invocations={self.invocations}>")


class _Release:
    def __init__(self, lock):
        self.lock = lock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.lock.release()


def _how(got) -> str:
    """How a phase ended without its answer: "timeout", "oom" or "exit"."""
    if got[0] == "msg":
        return "oom" if got[1].get("op") == "oom" else "exit"
    return {"timeout": "timeout", "oom": "oom"}.get(got[0], "exit")


def _json(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None


def set_pool_size(size: int) -> None:
    """How many idle interpreters to keep ready for cold starts (0 disables the pool)."""
    spawn.POOL.resize(size, ExecutionProcess.runtime_packages)
