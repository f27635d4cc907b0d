"""The conformance checker (tests/conformance.py) catches what it claims to (the broad
workload through every implemented operation is tests/test_conformance_workload.py).

The checker itself runs on every request of the session (conftest installs it); here we prove
it can fail — on hand-made bad responses and errors — and that it fails the request that
produced a bad response, through every front.
"""

from datetime import datetime, timezone
from io import BytesIO

import boto3
import pytest
from botocore.response import StreamingBody
from dateutil.tz import tzutc

import awskit
from awskit import errors
from awskit.service import Service

import conformance
from conformance import ConformanceError, check_error, check_response, error_problems, response_problems

T = datetime(2026, 3, 2, 9, 0, 0, tzinfo=tzutc())


def meta(status=200, s3=True):
    m = {"RequestId": "0123456789ABCDEF", "HTTPStatusCode": status,
         "HTTPHeaders": {"x-amz-request-id": "0123456789ABCDEF"}, "RetryAttempts": 0}
    if s3:
        m["HostId"] = "aG9zdA=="
    return m


def good_list():
    return {"ResponseMetadata": meta(), "IsTruncated": False, "Name": "bkt", "Prefix": "",
            "MaxKeys": 1000, "KeyCount": 1,
            "Contents": [{"Key": "k", "LastModified": T, "ETag": '"abc"', "Size": 1,
                          "StorageClass": "STANDARD"}]}


def good_user():
    return {"ResponseMetadata": meta(s3=False),
            "User": {"Path": "/", "UserName": "alice", "UserId": "AIDAEXAMPLEEXAMPLE123",
                     "Arn": "arn:aws:iam::123456789012:user/alice", "CreateDate": T}}


# --------------------------------------------------------------------------------------------
# The checker accepts good responses...
# --------------------------------------------------------------------------------------------
def test_good_responses_pass():
    assert response_problems("s3", "ListObjectsV2", good_list()) == []
    assert response_problems("iam", "CreateUser", good_user()) == []
    body = StreamingBody(BytesIO(b"x"), 1)
    assert response_problems("s3", "GetObject", {
        "ResponseMetadata": meta(), "Body": body, "ContentLength": 1, "LastModified": T,
        "ETag": '"e"', "Metadata": {"a": "b"}}) == []
    assert response_problems("s3", "DeleteObject", {"ResponseMetadata": meta(204)}) == []
    assert response_problems("s3", "GetObject", {"ResponseMetadata": meta(206),
                                                 "ContentRange": "bytes 0-0/2"}) == []
    assert response_problems("iam", "PutUserPolicy", {"ResponseMetadata": meta(s3=False)}) == []
    assert response_problems("s3", "GetBucketLocation", {"ResponseMetadata": meta(),
                                                         "LocationConstraint": None}) == []


# --------------------------------------------------------------------------------------------
# ...and catches bad ones
# --------------------------------------------------------------------------------------------
def _one(problems, *fragments):
    assert len(problems) == 1, problems
    for fragment in fragments:
        assert fragment in problems[0], problems[0]


@pytest.mark.parametrize("path, value, fragments", [
    (("IsTruncated",), "false", ["IsTruncated", "expected bool, got str"]),
    (("MaxKeys",), "1000", ["MaxKeys", "expected int"]),
    (("MaxKeys",), True, ["MaxKeys", "expected int"]),            # bool is not an int here
    (("KeyCount",), 1.0, ["KeyCount", "expected int"]),
    (("Contents", 0, "Size"), "1", ["Contents[0].Size", "expected int"]),
    (("Contents", 0, "Key"), b"k", ["Contents[0].Key", "expected str"]),
    (("Contents", 0, "StorageClass"), "GOLD", ["Contents[0].StorageClass", "enum"]),
    (("Contents", 0, "LastModified"), "2026-03-02T09:00:00.000Z", ["LastModified", "expected datetime"]),
    (("Contents", 0, "LastModified"), datetime(2026, 3, 2, 9), ["LastModified", "naive"]),
    (("Contents", 0, "LastModified"), datetime(2026, 3, 2, 9, tzinfo=timezone.utc),
     ["LastModified", "tzutc"]),
    (("Contents", 0, "LastModified"), datetime(2026, 3, 2, 9, 0, 0, 1500, tzinfo=tzutc()),
     ["LastModified", "milliseconds"]),
    (("Contents",), {"Key": "k"}, ["Contents", "expected a list"]),
    (("Contents", 0), ["k"], ["Contents[0]", "expected a dict"]),
    (("Name",), None, ["Name", "None"]),
])
def test_wrong_types_are_caught(path, value, fragments):
    response = good_list()
    target = response
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    _one(response_problems("s3", "ListObjectsV2", response), *fragments)
    with pytest.raises(ConformanceError, match="ListObjectsV2"):
        check_response("s3", "ListObjectsV2", response)


def test_unknown_keys_are_caught():
    response = good_list()
    response["Objects"] = []
    _one(response_problems("s3", "ListObjectsV2", response), "Objects", "unknown key")
    response = good_list()
    response["Contents"][0]["Owner"] = {"ID": "x", "Nickname": "y"}   # not a member of Owner
    _one(response_problems("s3", "ListObjectsV2", response), "Contents[0].Owner.Nickname", "unknown key")
    response = {"ResponseMetadata": meta(s3=False), "Ok": True}      # an operation with no output
    _one(response_problems("iam", "PutUserPolicy", response), "no output members")
    response = good_list()
    response["ResponseMetadata"]["Extra"] = 1
    _one(response_problems("s3", "ListObjectsV2", response), "ResponseMetadata", "Extra")


def test_missing_required_member_is_caught():
    response = good_user()
    del response["User"]["Arn"]
    _one(response_problems("iam", "CreateUser", response), "User.Arn", "required")


def test_string_limits_and_patterns_are_checked():
    response = good_user()
    response["User"]["UserName"] = "a" * 65                 # userNameType: max 64
    _one(response_problems("iam", "CreateUser", response), "UserName", "max 64")
    response = good_user()
    response["User"]["UserName"] = "no spaces"              # pattern [\w+=,.@-]+
    _one(response_problems("iam", "CreateUser", response), "UserName", "pattern")


def test_documented_deviations_apply_only_where_aws_deviates():
    """Root's GetUser has no Path/UserName and a 12-digit UserId (as IAM answers); a user's
    GetUser missing them is still a violation."""
    root = {"ResponseMetadata": meta(s3=False), "User": {
        "UserId": "123456789012", "Arn": "arn:aws:iam::123456789012:root", "CreateDate": T}}
    assert response_problems("iam", "GetUser", root) == []
    user = {"ResponseMetadata": meta(s3=False), "User": {
        "UserId": "123456789012", "Arn": "arn:aws:iam::123456789012:user/alice", "CreateDate": T}}
    problems = response_problems("iam", "GetUser", user)
    assert len(problems) == 3 and any("UserName" in p for p in problems)
    root["User"]["UserId"] = 12                     # deviations never excuse a wrong type
    _one(response_problems("iam", "GetUser", root), "User.UserId", "expected str")


def test_header_timestamps_have_whole_seconds_and_blobs_are_checked():
    response = {"ResponseMetadata": meta(), "LastModified": T.replace(microsecond=5000)}
    _one(response_problems("s3", "HeadObject", response), "LastModified", "whole seconds")
    response = {"ResponseMetadata": meta(), "Body": b"raw bytes"}
    _one(response_problems("s3", "GetObject", response), "Body", "StreamingBody")


def test_response_metadata_is_checked():
    response = good_list()
    response["ResponseMetadata"]["HTTPStatusCode"] = 204
    _one(response_problems("s3", "ListObjectsV2", response), "HTTPStatusCode")
    response = {"ResponseMetadata": meta(200)}
    _one(response_problems("s3", "DeleteObject", response), "HTTPStatusCode", "204")
    response = good_list()
    del response["ResponseMetadata"]["HostId"]
    _one(response_problems("s3", "ListObjectsV2", response), "HostId")
    response = good_list()
    response["ResponseMetadata"]["HTTPHeaders"]["Content-Length"] = 3
    _one(response_problems("s3", "ListObjectsV2", response), "HTTPHeaders")
    assert response_problems("s3", "ListObjectsV2", [1]) != []


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------
def test_good_errors_pass():
    err = errors.NoSuchKey(Key="k").bind("GetObject", "REQ", "HOST")
    err.response["ResponseMetadata"]["HTTPHeaders"] = {"x-amz-request-id": "REQ"}
    assert error_problems("s3", "GetObject", err) == []
    err = errors.NoSuchEntity("The user with name x cannot be found.").bind("GetUser", "req-1")
    err.response["Error"] = {"Type": "Sender", **err.response["Error"]}
    assert error_problems("iam", "GetUser", err) == []
    assert error_problems("s3", "HeadObject", errors.bare(404).bind("HeadObject", "R", "H")) == []


def test_bad_errors_are_caught():
    with pytest.raises(ConformanceError, match="not a botocore ClientError"):
        check_error("s3", "GetObject", ValueError("boom"))
    err = errors.NoSuchKey(Key="k")                                 # never bound
    problems = error_problems("s3", "GetObject", err)
    assert any("operation_name" in p for p in problems)
    assert any("RequestId" in p for p in problems)
    err = errors.NoSuchKey(Key="k", Size=3).bind("GetObject", "R", "H")   # fields are strings
    _one(error_problems("s3", "GetObject", err), "Error.Size", "strings")
    err = errors.NoSuchKey(Key="k").bind("HeadObject", "R", "H")          # HEAD has no body
    _one(error_problems("s3", "HeadObject", err), "Error.Code", "404")
    err = errors.NoSuchEntity().bind("GetUser", "R")                     # query: no Type
    _one(error_problems("iam", "GetUser", err), "Error.Type", "Sender or Receiver")
    err = errors.NoSuchEntity(status=400).bind("GetUser", "R")           # model says 404
    err.response["Error"]["Type"] = "Sender"
    _one(error_problems("iam", "GetUser", err), "NoSuchEntity", "404")
    err = errors.AccessDenied().bind("GetUser", "R")
    err.response["Error"].update(Code="No Such Thing", Type="Sender")
    _one(error_problems("iam", "GetUser", err), "Error.Code")
    err = errors.AccessDenied(status=200).bind("GetUser", "R")
    assert any("not an error status" in p for p in error_problems("iam", "GetUser", err))


# --------------------------------------------------------------------------------------------
# Installed: a bad response fails the request that produced it, whatever the front
# --------------------------------------------------------------------------------------------
def test_checker_is_installed_for_the_session():
    assert conformance.hook in Service.response_hooks


@pytest.fixture
def corrupt_head_bucket(monkeypatch):
    """HeadBucket returns an unknown key and a wrong type (a deliberately broken handler)."""
    from awskit.s3.api import S3
    original = S3._handlers["HeadBucket"]

    def broken(self, req, **params):
        out = original(self, req, **params)
        return {**out, "BucketRegion": 42, "Colour": "blue"}
    monkeypatch.setitem(S3._handlers, "HeadBucket", broken)


def _assert_caught(excinfo):
    message = str(excinfo.value)
    assert "BucketRegion: expected str, got int" in message
    assert "Colour: unknown key" in message


def test_violation_fails_a_direct_call(corrupt_head_bucket):
    cloud = awskit.Cloud(seed=0)
    cloud.s3.create_bucket(Bucket="bkt")
    with pytest.raises(ConformanceError) as excinfo:
        cloud.s3.head_bucket(Bucket="bkt")
    _assert_caught(excinfo)


def test_violation_fails_a_boto3_call(corrupt_head_bucket):
    cloud = awskit.Cloud(seed=0)
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="bkt")
    with pytest.raises(ConformanceError) as excinfo:
        s3.head_bucket(Bucket="bkt")
    _assert_caught(excinfo)
    with awskit.mock_aws(cloud):
        with pytest.raises(ConformanceError) as excinfo:
            boto3.client("s3").head_bucket(Bucket="bkt")
    _assert_caught(excinfo)


def test_violation_is_raised_even_outside_debug_mode(corrupt_head_bucket):
    """A hook's AssertionError must not be turned into an AWS InternalError."""
    cloud = awskit.Cloud(seed=0, debug=False)
    cloud.s3.create_bucket(Bucket="bkt")
    with pytest.raises(ConformanceError):
        cloud.s3.head_bucket(Bucket="bkt")
    assert not cloud.lock._is_owned()      # the lock was released on the way out
