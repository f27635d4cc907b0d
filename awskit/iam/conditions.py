"""IAM condition operators, wildcards and policy variables.

What AWS does (IAM User Guide: "Condition operators", "Conditions with multiple context keys
or values", "Policy variables"):

- String, Numeric, Date, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn and Null operators;
  ``...IfExists`` on every operator except ``Null`` (a missing key makes the condition true);
  set qualifiers ``ForAllValues:`` (true for a missing or empty key) and ``ForAnyValue:``
  (false for a missing or empty key).
- Several values for one key are OR-ed; negated operators (``StringNotEquals``,
  ``NotIpAddress``, ``ArnNotLike`` ...) are true when the request value matches *none* of the
  policy values (NOR).
- A key absent from the request context makes a condition false, *except* for negated
  operators, which are then true: "If the policy condition requires that the key is not
  matched, such as StringNotLike or ArnNotLike, and the right key is not present, the
  condition is true" (IAM User Guide, reference_policies_elements_condition_operators.md,
  "Important" box).
- Key names are case-insensitive, values case-sensitive unless the operator says IgnoreCase.
- ``*`` matches any run of characters and ``?`` one character in ``StringLike``; ARN operators
  check each of the six colon-separated ARN fields separately, so a wildcard cannot cross a
  ``:`` before the resource part.
- Policy variables ``${key}`` (policy Version 2012-10-17 only) are replaced by request-context
  values in ``Resource`` and in String, Arn and Bool condition values; ``${*}``, ``${?}`` and
  ``${$}`` stand for literal ``*``, ``?`` and ``$``; ``${key, 'default'}`` supplies a default.

Simplifications: a substituted variable value is always matched literally (its own ``*`` is not
a wildcard); a variable that cannot be resolved (no value, no default) never makes a condition
true (AWS: "If AWS cannot resolve a variable, this might cause the entire statement to be
invalid"); a multi-valued key used in a variable expands to one alternative per value; a
single-valued operator applied to a multi-valued key behaves like ``ForAnyValue`` (negated: no
request value may match).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from datetime import datetime, timezone
from functools import lru_cache

__all__ = ["ConditionOperator", "ConditionClause", "parse_operator", "tokenize", "resolve",
           "wildcard_source", "compile_wildcards", "normalize_context", "OPERATORS"]

# base operator -> (value kind, negated, comparison)
OPERATORS: dict[str, tuple[str, bool, str]] = {
    "StringEquals": ("string", False, "eq"),
    "StringNotEquals": ("string", True, "eq"),
    "StringEqualsIgnoreCase": ("string", False, "eqi"),
    "StringNotEqualsIgnoreCase": ("string", True, "eqi"),
    "StringLike": ("string", False, "like"),
    "StringNotLike": ("string", True, "like"),
    "NumericEquals": ("numeric", False, "eq"),
    "NumericNotEquals": ("numeric", True, "eq"),
    "NumericLessThan": ("numeric", False, "lt"),
    "NumericLessThanEquals": ("numeric", False, "le"),
    "NumericGreaterThan": ("numeric", False, "gt"),
    "NumericGreaterThanEquals": ("numeric", False, "ge"),
    "DateEquals": ("date", False, "eq"),
    "DateNotEquals": ("date", True, "eq"),
    "DateLessThan": ("date", False, "lt"),
    "DateLessThanEquals": ("date", False, "le"),
    "DateGreaterThan": ("date", False, "gt"),
    "DateGreaterThanEquals": ("date", False, "ge"),
    "Bool": ("bool", False, "eq"),
    "BinaryEquals": ("binary", False, "eq"),
    "IpAddress": ("ip", False, "in"),
    "NotIpAddress": ("ip", True, "in"),
    "ArnEquals": ("arn", False, "like"),      # ArnEquals and ArnLike behave identically
    "ArnLike": ("arn", False, "like"),
    "ArnNotEquals": ("arn", True, "like"),
    "ArnNotLike": ("arn", True, "like"),
    "Null": ("null", False, "null"),
}
_VARIABLE_KINDS = frozenset({"string", "arn", "bool"})   # where policy variables are substituted
_COMPARE = {"eq": lambda a, b: a == b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
            "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b}


class ConditionOperator:
    """A parsed operator name such as ``ForAnyValue:StringLikeIfExists``."""

    __slots__ = ("name", "base", "qualifier", "if_exists", "kind", "negated", "compare")

    def __init__(self, name: str, base: str, qualifier: str | None, if_exists: bool):
        self.name, self.base, self.qualifier, self.if_exists = name, base, qualifier, if_exists
        self.kind, self.negated, self.compare = OPERATORS[base]

    def __repr__(self) -> str:
        return f"ConditionOperator({self.name!r})"


@lru_cache(maxsize=None)
def parse_operator(name: str) -> ConditionOperator | None:
    """The operator for ``name``, or None if IAM does not know it (names are case-sensitive)."""
    rest, qualifier = name, None
    for q in ("ForAllValues:", "ForAnyValue:"):
        if rest.startswith(q):
            qualifier, rest = q[:-1], rest[len(q):]
            break
    if_exists = rest.endswith("IfExists") and rest != "IfExists"
    base = rest[:-len("IfExists")] if if_exists else rest
    if base not in OPERATORS or (base == "Null" and (if_exists or qualifier)):
        return None
    return ConditionOperator(name, base, qualifier, if_exists)


# -- wildcards --------------------------------------------------------------------------------
# A pattern is a tuple of segments (text, literal): literal text (from a policy variable or a
# ${*} escape) never acts as a wildcard.

@lru_cache(maxsize=8192)
def wildcard_source(segments: tuple, arn: bool = False) -> str:
    """Regex source for a wildcard pattern. With ``arn`` a wildcard stays inside one of the
    first five colon-separated fields and may cross colons only in the resource part.
    (A pattern with fewer than five colons lets its last field run to the end: simplified.)"""
    out = []
    if arn:
        colons = sum(text.count(":") for text, _ in segments)
        free_from = min(colons, 5)       # field index from which '*' may cross ':'
        field = 0
        for text, literal in segments:
            for ch in text:
                if ch == ":":
                    field += 1
                    out.append(":")
                elif ch == "*" and not literal:
                    out.append(".*" if field >= free_from else "[^:]*")
                elif ch == "?" and not literal:
                    out.append("." if field >= free_from else "[^:]")
                else:
                    out.append(re.escape(ch))
    else:
        for text, literal in segments:
            if literal:
                out.append(re.escape(text))
                continue
            for part in re.split(r"([*?])", text):
                out.append(".*" if part == "*" else "." if part == "?" else re.escape(part))
    return "".join(out)


@lru_cache(maxsize=8192)
def _compile(source: str, ignore_case: bool) -> re.Pattern:
    return re.compile(source, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def compile_wildcards(patterns, *, arn: bool = False, ignore_case: bool = False) -> re.Pattern:
    """One compiled regex matching any of ``patterns`` (each a str or a segment tuple);
    use ``.fullmatch``. Cached, so each distinct pattern set is translated once."""
    sources = [wildcard_source(((p, False),) if isinstance(p, str) else p, arn)
               for p in patterns]
    source = sources[0] if len(sources) == 1 else "(?:" + "|".join(sources) + ")"
    return _compile(source, ignore_case)


# -- policy variables -------------------------------------------------------------------------
_VAR_RE = re.compile(r"\$\{([^}]*)\}")
_VAR_BODY_RE = re.compile(r"\s*([^,\s'{}]+)\s*(?:,\s*'([^']*)'\s*)?")


def tokenize(value: str, start: int = 0) -> tuple | None:
    """Split a policy string into ``("lit", text)``, ``("esc", ch)`` and
    ``("var", key, key_lower, default)`` tokens; None when it holds no variable (fast path).
    Variables before index ``start`` are left as literal text (used for the ARN rule that
    variables only work in the resource part)."""
    if "${" not in value:
        return None
    tokens, pos, found = [], 0, False
    for m in _VAR_RE.finditer(value):
        if m.start() < start:
            continue
        body = m.group(1)
        if body in ("*", "?", "$"):
            token = ("esc", body)
        else:
            vm = _VAR_BODY_RE.fullmatch(body)
            if vm is None:
                continue                      # not a variable: stays literal text
            token = ("var", vm.group(1), vm.group(1).lower(), vm.group(2))
        if m.start() > pos:
            tokens.append(("lit", value[pos:m.start()]))
        tokens.append(token)
        pos, found = m.end(), True
    if not found:
        return None
    if pos < len(value):
        tokens.append(("lit", value[pos:]))
    return tuple(tokens)


def resolve(tokens: tuple, lookup) -> list[tuple] | None:
    """Substitute variables: a list of alternative segment tuples, or None if a variable has
    no value and no default. ``lookup(key_lower)`` returns a list of strings or None."""
    alternatives: list[tuple] = [()]
    for token in tokens:
        if token[0] == "lit":
            alternatives = [a + ((token[1], False),) for a in alternatives]
        elif token[0] == "esc":
            alternatives = [a + ((token[1], True),) for a in alternatives]
        else:
            values = lookup(token[2])
            if not values:
                if token[3] is None:
                    return None
                values = [token[3]]
            alternatives = [a + ((str(v), True),) for a in alternatives for v in values][:64]
    return alternatives


def variable_keys(tokens: tuple | None) -> list[str]:
    """The context keys a tokenized string refers to (original spelling)."""
    return [t[1] for t in tokens or () if t[0] == "var"]


# -- request context --------------------------------------------------------------------------
def _coerce(value) -> str | bytes:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def normalize_context(context: dict) -> dict[str, list]:
    """Condition keys lower-cased, values as lists of strings (bytes kept for BinaryEquals)."""
    out: dict[str, list] = {}
    for key, value in context.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            out[key.lower()] = [_coerce(v) for v in value if v is not None]
        else:
            out[key.lower()] = [_coerce(value)]
    return out


# -- value parsing ----------------------------------------------------------------------------
_NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_number(value) -> float | None:
    if isinstance(value, str) and _NUMBER_RE.fullmatch(value.strip()):
        return float(value)
    return None


@lru_cache(maxsize=4096)
def parse_date(value) -> float | None:
    """ISO 8601 (W3C profile) or epoch seconds -> POSIX seconds; None if unparseable."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        number = float(text)
        return number if math.isfinite(number) else None
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def _ip(value):
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        try:
            return ipaddress.ip_interface(value.strip()).ip
        except ValueError:
            return None


def _network(value: str):
    try:
        return ipaddress.ip_network(value.strip(), strict=False)   # no prefix means /32 (/128)
    except ValueError:
        return None


def _binary(value):
    if isinstance(value, bytes):
        return value
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        return None


def _show(values) -> str:
    return "[" + ", ".join(repr(v) if isinstance(v, bytes) else f'"{v}"' for v in values) + "]"


# -- clauses ----------------------------------------------------------------------------------
class ConditionClause:
    """One ``operator: {key: values}`` pair of a statement's Condition block."""

    __slots__ = ("operator", "key", "key_lower", "values", "_tokens", "_static", "_variable_keys")

    def __init__(self, operator: ConditionOperator, key: str, values: tuple[str, ...],
                 variables: bool):
        self.operator, self.key, self.key_lower, self.values = operator, key, key.lower(), values
        tokens = None
        if variables and operator.kind in _VARIABLE_KINDS:
            tokenized = [tokenize(v) for v in values]
            if any(t is not None for t in tokenized):
                tokens = tuple(t if t is not None else (("lit", v),)
                               for t, v in zip(tokenized, values))
        self._tokens = tokens
        self._variable_keys = tuple(k for t in tokens or () for k in variable_keys(t))
        self._static = None if tokens is not None else self._matcher(
            [((v, False),) for v in values])

    @property
    def context_keys(self) -> tuple[str, ...]:
        """The condition key and any keys its values refer to through variables."""
        return (self.key,) + self._variable_keys

    # a matcher answers "does this request value match any policy value?"
    def _matcher(self, patterns: list[tuple]):
        op = self.operator
        kind, compare = op.kind, op.compare
        texts = ["".join(text for text, _ in segs) for segs in patterns]
        if kind == "null":                                   # evaluated without a matcher
            return lambda v: False
        if kind == "string" and compare == "eq":
            allowed = frozenset(texts)
            return lambda v: v in allowed
        if (kind == "string" and compare == "eqi") or kind == "bool":
            lowered = frozenset(t.lower() for t in texts)
            return lambda v: isinstance(v, str) and v.lower() in lowered
        if kind in ("string", "arn"):                        # StringLike / Arn operators
            if not patterns:
                return lambda v: False
            regex = compile_wildcards(patterns, arn=kind == "arn")
            return lambda v: isinstance(v, str) and regex.fullmatch(v) is not None
        if kind in ("numeric", "date"):
            parse = parse_number if kind == "numeric" else parse_date
            numbers = [n for n in (parse(t) for t in texts) if n is not None]
            fn = _COMPARE[compare]

            def match(v, numbers=numbers, fn=fn, parse=parse):
                x = parse(v)
                return x is not None and any(fn(x, n) for n in numbers)
            return match
        if kind == "binary":
            blobs = frozenset(b for b in (_binary(t) for t in texts) if b is not None)
            return lambda v: _binary(v) in blobs
        if kind == "ip":
            networks = [n for n in (_network(t) for t in texts) if n is not None]
            return lambda v: (a := _ip(v)) is not None and any(
                a.version == n.version and a in n for n in networks)
        raise AssertionError(kind)

    def _current_matcher(self, lookup):
        """(matcher, unresolved variables?) for this request."""
        if self._static is not None:
            return self._static, False
        patterns, unresolved = [], False
        for tokens in self._tokens:
            alternatives = resolve(tokens, lookup)
            if alternatives is None:
                unresolved = True
            else:
                patterns.extend(alternatives)
        return self._matcher(patterns), unresolved

    def evaluate(self, lookup) -> bool:
        """True if the clause holds; ``lookup(key_lower)`` -> list of values or None."""
        op = self.operator
        values = lookup(self.key_lower)
        if op.kind == "null":        # "true": the key must be absent; "false": present
            present = bool(values)
            return any((v.lower() == "true") != present for v in self.values)
        if not values:
            if op.qualifier == "ForAllValues" or op.if_exists:
                return True
            if op.qualifier == "ForAnyValue":
                return False
            # IAM User Guide, condition operators: "If the policy condition requires that the
            # key is not matched, such as StringNotLike or ArnNotLike, and the right key is not
            # present, the condition is true." So StringNotEquals & co. hold; the rest fail.
            return op.negated
        matcher, unresolved = self._current_matcher(lookup)
        if op.negated:
            if unresolved:
                return False         # an unresolved variable never makes a condition true
            if op.qualifier == "ForAnyValue":
                return not all(matcher(v) for v in values)
            return not any(matcher(v) for v in values)
        if op.qualifier == "ForAllValues":
            return all(matcher(v) for v in values)
        return any(matcher(v) for v in values)

    def explain(self, lookup) -> tuple[bool, str]:
        """(result, one line saying why) for ``Decision.explain``."""
        op = self.operator
        result = self.evaluate(lookup)
        values = lookup(self.key_lower)
        head = f"{op.name} {{{self.key}: {_show(self.values)}}}"
        verdict = "true" if result else "false"
        if op.kind == "null":
            state = "present" if values else "absent"
            return result, f"{head}: key {self.key} is {state} -> {verdict}"
        if not values:
            if op.qualifier == "ForAllValues" or op.if_exists:
                why = "key absent, and " + ("ForAllValues is true for an empty set"
                                            if op.qualifier == "ForAllValues"
                                            else "...IfExists is true when the key is absent")
            elif op.qualifier == "ForAnyValue":
                why = "key absent, and ForAnyValue is false for an empty set"
            elif op.negated:
                why = "key absent from the request context; a negated operator is then true"
            else:
                why = "key absent from the request context, so nothing matches"
            return result, f"{head}: {why} -> {verdict}"
        _, unresolved = self._current_matcher(lookup)
        extra = " (a policy variable had no value)" if unresolved else ""
        return result, f"{head}: request has {_show(values)}{extra} -> {verdict}"

    def __repr__(self) -> str:
        return f"ConditionClause({self.operator.name!r}, {self.key!r}, {list(self.values)!r})"
