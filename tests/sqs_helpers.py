"""Helpers shared by the SQS tests (not a test module)."""




import awskit

ACCOUNT = "123456789012"
EPOCH_S = int(awskit.clock.EPOCH.timestamp())


def make(sqs, name="q", **attributes):
    return sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in
                                                        attributes.items()})["QueueUrl"]


def attrs(sqs, url, *names):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(names) or ["All"])[
        "Attributes"]


def counts(sqs, url):
    a = attrs(sqs, url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
              "ApproximateNumberOfMessagesDelayed")
    return (int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"]),
            int(a["ApproximateNumberOfMessagesDelayed"]))


def receive(sqs, url, **kw):
    return sqs.receive_message(QueueUrl=url, **kw).get("Messages", [])


def arn_of(url):
    region = url.split("//sqs.")[1].split(".")[0]
    account, name = url.rsplit("/", 2)[1:]
    return f"arn:aws:sqs:{region}:{account}:{name}"
