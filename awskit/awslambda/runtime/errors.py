"""Error payloads produced by the Lambda *platform* (not by the function's runtime), and the
exceptions of this package.

The function's own errors (an exception in the handler, an import error, a marshal error) are
built inside the worker exactly as the Python runtime builds them (see ``bootstrap.py``). The
errors here are the ones Lambda itself writes when the runtime process cannot answer:

- timeout: ``{"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: <id> Error: Task
  timed out after 3.00 seconds"}`` — the current format, observed in real Invoke responses
  (seek-oss/aws-codedeploy-hooks, packages/infra/CHANGELOG.md 2.1.3, 2024: ``"RequestId: 0000...
  Error: Task timed out after 1.00 seconds"``, errorType ``Sandbox.Timedout``). Older responses
  were ``{"errorMessage": "<iso time> <id> Task timed out after 3.07 seconds"}`` (e.g.
  alexa-samples/skill-sample-nodejs-smarthome-switch issue 18, 2020); we use the current one.
  The seconds are the configured timeout with two decimals.
- process exit / crash: ``{"errorType": "Runtime.ExitError", "errorMessage": "RequestId: <id>
  Error: Runtime exited with error: exit status 1"}`` (many real payloads, e.g. the cfn-guard
  lambda README FAQ); a signal reads ``signal: killed`` / ``signal: segmentation fault`` (Go's
  names for the signals: Lambda's agent is written in Go). An exit with status 0 reads ``Runtime
  exited without providing a reason`` (AWS Lambda Developer Guide, lambda-runtime-environment,
  "Failures during the invoke phase", old-style log example).
- out of memory: errorType ``Runtime.OutOfMemory`` (REPORT ``Error Type`` and the telemetry
  ``platform.report`` record; message as for a SIGKILL: ``Runtime exited with error: signal:
  killed``). The message is **unconfirmed** against a primary source; the type is well attested.
- response too large: ``{"errorMessage": "Response payload size exceeded maximum allowed payload
  size (6291556 bytes).", "errorType": "Function.ResponseSizeTooLarge"}`` (several real payloads).

Platform payloads are compact JSON (Lambda's agent is Go, ``encoding/json``); the runtime's own
payloads use ``", "`` and ``": "`` separators (Python's JSON encoder).
"""

from __future__ import annotations

import json
import signal

#: largest synchronous response (bytes) Lambda returns; above it: Function.ResponseSizeTooLarge
MAX_SYNC_RESPONSE_BYTES = 6291556

# Go's syscall signal names (syscall/zerrors_linux_*.go), as they appear after "signal: "
_GO_SIGNAL_NAMES = {
    signal.SIGHUP: "hangup", signal.SIGINT: "interrupt", signal.SIGQUIT: "quit",
    signal.SIGILL: "illegal instruction", signal.SIGTRAP: "trace/breakpoint trap",
    signal.SIGABRT: "aborted", signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception", signal.SIGKILL: "killed",
    signal.SIGUSR1: "user defined signal 1", signal.SIGSEGV: "segmentation fault",
    signal.SIGUSR2: "user defined signal 2", signal.SIGPIPE: "broken pipe",
    signal.SIGALRM: "alarm clock", signal.SIGTERM: "terminated",
    signal.SIGXCPU: "CPU time limit exceeded", signal.SIGXFSZ: "file size limit exceeded",
}


class RuntimeProcessError(Exception):
    """Base class of this package's errors (misuse by the caller, never an AWS error)."""


class EnvironmentDead(RuntimeProcessError):
    """The execution environment's process is gone (closed, crashed or timed out): the caller
    must create a new one, as Lambda does."""


class SnapshotError(RuntimeProcessError):
    """A before-snapshot hook failed (``Runtime.BeforeSnapshotError``): no snapshot was taken."""

    def __init__(self, error: dict, error_type: str, logs: list[str]):
        super().__init__(f"{error_type}: {error.get('errorType')}: {error.get('errorMessage')}")
        self.error, self.error_type, self.logs = error, error_type, logs


def exit_reason(returncode: int) -> str:
    """The text Lambda gives for how the runtime process ended (``Popen.returncode`` style:
    negative = killed by that signal)."""
    if returncode == 0:
        return "Runtime exited without providing a reason"
    if returncode > 0:
        return f"Runtime exited with error: exit status {returncode}"
    sig = -returncode
    name = _GO_SIGNAL_NAMES.get(sig, f"signal {sig}")
    return f"Runtime exited with error: signal: {name}"


def exit_error(request_id: str, returncode: int) -> dict:
    return {"errorType": "Runtime.ExitError",
            "errorMessage": f"RequestId: {request_id} Error: {exit_reason(returncode)}"}


def timeout_error(request_id: str, timeout_s: float) -> dict:
    return {"errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {request_id} Error: Task timed out after "
                            f"{timeout_s:.2f} seconds"}


def out_of_memory_error(request_id: str) -> dict:
    return {"errorType": "Runtime.OutOfMemory",
            "errorMessage": f"RequestId: {request_id} Error: "
                            f"{exit_reason(-signal.SIGKILL)}"}


def response_too_large_error() -> dict:
    return {"errorMessage": "Response payload size exceeded maximum allowed payload size "
                            f"({MAX_SYNC_RESPONSE_BYTES} bytes).",
            "errorType": "Function.ResponseSizeTooLarge"}


def platform_payload(error: dict) -> bytes:
    """The Invoke response body for a platform error (compact JSON, as Lambda's agent writes)."""
    return json.dumps(error, separators=(",", ":")).encode()
