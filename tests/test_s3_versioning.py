"""Bucket versioning through boto3: states, version semantics (facts B5) and ListObjectVersions."""

import json

import pytest
from botocore.exceptions import ClientError


def code(exc_info) -> str:
    return exc_info.value.response["Error"]["Code"]


def headers(exc_info) -> dict:
    return exc_info.value.response["ResponseMetadata"]["HTTPHeaders"]


def user_client(cloud, name, actions):
    iam = cloud.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
        {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return cloud.client("s3", aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"])


@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket="history")
    return "history"


def enable(s3, bucket, status="Enabled"):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def column(cloud, bucket):
    return cloud.s3.metadata_db.execute("SELECT versioning FROM bucket WHERE bucket_name = ?",
                                        (bucket,)).fetchone()[0]


def versions(s3, bucket, **kw):
    out = s3.list_object_versions(Bucket=bucket, **kw)
    return ([(v["Key"], v["VersionId"], v["IsLatest"]) for v in out.get("Versions", [])],
            [(d["Key"], d["VersionId"], d["IsLatest"]) for d in out.get("DeleteMarkers", [])])


# -- the configuration ------------------------------------------------------------------------
def test_a_new_bucket_has_no_versioning_state(s3, bucket, cloud):
    got = s3.get_bucket_versioning(Bucket=bucket)
    assert "Status" not in got and "MFADelete" not in got
    assert column(cloud, bucket) is None


def test_enable_then_suspend_updates_bucket_and_its_row(s3, bucket, cloud):
    enable(s3, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert column(cloud, bucket) == "Enabled" and cloud.s3.buckets[bucket].versioning == "Enabled"
    step = cloud.traces[-2].steps[-1]
    assert step.component == "Metadata DB" and "versioning = Enabled" in step.action
    enable(s3, bucket, "Suspended")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    assert column(cloud, bucket) == "Suspended"


def test_a_never_versioned_bucket_may_be_suspended(s3, bucket):
    enable(s3, bucket, "Suspended")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert put["VersionId"] == "null"


@pytest.mark.parametrize("config", [{"Status": "Disabled"}, {"Status": "enabled"},
                                    {"Status": "Enabled", "MFADelete": "On"},
                                    {"MFADelete": "Enabled"}])
def test_bad_configurations_are_malformed_xml_and_change_nothing(s3, bucket, cloud, config):
    enable(s3, bucket)
    with pytest.raises(ClientError) as info:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=config)
    assert code(info) == "MalformedXML"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert column(cloud, bucket) == "Enabled"


def test_versioning_needs_its_own_permissions(s3, bucket, cloud):
    user = user_client(cloud, "dev", ["s3:GetBucketVersioning"])
    with pytest.raises(ClientError) as info:
        user.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert code(info) == "AccessDenied"
    assert "Status" not in user.get_bucket_versioning(Bucket=bucket)


def test_mfa_delete_takes_the_root_user_and_an_mfa_code(s3, bucket, cloud):
    config = {"Status": "Enabled", "MFADelete": "Enabled"}
    with pytest.raises(ClientError) as info:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=config)
    assert code(info) == "AccessDenied"
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)      # nothing changed
    user = user_client(cloud, "admin", ["s3:*"])
    with pytest.raises(ClientError) as info:
        user.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=config,
                                   MFA="arn:aws:iam::123456789012:mfa/root 123456")
    assert code(info) == "AccessDenied"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=config,
                             MFA="arn:aws:iam::123456789012:mfa/root 123456")
    assert s3.get_bucket_versioning(Bucket=bucket) | {"ResponseMetadata": None} == \
        {"Status": "Enabled", "MFADelete": "Enabled", "ResponseMetadata": None}
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"keep me")["VersionId"]
    with pytest.raises(ClientError) as info:
        s3.delete_object(Bucket=bucket, Key="k", VersionId=version)
    assert code(info) == "AccessDenied"
    with pytest.raises(ClientError) as info:        # suspending also needs the MFA code
        enable(s3, bucket, "Suspended")
    assert code(info) == "AccessDenied"
    # a plain delete (a delete marker) needs no MFA
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_object(Bucket=bucket, Key="k", VersionId=version, MFA="serial 654321")
    assert versions(s3, bucket)[0] == []


# -- Enabled ----------------------------------------------------------------------------------
def test_enabled_every_put_is_a_new_version_and_old_objects_keep_null(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert len({v1, v2, "null"}) == 3 and len(v1) == 32
    got, _ = versions(s3, bucket)
    assert got == [("k", v2, True), ("k", v1, False), ("k", "null", False)]
    assert s3.get_object(Bucket=bucket, Key="k")["VersionId"] == v2
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"before"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"


def test_a_delete_marker_hides_the_key_with_s3s_errors_and_headers(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    gone = s3.delete_object(Bucket=bucket, Key="k")
    assert gone["DeleteMarker"] is True and gone["VersionId"] != v1
    marker = gone["VersionId"]
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="k")
    assert code(info) == "NoSuchKey"
    assert headers(info)["x-amz-delete-marker"] == "true"
    assert headers(info)["x-amz-version-id"] == marker
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=bucket, Key="k")
    assert code(info) == "404" and headers(info)["x-amz-delete-marker"] == "true"
    for read in (s3.get_object, s3.head_object):
        with pytest.raises(ClientError) as info:
            read(Bucket=bucket, Key="k", VersionId=marker)
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405
        assert headers(info)["x-amz-delete-marker"] == "true" and "last-modified" in headers(info)
    assert code(info) == "405"          # HEAD: no body
    listing = s3.list_objects_v2(Bucket=bucket)
    assert "Contents" not in listing
    # the older version is still there and readable by id
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"
    # deleting the marker brings the object back
    removed = s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    assert removed["DeleteMarker"] is True and removed["VersionId"] == marker
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"


def test_deleting_a_version_is_permanent_and_promotes_the_next_newest(s3, bucket, cloud):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    uuid = cloud.s3.metadata_db.execute("SELECT object_id FROM object WHERE version_id = ?",
                                        (v2,)).fetchone()[0]
    out = s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)
    assert out["VersionId"] == v2 and "DeleteMarker" not in out
    assert uuid not in cloud.s3.data_store.locations
    assert versions(s3, bucket)[0] == [("k", v1, True)]
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="k", VersionId=v2)
    assert code(info) == "NoSuchVersion"
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="k", VersionId="not-a-version")
    assert code(info) == "InvalidArgument"


# -- Suspended --------------------------------------------------------------------------------
def test_suspended_writes_replace_the_null_version_only(s3, bucket, cloud):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    enable(s3, bucket, "Suspended")
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"] == "null"
    first_null = cloud.s3.metadata_db.execute(
        "SELECT object_id FROM object WHERE version_id = 'null'").fetchone()[0]
    s3.put_object(Bucket=bucket, Key="k", Body=b"three")
    assert versions(s3, bucket)[0] == [("k", "null", True), ("k", v1, False)]
    assert first_null not in cloud.s3.data_store.locations     # replaced, bytes freed
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"three"


def test_suspended_delete_removes_null_and_adds_a_null_marker(s3, bucket):
    enable(s3, bucket)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    enable(s3, bucket, "Suspended")
    s3.put_object(Bucket=bucket, Key="k", Body=b"null one")
    out = s3.delete_object(Bucket=bucket, Key="k")
    assert out["DeleteMarker"] is True and out["VersionId"] == "null"
    kept, markers = versions(s3, bucket)
    assert kept == [("k", v1, False)] and markers == [("k", "null", True)]
    # a second delete replaces the null marker: still one marker
    s3.delete_object(Bucket=bucket, Key="k")
    assert versions(s3, bucket) == (kept, markers)


def test_a_versioned_bucket_cannot_return_to_unversioned(s3, bucket, cloud):
    enable(s3, bucket)
    enable(s3, bucket, "Suspended")
    assert cloud.s3.buckets[bucket].ever_versioned
    # even suspended, responses carry version ids
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"] == "null"


# -- ListObjectVersions -----------------------------------------------------------------------
@pytest.fixture
def history(s3, bucket):
    s3.put_object(Bucket=bucket, Key="b", Body=b"unversioned")
    enable(s3, bucket)
    ids = {}
    for key in ["é", "a", "B", "a", "dir/x", "dir/y", "a b", "dir/x"]:
        ids.setdefault(key, []).append(s3.put_object(Bucket=bucket, Key=key, Body=key.encode())[
            "VersionId"])
    ids["b"] = ["null", s3.delete_object(Bucket=bucket, Key="b")["VersionId"]]
    return ids


def test_list_object_versions_in_utf8_order_newest_first(s3, bucket, history):
    out = s3.list_object_versions(Bucket=bucket)
    keys = [v["Key"] for v in out["Versions"]]
    assert keys == ["B", "a", "a", "a b", "b", "dir/x", "dir/x", "dir/y", "é"]
    assert [v["VersionId"] for v in out["Versions"] if v["Key"] == "a"] == history["a"][::-1]
    assert [v["IsLatest"] for v in out["Versions"] if v["Key"] == "a"] == [True, False]
    assert out["DeleteMarkers"][0]["Key"] == "b" and out["DeleteMarkers"][0]["IsLatest"] is True
    null = [v for v in out["Versions"] if v["Key"] == "b"][0]
    assert null["VersionId"] == "null" and null["IsLatest"] is False
    assert null["Size"] == len(b"unversioned") and null["StorageClass"] == "STANDARD"
    assert null["ETag"].startswith('"') and "ID" in null["Owner"]
    assert out["IsTruncated"] is False and out["Name"] == bucket and out["MaxKeys"] == 1000


@pytest.mark.parametrize("page_size", [1, 2, 3, 4])
def test_list_object_versions_pages_never_repeat_or_skip(s3, bucket, history, page_size):
    everything = s3.list_object_versions(Bucket=bucket)
    full = [(v["Key"], v["VersionId"]) for v in everything["Versions"]] + \
        [(d["Key"], d["VersionId"]) for d in everything["DeleteMarkers"]]
    pages = list(s3.get_paginator("list_object_versions").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": page_size}))
    seen = [(v["Key"], v["VersionId"]) for p in pages for v in p.get("Versions", [])] + \
        [(d["Key"], d["VersionId"]) for p in pages for d in p.get("DeleteMarkers", [])]
    assert sorted(seen) == sorted(full) and len(seen) == len(full)
    assert all(len(p.get("Versions", [])) + len(p.get("DeleteMarkers", [])) <= page_size
               for p in pages)


def test_next_markers_resume_inside_a_key(s3, bucket, history):
    page = s3.list_object_versions(Bucket=bucket, MaxKeys=2)
    assert page["IsTruncated"] is True
    assert page["NextKeyMarker"] == "a" and page["NextVersionIdMarker"] == history["a"][1]
    rest = s3.list_object_versions(Bucket=bucket, KeyMarker="a",
                                   VersionIdMarker=history["a"][1], MaxKeys=1)
    assert [(v["Key"], v["VersionId"]) for v in rest["Versions"]] == [("a", history["a"][0])]
    assert rest["KeyMarker"] == "a" and rest["VersionIdMarker"] == history["a"][1]
    after = s3.list_object_versions(Bucket=bucket, KeyMarker="a", MaxKeys=1)
    assert after["Versions"][0]["Key"] == "a b"


def test_prefix_and_delimiter_give_common_prefixes(s3, bucket, history):
    out = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert out["CommonPrefixes"] == [{"Prefix": "dir/"}]
    assert "dir/x" not in [v["Key"] for v in out["Versions"]]
    inside = s3.list_object_versions(Bucket=bucket, Prefix="dir/")
    assert [v["Key"] for v in inside["Versions"]] == ["dir/x", "dir/x", "dir/y"]
    assert inside["Prefix"] == "dir/"
    pages = list(s3.get_paginator("list_object_versions").paginate(
        Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 1}))
    prefixes = [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]
    assert prefixes == ["dir/"]


def test_keys_are_url_encoded_on_the_wire_and_decoded_by_boto3(s3, bucket, history, cloud):
    keys = [v["Key"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]]
    assert "a b" in keys and "é" in keys
    raw = s3.list_object_versions(Bucket=bucket, EncodingType="url")  # asked for: not decoded
    assert "a%20b" in [v["Key"] for v in raw["Versions"]]
    direct = cloud.s3.list_object_versions(Bucket=bucket)
    assert "é" in [v["Key"] for v in direct["Versions"]]


def test_an_unversioned_bucket_lists_null_versions(s3, cloud):
    s3.create_bucket(Bucket="plain")
    s3.put_object(Bucket="plain", Key="k", Body=b"x")
    assert versions(s3, "plain") == ([("k", "null", True)], [])


@pytest.mark.parametrize("kwargs, argument", [
    ({"VersionIdMarker": "abc", "KeyMarker": "a"}, "version-id-marker"),
    ({"VersionIdMarker": "A" * 32}, "version-id-marker"),
    ({"MaxKeys": -1}, "maxKeys"),
    ({"EncodingType": "base64"}, "encoding-type"),
])
def test_list_object_versions_refuses_bad_arguments(s3, bucket, kwargs, argument):
    with pytest.raises(ClientError) as info:
        s3.list_object_versions(Bucket=bucket, **kwargs)
    assert code(info) == "InvalidArgument"
    assert info.value.response["Error"]["ArgumentName"] == argument


def test_listing_versions_needs_list_bucket_versions(s3, bucket, cloud):
    user = user_client(cloud, "lister", ["s3:ListBucket"])
    user.list_objects_v2(Bucket=bucket)
    with pytest.raises(ClientError) as info:
        user.list_object_versions(Bucket=bucket)
    assert code(info) == "AccessDenied"
    assert "s3:ListBucketVersions" in cloud.traces[-1].steps[1].action
