"""Every exercise check: a hint before the work is done (never an exception), PASS after."""

import json

import pytest

import awskit
from awskit import exercises


@pytest.fixture
def cloud():
    return awskit.Cloud(seed=0)


def test_check_is_a_badge_and_never_raises(cloud):
    result = exercises.check_first_upload(cloud)
    assert not result and result.text.startswith("Not yet (first upload)")
    bundle = result._repr_mimebundle_()
    assert "NOT YET" in bundle["text/html"] and bundle["text/plain"] == result.text
    # a nonsense answer becomes a hint, not a traceback
    assert not exercises.check_object_uuid(None, uuid=object())


def test_first_upload(cloud):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="my-first-bucket")
    assert "put_object" in exercises.check_first_upload(cloud).message
    s3.put_object(Bucket="my-first-bucket", Key="hello.txt", Body=b"Hello, World")
    assert "exactly the bytes" in exercises.check_first_upload(cloud).message
    s3.put_object(Bucket="my-first-bucket", Key="hello.txt", Body=b"Hello, cloud!")
    assert exercises.check_first_upload(cloud).passed


def test_trace_reading(cloud):
    assert not exercises.check_trace_reading(cloud, "Data store")
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="b-trace")
    s3.put_object(Bucket="b-trace", Key="k", Body=b"v")
    assert not exercises.check_trace_reading(cloud, "Metadata DB")
    assert exercises.check_trace_reading(cloud, "data store").passed


def test_bucket_in_region(cloud):
    cloud.client("s3").create_bucket(Bucket="in-virginia")
    assert "us-east-1" in exercises.check_bucket_in_region(cloud).message
    cloud.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="in-ireland", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert exercises.check_bucket_in_region(cloud).passed


def test_seven_steps_uuid_and_failover(cloud):
    s3 = cloud.client("s3")
    assert not exercises.check_seven_steps(cloud)
    s3.create_bucket(Bucket="bucket-to-share")
    s3.put_object(Bucket="bucket-to-share", Key="script.txt", Body=b"print('hi')")
    assert exercises.check_seven_steps(cloud).passed
    assert not exercises.check_object_uuid(cloud, "not-a-uuid")
    uuid = cloud.s3.metadata_db.execute("SELECT object_id FROM object").fetchone()[0]
    assert exercises.check_object_uuid(cloud, uuid).passed
    assert "fail one" in exercises.check_failover(cloud).message
    store = cloud.s3.data_store
    replicas = store.replicas_of(uuid)
    store.fail_node(replicas[-1]["node"])             # a replica, not the node reads use
    s3.get_object(Bucket="bucket-to-share", Key="script.txt")
    assert "did not meet the failed node" in exercises.check_failover(cloud).message
    store.fail_node(replicas[0]["node"])              # now the primary
    s3.get_object(Bucket="bucket-to-share", Key="script.txt")
    assert exercises.check_failover(cloud).passed


def test_least_privilege(cloud):
    s3, iam = cloud.client("s3"), cloud.client("iam")
    s3.create_bucket(Bucket="bucket-to-share")
    assert "create the IAM user" in exercises.check_least_privilege(cloud).message
    iam.create_user(UserName="intern")
    iam.attach_user_policy(UserName="intern", PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
    assert "allowed" in exercises.check_least_privilege(cloud).message
    iam.detach_user_policy(UserName="intern", PolicyArn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
    iam.put_user_policy(UserName="intern", PolicyName="reports", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::bucket-to-share/reports/*"}]}))
    assert exercises.check_least_privilege(cloud).passed


def test_versioning_recovery(cloud):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="bucket-to-share")
    assert "versioning on" in exercises.check_versioning_recovery(cloud).message
    s3.put_bucket_versioning(Bucket="bucket-to-share",
                             VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="bucket-to-share", Key="config.json",
                          Body=b'{"mode": "safe"}')["VersionId"]
    s3.put_object(Bucket="bucket-to-share", Key="config.json", Body=b'{"mode": "oops"}')
    assert not exercises.check_versioning_recovery(cloud)
    s3.copy_object(Bucket="bucket-to-share", Key="config.json",
                   CopySource={"Bucket": "bucket-to-share", "Key": "config.json",
                               "VersionId": first})
    assert exercises.check_versioning_recovery(cloud).passed
