"""Where a 1 KiB put spends its time: cProfile of the direct path and the boto3 path.

    python benchmarks/profile_paths.py [--top 25]

Prints, for each path, the share of the total taken by botocore (client side) and by awskit,
then awskit's functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.pop("AWSKIT_DEBUG", None)

AWSKIT_DIR = str(ROOT / "awskit")


def _profile(setup, n: int):
    call = setup()
    for i in range(200):                  # warm-up
        call(f"warm/{i}")
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        call(f"key/{i:06d}")
    profiler.disable()
    return pstats.Stats(profiler)


def direct_setup():
    import awskit
    cloud = awskit.Cloud(seed=0)
    cloud.s3.create_bucket(Bucket="prof-bucket")
    body = random.Random(0).randbytes(1024)
    return lambda key: cloud.s3.put_object(Bucket="prof-bucket", Key=key, Body=body)


def boto_setup():
    import awskit
    cloud = awskit.Cloud(seed=0)
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="prof-bucket")
    body = random.Random(0).randbytes(1024)
    return lambda key: s3.put_object(Bucket="prof-bucket", Key=key, Body=body)


def report(title: str, stats: pstats.Stats, n: int, top: int) -> None:
    entries = stats.stats                  # (file, line, fn) -> (cc, nc, tt, ct, callers)
    total = sum(tt for (_, _, tt, _, _) in entries.values())
    own = {"awskit": 0.0, "botocore/boto3": 0.0, "sqlite3 & builtins": 0.0, "other": 0.0}
    for (path, _, name), (_, _, tt, _, _) in entries.items():
        if path.startswith(AWSKIT_DIR):
            own["awskit"] += tt
        elif "botocore" in path or "boto3" in path or "s3transfer" in path:
            own["botocore/boto3"] += tt
        elif path == "~":
            own["sqlite3 & builtins"] += tt
        else:
            own["other"] += tt
    print(f"\n=== {title}: {n} puts, {total / n * 1e6:.1f} us per put under the profiler ===")
    print("own time by package: " + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in own.items()))

    def rows(index: int):
        mine = [(k, v) for k, v in entries.items() if k[0].startswith(AWSKIT_DIR)]
        mine.sort(key=lambda kv: kv[1][index], reverse=True)
        for (path, line, name), (_, calls, tt, ct, _) in mine[:top]:
            rel = os.path.relpath(path, ROOT)
            print(f"  {100 * ct / total:5.1f}% cum {100 * tt / total:5.1f}% own "
                  f"{calls / n:5.1f}/put  {rel}:{line} {name}")
    print("awskit functions by cumulative time:")
    rows(3)
    print("awskit functions by own time:")
    rows(2)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("-n", type=int, default=3000)
    args = parser.parse_args(argv)
    report("direct cloud.s3.put_object", _profile(direct_setup, args.n), args.n, args.top)
    report("boto3 client put_object", _profile(boto_setup, args.n), args.n, args.top)


if __name__ == "__main__":
    main()
