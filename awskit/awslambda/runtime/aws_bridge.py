"""Worker side of the handler bridge: boto3 calls made by the function go to the simulated cloud.

On AWS a function's boto3 calls go over the network to AWS's endpoints, signed with the
execution role's temporary credentials that Lambda puts in the environment
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``). Here they never touch
the network: when botocore is first imported in the worker, :func:`install`'s import hook adds
two handlers to ``botocore.handlers.BUILTIN_HANDLERS`` (as ``awskit.mock_aws`` does in the
notebook), so every boto3 session of the function registers them:

- ``before-parameter-build`` (last): keep the call's parameters;
- ``before-call`` (first): send ``(service, operation, parameters, credentials, Region)`` to the
  parent over the private socket (``protocol.py``, message ``aws_call``) and wait for its answer
  (``aws_result``): the response as botocore would have parsed it, or the AWS error, which
  botocore then raises as its modeled ``ClientError``. botocore validated the parameters
  before; nothing is sent anywhere else.

Values travel as JSON with tags for what JSON lacks: ``{"__b": base64}`` bytes,
``{"__s": base64}`` a streaming body (``botocore.response.StreamingBody`` on this side),
``{"__dt": iso}`` an aware datetime (``dateutil.tz.tzutc()``), ``{"__dec": text}`` a Decimal.
One call at a time (a lock), so threads of the handler cannot interleave messages.
Loaded by path by ``bootstrap.py`` (stdlib only here; botocore is imported by the function).
"""

from __future__ import annotations

import base64
import datetime
import decimal
import importlib.abc
import io
import sys
import threading

_lock = threading.Lock()
_worker = None          # bootstrap's Worker (its ``sock`` changes in a restored SnapStart copy)


def encode(value):
    """A parameter value as tagged JSON data."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"__b": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return {"__dt": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"__dec": str(value)}
    if isinstance(value, (set, frozenset)):
        return [encode(v) for v in sorted(value, key=repr)]
    if hasattr(value, "read"):                     # a file or stream given as a body
        data = value.read()
        return encode(data.encode() if isinstance(data, str) else data)
    return value


def decode(value):
    """Tagged JSON data (a response) as botocore would have parsed it."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), = value.items()
        if tag == "__b":
            return base64.b64decode(inner)
        if tag == "__s":
            from botocore.response import StreamingBody
            data = base64.b64decode(inner)
            return StreamingBody(io.BytesIO(data), len(data))
        if tag == "__dt":
            from dateutil.tz import tzutc
            moment = datetime.datetime.fromisoformat(inner)
            return moment.astimezone(tzutc()) if moment.tzinfo else moment.replace(tzinfo=tzutc())
        if tag == "__dec":
            return decimal.Decimal(inner)
    return {k: decode(v) for k, v in value.items()}


class _Response:
    """The minimal HTTP response botocore's ``after-call`` handlers look at."""

    def __init__(self, status_code, headers):
        self.status_code, self.headers = status_code, headers
        self.raw, self.url, self.content = None, "", b""


def _capture(params, context, **kwargs):
    context["awskit_params"] = params


def _answer(model, params, request_signer, context, **kwargs):
    from botocore import UNSIGNED
    anonymous = getattr(request_signer, "_signature_version", None) is UNSIGNED
    key = secret = token = None
    credentials = getattr(request_signer, "_credentials", None)
    if credentials is not None and not anonymous:
        frozen = credentials.get_frozen_credentials()
        key, secret, token = frozen.access_key, frozen.secret_key, frozen.token
    header = {"op": "aws_call", "service": model.service_model.service_name,
              "operation": model.name, "params": encode(context.get("awskit_params", {})),
              "region": context.get("client_region"), "access_key": key, "secret_key": secret,
              "session_token": token, "anonymous": anonymous or key is None,
              "secure": not (params.get("url") or "").startswith("http:")}
    worker = _worker
    with _lock:
        protocol = worker.protocol
        protocol.send(worker.sock, header)
        reply, _, _ = protocol.recv(worker.sock)
    return _Response(reply["status"], reply.get("headers") or {}), decode(reply["parsed"])


def _register(handlers):
    handlers.BUILTIN_HANDLERS.append(("before-parameter-build", _capture,
                                      handlers.REGISTER_LAST))
    handlers.BUILTIN_HANDLERS.append(("before-call", _answer, handlers.REGISTER_FIRST))


class _Loader(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        _register(module)


class _Finder(importlib.abc.MetaPathFinder):
    """Wraps the loader of ``botocore.handlers`` so our handlers join its built-in list."""

    def find_spec(self, name, path=None, target=None):
        if name != "botocore.handlers":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                spec.loader = _Loader(spec.loader)
                return spec
        return None


def install(worker) -> None:
    """Route every boto3 call of this worker's function to the parent (see the docstring)."""
    global _worker
    _worker = worker
    loaded = sys.modules.get("botocore.handlers")
    if loaded is not None:
        _register(loaded)
    else:
        sys.meta_path.insert(0, _Finder())
