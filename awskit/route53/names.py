"""DNS names as Route 53 reads, stores and sorts them.

What Route 53 does (Developer Guide, "DNS domain name format"; botocore ``route53`` model,
``ResourceRecordSet.Name`` and ``ListResourceRecordSets``):

- A name is fully qualified with or without its trailing dot (``www.example.com`` and
  ``www.example.com.`` are the same name); Route 53 returns it with the dot.
- Letters are case-insensitive; names come back in lower case.
- Labels hold up to 63 bytes, the whole name up to 255 bytes counting the dots.
- Besides ``a-z``, ``0-9``, ``-`` and ``_``, the printable ASCII characters are allowed; Route 53
  stores and returns them as a backslash and three octal digits (``*`` → ``\\052``), and an
  input may use that escape too. Other characters (spaces, non-ASCII: write internationalized
  names in Punycode) are refused.
- ``*`` alone as the leftmost label makes a wildcard name; anywhere else it is a literal ``*``.
- Listings sort names with the labels reversed (``com.example.www.``) in ASCII order of the
  escaped form, then by record type.
"""

from __future__ import annotations

import string

_PLAIN = set(string.ascii_lowercase + string.digits + "-_")
_ALLOWED = set(string.ascii_letters + string.digits + "-_!\"#$%&'()*+,/:;<=>?@[\\]^`{|}~")
MAX_LABEL = 63
MAX_NAME = 255


class BadName(ValueError):
    """The text is not a domain name Route 53 accepts (the caller picks the AWS error)."""


def _unescape_labels(text: str) -> list[str]:
    """Split ``text`` into raw labels, decoding ``\\ooo`` escapes (and ``\\x`` for any x)."""
    labels, current, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            octal = text[i + 1:i + 4]
            if len(octal) == 3 and octal.isdigit() and int(octal, 8) < 256 and "8" not in octal \
                    and "9" not in octal:
                current.append(chr(int(octal, 8)))
                i += 4
                continue
            if i + 1 >= len(text):
                raise BadName("a backslash ends the name")
            current.append(text[i + 1])
            i += 2
            continue
        if ch == ".":
            labels.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    labels.append("".join(current))
    return labels


def _escape_label(label: str) -> str:
    return "".join(ch if ch in _PLAIN else f"\\{ord(ch):03o}" for ch in label)


def labels_of(name: str) -> list[str]:
    """The raw (unescaped, lower-case) labels of ``name``; the root gives ``[]``."""
    if not isinstance(name, str):
        raise BadName("not a string")
    text = name[:-1] if name.endswith(".") and not name.endswith("\\.") else name
    if text == "":
        if name == ".":
            return []
        raise BadName("empty name")
    labels = _unescape_labels(text)
    size = 0
    for label in labels:
        if label == "":
            raise BadName("empty label")
        if len(label.encode("utf-8")) > MAX_LABEL:
            raise BadName(f"label longer than {MAX_LABEL} bytes")
        for ch in label:
            if ch not in _ALLOWED:
                raise BadName(f"character {ch!r} is not allowed")
        size += len(label) + 1
    if size > MAX_NAME:
        raise BadName(f"name longer than {MAX_NAME} bytes")
    return [label.lower() for label in labels]


def canonical(name: str) -> str:
    """``name`` as Route 53 stores it: lower case, escaped, with the trailing dot."""
    labels = labels_of(name)
    return ".".join(_escape_label(label) for label in labels) + "."


def split(name: str) -> list[str]:
    """The escaped labels of a canonical name (``'a.b.'`` → ``['a', 'b']``)."""
    return [] if name == "." else name[:-1].split(".")


def sort_key(name: str) -> str:
    """Route 53's listing order: the escaped labels reversed, ``com.example.www.``."""
    return ".".join(reversed(split(name))) + "."


def in_zone(name: str, zone: str) -> bool:
    """Whether canonical ``name`` is the zone's apex or lies below it."""
    return name == zone or name.endswith("." + zone)


def parent(name: str) -> str | None:
    """The canonical name one label up, or None for the root."""
    labels = split(name)
    return ".".join(labels[1:]) + "." if len(labels) > 1 else ("." if labels else None)


def ancestors(name: str, stop: str) -> list[str]:
    """The names strictly above ``name`` down to and including ``stop`` (nearest first)."""
    out, current = [], parent(name)
    while current is not None and in_zone(current, stop):
        out.append(current)
        if current == stop:
            break
        current = parent(current)
    return out


def is_wildcard(name: str) -> bool:
    """A wildcard name: the leftmost label is ``*`` (stored as ``\\052``)."""
    return name.startswith("\\052.")


def display(name: str) -> str:
    """A canonical name for people: escapes decoded (``\\052`` back to ``*``)."""
    return ".".join("".join(_unescape_labels(label)) for label in split(name)) + "."
