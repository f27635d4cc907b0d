"""Asynchronous invocation settings: Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s).

What AWS does (botocore lambda model, PutFunctionEventInvokeConfig docs; facts A2): a function,
version or alias (``$LATEST`` when no qualifier is given) may set ``MaximumRetryAttempts``
(0-2, default 2), ``MaximumEventAgeInSeconds`` (60-21,600, default 6 hours) and destinations for
records of successful and failed asynchronous invocations: an SQS queue, an SNS topic, a Lambda
function or an EventBridge event bus, and, for failures only, an S3 bucket. Put replaces the
whole configuration (settings left out are removed); Update changes only what it names and
fails if there is none. A destination of another kind: "The provided destination config
DestinationConfig(onSuccess=..., onFailure=...) is invalid."; a destination function that does
not exist: "The destination ARN <arn> is invalid."; the function itself: "You can't specify the
function as a destination for itself." (InvalidParameterValueException, AWS's wording).

The dead-letter queue is different: it is version configuration (``DeadLetterConfig`` of
CreateFunction/UpdateFunctionConfiguration, checked in ``code.py``), locked in when a version
is published, and receives only the event. Both are read by the invoke path from
``Resolved.event_invoke_config`` and ``FunctionVersion.dead_letter_arn``.
"""

from __future__ import annotations

from ..clock import aws_datetime
from ..service import Request
from . import exceptions as errors
from .common import READ_MS, WRITE_MS, lambda_operation
from .model import LATEST, EventInvokeConfig, function_arn


class EventConfigOperations:
    """Event invoke configuration (mixed into the Lambda service)."""

    def _event_target(self, req: Request, action: str, FunctionName: str,
                      Qualifier: str | None, *, must_exist: bool):
        owner, name, qualifier = self.parse_name(FunctionName, Qualifier, req.region)
        owner = owner or req.account
        function = self.find(owner, req.region, name)
        arn = function_arn(owner, req.region, name)
        self.allow(req, action, f"{arn}:{qualifier}" if qualifier else arn, function, qualifier)
        key = qualifier or LATEST
        if function is None or (qualifier not in (None, LATEST) and qualifier not in
                                function.versions and qualifier not in function.aliases):
            if must_exist:
                raise errors.ResourceNotFoundException("The function doesn't exist.")
            raise self._no_config(arn, key)
        return function, key

    @staticmethod
    def _no_config(arn: str, key: str) -> errors.AWSError:
        return errors.ResourceNotFoundException(
            f"The function {arn}:{key} doesn't have an EventInvokeConfig")

    def _check_destinations(self, function, config: dict | None) -> None:
        if not config:
            return
        success = (config.get("OnSuccess") or {}).get("Destination")
        failure = (config.get("OnFailure") or {}).get("Destination")
        valid = all(self._destination_ok(function, arn, on_failure)
                    for arn, on_failure in ((success, False), (failure, True)) if arn)
        if not valid:
            shown = [f"{kind}(destination={arn})" if arn else "null"
                     for kind, arn in (("OnSuccess", success), ("OnFailure", failure))]
            raise errors.InvalidParameterValueException(
                f"The provided destination config DestinationConfig(onSuccess={shown[0]}, "
                f"onFailure={shown[1]}) is invalid.")

    def _destination_ok(self, function, arn: str, on_failure: bool) -> bool:
        parts = arn.split(":", 6)
        if len(parts) < 6:
            return False
        service, resource = parts[2], parts[5]
        if service == "sqs" or service == "sns":
            return bool(resource) and "/" not in resource
        if service == "events":
            return resource.startswith("event-bus/")
        if service == "s3":
            return on_failure and bool(resource) and not parts[3] and not parts[4]
        if service == "lambda" and resource == "function" and len(parts) == 7:
            name = parts[6].split(":")[0]
            target = self.find(parts[4], parts[3], name)
            if target is None:
                raise errors.InvalidParameterValueException(
                    f"The destination ARN {arn} is invalid.")
            if target is function:
                raise errors.InvalidParameterValueException(
                    "You can't specify the function as a destination for itself.")
            return True
        return False

    def event_config_shape(self, function, config: EventInvokeConfig) -> dict:
        out = {"LastModified": aws_datetime(config.last_modified, "ms"),
               "FunctionArn": f"{function.arn}:{config.qualifier}"}
        if config.max_retries is not None:
            out["MaximumRetryAttempts"] = config.max_retries
        if config.max_age is not None:
            out["MaximumEventAgeInSeconds"] = config.max_age
        out["DestinationConfig"] = {
            "OnSuccess": {"Destination": config.on_success} if config.on_success else {},
            "OnFailure": {"Destination": config.on_failure} if config.on_failure else {}}
        return out

    @staticmethod
    def _need_something(retries, age, destinations) -> None:
        if retries is None and age is None and destinations is None:
            raise errors.InvalidParameterValueException(
                "You must specify at least one of error handling or destination setting.")

    @lambda_operation
    def put_function_event_invoke_config(self, req: Request, FunctionName: str,
                                         Qualifier: str | None = None,
                                         MaximumRetryAttempts: int | None = None,
                                         MaximumEventAgeInSeconds: int | None = None,
                                         DestinationConfig: dict | None = None):
        self._need_something(MaximumRetryAttempts, MaximumEventAgeInSeconds, DestinationConfig)
        function, key = self._event_target(req, "lambda:PutFunctionEventInvokeConfig",
                                           FunctionName, Qualifier, must_exist=True)
        self._check_destinations(function, DestinationConfig)
        dest = DestinationConfig or {}
        config = EventInvokeConfig(key, MaximumRetryAttempts, MaximumEventAgeInSeconds,
                                   (dest.get("OnSuccess") or {}).get("Destination") or None,
                                   (dest.get("OnFailure") or {}).get("Destination") or None,
                                   self.now)
        function.event_invoke[key] = config
        req.step("Function metadata", f"Write the event invoke config of {function.arn}:{key}",
                 WRITE_MS, table="event-invoke-configs")
        return self.event_config_shape(function, config)

    @lambda_operation
    def update_function_event_invoke_config(self, req: Request, FunctionName: str,
                                            Qualifier: str | None = None,
                                            MaximumRetryAttempts: int | None = None,
                                            MaximumEventAgeInSeconds: int | None = None,
                                            DestinationConfig: dict | None = None):
        self._need_something(MaximumRetryAttempts, MaximumEventAgeInSeconds, DestinationConfig)
        function, key = self._event_target(req, "lambda:UpdateFunctionEventInvokeConfig",
                                           FunctionName, Qualifier, must_exist=True)
        config = function.event_invoke.get(key)
        if config is None:
            raise self._no_config(function.arn, key)
        self._check_destinations(function, DestinationConfig)
        if MaximumRetryAttempts is not None:
            config.max_retries = MaximumRetryAttempts
        if MaximumEventAgeInSeconds is not None:
            config.max_age = MaximumEventAgeInSeconds
        if DestinationConfig is not None:
            for part, attr in (("OnSuccess", "on_success"), ("OnFailure", "on_failure")):
                if part in DestinationConfig:
                    setattr(config, attr,
                            (DestinationConfig[part] or {}).get("Destination") or None)
        config.last_modified = self.now
        req.step("Function metadata", f"Update the event invoke config of {function.arn}:{key}",
                 WRITE_MS, table="event-invoke-configs")
        return self.event_config_shape(function, config)

    @lambda_operation
    def get_function_event_invoke_config(self, req: Request, FunctionName: str,
                                         Qualifier: str | None = None):
        function, key = self._event_target(req, "lambda:GetFunctionEventInvokeConfig",
                                           FunctionName, Qualifier, must_exist=False)
        config = function.event_invoke.get(key)
        if config is None:
            raise self._no_config(function.arn, key)
        req.step("Function metadata", f"Read the event invoke config of {function.arn}:{key}",
                 READ_MS, table="event-invoke-configs")
        return self.event_config_shape(function, config)

    @lambda_operation
    def delete_function_event_invoke_config(self, req: Request, FunctionName: str,
                                            Qualifier: str | None = None):
        function, key = self._event_target(req, "lambda:DeleteFunctionEventInvokeConfig",
                                           FunctionName, Qualifier, must_exist=False)
        if function.event_invoke.pop(key, None) is None:
            raise self._no_config(function.arn, key)
        req.step("Function metadata", f"Delete the event invoke config of {function.arn}:{key}",
                 WRITE_MS, table="event-invoke-configs")
        req.status = 204
        return {}

    @lambda_operation
    def list_function_event_invoke_configs(self, req: Request, FunctionName: str,
                                           Marker: str | None = None,
                                           MaxItems: int | None = None):
        function = self.whole_function(req, "lambda:ListFunctionEventInvokeConfigs",
                                       FunctionName)
        configs = [function.event_invoke[k] for k in sorted(function.event_invoke)]
        chunk, extra = self.page(req, configs, Marker, MaxItems)
        return {"FunctionEventInvokeConfigs": [self.event_config_shape(function, c)
                                               for c in chunk], **extra}
