"""The boto3 bridge: genuine boto3 clients whose calls a ``Cloud`` answers in memory.

How it works, with botocore's own extension points (no HTTP, no wire format):

- ``before-parameter-build``: keep the caller's parameters (after botocore's own handlers have
  shaped them) for the cloud to read;
- ``before-call``: run the operation through the cloud's pipeline and hand botocore the
  response as if it had come back over HTTP; botocore then runs its ``after-call`` handlers
  and raises ``ClientError`` (with the modeled exception class) for error statuses;
- ``creating-client-class``: mix :class:`_InMemoryClient` into the client class: a memo of
  endpoint resolution (botocore resolves every call's endpoint through the service's rule
  set; in memory the endpoint is never contacted, so it is resolved once per operation and
  bucket), and no HTTP serialization while a cloud answers (parameters validated as
  botocore validates them).

``cloud.client("s3")`` registers these on a private botocore session. ``awskit.mock_aws()``
registers them on every session created while it is active, so unmodified boto3 code
(``boto3.client``, ``boto3.resource``, sessions, paginators, waiters, ``upload_file``)
talks to the cloud.
"""

from __future__ import annotations

import functools
import http
import os
import threading

import boto3
import botocore.session
from botocore import UNSIGNED, handlers as _botocore_handlers

from . import errors
from .service import Caller, _HTTPResponse
from .validation import InputValidator

_GLOBAL_REGIONS = {"aws-global": "us-east-1", None: "us-east-1"}


# --------------------------------------------------------------------------------------------
# The client-class mixin: endpoint memo, no wire format
# --------------------------------------------------------------------------------------------
class _InMemoryClient:
    """Mixed into boto3 client classes created for awskit (``creating-client-class``).

    - Endpoint resolution once per (operation, bucket): botocore resolves every call's
      endpoint through the service's rule set, which costs more than everything else a call
      does; in memory the endpoint is never contacted.
    - No wire format while a cloud answers: botocore's ``_convert_to_request_dict`` validates
      the parameters, then serializes them into an HTTP request and builds a User-Agent
      string (together a third of a small call). The cloud reads the parameters, never the
      request, so when the call will be answered in memory we validate exactly as botocore
      does (``awskit.validation``: same ``ParamValidationError``, at the same point of the
      call, honouring ``Config(parameter_validation=False)``) and hand on a minimal request
      dict. When no cloud answers (a client that outlived its ``mock_aws``), and for presigned
      URLs and POSTs, botocore's own method runs unchanged.
    """

    _awskit_bridge = None            # set on each client class by _Bridge.customize_class

    def _resolve_endpoint_ruleset(self, operation_model, params, request_context,
                                  ignore_signing_region=False):
        cache = self.__dict__.setdefault("_awskit_endpoints", {})
        key = (operation_model.name, params.get("Bucket"), ignore_signing_region)
        hit = cache.get(key)
        if hit is None:
            result = super()._resolve_endpoint_ruleset(
                operation_model, params, request_context, ignore_signing_region)
            signing = request_context.get("signing")
            hit = cache[key] = (result, request_context.get("auth_type"),
                                dict(signing) if signing is not None else None)
            return result
        result, auth_type, signing = hit
        if auth_type is not None:
            request_context["auth_type"] = auth_type
        if signing is not None:
            request_context["signing"] = dict(signing)
        return result

    def get_waiter(self, waiter_name):
        """A botocore waiter whose delay between attempts passes on the cloud's simulated clock
        (``cloud.advance(delay)``) instead of sleeping in real time: what it waits for (a Lambda
        function turning Active, ...) happens on that clock."""
        waiter = super().get_waiter(waiter_name)
        bridge = self._awskit_bridge
        if bridge is None:
            return waiter
        wait, call = waiter.wait, waiter._operation_method

        def simulated_wait(**kwargs):
            cloud = bridge.get_cloud()
            if cloud is None:
                return wait(**kwargs)
            config = dict(kwargs.pop("WaiterConfig", None) or {})
            delay = config.get("Delay", waiter.config.delay)
            config["Delay"] = 0
            attempts = []

            def attempt(**params):
                if attempts:
                    cloud.advance(delay)
                attempts.append(1)
                return call(**params)
            waiter._operation_method = attempt
            try:
                return wait(WaiterConfig=config, **kwargs)
            finally:
                waiter._operation_method = call
        waiter.wait = simulated_wait
        return waiter

    def _convert_to_request_dict(self, api_params, operation_model, endpoint_url, context=None,
                                 headers=None, set_user_agent_header=True):
        bridge = self._awskit_bridge
        # only API calls are answered in memory; presigned URLs and POSTs are built for real
        # (they need the full request: path, query string, signature)
        if bridge is None or not set_user_agent_header or context is None or \
                context.get("is_presign_request") or bridge.get_cloud() is None:
            return super()._convert_to_request_dict(
                api_params, operation_model, endpoint_url, context=context, headers=headers,
                set_user_agent_header=set_user_agent_header)
        # botocore validates only when the client's config asks and the operation has input
        if self.meta.config.parameter_validation and operation_model.input_shape is not None:
            validators = self.__dict__.setdefault("_awskit_validators", {})
            check = validators.get(operation_model.name)
            if check is None:
                check = validators[operation_model.name] = InputValidator(operation_model)
            check(api_params)
        http = operation_model.http
        return {"url_path": http.get("requestUri", "/"), "query_string": {},
                "method": http.get("method", "POST"), "headers": dict(headers or {}),
                "body": b"", "url": endpoint_url, "context": context if context is not None else {}}


# --------------------------------------------------------------------------------------------
# The bridge
# --------------------------------------------------------------------------------------------
class _Bridge:
    """``before-parameter-build`` + ``before-call`` handlers answering from a cloud."""

    def __init__(self, get_cloud, front: str):
        self.get_cloud = get_cloud
        self.front = front

    def customize_class(self, class_attributes, base_classes, **kwargs):
        """``creating-client-class``: mix :class:`_InMemoryClient` into the client class."""
        if _InMemoryClient not in base_classes:
            base_classes.insert(0, _InMemoryClient)
        class_attributes["_awskit_bridge"] = self

    def capture(self, params, context, **kwargs):
        context["awskit_params"] = params

    def answer(self, model, params, request_signer, context, **kwargs):
        cloud = self.get_cloud()
        if cloud is None or context.get("awskit_answered"):
            return None
        context["awskit_answered"] = True
        api_params = context.get("awskit_params", {})
        service_name = model.service_model.service_name
        caller = self._caller(cloud, params, request_signer, context)
        try:
            service = cloud.service(service_name)
        except ValueError as exc:
            return _error_answer(None, model, errors.for_code("NotImplemented")(
                str(exc), status=501).bind(model.name, cloud.ids.request_id()))
        try:
            response = service.invoke(model.name, api_params, caller)
        except errors.AWSError as err:
            if not err.response["ResponseMetadata"]["RequestId"]:
                # refused before the pipeline ran (an operation awskit does not simulate):
                # still answer with a request id, as every AWS response has one
                err.bind(model.name, service.new_request_id())
            return _error_answer(service, model, err)
        meta = response["ResponseMetadata"]
        return _HTTPResponse(meta["HTTPStatusCode"], meta["HTTPHeaders"]), response

    def _caller(self, cloud, request_dict, signer, context) -> Caller:
        anonymous = getattr(signer, "_signature_version", None) is UNSIGNED
        key_id = secret = token = None
        credentials = getattr(signer, "_credentials", None)
        if credentials is not None and not anonymous:
            frozen = credentials.get_frozen_credentials()
            key_id, secret, token = frozen.access_key, frozen.secret_key, frozen.token
        region = context.get("client_region")
        region = _GLOBAL_REGIONS.get(region, region)
        url = request_dict.get("url") or ""
        return Caller(access_key_id=key_id, secret_key=secret, session_token=token,
                      region=region, secure=not url.startswith("http:"), front=self.front,
                      anonymous=anonymous or key_id is None)


def _error_answer(service, model, err: errors.AWSError):
    meta = dict(err.response["ResponseMetadata"])
    status = err.status
    if model.http.get("method") == "HEAD" or status == 304:
        # no body: botocore reports the bare status, as it does for real S3
        error = {"Code": str(status), "Message": http.HTTPStatus(status).phrase}
    else:
        error = dict(err.response["Error"])
        if service is not None and (service.model.protocol == "query" or service.error_type):
            error = {"Type": "Sender" if err.sender_fault else "Receiver", **error}
    modeled = {k: v for k, v in err.response.items() if k not in ("Error", "ResponseMetadata")}
    return _HTTPResponse(status, meta.get("HTTPHeaders", {})), {"Error": error,
                                                                  "ResponseMetadata": meta,
                                                                  **modeled}


def _register(emitter, bridge: _Bridge) -> None:
    emitter.register_first("creating-client-class", bridge.customize_class)
    emitter.register_last("before-parameter-build", bridge.capture)
    emitter.register_first("before-call", bridge.answer)


# --------------------------------------------------------------------------------------------
# cloud.client / cloud.resource
# --------------------------------------------------------------------------------------------
def _session(cloud) -> boto3.session.Session:
    if cloud._boto_session is None:
        core = botocore.session.Session()
        emitter = core.get_component("event_emitter")
        for event, handler, _ in _BUILTIN:    # present if made while a mock_aws is active
            emitter.unregister(event, handler)
        _register(emitter, _Bridge(lambda: cloud, "client"))
        cloud._boto_session = boto3.session.Session(botocore_session=core,
                                                    region_name=cloud.default_region)
    return cloud._boto_session


def _credentials(cloud, account, kwargs) -> dict:
    if "aws_access_key_id" not in kwargs:
        account = account or cloud.default_account
        if account not in cloud.iam.accounts:
            raise ValueError(f"no account {account!r} in this cloud (accounts: {cloud.accounts})")
        key, secret = cloud.iam.root_credentials(account)
        kwargs = {**kwargs, "aws_access_key_id": key, "aws_secret_access_key": secret}
    return kwargs


def make_client(cloud, service_name: str, account=None, **kwargs):
    kwargs = _credentials(cloud, account, kwargs)
    kwargs.setdefault("region_name", cloud.default_region)
    return _session(cloud).client(service_name, **kwargs)


def make_resource(cloud, service_name: str, account=None, **kwargs):
    kwargs = _credentials(cloud, account, kwargs)
    kwargs.setdefault("region_name", cloud.default_region)
    return _session(cloud).resource(service_name, **kwargs)


# --------------------------------------------------------------------------------------------
# mock_aws
# --------------------------------------------------------------------------------------------
_active: list = []                 # clouds of the active mock_aws contexts, innermost last
_active_lock = threading.Lock()
_mock_bridge = _Bridge(lambda: _active[-1] if _active else None, "mock")
_BUILTIN = [
    ("creating-client-class", _mock_bridge.customize_class, _botocore_handlers.REGISTER_FIRST),
    ("before-parameter-build", _mock_bridge.capture, _botocore_handlers.REGISTER_LAST),
    ("before-call", _mock_bridge.answer, _botocore_handlers.REGISTER_FIRST),
]
_ENV_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
             "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_DEFAULT_REGION")


class mock_aws:
    """Answer every boto3 call made inside from a simulated cloud.

    As a context manager (``with awskit.mock_aws(cloud) as cloud:``) or a decorator
    (``@awskit.mock_aws()``; a fresh cloud per call unless one is given). Inside, boto3 code
    with no credentials acts as the root user of the cloud's default account (the default
    credentials are set in the environment for the duration); code that passes an IAM user's
    access key acts as that user. ``start()``/``stop()`` do the same by hand.
    """

    def __init__(self, cloud=None):
        self.cloud = cloud
        self._fresh_per_call = cloud is None
        self._saved_env: dict | None = None

    def start(self):
        if self.cloud is None:
            from .cloud import Cloud
            self.cloud = Cloud()
        with _active_lock:
            if not _active:
                for entry in _BUILTIN:
                    _botocore_handlers.BUILTIN_HANDLERS.append(entry)
            _active.append(self.cloud)
        self._saved_env = {k: os.environ.get(k) for k in _ENV_KEYS}
        for k in _ENV_KEYS:
            os.environ.pop(k, None)
        key, secret = self.cloud.iam.root_credentials(self.cloud.default_account)
        os.environ["AWS_ACCESS_KEY_ID"] = key
        os.environ["AWS_SECRET_ACCESS_KEY"] = secret
        os.environ["AWS_DEFAULT_REGION"] = (self._saved_env.get("AWS_DEFAULT_REGION")
                                            or os.environ.get("AWS_REGION")
                                            or self.cloud.default_region)
        boto3.DEFAULT_SESSION = None
        return self.cloud

    def stop(self):
        with _active_lock:
            if self.cloud in _active:
                _active.reverse()
                _active.remove(self.cloud)
                _active.reverse()
            if not _active:
                for entry in _BUILTIN:
                    if entry in _botocore_handlers.BUILTIN_HANDLERS:
                        _botocore_handlers.BUILTIN_HANDLERS.remove(entry)
        if self._saved_env is not None:
            for k, v in self._saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            self._saved_env = None
        boto3.DEFAULT_SESSION = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            mock = mock_aws(None if self._fresh_per_call else self.cloud)
            with mock:
                return func(*args, **kwargs)
        return wrapper
