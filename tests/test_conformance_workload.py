"""A broad workload through every operation awskit implements, all of it checked.

The conformance checker installed for the session (tests/conformance.py, via conftest) checks
every response and error as it happens; this workload makes sure every implemented operation
is actually called, successfully, at least once, and that every service's errors are seen.
When you implement an operation, add a call to it here.
"""

import json

import pytest
from botocore.exceptions import ClientError

import awskit
from awskit.cloud import SERVICES
from awskit.service import Service

W_BUCKET, W_OTHER = "conf-bucket", "conf-other"
DOC = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{W_BUCKET}/*"}]}
DOC2 = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}


def _trust(arn):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": arn},
        "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}]})


class Exercised:
    """Records which operations answered successfully and which failed, per service."""

    def __init__(self):
        self.ok: set[tuple[str, str]] = set()
        self.failed: set[tuple[str, str]] = set()

    def __call__(self, service, operation, response, error):
        (self.failed if error is not None else self.ok).add((service.service_name, operation))


def _expect_error(call, code, **params):
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    assert excinfo.value.response["Error"]["Code"] == code, excinfo.value.response["Error"]


def _s3_workload(cloud):
    s3 = cloud.client("s3")
    direct = cloud.s3
    s3.create_bucket(Bucket=W_BUCKET)
    direct.create_bucket(Bucket=W_OTHER, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.head_bucket(Bucket=W_BUCKET)
    s3.get_bucket_location(Bucket=W_OTHER)
    s3.get_bucket_location(Bucket=W_BUCKET)
    s3.list_buckets()
    s3.list_buckets(MaxBuckets=1)
    s3.put_object(Bucket=W_BUCKET, Key="a/one.txt", Body=b"one", ContentType="text/plain",
                  Metadata={"colour": "blue"}, Tagging="team=a&tier=1", CacheControl="no-cache")
    direct.put_object(Bucket=W_BUCKET, Key="a/two.txt", Body=b"two" * 100)
    s3.put_object(Bucket=W_BUCKET, Key="cold", Body=b"frozen", StorageClass="GLACIER")
    s3.get_object(Bucket=W_BUCKET, Key="a/one.txt")
    s3.get_object(Bucket=W_BUCKET, Key="a/two.txt", Range="bytes=0-9")
    s3.head_object(Bucket=W_BUCKET, Key="a/one.txt")
    s3.list_objects_v2(Bucket=W_BUCKET, Delimiter="/", FetchOwner=True)
    s3.list_objects_v2(Bucket=W_BUCKET, MaxKeys=1, StartAfter="a")
    s3.list_objects(Bucket=W_BUCKET, Prefix="a/", Delimiter="/", MaxKeys=1)
    s3.copy_object(Bucket=W_BUCKET, Key="a/copy.txt", CopySource={"Bucket": W_BUCKET, "Key": "a/one.txt"})
    s3.copy_object(Bucket=W_BUCKET, Key="a/copy2.txt", CopySource=f"{W_BUCKET}/a/two.txt",
                   MetadataDirective="REPLACE", Metadata={"x": "y"})
    s3.put_object_tagging(Bucket=W_BUCKET, Key="a/copy.txt",
                          Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    s3.get_object_tagging(Bucket=W_BUCKET, Key="a/copy.txt")
    s3.delete_object_tagging(Bucket=W_BUCKET, Key="a/copy.txt")
    s3.get_object_acl(Bucket=W_BUCKET, Key="a/one.txt")
    s3.get_bucket_acl(Bucket=W_BUCKET)
    s3.restore_object(Bucket=W_BUCKET, Key="cold", RestoreRequest={"Days": 1})
    s3.head_object(Bucket=W_BUCKET, Key="cold")
    # multipart: upload, copy a part, list, complete; and one aborted
    upload = s3.create_multipart_upload(Bucket=W_BUCKET, Key="big", ContentType="application/x",
                                        Metadata={"m": "1"})["UploadId"]
    part1 = s3.upload_part(Bucket=W_BUCKET, Key="big", UploadId=upload, PartNumber=1,
                           Body=b"x" * (5 * 1024 * 1024))
    part2 = s3.upload_part_copy(Bucket=W_BUCKET, Key="big", UploadId=upload, PartNumber=2,
                                CopySource={"Bucket": W_BUCKET, "Key": "a/two.txt"},
                                CopySourceRange="bytes=0-99")
    s3.list_parts(Bucket=W_BUCKET, Key="big", UploadId=upload)
    s3.list_multipart_uploads(Bucket=W_BUCKET)
    s3.complete_multipart_upload(Bucket=W_BUCKET, Key="big", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part1["ETag"]},
                  {"PartNumber": 2, "ETag": part2["CopyPartResult"]["ETag"]}]})
    s3.get_object(Bucket=W_BUCKET, Key="big", PartNumber=1)
    gone = s3.create_multipart_upload(Bucket=W_BUCKET, Key="gone")["UploadId"]
    s3.abort_multipart_upload(Bucket=W_BUCKET, Key="gone", UploadId=gone)
    # bucket configuration
    s3.put_bucket_tagging(Bucket=W_BUCKET, Tagging={"TagSet": [{"Key": "env", "Value": "test"}]})
    s3.get_bucket_tagging(Bucket=W_BUCKET)
    s3.delete_bucket_tagging(Bucket=W_BUCKET)
    s3.put_bucket_encryption(Bucket=W_BUCKET, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]})
    s3.get_bucket_encryption(Bucket=W_BUCKET)
    s3.put_object(Bucket=W_BUCKET, Key="kms", Body=b"k")
    s3.head_object(Bucket=W_BUCKET, Key="kms")
    s3.delete_bucket_encryption(Bucket=W_BUCKET)
    s3.get_public_access_block(Bucket=W_BUCKET)
    s3.put_public_access_block(Bucket=W_BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    s3.put_bucket_policy(Bucket=W_BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{W_BUCKET}/a/*"}]}))
    s3.get_bucket_policy(Bucket=W_BUCKET)
    s3.get_bucket_policy_status(Bucket=W_BUCKET)
    s3.delete_bucket_policy(Bucket=W_BUCKET)
    s3.delete_public_access_block(Bucket=W_BUCKET)
    s3.put_bucket_ownership_controls(Bucket=W_BUCKET, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    s3.get_bucket_ownership_controls(Bucket=W_BUCKET)
    s3.delete_bucket_ownership_controls(Bucket=W_BUCKET)
    s3.put_bucket_lifecycle_configuration(Bucket=W_BUCKET, LifecycleConfiguration={"Rules": [
        {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}},
        {"ID": "cold", "Status": "Enabled", "Filter": {"Prefix": "a/"},
         "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}],
         "NoncurrentVersionExpiration": {"NoncurrentDays": 10},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]})
    s3.get_bucket_lifecycle_configuration(Bucket=W_BUCKET)
    s3.delete_bucket_lifecycle(Bucket=W_BUCKET)
    # versioning
    s3.get_bucket_versioning(Bucket=W_BUCKET)
    s3.put_bucket_versioning(Bucket=W_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=W_BUCKET, Key="v", Body=b"1")["VersionId"]
    s3.put_object(Bucket=W_BUCKET, Key="v", Body=b"2")
    s3.delete_object(Bucket=W_BUCKET, Key="v")
    s3.list_object_versions(Bucket=W_BUCKET, Prefix="v")
    s3.list_object_versions(Bucket=W_BUCKET, MaxKeys=1)
    s3.get_object(Bucket=W_BUCKET, Key="v", VersionId=v1)
    s3.head_object(Bucket=W_BUCKET, Key="v", VersionId=v1)
    s3.get_bucket_versioning(Bucket=W_BUCKET)
    s3.delete_objects(Bucket=W_BUCKET, Delete={"Objects": [{"Key": "a/copy.txt"},
                                                          {"Key": "v", "VersionId": v1}]})
    s3.delete_objects(Bucket=W_BUCKET, Delete={"Objects": [{"Key": "kms"}], "Quiet": True})
    # errors of many kinds
    _expect_error(s3.get_object, "NoSuchKey", Bucket=W_BUCKET, Key="missing")
    _expect_error(s3.head_object, "404", Bucket=W_BUCKET, Key="missing")
    _expect_error(s3.get_object, "NoSuchBucket", Bucket="no-such-bucket-here", Key="k")
    _expect_error(s3.head_bucket, "404", Bucket="no-such-bucket-here")
    _expect_error(s3.create_bucket, "InvalidBucketName", Bucket="UPPER")
    _expect_error(s3.get_bucket_policy, "NoSuchBucketPolicy", Bucket=W_BUCKET)
    _expect_error(s3.get_bucket_tagging, "NoSuchTagSet", Bucket=W_BUCKET)
    _expect_error(s3.get_object, "InvalidRange", Bucket=W_BUCKET, Key="a/one.txt", Range="bytes=100-200")
    _expect_error(s3.delete_bucket, "BucketNotEmpty", Bucket=W_BUCKET)
    _expect_error(s3.list_parts, "NoSuchUpload", Bucket=W_BUCKET, Key="big", UploadId="nope")
    _expect_error(s3.get_object, "InvalidObjectState", Bucket=W_BUCKET, Key="cold")
    _expect_error(s3.get_object, "304", Bucket=W_BUCKET, Key="a/one.txt",
                  IfNoneMatch=s3.head_object(Bucket=W_BUCKET, Key="a/one.txt")["ETag"])
    stranger = cloud.client("s3", account=cloud.new_account())
    _expect_error(stranger.get_object, "AccessDenied", Bucket=W_BUCKET, Key="a/two.txt")
    _expect_error(stranger.create_bucket, "BucketAlreadyExists", Bucket=W_BUCKET)
    # an empty bucket can go
    s3.delete_bucket(Bucket=W_OTHER) if not cloud.s3.list_objects_v2(Bucket=W_OTHER).get("Contents") else None


def _iam_sts_workload(cloud):
    iam, sts = cloud.client("iam"), cloud.client("sts")
    iam.create_account_alias(AccountAlias="conf-alias")
    iam.list_account_aliases()
    iam.get_account_summary()
    iam.create_user(UserName="carol", Path="/staff/", Tags=[{"Key": "team", "Value": "a"}])
    iam.get_user(UserName="carol")
    iam.get_user()
    iam.tag_user(UserName="carol", Tags=[{"Key": "level", "Value": "2"}])
    iam.list_user_tags(UserName="carol")
    iam.untag_user(UserName="carol", TagKeys=["level"])
    iam.update_user(UserName="carol", NewPath="/people/")
    iam.list_users(PathPrefix="/people/")
    iam.create_login_profile(UserName="carol", Password="Correct-Horse-Battery-9")
    iam.get_login_profile(UserName="carol")
    iam.delete_login_profile(UserName="carol")
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    iam.list_access_keys(UserName="carol")
    iam.update_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    iam.update_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"], Status="Active")
    iam.put_user_policy(UserName="carol", PolicyName="inline", PolicyDocument=json.dumps(DOC))
    iam.get_user_policy(UserName="carol", PolicyName="inline")
    iam.list_user_policies(UserName="carol")
    policy_arn = iam.create_policy(PolicyName="conf-policy", PolicyDocument=json.dumps(DOC),
                                   Description="for the conformance workload")["Policy"]["Arn"]
    iam.get_policy(PolicyArn=policy_arn)
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=json.dumps(DOC2), SetAsDefault=False)
    iam.list_policy_versions(PolicyArn=policy_arn)
    iam.get_policy_version(PolicyArn=policy_arn, VersionId="v2")
    iam.set_default_policy_version(PolicyArn=policy_arn, VersionId="v2")
    iam.delete_policy_version(PolicyArn=policy_arn, VersionId="v1")
    iam.list_policies(Scope="Local")
    iam.list_policies(Scope="AWS", MaxItems=5)
    iam.attach_user_policy(UserName="carol", PolicyArn=policy_arn)
    iam.list_attached_user_policies(UserName="carol")
    iam.put_user_permissions_boundary(UserName="carol", PermissionsBoundary=policy_arn)
    iam.get_user(UserName="carol")
    iam.delete_user_permissions_boundary(UserName="carol")
    # groups
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="carol")
    iam.get_group(GroupName="devs")
    iam.list_groups()
    iam.list_groups_for_user(UserName="carol")
    iam.put_group_policy(GroupName="devs", PolicyName="g", PolicyDocument=json.dumps(DOC))
    iam.get_group_policy(GroupName="devs", PolicyName="g")
    iam.list_group_policies(GroupName="devs")
    iam.attach_group_policy(GroupName="devs", PolicyArn=policy_arn)
    iam.list_attached_group_policies(GroupName="devs")
    iam.list_entities_for_policy(PolicyArn=policy_arn)
    iam.update_group(GroupName="devs", NewGroupName="developers")
    # roles and STS
    carol_arn = iam.get_user(UserName="carol")["User"]["Arn"]          # moved to /people/
    role_arn = iam.create_role(RoleName="conf-role", AssumeRolePolicyDocument=_trust(carol_arn),
                               Description="d", Tags=[{"Key": "a", "Value": "b"}])["Role"]["Arn"]
    iam.get_role(RoleName="conf-role")
    iam.update_role(RoleName="conf-role", MaxSessionDuration=7200)
    iam.update_role_description(RoleName="conf-role", Description="updated")
    iam.update_assume_role_policy(RoleName="conf-role", PolicyDocument=_trust(carol_arn))
    iam.tag_role(RoleName="conf-role", Tags=[{"Key": "c", "Value": "d"}])
    iam.list_role_tags(RoleName="conf-role")
    iam.untag_role(RoleName="conf-role", TagKeys=["c"])
    iam.put_role_policy(RoleName="conf-role", PolicyName="r", PolicyDocument=json.dumps(DOC2))
    iam.get_role_policy(RoleName="conf-role", PolicyName="r")
    iam.list_role_policies(RoleName="conf-role")
    iam.attach_role_policy(RoleName="conf-role", PolicyArn=policy_arn)
    iam.list_attached_role_policies(RoleName="conf-role")
    iam.put_role_permissions_boundary(RoleName="conf-role", PermissionsBoundary=policy_arn)
    iam.delete_role_permissions_boundary(RoleName="conf-role")
    iam.list_roles()
    iam.put_user_policy(UserName="carol", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
            "Resource": role_arn}]}))
    sts.get_caller_identity()
    session = sts.get_session_token(DurationSeconds=900)["Credentials"]
    as_carol = cloud.client("sts", aws_access_key_id=key["AccessKeyId"],
                            aws_secret_access_key=key["SecretAccessKey"])
    as_carol.get_caller_identity()
    assumed = as_carol.assume_role(RoleArn=role_arn, RoleSessionName="conf", DurationSeconds=900,
                                   Policy=json.dumps(DOC2), SourceIdentity="carol")
    creds = assumed["Credentials"]
    cloud.client("sts", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                 aws_session_token=creds["SessionToken"]).get_caller_identity()
    cloud.client("sts", aws_access_key_id=session["AccessKeyId"], aws_secret_access_key=session["SecretAccessKey"],
                 aws_session_token=session["SessionToken"]).get_caller_identity()
    iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    # policy simulation and context keys
    iam.get_context_keys_for_custom_policy(PolicyInputList=[json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"}}}]})])
    iam.get_context_keys_for_principal_policy(PolicySourceArn=carol_arn)
    iam.simulate_custom_policy(PolicyInputList=[json.dumps(DOC)], ActionNames=["s3:GetObject", "s3:PutObject"],
                               ResourceArns=[f"arn:aws:s3:::{W_BUCKET}/k"])
    iam.simulate_principal_policy(PolicySourceArn=carol_arn,
                                  ActionNames=["s3:GetObject", "iam:CreateUser"])
    # errors
    _expect_error(iam.get_user, "NoSuchEntity", UserName="nobody")
    _expect_error(iam.create_user, "EntityAlreadyExists", UserName="carol")
    _expect_error(iam.delete_group, "DeleteConflict", GroupName="developers")
    _expect_error(iam.put_user_policy, "MalformedPolicyDocument", UserName="carol",
                  PolicyName="bad", PolicyDocument="{not json")
    _expect_error(as_carol.assume_role, "ValidationError", RoleArn=role_arn, RoleSessionName="bad name!")
    _expect_error(cloud.client("iam", aws_access_key_id=key["AccessKeyId"],
                               aws_secret_access_key=key["SecretAccessKey"]).create_user,
                  "AccessDenied", UserName="mallory")
    # tear down in dependency order
    iam.detach_role_policy(RoleName="conf-role", PolicyArn=policy_arn)
    iam.delete_role_policy(RoleName="conf-role", PolicyName="r")
    iam.delete_role(RoleName="conf-role")
    iam.detach_group_policy(GroupName="developers", PolicyArn=policy_arn)
    iam.delete_group_policy(GroupName="developers", PolicyName="g")
    iam.remove_user_from_group(GroupName="developers", UserName="carol")
    iam.delete_group(GroupName="developers")
    iam.detach_user_policy(UserName="carol", PolicyArn=policy_arn)
    iam.delete_policy(PolicyArn=policy_arn)
    iam.delete_user_policy(UserName="carol", PolicyName="inline")
    iam.delete_user_policy(UserName="carol", PolicyName="assume")
    iam.delete_access_key(UserName="carol", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName="carol")
    iam.delete_account_alias(AccountAlias="conf-alias")


def _sqs_logs_workload(cloud):
    sqs, logs = cloud.client("sqs"), cloud.client("logs")
    dlq = sqs.create_queue(QueueName="conf-dlq", tags={"team": "a"})["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName="conf-q", Attributes={"VisibilityTimeout": "5", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})["QueueUrl"]
    fifo = sqs.create_queue(QueueName="conf.fifo", Attributes={"FifoQueue": "true",
                                                               "ContentBasedDeduplication": "true"})["QueueUrl"]
    sqs.get_queue_url(QueueName="conf-q")
    sqs.list_queues()
    sqs.list_queues(QueueNamePrefix="conf", MaxResults=1)
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    sqs.get_queue_attributes(QueueUrl=url)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "0", "Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                "Action": "sqs:SendMessage", "Resource": "*"}]})})
    sqs.tag_queue(QueueUrl=url, Tags={"env": "test"})
    sqs.list_queue_tags(QueueUrl=url)
    sqs.list_queue_tags(QueueUrl=fifo)
    sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageAttributes={
        "s": {"DataType": "String", "StringValue": "v"}, "b": {"DataType": "Binary", "BinaryValue": b"\x01"}},
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue":
                                                    "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}})
    sqs.send_message(QueueUrl=fifo, MessageBody="f", MessageGroupId="g")
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "two", "DelaySeconds": 1},
                                                  {"Id": "b", "MessageBody": "bad \x00"}])
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                        MessageAttributeNames=["All"], WaitTimeSeconds=2)
    got = sqs.receive_message(QueueUrl=fifo, MessageSystemAttributeNames=["All"])["Messages"]
    sqs.change_message_visibility(QueueUrl=fifo, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=60)
    sqs.change_message_visibility_batch(QueueUrl=fifo, Entries=[
        {"Id": "x", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "y", "ReceiptHandle": "nope", "VisibilityTimeout": 0}])
    got = sqs.receive_message(QueueUrl=fifo)["Messages"]
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=got[0]["ReceiptHandle"])
    sqs.receive_message(QueueUrl=fifo)
    cloud.advance(seconds=10)
    moved = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    sqs.delete_message_batch(QueueUrl=dlq, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                    for i, m in enumerate(moved)] + [{"Id": "z", "ReceiptHandle": "x"}])
    sqs.list_dead_letter_source_queues(QueueUrl=dlq)
    sqs.purge_queue(QueueUrl=url)
    _expect_error(sqs.purge_queue, "AWS.SimpleQueueService.PurgeQueueInProgress", QueueUrl=url)
    _expect_error(sqs.get_queue_url, "AWS.SimpleQueueService.NonExistentQueue", QueueName="missing")
    _expect_error(sqs.create_queue, "QueueAlreadyExists", QueueName="conf-q", Attributes={"VisibilityTimeout": "6"})
    _expect_error(sqs.create_queue, "InvalidAttributeValue", QueueName="bad", Attributes={"DelaySeconds": "901"})
    _expect_error(sqs.create_queue, "InvalidAttributeName", QueueName="bad", Attributes={"Colour": "1"})
    _expect_error(sqs.send_message, "InvalidMessageContents", QueueUrl=url, MessageBody="\x00")
    _expect_error(sqs.send_message, "MissingParameter", QueueUrl=fifo, MessageBody="x")
    _expect_error(sqs.receive_message, "InvalidParameterValue", QueueUrl=url, MaxNumberOfMessages=11)
    _expect_error(sqs.delete_message, "ReceiptHandleIsInvalid", QueueUrl=url, ReceiptHandle="x")
    _expect_error(sqs.send_message_batch, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", QueueUrl=url,
                  Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)])
    _expect_error(sqs.send_message_batch, "AWS.SimpleQueueService.EmptyBatchRequest", QueueUrl=url, Entries=[])
    _expect_error(cloud.client("sqs", account=cloud.new_account()).receive_message, "AccessDenied", QueueUrl=url)
    sqs.delete_queue(QueueUrl=url)
    _expect_error(sqs.create_queue, "AWS.SimpleQueueService.QueueDeletedRecently", QueueName="conf-q")
    # CloudWatch Logs
    logs.create_log_group(logGroupName="/conf/app", tags={"team": "a"})
    logs.create_log_group(logGroupName="/conf/other")
    logs.create_log_stream(logGroupName="/conf/app", logStreamName="s1")
    logs.create_log_stream(logGroupName="/conf/app", logStreamName="s2")
    now = int(cloud.clock.timestamp * 1000)
    logs.put_log_events(logGroupName="/conf/app", logStreamName="s1", logEvents=[
        {"timestamp": now - 10, "message": "ERROR boom"}, {"timestamp": now, "message": "INFO ok"}])
    logs.put_log_events(logGroupName="/conf/app", logStreamName="s2", sequenceToken="old", logEvents=[
        {"timestamp": now - 20 * 86_400_000, "message": "ancient"}, {"timestamp": now, "message": "s2"},
        {"timestamp": now + 3 * 3_600_000, "message": "future"}])
    logs.describe_log_groups()
    logs.describe_log_groups(logGroupNamePrefix="/conf/", limit=1)
    logs.describe_log_groups(logGroupNamePattern="app")
    logs.describe_log_streams(logGroupName="/conf/app", orderBy="LastEventTime", descending=True, limit=1)
    page = logs.get_log_events(logGroupName="/conf/app", logStreamName="s1", startFromHead=True, limit=1)
    logs.get_log_events(logGroupName="/conf/app", logStreamName="s1", startFromHead=True,
                        nextToken=page["nextForwardToken"])
    logs.get_log_events(logGroupIdentifier="/conf/app", logStreamName="s2")
    logs.filter_log_events(logGroupName="/conf/app", filterPattern="ERROR", limit=1)
    logs.filter_log_events(logGroupName="/conf/app", logStreamNames=["s2"], startTime=now - 1, endTime=now)
    logs.put_retention_policy(logGroupName="/conf/app", retentionInDays=7)
    logs.describe_log_groups(logGroupNamePrefix="/conf/app")
    logs.delete_retention_policy(logGroupName="/conf/app")
    logs.tag_log_group(logGroupName="/conf/app", tags={"env": "test"})
    logs.list_tags_log_group(logGroupName="/conf/app")
    logs.list_tags_log_group(logGroupName="/conf/other")
    logs.untag_log_group(logGroupName="/conf/app", tags=["env"])
    arn = f"arn:aws:logs:{cloud.default_region}:{cloud.default_account}:log-group:/conf/app"
    logs.tag_resource(resourceArn=arn, tags={"k": "v"})
    logs.list_tags_for_resource(resourceArn=arn)
    logs.untag_resource(resourceArn=arn, tagKeys=["k"])
    _expect_error(logs.create_log_group, "ResourceAlreadyExistsException", logGroupName="/conf/app")
    _expect_error(logs.create_log_group, "InvalidParameterException", logGroupName="bad name")
    _expect_error(logs.describe_log_streams, "ResourceNotFoundException", logGroupName="/conf/missing")
    _expect_error(logs.put_log_events, "InvalidParameterException", logGroupName="/conf/app",
                  logStreamName="s1", logEvents=[{"timestamp": now, "message": "b"},
                                                 {"timestamp": now - 1, "message": "a"}])
    _expect_error(logs.put_retention_policy, "InvalidParameterException", logGroupName="/conf/app",
                  retentionInDays=2)
    _expect_error(logs.tag_resource, "TooManyTagsException", resourceArn=arn,
                  tags={f"k{i}": "v" for i in range(51)})
    _expect_error(logs.filter_log_events, "NotImplemented", logGroupName="/conf/app", filterPattern="{ $.a = 1 }")
    logs.delete_log_stream(logGroupName="/conf/app", logStreamName="s2")
    logs.delete_log_group(logGroupName="/conf/other")


def _lambda_workload(cloud):
    from awskit.awslambda.packaging import zip_function
    lam, iam = cloud.client("lambda"), cloud.client("iam")
    code, handler = zip_function("def handler(event, context):\n    return event\n")
    role = iam.create_role(RoleName="conf-lambda", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}
    ))["Role"]["Arn"]
    layer = lam.publish_layer_version(LayerName="conf-layer", Content={"ZipFile": code},
                                      CompatibleRuntimes=["python3.12"])
    lam.get_layer_version(LayerName="conf-layer", VersionNumber=1)
    lam.get_layer_version_by_arn(Arn=layer["LayerVersionArn"])
    lam.list_layers()
    lam.list_layer_versions(LayerName="conf-layer")
    lam.create_function(FunctionName="conf-fn", Runtime="python3.12", Role=role, Handler=handler,
                        Code={"ZipFile": code}, Layers=[layer["LayerVersionArn"]],
                        Environment={"Variables": {"STAGE": "conf"}}, Tags={"team": "a"})
    lam.get_waiter("function_active_v2").wait(FunctionName="conf-fn")
    lam.get_function(FunctionName="conf-fn")
    lam.list_functions(FunctionVersion="ALL")
    lam.update_function_configuration(FunctionName="conf-fn", MemorySize=256, Timeout=10)
    lam.get_waiter("function_updated_v2").wait(FunctionName="conf-fn")
    lam.update_function_code(FunctionName="conf-fn", ZipFile=code + b"\0", Publish=True)
    cloud.advance(1)
    lam.publish_version(FunctionName="conf-fn")
    lam.get_function_configuration(FunctionName="conf-fn", Qualifier="1")
    lam.list_versions_by_function(FunctionName="conf-fn")
    lam.create_alias(FunctionName="conf-fn", Name="live", FunctionVersion="1")
    lam.get_alias(FunctionName="conf-fn", Name="live")
    lam.update_alias(FunctionName="conf-fn", Name="live", Description="production")
    lam.list_aliases(FunctionName="conf-fn")
    lam.put_function_concurrency(FunctionName="conf-fn", ReservedConcurrentExecutions=10)
    lam.get_function_concurrency(FunctionName="conf-fn")
    lam.put_provisioned_concurrency_config(FunctionName="conf-fn", Qualifier="live",
                                           ProvisionedConcurrentExecutions=2)
    lam.get_provisioned_concurrency_config(FunctionName="conf-fn", Qualifier="live")
    lam.list_provisioned_concurrency_configs(FunctionName="conf-fn")
    lam.delete_provisioned_concurrency_config(FunctionName="conf-fn", Qualifier="live")
    lam.delete_function_concurrency(FunctionName="conf-fn")
    lam.get_account_settings()
    lam.put_function_event_invoke_config(FunctionName="conf-fn", MaximumRetryAttempts=1,
                                         DestinationConfig={"OnFailure": {
                                             "Destination": "arn:aws:s3:::conf-failures"}})
    lam.update_function_event_invoke_config(FunctionName="conf-fn", MaximumEventAgeInSeconds=120)
    lam.get_function_event_invoke_config(FunctionName="conf-fn")
    lam.list_function_event_invoke_configs(FunctionName="conf-fn")
    lam.delete_function_event_invoke_config(FunctionName="conf-fn")
    lam.invoke(FunctionName="conf-fn", Payload=b'{"k": 1}', LogType="Tail")
    lam.invoke(FunctionName="conf-fn", Qualifier="live", InvocationType="Event", Payload=b"{}")
    lam.invoke(FunctionName="conf-fn", InvocationType="DryRun")
    lam.invoke_async(FunctionName="conf-fn", InvokeArgs=b'{"k": 2}')
    cloud.advance(1)
    _expect_error(lam.invoke, "InvalidRequestContentException", FunctionName="conf-fn",
                  Payload=b"not json")
    _expect_error(lam.invoke, "RequestEntityTooLargeException", FunctionName="conf-fn",
                  InvocationType="Event", Payload=b"1" * 1_048_577)
    lam.add_permission(FunctionName="conf-fn", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::conf-bucket")
    lam.get_policy(FunctionName="conf-fn")
    lam.remove_permission(FunctionName="conf-fn", StatementId="s3")
    arn = lam.get_function(FunctionName="conf-fn")["Configuration"]["FunctionArn"]
    lam.tag_resource(Resource=arn, Tags={"tier": "1"})
    lam.list_tags(Resource=arn)
    lam.untag_resource(Resource=arn, TagKeys=["tier"])
    # errors
    _expect_error(lam.get_function, "ResourceNotFoundException", FunctionName="conf-nope")
    _expect_error(lam.create_function, "ResourceConflictException", FunctionName="conf-fn",
                  Runtime="python3.12", Role=role, Handler=handler, Code={"ZipFile": code})
    _expect_error(lam.create_function, "ValidationException", FunctionName="conf-big",
                  Runtime="python3.12", Role=role, Handler=handler, Code={"ZipFile": code},
                  MemorySize=20000)
    _expect_error(lam.publish_version, "PreconditionFailedException", FunctionName="conf-fn",
                  RevisionId="stale")
    _expect_error(lam.get_provisioned_concurrency_config,
                  "ProvisionedConcurrencyConfigNotFoundException", FunctionName="conf-fn",
                  Qualifier="live")
    _expect_error(lam.get_policy, "ResourceNotFoundException", FunctionName="conf-fn")
    _expect_error(cloud.client("lambda", account=cloud.new_account()).get_function,
                  "AccessDeniedException", FunctionName=arn)
    # tear down
    lam.delete_alias(FunctionName="conf-fn", Name="live")
    lam.delete_function(FunctionName="conf-fn", Qualifier="1")
    lam.delete_function(FunctionName="conf-fn")
    lam.delete_layer_version(LayerName="conf-layer", VersionNumber=1)
    cloud.awslambda.stop_processes()


def _route53_workload():
    from route53_helpers import change, record
    cloud = awskit.Cloud(seed=0)
    vpcs = [cloud.client("ec2").create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"]
            for i in range(2)]
    r53 = cloud.client("route53")
    zone = r53.create_hosted_zone(Name="conf.example", CallerReference="c1",
                                  HostedZoneConfig={"Comment": "conformance"})
    zid = zone["HostedZone"]["Id"]
    private = r53.create_hosted_zone(Name="corp.internal", CallerReference="c2",
                                     VPC={"VPCRegion": "us-east-1", "VPCId": vpcs[0]})
    pid = private["HostedZone"]["Id"]
    r53.get_hosted_zone(Id=zid)
    r53.get_hosted_zone(Id=pid)
    r53.get_hosted_zone_count()
    r53.list_hosted_zones(MaxItems="1")
    r53.list_hosted_zones_by_name(DNSName="conf.example")
    r53.update_hosted_zone_comment(Id=zid, Comment="renamed")
    r53.associate_vpc_with_hosted_zone(HostedZoneId=pid, VPC={"VPCRegion": "us-east-1",
                                                              "VPCId": vpcs[1]})
    r53.list_hosted_zones_by_vpc(VPCId=vpcs[1], VPCRegion="us-east-1")
    r53.disassociate_vpc_from_hosted_zone(HostedZoneId=pid, VPC={"VPCRegion": "us-east-1",
                                                                 "VPCId": vpcs[1]})
    r53.get_hosted_zone_limit(HostedZoneId=zid, Type="MAX_RRSETS_BY_ZONE")
    r53.get_hosted_zone_limit(HostedZoneId=pid, Type="MAX_VPCS_ASSOCIATED_BY_ZONE")
    r53.get_account_limit(Type="MAX_HOSTED_ZONES_BY_OWNER")
    hc = r53.create_health_check(CallerReference="h1", HealthCheckConfig={
        "Type": "HTTP", "IPAddress": "54.239.28.85", "RequestInterval": 10})["HealthCheck"]["Id"]
    r53.get_health_check(HealthCheckId=hc)
    r53.get_health_check_count()
    r53.list_health_checks()
    r53.update_health_check(HealthCheckId=hc, HealthCheckVersion=1, FailureThreshold=2)
    cloud.advance(30)
    r53.get_health_check_status(HealthCheckId=hc)
    r53.get_health_check_last_failure_reason(HealthCheckId=hc)
    r53.get_checker_ip_ranges()
    done = change(r53, zid, record("www.conf.example", "192.0.2.1", SetIdentifier="a",
                                   Weight=1, HealthCheckId=hc),
                  record("www.conf.example", "192.0.2.2", SetIdentifier="b", Weight=2),
                  {"Name": "conf.example", "Type": "A", "AliasTarget": {
                      "HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111111abcdef8.cloudfront.net",
                      "EvaluateTargetHealth": False}},
                  record("conf.example", "10 mail.conf.example", "MX"), comment="conformance")
    r53.get_change(Id=done["ChangeInfo"]["Id"])
    r53.list_resource_record_sets(HostedZoneId=zid, MaxItems="2")
    r53.test_dns_answer(HostedZoneId=zid, RecordName="www.conf.example", RecordType="A")
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zid.split("/")[-1],
                                 AddTags=[{"Key": "team", "Value": "net"}])
    r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zid.split("/")[-1])
    r53.list_tags_for_resources(ResourceType="healthcheck", ResourceIds=[hc])
    _expect_error(r53.get_hosted_zone, "NoSuchHostedZone", Id="ZNOSUCHZONE0001")
    _expect_error(r53.create_hosted_zone, "HostedZoneAlreadyExists", Name="x.example",
                  CallerReference="c1")
    _expect_error(r53.change_resource_record_sets, "InvalidChangeBatch", HostedZoneId=zid,
                  ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": record(
                      "conf.example", "10 mail.conf.example", "MX")}]})
    _expect_error(r53.delete_hosted_zone, "HostedZoneNotEmpty", Id=zid)
    _expect_error(r53.get_health_check, "NoSuchHealthCheck", HealthCheckId="nope")
    _expect_error(cloud.client("route53", account=cloud.new_account()).get_hosted_zone,
                  "AccessDenied", Id=zid)
    r53.delete_health_check(HealthCheckId=hc)
    r53.delete_hosted_zone(Id=pid)


def _cloudfront_workload():
    from awskit.cloudfront.templates import behaviour, custom_origin, distribution_config, \
        s3_origin
    cloud = awskit.Cloud(seed=0)
    cf = cloud.client("cloudfront")
    cloud.client("s3").create_bucket(Bucket="conf-cf-bucket")
    oac = cf.create_origin_access_control(OriginAccessControlConfig={
        "Name": "conf", "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})
    oac_id = oac["OriginAccessControl"]["Id"]
    cf.get_origin_access_control(Id=oac_id)
    cf.get_origin_access_control_config(Id=oac_id)
    cf.update_origin_access_control(Id=oac_id, IfMatch=oac["ETag"], OriginAccessControlConfig={
        "Name": "conf", "SigningProtocol": "sigv4", "SigningBehavior": "no-override",
        "OriginAccessControlOriginType": "s3"})
    cf.list_origin_access_controls(MaxItems="1")
    policy = cf.create_cache_policy(CachePolicyConfig={"Name": "conf", "MinTTL": 0,
                                                       "Comment": "conformance"})
    pid = policy["CachePolicy"]["Id"]
    cf.get_cache_policy(Id=pid)
    etag = cf.update_cache_policy(Id=pid, IfMatch=cf.get_cache_policy_config(Id=pid)["ETag"],
                                  CachePolicyConfig={"Name": "conf", "MinTTL": 1})["ETag"]
    cf.list_cache_policies()
    config = distribution_config([s3_origin("conf-cf-bucket", oac_id=oac_id)],
                                 behaviour("conf-cf-bucket", cache_policy_id=pid),
                                 caller_reference="conf-1")
    dist = cf.create_distribution(DistributionConfig=config)["Distribution"]
    tagged = cf.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": distribution_config(
            [custom_origin("www.example.com")], behaviour("www.example.com", legacy={
                "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "all"}}}),
            caller_reference="conf-2"), "Tags": {"Items": [{"Key": "team", "Value": "web"}]}})
    cf.get_distribution(Id=dist["Id"])
    cf.list_distributions(MaxItems="1")
    cf.tag_resource(Resource=dist["ARN"], Tags={"Items": [{"Key": "env", "Value": "test"}]})
    cf.list_tags_for_resource(Resource=dist["ARN"])
    cf.untag_resource(Resource=dist["ARN"], TagKeys={"Items": ["env"]})
    inv = cf.create_invalidation(DistributionId=dist["Id"], InvalidationBatch={
        "Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": "i1"})["Invalidation"]
    cf.get_invalidation(DistributionId=dist["Id"], Id=inv["Id"])
    cf.list_invalidations(DistributionId=dist["Id"])
    _expect_error(cf.get_distribution, "NoSuchDistribution", Id="E0000000000000")
    _expect_error(cf.create_distribution, "DistributionAlreadyExists", DistributionConfig=config)
    _expect_error(cf.delete_cache_policy, "CachePolicyInUse", Id=pid, IfMatch=etag)
    current = cf.get_distribution_config(Id=dist["Id"])
    _expect_error(cf.update_distribution, "PreconditionFailed", Id=dist["Id"],
                  DistributionConfig=current["DistributionConfig"], IfMatch="E0")
    disabled = dict(current["DistributionConfig"], Enabled=False,
                    DefaultCacheBehavior=behaviour("conf-cf-bucket"))
    etag_d = cf.update_distribution(Id=dist["Id"], DistributionConfig=disabled,
                                    IfMatch=current["ETag"])["ETag"]
    _expect_error(cf.delete_distribution, "DistributionNotDisabled",
                  Id=tagged["Distribution"]["Id"], IfMatch=tagged["ETag"])
    cloud.advance(600)
    cf.delete_distribution(Id=dist["Id"], IfMatch=etag_d)
    cf.delete_cache_policy(Id=pid, IfMatch=etag)
    _expect_error(cf.delete_origin_access_control, "PreconditionFailed", Id=oac_id, IfMatch="E0")
    cf.delete_origin_access_control(Id=oac_id,
                                    IfMatch=cf.get_origin_access_control(Id=oac_id)["ETag"])


def _ec2_workload():
    cloud = awskit.Cloud(seed=0)
    ec2 = cloud.client("ec2")
    ec2.describe_availability_zones()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "conf"}]}])["Vpc"]["VpcId"]
    ec2.get_waiter("vpc_available").wait(VpcIds=[vpc])
    ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["conf"]}])
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")
    cidr = ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.1.0.0/16")
    ec2.disassociate_vpc_cidr_block(AssociationId=cidr["CidrBlockAssociation"]["AssociationId"])
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24",
                                AvailabilityZoneId="use1-az2")["Subnet"]["SubnetId"]
    ec2.get_waiter("subnet_available").wait(SubnetIds=[subnet, private])
    ec2.modify_subnet_attribute(SubnetId=subnet, MapPublicIpOnLaunch={"Value": True})
    ec2.describe_subnets(SubnetIds=[subnet])
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.describe_internet_gateways(InternetGatewayIds=[igw])
    eigw = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]
    ec2.describe_egress_only_internet_gateways()
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.create_route(RouteTableId=table, DestinationIpv6CidrBlock="::/0",
                     EgressOnlyInternetGatewayId=eigw["EgressOnlyInternetGatewayId"])
    assoc = ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)["AssociationId"]
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    ec2.authorize_security_group_egress(GroupId=web, IpPermissions=[{
        "IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "UserIdGroupPairs": [{"GroupId": web}]}])
    ec2.describe_security_groups(GroupIds=[web])
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [web]}])
    ec2.revoke_security_group_egress(GroupId=web, IpPermissions=[{
        "IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "UserIdGroupPairs": [{"GroupId": web}]}])
    ingress = [r for r in rules["SecurityGroupRules"] if not r["IsEgress"]][0]
    ec2.revoke_security_group_ingress(GroupId=web,
                                      SecurityGroupRuleIds=[ingress["SecurityGroupRuleId"]])
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                                 RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                                 PortRange={"From": 443, "To": 443})
    ec2.replace_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="1",
                                  RuleAction="allow", Egress=False, CidrBlock="10.0.0.0/8",
                                  IcmpTypeCode={"Type": -1, "Code": -1})
    [default_acl] = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id",
                                                        "Values": [private]}])["NetworkAcls"]
    acl_assoc = [a for a in default_acl["Associations"] if a["SubnetId"] == private][0]
    new_acl_assoc = ec2.replace_network_acl_association(
        AssociationId=acl_assoc["NetworkAclAssociationId"], NetworkAclId=acl)["NewAssociationId"]
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=[web])["NetworkInterface"][
        "NetworkInterfaceId"]
    ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])
    reservation = ec2.run_instances(ImageId="ami-0abcdef1234567890", InstanceType="t3.micro",
                                    MinCount=1, MaxCount=1, SubnetId=subnet,
                                    SecurityGroupIds=[web])
    instance = reservation["Instances"][0]["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance])
    ec2.describe_instances(InstanceIds=[instance])
    attachment = ec2.attach_network_interface(NetworkInterfaceId=eni, InstanceId=instance,
                                              DeviceIndex=1)["AttachmentId"]
    ec2.detach_network_interface(AttachmentId=attachment)
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    eip_assoc = ec2.associate_address(AllocationId=allocation, InstanceId=instance)
    ec2.describe_addresses(AllocationIds=[allocation])
    ec2.disassociate_address(AssociationId=eip_assoc["AssociationId"])
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"][
        "NatGatewayId"]
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat])
    private_table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=private_table, DestinationCidrBlock="0.0.0.0/0",
                     NatGatewayId=nat)
    ec2.replace_route(RouteTableId=private_table, DestinationCidrBlock="0.0.0.0/0",
                      InstanceId=instance)
    ec2.delete_route(RouteTableId=private_table, DestinationCidrBlock="0.0.0.0/0")
    ec2.describe_route_tables(RouteTableIds=[table, private_table])
    [main] = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                {"Name": "association.main",
                                                 "Values": ["true"]}])["RouteTables"]
    main_assoc = main["Associations"][0]["RouteTableAssociationId"]
    ec2.replace_route_table_association(AssociationId=main_assoc, RouteTableId=private_table)
    ec2.create_tags(Resources=[vpc, subnet, instance], Tags=[{"Key": "team", "Value": "net"}])
    ec2.describe_tags(Filters=[{"Name": "key", "Values": ["team"]}])
    ec2.delete_tags(Resources=[subnet], Tags=[{"Key": "team"}])
    ec2.describe_nat_gateways(NatGatewayIds=[nat])
    ec2.stop_instances(InstanceIds=[instance])
    cloud.advance(60)
    ec2.start_instances(InstanceIds=[instance])
    # Reachability Analyzer (the instance is still pending: no path, an explanation)
    path = ec2.create_network_insights_path(Source=igw, Destination=instance, Protocol="tcp",
                                            DestinationPort=443)["NetworkInsightsPath"][
        "NetworkInsightsPathId"]
    ec2.describe_network_insights_paths(NetworkInsightsPathIds=[path])
    analysis = ec2.start_network_insights_analysis(NetworkInsightsPathId=path)[
        "NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
    cloud.advance(60)
    out = ec2.create_network_insights_path(Source=instance, Destination=igw, Protocol="udp")[
        "NetworkInsightsPath"]["NetworkInsightsPathId"]
    found = ec2.start_network_insights_analysis(NetworkInsightsPathId=out)[
        "NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
    ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[analysis, found])
    _expect_error(ec2.delete_network_insights_path, "AnalysisExistsForNetworkInsightsPath",
                  NetworkInsightsPathId=path)
    for a, p in ((analysis, path), (found, out)):
        ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=a)
        ec2.delete_network_insights_path(NetworkInsightsPathId=p)
    # errors
    _expect_error(ec2.create_subnet, "InvalidSubnet.Conflict", VpcId=vpc,
                  CidrBlock="10.0.1.128/25")
    _expect_error(ec2.create_route, "RouteAlreadyExists", RouteTableId=table,
                  DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    _expect_error(ec2.delete_vpc, "DependencyViolation", VpcId=vpc)
    _expect_error(ec2.describe_vpcs, "InvalidVpcID.NotFound", VpcIds=["vpc-0123456789abcdef0"])
    _expect_error(ec2.create_vpc, "DryRunOperation", CidrBlock="10.9.0.0/16", DryRun=True)
    _expect_error(cloud.client("ec2", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                               aws_secret_access_key="x" * 40).describe_vpcs, "AuthFailure")
    # tear down
    ec2.terminate_instances(InstanceIds=[instance])
    ec2.delete_nat_gateway(NatGatewayId=nat)
    cloud.advance(120)
    ec2.release_address(AllocationId=allocation)
    ec2.disassociate_route_table(AssociationId=assoc)
    ec2.replace_network_acl_association(AssociationId=new_acl_assoc,
                                        NetworkAclId=default_acl["NetworkAclId"])
    ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Egress=False)
    ec2.delete_network_acl(NetworkAclId=acl)
    ec2.delete_security_group(GroupId=web)
    ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_subnet(SubnetId=private)
    ec2.replace_route_table_association(
        AssociationId=ec2.describe_route_tables(RouteTableIds=[private_table])["RouteTables"][0][
            "Associations"][0]["RouteTableAssociationId"], RouteTableId=main["RouteTableId"])
    ec2.delete_route_table(RouteTableId=private_table)
    ec2.delete_route_table(RouteTableId=table)
    ec2.delete_egress_only_internet_gateway(
        EgressOnlyInternetGatewayId=eigw["EgressOnlyInternetGatewayId"])
    ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=igw)
    ec2.delete_vpc(VpcId=vpc)
    default = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    default_igw = ec2.describe_internet_gateways()["InternetGateways"][0]["InternetGatewayId"]
    ec2.detach_internet_gateway(InternetGatewayId=default_igw, VpcId=default)
    ec2.delete_internet_gateway(InternetGatewayId=default_igw)
    ec2.delete_vpc(VpcId=default)
    ec2.create_default_vpc()
    _ec2_links_workload()


def _ec2_links_workload():
    """Peering, Transit Gateway, Site-to-Site VPN, Client VPN, endpoints and PrivateLink."""
    from awskit.ec2 import model_links as ml
    cloud = awskit.Cloud(seed=0)
    ec2 = cloud.client("ec2")
    other = cloud.new_account()
    theirs = cloud.client("ec2", account=other)
    a = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    b = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    c = theirs.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    for vpc, client in ((a, ec2), (b, ec2)):
        client.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    sa = ec2.create_subnet(VpcId=a, CidrBlock="10.0.1.0/24",
                           AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    sb = ec2.create_subnet(VpcId=b, CidrBlock="10.1.1.0/24",
                           AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    sc = theirs.create_subnet(VpcId=c, CidrBlock="10.2.1.0/24",
                              AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    table = ec2.create_route_table(VpcId=a)["RouteTable"]["RouteTableId"]
    # peering
    pcx = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    cross = ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=c, PeerOwnerId=other)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    cloud.advance(ml.PEERING_REQUEST)
    _expect_error(ec2.accept_vpc_peering_connection, "OperationNotPermitted",
                  VpcPeeringConnectionId=cross)
    theirs.reject_vpc_peering_connection(VpcPeeringConnectionId=cross)
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    cloud.advance(ml.PEERING_PROVISIONING)
    ec2.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=pcx,
        RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.1.0.0/16",
                     VpcPeeringConnectionId=pcx)
    ec2.describe_vpc_peering_connections(Filters=[{"Name": "status-code", "Values": ["active"]}])
    # transit gateway
    tgw = ec2.create_transit_gateway(Description="hub")["TransitGateway"]
    tgw_id, default_table = tgw["TransitGatewayId"], tgw["Options"][
        "AssociationDefaultRouteTableId"]
    _expect_error(ec2.create_transit_gateway_route_table, "IncorrectState",
                  TransitGatewayId=tgw_id)
    cloud.advance(ml.TGW_PENDING)
    ec2.describe_transit_gateways()
    att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=b,
                                                    SubnetIds=[sb])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    cloud.advance(ml.ATTACHMENT_PENDING)
    ec2.describe_transit_gateway_vpc_attachments()
    ec2.describe_transit_gateway_attachments()
    rtb = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw_id)[
        "TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    ec2.describe_transit_gateway_route_tables()
    ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=default_table,
                                                 TransitGatewayAttachmentId=att)
    ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=rtb,
                                              TransitGatewayAttachmentId=att)
    ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=rtb,
                                                       TransitGatewayAttachmentId=att)
    ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=rtb)
    ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=rtb)
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=rtb,
                                     DestinationCidrBlock="192.0.2.0/24", Blackhole=True)
    ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=rtb,
                                      Filters=[{"Name": "type", "Values": ["static"]}])
    ec2.delete_transit_gateway_route(TransitGatewayRouteTableId=rtb,
                                     DestinationCidrBlock="192.0.2.0/24")
    ec2.disable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=rtb,
                                                        TransitGatewayAttachmentId=att)
    ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=rtb,
                                                 TransitGatewayAttachmentId=att)
    ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=rtb)
    # site-to-site VPN
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=a, VpnGatewayId=vgw)
    cloud.advance(ml.VGW_ATTACHING)
    ec2.describe_vpn_gateways()
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="198.51.100.7",
                                      BgpAsn=65001)["CustomerGateway"]["CustomerGatewayId"]
    ec2.describe_customer_gateways()
    vpn = ec2.create_vpn_connection(CustomerGatewayId=cgw, Type="ipsec.1", VpnGatewayId=vgw,
                                    Options={"StaticRoutesOnly": True})["VpnConnection"][
        "VpnConnectionId"]
    ec2.create_vpn_connection_route(VpnConnectionId=vpn, DestinationCidrBlock="192.168.0.0/16")
    tgw_vpn = ec2.create_vpn_connection(CustomerGatewayId=cgw, Type="ipsec.1",
                                        TransitGatewayId=tgw_id)["VpnConnection"][
        "VpnConnectionId"]
    cloud.advance(ml.VPN_PENDING)
    ec2.enable_vgw_route_propagation(GatewayId=vgw, RouteTableId=table)
    ec2.describe_vpn_connections()
    ec2.describe_route_tables(RouteTableIds=[table])
    ec2.disable_vgw_route_propagation(GatewayId=vgw, RouteTableId=table)
    ec2.delete_vpn_connection_route(VpnConnectionId=vpn, DestinationCidrBlock="192.168.0.0/16")
    ec2.delete_vpn_connection(VpnConnectionId=vpn)
    ec2.delete_vpn_connection(VpnConnectionId=tgw_vpn)
    cloud.advance(60)
    ec2.detach_vpn_gateway(VpcId=a, VpnGatewayId=vgw)
    cloud.advance(ml.VGW_ATTACHING)
    ec2.delete_vpn_gateway(VpnGatewayId=vgw)
    ec2.delete_customer_gateway(CustomerGatewayId=cgw)
    # client VPN
    cvpn = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="172.20.0.0/22",
        ServerCertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/server",
        AuthenticationOptions=[{"Type": "certificate-authentication", "MutualAuthentication": {
            "ClientRootCertificateChainArn": "arn:aws:acm:us-east-1:123456789012:"
                                             "certificate/root"}}],
        ConnectionLogOptions={"Enabled": False})["ClientVpnEndpointId"]
    assoc = ec2.associate_client_vpn_target_network(ClientVpnEndpointId=cvpn,
                                                    SubnetId=sa)["AssociationId"]
    cloud.advance(ml.CLIENT_VPN_ASSOCIATING)
    ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=cvpn, TargetNetworkCidr="10.0.0.0/16",
                                     AuthorizeAllGroups=True)
    ec2.create_client_vpn_route(ClientVpnEndpointId=cvpn, DestinationCidrBlock="0.0.0.0/0",
                                TargetVpcSubnetId=sa)
    ec2.describe_client_vpn_endpoints()
    ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=cvpn)
    ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=cvpn)
    ec2.describe_client_vpn_routes(ClientVpnEndpointId=cvpn)
    ec2.delete_client_vpn_route(ClientVpnEndpointId=cvpn, DestinationCidrBlock="0.0.0.0/0",
                                TargetVpcSubnetId=sa)
    ec2.revoke_client_vpn_ingress(ClientVpnEndpointId=cvpn, TargetNetworkCidr="10.0.0.0/16",
                                  RevokeAllGroups=True)
    _expect_error(ec2.delete_client_vpn_endpoint, "DependencyViolation",
                  ClientVpnEndpointId=cvpn)
    ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=cvpn, AssociationId=assoc)
    ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=cvpn)
    # endpoints and PrivateLink
    ec2.describe_prefix_lists()
    ec2.describe_managed_prefix_lists()
    ec2.get_managed_prefix_list_entries(PrefixListId="pl-63a5400a")
    gateway = ec2.create_vpc_endpoint(VpcId=a, ServiceName="com.amazonaws.us-east-1.s3",
                                      RouteTableIds=[table])["VpcEndpoint"]["VpcEndpointId"]
    sqs = ec2.create_vpc_endpoint(VpcId=a, ServiceName="com.amazonaws.us-east-1.sqs",
                                  VpcEndpointType="Interface", SubnetIds=[sa])["VpcEndpoint"][
        "VpcEndpointId"]
    ec2.modify_vpc_endpoint(VpcEndpointId=gateway, RemoveRouteTableIds=[table])
    arn = f"arn:aws:elasticloadbalancing:us-east-1:{other}:loadbalancer/net/web/" \
          "0123456789abcdef"
    cloud.ec2.register_load_balancer(arn, [sc], ["10.2.1.50"], [443])
    svc = theirs.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[arn], AcceptanceRequired=True)["ServiceConfiguration"]
    cloud.advance(ml.SERVICE_PENDING)
    theirs.describe_vpc_endpoint_service_configurations()
    theirs.modify_vpc_endpoint_service_permissions(
        ServiceId=svc["ServiceId"], AddAllowedPrincipals=[f"arn:aws:iam::{cloud.default_account}"
                                                          ":root"])
    theirs.describe_vpc_endpoint_service_permissions(ServiceId=svc["ServiceId"])
    ec2.describe_vpc_endpoint_services()
    link = ec2.create_vpc_endpoint(VpcId=b, ServiceName=svc["ServiceName"],
                                   VpcEndpointType="Interface", SubnetIds=[sb])["VpcEndpoint"][
        "VpcEndpointId"]
    rejected = ec2.create_vpc_endpoint(VpcId=a, ServiceName=svc["ServiceName"],
                                       VpcEndpointType="Interface", SubnetIds=[sa],
                                       PrivateDnsEnabled=False)["VpcEndpoint"]["VpcEndpointId"]
    theirs.describe_vpc_endpoint_connections()
    theirs.accept_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[link])
    theirs.reject_vpc_endpoint_connections(ServiceId=svc["ServiceId"], VpcEndpointIds=[rejected])
    cloud.advance(ml.ENDPOINT_PENDING)
    ec2.describe_vpc_endpoints()
    ec2.delete_vpc_endpoints(VpcEndpointIds=[gateway, sqs, link, rejected])
    theirs.delete_vpc_endpoint_service_configurations(ServiceIds=[svc["ServiceId"]])
    # tear down the transit gateway
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att)
    cloud.advance(ml.ATTACHMENT_PENDING)
    ec2.delete_transit_gateway(TransitGatewayId=tgw_id)
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)


@pytest.fixture(scope="module")
def exercised():
    """Run the whole workload once (every response checked by the installed hook)."""
    record = Exercised()
    Service.response_hooks.append(record)
    try:
        cloud = awskit.Cloud(seed=0)
        _s3_workload(cloud)
        _iam_sts_workload(cloud)
        _sqs_logs_workload(cloud)
        _lambda_workload(cloud)
        _ec2_workload()
        _route53_workload()
        _cloudfront_workload()
    finally:
        Service.response_hooks.remove(record)
    return record


def test_the_workload_conforms_and_exercises_every_implemented_operation(exercised):
    """Fails listing any implemented operation the workload never called successfully: when
    you implement an operation, add a call to the workload above."""
    cloud = awskit.Cloud(seed=0)
    missing = []
    for name in sorted(SERVICES):
        for op in cloud.service(name).implemented_operations():
            if (name, op) not in exercised.ok:
                missing.append(f"{name}:{op}")
    assert not missing, ("operations never exercised successfully by the conformance workload "
                         f"(add them to tests/test_conformance.py): {', '.join(missing)}")


def test_the_workload_exercised_errors_of_every_service(exercised):
    simulated = {name for name in SERVICES if awskit.Cloud().service(name).implemented_operations()}
    assert {service for service, _ in exercised.failed} == simulated
