"""botocore's service models and its own handlers, loaded lazily (``import awskit`` stays fast),
and the small pieces of HTTP that responses carry (header names, HTTP dates).

awskit never sends anything over a network: botocore is read for its models (the exact API
shapes and error codes) and for its built-in parameter and response handlers, which direct
calls run exactly as a boto3 client would.
"""

from __future__ import annotations

import email.utils
import functools
import threading
from typing import Any

_model_lock = threading.Lock()
_loader_session = None
_models: dict[str, Any] = {}
_emitter = None


def botocore_session():
    """One botocore session used only to read service models (never to send anything)."""
    global _loader_session
    if _loader_session is None:
        import botocore.session
        _loader_session = botocore.session.Session()
    return _loader_session


def service_model(name: str):
    """botocore's ``ServiceModel`` for a boto3 service name (cached)."""
    model = _models.get(name)
    if model is None:
        with _model_lock:
            model = _models.get(name)
            if model is None:
                model = _models[name] = botocore_session().get_service_model(name)
    return model


def builtin_emitter():
    """An event emitter carrying botocore's built-in parameter and response handlers.

    Direct calls emit ``before-parameter-build`` and ``after-call`` through it, exactly as a
    boto3 client would. Two of botocore's handlers are left out: ``generate_idempotent_uuid``
    draws from ``uuid4`` (direct calls must stay deterministic), and
    ``remove_bucket_from_url_paths_from_model`` rewrites the shared operation model's
    ``requestUri`` in place (only URL building needs it, and direct calls build no URL; left
    in, it changed the request line every later S3 service of the process traced).
    """
    global _emitter
    if _emitter is None:
        from botocore import handlers
        from botocore.hooks import HierarchicalEmitter
        emitter = HierarchicalEmitter()
        for spec in handlers.BUILTIN_HANDLERS:
            event, handler = spec[0], spec[1]
            if not event.startswith(("before-parameter-build", "after-call")):
                continue
            if handler in (handlers.generate_idempotent_uuid,
                           handlers.remove_bucket_from_url_paths_from_model):
                continue
            where = spec[2] if len(spec) > 2 else None
            if where == handlers.REGISTER_FIRST:
                emitter.register_first(event, handler)
            elif where == handlers.REGISTER_LAST:
                emitter.register_last(event, handler)
            else:
                emitter.register(event, handler)
        _emitter = emitter
    return _emitter


class _HTTPResponse:
    """The minimal HTTP response object botocore's ``after-call`` handlers look at."""

    __slots__ = ("status_code", "headers", "raw", "url")

    def __init__(self, status_code: int, headers: dict):
        self.status_code = status_code
        self.headers = headers
        self.raw = None
        self.url = ""

    @property
    def content(self) -> bytes:
        return b""


def _header_members(shape) -> dict[str, tuple[str, str]]:
    """member -> (header name, type) for the output members AWS sends as HTTP headers."""
    if shape is None:
        return {}
    out = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location == "header":
            out[name] = (member.serialization.get("name", name).lower(), member.type_name)
        elif location == "headers":
            out[name] = (member.serialization.get("name", "").lower(), "prefix")
    return out


def http_date(moment) -> str:
    """An aware datetime as an HTTP date (``Mon, 02 Mar 2026 09:00:00 GMT``; whole seconds)."""
    return _http_date(int(moment.timestamp()))


@functools.lru_cache(maxsize=1024)
def _http_date(posix_seconds: int) -> str:
    # cached per second: the simulated clock repeats the same seconds across many requests
    return email.utils.formatdate(posix_seconds, usegmt=True)


def _header_value(value, kind: str) -> str:
    if kind == "timestamp":
        return http_date(value)
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)
