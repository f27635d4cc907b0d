"""S3's naming rules for general-purpose buckets and for object keys.

Bucket names (S3 User Guide, "General purpose bucket naming rules"; ``shared/facts/s3.md`` B1):
3-63 characters; lowercase letters, digits, ``.`` and ``-`` only; begin and end with a letter
or digit; no two adjacent periods; not formatted as an IPv4 address; not starting with the
reserved prefixes ``xn--``, ``sthree-``, ``amzn-s3-demo-``; not ending with the reserved
suffixes ``-s3alias``, ``--ol-s3``, ``.mrap``, ``--x-s3``, ``--table-s3``.

Keys: any Unicode string whose UTF-8 encoding is at most 1,024 bytes (``KeyTooLongError``).
"""

from __future__ import annotations

import re

from .. import errors

_ALLOWED = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IPV4 = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
MAX_KEY_BYTES = 1024


def bucket_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid general-purpose bucket name, or None if it is."""
    if not 3 <= len(name) <= 63:
        return "must be between 3 and 63 characters long"
    if not _ALLOWED.match(name):
        if re.search(r"[^a-z0-9.-]", name):
            return "may contain only lowercase letters, numbers, dots (.) and hyphens (-)"
        return "must begin and end with a letter or number"
    if ".." in name:
        return "must not contain two adjacent periods"
    if _IPV4.match(name):
        return "must not be formatted as an IP address"
    for prefix in RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"must not start with the reserved prefix '{prefix}'"
    for suffix in RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"must not end with the reserved suffix '{suffix}'"
    return None


def check_bucket_name(name: str) -> None:
    """Raise ``InvalidBucketName`` (400) if ``name`` breaks a rule."""
    if bucket_name_problem(name) is not None:
        raise errors.InvalidBucketName(BucketName=name)


def check_key(key: str) -> None:
    """Raise ``KeyTooLongError`` if the key's UTF-8 encoding exceeds 1,024 bytes."""
    if len(key) > MAX_KEY_BYTES // 4 and len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise errors.KeyTooLongError(Size=str(len(key.encode("utf-8", "surrogatepass"))),
                                     MaxSizeAllowed=str(MAX_KEY_BYTES))
