"""The direct front (``cloud.s3.put_object(...)``) and a boto3 client agree: the same
responses for the same calls, and the same parameter errors raised before anything is sent."""

import json

import botocore.exceptions
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from botocore.response import StreamingBody

import awskit


def code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


# --------------------------------------------------------------------------------------------
# Direct calls and boto3 calls agree
# --------------------------------------------------------------------------------------------
def _plain(response: dict) -> dict:
    """A response with Body objects replaced by their bytes."""
    out = {}
    for key, value in response.items():
        if isinstance(value, StreamingBody):
            value = ("<body>", value.read())
        out[key] = value
    return out


def _calls():
    big = bytes(range(256)) * 40
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::fronts-bkt/*"}]})
    s3 = [
        ("create_bucket", {"Bucket": "fronts-bkt"}),
        ("create_bucket", {"Bucket": "fronts-eu", "CreateBucketConfiguration":
                           {"LocationConstraint": "eu-west-1"}}),
        ("head_bucket", {"Bucket": "fronts-bkt"}),
        ("get_bucket_location", {"Bucket": "fronts-eu"}),
        ("put_object", {"Bucket": "fronts-bkt", "Key": "a b/c+d.txt", "Body": b"hello",
                        "Metadata": {"Colour": "blue"}, "ContentType": "text/plain"}),
        ("put_object", {"Bucket": "fronts-bkt", "Key": "big", "Body": big}),
        ("put_object", {"Bucket": "fronts-bkt", "Key": "str", "Body": "text body"}),
        ("get_object", {"Bucket": "fronts-bkt", "Key": "a b/c+d.txt"}),
        ("get_object", {"Bucket": "fronts-bkt", "Key": "big", "Range": "bytes=10-19"}),
        ("head_object", {"Bucket": "fronts-bkt", "Key": "big"}),
        ("list_objects_v2", {"Bucket": "fronts-bkt", "Delimiter": "/"}),
        ("list_objects_v2", {"Bucket": "fronts-bkt", "MaxKeys": 1}),
        ("list_objects", {"Bucket": "fronts-bkt"}),
        ("list_buckets", {}),
        ("put_bucket_policy", {"Bucket": "fronts-bkt", "Policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
                "Resource": "arn:aws:s3:::fronts-bkt"}]})}),
        ("get_bucket_policy", {"Bucket": "fronts-bkt"}),
        ("delete_object", {"Bucket": "fronts-bkt", "Key": "str"}),
        ("get_object", {"Bucket": "fronts-bkt", "Key": "str"}),              # NoSuchKey
        ("head_object", {"Bucket": "fronts-bkt", "Key": "str"}),             # 404, no body
        ("get_object", {"Bucket": "no-such-bkt", "Key": "k"}),               # NoSuchBucket
        ("create_bucket", {"Bucket": "fronts-bkt"}),                         # us-east-1: 200
        ("delete_bucket", {"Bucket": "fronts-eu"}),
    ]
    iam = [
        ("create_user", {"UserName": "dana", "Tags": [{"Key": "team", "Value": "a"}]}),
        ("put_user_policy", {"UserName": "dana", "PolicyName": "p", "PolicyDocument": policy}),
        ("get_user_policy", {"UserName": "dana", "PolicyName": "p"}),        # decoded to a dict
        ("get_user", {"UserName": "dana"}),
        ("get_user", {}),                                                    # the root user
        ("list_users", {}),
        ("get_user", {"UserName": "nobody"}),                                # NoSuchEntity
        ("create_user", {"UserName": "dana"}),                               # EntityAlreadyExists
    ]
    sts = [("get_caller_identity", {}), ("get_session_token", {"DurationSeconds": 900}),
           ("assume_role", {"RoleArn": "arn:aws:iam::123456789012:role/none",
                            "RoleSessionName": "sess"})]                    # root: AccessDenied
    return ([("s3", *c) for c in s3] + [("iam", *c) for c in iam] + [("sts", *c) for c in sts])


def _outcome(call):
    try:
        return "ok", _plain(call())
    except ClientError as err:
        return "error", err.response


def test_direct_and_boto3_calls_give_identical_responses(no_network):
    """Same seed, same calls: the direct front and a boto3 client agree on every byte,
    request ids and dates included (both draw from the same seeded streams)."""
    direct_cloud, boto_cloud = awskit.Cloud(seed=11), awskit.Cloud(seed=11)
    clients = {name: boto_cloud.client(name) for name in ("s3", "iam", "sts")}
    codes = []
    for service, name, params in _calls():
        direct = _outcome(lambda: getattr(direct_cloud.service(service), name)(**dict(params)))
        via_boto = _outcome(lambda: getattr(clients[service], name)(**dict(params)))
        assert direct == via_boto, (service, name)
        if direct[0] == "error":
            codes.append(direct[1]["Error"]["Code"])
    assert codes == ["NoSuchKey", "404", "NoSuchBucket", "NoSuchEntity", "EntityAlreadyExists",
                     "AccessDenied"]
    # the same steps at the same simulated instants (the fronts differ only in who the
    # trace says called: a principal handed over directly, or an access key)
    def shape(cloud):
        return [(t.request_id, t.operation, t.status, t.error, t.t0,
                 [(s.component, s.t0, s.duration_ms) for s in t.steps]) for t in cloud.traces]
    assert shape(direct_cloud) == shape(boto_cloud)
    assert {t.front for t in direct_cloud.traces} == {"direct"}
    assert {t.front for t in boto_cloud.traces} == {"client"}


def test_direct_and_boto3_error_classes_are_both_catchable(no_network):
    cloud = awskit.Cloud(seed=0)
    client = cloud.client("s3")
    with pytest.raises(client.exceptions.NoSuchBucket):
        client.get_object(Bucket="nope-bkt", Key="k")
    with pytest.raises(ClientError) as excinfo:
        cloud.s3.get_object(Bucket="nope-bkt", Key="k")
    assert code(excinfo) == "NoSuchBucket"


@pytest.mark.parametrize("service, name, params", [
    ("s3", "put_object", {"Bucket": "bkt", "Key": "k", "ContentLength": "5"}),  # wrong type
    ("s3", "put_object", {"Bucket": "bkt", "Key": "k", "Body": 123}),
    ("s3", "put_object", {"Bucket": "bkt"}),                                   # missing Key
    ("s3", "put_object", {"Bucket": "bkt", "Key": "k", "Colour": "blue"}),     # unknown
    ("s3", "get_object", {"Bucket": "bad/name", "Key": "k"}),                  # bucket chars
    ("s3", "list_objects_v2", {"Bucket": "bkt", "MaxKeys": "ten"}),
    ("s3", "create_bucket", {"Bucket": "bkt", "CreateBucketConfiguration": {"Location": "x"}}),
    ("s3", "put_object", {"Bucket": "bkt", "Key": "k", "Metadata": {"a": "é"}}),  # non-ASCII
    ("s3", "list_buckets", {"Foo": 1}),
    ("iam", "create_user", {}),
    ("iam", "create_user", {"UserName": ""}),                                  # min length 1
    ("iam", "put_user_policy", {"UserName": "u", "PolicyName": "p", "PolicyDocument": {}}),
    ("sts", "get_caller_identity", {"Anything": 1}),                           # no input shape
    ("sts", "assume_role", {"RoleArn": "arn:aws:iam::123456789012:role/r",
                            "RoleSessionName": "s", "DurationSeconds": 3600.0}),
])
def test_param_validation_errors_are_identical(no_network, service, name, params):
    cloud = awskit.Cloud(seed=0)
    with pytest.raises(ParamValidationError) as direct:
        getattr(cloud.service(service), name)(**params)
    with pytest.raises(ParamValidationError) as via_boto:
        getattr(cloud.client(service), name)(**params)
    assert str(direct.value) == str(via_boto.value)
    assert len(cloud.traces) == 0                     # refused before anything was sent


@pytest.mark.parametrize("params", [
    {"Bucket": "bkt", "Key": "k", "Metadata": {"a": 1}},    # botocore's ASCII check: AttributeError
    {"Bucket": 123, "Key": "k"},                            # botocore's bucket check: TypeError
])
def test_botocore_handler_failures_are_identical(no_network, params):
    """Where botocore's own parameter handlers fail before validation, both fronts fail alike."""
    cloud = awskit.Cloud(seed=0)
    outcomes = []
    for put in (cloud.s3.put_object, cloud.client("s3").put_object):
        with pytest.raises(Exception) as excinfo:
            put(**params)
        outcomes.append((type(excinfo.value), str(excinfo.value)))
    assert outcomes[0] == outcomes[1]
    assert len(cloud.traces) == 0


def test_a_wrongly_typed_key_fails_before_sending_on_both_fronts(no_network):
    """boto3 resolves S3's endpoint (whose rules read ``Key``) before it validates parameters,
    so a non-string Key gives botocore's EndpointResolutionError there; the direct front
    reports the same mistake as the ParamValidationError boto3 gives for every other member."""
    cloud = awskit.Cloud(seed=0)
    with pytest.raises(ParamValidationError, match="Invalid type for parameter Key"):
        cloud.s3.put_object(Bucket="bkt", Key=123)
    with pytest.raises(botocore.exceptions.EndpointResolutionError, match="Key"):
        cloud.client("s3").put_object(Bucket="bkt", Key=123)
    assert len(cloud.traces) == 0
