"""Opaque pagination markers shared by the services that page with ``Marker``/``MaxItems``.

A marker is ``base64url("<operation>:<index>")``: the operation it belongs to and where the next
page starts. A marker of another operation, or one past the end, is refused; what AWS answers
then is each service's own error (the caller turns the ``ValueError`` into it).
"""

from __future__ import annotations

import base64


def page(operation: str, items: list, marker: str | None, size: int) -> tuple[list, str | None]:
    """(the page of ``items`` that ``marker`` starts, the marker of the next page or None);
    ``ValueError`` for a marker that is not this operation's."""
    start = 0
    if marker is not None:
        op, _, index = base64.urlsafe_b64decode(marker.encode()).decode().partition(":")
        start = int(index)
        if op != operation or not 0 <= start <= len(items):
            raise ValueError(marker)
    following = None
    if start + size < len(items):
        following = base64.urlsafe_b64encode(f"{operation}:{start + size}".encode()).decode()
    return items[start:start + size], following
