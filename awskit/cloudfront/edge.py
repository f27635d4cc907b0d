"""The data plane: a viewer's request walks edge location → regional edge cache → (Origin
Shield) → origin, and back.

``cloud.cloudfront.request("https://d111111abcdef8.cloudfront.net/logo.png", from_city="Paris")``
returns a :class:`~.response.Response` and leaves a trace (``response.trace``, also in
``cloud.traces``) whose components are "CloudFront edge location", "Regional edge cache",
"Origin Shield" and "Origin". How a request goes [CFDG HowCloudFrontWorks.md, origin-shield.md]:

1. DNS sends the viewer to the nearest edge location of the distribution's price class
   (``geo.py``); the edge checks the viewer's country (geo restriction: 403), the protocol
   (``redirect-to-https``: 301; ``https-only``: 403) and the method [BC
   cloudfront:ViewerProtocolPolicy, GeoRestriction]; a disabled distribution answers 403
   (awskit's reading: AWS says only that it stops accepting requests);
2. the cache behaviour for the path (first matching pattern, else the default) gives the cache
   key and TTLs (``caching.py``);
3. each cache layer looks the key up: a fresh copy is served from there (``Age`` = seconds
   since it left the origin); an expired copy with an ``ETag`` is revalidated upstream (unchanged:
   ``RefreshHit``); a copy still on its way (another request is fetching it) is waited for: the
   requests collapse into one fetch; otherwise the request goes on up. Layers: the edge, the
   edge's regional edge cache, and the origin's Origin Shield when enabled (when the Shield is
   in the REC's own Region the two are one layer, awskit's reading). Responses the behaviour
   cannot cache (TTL 0) are "dynamic": they go from the edge straight to the origin;
4. the origin answers (``origins.py``); each layer on the way back stores the response for its
   TTL, and the edge returns it to the viewer.

Latency: the network legs of ``geo.py``'s model, 0.2 ms per cache lookup, the origin's own
time, and the transfer to the viewer. Invalidations take effect when they complete (every copy
stored before then is dropped). Simplified: caches never evict early (on AWS, rarely requested
objects may be evicted before they expire); the newest configuration applies at once; stale
copies are not served when the origin fails; nothing is compressed.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import unquote, urlsplit

from ..trace import Step, Trace
from . import geo
from .caching import (
    behaviour_for,
    cache_key,
    origin_query,
    settings_from_legacy,
    settings_from_policy,
    ttl,
)
from .config import s3_bucket_of
from .invalidations import path_matches
from .model import CacheEntry, Metrics
from .origins import OriginServer, fetch_custom, fetch_s3, origin_place
from .response import Headers, Response, cloudfront_error

LOOKUP_MS = 0.2
EDGE, REC, SHIELD, ORIGIN = ("CloudFront edge location", "Regional edge cache",
                             "Origin Shield", "Origin")


class EdgeNetwork:
    """Mixed into :class:`~.api.CloudFront`: caches, origin servers, metrics, ``request``."""

    def _init_edge(self) -> None:
        self.caches: dict[str, dict[tuple, CacheEntry]] = {}     # layer id -> key -> entry
        self.origin_servers: dict[str, OriginServer] = {}
        self.counters: dict[str, Metrics] = {}
        self.invalidation_paths: dict[str, int] = {}             # "account month" -> paths
        self._edges: dict[tuple, geo.Place] = {}

    # -- what a student touches ---------------------------------------------------------------
    def origin_server(self, domain: str, region: str | None = None,
                      processing_ms: float | None = None) -> OriginServer:
        """The simulated web server answering for ``domain`` (created on first use, in
        ``region``, default the cloud's); fill it like a dict: path -> body or (body, headers)."""
        key = domain.lower()
        server = self.origin_servers.get(key)
        if server is None:
            region = region or self.cloud.default_region
            if region not in geo.REGION_PLACES:
                raise ValueError(f"unknown Region {region!r}")
            server = self.origin_servers[key] = OriginServer(key, region)
        if processing_ms is not None:
            server.processing_ms = float(processing_ms)
        return server

    def drop_cached(self, distribution_id: str) -> None:
        for entries in self.caches.values():
            for key in [k for k in entries if k[0] == distribution_id]:
                del entries[key]

    def count_invalidation_paths(self, dist, paths: int) -> None:
        month = self.cloud.clock.now.strftime("%Y-%m")
        key = f"{dist.account} {month}"
        self.invalidation_paths[key] = self.invalidation_paths.get(key, 0) + paths

    # -- the request ---------------------------------------------------------------------------
    def request(self, url: str, from_city=None, headers: dict | None = None,
                method: str = "GET") -> Response:
        """A viewer in ``from_city`` (a city name, edge or Region code, or ``(lat, lon)``;
        default: the cloud's default Region) asks for ``url``; see the module docstring."""
        cloud = self.cloud
        with cloud.lock:
            if cloud.clock._queue:
                cloud.clock.run_due()
            t0 = cloud.clock.elapsed
            response, end = self.serve(url, from_city, headers or {}, method, t0, record=True)
            cloud.clock.elapsed = max(cloud.clock.elapsed, end)
            cloud.traces.append(response.trace)
            cloud.notify(response.trace)
        return response

    def find_distribution(self, host: str):
        host = host.lower()
        for dist in self.distributions.values():
            if dist.domain == host or host in (a.lower() for a in dist.aliases()):
                return dist
        raise ValueError(f"no CloudFront distribution answers for {host!r} (a distribution's "
                         "domain name or one of its alternate domain names)")

    def serve(self, url: str, from_city, headers: dict, method: str, t0: float,
              record: bool) -> tuple[Response, float]:
        """Serve one request starting at ``t0`` (clock seconds); returns (response, end time)."""
        if method not in ("GET", "HEAD"):
            raise ValueError("awskit's CloudFront data plane simulates GET and HEAD requests")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {url!r}")
        dist = self.find_distribution(parts.hostname or "")
        viewer = geo.city(from_city if from_city is not None else self.cloud.default_region)
        self._apply_invalidations(t0)
        edge = self._edge_for(viewer, dist.config["PriceClass"])
        trace = None
        if record:
            trace = Trace(self._cf_id(), "cloudfront", method, t0, "viewer", "")
            trace.account, trace.summary = dist.account, f"{method} {url} from {viewer.name}"
        leg = round(geo.one_way_ms(viewer, edge) + geo.LAST_MILE_MS, 3)
        _step(trace, EDGE, f"Request {method} {parts.path or '/'} from a viewer in {viewer.name} "
              f"reaches edge location {edge.code} ({edge.name}, "
              f"{geo.distance_km(viewer, edge):,.0f} km away)", t0, leg, edge=edge.code)
        t = t0 + leg / 1000
        path = parts.path or "/"
        if path == "/" and dist.config["DefaultRootObject"]:
            path = "/" + dist.config["DefaultRootObject"]
        behaviour = behaviour_for(dist.config, path)
        refusal = self._refuse(dist, behaviour, viewer, parts, method)
        if refusal is not None:
            status, reason, extra = refusal
            body = cloudfront_error(status, reason)
            _step(trace, EDGE, f"Refuse: {reason}", t, LOOKUP_MS, status=status)
            t += LOOKUP_MS / 1000
            return self._respond(dist, url, viewer, edge, t0, t, trace, status, body,
                                 {"Content-Type": "text/html", **extra},
                                 "Redirect" if status == 301 else "Error", EDGE, False, False,
                                 method)
        got = self._through_caches(dist, behaviour, path, parts.query, headers, edge, t, trace)
        status, body, resp_headers, t, served_by, outcome, fetched, from_origin = got
        pages = {e["ErrorCode"]: e for e in dist.config["CustomErrorResponses"].get("Items", [])}
        page = pages.get(status)
        if page and page["ResponsePagePath"]:
            where = page["ResponsePagePath"]
            _step(trace, EDGE, f"Custom error response for {status}: fetch {where}, answer "
                  f"with status {page['ResponseCode']}", t, 0.0)
            inner = self._through_caches(dist, behaviour_for(dist.config, where), where, "",
                                         headers, edge, t, trace)
            status, body, t = int(page["ResponseCode"]), inner[1], inner[3]
            resp_headers = {k: v for k, v in inner[2].items() if k in
                            ("Content-Type", "ETag", "Last-Modified")}
        if fetched is not None and not from_origin:
            resp_headers["Age"] = str(max(0, int(t - fetched)))
        cache = "Error" if status >= 400 else ("Miss" if outcome == "Collapsed" else outcome)
        return self._respond(dist, url, viewer, edge, t0, t, trace, status, body, resp_headers,
                             cache, served_by, from_origin, outcome == "Collapsed", method)

    def _through_caches(self, dist, behaviour, path, query, headers, edge, t, trace):
        settings = self._settings(behaviour, dist.account)
        key = cache_key(dist.id, path, query, headers, settings)
        origin = dist.origin(behaviour["TargetOriginId"])
        layers = self._layers(edge, origin, settings)
        return self._walk(dist, origin, layers, key, path, query, settings, headers, edge, t,
                          trace)

    # -- steps of the walk ---------------------------------------------------------------------
    def _refuse(self, dist, behaviour, viewer, parts, method):
        config = dist.config
        if not dist.enabled:
            return 403, "The distribution is disabled.", {}
        geo_rule = config["Restrictions"]["GeoRestriction"]
        listed = geo_rule.get("Items", [])
        kind = geo_rule["RestrictionType"]
        if (kind == "whitelist" and viewer.country not in listed) or \
                (kind == "blacklist" and viewer.country in listed):
            return 403, (f"The Amazon CloudFront distribution is configured to block access "
                         f"from your country ({viewer.country or 'unknown'})."), {}
        policy = behaviour["ViewerProtocolPolicy"]
        if parts.scheme == "http" and policy == "redirect-to-https":
            return 301, "HTTPS is required.", {"Location": "https" + parts.geturl()[4:]}
        if parts.scheme == "http" and policy == "https-only":
            return 403, "This distribution only accepts HTTPS.", {}
        if method not in behaviour["AllowedMethods"]["Items"]:
            return 403, f"This distribution is not configured to allow {method}.", {}
        return None

    def _settings(self, behaviour: dict, account: str):
        if "CachePolicyId" in behaviour:
            return settings_from_policy(self.cache_policy(behaviour["CachePolicyId"],
                                                          account).config)
        return settings_from_legacy(behaviour)

    def _edge_for(self, viewer: geo.Place, price_class: str) -> geo.Place:
        key = (viewer.lat, viewer.lon, price_class)
        edge = self._edges.get(key)
        if edge is None:
            edge = self._edges[key] = geo.nearest_edge(viewer, price_class)
        return edge

    def _layers(self, edge: geo.Place, origin: dict, settings) -> list:
        """(component, layer id, place, label) of each cache a cacheable request tries."""
        if not settings.caches:
            return []
        layers = [(EDGE, f"edge:{edge.code}", edge, f"{edge.code} ({edge.name})")]
        rec = geo.rec_for(edge)
        shield = origin["OriginShield"].get("OriginShieldRegion") \
            if origin["OriginShield"]["Enabled"] else None
        if shield != rec:
            here = geo.REGION_PLACES[rec]
            layers.append((REC, f"rec:{rec}", here, f"{rec} ({here.name})"))
        if shield:
            here = geo.REGION_PLACES[shield]
            layers.append((SHIELD, f"shield:{shield}", here, f"{shield} ({here.name})"))
        return layers

    def _walk(self, dist, origin, layers, key, path, query, settings, headers, edge, t, trace):
        """Up the cache layers to whoever has the object, then back down storing it."""
        stale: dict[int, CacheEntry] = {}
        found, level, outcome = None, len(layers), "Miss"
        place = edge
        for i, (component, lid, here, label) in enumerate(layers):
            hop = geo.one_way_ms(place, here) if i else 0.0
            start, t = t, t + (hop + LOOKUP_MS) / 1000
            entry = self.caches.get(lid, {}).get(key)
            if entry is not None and entry.available > t:
                _step(trace, component, f"{label}: another request is already fetching this "
                      "object; wait for it (requests collapsed)", start,
                      (entry.available - start) * 1000)
                t, found, level, outcome = entry.available, entry, i, "Collapsed"
                break
            if entry is not None and entry.fresh(t):
                _step(trace, component, f"{label}: cache hit ({_age(entry, t)} s old, expires "
                      f"in {entry.expires - t:,.0f} s)", start, hop + LOOKUP_MS)
                found, level, outcome = entry, i, "Hit" if i == 0 else "Miss"
                break
            if entry is not None and entry.etag and entry.status < 400:
                stale[i] = entry
            what = "expired copy: revalidate upstream" if i in stale else "miss"
            _step(trace, component, f"{label}: {what}", start, hop + LOOKUP_MS)
            place = here
        from_origin = found is None
        if from_origin:
            where = origin_place(self, origin)
            hop = geo.one_way_ms(place, where)
            answer = self._fetch(dist, origin, path, query, settings, headers)
            top = stale.get(len(layers) - 1)
            revalidated = top is not None and answer.status == 200 and answer.etag == top.etag
            subs = [s for s in answer.substeps if not (revalidated and s[0].startswith("Data "))]
            spent = hop + sum(s[2] for s in subs)
            if trace is not None:
                note = f"If-None-Match {top.etag}: 304 Not Modified" if revalidated else \
                    answer.note
                km = geo.distance_km(place, where)
                crossing = f"The request crosses {km:,.0f} km to the origin"
                subs.insert(0, (ORIGIN, crossing, hop, {}))
                trace.steps.append(Step(ORIGIN, f"{origin['DomainName']}: {note}",
                                        {"status": answer.status}, t, round(spent, 3), subs))
            t += spent / 1000
            counters = self._counter(dist.id)
            counters.origin_requests += 1
            counters.bytes_from_origin += 0 if revalidated else len(answer.body)
            epoch = self.cloud.clock.timestamp - self.cloud.clock.elapsed
            seconds = ttl(answer.status, answer.headers, settings, epoch + t,
                          self._error_ttl(dist, answer.status))
            found = CacheEntry(answer.status, answer.body, dict(answer.headers), answer.etag,
                               t, t + seconds, t)
            place = where
        for j in range(level - 1, -1, -1):
            component, lid, here, label = layers[j]
            hop = geo.one_way_ms(place, here)
            start, t = t, t + hop / 1000
            refreshed = j in stale and stale[j].etag == found.etag
            if found.expires > found.fetched:
                self.caches.setdefault(lid, {})[key] = CacheEntry(
                    found.status, found.body, found.headers, found.etag, found.fetched,
                    found.expires, t)
                what = ("revalidated: unchanged (304), TTL renewed" if refreshed else
                        f"store for {found.expires - found.fetched:,.0f} s")
            else:
                what = "not cacheable: not stored"
            _step(trace, component, f"{label}: {what}", start, hop)
            if j == 0 and refreshed and outcome == "Miss":
                outcome = "RefreshHit"
            place = here
        served_by = ORIGIN if from_origin else layers[level][0]
        if not layers:
            hop = geo.one_way_ms(place, edge)
            _step(trace, EDGE, f"{edge.code}: not cacheable (dynamic): the response passes "
                  "through", t, hop)
            t += hop / 1000
        fetched = None if from_origin else found.fetched
        return (found.status, found.body, dict(found.headers), t, served_by, outcome, fetched,
                from_origin)

    def _fetch(self, dist, origin, path, query, settings, headers):
        target = (origin["OriginPath"] or "") + path
        if s3_bucket_of(origin["DomainName"]) is not None:
            return fetch_s3(self, dist, origin, unquote(target.lstrip("/")), headers)
        forwarded = origin_query(query, settings)
        return fetch_custom(self, origin, target + (f"?{forwarded}" if forwarded else ""))

    def _error_ttl(self, dist, status: int):
        for item in dist.config["CustomErrorResponses"].get("Items", []):
            if item["ErrorCode"] == status:
                return item["ErrorCachingMinTTL"]
        return None

    def _respond(self, dist, url, viewer, edge, t0, t, trace, status, body, headers, cache,
                 served_by, from_origin, collapsed, method):
        back = round(geo.one_way_ms(edge, viewer) + geo.LAST_MILE_MS
                     + geo.transfer_ms(len(body) if method == "GET" else 0), 3)
        _step(trace, EDGE, f"Return {status} ({cache}) to the viewer in {viewer.name}: "
              f"{len(body):,} bytes", t, back, status=status, x_cache=cache)
        end = t + back / 1000
        cf_id = trace.request_id if trace is not None else self._cf_id()
        out = Headers(headers)
        out["Content-Length"] = str(len(body))
        out.update({"X-Cache": f"{cache} from cloudfront",
                    "Via": f"1.1 {hashlib.sha1(edge.code.encode()).hexdigest()}"
                           ".cloudfront.net (CloudFront)",
                    "X-Amz-Cf-Pop": edge.pop_id(), "X-Amz-Cf-Id": cf_id})
        latency = round((end - t0) * 1000, 3)
        counters = self._counter(dist.id)
        counters.requests += 1
        attr = "collapsed" if collapsed else {"Hit": "hits", "RefreshHit": "refresh_hits",
                                              "Miss": "misses", "Error": "errors"}.get(cache)
        if attr:
            setattr(counters, attr, getattr(counters, attr) + 1)
        counters.bytes_out += len(body) if method == "GET" else 0
        if trace is not None:
            trace.status = status
            trace.summary += f": {status} {cache} via {edge.code} in {latency:g} ms"
        response = Response(status, out, body if method == "GET" else b"", url, dist.id,
                            edge.code, edge.name, cache, served_by, latency, from_origin,
                            collapsed, trace)
        return response, end

    def _counter(self, distribution_id: str) -> Metrics:
        found = self.counters.get(distribution_id)
        if found is None:
            found = self.counters[distribution_id] = Metrics()
        return found

    def _cf_id(self) -> str:
        raw = self.cloud.ids.stream("cloudfront-request").getrandbits(320).to_bytes(40, "big")
        return base64.b64encode(raw).decode()

    def _apply_invalidations(self, t: float) -> None:
        """Drop what invalidations completed by ``t`` cover (copies stored before completion)."""
        for dist_id, batch in self.invalidations.items():
            for inv in batch:
                if inv.applied or inv.completes > t:
                    continue
                inv.applied = True
                for entries in self.caches.values():
                    for key in [k for k, e in entries.items() if k[0] == dist_id
                                and e.available <= inv.completes
                                and any(path_matches(p, k[1]) for p in inv.paths)]:
                        del entries[key]


def _age(entry: CacheEntry, t: float) -> int:
    return max(0, int(t - entry.fetched))


def _step(trace, component: str, action: str, t: float, ms: float, **detail) -> None:
    if trace is not None:
        trace.steps.append(Step(component, action, detail, t, round(ms, 3)))
