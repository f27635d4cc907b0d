"""Lambda internals: counting, assignment (partitions, journal, failover), placement and
Firecracker pools, component storage (convergent encryption, dedup, tiered caches), SnapStart,
determinism and save/load. Expected values are derived from the facts and the model's figures,
never copied from an output."""

import hashlib
import json
import random

import pytest

import awskit
from awskit.awslambda.internals import UNIQUENESS, Internals, LimitError, Model
from awskit.awslambda.internals.chunks import decrypt, seal

ACCOUNT = "123456789012"
REGION = "us-east-1"


def fkey(name="hello", version="$LATEST", region=REGION, account=ACCOUNT):
    return f"arn:aws:lambda:{region}:{account}:function:{name}:{version}"


class FakeProcess:
    """Stands in for the runtime's ExecutionProcess (alive / close)."""

    def __init__(self):
        self.alive = True

    def close(self):
        self.alive = False


def make(cloud, **figures):
    return Internals(cloud, REGION, Model(**figures))


def cold(it, key, memory=128, **kw):
    """A full cold start + invoke end, as the invoke path drives it; returns the env."""
    start = it.start(ACCOUNT, key, memory_mb=memory, **kw)
    assert start.env is not None, start.throttle
    if start.needs_init:
        start.env.process = FakeProcess()
    it.initialized(start.env)
    it.finish(start.env)
    return start.env


def rand_bytes(seed, n):
    return random.Random(seed).randbytes(n)


# -- the model ----------------------------------------------------------------------------------------
def test_every_figure_has_a_source_and_facts_are_the_facts():
    model = Model()
    rows = {r["name"]: r for r in model.table()}
    assert all(r["source"] for r in rows.values())
    assert model.counting_ms < 1.5                              # [T25] target
    assert model.account_concurrency == 1000 and model.min_unreserved == 100
    assert (model.scale_new_environments, model.scale_window_s) == (1000, 10.0)
    assert model.microvm_boot_ms <= 125 and model.microvm_overhead_mib <= 5
    assert model.microvm_create_per_s == 150 and model.chunk_kib == 512
    assert (model.az_cache_ms, model.origin_ms) == (0.55, 36.0)
    assert 4 <= model.snapshot_restore_ms <= 10
    # ~8,000 x 128 MB microVMs per 1 TB host [FC-2nd]
    assert 7500 < model.density(128) < 8500
    assert model.density(512) == 1024 * 1024 // (512 + 5)
    assert "teaching" in rows["idle_reclaim_s"]["source"]
    assert "unconfirmed" in rows["replicas_per_partition"]["source"]


@pytest.mark.parametrize("bad", [{"partitions": 0}, {"lazy_fraction": 0}, {"microvm_sizes_mib": []},
                                 {"hosts_per_az": 0}, {"snapshot_read_fraction": 1.5}])
def test_bad_model_figures_are_refused(bad):
    with pytest.raises(ValueError):
        Model(**bad)


def test_model_from_dict_refuses_unknown_figures():
    with pytest.raises(ValueError, match="unknown"):
        Model.from_dict({"warp_speed": 9})
    assert Model.from_dict(Model(partitions=3).to_dict()).partitions == 3


def test_unknown_region_is_refused(cloud):
    with pytest.raises(ValueError):
        Internals(cloud, "moon-east-1")


# -- counting service ----------------------------------------------------------------------------------
def test_account_settings_default_quota(cloud):
    it = make(cloud)
    assert it.counting.account_settings(ACCOUNT) == {"ConcurrentExecutions": 1000,
                                                     "UnreservedConcurrentExecutions": 1000}


def test_unreserved_pool_throttles_and_release_frees(cloud):
    it = make(cloud)
    it.counting.set_account_limit(ACCOUNT, 150)
    it.counting.set_reserved(ACCOUNT, fkey("reserved")[:-8], 50)
    assert it.counting.unreserved_pool(ACCOUNT) == 100
    grants = [it.counting.acquire(ACCOUNT, fkey("a" if i % 2 else "b")) for i in range(100)]
    assert all(grants)
    refused = it.counting.acquire(ACCOUNT, fkey("c"))
    assert not refused and refused.reason == "ConcurrentInvocationLimitExceeded"
    step = refused.steps[0]
    assert step[0] == "Counting service" and step[2] == it.model.counting_ms
    assert step[3]["reason"] == "ConcurrentInvocationLimitExceeded"
    # the reserved function still has its own 50
    assert it.counting.acquire(ACCOUNT, fkey("reserved"))
    it.counting.release(grants[0])
    it.counting.release(grants[0])                     # twice: no double credit
    assert it.counting.acquire(ACCOUNT, fkey("c"))
    assert not it.counting.acquire(ACCOUNT, fkey("c"))
    assert it.counting.concurrency(ACCOUNT) == 101


def test_reserved_concurrency_caps_the_function(cloud):
    it = make(cloud)
    fn = fkey("capped")[:-8]
    it.counting.set_reserved(ACCOUNT, fn, 2)
    ok = [it.counting.acquire(ACCOUNT, fkey("capped")) for _ in range(2)]
    assert all(g.pool == "reserved" for g in ok)
    third = it.counting.acquire(ACCOUNT, fkey("capped"))
    assert third.reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
    it.counting.set_reserved(ACCOUNT, fkey("zero")[:-8], 0)
    assert it.counting.acquire(ACCOUNT, fkey("zero")).reason == \
        "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert it.counting.account_settings(ACCOUNT)["UnreservedConcurrentExecutions"] == 998
    it.counting.set_reserved(ACCOUNT, fn, None)
    assert it.counting.acquire(ACCOUNT, fkey("capped")).pool == "unreserved"


def test_at_least_100_must_stay_unreserved(cloud):
    it = make(cloud)
    it.counting.set_reserved(ACCOUNT, fkey("a")[:-8], 900)
    with pytest.raises(LimitError, match=r"minimum value of \[100\]"):
        it.counting.set_reserved(ACCOUNT, fkey("b")[:-8], 1)
    it.counting.set_reserved(ACCOUNT, fkey("a")[:-8], 899)
    it.counting.set_reserved(ACCOUNT, fkey("b")[:-8], 1)
    with pytest.raises(LimitError):
        it.counting.set_account_limit(ACCOUNT, 999)


@pytest.mark.parametrize("value", [-1, 1.5, "10", True])
def test_bad_reservations_are_refused(cloud, value):
    it = make(cloud)
    with pytest.raises(LimitError):
        it.counting.set_reserved(ACCOUNT, fkey()[:-8], value)
    with pytest.raises(LimitError):
        it.counting.set_account_limit(ACCOUNT, value if value != 1.5 else 0)


def test_provisioned_concurrency_is_counted(cloud):
    it = make(cloud)
    it.counting.set_account_limit(ACCOUNT, 110)
    fn = fkey("pc")[:-8]
    it.counting.set_provisioned(ACCOUNT, fn, "1", 5)
    # the 5 are held whether used or not: 105 left of the unreserved pool
    assert it.counting.usage(ACCOUNT)["unreserved_in_use"] == 5
    assert it.counting.account_settings(ACCOUNT)["UnreservedConcurrentExecutions"] == 105
    grants = [it.counting.acquire(ACCOUNT, fkey("pc", "1"), "1") for _ in range(6)]
    assert [g.pool for g in grants] == ["provisioned"] * 5 + ["unreserved"]
    with pytest.raises(LimitError):     # 110 - 100 unreserved minimum leaves 10
        it.counting.set_provisioned(ACCOUNT, fkey("other")[:-8], "1", 6)
    it.counting.set_reserved(ACCOUNT, fkey("r")[:-8], 3)
    with pytest.raises(LimitError):
        it.counting.set_provisioned(ACCOUNT, fkey("r")[:-8], "1", 4)


def test_counting_can_read_another_configuration_source(cloud):
    """The control plane's records can be the one source of truth (Counting.use)."""
    it = make(cloud)
    fn = fkey("ext")[:-8]

    class ControlPlane:
        def limit(self, account):
            return 120

        def reserved(self, account, function_arn):
            return 1 if function_arn == fn else None

        def provisioned(self, account, function_arn, qualifier):
            return 0

        def reserved_total(self, account):
            return 1

        def provisioned_total(self, account, function_arn):
            return 0

        def provisioned_unreserved(self, account):
            return 0
    it.counting.use(ControlPlane())
    assert it.counting.account_settings(ACCOUNT) == {"ConcurrentExecutions": 120,
                                                     "UnreservedConcurrentExecutions": 119}
    assert it.counting.acquire(ACCOUNT, fkey("ext")).pool == "reserved"
    assert it.counting.acquire(ACCOUNT, fkey("ext")).reason == \
        "ReservedFunctionConcurrentInvocationLimitExceeded"
    with pytest.raises(LimitError, match="another source"):
        it.counting.set_reserved(ACCOUNT, fn, 5)


def test_scaling_rate_1000_new_environments_per_10_seconds(cloud):
    it = make(cloud)
    for _ in range(1000):
        assert it.counting.admit_new_environment(ACCOUNT, fkey("burst"))[0] is None
    reason, step = it.counting.admit_new_environment(ACCOUNT, fkey("burst"))
    assert reason == "FunctionInvocationRateLimitExceeded" and step[0] == "Counting service"
    # another function has its own rate
    assert it.counting.admit_new_environment(ACCOUNT, fkey("other"))[0] is None
    cloud.advance(9.9)
    assert it.counting.admit_new_environment(ACCOUNT, fkey("burst"))[0] is not None
    cloud.advance(0.2)
    assert it.counting.admit_new_environment(ACCOUNT, fkey("burst"))[0] is None


def test_cold_start_beyond_the_scaling_rate_is_throttled(cloud):
    it = make(cloud, scale_new_environments=2)
    it.storage.register_image(fkey(), b"code")
    starts = [it.start(ACCOUNT, fkey(), memory_mb=128) for _ in range(3)]
    assert [s.throttle for s in starts] == [None, None, "FunctionInvocationRateLimitExceeded"]
    assert starts[2].env is None and len(it.environments) == 2


# -- assignment service ----------------------------------------------------------------------------------
def test_partition_hashing_is_stable_and_spreads(cloud):
    it = make(cloud)
    other = Internals(awskit.Cloud(seed=7), REGION)
    keys = [fkey(f"fn{i}") for i in range(64)]
    for key in keys:
        expected = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % 8
        assert it.assignment.partition_of(key) == expected == other.assignment.partition_of(key)
    assert len({it.assignment.partition_of(k) for k in keys}) == 8


def test_partition_nodes_are_in_different_azs(cloud):
    it = make(cloud)
    for part in it.assignment.state()["partitions"]:
        azs = [n["az"] for n in part["nodes"]]
        assert len(set(azs)) == 3
        assert [n["role"] for n in part["nodes"]].count("leader") == 1


def test_every_assignment_change_is_journaled(cloud):
    it = make(cloud)
    it.storage.register_image(fkey(), b"code")
    env = cold(it, fkey())
    p = it.assignment.partition_of(fkey())
    ops = [e["op"] for e in it.assignment.journal(p)]
    assert ops == ["create", "assign", "release"]
    assert [e["seq"] for e in it.assignment.journal(p)] == [1, 2, 3]
    it.discard(env, "test")
    assert it.assignment.journal(p)[-1]["op"] == "drain"


def test_leader_failover_replays_exactly_the_journal_tail(cloud):
    it = make(cloud)
    key = fkey("ha")
    it.storage.register_image(key, b"code")
    # three environments busy at once, then idle
    starts = [it.start(ACCOUNT, key, memory_mb=128) for _ in range(3)]
    for s in starts:
        s.env.process = FakeProcess()
        it.initialized(s.env)
    for s in starts:
        it.finish(s.env)
    cloud.advance(5)                         # followers catch up
    p = it.assignment.partition_of(key)
    synced = it.assignment.state()["partitions"][p]
    assert all(n["applied_seq"] == synced["journal_length"] for n in synced["nodes"])
    # more changes the followers have not applied yet: a 4th environment, one reuse
    env = it.cold_start_steps(ACCOUNT, key, memory_mb=128).env
    env.process = FakeProcess()
    it.initialized(env)
    it.finish(env)
    again = it.start(ACCOUNT, key, memory_mb=128)
    it.finish(again.env)
    leader = it.assignment.partitions[p].leader
    before = {k: list(v) for k, v in leader.view.items()}
    failed = it.fail_leader(key)
    last = failed["journal_last_seq"]
    lag = last - max(failed["followers"].values())
    assert lag > 0
    found = it.start(ACCOUNT, key, memory_mb=128)
    failover = found.steps[0]
    assert failover[0] == "Assignment service" and "is down" in failover[1]
    d = failover[3]
    assert d["replayed"] == lag and d["to_seq"] == last and d["from_seq"] == last - lag + 1
    assert d["failed"] == failed["failed"] and d["new_leader"] in failed["followers"]
    assert failover[2] == pytest.approx(it.model.failover_detect_ms + lag * it.model.replay_entry_ms)
    # no warm environment lost: the new leader's view is the old leader's, and routing works
    assert not found.cold and found.env is not None
    new_leader = it.assignment.partitions[p].leader
    assert new_leader.node_id == d["new_leader"]
    view = {k: v for k, v in new_leader.view.items()}
    view[found.env.env_id] = before[found.env.env_id]   # only the new assignment differs
    assert view == before and len(before) == 4 and env.env_id in before
    nodes = it.assignment.state()["partitions"][p]["nodes"]
    assert "failed" not in [n["role"] for n in nodes] and len({n["az"] for n in nodes}) == 3
    replacement = next(n for n in nodes if n["node"] == d["replacement"])
    assert replacement["az"] == failed["az"] and replacement["applied_seq"] >= last


def test_failover_with_followers_fully_synced_replays_nothing(cloud):
    it = make(cloud)
    it.storage.register_image(fkey(), b"code")
    cold(it, fkey())
    cloud.advance(3)
    it.fail_leader(fkey())
    with pytest.raises(ValueError, match="already failed"):
        it.fail_leader(fkey())
    start = it.start(ACCOUNT, fkey(), memory_mb=128)
    assert start.steps[0][3]["replayed"] == 0 and not start.cold


def test_failover_without_followers_rebuilds_from_the_journal(cloud):
    it = make(cloud, replicas_per_partition=1, journal_checkpoint_every=2)
    it.storage.register_image(fkey(), b"code")
    envs = [it.cold_start_steps(ACCOUNT, fkey(), memory_mb=128).env for _ in range(3)]
    for env in envs:
        env.process = FakeProcess()
        it.initialized(env)
        it.finish(env)
    p = it.assignment.partition_of(fkey())
    it.fail_leader(p)
    base = it.assignment.partitions[p].checkpoint_seq
    assert 0 < base < 9                                  # compacted, with a tail after it
    start = it.start(ACCOUNT, fkey(), memory_mb=128)
    d = start.steps[0][3]
    assert "no follower" in start.steps[0][1] and d["environments"] == 3
    assert (d["replayed"], d["from_seq"], d["to_seq"]) == (9 - base, base + 1, 9)
    assert start.env in envs


@pytest.mark.parametrize("bad", [-1, 8, "x", 1.0])
def test_fail_leader_refuses_bad_partitions(cloud, bad):
    it = make(cloud)
    with pytest.raises(ValueError):
        it.assignment.fail_leader(bad)


def test_journal_is_compacted_into_a_checkpoint(cloud):
    it = make(cloud, journal_checkpoint_every=5)
    it.storage.register_image(fkey(), b"code")
    for _ in range(8):
        cold(it, fkey())
        cloud.advance(2)
    p = it.assignment.partition_of(fkey())
    state = it.assignment.state()["partitions"][p]
    assert state["checkpoint_seq"] > 0 and state["journal_kept"] < state["journal_length"]
    it.fail_leader(p)
    start = it.start(ACCOUNT, fkey(), memory_mb=128)
    assert not start.cold


# -- placement, worker hosts, Firecracker -----------------------------------------------------------------
@pytest.mark.parametrize("memory,size", [(128, 128), (129, 256), (200, 256), (1769, 2048),
                                         (10240, 10240)])
def test_smallest_microvm_size_that_fits(cloud, memory, size):
    assert make(cloud).placement.vm_size(memory) == size


def test_no_microvm_size_fits_too_much_memory(cloud):
    with pytest.raises(ValueError):
        make(cloud).placement.vm_size(10241)


def test_placement_spreads_then_density_then_fleet_grows(cloud):
    it = make(cloud, host_memory_gib=4, hosts_per_az=1, worker_azs=1)
    it.storage.register_image(fkey(), b"code")
    per_host = 4096 // (512 + 5)
    envs = [it.start(ACCOUNT, fkey(), memory_mb=512).env for _ in range(per_host + 1)]
    hosts = [e.host_id for e in envs]
    assert hosts[:per_host] == ["worker-1"] * per_host and hosts[-1] == "worker-2"
    worker1 = it.placement.host("worker-1")
    assert worker1.used_mib(it.model) == per_host * (512 + it.model.microvm_overhead_mib)
    assert all(e.microvm_mib == 512 for e in envs)


def test_least_loaded_host_with_deterministic_tie_break(cloud):
    it = make(cloud)
    it.storage.register_image(fkey(), b"code")
    envs = [it.start(ACCOUNT, fkey(), memory_mb=128).env for _ in range(7)]
    assert [e.host_id for e in envs] == [f"worker-{i}" for i in (1, 2, 3, 4, 5, 6, 1)]
    assert [e.az for e in envs[:3]] == ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_prebooted_pool_then_boot_waits_and_creation_rate(cloud):
    it = make(cloud, hosts_per_az=1, worker_azs=1, pool_depth=2)
    it.storage.register_image(fkey(), b"code")
    starts = [it.start(ACCOUNT, fkey(), memory_mb=256) for _ in range(3)]
    vm_steps = [next(s for s in st.steps if s[0] in ("Worker host", "Firecracker microVM"))
                for st in starts]
    assert vm_steps[0][3]["wait_ms"] == 0 and vm_steps[1][3]["wait_ms"] == 0
    # the third takes the first replacement, still booting: it started booting at t=0
    assert vm_steps[2][3]["wait_ms"] == pytest.approx(it.model.boot_on_demand_ms, abs=0.001)
    assert "still booting" in vm_steps[2][1]


def test_empty_pool_boots_on_demand_at_150_per_second(cloud):
    it = make(cloud, hosts_per_az=1, worker_azs=1, pool_depth=0)
    it.storage.register_image(fkey(), b"code")
    first = it.start(ACCOUNT, fkey(), memory_mb=128)
    second = it.start(ACCOUNT, fkey(), memory_mb=128)
    boots = [[s for s in st.steps if s[0] == "Firecracker microVM"] for st in (first, second)]
    assert [s[2] for s in boots[0]] == [it.model.vmm_ready_ms, it.model.microvm_boot_ms]
    assert boots[1][0][3]["wait_ms"] == pytest.approx(1000 / 150, abs=0.001)


def test_cold_start_has_the_documented_parts_and_warm_skips_them(cloud):
    it = make(cloud)
    it.storage.register_image(fkey(), b"code" * 1000)
    start = it.start(ACCOUNT, fkey(), memory_mb=128)
    components = [s[0] for s in start.steps]
    for c in ("Assignment service", "Placement service", "Worker host", "Execution environment",
              "Component storage"):
        assert c in components
    assert start.cold and start.needs_init and start.fetch.chunks == 1
    start.env.process = FakeProcess()
    it.initialized(start.env)
    it.finish(start.env)
    warm = it.start(ACCOUNT, fkey(), memory_mb=128)
    assert not warm.cold and not warm.needs_init and warm.env is start.env
    assert {s[0] for s in warm.steps} == {"Assignment service", "Worker host",
                                          "Execution environment"}
    assert warm.ms < start.ms
    assert it.initialized(warm.env) == [] and warm.env.invocations == 2


def test_reclaim_after_idle_time_on_the_clock(cloud):
    it = make(cloud, idle_reclaim_s=300)
    seen = []
    it.on_reclaim(lambda env, reason: seen.append((env.env_id, reason)))
    it.storage.register_image(fkey(), b"code")
    env = cold(it, fkey())
    process = env.process
    cloud.advance(200)
    assert it.start(ACCOUNT, fkey(), memory_mb=128).env is env   # reuse resets the timer
    it.finish(env)
    cloud.advance(299)
    assert env.state == "idle" and not seen
    cloud.advance(2)
    assert env.state == "reclaimed" and seen == [(env.env_id, "idle for 300 s")]
    assert env.process is None and not process.alive
    assert env.env_id not in it.environments
    host = it.placement.host(env.host_id)
    assert env.microvm_id not in host.vms
    p = it.assignment.partition_of(fkey())
    assert it.assignment.journal(p)[-1]["op"] == "reclaim"
    assert it.start(ACCOUNT, fkey(), memory_mb=128).cold


def test_busy_environment_is_not_reclaimed_and_provisioned_never_idles_out(cloud):
    it = make(cloud, idle_reclaim_s=60)
    it.storage.register_image(fkey(), b"code")
    busy = it.start(ACCOUNT, fkey(), memory_mb=128)
    busy.env.process = FakeProcess()
    it.initialized(busy.env)
    prov = it.cold_start_steps(ACCOUNT, fkey(), memory_mb=128, provisioned=True)
    prov.env.process = FakeProcess()
    it.initialized(prov.env, serve=False)
    cloud.advance(3600)
    assert busy.env.state == "busy" and prov.env.state == "idle"
    # a provisioned slot prefers the provisioned environment
    grant = type("G", (), {"pool": "provisioned"})()
    assert it.start(ACCOUNT, fkey(), memory_mb=128, grant=grant).env is prov.env


def test_lease_end_drains_idle_now_and_busy_when_done(cloud):
    it = make(cloud, lease_s=100, idle_reclaim_s=1000)
    it.storage.register_image(fkey(), b"code")
    idle = cold(it, fkey())
    busy = it.cold_start_steps(ACCOUNT, fkey(), memory_mb=128).env
    busy.process = FakeProcess()
    it.initialized(busy)
    cloud.advance(101)
    assert idle.state == "reclaimed" and idle.reclaimed_reason == "lease ended"
    assert busy.state == "busy" and busy.draining
    steps = it.finish(busy)
    assert busy.state == "reclaimed" and steps[-1][3]["op"] == "drain"


def test_unhealthy_host_drains_its_environments(cloud):
    it = make(cloud)
    seen = []
    it.on_reclaim(lambda env, reason: seen.append(reason))
    it.storage.register_image(fkey(), b"code")
    env = cold(it, fkey())
    assert it.fail_host(env.host_id) == [env.env_id]
    assert env.state == "reclaimed" and seen == [f"worker host {env.host_id} unhealthy"]
    again = it.start(ACCOUNT, fkey(), memory_mb=128)
    assert again.cold and again.env.host_id != env.host_id
    with pytest.raises(KeyError):
        it.fail_host("worker-99")


# -- component storage -----------------------------------------------------------------------------------
def test_convergent_encryption_names():
    a, b = rand_bytes(1, 1000), rand_bytes(2, 1000)
    one, two = seal(a, "salt-1"), seal(a, "salt-1")
    assert one.name == two.name and one.ciphertext == two.ciphertext
    assert seal(a, "salt-2").name != one.name            # another dedup domain
    assert seal(b, "salt-1").name != one.name
    assert one.ciphertext != a and decrypt(one.key, one.ciphertext) == a
    assert one.name == hashlib.sha256(one.ciphertext).hexdigest()


def test_images_are_chunked_at_512_kib_and_read_back(cloud):
    it = make(cloud)
    code = rand_bytes(3, 3 * 512 * 1024 + 10)
    manifest, stats = it.storage.register_image(fkey(), code)
    assert [c[2] for c in manifest.chunks] == [512 * 1024] * 3 + [10]
    assert stats["new_chunks"] == 4 and manifest.kind == "zip"
    assert it.storage.read(manifest) == code
    for stored in it.storage.origin.values():
        assert stored not in (code[:512 * 1024],)        # stored encrypted


@pytest.mark.parametrize("bad", ["text", 42, [b"ok", "no"], None])
def test_register_image_refuses_bad_code(cloud, bad):
    with pytest.raises(TypeError):
        make(cloud).storage.register_image(fkey(), bad)


def test_dedup_of_two_images_sharing_a_base_layer(cloud):
    it = make(cloud)
    base = rand_bytes(10, 6 * 512 * 1024)
    app1, app2 = rand_bytes(11, 600_000), rand_bytes(12, 700_000)
    it.storage.register_image(fkey("one"), [base, app1])
    _, stats = it.storage.register_image(fkey("two"), [base, app2])
    assert stats["already_stored_chunks"] == 6
    assert stats["new_bytes"] == len(app2)
    overall = it.storage.dedup()
    logical = 2 * len(base) + len(app1) + len(app2)
    stored = len(base) + len(app1) + len(app2)
    assert (overall["logical_bytes"], overall["stored_bytes"]) == (logical, stored)
    assert overall["ratio"] == pytest.approx(logical / stored, rel=1e-5)
    two = it.storage.dedup_of(fkey("two"))
    assert two["shared_bytes"] == len(base) and two["unique_bytes"] == len(app2)
    # another salt (another dedup domain) shares nothing
    _, isolated = it.storage.register_image(fkey("three"), [base], salt="tenant-x")
    assert isolated["already_stored_chunks"] == 0


def test_garbage_collection_keeps_shared_chunks(cloud):
    it = make(cloud)
    base = rand_bytes(20, 2 * 512 * 1024)
    it.storage.register_image(fkey("one"), [base, b"a" * 100])
    it.storage.register_image(fkey("two"), [base, b"b" * 100])
    it.storage.drop(fkey("one"))
    assert it.storage.garbage_collect() == 1            # only one's own last chunk
    assert it.storage.read(it.storage.images[fkey("two")])[:len(base)] == base


def test_lazy_loading_reads_a_deterministic_fraction(cloud):
    it = make(cloud)
    layers = [rand_bytes(30, 64 * 512 * 1024)]
    manifest, _ = it.storage.register_image(fkey(), layers)
    cut = int(it.model.lazy_fraction * 2 ** 32)
    expected = 1 + sum(1 for c in manifest.chunks[1:] if int(c[0][:8], 16) < cut)
    fetch = it.storage.fetch(manifest, "worker-1", "us-east-1a")
    assert fetch.chunks == expected < len(manifest.chunks)
    zip_manifest, _ = it.storage.register_image(fkey("z"), layers[0][:3 * 512 * 1024])
    assert it.storage.fetch(zip_manifest, "worker-1", "us-east-1a").chunks == 3


def test_cache_tiers_second_fetch_and_another_host_in_the_az(cloud):
    it = make(cloud)
    base = rand_bytes(40, 40 * 512 * 1024)
    one, _ = it.storage.register_image(fkey("one"), [base, rand_bytes(41, 20 * 512 * 1024)])
    two, _ = it.storage.register_image(fkey("two"), [base, rand_bytes(42, 20 * 512 * 1024)])
    first = it.storage.fetch(one, "worker-1", "us-east-1a")
    assert first.counts == {"local": 0, "az": 0, "origin": first.chunks}
    sub = first.substeps
    assert [s[3].get("tier") for s in sub[1:]] == ["local", "az", "origin"]
    assert sub[3][2] == it.model.tiers_ms(first.chunks, it.model.origin_ms)
    again = it.storage.fetch(one, "worker-1", "us-east-1a")
    assert again.counts == {"local": again.chunks, "az": 0, "origin": 0}
    # a second function sharing the base layer: its base chunks are already local
    base_names = {c[0] for c in one.chunks if c[3] == 0}
    needed_two = {c[0] for c in it.storage.needed(two)}
    shared_needed = len(needed_two & base_names & {c[0] for c in it.storage.needed(one)})
    fetched_two = it.storage.fetch(two, "worker-1", "us-east-1a")
    assert shared_needed >= 1 and fetched_two.counts["local"] == shared_needed
    assert fetched_two.counts["origin"] == fetched_two.chunks - shared_needed
    # worker-4 is in the same AZ: everything one needs is in the AZ cache
    other = it.storage.fetch(one, "worker-4", "us-east-1a")
    assert other.counts == {"local": 0, "az": other.chunks, "origin": 0}
    assert other.ms < first.ms
    # a host in another AZ goes to S3
    far = it.storage.fetch(one, "worker-2", "us-east-1b")
    assert far.counts["origin"] == far.chunks


def test_lru_cache_evicts_by_bytes(cloud):
    it = make(cloud, local_cache_gib=(3 * 512 * 1024) / 1024 ** 3)
    a, _ = it.storage.register_image(fkey("a"), rand_bytes(50, 3 * 512 * 1024))
    b, _ = it.storage.register_image(fkey("b"), rand_bytes(51, 3 * 512 * 1024))
    it.storage.fetch(a, "worker-1", "us-east-1a")
    it.storage.fetch(b, "worker-1", "us-east-1a")      # evicts a's chunks locally
    back = it.storage.fetch(a, "worker-1", "us-east-1a")
    assert back.counts == {"local": 0, "az": 3, "origin": 0}
    assert it.storage.local["worker-1"].evictions >= 3


# -- SnapStart -------------------------------------------------------------------------------------------
def test_snapstart_restore_replaces_init_and_is_shorter(cloud):
    it = make(cloud)
    key = fkey("snappy", "1")
    it.storage.register_image(key, rand_bytes(60, 2 * 512 * 1024))
    init_ms = 1500.0
    snap, steps = it.take_snapshot(ACCOUNT, key, memory_mb=512, init_ms=init_ms)
    assert snap.state == "Ready" and any(s[2] == init_ms for s in steps)
    assert not any(h.vms for h in it.workers)            # the build microVM is gone
    start = it.start(ACCOUNT, key, memory_mb=512, snapstart=True)
    assert start.cold and start.restored and not start.needs_init
    restore = [s for s in start.steps if s[0] == "Firecracker microVM"]
    assert restore[-1][2] == it.model.snapshot_restore_ms
    assert restore[-1][3]["uniqueness"] == UNIQUENESS
    fetch = next(s for s in start.steps if s[0] == "Component storage")
    assert fetch[3]["counts"]["origin"] == 0              # cached ahead of restores
    restore_ms = sum(s[2] for s in start.steps if s[0] in ("Component storage",
                                                            "Firecracker microVM"))
    assert restore_ms < init_ms
    # without SnapStart the same version runs INIT
    plain = it.cold_start_steps(ACCOUNT, key, memory_mb=512)
    assert plain.needs_init and not plain.restored
    it.initialized(start.env)
    assert start.env.state == "busy" and start.env.restored


def test_snapshots_share_runtime_chunks(cloud):
    it = make(cloud)
    for name in ("a", "b"):
        it.storage.register_image(fkey(name, "1"), rand_bytes(name, 1000))
    it.take_snapshot(ACCOUNT, fkey("a", "1"), memory_mb=256, init_ms=100)
    _, steps = it.take_snapshot(ACCOUNT, fkey("b", "1"), memory_mb=256, init_ms=100)
    stored = next(s for s in steps if s[0] == "Component storage" and "Store" in s[1])
    runtime_chunks = it.model.runtime_snapshot_mib * 2     # 512 KiB chunks per MiB
    memory_chunks = 256 * 2
    assert stored[3]["new_chunks"] == memory_chunks - runtime_chunks


def test_snapshot_goes_inactive_after_14_days_unused(cloud):
    it = make(cloud)
    gone = []
    it.snapshots.on_inactive(lambda snap: gone.append(snap.function_key))
    used, unused = fkey("used", "1"), fkey("unused", "1")
    for key in (used, unused):
        it.storage.register_image(key, b"code")
        it.take_snapshot(ACCOUNT, key, memory_mb=128, init_ms=100)
    cloud.advance(days=10)
    it.start(ACCOUNT, used, memory_mb=128, snapstart=True)
    cloud.advance(days=4, seconds=1)
    assert gone == [unused] and it.snapshots.get(unused) is None
    assert it.snapshots.snapshots[unused].state == "Inactive"
    assert "snapshot:" + unused not in it.storage.images
    assert it.snapshots.get(used) is not None
    cloud.advance(days=10)
    assert gone == [unused, used]
    assert it.cold_start_steps(ACCOUNT, used, memory_mb=128, snapstart=True).needs_init


def test_inactivity_rule_can_be_turned_off(cloud):
    it = make(cloud, snapshot_inactive_days=None)
    it.storage.register_image(fkey("k", "1"), b"code")
    it.take_snapshot(ACCOUNT, fkey("k", "1"), memory_mb=128, init_ms=100)
    cloud.advance(days=30)
    assert it.snapshots.get(fkey("k", "1")) is not None


# -- front end -----------------------------------------------------------------------------------------------
def test_front_end_metadata_caches(cloud):
    it = make(cloud)
    sources = [it.frontend.load_metadata(fkey(), "rev-1")[0][3]["source"] for _ in range(7)]
    # 6 hosts round-robin over 3 AZs: call 4 lands in call 1's AZ, call 7 on call 1's host
    assert sources[0].startswith("host and AZ cache miss")
    assert sources[3] == "host cache miss, AZ cache hit"
    assert sources[6] == "host cache hit"
    assert it.frontend.table_reads == 3
    assert "miss: read" in it.frontend.load_metadata(fkey(), "rev-2")[0][3]["source"]
    with pytest.raises(ValueError):
        it.frontend.route("batch")


# -- recording, determinism, persistence ---------------------------------------------------------------------
def test_record_lays_out_substeps(cloud):
    it = make(cloud)
    it.storage.register_image(fkey(), b"code")
    start = it.start(ACCOUNT, fkey(), memory_mb=128)
    calls = []

    class Req:
        def step(self, component, action, ms, substeps=None, **detail):
            calls.append((component, ms, substeps, detail))
    it.record(Req(), start.steps)
    assert len(calls) == len(start.steps)
    fetch = next(c for c in calls if c[0] == "Component storage")
    assert len(fetch[2]) == 4 and "substeps" not in fetch[3]
    assert "substeps" in start.fetch.step[3]                 # the step itself is untouched


def workload(seed):
    cloud = awskit.Cloud(seed=seed)
    it = Internals(cloud, REGION)
    steps = []
    base = rand_bytes(70, 2 * 512 * 1024)
    it.storage.register_image(fkey("a"), [base, b"app"])
    it.storage.register_image(fkey("a2"), [base, b"other app"])
    it.storage.register_image(fkey("b", "1"), b"zip")
    it.take_snapshot(ACCOUNT, fkey("b", "1"), memory_mb=256, init_ms=800)
    for i in range(5):
        grant = it.counting.acquire(ACCOUNT, fkey("a"))
        start = it.start(ACCOUNT, fkey("a"), memory_mb=300, grant=grant)
        steps += grant.steps + start.steps
        if i % 2 == 0:
            s2 = it.start(ACCOUNT, fkey("b", "1"), memory_mb=256, snapstart=True)
            steps += s2.steps
            it.initialized(s2.env)
            it.finish(s2.env)
        start.env.process = FakeProcess()
        steps += it.initialized(start.env) + it.finish(start.env)
        it.counting.release(grant)
        cloud.advance(1)
    it.fail_leader(fkey("a"))
    last = it.start(ACCOUNT, fkey("a"), memory_mb=300)
    steps += last.steps + it.finish(last.env)
    return cloud, it, steps


def test_same_seed_same_steps():
    _, _, one = workload(0)
    _, _, two = workload(0)
    assert json.dumps(one) == json.dumps(two)
    _, _, other = workload(1)
    assert json.dumps(one) != json.dumps(other)          # env ids come from the seed


def test_state_round_trip(cloud):
    src_cloud, it, _ = workload(0)
    it.fail_host("worker-6")
    data = json.loads(json.dumps(it.state(), allow_nan=False))
    copy_cloud = awskit.Cloud.from_state(json.loads(json.dumps(src_cloud.state())))
    loaded = Internals(copy_cloud, REGION)
    loaded.load_state(data)
    assert json.loads(json.dumps(loaded.state())) == data
    assert loaded.environments and all(e.process is None for e in loaded.environments.values())
    assert loaded.describe()["environments"][0]["process"] == "none"
    # a loaded environment is still routed to, and runs INIT again (no process)
    start = loaded.start(ACCOUNT, fkey("a"), memory_mb=300)
    assert not start.cold and start.needs_init
    start.env.process = FakeProcess()
    loaded.initialized(start.env)
    loaded.finish(start.env)
    # timers were re-armed: idle environments are reclaimed on the loaded clock
    copy_cloud.advance(loaded.model.idle_reclaim_s + 1)
    assert not loaded.environments
    assert loaded.storage.read(loaded.storage.images[fkey("b", "1")]) == b"zip"


def test_describe_is_plain_data(cloud):
    _, it, _ = workload(0)
    d = it.describe()
    json.dumps(d)
    assert d["storage"]["dedup"]["ratio"] > 1
    assert {h["host_id"] for h in d["hosts"]} >= {e["host_id"] for e in d["environments"]}
    assert all(p["leader"] for p in d["partitions"])
    assert any(h["microvms"] for h in d["hosts"])
    assert d["concurrency"][ACCOUNT]["limit"] == 1000
    assert "Lambda internals us-east-1" in repr(it)


def test_a_cold_start_needs_registered_code(cloud):
    it = make(cloud)
    with pytest.raises(KeyError, match="register_image"):
        it.cold_start_steps(ACCOUNT, fkey("nocode"), memory_mb=128)
    with pytest.raises(KeyError):
        it.take_snapshot(ACCOUNT, fkey("nocode", "1"), memory_mb=128, init_ms=10)
    it.storage.register_image(fkey("big"), b"code")
    with pytest.raises(ValueError):
        it.cold_start_steps(ACCOUNT, fkey("big"), memory_mb=20000)
    assert not it.environments and not any(h.vms for h in it.workers)
    assert not any(it.counting.new_envs.values())      # nothing counted for a refused start
