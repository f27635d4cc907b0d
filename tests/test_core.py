"""The spine: clock and scheduler, ids, regions, accounts, traces, errors, save/load, graph."""

from datetime import timezone

import networkx as nx
import pytest
from botocore.exceptions import ClientError

import awskit
from awskit import errors
from awskit.clock import EPOCH, Clock
from awskit.ids import IdFactory
from awskit.regions import REGIONS
from awskit.trace import Trace, TraceLog


# -- clock ------------------------------------------------------------------------------------
def test_clock_starts_at_fixed_utc_instant_and_never_reads_wall_clock():
    assert awskit.Cloud().clock.now == EPOCH
    assert EPOCH.tzinfo == timezone.utc


def test_advance_runs_due_events_in_time_order_with_fifo_ties():
    clock = Clock()
    ran = []
    clock.schedule(10, lambda: ran.append(("b", clock.elapsed)))
    clock.schedule(5, lambda: ran.append(("a", clock.elapsed)))
    clock.schedule(10, lambda: ran.append(("c", clock.elapsed)))
    clock.schedule(30, lambda: ran.append(("late", clock.elapsed)))
    assert clock.advance(20) == 3
    assert ran == [("a", 5.0), ("b", 10.0), ("c", 10.0)]
    assert clock.elapsed == 20.0
    assert [e.name for e in clock.pending] == ["<lambda>"]


def test_events_may_schedule_events_and_cancelled_events_do_not_run():
    clock = Clock()
    ran = []

    def tick():
        ran.append(clock.elapsed)
        if len(ran) < 3:
            clock.schedule(60, tick)
    clock.schedule(60, tick)
    dropped = clock.schedule(90, lambda: ran.append("dropped"))
    dropped.cancel()
    clock.advance(3600)
    assert ran == [60.0, 120.0, 180.0]


def test_time_cannot_run_backwards():
    with pytest.raises(ValueError):
        Clock().advance(-1)


def test_cloud_advance_accepts_units():
    cloud = awskit.Cloud()
    cloud.advance(days=1, hours=2, minutes=3, seconds=4)
    assert (cloud.now - EPOCH).total_seconds() == 86400 + 7200 + 180 + 4


# -- ids --------------------------------------------------------------------------------------
def test_ids_are_seeded_per_kind_and_have_aws_formats():
    a, b, c = IdFactory(1), IdFactory(1), IdFactory(2)
    assert [a.uuid() for _ in range(3)] == [b.uuid() for _ in range(3)]
    assert a.uuid() != c.uuid()
    # another kind of id drawn in between does not shift the uuid stream
    x, y = IdFactory(5), IdFactory(5)
    x.access_key_id()
    assert x.uuid() == y.uuid()
    key = a.access_key_id()
    assert key.startswith("AKIA") and len(key) == 20 and key[4:].isupper()
    assert a.access_key_id(temporary=True).startswith("ASIA")
    assert len(a.secret_access_key()) == 40
    assert len(a.s3_request_id()) == 16
    assert a.unique_id("AIDA").startswith("AIDA") and len(a.unique_id("AROA")) == 21
    account = a.account_id()
    assert len(account) == 12 and account.isdigit() and account[0] != "0"


def test_id_streams_survive_a_state_round_trip():
    a = IdFactory(7)
    a.uuid(), a.version_id()
    b = IdFactory.from_state(a.state())
    assert [a.uuid(), a.version_id()] == [b.uuid(), b.version_id()]


# -- regions and accounts ---------------------------------------------------------------------
def test_regions_are_real_with_az_names():
    assert REGIONS["us-east-1"].azs == tuple(f"us-east-1{c}" for c in "abcdef")
    assert REGIONS["us-west-1"].azs == ("us-west-1a", "us-west-1b")
    assert REGIONS["eu-west-1"].name == "Europe (Ireland)"
    with pytest.raises(ValueError):
        awskit.Cloud(region="moon-1")


def test_new_accounts_act_through_their_own_root(cloud):
    other = cloud.new_account()
    assert other != cloud.default_account and other in cloud.accounts
    ident = cloud.client("sts", account=other).get_caller_identity()
    assert ident["Account"] == other
    assert ident["Arn"] == f"arn:aws:iam::{other}:root"
    with pytest.raises(ValueError):
        cloud.client("s3", account="999999999999")


# -- traces -----------------------------------------------------------------------------------
def test_every_request_leaves_one_trace_newest_last(cloud, s3):
    s3.create_bucket(Bucket="trace-demo")
    s3.put_object(Bucket="trace-demo", Key="a", Body=b"1")
    assert [t.operation for t in cloud.traces] == ["CreateBucket", "PutObject"]
    trace = cloud.traces[-1]
    assert trace.principal == f"arn:aws:iam::{cloud.default_account}:root"
    assert trace.steps[0].component == "API service"
    # steps follow one another on the simulated clock
    for earlier, later in zip(trace.steps, trace.steps[1:]):
        assert later.t0 == pytest.approx(earlier.t0 + earlier.duration_ms / 1000)
    assert cloud.now > trace.start


def test_failed_requests_are_traced_with_their_error(cloud, s3):
    with pytest.raises(ClientError):
        s3.head_bucket(Bucket="no-such-bucket-here")
    trace = cloud.traces[-1]
    assert trace.error == "NoSuchBucket" and trace.status == 404 and not trace.ok


def test_trace_log_is_bounded_and_the_bound_can_be_changed():
    log = TraceLog(maxlen=3)
    for i in range(5):
        log.append(Trace(str(i), "s3", "Op", 0.0))
    assert [t.request_id for t in log] == ["2", "3", "4"] and log.total == 5
    log.maxlen = 2
    assert [t.request_id for t in log] == ["3", "4"]
    with pytest.raises(ValueError):
        log.maxlen = 0
    assert awskit.Cloud().traces.maxlen >= 1000


def test_trace_round_trips_as_plain_data(cloud, s3):
    s3.create_bucket(Bucket="plain-data")
    trace = cloud.traces[-1]
    assert Trace.from_dict(trace.to_dict()) == trace


# -- errors -----------------------------------------------------------------------------------
def test_one_exception_class_per_code_carrying_code_message_status():
    err = errors.NoSuchBucket(BucketName="b")
    assert isinstance(err, ClientError)
    assert (err.code, err.status) == ("NoSuchBucket", 404)
    assert err.response["Error"] == {"Code": "NoSuchBucket", "BucketName": "b",
                                     "Message": "The specified bucket does not exist"}
    assert errors.for_code("NoSuchBucket") is errors.NoSuchBucket
    assert errors.MalformedPolicyDocument.status == 400


def test_direct_calls_raise_the_aws_error(cloud):
    with pytest.raises(errors.NoSuchBucket) as info:
        cloud.s3.get_object(Bucket="missing-bucket", Key="k")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "GetObject" in str(info.value)


def test_bad_parameters_raise_botocore_param_validation_error(cloud):
    with pytest.raises(errors.ParamValidationError, match="Missing required parameter"):
        cloud.s3.put_object(Bucket="b-b-b")
    with pytest.raises(errors.ParamValidationError, match="Unknown parameter"):
        cloud.s3.list_buckets(Colour="blue")


# -- save / load ------------------------------------------------------------------------------
def test_save_and_load_lose_nothing(tmp_path, cloud, s3):
    s3.create_bucket(Bucket="kept")
    s3.put_object(Bucket="kept", Key="dir/file.txt", Body=b"persisted bytes", Metadata={"a": "1"})
    iam = cloud.client("iam")
    iam.create_user(UserName="alice")
    cloud.advance(hours=1)
    path = cloud.save(tmp_path / "cloud.json")
    text = path.read_text()
    assert "pickle" not in text
    loaded = awskit.Cloud.load(path)
    assert loaded.state() == cloud.state()
    assert loaded.now == cloud.now
    gz = awskit.Cloud.load(cloud.save(tmp_path / "cloud.json.gz"))
    assert gz.state() == cloud.state()
    # the loaded cloud continues exactly as the original does
    answers = []
    for c in (cloud, loaded):
        got = c.client("s3").get_object(Bucket="kept", Key="dir/file.txt")
        answers.append((got["Body"].read(), got["Metadata"], got["ResponseMetadata"]["RequestId"],
                        c.traces[-1].to_dict(), c.now))
    assert answers[0] == answers[1]
    assert answers[1][:2] == (b"persisted bytes", {"a": "1"})


def test_load_refuses_what_is_not_a_cloud(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"format": "something-else"}')
    with pytest.raises(ValueError):
        awskit.Cloud.load(bad)


# -- graph ------------------------------------------------------------------------------------
def test_graph_has_every_resource_keyed_by_arn(cloud, s3):
    s3.create_bucket(Bucket="graph-bucket")
    s3.put_object(Bucket="graph-bucket", Key="k", Body=b"v")
    iam = cloud.client("iam")
    iam.create_user(UserName="bob")
    graph = cloud.graph()
    assert isinstance(graph, nx.DiGraph)
    bucket = "arn:aws:s3:::graph-bucket"
    assert graph.nodes[bucket]["type"] == "s3-bucket"
    assert graph.nodes[bucket]["name"] == "graph-bucket"
    assert graph.has_edge(bucket, "arn:aws:s3:::graph-bucket/k")
    assert graph.edges[bucket, "awskit:s3:us-east-1:data-store"]["relation"] == "stores-in"
    user = f"arn:aws:iam::{cloud.default_account}:user/bob"
    assert graph.nodes[user]["type"] == "iam-user"
    assert all("type" in data and "name" in data for _, data in graph.nodes(data=True))
