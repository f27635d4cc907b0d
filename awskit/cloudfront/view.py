"""The CloudFront console: what displaying ``cloud.cloudfront`` shows in Jupyter.

As the default account sees CloudFront: its distributions (domain, status, price class and
what the edge network counted for each: requests, hits (RefreshHits included), misses,
errors, hit ratio, bytes from the origin and the origin offload — the distribution's
``metrics()``), their origins (S3 or custom, Origin Shield), their cache behaviours (path
pattern, target origin, viewer protocol policy, cache policy and its TTLs) and the recent viewer
requests (each one's trace summary: the edge that served it, the cache result, the latency).

It reads the model directly: looking makes no request, costs nothing and leaves no trace.
It follows the cloud (throttled): CloudFront API calls and viewer requests redraw it.
Requests replayed by ``replay()``/``simulate_day()`` leave no trace each (there may be
millions): they show in the counters, not in the recent requests.
"""

from __future__ import annotations

from ..widgets import html as H
from ..widgets.core import LiveView, ipywidgets

RECENT = 10


def plural(n: int, word: str) -> str:
    return f"{n:,} {word if n == 1 else word + 's'}"


def distributions_of(cf, account: str) -> list:
    return sorted((d for d in cf.distributions.values() if d.account == account),
                  key=lambda d: d.id)


def totals(cf, account: str) -> dict:
    """Requests, hits and misses of all the account's distributions, and the hit ratio."""
    out = {"requests": 0, "served": 0}
    for dist in distributions_of(cf, account):
        metrics = cf.metrics(dist.id)
        out["requests"] += metrics["requests"]
        out["served"] += metrics["hits"] + metrics["refresh_hits"]
    out["hit_ratio"] = out["served"] / out["requests"] if out["requests"] else 0.0
    return out


def describe(cf) -> str:
    """``Amazon CloudFront console (account 123456789012): 1 distribution, 1,000 requests,
    hit ratio 87.5%``."""
    cloud = cf.cloud
    with cloud.lock:
        account = cloud.default_account
        count = len(distributions_of(cf, account))
        sums = totals(cf, account)
    return (f"Amazon CloudFront console (account {account}): {plural(count, 'distribution')}, "
            f"{plural(sums['requests'], 'request')}, hit ratio {sums['hit_ratio']:.1%}")


def distribution_rows(cf, account: str) -> list[tuple]:
    now = cf.cloud.clock.elapsed
    rows = []
    for dist in distributions_of(cf, account):
        m = cf.metrics(dist.id)
        status = dist.status(now) + ("" if dist.enabled else " (disabled)")
        rows.append((dist.id, dist.domain, status, dist.config.get("PriceClass", ""),
                     f"{m['requests']:,}", f"{m['hits'] + m['refresh_hits']:,}",
                     f"{m['misses']:,}", f"{m['errors']:,}", f"{m['hit_ratio']:.1%}",
                     f"{m['bytes_from_origin']:,}", f"{m['origin_offload']:.1%}"))
    return rows


def origin_rows(cf, account: str) -> list[tuple]:
    rows = []
    for dist in distributions_of(cf, account):
        for origin in dist.origins():
            kind = "S3" if "S3OriginConfig" in origin else "Custom"
            if origin.get("OriginAccessControlId"):
                kind += f" (OAC {origin['OriginAccessControlId']})"
            shield = origin.get("OriginShield", {})
            rows.append((dist.id, origin["Id"], origin["DomainName"] + origin.get("OriginPath", ""),
                         kind, shield.get("OriginShieldRegion", "—") if shield.get("Enabled")
                         else "—"))
    return rows


def _policy_words(cf, behaviour: dict, account: str) -> str:
    policy_id = behaviour.get("CachePolicyId")
    if policy_id:
        policy = cf.cache_policy(policy_id, account)
        if policy is None:
            return policy_id
        config = policy.config
        return (f"{config.get('Name', policy_id)} (TTL min {config.get('MinTTL', 0)} s, "
                f"default {config.get('DefaultTTL', '—')} s, max {config.get('MaxTTL', '—')} s)")
    return (f"legacy TTLs (min {behaviour.get('MinTTL', 0)} s, default "
            f"{behaviour.get('DefaultTTL', '—')} s, max {behaviour.get('MaxTTL', '—')} s)")


def behaviour_rows(cf, account: str) -> list[tuple]:
    rows = []
    for dist in distributions_of(cf, account):
        behaviours = [*dist.config.get("CacheBehaviors", {}).get("Items", []),
                      dict(dist.config["DefaultCacheBehavior"], PathPattern="Default (*)")]
        for b in behaviours:
            rows.append((dist.id, b["PathPattern"], b["TargetOriginId"],
                         b["ViewerProtocolPolicy"], _policy_words(cf, b, account)))
    return rows


def recent_rows(cloud, account: str) -> list[tuple]:
    viewer = [t for t in cloud.traces if t.service == "cloudfront" and t.front == "viewer"
              and t.account == account][-RECENT:][::-1]
    rows = []
    for t in viewer:
        ok = t.status is not None and t.status < 400
        status = H.Raw(f'<span class="awskit-{"ok" if ok else "err"}">{t.status}</span>')
        moment = t.start
        rows.append((f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}", t.summary, status, len(t.steps), f"{t.duration_ms:g}"))
    return rows


class CloudFrontConsole(LiveView):
    """The CloudFront console of ``cloud.cloudfront`` (``cloud.cloudfront.console()``; shown
    when ``cloud.cloudfront`` is displayed); ``refresh()`` redraws it."""

    describe = staticmethod(describe)

    def __init__(self, cf):
        super().__init__(cf.cloud)
        self.service = cf
        self.account = cf.cloud.default_account
        self._build()
        self.refresh()

    def wants(self, trace) -> bool:
        return trace.service == "cloudfront"

    def _build(self) -> None:
        w = ipywidgets()
        full = w.Layout(width="100%")
        self._header = w.HTML(layout=full)
        self._distributions = w.HTML(layout=full)
        self._origins = w.HTML(layout=full)
        self._behaviours = w.HTML(layout=full)
        self._requests = w.HTML(layout=full)
        for widget, css in [(self._header, "awskit-cloudfront-header"),
                            (self._distributions, "awskit-distributions"),
                            (self._origins, "awskit-origins"),
                            (self._behaviours, "awskit-behaviours"),
                            (self._requests, "awskit-requests")]:
            widget.add_class(css)
        self._finish([self._header, self._distributions, self._origins, self._behaviours,
                      self._requests], "awskit-cloudfront-console")

    def _render(self) -> None:
        cf, account = self.service, self.account
        rows = distribution_rows(cf, account)
        sums = totals(cf, account)
        self._header.value = (
            '<div class="awskit-header"><span class="awskit-title">Amazon CloudFront</span>'
            f'<span class="awskit-meta">account {H.esc(account)} · global · '
            f'{plural(sums["requests"], "viewer request")} · hit ratio '
            f'{sums["hit_ratio"]:.1%}</span></div>')
        self._distributions.value = H.section("Distributions", str(len(rows))) + H.scroll(
            H.table(["ID", "Domain name", "Status", "Price class", "Requests", "Hits",
                     "Misses", "Errors", "Hit ratio", "Bytes from origin", "Origin offload"],
                    rows, numeric=tuple(range(4, 11)), code=(0,),
                    empty="No distributions yet: create one with create_distribution."))
        self._origins.value = H.section("Origins") + H.table(
            ["Distribution", "Origin ID", "Domain name", "Type", "Origin Shield"],
            origin_rows(cf, account), code=(0,), empty="No origins yet.")
        self._behaviours.value = H.section("Cache behaviours") + H.table(
            ["Distribution", "Path pattern", "Target origin", "Viewer protocol",
             "Cache policy"], behaviour_rows(cf, account), code=(0,),
            empty="No cache behaviours yet.")
        recent = recent_rows(self.cloud, account)
        self._requests.value = H.section("Recent viewer requests", f"last {len(recent)}") + \
            H.table(["Time (simulated, UTC)", "Request", "Status", "Steps", "ms"], recent,
                    numeric=(3, 4), empty="No viewer requests yet: "
                    "cloud.cloudfront.request(url, from_city=...) makes one.")

    def text(self) -> str:
        return describe(self.service)
