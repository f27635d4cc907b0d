"""awskit vs moto on the same boto3 workloads, plus awskit's direct path and import time.

    python benchmarks/run.py              # the full run: S3/IAM and Lambda (a few minutes)
    python benchmarks/run.py --quick      # fewer, shorter rounds (a smoke test)
    python benchmarks/run.py --only s3    # only S3/IAM (or --only lambda, --only network)
    python benchmarks/run.py --profile    # also print where awskit spends a put (cProfile)

Rounds alternate between awskit and moto in one process (so both see the same machine
state); each round starts from a fresh mock, is preceded by an untimed warm-up round, and
the figures are medians of the rounds. Wall time is ``time.perf_counter``. The workloads are in
``benchmarks/workloads.py`` and ``benchmarks/lambda_workloads.py``; their data are seeded.

Lambda: a real handler's warm invoke through boto3 against the same handler called directly,
the real cost of a cold start (a new worker process and INIT), the simulation's invocations per
second, and the control plane against moto (moto runs Lambda code only in Docker: the output
says when it cannot).

Network: reachability questions on a 50-VPC, 500-instance network (5 accounts, 3 Regions,
transit gateways, peering, NAT gateways; ``benchmarks/network_workloads.py``), the time to draw
that network (``cloud.diagram()``: graph and DOT, then SVG), and boto3 EC2 networking calls
against moto.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
os.environ.pop("AWSKIT_DEBUG", None)          # measure what students run

import lambda_workloads as lw  # noqa: E402
import network_workloads as nw  # noqa: E402
import workloads  # noqa: E402

TARGET_RATIO = 4.0          # boto3 path: awskit at least 4x moto
TARGET_DIRECT = 20_000      # direct puts per second, one core
TARGET_IMPORT = 0.5         # seconds for `import awskit`
TARGET_SIMULATE = 10.0      # seconds for one million simulated Lambda invocations (issue 4)
TARGET_QUERY_MS = 50.0      # one reachability question on the 50-VPC network (issue 5)


# --------------------------------------------------------------------------------------------
# One round of a workload under each backend
# --------------------------------------------------------------------------------------------
def under_awskit(fn, *args):
    import awskit
    with awskit.mock_aws(awskit.Cloud(seed=0)):
        return fn(*args)


def under_moto(fn, *args, iam_auth: bool = False):
    import moto
    with moto.mock_aws():
        if not iam_auth:
            return fn(*args)
        return _with_moto_iam_auth(fn, *args)


def _with_moto_iam_auth(fn, *args):
    """moto checks signatures and IAM policies only once INITIAL_NO_AUTH_ACTION_COUNT
    requests have passed (infinite by default): switch it on for the timed part."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    saved = settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count
    settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = 0, 0
    try:
        return fn(*args)
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = saved


def s3_round(backend: str, n: int) -> float:
    run = under_awskit if backend == "awskit" else under_moto
    ops, seconds = run(workloads.s3_put_get_list, n)
    return ops / seconds


def iam_round(backend: str, n: int) -> float:
    def body():
        client = workloads.iam_user_setup()          # as root, untimed
        if backend == "moto":
            return _with_moto_iam_auth(workloads.iam_authorized, client, n)
        return workloads.iam_authorized(client, n)
    if backend == "awskit":
        ops, seconds = under_awskit(body)
    else:
        ops, seconds = under_moto(body)
    return ops / seconds


def compare(name: str, round_fn, n: int, rounds: int) -> dict:
    for backend in ("awskit", "moto"):               # warm-up (imports, model loading, caches)
        round_fn(backend, max(20, n // 10))
    rates = {"awskit": [], "moto": []}
    for _ in range(rounds):
        for backend in ("awskit", "moto"):
            rates[backend].append(round_fn(backend, n))
    med = {k: statistics.median(v) for k, v in rates.items()}
    return {"name": name, "awskit": med["awskit"], "moto": med["moto"],
            "ratio": med["awskit"] / med["moto"], "rounds": rounds, "n": n}


# --------------------------------------------------------------------------------------------
# awskit alone
# --------------------------------------------------------------------------------------------
def direct(n: int, rounds: int) -> float:
    workloads.direct_puts(max(200, n // 10))         # warm-up
    return statistics.median(ops / s for ops, s in (workloads.direct_puts(n) for _ in range(rounds)))


def import_time(runs: int) -> float:
    code = ("import time; t = time.perf_counter(); import awskit; "
            "print(time.perf_counter() - t)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, cwd=str(ROOT), check=True)
        times.append(float(out.stdout.strip()))
    return min(times)


# --------------------------------------------------------------------------------------------
# Lambda
# --------------------------------------------------------------------------------------------
def per_call_us(fn, n: int, rounds: int) -> float:
    """Median over rounds of the mean wall time of one call, in microseconds."""
    return statistics.median(s / ops * 1e6 for ops, s in (fn(n) for _ in range(rounds)))


def lambda_section(quick: bool) -> None:
    n, rounds, cold_rounds = (30, 3, 3) if quick else (300, 7, 7)
    sim_n = 200_000 if quick else 1_000_000
    print(f"Lambda: one real handler (returns a dict); {rounds} rounds of {n} warm invokes, "
          f"{cold_rounds} cold starts each way; medians")
    print(f"{'figure':46} {'measured':>10}   against its baseline")
    lw.direct_calls(10_000)                                      # warm-up
    lw.awskit_client_warm(max(5, n // 10))
    direct = per_call_us(lw.direct_calls, 100_000, rounds)
    client = per_call_us(lw.awskit_client_warm, n, rounds)
    mock = per_call_us(lw.awskit_mock_warm, n, rounds)
    print(f"{'handler called directly in Python':46} {direct:7.3f} us   (the baseline)")
    for label, us in (('warm invoke, cloud.client("lambda")', client),
                      ('warm invoke, boto3.client in awskit.mock_aws()', mock)):
        print(f"{label:46} {us:7.0f} us   {us / direct:,.0f}x the direct call")

    pooled = [lw.cold_start(pooled=True) for _ in range(cold_rounds)]
    spawned = [lw.cold_start(pooled=False) for _ in range(cold_rounds)]
    for label, runs in (("cold start, worker process from the idle pool", pooled),
                        ("cold start, worker process spawned", spawned)):
        cold = statistics.median(r["cold_s"] for r in runs) * 1e3
        warm = statistics.median(r["warm_s"] for r in runs) * 1e3
        init = statistics.median(r["init_ms"] for r in runs)
        print(f"{label:46} {cold:7.1f} ms   {cold / warm:,.0f}x the warm invoke after it "
              f"({warm:.2f} ms); real INIT {init:.1f} ms")
    print(f"{'cold start as simulated (trace, any machine)':46} "
          f"{pooled[0]['simulated_ms']:7.1f} ms   the latency model's figure, not a measurement")

    runs = [lw.simulate_million(sim_n) for _ in range(1 if quick else 3)]
    seconds = statistics.median(r["seconds"] for r in runs)
    target = sim_n / 1_000_000 * TARGET_SIMULATE
    print(f"{f'simulate {sim_n:,} invocations':46} {seconds:8.2f} s   "
          f"{sim_n / seconds:,.0f} invocations/s   target < {target:g} s {verdict(seconds < target)}")

    ran, said = lw.moto_invoke_probe()
    if ran:
        moto_us = per_call_us(lambda k: under_moto(lw.moto_warm, k), n, rounds)
        print(f"{'warm invoke, boto3.client in moto.mock_aws()':46} {moto_us:7.0f} us   "
              f"{moto_us / mock:.1f}x awskit's (in mock_aws)")
    else:
        print("moto: Invoke cannot run the handler here: moto runs Lambda code only in a Docker "
              "container, and it could not start one")
        print(f"      (moto answered {said if len(said) <= 110 else said[:110] + '...'})")
        print("      so moto's invoke is not benchmarked; what moto does without Docker:")
    # at most 50 functions: one page of ListFunctions (moto ignores MaxItems and lists all)
    r = compare("Lambda create/get/list functions (boto3)", control_round, 20 if quick else 50,
                rounds)
    print(f"{r['name']:46} awskit {r['awskit']:,.0f} ops/s, moto {r['moto']:,.0f} ops/s: "
          f"awskit {r['ratio']:.1f}x moto")


def control_round(backend: str, n: int) -> float:
    run = under_awskit if backend == "awskit" else under_moto
    ops, seconds = run(lw.control_plane, n)
    return ops / seconds


# --------------------------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------------------------
def ec2_round(backend: str, n: int) -> float:
    run = under_awskit if backend == "awskit" else under_moto
    ops, seconds = run(nw.ec2_calls, n)
    return ops / seconds


def network_section(quick: bool, rounds: int) -> None:
    import time
    import awskit
    questions = 60 if quick else 300
    cloud = awskit.Cloud(seed=0)
    t0 = time.perf_counter()
    network = nw.build_network(cloud)
    built = time.perf_counter() - t0
    instances = sum(len(v["web"]) + len(v["app"]) + len(v["db"]) for v in network["vpcs"])
    print(f"Network: {len(network['vpcs'])} VPCs (and 15 default VPCs), {instances} instances, "
          f"5 accounts x 3 Regions, {len(network['tgws'])} transit gateways, 15 peerings, 15 NAT "
          f"gateways (built through boto3 in {built:.1f} s, not timed below)")
    q = nw.reachability_queries(cloud, nw.questions(network, questions))
    ok = q["mean"] < TARGET_QUERY_MS and q["p95"] < TARGET_QUERY_MS
    print(f"{'reachability question (ms)':40} mean {q['mean']:.2f}, median {q['median']:.2f}, "
          f"p95 {q['p95']:.2f}, max {q['max']:.2f} over {q['n']} ({q['reachable']} reachable)"
          f"   target < {TARGET_QUERY_MS:g} ms {verdict(ok)}")
    d = nw.diagram_times(cloud)
    render = f"{d['render']:.2f} s to SVG (Graphviz)" if d["render"] is not None \
        else "no Graphviz renderer here: SVG not timed"
    print(f"{'cloud.diagram() of that network':40} {d['build']:.2f} s to build the graph and "
          f"DOT ({d['nodes']:,} DOT lines), {render}")
    r = compare("EC2 networking calls (boto3)", ec2_round, 20 if quick else 100, rounds)
    ok = r["ratio"] >= TARGET_RATIO
    print(f"{r['name']:40} awskit {r['awskit']:,.0f} ops/s, moto {r['moto']:,.0f} ops/s: "
          f"awskit {r['ratio']:.1f}x moto   >= {TARGET_RATIO:g}x {verdict(ok)}")


# --------------------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "OK  " if ok else "MISS"


def s3_section(args, rounds: int, n: int, direct_n: int) -> None:
    results = [compare("S3 put/get/list (boto3)", s3_round, n, rounds),
               compare("S3 as IAM user with policy (boto3)", iam_round, n, rounds)]
    print(f"{'workload':40} {'awskit ops/s':>13} {'moto ops/s':>11} {'ratio':>7}   target")
    for r in results:
        ok = r["ratio"] >= TARGET_RATIO
        print(f"{r['name']:40} {r['awskit']:13,.0f} {r['moto']:11,.0f} {r['ratio']:6.1f}x   "
              f">= {TARGET_RATIO:g}x {verdict(ok)}")
    rate = direct(direct_n, max(3, rounds // 2))
    print(f"{'direct cloud.s3.put_object':40} {rate:13,.0f} {'':11} {'':7}   "
          f">= {TARGET_DIRECT:,} puts/s {verdict(rate >= TARGET_DIRECT)}")
    seconds = import_time(7 if not args.quick else 3)
    print(f"{'import awskit (fresh process, min)':40} {seconds:12.3f}s {'':11} {'':7}   "
          f"< {TARGET_IMPORT} s {verdict(seconds < TARGET_IMPORT)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="awskit benchmarks")
    parser.add_argument("--quick", action="store_true", help="short rounds (smoke test)")
    parser.add_argument("--only", choices=("s3", "lambda", "network"),
                        help="run one section only (default: all of them)")
    parser.add_argument("--profile", action="store_true",
                        help="print cProfile summaries of the direct and boto3 put paths")
    args = parser.parse_args(argv)
    n, rounds, direct_n = (100, 3, 2000) if args.quick else (400, 7, 20_000)

    import awskit
    import boto3
    import moto
    print(f"awskit {awskit.__version__}, boto3 {boto3.__version__}, moto {moto.__version__}, "
          f"Python {sys.version.split()[0]}")
    if args.only in (None, "s3"):
        print(f"{rounds} alternating rounds per workload, medians; 1 KiB objects")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 0.5 * (os.cpu_count() or 1):
        print(f"note: load average {load:.1f} on {os.cpu_count()} CPUs: other work is running, "
              "absolute figures are low and noisy (the ratios hold up better)")
    print()

    if args.only in (None, "s3"):
        s3_section(args, rounds, n, direct_n)
    if args.only in (None, "lambda"):
        if args.only is None:
            print()
        lambda_section(args.quick)
    if args.only in (None, "network"):
        if args.only is None:
            print()
        network_section(args.quick, rounds)
    if args.profile:
        import profile_paths
        profile_paths.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
