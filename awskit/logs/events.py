"""Writing and reading log events: PutLogEvents, GetLogEvents, FilterLogEvents. Mixed into
:class:`awskit.logs.api.Logs`.

PutLogEvents [BC logs:PutLogEvents]: up to 10,000 events in chronological order (else the whole
call fails); at most 1,048,576 bytes, counting each message's UTF-8 bytes plus 26 bytes per
event; the accepted events may not span more than 24 hours. Events more than 2 hours in the
future, more than 14 days old, or older than the group's retention are rejected while the rest
are stored (``rejectedLogEventsInfo``: ``tooNewLogEventStartIndex``,
``tooOldLogEventEndIndex``, ``expiredLogEventEndIndex``; awskit counts an event older than 14
days as too old and one inside 14 days but before the retention as expired). The sequence token
is ignored and never refused (AWS since 2023); awskit does not return ``nextSequenceToken``
(whether AWS still sends one is unconfirmed). ``entity`` is accepted and not used.

GetLogEvents reads one stream: ``startFromHead`` true reads from the oldest event, false (the
default) returns the newest page; ``startTime`` is inclusive, ``endTime`` exclusive; up to
``limit`` events (default and maximum 10,000) and 1 MB. ``nextForwardToken`` /
``nextBackwardToken`` page forward and back, and come back unchanged at the end of the stream.
FilterLogEvents searches a group (or ``logStreamNames`` / ``logStreamNamePrefix``, not both),
``startTime`` and ``endTime`` inclusive, with a filter pattern (``filter.py``), events
interleaved across streams by timestamp; ``searchedLogStreams`` is always empty (AWS since 2020).
"""

from __future__ import annotations

import base64
from itertools import pairwise

from .. import errors
from ..service import Request, operation
from .filter import Pattern

MAX_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
PAGE_BYTES = 1_048_576
HOUR_MS, DAY_MS = 3_600_000, 86_400_000
_LOW = (0, 0)


def _invalid(message: str) -> errors.AWSError:
    return errors.for_code("InvalidParameterException")(message)


def _token(direction: str, key: tuple[int, int]) -> str:
    return f"{direction}/{key[0]:020d}{key[1]:036d}"


def _read_token(token: str) -> tuple[str, tuple[int, int]]:
    if len(token) != 58 or token[0] not in "fb" or token[1] != "/" or not token[2:].isdigit():
        raise _invalid("The specified nextToken is invalid.")
    return token[0], (int(token[2:22]), int(token[22:]))


class EventOperations:
    """The event half of the CloudWatch Logs API."""

    @operation
    def put_log_events(self, req: Request, logGroupName: str, logStreamName: str,
                       logEvents: list, sequenceToken=None, entity=None):
        group = self.group_for(req, "PutLogEvents", logGroupName, stream=logStreamName)
        stream = self.stream_of(group, logStreamName)
        if len(logEvents) > MAX_EVENTS:
            raise _invalid("1 validation error detected: Value at 'logEvents' failed to satisfy "
                           "constraint: Member must have length less than or equal to "
                           f"{MAX_EVENTS}")
        size = sum(len(e["message"].encode()) + EVENT_OVERHEAD for e in logEvents)
        if size > MAX_BATCH_BYTES:
            raise _invalid(f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}")
        stamps = [e["timestamp"] for e in logEvents]
        if any(b < a for a, b in pairwise(stamps)):
            raise _invalid("Log events in a single PutLogEvents request must be in "
                           "chronological order.")
        now = self.now_ms()
        kept, info = [], {}
        for index, event in enumerate(logEvents):
            stamp = event["timestamp"]
            if stamp > now + 2 * HOUR_MS:
                info.setdefault("tooNewLogEventStartIndex", index)
            elif stamp < now - 14 * DAY_MS:
                info["tooOldLogEventEndIndex"] = index
            elif group.retention is not None and stamp < now - group.retention * DAY_MS:
                info["expiredLogEventEndIndex"] = index
            else:
                kept.append((stamp, event["message"]))
        if kept and kept[-1][0] - kept[0][0] > 24 * HOUR_MS:
            raise _invalid("The batch of log events in a single PutLogEvents request cannot "
                           "span more than 24 hours.")
        self.append(group, stream, kept)
        rejected = len(logEvents) - len(kept)
        req.step("Log store", f"Store {len(kept)} event(s) in {group.name} / {stream.name}"
                 + (f"; reject {rejected} outside the accepted time range" if rejected else ""),
                 2.0 + len(kept) / 1000, log_group=group.name, log_stream=stream.name)
        return {"rejectedLogEventsInfo": info} if info else {}

    @operation
    def get_log_events(self, req: Request, logStreamName: str, logGroupName=None,
                       logGroupIdentifier=None, startTime=None, endTime=None, nextToken=None,
                       limit=None, startFromHead=None, unmask=None):
        group = self.group_for(req, "GetLogEvents", logGroupName, logGroupIdentifier,
                               stream=logStreamName, either=True)
        stream = self.stream_of(group, logStreamName)
        if limit is not None and limit > MAX_EVENTS:
            raise _invalid(f"1 validation error detected: Value '{limit}' at 'limit' failed to "
                           f"satisfy constraint: Member must have value less than or equal to "
                           f"{MAX_EVENTS}")
        size = limit or MAX_EVENTS
        events = [e for e in stream.events
                  if (startTime is None or e[0] >= startTime)
                  and (endTime is None or e[0] < endTime)]
        direction, key = ("f" if startFromHead else "b"), None
        if nextToken is not None:
            direction, key = _read_token(nextToken)
        if direction == "f":
            if key is not None:
                events = [e for e in events if e[:2] > key]
            page = _fit(events[:size])
        else:
            if key is not None:
                events = [e for e in events if e[:2] < key]
            page = _fit(events[-size:] if events else [], from_end=True)
        if page:
            forward, backward = _token("f", page[-1][:2]), _token("b", page[0][:2])
        elif key is not None:
            forward = nextToken if direction == "f" else _token("f", (key[0], key[1] - 1))
            backward = nextToken if direction == "b" else _token("b", (key[0], key[1] + 1))
        else:
            forward, backward = _token("f", _LOW), _token("b", _LOW)
        req.step("Log store", f"Read {len(page)} event(s) of {group.name} / {stream.name}", 2.0,
                 log_group=group.name, log_stream=stream.name)
        return {"events": [{"timestamp": e[0], "message": e[2], "ingestionTime": e[3]}
                           for e in page],
                "nextForwardToken": forward, "nextBackwardToken": backward}

    @operation
    def filter_log_events(self, req: Request, logGroupName=None, logGroupIdentifier=None,
                          logStreamNames=None, logStreamNamePrefix=None, startTime=None,
                          endTime=None, filterPattern=None, nextToken=None, limit=None,
                          interleaved=None, unmask=None):
        group = self.group_for(req, "FilterLogEvents", logGroupName, logGroupIdentifier,
                               either=True)
        if logStreamNames is not None and logStreamNamePrefix is not None:
            raise _invalid("logStreamNames and logStreamNamePrefix are mutually exclusive "
                           "parameters.")
        if limit is not None and limit > MAX_EVENTS:
            raise _invalid(f"1 validation error detected: Value '{limit}' at 'limit' failed to "
                           f"satisfy constraint: Member must have value less than or equal to "
                           f"{MAX_EVENTS}")
        pattern = Pattern(filterPattern)
        after = _LOW
        if nextToken is not None:
            try:
                text = base64.b64decode(nextToken.encode(), validate=True).decode()
                _, after = _read_token(text)
            except (ValueError, UnicodeError, errors.AWSError):
                raise _invalid("The specified nextToken is invalid.") from None
        streams = [s for name, s in sorted(group.streams.items())
                   if (logStreamNames is None or name in logStreamNames)
                   and name.startswith(logStreamNamePrefix or "")]
        rows = sorted((e[0], e[1], s.name, e[2], e[3]) for s in streams for e in s.events
                      if (startTime is None or e[0] >= startTime)
                      and (endTime is None or e[0] <= endTime)
                      and (e[0], e[1]) > after and pattern.matches(e[2]))
        size = limit or MAX_EVENTS
        page = _fit(rows[:size], message_at=3)
        req.step("Log store", f"Search {len(streams)} stream(s) of {group.name}"
                 + (f" for {pattern.text!r}" if pattern.text else "")
                 + f": {len(page)} event(s)", 2.0 + len(rows) / 10_000, log_group=group.name)
        out = {"events": [{"logStreamName": r[2], "timestamp": r[0], "message": r[3],
                           "ingestionTime": r[4], "eventId": f"{r[0]:020d}{r[1]:036d}"}
                          for r in page],
               "searchedLogStreams": []}
        if len(page) < len(rows):
            out["nextToken"] = base64.b64encode(
                _token("f", page[-1][:2]).encode()).decode()
        return out


def _fit(events: list, from_end: bool = False, message_at: int = 2) -> list:
    """At most 1 MB of events (message bytes + 26 each), from the start or from the end."""
    total, out = 0, []
    for event in (reversed(events) if from_end else events):
        total += len(event[message_at].encode()) + EVENT_OVERHEAD
        if total > PAGE_BYTES and out:
            break
        out.append(event)
    return out[::-1] if from_end else out
