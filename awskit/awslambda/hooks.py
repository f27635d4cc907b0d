"""What the control plane's hooks do inside Lambda: code into component storage, SnapStart
snapshots at publish, provisioned environments (facts A6, A10, A11).

- ``on_code_stored`` (CreateFunction, UpdateFunctionCode): component storage flattens the code
  (a .zip, or an image's layers), cuts it into 512 KiB chunks, encrypts each with a key derived
  from its own content (convergent encryption) and stores the chunks it does not have yet.
- ``on_publish`` (PublishVersion): the new version's code is registered under its own ARN; with
  SnapStart, Lambda runs INIT (for real here, in a worker process, ``AWS_LAMBDA_INITIALIZATION_TYPE
  = snap-start``), runs the before-snapshot hooks and takes the Firecracker snapshot
  (``ExecutionProcess.snapshot()``: the initialised process becomes a template that forks
  restored copies); later cold starts of that version restore it instead of running INIT. INIT's
  log lines and ``INIT_REPORT`` go to the function's log group. A failed INIT leaves the version
  without a snapshot (awskit's simplification: AWS marks the version Failed); its cold starts then
  run INIT.
- ``on_provisioned_concurrency`` (Put/DeleteProvisionedConcurrencyConfig): Lambda allocates the
  environments in the background (PutProvisionedConcurrencyConfig answers 202): here a clock
  event right after the request places them and runs their INIT for real (traced as a
  ``lifecycle`` trace "ProvisionedConcurrency"), so invokes of that qualifier are warm from the
  first one once the configuration is READY. At most :data:`REAL_PROVISIONED` environments per
  configuration get their process at once (each is a live process on your machine); the others
  start theirs at first use, without an INIT in that invocation (AWS ran it at allocation).
  Deleting the configuration drains its environments. (Not simulated: moving an alias's
  provisioned environments when UpdateAlias points it elsewhere.)
"""

from __future__ import annotations

from ..request import Caller, Request
from .environments import CREDENTIALS_S, DeferredProcess
from .execution import INIT_TIMEOUT_S, epoch_ms
from .handler_bridge import CallServer, Phase
from .internals import Internals
from .runtime import ExecutionProcess, SnapshotError, report

REAL_PROVISIONED = 10


class LifecycleHooks:
    """The control plane's hooks, filled (mixed into the Lambda service before the mixins that
    declare them)."""

    # -- code ---------------------------------------------------------------------------------
    def _code_for_storage(self, version):
        if version.package_type == "Image":
            return self.image_layers(version)
        return self.package(version)

    def ensure_image(self, version, internals=None):
        """The component-storage manifest of ``version`` (registered if it is not yet)."""
        internals = internals or self.internals(version.region)
        manifest = internals.storage.images.get(version.arn)
        if manifest is None:
            manifest, _ = internals.storage.register_image(version.arn,
                                                           self._code_for_storage(version))
        return manifest

    def on_code_stored(self, function, version) -> list:
        internals = self.internals(version.region)
        manifest, stats = internals.storage.register_image(version.arn,
                                                           self._code_for_storage(version))
        model = internals.model
        return [("Component storage",
                 f"Flatten the {manifest.kind} into {stats['chunks']} chunks of "
                 f"{model.chunk_kib} KiB, each encrypted with a key derived from its own content "
                 f"(convergent encryption): {stats['new_chunks']} new, "
                 f"{stats['already_stored_chunks']} already stored (deduplicated)",
                 model.tiers_ms(stats["new_chunks"], model.origin_ms),
                 {"manifest_id": manifest.manifest_id, **stats})]

    # -- SnapStart ------------------------------------------------------------------------------
    def on_publish(self, function, version) -> list:
        internals = self.internals(version.region)
        manifest = self.ensure_image(version, internals)
        steps = [("Component storage", f"Register the code of {version.arn} (the chunks of "
                  "$LATEST: nothing new to store)", 0.0,
                  {"manifest_id": manifest.manifest_id})]
        if not version.snapstart_on:
            return steps
        stream = f"{self.cloud.clock.now:%Y/%m/%d}/[{version.version}]" + \
            self.cloud.ids.hex("lambda-log-stream", 32)
        held, init_ms, lines, problem = self._snapshot_process(version, stream)
        if held is None:
            steps.append(("Execution environment", f"INIT for the SnapStart snapshot failed "
                          f"({problem}): no snapshot; cold starts of version {version.version} "
                          "run INIT", init_ms, {"status": "error"}))
        else:
            _, more = internals.take_snapshot(
                version.account, version.arn, memory_mb=version.memory, init_ms=init_ms,
                runtime=version.runtime or "python3.12", image=manifest, process_snapshot=held)
            self._process_snapshots[version.arn] = held
            steps += more
        self.cloud.logs.write(version.account, version.region, version.log_group_name, stream,
                              lines)
        return steps

    def _snapshot_process(self, version, stream: str):
        """Run INIT for real and snapshot it: (runtime Snapshot or None, modelled INIT ms, log
        lines, problem)."""
        from .environments import NoEntrypoint
        t0 = self.cloud.clock.elapsed
        init_ms = self.duration_model_of(version).init(version.memory)
        try:
            code, handler = self.code_package(version)
        except NoEntrypoint as exc:
            return None, init_ms, [], str(exc)
        creds, _ = self.role_credentials(version, CREDENTIALS_S)   # restored copies keep them
        process = ExecutionProcess(
            code, handler, {**version.environment, **creds}, version.memory, version.name,
            version.version, version.log_group_name, stream, version.region, version.account,
            runtime=version.runtime or "python3.12", initialization_type="snap-start",
            random_seed=self.random_seed_of(stream))
        server = CallServer(self.cloud)
        process.answer_aws_calls(server)
        with Phase(self, server) as phase:
            out = process.init(INIT_TIMEOUT_S, now_ms=epoch_ms(t0))
        init_ms = round(init_ms + phase.span_ms, 3)
        lines = [(t0, line) for line in out.logs]
        if not out.ok:
            process.close()
            lines.append((t0, report.init_report_line(init_ms, out.status, out.error_type)))
            return None, init_ms, lines, out.error_type or out.status
        lines.append((t0, report.init_report_line(init_ms, "ok")))
        try:
            held = process.snapshot()
        except SnapshotError as exc:
            process.close()
            return None, init_ms, lines + [(t0, text) for text in exc.logs], exc.error_type
        return held, init_ms, lines + [(t0, text) for text in held.logs], None

    def process_snapshot(self, version, internals):
        """The live runtime snapshot to restore ``version`` from, taken again (for real, off
        the trace) if this process has none (a loaded cloud keeps no processes); None if the
        version has no Ready snapshot or INIT now fails."""
        if internals.snapshots.get(version.arn) is None:
            return None
        held = self._process_snapshots.get(version.arn)
        if held is not None and held.alive:
            return held
        held, _, _, _ = self._snapshot_process(version, "snapshot")
        if held is not None:
            self._process_snapshots[version.arn] = held
        return held

    # -- provisioned concurrency ----------------------------------------------------------------
    def on_provisioned_concurrency(self, function, qualifier: str, config) -> list:
        alias = function.aliases.get(qualifier)
        weights = {alias.version: 1.0 - sum(alias.routing.values()), **alias.routing} if alias \
            else {qualifier: 1.0}
        versions = [function.version(v) for v in weights]
        internals = self.internals(function.region)
        keys = {v.arn for v in versions if v is not None}
        if config is None:
            drained = self._drain_provisioned(internals, keys)
            return [("Assignment service", f"Drain the {drained} provisioned environment(s) of "
                     f"{function.arn}:{qualifier}", 0.0, {"environments": drained})]
        wanted, left = {}, config.requested
        for v, weight in sorted(weights.items(), key=lambda kv: -kv[1]):
            wanted[v] = min(left, round(config.requested * weight))
            left -= wanted[v]
        if left:
            wanted[next(iter(wanted))] += left
        self.cloud.clock.schedule(0.0, lambda: self._provision(function.arn, qualifier, wanted),
                                  name=f"provision {function.arn}:{qualifier}")
        return [("Assignment service", f"Allocate {config.requested} provisioned environment(s) "
                 f"for {function.arn}:{qualifier} in the background (placement, microVM, INIT); "
                 "Status READY once allocated", 0.0, {"versions": wanted})]

    def _drain_provisioned(self, internals, keys: set) -> int:
        envs = [e for e in internals.environments.values() if e.provisioned
                and e.function_key in keys]
        for env in envs:
            if env.state == "busy":
                env.draining = True
            else:
                internals.discard(env, "provisioned concurrency removed")
        return len(envs)

    def _provision(self, function_arn: str, qualifier: str, wanted: dict) -> None:
        function = self.functions.get(function_arn)
        if function is None or qualifier not in function.provisioned:
            return
        internals = self.internals(function.region)
        req = Request(self, self.operation_info("PutProvisionedConcurrencyConfig"),
                      {"FunctionName": function_arn, "Qualifier": qualifier},
                      Caller(principal=self.cloud.iam.root_principal(function.account),
                             region=function.region, front="lifecycle"),
                      self.new_request_id())
        req.principal = self.cloud.iam.root_principal(function.account)
        req._identity_recorded = True
        trace = req.trace
        trace.operation, trace.summary = "ProvisionedConcurrency", \
            f"Allocate provisioned concurrency of {function_arn}:{qualifier}"
        trace.principal, trace.account = "lambda.amazonaws.com", function.account
        real = 0
        for number, count in wanted.items():
            version = function.version(number)
            if version is None:
                continue
            have = [e for e in internals.environments.values()
                    if e.provisioned and e.function_key == version.arn]
            for env in have[count:]:                    # a smaller configuration than before
                if env.state == "busy":
                    env.draining = True
                else:
                    Internals.record(req, internals.discard(env, "provisioned concurrency "
                                                                 "lowered"))
            for _ in range(max(0, count - len(have))):
                real += self._provision_one(req, internals, version, real < REAL_PROVISIONED)
        self.cloud.traces.append(trace)
        self.cloud.notify(trace)

    def _provision_one(self, req, internals, version, now: bool) -> int:
        from .environments import NoEntrypoint
        manifest = self.ensure_image(version, internals)
        start = internals.cold_start_steps(version.account, version.arn, memory_mb=version.memory,
                                           runtime=version.runtime or "python3.12",
                                           image=manifest, provisioned=True)
        Internals.record(req, start.steps)
        env = start.env
        init_ms = self.duration_model_of(version).init(version.memory)
        if not now:
            env.process = DeferredProcess()
            self._serials[env.env_id] = self.serial(version)
            req.step("Execution environment", f"INIT in {env.env_id} (awskit starts its process "
                     f"at first use: at most {REAL_PROVISIONED} live processes per "
                     "configuration)", init_ms, env_id=env.env_id, deferred=True)
            Internals.record(req, internals.initialized(env, serve=False))
            return 0
        t0 = self.cloud.clock.elapsed
        try:
            process, note = self.new_process(version, env, "provisioned-concurrency")
        except NoEntrypoint as exc:
            req.step("Execution environment", f"INIT in {env.env_id} failed: {exc}", init_ms)
            Internals.record(req, internals.discard(env, "INIT failed"))
            return 0
        with Phase(self, self.server_of(env)) as phase:
            out = process.init(INIT_TIMEOUT_S, now_ms=epoch_ms(t0))
        init_ms = round(init_ms + phase.span_ms, 3)
        status = "ok" if out.ok else out.status
        req.step("Execution environment", f"INIT in {env.env_id} (provisioned concurrency): "
                 f"{'module code ran' if out.ok else out.error_type or status}", init_ms,
                 env_id=env.env_id, status=status, credentials=note)
        lines = [(t0, line) for line in out.logs]
        lines.append((self.cloud.clock.elapsed, report.init_report_line(
            init_ms, status, None if out.ok else out.error_type)))
        self.cloud.logs.write(version.account, version.region, version.log_group_name,
                              env.log_stream, lines)
        if not out.ok:
            Internals.record(req, internals.discard(env, "INIT failed"))
            return 1
        Internals.record(req, internals.initialized(env, serve=False))
        return 1
