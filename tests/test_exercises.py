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


def test_lambda_checks_say_what_is_missing(cloud):
    from lambda_invoke_helpers import deploy
    assert "no function 'hello'" in exercises.check_provisioned_warm(cloud).message
    deploy(cloud, "def handler(event, context):\n    if event.get('fail'):\n"
                  "        raise ValueError('no')\n    return 1\n", name="hello")
    lam = cloud.client("lambda")
    try:
        assert "no alias 'live'" in exercises.check_provisioned_warm(cloud).message
        version = lam.publish_version(FunctionName="hello")["Version"]
        lam.create_alias(FunctionName="hello", Name="live", FunctionVersion=version)
        assert "no provisioned concurrency" in exercises.check_provisioned_warm(cloud).message
        lam.put_provisioned_concurrency_config(FunctionName="hello", Qualifier="live",
                                               ProvisionedConcurrentExecutions=1)
        assert "still being initialized" in exercises.check_provisioned_warm(cloud).message
        cloud.advance(minutes=5)
        assert "now invoke" in exercises.check_provisioned_warm(cloud).message
        lam.invoke(FunctionName="hello", Qualifier="live")
        assert exercises.check_provisioned_warm(cloud).passed

        assert "no dead-letter queue" in exercises.check_async_dlq(cloud).message
        sqs = cloud.client("sqs")
        url = sqs.create_queue(QueueName="hello-dlq")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        cloud.client("iam").put_role_policy(
            RoleName="role-hello", PolicyName="dlq", PolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}]}))
        lam.update_function_configuration(FunctionName="hello",
                                          DeadLetterConfig={"TargetArn": arn})
        cloud.advance(1)
        assert "has failed yet" in exercises.check_async_dlq(cloud).message
        lam.invoke(FunctionName="hello", InvocationType="Event", Payload=b'{"fail": true}')
        cloud.advance(1)
        assert "1 time(s)" in exercises.check_async_dlq(cloud).message
        cloud.advance(minutes=5)          # retried twice, then sent to the queue
        assert exercises.check_async_dlq(cloud).passed
    finally:
        cloud.awslambda.stop_processes()
