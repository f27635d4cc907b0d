"""Log groups, log streams and log events, on the simulated clock.

A log group (name unique per account and Region) holds log streams; a stream holds events, each
a timestamp (ms since the Unix epoch, when the event happened, given by the writer), a message
and the ingestion time (when CloudWatch Logs stored it). Events are read in timestamp order.
With a retention policy (``retentionInDays``), events older than the retention expire; without
one they never do [BC logs:PutRetentionPolicy, CreateLogGroup].

What awskit simplifies: AWS deletes expired events up to 72 hours after they pass the retention
("marked for deletion" at once, and no longer counted in ``storedBytes``); awskit drops them as
soon as the clock passes it (they are dropped whenever Logs is touched, so nothing is
scheduled). ``storedBytes`` of a group is the UTF-8 size of its messages (AWS reports stored,
compressed bytes); a stream's ``storedBytes`` is always 0, as AWS reports it since 2019.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ..clock import EPOCH

DAY_MS = 86_400_000
_EPOCH_MS = int(EPOCH.timestamp()) * 1000


def epoch_ms(elapsed: float) -> int:
    """Clock seconds → milliseconds since the Unix epoch (CloudWatch Logs timestamps)."""
    return _EPOCH_MS + round(elapsed * 1000)


@dataclass
class LogStream:
    """A stream: ``events`` are ``(timestamp, seq, message, ingestion)`` tuples, sorted."""

    name: str
    created: int
    events: list[tuple] = field(default_factory=list)
    last_ingestion: int | None = None

    def add(self, timestamp: int, seq: int, message: str, ingestion: int) -> None:
        bisect.insort(self.events, (timestamp, seq, message, ingestion))
        self.last_ingestion = ingestion

    @property
    def first_event(self) -> int | None:
        return self.events[0][0] if self.events else None

    @property
    def last_event(self) -> int | None:
        return self.events[-1][0] if self.events else None


@dataclass
class LogGroup:
    name: str
    account: str
    region: str
    created: int
    retention: int | None = None
    tags: dict = field(default_factory=dict)
    kms_key: str | None = None
    log_class: str = "STANDARD"
    deletion_protection: bool = False
    streams: dict[str, LogStream] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        """The ARN without the trailing ``:*`` (``logGroupArn``, tagging APIs)."""
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:{self.name}"

    @property
    def stored_bytes(self) -> int:
        return sum(len(e[2].encode()) for s in self.streams.values() for e in s.events)

    def expire(self, now_ms: int) -> int:
        """Drop events older than the retention; returns how many went."""
        if self.retention is None:
            return 0
        cutoff = now_ms - self.retention * DAY_MS
        dropped = 0
        for stream in self.streams.values():
            keep = bisect.bisect_left(stream.events, (cutoff,))
            if keep:
                del stream.events[:keep]
                dropped += keep
        return dropped


class LogStore:
    """Log groups by (account, Region, name). Mixed into :class:`awskit.logs.api.Logs`."""

    def _init_store(self) -> None:
        self.groups: dict[tuple[str, str, str], LogGroup] = {}
        self.seq = 0

    def now_ms(self) -> int:
        return epoch_ms(self.cloud.clock.elapsed)

    def expire_all(self) -> list[str]:
        """Apply retention everywhere; a line per group that lost events (for the trace)."""
        now = self.now_ms()
        notes = []
        for group in self.groups.values():
            dropped = group.expire(now)
            if dropped:
                notes.append(f"{dropped} event(s) of {group.name} passed the "
                             f"{group.retention}-day retention and expired")
        return notes

    def new_group(self, account: str, region: str, name: str, **settings) -> LogGroup:
        group = LogGroup(name, account, region, self.now_ms(), **settings)
        self.groups[(account, region, name)] = group
        return group

    def append(self, group: LogGroup, stream: LogStream, events: list[tuple[int, str]]) -> None:
        """Store events (``(timestamp ms, message)``), all ingested now."""
        ingestion = self.now_ms()
        for timestamp, message in events:
            self.seq += 1
            stream.add(timestamp, self.seq, message, ingestion)

    # -- contract for other services (Lambda) -----------------------------------------------
    def write(self, account: str, region: str, group: str, stream: str,
              events: list[tuple[float, str]]) -> None:
        """Store log events as a service writing logs does (Lambda's runtime logs): creates the
        group and the stream if needed. Timestamps are clock seconds since the cloud's epoch,
        stored as ms since the Unix epoch. No request, no trace (the caller records a step)."""
        self.expire_all()
        found = self.groups.get((account, region, group)) or self.new_group(account, region,
                                                                            group)
        log_stream = found.streams.get(stream)
        if log_stream is None:
            log_stream = found.streams[stream] = LogStream(stream, self.now_ms())
        self.append(found, log_stream, [(epoch_ms(t), text) for t, text in events])
        found.expire(self.now_ms())

    def events(self, group: str, stream: str | None = None, *, account: str | None = None,
               region: str | None = None) -> list[dict]:
        """The events of a log group (one stream, or all, interleaved by timestamp), as dicts
        with logStreamName, timestamp, message, ingestionTime. The group is looked up in
        ``account``/``region`` (default: the cloud's default ones, else any that has it)."""
        self.expire_all()
        account = account or self.cloud.default_account
        region = region or self.cloud.default_region
        found = self.groups.get((account, region, group)) or next(
            (g for key, g in sorted(self.groups.items()) if key[2] == group), None)
        if found is None:
            return []
        rows = []
        for name, s in found.streams.items():
            if stream is None or name == stream:
                rows += [(e[0], e[1], name, e[2], e[3]) for e in s.events]
        return [{"logStreamName": name, "timestamp": ts, "message": text, "ingestionTime": ing}
                for ts, _, name, text, ing in sorted(rows)]

    # -- saving and drawing -----------------------------------------------------------------
    def state(self) -> dict:
        self.expire_all()
        groups = []
        for group in self.groups.values():
            groups.append({
                "name": group.name, "account": group.account, "region": group.region,
                "created": group.created, "retention": group.retention, "tags": dict(group.tags),
                "kms_key": group.kms_key, "log_class": group.log_class,
                "deletion_protection": group.deletion_protection,
                "streams": [{"name": s.name, "created": s.created,
                             "last_ingestion": s.last_ingestion,
                             "events": [list(e) for e in s.events]}
                            for s in group.streams.values()]})
        return {"groups": groups, "seq": self.seq}

    def load_state(self, data: dict) -> None:
        self._init_store()
        for saved in data["groups"]:
            saved = dict(saved)
            streams = saved.pop("streams")
            group = LogGroup(**saved)
            for s in streams:
                group.streams[s["name"]] = LogStream(s["name"], s["created"],
                                                     [tuple(e) for e in s["events"]],
                                                     s["last_ingestion"])
            self.groups[(group.account, group.region, group.name)] = group
        self.seq = data["seq"]

    def add_to_graph(self, graph) -> None:
        """Log groups (type ``log-group``), owned by their account."""
        self.expire_all()
        for key in sorted(self.groups):
            group = self.groups[key]
            extra = {"retention_days": group.retention} if group.retention else {}
            graph.add_node(group.arn, type="log-group", name=group.name, region=group.region,
                           account=group.account, streams=len(group.streams),
                           events=sum(len(s.events) for s in group.streams.values()), **extra)
            graph.add_edge(f"arn:aws:iam::{group.account}:root", group.arn, relation="owns")
