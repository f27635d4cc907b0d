"""The course's key diagrams, drawn from fixed scenarios.

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

The network's (:func:`awskit.course_network.network_scenario`: the typical AWS network
architecture built through boto3, step by step):

- ``typical-network-architecture``: a VPC across two AZs (public and private subnets, an
  internet gateway, a NAT gateway per AZ), a transit gateway joining two more VPCs, a VPC
  peering, a Site-to-Site VPN to an on-premises network, CloudFront in front of an S3 origin,
  and a Route 53 zone whose failover records send ``www`` to the web server while its health
  check passes, else to CloudFront.

Lambda's (:func:`lambda_scenario`: a real handler runs in a worker process for each invoke):

- ``lambda-sync-cold-start``: the first synchronous invoke of a function — front end, IAM,
  counting, assignment, placement on a worker host and a microVM, the code from component
  storage, INIT, INVOKE;
- ``lambda-sync-warm``: the second invoke reuses the warm environment (no placement, no INIT);
- ``lambda-async-invoke``: an ``Event`` invoke answered 202 once the event is on the internal
  queue, then (one simulated second later) the poller's trace running it;
- ``lambda-assignment-failover``: after ``fail_leader`` the next invoke finds the assignment
  partition's leader down, a follower replays the journal and the warm environment survives;
- ``lambda-snapstart-restore``: a cold start of a version published with SnapStart restores the
  snapshot instead of running INIT;
- ``lambda-component-storage``: two container images share a base layer; the second function's
  CreateFunction stores only its new chunks (said in the title), and its cold start, drawn with
  component storage's insides, reads the shared chunks from the worker's cache.
"""

from __future__ import annotations

import json
import random
import textwrap
from collections.abc import Callable

from botocore.exceptions import ClientError

from .cloud import Cloud
from .course_network import network_scenario
from .diagrams import Diagram, trace_diagram
from .diagrams.traces import describe

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


# -- Lambda ------------------------------------------------------------------------------------
FUNCTION = "hello"
HANDLER_SOURCE = ("def handler(event, context):\n"
                  "    return {'hello': event.get('name', 'world')}\n")
LAMBDA_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def _lambda_cloud() -> tuple[Cloud, object, str]:
    """A fresh ``Cloud(seed=0)``, its boto3 ``lambda`` client and an execution role that
    trusts lambda.amazonaws.com and may write its logs (AWSLambdaBasicExecutionRole)."""
    cloud = Cloud(seed=0)
    iam = cloud.client("iam")
    role = iam.create_role(RoleName="lambda-exec",
                           AssumeRolePolicyDocument=json.dumps(LAMBDA_TRUST))["Role"]["Arn"]
    iam.attach_role_policy(RoleName="lambda-exec", PolicyArn="arn:aws:iam::aws:policy/"
                           "service-role/AWSLambdaBasicExecutionRole")
    return cloud, cloud.client("lambda"), role


def _invoke(cloud: Cloud, call: Callable[[], dict], expect: int = 200):
    """Run one Invoke and return its trace (checked: the handler really answered)."""
    out = call()
    if out["StatusCode"] != expect or "FunctionError" in out:
        raise AssertionError(f"invoke answered {out['StatusCode']} "
                             f"{out.get('FunctionError', '')}: {out['Payload'].read()!r}")
    trace = cloud.traces[-1]
    if trace.operation != "Invoke" or trace.error:
        raise AssertionError(f"unexpected trace {trace!r}")
    return trace


def lambda_scenario() -> dict[str, list]:
    """Run Lambda's stories for real (each handler runs in a worker process, closed at the end);
    returns ``{story: [traces to draw]}``."""
    from .awslambda.packaging import zip_function

    code, handler = zip_function(HANDLER_SOURCE)
    cloud, lam, role = _lambda_cloud()
    try:
        lam.create_function(FunctionName=FUNCTION, Runtime="python3.12", Role=role,
                            Handler=handler, Code={"ZipFile": code})
        cloud.advance(seconds=1)                                  # Pending -> Active

        def sync(name: str) -> Callable[[], dict]:
            return lambda: lam.invoke(FunctionName=FUNCTION, Payload=json.dumps({"name": name}))

        cold = _invoke(cloud, sync("cold"))
        warm = _invoke(cloud, sync("warm"))
        if "Placement service" not in cold.components or "Placement service" in warm.components:
            raise AssertionError("the first invoke should be cold and the second warm")

        # the leader fails before its followers have applied the journal's latest entries
        key = f"{lam.get_function(FunctionName=FUNCTION)['Configuration']['FunctionArn']}:$LATEST"
        cloud.awslambda.internals(cloud.default_region).fail_leader(key)
        failover = _invoke(cloud, sync("after the failure"))
        replayed = [s for s in failover.steps if (s.detail or {}).get("replayed")]
        if not replayed or "Placement service" in failover.components:
            raise AssertionError("a follower should replay the journal and keep the warm "
                                 "environment")

        accepted = _invoke(cloud, lambda: lam.invoke(FunctionName=FUNCTION,
                                                     InvocationType="Event", Payload=b"{}"), 202)
        cloud.advance(seconds=1)                                  # the poller runs the event
        polled = [t for t in cloud.traces if t.front == "poller" and t.operation == "Invoke"]
        if len(polled) != 1 or polled[0].error:
            raise AssertionError(f"the poller should have run the event once: {polled}")

        lam.create_function(FunctionName="snapstart", Runtime="python3.12", Role=role,
                            Handler=handler, Code={"ZipFile": code},
                            SnapStart={"ApplyOn": "PublishedVersions"})
        cloud.advance(seconds=1)
        version = lam.publish_version(FunctionName="snapstart")["Version"]
        cloud.advance(seconds=cloud.awslambda.snapstart_publish_seconds + 1)
        restore = _invoke(cloud, lambda: lam.invoke(FunctionName="snapstart",
                                                    Qualifier=version, Payload=b"{}"))
        if any(s.action.startswith("INIT") for s in restore.steps):
            raise AssertionError("a SnapStart cold start restores the snapshot, no INIT")
    finally:
        cloud.awslambda.stop_processes()
    return {"cold": [cold], "warm": [warm], "async": [accepted, polled[0]],
            "failover": [failover], "snapstart": [restore], **_image_scenario()}


def _image_scenario() -> dict[str, list]:
    """Two container images sharing a base layer, on a cloud of their own."""
    from .awslambda.internals import Model
    from .awslambda.packaging import zip_function

    def app(name: str) -> bytes:        # the image's top layer: the handler's code
        return zip_function(f"def handler(event, context):\n    return {name!r}\n",
                            module="app")[0]

    base = random.Random(0).randbytes(16 * Model().chunk_bytes)   # a shared base layer: 16 chunks
    cloud, lam, role = _lambda_cloud()
    try:
        for name in ("orders", "invoices"):
            uri = cloud.awslambda.push_image(name, [base, app(name)])
            lam.create_function(FunctionName=name, Role=role, PackageType="Image",
                                Code={"ImageUri": uri}, ImageConfig={"Command": ["app.handler"]})
        create = cloud.traces[-1]
        cloud.advance(seconds=1)
        _invoke(cloud, lambda: lam.invoke(FunctionName="orders"))
        # orders' environment is reclaimed; invoices' cold start lands on the same worker host
        cloud.advance(seconds=cloud.awslambda.internals(cloud.default_region)
                      .model.idle_reclaim_s + 1)
        invoke = _invoke(cloud, lambda: lam.invoke(FunctionName="invoices"))
    finally:
        cloud.awslambda.stop_processes()
    fetch = next(s for s in invoke.steps if s.component == "Component storage")
    if not fetch.detail["counts"]["local"]:
        raise AssertionError(f"invoices should read shared chunks from the worker's cache: "
                             f"{fetch.action}")
    return {"images": [create, invoke]}


def _step(trace, component: str, startswith: str = ""):
    return next(s for s in trace.steps
                if s.component == component and s.action.startswith(startswith))


def _ms(step) -> str:
    return f"{step.duration_ms:g} ms"


def _captions(lam: dict[str, list]) -> dict[str, list[str]]:
    """What each Lambda diagram shows, in words taken from its traces (the edge labels are
    shortened, so the figures that tell the story go in the diagram's title)."""
    cold, warm = lam["cold"][0], lam["warm"][0]
    accepted, polled = lam["async"]
    failover, restore = lam["failover"][0], lam["snapstart"][0]
    create, image = lam["images"]
    env = _step(warm, "Execution environment", "INVOKE").detail["env_id"]
    return {
        "cold": [(f"First invoke, a cold start: placement "
                  f"{_ms(_step(cold, 'Placement service'))}, "
                  f"runtime start {_ms(_step(cold, 'Execution environment', 'Start'))}, "
                  f"code from component storage {_ms(_step(cold, 'Component storage'))}, "
                  f"INIT {_ms(_step(cold, 'Execution environment', 'INIT'))}, "
                  f"then INVOKE {_ms(_step(cold, 'Execution environment', 'INVOKE'))}")],
        "warm": [(f"Second invoke, a warm start: the idle environment {env} is reused "
                  f"(no placement, no code download, no INIT); "
                  f"INVOKE {_ms(_step(warm, 'Execution environment', 'INVOKE'))}")],
        "async": [(f"Steps 1-{len(accepted.steps)}: InvocationType=Event, answered "
                   f"{accepted.status} once the event is on the internal queue; steps "
                   f"{len(accepted.steps) + 1}-{len(accepted.steps) + len(polled.steps)}: "
                   f"a poller takes the event and runs it on the synchronous path")],
        "failover": [_step(failover, "Assignment service", "Leader").action],
        "snapstart": [_step(restore, "Firecracker microVM", "Restore").action,
                      _step(restore, "Execution environment", "env-").action],
        "images": [(f"CreateFunction of invoices, whose image shares its base layer with "
                    f"orders': {_step(create, 'Component storage').action}"),
                   (f"The cold start of invoices (drawn), on the host where orders ran: "
                    f"{_step(image, 'Component storage').action}")],
    }


def _titled(traces: list, lines: list[str], internals: bool = False) -> Diagram:
    wrapped = [part for line in lines for part in textwrap.wrap(line, 110)]
    title = "\\n".join([describe(traces), *wrapped])
    return trace_diagram(traces, internals=internals, title=title)


def course_diagrams() -> dict[str, Diagram]:
    """{name: Diagram} of the course's key diagrams, in a fixed order."""
    cloud, t = scenario()
    lam = lambda_scenario()
    say = _captions(lam)
    return {
        "s3-upload-process": trace_diagram([t["create"], t["put"]]),
        "s3-put-internals": t["put"].diagram(internals=True),
        "s3-get-from-replica": t["get"].diagram(internals=True),
        "s3-upload-denied-by-iam": t["denied"].diagram(),
        "lambda-sync-cold-start": _titled(lam["cold"], say["cold"]),
        "lambda-sync-warm": _titled(lam["warm"], say["warm"]),
        "lambda-async-invoke": _titled(lam["async"], say["async"]),
        "lambda-assignment-failover": _titled(lam["failover"], say["failover"]),
        "lambda-snapstart-restore": _titled(lam["snapstart"], say["snapstart"]),
        "lambda-component-storage": _titled(lam["images"][1:], say["images"], internals=True),
        "architecture": cloud.diagram(),
        "typical-network-architecture": network_scenario()[0].diagram(),
    }
