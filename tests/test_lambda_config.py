"""Lambda versions, aliases, concurrency, asynchronous invocation configuration, resource
policy, tags, layers, account settings and billing constants, through boto3."""

import json
from datetime import date

import pytest
from botocore.exceptions import ParamValidationError
from lambda_helpers import CODE, active, big_zip, create, error, make_role, sha

from awskit.awslambda import pricing

ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"


@pytest.fixture
def lam(cloud):
    return cloud.client("lambda")


@pytest.fixture
def role(cloud):
    return make_role(cloud)


@pytest.fixture
def fn(cloud, lam, role):
    return active(cloud, lam, role)


def published(cloud, lam, n=2):
    """Publish n versions of fn, each with different code."""
    for i in range(n):
        lam.update_function_code(FunctionName="fn", ZipFile=CODE + bytes([i]), Publish=True)
        cloud.advance(1)


# -- versions -----------------------------------------------------------------------------------
def test_publish_version_snapshots_latest_and_skips_when_unchanged(cloud, lam, fn):
    one = lam.publish_version(FunctionName="fn", Description="first")
    assert one["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (one["Version"], one["FunctionArn"], one["Description"]) == ("1", ARN + ":1", "first")
    assert one["State"] == "Pending" and "LastUpdateStatus" not in one
    again = lam.publish_version(FunctionName="fn")
    assert again["Version"] == "1" and again["RevisionId"] == one["RevisionId"]
    cloud.advance(1)
    lam.update_function_configuration(FunctionName="fn", MemorySize=256)
    cloud.advance(1)
    two = lam.publish_version(FunctionName="fn")
    assert two["Version"] == "2" and two["MemorySize"] == 256
    assert lam.get_function_configuration(FunctionName="fn", Qualifier="1")["MemorySize"] == 128
    versions = lam.list_versions_by_function(FunctionName="fn")["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    assert versions[0]["FunctionArn"] == ARN + ":$LATEST"
    lam.get_waiter("published_version_active").wait(FunctionName="fn", Qualifier="2")


def test_publish_version_preconditions(cloud, lam, fn):
    latest = lam.get_function(FunctionName="fn")["Configuration"]
    assert error(lam.publish_version, FunctionName="fn", CodeSha256="abc")["Message"] == (
        f"CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST ({sha(CODE)}). "
        "Please try again with the CodeSHA256 in $LATEST.")
    assert error(lam.publish_version, FunctionName="fn", RevisionId="r") == {
        "Code": "PreconditionFailedException", "Status": 412,
        "Message": "The Revision Id provided does not match the latest Revision Id. Call the "
                   "GetFunction/GetAlias API to retrieve the latest Revision Id"}
    assert lam.publish_version(FunctionName="fn", CodeSha256=latest["CodeSha256"],
                               RevisionId=latest["RevisionId"])["Version"] == "1"


def test_snapstart_versions_take_longer_and_call_the_publish_hook(cloud, lam, role, monkeypatch):
    svc = cloud.awslambda
    calls = []

    def on_publish(function, version):
        calls.append(version.version)
        return [("Firecracker microVM", "Snapshot after INIT", 250.0, {"snapshot": "s-1"})]
    monkeypatch.setattr(svc, "on_publish", on_publish)
    active(cloud, lam, role, SnapStart={"ApplyOn": "PublishedVersions"})
    out = lam.publish_version(FunctionName="fn")
    assert out["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "On"}
    assert calls == ["1"]
    assert "Snapshot after INIT" in [s.action for s in cloud.traces[-1].steps]
    cloud.advance(svc.publish_seconds + 1)
    assert lam.get_function(FunctionName="fn:1")["Configuration"]["State"] == "Pending"
    cloud.advance(svc.snapstart_publish_seconds)
    assert lam.get_function(FunctionName="fn:1")["Configuration"]["State"] == "Active"


# -- aliases ------------------------------------------------------------------------------------
def test_aliases_with_routing(cloud, lam, fn):
    published(cloud, lam)
    out = lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1",
                           RoutingConfig={"AdditionalVersionWeights": {"2": 0.1}})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert out["AliasArn"] == ARN + ":live" and out["Description"] == ""
    assert out["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.1}}
    got = lam.get_alias(FunctionName="fn", Name="live")
    assert got["RevisionId"] == out["RevisionId"]
    moved = lam.update_alias(FunctionName="fn", Name="live", FunctionVersion="2",
                             RoutingConfig={"AdditionalVersionWeights": {}},
                             RevisionId=out["RevisionId"])
    assert moved["FunctionVersion"] == "2" and "RoutingConfig" not in moved
    assert moved["RevisionId"] != out["RevisionId"]
    assert error(lam.update_alias, FunctionName="fn", Name="live", Description="x",
                 RevisionId=out["RevisionId"])["Code"] == "PreconditionFailedException"
    lam.create_alias(FunctionName="fn", Name="dev", FunctionVersion="$LATEST")
    assert [a["Name"] for a in lam.list_aliases(FunctionName="fn")["Aliases"]] == ["dev", "live"]
    assert [a["Name"] for a in lam.list_aliases(FunctionName="fn", FunctionVersion="2")[
        "Aliases"]] == ["live"]
    assert lam.get_function(FunctionName="fn", Qualifier="live")["Configuration"][
        "FunctionArn"] == ARN + ":live"
    assert lam.delete_alias(FunctionName="fn", Name="dev")["ResponseMetadata"][
        "HTTPStatusCode"] == 204
    lam.delete_alias(FunctionName="fn", Name="dev")                    # no error: idempotent
    assert error(lam.get_alias, FunctionName="fn", Name="dev")["Message"] == \
        f"Cannot find alias arn: {ARN}:dev"


def test_alias_refusals(cloud, lam, fn):
    published(cloud, lam)
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    assert error(lam.create_alias, FunctionName="fn", Name="live", FunctionVersion="2") == {
        "Code": "ResourceConflictException", "Status": 409,
        "Message": f"Alias already exists: {ARN}:live"}
    assert error(lam.create_alias, FunctionName="fn", Name="x", FunctionVersion="9")[
        "Message"] == f"Function not found: {ARN}:9"
    weights = lambda w: {"AdditionalVersionWeights": w}
    assert error(lam.create_alias, FunctionName="fn", Name="x", FunctionVersion="$LATEST",
                 RoutingConfig=weights({"1": 0.5}))["Message"] == \
        "$LATEST is not supported for an alias pointing to more than 1 version"
    assert error(lam.create_alias, FunctionName="fn", Name="x", FunctionVersion="1",
                 RoutingConfig=weights({"1": 0.5}))["Message"] == (
        "Invalid function version 1. Function version 1 is already included in routing "
        "configuration.")
    assert error(lam.create_alias, FunctionName="fn", Name="x", FunctionVersion="1",
                 RoutingConfig=weights({"2": 1.5}))["Code"] == "ValidationException"
    with pytest.raises(ParamValidationError):
        lam.create_alias(FunctionName="fn", Name="x", FunctionVersion="1",
                         RoutingConfig=weights({"2": -0.5}))
    assert error(lam.create_alias, FunctionName="fn", Name="123",
                 FunctionVersion="1")["Code"] == "ValidationException"


# -- reserved and provisioned concurrency --------------------------------------------------------
def test_reserved_concurrency_keeps_100_unreserved(cloud, lam, fn):
    assert lam.get_function_concurrency(FunctionName="fn").keys() == {"ResponseMetadata"}
    assert lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=900)[
        "ReservedConcurrentExecutions"] == 900
    settings = lam.get_account_settings()
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] == 100
    assert error(lam.put_function_concurrency, FunctionName="fn",
                 ReservedConcurrentExecutions=901)["Message"] == (
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [100].")
    assert error(lam.put_function_concurrency, FunctionName="fn:1",
                 ReservedConcurrentExecutions=1)["Message"].startswith(
        "This operation is permitted on Lambda functions only.")
    lam.delete_function_concurrency(FunctionName="fn")
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 1000
    cloud.awslambda.set_concurrency_limit(10)
    assert error(lam.put_function_concurrency, FunctionName="fn",
                 ReservedConcurrentExecutions=1)["Message"].endswith("minimum value of [10].")


def test_provisioned_concurrency_goes_ready_on_the_clock(cloud, lam, fn):
    published(cloud, lam, 1)
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    assert error(lam.put_provisioned_concurrency_config, FunctionName="fn", Qualifier="$LATEST",
                 ProvisionedConcurrentExecutions=1)["Message"] == (
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
    out = lam.put_provisioned_concurrency_config(FunctionName="fn", Qualifier="live",
                                                 ProvisionedConcurrentExecutions=3)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert (out["Status"], out["AllocatedProvisionedConcurrentExecutions"]) == ("IN_PROGRESS", 0)
    assert error(lam.put_provisioned_concurrency_config, FunctionName="fn", Qualifier="1",
                 ProvisionedConcurrentExecutions=1)["Message"] == \
        "Version is pointed by a Provisioned Concurrency alias"
    cloud.advance(cloud.awslambda.provisioned_ready_seconds)
    ready = lam.get_provisioned_concurrency_config(FunctionName="fn", Qualifier="live")
    assert (ready["Status"], ready["AllocatedProvisionedConcurrentExecutions"]) == ("READY", 3)
    listed = lam.list_provisioned_concurrency_configs(FunctionName="fn")
    assert [c["FunctionArn"] for c in listed["ProvisionedConcurrencyConfigs"]] == [ARN + ":live"]
    assert [c.qualifier for c in cloud.awslambda.resolve("fn").function.provisioned_for("1")] == \
        ["live"]
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 997
    assert error(lam.put_function_concurrency, FunctionName="fn",
                 ReservedConcurrentExecutions=2)["Message"] == (
        " ReservedConcurrentExecutions  2 should not be lower than function's total "
        "provisioned concurrency [3].")
    lam.delete_provisioned_concurrency_config(FunctionName="fn", Qualifier="live")
    assert error(lam.get_provisioned_concurrency_config, FunctionName="fn", Qualifier="live") == {
        "Code": "ProvisionedConcurrencyConfigNotFoundException", "Status": 404,
        "Message": "No Provisioned Concurrency Config found for this function"}
    assert error(lam.get_provisioned_concurrency_config, FunctionName="fn",
                 Qualifier="nope")["Message"] == f"Cannot find alias arn: {ARN}:nope"


def test_provisioned_concurrency_limits_and_billing(cloud, lam, fn):
    published(cloud, lam, 1)
    lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=2)
    assert error(lam.put_provisioned_concurrency_config, FunctionName="fn", Qualifier="1",
                 ProvisionedConcurrentExecutions=3)["Message"] == (
        "Requested Provisioned Concurrency should not be greater than the "
        "reservedConcurrentExecution for function")
    lam.put_provisioned_concurrency_config(FunctionName="fn", Qualifier="1",
                                           ProvisionedConcurrentExecutions=2)
    cloud.advance(61)                                          # billed as five minutes
    lines = {line["usage_type"]: line for line in cloud.meter.lines()
             if line["service"] == "lambda"}
    expected = 128 / 1024 * 2 * 300 * pricing.PROVISIONED_PRICE["x86_64"]
    assert lines["Lambda-Provisioned-Concurrency"]["cost_usd"] == pytest.approx(expected)
    lam.delete_provisioned_concurrency_config(FunctionName="fn", Qualifier="1")
    cloud.advance(3600)                                        # no longer accrues
    assert cloud.meter.total("lambda") == pytest.approx(expected)


def test_account_settings(cloud, lam, role):
    active(cloud, lam, role, Publish=True)
    settings = lam.get_account_settings()
    assert settings["AccountLimit"] == {
        "TotalCodeSize": 80_530_636_800, "CodeSizeUnzipped": 262_144_000,
        "CodeSizeZipped": 52_428_800, "ConcurrentExecutions": 1000,
        "UnreservedConcurrentExecutions": 1000}
    assert settings["AccountUsage"] == {"TotalCodeSize": 2 * len(CODE), "FunctionCount": 1}


# -- asynchronous invocation configuration -------------------------------------------------------
def test_event_invoke_config_put_update_get_list_delete(cloud, lam, fn):
    queue = "arn:aws:sqs:us-east-1:123456789012:q"
    out = lam.put_function_event_invoke_config(
        FunctionName="fn", MaximumRetryAttempts=1,
        DestinationConfig={"OnSuccess": {"Destination": queue}})
    assert out["FunctionArn"] == ARN + ":$LATEST" and out["MaximumRetryAttempts"] == 1
    assert out["DestinationConfig"] == {"OnSuccess": {"Destination": queue}, "OnFailure": {}}
    updated = lam.update_function_event_invoke_config(FunctionName="fn",
                                                      MaximumEventAgeInSeconds=600)
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (1, 600)
    replaced = lam.put_function_event_invoke_config(FunctionName="fn", MaximumEventAgeInSeconds=60)
    assert "MaximumRetryAttempts" not in replaced                    # Put replaces everything
    config = cloud.awslambda.resolve("fn").event_invoke_config
    assert (config.retries, config.age) == (2, 60)                   # AWS's default retries
    assert len(lam.list_function_event_invoke_configs(FunctionName="fn")[
        "FunctionEventInvokeConfigs"]) == 1
    lam.delete_function_event_invoke_config(FunctionName="fn")
    assert error(lam.get_function_event_invoke_config, FunctionName="fn")["Message"] == \
        f"The function {ARN}:$LATEST doesn't have an EventInvokeConfig"


def test_event_invoke_config_refusals(cloud, lam, role, fn):
    bucket = "arn:aws:s3:::failures"
    assert error(lam.put_function_event_invoke_config, FunctionName="fn",
                 DestinationConfig={"OnSuccess": {"Destination": bucket}})["Message"] == (
        f"The provided destination config DestinationConfig(onSuccess=OnSuccess(destination="
        f"{bucket}), onFailure=null) is invalid.")
    lam.put_function_event_invoke_config(FunctionName="fn",
                                         DestinationConfig={"OnFailure": {"Destination": bucket}})
    assert error(lam.put_function_event_invoke_config, FunctionName="fn",
                 DestinationConfig={"OnFailure": {"Destination": ARN}})["Message"] == \
        "You can't specify the function as a destination for itself."
    other = ARN.replace(":fn", ":other")
    assert error(lam.put_function_event_invoke_config, FunctionName="fn",
                 DestinationConfig={"OnFailure": {"Destination": other}})["Message"] == \
        f"The destination ARN {other} is invalid."
    assert error(lam.put_function_event_invoke_config, FunctionName="fn",
                 MaximumRetryAttempts=3)["Code"] == "ValidationException"
    with pytest.raises(ParamValidationError):
        lam.put_function_event_invoke_config(FunctionName="fn", MaximumEventAgeInSeconds=59)
    assert error(lam.put_function_event_invoke_config, FunctionName="fn")["Message"] == \
        "You must specify at least one of error handling or destination setting."
    assert error(lam.update_function_event_invoke_config, FunctionName="fn", Qualifier="9",
                 MaximumRetryAttempts=0)["Message"] == "The function doesn't exist."


# -- resource policy and tags --------------------------------------------------------------------
def test_add_permission_writes_aws_statements(cloud, lam, fn):
    before = lam.get_function(FunctionName="fn")["Configuration"]["RevisionId"]
    out = lam.add_permission(FunctionName="fn", StatementId="s3", Action="lambda:InvokeFunction",
                             Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::b",
                             SourceAccount="123456789012")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert json.loads(out["Statement"]) == {
        "Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": ARN,
        "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"},
                      "StringEquals": {"AWS:SourceAccount": "123456789012"}}}
    lam.add_permission(FunctionName="fn", StatementId="acct", Action="lambda:InvokeFunction",
                       Principal="210987654321")
    policy = lam.get_policy(FunctionName="fn")
    document = json.loads(policy["Policy"])
    assert (document["Version"], document["Id"]) == ("2012-10-17", "default")
    assert document["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::210987654321:root"}
    assert policy["RevisionId"] != before
    assert error(lam.add_permission, FunctionName="fn", StatementId="s3", Action="lambda:*",
                 Principal="*")["Message"] == (
        "The statement id (s3) provided already exists. Please provide a new statement id, or "
        "remove the existing statement.")
    assert error(lam.add_permission, FunctionName="fn", Qualifier="$LATEST", StatementId="x",
                 Action="lambda:*", Principal="*")["Message"] == \
        "We currently do not support adding policies for $LATEST."
    assert error(lam.add_permission, FunctionName="fn", StatementId="x", Action="lambda:*",
                 Principal="*", RevisionId="stale")["Code"] == "PreconditionFailedException"
    svc = cloud.awslambda
    assert svc.resolve("fn").policy is not None
    assert svc.resource_policy_for(ARN)[1] == "123456789012"


def test_remove_permission_and_get_policy_errors(cloud, lam, fn):
    assert error(lam.get_policy, FunctionName="fn") == {
        "Code": "ResourceNotFoundException", "Status": 404,
        "Message": "The resource you requested does not exist."}
    assert error(lam.remove_permission, FunctionName="fn", StatementId="x")["Message"] == \
        "No policy is associated with the given resource."
    lam.add_permission(FunctionName="fn", StatementId="a", Action="lambda:GetFunction",
                       Principal="*")
    assert error(lam.remove_permission, FunctionName="fn", StatementId="b")["Message"] == \
        "Statement b is not found in resource policy."
    assert lam.remove_permission(FunctionName="fn", StatementId="a")["ResponseMetadata"][
        "HTTPStatusCode"] == 204
    assert error(lam.get_policy, FunctionName="fn")["Code"] == "ResourceNotFoundException"
    lam.publish_version(FunctionName="fn")
    lam.add_permission(FunctionName="fn", Qualifier="1", StatementId="v1", Action="lambda:*",
                       Principal="*")
    assert json.loads(lam.get_policy(FunctionName="fn", Qualifier="1")["Policy"])[
        "Statement"][0]["Resource"] == ARN + ":1"
    assert error(lam.get_policy, FunctionName="fn")["Code"] == "ResourceNotFoundException"


def test_tags(cloud, lam, fn):
    assert lam.tag_resource(Resource=ARN, Tags={"a": "1", "b": "2"})["ResponseMetadata"][
        "HTTPStatusCode"] == 204
    lam.untag_resource(Resource=ARN, TagKeys=["a"])
    assert lam.list_tags(Resource=ARN)["Tags"] == {"b": "2"}
    assert lam.get_function(FunctionName="fn")["Tags"] == {"b": "2"}
    assert error(lam.tag_resource, Resource=ARN + ":1", Tags={"x": "y"})["Message"].startswith(
        "Tagging operations are permitted on Lambda functions only.")
    assert error(lam.list_tags, Resource=ARN.replace("fn", "nope"))["Code"] == \
        "ResourceNotFoundException"


# -- layers -------------------------------------------------------------------------------------
def test_layers_publish_use_delete(cloud, lam, role):
    one = lam.publish_layer_version(LayerName="deps", Content={"ZipFile": CODE},
                                    CompatibleRuntimes=["python3.12"])
    assert one["ResponseMetadata"]["HTTPStatusCode"] == 201
    layer_arn = "arn:aws:lambda:us-east-1:123456789012:layer:deps"
    assert (one["LayerArn"], one["LayerVersionArn"], one["Version"]) == (
        layer_arn, layer_arn + ":1", 1)
    assert one["Content"]["CodeSha256"] == sha(CODE)
    two = lam.publish_layer_version(LayerName="deps", Content={"ZipFile": CODE + b"\0"})
    assert two["Version"] == 2
    assert lam.get_layer_version_by_arn(Arn=layer_arn + ":1")["Version"] == 1
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="deps")["LayerVersions"]] \
        == [2, 1]
    latest = lam.list_layers(CompatibleRuntime="python3.12")["Layers"][0]
    assert latest["LatestMatchingVersion"]["Version"] == 1
    out = create(lam, role, Layers=[layer_arn + ":1"])
    assert out["Layers"] == [{"Arn": layer_arn + ":1", "CodeSize": len(CODE)}]
    assert error(create, lam=lam, role=role, name="g",
                 Layers=[layer_arn + ":1", layer_arn + ":2"])["Message"].startswith(
        "Two different versions of the same layer are not allowed")
    lam.delete_layer_version(LayerName="deps", VersionNumber=1)
    assert error(lam.get_layer_version, LayerName="deps", VersionNumber=1)["Code"] == \
        "ResourceNotFoundException"
    svc = cloud.awslambda
    kept = svc.layer_versions_of(svc.resolve("fn").version)        # still used: still there
    assert [svc.code_bytes(lv.code_key) for lv in kept] == [CODE]
    assert error(create, lam=lam, role=role, name="g", Layers=[layer_arn + ":1"])["Message"] \
        == f"Layer version {layer_arn}:1 does not exist."
    assert error(create, lam=lam, role=role, name="g", Layers=[layer_arn + ":2"] * 6)[
        "Message"] == "Cannot reference more than 5 layers."
    assert error(lam.get_layer_version, LayerName="deps", VersionNumber=0)["Message"] == \
        "Layer Version Cannot be less than 1"


def test_layers_count_against_the_unzipped_limit(cloud, lam, role):
    layer = lam.publish_layer_version(LayerName="big", Content={"ZipFile": big_zip(1000)})
    assert error(create, lam=lam, role=role, code=big_zip(262_144_000 - 500),
                 Layers=[layer["LayerVersionArn"]])["Message"] == \
        f"Unzipped size must be smaller than {262_144_000 - 1000} bytes"


# -- billing constants ----------------------------------------------------------------------------
def test_invocation_charges_follow_the_facts():
    assert pricing.billed_ms(0.2) == 1 and pricing.billed_ms(100.0) == 100
    assert pricing.billed_ms(100.0001) == 101
    one = pricing.invocation_charges(1024, 1000.0)
    assert one["duration"] == pytest.approx(0.0000166667) and one["request"] == 0.0000002
    arm = pricing.invocation_charges(1024, 1000.0, architecture="arm64")
    assert arm["duration"] == pytest.approx(0.0000133334)
    before = pricing.invocation_charges(1024, 100.0, init_ms=400.0, day=date(2025, 7, 31))
    after = pricing.invocation_charges(1024, 100.0, init_ms=400.0, day=date(2025, 8, 1))
    assert (before["billed_ms"], after["billed_ms"]) == (100, 500)
    assert pricing.provisioned_charge(1024, 1, 1)[0] == 300         # five minutes at least
