"""The issue's acceptance script: a student's boto3-only program, run unchanged under mock_aws.

Everything below is plain boto3, as a student would write it against real AWS; only the
``with awskit.mock_aws(cloud)`` line is awskit. Each answer and error is the one real S3,
IAM and STS give (codes and statuses from botocore's models and the AWS docs).
"""

import hashlib
import json

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

import awskit

MB = 1024 * 1024


def student_script(tmp_path, other_account: str) -> dict:
    results = {}
    s3 = boto3.client("s3")
    iam = boto3.client("iam")
    sts = boto3.client("sts")
    me = sts.get_caller_identity()["Account"]

    # buckets and objects
    s3.create_bucket(Bucket="course-data")
    for key in ["notes/week1.md", "notes/week2.md", "photos/cat.jpg", "readme.txt"]:
        s3.put_object(Bucket="course-data", Key=key, Body=key.encode())
    listing = s3.list_objects_v2(Bucket="course-data", Delimiter="/")
    results["top"] = ([o["Key"] for o in listing["Contents"]],
                      [p["Prefix"] for p in listing["CommonPrefixes"]])
    try:
        s3.get_object(Bucket="course-data", Key="missing.txt")
    except ClientError as err:
        results["missing"] = err.response["Error"]["Code"]

    # a 20 MB multipart upload_file with threads, and back
    source = tmp_path / "big.bin"
    data = bytes(range(256)) * (20 * MB // 256)
    source.write_bytes(data)
    config = TransferConfig(multipart_threshold=8 * MB, multipart_chunksize=8 * MB, max_concurrency=4)
    s3.upload_file(str(source), "course-data", "big.bin", Config=config)
    head = s3.head_object(Bucket="course-data", Key="big.bin")
    results["big"] = (head["ContentLength"], head["ETag"])
    target = tmp_path / "back.bin"
    s3.download_file("course-data", "big.bin", str(target), Config=config)
    results["round_trip"] = target.read_bytes() == data

    # versioning
    s3.create_bucket(Bucket="course-versions")
    s3.put_bucket_versioning(Bucket="course-versions", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="course-versions", Key="doc", Body=b"draft")["VersionId"]
    s3.put_object(Bucket="course-versions", Key="doc", Body=b"final")
    s3.delete_object(Bucket="course-versions", Key="doc")
    try:
        s3.get_object(Bucket="course-versions", Key="doc")
    except ClientError as err:
        results["after_delete"] = err.response["Error"]["Code"]
    results["old_version"] = s3.get_object(Bucket="course-versions", Key="doc",
                                           VersionId=v1)["Body"].read()
    versions = s3.list_object_versions(Bucket="course-versions")
    results["versions"] = (len(versions["Versions"]), len(versions["DeleteMarkers"]))

    # an IAM user allowed to read but not write
    iam.create_user(UserName="reader")
    iam.attach_user_policy(UserName="reader",
                           PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    reader = boto3.client("s3", aws_access_key_id=key["AccessKeyId"],
                          aws_secret_access_key=key["SecretAccessKey"])
    results["reader_reads"] = reader.get_object(Bucket="course-data", Key="readme.txt")["Body"].read()
    try:
        reader.put_object(Bucket="course-data", Key="graffiti.txt", Body=b"x")
    except ClientError as err:
        results["reader_writes"] = (err.response["Error"]["Code"],
                                    err.response["ResponseMetadata"]["HTTPStatusCode"])

    # a bucket policy granting another account read access
    s3.put_bucket_policy(Bucket="course-data", Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PartnerRead", "Effect": "Allow",
                       "Principal": {"AWS": f"arn:aws:iam::{other_account}:root"},
                       "Action": ["s3:GetObject", "s3:ListBucket"],
                       "Resource": ["arn:aws:s3:::course-data", "arn:aws:s3:::course-data/*"]}]}))
    results["me"] = me
    return results


def test_student_script_runs_unchanged_under_mock_aws(tmp_path):
    cloud = awskit.Cloud(seed=0)
    partner = cloud.new_account()
    with awskit.mock_aws(cloud):
        results = student_script(tmp_path, partner)

    assert results["me"] == cloud.default_account
    assert results["top"] == (["readme.txt"], ["notes/", "photos/"])
    assert results["missing"] == "NoSuchKey"
    data = bytes(range(256)) * (20 * MB // 256)
    parts = [data[i:i + 8 * MB] for i in range(0, len(data), 8 * MB)]
    expected_etag = '"%s-%d"' % (hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts))
                                 .hexdigest(), len(parts))
    assert results["big"] == (len(data), expected_etag)
    assert results["round_trip"] is True
    assert results["after_delete"] == "NoSuchKey"
    assert results["old_version"] == b"draft"
    assert results["versions"] == (2, 1)
    assert results["reader_reads"] == b"readme.txt"
    assert results["reader_writes"] == ("AccessDenied", 403)

    # the partner account reads through the bucket policy, and cannot write
    partner_s3 = cloud.client("s3", account=partner)
    assert partner_s3.get_object(Bucket="course-data", Key="readme.txt")["Body"].read() == \
        b"readme.txt"
    with pytest.raises(ClientError) as info:
        partner_s3.put_object(Bucket="course-data", Key="x", Body=b"x")
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    # a third account is not named in the policy
    stranger = cloud.client("s3", account=cloud.new_account())
    with pytest.raises(ClientError) as info:
        stranger.get_object(Bucket="course-data", Key="readme.txt")
    assert info.value.response["Error"]["Code"] == "AccessDenied"

    # the denied write stopped at IAM, and the trace says so
    denied = [t for t in cloud.traces if t.operation == "PutObject" and t.error == "AccessDenied"]
    assert denied and denied[0].steps[-1].component == "IAM"
    assert "denied" in denied[0].steps[-1].action
