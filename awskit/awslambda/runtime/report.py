"""The platform's log lines around each invocation, formatted from given durations.

Lambda (not the function) writes these lines to the environment's log stream; the caller
decides which durations go in them (the simulation's modelled, deterministic durations; the real
measured times are beside them in the outcomes). Formats, fields separated by tabs:

    START RequestId: <id> Version: $LATEST
    END RequestId: <id>
    REPORT RequestId: <id>\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\t
        Max Memory Used: 40 MB\tInit Duration: 150.21 ms            (Init Duration: cold starts)
    ... \tStatus: timeout                                           (the invoke timed out)
    ... \tStatus: error\tError Type: Runtime.ExitError              (the runtime crashed)
    INIT_REPORT Init Duration: 1236.04 ms\tPhase: init\tStatus: timeout
    RESTORE_REPORT Restore Duration: 1236.04 ms\tStatus: error\tError Type: Runtime.ExitError

Sources: AWS Lambda Developer Guide, python-logging ("Report Log" fields, example with
``Init Duration``; raw CloudWatch events show the tab separators) and lambda-runtime-environment
("Failures during the init phase": INIT_REPORT; "Restore phase": RESTORE_REPORT; "Failures
during the invoke phase": the current REPORT line adds ``Status`` and, for a runtime crash,
``Error Type``). ``Restore Duration`` / ``Billed Restore Duration`` on SnapStart REPORT lines are
from secondary sources (fact sheet A11). Billed duration: rounded up to the next millisecond
(1 ms granularity since December 2020, fact sheet A8); pass ``billed_ms`` to override.
"""

from __future__ import annotations

import math


def start_line(request_id: str, version: str = "$LATEST") -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def billed_ms(duration_ms: float) -> int:
    """Billed duration: the duration rounded up to the millisecond (at least 1 ms)."""
    return max(1, math.ceil(round(duration_ms, 6)))


def _status(status: str | None, error_type: str | None) -> list[str]:
    if status in (None, "success", "ok"):
        return []
    if status not in ("error", "timeout"):
        raise ValueError(f"status must be None, 'error' or 'timeout', not {status!r}")
    fields = [f"Status: {status}"]
    if error_type:
        fields.append(f"Error Type: {error_type}")
    return fields


def report_line(request_id: str, duration_ms: float, memory_mb: int, max_memory_mb: int,
                init_ms: float | None = None, billed: int | None = None,
                status: str | None = None, error_type: str | None = None,
                restore_ms: float | None = None, billed_restore_ms: int | None = None) -> str:
    """The REPORT line. ``init_ms`` only on the first invocation of an environment that ran
    INIT; ``status`` "timeout" or "error" (with ``error_type``) when the platform ended it."""
    fields = [f"REPORT RequestId: {request_id}",
              f"Duration: {duration_ms:.2f} ms",
              f"Billed Duration: {billed_ms(duration_ms) if billed is None else billed} ms",
              f"Memory Size: {memory_mb} MB",
              f"Max Memory Used: {max_memory_mb} MB"]
    if init_ms is not None:
        fields.append(f"Init Duration: {init_ms:.2f} ms")
    if restore_ms is not None:
        if billed_restore_ms is None:
            billed_restore_ms = billed_ms(restore_ms)
        fields.append(f"Restore Duration: {restore_ms:.2f} ms")
        fields.append(f"Billed Restore Duration: {billed_restore_ms} ms")
    return "\t".join(fields + _status(status, error_type))


def invocation_lines(request_id: str, handler_logs: list[str], duration_ms: float,
                     memory_mb: int, max_memory_mb: int, version: str = "$LATEST",
                     **report_kwargs) -> list[str]:
    """START, the handler's own lines, END, REPORT: what one invocation adds to its stream."""
    return [start_line(request_id, version), *handler_logs, end_line(request_id),
            report_line(request_id, duration_ms, memory_mb, max_memory_mb, **report_kwargs)]


def init_report_line(init_ms: float, status: str, error_type: str | None = None,
                     phase: str = "init") -> str:
    """INIT_REPORT: written when INIT failed or timed out (and always with SnapStart)."""
    return "\t".join([f"INIT_REPORT Init Duration: {init_ms:.2f} ms", f"Phase: {phase}"]
                     + _status(status, error_type))


def restore_report_line(restore_ms: float, status: str | None = None,
                        error_type: str | None = None) -> str:
    return "\t".join([f"RESTORE_REPORT Restore Duration: {restore_ms:.2f} ms"]
                     + _status(status, error_type))
