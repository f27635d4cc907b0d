"""Checks of the Lambda exercises (notebook 06).

They read the Lambda model (functions, aliases, provisioned concurrency, the record of every
invocation in ``cloud.awslambda.invocations``) and the SQS queues, never a value the student
passes in: what counts is what the cloud did.
"""

from __future__ import annotations

import json

from .core import Hint, _checked


def _function(cloud, name: str):
    function = cloud.awslambda.find(cloud.default_account, cloud.default_region, name)
    if function is None:
        raise Hint(f"there is no function {name!r} in {cloud.default_region}: run the "
                   "notebook's cells from the top")
    return function


@_checked("provisioned concurrency")
def check_provisioned_warm(cloud, function: str = "hello", alias: str = "live") -> str:
    """``function:alias`` has provisioned concurrency that is READY, and an invocation of the
    alias after that was served by a provisioned environment with no cold start."""
    fn = _function(cloud, function)
    if alias not in fn.aliases:
        raise Hint(f"{function} has no alias {alias!r} yet: publish a version "
                   "(publish_version) and point the alias at it (create_alias)")
    config = fn.provisioned.get(alias)
    if config is None:
        raise Hint(f"the alias {alias!r} has no provisioned concurrency: "
                   "put_provisioned_concurrency_config with Qualifier=" + repr(alias))
    now = cloud.clock.elapsed
    if config.status(now) != "READY":
        raise Hint("the provisioned environments are still being initialized: wait for "
                   "get_provisioned_concurrency_config to say READY (cloud.advance moves time)")
    arn = f"{fn.arn}:{alias}"
    served = [i for i in cloud.awslambda.invocations
              if i.invoked_arn == arn and i.start >= config.ready_at]
    if not served:
        raise Hint(f"now invoke {function} through the alias (Qualifier={alias!r})")
    last = served[-1]
    if last.cold or not last.provisioned:
        raise Hint("the last invocation of the alias was not served by a provisioned "
                   "environment: did it fail, or was the alias moved to another version?")
    return (f"{arn.split(':function:')[1]} answered from one of {config.requested} provisioned "
            f"environment{'s' if config.requested != 1 else ''} without a cold start")


@_checked("dead-letter queue")
def check_async_dlq(cloud, function: str = "hello", queue: str = "hello-dlq") -> str:
    """A failing asynchronous event ran three times (the first try and AWS's two retries) and
    then landed in the function's dead-letter queue."""
    fn = _function(cloud, function)
    target = fn.latest.dead_letter_arn
    if not target:
        raise Hint(f"{function} has no dead-letter queue: update_function_configuration with "
                   "DeadLetterConfig={'TargetArn': <the queue's ARN>}")
    dlq = cloud.sqs.queue_by_arn(target)
    if dlq is None or dlq.name != queue:
        raise Hint(f"the dead-letter queue should be the SQS queue {queue!r} "
                   f"(it is {target})")
    failed = {}
    for record in cloud.awslambda.invocations:
        if record.invocation_type == "Event" and record.function_arn.startswith(fn.arn + ":") \
                and record.status != "ok":
            failed.setdefault(record.request_id, []).append(record.attempt)
    if not failed:
        raise Hint("no asynchronous invocation has failed yet: invoke with "
                   "InvocationType='Event' and a payload that makes the handler raise")
    tried = max(failed.values(), key=len)
    if len(tried) < 3:
        raise Hint(f"the failing event has run {len(tried)} time(s) so far: Lambda retries "
                   "twice, after about one and then two minutes — advance the clock")
    bodies = [m.body for m in dlq.messages]
    if not any(_is_failing_event(body) for body in bodies):
        raise Hint(f"{queue} holds no failed event: did the role get sqs:SendMessage on it? "
                   "(the poller's trace says why a delivery failed)")
    return (f"the event ran {len(tried)} times, then Lambda put it in {queue} "
            f"({len(bodies)} message{'s' if len(bodies) != 1 else ''} there)")


def _is_failing_event(body: str) -> bool:
    try:
        event = json.loads(body)
    except ValueError:
        return False
    return isinstance(event, dict) and bool(event.get("fail"))
