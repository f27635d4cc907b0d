"""Lifecycle configuration, the daily lifecycle run on the simulated clock, and restores."""

from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError
from dateutil.tz import tzutc

import awskit
from awskit.clock import EPOCH

BUCKET = "lifecycle-bucket"
BIG = b"x" * (200 * 1024)          # above the 128 KB transition minimum
SMALL = b"x" * 1000


def err(call, *args, **kwargs):
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def advance_to(cloud, text: str) -> None:
    """Move the clock to an absolute UTC instant (running every event due by then)."""
    target = (utc(text) - EPOCH).total_seconds()
    cloud.advance(seconds=target - cloud.clock.elapsed)


def lifecycle(s3, *rules, **kwargs):
    return s3.put_bucket_lifecycle_configuration(
        Bucket=BUCKET, LifecycleConfiguration={"Rules": list(rules)}, **kwargs)


def rule(**actions):
    base = {"ID": actions.pop("ID", "r"), "Filter": actions.pop("Filter", {}), "Status": "Enabled"}
    base.update(actions)
    return base


def storage_class(s3, key, version=None):
    kwargs = {"VersionId": version} if version else {}
    return s3.head_object(Bucket=BUCKET, Key=key, **kwargs).get("StorageClass", "STANDARD")


@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket=BUCKET)
    return BUCKET


# -- configuration ---------------------------------------------------------------------------
def test_configuration_round_trip(s3, bucket):
    assert err(s3.get_bucket_lifecycle_configuration, Bucket=bucket)["Error"]["Code"] == \
        "NoSuchLifecycleConfiguration"
    rules = [
        {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
         "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"},
                         {"Days": 90, "StorageClass": "GLACIER"}],
         "Expiration": {"Days": 365}},
        {"ID": "dated", "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "k", "Value": "v"}],
                                           "ObjectSizeGreaterThan": 10}},
         "Status": "Disabled", "Expiration": {"Date": datetime(2027, 1, 1, tzinfo=tzutc())}},
        {"ID": "versions", "Filter": {}, "Status": "Enabled",
         "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "GLACIER_IR",
                                           "NewerNoncurrentVersions": 2}],
         "NoncurrentVersionExpiration": {"NoncurrentDays": 60, "NewerNoncurrentVersions": 3},
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
    ]
    out = lifecycle(s3, *rules)
    assert out["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["Rules"] == rules
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert err(s3.get_bucket_lifecycle_configuration, Bucket=bucket)["Error"]["Code"] == \
        "NoSuchLifecycleConfiguration"


def test_a_rule_without_id_gets_one_and_min_size_can_be_chosen(s3, bucket):
    out = lifecycle(s3, {"Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}},
                    TransitionDefaultMinimumObjectSize="varies_by_storage_class")
    assert out["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert isinstance(got["ID"], str) and 1 <= len(got["ID"]) <= 255


def test_legacy_prefix_rules(s3, bucket):
    lifecycle(s3, {"ID": "a", "Prefix": "a/", "Status": "Enabled", "Expiration": {"Days": 1}},
              {"ID": "b", "Prefix": "b/", "Status": "Enabled", "Expiration": {"Days": 2}})
    assert [r["Prefix"] for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]] \
        == ["a/", "b/"]


NOON = datetime(2027, 1, 1, 12, tzinfo=tzutc())
MIDNIGHT = datetime(2027, 1, 1, tzinfo=tzutc())
BAD = [
    ([], "InvalidRequest", "At least one lifecycle rule must be specified."),
    ([rule(ID=f"r{i}", Expiration={"Days": 1}) for i in range(1001)], "InvalidRequest",
     "The number of lifecycle rules must not exceed the allowed limit of 1000 rules."),
    ([rule(ID="x" * 256, Expiration={"Days": 1})], "InvalidArgument",
     "ID length should not exceed allowed limit of 255"),
    ([rule(ID="same", Expiration={"Days": 1}), rule(ID="same", Expiration={"Days": 2})],
     "InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule"),
    ([{"ID": "r", "Status": "Enabled", "Expiration": {"Days": 1}}], "MalformedXML", None),
    ([rule()], "InvalidRequest", "At least one action needs to be specified in a rule"),
    ([rule(Expiration={"Days": 0})], "InvalidArgument",
     "'Days' for Expiration action must be a positive integer"),
    ([rule(Expiration={"Days": 1, "ExpiredObjectDeleteMarker": True})], "MalformedXML", None),
    ([rule(Expiration={"Date": NOON})], "InvalidArgument", "'Date' must be at midnight GMT"),
    ([rule(Transitions=[{"Days": 29, "StorageClass": "STANDARD_IA"}])], "InvalidArgument",
     "'Days' in Transition action must be greater than or equal to 30 for storageClass "
     "'STANDARD_IA'"),
    ([rule(Transitions=[{"Days": 10, "StorageClass": "ONEZONE_IA"}])], "InvalidArgument",
     "'Days' in Transition action must be greater than or equal to 30 for storageClass "
     "'ONEZONE_IA'"),
    ([rule(Transitions=[{"Days": -1, "StorageClass": "GLACIER"}])], "InvalidArgument",
     "'Days' in Transition action must be nonnegative"),
    ([rule(Transitions=[{"StorageClass": "GLACIER"}])], "MalformedXML", None),
    ([rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"},
                        {"Days": 60, "StorageClass": "GLACIER"}])], "InvalidRequest",
     "'StorageClass' must be different for 'Transition' actions in same 'Rule'"),
    ([rule(Filter={"Prefix": "logs/"}, Transitions=[{"Days": 90, "StorageClass": "STANDARD_IA"},
                                                    {"Days": 60, "StorageClass": "GLACIER"}])],
     "InvalidArgument", "'Days' in the Transition action for StorageClass 'GLACIER' for filter "
     "'(prefix=logs/)' must be greater than 'Days' in the Transition action for StorageClass "
     "'STANDARD_IA' for filter '(prefix=logs/)'"),
    ([rule(Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"},
                        {"Days": 45, "StorageClass": "GLACIER"}])], "InvalidArgument", None),
    ([rule(Transitions=[{"Days": 30, "StorageClass": "ONEZONE_IA"},
                        {"Days": 90, "StorageClass": "GLACIER_IR"}])], "InvalidRequest", None),
    ([rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"}], Expiration={"Days": 30})],
     "InvalidArgument", "'Days' in the Expiration action for filter '(prefix=)' must be greater "
     "than 'Days' in the Transition action"),
    ([rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"}],
           Expiration={"Date": MIDNIGHT})], "InvalidRequest",
     "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule "
     "for filter '(prefix=)'"),
    ([rule(Filter={"Tag": {"Key": "k", "Value": "v"}},
           Expiration={"ExpiredObjectDeleteMarker": True})], "InvalidRequest",
     "ExpiredObjectDeleteMarker cannot be specified with Tags."),
    ([rule(Filter={"Tag": {"Key": "k", "Value": "v"}},
           AbortIncompleteMultipartUpload={"DaysAfterInitiation": 3})], "InvalidRequest",
     "AbortIncompleteMultipartUpload cannot be specified with Tags."),
    ([rule(Filter={"ObjectSizeGreaterThan": 100},
           AbortIncompleteMultipartUpload={"DaysAfterInitiation": 3})], "InvalidRequest",
     "AbortIncompleteMultipartUpload cannot be specified with Object Size."),
    ([rule(AbortIncompleteMultipartUpload={"DaysAfterInitiation": 0})], "InvalidArgument",
     "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive "
     "integer"),
    ([rule(NoncurrentVersionExpiration={"NoncurrentDays": 0})], "InvalidArgument",
     "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer"),
    ([rule(NoncurrentVersionExpiration={"NoncurrentDays": 5, "NewerNoncurrentVersions": 0})],
     "InvalidArgument", "'NewerNoncurrentVersions' must be a positive integer"),
    ([rule(NoncurrentVersionTransitions=[{"NoncurrentDays": 40, "StorageClass": "GLACIER"}],
           NoncurrentVersionExpiration={"NoncurrentDays": 40})], "InvalidArgument",
     "'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '(prefix=)' must be "
     "greater than 'NoncurrentDays' in the NoncurrentVersionTransition action"),
    ([rule(Filter={"And": {"Tags": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]}},
           Expiration={"Days": 1})], "InvalidRequest", "Duplicate Tag Keys are not allowed."),
    ([rule(Filter={"And": {"ObjectSizeGreaterThan": 100, "ObjectSizeLessThan": 100}},
           Expiration={"Days": 1})], "InvalidRequest",
     "'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'."),
    ([rule(Filter={"Prefix": "a", "ObjectSizeGreaterThan": 5}, Expiration={"Days": 1})],
     "MalformedXML", None),
    ([rule(Expiration={"Days": 1}),
      {"ID": "old", "Prefix": "x/", "Status": "Enabled", "Expiration": {"Days": 1}}],
     "InvalidRequest", "Base level prefix cannot be used in Lifecycle V2, prefixes are only "
     "supported in the Filter."),
    ([{"ID": "a", "Prefix": "logs", "Status": "Enabled", "Expiration": {"Days": 1}},
      {"ID": "b", "Prefix": "logs/2026", "Status": "Enabled", "Expiration": {"Days": 2}}],
     "InvalidRequest", "Found overlapping prefixes 'logs' and 'logs/2026' for same action type "
     "'Expiration'"),
]


@pytest.mark.parametrize("rules,code,message", BAD)
def test_invalid_configurations(s3, bucket, rules, code, message):
    lifecycle(s3, rule(ID="keep", Expiration={"Days": 9}))
    response = err(s3.put_bucket_lifecycle_configuration, Bucket=bucket,
                   LifecycleConfiguration={"Rules": rules})
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if message is not None:
        assert response["Error"]["Message"] == message
    kept = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [r["ID"] for r in kept] == ["keep"]


def test_invalid_minimum_object_size(s3, bucket):
    response = err(lifecycle, s3, rule(Expiration={"Days": 1}),
                   TransitionDefaultMinimumObjectSize="tiny")
    assert response["Error"]["Code"] == "InvalidRequest"


# -- the daily run: timing -------------------------------------------------------------------
def test_transition_happens_at_the_midnight_after_creation_plus_days(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="big", Body=BIG)          # 2026-03-02 09:00 UTC
    lifecycle(s3, rule(Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"}]))
    advance_to(cloud, "2026-04-01T23:59:59")                   # creation + 30 days = 04-01 09:00
    assert storage_class(s3, "big") == "STANDARD"
    advance_to(cloud, "2026-04-02T00:00:01")                   # rounded up to the next midnight
    assert storage_class(s3, "big") == "STANDARD_IA"
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    assert listed["StorageClass"] == "STANDARD_IA"
    row = cloud.s3.metadata_db.execute(
        "SELECT storage_class, transitioned FROM object WHERE object_name = 'big'").fetchone()
    assert row == ("STANDARD_IA", (utc("2026-04-02T00:00:00") - EPOCH).total_seconds())


def test_the_waterfall_over_a_year(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="big", Body=BIG)
    lifecycle(s3, rule(Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"},
                                    {"Days": 60, "StorageClass": "GLACIER_IR"},
                                    {"Days": 90, "StorageClass": "DEEP_ARCHIVE"}],
                       Expiration={"Days": 365}))
    seen = []
    for day in range(370):
        cloud.advance(days=1)
        keys = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        current = keys[0]["StorageClass"] if keys else None
        if not seen or seen[-1][1] != current:
            seen.append((str(cloud.now.date()), current))
    assert seen == [("2026-03-03", "STANDARD"), ("2026-04-02", "STANDARD_IA"),
                    ("2026-05-02", "GLACIER_IR"), ("2026-06-01", "DEEP_ARCHIVE"),
                    ("2027-03-03", None)]


def test_date_based_rules_act_on_their_date(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="big", Body=BIG)
    lifecycle(s3, rule(Transitions=[{"Date": datetime(2026, 3, 10, tzinfo=tzutc()),
                                     "StorageClass": "GLACIER"}]))
    advance_to(cloud, "2026-03-09T23:00:00")
    assert storage_class(s3, "big") == "STANDARD"
    advance_to(cloud, "2026-03-10T01:00:00")
    assert storage_class(s3, "big") == "GLACIER"


def test_small_objects_stay_unless_allowed(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="small", Body=SMALL)
    s3.put_object(Bucket=bucket, Key="big", Body=BIG)
    lifecycle(s3, rule(Transitions=[{"Days": 1, "StorageClass": "GLACIER"}]))
    cloud.advance(days=3)
    assert storage_class(s3, "small") == "STANDARD"
    assert storage_class(s3, "big") == "GLACIER"
    lifecycle(s3, rule(Transitions=[{"Days": 1, "StorageClass": "GLACIER"}]),
              TransitionDefaultMinimumObjectSize="varies_by_storage_class")
    cloud.advance(days=1)
    assert storage_class(s3, "small") == "GLACIER"


def test_varies_by_class_still_keeps_small_objects_out_of_ia(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="small", Body=SMALL)
    lifecycle(s3, rule(Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"}]),
              TransitionDefaultMinimumObjectSize="varies_by_storage_class")
    cloud.advance(days=40)
    assert storage_class(s3, "small") == "STANDARD"


def test_a_size_filter_overrides_the_default_minimum(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="small", Body=SMALL)
    lifecycle(s3, rule(Filter={"ObjectSizeLessThan": 5000},
                       Transitions=[{"Days": 0, "StorageClass": "INTELLIGENT_TIERING"}]))
    cloud.advance(days=1)
    assert storage_class(s3, "small") == "INTELLIGENT_TIERING"


def test_filters_select_objects(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="logs/a", Body=BIG, Tagging="keep=no")
    s3.put_object(Bucket=bucket, Key="logs/b", Body=BIG, Tagging="keep=yes")
    s3.put_object(Bucket=bucket, Key="data/c", Body=BIG, Tagging="keep=no")
    lifecycle(s3, rule(Filter={"And": {"Prefix": "logs/", "Tags": [{"Key": "keep", "Value": "no"}]}},
                       Expiration={"Days": 1}))
    cloud.advance(days=3)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["data/c", "logs/b"]


def test_disabled_rules_do_nothing(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=BIG)
    lifecycle(s3, {**rule(Expiration={"Days": 1}), "Status": "Disabled"})
    cloud.advance(days=5)
    assert s3.head_object(Bucket=bucket, Key="k")["ContentLength"] == len(BIG)


def test_coldest_eligible_class_wins(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="big", Body=BIG)
    lifecycle(s3, rule(ID="ia", Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"}]),
              rule(ID="glacier", Transitions=[{"Days": 30, "StorageClass": "GLACIER"}]))
    cloud.advance(days=32)
    assert storage_class(s3, "big") == "GLACIER"


def test_deleting_the_configuration_stops_the_runs(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=BIG)
    lifecycle(s3, rule(Expiration={"Days": 10}))
    cloud.advance(days=2)
    s3.delete_bucket_lifecycle(Bucket=bucket)
    cloud.advance(days=20)
    assert s3.head_object(Bucket=bucket, Key="k")["ContentLength"] == len(BIG)
    assert not [e for e in cloud.clock.pending if e.name == "S3 lifecycle run"]


# -- expiration -------------------------------------------------------------------------------
def test_expiration_in_an_unversioned_bucket_deletes_for_good(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    lifecycle(s3, rule(Expiration={"Days": 1}))
    advance_to(cloud, "2026-03-03T23:59:00")
    assert s3.head_object(Bucket=bucket, Key="k")["ContentLength"] == 4
    advance_to(cloud, "2026-03-04T00:00:00")
    assert err(s3.head_object, Bucket=bucket, Key="k")["Error"]["Code"] == "404"
    assert cloud.s3.metadata_db.execute("SELECT COUNT(*) FROM object").fetchone() == (0,)
    trace = cloud.traces.filter(operation="Lifecycle")[-1]
    assert trace.service == "s3" and trace.principal == "s3.amazonaws.com"
    assert trace.components == ["Lifecycle", "Metadata DB", "Data store"]
    assert trace.t0 == (utc("2026-03-04T00:00:00") - EPOCH).total_seconds()


def test_expiration_in_a_versioned_bucket_adds_a_delete_marker(cloud, s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["VersionId"]
    lifecycle(s3, rule(Expiration={"Days": 1}))
    cloud.advance(days=2)
    versions = s3.list_object_versions(Bucket=bucket)
    assert [m["IsLatest"] for m in versions["DeleteMarkers"]] == [True]
    assert [(v["VersionId"], v["IsLatest"]) for v in versions["Versions"]] == [(version, False)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=version)["Body"].read() == b"v1"


def test_noncurrent_versions_expire_keeping_the_newest(cloud, s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=f"v{i}".encode())["VersionId"]
           for i in range(4)]                                   # v3 current, v0-v2 noncurrent
    lifecycle(s3, rule(NoncurrentVersionExpiration={"NoncurrentDays": 5,
                                                    "NewerNoncurrentVersions": 1}))
    advance_to(cloud, "2026-03-07T23:00:00")
    assert len(s3.list_object_versions(Bucket=bucket)["Versions"]) == 4
    advance_to(cloud, "2026-03-08T00:30:00")                    # 03-02 09:00 + 5 d → 03-08 00:00
    left = [v["VersionId"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]]
    assert left == [ids[3], ids[2]]


def test_expired_delete_markers_are_removed(cloud, s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"v1")
    s3.delete_object(Bucket=bucket, Key="k")
    lifecycle(s3, rule(ID="clean", NoncurrentVersionExpiration={"NoncurrentDays": 1},
                       Expiration={"ExpiredObjectDeleteMarker": True}))
    cloud.advance(days=3)
    versions = s3.list_object_versions(Bucket=bucket)
    assert "Versions" not in versions and "DeleteMarkers" not in versions


def test_abort_incomplete_multipart_uploads(cloud, s3, bucket):
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=b"p" * 100)
    lifecycle(s3, rule(AbortIncompleteMultipartUpload={"DaysAfterInitiation": 2}))
    advance_to(cloud, "2026-03-04T12:00:00")
    assert len(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])) == 1
    advance_to(cloud, "2026-03-05T00:00:01")
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)
    assert err(s3.list_parts, Bucket=bucket, Key="big", UploadId=upload)["Error"]["Code"] == \
        "NoSuchUpload"


# -- archived objects and restores ----------------------------------------------------------------
def archive(cloud, s3, key="big", cls="GLACIER"):
    s3.put_object(Bucket=BUCKET, Key=key, Body=BIG)
    lifecycle(s3, rule(Transitions=[{"Days": 0, "StorageClass": cls}]))
    cloud.advance(days=1)
    assert storage_class(s3, key) == cls


def test_archived_objects_need_a_restore(cloud, s3, bucket):
    archive(cloud, s3)
    response = err(s3.get_object, Bucket=bucket, Key="big")
    assert response["Error"]["Code"] == "InvalidObjectState"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="big")
    started = s3.restore_object(Bucket=bucket, Key="big", RestoreRequest={
        "Days": 2, "GlacierJobParameters": {"Tier": "Standard"}})
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.head_object(Bucket=bucket, Key="big")["Restore"] == 'ongoing-request="true"'
    again = err(s3.restore_object, Bucket=bucket, Key="big", RestoreRequest={"Days": 2})
    assert again["Error"]["Code"] == "RestoreAlreadyInProgress"
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert err(s3.get_object, Bucket=bucket, Key="big")["Error"]["Code"] == "InvalidObjectState"
    cloud.advance(hours=4, minutes=59)                  # Standard: 5 hours in awskit
    assert err(s3.get_object, Bucket=bucket, Key="big")["Error"]["Code"] == "InvalidObjectState"
    cloud.advance(minutes=2)
    # ready 2026-03-03 14:00 (+ a few ms); + 2 days → 03-05 14:00 → next midnight 03-06
    head = s3.head_object(Bucket=bucket, Key="big")
    assert head["Restore"] == 'ongoing-request="false", expiry-date="Fri, 06 Mar 2026 00:00:00 GMT"'
    assert head["StorageClass"] == "GLACIER"
    assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == BIG
    extended = s3.restore_object(Bucket=bucket, Key="big", RestoreRequest={"Days": 5})
    assert extended["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.head_object(Bucket=bucket, Key="big")["Restore"].endswith(
        'expiry-date="Mon, 09 Mar 2026 00:00:00 GMT"')
    advance_to(cloud, "2026-03-09T00:00:01")
    assert err(s3.get_object, Bucket=bucket, Key="big")["Error"]["Code"] == "InvalidObjectState"
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="big")


@pytest.mark.parametrize("cls,tier,hours", [("GLACIER", "Expedited", 5 / 60),
                                            ("GLACIER", "Bulk", 12),
                                            ("DEEP_ARCHIVE", "Standard", 12),
                                            ("DEEP_ARCHIVE", "Bulk", 48)])
def test_restore_tiers_take_their_documented_time(cloud, s3, bucket, cls, tier, hours):
    archive(cloud, s3, cls=cls)
    s3.restore_object(Bucket=bucket, Key="big", RestoreRequest={"Days": 1, "Tier": tier})
    cloud.advance(hours=hours - 0.01)
    assert s3.head_object(Bucket=bucket, Key="big")["Restore"] == 'ongoing-request="true"'
    cloud.advance(hours=0.02)
    assert s3.head_object(Bucket=bucket, Key="big")["Restore"].startswith('ongoing-request="false"')


def test_restore_errors(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="hot", Body=b"h")
    response = err(s3.restore_object, Bucket=bucket, Key="hot", RestoreRequest={"Days": 1})
    assert response["Error"]["Code"] == "InvalidObjectState"
    assert err(s3.restore_object, Bucket=bucket, Key="missing",
               RestoreRequest={"Days": 1})["Error"]["Code"] == "NoSuchKey"
    archive(cloud, s3, cls="DEEP_ARCHIVE")
    assert err(s3.restore_object, Bucket=bucket, Key="big", RestoreRequest={
        "Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}})["Error"]["Code"] == \
        "InvalidArgument"
    assert err(s3.restore_object, Bucket=bucket, Key="big",
               RestoreRequest={"Days": 0})["Error"]["Code"] == "InvalidArgument"


# -- traces, persistence, determinism -------------------------------------------------------------
def test_each_action_leaves_a_trace(cloud, s3, bucket):
    s3.put_object(Bucket=bucket, Key="big", Body=BIG)
    lifecycle(s3, rule(Transitions=[{"Days": 1, "StorageClass": "GLACIER"}]))
    before = len(cloud.traces.filter(operation="Lifecycle"))
    cloud.advance(days=3)
    traces = cloud.traces.filter(operation="Lifecycle")[before:]
    assert len(traces) == 1
    assert traces[0].components == ["Lifecycle", "Metadata DB"]
    assert "GLACIER" in traces[0].summary


def run_scenario(cloud, save_at=None, tmp_path=None):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="big", Body=BIG)
    lifecycle(s3, rule(Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"},
                                    {"Days": 60, "StorageClass": "GLACIER"}]))
    cloud.advance(days=65)
    s3.restore_object(Bucket=BUCKET, Key="big", RestoreRequest={"Days": 3})
    cloud.advance(hours=1)
    if save_at is not None:
        cloud = awskit.Cloud.load(cloud.save(tmp_path / "mid.json"))
        s3 = cloud.client("s3")
    cloud.advance(days=1)
    return cloud, s3.head_object(Bucket=BUCKET, Key="big")["Restore"], cloud.meter.total()


def test_save_and_load_keep_the_schedules(tmp_path):
    _, restore_a, total_a = run_scenario(awskit.Cloud(seed=0))
    _, restore_b, total_b = run_scenario(awskit.Cloud(seed=0), save_at=True, tmp_path=tmp_path)
    assert restore_a == restore_b and restore_a.startswith('ongoing-request="false"')
    assert total_a == pytest.approx(total_b, rel=1e-12)
