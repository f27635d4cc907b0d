"""The simulated clock and its discrete-event scheduler.

Time in a cloud never comes from the wall clock. ``clock.now`` starts at a fixed instant and
moves only when the simulation says so:

- a request moves it by the simulated duration of the steps it takes (``Clock.spend``);
- ``cloud.advance(seconds=...)`` moves it forward and runs, in order, every scheduled event
  that falls due (lifecycle transitions, expirations, retries, ...).

The scheduler is a heap of ``(due, serial, event)``: the serial breaks ties so events due at
the same instant run in the order they were scheduled, which keeps runs deterministic.
Events that fall due while a request is running (its steps moved the clock past them) run
at the next boundary: the start of the next request or the next ``advance``.
"""

from __future__ import annotations

import functools
import heapq
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

#: The instant every cloud's clock starts at (a Monday morning, UTC).
EPOCH = datetime(2026, 3, 2, 9, 0, 0, tzinfo=timezone.utc)
_EPOCH_TS = EPOCH.timestamp()


@dataclass(order=True)
class Event:
    """One scheduled piece of work: ``action()`` runs when the clock reaches ``due``."""

    due: float
    serial: int
    name: str = field(compare=False)
    action: Callable[[], None] = field(compare=False, repr=False)
    cancelled: bool = field(default=False, compare=False)

    @property
    def at(self) -> datetime:
        return EPOCH + timedelta(seconds=self.due)

    def cancel(self) -> None:
        self.cancelled = True


class Clock:
    """Simulated UTC time, in seconds since :data:`EPOCH`, with a scheduler of events."""

    def __init__(self, elapsed: float = 0.0):
        self.elapsed = float(elapsed)   # seconds since EPOCH
        self._queue: list[Event] = []
        self._serial = 0

    # -- reading ----------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        """The current simulated time, a timezone-aware UTC datetime."""
        return EPOCH + timedelta(seconds=self.elapsed)

    @property
    def timestamp(self) -> float:
        """The current simulated time as a POSIX timestamp."""
        return _EPOCH_TS + self.elapsed

    def at(self, elapsed: float) -> datetime:
        return EPOCH + timedelta(seconds=elapsed)

    # -- moving -----------------------------------------------------------------------------
    def spend(self, seconds: float) -> None:
        """Move time forward by work in progress (a request's step). Events wait."""
        if seconds < 0:
            raise ValueError("time cannot run backwards")
        self.elapsed += seconds

    def advance(self, seconds: float) -> int:
        """Move time forward by ``seconds``, running every event that falls due, in order.

        Returns how many events ran.
        """
        if seconds < 0:
            raise ValueError("time cannot run backwards")
        return self.run_until(self.elapsed + seconds)

    def run_until(self, target: float) -> int:
        ran = 0
        queue = self._queue
        while queue and queue[0].due <= target:
            event = heapq.heappop(queue)
            if event.cancelled:
                continue
            if event.due > self.elapsed:
                self.elapsed = event.due
            event.action()
            ran += 1
        if target > self.elapsed:
            self.elapsed = target
        return ran

    def run_due(self) -> int:
        """Run the events already due (called at the start of every request)."""
        if self._queue and self._queue[0].due <= self.elapsed:
            return self.run_until(self.elapsed)
        return 0

    # -- scheduling -------------------------------------------------------------------------
    def schedule(self, delay: float, action: Callable[[], None], name: str = "") -> Event:
        """Run ``action`` ``delay`` seconds from now."""
        return self.schedule_at(self.elapsed + max(0.0, delay), action, name)

    def schedule_at(self, elapsed: float, action: Callable[[], None], name: str = "") -> Event:
        """Run ``action`` when the clock reaches ``elapsed`` seconds since the epoch."""
        self._serial += 1
        event = Event(elapsed, self._serial, name or getattr(action, "__name__", "event"), action)
        heapq.heappush(self._queue, event)
        return event

    @property
    def pending(self) -> list[Event]:
        """Scheduled events not yet run, soonest first."""
        return sorted(e for e in self._queue if not e.cancelled)

    def seconds_since_epoch(self, when: datetime) -> float:
        return (when - EPOCH).total_seconds()


def aws_datetime(elapsed: float, precision: str = "seconds") -> datetime:
    """A clock reading as botocore hands timestamps to users: aware, ``tzutc()``.

    S3 reports Last-Modified to the second; pass ``precision="ms"`` to keep milliseconds.
    """
    from dateutil.tz import tzutc
    if precision == "seconds":
        elapsed = float(int(elapsed))
    else:
        elapsed = round(elapsed, 3)
    return (EPOCH + timedelta(seconds=elapsed)).replace(tzinfo=tzutc())


def iso8601(elapsed: float, ms: bool = True) -> str:
    """``2026-03-02T09:00:00.000Z``: how S3 writes times in XML bodies."""
    if ms and elapsed == int(elapsed):
        return _iso8601_second(int(elapsed))
    moment = EPOCH + timedelta(seconds=elapsed)
    if ms:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=1024)
def _iso8601_second(elapsed: int) -> str:
    return (EPOCH + timedelta(seconds=elapsed)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
