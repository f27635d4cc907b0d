"""Lambda at scale: cloud.awslambda.simulate, the traffic patterns, the result views, the plots.

Expected values are computed here from the latency model's figures (internals/latency.py) and
the prices (pricing.py), never read back from the simulation's own step lists."""

import io
import json
import math
import os
import random
import time
import zipfile

import numpy as np
import pandas as pd
import pytest
from lambda_helpers import active, make_role

from awskit.awslambda import pricing, simengine, traffic
from awskit.awslambda.exceptions import ResourceNotFoundException
from awskit.awslambda.internals import Model
from awskit.awslambda.simulate import REASONS, compare

M = Model()
WARM_MS = (M.metadata_host_cache_ms + M.counting_ms + M.assignment_ms + M.journal_append_ms
           + M.invoke_proxy_ms + M.thaw_ms)
CHUNK = 512 * 1024


def cold_ms(init_ms, chunks=1, tier_ms=M.origin_ms, vm_ms=M.pool_take_ms):
    """A cold start without SnapStart, by hand from the model's figures."""
    rounds = math.ceil(chunks / M.fetch_parallelism)
    return (M.metadata_host_cache_ms + M.counting_ms + M.assignment_ms + M.placement_ms + vm_ms
            + M.journal_append_ms + M.credentials_ms + M.runtime_start_ms
            + M.manifest_ms + rounds * tier_ms + init_ms + M.journal_append_ms)


@pytest.fixture
def lam(cloud):
    return cloud.client("lambda")


@pytest.fixture
def role(cloud):
    return make_role(cloud)


@pytest.fixture
def fn(cloud, lam, role):
    active(cloud, lam, role, "fn", MemorySize=1024, Timeout=60)
    return cloud.awslambda


def at(*times):
    return traffic.from_times(list(times))


# -- the hand-computable cases -------------------------------------------------------------------
def test_steady_one_rps_with_100_ms_needs_one_environment_and_one_cold_start(fn):
    r = fn.simulate("fn", traffic.steady(1, 60), duration_ms=100, init_ms=200)
    f = r.frame
    assert len(f) == 60 and f["t"].tolist() == list(range(60))
    assert f["cold"].tolist() == [True] + [False] * 59
    assert set(f["environment"]) == {0} and f["concurrency"].max() == 1
    assert not f["throttled"].any() and f["reason"].isna().all()
    s = r.summary()
    assert (s["environments_created"], s["cold_starts"], s["throttles"]) == (1, 1, 0)
    assert s["cold_share"] == pytest.approx(1 / 60)
    assert f["latency_ms"][0] == pytest.approx(cold_ms(200) + 100)
    assert f["latency_ms"][1:].to_numpy() == pytest.approx(WARM_MS + 100)
    assert (f["start"] - f["start"][0]).dt.total_seconds().tolist() == list(range(60))
    assert f["start"][0] == pd.Timestamp(fn.cloud.clock.now)


def test_cold_starts_read_code_from_s3_then_the_az_cache_then_the_worker_cache(fn):
    # 6 hosts (2 per AZ, AZs a b c a b c): environments 0-2 are the first in their AZ (S3),
    # 3-5 the first on their host (AZ cache), 6 lands on host 1 again (its own cache)
    r = fn.simulate("fn", at(*[0.0] * 7), duration_ms=10, init_ms=100)
    lat = r.frame["latency_ms"].to_numpy() - 10
    assert lat[:3] == pytest.approx(cold_ms(100))
    assert lat[3:6] == pytest.approx(cold_ms(100, tier_ms=M.az_cache_ms))
    assert lat[6] == pytest.approx(cold_ms(100, tier_ms=M.local_cache_ms))
    envs = r.environments
    assert envs["host"].tolist() == [f"worker-{i}" for i in (1, 2, 3, 4, 5, 6, 1)]
    assert envs["az"].tolist() == ["us-east-1a", "us-east-1b", "us-east-1c"] * 2 + ["us-east-1a"]


def test_a_burst_empties_the_microvm_pools_and_waits_for_boots(fn):
    # each host has 2 pre-booted microVMs; the replacement for the first is ready one boot later
    r = fn.simulate("fn", at(*[0.0] * 19), duration_ms=10, init_ms=100)
    lat = r.frame["latency_ms"].to_numpy() - 10
    third = lat[12:18]                  # the third cold start on each of the six hosts
    assert third == pytest.approx(cold_ms(100, tier_ms=M.local_cache_ms,
                                          vm_ms=M.pool_take_ms + M.boot_on_demand_ms))
    assert r.summary()["environments_created"] == 19


def test_code_download_grows_with_the_package(cloud, lam, role):
    data = random.Random(0).randbytes(5 * 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("lambda_function.py", "def handler(event, context):\n    return 1\n")
        archive.writestr("blob.bin", data)
    code = buffer.getvalue()
    active(cloud, lam, role, "big", code=code, Handler="lambda_function.handler")
    r = cloud.awslambda.simulate("big", at(0.0), duration_ms=5, init_ms=50)
    chunks = math.ceil(len(code) / CHUNK)
    assert chunks > M.fetch_parallelism          # two rounds of parallel reads from S3
    assert r.frame["latency_ms"][0] == pytest.approx(cold_ms(50, chunks) + 5)


def test_bursts_create_as_many_environments_as_the_peak_concurrency(fn):
    pattern = traffic.bursty(5, 400, 60, 5, 300)
    r = fn.simulate("fn", pattern, duration_ms=traffic.lognormal(50, 300), seed=3,
                    idle_reclaim_s=3600)
    f = r.frame
    # the peak, computed independently: sweep the (start, end) intervals of served requests
    start = f["t"].to_numpy()
    end = start + f["latency_ms"].to_numpy() / 1000
    events = sorted([(e, -1) for e in end] + [(s, 1) for s in start])
    level = peak = 0
    for _, d in events:
        level += d
        peak = max(peak, level)
    s = r.summary()
    assert s["environments_created"] == s["max_concurrency"] == peak > 10
    assert (f["concurrency"] <= peak).all()
    # the second and later bursts find the environments of the first one warm
    later = f[f["t"] >= 60]
    assert later["cold"].sum() <= s["cold_starts"] - f[f["t"] < 60]["cold"].sum()


def test_simultaneous_requests_then_the_same_again_warm(fn):
    r = fn.simulate("fn", at(*[0.0] * 5, *[10.0] * 5), duration_ms=100)
    f = r.frame
    assert f["cold"].tolist() == [True] * 5 + [False] * 5
    assert sorted(f["environment"][5:]) == [0, 1, 2, 3, 4]
    assert f["concurrency"].tolist() == [1, 2, 3, 4, 5] * 2


def test_warm_requests_take_the_most_recently_used_environment(fn):
    # env 0 ends at ~0.4 s, env 1 (started at 0.1) later; at t=5 env 1 is the most recent
    r = fn.simulate("fn", at(0.0, 0.1, 5.0), duration_ms=[100, 900, 10])
    assert r.frame["environment"].tolist() == [0, 1, 1]


def test_reserved_concurrency_caps_concurrency_and_throttles_the_rest(fn, lam):
    r = fn.simulate("fn", at(*[0.0] * 10), duration_ms=100, reserved=3)
    f = r.frame
    assert f["throttled"].tolist() == [False] * 3 + [True] * 7
    assert (f["reason"][3:] == "ReservedFunctionConcurrentInvocationLimitExceeded").all()
    assert f["cost_usd"][3:].eq(0).all() and f["latency_ms"][3:].isna().all()
    assert f["environment"][3:].eq(-1).all() and f["concurrency"].max() == 3
    # the configured reservation is the default; False removes it for a what-if
    lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=4)
    assert fn.simulate("fn", at(*[0.0] * 10), duration_ms=100).summary()["throttles"] == 6
    assert fn.simulate("fn", at(*[0.0] * 10), duration_ms=100,
                       reserved=False).summary()["throttles"] == 0
    busy = fn.simulate("fn", traffic.poisson(200, 20), duration_ms=100, reserved=12)
    assert busy.frame["concurrency"].max() == 12 and busy.summary()["throttles"] > 0


def test_the_account_quota_throttles_unreserved_functions(fn):
    fn.set_concurrency_limit(4)
    r = fn.simulate("fn", at(*[0.0] * 6), duration_ms=100)
    assert r.frame["reason"].tolist()[4:] == ["ConcurrentInvocationLimitExceeded"] * 2


def test_the_scaling_rate_allows_1000_new_environments_per_10_seconds(fn):
    fn.set_concurrency_limit(5000)
    r = fn.simulate("fn", at(*[0.0] * 1500, *[10.5] * 1500), duration_ms=30000)
    f = r.frame
    for half in (f[f["t"] == 0], f[f["t"] == 10.5]):
        assert half["cold"].sum() == M.scale_new_environments
        assert (half["reason"] == "FunctionInvocationRateLimitExceeded").sum() == 500
    assert r.summary()["environments_created"] == 2 * M.scale_new_environments


def test_provisioned_concurrency_serves_the_first_n_concurrent_requests_warm(fn):
    r = fn.simulate("fn", at(*[0.0] * 8, 5000.0), duration_ms=100, provisioned=5)
    f = r.frame
    assert f["cold"].tolist() == [False] * 5 + [True] * 3 + [False]
    assert f["provisioned"].tolist() == [True] * 5 + [False] * 3 + [True]
    assert sorted(f["environment"][:5]) == [0, 1, 2, 3, 4]
    assert f["latency_ms"][:5].to_numpy() == pytest.approx(WARM_MS + 100)
    envs = r.environments
    assert envs["provisioned"].sum() == 5 and envs.loc[:4, "removed_s"].isna().all()
    assert r.summary()["environments_created"] == 3


def test_configured_provisioned_concurrency_is_the_default(cloud, fn, lam):
    lam.publish_version(FunctionName="fn")
    cloud.advance(5)
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    lam.put_provisioned_concurrency_config(FunctionName="fn", Qualifier="live",
                                           ProvisionedConcurrentExecutions=3)
    r = fn.simulate("fn", at(*[0.0] * 4), qualifier="live", duration_ms=50)
    assert r.settings.provisioned == 3 and r.frame["cold"].sum() == 1
    assert fn.simulate("fn", at(*[0.0] * 4), duration_ms=50).settings.provisioned == 0


def test_idle_reclaim_after_the_models_time_makes_a_later_request_cold(fn):
    idle = M.idle_reclaim_s
    lat_s = (cold_ms(100) + 100) / 1000
    r = fn.simulate("fn", at(0.0, idle - 1, 2 * idle + 10), duration_ms=100, init_ms=100)
    assert r.frame["cold"].tolist() == [True, False, True]
    env = r.environments.iloc[0]
    assert env["removed_because"] == "idle"
    assert env["removed_s"] == pytest.approx(idle - 1 + (WARM_MS + 100) / 1000 + idle)
    short = fn.simulate("fn", at(0.0, 30.0), duration_ms=100, init_ms=100, idle_reclaim_s=20)
    assert short.frame["cold"].tolist() == [True, True]
    kept = fn.simulate("fn", at(0.0, lat_s + 19.9), duration_ms=100, init_ms=100,
                       idle_reclaim_s=20)
    assert kept.frame["cold"].tolist() == [True, False]


def test_an_environment_ends_with_its_lease(fn):
    hours = M.lease_s / 3600 + 1
    r = fn.simulate("fn", traffic.steady(0.5, hours * 3600), duration_ms=50)
    assert r.summary()["environments_created"] == 2
    first = r.environments.iloc[0]
    assert first["removed_because"] == "lease"
    assert first["removed_s"] == pytest.approx(M.lease_s)


def test_a_handler_that_times_out_is_stopped_and_its_environment_replaced(cloud, lam, role):
    active(cloud, lam, role, "slow", Timeout=2)
    r = cloud.awslambda.simulate("slow", at(0.0, 10.0), duration_ms=[5000, 10], init_ms=0)
    f = r.frame
    assert f["duration_ms"].tolist() == [2000, 10] and f["timed_out"].tolist() == [True, False]
    assert f["cold"].tolist() == [True, True]
    assert r.environments["removed_because"].tolist()[0] == "timeout"


def test_snapstart_lowers_the_cold_start_by_init_minus_the_restore(cloud, lam, role):
    active(cloud, lam, role, "java", MemorySize=1024)
    kw = {"duration_ms": 20, "init_ms": 2000}
    plain = cloud.awslambda.simulate("java", at(0.0), **kw).frame.iloc[0]
    snap = cloud.awslambda.simulate("java", at(0.0), snapstart=True, **kw).frame.iloc[0]
    assert snap["cold"] and snap["restored"] and not plain["restored"]
    # a restore reads snapshot_read_fraction of the snapshot (memory chunks + the code chunk),
    # cached in every AZ when the version was published
    chunks = 1 + round(M.snapshot_read_fraction * (1024 * 1024 * 1024 // CHUNK + 1 - 1))
    restore = (M.vmm_ready_ms + M.manifest_ms
               + math.ceil(chunks / M.fetch_parallelism) * M.az_cache_ms
               + M.snapshot_restore_ms)
    replaced = (M.pool_take_ms + M.runtime_start_ms + M.manifest_ms + M.origin_ms + 2000)
    assert plain["latency_ms"] - snap["latency_ms"] == pytest.approx(replaced - restore)
    assert snap["billed_ms"] == 20 and plain["billed_ms"] == 2020     # INIT billed, no restore


def test_snapstart_follows_the_version_and_its_rules(cloud, lam, role):
    active(cloud, lam, role, "snap", SnapStart={"ApplyOn": "PublishedVersions"})
    lam.publish_version(FunctionName="snap")
    cloud.advance(cloud.awslambda.snapstart_publish_seconds + 1)
    sim = cloud.awslambda.simulate
    assert sim("snap", at(0.0), qualifier="1", duration_ms=5).settings.snapstart is True
    assert sim("snap", at(0.0), duration_ms=5).settings.snapstart is False    # $LATEST
    active(cloud, lam, role, "node", Runtime="nodejs22.x", Handler="index.handler")
    with pytest.raises(ValueError, match="SnapStart"):
        sim("node", at(0.0), duration_ms=5, snapstart=True)
    with pytest.raises(ValueError, match="provisioned"):
        sim("snap", at(0.0), duration_ms=5, snapstart=True, provisioned=2)


# -- money ---------------------------------------------------------------------------------------
def test_cost_is_requests_plus_gb_seconds_rounded_up_to_the_millisecond(fn):
    r = fn.simulate("fn", traffic.steady(2, 1000), duration_ms=123.4, init_ms=200)
    n = 2000                                                  # one every 500 ms: one environment
    gb_s = (123.4 + 200 + 0.6) / 1000 + (n - 1) * 0.124      # 1 GB: ceil(323.4), ceil(123.4)
    expected = n * 0.0000002 + gb_s * 0.0000166667
    assert r.summary()["cost_usd"] == pytest.approx(expected, rel=1e-12)
    assert r.frame["billed_ms"].tolist() == [324] + [124] * (n - 1)
    assert r.summary()["cost_per_million_usd"] == pytest.approx(expected / n * 1e6)


def test_provisioned_concurrency_is_charged_for_the_span_and_at_its_own_rate(fn):
    r = fn.simulate("fn", traffic.steady(10, 200), duration_ms=50, provisioned=2)
    n = 2000
    standing = 2 * 1.0 * 300 * 0.0000041667                 # 200 s rounds up to 5 minutes
    expected = n * 0.0000002 + n * 0.050 * 0.0000097222 + standing
    assert r.frame["provisioned"].all()
    s = r.summary()
    assert s["cost_provisioned_usd"] == pytest.approx(standing)
    assert s["cost_usd"] == pytest.approx(expected, rel=1e-9)


def test_arm_and_ephemeral_storage_prices(cloud, lam, role):
    active(cloud, lam, role, "arm", MemorySize=2048, Architectures=["arm64"],
           EphemeralStorage={"Size": 1536})
    r = cloud.awslambda.simulate("arm", at(0.0, 1.0), duration_ms=10, init_ms=90)
    seconds = (100 + 10) / 1000
    expected = (2 * 0.0000002 + 2 * seconds * pricing.DURATION_PRICE["arm64"]
                + 1 * seconds * pricing.EPHEMERAL_PRICE)
    assert r.summary()["cost_usd"] == pytest.approx(expected, rel=1e-12)


# -- determinism, isolation --------------------------------------------------------------------
def test_the_same_seed_gives_the_same_frame(fn):
    args = ("fn", traffic.poisson(50, 60))
    kw = {"duration_ms": traffic.lognormal(30, 250)}
    a = fn.simulate(*args, seed=7, **kw).frame
    pd.testing.assert_frame_equal(a, fn.simulate(*args, seed=7, **kw).frame)
    assert not a["t"].equals(fn.simulate(*args, seed=8, **kw).frame["t"])
    default = fn.simulate(*args, **kw).frame
    pd.testing.assert_frame_equal(default, fn.simulate(*args, **kw).frame)


def test_two_clouds_with_one_seed_simulate_alike(lam, role):
    import awskit
    frames = []
    for _ in range(2):
        cloud = awskit.Cloud(seed=5)
        active(cloud, cloud.client("lambda"), make_role(cloud), "fn")
        frames.append(cloud.awslambda.simulate("fn", traffic.daily(2, 0.1),
                                               duration_ms=traffic.lognormal(20, 90)).frame)
    pd.testing.assert_frame_equal(*frames)


def test_simulating_changes_nothing_in_the_cloud(cloud, fn):
    def state():
        internals = {r: json.dumps(i.state(), sort_keys=True, default=str)
                     for r, i in fn._internals.items()}
        return (cloud.clock.elapsed, cloud.ids.state(), dict(cloud.meter.usage),
                len(cloud.clock.pending), internals)
    before = state()
    fn.simulate("fn", traffic.poisson(20, 30), duration_ms=10, provisioned=2)
    assert state() == before


# -- the result's views ----------------------------------------------------------------------------
def test_summary_repr_and_compare(fn):
    r = fn.simulate("fn", traffic.steady(5, 100), duration_ms=40, init_ms=300)
    s = r.summary()
    lat = r.frame["latency_ms"]
    assert s["p99_ms"] == pytest.approx(np.percentile(lat, 99))
    assert s["p50_ms"] == pytest.approx(WARM_MS + 40)
    assert s["cost_usd"] < 0.01                 # small amounts: two significant digits
    assert repr(r) == (f"Lambda simulation of 'fn': 500 invocations, "
                       f"{s['cold_starts'] / 500:.1%} cold, "
                       f"p99 {np.percentile(lat, 99):,.0f} ms, ${s['cost_usd']:.2g}")
    big = fn.simulate("fn", traffic.steady(100, 600), duration_ms=400)
    assert repr(big).endswith(f"${big.summary()['cost_usd']:,.2f}")
    throttled = fn.simulate("fn", at(*[0.0] * 10), duration_ms=40, reserved=2)
    assert repr(throttled).endswith(", 8 throttled")
    table = compare({"plain": r, "reserved 2": throttled})
    assert table.index.tolist() == ["plain", "reserved 2"]
    assert table.loc["reserved 2", "throttles"] == 8
    assert table.loc["plain", "cost_usd"] == pytest.approx(s["cost_usd"])
    with pytest.raises(ValueError):
        compare({})
    with pytest.raises(ValueError):
        compare({"x": 1})


def test_concurrency_series_and_timeline(fn):
    r = fn.simulate("fn", at(0.0, 0.0, 0.0, 2.5), duration_ms=1000, init_ms=100)
    peak = r.concurrency(1)
    assert peak.index[0] == pd.Timestamp(fn.cloud.clock.now)
    assert peak.tolist()[:4] == [3, 3, 1, 1]
    mean = r.concurrency(1, how="mean")
    assert (mean * 1).sum() == pytest.approx(r.frame["latency_ms"].sum() / 1000)
    tl = r.timeline(1)
    assert tl["invocations"].tolist() == [3, 0, 1, 0] and tl["cold_starts"].sum() == 3
    assert tl["cumulative_cost_usd"].iloc[-1] == pytest.approx(r.summary()["cost_usd"])
    assert r.bucket() == 1 and r.bucket("1min") == 60
    with pytest.raises(ValueError):
        r.concurrency(how="median")
    with pytest.raises(ValueError):
        r.timeline(0)


def test_empty_and_all_throttled_runs_have_sound_views(fn):
    import matplotlib
    matplotlib.use("Agg")
    from awskit.awslambda import plots
    empty = fn.simulate("fn", traffic.from_times([]), duration_ms=5)
    assert repr(empty) == "Lambda simulation of 'fn': 0 invocations, 0.0% cold, p99 -, $0.00"
    refused = fn.simulate("fn", at(0.0, 0.5), duration_ms=5, reserved=0)
    assert repr(refused).endswith("p99 -, $0.00, 2 throttled")
    for r in (empty, refused):
        assert r.concurrency().eq(0).all() and r.concurrency(how="mean").eq(0).all()
        assert r.timeline()["cumulative_cost_usd"].eq(0).all()
        plots.plot(r).savefig(io.BytesIO(), format="png")


def test_durations_default_to_the_functions_duration_model(fn):
    from awskit.awslambda import durations
    slow = durations.ONE_VCPU_MB / 1024                       # fn has 1,024 MB
    r = fn.simulate("fn", at(0.0, 5.0))
    assert r.frame["duration_ms"].tolist() == pytest.approx(
        [durations.INVOKE_FIXED_MS + durations.INVOKE_CPU_MS * slow] * 2, abs=1e-3)
    assert r.settings.init_ms == pytest.approx(
        durations.INIT_FIXED_MS + durations.INIT_CPU_MS * slow, abs=1e-3)
    fn.set_duration_model("fn", invoke_ms=42, init_ms=300)
    r = fn.simulate("fn", at(0.0, 5.0))
    assert r.frame["duration_ms"].tolist() == [42, 42] and r.settings.init_ms == 300
    assert r.frame["billed_ms"].tolist() == [342, 42]


def test_latency_steps_table(fn):
    steps = fn.simulate("fn", at(0.0), duration_ms=5, init_ms=77).latency_steps()
    assert steps.loc[steps["start"] == "warm", "ms"].sum() == pytest.approx(WARM_MS)
    assert steps.loc[steps["start"] == "cold", "ms"].sum() == pytest.approx(cold_ms(77))
    assert "Firecracker microVM" not in set(steps["component"])       # pooled, no boot


# -- bad input ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error", [
    ({"duration_ms": -1}, ValueError), ({"duration_ms": [1, 2]}, ValueError),
    ({"duration_ms": "fast"}, TypeError), ({"duration_ms": float("nan")}, ValueError),
    ({"reserved": -1}, ValueError), ({"reserved": 2.5}, ValueError),
    ({"reserved": 950}, ValueError), ({"reserved": 3, "provisioned": 4}, ValueError),
    ({"provisioned": -2}, ValueError), ({"provisioned": 901}, ValueError),
    ({"snapstart": "yes"}, ValueError), ({"idle_reclaim_s": 0}, ValueError),
    ({"init_ms": 10_001}, ValueError), ({"init_ms": True}, ValueError),
    ({"seed": -1}, ValueError), ({"progress": "yes"}, ValueError),
    ({"model": {"idle_reclaim_s": 1}}, TypeError),
])
def test_bad_arguments_are_refused(fn, kwargs, error):
    with pytest.raises(error):
        fn.simulate("fn", at(0.0, 1.0, 2.0), **{"duration_ms": 10, **kwargs})


def test_unknown_functions_and_traffic(fn):
    with pytest.raises(ResourceNotFoundException):
        fn.simulate("nope", at(0.0), duration_ms=1)
    with pytest.raises(ResourceNotFoundException):
        fn.simulate("fn", at(0.0), duration_ms=1, qualifier="7")
    with pytest.raises(TypeError):
        fn.simulate("fn", "steady", duration_ms=1)
    assert len(fn.simulate("fn", [3.0, 1.0], duration_ms=1).frame) == 2


def test_traffic_patterns():
    rng = np.random.default_rng(0)
    b = traffic.bursty(2, 50, 30, 4, 90, poisson=False)
    assert len(b.times(rng)) == 3 * (50 * 4 + 2 * 26)
    assert b.rate([1, 10, 31, 35]).tolist() == [50, 2, 50, 2]
    d = traffic.daily(100, 1, trough=0.2, peak_after_h=12)
    assert d.rate([12 * 3600]).item() == pytest.approx(100, rel=1e-4)
    assert d.rate([0]).item() == pytest.approx(20, rel=1e-4)
    assert d.expected == pytest.approx(86400 * 100 * (0.2 + 0.8 / 2), rel=1e-6)
    p = traffic.poisson(100, 1000).times(rng)
    assert abs(len(p) - 100_000) < 5 * math.sqrt(100_000) and np.all(np.diff(p) >= 0)
    assert traffic.from_times([2, 0, 1]).times(rng).tolist() == [0, 1, 2]
    lognormal = traffic.lognormal(100, 500)(np.random.default_rng(1), 200_000)
    assert np.median(lognormal) == pytest.approx(100, rel=0.02)
    assert np.percentile(lognormal, 99) == pytest.approx(500, rel=0.05)
    for bad in (lambda: traffic.steady(-1, 10), lambda: traffic.steady(1, 0),
                lambda: traffic.bursty(1, 10, 5, 6, 60), lambda: traffic.daily(10, trough=2),
                lambda: traffic.daily(10, peak_after_h=24), lambda: traffic.from_times([-1]),
                lambda: traffic.from_times([float("nan")]), lambda: traffic.lognormal(10, 5),
                lambda: traffic.steady(1e6, 1e6), lambda: traffic.steady(True, 10)):
        with pytest.raises(ValueError):
            bad()


# -- progress ----------------------------------------------------------------------------------------
def test_progress_bar_only_in_a_kernel_when_long_or_asked(monkeypatch, fn):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    assert not simengine.Progress(10**6, None).shown            # no kernel here
    monkeypatch.setattr(simengine, "_in_kernel", lambda: True)
    assert not simengine.Progress(1000, None).shown             # short run
    assert not simengine.Progress(10**6, False).shown           # asked not to
    assert shown == []
    bar = simengine.Progress(10**6, None, " of 'fn'")
    assert bar.shown and bar.bar.max == 10**6
    # the stored text never depends on the bar's state; the widget part nbval ignores
    assert shown[0]["text/plain"] == "Simulating 1,000,000 invocations of 'fn'"
    assert "application/vnd.jupyter.widget-view+json" in shown[0]
    bar.update(500)
    assert bar.bar.value == 500
    bar.close()
    assert bar.bar is None
    r = fn.simulate("fn", traffic.steady(1, 5), duration_ms=1, progress=True)
    assert shown[-1]["text/plain"] == "Simulating 5 invocations of 'fn'" and len(r.frame) == 5


# -- speed ---------------------------------------------------------------------------------------------
@pytest.mark.timing
def test_one_million_invocations_in_under_ten_seconds(fn):
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 2 * (os.cpu_count() or 1):
        pytest.skip(f"machine overloaded (load {load:.1f}): timing would mean nothing")
    began = time.perf_counter()
    r = fn.simulate("fn", traffic.steady(1000, 1000), duration_ms=traffic.lognormal(40, 300),
                    progress=False)
    took = time.perf_counter() - began
    assert len(r.frame) == 1_000_000
    assert took < 10, f"1M invocations took {took:.1f} s"


# -- plots -------------------------------------------------------------------------------------------
def test_plots_render_to_png_deterministically(fn):
    import matplotlib
    matplotlib.use("Agg")
    from awskit.awslambda import plots
    pattern = traffic.bursty(5, 300, 60, 5, 240)
    kw = {"duration_ms": traffic.lognormal(50, 300), "idle_reclaim_s": 30}
    results = {"on demand": fn.simulate("fn", pattern, **kw),
               "reserved 20": fn.simulate("fn", pattern, reserved=20, **kw),
               "provisioned 10": fn.simulate("fn", pattern, provisioned=10, **kw)}
    figures = [plots.plot(results["reserved 20"]), plots.compare_plot(results),
               results["on demand"].plot(freq=5)]
    for draw in (plots.concurrency_plot, plots.cold_start_plot, plots.latency_plot,
                 plots.cost_plot):
        figures.append(draw(results))
    pngs = []
    for figure in figures:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        pngs.append(buffer.getvalue())
        assert pngs[-1][:8] == b"\x89PNG\r\n\x1a\n"
    dashboard = figures[0]
    assert [ax.get_title(loc="left") for ax in dashboard.axes] == [
        "Concurrency", "Cold starts and throttles", "Latency, front end to end of handler",
        "Cumulative cost"]
    assert all(ax.get_xlabel().startswith("time since start") for ax in dashboard.axes)
    assert tuple(dashboard.get_size_inches() * dashboard.dpi) == (1200, 750)
    again = io.BytesIO()
    plots.plot(results["reserved 20"]).savefig(again, format="png")
    assert again.getvalue() == pngs[0]
    with pytest.raises(ValueError):
        plots.compare_plot({})


def test_reasons_are_botocores_throttle_reasons():
    from awskit.service import service_model
    enum = service_model("lambda").shape_for("ThrottleReason").enum
    assert set(REASONS) <= set(enum)
