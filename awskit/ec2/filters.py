"""What every Describe* call shares: ``Filters``, pagination, and tags.

Filters: a resource matches when, for every filter, one of its values for that filter name
equals one of the filter's values; values may use the wildcards ``*`` and ``?``; ``tag:<key>``,
``tag-key`` and ``tag-value`` work on every taggable resource; an unknown filter name is
``InvalidParameterValue`` [BC ec2:Filter; EC2 API reference, "Filter"]. Pagination: up to
``MaxResults`` items (its bounds are the operation's model's) and a ``NextToken`` to go on.

Tags: keys of 1-128 and values of up to 256 characters, ``aws:`` reserved, at most 50 per
resource (``TagLimitExceeded``) [EC2 User Guide, "Tag restrictions"]. ``TagSpecifications`` tag a
resource at creation; each names the resource type it applies to.
"""

from __future__ import annotations

import base64
import fnmatch
from typing import Callable, Iterable

from .codes import fail, invalid_value

MAX_TAGS = 50


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def matches(item, filters: list[dict] | None, spec: dict[str, Callable]) -> bool:
    """Whether ``item`` passes every filter; ``spec`` maps a filter name to a function giving
    the item's value(s) for it (a scalar, a list, or None)."""
    for flt in filters or ():
        name, wanted = flt.get("Name", ""), flt.get("Values") or []
        if name.startswith("tag:"):
            tags = getattr(item, "tags", {})
            key = name[4:]
            values = [tags[key]] if key in tags else []
        elif name == "tag-key":
            values = list(getattr(item, "tags", {}))
        elif name == "tag-value":
            values = list(getattr(item, "tags", {}).values())
        elif name in spec:
            got = spec[name](item)
            values = [] if got is None else (list(got) if isinstance(got, (list, tuple, set))
                                             else [got])
        else:
            raise fail("InvalidParameterValue", f"The filter '{name}' is invalid")
        texts = [_text(v) for v in values]
        if not any(fnmatch.fnmatchcase(t, w) for t in texts for w in wanted):
            return False
    return True


def check_filters(filters: list[dict] | None, spec: dict) -> None:
    """Refuse unknown filter names even when there is nothing to filter."""
    for flt in filters or ():
        name = flt.get("Name", "")
        if not (name.startswith("tag:") or name in ("tag-key", "tag-value") or name in spec):
            raise fail("InvalidParameterValue", f"The filter '{name}' is invalid")


def paginate(req, items: list, key: Callable, max_results=None, next_token=None):
    """(page, NextToken or None). ``key`` gives an item's id (the token names the next one)."""
    if max_results is None and next_token is None:
        return items, None
    shape = req.op.model.input_shape.members.get("MaxResults")
    low = shape.metadata.get("min", 5) if shape is not None else 5
    high = shape.metadata.get("max", 1000) if shape is not None else 1000
    if max_results is not None and not low <= max_results <= high:
        raise invalid_value("maxResults", max_results,
                            f"Expecting a value between {low} and {high}.")
    start = 0
    if next_token is not None:
        try:
            wanted = base64.urlsafe_b64decode(next_token.encode()).decode()
        except (ValueError, UnicodeDecodeError):
            wanted = None
        ids = [key(i) for i in items]
        if wanted not in ids:
            raise fail("InvalidPaginationToken", f"Invalid pagination token: {next_token}")
        start = ids.index(wanted)
    limit = max_results or high
    page = items[start:start + limit]
    rest = items[start + limit:]
    token = base64.urlsafe_b64encode(key(rest[0]).encode()).decode() if rest else None
    return page, token


def select(items: Iterable, ids: list[str] | None, id_of: Callable, prefix: str,
           not_found: Callable) -> list:
    """The items named by ``ids`` (all if None), or the NotFound error naming the missing ones."""
    items = list(items)
    if not ids:
        return items
    by_id = {id_of(i): i for i in items}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise not_found(prefix, missing[0] if len(missing) == 1 else ", ".join(missing))
    seen, out = set(), []
    for i in ids:
        if i not in seen:
            seen.add(i)
            out.append(by_id[i])
    return out


# --------------------------------------------------------------------------------------------
# Tags
# --------------------------------------------------------------------------------------------
def check_tags(tags: list[dict]) -> dict:
    """Validate a boto3 ``Tags`` list; returns it as an ordered dict."""
    out = {}
    for tag in tags:
        key, value = tag.get("Key"), tag.get("Value", "")
        if key is None:
            raise fail("InvalidParameterValue", "Tag key must be specified")
        if not 1 <= len(key) <= 128:
            raise invalid_value("tagKey", key, "Tag keys must be between 1 and 128 characters.")
        if len(value or "") > 256:
            raise invalid_value("tagValue", value,
                                "Tag values must be at most 256 characters.")
        if key.lower().startswith("aws:"):
            raise fail("InvalidParameterValue",
                       "Tag keys starting with 'aws:' are reserved for internal use")
        out[key] = value or ""
    return out


def tag_specifications(specs: list[dict] | None, resource_type: str) -> dict:
    """The tags ``TagSpecifications`` give a resource of ``resource_type`` being created."""
    tags: dict = {}
    for spec in specs or ():
        kind = spec.get("ResourceType")
        if kind != resource_type:
            raise fail("InvalidParameterValue", f"'{kind}' is not a valid taggable resource "
                                                "type for this operation.")
        tags.update(check_tags(spec.get("Tags") or []))
    if len(tags) > MAX_TAGS:
        raise fail("TagLimitExceeded", f"The maximum number of Tags for a resource has been "
                                       f"reached (limit {MAX_TAGS}).")
    return tags


def tag_list(tags: dict) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def with_tags(out: dict, tags: dict, key: str = "Tags", always: bool = False) -> dict:
    """Add the ``Tags`` member when there are tags (or always, as for route tables)."""
    if tags or always:
        out[key] = tag_list(tags)
    return out
