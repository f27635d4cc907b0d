"""A day of viewers: replay requests through the edge network and measure the caches.

``cloud.cloudfront.replay(distribution_id, requests)`` serves each request at its time (seconds
after the call; the clock advances to it, so TTLs run out and invalidations complete on the
way) and returns a pandas DataFrame with one row per request. Requests overlap in time: one
still fetching an object makes later requests for it wait instead of fetching it again
(request collapsing, at each cache layer and, with Origin Shield, once for all regional edge
caches) [CFDG origin-shield.md, RequestAndResponseBehaviorCustomOrigin.md "simultaneous
requests"]. No trace is kept per replayed request (there may be millions); the distribution's
``metrics()`` count them.

``simulate_day(distribution_id, paths, ...)`` draws a day of such requests: arrivals spread
uniformly over 24 hours (a Poisson process), paths by a Zipf popularity (the i-th path is asked
with weight 1/i^s, the usual model of web object popularity), viewers from the given cities.
The draw is seeded from the cloud's seed, so the same cloud gives the same day.

Measures (``DataFrame.attrs["metrics"]``, and ``metrics()``): the hit ratio (requests the edge
location served from its cache, RefreshHits included) and the origin offload (1 - origin
requests / requests; by bytes, ``byte_offload``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from . import geo
from .model import Metrics

COLUMNS = ["time_s", "city", "edge", "path", "status", "x_cache", "served_by", "latency_ms",
           "bytes", "origin_request", "collapsed"]
DEFAULT_CITIES = ("New York", "Los Angeles", "London", "Frankfurt", "Tokyo", "Mumbai",
                  "Sao Paulo", "Sydney")


class TrafficMethods:
    """Mixed into :class:`~.api.CloudFront`."""

    def edge_locations(self):
        """The edge locations awskit knows (code, city, country, continent, the smallest price
        class that includes it, the Region of its regional edge cache), as a DataFrame."""
        import pandas as pd
        return pd.DataFrame([{"code": e.code, "city": e.name, "country": e.country,
                              "continent": e.continent, "price_class": e.price_class,
                              "regional_edge_cache": geo.rec_for(e)}
                             for e in geo.EDGE_LOCATIONS.values()])

    def metrics(self, distribution_id: str) -> dict:
        """Requests, hits, misses, origin requests, bytes, hit ratio and origin offload."""
        return self.counters.get(distribution_id, Metrics()).as_dict()

    def cached(self, distribution_id: str):
        """Every cached copy of the distribution's objects, as a pandas DataFrame."""
        import pandas as pd
        now = self.cloud.clock.elapsed
        self._apply_invalidations(now)
        rows = [{"layer": layer, "path": key[1], "variant": key[2], "status": e.status,
                 "bytes": len(e.body), "age_s": int(now - e.fetched),
                 "expires_in_s": round(e.expires - now, 3), "fresh": e.fresh(now)}
                for layer, entries in sorted(self.caches.items())
                for key, e in sorted(entries.items()) if key[0] == distribution_id]
        return pd.DataFrame(rows, columns=["layer", "path", "variant", "status", "bytes",
                                           "age_s", "expires_in_s", "fresh"])

    def replay(self, distribution_id: str, requests):
        """Serve ``requests`` (dicts or DataFrame rows with ``time`` in seconds from now,
        ``path`` or ``url``, ``city``; optional ``headers``, ``method``) in time order; a
        pandas DataFrame with a row per request."""
        import pandas as pd
        dist = self.distributions.get(distribution_id)
        if dist is None:
            raise ValueError(f"no distribution {distribution_id!r}")
        rows = requests.to_dict("records") if isinstance(requests, pd.DataFrame) else \
            [dict(r) for r in requests]
        cloud = self.cloud
        out = []
        with cloud.lock:
            start = cloud.clock.elapsed
            last_end = start
            order = sorted(range(len(rows)), key=lambda i: (float(rows[i].get("time", 0)), i))
            for i in order:
                row = rows[i]
                offset = float(row.get("time", 0))
                if offset < 0:
                    raise ValueError("request times are seconds from now: none may be negative")
                cloud.clock.run_until(start + offset)
                url = row.get("url") or f"https://{dist.domain}{row['path']}"
                response, end = self.serve(url, row.get("city"), row.get("headers") or {},
                                           row.get("method", "GET"), start + offset,
                                           record=False)
                last_end = max(last_end, end)
                out.append((offset, row.get("city"), response.edge,
                            urlsplit(url).path or "/", response.status,
                            response.x_cache, response.served_by, response.latency_ms,
                            len(response.body), response.origin_request, response.collapsed))
            cloud.clock.elapsed = max(cloud.clock.elapsed, last_end)
        frame = pd.DataFrame(out, columns=COLUMNS)
        frame.attrs["metrics"] = summarize(frame)
        return frame

    def simulate_day(self, distribution_id: str, paths, *, cities=DEFAULT_CITIES,
                     requests: int = 10_000, popularity: float = 1.1,
                     hours: float = 24.0):
        """Draw and replay ``requests`` viewer requests over ``hours`` (see the module
        docstring). ``cities``: names, or a dict name -> weight."""
        import numpy as np
        paths = list(paths)
        if not paths or requests < 1 or hours <= 0 or popularity < 0:
            raise ValueError("simulate_day needs paths, requests >= 1, hours > 0 and "
                             "popularity >= 0")
        if isinstance(cities, dict):
            names, weights = list(cities), np.array(list(cities.values()), dtype=float)
        else:
            names, weights = list(cities), np.ones(len(cities))
        rng = np.random.default_rng(self.cloud.ids.stream("cloudfront-traffic").getrandbits(64))
        times = np.sort(rng.uniform(0, hours * 3600, requests))
        ranks = np.arange(1, len(paths) + 1, dtype=float) ** -popularity
        picks = rng.choice(len(paths), size=requests, p=ranks / ranks.sum())
        where = rng.choice(len(names), size=requests, p=weights / weights.sum())
        frame = self.replay(distribution_id, [
            {"time": float(t), "path": paths[p], "city": names[c]}
            for t, p, c in zip(times, picks, where)])
        return frame


def summarize(frame) -> dict:
    """Hit ratio, origin offload and latency of a replay's rows."""
    n = len(frame)
    if not n:
        return {"requests": 0}
    hits = frame["x_cache"].isin(["Hit from cloudfront", "RefreshHit from cloudfront"]).sum()
    origin = int(frame["origin_request"].sum())
    return {"requests": n, "hit_ratio": float(hits / n), "origin_requests": origin,
            "origin_offload": 1 - origin / n, "collapsed": int(frame["collapsed"].sum()),
            "median_latency_ms": float(frame["latency_ms"].median()),
            "p95_latency_ms": float(frame["latency_ms"].quantile(0.95))}
