"""CopyObject, DeleteObjects and object tagging through boto3."""

import hashlib
import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError, ParamValidationError

SELF_COPY = ("This copy request is illegal because it is trying to copy an object to itself "
             "without changing the object's metadata, storage class, website redirect location "
             "or encryption attributes.")


def code(exc_info) -> str:
    return exc_info.value.response["Error"]["Code"]


def md5(data: bytes) -> str:
    return f'"{hashlib.md5(data).hexdigest()}"'


def user_client(cloud, name, statements):
    iam = cloud.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": statements}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return cloud.client("s3", aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"])


def uuid_of(cloud, bucket, key):
    return cloud.s3.metadata_db.execute(
        "SELECT object_id FROM object WHERE bucket_name = ? AND object_name = ? AND is_latest = 1",
        (bucket, key)).fetchone()[0]


@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket="src-bucket")
    s3.put_object(Bucket="src-bucket", Key="report.csv", Body=b"a,b\n1,2\n",
                  ContentType="text/csv", Metadata={"author": "ana"}, Tagging="team=data",
                  ContentLanguage="en", StorageClass="STANDARD_IA")
    return "src-bucket"


# -- CopyObject -------------------------------------------------------------------------------
def test_copy_makes_a_new_object_with_the_sources_metadata_and_tags(s3, bucket, cloud):
    out = s3.copy_object(Bucket=bucket, Key="copy.csv", CopySource=f"{bucket}/report.csv")
    steps = cloud.traces[-1].steps
    assert out["CopyObjectResult"]["ETag"] == md5(b"a,b\n1,2\n")
    assert out["CopyObjectResult"]["LastModified"].tzinfo is not None
    assert "VersionId" not in out and "CopySourceVersionId" not in out
    got = s3.get_object(Bucket=bucket, Key="copy.csv")
    assert got["Body"].read() == b"a,b\n1,2\n" and got["ContentType"] == "text/csv"
    assert got["Metadata"] == {"author": "ana"} and got["ContentLanguage"] == "en"
    assert "StorageClass" not in got        # the storage class is not copied: STANDARD
    assert s3.get_object_tagging(Bucket=bucket, Key="copy.csv")["TagSet"] == [
        {"Key": "team", "Value": "data"}]
    # data is immutable: the copy has bytes of its own under a new UUID
    src, dst = uuid_of(cloud, bucket, "report.csv"), uuid_of(cloud, bucket, "copy.csv")
    assert src != dst and {src, dst} <= set(cloud.s3.data_store.locations)
    stores = [s for s in steps if s.component == "Data store"]
    assert len(stores) == 2 and src in stores[0].action and stores[1].detail["uuid"] == dst


def test_copy_with_replace_directives(s3, bucket):
    s3.copy_object(Bucket=bucket, Key="new.csv", CopySource=f"{bucket}/report.csv",
                   MetadataDirective="REPLACE", Metadata={"Reviewed": "yes"},
                   TaggingDirective="REPLACE", Tagging="stage=final&v=2",
                   ContentType="application/csv", StorageClass="GLACIER_IR")
    got = s3.head_object(Bucket=bucket, Key="new.csv")
    assert got["Metadata"] == {"reviewed": "yes"} and got["ContentType"] == "application/csv"
    assert "ContentLanguage" not in got and got["StorageClass"] == "GLACIER_IR"
    assert got["TagCount"] == 2
    # REPLACE without new values leaves none; COPY ignores values given in the request
    s3.copy_object(Bucket=bucket, Key="bare.csv", CopySource=f"{bucket}/report.csv",
                   MetadataDirective="REPLACE", TaggingDirective="REPLACE")
    bare = s3.head_object(Bucket=bucket, Key="bare.csv")
    assert bare["Metadata"] == {} and "TagCount" not in bare
    assert bare["ContentType"] == "binary/octet-stream"
    s3.copy_object(Bucket=bucket, Key="kept.csv", CopySource=f"{bucket}/report.csv",
                   Metadata={"ignored": "1"})
    assert s3.head_object(Bucket=bucket, Key="kept.csv")["Metadata"] == {"author": "ana"}


def test_copying_an_object_onto_itself_needs_a_change(s3, bucket):
    before = s3.head_object(Bucket=bucket, Key="report.csv")
    for kwargs in ({}, {"StorageClass": "STANDARD_IA"}, {"TaggingDirective": "REPLACE"}):
        with pytest.raises(ClientError) as info:
            s3.copy_object(Bucket=bucket, Key="report.csv",
                           CopySource=f"{bucket}/report.csv", **kwargs)
        assert code(info) == "InvalidRequest"
        assert info.value.response["Error"]["Message"] == SELF_COPY
    assert s3.head_object(Bucket=bucket, Key="report.csv")["Metadata"] == before["Metadata"]
    s3.copy_object(Bucket=bucket, Key="report.csv", CopySource=f"{bucket}/report.csv",
                   MetadataDirective="REPLACE", Metadata={"author": "bo"})
    assert s3.head_object(Bucket=bucket, Key="report.csv")["Metadata"] == {"author": "bo"}
    # that copy (no StorageClass given) made it STANDARD; changing the class is a change
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="report.csv")
    s3.copy_object(Bucket=bucket, Key="report.csv", CopySource=f"{bucket}/report.csv",
                   StorageClass="ONEZONE_IA")
    s3.copy_object(Bucket=bucket, Key="report.csv", CopySource=f"{bucket}/report.csv",
                   ServerSideEncryption="AES256")


def test_copy_between_buckets_with_keys_that_need_encoding(s3, bucket):
    s3.create_bucket(Bucket="dst-bucket")
    s3.put_object(Bucket=bucket, Key="dir/a b+é?.txt", Body=b"odd key")
    s3.copy_object(Bucket="dst-bucket", Key="x", CopySource=f"{bucket}/dir/a b+é?.txt")
    s3.copy_object(Bucket="dst-bucket", Key="y",
                   CopySource={"Bucket": bucket, "Key": "dir/a b+é?.txt"})
    for key in ("x", "y"):
        assert s3.get_object(Bucket="dst-bucket", Key=key)["Body"].read() == b"odd key"


def test_copy_a_version_and_report_version_ids(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="doc", Body=b"old")["VersionId"]
    s3.put_object(Bucket=bucket, Key="doc", Body=b"new")
    out = s3.copy_object(Bucket=bucket, Key="doc",
                         CopySource={"Bucket": bucket, "Key": "doc", "VersionId": old})
    assert out["CopySourceVersionId"] == old and out["VersionId"] not in (old, "null")
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"old"   # restored
    out = s3.copy_object(Bucket=bucket, Key="doc2", CopySource=f"{bucket}/doc?versionId={old}")
    assert out["CopySourceVersionId"] == old
    marker = s3.delete_object(Bucket=bucket, Key="doc")["VersionId"]
    with pytest.raises(ClientError) as info:
        s3.copy_object(Bucket=bucket, Key="z", CopySource=f"{bucket}/doc")
    assert code(info) == "NoSuchKey"
    with pytest.raises(ClientError) as info:
        s3.copy_object(Bucket=bucket, Key="z", CopySource=f"{bucket}/doc?versionId={marker}")
    assert code(info) == "InvalidRequest" and "delete marker" in str(info.value)
    with pytest.raises(ClientError) as info:
        s3.copy_object(Bucket=bucket, Key="z", CopySource=f"{bucket}/doc?versionId={'A' * 32}")
    assert code(info) == "NoSuchVersion"


def test_a_multipart_source_copies_to_a_single_part_object(s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1,
                          Body=b"parts")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    out = s3.copy_object(Bucket=bucket, Key="single", CopySource=f"{bucket}/mp")
    assert out["CopyObjectResult"]["ETag"] == md5(b"parts")
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=bucket, Key="single", PartNumber=2)
    assert code(info) == "416"


def test_copy_source_conditions(s3, bucket):
    etag = s3.head_object(Bucket=bucket, Key="report.csv")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="report.csv")["LastModified"]
    later, earlier = modified + timedelta(days=1), modified - timedelta(days=1)
    failing = [{"CopySourceIfMatch": '"deadbeef"'}, {"CopySourceIfNoneMatch": etag},
               {"CopySourceIfModifiedSince": later}, {"CopySourceIfUnmodifiedSince": earlier}]
    for condition in failing:
        with pytest.raises(ClientError) as info:
            s3.copy_object(Bucket=bucket, Key="c", CopySource=f"{bucket}/report.csv", **condition)
        assert code(info) == "PreconditionFailed", condition
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="c")
    passing = [{"CopySourceIfMatch": etag}, {"CopySourceIfNoneMatch": '"other"'},
               {"CopySourceIfModifiedSince": earlier}, {"CopySourceIfUnmodifiedSince": later},
               {"CopySourceIfMatch": etag, "CopySourceIfUnmodifiedSince": earlier}]
    for condition in passing:
        s3.copy_object(Bucket=bucket, Key="c", CopySource=f"{bucket}/report.csv", **condition)


@pytest.mark.parametrize("kwargs, expected", [
    ({"CopySource": "src-bucket"}, "InvalidArgument"),
    ({"CopySource": "src-bucket/absent"}, "NoSuchKey"),
    ({"CopySource": "missing-bucket-q/report.csv"}, "NoSuchBucket"),
    ({"CopySource": "src-bucket/report.csv?versionId=short"}, "InvalidArgument"),
    ({"MetadataDirective": "MERGE"}, "InvalidArgument"),
    ({"TaggingDirective": "KEEP"}, "InvalidArgument"),
    ({"StorageClass": "CHEAP"}, "InvalidStorageClass"),
    ({"TaggingDirective": "REPLACE", "Tagging": "a=1&a=2"}, "InvalidTag"),
])
def test_bad_copy_requests_write_nothing(s3, bucket, cloud, kwargs, expected):
    args = {"Bucket": bucket, "Key": "target", "CopySource": f"{bucket}/report.csv", **kwargs}
    rows = cloud.s3.metadata_db.execute("SELECT COUNT(*) FROM object").fetchone()
    with pytest.raises(ClientError) as info:
        s3.copy_object(**args)
    assert code(info) == expected
    assert cloud.s3.metadata_db.execute("SELECT COUNT(*) FROM object").fetchone() == rows


def test_copy_sources_over_5_gb_are_refused(s3, bucket, cloud):
    # a 6 GB object is too big to hold in a test; its metadata row says how big it is
    cloud.s3.metadata_db.execute("UPDATE object SET size = ? WHERE object_name = 'report.csv'",
                                 (6 * 1024 ** 3,))
    with pytest.raises(ClientError) as info:
        s3.copy_object(Bucket=bucket, Key="huge", CopySource=f"{bucket}/report.csv")
    assert code(info) == "InvalidRequest"
    assert "larger than the maximum allowable size for a copy source: 5368709120" in \
        info.value.response["Error"]["Message"]


def test_copy_needs_read_on_the_source_and_write_on_the_destination(s3, bucket, cloud):
    s3.create_bucket(Bucket="dst-bucket")
    writer = user_client(cloud, "writer", [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::dst-bucket/*"}])
    with pytest.raises(ClientError) as info:
        writer.copy_object(Bucket="dst-bucket", Key="k", CopySource=f"{bucket}/report.csv")
    assert code(info) == "AccessDenied"
    denied = [s for s in cloud.traces[-1].steps if s.component == "IAM"][-1]
    assert "s3:GetObject on arn:aws:s3:::src-bucket/report.csv" in denied.action
    copier = user_client(cloud, "copier", [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectTagging"],
         "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::dst-bucket/*"}])
    copier.copy_object(Bucket="dst-bucket", Key="k", CopySource=f"{bucket}/report.csv")
    with pytest.raises(ClientError) as info:
        copier.copy_object(Bucket=bucket, Key="k", CopySource=f"{bucket}/report.csv")
    assert code(info) == "AccessDenied"


# -- DeleteObjects ----------------------------------------------------------------------------
def test_delete_objects_in_an_unversioned_bucket(s3, bucket, cloud):
    for key in ("a", "b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    uuid = uuid_of(cloud, bucket, "a")
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"},
                                                               {"Key": "never-there"}]})
    assert out["Deleted"] == [{"Key": "a"}, {"Key": "b"}, {"Key": "never-there"}]
    assert "Errors" not in out
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["report.csv"] and uuid not in cloud.s3.data_store.locations


def test_quiet_mode_reports_only_errors(s3, bucket):
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "report.csv"}],
                                                   "Quiet": True})
    assert "Deleted" not in out and "Errors" not in out
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


@pytest.mark.parametrize("count", [0, 1001])
def test_more_than_1000_keys_or_none_is_malformed_and_deletes_nothing(s3, bucket, count):
    with pytest.raises(ClientError) as info:
        s3.delete_objects(Bucket=bucket, Delete={
            "Objects": [{"Key": "report.csv"}] + [{"Key": f"k{i}"} for i in range(count - 1)]
            if count else []})
    assert code(info) == "MalformedXML"
    assert s3.head_object(Bucket=bucket, Key="report.csv")["ContentLength"] == 8


def test_exactly_1000_keys_are_accepted(s3, bucket):
    out = s3.delete_objects(Bucket=bucket, Delete={
        "Objects": [{"Key": f"k{i}"} for i in range(1000)], "Quiet": True})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_delete_objects_in_a_versioned_bucket_reports_markers_and_versions(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="doc", Body=b"1")["VersionId"]
    s3.put_object(Bucket=bucket, Key="doc", Body=b"2")
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "doc"},
                                                               {"Key": "doc", "VersionId": v1}]})
    marker_entry, version_entry = out["Deleted"]
    assert marker_entry["Key"] == "doc" and marker_entry["DeleteMarker"] is True
    marker = marker_entry["DeleteMarkerVersionId"]
    assert "VersionId" not in marker_entry
    assert version_entry == {"Key": "doc", "VersionId": v1}
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "doc",
                                                                "VersionId": marker}]})
    assert out["Deleted"] == [{"Key": "doc", "VersionId": marker, "DeleteMarker": True,
                               "DeleteMarkerVersionId": marker}]
    assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"2"


def test_a_key_the_caller_may_not_delete_fails_alone(s3, bucket, cloud):
    for key in ("public/a", "private/b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    user = user_client(cloud, "cleaner", [
        {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject",
         "Resource": f"arn:aws:s3:::{bucket}/private/*"}])
    for quiet in (False, True):
        out = user.delete_objects(Bucket=bucket, Delete={
            "Objects": [{"Key": "public/a"}, {"Key": "private/b"}], "Quiet": quiet})
        checks = [s for s in cloud.traces[-1].steps if "s3:DeleteObject on" in s.action]
        assert [s.component for s in checks] == ["IAM", "IAM"]      # one check per key
        assert out["Errors"] == [{"Key": "private/b", "Code": "AccessDenied",
                                  "Message": "Access Denied"}]
        assert ("Deleted" in out) is not quiet
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["private/b", "report.csv"]


def test_delete_objects_etag_condition_per_key(s3, bucket):
    etag = s3.head_object(Bucket=bucket, Key="report.csv")["ETag"]
    s3.put_object(Bucket=bucket, Key="other", Body=b"o")
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "report.csv", "ETag": '"0123"'}, {"Key": "other", "ETag": md5(b"o")}]})
    assert out["Errors"][0]["Key"] == "report.csv"
    assert out["Errors"][0]["Code"] == "PreconditionFailed"
    assert out["Deleted"] == [{"Key": "other"}]
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "report.csv", "ETag": etag}]})
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_delete_object_if_match(s3, bucket):
    with pytest.raises(ClientError) as info:
        s3.delete_object(Bucket=bucket, Key="report.csv", IfMatch='"nope"')
    assert code(info) == "PreconditionFailed"
    s3.head_object(Bucket=bucket, Key="report.csv")
    etag = s3.head_object(Bucket=bucket, Key="report.csv")["ETag"]
    s3.delete_object(Bucket=bucket, Key="report.csv", IfMatch=etag)
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="report.csv")


# -- object tagging ---------------------------------------------------------------------------
def test_put_get_delete_tags_touch_only_the_metadata(s3, bucket, cloud):
    before = s3.head_object(Bucket=bucket, Key="report.csv")
    tags = [{"Key": "owner", "Value": "ana"}, {"Key": "stage", "Value": ""}]
    out = s3.put_object_tagging(Bucket=bucket, Key="report.csv", Tagging={"TagSet": tags})
    assert "VersionId" not in out
    steps = cloud.traces[-1].steps
    assert [s.component for s in steps][-1] == "Metadata DB"
    assert "Data store" not in [s.component for s in steps]
    got = s3.get_object_tagging(Bucket=bucket, Key="report.csv")
    assert got["TagSet"] == tags and "VersionId" not in got
    after = s3.head_object(Bucket=bucket, Key="report.csv")
    assert after["ETag"] == before["ETag"] and after["LastModified"] == before["LastModified"]
    assert after["TagCount"] == 2
    gone = s3.delete_object_tagging(Bucket=bucket, Key="report.csv")
    assert gone["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object_tagging(Bucket=bucket, Key="report.csv")["TagSet"] == []


@pytest.mark.parametrize("tag_set, expected", [
    ([{"Key": f"k{i}", "Value": "v"} for i in range(11)], "BadRequest"),
    ([{"Key": "k" * 129, "Value": "v"}], "InvalidTag"),
    ([{"Key": "k", "Value": "v" * 257}], "InvalidTag"),
    ([{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}], "InvalidTag"),
])
def test_tag_limits_refuse_and_keep_the_old_tags(s3, bucket, tag_set, expected):
    with pytest.raises(ClientError) as info:
        s3.put_object_tagging(Bucket=bucket, Key="report.csv", Tagging={"TagSet": tag_set})
    assert code(info) == expected
    assert s3.get_object_tagging(Bucket=bucket, Key="report.csv")["TagSet"] == [
        {"Key": "team", "Value": "data"}]


def test_an_empty_tag_key_never_leaves_boto3(s3, bucket, cloud):
    with pytest.raises(ParamValidationError):
        s3.put_object_tagging(Bucket=bucket, Key="report.csv",
                              Tagging={"TagSet": [{"Key": "", "Value": "v"}]})
    # the same request made from below botocore's validation gets S3's answer
    with pytest.raises(ClientError) as info:
        cloud.s3.put_object_tagging.handler(cloud.s3, _request(cloud, "PutObjectTagging"),
                                            Bucket=bucket, Key="report.csv",
                                            Tagging={"TagSet": [{"Key": "", "Value": "v"}]})
    assert code(info) == "InvalidTag"


def _request(cloud, operation):
    from awskit.service import Request
    s3 = cloud.s3
    req = Request(s3, s3.operation_info(operation), {}, s3.default_caller(), "TEST")
    req.authenticate()
    return req


def test_tag_limits_at_the_edge_are_accepted(s3, bucket):
    edge = [{"Key": "k" * 128, "Value": "v" * 256}] + \
        [{"Key": f"k{i}", "Value": "v"} for i in range(9)]
    s3.put_object_tagging(Bucket=bucket, Key="report.csv", Tagging={"TagSet": edge})
    assert len(s3.get_object_tagging(Bucket=bucket, Key="report.csv")["TagSet"]) == 10


def test_tags_per_version(s3, bucket, cloud):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket=bucket, Key="doc", Body=b"1", Tagging="v=1")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="doc", Body=b"2")["VersionId"]
    out = s3.put_object_tagging(Bucket=bucket, Key="doc", VersionId=v1,
                                Tagging={"TagSet": [{"Key": "old", "Value": "yes"}]})
    assert out["VersionId"] == v1
    assert s3.get_object_tagging(Bucket=bucket, Key="doc")["VersionId"] == v2
    assert s3.get_object_tagging(Bucket=bucket, Key="doc")["TagSet"] == []
    assert s3.get_object_tagging(Bucket=bucket, Key="doc", VersionId=v1)["TagSet"] == [
        {"Key": "old", "Value": "yes"}]
    assert s3.delete_object_tagging(Bucket=bucket, Key="doc", VersionId=v1)["VersionId"] == v1
    marker = s3.delete_object(Bucket=bucket, Key="doc")["VersionId"]
    with pytest.raises(ClientError) as info:
        s3.get_object_tagging(Bucket=bucket, Key="doc")
    assert code(info) == "NoSuchKey"
    with pytest.raises(ClientError) as info:
        s3.put_object_tagging(Bucket=bucket, Key="doc", VersionId=marker,
                              Tagging={"TagSet": []})
    assert code(info) == "MethodNotAllowed"
    with pytest.raises(ClientError) as info:
        s3.get_object_tagging(Bucket=bucket, Key="doc", VersionId="B" * 32)
    assert code(info) == "NoSuchVersion"


def test_tagging_a_missing_key(s3, bucket):
    with pytest.raises(ClientError) as info:
        s3.put_object_tagging(Bucket=bucket, Key="absent", Tagging={"TagSet": []})
    assert code(info) == "NoSuchKey"


def test_tagging_actions_and_their_version_forms(s3, bucket, cloud):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key="doc", Body=b"1")["VersionId"]
    user = user_client(cloud, "tagger", [
        {"Effect": "Allow", "Action": ["s3:PutObjectTagging", "s3:GetObjectTagging"],
         "Resource": "*"}])
    user.put_object_tagging(Bucket=bucket, Key="doc", Tagging={"TagSet": [{"Key": "a",
                                                                           "Value": "1"}]})
    assert user.get_object_tagging(Bucket=bucket, Key="doc")["TagSet"][0]["Key"] == "a"
    for call in (lambda: user.put_object_tagging(Bucket=bucket, Key="doc", VersionId=version,
                                                 Tagging={"TagSet": []}),
                 lambda: user.get_object_tagging(Bucket=bucket, Key="doc", VersionId=version),
                 lambda: user.delete_object_tagging(Bucket=bucket, Key="doc")):
        with pytest.raises(ClientError) as info:
            call()
        assert code(info) == "AccessDenied"
    assert "s3:DeleteObjectTagging" in cloud.traces[-1].steps[1].action
    assert s3.get_object_tagging(Bucket=bucket, Key="doc")["TagSet"] == [{"Key": "a",
                                                                         "Value": "1"}]


def test_tag_condition_keys_reach_iam(s3, bucket, cloud):
    user = user_client(cloud, "limited", [
        {"Effect": "Allow", "Action": "s3:PutObjectTagging", "Resource": "*",
         "Condition": {"StringEquals": {"s3:RequestObjectTag/team": "data"}}}])
    user.put_object_tagging(Bucket=bucket, Key="report.csv",
                            Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
    with pytest.raises(ClientError) as info:
        user.put_object_tagging(Bucket=bucket, Key="report.csv",
                                Tagging={"TagSet": [{"Key": "team", "Value": "ops"}]})
    assert code(info) == "AccessDenied"


def test_expires_given_as_a_string_is_stored_and_copied(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cached", Body=b"x", Expires="2030-01-02T03:04:05Z")
    s3.copy_object(Bucket=bucket, Key="cached-copy", CopySource=f"{bucket}/cached")
    for key in ("cached", "cached-copy"):
        expires = s3.head_object(Bucket=bucket, Key=key)["Expires"]
        assert (expires.year, expires.day, expires.hour, expires.second) == (2030, 2, 3, 5)
