"""What one invocation was: its record, and the small rules every invocation shares.

``cloud.awslambda.invocations`` keeps the most recent :class:`Invocation` records (newest last,
at most 1,000; not saved with the cloud): the modelled figures that the trace, the REPORT line
and the bill use, and beside them the real measured ones (``measured_*``, ``wall_ms``), which
differ from run to run and therefore never appear in a trace.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..clock import EPOCH
from . import exceptions as errors

_EPOCH_MS = EPOCH.timestamp() * 1000


def epoch_ms(elapsed: float) -> int:
    return int(round(_EPOCH_MS + elapsed * 1000))


def throttled(reason: str) -> errors.AWSError:
    """TooManyRequestsException as Lambda sends it (``Reason``, ``Type: User``,
    ``Rate Exceeded.``; the Reason values are botocore's ThrottleReason enum)."""
    return errors.TooManyRequestsException("Rate Exceeded.", Reason=reason, Type="User")


def check_state(version, now: float) -> None:
    """A version being created cannot run yet (AWS's errors for Invoke then)."""
    if version.state(now) == "Pending":
        if version.snapstart_on:
            raise errors.SnapStartNotReadyException(
                "Lambda is initializing your function. It will be ready to invoke once your "
                "function state becomes Active.")
        raise errors.ResourceConflictException(
            "The operation cannot be performed at this time. The function is currently in the "
            "following state: Pending")


@dataclass
class Invocation:
    """One invocation as it ran: modelled figures (in the trace, REPORT and bill) and the real
    measured ones (only here: they differ from run to run)."""

    request_id: str
    function_arn: str               # the qualified ARN that ran (…:function:name:version)
    invoked_arn: str                # the ARN the caller named
    invocation_type: str            # "RequestResponse" | "Event"
    attempt: int = 1
    start: float = 0.0              # simulated clock, s
    status: str = "ok"              # ok | error | timeout | crash | throttled
    error_type: str | None = None
    cold: bool = False
    restored: bool = False
    provisioned: bool = False
    env_id: str | None = None
    host_id: str | None = None
    init_ms: float | None = None
    restore_ms: float | None = None
    duration_ms: float = 0.0
    billed_ms: int = 0
    max_memory_mb: int = 0
    cost: float = 0.0
    measured_init_ms: float | None = None
    measured_ms: float | None = None
    measured_max_memory_mb: int | None = None
    wall_ms: float | None = None
    aws_calls: list = field(default_factory=list)
    trace: object = field(default=None, repr=False)
