"""Lambda's model as the invoke path and the rest of awskit read it: persistence, the graph,
name resolution, the internals hook, credentials, billing of invocations."""

import pytest

import awskit
from awskit.awslambda.model import LATEST
from lambda_helpers import CODE, active, error, make_role

ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"


@pytest.fixture
def lam(cloud):
    return cloud.client("lambda")


@pytest.fixture
def role(cloud):
    return make_role(cloud)


def test_save_and_load_round_trip(cloud, lam, role, tmp_path):
    active(cloud, lam, role, Publish=True, Tags={"k": "v"})
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    lam.add_permission(FunctionName="fn", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::b")
    lam.put_function_event_invoke_config(FunctionName="fn", MaximumRetryAttempts=1)
    lam.put_provisioned_concurrency_config(FunctionName="fn", Qualifier="live",
                                           ProvisionedConcurrentExecutions=2)
    lam.update_function_configuration(FunctionName="fn", MemorySize=256)   # in progress
    before = {op: lam.get_function(FunctionName="fn", **q)
              for op, q in (("latest", {}), ("live", {"Qualifier": "live"}))}
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "c.json.gz"))
    again = loaded.client("lambda")
    for op, q in (("latest", {}), ("live", {"Qualifier": "live"})):
        after = again.get_function(FunctionName="fn", **q)
        assert after["Configuration"] == before[op]["Configuration"]
    assert again.get_policy(FunctionName="fn")["Policy"] == \
        lam.get_policy(FunctionName="fn")["Policy"]
    assert loaded.awslambda.package(loaded.awslambda.resolve("fn").version) == CODE
    loaded.advance(60)
    assert again.get_provisioned_concurrency_config(FunctionName="fn", Qualifier="live")[
        "Status"] == "READY"
    latest = again.get_function(FunctionName="fn")["Configuration"]
    assert latest["LastUpdateStatus"] == "Successful" and latest["MemorySize"] == 256


def test_graph_nodes_and_edges(cloud, lam, role):
    queue = "arn:aws:sqs:us-east-1:123456789012:dlq"
    sender = make_role(cloud, "sender", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue}]})
    active(cloud, lam, sender, DeadLetterConfig={"TargetArn": queue}, Publish=True)
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    lam.put_function_event_invoke_config(
        FunctionName="fn", DestinationConfig={"OnFailure": {"Destination": queue + "2"}})
    graph = cloud.graph()
    node = graph.nodes[ARN]
    assert node["type"] == "lambda-function" and node["region"] == "us-east-1"
    assert graph.edges[ARN, sender]["relation"] == "assumes"
    assert graph.edges[ARN, queue]["relation"] == "dead-letter-queue"
    assert graph.edges[ARN, queue + "2"]["relation"] == "on-failure"
    assert graph.nodes[ARN + ":1"]["type"] == "lambda-version"
    assert graph.edges[ARN + ":live", ARN + ":1"]["relation"] == "routes-to"


def test_resolve_is_the_one_place_names_become_versions(cloud, lam, role):
    svc = cloud.awslambda
    active(cloud, lam, role, Publish=True)
    lam.update_function_code(FunctionName="fn", ZipFile=CODE + b"\0", Publish=True)
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1",
                     RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
    function, version = svc.resolve("fn")
    assert version.version == LATEST and function.arn == ARN
    found = svc.resolve(ARN + ":live")
    assert found.alias.name == "live" and found.version.version == "1"
    assert found.pick(0.1).version == "2" and found.pick(0.5).version == "1"
    assert svc.resolve("fn", "2").version.arn == ARN + ":2"
    with pytest.raises(Exception, match="Function not found"):
        svc.resolve("fn", "9")
    assert svc.package(found.version) == CODE


def test_internals_are_reached_through_the_service(cloud):
    try:
        from awskit.awslambda.internals import Internals
    except ImportError:
        pytest.skip("the internals package is not there yet")
    assert isinstance(cloud.awslambda.internals("us-east-1"), Internals)
    assert cloud.awslambda.internals() is cloud.awslambda.internals("us-east-1")


def test_credential_errors_are_lambdas(cloud):
    bogus = cloud.client("lambda", aws_access_key_id="AKIAAAAAAAAAAAAAAAAA",
                         aws_secret_access_key="x" * 40)
    assert error(bogus.list_functions) == {
        "Code": "UnrecognizedClientException", "Status": 403,
        "Message": "The security token included in the request is invalid."}


def test_configuration_changes_and_clearing(cloud, lam, role):
    queue = "arn:aws:sqs:us-east-1:123456789012:dlq"
    sender = make_role(cloud, "sender", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue}]})
    active(cloud, lam, role, Environment={"Variables": {"KEY": "v"}})
    revision = lam.get_function(FunctionName="fn")["Configuration"]["RevisionId"]
    assert error(lam.update_function_configuration, FunctionName="fn", Timeout=4,
                 RevisionId="stale")["Code"] == "PreconditionFailedException"
    out = lam.update_function_configuration(
        FunctionName="fn", RevisionId=revision, Role=sender, Environment={"Variables": {}},
        DeadLetterConfig={"TargetArn": queue}, EphemeralStorage={"Size": 2048},
        Runtime="python3.13", Description="new")
    assert "Environment" not in out and out["DeadLetterConfig"] == {"TargetArn": queue}
    assert (out["Role"], out["Runtime"], out["EphemeralStorage"]) == (sender, "python3.13",
                                                                       {"Size": 2048})
    cloud.advance(1)
    assert error(lam.update_function_configuration, FunctionName="fn",
                 SnapStart={"ApplyOn": "PublishedVersions"})["Code"] == \
        "InvalidParameterValueException"          # ephemeral storage above 512 MB
    cleared = lam.update_function_configuration(FunctionName="fn", DeadLetterConfig={})
    assert "DeadLetterConfig" not in cleared
    assert lam.list_functions(MasterRegion="ALL", FunctionVersion="ALL")["Functions"] == []


def test_invocations_are_metered_at_list_prices(cloud, lam, role):
    from awskit.awslambda import pricing
    active(cloud, lam, role, MemorySize=1024, Architectures=["arm64"])
    version = cloud.awslambda.resolve("fn").version
    charges = cloud.awslambda.pricing.invocation(version, 99.2, init_ms=300.0)
    assert charges["billed_ms"] == 400                    # init billed since 2025-08-01
    lines = {line["usage_type"]: line for line in cloud.meter.lines()}
    assert lines["Request-ARM"]["quantity"] == 1
    assert lines["Lambda-GB-Second-ARM"]["cost_usd"] == pytest.approx(
        0.4 * pricing.DURATION_PRICE["arm64"])


def test_iam_explain_sees_the_function_policy(cloud, lam, role):
    active(cloud, lam, role)
    other = cloud.new_account()
    lam.add_permission(FunctionName="fn", StatementId="other", Action="lambda:InvokeFunction",
                       Principal=other)
    explained = cloud.iam.explain(other, "lambda:InvokeFunction", ARN)
    assert explained.decision.allowed
    assert not cloud.iam.explain(other, "lambda:DeleteFunction", ARN).decision.allowed


def test_the_counting_service_reads_the_control_planes_concurrency(cloud, lam, role, tmp_path):
    try:
        internals = cloud.awslambda.internals("us-east-1")
    except ImportError:
        pytest.skip("the internals package is not there yet")
    active(cloud, lam, role, Publish=True)
    lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=7)
    lam.put_provisioned_concurrency_config(FunctionName="fn", Qualifier="1",
                                           ProvisionedConcurrentExecutions=2)
    config = internals.counting.config
    assert config.reserved("123456789012", ARN) == 7 and config.reserved_total("123456789012") == 7
    assert config.provisioned("123456789012", ARN, "1") == 0             # not allocated yet
    cloud.advance(cloud.awslambda.provisioned_ready_seconds)
    assert config.provisioned("123456789012", ARN, "1") == 2
    assert config.provisioned_total("123456789012", ARN) == 2
    assert config.limit("123456789012") == 1000 and config.provisioned_unreserved("123456789012") == 0
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "c.json"))          # internals saved too
    assert loaded.awslambda.internals("us-east-1").counting.config.reserved(
        "123456789012", ARN) == 7
