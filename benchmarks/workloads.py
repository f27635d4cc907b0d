"""The benchmark workloads: plain boto3 code, run unchanged under awskit and under moto.

Each workload is a function ``(n) -> (operations, seconds)`` to be called inside an active
mock (``awskit.mock_aws()`` or ``moto.mock_aws()``). Setup (clients, buckets, users) is not
timed; the timed part is only the calls. The data are seeded, so every run does the same.
"""

from __future__ import annotations

import json
import random
import time

import boto3

BODY_SIZE = 1024
BUCKET = "bench-bucket"


def _bodies(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(BODY_SIZE) for _ in range(n)]


def s3_put_get_list(n: int, seed: int = 0) -> tuple[int, float]:
    """n PutObject + n GetObject (body read) + n/10 ListObjectsV2 of 1 KiB objects."""
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    bodies = _bodies(n, seed)
    keys = [f"data/{i % 10}/object-{i:06d}" for i in range(n)]
    ops = 0
    t0 = time.perf_counter()
    for i in range(n):
        s3.put_object(Bucket=BUCKET, Key=keys[i], Body=bodies[i])
        got = s3.get_object(Bucket=BUCKET, Key=keys[i])["Body"].read()
        ops += 2
        if i % 10 == 9:
            s3.list_objects_v2(Bucket=BUCKET, Prefix=f"data/{i % 10}/", MaxKeys=100)
            ops += 1
    elapsed = time.perf_counter() - t0
    assert got == bodies[-1]
    return ops, elapsed


USER_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
    "Resource": f"arn:aws:s3:::{BUCKET}/users/*"}]}


def iam_user_setup():
    """A bucket, and an IAM user allowed s3:GetObject/PutObject on users/* (as root)."""
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="bench-user")
    key = iam.create_access_key(UserName="bench-user")["AccessKey"]
    iam.put_user_policy(UserName="bench-user", PolicyName="rw",
                        PolicyDocument=json.dumps(USER_POLICY))
    return boto3.client("s3", region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"])


def iam_authorized(client, n: int, seed: int = 1) -> tuple[int, float]:
    """n PutObject + n GetObject by the IAM user, each authorized by its identity policy;
    then one PutObject outside users/* must be refused (proof the policy was enforced)."""
    bodies = _bodies(n, seed)
    ops = 0
    t0 = time.perf_counter()
    for i in range(n):
        key = f"users/object-{i:06d}"
        client.put_object(Bucket=BUCKET, Key=key, Body=bodies[i])
        client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        ops += 2
    elapsed = time.perf_counter() - t0
    from botocore.exceptions import ClientError
    try:
        client.put_object(Bucket=BUCKET, Key="outside/x", Body=b"x")
    except ClientError as err:
        assert err.response["Error"]["Code"] == "AccessDenied", err.response["Error"]
    else:
        raise AssertionError("the IAM user wrote outside users/*: authorization is not enforced")
    return ops, elapsed


def direct_puts(n: int, seed: int = 2) -> tuple[int, float]:
    """n direct ``cloud.s3.put_object`` calls of 1 KiB (no boto3 involved)."""
    import awskit
    cloud = awskit.Cloud(seed=seed)
    cloud.s3.create_bucket(Bucket=BUCKET)
    bodies = _bodies(n, seed)
    put = cloud.s3.put_object
    t0 = time.perf_counter()
    for i in range(n):
        put(Bucket=BUCKET, Key=f"direct/object-{i:06d}", Body=bodies[i])
    return n, time.perf_counter() - t0
