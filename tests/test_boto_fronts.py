"""Unmodified boto3 code under ``awskit.mock_aws``, and the three fronts agreeing.

Everything here is plain boto3 (``boto3.client``, ``boto3.resource``, sessions, paginators,
waiters, the transfer manager) run against a simulated cloud: nothing may leave the process,
and what boto3 hands back must be what the direct front (``cloud.s3.put_object(...)``) hands
back for the same call.
"""

import json
import os
from io import BytesIO

import boto3
import botocore.exceptions
import botocore.session
import pytest
from boto3.s3.transfer import TransferConfig
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError, WaiterError

import awskit
from awskit.cloud import SERVICES


def code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture
def mocked(no_network):
    cloud = awskit.Cloud(seed=0)
    with awskit.mock_aws(cloud):
        yield cloud


# --------------------------------------------------------------------------------------------
# Clients, resources, sessions
# --------------------------------------------------------------------------------------------
def test_boto3_client_and_session_client_talk_to_the_cloud(mocked):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="k", Body=b"hello")
    other = boto3.session.Session().client("s3", region_name="us-east-1")
    assert other.get_object(Bucket="bkt", Key="k")["Body"].read() == b"hello"
    assert [b["Name"] for b in other.list_buckets()["Buckets"]] == ["bkt"]
    # the cloud saw it all, through the "mock" front
    assert [t.operation for t in mocked.traces][-4:] == ["CreateBucket", "PutObject",
                                                         "GetObject", "ListBuckets"]
    assert {t.front for t in mocked.traces} == {"mock"}
    assert mocked.s3.head_object(Bucket="bkt", Key="k")["ContentLength"] == 5
    identity = boto3.client("sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{mocked.default_account}:root"


def test_boto3_resource_buckets_objects_and_filters(mocked):
    s3 = boto3.resource("s3")
    bucket = s3.create_bucket(Bucket="res-bkt")
    for key in ["a/1", "a/2", "b/1", "c"]:
        s3.Object("res-bkt", key).put(Body=key.encode())
    assert sorted(o.key for o in bucket.objects.filter(Prefix="a/")) == ["a/1", "a/2"]
    assert sorted(o.key for o in bucket.objects.all()) == ["a/1", "a/2", "b/1", "c"]
    obj = s3.Object("res-bkt", "b/1")
    assert obj.get()["Body"].read() == b"b/1"
    assert obj.content_length == 3 and obj.e_tag.startswith('"')
    assert [b.name for b in s3.buckets.all()] == ["res-bkt"]
    obj.delete()
    assert sorted(o.key for o in bucket.objects.all()) == ["a/1", "a/2", "c"]


# --------------------------------------------------------------------------------------------
# Paginators and waiters
# --------------------------------------------------------------------------------------------
def test_list_objects_v2_paginator_with_delimiter_across_pages(mocked):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bkt")
    keys = [f"{d}/{i}" for d in "abcde" for i in range(3)] + [f"top{i}" for i in range(7)]
    for key in keys:
        s3.put_object(Bucket="bkt", Key=key, Body=b"")
    pages = list(s3.get_paginator("list_objects_v2").paginate(
        Bucket="bkt", Delimiter="/", PaginationConfig={"PageSize": 3}))
    assert len(pages) == 4                    # 5 prefixes + 7 keys = 12 entries, 3 per page
    assert all(p["KeyCount"] <= 3 for p in pages)
    prefixes = [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]
    contents = [c["Key"] for page in pages for c in page.get("Contents", [])]
    assert prefixes == [f"{d}/" for d in "abcde"]             # each once, in order
    assert contents == sorted(f"top{i}" for i in range(7))
    full = s3.get_paginator("list_objects_v2").paginate(
        Bucket="bkt", PaginationConfig={"PageSize": 4}).build_full_result()
    assert [c["Key"] for c in full["Contents"]] == sorted(keys)


def test_iam_list_users_paginator(mocked):
    iam = boto3.client("iam")
    names = [f"user{i:02d}" for i in range(11)]
    for name in reversed(names):
        iam.create_user(UserName=name)
    pages = list(iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 4}))
    assert len(pages) == 3
    assert [u["UserName"] for p in pages for u in p["Users"]] == names
    assert pages[0]["IsTruncated"] is True and "Marker" in pages[0]
    assert pages[-1]["IsTruncated"] is False


def test_waiters(mocked):
    s3 = boto3.client("s3")
    fast = {"Delay": 0, "MaxAttempts": 2}
    with pytest.raises(WaiterError):
        s3.get_waiter("bucket_exists").wait(Bucket="not-yet", WaiterConfig=fast)
    s3.create_bucket(Bucket="bkt")
    s3.get_waiter("bucket_exists").wait(Bucket="bkt", WaiterConfig=fast)
    with pytest.raises(WaiterError) as excinfo:
        s3.get_waiter("object_exists").wait(Bucket="bkt", Key="k", WaiterConfig=fast)
    assert "Max attempts exceeded" in str(excinfo.value)
    s3.put_object(Bucket="bkt", Key="k", Body=b"x")
    s3.get_waiter("object_exists").wait(Bucket="bkt", Key="k", WaiterConfig=fast)
    with pytest.raises(WaiterError):
        s3.get_waiter("object_not_exists").wait(Bucket="bkt", Key="k", WaiterConfig=fast)
    s3.delete_object(Bucket="bkt", Key="k")
    s3.get_waiter("object_not_exists").wait(Bucket="bkt", Key="k", WaiterConfig=fast)
    s3.delete_bucket(Bucket="bkt")
    s3.get_waiter("bucket_not_exists").wait(Bucket="bkt", WaiterConfig=fast)


# --------------------------------------------------------------------------------------------
# The transfer manager (threads, multipart)
# --------------------------------------------------------------------------------------------
def test_upload_file_and_download_file_20_mb_multipart_with_threads(mocked, tmp_path):
    import hashlib
    import random
    data = random.Random(7).randbytes(20 * 1024 * 1024)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bkt")
    config = TransferConfig(multipart_threshold=8 * 1024 * 1024,
                            multipart_chunksize=8 * 1024 * 1024, max_concurrency=4)
    s3.upload_file(str(source), "bkt", "big.bin", Config=config)
    head = s3.head_object(Bucket="bkt", Key="big.bin")
    assert head["ContentLength"] == len(data)
    # a multipart ETag: MD5 of the parts' MD5s, then "-<number of parts>" (3 parts of 8/8/4 MB)
    parts = [data[i:i + 8 * 1024 * 1024] for i in range(0, len(data), 8 * 1024 * 1024)]
    expected = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    assert head["ETag"] == f'"{expected}-3"'
    assert [t.operation for t in mocked.traces].count("UploadPart") == 3
    target = tmp_path / "back.bin"
    s3.download_file("bkt", "big.bin", str(target), Config=config)
    assert target.read_bytes() == data
    fileobj = BytesIO()
    s3.download_fileobj("bkt", "big.bin", fileobj)
    assert fileobj.getvalue() == data


def test_upload_fileobj_small_object_single_put(mocked):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bkt")
    s3.upload_fileobj(BytesIO(b"small"), "bkt", "small.txt")
    assert s3.get_object(Bucket="bkt", Key="small.txt")["Body"].read() == b"small"
    assert mocked.traces[-2].operation == "PutObject"


# --------------------------------------------------------------------------------------------
# mock_aws itself
# --------------------------------------------------------------------------------------------
def test_decorator_gives_a_fresh_cloud_per_call(no_network):
    seen = []

    @awskit.mock_aws()
    def make_and_list(name):
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=name)
        seen.append([b["Name"] for b in s3.list_buckets()["Buckets"]])
    make_and_list("first-bkt")
    make_and_list("second-bkt")
    assert seen == [["first-bkt"], ["second-bkt"]]


def test_decorator_with_a_given_cloud_uses_it(no_network):
    cloud = awskit.Cloud(seed=3)

    @awskit.mock_aws(cloud)
    def make():
        boto3.client("s3").create_bucket(Bucket="given-bkt")
    make()
    make.__wrapped__                                          # functools.wraps kept
    assert "given-bkt" in cloud.s3.buckets


def test_nested_mocks_answer_from_the_innermost_cloud(no_network):
    outer, inner = awskit.Cloud(seed=1), awskit.Cloud(seed=2)
    with awskit.mock_aws(outer):
        boto3.client("s3").create_bucket(Bucket="outer-bkt")
        with awskit.mock_aws(inner):
            boto3.client("s3").create_bucket(Bucket="inner-bkt")
            assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == ["inner-bkt"]
        assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == ["outer-bkt"]
    assert set(outer.s3.buckets) == {"outer-bkt"} and set(inner.s3.buckets) == {"inner-bkt"}


def test_environment_is_restored(monkeypatch, no_network):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUSERSOWNKEY00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "users-own-secret")
    monkeypatch.setenv("AWS_PROFILE", "work")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    before = {k: os.environ.get(k) for k in awskit.boto._ENV_KEYS}
    cloud = awskit.Cloud(seed=0)
    with awskit.mock_aws(cloud):
        assert os.environ["AWS_ACCESS_KEY_ID"] == cloud.iam.root_credentials(cloud.default_account)[0]
        assert "AWS_PROFILE" not in os.environ                  # the user's profile is not used
        os.environ["AWS_SESSION_TOKEN"] = "set-inside"
    assert {k: os.environ.get(k) for k in awskit.boto._ENV_KEYS} == before
    with pytest.raises(RuntimeError):
        with awskit.mock_aws(cloud):
            raise RuntimeError("boom")
    assert {k: os.environ.get(k) for k in awskit.boto._ENV_KEYS} == before
    # and boto3 no longer answers from the cloud: the bridge's handlers are gone
    from botocore import handlers
    assert not any(h[1].__qualname__.startswith("_Bridge") for h in handlers.BUILTIN_HANDLERS
                   if hasattr(h[1], "__qualname__"))


# --------------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------------
def _user_with_policy(policy: dict):
    iam = boto3.client("iam")
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.put_user_policy(UserName="alice", PolicyName="p", PolicyDocument=json.dumps(policy))
    return key


def test_a_client_with_an_iam_users_keys_acts_as_that_user(mocked):
    boto3.client("s3").create_bucket(Bucket="bkt")
    key = _user_with_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": "arn:aws:s3:::bkt/public/*"}]})
    alice = boto3.client("s3", aws_access_key_id=key["AccessKeyId"],
                         aws_secret_access_key=key["SecretAccessKey"])
    alice.put_object(Bucket="bkt", Key="public/a", Body=b"a")
    assert alice.get_object(Bucket="bkt", Key="public/a")["Body"].read() == b"a"
    with pytest.raises(ClientError) as excinfo:
        alice.put_object(Bucket="bkt", Key="private/a", Body=b"a")
    assert code(excinfo) == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        alice.list_buckets()
    assert code(excinfo) == "AccessDenied"
    sts = boto3.client("sts", aws_access_key_id=key["AccessKeyId"],
                       aws_secret_access_key=key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{mocked.default_account}:user/alice"
    assert mocked.traces[-2].principal.endswith(":user/alice")
    # environment credentials work too (what most scripts do; a new session reads them)
    os.environ["AWS_ACCESS_KEY_ID"] = key["AccessKeyId"]
    os.environ["AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"]
    assert boto3.session.Session().client("sts").get_caller_identity()["Arn"].endswith(":user/alice")


def test_unknown_key_and_wrong_secret(mocked):
    stranger = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
                "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
    with pytest.raises(ClientError) as excinfo:
        boto3.client("s3", **stranger).list_buckets()
    assert code(excinfo) == "InvalidAccessKeyId"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as excinfo:
        boto3.client("iam", **stranger).list_users()
    assert code(excinfo) == "InvalidClientTokenId"
    with pytest.raises(ClientError) as excinfo:
        boto3.client("sts", **stranger).get_caller_identity()
    assert code(excinfo) == "InvalidClientTokenId"
    root_key = mocked.iam.root_credentials(mocked.default_account)[0]
    for service, call in [("s3", "list_buckets"), ("iam", "get_user"), ("sts", "get_caller_identity")]:
        client = boto3.client(service, aws_access_key_id=root_key, aws_secret_access_key="wrong")
        with pytest.raises(ClientError) as excinfo:
            getattr(client, call)()
        assert code(excinfo) == "SignatureDoesNotMatch", service
    assert mocked.traces[-1].error == "SignatureDoesNotMatch"


def test_anonymous_clients(mocked):
    boto3.client("s3").create_bucket(Bucket="bkt")
    boto3.client("s3").put_object(Bucket="bkt", Key="k", Body=b"x")
    anonymous = boto3.client("s3", config=Config(signature_version=UNSIGNED))
    with pytest.raises(ClientError) as excinfo:
        anonymous.get_object(Bucket="bkt", Key="k")
    assert code(excinfo) == "AccessDenied"
    assert mocked.traces[-1].principal in ("*", "")
    with pytest.raises(ClientError) as excinfo:
        boto3.client("sts", config=Config(signature_version=UNSIGNED)).get_caller_identity()
    assert code(excinfo) == "MissingAuthenticationToken"


def test_anonymous_read_through_a_public_bucket_policy(mocked):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="k", Body=b"x")
    s3.delete_public_access_block(Bucket="bkt")
    s3.put_bucket_policy(Bucket="bkt", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::bkt/*"}]}))
    anonymous = boto3.client("s3", config=Config(signature_version=UNSIGNED))
    assert anonymous.get_object(Bucket="bkt", Key="k")["Body"].read() == b"x"
    with pytest.raises(ClientError) as excinfo:
        anonymous.put_object(Bucket="bkt", Key="k2", Body=b"x")
    assert code(excinfo) == "AccessDenied"


# --------------------------------------------------------------------------------------------
# What awskit does not simulate: a clear error, never a network call
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("service, call", [("kinesis", "list_streams"), ("dynamodb", "list_tables"),
                                           ("ecs", "list_clusters")])
def test_a_service_awskit_does_not_simulate_never_reaches_the_network(mocked, service, call):
    assert service not in SERVICES
    client = boto3.client(service)
    with pytest.raises(ClientError) as excinfo:
        getattr(client, call)()
    assert code(excinfo) == "NotImplemented"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert excinfo.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    message = excinfo.value.response["Error"]["Message"]
    assert f"awskit does not simulate '{service}'" in message and "s3" in message


def test_an_operation_awskit_does_not_simulate_is_refused_clearly(mocked):
    s3 = boto3.client("s3")
    model = s3.meta.service_model
    missing = [op for op in sorted(set(model.operation_names)
                                   - set(mocked.s3.implemented_operations()))
               if model.operation_model(op).input_shape is not None
               and model.operation_model(op).input_shape.required_members == ["Bucket"]]
    assert missing, "every S3 bucket operation is implemented: pick another example"
    op = missing[0]
    with pytest.raises(ClientError) as excinfo:
        getattr(s3, botocore.xform_name(op))(Bucket="bkt")
    assert code(excinfo) == "NotImplemented"
    assert f"s3:{op}" in excinfo.value.response["Error"]["Message"]
    assert excinfo.value.response["ResponseMetadata"]["RequestId"]
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_outside_mock_aws_boto3_is_untouched(no_network):
    """Outside mock_aws boto3 goes to the network as usual (refused here by the fixture)."""
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                          aws_secret_access_key="x",
                          config=Config(retries={"max_attempts": 0}, connect_timeout=1))
    with pytest.raises((AssertionError, botocore.exceptions.HTTPClientError,
                        botocore.exceptions.EndpointConnectionError), match="network"):
        client.list_buckets()


def test_a_client_that_outlives_its_mock_is_plain_boto3_again(no_network):
    """A client made inside mock_aws and used after it: no cloud answers, so botocore's own
    request building (validation, serialization) and sending run, as for any client."""
    with awskit.mock_aws(awskit.Cloud(seed=0)):
        client = boto3.client("s3", config=Config(retries={"max_attempts": 0}))
        client.create_bucket(Bucket="bkt")
    with pytest.raises(ParamValidationError, match="Invalid type for parameter MaxKeys"):
        client.list_objects_v2(Bucket="bkt", MaxKeys="ten")
    with pytest.raises((AssertionError, botocore.exceptions.HTTPClientError,
                        botocore.exceptions.EndpointConnectionError), match="network"):
        client.list_objects_v2(Bucket="bkt")


def test_presigned_urls_are_built_as_boto3_builds_them(no_network):
    """Presigning is client-side: under mock_aws it must give the URL plain boto3 gives."""
    from urllib.parse import parse_qs, urlsplit
    cloud = awskit.Cloud(seed=0)
    key, secret = cloud.iam.root_credentials(cloud.default_account)
    params = {"Bucket": "bkt", "Key": "a/b c.txt"}
    plain = botocore.session.Session().create_client(      # made before any mock: plain boto3
        "s3", region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret)
    assert not hasattr(plain, "_awskit_bridge")
    with awskit.mock_aws(cloud):
        mocked_client = boto3.client("s3")
        assert mocked_client._awskit_bridge is not None
        inside = mocked_client.generate_presigned_url("get_object", Params=params, ExpiresIn=60)
        post = mocked_client.generate_presigned_post("bkt", "k")
    outside = plain.generate_presigned_url("get_object", Params=params, ExpiresIn=60)
    a, b = urlsplit(inside), urlsplit(outside)
    assert (a.scheme, a.netloc, a.path) == (b.scheme, b.netloc, b.path) == \
        ("https", "bkt.s3.amazonaws.com", "/a/b%20c.txt")
    assert parse_qs(a.query).keys() == parse_qs(b.query).keys()
    assert post["url"] == "https://bkt.s3.amazonaws.com/" and post["fields"]["key"] == "k"
