"""Invalidations: remove objects from every cache of a distribution before they expire.

[CFDG Invalidation.md; BC cloudfront:CreateInvalidation, InvalidationBatch; facts: CloudFront]

- Paths start with ``/``; a ``*`` may only end a path (``/images/*``, ``/*``); a path is at most
  4,000 characters. A path matches the object with that path (and, written with its query
  string, that variant); ``*`` matches every object whose path starts with what precedes it,
  query-string variants included. Variants by header or cookie are all invalidated.
- At most 3,000 individual paths and 15 wildcard paths may be in progress per distribution at
  once (``TooManyInvalidationsInProgress``); one batch of more than 3,000 paths is
  ``BatchTooLarge``.
- Re-sending a ``CallerReference`` with the same paths returns the earlier invalidation; with
  other paths, ``InvalidationBatchAlreadyExists`` (the code the model's documentation names;
  its HTTP status is not in the model, awskit uses 409).
- ``InProgress`` until :data:`~.model.INVALIDATION_S` later, then ``Completed``: at that moment
  every cached copy (edge locations, regional edge caches, Origin Shield) stored before it is
  gone. The first 1,000 paths a month are free and each further path (a wildcard counts as one)
  is charged; the price is not in awskit's facts, so awskit counts them (``metrics()``) only.
"""

from __future__ import annotations

from .. import errors
from ..clock import aws_datetime
from ..service import Request, operation
from .codes import cf_error, invalid, listed
from .model import (
    INVALIDATION_S,
    MAX_PATH_CHARS,
    MAX_PATHS_IN_PROGRESS,
    MAX_WILDCARDS_IN_PROGRESS,
    Invalidation,
)


def path_matches(pattern: str, path_and_query: str) -> bool:
    """Does an invalidation path cover an object (``/path`` or ``/path?query``)?"""
    if pattern.endswith("*"):
        return path_and_query.startswith(pattern[:-1])
    return path_and_query == pattern


def _check_paths(paths: list) -> None:
    if not paths:
        raise invalid("Your request is missing a required parameter: Paths.")
    if len(paths) > MAX_PATHS_IN_PROGRESS:
        raise cf_error("BatchTooLarge", f"An invalidation batch holds at most "
                                        f"{MAX_PATHS_IN_PROGRESS} paths.")
    for path in paths:
        if not path.startswith("/") or "*" in path[:-1] or len(path) > MAX_PATH_CHARS:
            raise invalid(f"Your request contains one or more invalid invalidation paths: "
                          f"{path!r} (paths start with /, a * may only end one, and a path has "
                          f"at most {MAX_PATH_CHARS} characters).")


class InvalidationOperations:
    """Mixed into :class:`~.api.CloudFront`."""

    def _invalidation_shape(self, inv: Invalidation) -> dict:
        return {"Id": inv.id, "Status": inv.status(self.cloud.clock.elapsed),
                "CreateTime": aws_datetime(inv.created, "ms"), "InvalidationBatch": inv.batch()}

    @operation
    def create_invalidation(self, req: Request, DistributionId: str, InvalidationBatch: dict):
        dist = self.own_distribution(req, DistributionId, "CreateInvalidation")
        paths = listed(InvalidationBatch["Paths"], "Paths")
        _check_paths(paths)
        reference = InvalidationBatch["CallerReference"]
        existing = self.invalidations.setdefault(dist.id, [])
        now = self.cloud.clock.elapsed
        for inv in existing:
            if inv.caller_reference == reference:
                if inv.paths != paths:
                    raise errors.define("InvalidationBatchAlreadyExists", 409, "")(
                        "An invalidation batch with this CallerReference and other paths "
                        "already exists.")
                req.status = 201
                return self._created(dist.id, inv)
        busy = [i for i in existing if i.status(now) != "Completed"]
        wild = sum(1 for i in busy for p in i.paths if p.endswith("*"))
        single = sum(1 for i in busy for p in i.paths if not p.endswith("*"))
        new_wild = sum(1 for p in paths if p.endswith("*"))
        if wild + new_wild > MAX_WILDCARDS_IN_PROGRESS or \
                single + len(paths) - new_wild > MAX_PATHS_IN_PROGRESS:
            raise cf_error("TooManyInvalidationsInProgress", "Processing your request would "
                           f"exceed {MAX_PATHS_IN_PROGRESS} file paths or "
                           f"{MAX_WILDCARDS_IN_PROGRESS} wildcard paths in progress for this "
                           "distribution.")
        inv = Invalidation(self.new_id("invalidation", "I"), dist.id, list(paths), reference,
                           now, now + INVALIDATION_S)
        existing.append(inv)
        self.count_invalidation_paths(dist, len(paths))
        req.step("CloudFront API", f"Create invalidation {inv.id} of {len(paths)} path(s) on "
                 f"{dist.id}: every edge location, regional edge cache and Origin Shield drops "
                 "the matching objects (InProgress)", 2.0, invalidation=inv.id, paths=paths)
        req.status = 201
        return self._created(dist.id, inv)

    def _created(self, dist_id: str, inv: Invalidation) -> dict:
        return {"Location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{dist_id}"
                            f"/invalidation/{inv.id}",
                "Invalidation": self._invalidation_shape(inv)}

    @operation
    def get_invalidation(self, req: Request, DistributionId: str, Id: str):
        dist = self.own_distribution(req, DistributionId, "GetInvalidation")
        for inv in self.invalidations.get(dist.id, []):
            if inv.id == Id:
                return {"Invalidation": self._invalidation_shape(inv)}
        raise cf_error("NoSuchInvalidation", "The specified invalidation does not exist.")

    @operation
    def list_invalidations(self, req: Request, DistributionId: str, Marker: str | None = None,
                           MaxItems: str | None = None):
        dist = self.own_distribution(req, DistributionId, "ListInvalidations")
        newest_first = sorted(self.invalidations.get(dist.id, []),
                              key=lambda i: (-i.created, i.id))
        chunk, next_marker, limit = self.page(newest_first, lambda i: i.id, Marker, MaxItems)
        now = self.cloud.clock.elapsed
        items = [{"Id": i.id, "CreateTime": aws_datetime(i.created, "ms"),
                  "Status": i.status(now)} for i in chunk]
        return {"InvalidationList": self.list_shape(Marker, limit, next_marker, items)}
