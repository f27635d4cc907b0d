"""The IAM console: what displaying ``cloud.iam`` shows in Jupyter.

The default account's users, groups, roles and customer-managed policies, as tables, and a
policy simulator: choose a principal (the root user, a user, a role), type an action and a
resource, press Simulate, and see IAM's decision (``allowed``, ``explicitDeny`` or
``implicitDeny``) with the policy that decided and its deciding statement highlighted. The
simulator asks :meth:`cloud.iam.explain <awskit.iam.auth.IAMModel.explain>`, which evaluates
exactly as a real request would (the resource's own policy, such as a bucket policy,
included); it makes no request, so it leaves no trace and costs nothing. The highlighted span
is the statement's StartPosition..EndPosition, as IAM's simulator reports them.

The console follows the cloud (throttled, see :class:`awskit.widgets.core.LiveView`) and
re-renders its tables after IAM requests; the simulator's last result stays as it was
asked (press Simulate again after changing a policy).
"""

from __future__ import annotations

import json
import re

from ..widgets import html as H
from ..widgets.core import LiveView, ipywidgets, weak
from .model import iso
from .policy import Policy

_SOURCE_TYPES = {"aws-managed": "AWS managed policy", "user-managed": "customer managed policy",
                 "user": "inline policy", "group": "inline policy", "role": "inline policy",
                 "resource": "resource-based policy", "none": "session policy"}


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def describe(iam) -> str:
    """``IAM console (account 123456789012): 2 users, 1 group, 1 role, 1 customer-managed
    policy``."""
    cloud = iam.cloud
    with cloud.lock:
        account = iam.account(cloud.default_account)
        counts = (len(account.users), len(account.groups), len(account.roles),
                  len(account.policies))
    return (f"IAM console (account {account.id}): {_plural(counts[0], 'user')}, "
            f"{_plural(counts[1], 'group')}, {_plural(counts[2], 'role')}, "
            f"{_plural(counts[3], 'customer-managed policy', 'customer-managed policies')}")


def _policy_names(entity) -> str:
    names = [arn.rsplit("/", 1)[-1] for arn in entity.attached]
    names += [f"{name} (inline)" for name in sorted(entity.inline)]
    return ", ".join(names) or "—"


def _trusted(role) -> str:
    """Who may assume the role: the principals of its trust policy's Allow statements."""
    out = []
    for statement in role.trust.statements:
        if statement.effect != "Allow" or not statement.principal:
            continue
        if statement.principal == "*":
            out.append("*")
            continue
        for kind, values in statement.principal.items():
            out += [f"{kind}: {v}" for v in values]
    return ", ".join(dict.fromkeys(out)) or "—"


def _date(elapsed: float) -> str:
    return iso(elapsed).replace("T", " ").replace("Z", " UTC")


def _offset(text: str, position: tuple[int, int]) -> int:
    """Index in ``text`` of IAM's (line, column) position: the column is 2 past the brace's
    0-based index in its line (see ``awskit.iam.policy._positions``)."""
    line, column = position
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return starts[line - 1] + column - 2


def deciding_html(matched) -> str:
    """The policy document of the deciding statement, that statement highlighted.

    A one-line document (as boto3 sends ``json.dumps(doc)``) is shown pretty-printed, its
    statement positions taken from the pretty text, parsed again."""
    policy, statement = matched.source.policy, matched.statement
    text, start, end = policy.text, statement.start, statement.end
    if "\n" not in text.strip():
        pretty = json.dumps(json.loads(text), indent=2)
        try:
            again = Policy.parse(pretty, kind=policy.kind).statements[statement.index]
            text, start, end = pretty, again.start, again.end
        except Exception:   # keep the document as written
            pass
    a, b = _offset(text, start), _offset(text, end) + 1
    return f'<pre class="awskit-policy">{H.highlight_span(text, a, b)}</pre>'


class IAMConsole(LiveView):
    """The IAM console of ``cloud.iam`` (``cloud.iam.console()``; shown when ``cloud.iam`` is
    displayed). Python side: ``simulate(principal, action, resource)`` returns the
    :class:`~awskit.iam.explain.Explanation` shown; ``.explanation``, ``.status``."""

    describe = staticmethod(describe)

    def __init__(self, iam):
        super().__init__(iam.cloud)
        self.service = iam
        self.account = iam.cloud.default_account
        self.explanation = None
        self._status_text = ""
        self._build()
        self.refresh()

    def wants(self, trace) -> bool:
        return trace.service == "iam"

    # -- widgets ----------------------------------------------------------------------------
    def _build(self) -> None:
        w = ipywidgets()
        full = w.Layout(width="100%")
        label = {"description_width": "80px"}
        self._header = w.HTML(layout=full)
        self._tables = w.HTML(layout=full)
        self._principal = w.Dropdown(options=[], description="Principal", style=label,
                                     layout=w.Layout(width="520px"))
        self._action = w.Text(value="s3:GetObject", placeholder="service:Action, e.g. s3:GetObject",
                              description="Action", style=label, layout=w.Layout(width="520px"))
        self._resource = w.Text(value="*", placeholder="an ARN, e.g. arn:aws:s3:::my-bucket/*",
                                description="Resource", style=label,
                                layout=w.Layout(width="520px"))
        self._simulate = w.Button(description="Simulate", icon="play", button_style="primary",
                                  layout=w.Layout(width="140px", margin="2px 0 2px 88px"))
        self._status = w.HTML(layout=full)
        self._result = w.HTML(layout=full)
        for widget, css in [(self._header, "awskit-iam-header"),
                            (self._tables, "awskit-iam-tables"),
                            (self._principal, "awskit-principal"),
                            (self._action, "awskit-action-input"),
                            (self._resource, "awskit-resource-input"),
                            (self._simulate, "awskit-simulate"), (self._status, "awskit-status"),
                            (self._result, "awskit-decision")]:
            widget.add_class(css)
        self._simulate.on_click(weak(self._on_simulate))
        simulator = w.VBox([w.HTML(H.section("Policy simulator")), self._principal, self._action,
                            self._resource, self._simulate, self._status, self._result],
                           layout=full)
        simulator.add_class("awskit-simulator")
        self._finish([self._header, self._tables, simulator], "awskit-iam-console")

    # -- rendering --------------------------------------------------------------------------
    def _render(self) -> None:
        account = self.service.account(self.account)
        alias = f" · alias {account.alias}" if account.alias else ""
        self._header.value = (
            '<div class="awskit-header"><span class="awskit-title">IAM</span>'
            f'<span class="awskit-meta">account {H.esc(account.id)}{H.esc(alias)} · global '
            'service</span></div>')
        users = sorted(account.users.values(), key=lambda u: u.name)
        groups = sorted(account.groups.values(), key=lambda g: g.name)
        roles = sorted(account.roles.values(), key=lambda r: r.name)
        policies = sorted(account.policies.values(), key=lambda p: p.name)
        members = {g.name: [u.name for u in users if g.name in u.groups] for g in groups}
        attachments = {p.arn: sum(p.arn in e.attached for e in (*users, *groups, *roles))
                       for p in policies}
        parts = [
            H.section("Users", str(len(users))),
            H.table(["User name", "Groups", "Policies", "Access keys", "Created"],
                    [(u.name, ", ".join(u.groups) or "—", _policy_names(u), len(u.access_keys),
                      _date(u.created)) for u in users],
                    numeric=(3,), empty="No IAM users (only the root user)."),
            H.section("Groups", str(len(groups))),
            H.table(["Group name", "Members", "Policies", "Created"],
                    [(g.name, ", ".join(members[g.name]) or "—", _policy_names(g), _date(g.created))
                     for g in groups], empty="No groups."),
            H.section("Roles", str(len(roles))),
            H.table(["Role name", "Trusted entities", "Policies", "Created"],
                    [(r.name, _trusted(r), _policy_names(r), _date(r.created)) for r in roles],
                    empty="No roles."),
            H.section("Customer-managed policies", str(len(policies))),
            H.table(["Policy name", "ARN", "Default version", "Attached to", "Updated"],
                    [(p.name, p.arn, p.default_version, attachments[p.arn], _date(p.updated))
                     for p in policies], numeric=(3,), code=(1,),
                    empty="No customer-managed policies."),
        ]
        self._tables.value = "".join(parts)
        options = [(f"root user ({account.root_arn})", account.root_arn)]
        options += [(f"user {u.name}", u.arn) for u in users]
        options += [(f"role {r.name}", r.arn) for r in roles]
        keep = self._principal.value
        self._principal.options = options
        self._principal.value = keep if keep in [v for _, v in options] else options[0][1]

    def _show_problem(self, text: str) -> None:
        self._set_status(text, error=True)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self._status_text = text
        self._status.value = H.status(text, error=error)

    @property
    def status(self) -> str:
        return self._status_text

    # -- the simulator ----------------------------------------------------------------------
    def _on_simulate(self, _button=None) -> None:
        self.simulate()

    def simulate(self, principal: str | None = None, action: str | None = None,
                 resource: str | None = None):
        """Set the simulator's inputs (those given), press Simulate; return the Explanation
        (or None when the inputs were refused: the status line says why)."""
        if principal is not None:
            self._principal.value = self._principal_value(principal)
        if action is not None:
            self._action.value = action
        if resource is not None:
            self._resource.value = resource
        who, what, where = self._principal.value, self._action.value.strip(), \
            self._resource.value.strip() or "*"
        if not who:
            self._set_status("Simulate: choose a principal.", error=True)
            return None
        if not re.fullmatch(r"[A-Za-z0-9-]+:[A-Za-z0-9*?]+", what):
            self._set_status("Simulate: type an action as service:Action, e.g. s3:GetObject.",
                             error=True)
            return None
        try:
            with self.cloud.lock:
                explanation = self.service.explain(who, what, where)
        except Exception as exc:      # shown, never raised
            message = " ".join(str(getattr(exc, "message", None) or exc).split())
            self._set_status(f"Simulate failed: {getattr(exc, 'code', None) or type(exc).__name__}"
                             f": {message}", error=True)
            return None
        self.explanation = explanation
        self._result.value = self._result_html(explanation)
        self._set_status(f"Simulated {what} on {where} as {who}.")
        return explanation

    def _principal_value(self, who: str) -> str:
        """A Dropdown value from an ARN, a user or role name, or "root"."""
        values = [v for _, v in self._principal.options]
        if who in values:
            return who
        for label, value in self._principal.options:
            if who == "root" and label.startswith("root user") or label.split(" ", 1)[1] == who:
                return value
        raise ValueError(f"no principal {who!r} in account {self.account}; "
                         f"choose one of {values}")

    @property
    def decision(self) -> str | None:
        """The last simulated decision: ``allowed``, ``explicitDeny`` or ``implicitDeny``."""
        return self.explanation.verdict if self.explanation is not None else None

    def _result_html(self, explanation) -> str:
        d = explanation.decision
        who = explanation.principal.arn
        head = (f'<div style="margin:8px 0 4px 0"><span class="awskit-badge '
                f'awskit-{d.decision}">{H.esc(d.decision)}</span> '
                f'<b>{H.esc(who)}</b> → <code>{H.esc(explanation.action)}</code> on '
                f'<code>{H.esc(explanation.resource)}</code></div>'
                f'<div>{H.esc(d.reason)}</div>')
        if d.deciding is not None:
            source = d.deciding.source
            kind = _SOURCE_TYPES.get(source.source_type, source.source_type)
            body = (f'<div style="margin-top:8px">Deciding statement '
                    f'<b>{H.esc(d.deciding.statement.label)}</b> '
                    f'({H.esc(d.deciding.effect)}) of <b>{H.esc(source.source_id)}</b> '
                    f'[{H.esc(kind)}]:</div>' + deciding_html(d.deciding))
        else:
            body = ('<div style="margin-top:8px" class="awskit-more">No single statement '
                    'decided this (see the reason above).</div>')
        details = ('<details class="awskit-details"><summary>Every policy considered</summary>'
                   f'<pre class="awskit-policy">{H.esc(str(explanation))}</pre></details>')
        return head + body + details

    def text(self) -> str:
        return describe(self.service)
