"""The Lambda console: what displaying ``cloud.awslambda`` shows in Jupyter.

As the default account sees Lambda in its default Region: the cost so far (the account's
``cloud.meter.total("lambda", account)``), the functions with their configuration,
concurrency in use against the account's quota, the execution environments on each worker
host (initializing, idle (warm), busy, reclaimed), an invoke control (a function, a JSON
payload, Invoke: a real Invoke request as the account's root user, through the pipeline), the
recent invocations with a picker whose choice shows that invocation's trace as a step-through
(it follows the newest invocation until an older one is picked; after Invoke it shows that
very invocation's), and the last log lines of the chosen function.

It reads the model directly (functions, the internals, the invocation records, the log
store; see :mod:`.view_tables`): looking at the console makes no request, so it costs nothing
and leaves no trace. It follows the cloud (throttled, see
:class:`awskit.widgets.core.LiveView`), re-rendering when a Lambda or CloudWatch Logs trace
arrives. ``cloud.advance()`` makes no request: an environment reclaimed for idleness on the
clock shows at the next Lambda request (or ``refresh()``). A failed invoke shows its AWS error
in the status line, never a traceback; a payload that is not JSON is refused before any
request is sent (the AWS console refuses it too; Invoke itself would answer
InvalidRequestContentException).
"""

from __future__ import annotations

import json
import weakref

from ..widgets import html as H
from ..widgets.core import LiveView, ipywidgets, weak
from . import view_tables as T
from .view_tables import describe

PICKER_CHOICES = 50            # invocations offered by the trace picker
PAYLOAD_SHOWN = 400            # characters of a response payload in the status line


def _payload_text(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace")
    return text if len(text) <= PAYLOAD_SHOWN else text[:PAYLOAD_SHOWN] + "…"


def _error_summary(data: bytes) -> str:
    """``errorType: errorMessage`` of a function error document (or the raw payload)."""
    try:
        doc = json.loads(data)
    except ValueError:
        return _payload_text(data)
    if not isinstance(doc, dict):
        return _payload_text(data)
    return f"{doc.get('errorType', 'Error')}: {doc.get('errorMessage', '')}"


class LambdaConsole(LiveView):
    """The Lambda console of ``cloud.awslambda`` (``cloud.awslambda.console()``; shown when
    ``cloud.awslambda`` is displayed). Python side: ``.function`` (the function chosen),
    ``.status`` (the last action's outcome), ``invoke(payload, function=...)``,
    ``.invocation`` / ``select(request_id)`` (the invocation whose trace is shown),
    ``.step_through`` (its :class:`~awskit.widgets.stepthrough.StepThrough`), ``refresh()``."""

    describe = staticmethod(describe)

    def __init__(self, svc):
        super().__init__(svc.cloud)
        self.service = svc
        self.account = svc.cloud.default_account
        self.region = svc.cloud.default_region
        self.step_through = None
        self._shown_key = ()              # the invocation the step-through shows (none yet)
        self._st_finalizer = None
        self._records: dict[str, object] = {}
        self._status_text, self._status_error = "", False
        self._rendering = False
        self._build()
        self.refresh()

    def wants(self, trace) -> bool:
        return trace.service in ("lambda", "logs")

    # -- widgets ----------------------------------------------------------------------------
    def _build(self) -> None:
        w = ipywidgets()
        full = w.Layout(width="100%")
        label = {"description_width": "90px"}
        self._header = w.HTML(layout=full)
        self._functions = w.HTML(layout=full)
        self._concurrency = w.HTML(layout=full)
        self._environments = w.HTML(layout=full)
        self._function = w.Dropdown(options=[], description="Function", style=label,
                                    layout=w.Layout(width="420px"))
        self._payload = w.Textarea(value="{}", placeholder='event as JSON, e.g. {"key": "value"}',
                                   description="Payload", style=label,
                                   layout=w.Layout(width="620px", height="90px"))
        self._invoke = w.Button(description="Invoke", icon="play", button_style="primary",
                                layout=w.Layout(width="140px"))
        self._status = w.HTML(layout=full)
        self._invocations = w.HTML(layout=full)
        self._picker = w.Dropdown(options=[], description="Trace of", style=label,
                                  layout=w.Layout(width="100%"))
        self._trace_note = w.HTML(layout=full)
        self._trace_box = w.VBox([], layout=full)
        self._logs = w.HTML(layout=full)
        for widget, css in [(self._header, "awskit-lambda-header"),
                            (self._functions, "awskit-functions"),
                            (self._concurrency, "awskit-concurrency-box"),
                            (self._environments, "awskit-environments"),
                            (self._function, "awskit-function-select"),
                            (self._payload, "awskit-payload"), (self._invoke, "awskit-invoke"),
                            (self._status, "awskit-status"),
                            (self._invocations, "awskit-invocations"),
                            (self._picker, "awskit-invocation-select"),
                            (self._trace_note, "awskit-trace-note"),
                            (self._trace_box, "awskit-invocation-trace"),
                            (self._logs, "awskit-logs")]:
            widget.add_class(css)
        self._invoke.on_click(weak(self._on_invoke))
        self._function.observe(weak(self._on_function), names="value")
        self._picker.observe(weak(self._on_pick), names="value")
        row = w.HBox([self._function, self._invoke], layout=w.Layout(align_items="center"))
        row.add_class("awskit-row")
        controls = w.VBox([row, self._payload, self._status], layout=full)
        controls.add_class("awskit-controls-box")
        self._finish([self._header, self._functions, self._concurrency, self._environments,
                      w.HTML(H.section("Invoke")), controls, self._invocations, self._picker,
                      self._trace_note, self._trace_box, self._logs], "awskit-lambda-console")

    # -- rendering --------------------------------------------------------------------------
    def _render(self) -> None:
        cloud, svc, account, region = self.cloud, self.service, self.account, self.region
        cost = cloud.meter.total("lambda", account)
        billed = T.billed_requests(cloud, account)
        self._header.value = (
            '<div class="awskit-header"><span class="awskit-title">AWS Lambda</span>'
            f'<span class="awskit-meta">account {H.esc(account)} · {H.esc(region)} · '
            f'{T.plural(billed, "invocation")} billed</span>'
            f'<span class="awskit-cost">${cost:,.{T.COST_DIGITS}f} so far</span></div>')
        self._functions.value = T.functions_html(T.function_rows(svc, account, region))
        self._concurrency.value = T.concurrency_html(svc, account, region)
        self._environments.value = T.environments_html(svc, account, region)
        names = [f.name for f in svc.functions_in(account, region)]
        records = T.account_invocations(svc, account, region)
        self._invocations.value = T.invocations_html(records)
        offered = records[-PICKER_CHOICES:][::-1]
        keys = [T.invocation_key(r) for r in offered]
        previous_newest = next(iter(self._records), None)
        self._records = dict(zip(keys, offered))
        pick = self._picker.value
        if pick not in self._records or pick == previous_newest:
            pick = keys[0] if keys else None          # follow the newest invocation
        self._rendering = True        # the observers need not render as well
        try:
            chosen = self._function.value if self._function.value in names else (
                self._default_function(names, records))
            self._function.options = names
            self._function.value = chosen
            self._picker.options = [(T.picker_label(r), k) for k, r in self._records.items()]
            self._picker.value = pick
        finally:
            self._rendering = False
        self._render_logs()
        self._show_trace()

    @staticmethod
    def _default_function(names: list[str], records: list) -> str | None:
        if not names:
            return None
        recent = T.name_version(records[-1].function_arn).split(":")[0] if records else None
        return recent if recent in names else names[0]

    def _render_logs(self) -> None:
        name = self._function.value
        function = self.service.find(self.account, self.region, name) if name else None
        self._logs.value = T.logs_html(self.cloud, function)

    def _show_trace(self) -> None:
        """Show the step-through of the invocation picked (built once per invocation)."""
        key = self._picker.value
        record = self._records.get(key)
        if key == self._shown_key and (record is None or self.step_through is not None):
            return
        self._drop_step_through()
        self._shown_key = key
        trace = record.trace if record is not None else None
        if trace is None:
            self._trace_note.value = ('<div class="awskit-empty">No invocation yet: its trace '
                                      'shows here, step by step.</div>' if record is None else
                                      '<div class="awskit-empty">This invocation has no trace.'
                                      '</div>')
            self._trace_box.children = []
            return
        from ..widgets.stepthrough import StepThrough
        view = StepThrough(trace)
        self.step_through = view
        self._st_finalizer = weakref.finalize(self, view.close)
        self._st_finalizer.atexit = False
        self._trace_note.value = (
            f'<div class="awskit-more">The trace of {H.esc(record.request_id)} '
            f'({H.esc(T.name_version(record.function_arn))}, {H.esc(T.start_kind(record))}, '
            f'{H.esc(T.outcome(record))}): press Play or move the slider.</div>')
        self._trace_box.children = [view.widget]

    def _drop_step_through(self) -> None:
        view, self.step_through = self.step_through, None
        if self._st_finalizer is not None:
            self._st_finalizer.detach()
            self._st_finalizer = None
        if view is not None:
            self._trace_box.children = []
            view.close()

    def _show_problem(self, text: str) -> None:
        self._set_status(text, error=True)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self._status_text, self._status_error = text, error
        self._status.value = H.status(text, error=error)

    # -- events -----------------------------------------------------------------------------
    def _on_function(self, change) -> None:
        if not self._rendering:
            with self.cloud.lock:
                self._render_logs()

    def _on_pick(self, change) -> None:
        if not self._rendering:
            self._show_trace()

    def _on_invoke(self, _button=None) -> None:
        self.invoke()

    # -- the Python side --------------------------------------------------------------------
    @property
    def status(self) -> str:
        """The status line as text (the last action's outcome)."""
        return self._status_text

    @property
    def function(self) -> str | None:
        """The function the invoke control and the logs act on."""
        return self._function.value

    @function.setter
    def function(self, name: str) -> None:
        if name not in self._function.options:
            raise ValueError(f"no function {name!r} in account {self.account}, {self.region}")
        self._function.value = name

    @property
    def invocation(self):
        """The invocation record whose trace the step-through shows (or None)."""
        return self._records.get(self._picker.value)

    def select(self, request_id: str):
        """Show the trace of the newest listed invocation with this request id."""
        for key, record in self._records.items():
            if record.request_id == request_id:
                self._picker.value = key
                return record
        raise ValueError(f"no recent invocation {request_id!r} in account {self.account}, "
                         f"{self.region}")

    def invoke(self, payload=None, *, function: str | None = None):
        """Invoke the chosen function (RequestResponse) with the payload typed (or ``payload``:
        JSON text, or data to encode as JSON): the Invoke button. Returns the response (its
        ``Payload`` read into bytes), or None when it failed (the status line says why)."""
        if function is not None:
            self.function = function
        if payload is not None:
            self._payload.value = payload if isinstance(payload, str) else json.dumps(payload)
        name, text = self._function.value, self._payload.value
        if not name:
            self._set_status("Invoke: create a function first.", error=True)
            return None
        if text.strip():
            try:
                json.loads(text)
            except ValueError as exc:
                self._set_status(f"Invoke: the payload is not valid JSON ({exc}); nothing was "
                                 "sent.", error=True)
                return None
        try:
            out = self.service.invoke(FunctionName=name, Payload=text.encode())
            out["Payload"] = out["Payload"].read()
        except Exception as exc:     # shown, never raised: AWS errors, bad parameters, bugs
            code = getattr(exc, "code", None)
            message = " ".join(str(getattr(exc, "message", None) or exc).split())
            self._set_status(f"Invoke {name} failed: {code or type(exc).__name__}: {message}",
                             error=True)
            request_id = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("RequestId")
            self._after_invoke(request_id)
            return None
        request_id = out["ResponseMetadata"]["RequestId"]
        record = self._after_invoke(request_id)
        how = f", {T.start_kind(record)} start, {record.duration_ms:g} ms, billed " \
              f"{record.billed_ms:,} ms" if record is not None else ""
        head = (f"Invoked {name} (version {out.get('ExecutedVersion', '$LATEST')}): "
                f"StatusCode {out['StatusCode']}{how}")
        if out.get("FunctionError"):
            self._set_status(f"{head}; FunctionError: {out['FunctionError']} "
                             f"({_error_summary(out['Payload'])}); request {request_id}.",
                             error=True)
        else:
            self._set_status(f"{head}; request {request_id}. Payload: "
                             f"{_payload_text(out['Payload'])}")
        return out

    def _after_invoke(self, request_id: str | None):
        """Refresh, and show the trace of the invocation just made (if it reached one)."""
        self.refresh()
        if not request_id:
            return None
        try:
            return self.select(request_id)
        except ValueError:           # refused before any invocation began (e.g. not found)
            return None

    def close(self) -> None:
        """Stop following the cloud; close every widget, the step-through's too."""
        if not self.closed:
            self._drop_step_through()
        super().close()

    def text(self) -> str:
        return describe(self.service)
