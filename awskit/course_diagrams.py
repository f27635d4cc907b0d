"""The course's key diagrams, drawn from one fixed scenario.

``scripts/make_diagrams.py`` writes them to ``diagrams/<name>.dot`` and ``.svg``;
``tests/test_diagrams_dir.py`` redraws them in memory and fails when ``diagrams/`` is stale.
Like every awskit diagram of internals, each one is the drawing of real requests made against
a simulated cloud (the same requests notebook 07 makes), never a hand-drawn picture:

- ``s3-upload-process``: ``create_bucket`` + ``put_object`` — the seven steps;
- ``s3-put-internals``: the same ``put_object`` with the data store's insides (routing,
  placement, primary and replica data nodes);
- ``s3-get-from-replica``: a GET after the data node holding the primary copy failed — the
  read fails over to a replica;
- ``s3-upload-denied-by-iam``: an upload by an IAM user with read-only access — the request
  stops at IAM (AccessDenied) and never reaches the metadata DB or the data store;
- ``architecture``: the scenario's cloud as ``cloud.diagram()`` draws it.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from .cloud import Cloud
from .diagrams import Diagram, trace_diagram

BUCKET = "bucket-to-share"
KEY = "script.txt"
BODY = b"print('hello')"
READER = "student"   # an IAM user who may read S3 but not write to it


def scenario() -> tuple[Cloud, dict[str, list]]:
    """Run the scenario on a fresh ``Cloud(seed=0)``; returns the cloud and its key traces."""
    cloud = Cloud(seed=0)
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    create = cloud.traces[-1]
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=BODY)
    put = cloud.traces[-1]

    iam = cloud.client("iam")
    iam.create_user(UserName=READER)
    iam.attach_user_policy(UserName=READER,
                           PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    key = iam.create_access_key(UserName=READER)["AccessKey"]
    reader = cloud.client("s3", aws_access_key_id=key["AccessKeyId"],
                          aws_secret_access_key=key["SecretAccessKey"])
    try:
        reader.put_object(Bucket=BUCKET, Key="from-student.txt", Body=b"denied")
    except ClientError as err:
        if err.response["Error"]["Code"] != "AccessDenied":
            raise
    else:
        raise AssertionError("the read-only user's upload should have been denied")
    denied = cloud.traces[-1]

    store = cloud.s3.data_store
    uuid = cloud.s3.metadata_db.execute(
        "SELECT object_id FROM object WHERE object_name = ?", (KEY,)).fetchone()[0]
    store.fail_node(store.replicas_of(uuid)[0]["node"])   # the primary copy's node
    s3.get_object(Bucket=BUCKET, Key=KEY)
    get = cloud.traces[-1]
    if not any((sub.detail or {}).get("status") == "down"
               for step in get.steps for sub in step.substeps or ()):
        raise AssertionError("the GET should have met the failed node and used a replica")
    return cloud, {"create": create, "put": put, "denied": denied, "get": get}


def course_diagrams() -> dict[str, Diagram]:
    """{name: Diagram} of the course's key diagrams, in a fixed order."""
    cloud, t = scenario()
    return {
        "s3-upload-process": trace_diagram([t["create"], t["put"]]),
        "s3-put-internals": t["put"].diagram(internals=True),
        "s3-get-from-replica": t["get"].diagram(internals=True),
        "s3-upload-denied-by-iam": t["denied"].diagram(),
        "architecture": cloud.diagram(),
    }
