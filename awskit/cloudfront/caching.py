"""How CloudFront decides what to cache, for how long, and under which key.

**Which behaviour**: a request's path is compared with the cache behaviours' path patterns in
the order they are listed; the first match wins, else the default behaviour (``*``). ``*``
matches any run of characters (none included), ``?`` exactly one; the comparison is
case-sensitive and a leading ``/`` on the pattern makes no difference [BC
cloudfront:CacheBehavior.PathPattern; CFDG distribution-web-values-specify.md].

**How long (TTL)** [CFDG Expiration.md, the table "Specifying the amount of time that
CloudFront caches objects"; BC cloudfront:CachePolicyConfig]:

- ``Cache-Control: no-cache``, ``no-store`` or ``private`` from the origin: the minimum TTL
  (with MinTTL 0, not cached);
- else the first of ``s-maxage``, ``max-age``, ``Expires`` (``max-age`` wins over
  ``Expires``), kept between MinTTL and MaxTTL;
- else the default TTL (with MinTTL > 0: the greater of MinTTL and DefaultTTL).

Errors (4xx/5xx) are cached only for the codes CloudFront caches, for the error-caching
minimum TTL (10 s by default, or the distribution's ``CustomErrorResponse.ErrorCachingMinTTL``
for that code); with ``max-age``/``s-maxage``/``Expires`` for the greater of the two (capped by
MaxTTL); ``no-store``/``no-cache``/``private`` keep a 404, 410, 414 or 501 uncached and are
ignored for other codes [CFDG custom-error-pages-expiration.md].

**Cache key** [CFDG understanding-the-cache-key.md, controlling-the-cache-key.md]: the
distribution and the URL path, plus the query strings, headers and cookies the cache policy
(or, legacy, ``ForwardedValues``) includes. Forwarding all headers (``*``, legacy) turns caching
off. awskit does not compress, so ``EnableAcceptEncodingGzip``/``Brotli`` add nothing to the key.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl

from .model import CACHED_ERRORS, ERROR_CACHING_S, ERRORS_RESPECTING_NO_STORE

DEFAULT_TTL = 86400
MAX_TTL = 31536000


# -- behaviours -------------------------------------------------------------------------------
@lru_cache(maxsize=1024)
def _pattern(pattern: str) -> re.Pattern:
    body = re.escape(pattern.lstrip("/")).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(body, re.DOTALL)


def matches(pattern: str, path: str) -> bool:
    """Does a cache behaviour's PathPattern match a request path?"""
    return bool(_pattern(pattern).fullmatch(path.lstrip("/")))


def behaviour_for(config: dict, path: str) -> dict:
    """The cache behaviour a request path uses: the first listed match, else the default."""
    for behaviour in config["CacheBehaviors"].get("Items", []):
        if matches(behaviour["PathPattern"], path):
            return behaviour
    return config["DefaultCacheBehavior"]


# -- the settings that decide caching ---------------------------------------------------------
@dataclass(frozen=True)
class CacheSettings:
    """TTLs and cache-key parts of one behaviour (from its cache policy or legacy fields)."""

    min_ttl: int
    default_ttl: int
    max_ttl: int
    query: tuple                  # ("none",) | ("all",) | ("whitelist"|"allExcept", names)
    headers: tuple                # header names (lower case), or ("*",) for all
    cookies: tuple                # as query
    policy: str                   # the policy's name, or "legacy (ForwardedValues)"

    @property
    def caches(self) -> bool:
        return self.max_ttl > 0 and self.headers != ("*",)


def _selection(behavior: str, names) -> tuple:
    if behavior in ("whitelist", "allExcept"):
        return (behavior, tuple(names))
    return (behavior,)


def settings_from_policy(policy_config: dict) -> CacheSettings:
    params = policy_config.get("ParametersInCacheKeyAndForwardedToOrigin", {})
    headers = params.get("HeadersConfig", {})
    cookies = params.get("CookiesConfig", {})
    query = params.get("QueryStringsConfig", {})
    header_names = tuple(h.lower() for h in headers.get("Headers", {}).get("Items", [])) \
        if headers.get("HeaderBehavior") == "whitelist" else ()
    return CacheSettings(
        policy_config["MinTTL"], policy_config.get("DefaultTTL", DEFAULT_TTL),
        policy_config.get("MaxTTL", MAX_TTL),
        _selection(query.get("QueryStringBehavior", "none"),
                   query.get("QueryStrings", {}).get("Items", [])),
        header_names,
        _selection(cookies.get("CookieBehavior", "none"),
                   cookies.get("Cookies", {}).get("Items", [])),
        policy_config["Name"])


def settings_from_legacy(behaviour: dict) -> CacheSettings:
    """``ForwardedValues`` + MinTTL/DefaultTTL/MaxTTL (deprecated, still honoured)."""
    fv = behaviour["ForwardedValues"]
    if fv["QueryString"]:
        keys = fv.get("QueryStringCacheKeys", {}).get("Items", [])
        query = ("whitelist", tuple(keys)) if keys else ("all",)
    else:
        query = ("none",)
    cookies = fv["Cookies"]
    headers = tuple(h.lower() for h in fv.get("Headers", {}).get("Items", []))
    return CacheSettings(behaviour["MinTTL"], behaviour["DefaultTTL"], behaviour["MaxTTL"],
                         query, ("*",) if "*" in headers else headers,
                         _selection(cookies["Forward"],
                                    cookies.get("WhitelistedNames", {}).get("Items", [])),
                         "legacy (ForwardedValues)")


# -- cache key ----------------------------------------------------------------------------------
def _pick(selection: tuple, pairs: list) -> list:
    kind = selection[0]
    if kind == "none":
        return []
    if kind == "all":
        return sorted(pairs)
    names = set(selection[1])
    if kind == "whitelist":
        return sorted(p for p in pairs if p[0] in names)
    return sorted(p for p in pairs if p[0] not in names)            # allExcept


def cache_key(distribution_id: str, path: str, query: str, headers: dict,
              settings: CacheSettings) -> tuple:
    """The key CloudFront files a response under: (distribution, path with the query strings
    the policy includes, the included headers and cookies)."""
    qs = _pick(settings.query, parse_qsl(query, keep_blank_values=True))
    where = path + ("?" + "&".join(f"{k}={v}" for k, v in qs) if qs else "")
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    extra = [f"{name}: {lower[name]}" for name in settings.headers if name in lower]
    cookie_header = lower.get("cookie", "")
    jar = [tuple(c.strip().split("=", 1)) for c in cookie_header.split(";") if "=" in c]
    extra += [f"cookie {name}={value}" for name, value in _pick(settings.cookies, jar)]
    return (distribution_id, where, "; ".join(extra))


def origin_query(query: str, settings: CacheSettings) -> str:
    """The query string CloudFront forwards to the origin (the ones in the cache key)."""
    pairs = _pick(settings.query, parse_qsl(query, keep_blank_values=True))
    return "&".join(f"{k}={v}" for k, v in pairs)


# -- TTL ----------------------------------------------------------------------------------------
def cache_control(headers: dict) -> dict:
    """``Cache-Control`` directives: name (lower case) -> value or True."""
    value = next((v for k, v in headers.items() if k.lower() == "cache-control"), "") or ""
    out = {}
    for part in str(value).split(","):
        part = part.strip()
        if not part:
            continue
        name, _, arg = part.partition("=")
        out[name.strip().lower()] = arg.strip().strip('"') if arg else True
    return out


def _seconds(value) -> int | None:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return None


def _header_age(headers: dict, directives: dict, fetched_posix: float) -> int | None:
    """The origin's own lifetime for the object: s-maxage, max-age, then Expires."""
    for name in ("s-maxage", "max-age"):
        if name in directives:
            seconds = _seconds(directives[name])
            if seconds is not None:
                return seconds
    expires = next((v for k, v in headers.items() if k.lower() == "expires"), None)
    if expires:
        try:
            when = email.utils.parsedate_to_datetime(str(expires)).timestamp()
        except (TypeError, ValueError, IndexError):
            return 0                                    # an invalid date: already expired
        return int(when - fetched_posix)
    return None


def ttl(status: int, headers: dict, settings: CacheSettings, fetched_posix: float,
        error_min_ttl: int | None = None) -> int:
    """Seconds CloudFront keeps this response (0: not cached). See the module docstring."""
    if not settings.caches:
        return 0
    directives = cache_control(headers)
    no_store = any(d in directives for d in ("no-cache", "no-store", "private"))
    lifetime = _header_age(headers, directives, fetched_posix)
    if status >= 400:
        if status not in CACHED_ERRORS:
            return 0
        if no_store and status in ERRORS_RESPECTING_NO_STORE:
            return 0
        floor = ERROR_CACHING_S if error_min_ttl is None else error_min_ttl
        if lifetime is None:
            return floor
        return min(max(lifetime, floor), settings.max_ttl)
    if no_store:
        return settings.min_ttl
    if lifetime is None:
        return max(settings.min_ttl, settings.default_ttl)
    return min(max(lifetime, settings.min_ttl), settings.max_ttl)
