"""The SQS API as boto3's ``sqs`` client sees it: queues here, messages in ``messages.py``.

Queues live in one account and Region: ``https://sqs.<region>.amazonaws.com/<account>/<name>``,
``arn:aws:sqs:<region>:<account>:<name>``. Names have up to 80 characters of ``A-Za-z0-9_-``
(a FIFO queue's name ends in ``.fifo``, counted in the 80) and are case-sensitive. CreateQueue
on an existing name returns its URL when every attribute given matches, else
``QueueNameExists``; a name cannot be reused for 60 s after DeleteQueue
(``QueueDeletedRecently``) [BC sqs:CreateQueue, DeleteQueue]. Tags: keys of 1-128 and values of
up to 256 characters, ``aws:`` reserved; AWS recommends at most 50 per queue (awskit does not
enforce it) [SQSDG quotas-queues.md].

Authorization: each call asks IAM for ``sqs:<Action>`` on the queue ARN (ListQueues on
``arn:aws:sqs:<region>:<account>:*``; batch calls need the single action's permission) [SQSDG
sqs-api-permissions-reference.md]; CreateQueue with tags also needs ``sqs:TagQueue`` [BC
sqs:CreateQueueRequest.tags]. The queue's ``Policy`` attribute is its resource-based policy, so
other accounts can be let in. A call naming a queue of the
caller's Region that does not exist is ``QueueDoesNotExist`` (a queue URL of another Region too:
awskit answers from the client's Region only).

Traces: "SQS front end" (the request), "IAM", "Queue" (what happened to which messages).
"""

from __future__ import annotations

import base64
import binascii
import re

from .. import errors
from ..service import Request, Service, http_date, operation
from . import attributes as qattr
from .codes import invalid_value, no_queue, sqs_error
from .messages import MessageOperations
from .model import NAME_REUSE_WAIT, PURGE_INTERVAL, Queue, parse_queue_url
from .store import QueueStore

_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
_TAG = re.compile(r"[\w\s.:/=+\-@]*")
_FIFO_NAME_MESSAGE = ("The name of a FIFO queue can only include alphanumeric characters, "
                      "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in "
                      "length.")


def check_tags(tags: dict) -> None:
    """Keys of 1-128 and values of up to 256 characters: letters, digits, spaces and
    ``_ . : / = + - @``; ``aws:`` is reserved [SQSDG quotas-queues.md]. AWS recommends at most 50
    tags per queue; awskit does not refuse more (whether AWS does is unconfirmed)."""
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or len(value) > 256 or not _TAG.fullmatch(key) or \
                not _TAG.fullmatch(value):
            raise errors.InvalidParameterValue("Tag keys must be 1 to 128 and tag values at most "
                                               "256 characters of letters, digits, spaces and "
                                               "_.:/=+-@.")
        if key.lower().startswith("aws:"):
            raise errors.InvalidParameterValue("Tag keys starting with aws: are reserved for "
                                               "use by AWS.")


class SQS(MessageOperations, QueueStore, Service):
    """Amazon Simple Queue Service."""

    service_name = "sqs"
    title = "Amazon SQS"
    front_component = "SQS front end"

    def __init__(self, cloud):
        Service.__init__(self, cloud)
        self._init_store()

    # -- pipeline hooks ---------------------------------------------------------------------
    def receive(self, req: Request) -> None:
        params = req.params
        target = params.get("QueueUrl") or params.get("QueueName") or ""
        line = f"{req.operation} {target}".strip()
        req.trace.summary = line
        req.receive(f"Receive {line}", 1.0, operation=req.operation)
        t0 = self.cloud.clock.elapsed
        for note in self.sweep():       # what fell due on the clock since SQS was last touched
            req.trace.add("Queue", f"Due on the clock: {note}", t0, 0.0, {})

    def response_headers(self, req: Request, response: dict, status: int) -> dict:
        return {"x-amzn-requestid": req.request_id, "content-type": "application/x-amz-json-1.0",
                "date": http_date(self.cloud.clock.now)}

    def resource_policy_for(self, arn: str):
        queue = self.queues.get(arn)
        return (queue.policy, queue.account) if queue is not None else (None, None)

    # -- helpers ----------------------------------------------------------------------------
    def authorize(self, req: Request, action: str, arn: str, queue: Queue | None,
                  account: str):
        policy = queue.policy if queue is not None else None
        return req.authorize(f"sqs:{action}", arn, resource_policy=policy,
                             resource_account=account,
                             resource_policy_name=policy and f"{arn} (queue policy)")

    def queue_for(self, req: Request, url, action: str) -> Queue:
        """The queue a request's QueueUrl names, once IAM allows ``sqs:<action>`` on it."""
        where = parse_queue_url(url) if isinstance(url, str) else None
        if where is None:
            raise no_queue()
        region, account, name = where
        arn = f"arn:aws:sqs:{region}:{account}:{name}"
        queue = self.queues.get(arn)
        self.authorize(req, action, arn, queue, account)
        if queue is None or region != req.region:
            raise no_queue()
        return queue

    def attribute_values(self, queue: Queue) -> dict[str, str]:
        """Every attribute GetQueueAttributes reports for ``queue`` (``All``)."""
        counts = queue.counts(self.cloud.clock.elapsed)
        epoch = int(self.cloud.clock.timestamp - self.cloud.clock.elapsed)
        return {"QueueArn": queue.arn,
                "ApproximateNumberOfMessages": str(counts["visible"]),
                "ApproximateNumberOfMessagesNotVisible": str(counts["in flight"]),
                "ApproximateNumberOfMessagesDelayed": str(counts["delayed"]),
                "CreatedTimestamp": str(epoch + int(queue.created)),
                "LastModifiedTimestamp": str(epoch + int(queue.modified)),
                **queue.attributes}

    # -- queues -----------------------------------------------------------------------------
    @operation
    def create_queue(self, req: Request, QueueName: str, Attributes=None, tags=None):
        name = QueueName
        fifo = name.endswith(".fifo")
        if fifo and not _FIFO_NAME.fullmatch(name):
            raise errors.InvalidParameterValue(_FIFO_NAME_MESSAGE)
        if not fifo and not _NAME.fullmatch(name):
            raise errors.InvalidParameterValue("Can only include alphanumeric characters, "
                                               "hyphens, or underscores. 1 to 80 in length")
        requested = (Attributes or {}).get("FifoQueue", "false").strip().lower() == "true"
        if requested and not fifo:
            raise errors.InvalidParameterValue(_FIFO_NAME_MESSAGE)
        if fifo and not requested:
            raise errors.InvalidParameterValue("Can only include alphanumeric characters, "
                                               "hyphens, or underscores. 1 to 80 in length")
        region, account = req.region, req.account
        arn = f"arn:aws:sqs:{region}:{account}:{name}"
        self.authorize(req, "CreateQueue", arn, None, account)
        if tags:
            self.authorize(req, "TagQueue", arn, None, account)
        values = qattr.normalize(Attributes, fifo=fifo, creating=True)
        check_tags(tags or {})
        if values.get("RedrivePolicy"):
            self.check_dead_letter_target(arn, fifo, qattr.parse_redrive(values["RedrivePolicy"]))
        now = self.cloud.clock.elapsed
        existing = self.queues.get(arn)
        if existing is not None:
            for key, value in values.items():
                if existing.attributes.get(key, "") != value:
                    raise sqs_error("QueueNameExists", "A queue already exists with the same "
                                    f"name and a different value for attribute {key}")
            req.step("Queue", f"Queue {name} already exists with these attributes: return its "
                     "URL", 1.0, queue=arn)
            return {"QueueUrl": existing.url}
        deleted = self.deleted.get(arn)
        if deleted is not None and now - deleted < NAME_REUSE_WAIT:
            raise sqs_error("QueueDeletedRecently", "You must wait 60 seconds after deleting a "
                            "queue before you can create another with the same name.")
        queue = Queue(name, account, region, now, now, qattr.defaults(fifo),
                      tags=dict(tags or {}))
        queue.set_attributes(values)
        self.queues[arn] = queue
        self.deleted.pop(arn, None)
        req.step("Queue", f"Create {'FIFO' if fifo else 'standard'} queue {name} (visibility "
                 f"timeout {queue.attributes['VisibilityTimeout']} s, retention "
                 f"{queue.attributes['MessageRetentionPeriod']} s)", 5.0, queue=arn)
        return {"QueueUrl": queue.url}

    @operation
    def get_queue_url(self, req: Request, QueueName: str, QueueOwnerAWSAccountId=None):
        account = QueueOwnerAWSAccountId or req.account
        arn = f"arn:aws:sqs:{req.region}:{account}:{QueueName}"
        queue = self.queues.get(arn)
        self.authorize(req, "GetQueueUrl", arn, queue, account)
        if queue is None:
            raise no_queue()
        req.step("Queue", f"Look up queue {QueueName}", 1.0, queue=arn)
        return {"QueueUrl": queue.url}

    @operation
    def list_queues(self, req: Request, QueueNamePrefix=None, NextToken=None, MaxResults=None):
        req.authorize("sqs:ListQueues", f"arn:aws:sqs:{req.region}:{req.account}:*")
        if MaxResults is not None and not 1 <= MaxResults <= 1000:
            raise invalid_value("MaxResults", MaxResults, "MaxResults must be an integer "
                                "between 1 and 1000.")
        names = sorted(q.name for q in self.queues.values()
                       if q.account == req.account and q.region == req.region
                       and q.name.startswith(QueueNamePrefix or ""))
        if NextToken is not None:
            start = _decode_token(NextToken)
            names = [n for n in names if n > start]
        limit = MaxResults or 1000
        page, more = names[:limit], len(names) > limit and MaxResults is not None
        req.step("Queue", f"List queues of {req.account} in {req.region}: {len(page)}", 1.0)
        out = {}
        if page:
            out["QueueUrls"] = [Queue(n, req.account, req.region, 0, 0, {}).url for n in page]
        if more:
            out["NextToken"] = _encode_token(page[-1])
        return out

    @operation
    def get_queue_attributes(self, req: Request, QueueUrl: str, AttributeNames=None):
        queue = self.queue_for(req, QueueUrl, "GetQueueAttributes")
        names = list(AttributeNames or [])
        for name in names:
            if name != "All" and name not in qattr.SETTABLE and name not in qattr.COMPUTED:
                raise sqs_error("InvalidAttributeName", f"Unknown Attribute {name}.")
        values = self.attribute_values(queue)
        if "All" not in names:
            values = {k: v for k, v in values.items() if k in names}
        req.step("Queue", f"Read {len(values)} attribute(s) of {queue.name}", 1.0, queue=queue.arn)
        return {"Attributes": values} if values else {}

    @operation
    def set_queue_attributes(self, req: Request, QueueUrl: str, Attributes: dict):
        queue = self.queue_for(req, QueueUrl, "SetQueueAttributes")
        values = qattr.normalize(Attributes, fifo=queue.fifo, creating=False)
        if values.get("RedrivePolicy"):
            self.check_dead_letter_target(queue.arn, queue.fifo,
                                          qattr.parse_redrive(values["RedrivePolicy"]))
        queue.set_attributes(values)
        queue.modified = self.cloud.clock.elapsed
        req.step("Queue", f"Set {', '.join(sorted(values)) or 'no'} attribute(s) of "
                 f"{queue.name}", 2.0, queue=queue.arn)
        return {}

    @operation
    def delete_queue(self, req: Request, QueueUrl: str):
        queue = self.queue_for(req, QueueUrl, "DeleteQueue")
        del self.queues[queue.arn]
        self.deleted[queue.arn] = self.cloud.clock.elapsed
        req.step("Queue", f"Delete queue {queue.name} and its {len(queue.messages)} "
                 "message(s)", 3.0, queue=queue.arn)
        return {}

    @operation
    def purge_queue(self, req: Request, QueueUrl: str):
        queue = self.queue_for(req, QueueUrl, "PurgeQueue")
        now = self.cloud.clock.elapsed
        if queue.last_purge is not None and now - queue.last_purge < PURGE_INTERVAL:
            raise sqs_error("PurgeQueueInProgress", f"Only one PurgeQueue operation on "
                            f"{queue.name} is allowed every 60 seconds.")
        count = len(queue.messages)
        queue.messages.clear()
        queue.last_purge = now
        req.step("Queue", f"Purge {queue.name}: delete {count} message(s)", 3.0, queue=queue.arn)
        return {}

    @operation
    def list_dead_letter_source_queues(self, req: Request, QueueUrl: str, NextToken=None,
                                       MaxResults=None):
        queue = self.queue_for(req, QueueUrl, "ListDeadLetterSourceQueues")
        if MaxResults is not None and not 1 <= MaxResults <= 1000:
            raise invalid_value("MaxResults", MaxResults, "MaxResults must be an integer "
                                "between 1 and 1000.")
        names = sorted(q.name for q in self.queues.values()
                       if q.redrive and q.redrive["deadLetterTargetArn"] == queue.arn)
        if NextToken is not None:
            start = _decode_token(NextToken)
            names = [n for n in names if n > start]
        limit = MaxResults or 1000
        page = names[:limit]
        req.step("Queue", f"Find queues redriving to {queue.name}: {len(page)}", 1.0)
        out = {"queueUrls": [self.queues[f"arn:aws:sqs:{queue.region}:{queue.account}:{n}"].url
                             for n in page]}
        if MaxResults is not None and len(names) > limit:
            out["NextToken"] = _encode_token(page[-1])
        return out

    # -- tags -------------------------------------------------------------------------------
    @operation
    def tag_queue(self, req: Request, QueueUrl: str, Tags: dict):
        queue = self.queue_for(req, QueueUrl, "TagQueue")
        check_tags(Tags)
        queue.tags.update(Tags)
        req.step("Queue", f"Tag {queue.name}: {', '.join(sorted(Tags))}", 1.0, queue=queue.arn)
        return {}

    @operation
    def untag_queue(self, req: Request, QueueUrl: str, TagKeys: list):
        queue = self.queue_for(req, QueueUrl, "UntagQueue")
        for key in TagKeys:
            queue.tags.pop(key, None)
        req.step("Queue", f"Untag {queue.name}: {', '.join(TagKeys)}", 1.0, queue=queue.arn)
        return {}

    @operation
    def list_queue_tags(self, req: Request, QueueUrl: str):
        queue = self.queue_for(req, QueueUrl, "ListQueueTags")
        req.step("Queue", f"Read the tags of {queue.name}", 1.0, queue=queue.arn)
        return {"Tags": dict(queue.tags)} if queue.tags else {}


def _encode_token(name: str) -> str:
    return base64.b64encode(("awskit-sqs:" + name).encode()).decode()


def _decode_token(token: str) -> str:
    try:
        text = base64.b64decode(token.encode(), validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith("awskit-sqs:"):
        raise invalid_value("NextToken", token, "Invalid NextToken value.")
    return text[len("awskit-sqs:"):]
