"""The CloudWatch Logs API as boto3's ``logs`` client sees it: log groups, streams, retention and
tags here; reading and writing events in ``events.py``.

Names [BC logs:CreateLogGroup, CreateLogStream]: a group name has 1-512 characters of
``a-zA-Z0-9_-/.#`` and may not start with ``aws/``; a stream name 1-512 characters without ``:``
or ``*``. Retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
2192, 2557, 2922, 3288 or 3653 days (DeleteRetentionPolicy: never expire). Tags: at most 50 per
group (keys 1-128, values up to 256 characters; ``aws:`` reserved). TagLogGroup/UntagLogGroup/
ListTagsLogGroup are the deprecated forms of TagResource/UntagResource/ListTagsForResource,
which take the group ARN without ``:*``.

Authorization: ``logs:<Action>`` on the ARN AWS names in its AccessDenied messages:
``arn:aws:logs:<region>:<account>:log-group:<group>:log-stream:<stream>`` (the stream part
empty for group-level actions, the group empty for DescribeLogGroups), so the policy form
``...:log-group:<group>:*`` covers both; the tagging APIs use the ARN given. AccessDenied is
``AccessDeniedException`` (HTTP 400, as CloudWatch Logs sends it). Cross-account observability
(``accountIdentifiers``, ``includeLinkedAccounts``), KMS encryption (the key id is stored, not
used) and deletion protection's side effects are not simulated.
"""

from __future__ import annotations

import base64
import binascii
import re

from .. import errors
from ..service import Request, Service, http_date, operation
from .events import EventOperations
from .model import LogGroup, LogStore, LogStream

for _code, _message in (
        ("ResourceNotFoundException", "The specified resource does not exist."),
        ("ResourceAlreadyExistsException", "The specified resource already exists."),
        ("InvalidParameterException", "A parameter is specified incorrectly."),
        ("TooManyTagsException", "A resource can have no more than 50 tags."),
        ("AccessDeniedException", ("You don't have sufficient permissions to perform this "
                                   "action."))):
    errors.define(_code, 400, _message)

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653)
GROUP_PATTERN = r"[\.\-_/#A-Za-z0-9]+"
STREAM_PATTERN = r"[^:*]*"
_TAG = re.compile(r"[\w\s.:/=+\-@]*")
MAX_TAGS = 50


def invalid(message: str) -> errors.AWSError:
    return errors.for_code("InvalidParameterException")(message)


def check_name(value: str, member: str, pattern: str) -> None:
    """The model's length and pattern constraints, in AWS's validation wording."""
    if len(value) > 512:
        raise invalid(f"1 validation error detected: Value '{value}' at '{member}' failed to "
                      "satisfy constraint: Member must have length less than or equal to 512")
    if not re.fullmatch(pattern, value):
        raise invalid(f"1 validation error detected: Value '{value}' at '{member}' failed to "
                      f"satisfy constraint: Member must satisfy regular expression pattern: "
                      f"{pattern}")


def check_tags(tags: dict, existing: dict | None = None, too_many=None) -> None:
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or not _TAG.fullmatch(key) or len(value) > 256 or \
                not _TAG.fullmatch(value):
            raise invalid("Tag keys must be 1-128 and tag values at most 256 characters of "
                          "letters, numbers, spaces and _.:/=+-@")
        if key.lower().startswith("aws:"):
            raise invalid("Tag keys starting with aws: are reserved for use by AWS.")
    if len({**(existing or {}), **tags}) > MAX_TAGS:
        raise too_many or invalid("A log group can have no more than 50 tags.")


def encode_token(value: str) -> str:
    return base64.b64encode(("awskit-logs:" + value).encode()).decode()


def decode_token(token: str) -> str:
    try:
        text = base64.b64decode(token.encode(), validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith("awskit-logs:"):
        raise invalid("The specified nextToken is invalid.")
    return text[len("awskit-logs:"):]


class Logs(EventOperations, LogStore, Service):
    """Amazon CloudWatch Logs."""

    service_name = "logs"
    title = "CloudWatch Logs"
    front_component = "CloudWatch Logs front end"

    def __init__(self, cloud):
        Service.__init__(self, cloud)
        self._init_store()

    # -- pipeline hooks ---------------------------------------------------------------------
    def receive(self, req: Request) -> None:
        params = req.params
        target = params.get("logGroupName") or params.get("logGroupIdentifier") or \
            params.get("resourceArn") or ""
        line = f"{req.operation} {target}".strip()
        req.trace.summary = line
        req.receive(f"Receive {line}", 1.0, operation=req.operation)
        t0 = self.cloud.clock.elapsed
        for note in self.expire_all():
            req.trace.add("Log store", f"Due on the clock: {note}", t0, 0.0, {})

    def response_headers(self, req: Request, response: dict, status: int) -> dict:
        return {"x-amzn-requestid": req.request_id, "content-type": "application/x-amz-json-1.1",
                "date": http_date(self.cloud.clock.now)}

    def access_denied(self, req, action, resource, decision) -> errors.AWSError:
        message = Service.access_denied(self, req, action, resource, decision).message
        return errors.for_code("AccessDeniedException")(message)

    # -- helpers ----------------------------------------------------------------------------
    def resource(self, account: str, region: str, group: str = "", stream: str = "") -> str:
        return f"arn:aws:logs:{region}:{account}:log-group:{group}:log-stream:{stream}"

    def group_for(self, req: Request, action: str, name: str | None = None,
                  identifier: str | None = None, stream: str | None = None,
                  either: bool = False) -> LogGroup:
        """The log group a request names (by name, or by name or ARN), once IAM allows
        ``logs:<action>``; raises ResourceNotFoundException if it does not exist."""
        if either and (name is None) == (identifier is None):
            raise invalid("Exactly one of logGroupName and logGroupIdentifier must be given.")
        account, region = req.account, req.region
        if identifier is not None:
            name = identifier
            if identifier.startswith("arn:"):
                parts = identifier.split(":")
                if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group":
                    raise invalid(f"Invalid log group identifier: {identifier}")
                region, account, name = parts[3], parts[4], parts[6]
        check_name(name, "logGroupName", GROUP_PATTERN)
        req.authorize(f"logs:{action}", self.resource(account, region, name, stream or ""))
        group = self.groups.get((account, region, name))
        if group is None or region != req.region:
            raise errors.for_code("ResourceNotFoundException")(
                "The specified log group does not exist.")
        return group

    def stream_of(self, group: LogGroup, name: str) -> LogStream:
        stream = group.streams.get(name)
        if stream is None:
            raise errors.for_code("ResourceNotFoundException")(
                "The specified log stream does not exist.")
        return stream

    def group_by_arn(self, req: Request, action: str, arn: str) -> LogGroup:
        parts = arn.split(":")
        if len(parts) != 7 or parts[:3] != ["arn", "aws", "logs"] or parts[5] != "log-group":
            raise invalid(f"Invalid resource ARN: {arn}")
        req.authorize(f"logs:{action}", arn)
        group = self.groups.get((parts[4], parts[3], parts[6]))
        if group is None or parts[3] != req.region:
            raise errors.for_code("ResourceNotFoundException")(
                "The specified log group does not exist.")
        return group

    # -- log groups -------------------------------------------------------------------------
    @operation
    def create_log_group(self, req: Request, logGroupName: str, kmsKeyId=None, tags=None,
                         logGroupClass=None, deletionProtectionEnabled=None):
        check_name(logGroupName, "logGroupName", GROUP_PATTERN)
        account, region = req.account, req.region
        req.authorize("logs:CreateLogGroup", self.resource(account, region, logGroupName))
        if tags:
            req.authorize("logs:TagResource", f"arn:aws:logs:{region}:{account}:log-group:"
                                              f"{logGroupName}")
        if logGroupName.startswith("aws/"):
            raise invalid("Log group names can't start with aws/ (reserved for AWS).")
        check_tags(tags or {})
        if (account, region, logGroupName) in self.groups:
            raise errors.for_code("ResourceAlreadyExistsException")(
                "The specified log group already exists")
        self.new_group(account, region, logGroupName, tags=dict(tags or {}), kms_key=kmsKeyId,
                       log_class=logGroupClass or "STANDARD",
                       deletion_protection=bool(deletionProtectionEnabled))
        req.step("Log store", f"Create log group {logGroupName} (events never expire)", 3.0,
                 log_group=logGroupName)
        return {}

    @operation
    def delete_log_group(self, req: Request, logGroupName: str):
        group = self.group_for(req, "DeleteLogGroup", logGroupName)
        del self.groups[(group.account, group.region, group.name)]
        req.step("Log store", f"Delete log group {group.name} with {len(group.streams)} "
                 "stream(s) and their events", 3.0, log_group=group.name)
        return {}

    @operation
    def describe_log_groups(self, req: Request, logGroupNamePrefix=None, logGroupNamePattern=None,
                            nextToken=None, limit=None, logGroupClass=None,
                            logGroupIdentifiers=None, accountIdentifiers=None,
                            includeLinkedAccounts=None):
        req.authorize("logs:DescribeLogGroups", self.resource(req.account, req.region))
        if logGroupNamePrefix is not None and logGroupNamePattern is not None:
            raise invalid("logGroupNamePrefix and logGroupNamePattern are mutually exclusive "
                          "parameters.")
        if limit is not None and limit > 50:
            raise invalid(f"1 validation error detected: Value '{limit}' at 'limit' failed to "
                          "satisfy constraint: Member must have value less than or equal to 50")
        wanted = {i.split(":")[6] if i.startswith("arn:") and i.count(":") >= 6 else i
                  for i in logGroupIdentifiers or []}
        names = sorted(name for (account, region, name), g in self.groups.items()
                       if account == req.account and region == req.region
                       and name.startswith(logGroupNamePrefix or "")
                       and (logGroupNamePattern is None or logGroupNamePattern in name)
                       and (logGroupClass is None or g.log_class == logGroupClass)
                       and (not wanted or name in wanted))
        if nextToken is not None:
            after = decode_token(nextToken)
            names = [n for n in names if n > after]
        size = limit or 50
        page = names[:size]
        req.step("Log store", f"List log groups of {req.account} in {req.region}: {len(page)}",
                 1.0)
        out = {"logGroups": [self.group_shape(self.groups[(req.account, req.region, n)],
                                              brief=logGroupNamePattern is not None)
                             for n in page]}
        if len(names) > size:
            out["nextToken"] = encode_token(page[-1])
        return out

    def group_shape(self, group: LogGroup, brief: bool = False) -> dict:
        out = {"logGroupName": group.name, "creationTime": group.created,
               "arn": group.arn + ":*"}
        if brief:
            return out
        out.update(metricFilterCount=0, storedBytes=group.stored_bytes,
                   logGroupClass=group.log_class, logGroupArn=group.arn)
        if group.retention is not None:
            out["retentionInDays"] = group.retention
        if group.kms_key:
            out["kmsKeyId"] = group.kms_key
        if group.deletion_protection:
            out["deletionProtectionEnabled"] = True
        return out

    @operation
    def put_retention_policy(self, req: Request, logGroupName: str, retentionInDays: int):
        group = self.group_for(req, "PutRetentionPolicy", logGroupName)
        if retentionInDays not in RETENTION_DAYS:
            raise invalid(f"1 validation error detected: Value '{retentionInDays}' at "
                          "'retentionInDays' failed to satisfy constraint: Member must satisfy "
                          f"enum value set: [{', '.join(map(str, RETENTION_DAYS))}]")
        group.retention = retentionInDays
        dropped = group.expire(self.now_ms())
        req.step("Log store", f"Retain events of {group.name} for {retentionInDays} day(s)"
                 + (f"; {dropped} older event(s) expire" if dropped else ""), 2.0,
                 log_group=group.name)
        return {}

    @operation
    def delete_retention_policy(self, req: Request, logGroupName: str):
        group = self.group_for(req, "DeleteRetentionPolicy", logGroupName)
        group.retention = None
        req.step("Log store", f"Events of {group.name} never expire", 1.0, log_group=group.name)
        return {}

    # -- log streams ------------------------------------------------------------------------
    @operation
    def create_log_stream(self, req: Request, logGroupName: str, logStreamName: str):
        check_name(logStreamName, "logStreamName", STREAM_PATTERN)
        group = self.group_for(req, "CreateLogStream", logGroupName, stream=logStreamName)
        if logStreamName in group.streams:
            raise errors.for_code("ResourceAlreadyExistsException")(
                "The specified log stream already exists")
        group.streams[logStreamName] = LogStream(logStreamName, self.now_ms())
        req.step("Log store", f"Create log stream {logStreamName} in {group.name}", 2.0,
                 log_group=group.name, log_stream=logStreamName)
        return {}

    @operation
    def delete_log_stream(self, req: Request, logGroupName: str, logStreamName: str):
        group = self.group_for(req, "DeleteLogStream", logGroupName, stream=logStreamName)
        stream = self.stream_of(group, logStreamName)
        del group.streams[logStreamName]
        req.step("Log store", f"Delete log stream {logStreamName} ({len(stream.events)} "
                 "event(s))", 2.0, log_group=group.name, log_stream=logStreamName)
        return {}

    @operation
    def describe_log_streams(self, req: Request, logGroupName=None, logGroupIdentifier=None,
                             logStreamNamePrefix=None, orderBy=None, descending=None,
                             nextToken=None, limit=None):
        group = self.group_for(req, "DescribeLogStreams", logGroupName, logGroupIdentifier,
                               either=True)
        if orderBy == "LastEventTime" and logStreamNamePrefix is not None:
            raise invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
        if limit is not None and limit > 50:
            raise invalid(f"1 validation error detected: Value '{limit}' at 'limit' failed to "
                          "satisfy constraint: Member must have value less than or equal to 50")
        streams = [s for s in group.streams.values()
                   if s.name.startswith(logStreamNamePrefix or "")]
        if orderBy == "LastEventTime":
            streams.sort(key=lambda s: (s.last_event or 0, s.name), reverse=bool(descending))
        else:
            streams.sort(key=lambda s: s.name, reverse=bool(descending))
        start = 0
        if nextToken is not None:
            text = decode_token(nextToken)
            if not text.startswith("streams:") or not text[8:].isdigit():
                raise invalid("The specified nextToken is invalid.")
            start = int(text[8:])
        size = limit or 50
        page = streams[start:start + size]
        req.step("Log store", f"List log streams of {group.name}: {len(page)}", 1.0,
                 log_group=group.name)
        out = {"logStreams": [self.stream_shape(group, s) for s in page]}
        if start + size < len(streams):
            out["nextToken"] = encode_token(f"streams:{start + size}")
        return out

    def stream_shape(self, group: LogGroup, stream: LogStream) -> dict:
        out = {"logStreamName": stream.name, "creationTime": stream.created,
               "arn": f"{group.arn}:log-stream:{stream.name}", "storedBytes": 0}
        if stream.events:
            out.update(firstEventTimestamp=stream.first_event, lastEventTimestamp=stream.last_event,
                       lastIngestionTime=stream.last_ingestion)
        return out

    # -- tags: the older by-name operations and the ARN-based ones do the same ---------------
    @staticmethod
    def _tag(req: Request, group, tags: dict, too_many=None) -> dict:
        check_tags(tags, group.tags, too_many)
        group.tags.update(tags)
        req.step("Log store", f"Tag {group.name}: {', '.join(sorted(tags))}", 1.0)
        return {}

    @staticmethod
    def _untag(req: Request, group, keys: list) -> dict:
        for key in keys:
            group.tags.pop(key, None)
        req.step("Log store", f"Untag {group.name}: {', '.join(keys)}", 1.0)
        return {}

    @staticmethod
    def _tags_of(req: Request, group) -> dict:
        req.step("Log store", f"Read the tags of {group.name}", 1.0)
        return {"tags": dict(group.tags)} if group.tags else {}

    @operation
    def tag_log_group(self, req: Request, logGroupName: str, tags: dict):
        return self._tag(req, self.group_for(req, "TagLogGroup", logGroupName), tags)

    @operation
    def untag_log_group(self, req: Request, logGroupName: str, tags: list):
        return self._untag(req, self.group_for(req, "UntagLogGroup", logGroupName), tags)

    @operation
    def list_tags_log_group(self, req: Request, logGroupName: str):
        return self._tags_of(req, self.group_for(req, "ListTagsLogGroup", logGroupName))

    @operation
    def tag_resource(self, req: Request, resourceArn: str, tags: dict):
        group = self.group_by_arn(req, "TagResource", resourceArn)
        return self._tag(req, group, tags, errors.for_code("TooManyTagsException")(
            f"A resource can have no more than {MAX_TAGS} tags.", resourceName=resourceArn))

    @operation
    def untag_resource(self, req: Request, resourceArn: str, tagKeys: list):
        return self._untag(req, self.group_by_arn(req, "UntagResource", resourceArn), tagKeys)

    @operation
    def list_tags_for_resource(self, req: Request, resourceArn: str):
        return self._tags_of(req, self.group_by_arn(req, "ListTagsForResource", resourceArn))
