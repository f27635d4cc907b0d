"""Checks of the S3 and IAM exercises (notebooks 00 and 07)."""

from __future__ import annotations

import json

from .core import Hint, _checked


def _object_bytes(cloud, bucket: str, key: str) -> bytes | None:
    """The current bytes of ``bucket/key`` (read straight from the data store, no request)."""
    from ..s3.model import DM, OID
    s3 = cloud.s3
    if bucket not in s3.buckets:
        return None
    row = s3.current(s3.buckets[bucket], key)
    if row is None or row[DM]:        # no version, or a delete marker
        return None
    return s3.store_for(s3.buckets[bucket].region)._any_copy(row[OID])


# -- 00-start-here ----------------------------------------------------------------------------
@_checked("first upload")
def check_first_upload(cloud, bucket: str = "my-first-bucket", key: str = "hello.txt",
                       body: bytes = b"Hello, cloud!") -> str:
    """A bucket ``bucket`` holding ``key`` with exactly ``body``."""
    if bucket not in cloud.s3.buckets:
        raise Hint(f"there is no bucket named {bucket!r} yet: create_bucket comes first "
                   "(buckets hold objects)")
    data = _object_bytes(cloud, bucket, key)
    if data is None:
        raise Hint(f"the bucket exists but has no object {key!r}: put_object stores one "
                   "(Bucket, Key and Body)")
    if data != body:
        raise Hint(f"{key!r} holds {data[:40]!r}, not {body!r}: an object's data is exactly "
                   "the bytes you put")
    return f"s3://{bucket}/{key} holds {body!r}"


@_checked("reading a trace")
def check_trace_reading(cloud, answer) -> str:
    """``answer``: the component that persisted the bytes of the latest PutObject."""
    puts = [t for t in cloud.traces if t.operation == "PutObject" and t.ok]
    if not puts:
        raise Hint("upload an object first: every request leaves a trace in cloud.traces")
    expected = next((s.component for s in puts[-1].steps if "uuid" in (s.detail or {})
                     and "Persist" in s.action), None)
    if str(answer).strip().lower() != str(expected).lower():
        raise Hint(f"{answer!r} is not it: look for the step whose action says it persisted "
                   "the bytes and returned a UUID (trace.describe() lists every step)")
    return f"the {expected} persisted the bytes and returned the object's UUID"


# -- 01-core-services -------------------------------------------------------------------------
@_checked("a bucket in a Region")
def check_bucket_in_region(cloud, region: str = "eu-west-1") -> str:
    """Some bucket of the default account lives in ``region``."""
    names = [b.name for b in cloud.s3.buckets.values()
             if b.region == region and b.owner == cloud.default_account]
    if not names:
        elsewhere = sorted({b.region for b in cloud.s3.buckets.values()})
        raise Hint(f"no bucket in {region} yet (buckets in: {', '.join(elsewhere) or 'none'}): "
                   "a bucket lives in the Region you create it in — pass "
                   "CreateBucketConfiguration={'LocationConstraint': ...} with a client of "
                   "that Region")
    return f"bucket {names[0]} lives in {region}"


# -- 07-s3-upload-process ---------------------------------------------------------------------
SEVEN = ["API service", "IAM", "Metadata DB", "API service", "IAM", "Data store", "Metadata DB"]


@_checked("the seven steps")
def check_seven_steps(cloud, bucket: str = "bucket-to-share", key: str = "script.txt") -> str:
    """A CreateBucket of ``bucket`` followed by a PutObject of ``key`` into it, both OK."""
    traces = list(cloud.traces)
    for i in range(len(traces) - 1):
        create, put = traces[i], traces[i + 1]
        if (create.operation == "CreateBucket" and create.ok and put.operation == "PutObject"
                and put.ok and bucket in create.summary and f"/{bucket}/{key}" in put.summary):
            components = [s.component for s in create.steps + put.steps]
            if components == SEVEN:
                return "create_bucket + put_object walked the seven steps of the upload process"
            raise Hint(f"the two requests took {components}, not the seven steps: were they "
                       "made by the root user with nothing in between?")
    raise Hint(f"create the bucket {bucket!r} and, right after it, put {key!r} into it: the "
               "upload process is those two HTTP PUTs")


@_checked("the object's UUID")
def check_object_uuid(cloud, uuid, bucket: str = "bucket-to-share", key: str = "script.txt") -> str:
    """``uuid`` is the object_id of ``bucket/key`` in the metadata DB."""
    row = cloud.s3.metadata_db.execute(
        "SELECT object_id FROM object WHERE bucket_name = ? AND object_name = ? AND is_latest = 1",
        (bucket, key)).fetchone()
    if row is None:
        raise Hint(f"there is no {bucket}/{key} in the metadata DB: do the upload exercise first")
    if str(uuid).strip() != row[0]:
        raise Hint("that is not the object's UUID: select object_id FROM object WHERE "
                   "object_name = ... — the metadata DB points at the data store by UUID")
    if not cloud.s3.store_for(cloud.s3.buckets[bucket].region).replicas_of(row[0]):
        raise Hint("the metadata DB names this UUID but the data store has no copy")
    return f"{key} is object {row[0]} in the data store"


@_checked("replicas survive")
def check_failover(cloud, bucket: str = "bucket-to-share", key: str = "script.txt") -> str:
    """A data node holding ``key`` is down, and a GetObject still read it from a replica."""
    s3 = cloud.s3
    if bucket not in s3.buckets:
        raise Hint(f"there is no bucket {bucket!r}: do the upload exercise first")
    row = s3.current(s3.buckets[bucket], key)
    if row is None:
        raise Hint(f"there is no object {key!r} in {bucket!r}")
    replicas = s3.store_for(s3.buckets[bucket].region).replicas_of(row[0])
    if all(r["status"] == "up" for r in replicas):
        raise Hint("every data node holding the object is up: fail one with "
                   "cloud.s3.data_store.fail_node(node_id) (replicas_of(uuid) says which)")
    for trace in reversed(list(cloud.traces)):
        if trace.operation == "GetObject" and f"/{bucket}/{key}" in trace.summary:
            if not trace.ok:
                raise Hint(f"the last GetObject failed with {trace.error}")
            read = trace.steps[-1]
            if any("down" in s.action for s in read.substeps or []):
                return f"the read failed over to {read.detail.get('node')} while a node was down"
            raise Hint("the last GetObject did not meet the failed node: fail the node the "
                       "read used (its primary) and read again")
    raise Hint("read the object back with get_object after failing a node")


@_checked("least privilege")
def check_least_privilege(cloud, user: str = "intern", bucket: str = "bucket-to-share",
                          prefix: str = "reports/") -> str:
    """``user`` may read objects under ``prefix`` and nothing else in ``bucket``."""
    account = cloud.iam.accounts[cloud.default_account]
    if user.lower() not in account.users:
        raise Hint(f"create the IAM user {user!r} first")
    arn = account.users[user.lower()].arn
    base = f"arn:aws:s3:::{bucket}"

    def allowed(action, resource):
        return cloud.iam.explain(arn, action, resource).allowed

    if not allowed("s3:GetObject", f"{base}/{prefix}q1.csv"):
        raise Hint(f"{user} cannot read {prefix}q1.csv yet: allow s3:GetObject on "
                   f"{base}/{prefix}*")
    for action, resource, what in [
            ("s3:GetObject", f"{base}/private/salaries.csv", "objects outside the prefix"),
            ("s3:PutObject", f"{base}/{prefix}q1.csv", "writing"),
            ("s3:DeleteObject", f"{base}/{prefix}q1.csv", "deleting"),
            ("s3:DeleteBucket", base, "deleting the bucket"),
            ("s3:GetObject", f"arn:aws:s3:::some-other-bucket/{prefix}x", "other buckets")]:
        if allowed(action, resource):
            raise Hint(f"{user} is allowed {what} ({action} on {resource}): least privilege "
                       "grants only what the task needs — narrow the Action and Resource")
    return f"{user} may read {base}/{prefix}* and nothing more"


@_checked("versioning saves the day")
def check_versioning_recovery(cloud, bucket: str = "bucket-to-share", key: str = "config.json",
                              original: bytes = b'{"mode": "safe"}') -> str:
    """Versioning is on, ``key`` was overwritten, and its original content is current again."""
    s3 = cloud.s3
    if bucket not in s3.buckets:
        raise Hint(f"there is no bucket {bucket!r}")
    b = s3.buckets[bucket]
    if b.versioning != "Enabled":
        raise Hint("turn versioning on first (put_bucket_versioning with Status Enabled): "
                   "without it an overwrite replaces the object for good")
    versions = s3.meta.versions_of(b.bucket_id, key)
    if len(versions) < 3:
        raise Hint(f"{key} has {len(versions)} version(s): put the original, overwrite it, "
                   "then bring the original back (copy_object from its VersionId)")
    if _object_bytes(cloud, bucket, key) != original:
        raise Hint(f"the current {key} is not the original {original!r}: copy the old version "
                   "over the current one (CopySource with its VersionId)")
    return f"{key} is back to {json.loads(original)} and every version is kept"
