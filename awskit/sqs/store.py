"""The SQS service's storage: its queues, the clock-driven sweep, sending and picking messages,
saving and drawing. Mixed into :class:`awskit.sqs.api.SQS` (see ``model.py`` for the rules).

FIFO queues (``.fifo``): every message needs a ``MessageGroupId``; a message with the same
deduplication id (given, or the SHA-256 of the body with ContentBasedDeduplication) as one sent in
the last 5 minutes is accepted but not enqueued again (the original's MessageId and
SequenceNumber are returned, awskit's reading of "accepted successfully but not delivered");
messages of one group are received in order and none of a group is handed out while another of
it is in flight [BC sqs:SendMessage, ReceiveMessage]. Per-message DelaySeconds is refused on FIFO
queues (only the queue's DelaySeconds applies).

Receiving is deterministic: a receive returns the visible messages in arrival order (AWS's short
polling samples a subset of servers and may return fewer; long polling waits on the simulated
clock, see ``messages.py``).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re

from .. import errors
from .codes import invalid_value, missing
from .content import (
    attributes_size,
    check_body,
    md5_hex,
    md5_of_attributes,
    normalize_attributes,
)
from .model import DEDUP_WINDOW, Message, Queue, parse_queue_arn, parse_queue_url

_ID_TOKEN = re.compile(r"[A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]{1,128}")
SEQUENCE_START = 18_000_000_000_000_000_000     # FIFO sequence numbers: 20 digits, increasing


@dataclasses.dataclass
class Outgoing:
    """A validated message, ready to enqueue."""

    body: str
    md5_body: str
    attributes: dict
    md5_attributes: str | None
    system: dict
    md5_system: str | None
    delay: int
    group_id: str | None
    dedup_id: str | None
    dedup_key: str | None
    size: int


class QueueStore:
    """Queues by ARN, recently deleted names, and what happens to messages over time."""

    def _init_store(self) -> None:
        self.queues: dict[str, Queue] = {}
        self.deleted: dict[str, float] = {}      # ARN -> when DeleteQueue ran
        self.arrivals = 0                        # arrival order across all queues

    # -- finding queues ---------------------------------------------------------------------
    def queue_by_arn(self, arn: str) -> Queue | None:
        """The queue with this ARN, or None (contract for other services)."""
        self.sweep()
        return self.queues.get(arn)

    def queue_by_url(self, url: str) -> Queue | None:
        """The queue at this URL, or None (contract for other services)."""
        self.sweep()
        where = parse_queue_url(url)
        if where is None:
            return None
        region, account, name = where
        return self.queues.get(f"arn:aws:sqs:{region}:{account}:{name}")

    # -- time -------------------------------------------------------------------------------
    def sweep(self) -> list[str]:
        """Apply what fell due since the last look: redrive moves and expirations, in time
        order. Returns a line per queue for the trace."""
        now = self.cloud.clock.elapsed
        happened: dict[str, list[str]] = {}
        while True:
            due = []
            for queue in self.queues.values():
                for key in [k for k, v in queue.dedup.items() if v[0] <= now]:
                    del queue.dedup[key]
                if not queue.messages:
                    continue
                retention = queue.number("MessageRetentionPeriod")
                redrive = queue.redrive
                for message in queue.messages:
                    expires = message.sent_at + retention
                    if expires <= now:
                        due.append((expires, 0, message.seq, queue, message))
                    elif redrive and message.receipt is not None and \
                            message.visible_at <= now and \
                            message.receive_count >= redrive["maxReceiveCount"]:
                        due.append((message.visible_at, 1, message.seq, queue, message))
            if not due:
                break
            due.sort(key=lambda d: d[:3])
            gone, moved = set(), False
            for when, kind, _, queue, message in due:
                if id(message) in gone:
                    continue
                if kind == 0:
                    gone.add(id(message))
                    happened.setdefault(queue.arn, []).append(f"{message.message_id} expired")
                    continue
                target = self.queues.get(queue.redrive["deadLetterTargetArn"])
                if target is None:          # the DLQ is gone: the message stays where it is
                    continue
                gone.add(id(message))
                moved = True
                self.arrivals += 1
                target.messages.append(dataclasses.replace(
                    message, visible_at=when, seq=self.arrivals, receipt=None,
                    received_at=None, dlq_source=queue.arn))
                happened.setdefault(queue.arn, []).append(
                    f"{message.message_id} moved to dead-letter queue {target.name} after "
                    f"{message.receive_count} receives")
            for queue in self.queues.values():
                if queue.messages and gone:
                    queue.messages = [m for m in queue.messages if id(m) not in gone]
            if not moved:
                break
        return [f"{self.queues[arn].name if arn in self.queues else arn}: " + "; ".join(lines)
                for arn, lines in happened.items()]

    # -- sending ----------------------------------------------------------------------------
    def prepare(self, queue: Queue, body: str, *, delay=None, attributes=None, system=None,
                dedup_id=None, group_id=None) -> Outgoing:
        """Validate a message for ``queue`` as SendMessage does; raise the error SQS sends."""
        if not isinstance(body, str):
            raise missing("MessageBody")
        check_body(body)
        attrs = normalize_attributes(attributes)
        sys_attrs = normalize_attributes(system, system=True)
        size = len(body.encode()) + attributes_size(attrs)
        limit = queue.number("MaximumMessageSize")
        if size > limit:
            raise errors.InvalidParameterValue(f"One or more parameters are invalid. Reason: "
                                               f"Message must be shorter than {limit} bytes.")
        if delay is not None:
            if queue.fifo and delay != 0:
                raise invalid_value("DelaySeconds", delay, "The request include parameter that "
                                    "is not valid for this queue type.")
            if not 0 <= delay <= 900:
                raise invalid_value("DelaySeconds", delay, "DelaySeconds must be >= 0 and <= 900.")
        for parameter, value in (("MessageGroupId", group_id),
                                 ("MessageDeduplicationId", dedup_id)):
            if value is not None and not _ID_TOKEN.fullmatch(value):
                raise invalid_value(parameter, value, f"{parameter} can only include "
                                    "alphanumeric and punctuation characters. 1 to 128 in length.")
        dedup_key = None
        if queue.fifo:
            if group_id is None:
                raise missing("MessageGroupId")
            if dedup_id is None and queue.attributes.get("ContentBasedDeduplication") != "true":
                raise errors.InvalidParameterValue(
                    "The queue should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly")
            token = dedup_id or hashlib.sha256(body.encode()).hexdigest()
            scoped = queue.attributes.get("DeduplicationScope") == "messageGroup"
            dedup_key = f"{group_id}\n{token}" if scoped else token
            dedup_id = token
        elif dedup_id is not None:
            raise invalid_value("MessageDeduplicationId", dedup_id, "The request includes a "
                                "parameter that is not valid for this queue type.")
        return Outgoing(body, md5_hex(body.encode()), attrs, md5_of_attributes(attrs), sys_attrs,
                        md5_of_attributes(sys_attrs),
                        queue.number("DelaySeconds") if delay is None else delay,
                        group_id, dedup_id, dedup_key, size)

    def enqueue(self, queue: Queue, out: Outgoing, sender_id: str) -> tuple[Message, bool]:
        """Store ``out`` in ``queue``; returns (message, duplicate?). A FIFO duplicate within
        the deduplication interval is not stored again."""
        now = self.cloud.clock.elapsed
        if out.dedup_key is not None and out.dedup_key in queue.dedup:
            _, message_id, sequence = queue.dedup[out.dedup_key]
            original = next((m for m in queue.messages if m.message_id == message_id), None)
            return original or Message(message_id, out.body, out.md5_body, now, now, 0,
                                       sender_id, sequence_number=sequence), True
        sequence = None
        if queue.fifo:
            step = self.cloud.ids.stream("sqs-sequence").randint(1, 1 << 16)
            queue.sequence = max(queue.sequence, SEQUENCE_START) + step
            sequence = str(queue.sequence)
        self.arrivals += 1
        message = Message(self.cloud.ids.uuid("sqs-message"), out.body, out.md5_body, now,
                          now + out.delay, self.arrivals, sender_id, out.attributes,
                          out.md5_attributes, out.system, out.md5_system, out.group_id,
                          out.dedup_id, sequence)
        queue.messages.append(message)
        if out.dedup_key is not None:
            queue.dedup[out.dedup_key] = [now + DEDUP_WINDOW, message.message_id, sequence]
        return message, False

    def deliver(self, queue: Queue, body: str, attributes: dict | None = None, *,
                sender_id: str | None = None, group_id: str | None = None,
                dedup_id: str | None = None) -> str:
        """Enqueue a message as SendMessage would, for another service (no request, no trace;
        the caller records the step). ``attributes`` are boto3-shaped message attributes; a
        message SendMessage would refuse raises the same AWS error. The sender id defaults to
        the queue owner's account id (which id AWS records for a service's message is
        unconfirmed). Returns the MessageId."""
        self.sweep()
        out = self.prepare(queue, body, attributes=attributes, group_id=group_id,
                           dedup_id=dedup_id)
        message, _ = self.enqueue(queue, out, sender_id or queue.account)
        return message.message_id

    # -- receiving --------------------------------------------------------------------------
    def pick(self, queue: Queue, count: int) -> list[Message]:
        """The messages a receive hands out now: visible ones in arrival order; on a FIFO
        queue, never one from a group that has a message in flight or waiting before it."""
        now = self.cloud.clock.elapsed
        if not queue.fifo:
            return [m for m in queue.messages if m.visible_at <= now][:count]
        blocked = {m.group_id for m in queue.messages if m.status(now) == "in flight"}
        chosen = []
        for message in queue.messages:
            if len(chosen) == count:
                break
            if message.group_id in blocked:
                continue
            if message.visible_at > now:
                blocked.add(message.group_id)
                continue
            chosen.append(message)
        return chosen

    def next_visible(self, queue: Queue) -> float | None:
        """When the next message of ``queue`` becomes visible (None if none is waiting)."""
        now = self.cloud.clock.elapsed
        times = [m.visible_at for m in queue.messages if m.visible_at > now]
        return min(times) if times else None

    # -- dead-letter queues -----------------------------------------------------------------
    def check_dead_letter_target(self, source_arn: str, fifo: bool, redrive: dict) -> None:
        """A RedrivePolicy's target must exist in the same account and Region, be of the same
        type, and accept this source (its RedriveAllowPolicy)."""
        from .attributes import allows_source
        from .codes import invalid_attribute
        target_arn = redrive["deadLetterTargetArn"]
        source, target = parse_queue_arn(source_arn), parse_queue_arn(target_arn)
        dlq = self.queues.get(target_arn)
        if target is None or dlq is None or target[:2] != source[:2]:
            raise invalid_attribute("RedrivePolicy", "Dead-letter target does not exist.")
        if dlq.fifo != fifo:
            raise invalid_attribute("RedrivePolicy", "Dead-letter queue must be same type of "
                                                     "queue as the source.")
        if not allows_source(dlq.attributes.get("RedriveAllowPolicy"), source_arn):
            raise invalid_attribute("RedrivePolicy", f"Queue {target_arn} does not allow "
                                                     f"{source_arn} to use it as a dead-letter "
                                                     "queue (its RedriveAllowPolicy).")

    # -- saving and drawing -----------------------------------------------------------------
    def state(self) -> dict:
        self.sweep()
        return {"queues": [_dump_queue(q) for q in self.queues.values()],
                "deleted": dict(self.deleted), "arrivals": self.arrivals}

    def load_state(self, data: dict) -> None:
        self._init_store()
        for saved in data["queues"]:
            queue = _load_queue(saved)
            self.queues[queue.arn] = queue
        self.deleted.update(data["deleted"])
        self.arrivals = data["arrivals"]

    def add_to_graph(self, graph) -> None:
        """Queues (type ``sqs-queue``), owned by their account, with their dead-letter queues."""
        self.sweep()
        now = self.cloud.clock.elapsed
        for arn in sorted(self.queues):
            queue = self.queues[arn]
            counts = queue.counts(now)
            graph.add_node(arn, type="sqs-queue", name=queue.name, region=queue.region,
                           account=queue.account, fifo=queue.fifo, url=queue.url,
                           messages=counts["visible"], in_flight=counts["in flight"],
                           delayed=counts["delayed"])
            graph.add_edge(f"arn:aws:iam::{queue.account}:root", arn, relation="owns")
        for arn in sorted(self.queues):
            redrive = self.queues[arn].redrive
            if redrive and redrive["deadLetterTargetArn"] in self.queues:
                graph.add_edge(arn, redrive["deadLetterTargetArn"], relation="dead-letter queue")


def _attrs_to_json(attributes: dict) -> dict:
    return {name: ({**v, "BinaryValue": base64.b64encode(v["BinaryValue"]).decode()}
                   if "BinaryValue" in v else dict(v)) for name, v in attributes.items()}


def _attrs_from_json(attributes: dict) -> dict:
    return {name: ({**v, "BinaryValue": base64.b64decode(v["BinaryValue"])}
                   if "BinaryValue" in v else dict(v)) for name, v in attributes.items()}


def _dump_queue(queue: Queue) -> dict:
    data = {f.name: getattr(queue, f.name) for f in dataclasses.fields(queue)
            if f.name not in ("messages", "policy")}
    data["attributes"] = dict(queue.attributes)
    data["tags"] = dict(queue.tags)
    data["dedup"] = {k: list(v) for k, v in queue.dedup.items()}
    data["messages"] = []
    for message in queue.messages:
        saved = dataclasses.asdict(message)
        saved["attributes"] = _attrs_to_json(message.attributes)
        saved["system"] = _attrs_to_json(message.system)
        data["messages"].append(saved)
    return data


def _load_queue(data: dict) -> Queue:
    data = dict(data)
    messages = data.pop("messages")
    queue = Queue(**data)
    queue.set_attributes({})          # parses the Policy
    for saved in messages:
        saved = dict(saved)
        saved["attributes"] = _attrs_from_json(saved["attributes"])
        saved["system"] = _attrs_from_json(saved["system"])
        queue.messages.append(Message(**saved))
    return queue
