"""The network console: what displaying ``cloud.ec2`` shows in Jupyter.

As the default account sees the VPC console in its default Region: the live architecture
diagram (``cloud.diagram(network=True)``: Regions, VPCs, AZs, subnets, gateways, links,
CloudFront and Route 53 in front; fitted to the width, or full size in a box that scrolls), a reachability form (a source and a destination — an
instance, an interface, ``internet``, an IP address, an on-premises network, a Client VPN user,
S3, a PrivateLink service —, a protocol and a port; Check asks ``cloud.ec2.reachability``) whose
answer shows as text (reachable or not, every hop with the rule it applied, what blocked the
flow) and is drawn on the diagram, and tables of the VPCs, subnets (AZ, CIDR, free addresses,
public or private, route table, network ACL), route tables and their routes, security groups
and their rules, network ACL rules, instances and connections (:mod:`.view_tables`).

Looking makes no request: the console reads the model directly, costs nothing and leaves no
trace. It follows the cloud (throttled, see :class:`awskit.widgets.core.LiveView`): EC2,
Route 53, CloudFront and S3 requests redraw it. A reachability answer stays drawn while the
network it was asked of is unchanged; after a change the diagram says to check again. Bad
input in the form (no source, a port that is not a number, a source the engine does not know)
gets a plain sentence in the status line, never a traceback.
"""

from __future__ import annotations

import hashlib
import json

from ..diagrams import render as _render
from ..widgets import html as H
from ..widgets.core import LiveView, ipywidgets, weak
from . import view_tables as T
from .view_tables import describe

PROTOCOLS = ("tcp", "udp", "icmp")
FIT, FULL = "Fit to width", "Full size"     # how the diagram is shown
SEP = " · "


def endpoint_options(ec2, account: str, region: str) -> list[tuple[str, str]]:
    """(label, what the engine is given) for the form's source and destination lists."""
    out = []
    for instance in T.mine(ec2.instances, account, region):
        if instance.state == "terminated":
            continue
        eni = ec2.network_interfaces.get(instance.eni_ids[0]) if instance.eni_ids else None
        ip = eni.private_ip if eni is not None else ""
        out.append((SEP.join(p for p in (instance.instance_id, T.name_of(instance), ip) if p),
                    instance.instance_id))
    for eni in T.mine(ec2.network_interfaces, account, region):
        if not eni.attachment and eni.interface_type == "interface":
            out.append((SEP.join((eni.eni_id, "network interface", eni.private_ip)), eni.eni_id))
    out.append((SEP.join(("internet", "a host on the internet")), "internet"))
    stores = {name: getattr(ec2, name, None) or {} for name in (
        "customer_gateways", "client_vpn_endpoints", "vpc_endpoints", "endpoint_services")}
    for cgw in T.mine(stores["customer_gateways"], account, region):
        out.append((SEP.join((f"onprem:{cgw.cgw_id}", "on-premises network")),
                    f"onprem:{cgw.cgw_id}"))
    for cvpn in T.mine(stores["client_vpn_endpoints"], account, region):
        out.append((SEP.join((f"clientvpn:{cvpn.endpoint_id}", "a Client VPN user")),
                    f"clientvpn:{cvpn.endpoint_id}"))
    services = {e.service_name.rsplit(".", 1)[-1] for e in
                T.mine(stores["vpc_endpoints"], account, region) if not e.service_id}
    for short in sorted(services | {"s3"}):
        what = "s3" if short == "s3" else f"service:{short}"
        out.append((SEP.join((what, "the AWS service")), what))
    for service in T.mine(stores["endpoint_services"], account, region):
        out.append((SEP.join((service.service_id, "PrivateLink service")), service.service_id))
    return out


class NetworkConsole(LiveView):
    """The VPC console of ``cloud.ec2`` (``cloud.ec2.console()``; shown when ``cloud.ec2`` is
    displayed). Python side: ``check(source, destination, protocol, port)`` (the form's Check
    button), ``.answer`` (the last reachability answer), ``.status``, ``.tab`` (the table
    shown), ``refresh()``."""

    describe = staticmethod(describe)

    def __init__(self, ec2):
        super().__init__(ec2.cloud)
        self.service = ec2
        self.account = ec2.cloud.default_account
        self.region = ec2.cloud.default_region
        self.answer = None
        self._answer_base = None          # the fingerprint of the network the answer was of
        self._options: dict[str, str] = {}
        self._status_text, self._status_error = "", False
        self._build()
        self.refresh()

    def wants(self, trace) -> bool:
        return trace.service in ("ec2", "route53", "cloudfront", "s3") and \
            trace.front != "viewer" and trace.operation != "Resolve"

    # -- widgets ----------------------------------------------------------------------------
    def _build(self) -> None:
        w = ipywidgets()
        full = w.Layout(width="100%")
        label = {"description_width": "90px"}
        self._header = w.HTML(layout=full)
        self._diagram = w.HTML(layout=full)
        self._zoom = w.ToggleButtons(options=[FIT, FULL], value=FIT,
                                     style={"button_width": "120px"})
        self._source = w.Combobox(placeholder="instance, interface, internet, IP address, ...",
                                  description="Source", ensure_option=False, style=label,
                                  layout=w.Layout(width="520px"))
        self._destination = w.Combobox(placeholder="instance, interface, internet, IP "
                                       "address, ...", description="Destination",
                                       ensure_option=False, style=label,
                                       layout=w.Layout(width="520px"))
        self._protocol = w.Dropdown(options=PROTOCOLS, value="tcp", description="Protocol",
                                    style=label, layout=w.Layout(width="200px"))
        self._port = w.Text(value="443", description="Port", style={"description_width": "40px"},
                            layout=w.Layout(width="150px"))
        self._check = w.Button(description="Check", icon="search", button_style="primary",
                               layout=w.Layout(width="140px"))
        self._status = w.HTML(layout=full)
        self._answer = w.HTML(layout=full)
        self._tables = w.Tab(children=[w.HTML(layout=full) for _ in T.TABLES],
                             titles=[t[0] for t in T.TABLES], layout=full)
        for widget, css in [(self._header, "awskit-vpc-header"),
                            (self._diagram, "awskit-diagram"), (self._zoom, "awskit-zoom"),
                            (self._source, "awskit-reach-source"),
                            (self._destination, "awskit-reach-destination"),
                            (self._protocol, "awskit-reach-protocol"),
                            (self._port, "awskit-reach-port"), (self._check, "awskit-reach-check"),
                            (self._status, "awskit-status"), (self._answer, "awskit-reach-answer"),
                            (self._tables, "awskit-vpc-tables")]:
            widget.add_class(css)
        self._check.on_click(weak(self._on_check))
        self._tables.observe(weak(self._on_tab), names="selected_index")
        self._zoom.observe(weak(self._on_zoom), names="value")
        row = w.HBox([self._protocol, self._port, self._check],
                     layout=w.Layout(align_items="center"))
        row.add_class("awskit-row")
        controls = w.VBox([self._source, self._destination, row, self._status, self._answer],
                          layout=full)
        controls.add_class("awskit-controls-box")
        self._finish([self._header, w.HTML(H.section("Architecture")), self._zoom, self._diagram,
                      w.HTML(H.section("Reachability")), controls,
                      w.HTML(H.section("Resources")), self._tables], "awskit-vpc-console")

    # -- rendering --------------------------------------------------------------------------
    def _render(self) -> None:
        ec2, account, region = self.service, self.account, self.region
        ec2.sync()
        found = T.counts(ec2, account, region)
        self._header.value = (
            '<div class="awskit-header"><span class="awskit-title">Amazon VPC</span>'
            f'<span class="awskit-meta">account {H.esc(account)} · {H.esc(region)} · '
            + H.esc(", ".join(T.plural(n, word) for word, n in found.items()))
            + "</span></div>")
        options = endpoint_options(ec2, account, region)
        self._options = dict(options)
        labels = [label for label, _ in options]
        self._source.options = labels
        self._destination.options = labels
        self._render_diagram()
        self._render_table()

    def _render_diagram(self) -> None:
        from ..diagrams.network import network_diagram
        plain = network_diagram(self.cloud)
        diagram, note = plain, "The network, drawn from <code>cloud.graph()</code>."
        if self.answer is not None:
            if self._fingerprint(plain) == self._answer_base:
                diagram = network_diagram(self.cloud, reachability=self.answer)
                note = ("The last reachability answer is drawn on the network: its hops in "
                        "order (orange), what blocked it in red.")
            else:
                note = ("The network changed since the last check: press Check to ask "
                        "again.")
        svg = diagram.svg()
        if svg is None or self._zoom.value == FIT:
            figure = H.diagram_html(svg, diagram.source, hint=_render.INSTALL_HINT)
        else:       # full size, in a box that scrolls
            figure = ('<div class="awskit-figure" style="overflow:auto;max-height:900px">'
                      + H.inline_svg(svg).replace("width:100%;", "") + "</div>")
        self._diagram.value = figure + f'<div class="awskit-more">{note}</div>'

    def _render_table(self) -> None:
        index = self._tables.selected_index or 0
        title = T.TABLES[index][0]
        self._tables.children[index].value = T.table_html(self.service, self.account,
                                                          self.region, title)

    def _render_answer(self) -> None:
        from ..diagrams.network_path import hop_allowed, hop_resource, hop_text, hops_of
        result = self.answer
        rows = []
        for i, hop in enumerate(hops_of(result), 1):
            allowed = hop_allowed(hop) and hop is not getattr(result, "blocked_by", None)
            verdict = H.Raw('<span class="awskit-ok">✓</span>' if allowed else
                            '<span class="awskit-err">✗ blocked</span>')
            rows.append((i, getattr(hop, "direction", "forward"),
                         getattr(hop, "component", ""), hop_resource(hop), hop_text(hop),
                         verdict))
        self._answer.value = H.table(["#", "Direction", "Component", "Resource", "Rule",
                                      ""], rows, numeric=(0,), code=(3,),
                                     empty="The answer has no hops.")

    def _show_problem(self, text: str) -> None:
        self._set_status(text, error=True)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self._status_text, self._status_error = text, error
        self._status.value = H.status(text, error=error)

    # -- events -----------------------------------------------------------------------------
    def _on_zoom(self, change) -> None:
        with self.cloud.lock:
            self._render_diagram()

    def _on_tab(self, change) -> None:
        with self.cloud.lock:
            self._render_table()

    def _on_check(self, _button=None) -> None:
        self.check(self._source.value, self._destination.value, self._protocol.value,
                   self._port.value)

    # -- the Python side --------------------------------------------------------------------
    @property
    def status(self) -> str:
        """The status line as text (the last check's answer, or why it could not run)."""
        return self._status_text

    @property
    def tab(self) -> str:
        return T.TABLES[self._tables.selected_index or 0][0]

    @tab.setter
    def tab(self, title: str) -> None:
        titles = [t[0] for t in T.TABLES]
        if title not in titles:
            raise ValueError(f"no table {title!r}; one of {', '.join(titles)}")
        self._tables.selected_index = titles.index(title)

    def check(self, source: str, destination: str, protocol: str = "tcp", port=443):
        """Ask whether ``source`` reaches ``destination`` (the Check button); returns the
        answer, or None when the question could not be asked (the status line says why)."""
        source, destination = (self._choice(v) for v in (source, destination))
        self._source.value, self._destination.value = source, destination
        self._protocol.value = protocol if protocol in PROTOCOLS else self._protocol.value
        self._port.value = str(port)
        if not source or not destination:
            self._set_status("Check: choose or type a source and a destination first.",
                             error=True)
            return None
        if protocol not in PROTOCOLS:
            self._set_status(f"Check: the protocol is one of {', '.join(PROTOCOLS)} "
                             f"(got {protocol!r}).", error=True)
            return None
        number = None
        if protocol != "icmp":
            text = str(port).strip()
            if not text.isdigit() or not 0 <= int(text) <= 65535:
                self._set_status(f"Check: the port is a whole number from 0 to 65535 (got "
                                 f"{text!r}).", error=True)
                return None
            number = int(text)
        ask = getattr(self.service, "reachability", None)
        if ask is None:
            self._set_status("Check: this awskit has no reachability engine.", error=True)
            return None
        try:
            with self.cloud.lock:
                from ..diagrams.network import network_diagram
                base = self._fingerprint(network_diagram(self.cloud))
                result = ask(self._engine_value(source), self._engine_value(destination),
                             protocol=protocol, port=number)
        except Exception as exc:     # shown, never raised: unknown endpoints, bugs
            message = " ".join(str(exc).split())
            kind = "" if isinstance(exc, ValueError) else f"{type(exc).__name__}: "
            self._set_status(f"Check failed: {kind}{message}", error=True)
            return None
        from ..diagrams.network_path import answer_text
        self.answer, self._answer_base = result, base
        reachable = bool(getattr(result, "reachable", False))
        self._set_status(answer_text(result), error=not reachable)
        self._render_answer()
        self.refresh()
        return result

    def _fingerprint(self, plain) -> str:
        """What an answer was asked of: the network's saved state and its drawing."""
        state = json.dumps(self.service.state(), sort_keys=True, default=str)
        return hashlib.sha256((state + plain.source).encode()).hexdigest()

    def _choice(self, value) -> str:
        return "" if value is None else str(value).strip()

    def _engine_value(self, text: str) -> str:
        """An option's engine value, else what was typed (an IP address, an id)."""
        return self._options.get(text, text.split(SEP)[0].strip())

    def text(self) -> str:
        return describe(self.service)
