"""Amazon CloudFront as boto3's ``cloudfront`` client sees it, and its edge network.

CloudFront is a global service (``cloudfront.amazonaws.com``, ARNs without a Region:
``arn:aws:cloudfront::<account>:distribution/<id>``) speaking rest-xml: boto3 shows a
distribution's configuration as nested ``{Quantity, Items}`` blocks, the version of a
resource as the ``ETag`` header member, and errors with ``Error.Type`` [BC
cloudfront/2020-05-31]. The operations live in mixins:

- ``distributions.py``: Create/CreateWithTags/Get/GetConfig/Update/Delete/List distributions;
- ``invalidations.py``: Create/Get/List invalidations;
- ``policies.py``: cache policies (AWS's managed ones and the account's own);
- ``access.py``: origin access controls (OAC), how CloudFront signs its requests to S3;
- this module: tags, authorization, ids, pagination, state.

The data plane (``edge.py``) answers viewers: ``cloud.cloudfront.request(url, from_city=...)``;
``traffic.py`` replays a day of requests. Custom origins are servers the student fills:
``cloud.cloudfront.origin_server("www.example.com")`` (see ``origins.py``).

Authorization: every call asks IAM for ``cloudfront:<Action>`` on the resource's ARN
(``distribution/*`` to create one, ``*`` to list) [CFDG security_iam_service-with-iam.md].
CloudFront has no resource-based policies: another account's distribution answers
``NoSuchDistribution`` to a caller (awskit's choice: AWS does not document which error).
Traces: "CloudFront API" receives the call; the data plane's components are "CloudFront edge
location", "Regional edge cache", "Origin Shield" and "Origin".

Prices: CloudFront's prices are not in awskit's facts, so its usage is counted
(``metrics()``) but not billed; the S3 GET requests CloudFront makes to an S3 origin are
billed to the bucket's owner as S3 bills them.
"""

from __future__ import annotations

import re
import string

from ..service import Request, Service, operation
from .access import AccessControlOperations
from .codes import block, cf_error, invalid
from .distributions import DistributionOperations
from .edge import EdgeNetwork
from .invalidations import InvalidationOperations
from .model import Distribution, distribution_arn
from .policies import PolicyOperations
from .traffic import TrafficMethods

_ID = string.ascii_uppercase + string.digits
_ARN = re.compile(r"arn:aws:cloudfront::(\d{12}):distribution/([A-Z0-9]+)")
_TAG = re.compile(r"[\w\s.:/=+\-@]*")


class CloudFront(DistributionOperations, InvalidationOperations, PolicyOperations,
                 AccessControlOperations, TrafficMethods, EdgeNetwork, Service):
    """Amazon CloudFront."""

    service_name = "cloudfront"
    title = "Amazon CloudFront"
    front_component = "CloudFront API"
    console_view = "awskit.cloudfront.view:CloudFrontConsole"
    is_global = True
    error_type = True

    def __init__(self, cloud):
        Service.__init__(self, cloud)
        self.distributions: dict[str, Distribution] = {}
        self.invalidations: dict[str, list] = {}          # distribution id -> [Invalidation]
        self.cache_policies: dict = {}                     # custom CachePolicy by id
        self.access_controls: dict = {}                    # OriginAccessControl by id
        self._init_edge()

    # -- pipeline hooks ---------------------------------------------------------------------
    def receive(self, req: Request) -> None:
        http = req.op.http
        path = re.sub(r"\{(\w+)\}", lambda m: str(req.params.get(m.group(1), "")),
                      http["requestUri"])
        line = f"{http['method']} {path}"
        req.trace.summary = line
        req.receive(f"Receive {line}", 1.0, method=http["method"], path=path)

    # -- helpers the mixins share ------------------------------------------------------------
    def authorize(self, req: Request, action: str, resource: str):
        return req.authorize(f"cloudfront:{action}", resource)

    def new_id(self, kind: str, prefix: str = "E", n: int = 13,
               alphabet: str = _ID) -> str:
        """A CloudFront-style id (``E2QWRUHAPOMQZL``: a letter and 13 of A-Z0-9)."""
        return prefix + "".join(self.cloud.ids.stream(f"cloudfront-{kind}").choices(alphabet,
                                                                                     k=n))

    def new_etag(self) -> str:
        return self.new_id("etag")

    @staticmethod
    def check_if_match(current: str, given: str | None) -> None:
        """``IfMatch`` must carry the resource's current ETag [BC cloudfront:UpdateDistribution]."""
        if not given:
            raise cf_error("InvalidIfMatchVersion", "The If-Match version is missing or not "
                                                    "valid for the resource.")
        if given != current:
            raise cf_error("PreconditionFailed", "The request failed because it didn't meet "
                           "the preconditions in one or more request-header fields.")

    @staticmethod
    def page(items: list, key, marker: str | None, max_items: str | None) -> tuple:
        """(page, next marker or None, max items) of ``items`` after ``marker``."""
        limit = 100
        if max_items is not None:
            if not str(max_items).isdigit() or int(max_items) < 1:
                raise invalid("The parameter MaxItems must be a positive integer.")
            limit = int(max_items)
        if marker:
            ids = [key(i) for i in items]
            start = ids.index(marker) + 1 if marker in ids else len(items)
            items = items[start:]
        chunk = items[:limit]
        more = len(items) > limit
        return chunk, (key(chunk[-1]) if more and chunk else None), limit

    @staticmethod
    def list_shape(marker: str | None, limit: int, next_marker: str | None,
                   items: list) -> dict:
        """A ``{Marker, NextMarker, MaxItems, IsTruncated, Quantity, Items}`` list."""
        out = {"Marker": marker or "", "MaxItems": limit, "IsTruncated": next_marker is not None,
               **block(items)}
        if next_marker:
            out["NextMarker"] = next_marker
        return out

    def own_distribution(self, req: Request, distribution_id: str, action: str) -> Distribution:
        """The caller's distribution ``distribution_id`` once IAM allows ``action`` on it."""
        self.authorize(req, action, distribution_arn(req.account, distribution_id))
        dist = self.distributions.get(distribution_id)
        if dist is None or dist.account != req.account:
            raise cf_error("NoSuchDistribution", "The specified distribution does not exist.")
        return dist

    # -- tags ---------------------------------------------------------------------------------
    def _tagged(self, req: Request, resource: str, action: str) -> Distribution:
        found = _ARN.fullmatch(resource or "")
        if found is None:
            raise invalid(f"The parameter Resource is not a valid CloudFront ARN: {resource}")
        self.authorize(req, action, resource)
        dist = self.distributions.get(found.group(2))
        if dist is None or dist.account != found.group(1) or dist.account != req.account:
            raise cf_error("NoSuchResource", "The specified resource does not exist.")
        return dist

    @staticmethod
    def check_tags(tags: list) -> dict:
        out = {}
        for tag in tags:
            key, value = tag["Key"], tag.get("Value", "")
            if not _TAG.fullmatch(key) or not _TAG.fullmatch(value) or \
                    key.lower().startswith("aws:"):
                raise cf_error("InvalidTagging", f"The tag {key!r} is not valid: keys and "
                               "values use letters, digits, spaces and _.:/=+-@, and the aws: "
                               "prefix is reserved.")
            out[key] = value
        return out

    @operation
    def tag_resource(self, req: Request, Resource: str, Tags: dict):
        dist = self._tagged(req, Resource, "TagResource")
        dist.tags.update(self.check_tags(Tags.get("Items", [])))
        req.step("CloudFront API", f"Tag {dist.id}: {len(dist.tags)} tag(s)", 1.0)
        req.status = 204
        return {}

    @operation
    def untag_resource(self, req: Request, Resource: str, TagKeys: dict):
        dist = self._tagged(req, Resource, "UntagResource")
        for key in TagKeys.get("Items", []):
            dist.tags.pop(key, None)
        req.step("CloudFront API", f"Untag {dist.id}: {len(dist.tags)} tag(s) left", 1.0)
        req.status = 204
        return {}

    @operation
    def list_tags_for_resource(self, req: Request, Resource: str):
        dist = self._tagged(req, Resource, "ListTagsForResource")
        items = [{"Key": k, "Value": v} for k, v in sorted(dist.tags.items())]
        return {"Tags": {"Items": items}}

    # -- state, graph ---------------------------------------------------------------------------
    def state(self) -> dict:
        from .persist import dump
        return dump(self)

    def load_state(self, data: dict) -> None:
        from .persist import load
        load(self, data)

    def add_to_graph(self, graph) -> None:
        from .persist import graph_cloudfront
        graph_cloudfront(self, graph)
