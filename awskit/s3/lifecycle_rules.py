"""Lifecycle configurations: S3's validation of ``PutBucketLifecycleConfiguration`` and the
stored form of a rule (JSON data: dates as seconds on the simulated clock).

Rules (botocore 1.43.11 model ``LifecycleRule``; S3 User Guide "Lifecycle configuration
elements" and "Transitioning objects using Amazon S3 Lifecycle"): at most 1,000 rules, IDs
unique and at most 255 characters; a rule names its objects by a ``Filter`` (``Prefix``,
``Tag``, ``ObjectSizeGreaterThan``, ``ObjectSizeLessThan`` or an ``And`` of them) or, in the
older form, a top-level ``Prefix`` (the two forms cannot be mixed); it needs at least one
action. Expiration ``Days`` must be positive, transition ``Days`` nonnegative and at least 30
for STANDARD_IA and ONEZONE_IA (botocore ``Transition.Days``); dates must be midnight UTC;
within a rule each colder class must come later than the one before, expiration after every
transition, and (User Guide, "Minimum 30-day storage charge") a Glacier Flexible Retrieval or
Deep Archive transition at least 30 days after a Standard-IA/One Zone-IA one.

Error codes and messages are S3's as reported in public issue trackers and by S3-compatible
projects that recorded S3's answers (terraform-provider-aws, aws-cdk, noobaa-core); the ones
marked *unconfirmed* in the code are awskit's wording for a check S3 makes.
"""

from __future__ import annotations

import base64

from botocore.utils import parse_to_aware_datetime

from .. import errors
from ..clock import EPOCH, aws_datetime

MAX_RULES = 1000
MAX_ID = 255
MAX_SIZE = 1099511627776000         # 'ObjectSize...' upper bound S3 names in its messages
IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")
ARCHIVE_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
#: transition targets from warm to cold (the waterfall's order)
RANK = {"STANDARD": 0, "REDUCED_REDUNDANCY": 0, "STANDARD_IA": 1, "INTELLIGENT_TIERING": 2,
        "ONEZONE_IA": 3, "GLACIER_IR": 4, "GLACIER": 5, "DEEP_ARCHIVE": 6}
#: lifecycle transitions S3 supports (User Guide, "Supported lifecycle transitions")
ALLOWED = {
    "STANDARD": {"STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER",
                 "DEEP_ARCHIVE"},
    "REDUCED_REDUNDANCY": {"STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR",
                           "GLACIER", "DEEP_ARCHIVE"},
    "STANDARD_IA": {"INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"},
    "INTELLIGENT_TIERING": {"ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"},
    "ONEZONE_IA": {"GLACIER", "DEEP_ARCHIVE"},
    "GLACIER_IR": {"GLACIER", "DEEP_ARCHIVE"},
    "GLACIER": {"DEEP_ARCHIVE"},
    "DEEP_ARCHIVE": set(),
}
MIN_SIZE_DEFAULT = "all_storage_classes_128K"
MIN_SIZE_VALUES = ("all_storage_classes_128K", "varies_by_storage_class")
DAY = 86400


def _invalid_request(message):
    return errors.InvalidRequest(message)


def _invalid_argument(message):
    return errors.InvalidArgument(message)


def to_seconds(value) -> float:
    """A Date parameter (datetime or ISO string) as seconds on the simulated clock."""
    try:
        return (parse_to_aware_datetime(value) - EPOCH).total_seconds()
    except (ValueError, TypeError):
        raise errors.MalformedXML() from None


def _midnight(seconds: float) -> float:
    if (seconds + EPOCH.timestamp()) % DAY != 0:
        raise _invalid_argument("'Date' must be at midnight GMT")
    return seconds


def describe_filter(rule: dict) -> str:
    """How S3 names a rule's filter in its messages: ``(prefix=logs/)``."""
    scope = rule.get("Filter")
    node = (scope or {}).get("And") or scope or {}
    parts = []
    prefix = node.get("Prefix") if scope is not None else rule.get("Prefix")
    if prefix:
        parts.append(f"prefix={prefix}")
    tags = node.get("Tags") or ([node["Tag"]] if node.get("Tag") else [])
    parts += [f"tag={{key={t['Key']}, value={t['Value']}}}" for t in tags]
    for name in ("ObjectSizeGreaterThan", "ObjectSizeLessThan"):
        if node.get(name) is not None:
            parts.append(f"{name.lower()}={node[name]}")
    return "(" + " and ".join(parts) + ")" if parts else "(prefix=)"


def _check_filter(flt: dict) -> tuple[bool, bool]:
    """Validate a Filter; returns (uses tags, uses object size)."""
    given = [k for k in ("Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And")
             if flt.get(k) is not None]
    if len(given) > 1:
        raise errors.MalformedXML()
    node = flt.get("And") or flt
    tags = node.get("Tags") or ([node["Tag"]] if node.get("Tag") else [])
    keys = [t["Key"] for t in tags]
    if len(keys) != len(set(keys)):
        raise _invalid_request("Duplicate Tag Keys are not allowed.")
    gt, lt = node.get("ObjectSizeGreaterThan"), node.get("ObjectSizeLessThan")
    if gt is not None and not 0 <= gt <= MAX_SIZE:
        raise _invalid_request(f"'ObjectSizeGreaterThan' should be between 0 and {MAX_SIZE}.")
    if lt is not None and not 1 <= lt <= MAX_SIZE:
        raise _invalid_request(f"'ObjectSizeLessThan' should be between 1 and {MAX_SIZE}.")
    if gt is not None and lt is not None and lt <= gt:
        raise _invalid_request("'ObjectSizeLessThan' has to be a value greater than "
                               "'ObjectSizeGreaterThan'.")
    return bool(tags), gt is not None or lt is not None


def _positive(value, message: str) -> int:
    if value is None or value <= 0:
        raise _invalid_argument(message)
    return value


def _check_transitions(items: list, field: str, action: str, where: str) -> str | None:
    """Validate Transitions / NoncurrentVersionTransitions; returns "Days", "Date" or None."""
    kinds, seen = set(), set()
    for item in items:
        cls = item.get("StorageClass")
        if cls is None:
            raise errors.MalformedXML()
        has_date = item.get("Date") is not None
        if (item.get(field) is not None) == has_date:
            raise errors.MalformedXML()
        if has_date:
            _midnight(to_seconds(item["Date"]))
            kinds.add("Date")
        else:
            days = item[field]
            if days < 0:
                raise _invalid_argument(f"'{field}' in {action} action must be nonnegative")
            if cls in IA_CLASSES and days < 30:     # NoncurrentDays wording: by analogy
                raise _invalid_argument(f"'{field}' in {action} action must be greater than or "
                                        f"equal to 30 for storageClass '{cls}'")
            kinds.add("Days")
        if item.get("NewerNoncurrentVersions") is not None:
            _positive(item["NewerNoncurrentVersions"],
                      "'NewerNoncurrentVersions' must be a positive integer")
        if cls in seen:
            raise _invalid_request(f"'StorageClass' must be different for '{action}' actions in "
                                   "same 'Rule'")
        seen.add(cls)
    if len(kinds) > 1:
        raise _invalid_request(f"Found mixed 'Date' and 'Days' based {action} actions in "
                               f"lifecycle rule for filter '{where}'")
    kind = kinds.pop() if kinds else None
    ordered = sorted(items, key=lambda t: RANK[t["StorageClass"]])
    for before, after in zip(ordered, ordered[1:]):
        a, b = before["StorageClass"], after["StorageClass"]
        if b not in ALLOWED[a]:                                      # wording unconfirmed
            raise _invalid_request(f"Lifecycle transition from '{a}' to '{b}' in filter "
                                   f"'{where}' is not supported")
        key = "Date" if kind == "Date" else field
        t0 = to_seconds(before[key]) if kind == "Date" else before[key]
        t1 = to_seconds(after[key]) if kind == "Date" else after[key]
        if t1 <= t0:
            raise _invalid_argument(
                f"'{key}' in the {action} action for StorageClass '{b}' for filter '{where}' "
                f"must be greater than '{key}' in the {action} action for StorageClass '{a}' "
                f"for filter '{where}'")
        gap = (t1 - t0) / DAY if kind == "Date" else t1 - t0
        if a in IA_CLASSES and b in ARCHIVE_CLASSES and gap < 30:    # wording unconfirmed
            raise _invalid_argument(
                f"'{key}' in the {action} action for StorageClass '{b}' for filter '{where}' "
                f"must be 30 days more than '{key}' in the {action} action for StorageClass "
                f"'{a}' for filter '{where}'")
    return kind


def _check_rule(rule: dict, v2: bool) -> None:
    has_filter, has_prefix = rule.get("Filter") is not None, rule.get("Prefix") is not None
    if not has_filter and not has_prefix:
        raise errors.MalformedXML()
    if has_filter and has_prefix:
        raise errors.MalformedXML()
    if has_prefix and v2:
        raise _invalid_request("Base level prefix cannot be used in Lifecycle V2, prefixes are "
                               "only supported in the Filter.")
    if has_filter and not v2:
        raise _invalid_request("Filter element can only be used in Lifecycle V2.")
    tags, sizes = _check_filter(rule["Filter"]) if has_filter else (False, False)
    actions = ("Expiration", "Transitions", "NoncurrentVersionTransitions",
               "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload")
    if not any(rule.get(a) for a in actions):
        raise _invalid_request("At least one action needs to be specified in a rule")
    where = describe_filter(rule)
    expiration = rule.get("Expiration")
    exp_kind = None
    if expiration is not None:
        given = [k for k in ("Date", "Days", "ExpiredObjectDeleteMarker")
                 if expiration.get(k) is not None]
        if len(given) != 1:
            raise errors.MalformedXML()
        exp_kind = given[0]
        if exp_kind == "Days":
            _positive(expiration["Days"], "'Days' for Expiration action must be a positive integer")
        elif exp_kind == "Date":
            _midnight(to_seconds(expiration["Date"]))
        else:
            if tags:
                raise _invalid_request("ExpiredObjectDeleteMarker cannot be specified with Tags.")
            if sizes:
                raise _invalid_request("ExpiredObjectDeleteMarker cannot be specified with "
                                       "Object Size.")
    noncurrent = rule.get("NoncurrentVersionExpiration")
    if noncurrent is not None:
        if noncurrent.get("NoncurrentDays") is None:
            raise errors.MalformedXML()
        _positive(noncurrent["NoncurrentDays"], "'NoncurrentDays' for NoncurrentVersionExpiration "
                  "action must be a positive integer")
        if noncurrent.get("NewerNoncurrentVersions") is not None:
            if not v2:
                raise _invalid_request("NewerNoncurrentVersions element can only be used in "
                                       "Lifecycle V2.")
            _positive(noncurrent["NewerNoncurrentVersions"],
                      "'NewerNoncurrentVersions' must be a positive integer")
    abort = rule.get("AbortIncompleteMultipartUpload")
    if abort is not None:
        if abort.get("DaysAfterInitiation") is None:
            raise errors.MalformedXML()
        _positive(abort["DaysAfterInitiation"], "'DaysAfterInitiation' for "
                  "AbortIncompleteMultipartUpload action must be a positive integer")
        if tags:
            raise _invalid_request("AbortIncompleteMultipartUpload cannot be specified with Tags.")
        if sizes:
            raise _invalid_request("AbortIncompleteMultipartUpload cannot be specified with "
                                   "Object Size.")
    transitions = rule.get("Transitions") or []
    kind = _check_transitions(transitions, "Days", "Transition", where)
    if kind and exp_kind in ("Days", "Date") and kind != exp_kind:
        raise _invalid_request("Found mixed 'Date' and 'Days' based Expiration and Transition "
                               f"actions in lifecycle rule for filter '{where}'")
    if kind and exp_kind == kind:
        last = max(to_seconds(t["Date"]) if kind == "Date" else t["Days"] for t in transitions)
        exp = to_seconds(expiration["Date"]) if kind == "Date" else expiration["Days"]
        if exp <= last:
            raise _invalid_argument(f"'{kind}' in the Expiration action for filter '{where}' must "
                                    f"be greater than '{kind}' in the Transition action")
    nvt = rule.get("NoncurrentVersionTransitions") or []
    for item in nvt:
        if item.get("NewerNoncurrentVersions") is not None and not v2:
            raise _invalid_request("NewerNoncurrentVersions element can only be used in "
                                   "Lifecycle V2.")
    _check_transitions(nvt, "NoncurrentDays", "NoncurrentVersionTransition", where)
    if nvt and noncurrent is not None:
        if noncurrent["NoncurrentDays"] <= max(t["NoncurrentDays"] for t in nvt):
            raise _invalid_argument(
                f"'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '{where}' "
                "must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action")


def _check_overlaps(rules: list) -> None:
    """Before Lifecycle V2, rules whose prefixes overlap may not share an action type."""
    for action in ("Expiration", "Transitions", "NoncurrentVersionTransitions",
                   "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload"):
        prefixes = sorted(r["Prefix"] for r in rules if r.get(action))
        for a, b in zip(prefixes, prefixes[1:]):
            if b.startswith(a):
                name = action.rstrip("s") if action.endswith("Transitions") else action
                raise _invalid_request(f"Found overlapping prefixes '{a}' and '{b}' for same "
                                       f"action type '{name}'")


def validate(config: dict, min_size: str | None, new_id) -> dict:
    """Check a LifecycleConfiguration as S3 does; return the stored form (JSON data)."""
    rules = config.get("Rules") or []
    if not rules:
        raise _invalid_request("At least one lifecycle rule must be specified.")
    if len(rules) > MAX_RULES:
        raise _invalid_request("The number of lifecycle rules must not exceed the allowed limit "
                               "of 1000 rules.")
    ids = [r["ID"] for r in rules if r.get("ID")]
    if any(len(i) > MAX_ID for i in ids):
        raise _invalid_argument("ID length should not exceed allowed limit of 255")
    if len(ids) != len(set(ids)):
        raise _invalid_argument("Rule ID must be unique. Found same ID for more than one rule")
    if min_size is not None and min_size not in MIN_SIZE_VALUES:
        raise _invalid_request("Invalid TransitionDefaultMinimumObjectSize found")
    v2 = rules[0].get("Filter") is not None
    for rule in rules:
        _check_rule(rule, v2)
    if not v2:
        _check_overlaps(rules)
    stored = [_store(rule, new_id) for rule in rules]
    return {"Rules": stored, "TransitionDefaultMinimumObjectSize": min_size or MIN_SIZE_DEFAULT}


def _store(rule: dict, new_id) -> dict:
    """The rule as JSON data: known members only, dates as clock seconds, an ID always."""
    out = {"ID": rule.get("ID") or new_id()}
    if rule.get("Filter") is not None:
        out["Filter"] = _plain(rule["Filter"])
    else:
        out["Prefix"] = rule["Prefix"]
    out["Status"] = rule["Status"]
    for name in ("Expiration", "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload"):
        if rule.get(name) is not None:
            out[name] = _plain(rule[name])
    for name in ("Transitions", "NoncurrentVersionTransitions"):
        if rule.get(name):
            out[name] = [_plain(t) for t in rule[name]]
    return out


def _plain(value):
    if isinstance(value, dict):
        return {k: (to_seconds(v) if k == "Date" else _plain(v)) for k, v in value.items()
                if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def to_api(stored: dict) -> dict:
    """A stored rule as ``GetBucketLifecycleConfiguration`` returns it."""
    def conv(value, key=None):
        if key == "Date":
            return aws_datetime(value)
        if isinstance(value, dict):
            return {k: conv(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [conv(v) for v in value]
        return value
    return conv(stored)


def rule_id(ids) -> str:
    """S3 gives a rule without an ID a random one (base64 of a UUID, as S3's look)."""
    return base64.b64encode(ids.uuid("s3-lifecycle-rule").encode()).decode().rstrip("=")


# -- matching ---------------------------------------------------------------------------------
def matches(rule: dict, key: str, size: int, tags: dict, delete_marker: bool) -> bool:
    """Does an enabled rule's filter select this object version?"""
    if rule["Status"] != "Enabled":
        return False
    if "Filter" not in rule:
        return key.startswith(rule.get("Prefix", ""))
    flt = rule["Filter"]
    node = flt.get("And") or flt
    if not key.startswith(node.get("Prefix", "")):
        return False
    wanted = node.get("Tags") or ([node["Tag"]] if node.get("Tag") else [])
    if any(tags.get(t["Key"]) != t["Value"] for t in wanted):
        return False
    gt, lt = node.get("ObjectSizeGreaterThan"), node.get("ObjectSizeLessThan")
    if (gt is not None or lt is not None) and delete_marker:
        return False
    if gt is not None and not size > gt:
        return False
    if lt is not None and not size < lt:
        return False
    return True


def has_size_filter(rule: dict) -> bool:
    node = (rule.get("Filter") or {}).get("And") or rule.get("Filter") or {}
    return node.get("ObjectSizeGreaterThan") is not None or \
        node.get("ObjectSizeLessThan") is not None
