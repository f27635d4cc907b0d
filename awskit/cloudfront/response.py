"""What a viewer gets back from CloudFront: :class:`Response` (status, headers, body) and what
awskit knows about how it was served (edge location, cache result, latency, trace).

Headers CloudFront adds: ``X-Cache`` (``Hit from cloudfront``, ``RefreshHit``, ``Miss``,
``Error``, ``Redirect``: the edge location's result, the result types its logs' field
``x-edge-result-type`` names [CFDG standard-logs-reference.md]), ``Age`` (seconds since the
object left the origin, when a cache served it), ``Via`` (``1.1 <id>.cloudfront.net
(CloudFront)``), ``X-Amz-Cf-Pop`` (the PoP: its airport code and a number, e.g. ``FRA56-C1``)
and ``X-Amz-Cf-Id`` (the request's id). A request that waited for another's fetch (collapsed)
shows ``Miss`` (awskit's reading); ``response.collapsed`` tells it apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Headers(dict):
    """HTTP headers: canonical names kept, looked up in any case."""

    def _find(self, name: str):
        lower = name.lower()
        return next((k for k in dict.keys(self) if k.lower() == lower), None)

    def __getitem__(self, name: str):
        key = self._find(name)
        if key is None:
            raise KeyError(name)
        return dict.__getitem__(self, key)

    def get(self, name: str, default=None):
        key = self._find(name)
        return default if key is None else dict.__getitem__(self, key)

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and self._find(name) is not None


@dataclass
class Response:
    """A viewer's response (``status``, ``headers``, ``body``) and how CloudFront produced it."""

    status: int
    headers: Headers
    body: bytes
    url: str
    distribution_id: str
    edge: str                       # edge location code (IATA), e.g. "FRA"
    edge_city: str
    cache: str                      # Hit | RefreshHit | Miss | Error
    served_by: str                  # the component the object came from
    latency_ms: float
    origin_request: bool            # did this request reach the origin?
    collapsed: bool = False         # waited for another request's fetch of the object
    trace: object = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def x_cache(self) -> str:
        return self.headers.get("X-Cache", "")

    @property
    def age(self) -> int | None:
        value = self.headers.get("Age")
        return None if value is None else int(value)

    def __repr__(self) -> str:
        return (f"<CloudFront response {self.status} {self.cache} from {self.edge} "
                f"({self.edge_city}), served by {self.served_by}, {self.latency_ms:g} ms>")


def cloudfront_error(status: int, reason: str) -> bytes:
    """The HTML page CloudFront itself answers with (``X-Cache: Error from cloudfront``)."""
    titles = {301: "301 Moved Permanently", 403: "403 ERROR", 502: "502 ERROR",
              504: "504 ERROR"}
    return (f"<HTML><HEAD><TITLE>{titles.get(status, status)}</TITLE></HEAD><BODY>"
            f"<H1>{titles.get(status, status)}</H1><H2>The request could not be satisfied."
            f"</H2>{reason}</BODY></HTML>").encode()
