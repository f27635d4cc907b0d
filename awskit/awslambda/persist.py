"""Lambda state as plain JSON data (``cloud.save``), and Lambda's part of ``cloud.graph()``.

Saved: every function (versions with their configuration, the configuration an in-progress
update still serves, aliases, tags, reserved and provisioned concurrency, event invoke
configurations, policy texts), layers, the code store (base64), pushed images, concurrency
quotas, the provisioned-concurrency billing periods, each used Region's internals
(``Internals.state()``: environments, worker hosts, journal, caches), the functions' duration
models and the events waiting in the asynchronous queues (their poller wake-ups are scheduled
again on load). Not saved: live processes (environments run INIT again at their next use) and
``invocations`` (they hold real measured times). States that follow the clock
(Pending → Active, InProgress → Successful, IN_PROGRESS → READY) are stored as the times they
change, so a loaded cloud continues where the saved one stopped.
"""

from __future__ import annotations

import dataclasses

from ..cloud import b64, unb64
from ..iam.policy import Policy
from .model import (Alias, EventInvokeConfig, Function, FunctionVersion, Image, Layer,
                    LayerVersion, ProvisionedConcurrency)
from .durations import DurationModel
from .store import ControlPlaneConfig


def _version_out(version: FunctionVersion | None):
    if version is None:
        return None
    out = dataclasses.asdict(dataclasses.replace(version, prior=None))
    out["prior"] = _version_out(version.prior)
    return out


def _version_in(data: dict | None) -> FunctionVersion | None:
    if data is None:
        return None
    data = dict(data)
    data["prior"] = _version_in(data.get("prior"))
    return FunctionVersion(**data)


def _function_out(function: Function) -> dict:
    return {
        "name": function.name, "account": function.account, "region": function.region,
        "created": function.created, "latest": _version_out(function.latest),
        "versions": {k: _version_out(v) for k, v in function.versions.items()},
        "next_version": function.next_version,
        "aliases": {k: dataclasses.asdict(a) for k, a in function.aliases.items()},
        "tags": dict(function.tags), "reserved": function.reserved,
        "provisioned": {k: dataclasses.asdict(p) for k, p in function.provisioned.items()},
        "event_invoke": {k: dataclasses.asdict(e) for k, e in function.event_invoke.items()},
        "policies": {k: p.text for k, p in function.policies.items()},
    }


def _function_in(data: dict) -> Function:
    return Function(
        data["name"], data["account"], data["region"], data["created"],
        _version_in(data["latest"]),
        versions={k: _version_in(v) for k, v in data["versions"].items()},
        next_version=data["next_version"],
        aliases={k: Alias(**a) for k, a in data["aliases"].items()},
        tags=dict(data["tags"]), reserved=data["reserved"],
        provisioned={k: ProvisionedConcurrency(**p) for k, p in data["provisioned"].items()},
        event_invoke={k: EventInvokeConfig(**e) for k, e in data["event_invoke"].items()},
        policies={k: Policy.parse(t, kind="resource") for k, t in data["policies"].items()})


def dump_lambda(svc) -> dict:
    return {
        "functions": [_function_out(svc.functions[arn]) for arn in sorted(svc.functions)],
        "layers": [{"name": layer.name, "account": layer.account, "region": layer.region,
                    "next_version": layer.next_version,
                    "versions": [dataclasses.asdict(lv) for _, lv in
                                 sorted(layer.versions.items())]}
                   for _, layer in sorted(svc.layers.items())],
        "code": {key: b64(data) for key, data in sorted(svc.code.items())},
        "images": {uri: dataclasses.asdict(image) for uri, image in sorted(svc.images.items())},
        "concurrency_limits": [[a, r, n] for (a, r), n in sorted(svc.concurrency_limits.items())],
        "pricing": svc.pricing.dump(),
        "internals": {region: internals.state()
                      for region, internals in sorted(svc._internals.items())},
        "duration_models": {arn: model.to_dict()
                            for arn, model in sorted(svc.duration_models.items())},
        "async_events": svc.dump_async(),
    }


def load_lambda(svc, data: dict) -> None:
    svc._init_model()
    for saved in data["functions"]:
        function = _function_in(saved)
        svc.functions[function.arn] = function
    for saved in data["layers"]:
        layer = Layer(saved["name"], saved["account"], saved["region"],
                      next_version=saved["next_version"])
        for lv in saved["versions"]:
            version = LayerVersion(**lv)
            layer.versions[version.version] = version
        svc.layers[layer.arn] = layer
    svc.code.update({key: unb64(text) for key, text in data["code"].items()})
    svc.images.update({uri: Image(**image) for uri, image in data["images"].items()})
    svc.concurrency_limits.update({(a, r): n for a, r, n in data["concurrency_limits"]})
    svc.pricing.restore(data["pricing"])
    for region, saved in data.get("internals", {}).items():
        internals = svc.internals(region)
        internals.load_state(saved)                      # rebuilds its counting service
        internals.counting.use(ControlPlaneConfig(svc, region))
    svc.duration_models.update({arn: DurationModel.from_dict(d)
                                for arn, d in data.get("duration_models", {}).items()})
    svc.load_async(data.get("async_events", []))


def graph_lambda(svc, graph) -> None:
    """Functions (→ their role "assumes", → DLQ and destinations), versions, aliases, layers."""
    now = svc.now
    for arn in sorted(svc.functions):
        function = svc.functions[arn]
        latest = function.latest
        graph.add_node(arn, type="lambda-function", name=function.name,
                       region=function.region, account=function.account,
                       runtime=latest.runtime or "", package_type=latest.package_type,
                       memory_mb=latest.memory, state=latest.state(now))
        graph.add_edge(f"arn:aws:iam::{function.account}:root", arn, relation="owns")
        graph.add_edge(arn, latest.role, relation="assumes")
        if latest.dead_letter_arn:
            graph.add_edge(arn, latest.dead_letter_arn, relation="dead-letter-queue")
        for config in function.event_invoke.values():
            for relation, target in (("on-success", config.on_success),
                                     ("on-failure", config.on_failure)):
                if target:
                    graph.add_edge(arn, target, relation=relation,
                                   qualifier=config.qualifier)
        for version in function.versions.values():
            graph.add_node(version.arn, type="lambda-version", name=version.version,
                           region=function.region, account=function.account,
                           state=version.state(now))
            graph.add_edge(arn, version.arn, relation="contains")
        for layer_arn in latest.layers:
            graph.add_edge(arn, layer_arn, relation="uses-layer")
        for alias in function.aliases.values():
            graph.add_node(alias.arn, type="lambda-alias", name=alias.name,
                           region=function.region, account=function.account)
            graph.add_edge(arn, alias.arn, relation="contains")
            for version, weight in [(alias.version, 1 - sum(alias.routing.values())),
                                    *alias.routing.items()]:
                target = arn if version == "$LATEST" else f"{arn}:{version}"
                graph.add_edge(alias.arn, target, relation="routes-to", weight=weight)
    for layer_arn in sorted(svc.layers):
        layer = svc.layers[layer_arn]
        for lv in layer.versions.values():
            graph.add_node(lv.arn, type="lambda-layer-version", name=f"{lv.name}:{lv.version}",
                           region=lv.region, account=lv.account, deleted=lv.deleted)
