"""Same seed + same calls → same ids, times, traces and responses; saving changes nothing.

A mixed S3 + IAM + STS workload (through boto3 clients and the direct front) runs on several
clouds: two with the same seed must agree on everything, two with different seeds must not;
no code inside awskit may read the wall clock or unseeded randomness while it runs; and a cloud
saved, loaded and continued must end exactly where a cloud that never stopped ends.
"""

from __future__ import annotations

import ast
import json
import os
import random
import secrets
import sys
import time
import uuid
from datetime import date, datetime
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from botocore.response import StreamingBody

import awskit

AWSKIT = Path(awskit.__file__).resolve().parent
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::det-bkt", "arn:aws:s3:::det-bkt/*"]}]}


def plain(value):
    """A response as comparable plain data (bodies read into bytes)."""
    if isinstance(value, StreamingBody):
        return ("<body>", value.read())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


class Recorder:
    """Runs calls and records every outcome (response or AWS error) in order."""

    def __init__(self):
        self.log: list = []

    def __call__(self, fn, **params):
        try:
            out = plain(fn(**params))
        except ClientError as err:
            self.log.append(("error", err.response["Error"], err.response["ResponseMetadata"]))
            return None
        self.log.append(("ok", out))
        return out


# --------------------------------------------------------------------------------------------
# The workload, in two phases (a save/load may happen between them)
# --------------------------------------------------------------------------------------------
def phase_one(cloud, rec: Recorder) -> dict:
    s3, iam, sts = cloud.client("s3"), cloud.client("iam"), cloud.client("sts")
    rng = random.Random(1234)                       # the workload's own data, seeded
    rec(s3.create_bucket, Bucket="det-bkt")
    rec(cloud.s3.create_bucket, Bucket="det-eu", CreateBucketConfiguration={
        "LocationConstraint": "eu-west-1"})
    for i in range(12):
        rec(s3.put_object, Bucket="det-bkt", Key=f"dir{i % 3}/obj{i}", Body=rng.randbytes(100 + i))
    rec(cloud.s3.put_object, Bucket="det-bkt", Key="meta", Body=b"m", Metadata={"k": "v"})
    rec(s3.list_objects_v2, Bucket="det-bkt", Delimiter="/", MaxKeys=2)
    rec(s3.get_object, Bucket="det-bkt", Key="dir0/obj0")
    rec(s3.get_object, Bucket="det-bkt", Key="missing")
    rec(s3.head_object, Bucket="det-bkt", Key="missing")
    rec(s3.delete_object, Bucket="det-bkt", Key="dir1/obj1")
    rec(s3.create_bucket, Bucket="Bad_Name")
    user = rec(iam.create_user, UserName="det-user")
    key = rec(iam.create_access_key, UserName="det-user")["AccessKey"]
    rec(iam.put_user_policy, UserName="det-user", PolicyName="rw", PolicyDocument=json.dumps(POLICY))
    rec(sts.get_caller_identity)
    session = rec(sts.get_session_token, DurationSeconds=3600)
    as_user = cloud.client("s3", aws_access_key_id=key["AccessKeyId"],
                           aws_secret_access_key=key["SecretAccessKey"])
    rec(as_user.put_object, Bucket="det-bkt", Key="by-user", Body=b"u" * 300)
    rec(as_user.list_buckets)                                   # AccessDenied
    # an upload left in progress across the save
    upload = rec(s3.create_multipart_upload, Bucket="det-bkt", Key="mpu")["UploadId"]
    rec(s3.upload_part, Bucket="det-bkt", Key="mpu", UploadId=upload, PartNumber=1,
        Body=rng.randbytes(5 * 1024 * 1024))
    rec(s3.put_bucket_versioning, Bucket="det-bkt", VersioningConfiguration={"Status": "Enabled"})
    rec(s3.put_object_tagging, Bucket="det-bkt", Key="meta",
        Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
    # a lifecycle rule whose expiration is a scheduled event pending across the save
    rec(s3.put_bucket_lifecycle_configuration, Bucket="det-eu", LifecycleConfiguration={
        "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
                   "Expiration": {"Days": 1}}]})
    eu = cloud.client("s3", region_name="eu-west-1")
    rec(eu.put_object, Bucket="det-eu", Key="tmp/soon-gone", Body=b"t")
    rec(eu.put_object, Bucket="det-eu", Key="keep", Body=b"k")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": user["User"]["Arn"]}, "Action": "sts:AssumeRole"}]}
    role = rec(iam.create_role, RoleName="det-role",
               AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    rec(iam.put_user_policy, UserName="det-user", PolicyName="assume", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Resource": role}]}))
    cloud.advance(minutes=5)
    return {"key": key, "session": session["Credentials"], "upload": upload, "role": role}


def phase_two(cloud, rec: Recorder, ctx: dict) -> None:
    s3, iam = cloud.client("s3"), cloud.client("iam")
    key, creds = ctx["key"], ctx["session"]
    rng = random.Random(99)
    as_user = cloud.client("s3", aws_access_key_id=key["AccessKeyId"],
                           aws_secret_access_key=key["SecretAccessKey"])
    rec(as_user.get_object, Bucket="det-bkt", Key="by-user")
    as_session = cloud.client("sts", aws_access_key_id=creds["AccessKeyId"],
                              aws_secret_access_key=creds["SecretAccessKey"],
                              aws_session_token=creds["SessionToken"])
    rec(as_session.get_caller_identity)
    for i in range(5):
        rec(s3.put_object, Bucket="det-bkt", Key=f"later/{i}", Body=rng.randbytes(50))
    rec(cloud.s3.list_objects_v2, Bucket="det-bkt", Prefix="later/")
    rec(s3.upload_part, Bucket="det-bkt", Key="mpu", UploadId=ctx["upload"], PartNumber=2,
        Body=b"tail")
    parts = rec(s3.list_parts, Bucket="det-bkt", Key="mpu", UploadId=ctx["upload"])
    rec(s3.complete_multipart_upload, Bucket="det-bkt", Key="mpu", UploadId=ctx["upload"],
        MultipartUpload={"Parts": [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]}
                                   for p in parts["Parts"]]})
    assert rec(s3.head_object, Bucket="det-bkt", Key="mpu")["ETag"].endswith('-2"')
    as_user_sts = cloud.client("sts", aws_access_key_id=key["AccessKeyId"],
                               aws_secret_access_key=key["SecretAccessKey"])
    c = rec(as_user_sts.assume_role, RoleArn=ctx["role"], RoleSessionName="det")["Credentials"]
    assert rec(cloud.client("sts", aws_access_key_id=c["AccessKeyId"],
                            aws_secret_access_key=c["SecretAccessKey"],
                            aws_session_token=c["SessionToken"]).get_caller_identity)["Arn"] \
        .endswith(":assumed-role/det-role/det")
    rec(s3.put_object, Bucket="det-bkt", Key="meta", Body=b"second version")
    rec(s3.delete_object, Bucket="det-bkt", Key="meta")
    versions = rec(s3.list_object_versions, Bucket="det-bkt", Prefix="meta")
    assert len(versions["Versions"]) == 2 and len(versions["DeleteMarkers"]) == 1
    cloud.advance(days=2)                                      # the lifecycle rule runs
    eu = cloud.client("s3", region_name="eu-west-1")
    listed = rec(eu.list_objects_v2, Bucket="det-eu")
    assert [o["Key"] for o in listed["Contents"]] == ["keep"]
    cloud.advance(hours=2)                                     # the session has expired
    assert rec(as_session.get_caller_identity) is None
    assert rec.log[-1][1]["Code"] == "ExpiredToken"
    rec(iam.get_user, UserName="det-user")
    rec(cloud.s3.get_object, Bucket="det-bkt", Key="dir2/obj2", Range="bytes=0-9")


def run(seed: int):
    cloud = awskit.Cloud(seed=seed)
    rec = Recorder()
    ctx = phase_one(cloud, rec)
    phase_two(cloud, rec, ctx)
    return cloud, rec.log


def differences(a, b, path="", out=None, limit=12) -> list[str]:
    """Where two plain-data values differ (the first ``limit`` paths), for failure messages."""
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if type(a) is not type(b):
        out.append(f"{path}: {a!r:.120} != {b!r:.120}")
    elif isinstance(a, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'second' if key not in a else 'first'}")
            else:
                differences(a[key], b[key], f"{path}.{key}", out, limit)
    elif isinstance(a, (list, tuple)):
        if len(a) != len(b):
            out.append(f"{path}: length {len(a)} != {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            differences(x, y, f"{path}[{i}]", out, limit)
    elif a != b:
        out.append(f"{path}: {a!r:.120} != {b!r:.120}")
    return out


def fingerprint(cloud) -> dict:
    return {"traces": [t.to_dict() for t in cloud.traces], "now": cloud.now,
            "clock": cloud.clock.elapsed, "ids": cloud.ids.state(),
            "state": json.loads(json.dumps(cloud.state(), sort_keys=True))}


# --------------------------------------------------------------------------------------------
# Same seed, same everything; different seeds, different ids
# --------------------------------------------------------------------------------------------
def test_same_seed_same_calls_give_identical_runs():
    a, log_a = run(seed=42)
    b, log_b = run(seed=42)
    assert len(log_a) > 40
    assert log_a == log_b
    fa, fb = fingerprint(a), fingerprint(b)
    diffs = differences(fa, fb)
    assert not diffs, "same seed, different runs:\n" + "\n".join(diffs)
    assert any(entry[0] == "error" for entry in log_a)       # errors are part of the run too


def test_different_seeds_give_different_ids():
    a, log_a = run(seed=1)
    b, log_b = run(seed=2)
    assert log_a != log_b
    ids_a = [t.request_id for t in a.traces]
    ids_b = [t.request_id for t in b.traces]
    assert len(ids_a) == len(ids_b) and not set(ids_a) & set(ids_b)
    key_a = next(e[1] for e in log_a if e[0] == "ok" and "AccessKey" in e[1])
    key_b = next(e[1] for e in log_b if e[0] == "ok" and "AccessKey" in e[1])
    assert key_a["AccessKey"]["AccessKeyId"] != key_b["AccessKey"]["AccessKeyId"]
    # ...while what does not depend on randomness is the same: times, statuses, operations
    assert [(t.operation, t.status, t.t0) for t in a.traces] == \
        [(t.operation, t.status, t.t0) for t in b.traces]


# --------------------------------------------------------------------------------------------
# No wall clock, no unseeded randomness inside awskit
# --------------------------------------------------------------------------------------------
def _inside_awskit() -> bool:
    """True when awskit code is anywhere on the calling stack (boto3's own uses are fine)."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name == "awskit" or name.startswith("awskit."):
            return True
        frame = frame.f_back
    return False


def _guard(name: str, original, only_without_args: bool = False):
    def guarded(*args, **kwargs):
        if (not only_without_args or not args) and _inside_awskit():
            raise AssertionError(f"awskit called {name}: model code must use the simulated "
                                 "clock (cloud.clock) and seeded ids (cloud.ids)")
        return original(*args, **kwargs)
    return guarded


class _GuardedDatetimeMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _REAL[cls.__name__])


_REAL = {"datetime": datetime, "date": date}


class _GuardedDatetime(datetime, metaclass=_GuardedDatetimeMeta):
    """Stands in for ``datetime`` inside awskit's modules: constructing and isinstance work
    as before (instances are real datetimes), reading the current time raises."""

    def __new__(cls, *args, **kwargs):
        return datetime(*args, **kwargs)

    @classmethod
    def now(cls, tz=None):
        raise AssertionError("awskit called datetime.now(): use cloud.clock.now")

    @classmethod
    def utcnow(cls):
        raise AssertionError("awskit called datetime.utcnow(): use cloud.clock.now")

    @classmethod
    def today(cls):
        raise AssertionError("awskit called datetime.today(): use cloud.clock.now")


class _GuardedDate(date, metaclass=_GuardedDatetimeMeta):
    def __new__(cls, *args, **kwargs):
        return date(*args, **kwargs)

    @classmethod
    def today(cls):
        raise AssertionError("awskit called date.today(): use cloud.clock.now")


@pytest.fixture
def no_wall_clock(monkeypatch):
    targets = [(time, n) for n in ("time", "time_ns", "localtime", "gmtime", "ctime")]
    targets += [(uuid, n) for n in ("uuid1", "uuid4")]
    targets += [(random, n) for n in ("random", "randint", "randrange", "choice", "choices",
                                      "getrandbits", "randbytes", "shuffle", "sample", "uniform")]
    targets += [(os, "urandom")] + [(secrets, n) for n in ("token_bytes", "token_hex",
                                                            "token_urlsafe", "randbits", "choice")]
    guards = {}
    for module, name in targets:
        original = getattr(module, name)
        # time.gmtime(t) etc. only format a given instant: the wall clock is read without one
        guards[id(original)] = guard = _guard(f"{module.__name__}.{name}", original,
                                              name in ("localtime", "gmtime", "ctime"))
        monkeypatch.setattr(module, name, guard)
    # names imported into awskit's own modules (``from time import time``, ``from datetime
    # import datetime``) are swapped too
    for modname, module in list(sys.modules.items()):
        if module is None or not (modname == "awskit" or modname.startswith("awskit.")):
            continue
        for attr, value in list(vars(module).items()):
            if id(value) in guards:
                monkeypatch.setattr(module, attr, guards[id(value)])
            elif value is datetime:
                monkeypatch.setattr(module, attr, _GuardedDatetime)
            elif value is date:
                monkeypatch.setattr(module, attr, _GuardedDate)
    yield


def test_the_guards_catch_awskit_reading_the_wall_clock(no_wall_clock, monkeypatch):
    """The fixture would catch a service that calls time.time() or datetime.now()."""
    from awskit.s3 import api
    cloud = awskit.Cloud(seed=0)
    cloud.s3.create_bucket(Bucket="det-bkt")
    monkeypatch.setattr(api, "check_owner", lambda bucket, expected: time.time())
    with pytest.raises(AssertionError, match="awskit called time.time"):
        cloud.s3.head_bucket(Bucket="det-bkt")
    monkeypatch.setattr(api, "check_owner", lambda bucket, expected: uuid.uuid4())
    with pytest.raises(AssertionError, match="uuid4"):
        cloud.s3.head_bucket(Bucket="det-bkt")
    from awskit.s3 import objects
    monkeypatch.setattr(api, "check_owner", lambda bucket, expected: objects.datetime.now())
    with pytest.raises(AssertionError, match="datetime.now"):
        cloud.s3.head_bucket(Bucket="det-bkt")
    assert time.time() > 0                               # outside awskit: untouched


def test_no_model_code_reads_the_wall_clock_or_unseeded_randomness(no_wall_clock):
    cloud, log = run(seed=7)
    assert len(log) > 40
    assert cloud.now.year == 2026                          # the simulated clock, not today's


def test_awskit_source_never_calls_wall_clock_apis():
    """A static check beside the runtime one: no call to a wall-clock or unseeded-random API
    appears in awskit's source (ids.py seeds its own ``random.Random`` streams). View code
    (``awskit/widgets/``, ``<service>/view.py``) is exempt: it may read the wall clock to
    throttle refreshes (DESIGN: the model never does; what a view shows stays deterministic).
    So is ``awskit/awslambda/runtime/``: it runs real handler code under real timeouts and
    reports the real measured times beside the modelled ones (issue 4)."""
    forbidden_attrs = {"now", "utcnow", "today", "time_ns", "uuid1", "uuid4", "urandom",
                       "perf_counter", "monotonic"}
    offenders = []
    for path in sorted(AWSKIT.rglob("*.py")):
        if path.name == "view.py" or "widgets" in path.relative_to(AWSKIT).parts or \
                path.relative_to(AWSKIT).parts[:2] == ("awslambda", "runtime"):
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = func.value.id if isinstance(func, ast.Attribute) and \
                isinstance(func.value, ast.Name) else ""
            if name in forbidden_attrs or (owner == "time" and name == "time") or \
                    (owner == "random" and name != "Random"):
                offenders.append(f"{path.relative_to(AWSKIT.parent)}:{node.lineno}: {ast.unparse(node)}")
    assert not offenders, "wall clock / unseeded randomness in awskit:\n" + "\n".join(offenders)


# --------------------------------------------------------------------------------------------
# Save → load → continue
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_save_load_continue_equals_never_saving(tmp_path, suffix):
    # the cloud that never stops
    steady = awskit.Cloud(seed=5)
    steady_rec = Recorder()
    ctx = phase_one(steady, steady_rec)
    phase_two(steady, steady_rec, ctx)

    # the cloud that is saved after phase one and continued from the file
    first = awskit.Cloud(seed=5)
    first_rec = Recorder()
    ctx_saved = phase_one(first, first_rec)
    assert ctx_saved == ctx and first_rec.log == steady_rec.log[:len(first_rec.log)]
    path = first.save(tmp_path / f"cloud{suffix}")
    saved_state = json.loads(json.dumps(first.state(), sort_keys=True))
    loaded = awskit.Cloud.load(path)
    diffs = differences(json.loads(json.dumps(loaded.state(), sort_keys=True)), saved_state)
    assert not diffs, "loaded state != saved state:\n" + "\n".join(diffs)
    assert loaded.now == first.now and loaded.ids.state() == first.ids.state()
    assert [t.to_dict() for t in loaded.traces] == [t.to_dict() for t in first.traces]
    assert [(e.due, e.name) for e in loaded.clock.pending] == \
        [(e.due, e.name) for e in first.clock.pending]

    continued_rec = Recorder()
    phase_two(loaded, continued_rec, ctx_saved)
    assert continued_rec.log == steady_rec.log[len(first_rec.log):]
    diffs = differences(fingerprint(loaded), fingerprint(steady))
    assert not diffs, "continued after a load != never saved:\n" + "\n".join(diffs)


def test_a_loaded_cloud_saves_to_the_same_bytes(tmp_path):
    cloud, _ = run(seed=3)
    first = cloud.save(tmp_path / "a.json")
    again = awskit.Cloud.load(first).save(tmp_path / "b.json")
    assert first.read_bytes() == again.read_bytes()
