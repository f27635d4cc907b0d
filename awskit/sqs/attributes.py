"""Queue attributes: names, defaults, ranges, and the JSON policies SQS stores as strings.

From botocore's sqs model (``CreateQueueRequest.Attributes``, ``GetQueueAttributesRequest``):

=================================  ==========================  ===========================
attribute                          valid values                default
=================================  ==========================  ===========================
DelaySeconds                       0 - 900                     0
MaximumMessageSize                 1,024 - 1,048,576           1,048,576 (1 MiB)
MessageRetentionPeriod             60 - 1,209,600 (14 days)    345,600 (4 days)
ReceiveMessageWaitTimeSeconds      0 - 20                      0
VisibilityTimeout                  0 - 43,200 (12 hours)       30
KmsDataKeyReusePeriodSeconds       60 - 86,400                 300 (reported once KMS is set)
SqsManagedSseEnabled               true / false                true (SSE-SQS is on by default)
FifoQueue (creation only)          true / false                (FIFO queues only)
ContentBasedDeduplication          true / false                false (FIFO only)
DeduplicationScope                 messageGroup / queue        queue (FIFO only)
FifoThroughputLimit                perQueue / perMessageGroupId  perQueue (FIFO only)
RedrivePolicy                      {"deadLetterTargetArn", "maxReceiveCount" 1-1000}
RedriveAllowPolicy                 {"redrivePermission": allowAll|denyAll|byQueue,
                                    "sourceQueueArns": [up to 10 ARNs, byQueue only]}
Policy                             a resource-based IAM policy (JSON)
=================================  ==========================  ===========================

The dead-letter queue must be in the same account and Region and of the same type (FIFO for a
FIFO source) [SQSDG sqs-dead-letter-queues.md]; a DLQ's ``RedriveAllowPolicy`` decides which
sources may name it. An empty string removes ``Policy``, ``RedrivePolicy`` or
``RedriveAllowPolicy``. A bad value gives ``InvalidAttributeValue`` ("Invalid value for the
parameter X."); an unknown or read-only name gives ``InvalidAttributeName`` ("Unknown Attribute
X."). awskit stores ``KmsMasterKeyId`` but simulates no KMS; the wording of the RedrivePolicy
reasons is unconfirmed.
"""

from __future__ import annotations

import json
import re

from .. import errors
from ..iam.policy import Policy
from .codes import invalid_attribute, unknown_attribute

RANGES = {"DelaySeconds": (0, 900), "MaximumMessageSize": (1024, 1_048_576),
          "MessageRetentionPeriod": (60, 1_209_600), "ReceiveMessageWaitTimeSeconds": (0, 20),
          "VisibilityTimeout": (0, 43_200), "KmsDataKeyReusePeriodSeconds": (60, 86_400)}
BOOLEANS = {"FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled"}
ENUMS = {"DeduplicationScope": ("messageGroup", "queue"),
         "FifoThroughputLimit": ("perQueue", "perMessageGroupId")}
JSON_ATTRIBUTES = {"Policy", "RedrivePolicy", "RedriveAllowPolicy"}
FIFO_ONLY = {"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"}
SETTABLE = set(RANGES) | BOOLEANS | set(ENUMS) | JSON_ATTRIBUTES | {"KmsMasterKeyId"}
COMPUTED = ("QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp")
DEFAULTS = {"VisibilityTimeout": "30", "MaximumMessageSize": "1048576",
            "MessageRetentionPeriod": "345600", "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "0", "SqsManagedSseEnabled": "true"}
FIFO_DEFAULTS = {"FifoQueue": "true", "ContentBasedDeduplication": "false",
                 "DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue"}
MAX_RECEIVE_COUNT = (1, 1000)
_INTEGER = re.compile(r"[+-]?\d+")


def defaults(fifo: bool) -> dict[str, str]:
    return {**DEFAULTS, **(FIFO_DEFAULTS if fifo else {})}


def parse_int(name: str, value: str) -> int:
    if not isinstance(value, str) or not _INTEGER.fullmatch(value.strip()):
        raise invalid_attribute(name)
    return int(value)


def normalize(given: dict | None, *, fifo: bool, creating: bool) -> dict[str, str]:
    """Check attribute names and values; return them in the form SQS stores and reports.

    JSON attributes come back parsed-and-checked for shape only; whether a DLQ exists and
    accepts the source is checked by the model (it needs the queues).
    """
    out: dict[str, str] = {}
    for name, value in (given or {}).items():
        if name not in SETTABLE:
            raise unknown_attribute(name)
        if not isinstance(value, str):
            raise invalid_attribute(name)
        if name == "FifoQueue":
            flag = value.strip().lower()
            if flag not in ("true", "false"):
                raise invalid_attribute(name)
            if flag != ("true" if fifo else "false") or not creating:
                raise invalid_attribute(name, "You can't change the queue type: FifoQueue is "
                                              "set at creation, with a name ending in .fifo.")
            if fifo:
                out[name] = "true"
            continue
        if name in FIFO_ONLY and not fifo:
            raise unknown_attribute(name)
        if name in RANGES:
            low, high = RANGES[name]
            number = parse_int(name, value)
            if not low <= number <= high:
                raise invalid_attribute(name)
            out[name] = str(number)
        elif name in BOOLEANS:
            flag = value.strip().lower()
            if flag not in ("true", "false"):
                raise invalid_attribute(name)
            out[name] = flag
        elif name in ENUMS:
            if value not in ENUMS[name]:
                raise invalid_attribute(name)
            out[name] = value
        elif name == "Policy":
            out[name] = check_policy(value)
        elif name == "RedrivePolicy":
            out[name] = json.dumps(parse_redrive(value), separators=(",", ":")) if value else ""
        elif name == "RedriveAllowPolicy":
            out[name] = json.dumps(parse_redrive_allow(value), separators=(",", ":")) \
                if value else ""
        else:                                   # KmsMasterKeyId
            out[name] = value
    scope = out.get("DeduplicationScope")
    if out.get("FifoThroughputLimit") == "perMessageGroupId" and scope == "queue":
        raise invalid_attribute("FifoThroughputLimit", "perMessageGroupId is allowed only "
                                                      "with DeduplicationScope messageGroup.")
    return out


def check_policy(text: str) -> str:
    """A queue policy must be a valid resource-based policy; "" removes it."""
    if text == "":
        return ""
    try:
        Policy.parse(text, kind="resource")
    except errors.AWSError:
        raise invalid_attribute("Policy") from None
    return text


def _json_map(name: str, text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise invalid_attribute(name, f"{name} is not a valid JSON map.")
    return data


def parse_redrive(text: str) -> dict:
    """``{"deadLetterTargetArn": arn, "maxReceiveCount": 1-1000}`` (the count may be a string)."""
    data = _json_map("RedrivePolicy", text)
    for key in ("deadLetterTargetArn", "maxReceiveCount"):
        if key not in data:
            raise invalid_attribute("RedrivePolicy", f"Redrive policy does not contain "
                                                     f"mandatory attribute: {key}.")
    extra = set(data) - {"deadLetterTargetArn", "maxReceiveCount"}
    if extra:
        raise invalid_attribute("RedrivePolicy", "Only following attributes are supported: "
                                                 "[deadLetterTargetArn, maxReceiveCount].")
    count = data["maxReceiveCount"]
    if isinstance(count, str) and _INTEGER.fullmatch(count.strip()):
        count = int(count)
    low, high = MAX_RECEIVE_COUNT
    if isinstance(count, bool) or not isinstance(count, int) or not low <= count <= high:
        raise invalid_attribute("RedrivePolicy", f"Invalid value for maxReceiveCount: {count}, "
                                                 f"valid values are from {low} to {high} both "
                                                 "inclusive.")
    target = data["deadLetterTargetArn"]
    if not isinstance(target, str):
        raise invalid_attribute("RedrivePolicy", "Dead-letter target ARN is not a string.")
    return {"deadLetterTargetArn": target, "maxReceiveCount": count}


def parse_redrive_allow(text: str) -> dict:
    data = _json_map("RedriveAllowPolicy", text)
    permission = data.get("redrivePermission")
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise invalid_attribute("RedriveAllowPolicy", "redrivePermission must be allowAll, "
                                                      "denyAll or byQueue.")
    sources = data.get("sourceQueueArns")
    if set(data) - {"redrivePermission", "sourceQueueArns"}:
        raise invalid_attribute("RedriveAllowPolicy")
    if permission == "byQueue":
        if not isinstance(sources, list) or not 1 <= len(sources) <= 10 or \
                not all(isinstance(s, str) for s in sources):
            raise invalid_attribute("RedriveAllowPolicy", "byQueue needs sourceQueueArns: "
                                                          "1 to 10 queue ARNs.")
        return {"redrivePermission": permission, "sourceQueueArns": list(sources)}
    if sources is not None:
        raise invalid_attribute("RedriveAllowPolicy", "sourceQueueArns is allowed only with "
                                                      "redrivePermission byQueue.")
    return {"redrivePermission": permission}


def allows_source(allow_text: str | None, source_arn: str) -> bool:
    """Does a DLQ's RedriveAllowPolicy let ``source_arn`` name it as its dead-letter queue?"""
    if not allow_text:
        return True
    data = json.loads(allow_text)
    permission = data["redrivePermission"]
    if permission == "allowAll":
        return True
    if permission == "denyAll":
        return False
    return source_arn in data.get("sourceQueueArns", [])
