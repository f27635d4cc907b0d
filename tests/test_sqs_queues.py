"""Amazon SQS through boto3: queues, attributes, names, listing, tags, purge; sending and
receiving messages, MD5 digests, message limits."""

import hashlib

import pytest
from iam_helpers import error
from sqs_helpers import ACCOUNT, EPOCH_S, attrs, counts, make, receive


# -- queues -----------------------------------------------------------------------------------
def test_create_queue_defaults_url_and_arn(cloud, sqs):
    cloud.advance(seconds=5)
    url = make(sqs, "orders")
    assert url == f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/orders"
    a = attrs(sqs, url)
    assert a["QueueArn"] == f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"
    assert (a["VisibilityTimeout"], a["MessageRetentionPeriod"], a["MaximumMessageSize"],
            a["DelaySeconds"], a["ReceiveMessageWaitTimeSeconds"]) == (
        "30", "345600", "1048576", "0", "0")
    assert a["CreatedTimestamp"] == str(EPOCH_S + 5)
    assert "FifoQueue" not in a and "RedrivePolicy" not in a
    assert sqs.get_queue_url(QueueName="orders")["QueueUrl"] == url
    fifo = make(sqs, "jobs.fifo", FifoQueue="true")
    f = attrs(sqs, fifo)
    assert (f["FifoQueue"], f["ContentBasedDeduplication"], f["DeduplicationScope"],
            f["FifoThroughputLimit"]) == ("true", "false", "queue", "perQueue")


@pytest.mark.parametrize("name, attributes", [
    ("has space", {}), ("x" * 81, {}), ("", {}), ("plain", {"FifoQueue": "true"}),
    ("nofifoattr.fifo", {}), ("x" * 76 + ".fifo", {"FifoQueue": "true"}), ("dot.name", {}),
])
def test_bad_queue_names(sqs, name, attributes):
    assert error(sqs.create_queue, QueueName=name, Attributes=attributes)["Code"] == \
        "InvalidParameterValue"
    make(sqs, "x" * 80)                              # the limits themselves are fine
    make(sqs, "x" * 75 + ".fifo", FifoQueue="true")


@pytest.mark.parametrize("name, bad, good", [
    ("VisibilityTimeout", ["43201", "-1", "abc", "1.5"], ["0", "43200"]),
    ("MessageRetentionPeriod", ["59", "1209601"], ["60", "1209600"]),
    ("DelaySeconds", ["901"], ["900"]),
    ("ReceiveMessageWaitTimeSeconds", ["21"], ["20"]),
    ("MaximumMessageSize", ["1023", "1048577"], ["1024", "1048576"]),
    ("SqsManagedSseEnabled", ["yes"], ["false"]),
])
def test_attribute_ranges(sqs, name, bad, good):
    for i, value in enumerate(bad):
        err = error(sqs.create_queue, QueueName=f"bad{i}", Attributes={name: value})
        assert (err["Code"], err["QueryErrorCode"], err["Status"]) == (
            "InvalidAttributeValue", "InvalidAttributeValue", 400)
        assert name in err["Message"]
    url = make(sqs, "ok")
    for value in good:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
        assert attrs(sqs, url, name)[name] == value
    assert error(sqs.set_queue_attributes, QueueUrl=url, Attributes={name: bad[0]})["Code"] == \
        "InvalidAttributeValue"
    assert attrs(sqs, url, name)[name] == good[-1]         # nothing changed on error


def test_unknown_and_read_only_attribute_names(sqs):
    for name in ("Colour", "QueueArn", "ApproximateNumberOfMessages", "ContentBasedDeduplication"):
        err = error(sqs.create_queue, QueueName="q", Attributes={name: "1"})
        assert (err["Code"], err["Message"]) == ("InvalidAttributeName",
                                                 f"Unknown Attribute {name}.")
    url = make(sqs)
    assert error(sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["Nope"])["Code"] == \
        "InvalidAttributeName"
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url)
    assert error(sqs.set_queue_attributes, QueueUrl=url,
                 Attributes={"FifoQueue": "true"})["Code"] == "InvalidAttributeValue"


def test_create_is_idempotent_only_with_the_same_attributes(sqs):
    url = make(sqs, "q", VisibilityTimeout=60)
    assert make(sqs, "q", VisibilityTimeout=60) == url
    assert make(sqs, "q") == url                       # no attributes given: nothing differs
    with pytest.raises(sqs.exceptions.QueueNameExists) as info:
        make(sqs, "q", VisibilityTimeout=61)
    e = info.value.response["Error"]
    assert (e["Code"], e["QueryErrorCode"], e["Type"]) == ("QueueAlreadyExists", "QueueNameExists",
                                                            "Sender")
    assert "VisibilityTimeout" in e["Message"]


def test_deleted_name_cannot_be_reused_for_60_seconds(cloud, sqs):
    url = make(sqs, "q")
    sqs.send_message(QueueUrl=url, MessageBody="lost")
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.send_message(QueueUrl=url, MessageBody="x")
    with pytest.raises(sqs.exceptions.QueueDeletedRecently) as info:
        make(sqs, "q")
    assert info.value.response["Error"]["Code"] == "AWS.SimpleQueueService.QueueDeletedRecently"
    cloud.advance(seconds=59)
    assert error(sqs.create_queue, QueueName="q")["QueryErrorCode"] == "QueueDeletedRecently"
    cloud.advance(seconds=1)
    assert make(sqs, "q") == url
    assert receive(sqs, url) == []                     # the old messages went with the queue
    assert error(sqs.delete_queue, QueueUrl=url + "-x")["Code"] == \
        "AWS.SimpleQueueService.NonExistentQueue"


def test_queue_does_not_exist_everywhere(sqs):
    for bad in ("not a url", f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/missing",
                f"https://sqs.eu-west-1.amazonaws.com/{ACCOUNT}/q"):
        err = error(sqs.send_message, QueueUrl=bad, MessageBody="x")
        assert (err["Code"], err["QueryErrorCode"], err["Status"]) == (
            "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", 400)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="missing")


def test_list_queues_prefix_pagination_account_and_region(cloud, sqs):
    for name in ("b-1", "a-1", "a-2", "a-3"):
        make(sqs, name)
    cloud.client("sqs", region_name="eu-west-1").create_queue(QueueName="a-eu")
    cloud.client("sqs", account=cloud.new_account()).create_queue(QueueName="a-other")
    urls = sqs.list_queues()["QueueUrls"]
    assert [u.rsplit("/", 1)[1] for u in urls] == ["a-1", "a-2", "a-3", "b-1"]
    assert "NextToken" not in sqs.list_queues()
    page = sqs.list_queues(QueueNamePrefix="a-", MaxResults=2)
    assert [u.rsplit("/", 1)[1] for u in page["QueueUrls"]] == ["a-1", "a-2"]
    rest = sqs.list_queues(QueueNamePrefix="a-", MaxResults=2, NextToken=page["NextToken"])
    assert [u.rsplit("/", 1)[1] for u in rest["QueueUrls"]] == ["a-3"] and "NextToken" not in rest
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="zzz")
    assert error(sqs.list_queues, MaxResults=1001)["Code"] == "InvalidParameterValue"
    assert error(sqs.list_queues, NextToken="bogus")["Code"] == "InvalidParameterValue"
    names = [u for p in sqs.get_paginator("list_queues").paginate(PaginationConfig={"PageSize": 1})
             for u in p.get("QueueUrls", [])]
    assert len(names) == 4


def test_tags(sqs):
    url = sqs.create_queue(QueueName="q", tags={"team": "a"})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev", "team": "b"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "b", "env": "dev"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "absent"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "dev"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)
    assert error(sqs.tag_queue, QueueUrl=url, Tags={"bad!": "v"})["Code"] == "InvalidParameterValue"
    for bad in ({"aws:x": "v"}, {"k" * 129: "v"}, {"k": "v" * 257}):
        assert error(sqs.tag_queue, QueueUrl=url, Tags=bad)["Code"] == "InvalidParameterValue"
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


def test_purge_queue_once_a_minute(cloud, sqs):
    url = make(sqs)
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    receive(sqs, url)
    sqs.purge_queue(QueueUrl=url)
    assert counts(sqs, url) == (0, 0, 0)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress) as info:
        sqs.purge_queue(QueueUrl=url)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    sqs.send_message(QueueUrl=url, MessageBody="after")
    cloud.advance(seconds=60)
    assert counts(sqs, url) == (1, 0, 0)
    sqs.purge_queue(QueueUrl=url)
    assert counts(sqs, url) == (0, 0, 0)


# -- sending and receiving --------------------------------------------------------------------
def test_send_receive_delete(cloud, sqs):
    url = make(sqs)
    sent = sqs.send_message(QueueUrl=url, MessageBody="héllo")
    assert sent["MD5OfMessageBody"] == hashlib.md5("héllo".encode()).hexdigest()
    assert "MD5OfMessageAttributes" not in sent and "SequenceNumber" not in sent
    sent_ms = int(cloud.clock.timestamp * 1000)
    cloud.advance(seconds=2)
    [m] = receive(sqs, url, MessageSystemAttributeNames=["All"])
    assert (m["MessageId"], m["Body"], m["MD5OfBody"]) == (sent["MessageId"], "héllo",
                                                           sent["MD5OfMessageBody"])
    a = m["Attributes"]
    assert a["SenderId"] == ACCOUNT and a["ApproximateReceiveCount"] == "1"
    assert abs(int(a["SentTimestamp"]) - sent_ms) < 50
    assert int(a["ApproximateFirstReceiveTimestamp"]) - int(a["SentTimestamp"]) >= 2000
    assert set(a) == {"SenderId", "SentTimestamp", "ApproximateReceiveCount",
                      "ApproximateFirstReceiveTimestamp"}
    assert counts(sqs, url) == (0, 1, 0)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])   # twice is fine
    assert counts(sqs, url) == (0, 0, 0)
    assert receive(sqs, url) == []


def test_message_attribute_md5s_match_the_documented_algorithm(sqs):
    """Vectors from the aws-md5-of-message-attributes npm package's README (computed with the
    algorithm of the SQS Developer Guide, independently of awskit)."""
    url = make(sqs)
    a = {"attribName1": {"DataType": "String", "StringValue": "attribValue 1"}}
    b = {"customNumberTypeAttrib": {"DataType": "Number.float",
                                    "StringValue": "4563442423554324324264524243.32543234"}}
    c = {"binaryAttribute": {"DataType": "Binary", "BinaryValue": b"Hello binary world!"}}
    for given, md5 in ((a, "19e27d4e946b072f3f58da80d94fd778"),
                       (b, "9fe1b90bbd9965bdf77bac517c7d2495"),
                       (c, "31a92b15d92f8db860eda32aceb656c3"),
                       ({**a, **b, **c}, "c932db14a896c663f83c260297d594ff")):
        assert sqs.send_message(QueueUrl=url, MessageBody="x",
                                MessageAttributes=given)["MD5OfMessageAttributes"] == md5
    got = receive(sqs, url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    assert [m["MD5OfMessageAttributes"] for m in got] == [
        "19e27d4e946b072f3f58da80d94fd778", "9fe1b90bbd9965bdf77bac517c7d2495",
        "31a92b15d92f8db860eda32aceb656c3", "c932db14a896c663f83c260297d594ff"]
    assert got[2]["MessageAttributes"] == c
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=got[3]["ReceiptHandle"],
                                  VisibilityTimeout=0)
    [again] = receive(sqs, url, MessageAttributeNames=["binary.*", "attribName1"])
    assert set(again["MessageAttributes"]) == {"attribName1"}   # "binary.*" needs "binary."
    assert again["MD5OfMessageAttributes"] == "19e27d4e946b072f3f58da80d94fd778"


@pytest.mark.parametrize("kwargs, code", [
    ({"MessageBody": "bad \x00 char"}, "InvalidMessageContents"),
    ({"MessageBody": "\ud800"}, "InvalidMessageContents"),
    ({"MessageBody": ""}, "MissingParameter"),
    ({"MessageBody": "x", "DelaySeconds": 901}, "InvalidParameterValue"),
    ({"MessageBody": "x", "MessageDeduplicationId": "d"}, "InvalidParameterValue"),
    ({"MessageBody": "x", "MessageAttributes": {f"a{i}": {"DataType": "String", "StringValue": "v"}
                                                 for i in range(11)}}, "InvalidParameterValue"),
    ({"MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Text", "StringValue": "v"}}},
     "InvalidParameterValue"),
    ({"MessageBody": "x", "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "1x"}}},
     "InvalidParameterValue"),
    ({"MessageBody": "x", "MessageAttributes": {"AWS.x": {"DataType": "String",
                                                          "StringValue": "v"}}},
     "InvalidParameterValue"),
    ({"MessageBody": "x", "MessageAttributes": {"a..b": {"DataType": "String",
                                                         "StringValue": "v"}}},
     "InvalidParameterValue"),
    ({"MessageBody": "x", "MessageAttributes": {"s": {"DataType": "String"}}},
     "InvalidParameterValue"),
    ({"MessageBody": "x", "MessageAttributes": {"s": {"DataType": "String",
                                                      "StringListValues": ["a"]}}},
     "InvalidParameterValue"),
    ({"MessageBody": "x", "MessageSystemAttributes": {"AWSTraceHeader": {
        "DataType": "String", "StringValue": "not a trace header"}}}, "InvalidParameterValue"),
])
def test_bad_messages(sqs, kwargs, code):
    url = make(sqs)
    assert error(sqs.send_message, QueueUrl=url, **kwargs)["Code"] == code
    assert counts(sqs, url) == (0, 0, 0)


def test_message_size_limit_counts_attributes(sqs):
    url = make(sqs, MaximumMessageSize=1024)
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
    err = error(sqs.send_message, QueueUrl=url, MessageBody="x" * 1020,
                MessageAttributes={"ab": {"DataType": "String", "StringValue": "c"}})
    assert "1024 bytes" in err["Message"]
    big = make(sqs, "big")
    sqs.send_message(QueueUrl=big, MessageBody="x" * 1_048_576)
    assert error(sqs.send_message, QueueUrl=big, MessageBody="x" * 1_048_577)["Code"] == \
        "InvalidParameterValue"


def test_trace_header_system_attribute(sqs):
    url = make(sqs)
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    sent = sqs.send_message(QueueUrl=url, MessageBody="x", MessageSystemAttributes={
        "AWSTraceHeader": {"DataType": "String", "StringValue": header}})
    assert len(sent["MD5OfMessageSystemAttributes"]) == 32
    [m] = receive(sqs, url, MessageSystemAttributeNames=["AWSTraceHeader"])
    assert m["Attributes"] == {"AWSTraceHeader": header}
