"""Message operations: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch),
ChangeMessageVisibility(Batch). Mixed into :class:`awskit.sqs.api.SQS`.

- ReceiveMessage: 1-10 messages (default 1); ``VisibilityTimeout`` overrides the queue's for
  these messages; ``WaitTimeSeconds`` (0-20, default the queue's ReceiveMessageWaitTimeSeconds)
  long-polls: when nothing is visible the request waits on the simulated clock until a message
  becomes visible or the wait ends (the trace shows the wait; scheduled events of other services
  falling in the wait run after the request). Each receive gives a new receipt handle.
- DeleteMessage needs a receipt handle awskit issued for this queue (else
  ``ReceiptHandleIsInvalid``); on a standard queue an older handle of the message still deletes
  it, on a FIFO queue only the handle of the current in-flight receive does (AWS: "the request
  succeeds, but the message might not be deleted"); deleting a message twice succeeds.
- ChangeMessageVisibility (0-43,200 s, counted from now; the total since the receive may not pass
  12 hours) needs the handle of the latest receive (else ``InvalidParameterValue``, "Message does
  not exist or is not available for visibility timeout change.") of a message in flight (else
  ``MessageNotInflight``).
- Batches: 1-10 entries with distinct ids of ``A-Za-z0-9_-`` (up to 80); SendMessageBatch's
  messages together at most 1 MiB; each entry succeeds or fails on its own. A batch needs the
  permission of the single action (``sqs:SendMessage`` etc.) [BC sqs:*Batch; SQSDG
  sqs-batch-api-actions.md].
"""

from __future__ import annotations

import re

from .. import errors
from ..service import Request, operation
from .codes import invalid_value, missing, sqs_error
from .content import md5_of_attributes, select_attributes
from .model import MAX_VISIBILITY, epoch_ms, make_receipt, read_receipt

MAX_BATCH = 10
MAX_BATCH_BYTES = 1_048_576
_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
_SYSTEM_NAMES = ("SenderId", "SentTimestamp", "ApproximateReceiveCount",
                 "ApproximateFirstReceiveTimestamp", "SequenceNumber", "MessageDeduplicationId",
                 "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn")


def check_batch(entries: list, entry_name: str) -> None:
    if len(entries) > MAX_BATCH:
        raise sqs_error("TooManyEntriesInBatchRequest", f"Maximum number of entries per request "
                        f"are {MAX_BATCH}. You have sent {len(entries)}.")
    if not entries:
        raise sqs_error("EmptyBatchRequest", f"There should be at least one {entry_name} in the "
                        "request.")
    seen = set()
    for entry in entries:
        if not _BATCH_ID.fullmatch(entry["Id"]):
            raise sqs_error("InvalidBatchEntryId", "A batch entry id can only contain "
                            "alphanumeric characters, hyphens and underscores. It can be at most "
                            "80 letters long.")
        if entry["Id"] in seen:
            raise sqs_error("BatchEntryIdsNotDistinct", f"Id {entry['Id']} repeated.")
        seen.add(entry["Id"])


def _raw_size(entry: dict) -> int:
    size = len(str(entry.get("MessageBody", "")).encode())
    for name, value in (entry.get("MessageAttributes") or {}).items():
        size += len(name.encode()) + len(str(value.get("DataType", "")).encode())
        raw = value.get("BinaryValue", value.get("StringValue", ""))
        size += len(raw) if isinstance(raw, (bytes, bytearray)) else len(str(raw).encode())
    return size


def _failure(entry_id: str, err: errors.AWSError) -> dict:
    return {"Id": entry_id, "SenderFault": bool(err.sender_fault), "Code": err.code,
            "Message": err.message}


class MessageOperations:
    """The message half of the SQS API."""

    # -- sending ----------------------------------------------------------------------------
    def _send(self, req: Request, queue, params: dict) -> dict:
        out = self.prepare(queue, params.get("MessageBody"), delay=params.get("DelaySeconds"),
                           attributes=params.get("MessageAttributes"),
                           system=params.get("MessageSystemAttributes"),
                           dedup_id=params.get("MessageDeduplicationId"),
                           group_id=params.get("MessageGroupId"))
        message, duplicate = self.enqueue(queue, out, req.principal.user_id)
        if duplicate:
            req.step("Queue", f"Duplicate of message {message.message_id} (same deduplication "
                     f"id within 5 minutes): accepted, not stored again", 1.0,
                     queue=queue.arn, message_id=message.message_id)
        else:
            when = "visible now" if out.delay == 0 else f"delayed {out.delay} s"
            req.step("Queue", f"Store message {message.message_id} ({out.size:,} bytes) in "
                     f"{queue.name}; {when}", 3.0, queue=queue.arn,
                     message_id=message.message_id, group=out.group_id)
        result = {"MD5OfMessageBody": out.md5_body, "MessageId": message.message_id}
        if out.md5_attributes:
            result["MD5OfMessageAttributes"] = out.md5_attributes
        if out.md5_system:
            result["MD5OfMessageSystemAttributes"] = out.md5_system
        if message.sequence_number:
            result["SequenceNumber"] = message.sequence_number
        return result

    @operation
    def send_message(self, req: Request, QueueUrl: str, MessageBody: str, **params):
        queue = self.queue_for(req, QueueUrl, "SendMessage")
        return self._send(req, queue, {"MessageBody": MessageBody, **params})

    @operation
    def send_message_batch(self, req: Request, QueueUrl: str, Entries: list):
        queue = self.queue_for(req, QueueUrl, "SendMessage")
        check_batch(Entries, "SendMessageBatchRequestEntry")
        total = sum(_raw_size(e) for e in Entries)
        if total > MAX_BATCH_BYTES:
            raise sqs_error("BatchRequestTooLong", f"Batch requests cannot be longer than "
                            f"{MAX_BATCH_BYTES} bytes. You have sent {total} bytes.")
        ok, failed = [], []
        for entry in Entries:
            try:
                ok.append({"Id": entry["Id"], **self._send(req, queue, entry)})
            except errors.AWSError as err:
                failed.append(_failure(entry["Id"], err))
        return {"Successful": ok, "Failed": failed}

    # -- receiving --------------------------------------------------------------------------
    @operation
    def receive_message(self, req: Request, QueueUrl: str, AttributeNames=None,
                        MessageSystemAttributeNames=None, MessageAttributeNames=None,
                        MaxNumberOfMessages=None, VisibilityTimeout=None, WaitTimeSeconds=None,
                        ReceiveRequestAttemptId=None):
        queue = self.queue_for(req, QueueUrl, "ReceiveMessage")
        count = 1 if MaxNumberOfMessages is None else MaxNumberOfMessages
        if not 1 <= count <= 10:
            raise invalid_value("MaxNumberOfMessages", count, "Must be between 1 and 10, if "
                                "provided.")
        if VisibilityTimeout is not None and not 0 <= VisibilityTimeout <= MAX_VISIBILITY:
            raise invalid_value("VisibilityTimeout", VisibilityTimeout, "Must be >= 0 and <= "
                                f"{MAX_VISIBILITY}, if provided.")
        wait = queue.number("ReceiveMessageWaitTimeSeconds") if WaitTimeSeconds is None \
            else WaitTimeSeconds
        if not 0 <= wait <= 20:
            raise invalid_value("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.")
        clock = self.cloud.clock
        deadline = clock.elapsed + wait
        while True:
            chosen = self.pick(queue, count)
            if chosen or clock.elapsed >= deadline:
                break
            upcoming = self.next_visible(queue)
            until = deadline if upcoming is None else min(upcoming, deadline)
            req.step("Queue", f"Long poll: nothing visible in {queue.name}; wait "
                     f"{until - clock.elapsed:.3f} s", (until - clock.elapsed) * 1000,
                     queue=queue.arn, wait_s=wait)
            clock.elapsed = max(clock.elapsed, until)
            for note in self.sweep():
                req.step("Queue", note, 0.5)
        timeout = queue.number("VisibilityTimeout") if VisibilityTimeout is None \
            else VisibilityTimeout
        now = clock.elapsed
        for message in chosen:
            message.receive_count += 1
            if message.first_receive_at is None:
                message.first_receive_at = now
            message.receipt = make_receipt(queue, message, self.cloud.ids.token("sqs-receipt", 24))
            message.received_at = now
            message.visible_at = now + timeout
        if not chosen:
            req.step("Queue", f"No message visible in {queue.name}", 1.0, queue=queue.arn)
            return {}
        req.step("Queue", f"Hand out {len(chosen)} message(s) from {queue.name}; in flight "
                 f"(invisible) for {timeout} s", 3.0, queue=queue.arn,
                 message_ids=[m.message_id for m in chosen])
        names = set(AttributeNames or []) | set(MessageSystemAttributeNames or [])
        return {"Messages": [self._received(queue, m, names, MessageAttributeNames)
                             for m in chosen]}

    def _received(self, queue, message, names: set, attribute_names) -> dict:
        out = {"MessageId": message.message_id, "ReceiptHandle": message.receipt,
               "MD5OfBody": message.md5_body, "Body": message.body}
        system = {"SenderId": message.sender_id,
                  "SentTimestamp": str(epoch_ms(message.sent_at)),
                  "ApproximateReceiveCount": str(message.receive_count),
                  "ApproximateFirstReceiveTimestamp": str(epoch_ms(message.first_receive_at))}
        if queue.fifo:
            system["SequenceNumber"] = message.sequence_number
            system["MessageDeduplicationId"] = message.dedup_id
        if message.group_id is not None:
            system["MessageGroupId"] = message.group_id
        if message.system:
            system["AWSTraceHeader"] = message.system["AWSTraceHeader"]["StringValue"]
        if message.dlq_source:
            system["DeadLetterQueueSourceArn"] = message.dlq_source
        wanted = {k: v for k, v in system.items()
                  if v is not None and ("All" in names or k in names)}
        if wanted:
            out["Attributes"] = wanted
        chosen = select_attributes(message.attributes, attribute_names)
        if chosen:
            out["MD5OfMessageAttributes"] = md5_of_attributes(chosen)
            out["MessageAttributes"] = {name: dict(value) for name, value in chosen.items()}
        return out

    # -- receipts ---------------------------------------------------------------------------
    def _message_for(self, queue, handle: str):
        """The message a receipt handle names (None if it is gone); raises for a handle awskit
        never issued for this queue."""
        found = read_receipt(handle)
        if found is None or found[0] != queue.arn:
            raise sqs_error("ReceiptHandleIsInvalid", f'The input receipt handle "{handle}" is '
                            "not a valid receipt handle.")
        return next((m for m in queue.messages if m.message_id == found[1]), None)

    def _delete(self, req: Request, queue, handle: str) -> None:
        message = self._message_for(queue, handle)
        now = self.cloud.clock.elapsed
        if message is None:
            req.step("Queue", f"Receipt names a message no longer in {queue.name}: nothing to "
                     "delete", 1.0, queue=queue.arn)
            return
        if queue.fifo and (message.receipt != handle or message.status(now) != "in flight"):
            req.step("Queue", f"Receipt of message {message.message_id} has expired (FIFO): "
                     "not deleted", 1.0, queue=queue.arn, message_id=message.message_id)
            return
        queue.messages.remove(message)
        req.step("Queue", f"Delete message {message.message_id} from {queue.name}", 2.0,
                 queue=queue.arn, message_id=message.message_id)

    def _change_visibility(self, req: Request, queue, handle: str, timeout) -> None:
        if timeout is None:
            raise missing("VisibilityTimeout")
        if not 0 <= timeout <= MAX_VISIBILITY:
            raise invalid_value("VisibilityTimeout", timeout, f"Must be between 0 and "
                                f"{MAX_VISIBILITY}, if provided.")
        message = self._message_for(queue, handle)
        now = self.cloud.clock.elapsed
        if message is None or message.receipt != handle:
            raise invalid_value("ReceiptHandle", handle, "Message does not exist or is not "
                                "available for visibility timeout change.")
        if message.status(now) != "in flight":
            raise sqs_error("MessageNotInflight", "The specified message isn't in flight.")
        if now + timeout > message.received_at + MAX_VISIBILITY:
            raise invalid_value("VisibilityTimeout", timeout, "Total VisibilityTimeout for the "
                                f"message is beyond the limit [{MAX_VISIBILITY} seconds].")
        message.visible_at = now + timeout
        req.step("Queue", f"Message {message.message_id} in flight for {timeout} s more", 1.0,
                 queue=queue.arn, message_id=message.message_id)

    @operation
    def delete_message(self, req: Request, QueueUrl: str, ReceiptHandle: str):
        queue = self.queue_for(req, QueueUrl, "DeleteMessage")
        self._delete(req, queue, ReceiptHandle)
        return {}

    @operation
    def delete_message_batch(self, req: Request, QueueUrl: str, Entries: list):
        queue = self.queue_for(req, QueueUrl, "DeleteMessage")
        check_batch(Entries, "DeleteMessageBatchRequestEntry")
        ok, failed = [], []
        for entry in Entries:
            try:
                self._delete(req, queue, entry["ReceiptHandle"])
                ok.append({"Id": entry["Id"]})
            except errors.AWSError as err:
                failed.append(_failure(entry["Id"], err))
        return {"Successful": ok, "Failed": failed}

    @operation
    def change_message_visibility(self, req: Request, QueueUrl: str, ReceiptHandle: str,
                                  VisibilityTimeout: int):
        queue = self.queue_for(req, QueueUrl, "ChangeMessageVisibility")
        self._change_visibility(req, queue, ReceiptHandle, VisibilityTimeout)
        return {}

    @operation
    def change_message_visibility_batch(self, req: Request, QueueUrl: str, Entries: list):
        queue = self.queue_for(req, QueueUrl, "ChangeMessageVisibility")
        check_batch(Entries, "ChangeMessageVisibilityBatchRequestEntry")
        ok, failed = [], []
        for entry in Entries:
            try:
                self._change_visibility(req, queue, entry["ReceiptHandle"],
                                        entry.get("VisibilityTimeout"))
                ok.append({"Id": entry["Id"]})
            except errors.AWSError as err:
                failed.append(_failure(entry["Id"], err))
        return {"Successful": ok, "Failed": failed}
