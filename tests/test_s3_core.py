"""S3 buckets, objects and listing through boto3, and the internals behind them."""

import base64
import hashlib
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from awskit.s3.names import bucket_name_problem


def code(exc_info) -> str:
    return exc_info.value.response["Error"]["Code"]


# -- bucket names -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["abc", "a" * 63, "my.bucket-1", "1bucket", "a-b.c-d"])
def test_valid_bucket_names(name):
    assert bucket_name_problem(name) is None


@pytest.mark.parametrize("name, why", [
    ("ab", "between 3 and 63"), ("a" * 64, "between 3 and 63"), ("MyBucket", "lowercase"),
    ("my_bucket", "lowercase"), ("-bucket", "begin and end"), ("bucket-", "begin and end"),
    ("my..bucket", "adjacent periods"), ("192.168.5.4", "IP address"),
    ("xn--bucket", "prefix 'xn--'"), ("sthree-data", "prefix 'sthree-'"),
    ("amzn-s3-demo-bucket", "prefix 'amzn-s3-demo-'"), ("data-s3alias", "suffix '-s3alias'"),
    ("data--ol-s3", "suffix '--ol-s3'"), ("data.mrap", "suffix '.mrap'"),
    ("data--x-s3", "suffix '--x-s3'"), ("data--table-s3", "suffix '--table-s3'"),
])
def test_invalid_bucket_names_are_refused(s3, name, why):
    assert why in bucket_name_problem(name)
    with pytest.raises(ClientError) as info:
        s3.create_bucket(Bucket=name)
    assert code(info) == "InvalidBucketName"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_names_with_characters_boto3_rejects_never_leave_the_client(s3, cloud):
    before = len(cloud.traces)
    with pytest.raises(ParamValidationError, match="Invalid bucket name"):
        s3.create_bucket(Bucket="has space")
    assert len(cloud.traces) == before


# -- buckets ----------------------------------------------------------------------------------
def test_bucket_namespace_is_global_across_accounts(cloud, s3):
    s3.create_bucket(Bucket="shared-name")
    other = cloud.client("s3", account=cloud.new_account())
    with pytest.raises(ClientError) as info:
        other.create_bucket(Bucket="shared-name")
    assert code(info) == "BucketAlreadyExists"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    # us-east-1 answers 200 when you re-create your own bucket (legacy behaviour)
    assert s3.create_bucket(Bucket="shared-name")["ResponseMetadata"]["HTTPStatusCode"] == 200
    # elsewhere it is BucketAlreadyOwnedByYou
    west = cloud.client("s3", region_name="eu-west-1")
    west.create_bucket(Bucket="irish-bucket",
                       CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    with pytest.raises(ClientError) as info:
        west.create_bucket(Bucket="irish-bucket",
                           CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert code(info) == "BucketAlreadyOwnedByYou"


def test_a_deleted_bucket_name_is_free_for_anyone(cloud, s3):
    s3.create_bucket(Bucket="recycled-name")
    s3.delete_bucket(Bucket="recycled-name")
    other = cloud.client("s3", account=cloud.new_account())
    other.create_bucket(Bucket="recycled-name")
    assert [b["Name"] for b in other.list_buckets()["Buckets"]] == ["recycled-name"]
    assert s3.list_buckets()["Buckets"] == []


def test_location_constraints(cloud):
    east = cloud.client("s3", region_name="us-east-1")
    with pytest.raises(ClientError) as info:
        east.create_bucket(Bucket="explicit-east",
                           CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert code(info) == "InvalidLocationConstraint"
    east.create_bucket(Bucket="from-east-to-tokyo",
                       CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    assert east.get_bucket_location(Bucket="from-east-to-tokyo")["LocationConstraint"] == \
        "ap-northeast-1"
    west = cloud.client("s3", region_name="us-west-2")
    with pytest.raises(ClientError) as info:
        west.create_bucket(Bucket="no-constraint")
    assert code(info) == "IllegalLocationConstraintException"
    with pytest.raises(ClientError) as info:
        west.create_bucket(Bucket="wrong-constraint",
                           CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert code(info) == "IllegalLocationConstraintException"
    with pytest.raises(ClientError) as info:
        west.create_bucket(Bucket="bogus-constraint",
                           CreateBucketConfiguration={"LocationConstraint": "mars-1"})
    assert code(info) == "InvalidLocationConstraint"
    west.create_bucket(Bucket="oregon-bucket",
                       CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    head = west.head_bucket(Bucket="oregon-bucket")
    assert head["BucketRegion"] == "us-west-2"
    east.create_bucket(Bucket="plain-east")
    assert east.get_bucket_location(Bucket="plain-east")["LocationConstraint"] is None
    assert cloud.s3.buckets["oregon-bucket"].region == "us-west-2"


def test_delete_bucket_must_be_empty_and_nothing_is_lost(s3):
    s3.create_bucket(Bucket="full-bucket")
    s3.put_object(Bucket="full-bucket", Key="keep-me", Body=b"data")
    with pytest.raises(ClientError) as info:
        s3.delete_bucket(Bucket="full-bucket")
    assert code(info) == "BucketNotEmpty"
    assert s3.get_object(Bucket="full-bucket", Key="keep-me")["Body"].read() == b"data"
    s3.delete_object(Bucket="full-bucket", Key="keep-me")
    assert s3.delete_bucket(Bucket="full-bucket")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as info:
        s3.head_bucket(Bucket="full-bucket")
    assert code(info) == "404"


def test_list_buckets_sorted_with_owner_and_pages(s3, cloud):
    for name in ["charlie-b", "alpha-b", "bravo-b"]:
        s3.create_bucket(Bucket=name)
    listing = s3.list_buckets()
    assert [b["Name"] for b in listing["Buckets"]] == ["alpha-b", "bravo-b", "charlie-b"]
    assert listing["Owner"]["ID"] == cloud.s3.canonical_id(cloud.default_account)
    page = s3.list_buckets(MaxBuckets=2)
    assert [b["Name"] for b in page["Buckets"]] == ["alpha-b", "bravo-b"]
    rest = s3.list_buckets(MaxBuckets=2, ContinuationToken=page["ContinuationToken"])
    assert [b["Name"] for b in rest["Buckets"]] == ["charlie-b"] and "ContinuationToken" not in rest
    assert [b["Name"] for b in s3.list_buckets(Prefix="b")["Buckets"]] == ["bravo-b"]


# -- objects ----------------------------------------------------------------------------------
@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket="objects")
    return "objects"


def test_put_get_head_round_trip_with_etag_metadata_and_sse(s3, bucket):
    body = b"hello, S3"
    put = s3.put_object(Bucket=bucket, Key="greeting.txt", Body=body, ContentType="text/plain",
                        Metadata={"Author": "Ada"}, CacheControl="max-age=60")
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    assert put["ServerSideEncryption"] == "AES256"
    got = s3.get_object(Bucket=bucket, Key="greeting.txt")
    assert got["Body"].read() == body
    assert got["ContentLength"] == len(body) and got["ContentType"] == "text/plain"
    assert got["Metadata"] == {"author": "Ada"}          # S3 lower-cases metadata names
    assert got["CacheControl"] == "max-age=60"
    assert got["ETag"] == put["ETag"] and got["ServerSideEncryption"] == "AES256"
    assert "VersionId" not in got and "StorageClass" not in got
    head = s3.head_object(Bucket=bucket, Key="greeting.txt")
    assert head["ContentLength"] == len(body) and "Body" not in head


def test_default_content_type_and_overwrite_last_writer_wins(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first")
    s3.put_object(Bucket=bucket, Key="k", Body=b"second")
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"second" and got["ContentType"] == "binary/octet-stream"


def test_missing_keys_and_buckets(s3, bucket):
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="absent")
    assert code(info) == "NoSuchKey" and info.value.response["Error"]["Key"] == "absent"
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=bucket, Key="absent")
    assert code(info) == "404"        # HEAD has no body: boto3 reports the status
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket="no-such-bucket-x", Key="k", Body=b"")
    assert code(info) == "NoSuchBucket"
    # deleting what is not there succeeds (204)
    assert s3.delete_object(Bucket=bucket, Key="absent")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_ranges(s3, bucket):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    part = s3.get_object(Bucket=bucket, Key="digits", Range="bytes=2-5")
    assert part["Body"].read() == b"2345" and part["ContentRange"] == "bytes 2-5/10"
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206 and part["ContentLength"] == 4
    assert s3.get_object(Bucket=bucket, Key="digits", Range="bytes=7-")["Body"].read() == b"789"
    assert s3.get_object(Bucket=bucket, Key="digits", Range="bytes=-3")["Body"].read() == b"789"
    assert s3.get_object(Bucket=bucket, Key="digits", Range="bytes=8-100")["Body"].read() == b"89"
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="digits", Range="bytes=10-20")
    assert code(info) == "InvalidRange"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416
    # a malformed range is ignored: the whole object comes back
    assert s3.get_object(Bucket=bucket, Key="digits", Range="lines=1-2")["Body"].read() == \
        b"0123456789"


def test_conditional_reads(s3, bucket, cloud):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"v1")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"v1"
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"0000"')
    assert code(info) == "PreconditionFailed"
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert code(info) == "304"
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=modified)
    assert code(info) == "304"
    assert s3.get_object(Bucket=bucket, Key="c",
                         IfModifiedSince=modified - timedelta(seconds=1))["Body"].read() == b"v1"
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=modified - timedelta(days=1))
    assert code(info) == "PreconditionFailed"
    # If-Match true wins over If-Unmodified-Since false (RFC 7232 as S3 documents)
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag,
                         IfUnmodifiedSince=modified - timedelta(days=1))["Body"].read() == b"v1"
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=bucket, Key="c", IfMatch='"nope"')
    assert code(info) == "412"


def test_conditional_writes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="once", Body=b"1", IfNoneMatch="*")
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="once", Body=b"2", IfNoneMatch="*")
    assert code(info) == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"1"


def test_limits_on_keys_metadata_and_digests(s3, bucket):
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"")
    assert code(info) == "KeyTooLongError"
    s3.put_object(Bucket=bucket, Key="é" * 512, Body=b"")   # 1,024 UTF-8 bytes: allowed
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="m", Body=b"", Metadata={"big": "x" * 2100})
    assert code(info) == "MetadataTooLarge"
    good = base64.b64encode(hashlib.md5(b"abc").digest()).decode()
    s3.put_object(Bucket=bucket, Key="md5", Body=b"abc", ContentMD5=good)
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="md5", Body=b"abd", ContentMD5=good)
    assert code(info) == "BadDigest"
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="md5", Body=b"abc", ContentMD5="not base64!")
    assert code(info) == "InvalidDigest"
    assert s3.get_object(Bucket=bucket, Key="md5")["Body"].read() == b"abc"
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="sc", Body=b"", StorageClass="PLATINUM")
    assert code(info) == "InvalidStorageClass"


# -- listing ----------------------------------------------------------------------------------
@pytest.fixture
def tree(s3, bucket):
    keys = ["a.txt", "photos/2024/jan.jpg", "photos/2024/feb.jpg", "photos/2025/mar.jpg",
            "photos/cover.jpg", "videos/intro.mp4", "zeta", "Zulu", "ünïcode", "b c+d"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return sorted(keys, key=lambda k: k.encode("utf-8"))


def test_list_v2_in_utf8_binary_order(s3, bucket, tree):
    listing = s3.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in listing["Contents"]] == tree
    assert listing["KeyCount"] == len(tree) and listing["IsTruncated"] is False
    assert tree.index("Zulu") < tree.index("a.txt") < tree.index("zeta") < tree.index("ünïcode")


def test_list_v2_with_delimiter_gives_common_prefixes(s3, bucket, tree):
    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["photos/", "videos/"]
    assert "photos/cover.jpg" not in [o["Key"] for o in top["Contents"]]
    inner = s3.list_objects_v2(Bucket=bucket, Prefix="photos/", Delimiter="/")
    assert [p["Prefix"] for p in inner["CommonPrefixes"]] == ["photos/2024/", "photos/2025/"]
    assert [o["Key"] for o in inner["Contents"]] == ["photos/cover.jpg"]
    assert inner["KeyCount"] == 3


def test_list_v2_pagination_counts_prefixes_and_keys(s3, bucket, tree):
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"Bucket": bucket, "Delimiter": "/", "MaxKeys": 2}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_objects_v2(**kwargs)
        pages += 1
        assert page["KeyCount"] <= 2
        seen += [o["Key"] for o in page.get("Contents", [])]
        seen += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            break
        token = page["NextContinuationToken"]
    full = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    expected = [o["Key"] for o in full["Contents"]] + [p["Prefix"] for p in full["CommonPrefixes"]]
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    assert pages == (len(expected) + 1) // 2
    paginator = s3.get_paginator("list_objects_v2")
    keys = [o["Key"] for p in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 3})
            for o in p.get("Contents", [])]
    assert keys == tree


def test_list_v2_start_after_and_bad_token(s3, bucket, tree):
    after = s3.list_objects_v2(Bucket=bucket, StartAfter="photos/2025/mar.jpg")
    assert [o["Key"] for o in after["Contents"]] == [k for k in tree if k > "photos/2025/mar.jpg"]
    assert after["StartAfter"] == "photos/2025/mar.jpg"
    with pytest.raises(ClientError) as info:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken="garbage")
    assert code(info) == "InvalidArgument"


def test_list_v1_markers_and_owner(s3, bucket, tree, cloud):
    page = s3.list_objects(Bucket=bucket, MaxKeys=3)
    assert [o["Key"] for o in page["Contents"]] == tree[:3] and page["IsTruncated"] is True
    assert "NextMarker" not in page           # only with a delimiter
    assert page["Contents"][0]["Owner"]["ID"] == cloud.s3.canonical_id(cloud.default_account)
    nxt = s3.list_objects(Bucket=bucket, Marker=page["Contents"][-1]["Key"])
    assert [o["Key"] for o in nxt["Contents"]] == tree[3:]
    grouped = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=1)
    assert grouped["IsTruncated"] and grouped["NextMarker"]


def test_keys_that_need_url_encoding_come_back_decoded(s3, bucket, tree):
    listing = s3.list_objects_v2(Bucket=bucket, Prefix="b c")
    assert [o["Key"] for o in listing["Contents"]] == ["b c+d"]
    assert listing["EncodingType"] == "url"


# -- internals --------------------------------------------------------------------------------
def test_create_bucket_and_put_object_trace_the_seven_steps(cloud, s3):
    s3.create_bucket(Bucket="bucket-to-share")
    s3.put_object(Bucket="bucket-to-share", Key="script.txt", Body=b"print('hi')")
    create, put = cloud.traces[-2], cloud.traces[-1]
    steps = create.steps + put.steps
    assert [s.component for s in steps] == ["API service", "IAM", "Metadata DB",
                                            "API service", "IAM", "Data store", "Metadata DB"]
    assert steps[0].action.startswith("Receive PUT /bucket-to-share")
    assert "s3:CreateBucket" in steps[1].action and "allowed" in steps[1].action
    assert steps[3].action.startswith("Receive PUT /bucket-to-share/script.txt")
    assert "s3:PutObject" in steps[4].action
    uuid = steps[5].detail["uuid"]
    assert uuid in steps[5].action and steps[6].detail["object_id"] == uuid
    row = cloud.s3.metadata_db.execute(
        "SELECT object_id, bucket_name, object_name, size FROM object").fetchone()
    assert row == (uuid, "bucket-to-share", "script.txt", 11)
    # the data store step's internals: routing, placement, primary and replicas
    subs = [s.component for s in steps[5].substeps]
    assert subs[:2] == ["Data routing service", "Placement service"]
    assert sum(c.startswith("Data node") for c in subs) == 3


def test_metadata_db_is_sqlite_and_pandas_can_read_it(cloud, s3):
    pd = pytest.importorskip("pandas")
    s3.create_bucket(Bucket="sql-bucket")
    for i in range(3):
        s3.put_object(Bucket="sql-bucket", Key=f"k{i}", Body=b"x" * i)
    frame = pd.read_sql("SELECT object_name, size FROM object ORDER BY object_name",
                        cloud.s3.metadata_db)
    assert frame.to_dict("list") == {"object_name": ["k0", "k1", "k2"], "size": [0, 1, 2]}
    buckets = pd.read_sql("SELECT bucket_name, owner_account, region FROM bucket",
                          cloud.s3.metadata_db)
    assert buckets.iloc[0].tolist() == ["sql-bucket", cloud.default_account, "us-east-1"]


def test_data_store_keeps_three_replicas_in_distinct_azs(cloud, s3):
    s3.create_bucket(Bucket="replicated")
    s3.put_object(Bucket="replicated", Key="k", Body=b"precious")
    uuid = cloud.traces[-1].steps[2].detail["uuid"]
    replicas = cloud.s3.data_store.replicas_of(uuid)
    assert len(replicas) == 3 and len({r["az"] for r in replicas}) == 3
    assert {n.node_id for n in cloud.s3.data_store.nodes} >= {r["node"] for r in replicas}


def test_a_failed_data_node_loses_nothing_and_the_trace_shows_the_failover(cloud, s3):
    s3.create_bucket(Bucket="resilient")
    s3.put_object(Bucket="resilient", Key="k", Body=b"survivor")
    uuid = cloud.traces[-1].steps[2].detail["uuid"]
    store = cloud.s3.data_store
    primary = store.replicas_of(uuid)[0]["node"]
    store.fail_node(primary)
    assert s3.get_object(Bucket="resilient", Key="k")["Body"].read() == b"survivor"
    read = cloud.traces[-1].steps[-1]
    assert read.component == "Data store" and read.detail["node"] != primary
    assert any("down" in s.action for s in read.substeps)
    # new writes avoid the failed node
    s3.put_object(Bucket="resilient", Key="new", Body=b"fresh")
    assert primary not in cloud.traces[-1].steps[2].detail["replicas"]
    # after the detection grace period the placement service re-replicates
    cloud.advance(seconds=30)
    healthy = [r for r in store.replicas_of(uuid) if r["status"] == "up"]
    assert len(healthy) == 3
    # with every copy gone the read fails as S3 would, and nothing else breaks
    for r in store.replicas_of(uuid):
        store.fail_node(r["node"])
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket="resilient", Key="k")
    assert code(info) == "InternalError"


def test_cloud_resource_is_a_boto3_resource_answered_in_memory(cloud):
    s3 = cloud.resource("s3")
    bucket = s3.Bucket("resource-bucket")
    bucket.create()
    bucket.put_object(Key="docs/a.txt", Body=b"A")
    s3.Object("resource-bucket", "docs/b.txt").put(Body=b"B")
    assert sorted(o.key for o in bucket.objects.filter(Prefix="docs/")) == ["docs/a.txt", "docs/b.txt"]
    assert s3.Object("resource-bucket", "docs/b.txt").get()["Body"].read() == b"B"
    assert [b.name for b in s3.buckets.all()] == ["resource-bucket"]
    other = cloud.new_account()
    assert list(cloud.resource("s3", account=other).buckets.all()) == []
