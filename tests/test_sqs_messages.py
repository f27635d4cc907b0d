"""Amazon SQS through boto3: messages on the simulated clock (delay, visibility timeout, long
polling, retention), dead-letter redrive, FIFO, batches, IAM and queue policies, traces,
determinism, the contract other services use, save/load and the graph."""


import hashlib
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from iam_helpers import allow, doc, error, user_with_key
from sqs_helpers import ACCOUNT, arn_of, attrs, counts, make, receive

import awskit


# -- time: delay, visibility, long polling, retention -----------------------------------------
def test_visibility_timeout_on_the_simulated_clock(cloud, sqs):
    url = make(sqs, VisibilityTimeout=30)
    sqs.send_message(QueueUrl=url, MessageBody="work")
    [first] = receive(sqs, url, AttributeNames=["ApproximateReceiveCount"])
    assert receive(sqs, url) == []
    cloud.advance(seconds=29)
    assert receive(sqs, url) == [] and counts(sqs, url) == (0, 1, 0)
    cloud.advance(seconds=1)
    assert counts(sqs, url) == (1, 0, 0)
    [second] = receive(sqs, url, AttributeNames=["All"], VisibilityTimeout=5)
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    cloud.advance(seconds=5)
    [third] = receive(sqs, url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=third["ReceiptHandle"],
                                  VisibilityTimeout=100)
    cloud.advance(seconds=99)
    assert receive(sqs, url) == []
    # older handles: may no longer change visibility, but still delete (standard queue)
    err = error(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=first["ReceiptHandle"],
                VisibilityTimeout=10)
    assert err["Code"] == "InvalidParameterValue" and "Message does not exist" in err["Message"]
    cloud.advance(seconds=1)
    with pytest.raises(sqs.exceptions.MessageNotInflight):
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=third["ReceiptHandle"],
                                      VisibilityTimeout=10)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)


def test_change_visibility_limits_and_bad_handles(cloud, sqs):
    url = make(sqs)
    other = make(sqs, "other")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    [m] = receive(sqs, url, VisibilityTimeout=43200)
    for bad in (-1, 43201):
        assert error(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                     VisibilityTimeout=bad)["Code"] == "InvalidParameterValue"
    cloud.advance(hours=11)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                  VisibilityTimeout=3599)     # just under 12 h since the receive
    err = error(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                VisibilityTimeout=3601)
    assert "beyond the limit [43200 seconds]" in err["Message"]
    for call, extra in ((sqs.delete_message, {}),
                        (sqs.change_message_visibility, {"VisibilityTimeout": 1})):
        with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
            call(QueueUrl=url, ReceiptHandle="garbage", **extra)
        with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):   # another queue's handle
            call(QueueUrl=other, ReceiptHandle=m["ReceiptHandle"], **extra)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                  VisibilityTimeout=0)
    assert counts(sqs, url) == (1, 0, 0)


def test_delays(cloud, sqs):
    url = make(sqs, DelaySeconds=10)
    sqs.send_message(QueueUrl=url, MessageBody="queue delay")
    sqs.send_message(QueueUrl=url, MessageBody="own delay", DelaySeconds=3)
    sqs.send_message(QueueUrl=url, MessageBody="no delay", DelaySeconds=0)
    assert counts(sqs, url) == (1, 0, 2)
    cloud.advance(seconds=3)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["own delay",
                                                                            "no delay"]
    cloud.advance(seconds=7)
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["queue delay"]


def test_long_polling_waits_on_the_simulated_clock(cloud, sqs):
    url = make(sqs)
    t0 = cloud.clock.elapsed
    assert receive(sqs, url) == [] and cloud.clock.elapsed - t0 < 1      # short poll
    t0 = cloud.clock.elapsed
    assert receive(sqs, url, WaitTimeSeconds=20) == []
    assert 20 <= cloud.clock.elapsed - t0 < 20.1
    waits = [s for s in cloud.traces[-1].steps if s.action.startswith("Long poll")]
    assert len(waits) == 1 and waits[0].duration_ms == pytest.approx(20000, abs=10)
    sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=5)
    t0 = cloud.clock.elapsed
    [m] = receive(sqs, url, WaitTimeSeconds=20)
    assert m["Body"] == "soon" and 5 <= cloud.clock.elapsed - t0 < 5.1
    slow = make(sqs, "slow", ReceiveMessageWaitTimeSeconds=7)           # the queue's default
    t0 = cloud.clock.elapsed
    assert receive(sqs, slow) == [] and 7 <= cloud.clock.elapsed - t0 < 7.1
    for bad in (-1, 21):
        assert error(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=bad)["Code"] == \
            "InvalidParameterValue"
    for bad in (0, 11):
        assert error(sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=bad)["Code"] == \
            "InvalidParameterValue"
    assert error(sqs.receive_message, QueueUrl=url, VisibilityTimeout=43201)["Code"] == \
        "InvalidParameterValue"


def test_retention_deletes_old_messages_even_in_flight(cloud, sqs):
    url = make(sqs, MessageRetentionPeriod=60, VisibilityTimeout=600)
    sqs.send_message(QueueUrl=url, MessageBody="old")
    cloud.advance(seconds=30)
    sqs.send_message(QueueUrl=url, MessageBody="young")
    receive(sqs, url)
    cloud.advance(seconds=30)
    assert counts(sqs, url) == (1, 0, 0)
    assert [m["Body"] for m in receive(sqs, url)] == ["young"]
    expired = [s for t in cloud.traces for s in t.steps if "expired" in s.action]
    assert expired and expired[0].component == "Queue"


# -- dead-letter queues -----------------------------------------------------------------------
def test_redrive_to_dead_letter_queue(cloud, sqs):
    dlq = make(sqs, "dlq", MessageRetentionPeriod=300)
    dlq_arn = attrs(sqs, dlq, "QueueArn")["QueueArn"]
    src = make(sqs, "src", VisibilityTimeout=30, RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}))
    assert json.loads(attrs(sqs, src, "RedrivePolicy")["RedrivePolicy"]) == {
        "deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}
    sent = sqs.send_message(QueueUrl=src, MessageBody="poison")
    for _ in range(2):
        assert len(receive(sqs, src)) == 1
        cloud.advance(seconds=30)
    assert counts(sqs, src) == (0, 0, 0) and counts(sqs, dlq) == (1, 0, 0)
    [m] = receive(sqs, dlq, MessageSystemAttributeNames=["All"])
    assert m["MessageId"] == sent["MessageId"] and m["Body"] == "poison"
    assert m["Attributes"]["DeadLetterQueueSourceArn"] == arn_of(src)
    moves = [s for t in cloud.traces for s in t.steps if "dead-letter queue dlq" in s.action]
    assert moves and moves[0].component == "Queue"
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [src]
    # retention keeps counting from the original send: 300 s after it, not after the move
    sqs.change_message_visibility(QueueUrl=dlq, ReceiptHandle=m["ReceiptHandle"],
                                  VisibilityTimeout=0)
    cloud.advance(seconds=300 - 60 - 1)
    assert counts(sqs, dlq) == (1, 0, 0)
    cloud.advance(seconds=1)
    assert counts(sqs, dlq) == (0, 0, 0)


def test_message_received_fewer_times_stays(cloud, sqs):
    dlq = make(sqs, "dlq")
    src = make(sqs, "src", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": arn_of(dlq), "maxReceiveCount": 3}))
    sqs.send_message(QueueUrl=src, MessageBody="m")
    for _ in range(2):
        receive(sqs, src)
        cloud.advance(seconds=30)
    assert counts(sqs, src) == (1, 0, 0) and counts(sqs, dlq) == (0, 0, 0)


@pytest.mark.parametrize("policy, reason", [
    ("not json", "not a valid JSON map"),
    ({"maxReceiveCount": 2}, "deadLetterTargetArn"),
    ({"deadLetterTargetArn": "DLQ", "maxReceiveCount": 0}, "maxReceiveCount"),
    ({"deadLetterTargetArn": "DLQ", "maxReceiveCount": 1001}, "maxReceiveCount"),
    ({"deadLetterTargetArn": "DLQ", "maxReceiveCount": 2, "x": 1}, "supported"),
    ({"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:missing", "maxReceiveCount": 2},
     "does not exist"),
    ({"deadLetterTargetArn": "FIFO", "maxReceiveCount": 2}, "same type"),
    ({"deadLetterTargetArn": "DENY", "maxReceiveCount": 2}, "RedriveAllowPolicy"),
])
def test_bad_redrive_policies(sqs, policy, reason):
    targets = {"DLQ": make(sqs, "dlq"), "FIFO": make(sqs, "d.fifo", FifoQueue="true"),
               "DENY": make(sqs, "deny", RedriveAllowPolicy=json.dumps(
                   {"redrivePermission": "denyAll"}))}
    if isinstance(policy, dict) and policy.get("deadLetterTargetArn") in targets:
        policy = {**policy, "deadLetterTargetArn": arn_of(targets[policy["deadLetterTargetArn"]])}
    text = policy if isinstance(policy, str) else json.dumps(policy)
    err = error(sqs.create_queue, QueueName="src", Attributes={"RedrivePolicy": text})
    assert err["Code"] == "InvalidAttributeValue" and reason in err["Message"]
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="src")


def test_redrive_allow_policy_by_queue_and_same_region(cloud, sqs):
    allowed = f"arn:aws:sqs:us-east-1:{ACCOUNT}:friend"
    dlq = make(sqs, "dlq", RedriveAllowPolicy=json.dumps(
        {"redrivePermission": "byQueue", "sourceQueueArns": [allowed]}))
    redrive = json.dumps({"deadLetterTargetArn": arn_of(dlq), "maxReceiveCount": 1})
    make(sqs, "friend", RedrivePolicy=redrive)
    assert error(sqs.create_queue, QueueName="stranger",
                 Attributes={"RedrivePolicy": redrive})["Code"] == "InvalidAttributeValue"
    for bad in ({"redrivePermission": "byQueue"}, {"redrivePermission": "some"},
                {"redrivePermission": "allowAll", "sourceQueueArns": [allowed]}):
        assert error(sqs.set_queue_attributes, QueueUrl=dlq, Attributes={
            "RedriveAllowPolicy": json.dumps(bad)})["Code"] == "InvalidAttributeValue"
    eu = cloud.client("sqs", region_name="eu-west-1")
    assert error(eu.create_queue, QueueName="src", Attributes={
        "RedrivePolicy": redrive})["Code"] == "InvalidAttributeValue"      # other Region
    sqs.set_queue_attributes(QueueUrl=make(sqs, "friend"), Attributes={"RedrivePolicy": ""})
    assert "RedrivePolicy" not in attrs(sqs, make(sqs, "friend"))


# -- FIFO -------------------------------------------------------------------------------------
def test_fifo_order_groups_and_sequence_numbers(cloud, sqs):
    url = make(sqs, "jobs.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    seqs = []
    for group, body in (("a", "a1"), ("b", "b1"), ("a", "a2"), ("b", "b2"), ("a", "a3")):
        seqs.append(int(sqs.send_message(QueueUrl=url, MessageBody=body,
                                         MessageGroupId=group)["SequenceNumber"]))
    assert seqs == sorted(seqs) and len(set(seqs)) == 5 and all(len(str(s)) == 20 for s in seqs)
    got = receive(sqs, url, MaxNumberOfMessages=2, AttributeNames=["All"])
    assert [m["Body"] for m in got] == ["a1", "b1"]
    assert got[0]["Attributes"]["MessageGroupId"] == "a"
    assert got[0]["Attributes"]["SequenceNumber"] == str(seqs[0])
    assert got[0]["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"a1").hexdigest()
    assert receive(sqs, url, MaxNumberOfMessages=10) == []     # both groups have one in flight
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got[1]["ReceiptHandle"])
    [b2] = receive(sqs, url, MaxNumberOfMessages=10)
    assert b2["Body"] == "b2"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=b2["ReceiptHandle"])
    cloud.advance(seconds=30)                                   # a1 back first, then a2, a3
    assert [m["Body"] for m in receive(sqs, url, MaxNumberOfMessages=10)] == ["a1", "a2", "a3"]


def test_fifo_deduplication_window(cloud, sqs):
    url = make(sqs, "d.fifo", FifoQueue="true")
    first = sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g",
                             MessageDeduplicationId="order-1")
    again = sqs.send_message(QueueUrl=url, MessageBody="other body", MessageGroupId="g",
                             MessageDeduplicationId="order-1")
    assert again["MessageId"] == first["MessageId"]
    assert again["SequenceNumber"] == first["SequenceNumber"]
    assert counts(sqs, url) == (1, 0, 0)
    cloud.advance(seconds=299)
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g",
                     MessageDeduplicationId="order-1")
    assert counts(sqs, url) == (1, 0, 0)
    cloud.advance(seconds=1)                                    # 5 minutes after the first send
    later = sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g",
                             MessageDeduplicationId="order-1")
    assert later["MessageId"] != first["MessageId"] and counts(sqs, url) == (2, 0, 0)
    scoped = make(sqs, "s.fifo", FifoQueue="true", DeduplicationScope="messageGroup")
    for group in ("g1", "g2", "g1"):
        sqs.send_message(QueueUrl=scoped, MessageBody="x", MessageGroupId=group,
                         MessageDeduplicationId="same")
    assert counts(sqs, scoped) == (2, 0, 0)


def test_fifo_rules(sqs):
    url = make(sqs, "r.fifo", FifoQueue="true")
    assert error(sqs.send_message, QueueUrl=url, MessageBody="x",
                 MessageDeduplicationId="d")["Code"] == "MissingParameter"
    err = error(sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert "ContentBasedDeduplication" in err["Message"]
    assert error(sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g",
                 MessageDeduplicationId="d", DelaySeconds=5)["Code"] == "InvalidParameterValue"
    assert error(sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g" * 129,
                 MessageDeduplicationId="d")["Code"] == "InvalidParameterValue"
    assert error(sqs.create_queue, QueueName="x.fifo", Attributes={
        "FifoQueue": "true", "FifoThroughputLimit": "perMessageGroupId",
        "DeduplicationScope": "queue"})["Code"] == "InvalidAttributeValue"
    std = make(sqs, "std")                      # fair queues: a group id is fine on standard
    sqs.send_message(QueueUrl=std, MessageBody="x", MessageGroupId="tenant-1")
    [m] = receive(sqs, std, MessageSystemAttributeNames=["MessageGroupId"])
    assert m["Attributes"] == {"MessageGroupId": "tenant-1"}


def test_fifo_delete_needs_the_current_receipt(cloud, sqs):
    url = make(sqs, "e.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    [old] = receive(sqs, url)
    cloud.advance(seconds=30)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=old["ReceiptHandle"])   # expired: kept
    assert counts(sqs, url) == (1, 0, 0)
    [new] = receive(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=new["ReceiptHandle"])
    assert counts(sqs, url) == (0, 0, 0)


# -- batches ----------------------------------------------------------------------------------
def test_batches(sqs):
    url = make(sqs)
    out = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": "a", "MessageBody": "one"},
        {"Id": "b", "MessageBody": "two", "MessageAttributes": {
            "attribName1": {"DataType": "String", "StringValue": "attribValue 1"}}},
        {"Id": "c", "MessageBody": "bad \x01"}])
    assert [e["Id"] for e in out["Successful"]] == ["a", "b"]
    assert out["Successful"][0]["MD5OfMessageBody"] == hashlib.md5(b"one").hexdigest()
    assert out["Successful"][1]["MD5OfMessageAttributes"] == "19e27d4e946b072f3f58da80d94fd778"
    assert out["Failed"] == [{"Id": "c", "SenderFault": True, "Code": "InvalidMessageContents",
                              "Message": out["Failed"][0]["Message"]}]
    got = receive(sqs, url, MaxNumberOfMessages=10)
    deleted = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": "x", "ReceiptHandle": got[0]["ReceiptHandle"]},
        {"Id": "y", "ReceiptHandle": "nope"}])
    assert deleted["Successful"] == [{"Id": "x"}]
    assert (deleted["Failed"][0]["Id"], deleted["Failed"][0]["Code"]) == (
        "y", "ReceiptHandleIsInvalid")
    changed = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "x", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "y", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 99999}])
    assert changed["Successful"] == [{"Id": "x"}]
    assert changed["Failed"][0]["Code"] == "InvalidParameterValue"
    assert counts(sqs, url) == (1, 0, 0)


@pytest.mark.parametrize("entries, exception, code", [
    ([{"Id": str(i), "MessageBody": "x"} for i in range(11)], "TooManyEntriesInBatchRequest",
     "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
    ([], "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest"),
    ([{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}], "BatchEntryIdsNotDistinct",
     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
    ([{"Id": "no spaces", "MessageBody": "x"}], "InvalidBatchEntryId",
     "AWS.SimpleQueueService.InvalidBatchEntryId"),
    ([{"Id": str(i), "MessageBody": "x" * 300_000} for i in range(4)], "BatchRequestTooLong",
     "AWS.SimpleQueueService.BatchRequestTooLong"),
])
def test_bad_batches(sqs, entries, exception, code):
    url = make(sqs)
    with pytest.raises(getattr(sqs.exceptions, exception)) as info:
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert info.value.response["Error"]["Code"] == code
    assert counts(sqs, url) == (0, 0, 0)
    if entries:
        handles = [{"Id": e["Id"], "ReceiptHandle": "h"} for e in entries]
        if exception != "BatchRequestTooLong":
            assert error(sqs.delete_message_batch, QueueUrl=url, Entries=handles)["Code"] == code


# -- IAM and queue policies -------------------------------------------------------------------
def test_iam_permissions_on_the_queue_arn(cloud, sqs):
    url = make(sqs, "q")
    arn = arn_of(url)
    creds = user_with_key(cloud, "producer", inline=doc(allow("sqs:SendMessage", arn)))
    producer = cloud.client("sqs", **creds)
    sent = producer.send_message(QueueUrl=url, MessageBody="hi")
    user_id = cloud.client("iam").get_user(UserName="producer")["User"]["UserId"]
    err = error(producer.receive_message, QueueUrl=url)
    assert (err["Code"], err["Status"]) == ("AccessDenied", 403)
    assert "sqs:ReceiveMessage" in err["Message"] and arn in err["Message"]
    assert error(producer.send_message_batch, QueueUrl=make(sqs, "other"),
                 Entries=[{"Id": "a", "MessageBody": "x"}])["Code"] == "AccessDenied"
    assert error(producer.list_queues)["Code"] == "AccessDenied"
    lister = cloud.client("sqs", **user_with_key(cloud, "lister", inline=doc(
        allow("sqs:ListQueues", f"arn:aws:sqs:us-east-1:{ACCOUNT}:*"))))
    assert len(lister.list_queues()["QueueUrls"]) == 2
    [m] = receive(sqs, url, AttributeNames=["SenderId"])
    assert m["MessageId"] == sent["MessageId"] and m["Attributes"]["SenderId"] == user_id
    tagger = cloud.client("sqs", **user_with_key(cloud, "creator", inline=doc(
        allow("sqs:CreateQueue"))))
    tagger.create_queue(QueueName="untagged")
    assert error(tagger.create_queue, QueueName="tagged", tags={"a": "b"})["Code"] == "AccessDenied"


def test_queue_policy_lets_another_account_in(cloud, sqs):
    url = make(sqs, "shared")
    other = cloud.new_account()
    stranger = cloud.client("sqs", account=other)
    assert error(stranger.send_message, QueueUrl=url, MessageBody="x")["Code"] == "AccessDenied"
    assert error(stranger.get_queue_url, QueueName="shared",
                 QueueOwnerAWSAccountId=ACCOUNT)["Code"] == "AccessDenied"
    policy = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{other}:root"},
                  "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"], "Resource": arn_of(url)})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    assert json.loads(attrs(sqs, url, "Policy")["Policy"]) == json.loads(policy)
    assert stranger.get_queue_url(QueueName="shared", QueueOwnerAWSAccountId=ACCOUNT)[
        "QueueUrl"] == url
    stranger.send_message(QueueUrl=url, MessageBody="from afar")
    assert error(stranger.receive_message, QueueUrl=url)["Code"] == "AccessDenied"
    assert [m["Body"] for m in receive(sqs, url)] == ["from afar"]        # the owner still can
    assert cloud.resource_policy(arn_of(url))[1] == ACCOUNT
    assert error(sqs.set_queue_attributes, QueueUrl=url,
                 Attributes={"Policy": "{not json"})["Code"] == "InvalidAttributeValue"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert "Policy" not in attrs(sqs, url)
    assert error(stranger.send_message, QueueUrl=url, MessageBody="x")["Code"] == "AccessDenied"


# -- traces, fronts, determinism --------------------------------------------------------------
def test_trace_components(cloud, sqs):
    url = make(sqs)
    sqs.send_message(QueueUrl=url, MessageBody="x")
    receive(sqs, url)
    trace = cloud.traces[-1]
    assert [s.component for s in trace.steps] == ["SQS front end", "IAM", "Queue"]
    assert trace.operation == "ReceiveMessage" and url in trace.summary


def test_direct_and_mock_fronts(cloud):
    url = cloud.sqs.create_queue(QueueName="direct")["QueueUrl"]
    cloud.sqs.send_message(QueueUrl=url, MessageBody="d")
    with pytest.raises(ClientError) as info:
        cloud.sqs.get_queue_url(QueueName="missing")
    assert info.value.response["Error"]["QueryErrorCode"] == "QueueDoesNotExist"
    with awskit.mock_aws(cloud):
        client = boto3.client("sqs", region_name="us-east-1")
        [m] = client.receive_message(QueueUrl=url)["Messages"]
        assert m["Body"] == "d"
        with pytest.raises(client.exceptions.QueueDoesNotExist):
            client.get_queue_url(QueueName="missing")


def _scenario(cloud):
    sqs = cloud.client("sqs")
    url = make(sqs, "q")
    ids = [sqs.send_message(QueueUrl=url, MessageBody=str(i))["MessageId"] for i in range(3)]
    return ids + [m["ReceiptHandle"] for m in receive(sqs, url, MaxNumberOfMessages=3)]


def test_same_seed_same_ids_and_receipts():
    assert _scenario(awskit.Cloud(seed=3)) == _scenario(awskit.Cloud(seed=3))
    assert _scenario(awskit.Cloud(seed=3)) != _scenario(awskit.Cloud(seed=4))


# -- contract for other services --------------------------------------------------------------
def test_queue_lookup_and_deliver(cloud, sqs):
    url = make(sqs, "lambda-dlq")
    queue = cloud.sqs.queue_by_url(url)
    assert queue is cloud.sqs.queue_by_arn(arn_of(url)) and queue.name == "lambda-dlq"
    assert cloud.sqs.queue_by_arn(arn_of(url) + "x") is None
    assert cloud.sqs.queue_by_url("https://example.com/nope") is None
    before = len(cloud.traces)
    message_id = cloud.sqs.deliver(queue, '{"event": 1}', {
        "ErrorCode": {"DataType": "Number", "StringValue": "200"}})
    assert len(cloud.traces) == before
    [m] = receive(sqs, url, MessageAttributeNames=["All"])
    assert m["MessageId"] == message_id and m["Body"] == '{"event": 1}'
    assert m["MD5OfBody"] == hashlib.md5(b'{"event": 1}').hexdigest()
    assert m["MessageAttributes"]["ErrorCode"]["StringValue"] == "200"
    with pytest.raises(ClientError):
        cloud.sqs.deliver(queue, "")


# -- save / load, graph -----------------------------------------------------------------------
def test_save_and_load_round_trip(tmp_path, cloud, sqs):
    dlq = make(sqs, "dlq")
    src = make(sqs, "src", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": arn_of(dlq), "maxReceiveCount": 1}), Policy=doc(
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}))
    fifo = make(sqs, "f.fifo", FifoQueue="true")
    sqs.tag_queue(QueueUrl=src, Tags={"k": "v"})
    sqs.send_message(QueueUrl=src, MessageBody="in flight", MessageAttributes={
        "bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}})
    receive(sqs, src)
    sqs.send_message(QueueUrl=src, MessageBody="delayed", DelaySeconds=60)
    sqs.send_message(QueueUrl=fifo, MessageBody="f", MessageGroupId="g", MessageDeduplicationId="d")
    sqs.delete_queue(QueueUrl=make(sqs, "gone"))
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "cloud.json"))
    assert loaded.sqs.state() == cloud.sqs.state()
    again = loaded.client("sqs")
    for c in (sqs, again):                                 # both continue identically
        assert error(c.create_queue, QueueName="gone")["QueryErrorCode"] == "QueueDeletedRecently"
        dup = c.send_message(QueueUrl=fifo, MessageBody="f", MessageGroupId="g",
                             MessageDeduplicationId="d")
        assert counts(c, fifo) == (1, 0, 0)
    cloud.advance(seconds=60)
    loaded.advance(seconds=60)
    for c in (sqs, again):
        got = receive(c, dlq, MessageAttributeNames=["All"])
        assert [m["MessageAttributes"]["bin"]["BinaryValue"] for m in got] == [b"\x00\xff"]
        assert [m["Body"] for m in receive(c, src)] == ["delayed"]
        assert c.list_queue_tags(QueueUrl=src)["Tags"] == {"k": "v"}
    assert dup["MessageId"] and loaded.sqs.queue_by_url(src).policy is not None
    assert loaded.sqs.state() == cloud.sqs.state()        # receipts too: same id streams


def test_graph_nodes(cloud, sqs):
    dlq = make(sqs, "dlq")
    src = make(sqs, "src", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": arn_of(dlq), "maxReceiveCount": 1}))
    cloud.client("sqs", region_name="eu-west-1").create_queue(QueueName="eu")
    sqs.send_message(QueueUrl=src, MessageBody="x")
    graph = cloud.graph()
    node = graph.nodes[arn_of(src)]
    assert (node["type"], node["region"], node["name"], node["messages"]) == (
        "sqs-queue", "us-east-1", "src", 1)
    assert graph.nodes[f"arn:aws:sqs:eu-west-1:{ACCOUNT}:eu"]["region"] == "eu-west-1"
    assert graph.edges[arn_of(src), arn_of(dlq)]["relation"] == "dead-letter queue"
    assert graph.edges[f"arn:aws:iam::{ACCOUNT}:root", arn_of(dlq)]["relation"] == "owns"
