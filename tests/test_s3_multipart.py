"""Multipart upload through boto3: parts, completion, abort, listings, and the internals."""

import hashlib
import json
import os

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

import awskit

MiB = 1024 * 1024


def code(exc_info) -> str:
    return exc_info.value.response["Error"]["Code"]


def status(exc_info) -> int:
    return exc_info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def s3_etag(parts: list[bytes]) -> str:
    """The multipart ETag as S3 computes it (facts B3), computed independently here."""
    digests = b"".join(hashlib.md5(p).digest() for p in parts)
    return f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'


def user_client(cloud, name, actions, resource="*", effect="Allow"):
    iam = cloud.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": effect, "Action": actions, "Resource": resource}]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return cloud.client("s3", aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"])


@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket="uploads")
    return "uploads"


def start(s3, bucket, key="big", **kw):
    return s3.create_multipart_upload(Bucket=bucket, Key=key, **kw)["UploadId"]


def put_parts(s3, bucket, upload_id, parts, key="big"):
    return [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id,
                                                     PartNumber=n, Body=body)["ETag"]}
            for n, body in enumerate(parts, 1)]


def part_rows(cloud, upload_id):
    return cloud.s3.metadata_db.execute(
        "SELECT part_number, object_id, size FROM part WHERE upload_id = ? ORDER BY part_number",
        (upload_id,)).fetchall()


def stored_uuids(cloud):
    return set(cloud.s3.data_store.locations)


PART1, PART2, TAIL = b"a" * (5 * MiB), b"b" * (5 * MiB + 7), b"tail"


# -- the happy path ---------------------------------------------------------------------------
def test_complete_builds_the_object_with_s3s_etag_and_keeps_upload_settings(s3, bucket, cloud):
    upload_id = start(s3, bucket, Metadata={"Owner": "ana"}, ContentType="text/csv",
                      Tagging="team=data&tier=1", StorageClass="STANDARD_IA",
                      CacheControl="max-age=60")
    parts = put_parts(s3, bucket, upload_id, [PART1, PART2, TAIL])
    assert parts[0]["ETag"] == f'"{hashlib.md5(PART1).hexdigest()}"'
    done = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})
    assert done["ETag"] == s3_etag([PART1, PART2, TAIL])
    assert done["Bucket"] == bucket and done["Key"] == "big"
    assert done["Location"] == "https://uploads.s3.amazonaws.com/big"
    assert done["ServerSideEncryption"] == "AES256" and "VersionId" not in done
    got = s3.get_object(Bucket=bucket, Key="big")
    assert got["Body"].read() == PART1 + PART2 + TAIL
    assert got["ETag"] == done["ETag"] and got["ContentType"] == "text/csv"
    assert got["Metadata"] == {"owner": "ana"} and got["TagCount"] == 2
    assert got["StorageClass"] == "STANDARD_IA" and got["CacheControl"] == "max-age=60"
    assert "PartsCount" not in got          # only reported for a PartNumber request
    tags = s3.get_object_tagging(Bucket=bucket, Key="big")["TagSet"]
    assert tags == [{"Key": "team", "Value": "data"}, {"Key": "tier", "Value": "1"}]
    row = cloud.s3.metadata_db.execute(
        "SELECT parts_count, size FROM object WHERE object_name = 'big'").fetchone()
    assert row == (3, len(PART1 + PART2 + TAIL))


def test_upload_id_comes_from_the_seeded_ids_and_runs_repeat():
    def run():
        cloud = awskit.Cloud(seed=7)
        s3 = cloud.client("s3")
        s3.create_bucket(Bucket="same")
        upload_id = start(s3, "same")
        etag = put_parts(s3, "same", upload_id, [b"x"])[0]["ETag"]
        return upload_id, etag, [s.action for t in cloud.traces for s in t.steps]
    first, second = run(), run()
    assert first == second and len(first[0]) >= 32


def test_trace_shows_parts_in_the_data_store_and_reassembly(s3, bucket, cloud):
    upload_id = start(s3, bucket)
    parts = put_parts(s3, bucket, upload_id, [PART1, TAIL])
    upload_trace = cloud.traces[-1]
    assert [s.component for s in upload_trace.steps] == [
        "API service", "IAM", "Metadata DB", "Data store", "Metadata DB"]
    part_uuids = {oid for _, oid, _ in part_rows(cloud, upload_id)}
    assert part_uuids <= stored_uuids(cloud)
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                 MultipartUpload={"Parts": parts})
    steps = cloud.traces[-1].steps
    assert [s.component for s in steps] == ["API service", "IAM", "Metadata DB", "Metadata DB",
                                            "Data store", "Metadata DB", "Metadata DB",
                                            "Data store"]
    reassemble = steps[4]
    assert "Reassemble 2 parts" in reassemble.action
    assert set(reassemble.detail["parts"]) == part_uuids
    new_uuid = reassemble.detail["uuid"]
    assert steps[5].detail["object_id"] == new_uuid and new_uuid not in part_uuids
    # the parts' bytes are freed, the object's bytes are stored; the rows are gone
    assert not part_uuids & stored_uuids(cloud) and new_uuid in stored_uuids(cloud)
    assert part_rows(cloud, upload_id) == []
    assert cloud.s3.metadata_db.execute("SELECT COUNT(*) FROM multipart_upload").fetchone() == (0,)


def test_single_small_part_is_allowed_because_it_is_the_last(s3, bucket):
    upload_id = start(s3, bucket)
    parts = put_parts(s3, bucket, upload_id, [b"tiny"])
    done = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})
    assert done["ETag"] == s3_etag([b"tiny"])
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == b"tiny"


def test_reuploading_a_part_replaces_it_and_frees_the_old_bytes(s3, bucket, cloud):
    upload_id = start(s3, bucket)
    put_parts(s3, bucket, upload_id, [b"first version"])
    (_, old_uuid, _), = part_rows(cloud, upload_id)
    etag = s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=1,
                          Body=b"second")["ETag"]
    (_, new_uuid, size), = part_rows(cloud, upload_id)
    assert size == 6 and new_uuid != old_uuid
    assert old_uuid not in stored_uuids(cloud) and new_uuid in stored_uuids(cloud)
    listed = s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed] == [(1, etag, 6)]
    # completing with the replaced part's ETag is refused
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": f'"{hashlib.md5(b"first version").hexdigest()}"'}]})
    assert code(info) == "InvalidPart"


def test_parts_not_listed_at_completion_are_discarded(s3, bucket, cloud):
    upload_id = start(s3, bucket)
    parts = put_parts(s3, bucket, upload_id, [PART1, b"x", b"y"])
    unlisted = {oid for n, oid, _ in part_rows(cloud, upload_id) if n != 1}
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                 MultipartUpload={"Parts": [parts[0], parts[2]]})
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == PART1 + b"y"
    assert not unlisted & stored_uuids(cloud)


# -- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize("number", [0, -1, 10001])
def test_part_numbers_outside_1_to_10000_are_refused(s3, bucket, cloud, number):
    upload_id = start(s3, bucket)
    with pytest.raises(ClientError) as info:
        s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=number, Body=b"x")
    assert code(info) == "InvalidArgument" and status(info) == 400
    assert info.value.response["Error"]["ArgumentName"] == "partNumber"
    assert part_rows(cloud, upload_id) == []


def test_part_number_10000_is_the_last_valid_one(s3, bucket):
    upload_id = start(s3, bucket)
    s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=10000, Body=b"x")
    assert s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)["Parts"][0][
        "PartNumber"] == 10000


def test_a_part_with_a_wrong_content_md5_is_not_stored(s3, bucket, cloud):
    upload_id = start(s3, bucket)
    with pytest.raises(ClientError) as info:
        s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=1, Body=b"x",
                       ContentMD5="1B2M2Y8AsgTpgAmY7PhCfg==")      # the MD5 of b""
    assert code(info) == "BadDigest"
    assert part_rows(cloud, upload_id) == []


def test_unknown_upload_ids_and_ids_of_another_key_are_no_such_upload(s3, bucket):
    upload_id = start(s3, bucket)
    calls = [
        lambda: s3.upload_part(Bucket=bucket, Key="big", UploadId="nope", PartNumber=1, Body=b""),
        lambda: s3.upload_part(Bucket=bucket, Key="other", UploadId=upload_id, PartNumber=1,
                               Body=b""),
        lambda: s3.list_parts(Bucket=bucket, Key="big", UploadId="nope"),
        lambda: s3.abort_multipart_upload(Bucket=bucket, Key="big", UploadId="nope"),
        lambda: s3.complete_multipart_upload(
            Bucket=bucket, Key="big", UploadId="nope",
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": "x"}]}),
    ]
    for call in calls:
        with pytest.raises(ClientError) as info:
            call()
        assert code(info) == "NoSuchUpload" and status(info) == 404


def test_a_completed_or_aborted_upload_is_gone(s3, bucket):
    done_id, aborted_id = start(s3, bucket), start(s3, bucket)
    parts = put_parts(s3, bucket, done_id, [b"x"])
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=done_id,
                                 MultipartUpload={"Parts": parts})
    assert s3.abort_multipart_upload(Bucket=bucket, Key="big", UploadId=aborted_id)[
        "ResponseMetadata"]["HTTPStatusCode"] == 204
    for upload_id in (done_id, aborted_id):
        with pytest.raises(ClientError) as info:
            s3.upload_part(Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=1, Body=b"")
        assert code(info) == "NoSuchUpload"
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def _etag(body):
    return f'"{hashlib.md5(body).hexdigest()}"'


@pytest.mark.parametrize("listing, expected", [
    ([{"PartNumber": 1, "ETag": _etag(b"small")}, {"PartNumber": 2, "ETag": _etag(TAIL)}],
     "EntityTooSmall"),
    ([{"PartNumber": 1, "ETag": _etag(b"small")}, {"PartNumber": 3, "ETag": _etag(TAIL)}],
     "InvalidPart"),
    ([{"PartNumber": 1, "ETag": _etag(b"not what was sent")}], "InvalidPart"),
    ([{"PartNumber": 2, "ETag": _etag(TAIL)}, {"PartNumber": 1, "ETag": _etag(b"small")}],
     "InvalidPartOrder"),
    ([{"PartNumber": 1, "ETag": _etag(b"small")}, {"PartNumber": 1, "ETag": _etag(b"small")}],
     "InvalidPartOrder"),
    ([], "MalformedXML"),
    (None, "MalformedXML"),
])
def test_a_refused_complete_loses_nothing(s3, bucket, cloud, listing, expected):
    upload_id = start(s3, bucket)
    put_parts(s3, bucket, upload_id, [b"small", TAIL])
    rows_before, stored_before = part_rows(cloud, upload_id), stored_uuids(cloud)
    kwargs = {} if listing is None else {"MultipartUpload": {"Parts": listing}}
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id, **kwargs)
    assert code(info) == expected and status(info) == 400
    assert part_rows(cloud, upload_id) == rows_before and stored_uuids(cloud) == stored_before
    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket=bucket, Key="big")
    assert code(missing) == "404"
    # and the upload can still be completed properly
    good = [{"PartNumber": 2, "ETag": _etag(TAIL)}]
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                 MultipartUpload={"Parts": good})
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == TAIL


def test_entity_too_small_names_the_part(s3, bucket):
    upload_id = start(s3, bucket)
    parts = put_parts(s3, bucket, upload_id, [b"small", TAIL])
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                     MultipartUpload={"Parts": parts})
    error = info.value.response["Error"]
    assert error["PartNumber"] == "1" and error["ProposedSize"] == "5"
    assert error["MinSizeAllowed"] == str(5 * MiB)


def test_complete_honours_if_none_match(s3, bucket):
    s3.put_object(Bucket=bucket, Key="big", Body=b"already here")
    upload_id = start(s3, bucket)
    parts = put_parts(s3, bucket, upload_id, [b"x"])
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                     MultipartUpload={"Parts": parts}, IfNoneMatch="*")
    assert code(info) == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == b"already here"
    assert s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)["Parts"]


def test_create_refuses_bad_settings(s3, bucket):
    for kwargs, expected in [({"StorageClass": "FAST"}, "InvalidStorageClass"),
                             ({"Tagging": "&".join(f"k{i}=v" for i in range(11))}, "BadRequest"),
                             ({"Metadata": {"m": "x" * 2048}}, "MetadataTooLarge"),
                             ({"ACL": "public-read"}, "AccessControlListNotSupported")]:
        with pytest.raises(ClientError) as info:
            start(s3, bucket, **kwargs)
        assert code(info) == expected
    with pytest.raises(ClientError) as info:
        start(s3, bucket, key="k" * 1025)
    assert code(info) == "KeyTooLongError"
    with pytest.raises(ClientError) as info:
        start(s3, "no-such-bucket-here")
    assert code(info) == "NoSuchBucket"
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


# -- abort and billing ------------------------------------------------------------------------
def test_abort_frees_the_parts_and_their_storage_bill(s3, bucket, cloud):
    pricing = cloud.s3.pricing
    key = (cloud.default_account, cloud.default_region, "STANDARD")
    upload_id = start(s3, bucket)
    put_parts(s3, bucket, upload_id, [PART1, TAIL])
    uuids = {oid for _, oid, _ in part_rows(cloud, upload_id)}
    assert pricing.stored[key] == len(PART1) + len(TAIL)      # parts are billed meanwhile
    s3.abort_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id)
    assert pricing.stored[key] == 0
    assert not uuids & stored_uuids(cloud) and part_rows(cloud, upload_id) == []
    components = [s.component for s in cloud.traces[-1].steps]
    assert components[-2:] == ["Metadata DB", "Data store"]


def test_complete_moves_the_bill_from_parts_to_the_object(s3, bucket, cloud):
    key = (cloud.default_account, cloud.default_region, "STANDARD")
    upload_id = start(s3, bucket)
    parts = put_parts(s3, bucket, upload_id, [PART1, TAIL, b"unlisted"])
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                 MultipartUpload={"Parts": parts[:2]})
    assert cloud.s3.pricing.stored[key] == len(PART1) + len(TAIL)


def test_deleting_the_bucket_drops_uploads_in_progress(s3, bucket, cloud):
    upload_id = start(s3, bucket)
    put_parts(s3, bucket, upload_id, [b"x" * 100])
    uuids = {oid for _, oid, _ in part_rows(cloud, upload_id)}
    s3.delete_bucket(Bucket=bucket)
    assert not uuids & stored_uuids(cloud)
    assert cloud.s3.pricing.stored[(cloud.default_account, cloud.default_region, "STANDARD")] == 0


def test_abort_if_match_initiated_time(s3, bucket):
    upload_id = start(s3, bucket)
    initiated = s3.list_multipart_uploads(Bucket=bucket)["Uploads"][0]["Initiated"]
    from datetime import timedelta
    with pytest.raises(ClientError) as info:
        s3.abort_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                  IfMatchInitiatedTime=initiated + timedelta(seconds=5))
    assert code(info) == "PreconditionFailed"
    s3.abort_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                              IfMatchInitiatedTime=initiated)


# -- listings ---------------------------------------------------------------------------------
def test_list_parts_pages_with_markers(s3, bucket):
    upload_id = start(s3, bucket)
    put_parts(s3, bucket, upload_id, [bytes([i]) * (i + 1) for i in range(5)])
    page = s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id, MaxParts=2)
    assert [p["PartNumber"] for p in page["Parts"]] == [1, 2]
    assert page["IsTruncated"] is True and page["NextPartNumberMarker"] == 2
    assert page["PartNumberMarker"] == 0 and page["MaxParts"] == 2
    page = s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id, MaxParts=2,
                         PartNumberMarker=4)
    assert [p["PartNumber"] for p in page["Parts"]] == [5] and page["IsTruncated"] is False
    assert s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id,
                         MaxParts=5000)["MaxParts"] == 1000
    pages = s3.get_paginator("list_parts").paginate(
        Bucket=bucket, Key="big", UploadId=upload_id, PaginationConfig={"PageSize": 2})
    assert [p["Size"] for pg in pages for p in pg["Parts"]] == [1, 2, 3, 4, 5]
    with pytest.raises(ClientError) as info:
        s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id, MaxParts=-1)
    assert code(info) == "InvalidArgument"


def test_list_parts_reports_initiator_owner_and_storage_class(s3, bucket, cloud):
    upload_id = start(s3, bucket, StorageClass="ONEZONE_IA")
    got = s3.list_parts(Bucket=bucket, Key="big", UploadId=upload_id)
    owner = cloud.s3.canonical_id(cloud.default_account)
    assert got["Initiator"] == {"ID": owner} and got["Owner"] == {"ID": owner}
    assert got["StorageClass"] == "ONEZONE_IA" and "Parts" not in got
    alice = user_client(cloud, "alice", ["s3:PutObject", "s3:ListMultipartUploadParts"])
    upload_id = alice.create_multipart_upload(Bucket=bucket, Key="by-alice")["UploadId"]
    got = alice.list_parts(Bucket=bucket, Key="by-alice", UploadId=upload_id)
    assert got["Initiator"] == {"ID": f"arn:aws:iam::{cloud.default_account}:user/alice"}
    assert got["Owner"] == {"ID": owner}


def test_list_multipart_uploads_orders_groups_and_pages(s3, bucket):
    ids = {}
    for key in ["photos/2024/a.jpg", "photos/2025/b.jpg", "docs/x", "docs/x", "zeta", "alpha"]:
        ids.setdefault(key, []).append(start(s3, bucket, key=key))
    listed = s3.list_multipart_uploads(Bucket=bucket)
    keys = [u["Key"] for u in listed["Uploads"]]
    assert keys == ["alpha", "docs/x", "docs/x", "photos/2024/a.jpg", "photos/2025/b.jpg", "zeta"]
    # two uploads of one key: oldest first
    assert [u["UploadId"] for u in listed["Uploads"] if u["Key"] == "docs/x"] == ids["docs/x"]
    grouped = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["docs/", "photos/"]
    assert [u["Key"] for u in grouped["Uploads"]] == ["alpha", "zeta"]
    nested = s3.list_multipart_uploads(Bucket=bucket, Prefix="photos/", Delimiter="/")
    assert [p["Prefix"] for p in nested["CommonPrefixes"]] == ["photos/2024/", "photos/2025/"]
    assert "Uploads" not in nested and nested["Prefix"] == "photos/"
    for size in (1, 2, 3):
        pages = list(s3.get_paginator("list_multipart_uploads").paginate(
            Bucket=bucket, PaginationConfig={"PageSize": size}))
        assert [u["UploadId"] for pg in pages for u in pg.get("Uploads", [])] == \
            [u["UploadId"] for u in listed["Uploads"]]
        pages = list(s3.get_paginator("list_multipart_uploads").paginate(
            Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": size}))
        seen = [u["Key"] for pg in pages for u in pg.get("Uploads", [])] + \
            [p["Prefix"] for pg in pages for p in pg.get("CommonPrefixes", [])]
        assert sorted(seen) == ["alpha", "docs/", "photos/", "zeta"]
    first = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert first["IsTruncated"] and first["NextKeyMarker"] == "docs/x"
    assert first["NextUploadIdMarker"] == ids["docs/x"][0]
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="docs/x",
                                     UploadIdMarker=ids["docs/x"][0])
    assert rest["Uploads"][0]["UploadId"] == ids["docs/x"][1]
    assert [u["Key"] for u in s3.list_multipart_uploads(
        Bucket=bucket, KeyMarker="docs/x")["Uploads"]][0] == "photos/2024/a.jpg"
    with pytest.raises(ClientError) as info:
        s3.list_multipart_uploads(Bucket=bucket, MaxUploads=-5)
    assert code(info) == "InvalidArgument"


def test_list_multipart_uploads_url_encoding(s3, bucket):
    start(s3, bucket, key="a b/é")
    listed = s3.list_multipart_uploads(Bucket=bucket, EncodingType="url")
    assert listed["Uploads"][0]["Key"] == "a%20b/%C3%A9" and listed["EncodingType"] == "url"
    assert s3.list_multipart_uploads(Bucket=bucket)["Uploads"][0]["Key"] == "a b/é"


# -- permissions ------------------------------------------------------------------------------
def test_each_multipart_action_is_authorized_on_its_own(s3, bucket, cloud):
    writer = user_client(cloud, "writer", ["s3:PutObject"])
    upload_id = writer.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    parts = put_parts(writer, bucket, upload_id, [b"x"])
    for call in [lambda: writer.abort_multipart_upload(Bucket=bucket, Key="big",
                                                       UploadId=upload_id),
                 lambda: writer.list_parts(Bucket=bucket, Key="big", UploadId=upload_id),
                 lambda: writer.list_multipart_uploads(Bucket=bucket)]:
        with pytest.raises(ClientError) as info:
            call()
        assert code(info) == "AccessDenied" and status(info) == 403
    denied = [s for s in cloud.traces[-1].steps if s.component == "IAM"][0]
    assert "s3:ListBucketMultipartUploads" in denied.action
    writer.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                     MultipartUpload={"Parts": parts})
    reader = user_client(cloud, "reader", ["s3:GetObject"])
    with pytest.raises(ClientError) as info:
        reader.create_multipart_upload(Bucket=bucket, Key="nope")
    assert code(info) == "AccessDenied"
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


# -- reading parts back -----------------------------------------------------------------------
def test_get_and_head_with_part_number(s3, bucket):
    upload_id = start(s3, bucket)
    parts = put_parts(s3, bucket, upload_id, [PART1, PART2, TAIL])
    s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                 MultipartUpload={"Parts": parts})
    got = s3.get_object(Bucket=bucket, Key="big", PartNumber=2)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == PART2 and got["PartsCount"] == 3
    start2 = len(PART1)
    assert got["ContentRange"] == f"bytes {start2}-{start2 + len(PART2) - 1}/{5 * MiB * 2 + 11}"
    head = s3.head_object(Bucket=bucket, Key="big", PartNumber=3)
    assert head["ContentLength"] == 4 and head["PartsCount"] == 3
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="big", PartNumber=4)
    assert code(info) == "InvalidPartNumber" and status(info) == 416
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="big", PartNumber=1, Range="bytes=0-1")
    assert code(info) == "InvalidRequest"
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="big", PartNumber=10001)
    assert code(info) == "InvalidArgument"


def test_part_number_on_an_object_not_made_by_multipart(s3, bucket):
    s3.put_object(Bucket=bucket, Key="plain", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="plain", PartNumber=1)
    assert got["Body"].read() == b"0123456789" and "PartsCount" not in got
    assert got["ContentRange"] == "bytes 0-9/10"
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=bucket, Key="plain", PartNumber=2)
    assert code(info) == "416"


# -- UploadPartCopy ---------------------------------------------------------------------------
def test_upload_part_copy_from_ranges_of_an_object(s3, bucket, cloud):
    source = os.urandom(6 * MiB)
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    upload_id = start(s3, bucket, key="copy")
    first = s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload_id, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "source"},
                                CopySourceRange=f"bytes=0-{5 * MiB - 1}")
    second = s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload_id, PartNumber=2,
                                 CopySource=f"{bucket}/source",
                                 CopySourceRange=f"bytes={5 * MiB}-{6 * MiB - 1}")
    assert first["CopyPartResult"]["ETag"] == _etag(source[:5 * MiB])
    assert "LastModified" in first["CopyPartResult"] and "CopySourceVersionId" not in first
    components = [s.component for s in cloud.traces[-1].steps]
    assert components.count("Data store") == 2      # read the source, persist the part
    listing = [{"PartNumber": n, "ETag": r["CopyPartResult"]["ETag"]}
               for n, r in ((1, first), (2, second))]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="copy", UploadId=upload_id,
                                        MultipartUpload={"Parts": listing})
    assert done["ETag"] == s3_etag([source[:5 * MiB], source[5 * MiB:]])
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == source


def test_upload_part_copy_refuses_bad_ranges_and_sources(s3, bucket, cloud):
    s3.put_object(Bucket=bucket, Key="source", Body=b"0123456789")
    upload_id = start(s3, bucket, key="copy")
    cases = [({"CopySourceRange": "bytes=5-2"}, "InvalidArgument"),
             ({"CopySourceRange": "0-3"}, "InvalidArgument"),
             ({"CopySourceRange": "bytes=0-10"}, "InvalidArgument"),
             ({"CopySource": f"{bucket}/absent"}, "NoSuchKey"),
             ({"CopySource": "no-such-bucket-zz/source"}, "NoSuchBucket"),
             ({"CopySourceIfMatch": '"0000"'}, "PreconditionFailed")]
    for kwargs, expected in cases:
        args = {"Bucket": bucket, "Key": "copy", "UploadId": upload_id, "PartNumber": 1,
                "CopySource": f"{bucket}/source", **kwargs}
        with pytest.raises(ClientError) as info:
            s3.upload_part_copy(**args)
        assert code(info) == expected, kwargs
    assert part_rows(cloud, upload_id) == []
    ok = s3.upload_part_copy(Bucket=bucket, Key="copy", UploadId=upload_id, PartNumber=1,
                             CopySource=f"{bucket}/source", CopySourceRange="bytes=9-9")
    assert ok["CopyPartResult"]["ETag"] == _etag(b"9")


# -- versioning, persistence ------------------------------------------------------------------
def test_complete_in_a_versioned_bucket_adds_versions(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    versions = []
    for body in (b"one", b"two"):
        upload_id = start(s3, bucket)
        parts = put_parts(s3, bucket, upload_id, [body])
        done = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                            MultipartUpload={"Parts": parts})
        versions.append(done["VersionId"])
    assert len(set(versions)) == 2 and "null" not in versions
    old = s3.get_object(Bucket=bucket, Key="big", VersionId=versions[0])
    assert old["Body"].read() == b"one"


def test_an_upload_in_progress_survives_save_and_load(tmp_path, s3, bucket, cloud):
    upload_id = start(s3, bucket, Metadata={"k": "v"})
    parts = put_parts(s3, bucket, upload_id, [PART1])
    path = tmp_path / "cloud.json"
    cloud.save(path)
    again = awskit.Cloud.load(path)
    client = again.client("s3")
    parts.append({"PartNumber": 2, "ETag": client.upload_part(
        Bucket=bucket, Key="big", UploadId=upload_id, PartNumber=2, Body=TAIL)["ETag"]})
    done = client.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                            MultipartUpload={"Parts": parts})
    assert done["ETag"] == s3_etag([PART1, TAIL])
    path = tmp_path / "again.json"
    again.save(path)
    got = awskit.Cloud.load(path).client("s3").get_object(Bucket=bucket, Key="big", PartNumber=2)
    assert got["Body"].read() == TAIL and got["Metadata"] == {"k": "v"}
    assert got["PartsCount"] == 2 and got["ETag"] == done["ETag"]


# -- boto3's managed transfer -----------------------------------------------------------------
def test_upload_file_and_download_file_with_threads_under_mock_aws(tmp_path, cloud):
    data = os.urandom(20_000_000)
    src, dst = tmp_path / "in.bin", tmp_path / "out.bin"
    src.write_bytes(data)
    chunk = 5 * MiB
    config = TransferConfig(multipart_threshold=chunk, multipart_chunksize=chunk,
                            max_concurrency=4, use_threads=True)
    with awskit.mock_aws(cloud):
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="transfers")
        client.upload_file(str(src), "transfers", "data.bin", Config=config)
        head = client.head_object(Bucket="transfers", Key="data.bin")
        client.download_file("transfers", "data.bin", str(dst), Config=config)
        parts = client.head_object(Bucket="transfers", Key="data.bin", PartNumber=1)
    pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)]
    assert len(pieces) == 4
    assert head["ETag"] == s3_etag(pieces) and head["ContentLength"] == len(data)
    assert parts["PartsCount"] == 4 and parts["ContentLength"] == chunk
    assert dst.read_bytes() == data
    operations = [t.operation for t in cloud.traces]
    assert operations.count("UploadPart") == 4 and "CompleteMultipartUpload" in operations
    assert all(t.front == "mock" for t in cloud.traces)


def test_sse_kms_uploads_have_etags_that_are_not_md5s(s3, bucket):
    upload_id = start(s3, bucket, ServerSideEncryption="aws:kms")
    parts = put_parts(s3, bucket, upload_id, [b"secret"])
    assert parts[0]["ETag"] != _etag(b"secret")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload_id,
                                        MultipartUpload={"Parts": parts})
    assert done["ServerSideEncryption"] == "aws:kms" and "SSEKMSKeyId" in done
    assert done["ETag"].endswith('-1"') and done["ETag"] != s3_etag([b"secret"])
    head = s3.head_object(Bucket=bucket, Key="big")
    assert head["ServerSideEncryption"] == "aws:kms" and head["ETag"] == done["ETag"]
