"""The Route 53 console: what displaying ``cloud.route53`` shows in Jupyter.

As the default account sees Route 53: its hosted zones (public or private, the VPCs a private
zone answers in, how many record sets), their record sets (name, type, routing policy and set
identifier, TTL, values or alias target, health check), its health checks with their current
status (what routing uses: Disabled, Inverted and CALCULATED applied) and their last probe, and
a resolve form: a name, a record type and where the client is (a Region code, a city, a country
code such as ``FR``, a US state such as ``US-WA``); Resolve asks ``cloud.route53.resolve`` and
shows the answer as ``dig`` would, with the reasons Route 53 gave it.

Looking makes no request: the console reads the model, costs nothing and leaves no trace (a
resolve is an action: it leaves the resolver's trace, as ``resolve()`` does). It follows the
cloud (throttled): Route 53 API calls redraw it. Health checks probe on the simulated clock,
which makes no request: a status that changed with ``cloud.advance()`` shows at the next
Route 53 request (or ``refresh()``). A bad name, type or location gets a plain sentence, never
a traceback.
"""

from __future__ import annotations

from ..widgets import html as H
from ..widgets.core import LiveView, ipywidgets, weak
from .model import policy_of, values_of

COMMON_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "NS", "SOA", "SRV", "CAA", "PTR")


def plural(n: int, word: str) -> str:
    return f"{n:,} {word if n == 1 else word + 's'}"


def zones_of(r53, account: str) -> list:
    return sorted((z for z in r53.zones.values() if z.account == account),
                  key=lambda z: (z.name, z.id))


def checks_of(r53, account: str) -> list:
    return sorted((c for c in r53.health_checks.values() if c.account == account),
                  key=lambda c: c.id)


def describe(r53) -> str:
    """``Amazon Route 53 console (account 123456789012): 1 hosted zone, 4 record sets, 1 health
    check (1 unhealthy)``."""
    cloud = r53.cloud
    with cloud.lock:
        account = cloud.default_account
        zones = zones_of(r53, account)
        checks = checks_of(r53, account)
        down = sum(not r53.check_healthy(c) for c in checks)
    records = sum(len(z.records) for z in zones)
    return (f"Amazon Route 53 console (account {account}): {plural(len(zones), 'hosted zone')}, "
            f"{plural(records, 'record set')}, {plural(len(checks), 'health check')} "
            f"({down} unhealthy)")


def zone_rows(r53, account: str) -> list[tuple]:
    return [(z.name, z.id, "Private" if z.private else "Public", len(z.records),
             ", ".join(f"{vpc} ({region})" for region, vpc in z.vpcs) or "—", z.comment or "")
            for z in zones_of(r53, account)]


def record_rows(r53, account: str) -> list[tuple]:
    rows = []
    for zone in zones_of(r53, account):
        for (name, rtype, ident), rrset in sorted(zone.records.items()):
            policy = policy_of(rrset)
            detail = {"weighted": rrset.get("Weight"), "latency": rrset.get("Region"),
                      "failover": rrset.get("Failover"),
                      "geolocation": "/".join(map(str, rrset.get("GeoLocation", {}).values()))
                      }.get(policy)
            words = policy + (f" {detail}" if detail not in (None, "") else "")
            alias = rrset.get("AliasTarget")
            value = f"alias → {alias['DNSName']}" if alias else ", ".join(values_of(rrset))
            ttl = "—" if alias else rrset.get("TTL", "—")
            rows.append((zone.name, name, rtype, words, ident or "—", ttl, value,
                         rrset.get("HealthCheckId", "—")))
    return rows


def check_rows(r53, account: str) -> list[tuple]:
    now = r53.cloud.clock.elapsed
    rows = []
    for check in checks_of(r53, account):
        config = check.config
        target = config.get("IPAddress") or config.get("FullyQualifiedDomainName") or "—"
        if config.get("Port"):
            target = f"{target}:{config['Port']}"
        healthy = r53.check_healthy(check)
        status = H.Raw(f'<span class="awskit-{"ok" if healthy else "err"}">'
                       f'{"Healthy" if healthy else "Unhealthy"}</span>')
        last = (f"{now - check.last_checked:.0f} s ago: {check.last_reason}"
                if check.last_checked is not None else "no probe yet")
        rows.append((check.id, config["Type"], target, status, last))
    return rows


class Route53Console(LiveView):
    """The Route 53 console of ``cloud.route53`` (``cloud.route53.console()``). Python side:
    ``resolve(name, type, location)`` (the Resolve button), ``.answer``, ``.status``,
    ``refresh()``."""

    describe = staticmethod(describe)

    def __init__(self, r53):
        super().__init__(r53.cloud)
        self.service = r53
        self.account = r53.cloud.default_account
        self.answer = None
        self._status_text, self._status_error = "", False
        self._build()
        self.refresh()

    def wants(self, trace) -> bool:
        return trace.service == "route53" and trace.operation != "Resolve"

    def _build(self) -> None:
        w = ipywidgets()
        full = w.Layout(width="100%")
        label = {"description_width": "90px"}
        self._header = w.HTML(layout=full)
        self._zones = w.HTML(layout=full)
        self._records = w.HTML(layout=full)
        self._checks = w.HTML(layout=full)
        self._name = w.Text(placeholder="www.example.com", description="Name", style=label,
                            layout=w.Layout(width="420px"))
        self._type = w.Dropdown(options=COMMON_TYPES, value="A", description="Type",
                                style={"description_width": "40px"},
                                layout=w.Layout(width="150px"))
        self._location = w.Text(value=self.cloud.default_region, description="Client in",
                                placeholder="Region, city, country (FR), US state (US-WA)",
                                style=label, layout=w.Layout(width="420px"))
        self._resolve = w.Button(description="Resolve", icon="search", button_style="primary",
                                 layout=w.Layout(width="140px"))
        self._status = w.HTML(layout=full)
        self._answer = w.HTML(layout=full)
        for widget, css in [(self._header, "awskit-route53-header"), (self._zones, "awskit-zones"),
                            (self._records, "awskit-records"), (self._checks, "awskit-checks"),
                            (self._name, "awskit-resolve-name"), (self._type, "awskit-resolve-type"),
                            (self._location, "awskit-resolve-location"),
                            (self._resolve, "awskit-resolve"), (self._status, "awskit-status"),
                            (self._answer, "awskit-dns-answer")]:
            widget.add_class(css)
        self._resolve.on_click(weak(self._on_resolve))
        first = w.HBox([self._name, self._type], layout=w.Layout(align_items="center"))
        second = w.HBox([self._location, self._resolve], layout=w.Layout(align_items="center"))
        for box in (first, second):
            box.add_class("awskit-row")
        controls = w.VBox([first, second, self._status, self._answer], layout=full)
        controls.add_class("awskit-controls-box")
        self._finish([self._header, self._zones, self._records, self._checks,
                      w.HTML(H.section("Resolve")), controls], "awskit-route53-console")

    def _render(self) -> None:
        r53, account = self.service, self.account
        zones = zone_rows(r53, account)
        checks = check_rows(r53, account)
        self._header.value = (
            '<div class="awskit-header"><span class="awskit-title">Amazon Route 53</span>'
            f'<span class="awskit-meta">account {H.esc(account)} · global · '
            f'{plural(len(zones), "hosted zone")} · {plural(len(checks), "health check")}'
            '</span></div>')
        self._zones.value = H.section("Hosted zones", str(len(zones))) + H.table(
            ["Name", "ID", "Type", "Record sets", "VPCs", "Comment"], zones, numeric=(3,),
            code=(1,), empty="No hosted zones yet: create one with create_hosted_zone.")
        self._records.value = H.section("Record sets") + H.scroll(H.table(
            ["Zone", "Name", "Type", "Routing", "Set ID", "TTL", "Value / alias target",
             "Health check"], record_rows(r53, account), code=(7,),
            empty="No record sets yet."))
        self._checks.value = H.section("Health checks", str(len(checks))) + H.table(
            ["ID", "Type", "Endpoint", "Status", "Last probe"], checks, code=(0,),
            empty="No health checks yet.")

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self._status_text, self._status_error = text, error
        self._status.value = H.status(text, error=error)

    def _show_problem(self, text: str) -> None:
        self._set_status(text, error=True)

    def _on_resolve(self, _button=None) -> None:
        self.resolve(self._name.value, self._type.value, self._location.value)

    @property
    def status(self) -> str:
        return self._status_text

    def resolve(self, name: str, type: str = "A", location: str | None = None):
        """Resolve ``name``/``type`` for a client at ``location`` (the Resolve button);
        returns the answer, or None when the question could not be asked."""
        name = (name or "").strip()
        location = (location if location is not None else self._location.value or "").strip()
        self._name.value, self._location.value = name, location
        if type in self._type.options:
            self._type.value = type
        if not name:
            self._set_status("Resolve: type a domain name first.", error=True)
            return None
        try:
            answer = self.service.resolve(name, type, client_location=location or None)
        except Exception as exc:       # shown, never raised: bad names, types, locations
            kind = "" if isinstance(exc, ValueError) else f"{exc.__class__.__name__}: "
            self._set_status(f"Resolve {name} {type} failed: {kind}"
                             f"{' '.join(str(exc).split())}", error=True)
            return None
        self.answer = answer
        values = ", ".join(answer.values) or "no record"
        self._set_status(f"{answer.name} {answer.type}: {answer.rcode} · {values}",
                         error=answer.rcode != "NOERROR")
        why = "".join(f"<li>{H.esc(line)}</li>" for line in answer.why)
        self._answer.value = (f'<pre class="awskit-dot">{H.esc(str(answer))}</pre>'
                              f'<div class="awskit-more">Why:</div><ol>{why}</ol>')
        return answer

    def text(self) -> str:
        return describe(self.service)
