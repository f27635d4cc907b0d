"""Filter patterns for unstructured log events (FilterLogEvents' ``filterPattern``).

What CloudWatch Logs does (CloudWatch Logs User Guide, "Filter pattern syntax"): an empty
pattern matches every event; ``ERROR`` matches events containing the term; ``ERROR Exception``
matches events containing both; ``"Out of memory"`` matches the exact phrase; ``-ERROR``
excludes events containing it; ``?ERROR ?Exception`` matches events containing either; terms are
case-sensitive; ``%regex%`` matches a regular expression.

What awskit simplifies: a term or phrase matches where it occurs as a substring of the message
(whether AWS also matches inside longer words is unconfirmed); a ``%regex%`` is Python's ``re``
(AWS allows a subset of regular-expression syntax); JSON (``{ $.level = "ERROR" }``) and
space-delimited (``[ip, user, ...]``) patterns are not simulated and are refused with
NotImplemented (501) rather than matched wrongly.
"""

from __future__ import annotations

import re

from .. import errors


class Pattern:
    """A parsed filter pattern: ``matches(message)``."""

    def __init__(self, text: str | None):
        self.text = (text or "").strip()
        self.required: list = []      # every one must match
        self.excluded: list = []      # none may match
        self.optional: list = []      # at least one must match (if any)
        if self.text.startswith(("{", "[")):
            raise errors.for_code("NotImplemented")(
                "awskit does not simulate JSON or space-delimited filter patterns; use terms, "
                '"quoted phrases", -exclusions, ?alternatives or %regex%', status=501)
        for prefix, term in _tokens(self.text):
            {"": self.required, "-": self.excluded, "?": self.optional}[prefix].append(term)

    def matches(self, message: str) -> bool:
        if any(_hit(t, message) for t in self.excluded):
            return False
        if not all(_hit(t, message) for t in self.required):
            return False
        return not self.optional or any(_hit(t, message) for t in self.optional)


def _hit(term, message: str) -> bool:
    if isinstance(term, re.Pattern):
        return term.search(message) is not None
    return term in message


def _tokens(text: str):
    """(prefix, term) pairs: prefix '' | '-' | '?'; a term is a string or a compiled regex."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        prefix = ""
        if text[i] in "-?" and i + 1 < n and not text[i + 1].isspace():
            prefix, i = text[i], i + 1
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise errors.for_code("InvalidParameterException")(
                    "Invalid filter pattern: unterminated quoted phrase")
            yield prefix, text[i + 1:end]
            i = end + 1
        elif text[i] == "%":
            end = text.find("%", i + 1)
            if end < 0:
                raise errors.for_code("InvalidParameterException")(
                    "Invalid filter pattern: unterminated %regex%")
            try:
                yield prefix, re.compile(text[i + 1:end])
            except re.error:
                raise errors.for_code("InvalidParameterException")(
                    "Invalid filter pattern: bad regular expression") from None
            i = end + 1
        else:
            end = i
            while end < n and not text[end].isspace():
                end += 1
            yield prefix, text[i:end]
            i = end
