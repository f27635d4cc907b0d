"""The placement service, worker hosts and their Firecracker microVMs (facts A1, A9).

What AWS reports: worker hosts are bare-metal EC2 instances; each keeps pools of empty,
pre-booted microVMs in several memory sizes and picks the smallest that fits a function [T25];
the placement service creates execution environments on workers under a time-based lease and
watches worker health [T25]. Firecracker [FC-spec][FC-2nd]: the VMM is ready in ~8 ms, a guest
boots to ``/sbin/init`` in <=125 ms, each microVM costs <=5 MiB of memory beyond its guest, and a
host creates up to 150 microVMs per second; density is limited only by host resources
(~8,000 x 128 MB microVMs on a 1 TB host).

How we model it:

- ``hosts_per_az`` hosts of ``host_memory_gib`` in each of the Region's first ``worker_azs``
  AZs, numbered round-robin over the AZs (worker-1 in a, worker-2 in b, ...);
- placement packs by memory only (CPU scales with memory [D-mem]): a microVM of pool size S
  takes S + overhead MiB, so a host holds ``memory / (S + overhead)`` of them. Pooled, empty
  microVMs are not charged (guest memory is only committed once used: a simplification);
- placement picks the healthy host with the lowest share of memory in use, ties to the lowest
  host number, and grants a lease of ``lease_s``; when no host has room the fleet grows by one
  host in the AZ with the fewest (real capacity is planned ahead; here it appears on demand);
- a host's pool of each size holds ``pool_depth`` microVMs; taking one starts booting its
  replacement. Every microVM creation takes a slot of the host's 150/s creation rate, so a burst
  of cold starts on one host empties the pool and then waits for boots: the first cold starts are
  fast, the next ones pay VMM start + boot (+ the wait for a creation slot). The initial pools
  were booted before the cloud's epoch;
- a microVM is never reused: when its environment goes, the microVM is destroyed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .latency import Model


@dataclass
class MicroVM:
    vm_id: str
    size_mib: int
    ready_at: float                 # clock time its guest finished booting
    env_id: str | None = None

    def to_list(self) -> list:
        return [self.vm_id, self.size_mib, _num(self.ready_at), self.env_id]


@dataclass
class WorkerHost:
    """One bare-metal worker host."""

    host_id: str
    az: str
    memory_mib: int
    number: int
    healthy: bool = True
    pools: dict = field(default_factory=dict)      # size -> [MicroVM] (pre-booted, empty)
    vms: dict = field(default_factory=dict)        # vm_id -> MicroVM hosting an environment
    next_create_at: float = float("-inf")
    created: int = 0                               # microVMs ever created (ids)
    used: float = 0.0                              # MiB of hosted microVMs + their overhead

    def used_mib(self, model: Model) -> float:
        return self.used

    def attach(self, vm: MicroVM, model: Model) -> None:
        self.vms[vm.vm_id] = vm
        self.used += vm.size_mib + model.microvm_overhead_mib

    def detach(self, vm_id: str, model: Model) -> None:
        vm = self.vms.pop(vm_id, None)
        if vm is not None:
            self.used -= vm.size_mib + model.microvm_overhead_mib

    def free_mib(self, model: Model) -> float:
        return self.memory_mib - self.used_mib(model)

    def load(self, model: Model) -> float:
        return self.used_mib(model) / self.memory_mib

    def describe(self, model: Model, now: float, environments: dict) -> dict:
        return {"host_id": self.host_id, "az": self.az, "healthy": self.healthy,
                "memory_gib": self.memory_mib / 1024, "used_mib": self.used_mib(model),
                "free_mib": self.free_mib(model), "load": round(self.load(model), 6),
                "microvms": [{"vm_id": vm.vm_id, "size_mib": vm.size_mib, "env_id": vm.env_id,
                              "state": environments[vm.env_id].state
                              if vm.env_id in environments else None}
                             for vm in self.vms.values()],
                "pools": {size: {"ready": sum(1 for v in vms if v.ready_at <= now),
                                 "booting": sum(1 for v in vms if v.ready_at > now)}
                          for size, vms in sorted(self.pools.items())},
                "density": {size: model.density(size) for size in model.microvm_sizes_mib}}


class Placement:
    """One Region's placement service and its fleet of worker hosts."""

    component = "Placement service"

    def __init__(self, clock, model: Model, azs: list[str]):
        self.clock = clock
        self.model = model
        self.azs = list(azs)
        self.hosts: list[WorkerHost] = []
        for _ in range(model.hosts_per_az):
            for az in self.azs:
                self._add_host(az, preboot=True)

    # -- the fleet ---------------------------------------------------------------------------------
    def _add_host(self, az: str, preboot: bool = False) -> WorkerHost:
        number = len(self.hosts) + 1
        host = WorkerHost(f"worker-{number}", az, self.model.host_memory_gib * 1024, number)
        self.hosts.append(host)
        self._fill_pools(host, booted_before_epoch=preboot)
        return host

    def host(self, host_id: str) -> WorkerHost:
        for h in self.hosts:
            if h.host_id == host_id:
                return h
        raise KeyError(f"no worker host {host_id!r}; hosts: {[h.host_id for h in self.hosts]}")

    def vm_size(self, memory_mb: int) -> int:
        """The smallest pool size that fits ``memory_mb`` [T25]."""
        for size in self.model.microvm_sizes_mib:
            if size >= memory_mb:
                return size
        raise ValueError(f"no microVM size fits {memory_mb} MB "
                         f"(largest {self.model.microvm_sizes_mib[-1]} MiB)")

    def _create_slot(self, host: WorkerHost) -> float:
        """The start time of the next microVM creation on ``host`` (150/s per host)."""
        start = max(self.clock.elapsed, host.next_create_at)
        host.next_create_at = start + 1.0 / self.model.microvm_create_per_s
        return start

    def _new_vm(self, host: WorkerHost, size: int, ready_at: float) -> MicroVM:
        host.created += 1
        return MicroVM(f"{host.host_id}/vm-{host.created}", size, ready_at)

    def _fill_pools(self, host: WorkerHost, booted_before_epoch: bool = False) -> None:
        boot_s = self.model.boot_on_demand_ms / 1000
        for size in self.model.microvm_sizes_mib:
            pool = host.pools.setdefault(size, [])
            while len(pool) < self.model.pool_depth:
                ready = float("-inf") if booted_before_epoch else self._create_slot(host) + boot_s
                pool.append(self._new_vm(host, size, ready))

    # -- placing an environment --------------------------------------------------------------------
    def place(self, memory_mb: int, function_key: str, *, for_restore: bool = False):
        """A host and a microVM for a new environment: ``(host, vm, steps)``.

        ``for_restore``: SnapStart restores into a fresh VMM instead of a pre-booted guest.
        """
        model = self.model
        size = self.vm_size(memory_mb)
        need = size + model.microvm_overhead_mib
        steps = []
        fits = [h for h in self.hosts if h.healthy and h.free_mib(model) >= need]
        if fits:
            host = min(fits, key=lambda h: (h.load(model), h.number))
        else:
            counts = {az: sum(1 for h in self.hosts if h.az == az) for az in self.azs}
            az = min(self.azs, key=lambda a: (counts[a], self.azs.index(a)))
            host = self._add_host(az)
            steps.append((self.component, f"No worker host has {need:g} MiB free: add "
                          f"{host.host_id} ({az}) to the fleet", 0.0,
                          {"host_id": host.host_id, "az": az, "fleet": len(self.hosts)}))
        room = int(host.free_mib(model) // need)
        lease_until = self.clock.elapsed + model.lease_s
        steps.append((self.component,
                      f"Place {_short(function_key)} ({memory_mb} MB -> {size} MiB microVM) on "
                      f"{host.host_id} ({host.az}): {host.load(model):.1%} of "
                      f"{host.memory_mib // 1024:,} GiB in use, room for {room:,} such microVMs; "
                      f"lease {model.lease_s / 3600:g} h", model.placement_ms,
                      {"host_id": host.host_id, "az": host.az, "size_mib": size, "room": room,
                       "lease_expires": lease_until}))
        now = self.clock.elapsed
        if for_restore:
            start = self._create_slot(host)
            vm = self._new_vm(host, size, start + model.vmm_ready_ms / 1000)
            wait = round((start - now) * 1000, 3)
            steps.append(("Firecracker microVM", f"Start a Firecracker VMM for {vm.vm_id} to "
                          f"restore into" + (f" (waited {wait:g} ms for a creation slot)"
                                             if wait else ""), model.vmm_ready_ms + wait,
                          {"vm_id": vm.vm_id, "size_mib": size, "wait_ms": wait}))
        else:
            pool = host.pools.setdefault(size, [])
            if pool:
                pool.sort(key=lambda v: v.ready_at)
                vm = pool.pop(0)
                wait = round(max(0.0, vm.ready_at - now) * 1000, 3)
                text = (f"Take pre-booted {size} MiB microVM {vm.vm_id} from the pool"
                        + (f" (still booting: wait {wait:g} ms)" if wait else
                           " (booted earlier, off the critical path)"))
                steps.append(("Worker host", text, model.pool_take_ms + wait,
                              {"vm_id": vm.vm_id, "size_mib": size, "pooled": True,
                               "wait_ms": wait}))
            else:
                start = self._create_slot(host)
                wait = round((start - now) * 1000, 3)
                vm = self._new_vm(host, size, start + model.boot_on_demand_ms / 1000)
                steps.append(("Firecracker microVM", f"Pool of {size} MiB microVMs empty: start "
                              f"VMM for {vm.vm_id}" + (f" (waited {wait:g} ms: 150 microVMs/s "
                                                       "per host)" if wait else ""),
                              model.vmm_ready_ms + wait,
                              {"vm_id": vm.vm_id, "size_mib": size, "pooled": False,
                               "wait_ms": wait}))
                steps.append(("Firecracker microVM", f"Boot guest kernel of {vm.vm_id} to "
                              "/sbin/init", model.microvm_boot_ms, {"vm_id": vm.vm_id}))
            self._fill_pools(host)          # boot a replacement in the background
        host.attach(vm, model)
        return host, vm, steps

    def destroy(self, host_id: str, vm_id: str) -> None:
        """The environment is gone: its microVM is destroyed, its memory returned."""
        for host in self.hosts:
            if host.host_id == host_id:
                host.detach(vm_id, self.model)
                return

    # -- health ------------------------------------------------------------------------------------
    def fail_host(self, host_id: str) -> list[str]:
        """Declare a host unhealthy: no new placements; returns the env ids it was running."""
        host = self.host(host_id)
        host.healthy = False
        host.pools = {}
        return [vm.env_id for vm in host.vms.values() if vm.env_id]

    def recover_host(self, host_id: str) -> WorkerHost:
        host = self.host(host_id)
        host.healthy = True
        self._fill_pools(host)
        return host

    # -- reading, saving ---------------------------------------------------------------------------
    def describe(self, environments: dict) -> list[dict]:
        now = self.clock.elapsed
        return [h.describe(self.model, now, environments) for h in self.hosts]

    def dump(self) -> dict:
        return {"hosts": [{"host_id": h.host_id, "az": h.az, "memory_mib": h.memory_mib,
                           "number": h.number, "healthy": h.healthy, "created": h.created,
                           "next_create_at": _num(h.next_create_at),
                           "pools": {str(s): [v.to_list() for v in vms]
                                     for s, vms in sorted(h.pools.items())},
                           "vms": [v.to_list() for v in h.vms.values()]}
                          for h in self.hosts]}

    def restore(self, data: dict) -> None:
        self.hosts = []
        for d in data["hosts"]:
            host = WorkerHost(d["host_id"], d["az"], d["memory_mib"], d["number"], d["healthy"],
                              created=d["created"], next_create_at=_unnum(d["next_create_at"]))
            host.pools = {int(s): [_vm(v) for v in vms] for s, vms in d["pools"].items()}
            for v in d["vms"]:
                host.attach(_vm(v), self.model)
            self.hosts.append(host)


def _vm(v: list) -> MicroVM:
    return MicroVM(v[0], v[1], _unnum(v[2]), v[3])


def _num(x: float):
    """JSON has no infinity: -inf (booted before the epoch) is saved as None."""
    return None if x == float("-inf") else x


def _unnum(x):
    return float("-inf") if x is None else x


def _short(function_key: str) -> str:
    parts = function_key.split(":")
    return ":".join(parts[6:]) if len(parts) > 6 else function_key
