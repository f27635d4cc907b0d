"""Asynchronous invocation: the event queue, the poller, retries, DLQ and destinations (A2).

What AWS does [T25][D-async][LDG-async]: an ``Event`` invoke goes to the event-invoke front end,
which writes the event to an internal SQS queue (not visible to the customer) and answers 202.
Pollers read the queues and run each event through the *synchronous* invoke path:

- success: the poller deletes the event; an ``OnSuccess`` destination gets a record;
- a function error (timeouts included): retried ``MaximumRetryAttempts`` times (0-2, default 2),
  one minute before the second attempt and two minutes before the third;
- a throttle (429) or a Lambda error (5xx): the event goes back to the queue and is retried
  with a delay growing exponentially from 1 s to at most 5 minutes, for as long as the event is
  younger than ``MaximumEventAgeInSeconds`` (60-21,600, default 6 hours); with reserved
  concurrency 0, events go to the DLQ / on-failure destination at once, without retries;
- an event that fails every attempt, or gets too old, is discarded, or sent on: the
  dead-letter queue (``DeadLetterConfig``, an SQS queue here) gets the event itself, with
  message attributes ``RequestID``, ``ErrorCode`` (the last HTTP status) and ``ErrorMessage``
  (its first 1 KB); an ``OnFailure`` destination gets the invocation record
  ``{"version": "1.0", "timestamp", "requestContext": {"requestId", "functionArn",
  "condition": "RetriesExhausted" | "EventAgeExceeded", "approximateInvokeCount"},
  "requestPayload", "responseContext": {"statusCode", "executedVersion", "functionError"},
  "responsePayload"}`` (``condition: "Success"`` on success). The execution role needs
  permission to send to them (``sqs:SendMessage``, ``lambda:InvokeFunction``); a delivery it
  may not make is dropped (AWS counts it in the ``DeadLetterErrors`` or
  ``DestinationDeliveryFailures`` metric). Which ``condition`` the record of an event refused
  for reserved concurrency 0 carries is unconfirmed: awskit writes ``RetriesExhausted``.

How awskit models it: one internal queue per function (writing to it and reading from it take
:data:`QUEUE_MS`, 2 ms, a teaching value); a poller picks up new events :data:`POLL_DELAY_S`
(0.1 s, teaching value) after the first of them arrives, and every event that is due then
is handled as one concurrent batch (each gets its own environment, so two overlapping events get
two) of at most :data:`BATCH` (10, as an SQS receive) events; each attempt is a trace of its own
(front ``poller``, the request id of the Invoke) on the simulated clock, so ``cloud.advance()``
is what runs them. Destinations that are Lambda functions get the record as an ``Event``
invocation; SNS topics, EventBridge buses and S3 buckets are not simulated (the trace says the
record was not delivered). The at-least-once duplicates AWS warns of are not simulated.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass

from ..clock import iso8601
from ..iam.model import Principal
from ..request import Caller, Request
from . import exceptions as errors
from .execution import Run
from .internals import Internals

POLL_DELAY_S = 0.1
BATCH = 10
RETRY_DELAYS_S = (60.0, 120.0)
BACKOFF_FIRST_S, BACKOFF_MAX_S = 1.0, 300.0
QUEUE_MS = 2.0
RESPOND_MS = 0.5
SERVICE = "lambda.amazonaws.com"


@dataclass
class Event:
    """An event waiting in a function's internal queue."""

    event_id: str              # the request id of the Invoke that queued it
    account: str
    region: str
    name: str                  # the function's name
    qualifier: str | None      # as invoked
    invoked_arn: str
    payload: bytes
    enqueued: float
    due: float                 # when the poller takes it (next)
    attempts: int = 0          # attempts in which the function ran
    throttles: int = 0
    last_status: int | None = None
    last_version: str | None = None
    last_error: str | None = None
    last_response: bytes | None = None
    source: str | None = None  # the AWS service that sent it, if one did

    def to_dict(self) -> dict:
        out = asdict(self)
        for name in ("payload", "last_response"):
            if out[name] is not None:
                out[name] = base64.b64encode(out[name]).decode()
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Event":
        data = dict(data)
        for name in ("payload", "last_response"):
            if data[name] is not None:
                data[name] = base64.b64decode(data[name])
        return cls(**data)


def queue_name(function_arn: str) -> str:
    return "lambda-async-" + hashlib.sha256(function_arn.encode()).hexdigest()[:12]


class AsyncInvocations:
    """The asynchronous path (mixed into the Lambda service)."""

    def _init_async(self) -> None:
        self.events: list[Event] = []
        self._wakes: dict[float, object] = {}

    # -- the front end's half -----------------------------------------------------------------
    def enqueue_event(self, req: Request, found, version, payload: bytes) -> Event:
        """An Event invoke: metadata, state check, write to the queue; the caller answers 202."""
        from .execution import check_state
        internals = self.internals(version.region)
        live = version.live(self.now)
        Internals.record(req, internals.frontend.load_metadata(live.arn, live.revision_id,
                                                               "async"))
        check_state(version, self.now)
        event = self._queue(found, payload, req.request_id)
        req.step("Event queue", f"Write event {event.event_id} ({len(payload):,} bytes) to "
                 f"{queue_name(found.function.arn)}, {found.function.name}'s internal queue "
                 "(Lambda's own SQS queue, not in your account)", QUEUE_MS,
                 queue=queue_name(found.function.arn), event_id=event.event_id)
        req.step("Front end", "Respond 202 Accepted: the event is queued; a poller will run it",
                 RESPOND_MS, status=202)
        return event

    def enqueue_internal(self, found, version, payload: bytes, source: str) -> Event:
        """An event queued by Lambda itself or another service (no request of its own)."""
        return self._queue(found, payload, self.cloud.ids.request_id(), source)

    def _queue(self, found, payload: bytes, event_id: str, source: str | None = None) -> Event:
        function, now = found.function, self.now
        soon = [w for w in self._wakes if now <= w <= now + POLL_DELAY_S]
        due = min(soon) if soon else now + POLL_DELAY_S    # join the batch already coming
        event = Event(event_id, function.account, function.region, function.name,
                      found.qualifier, found.arn, bytes(payload), now, due, source=source)
        self.events.append(event)
        self._wake(event.due)
        return event

    # -- the poller ---------------------------------------------------------------------------
    def _wake(self, at: float) -> None:
        if at not in self._wakes:
            self._wakes[at] = self.cloud.clock.schedule_at(at, lambda: self._poll(at),
                                                           name="Lambda async poller")

    def _poll(self, at: float) -> None:
        self._wakes.pop(at, None)
        clock = self.cloud.clock
        due = sorted((e for e in self.events if e.due <= clock.elapsed),
                     key=lambda e: (e.due, e.enqueued))
        batch, rest = due[:BATCH], due[BATCH:]
        if rest:
            self._wake(clock.elapsed)
        t = clock.elapsed
        runs, ends = [], [t]
        for event in batch:
            clock.elapsed = t
            self.events.remove(event)
            run = self._attempt(event)
            if run is not None:
                runs.append((clock.elapsed, run, event))
            else:
                ends.append(clock.elapsed)
        for cursor, run, event in sorted(runs, key=lambda r: r[0]):
            clock.elapsed = cursor
            self._finish(run, event)
            ends.append(clock.elapsed)
        clock.elapsed = max(ends)

    def _request(self, event: Event) -> Request:
        principal = Principal("service", SERVICE, event.account, SERVICE, SERVICE)
        req = Request(self, self.operation_info("Invoke"),
                      {"FunctionName": event.invoked_arn, "InvocationType": "Event"},
                      Caller(principal=principal, region=event.region, front="poller"),
                      event.event_id)
        req.principal = principal
        req._identity_recorded = True
        req.trace.principal, req.trace.account = SERVICE, event.account
        req.trace.summary = (f"Poller: attempt {event.attempts + event.throttles + 1} of event "
                             f"{event.event_id} for {event.invoked_arn}")
        return req

    def _attempt(self, event: Event):
        """Take ``event`` from the queue and begin its attempt: the Run, or None if it ended."""
        req = self._request(event)
        age = self.now - event.enqueued
        req.step("Poller", f"Receive event {event.event_id} from {queue_name(self._fn(event))} "
                 f"(age {age:.3f} s)", QUEUE_MS, event_id=event.event_id, age_s=round(age, 3),
                 attempts=event.attempts, throttles=event.throttles)
        try:
            found = self.resolve(event.invoked_arn, region=event.region)
        except errors.AWSError as err:
            req.step("Poller", f"The function is gone ({err.code}): drop the event", 0.0)
            return self._close(req, err.status, err.code)
        config = found.event_invoke_config
        max_age = config.age if config is not None else 21600
        if age > max_age:
            self._give_up(req, event, found, "EventAgeExceeded",
                          f"older than MaximumEventAgeInSeconds ({max_age} s)")
            return self._close(req, 200)
        version = self._pick(found)
        run = Run(self, req, found, version, event.payload, invocation_type="Event",
                  attempt=event.attempts + 1)
        try:
            run.begin()
        except errors.AWSError as err:
            self._failed_to_run(req, event, found, err)
            return self._close(req, err.status, err.code)
        except Exception:
            if self.cloud.debug:
                raise
            err = errors.ServiceException()        # a bug inside awskit: Lambda's 5xx
            self._failed_to_run(req, event, found, err)
            return self._close(req, err.status, err.code)
        return run

    def _finish(self, run: Run, event: Event) -> None:
        req, found = run.req, run.found
        run.complete(respond=False)
        event.attempts += 1
        event.last_status, event.last_version = 200, run.version.version
        event.last_response = run.response
        event.last_error = run.function_error
        if run.function_error is None:
            req.step("Poller", f"Success: delete event {event.event_id} from the queue",
                     QUEUE_MS, event_id=event.event_id)
            config = found.event_invoke_config
            if config is not None and config.on_success:
                self._send_record(req, event, found, config.on_success, "Success")
            self._close(req, 200)
            return
        config = found.event_invoke_config
        retries = config.retries if config is not None else 2
        if event.attempts <= retries:
            delay = RETRY_DELAYS_S[min(event.attempts, len(RETRY_DELAYS_S)) - 1]
            self._requeue(event, delay)
            req.step("Poller", f"Function error ({run.error_type}): the event stays in the "
                     f"queue; attempt {event.attempts + 1} of {retries + 1} in {delay:g} s",
                     QUEUE_MS, retry_in_s=delay, attempt=event.attempts)
        else:
            self._give_up(req, event, found, "RetriesExhausted",
                          f"function error on all {event.attempts} attempt(s)")
        self._close(req, 200)

    def _failed_to_run(self, req, event: Event, found, err) -> None:
        """The attempt did not run the function: throttled, or an error of Lambda's."""
        event.last_status, event.last_error = err.status, err.code
        reserved = found.function.reserved
        if err.code == "TooManyRequestsException" and reserved == 0:
            self._give_up(req, event, found, "RetriesExhausted",
                          "reserved concurrency is 0: no retries")
            return
        if err.code == "TooManyRequestsException" or err.status >= 500:
            event.throttles += 1
            delay = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** (event.throttles - 1))
            self._requeue(event, delay)
            req.step("Poller", f"{err.code}: back to the queue, retry in {delay:g} s "
                     "(backoff doubles up to 5 minutes, until the event is too old)", QUEUE_MS,
                     retry_in_s=delay, throttles=event.throttles)
            return
        self._give_up(req, event, found, "RetriesExhausted", f"{err.code}: cannot run")

    def _requeue(self, event: Event, delay: float) -> None:
        event.due = self.now + delay
        self.events.append(event)
        self._wake(event.due)

    def _close(self, req: Request, status: int, error: str | None = None) -> None:
        trace = req.trace
        trace.status, trace.error = status, error
        self.cloud.traces.append(trace)
        self.cloud.notify(trace)
        return None

    @staticmethod
    def _fn(event: Event) -> str:
        return f"arn:aws:lambda:{event.region}:{event.account}:function:{event.name}"

    # -- the end of an event ------------------------------------------------------------------
    def _give_up(self, req, event: Event, found, condition: str, why: str) -> None:
        config = found.event_invoke_config
        version = found.version if event.last_version is None else \
            (found.function.version(event.last_version) or found.version)
        dlq = version.dead_letter_arn
        req.step("Poller", f"Discard event {event.event_id}: {why}" + (
            "" if dlq or (config and config.on_failure) else
            " (no dead-letter queue or on-failure destination: the event is lost)"), QUEUE_MS,
            condition=condition)
        if dlq:
            message = _error_message(event.last_response) or event.last_error or condition
            attrs = {"RequestID": {"DataType": "String", "StringValue": event.event_id},
                     "ErrorCode": {"DataType": "Number",
                                   "StringValue": str(event.last_status or 200)},
                     "ErrorMessage": {"DataType": "String", "StringValue": message[:1024]}}
            self._deliver(req, version, dlq, event.payload.decode("utf-8", "replace"), attrs,
                          "dead-letter queue")
        if config is not None and config.on_failure:
            self._send_record(req, event, found, config.on_failure, condition)

    def _send_record(self, req, event: Event, found, target: str, condition: str) -> None:
        fn_arn = f"{found.function.arn}:{event.qualifier or found.version.version}"
        response = {"statusCode": event.last_status or 200}
        if event.last_version is not None:
            response["executedVersion"] = event.last_version
        if event.last_error and event.last_status == 200:
            response["functionError"] = event.last_error
        record = {"version": "1.0", "timestamp": iso8601(self.now),
                  "requestContext": {"requestId": event.event_id, "functionArn": fn_arn,
                                     "condition": condition,
                                     "approximateInvokeCount": event.attempts},
                  "requestPayload": _json_or_text(event.payload),
                  "responseContext": response}
        if event.last_response is not None:
            record["responsePayload"] = _json_or_text(event.last_response)
        version = found.function.version(event.last_version) if event.last_version \
            else found.version
        self._deliver(req, version or found.version, target, json.dumps(record), None,
                      f"{'on-success' if condition == 'Success' else 'on-failure'} destination")

    def _deliver(self, req, version, target: str, body: str, attrs, what: str) -> None:
        service = target.split(":")[2] if target.count(":") >= 5 else ""
        if service == "sqs":
            queue = self.cloud.sqs.queue_by_arn(target)
            if queue is None:
                req.step("Poller", f"Not delivered to the {what} {target}: no such queue", 0.0)
            elif not self.role_may(version.role, "sqs:SendMessage", target):
                req.step("Poller", f"Not delivered to the {what} {target}: the execution role "
                         "may not sqs:SendMessage", 0.0)
            else:
                try:
                    message_id = self.cloud.sqs.deliver(queue, body, attrs)
                except errors.AWSError as err:
                    req.step("Poller", f"Not delivered to the {what} {target}: {err.code}", 0.0)
                else:
                    req.step("Amazon SQS", f"{what.capitalize()}: message {message_id} in "
                             f"{queue.name}", QUEUE_MS, queue=target, message_id=message_id)
            return
        if service == "lambda" and what.endswith("destination"):
            try:
                found = self.resolve(target, region=target.split(":")[3])
            except errors.AWSError:
                req.step("Poller", f"Not delivered to the {what} {target}: no such function",
                         0.0)
                return
            if not self.role_may(version.role, "lambda:InvokeFunction", target):
                req.step("Poller", f"Not delivered to the {what} {target}: the execution role "
                         "may not lambda:InvokeFunction", 0.0)
                return
            event = self.enqueue_internal(found, found.version, body.encode(), SERVICE)
            req.step("Event queue", f"{what.capitalize()}: event {event.event_id} for "
                     f"{found.function.name} (asynchronous invocation)", QUEUE_MS,
                     event_id=event.event_id, function=found.function.arn)
            return
        req.step("Poller", f"Not delivered to the {what} {target}: awskit does not simulate "
                 f"{service or 'that service'} destinations", 0.0)

    # -- saving ---------------------------------------------------------------------------------
    def dump_async(self) -> list:
        return [e.to_dict() for e in self.events]

    def load_async(self, data: list) -> None:
        self.events = [Event.from_dict(d) for d in data]
        for event in self.events:
            self._wake(max(event.due, self.now))


def _json_or_text(data: bytes):
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


def _error_message(response: bytes | None) -> str | None:
    if not response:
        return None
    try:
        doc = json.loads(response)
    except ValueError:
        return None
    return doc.get("errorMessage") if isinstance(doc, dict) else None


__all__ = ["AsyncInvocations", "Event", "queue_name"]
