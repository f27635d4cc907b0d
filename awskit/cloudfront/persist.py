"""CloudFront's state as plain JSON data (``cloud.save``/``Cloud.load``) and its graph nodes.

Everything is saved: distributions, invalidations, custom cache policies, origin access
controls, the caches' contents (bodies base64), the simulated origin servers and the metrics.
Statuses derive from the clock, so nothing needs re-scheduling on load.

Graph: a distribution (``cloudfront-distribution``, global: no Region, owned by its account)
routes to each of its origins: the S3 bucket's node when the bucket exists, else a
``cloudfront-origin`` node for the domain (custom origins, or a bucket that does not exist).
"""

from __future__ import annotations

import base64

from .model import (
    CacheEntry,
    CachePolicy,
    Distribution,
    Invalidation,
    Metrics,
    OriginAccessControl,
)
from .origins import OriginServer


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def dump(cf) -> dict:
    cf._apply_invalidations(cf.cloud.clock.elapsed)
    servers = {}
    for domain, server in sorted(cf.origin_servers.items()):
        files = {}
        for path, value in server.items():
            body, headers, status = OriginServer.parts(value)
            raw = body.encode() if isinstance(body, str) else bytes(body)
            files[path] = [_b64(raw), isinstance(body, str), dict(headers), status]
        servers[domain] = {"region": server.region, "processing_ms": server.processing_ms,
                           "up": server.up, "requests": server.requests, "files": files}
    return {
        "distributions": [dict(d.__dict__) for d in cf.distributions.values()],
        "invalidations": [dict(i.__dict__) for batch in cf.invalidations.values()
                          for i in batch],
        "cache_policies": [dict(p.__dict__) for p in cf.cache_policies.values()],
        "access_controls": [dict(o.__dict__) for o in cf.access_controls.values()],
        "caches": {layer: [[list(key), e.status, _b64(e.body), e.headers, e.etag, e.fetched,
                            e.expires, e.available] for key, e in entries.items()]
                   for layer, entries in sorted(cf.caches.items())},
        "origin_servers": servers,
        "counters": {k: dict(m.__dict__) for k, m in sorted(cf.counters.items())},
        "invalidation_paths": dict(cf.invalidation_paths),
    }


def load(cf, data: dict) -> None:
    cf.__init__(cf.cloud)
    for d in data["distributions"]:
        cf.distributions[d["id"]] = Distribution(**d)
    for i in data["invalidations"]:
        cf.invalidations.setdefault(i["distribution_id"], []).append(Invalidation(**i))
    for p in data["cache_policies"]:
        cf.cache_policies[p["id"]] = CachePolicy(**p)
    for o in data["access_controls"]:
        cf.access_controls[o["id"]] = OriginAccessControl(**o)
    for layer, rows in data["caches"].items():
        cf.caches[layer] = {tuple(key): CacheEntry(status, base64.b64decode(body), headers,
                                                   etag, fetched, expires, available)
                            for key, status, body, headers, etag, fetched, expires, available
                            in rows}
    for domain, saved in data["origin_servers"].items():
        server = OriginServer(domain, saved["region"], saved["processing_ms"])
        server.up, server.requests = saved["up"], saved["requests"]
        for path, (body, text, headers, status) in saved["files"].items():
            raw = base64.b64decode(body)
            server[path] = (raw.decode() if text else raw, headers, status)
        cf.origin_servers[domain] = server
    cf.counters = {k: Metrics(**v) for k, v in data["counters"].items()}
    cf.invalidation_paths = dict(data["invalidation_paths"])


def graph_cloudfront(cf, graph) -> None:
    from .config import s3_bucket_of
    now = cf.cloud.clock.elapsed
    for dist_id in sorted(cf.distributions):
        dist = cf.distributions[dist_id]
        graph.add_node(dist.arn, type="cloudfront-distribution", name=dist.domain,
                       region="", account=dist.account, id=dist.id,
                       status=dist.status(now), enabled=dist.enabled,
                       aliases=list(dist.aliases()))
        graph.add_edge(f"arn:aws:iam::{dist.account}:root", dist.arn, relation="owns")
        for origin in dist.origins():
            bucket = s3_bucket_of(origin["DomainName"])
            if bucket is not None and "s3" in cf.cloud._services and \
                    bucket in cf.cloud.s3.buckets:
                target = f"arn:aws:s3:::{bucket}"
            else:
                target = f"awskit:cloudfront:origin/{origin['DomainName'].lower()}"
                server = cf.origin_servers.get(origin["DomainName"].lower())
                graph.add_node(target, type="cloudfront-origin", name=origin["DomainName"],
                               region=server.region if server else "",
                               resolves=server is not None)
            graph.add_edge(dist.arn, target, relation="routes-to", origin_id=origin["Id"],
                           shield=origin["OriginShield"].get("OriginShieldRegion", ""))
