"""Record values checked as Route 53 checks them (Developer Guide, "Supported DNS record types").

Each checker returns None for a good value, or the message Route 53 puts in its
``InvalidChangeBatch`` list. Messages follow the form real responses have,
``Invalid Resource Record: 'FATAL problem: <code> (<reason>) encountered with '<value>''``; the
codes ``ARRDATAIllegalIPv4Address``, ``DomainLabelEmpty``, ``TXTRDATATooLong`` and
``InvalidCharacterString`` are ones real responses show; for the other checks awskit writes the
reason in words and no code.

What is checked: A (dotted-quad IPv4), AAAA (IPv6), CNAME/NS/PTR (a domain name; a CNAME set has
exactly one value), MX (``priority name``), SRV (``priority weight port target``), TXT and SPF
(character strings of at most 255 characters, quoted when they hold spaces), CAA (``flags tag
"value"``), SOA (seven fields). NAPTR, DS, TLSA, SSHFP, SVCB and HTTPS values are stored
unchecked (not simplified away: awskit does not parse those formats).
"""

from __future__ import annotations

import ipaddress
import re

from .names import BadName, labels_of

_INT = re.compile(r"\d{1,10}")
_CAA_TAG = re.compile(r"[A-Za-z0-9]{1,15}")


def _fatal(code: str, reason: str, value: str) -> str:
    return f"Invalid Resource Record: 'FATAL problem: {code} ({reason}) encountered with '{value}''"


def _plain(reason: str, value: str) -> str:
    return f"Invalid Resource Record: 'FATAL problem: {reason} encountered with '{value}''"


def _domain(value: str) -> str | None:
    if value in ("", "."):
        return _fatal("DomainLabelEmpty", "Domain label is empty", value) if value == "" else None
    text = value[:-1] if value.endswith(".") else value
    if text == "" or ".." in text or text.startswith("."):
        return _fatal("DomainLabelEmpty", "Domain label is empty", value)
    try:
        labels_of(value)
    except BadName as exc:
        return _plain(f"the value is not a domain name ({exc})", value)
    return None


def _number(text: str, high: int) -> bool:
    return bool(_INT.fullmatch(text)) and int(text) <= high


def character_strings(value: str) -> list[str] | None:
    """Split a TXT-style value into its character strings (quoted or bare); None if a quote is
    left open."""
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == " ":
            i += 1
            continue
        if ch == '"':
            j, chunk = i + 1, []
            while j < len(value) and value[j] != '"':
                if value[j] == "\\" and j + 1 < len(value):
                    chunk.append(value[j:j + 2])
                    j += 2
                    continue
                chunk.append(value[j])
                j += 1
            if j >= len(value):
                return None
            out.append("".join(chunk))
            i = j + 1
        else:
            j = value.find(" ", i)
            j = len(value) if j < 0 else j
            if '"' in value[i:j]:
                return None
            out.append(value[i:j])
            i = j
    return out


def _text(value: str) -> str | None:
    strings = character_strings(value)
    if strings is None:
        return _fatal("InvalidCharacterString", "Value should be enclosed in quotation marks",
                      value)
    for text in strings:
        if len(text) > 255:
            return _fatal("TXTRDATATooLong", "Value is too long", value)
    return None


def _check_ip(value: str, version: int) -> str | None:
    try:
        (ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address)(value)
    except ValueError:
        if version == 4:
            return _fatal("ARRDATAIllegalIPv4Address", "Value is not a valid IPv4 address", value)
        return _plain("the value is not a valid IPv6 address", value)
    return None


def _check_mx(value: str) -> str | None:
    parts = value.split()
    if len(parts) != 2 or not _number(parts[0], 65535):
        return _plain("an MX value is a priority (0-65535) and a mail server's domain name", value)
    return _domain(parts[1])


def _check_srv(value: str) -> str | None:
    parts = value.split()
    if len(parts) != 4 or not all(_number(p, 65535) for p in parts[:3]):
        return _plain("an SRV value is priority, weight and port (each 0-65535) and a domain "
                      "name", value)
    return _domain(parts[3])


def _check_caa(value: str) -> str | None:
    parts = value.split(None, 2)
    if len(parts) != 3 or not _number(parts[0], 255) or not _CAA_TAG.fullmatch(parts[1]):
        return _plain('a CAA value is flags (0-255), a tag and a quoted value: 0 issue '
                      '"amazon.com"', value)
    if not (parts[2].startswith('"') and parts[2].endswith('"') and len(parts[2]) >= 2):
        return _fatal("InvalidCharacterString", "Value should be enclosed in quotation marks",
                      value)
    return None


def _check_soa(value: str) -> str | None:
    parts = value.split()
    if len(parts) != 7 or not all(_number(p, 4294967295) for p in parts[2:]):
        return _plain("an SOA value is a name server, an email name and five numbers (serial "
                      "refresh retry expire minimum)", value)
    return _domain(parts[0]) or _domain(parts[1])


_CHECKS = {"A": lambda v: _check_ip(v, 4), "AAAA": lambda v: _check_ip(v, 6),
           "CNAME": _domain, "NS": _domain, "PTR": _domain, "MX": _check_mx,
           "SRV": _check_srv, "TXT": _text, "SPF": _text, "CAA": _check_caa, "SOA": _check_soa}


def check_values(rtype: str, values: list[str]) -> list[str]:
    """Every problem with the values of one record set of type ``rtype``."""
    problems = []
    check = _CHECKS.get(rtype)
    for value in values:
        if not value.strip():
            problems.append(_plain("the value is empty", value))
        elif check is not None:
            problem = check(value)
            if problem:
                problems.append(problem)
    if rtype in ("CNAME", "SOA") and len(values) > 1:
        problems.append(f"Invalid Resource Record: 'FATAL problem: a {rtype} record set holds "
                        f"exactly one value, not {len(values)}'")
    return problems
