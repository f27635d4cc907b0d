"""S3 cost: storage by class over simulated time, requests, transitions, early deletion,
minimum billable sizes, restores, and the bill per storage class. Every expected figure is
computed here from the documented prices (shared/facts/s3.md B6), not read from awskit."""

import pytest

import awskit

BUCKET = "cost-bucket"
GB = 2 ** 30
MONTH = 730 * 3600                  # seconds in the 730-hour month AWS uses for estimates
DAY = 86400
KB = 1024
PRICE = {"STANDARD": 0.023, "STANDARD_IA": 0.0125, "ONEZONE_IA": 0.01, "GLACIER_IR": 0.004,
         "GLACIER": 0.0036, "DEEP_ARCHIVE": 0.00099}


def gb_months(nbytes, seconds):
    return nbytes / GB * seconds / MONTH


def line(cloud, usage):
    for entry in cloud.meter.lines():
        if entry["service"] == "s3" and entry["usage_type"] == usage:
            return entry
    return None


@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket=BUCKET)
    return BUCKET


def put(cloud, s3, key, size, **kwargs):
    """PUT an object; returns the clock reading at which its storage started being billed."""
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x" * size, **kwargs)
    return cloud.clock.elapsed


def test_standard_storage_after_thirty_days(cloud, s3, bucket):
    size = 3 * GB // 1000
    start = put(cloud, s3, "a", size)
    cloud.advance(days=30)
    expected = gb_months(size, cloud.clock.elapsed - start) * PRICE["STANDARD"]
    storage = line(cloud, "TimedStorage-STANDARD")
    assert storage["cost_usd"] == pytest.approx(expected, rel=1e-6)
    assert storage["unit"] == "GB-Mo"
    requests = 2 * 0.005 / 1000                       # CreateBucket + PutObject (tier 1)
    assert cloud.meter.total("s3") == pytest.approx(expected + requests, rel=1e-6)


def test_reading_the_meter_does_not_change_the_bill():
    totals = []
    for reads in (0, 30):
        cloud = awskit.Cloud(seed=0)
        s3 = cloud.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="a", Body=b"x" * 5_000_000)
        for _ in range(30):
            cloud.advance(hours=23)
            if reads:
                cloud.meter.total()
        totals.append(cloud.meter.total())
    assert totals[0] == totals[1]                    # exactly, not approximately


def test_deleting_stops_storage_billing(cloud, s3, bucket):
    start = put(cloud, s3, "a", 10 * 1024 * 1024)
    cloud.advance(days=10)
    s3.delete_object(Bucket=BUCKET, Key="a")
    stop = cloud.clock.elapsed
    cloud.advance(days=20)
    expected = gb_months(10 * 1024 * 1024, stop - start) * PRICE["STANDARD"]
    assert line(cloud, "TimedStorage-STANDARD")["cost_usd"] == pytest.approx(expected, rel=1e-4)


def test_minimum_billable_size_in_infrequent_access(cloud, s3, bucket):
    start = put(cloud, s3, "tiny", 1000, StorageClass="STANDARD_IA")
    cloud.advance(days=31)
    expected = gb_months(128 * KB, cloud.clock.elapsed - start) * PRICE["STANDARD_IA"]
    assert line(cloud, "TimedStorage-STANDARD_IA")["cost_usd"] == pytest.approx(expected, rel=1e-6)


def test_archived_objects_carry_40_kb_of_overhead(cloud, s3, bucket):
    size = 1_000_000
    start = put(cloud, s3, "cold", size, StorageClass="DEEP_ARCHIVE")
    cloud.advance(days=200)
    seconds = cloud.clock.elapsed - start
    assert line(cloud, "TimedStorage-DEEP_ARCHIVE")["cost_usd"] == pytest.approx(
        gb_months(size + 32 * KB, seconds) * PRICE["DEEP_ARCHIVE"], rel=1e-6)
    assert line(cloud, "TimedStorage-STANDARD")["cost_usd"] == pytest.approx(
        gb_months(8 * KB, seconds) * PRICE["STANDARD"], rel=1e-6)


@pytest.mark.parametrize("cls,days,kept", [("STANDARD_IA", 30, 10), ("GLACIER", 90, 30),
                                           ("DEEP_ARCHIVE", 180, 100)])
def test_early_deletion_bills_the_rest_of_the_minimum(cloud, s3, bucket, cls, days, kept):
    size = 50 * 1024 * 1024
    start = put(cloud, s3, "early", size, StorageClass=cls)
    cloud.advance(days=kept)
    s3.delete_object(Bucket=BUCKET, Key="early")
    remaining = days * DAY - (cloud.clock.elapsed - int(start))
    billed = size + (32 * KB if cls in ("GLACIER", "DEEP_ARCHIVE") else 0)
    early = line(cloud, f"EarlyDelete-{cls}")
    assert early["cost_usd"] == pytest.approx(gb_months(billed, remaining) * PRICE[cls], rel=1e-4)


def test_no_early_charge_after_the_minimum(cloud, s3, bucket):
    put(cloud, s3, "ok", 1000, StorageClass="ONEZONE_IA")
    cloud.advance(days=31)
    s3.delete_object(Bucket=BUCKET, Key="ok")
    assert line(cloud, "EarlyDelete-ONEZONE_IA") is None


def test_overwriting_counts_as_leaving_early(cloud, s3, bucket):
    put(cloud, s3, "k", 1000, StorageClass="GLACIER_IR")
    cloud.advance(days=60)
    put(cloud, s3, "k", 1000)
    early = line(cloud, "EarlyDelete-GLACIER_IR")
    assert early is not None
    assert early["quantity"] == pytest.approx(gb_months(128 * KB, 30 * DAY), rel=1e-4)


def test_lifecycle_transitions_are_billed_per_request_and_move_storage(cloud, s3, bucket):
    size = 1024 * 1024
    for i in range(3):
        put(cloud, s3, f"obj{i}", size)
    s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": [
        {"ID": "r", "Filter": {}, "Status": "Enabled",
         "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"},
                         {"Days": 60, "StorageClass": "GLACIER"}]}]})
    cloud.advance(days=100)
    ia = line(cloud, "LifecycleTransition-STANDARD_IA")
    glacier = line(cloud, "LifecycleTransition-GLACIER")
    assert ia["quantity"] == 3 and ia["cost_usd"] == pytest.approx(3 * 0.01 / 1000)
    assert glacier["quantity"] == 3 and glacier["cost_usd"] == pytest.approx(3 * 0.03 / 1000)
    # 30 days in Standard-IA exactly (04-02 → 05-02 00:00): no early-deletion charge
    assert line(cloud, "EarlyDelete-STANDARD_IA") is None
    ia_storage = line(cloud, "TimedStorage-STANDARD_IA")["cost_usd"]
    assert ia_storage == pytest.approx(3 * gb_months(size, 30 * DAY) * PRICE["STANDARD_IA"],
                                       rel=1e-6)


def test_restore_is_billed_per_request_and_gb(cloud, s3, bucket):
    size = 300 * 1024 * 1024
    put(cloud, s3, "a", size, StorageClass="GLACIER")
    put(cloud, s3, "b", size, StorageClass="GLACIER")
    s3.restore_object(Bucket=BUCKET, Key="a", RestoreRequest={
        "Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}})
    s3.restore_object(Bucket=BUCKET, Key="b", RestoreRequest={
        "Days": 1, "GlacierJobParameters": {"Tier": "Bulk"}})
    assert line(cloud, "RestoreRequests-GLACIER-Expedited")["cost_usd"] == pytest.approx(0.01)
    assert line(cloud, "Retrieval-GLACIER-Expedited")["cost_usd"] == pytest.approx(
        size / GB * 0.03)
    assert line(cloud, "Retrieval-GLACIER-Bulk")["cost_usd"] == 0.0


def test_request_tiers(cloud, s3, bucket):
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"v")
    for _ in range(4):
        s3.get_object(Bucket=BUCKET, Key="k")["Body"].read()
    s3.list_objects_v2(Bucket=BUCKET)
    s3.delete_object(Bucket=BUCKET, Key="k")
    assert line(cloud, "Requests-Tier1")["quantity"] == 3    # CreateBucket, PutObject, List
    assert line(cloud, "Requests-Tier2")["quantity"] == 4
    assert line(cloud, "Requests-Tier2")["cost_usd"] == pytest.approx(4 * 0.0004 / 1000)


def test_bill_per_storage_class_over_time(cloud, s3, bucket):
    size = 100 * 1024 * 1024
    put(cloud, s3, "big", size)
    s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": [
        {"ID": "r", "Filter": {}, "Status": "Enabled",
         "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}]})
    cloud.advance(days=45)
    daily = cloud.s3.pricing.bill()
    assert set(daily.columns) >= {"STANDARD", "STANDARD_IA", "Requests"}
    full_day = daily.loc["2026-03-10"]
    assert full_day["STANDARD"] == pytest.approx(gb_months(size, DAY) * PRICE["STANDARD"],
                                                 rel=1e-9)
    assert full_day["STANDARD_IA"] == 0
    later = daily.loc["2026-04-10"]
    assert later["STANDARD"] == 0
    assert later["STANDARD_IA"] == pytest.approx(gb_months(size, DAY) * PRICE["STANDARD_IA"],
                                                 rel=1e-9)
    assert daily.to_numpy().sum() == pytest.approx(cloud.meter.total("s3"), rel=1e-9)
    weekly = cloud.s3.pricing.bill(freq="W")
    assert weekly.to_numpy().sum() == pytest.approx(cloud.meter.total("s3"), rel=1e-9)
    assert len(weekly) < len(daily)


def test_pricing_survives_save_and_load(tmp_path, cloud, s3, bucket):
    put(cloud, s3, "a", 2 * 1024 * 1024)
    cloud.advance(days=5)
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "cost.json"))
    cloud.advance(days=5)
    loaded.advance(days=5)
    assert loaded.meter.total() == cloud.meter.total()
    assert loaded.s3.pricing.bill().equals(cloud.s3.pricing.bill())
