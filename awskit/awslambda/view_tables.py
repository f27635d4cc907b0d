"""What the Lambda console shows, read straight from the model (no request, no trace).

Plain functions, no ipywidgets: rows and HTML for :mod:`awskit.awslambda.view`. Every reader
looks at one account in one Region (the console's: the cloud's default ones):

- :func:`function_rows`: each function's configuration, as GetFunctionConfiguration and
  GetFunctionConcurrency / ListProvisionedConcurrencyConfigs would report it;
- :func:`environment_groups`: the execution environments on each worker host, live ones from
  ``internals.environments`` and recently removed ones from ``internals.history`` (the
  internals forget an environment once it is gone; its removal stays in the history);
- :func:`account_invocations`: the account's records in ``cloud.awslambda.invocations``
  (the last 1,000 of the cloud; not saved with it);
- :func:`concurrency_html`: concurrency in use against the quota, with GetAccountSettings'
  ``ConcurrentExecutions`` and ``UnreservedConcurrentExecutions``;
- :func:`logs_html`: the last lines of a function's log group (``cloud.logs.events``).

The internals of a Region are read only if they exist (``_internals``): calling
``cloud.awslambda.internals(region)`` would build them, which changes what the cloud saves.
"""

from __future__ import annotations

from datetime import timedelta

from ..clock import EPOCH
from ..widgets import html as H
from .model import LATEST

RECENT_INVOCATIONS = 10        # rows of the invocations table
RECENT_REMOVED = 10            # removed environments still listed
LOG_LINES = 20                 # log lines shown
#: decimals of the cost: a Lambda request costs $0.0000002 (the S3 console shows 6)
COST_DIGITS = 9

_STATES = {"initializing": ("initializing (cold start)", "#B7740F"),
           "idle": ("idle (warm)", "#1D8102"), "busy": ("busy", "#0972D3"),
           "reclaimed": ("reclaimed", "#687078")}


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural_form or word + 's'}"


def when(elapsed: float) -> str:
    """A simulated clock time, ``2026-03-02 09:00:00.562``."""
    moment = EPOCH + timedelta(seconds=round(elapsed, 3))
    return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"


def _ms(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


def internals_of(svc, region: str):
    """The Region's internals, or None if nothing has used Lambda there yet."""
    return svc._internals.get(region)


def name_version(function_key: str) -> str:
    """``fn:$LATEST`` of a qualified function ARN."""
    parts = function_key.split(":")
    return f"{parts[6]}:{parts[7] if len(parts) > 7 else LATEST}"


# -- functions -------------------------------------------------------------------------------
def _provisioned(function, now: float) -> str:
    if not function.provisioned:
        return "—"
    return ", ".join(f"{q}: {pc.allocated(now)}/{pc.requested} {pc.status(now)}"
                     for q, pc in sorted(function.provisioned.items()))


def _state(version, now: float) -> str:
    state = version.state(now)
    return f"{state} (update in progress)" if version.updating(now) else state


def function_rows(svc, account: str, region: str) -> list[tuple]:
    """One row per function: name, runtime, handler, memory (MB), timeout (s), package type,
    state, reserved and provisioned concurrency, SnapStart, versions/aliases, last modified,
    code size (bytes)."""
    now, rows = svc.now, []
    for f in svc.functions_in(account, region):
        v = f.latest
        published = ", ".join(sorted(f.versions, key=int)) or "—"
        aliases = ", ".join(f"{a.name}→{a.version}" for a in
                            sorted(f.aliases.values(), key=lambda a: a.name))
        rows.append((f.name, v.runtime or "(image)", v.handler or "—", v.memory, v.timeout,
                     v.package_type, _state(v, now),
                     "—" if f.reserved is None else f.reserved, _provisioned(f, now),
                     "On (published versions)" if v.snapstart == "PublishedVersions" else "Off",
                     published + (f"; {aliases}" if aliases else ""),
                     when(v.last_modified) + " UTC", v.code_size))
    return rows


def functions_html(rows: list[tuple]) -> str:
    return H.section("Functions", str(len(rows))) + H.scroll(H.table(
        ["Function", "Runtime", "Handler", "Memory (MB)", "Timeout (s)", "Package",
         "State", "Reserved", "Provisioned", "SnapStart", "Versions; aliases", "Last modified",
         "Code size (bytes)"],
        [(*r[:3], f"{r[3]:,}", r[4], *r[5:12], f"{r[12]:,}") for r in rows],
        numeric=(3, 4, 12), code=(2,),
        empty="No functions yet: create one with create_function (zip_function packages a "
              "handler)."))


# -- execution environments ------------------------------------------------------------------
def _removed(internals, account: str) -> list[dict]:
    """Environments of ``account`` removed recently (newest last): from the history, whose
    entries read ``"<reclaim|drain> <env id> of <function key>: <reason>"``."""
    out = []
    for entry in internals.history:
        detail = entry["detail"]
        env_id, reason = detail.get("env_id"), detail.get("reason")
        if entry["component"] != "Execution environment" or not env_id or reason is None:
            continue
        op, _, rest = entry["action"].partition(" ")
        head, tail = f"{env_id} of ", f": {reason}"
        if op not in ("reclaim", "drain") or not (rest.startswith(head) and rest.endswith(tail)):
            continue
        key = rest[len(head):len(rest) - len(tail)]
        if key.split(":")[4:5] == [account] and env_id not in internals.environments:
            out.append({"env_id": env_id, "host_id": detail.get("host_id"), "function_key": key,
                        "t": entry["t"], "reason": reason})
    return out[-RECENT_REMOVED:]


def environment_counts(svc, account: str, region: str) -> tuple[int, int]:
    """(live environments of the account, idle (warm) ones)."""
    internals = internals_of(svc, region)
    if internals is None:
        return 0, 0
    envs = [e for e in internals.environments.values() if e.account == account and e.alive]
    return len(envs), sum(1 for e in envs if e.state == "idle")


def _state_html(state: str) -> H.Raw:
    label, colour = _STATES.get(state, (state, "#16191F"))
    return H.Raw(f'<span class="awskit-env-{H.esc(state)}" style="color:{colour};'
                 f'font-weight:600">{H.esc(label)}</span>')


def _notes(env, internals, now: float) -> str:
    notes = []
    if env.provisioned:
        notes.append("provisioned: never reclaimed for idleness")
    elif env.state == "idle":
        left = env.last_used + internals.model.idle_reclaim_s - now
        notes.append(f"idle {now - env.last_used:,.1f} s; reclaimed after "
                     f"{internals.model.idle_reclaim_s:g} s idle (in {max(left, 0):,.1f} s)")
    if env.restored:
        notes.append("restored from a SnapStart snapshot")
    if env.draining:
        notes.append("lease ended: goes when its request ends")
    if not env.has_process:
        notes.append("no worker process (a loaded cloud): its next request runs INIT")
    return "; ".join(notes) or "—"


def environment_groups(svc, account: str, region: str) -> list[tuple]:
    """``(host, [rows])`` for every worker host that runs (or recently ran) one of the
    account's environments, in host order; a row is (environment, function:version, state,
    microVM, invocations, created, last used, notes)."""
    internals = internals_of(svc, region)
    if internals is None:
        return []
    now, by_host = svc.now, {}
    for env in sorted(internals.environments.values(), key=lambda e: (e.created, e.env_id)):
        if env.account == account:
            by_host.setdefault(env.host_id, []).append((
                env.env_id, name_version(env.function_key), env.state,
                f"{env.microvm_id} ({env.microvm_mib:,} MiB)", env.invocations,
                when(env.created), when(env.last_used), _notes(env, internals, now)))
    for gone in _removed(internals, account):
        by_host.setdefault(gone["host_id"], []).append((
            gone["env_id"], name_version(gone["function_key"]), "reclaimed", "destroyed", "—",
            "—", "—", f"removed at {when(gone['t'])}: {gone['reason']}"))
    return [(host, by_host[host.host_id]) for host in internals.placement.hosts
            if host.host_id in by_host]


def environments_html(svc, account: str, region: str) -> str:
    groups = environment_groups(svc, account, region)
    live, warm = environment_counts(svc, account, region)
    head = H.section("Execution environments by worker host",
                     f"{plural(live, 'live environment')} ({warm} warm)")
    if not groups:
        return head + ('<div class="awskit-empty">No execution environments: the first '
                       'invocation of a function starts one (a cold start).</div>')
    internals = internals_of(svc, region)
    hosts = plural(len(internals.placement.hosts), "worker host")
    parts = [head, f'<div class="awskit-more">{hosts} in {", ".join(internals.azs)}; the hosts '
             'running your environments are listed (other accounts share them). Each '
             'environment is one Firecracker microVM.</div>']
    model = internals.model
    for host, rows in groups:
        health = "healthy" if host.healthy else "unhealthy"
        parts.append(
            f'<div class="awskit-host" style="margin:8px 0 2px 0"><b>{H.esc(host.host_id)}</b> '
            f'· {H.esc(host.az)} · {health} · {plural(len(host.vms), "microVM")} hosted · '
            f'{host.load(model):.4%} of {host.memory_mib / 1024:,.0f} GiB in use</div>')
        parts.append(H.table(
            ["Environment", "Function", "State", "microVM", "Invocations", "Created",
             "Last used", "Notes"],
            [(r[0], r[1], _state_html(r[2]), *r[3:]) for r in rows], numeric=(4,), code=(0,)))
    return "".join(parts)


# -- concurrency -----------------------------------------------------------------------------
def concurrency_html(svc, account: str, region: str) -> str:
    """In use now against the quota; GetAccountSettings' figures; per-function settings."""
    limit = svc.concurrency_limit(account, region)
    unreserved = svc.unreserved(account, region)
    internals = internals_of(svc, region)
    in_use = internals.counting.concurrency(account) if internals is not None else 0
    rows = []
    for f in svc.functions_in(account, region):
        used = internals.counting.concurrency(account, f.arn) if internals is not None else 0
        if f.reserved is not None or f.provisioned or used:
            rows.append((f.name, "—" if f.reserved is None else f.reserved,
                         f.provisioned_total() or "—", used))
    summary = (f'<div class="awskit-concurrency"><b>{in_use:,}</b> of <b>{limit:,}</b> '
               'concurrent executions in use now (the account quota in this Region: '
               f'<code>ConcurrentExecutions</code> {limit:,}); '
               f'<code>UnreservedConcurrentExecutions</code> {unreserved:,} (the quota minus '
               'reserved concurrency, and minus provisioned concurrency of functions without a '
               'reservation).</div>')
    table = H.table(["Function", "Reserved", "Provisioned", "In use now"], rows,
                    numeric=(1, 2, 3), empty="No function has reserved or provisioned "
                    "concurrency: all share the unreserved pool.")
    return H.section("Concurrency") + summary + table


# -- invocations -----------------------------------------------------------------------------
def account_invocations(svc, account: str, region: str) -> list:
    """The account's invocation records in the Region, oldest first."""
    prefix = f"arn:aws:lambda:{region}:{account}:function:"
    return [r for r in svc.invocations if r.function_arn.startswith(prefix)]


def invocation_key(record) -> str:
    """A stable key for one record (an async event's attempts share their request id)."""
    return f"{record.request_id}/{record.attempt}/{record.start:.6f}"


def start_kind(record) -> str:
    if record.status == "throttled":
        return "—"
    if record.restored:
        return "cold (SnapStart restore)"
    if record.provisioned and not record.cold:
        return "warm (provisioned)"
    return "cold" if record.cold else "warm"


def outcome(record) -> str:
    return {"ok": "ok", "throttled": "throttled (429)",
            "timeout": "timed out"}.get(record.status) or \
        f"{record.status}: {record.error_type or 'Unhandled'}"


def _time_of(record) -> str:
    trace = record.trace
    return when(trace.t0 if trace is not None else record.start)


def picker_label(record) -> str:
    kind = "sync" if record.invocation_type == "RequestResponse" else \
        f"async attempt {record.attempt}"
    return (f"{_time_of(record)[11:]} · {name_version(record.function_arn)} · {kind} · "
            f"{start_kind(record)} · {outcome(record)} · {record.request_id}")


def invocations_html(records: list) -> str:
    shown = records[-RECENT_INVOCATIONS:][::-1]
    rows = []
    for r in shown:
        ok = r.status == "ok"
        status = H.Raw(f'<span class="{"awskit-ok" if ok else "awskit-err"}">'
                       f'{H.esc(outcome(r))}</span>')
        kind = "sync" if r.invocation_type == "RequestResponse" else f"async #{r.attempt}"
        rows.append((_time_of(r), r.request_id, name_version(r.function_arn), kind,
                     start_kind(r), _ms(r.init_ms if r.restore_ms is None else r.restore_ms),
                     _ms(r.duration_ms), f"{r.billed_ms:,}", r.max_memory_mb or "—", status,
                     f"${r.cost:.9f}", r.env_id or "—"))
    return H.section("Recent invocations", f"last {len(rows)} of {len(records):,}") + H.table(
        ["Time (simulated, UTC)", "Request ID", "Function", "Type", "Start", "Init/restore ms",
         "Duration ms", "Billed ms", "Max memory (MB)", "Status", "Cost", "Environment"], rows,
        numeric=(5, 6, 7, 8, 10), code=(1,),
        empty="No invocations yet: invoke a function below or with invoke.")


# -- logs ------------------------------------------------------------------------------------
def _stream(name: str) -> str:
    """``2026/03/02/[$LATEST]68a0f75c…``: streams are long; the start tells them apart."""
    return name if len(name) <= 30 else name[:30] + "…"


def logs_html(cloud, function) -> str:
    if function is None:
        return H.section("Logs") + '<div class="awskit-empty">Choose a function.</div>'
    group = function.latest.log_group_name
    events = cloud.logs.events(group, account=function.account, region=function.region)
    shown = events[-LOG_LINES:]
    rows = [(when((e["timestamp"] - EPOCH.timestamp() * 1000) / 1000),
             H.Raw(f'<span title="{H.esc(e["logStreamName"])}">'
                   f'{H.esc(_stream(e["logStreamName"]))}</span>'),
             H.Raw(f'<span style="white-space:pre-wrap">{H.esc(e["message"])}</span>'))
            for e in shown]
    return H.section(f"Logs of {function.name}",
                     f"{group}: last {len(rows)} of {len(events):,} lines") + H.scroll(H.table(
                         ["Time (simulated, UTC)", "Stream", "Message"], rows, code=(2,),
                         empty=f"No log lines in {group} yet: invoke {function.name}."))


# -- the one-line description --------------------------------------------------------------
def billed_requests(cloud, account: str) -> int:
    """Invocations billed to the account (the meter's Lambda request lines)."""
    return int(sum(q for (svc, acct, usage), (q, _, _) in cloud.meter.usage.items()
                   if svc == "lambda" and acct == account and usage.startswith("Request")))


def describe(svc) -> str:
    """``AWS Lambda console (account 123456789012, us-east-1): 2 functions, 3 execution
    environments (1 warm), 5 invocations; $0.000001234 so far``: the functions and live
    environments of the account in the Region; the invocations billed to the account and its
    Lambda cost so far (the meter keeps them per account, all Regions together)."""
    cloud = svc.cloud
    account, region = cloud.default_account, cloud.default_region
    with cloud.lock:
        functions = len(svc.functions_in(account, region))
        live, warm = environment_counts(svc, account, region)
        invocations = billed_requests(cloud, account)
        cost = cloud.meter.total("lambda", account)
    return (f"AWS Lambda console (account {account}, {region}): "
            f"{plural(functions, 'function')}, {plural(live, 'execution environment')} "
            f"({warm} warm), {plural(invocations, 'invocation')}; ${cost:,.{COST_DIGITS}f} so far")
