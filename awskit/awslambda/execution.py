"""One invocation on the synchronous path, traced step by step (facts A1, A4, A5, A8).

Both the Invoke operation (``RequestResponse``) and the asynchronous poller run invocations
through :class:`Run`, in two halves: :meth:`Run.begin` takes the request from the front end's
metadata load to the end of the handler; :meth:`Run.complete` releases the environment and
the concurrency slot, bills, writes the logs and answers. (The poller begins every event due
at the same simulated moment before completing any, so overlapping events hold overlapping
environments: each gets its own, as concurrency works on AWS.)

The steps, with the components of ``internals/`` (which return the steps; this records them)::

    Front end          load the function's metadata (host cache, AZ cache, DynamoDB table)
    Counting service   a concurrency slot, or TooManyRequestsException (429) and nothing more
    Assignment service a warm idle environment, or ... (cold start:)
    Placement service  a worker host and a microVM (pool or boot), the role's credentials
    Execution environment / Component storage   runtime start, code chunks; or a SnapStart
                       restore instead of INIT
    Execution environment   INIT: the module's code REALLY runs (duration: the model's)
    Execution environment   INVOKE: the handler REALLY runs (duration: the model's + its AWS calls)
    Assignment service release (or drain after a timeout or crash: the next request gets a new one)
    CloudWatch Logs    START / the function's lines / END / REPORT, stream of the environment
    Front end          the response

INIT failures are reported as AWS reports them (Developer Guide, lambda-runtime-environment,
"Failures during the init phase"; fact sheet A4): the failed INIT writes ``INIT_REPORT ...
Phase: init Status: error``, Lambda retries INIT once in the invoke phase (a new process; its
``INIT_REPORT`` says ``Phase: invoke``), and if that fails too the invocation answers the
runtime's error document as a function error and the environment is discarded. The INIT phase
is capped at 10 s. A modelled duration longer than the function's timeout is a timeout in the
simulation, whatever the real handler did (the real one is stopped at the real timeout).
Teaching values (AWS publishes none): the front end answers in :data:`RESPOND_MS` (0.5 ms);
handing the log lines to CloudWatch Logs takes :data:`LOGS_MS` (0.5 ms; on AWS the telemetry
agent ships them off the response's path).
"""

from __future__ import annotations

import base64
import json

from . import exceptions as errors
from .environments import INVALID_ENTRYPOINT, DeferredProcess, NoEntrypoint
from .handler_bridge import Phase
from .internals import UNIQUENESS, Internals
from .invocation import Invocation, check_state, epoch_ms, throttled
from .runtime import errors as platform
from .runtime import report

INIT_TIMEOUT_S = 10.0
RESPOND_MS = 0.5
LOGS_MS = 0.5
LOG_TAIL_BYTES = 4096


class Run:
    """One invocation of ``version`` (see the module docstring)."""

    def __init__(self, svc, req, found, version, payload: bytes, *, invocation_type: str,
                 fleet: str = "sync", client_context: str | None = None, attempt: int = 1):
        self.svc, self.req, self.found = svc, req, found
        self.clock = svc.cloud.clock
        self.published = version
        self.version = version.live(self.clock.elapsed)
        self.key = self.version.arn
        self.qualifier = found.qualifier or version.version
        self.payload = payload
        self.fleet = fleet
        self.sync = invocation_type == "RequestResponse"
        self.client_context = client_context
        self.internals = svc.internals(self.version.region)
        self.grant = self.env = None
        self.model = svc.duration_model_of(self.version)
        self.lines: list[tuple[float, str]] = []
        self.init_ms = self.restore_ms = None
        self.init_failure = None         # (status, error document, error type)
        self.dead = False                # the environment must go (timeout, crash, failed INIT)
        self.response = b""
        self.function_error = None
        self.status = "ok"
        self.error_type = None
        self.duration_ms = 0.0
        self.t_start = self.t_end = self.clock.elapsed
        self.record = Invocation(req.request_id, self.key, found.arn, invocation_type, attempt,
                                 self.clock.elapsed, trace=req.trace)

    # -- the first half: up to the end of the handler --------------------------------------------
    def begin(self) -> None:
        req, v, internals = self.req, self.version, self.internals
        Internals.record(req, internals.frontend.load_metadata(self.key, v.revision_id,
                                                               self.fleet))
        self._check_state()
        grant = internals.counting.acquire(v.account, self.key, self.qualifier)
        Internals.record(req, grant.steps)
        if not grant:
            self.record.status = "throttled"
            self.svc.invocations.append(self.record)
            raise throttled(grant.reason)
        self.grant = grant
        try:
            self._environment()
            if self.init_failure is None:
                self._invoke()
        except BaseException:
            self._abort()
            raise

    def _check_state(self) -> None:
        check_state(self.published, self.clock.elapsed)

    def _environment(self) -> None:
        svc, req, v, internals = self.svc, self.req, self.version, self.internals
        Internals.record(req, svc.drain_stale(internals, self.key, svc.serial(v)))
        snapstart = v.snapstart_on and internals.snapshots.get(self.key) is not None
        image = None if snapstart else svc.ensure_image(v, internals)
        start = internals.start(v.account, self.key, memory_mb=v.memory,
                                runtime=v.runtime or "python3.12", grant=self.grant,
                                snapstart=snapstart, image=image)
        Internals.record(req, start.steps)
        if start.throttle:
            self.record.status = "throttled"
            self.svc.invocations.append(self.record)
            raise throttled(start.throttle)
        env = self.env = start.env
        rec = self.record
        rec.cold, rec.restored, rec.provisioned = start.cold, start.restored, env.provisioned
        rec.env_id, rec.host_id = env.env_id, env.host_id
        if start.restored:
            self.restore_ms = round(sum(s[2] for s in start.steps[-2:]), 3)
            self._restore()
        elif start.needs_init or not env.has_process:
            self._init()
            rec.cold = True                      # INIT ran: a cold start, whatever the route
        if self.init_failure is None:
            Internals.record(req, internals.initialized(env))

    # -- INIT ---------------------------------------------------------------------------------------
    def _init_once(self, phase_name: str):
        """Start a process and run INIT: (outcome or None, status, error, error type, ms, logs)."""
        svc, v, env, req = self.svc, self.version, self.env, self.req
        t0 = self.clock.elapsed
        try:
            process, note = svc.new_process(v, env)
        except NoEntrypoint as exc:
            error = {"errorType": INVALID_ENTRYPOINT,
                     "errorMessage": f"RequestId: {req.request_id} Error: {exc}"}
            ms = self.model.init(v.memory)
            req.step("Execution environment", f"INIT in {env.env_id}: no entrypoint to run "
                     f"({INVALID_ENTRYPOINT})", ms, env_id=env.env_id, phase=phase_name,
                     status="error")
            return None, "error", error, INVALID_ENTRYPOINT, ms, []
        with Phase(svc, svc.server_of(env)) as phase:
            out = process.init(INIT_TIMEOUT_S, now_ms=epoch_ms(t0), request_id=req.request_id)
        ms = round(self.model.init(v.memory) + phase.span_ms, 3)
        status, error, error_type = out.status, out.error, out.error_type
        if status == "timeout" or ms >= INIT_TIMEOUT_S * 1000:    # the INIT phase's 10 s cap
            status, ms, error_type = "timeout", INIT_TIMEOUT_S * 1000, None
            error = platform.timeout_error(req.request_id, INIT_TIMEOUT_S)
        text = {"ok": "module code ran", "error": f"failed: {error_type}",
                "timeout": f"timed out after {INIT_TIMEOUT_S:g} s",
                "crash": f"the runtime exited: {error_type}"}[status]
        req.step("Execution environment", f"INIT in {env.env_id}: import the module of "
                 f"{v.handler or 'the image command'}, {text}", ms, env_id=env.env_id,
                 phase=phase_name, status=status, credentials=note, aws_calls=phase.calls)
        self.record.measured_init_ms = round(out.measured_ms, 3)
        self.record.aws_calls += phase.calls
        if status != "ok":
            process.close()
        return out, status, error, error_type, ms, [(t0, line) for line in out.logs]

    def _init(self) -> None:
        _, status, error, error_type, ms, logs = self._init_once("init")
        self.lines += logs
        self.init_ms = ms
        if status == "ok":
            return
        self.lines.append((self.clock.elapsed, report.init_report_line(ms, status, error_type)))
        # suppressed init: Lambda tries INIT again in the invoke phase, in a new process
        t_start = self.clock.elapsed
        _, status, error, error_type, ms2, logs = self._init_once("invoke")
        if status == "ok":
            self.lines += logs
            self.init_ms = round(ms + ms2, 3)
            return
        self.t_start = t_start
        self.lines.append((t_start, report.start_line(self.req.request_id,
                                                      self.version.version)))
        self.lines += logs
        self.lines.append((self.clock.elapsed,
                           report.init_report_line(ms2, status, error_type, phase="invoke")))
        self.init_failure = (status, error, error_type)
        self.duration_ms = ms2
        self.dead = True
        self.status = "timeout" if status == "timeout" else "error"
        self.error_type = error.get("errorType") if error else error_type
        self.function_error = "Unhandled"
        self.response = (json.dumps(error).encode() if "stackTrace" in error
                         else platform.platform_payload(error))
        self.t_end = self.clock.elapsed

    # -- SnapStart restore --------------------------------------------------------------------------
    def _restore(self) -> None:
        svc, v, env, req = self.svc, self.version, self.env, self.req
        held = svc.process_snapshot(v, self.internals)
        if held is None:                 # nothing to restore from: fall back to INIT
            self.restore_ms = None
            self.record.restored = False
            self._init()
            return
        process = held.restore(log_stream=env.log_stream)
        server = svc.attach(env, process, v)
        done = process.restore_result
        snap = self.internals.snapshots.get(self.key)
        req.step("Execution environment", f"{env.env_id} resumes from snapshot "
                 f"{snap.snapshot_id if snap else ''}: INIT does not run; module state (random "
                 "seeds too) is the snapshot's; after-restore hooks run", 0.0,
                 env_id=env.env_id, uniqueness=UNIQUENESS, status="ok" if done.ok else "error",
                 calls=len(server.calls))
        self.record.measured_init_ms = round(done.measured_ms, 3)
        self.lines += [(self.clock.elapsed, line) for line in done.logs]
        if not done.ok:
            self.lines.append((self.clock.elapsed, report.restore_report_line(
                self.restore_ms, "error", done.error_type)))
            self.dead = True
            raise errors.SnapStartException()

    # -- INVOKE -------------------------------------------------------------------------------------
    def _invoke(self) -> None:
        svc, v, env, req = self.svc, self.version, self.env, self.req
        process = env.process
        if isinstance(process, DeferredProcess):
            process = self._start_deferred()
            if process is None:
                return
        self.t_start = t0 = self.clock.elapsed
        timeout_ms = v.timeout * 1000
        with Phase(svc, svc.server_of(env)) as phase:
            out = process.invoke(self.payload, req.request_id, float(v.timeout),
                                 deadline_ms=epoch_ms(t0) + timeout_ms,
                                 client_context=self.client_context,
                                 invoked_function_arn=self.found.arn, now_ms=epoch_ms(t0))
        ms = round(self.model.invoke(v.memory, len(self.payload), len(out.payload))
                   + phase.span_ms, 3)
        status, payload, error_type = out.status, out.payload, out.error_type
        if status == "timeout" or (status != "crash" and ms > timeout_ms):
            status, ms, error_type = "timeout", float(timeout_ms), None
            payload = platform.platform_payload(platform.timeout_error(req.request_id,
                                                                       v.timeout))
        if status == "ok" and self.sync and len(payload) > platform.MAX_SYNC_RESPONSE_BYTES:
            payload = platform.platform_payload(platform.response_too_large_error())
            status = "error"
        self.status, self.response, self.duration_ms = status, payload, ms
        self.function_error = None if status == "ok" else "Unhandled"
        self.error_type = error_type or (_error_type(payload) if status != "ok" else None)
        self.dead = status in ("timeout", "crash")
        rec = self.record
        rec.measured_ms, rec.wall_ms = round(out.measured_ms, 3), round(out.wall_ms, 3)
        rec.measured_max_memory_mb = out.max_memory_mb
        rec.aws_calls += phase.calls
        outcome = {"ok": "returned", "error": f"raised {self.error_type}",
                   "timeout": f"timed out after {v.timeout} s",
                   "crash": f"the runtime exited ({error_type})"}[status]
        req.step("Execution environment", f"INVOKE {v.handler or 'the handler'} in "
                 f"{env.env_id}: {outcome}", ms, env_id=env.env_id, status=status,
                 error_type=self.error_type, aws_calls=phase.calls,
                 modelled_ms=round(ms - phase.span_ms, 3), aws_calls_ms=phase.span_ms)
        self.t_end = self.clock.elapsed
        self.lines.append((t0, report.start_line(req.request_id, v.version)))
        self.lines += [(t0, line) for line in out.logs]

    def _start_deferred(self):
        """A provisioned environment whose process awskit starts now: INIT runs for real, off
        the trace (on AWS it ran when the environment was allocated)."""
        svc, v, env, req = self.svc, self.version, self.env, self.req
        try:
            process, _ = svc.new_process(v, env, "provisioned-concurrency")
        except NoEntrypoint as exc:
            error = {"errorType": INVALID_ENTRYPOINT,
                     "errorMessage": f"RequestId: {req.request_id} Error: {exc}"}
            out = None
        else:
            with Phase(svc, svc.server_of(env)):
                out = process.init(INIT_TIMEOUT_S, now_ms=epoch_ms(self.clock.elapsed),
                                   request_id=req.request_id)
            self.record.measured_init_ms = round(out.measured_ms, 3)
            self.lines += [(self.clock.elapsed, line) for line in out.logs]
            if out.ok:
                return process
            process.close()
            error = out.error or platform.timeout_error(req.request_id, INIT_TIMEOUT_S)
        self.init_failure = ("error", error, error["errorType"])
        self.dead, self.status, self.function_error = True, "error", "Unhandled"
        self.error_type = error["errorType"]
        self.response = platform.platform_payload(error)
        return None

    # -- the second half ----------------------------------------------------------------------------
    def complete(self, respond: bool = True) -> None:
        svc, req, v, internals, rec = self.svc, self.req, self.version, self.internals, self.record
        env = self.env
        if env is not None and env.alive:
            if self.dead:
                why = "INIT failed" if self.init_failure else (
                    "the invocation timed out" if self.status == "timeout" else
                    "the runtime exited")
                steps = internals.discard(env, f"{why}: the next request gets a new "
                                               "environment")
            else:
                steps = internals.finish(env)
            Internals.record(req, steps)
        internals.counting.release(self.grant)
        ran_init = self.init_ms is not None
        provisioned = bool(env is not None and env.provisioned)
        charges = svc.pricing.invocation(v, self.duration_ms, init_ms=self.init_ms or 0.0,
                                         provisioned=provisioned)
        memory_used = self.model.memory_used(v.memory, v.unzipped_size)
        if rec.measured_max_memory_mb:        # the real peak, when the handler used more
            memory_used = min(v.memory, max(memory_used, rec.measured_max_memory_mb))
        if self.error_type == "Runtime.OutOfMemory":
            memory_used = v.memory
        status = {"timeout": "timeout", "crash": "error"}.get(self.status)
        if self.init_failure is not None:
            status = "timeout" if self.init_failure[0] == "timeout" else "error"
        line = report.report_line(
            req.request_id, self.duration_ms, v.memory, memory_used,
            init_ms=self.init_ms if ran_init and not self.init_failure else None,
            billed=charges["billed_ms"], status=status,
            error_type=self.error_type if status == "error" else None,
            restore_ms=self.restore_ms if rec.restored else None)
        if not any(text.startswith("START ") for _, text in self.lines):
            self.lines.append((self.t_start, report.start_line(req.request_id, v.version)))
        self.lines += [(self.t_end, report.end_line(req.request_id)), (self.t_end, line)]
        self._write_logs()
        rec.status, rec.error_type = self.status, self.error_type
        rec.init_ms, rec.restore_ms = (self.init_ms if ran_init else None), self.restore_ms
        rec.duration_ms, rec.billed_ms = self.duration_ms, charges["billed_ms"]
        rec.max_memory_mb, rec.cost = memory_used, charges["total"]
        if respond:
            req.step("Front end", "Respond 200 to the caller" + (
                f" (X-Amz-Function-Error: {self.function_error}, {self.error_type})"
                if self.function_error else ""), RESPOND_MS, status=200,
                function_error=self.function_error, executed_version=v.version)
        svc.invocations.append(rec)

    def _write_logs(self) -> None:
        v, env = self.version, self.env
        stream = env.log_stream if env is not None else ""
        group = v.log_group_name
        self.svc.cloud.logs.write(v.account, v.region, group, stream, self.lines)
        note = "" if self.svc.role_may_log(v) else (
            " (on AWS they would be dropped: the execution role may not logs:PutLogEvents; "
            "attach a policy like AWSLambdaBasicExecutionRole)")
        self.req.step("CloudWatch Logs", f"Write {len(self.lines)} log events to {group}, "
                      f"stream {stream}{note}", LOGS_MS, log_group=group, log_stream=stream,
                      events=len(self.lines))

    def log_tail(self) -> str:
        """``LogResult``: base64 of the last 4 KB of this invocation's log."""
        text = "".join(line + "\n" for _, line in self.lines).encode()
        return base64.b64encode(text[-LOG_TAIL_BYTES:]).decode()

    def _abort(self) -> None:
        if self.grant is not None:
            self.internals.counting.release(self.grant)
        env = self.env
        if env is not None and env.alive and (self.dead or env.state != "idle"):
            Internals.record(self.req, self.internals.discard(env, "the request failed"))


def _error_type(payload: bytes) -> str | None:
    try:
        doc = json.loads(payload)
    except ValueError:
        return None
    return doc.get("errorType") if isinstance(doc, dict) else None


__all__ = ["Run", "Invocation", "check_state", "throttled", "epoch_ms"]
