"""The service consoles: displaying ``cloud.s3`` and ``cloud.iam`` (awskit/s3/view.py,
awskit/iam/view.py). Widgets are instantiated in plain Python: clicks are simulated with
``Button.click()`` and by setting widget values, as the browser would."""

import json
import re
from datetime import datetime, timezone
from html import unescape

import pytest
from widget_helpers import upload

pytest.importorskip("ipywidgets")

import awskit  # noqa: E402

from iam_helpers import allow, deny, doc  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def text_of(html):
    return unescape(re.sub(r"<[^>]+>", " ", html))


# -- the S3 console ---------------------------------------------------------------------------
@pytest.fixture
def console(cloud):
    view = cloud.s3.console()
    view.min_interval = 0          # refresh on every request (throttling is tested below)
    yield view
    view.close()


def test_console_tables_follow_the_cloud(cloud, console):
    s3 = cloud.client("s3")
    assert "No buckets yet" in console._buckets.value
    s3.create_bucket(Bucket="photos")
    s3.put_object(Bucket="photos", Key="a.txt", Body=b"12345")
    s3.put_object(Bucket="photos", Key="b.txt", Body=b"1234567")
    assert console.bucket == "photos"
    rows = text_of(console._buckets.value)
    assert re.search(r"photos\s+us-east-1\s+Disabled\s+2\s+12\b", rows)
    assert "a.txt" in console._objects.value and "b.txt" in console._objects.value
    s3.delete_object(Bucket="photos", Key="a.txt")
    assert "a.txt" not in console._objects.value
    assert re.search(r"photos\s+us-east-1\s+Disabled\s+1\s+7\b", text_of(console._buckets.value))
    s3.put_bucket_versioning(Bucket="photos", VersioningConfiguration={"Status": "Enabled"})
    assert "Enabled" in console._buckets.value
    # 4 PUT-class requests at $0.005 per 1,000 (DeleteObject is free)
    assert console.text() == ("Amazon S3 console (account 123456789012, us-east-1): 1 bucket, "
                              "1 object, 7 bytes; $0.000020 so far")


def test_console_text_plain_and_one_console_per_service(cloud, kernel):
    upload(cloud, body=b"x" * 1024)
    cloud.client("s3").put_object(Bucket="photos", Key="dog.jpg", Body=b"")
    first, second = cloud.s3._repr_mimebundle_(), cloud.s3._repr_mimebundle_()
    assert first["text/plain"] == ("Amazon S3 console (account 123456789012, us-east-1): "
                                   "1 bucket, 2 objects, 1,024 bytes; $0.000015 so far")
    assert first[WIDGET_VIEW]["model_id"] == second[WIDGET_VIEW]["model_id"]
    assert f"${cloud.meter.total('s3'):,.6f} so far" in cloud.s3.console()._header.value
    cloud.s3.console().close()
    assert cloud.s3._repr_mimebundle_()[WIDGET_VIEW]["model_id"] != first[WIDGET_VIEW]["model_id"]
    cloud.s3.console().close()


def test_upload_and_delete_controls(cloud, console):
    cloud.client("s3").create_bucket(Bucket="photos")
    content = b"hello, S3"
    console._file.value = ({"name": "hello.txt", "type": "text/plain", "size": len(content),
                            "content": memoryview(content),
                            "last_modified": datetime(2026, 1, 1, tzinfo=timezone.utc)},)
    console._upload.click()
    got = cloud.s3.get_object(Bucket="photos", Key="hello.txt")
    assert got["Body"].read() == content and got["ContentType"] == "text/plain"
    assert console.status.startswith("Uploaded hello.txt to photos: 9 bytes")
    assert console._file.value == () and "hello.txt" in console._objects.value
    assert cloud.traces[-2].operation == "PutObject"
    assert cloud.traces[-2].principal == "arn:aws:iam::123456789012:root"
    console._key.value = "docs/renamed.txt"
    console._file.value = ({"name": "x.bin", "type": "", "size": 2, "content": memoryview(b"ab"),
                            "last_modified": datetime(2026, 1, 1, tzinfo=timezone.utc)},)
    console._upload.click()
    assert cloud.s3.head_object(Bucket="photos", Key="docs/renamed.txt")["ContentLength"] == 2
    assert list(console._victim.options) == ["docs/renamed.txt", "hello.txt"]
    console._victim.value = "hello.txt"
    console._delete.click()
    keys = [o["Key"] for o in cloud.s3.list_objects_v2(Bucket="photos").get("Contents", [])]
    assert keys == ["docs/renamed.txt"]
    assert console.status.startswith("Deleted hello.txt from photos")
    assert "hello.txt" not in console._objects.value
    console._new_bucket.value = "second-bucket"
    console._create.click()
    assert "second-bucket" in cloud.s3.buckets and console.bucket == "second-bucket"


def test_control_errors_are_shown_not_raised(cloud, console, monkeypatch):
    console._upload.click()
    assert console.status == "Upload: choose a file first."
    console.upload(b"data", "k")
    assert console.status == "Upload: create or choose a bucket first."
    console._delete.click()
    assert "choose an object first" in console.status
    console._new_bucket.value = "Not_A_Valid_Name"
    console._create.click()
    assert console.status.startswith("CreateBucket failed: InvalidBucketName")
    other = cloud.client("s3", account=cloud.new_account())
    other.create_bucket(Bucket="taken-name")
    console.create_bucket("taken-name")
    assert console.status.startswith("CreateBucket failed: BucketAlreadyExists")
    console.create_bucket("mine")
    console.upload(b"x", "k" * 1025)
    assert console.status.startswith("PutObject failed: KeyTooLongError")
    monkeypatch.setattr(cloud.s3, "put_object", lambda **_: 1 / 0)
    console.upload(b"x", "k")
    assert console.status == "PutObject failed: ZeroDivisionError: division by zero"
    assert "awskit-err" in console._status.value and "Traceback" not in console._status.value
    assert "other accounts" in console._buckets.value


def test_console_diagram_and_recent_requests(cloud, console):
    assert "Architecture" in console._diagram.value          # nothing uploaded yet
    s3 = cloud.client("s3")
    upload(cloud, bucket="first-bucket", key="one.txt")
    s3.create_bucket(Bucket="other-bucket")
    s3.put_object(Bucket="first-bucket", Key="two.txt", Body=b"2")
    html = unescape(console._diagram.value)
    assert "S3 CreateBucket + PutObject: 7 steps" in html and "two.txt" in html
    assert "other-bucket" not in html and "one.txt" not in html
    console._choice.value = "Architecture"
    assert "Architecture:" in unescape(console._diagram.value)
    for i in range(8):
        s3.put_object(Bucket="first-bucket", Key=f"k{i}", Body=b"")
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="first-bucket", Key="missing")
    cells = [text_of(row).split() for row in
             re.findall(r"<tr>(.*?)</tr>", console._requests.value)[1:]]
    assert len(cells) == 10
    assert cells[0][2:] == ["GetObject", "root", "404", "NoSuchKey", "3",
                            f"{cloud.traces[-1].duration_ms:g}"]
    assert [c[2] for c in cells[1:]] == ["PutObject"] * 9
    start = cloud.traces[-1].start
    assert cells[0][1] == f"{start:%H:%M:%S}.{start.microsecond // 1000:03d}"


def test_console_ignores_requests_it_does_not_show(cloud, console):
    before = console.refreshes
    cloud.client("iam").create_user(UserName="alice")
    assert console.refreshes == before


def test_a_refresh_problem_never_breaks_a_request():
    cloud = awskit.Cloud(seed=0, debug=False)
    view = cloud.s3.console()
    view.min_interval = 0
    view._render = lambda: 1 / 0
    cloud.s3.create_bucket(Bucket="still-works")
    assert "still-works" in cloud.s3.buckets
    assert view.status.startswith("could not refresh the display: ZeroDivisionError")
    view.close()


# -- the IAM console --------------------------------------------------------------------------
@pytest.fixture
def iam_setup(cloud):
    iam = cloud.client("iam")
    iam.create_user(UserName="alice")
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="bob")
    arn = iam.create_policy(PolicyName="ReadPhotos", PolicyDocument=doc(
        {"Sid": "Read", **allow("s3:GetObject")},
        {"Sid": "NoDelete", **deny("s3:DeleteObject")}))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    iam.create_role(RoleName="reader", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
         "Action": "sts:AssumeRole"}))
    return iam


def test_iam_console_tables_and_text(cloud, iam_setup, kernel):
    bundle = cloud.iam._repr_mimebundle_()
    assert bundle["text/plain"] == ("IAM console (account 123456789012): 2 users, 1 group, "
                                    "1 role, 1 customer-managed policy")
    view = cloud.iam.console()
    view.min_interval = 0
    tables = text_of(view._tables.value)
    assert re.search(r"alice\s+—\s+ReadPhotos", tables) and re.search(r"bob\s+devs", tables)
    assert re.search(r"devs\s+bob", tables) and "Service: lambda.amazonaws.com" in tables
    assert re.search(r"ReadPhotos\s+arn:aws:iam::123456789012:policy/ReadPhotos\s+v1\s+1", tables)
    iam_setup.create_user(UserName="carol")                       # the observer path
    assert "carol" in view._tables.value
    assert [v for _, v in view._principal.options][:2] == [
        "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:user/alice"]
    view.close()


def _marked(view):
    return json.loads(unescape(re.search(r'<mark class="awskit-deciding">(.*?)</mark>',
                                         view._result.value, re.S).group(1)))


@pytest.mark.parametrize("action, decision, sid", [
    ("s3:GetObject", "allowed", "Read"),
    ("s3:DeleteObject", "explicitDeny", "NoDelete"),
    ("s3:PutObject", "implicitDeny", None)])
def test_policy_simulator_shows_the_decision_and_the_deciding_statement(
        cloud, iam_setup, action, decision, sid):
    view = cloud.iam.console()
    view._principal.value = "arn:aws:iam::123456789012:user/alice"
    view._action.value = action
    view._resource.value = "arn:aws:s3:::photos/cat.jpg"
    view._simulate.click()
    assert view.decision == decision
    assert f'awskit-badge awskit-{decision}"' in view._result.value
    if sid is None:
        assert "<mark" not in view._result.value
    else:
        statement = _marked(view)                 # the highlighted span is exactly the statement
        assert statement["Sid"] == sid and statement["Action"] == action
    view.close()


def test_simulator_highlights_a_bucket_policy_written_over_several_lines(cloud, iam_setup):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="photos")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Keep", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::photos/secret/*"}]}, indent=4)
    s3.put_bucket_policy(Bucket="photos", Policy=policy)
    view = cloud.iam.console()
    explanation = view.simulate("alice", "s3:GetObject", "arn:aws:s3:::photos/secret/x")
    assert explanation.verdict == "explicitDeny" and view.decision == "explicitDeny"
    assert _marked(view)["Sid"] == "Keep"
    assert "bucket policy" in text_of(view._result.value)
    assert view.simulate("root", "s3:GetObject", "*").verdict == "allowed"
    assert "<mark" not in view._result.value
    view.close()


def test_simulator_errors_are_shown_not_raised(cloud, iam_setup):
    view = cloud.iam.console()
    view.min_interval = 3600                      # keep the dropdown stale on purpose
    view.refresh()
    view._principal.value = "arn:aws:iam::123456789012:user/alice"
    for arn in iam_setup.list_attached_user_policies(UserName="alice")["AttachedPolicies"]:
        iam_setup.detach_user_policy(UserName="alice", PolicyArn=arn["PolicyArn"])
    iam_setup.delete_user(UserName="alice")
    view._simulate.click()
    assert view.status.startswith("Simulate failed: NoSuchEntity")
    view._action.value = "not an action"
    view._simulate.click()
    assert "service:Action" in view.status and "awskit-err" in view._status.value
    with pytest.raises(ValueError):
        view.simulate("nobody")
    view.close()
