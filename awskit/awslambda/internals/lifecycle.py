"""Starting, finishing and reclaiming execution environments: the steps of a cold and a warm
start (facts A1, A4, A5), as a mixin of :class:`~awskit.awslambda.internals.Internals`.

Cold start = [scaling-rate check] + placement (host, lease) + microVM (from the pool, or booted)
+ credentials and environment variables to the worker + runtime start + code download, then
INIT, which the caller runs and times [OPL]. With a SnapStart snapshot: placement + a fresh VMM
+ snapshot chunks + restore, and no INIT. Warm start = the assignment service finds an idle
environment, the invoke proxy forwards the payload, the environment thaws [LDG-life].
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .environment import ExecutionEnvironment, function_arn_of, version_of


@dataclass
class Start:
    """How a request gets its environment. ``steps`` go on the trace in order; then, if
    ``needs_init``, the caller runs INIT (and records it), then calls ``initialized(env)``."""

    env: ExecutionEnvironment | None
    steps: list = field(default_factory=list)
    cold: bool = False
    restored: bool = False          # SnapStart: restored from a snapshot, no INIT
    needs_init: bool = False
    throttle: str | None = None     # FunctionInvocationRateLimitExceeded: no environment
    fetch: object = None            # the code Fetch of a cold start (bytes, counts per tier)

    @property
    def ms(self) -> float:
        return round(sum(s[2] for s in self.steps), 3)


class Lifecycle:
    """Mixin: needs ``clock``, ``ids``, ``model``, ``counting``, ``assignment``, ``placement``,
    ``storage``, ``snapshots``, ``environments``, ``_events``, ``_reclaim_callbacks``, ``_log``."""

    # -- getting an environment --------------------------------------------------------------------
    def start(self, account: str, function_key: str, *, memory_mb: int,
              runtime: str = "python3.12", image=None, snapstart: bool = False,
              grant=None) -> Start:
        """A warm environment if one is idle, else a cold start: one call for the invoke path.

        ``grant`` is the counting service's :class:`Grant`: a provisioned slot prefers a
        provisioned environment. SnapStart restores when the version has a Ready snapshot.
        """
        prefer = grant is not None and getattr(grant, "pool", None) == "provisioned"
        warm = self.warm_start_steps(function_key, prefer_provisioned=prefer)
        if warm.env is not None:
            return warm
        cold = self.cold_start_steps(account, function_key, memory_mb=memory_mb, runtime=runtime,
                                     image=image, snapstart=snapstart)
        cold.steps[:0] = warm.steps
        return cold

    def warm_start_steps(self, function_key: str, *, prefer_provisioned: bool = False) -> Start:
        """Route to an idle environment of ``function_key``: ``Start(env=None)`` if none."""
        env, steps = self.assignment.find_warm(function_key, prefer_provisioned)
        if env is None:
            return Start(None, steps)
        steps += self.assignment.assign(env)
        env.invocations += 1
        self.snapshots.touch(function_key)
        steps.append(("Worker host", f"Invoke proxy on {env.host_id} forwards the payload to "
                      f"{env.env_id} ({env.microvm_id})", self.model.invoke_proxy_ms,
                      {"host_id": env.host_id, "env_id": env.env_id}))
        needs_init = not env.has_process
        if needs_init:
            steps.append(("Execution environment", f"{env.env_id} has no live process (its "
                          "process ended, or the cloud was loaded from a file): start the "
                          f"{env.runtime} runtime again; INIT runs again",
                          self.model.runtime_start_ms, {"env_id": env.env_id}))
            env.state = "initializing"
        else:
            steps.append(("Execution environment", f"Thaw {env.env_id}: globals, connections "
                          "and /tmp kept from earlier invokes", self.model.thaw_ms,
                          {"env_id": env.env_id, "invocations": env.invocations}))
        return Start(env, steps, cold=False, needs_init=needs_init)

    def cold_start_steps(self, account: str, function_key: str, *, memory_mb: int,
                         runtime: str = "python3.12", image=None, snapstart: bool = False,
                         provisioned: bool = False) -> Start:
        """Create a new environment for ``function_key`` (a qualified ARN).

        ``image``: the code manifest (default: the one registered under ``function_key`` with
        ``storage.register_image``). ``snapstart``: restore the version's Ready snapshot if any.
        ``provisioned``: an environment of provisioned concurrency (no scaling-rate check, never
        reclaimed for idleness; the caller runs its INIT and then calls ``initialized(env,
        serve=False)``). The INIT step itself is the caller's.
        """
        model = self.model
        steps = []
        snap = self.snapshots.get(function_key) if snapstart else None
        if snap is None:
            if image is None:
                image = self.storage.images.get(function_key)
            if image is None:
                raise KeyError(f"no code registered for {function_key}: call "
                               "internals.storage.register_image(function_key, code) first")
        self.placement.vm_size(memory_mb)        # a memory no microVM fits: ValueError, first
        if not provisioned:
            reason, step = self.counting.admit_new_environment(account, function_key)
            steps.append(step)
            if reason:
                return Start(None, steps, cold=True, throttle=reason)
        host, vm, place_steps = self.placement.place(memory_mb, function_key,
                                                     for_restore=snap is not None)
        steps += place_steps
        now = self.clock.elapsed
        version = version_of(function_key)
        env = ExecutionEnvironment(
            env_id="env-" + self.ids.hex("lambda-environment", 12), account=account,
            function_key=function_key, version=version, memory_mb=int(memory_mb),
            runtime=runtime, host_id=host.host_id, microvm_id=vm.vm_id, microvm_mib=vm.size_mib,
            az=host.az, partition=0, created=now, last_used=now,
            log_stream=f"{self.clock.now:%Y/%m/%d}/[{version}]"
                       + self.ids.hex("lambda-log-stream", 32),
            snapstart=bool(snapstart), restored=snap is not None, provisioned=provisioned,
            lease_expires=now + model.lease_s)
        vm.env_id = env.env_id
        steps += self.assignment.register(env)
        steps.append(("Assignment service", f"Send {function_arn_of(function_key).split(':')[-1]}"
                      f"'s role credentials and environment variables to {host.host_id}",
                      model.credentials_ms, {"env_id": env.env_id, "host_id": host.host_id}))
        self._schedule_lease(env)
        if snap is not None:
            steps += self.snapshots.restore_steps(snap, host.host_id, host.az)
            return Start(env, steps, cold=True, restored=True, needs_init=False)
        steps.append(("Execution environment", f"Start the {runtime} runtime in {env.env_id} "
                      f"({vm.vm_id})", model.runtime_start_ms,
                      {"env_id": env.env_id, "runtime": runtime}))
        fetch = self.storage.fetch(image, host.host_id, host.az)
        steps.append(fetch.step)
        return Start(env, steps, cold=True, needs_init=True, fetch=fetch)

    def initialized(self, env: ExecutionEnvironment, *, serve: bool = True) -> list:
        """INIT (or restore) finished: the environment takes its request (``serve``) or, for
        provisioned concurrency, waits idle. Returns the journal step (none when the
        environment was already assigned: call it after every :class:`Start`, it is a no-op
        on a plain warm start)."""
        if serve:
            if self.assignment.routed_state(env) == "busy":   # a warm start: already assigned
                env.state = "busy"
                return []
            env.invocations += 1
            return self.assignment.assign(env)
        steps = self.assignment.release(env)
        self._schedule_idle(env)
        return steps

    # -- after the request ---------------------------------------------------------------------------
    def finish(self, env: ExecutionEnvironment) -> list:
        """The response was sent: freeze the environment (idle), or remove it if its lease ended
        during the request. Returns the journal steps."""
        if not env.alive:
            return []
        if env.draining:
            return self.discard(env, "lease ended")
        steps = self.assignment.release(env)
        self._schedule_idle(env)
        return steps

    def discard(self, env: ExecutionEnvironment, reason: str) -> list:
        """Remove an environment now (INIT failed, crash, lease ended): stop routing, destroy
        the microVM, call the reclaim callbacks. Returns the journal steps."""
        return self._remove(env, "drain", reason)

    def on_reclaim(self, callback) -> None:
        """Call ``callback(env, reason)`` whenever an environment is removed (idle reclaim on the
        clock, lease end, host failure, discard): the invoke path closes the worker process."""
        self._reclaim_callbacks.append(callback)

    def _remove(self, env, op: str, reason: str) -> list:
        if not env.alive:
            return []
        self._cancel(env.env_id, "idle")
        self._cancel(env.env_id, "lease")
        self._events.pop(env.env_id, None)
        steps = (self.assignment.reclaim if op == "reclaim" else self.assignment.drain)(env, reason)
        self.placement.destroy(env.host_id, env.microvm_id)
        for callback in list(self._reclaim_callbacks):
            callback(env, reason)
        process, env.process = env.process, None
        if process is not None and getattr(process, "alive", False):
            process.close()
        self._log("Execution environment", f"{op} {env.env_id} of {env.function_key}: {reason}",
                  env_id=env.env_id, host_id=env.host_id, reason=reason)
        return steps

    # -- the clock -----------------------------------------------------------------------------------
    def _cancel(self, env_id: str, kind: str) -> None:
        event = self._events.get(env_id, {}).pop(kind, None)
        if event is not None:
            event.cancel()

    def _schedule_idle(self, env) -> None:
        """Arm the idle-reclaim timer of an idle environment. One timer per environment: when
        it fires on an environment used since, it re-arms itself for the new deadline (no
        event per invoke)."""
        if env.provisioned or "idle" in self._events.get(env.env_id, {}):
            return
        idle_s = self.model.idle_reclaim_s

        def reclaim_if_idle():
            self._events.get(env.env_id, {}).pop("idle", None)
            if not env.alive or env.state != "idle":
                return                       # busy: finish() re-arms the timer
            if self.clock.elapsed >= env.last_used + idle_s:
                self._remove(env, "reclaim", f"idle for {idle_s:g} s")
            else:
                self._schedule_idle(env)
        self._events.setdefault(env.env_id, {})["idle"] = self.clock.schedule_at(
            env.last_used + idle_s, reclaim_if_idle, name=f"reclaim {env.env_id}")

    def _schedule_lease(self, env) -> None:
        if env.provisioned:
            return

        def lease_ended():
            self._events.get(env.env_id, {}).pop("lease", None)
            if not env.alive:
                return
            if env.state == "idle":
                self._remove(env, "drain", "lease ended")
            else:
                env.draining = True          # removed when its request ends
        self._events.setdefault(env.env_id, {})["lease"] = self.clock.schedule_at(
            env.lease_expires, lease_ended, name=f"lease end {env.env_id}")

    def _reschedule_all(self) -> None:
        """After a load: the clock's queue is not saved, so re-arm every environment's timers."""
        for env in sorted(self.environments.values(), key=lambda e: e.env_id):
            if env.state == "idle":
                self._schedule_idle(env)
            if not env.draining:
                self._schedule_lease(env)
