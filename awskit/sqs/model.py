"""The queues and their messages, on the simulated clock.

A message is **delayed** until its delay ends, then **visible**; a ReceiveMessage makes it
**in flight** (invisible) for the visibility timeout and counts the receive; DeleteMessage
removes it, or it becomes visible again when the timeout ends. A message that was received
``maxReceiveCount`` times (a source queue's RedrivePolicy) moves to the dead-letter queue when it
would next become visible, keeping its original enqueue time for retention; a message is deleted
once it is older than the queue's MessageRetentionPeriod, in flight or not [SQSDG
sqs-dead-letter-queues.md; BC sqs:ReceiveMessage, ChangeMessageVisibility].

How awskit does it: each message holds its times (``sent_at``, ``visible_at``) in clock seconds,
so its state is read off the clock, and :meth:`SQSModel.sweep` applies what fell due (redrive
moves and expirations, in time order, across all queues) whenever SQS is touched: at the start
of every request, in :meth:`SQSModel.queue_by_arn` / ``queue_by_url`` / ``deliver``, before
saving and drawing. Nothing is scheduled on the clock, so a saved cloud needs nothing
re-scheduled, and ``cloud.advance(seconds=31)`` makes a message visible again as on AWS.
DeleteQueue and PurgeQueue act at once (AWS takes up to 60 s; the 60-second rules on reusing a
name and on purging again are kept).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from urllib.parse import urlparse

from ..clock import EPOCH
from ..iam.policy import Policy
from . import attributes as qattr

DEDUP_WINDOW = 300.0          # FIFO deduplication interval: 5 minutes [BC sqs:SendMessage]
NAME_REUSE_WAIT = 60.0        # after DeleteQueue [BC sqs:CreateQueue]
PURGE_INTERVAL = 60.0         # one PurgeQueue per 60 s [BC sqs:PurgeQueue]
MAX_VISIBILITY = 43_200       # a message's total visibility timeout: 12 hours
_EPOCH_MS = int(EPOCH.timestamp()) * 1000


def epoch_ms(elapsed: float) -> int:
    """Clock seconds → milliseconds since the Unix epoch (how SQS reports message times)."""
    return _EPOCH_MS + round(elapsed * 1000)


@dataclass
class Message:
    """One message in a queue; times are clock seconds."""

    message_id: str
    body: str
    md5_body: str
    sent_at: float                         # original enqueue time (kept through redrive)
    visible_at: float                      # end of the delay or of the visibility timeout
    seq: int                               # arrival order in its current queue
    sender_id: str
    attributes: dict = field(default_factory=dict)     # name -> {DataType, String/BinaryValue}
    md5_attributes: str | None = None
    system: dict = field(default_factory=dict)         # AWSTraceHeader
    md5_system: str | None = None
    group_id: str | None = None
    dedup_id: str | None = None
    sequence_number: str | None = None
    receive_count: int = 0
    first_receive_at: float | None = None
    receipt: str | None = None             # the handle of the latest receive
    received_at: float | None = None       # when the latest receive happened
    dlq_source: str | None = None          # DeadLetterQueueSourceArn, once redriven

    def status(self, now: float) -> str:
        """``delayed``, ``visible`` or ``in flight``."""
        if self.visible_at <= now:
            return "visible"
        return "delayed" if self.receipt is None else "in flight"


@dataclass
class Queue:
    """A queue: its settings (as SQS reports them, strings), tags and messages."""

    name: str
    account: str
    region: str
    created: float
    modified: float
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    dedup: dict[str, list] = field(default_factory=dict)     # key -> [expires, id, seq no.]
    last_purge: float | None = None
    sequence: int = 0                                         # FIFO sequence numbers issued
    policy: Policy | None = field(default=None, repr=False)

    @property
    def arn(self) -> str:
        return f"arn:aws:sqs:{self.region}:{self.account}:{self.name}"

    @property
    def url(self) -> str:
        return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{self.name}"

    @property
    def fifo(self) -> bool:
        return self.name.endswith(".fifo")

    def number(self, name: str) -> int:
        return int(self.attributes[name])

    @property
    def redrive(self) -> dict | None:
        text = self.attributes.get("RedrivePolicy")
        return json.loads(text) if text else None

    def counts(self, now: float) -> dict[str, int]:
        out = {"visible": 0, "in flight": 0, "delayed": 0}
        for message in self.messages:
            out[message.status(now)] += 1
        return out

    def set_attributes(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            if value == "" and name in qattr.JSON_ATTRIBUTES:
                self.attributes.pop(name, None)
            else:
                self.attributes[name] = value
        if "KmsMasterKeyId" in values:
            self.attributes.setdefault("KmsDataKeyReusePeriodSeconds", "300")
        text = self.attributes.get("Policy")
        self.policy = Policy.parse(text, kind="resource") if text else None


def parse_queue_url(url: str):
    """(region, account, name) from a queue URL, or None if it is not one.

    ``https://sqs.<region>.amazonaws.com/<account>/<name>``; the legacy hosts
    ``<region>.queue.amazonaws.com`` and ``queue.amazonaws.com`` (us-east-1) are accepted too.
    """
    try:
        parsed = urlparse(url)
    except ValueError:
        return None
    host = (parsed.hostname or "").lower()
    parts = [p for p in parsed.path.split("/") if p]
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[0]) != 12:
        return None
    if host.startswith("sqs.") and host.endswith(".amazonaws.com"):
        region = host[4:-len(".amazonaws.com")]
    elif host == "queue.amazonaws.com":
        region = "us-east-1"
    elif host.endswith(".queue.amazonaws.com"):
        region = host[:-len(".queue.amazonaws.com")]
    else:
        return None
    return region, parts[0], parts[1]


def parse_queue_arn(arn: str):
    """(region, account, name) of an ``arn:aws:sqs:<region>:<account>:<name>``, or None."""
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "sqs"] or not parts[5]:
        return None
    return parts[3], parts[4], parts[5]


def make_receipt(queue: Queue, message: Message, nonce: str) -> str:
    """An opaque receipt handle naming this receive of this message (base64)."""
    raw = f"{nonce} {queue.arn} {message.message_id} {message.receive_count}".encode()
    return base64.b64encode(raw).decode()


def read_receipt(handle: str):
    """(queue ARN, message id) named by a receipt handle awskit issued, or None."""
    try:
        text = base64.b64decode(handle.encode(), validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    parts = text.split(" ")
    if len(parts) != 4 or not parts[1].startswith("arn:aws:sqs:") or not parts[3].isdigit():
        return None
    return parts[1], parts[2]
