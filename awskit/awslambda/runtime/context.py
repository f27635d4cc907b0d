"""The ``context`` object the handler receives, as AWS's Python runtime builds it.

Attributes and method per the AWS Lambda Developer Guide, "Using the Lambda context object to
retrieve Python function information" (python-context); types and details as the runtime
(aws/aws-lambda-python-runtime-interface-client, ``awslambdaric/lambda_context.py``) sets them:
``memory_limit_in_mb`` is a *string* (read from ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``), as are
``function_name``, ``function_version``, ``log_group_name`` and ``log_stream_name`` (from the
``AWS_LAMBDA_*`` environment variables); ``identity`` is always an object (fields None when the
caller was not a Cognito identity); ``client_context`` is None unless the invoker passed one.
``tenant_id`` is None (tenant isolation mode is not simulated).

Simplified: ``get_remaining_time_in_millis()`` counts down from the invocation's deadline on
the clock the parent named (the simulated clock at the invocation's start, then real elapsed
time), so it reaches 0 when the real timeout kills the handler.
"""

from __future__ import annotations

import os
import sys
import time

#: where ``context.log`` writes: the runtime's framed log sink (set by the worker at INIT)
_log_sink = None


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, data: dict | None = None):
        data = data or {}
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")

    def __repr__(self):
        return (f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
                f"cognito_identity_pool_id={self.cognito_identity_pool_id}])")


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code",
                 "app_package_name")

    def __init__(self, data: dict | None):
        data = data or {}
        for name in self.__slots__:
            setattr(self, name, data.get(name))

    def __repr__(self):
        return "Client([" + ",".join(f"{n}={getattr(self, n)}" for n in self.__slots__) + "])"


class ClientContext:
    __slots__ = ("custom", "env", "client")

    def __init__(self, data: dict):
        self.custom = data.get("custom")
        self.env = data.get("env")
        self.client = Client(data.get("client")) if data.get("client") is not None else None

    def __repr__(self):
        return f"ClientContext([custom={self.custom},env={self.env},client={self.client}])"


class LambdaContext:
    """What ``lambda_handler(event, context)`` gets as ``context``."""

    def __init__(self, request_id: str, invoked_function_arn: str, deadline_ms: int,
                 clock_ms: float | None = None, client_context: dict | None = None,
                 identity: dict | None = None):
        env = os.environ
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = None
        self.client_context = ClientContext(client_context) if client_context is not None else None
        self.identity = CognitoIdentity(identity)
        self._deadline_ms = deadline_ms
        # (clock at the start of the invocation, perf_counter then); None: the real wall clock
        self._clock = (clock_ms, time.perf_counter()) if clock_ms is not None else None

    def _now_ms(self) -> float:
        if self._clock is None:
            return time.time() * 1000
        start_ms, start_perf = self._clock
        return start_ms + (time.perf_counter() - start_perf) * 1000

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out (never negative)."""
        return max(0, int(self._deadline_ms - self._now_ms()))

    def log(self, msg) -> None:
        """Write ``msg`` to the function's log as one log event."""
        if _log_sink is not None:
            _log_sink(str(msg))
        else:
            sys.stdout.write(str(msg))

    def __repr__(self):
        return ("LambdaContext([" f"aws_request_id={self.aws_request_id},"
                f"log_group_name={self.log_group_name},log_stream_name={self.log_stream_name},"
                f"function_name={self.function_name},memory_limit_in_mb={self.memory_limit_in_mb},"
                f"function_version={self.function_version},"
                f"invoked_function_arn={self.invoked_function_arn},"
                f"client_context={self.client_context},identity={self.identity},"
                f"tenant_id={self.tenant_id}])")
