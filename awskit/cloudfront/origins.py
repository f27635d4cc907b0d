"""Origins: where CloudFront fetches what its caches lack.

**S3 origins** (``<bucket>.s3.amazonaws.com`` / ``<bucket>.s3.<region>.amazonaws.com``) are
read from ``cloud.s3``'s model, as S3 answers a ``GET /<OriginPath><path>``:

- who asks: with an origin access control that signs, the service principal
  ``cloudfront.amazonaws.com`` with ``aws:SourceArn`` = the distribution's ARN and
  ``aws:SourceAccount`` (evaluated against the bucket policy, as S3 does); without, an
  anonymous caller (the bucket policy must be public and Block Public Access off);
- what S3 answers: 200 with the object's stored headers (``Cache-Control``, ``Expires``,
  ``ETag``, ...); ``NoSuchBucket`` (404) when the bucket does not exist; ``NoSuchKey`` (404)
  when the key is missing and the caller may list the bucket, else ``AccessDenied`` (403);
  ``InvalidObjectState`` (403) for an archived object [facts: S3]. CloudFront passes these to
  the viewer.

Each GET is billed by S3 to the bucket's owner (data transfer from S3 to CloudFront is free);
the metadata DB and the data store steps appear inside the trace's "Origin" step.

**Custom origins** are simulated web servers the student fills::

    server = cloud.cloudfront.origin_server("www.example.com", region="eu-west-1")
    server["/index.html"] = ("<h1>hi</h1>", {"Cache-Control": "max-age=60",
                                             "Content-Type": "text/html"})
    server["/logo.png"] = b"..."                      # a body alone: no caching headers
    server["/gone"] = ("", {}, 410)                   # (body, headers, status)
    server.up = False                                 # stops answering (504 after timeouts)

A path the server lacks answers 404. A domain with no server cannot be resolved: CloudFront
answers 502 ("CloudFront wasn't able to connect to the origin"). A server that is down costs
``ConnectionAttempts × ConnectionTimeout`` seconds before CloudFront gives up with 504
[BC cloudfront:Origin.ConnectionAttempts, ConnectionTimeout]. Each server answers in
``processing_ms`` (20 ms unless set) plus the network legs of the latency model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..botocore_support import http_date
from . import geo
from .config import s3_bucket_of

S3_PROCESSING_MS = 1.0             # the S3 front end's own step (awskit's value)
#: an address from CloudFront's origin-facing range (illustrative: CloudFront publishes its
#: ranges in ip-ranges.json; awskit uses one address for every edge)
ORIGIN_FACING_IP = "130.176.0.10"
_HEADER_NAMES = {"ContentType": "Content-Type", "ContentLength": "Content-Length",
                 "ETag": "ETag", "CacheControl": "Cache-Control",
                 "ContentEncoding": "Content-Encoding", "ContentLanguage": "Content-Language",
                 "ContentDisposition": "Content-Disposition", "VersionId": "x-amz-version-id"}


class OriginServer(dict):
    """A simulated web server: path -> body, (body, headers) or (body, headers, status)."""

    def __init__(self, domain: str, region: str, processing_ms: float = 20.0):
        super().__init__()
        self.domain = domain
        self.region = region
        self.processing_ms = processing_ms
        self.up = True
        self.requests = 0

    @property
    def place(self) -> geo.Place:
        return geo.REGION_PLACES[self.region]

    @staticmethod
    def parts(value) -> tuple:
        """(body, headers, status) of a stored value."""
        if isinstance(value, tuple):
            return (value[0], value[1] if len(value) > 1 else {},
                    value[2] if len(value) > 2 else 200)
        return value, {}, 200

    def answer(self, path: str) -> tuple[int, bytes, dict]:
        """(status, body, headers) for a GET of ``path`` (``/p?q``: ``/p?q`` if stored, else
        ``/p``)."""
        if path not in self:
            path = path.split("?", 1)[0]            # the query string reaches the server
        if path not in self:
            return 404, b"Not Found", {"Content-Type": "text/plain"}
        body, headers, status = self.parts(self[path])
        data = body.encode() if isinstance(body, str) else bytes(body)
        out = {str(k): str(v) for k, v in (headers or {}).items()}
        out.setdefault("ETag", f'"{hashlib.md5(data).hexdigest()}"')
        out["Content-Length"] = str(len(data))
        return int(status), data, out

    def __repr__(self) -> str:
        state = "up" if self.up else "down"
        return f"<origin server {self.domain} ({self.region}, {state}): {len(self)} path(s)>"


@dataclass
class OriginResponse:
    status: int
    body: bytes
    headers: dict
    ms: float                              # time spent at the origin (network legs excluded)
    substeps: list = field(default_factory=list)
    note: str = ""

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")


def origin_place(cf, origin: dict) -> geo.Place:
    """Where an origin is: its bucket's Region, its server's Region, else the default Region."""
    cloud = cf.cloud
    bucket = s3_bucket_of(origin["DomainName"])
    if bucket is not None:
        found = cloud.s3.buckets.get(bucket)
        if found is not None:
            return geo.REGION_PLACES[found.region]
    server = cf.origin_servers.get(origin["DomainName"].lower())
    return geo.REGION_PLACES[server.region if server else cloud.default_region]


def _error(status: int, code: str, message: str, ms: float, subs: list, note: str):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{message}</Message></Error>").encode()
    return OriginResponse(status, body, {"Content-Type": "application/xml",
                                         "Content-Length": str(len(body))}, ms, subs, note)


def fetch_s3(cf, dist, origin: dict, key: str, viewer_headers: dict) -> OriginResponse:
    """S3's answer to CloudFront's GET of ``key`` (see the module docstring)."""
    from ..iam.model import ANONYMOUS, iso
    from ..s3.model import DM, OID, SCLASS
    cloud = cf.cloud
    s3 = cloud.s3
    name = s3_bucket_of(origin["DomainName"])
    subs = [("Amazon S3", f"GET /{key} (bucket {name})", S3_PROCESSING_MS, {"key": key})]
    bucket = s3.buckets.get(name)
    if bucket is None:
        return _error(404, "NoSuchBucket", "The specified bucket does not exist", 1.0, subs,
                      f"bucket {name} does not exist")
    oac = cf.access_controls.get(origin.get("OriginAccessControlId") or "")
    behaviour = oac.config["SigningBehavior"] if oac else "never"
    signed = behaviour == "always" or (behaviour == "no-override" and not any(
        k.lower() == "authorization" for k in viewer_headers))
    resource = f"{bucket.arn}/{key}"

    def allowed(action: str, arn: str):
        if not signed:
            context = cloud.iam.principal_context(ANONYMOUS, region=bucket.region,
                                                  source_ip=ORIGIN_FACING_IP)
            return cloud.iam.authorize(ANONYMOUS, action, arn, context,
                                       resource_policy=s3.effective_bucket_policy(ANONYMOUS,
                                                                                  bucket),
                                       resource_account=bucket.owner)
        from ..iam.evaluation import AuthzRequest, PolicySource, evaluate
        # service principals keep the grants RestrictPublicBuckets leaves the owner's callers
        policy = s3.effective_bucket_policy(_OwnerSide(bucket.owner), bucket)
        now = cloud.clock.elapsed
        request = AuthzRequest(action=action, resource=arn, principal_arn=_CLOUDFRONT,
                               service_principal=_CLOUDFRONT, resource_account=bucket.owner,
                               context={"aws:SourceArn": dist.arn,
                                        "aws:SourceAccount": dist.account,
                                        "aws:SecureTransport": "true",
                                        "aws:SourceIp": ORIGIN_FACING_IP,
                                        "aws:CurrentTime": iso(now),
                                        "aws:EpochTime": str(int(cloud.clock.timestamp))})
        sources = [PolicySource(policy, f"{bucket.arn} (bucket policy)", "resource",
                                "resource")] if policy is not None else []
        return evaluate(request, (), sources)

    who = f"{_CLOUDFRONT} (OAC {oac.id}, aws:SourceArn {dist.arn})" if signed else \
        "an anonymous caller (no origin access control)"
    decision = allowed("s3:GetObject", resource)
    verdict = "allowed" if decision.allowed else "denied"
    subs.append(("IAM", f"Authorize s3:GetObject on {resource} for {who}: {verdict}", 2.0,
                 {"decision": decision.decision}))
    _bill(cloud, bucket.owner)
    if not decision.allowed:
        return _error(403, "AccessDenied", "Access Denied", 3.0, subs,
                      f"S3 denied s3:GetObject to {who}")
    row = s3.current(bucket, key)
    found = "not found" if row is None or row[DM] else f"object_id {row[OID]}"
    subs.append(("Metadata DB", f"Look up {name}/{key}: {found}", 1.0, {}))
    if row is None or row[DM]:
        if allowed("s3:ListBucket", bucket.arn).allowed:
            return _error(404, "NoSuchKey", "The specified key does not exist.", 4.0, subs,
                          f"no key {key}")
        return _error(403, "AccessDenied", "Access Denied", 4.0, subs,
                      f"no key {key}, and no s3:ListBucket permission to say so")
    if row[SCLASS] in ("GLACIER", "DEEP_ARCHIVE") and not s3.is_restored(row):
        return _error(403, "InvalidObjectState", "The operation is not valid for the object's "
                      "storage class", 4.0, subs, f"{key} is archived in {row[SCLASS]}")
    from ..s3.datastore import DataUnavailable
    try:
        data, store_subs = s3.store_for(bucket.region).get(row[OID])
    except DataUnavailable:
        return _error(500, "InternalError", "We encountered an internal error. Please try "
                      "again.", 4.0, subs, "no healthy copy in the data store")
    subs.extend(store_subs)
    headers = _http_headers(s3.object_headers(bucket, row))
    return OriginResponse(200, data, headers, sum(s[2] for s in subs), subs,
                          f"{len(data):,} bytes from s3://{name}/{key}")


_CLOUDFRONT = "cloudfront.amazonaws.com"


class _OwnerSide:
    """Stands for a caller of the bucket owner's account in ``effective_bucket_policy``."""

    def __init__(self, account: str):
        self.account = account


def _bill(cloud, owner: str) -> None:
    cloud.meter.count_request("s3", "GetObject", owner, None)
    cloud.s3.pricing.request(owner, "GetObject", False)


def _http_headers(fields: dict) -> dict:
    out = {}
    for name, value in fields.items():
        if name in _HEADER_NAMES:
            out[_HEADER_NAMES[name]] = str(value)
        elif name == "LastModified":
            out["Last-Modified"] = http_date(value)
        elif name == "Expires":
            out["Expires"] = http_date(value)
        elif name == "Metadata":
            out.update({f"x-amz-meta-{k}": str(v) for k, v in value.items()})
    return out


def fetch_custom(cf, origin: dict, path: str) -> OriginResponse:
    """A custom origin's answer (see the module docstring)."""
    domain = origin["DomainName"].lower()
    server = cf.origin_servers.get(domain)
    if server is None:
        body = b"CloudFront wasn't able to connect to the origin."
        return OriginResponse(502, body, {"Content-Type": "text/html",
                                          "Content-Length": str(len(body))}, 1.0,
                              [("Origin", f"Resolve {domain}: no such host", 1.0, {})],
                              f"{domain} does not resolve")
    if not server.up:
        attempts, timeout = origin["ConnectionAttempts"], origin["ConnectionTimeout"]
        wait = attempts * timeout * 1000.0
        body = b"CloudFront attempted to establish a connection with the origin, but it timed out."
        return OriginResponse(504, body, {"Content-Type": "text/html",
                                          "Content-Length": str(len(body))}, wait,
                              [("Origin", (f"Connect to {domain}: {attempts} attempt(s) of "
                                           f"{timeout} s time out"), wait, {})],
                              f"{domain} is down")
    server.requests += 1
    status, data, headers = server.answer(path)
    headers.setdefault("Date", http_date(cf.cloud.clock.now))
    return OriginResponse(status, data, headers, server.processing_ms,
                          [("Origin", f"{server.domain} answers GET {path}: {status}",
                            server.processing_ms, {"status": status})],
                          f"{status} from {server.domain}")
