"""Lambda control plane through boto3: functions, states and waiters, code, names, limits,
cross-account access, the traces."""

import json
import re
import time

import pytest
from botocore.exceptions import ParamValidationError, WaiterError
from lambda_helpers import CODE, HANDLER, active, big_zip, create, error, make_role, sha

import awskit
from awskit.awslambda.model import LATEST

ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@pytest.fixture
def lam(cloud):
    return cloud.client("lambda")


@pytest.fixture
def role(cloud):
    return make_role(cloud)


# -- CreateFunction and states -----------------------------------------------------------------
def test_create_function_answers_201_pending_with_code_identity(cloud, lam, role):
    out = create(lam, role, Description="d", Environment={"Variables": {"AB": "1"}})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert out["FunctionArn"] == ARN and out["Version"] == LATEST
    assert (out["State"], out["StateReasonCode"]) == ("Pending", "Creating")
    assert out["StateReason"] == "The function is being created."
    assert "LastUpdateStatus" not in out
    assert out["CodeSha256"] == sha(CODE) and out["CodeSize"] == len(CODE)
    assert re.fullmatch(r"2026-03-02T09:00:00\.\d{3}\+0000", out["LastModified"])
    assert UUID.fullmatch(out["RevisionId"])
    assert (out["Timeout"], out["MemorySize"], out["EphemeralStorage"]) == (3, 128, {"Size": 512})
    assert out["Architectures"] == ["x86_64"] and out["PackageType"] == "Zip"
    assert out["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/fn"}
    assert out["SnapStart"] == {"ApplyOn": "None", "OptimizationStatus": "Off"}
    assert out["Environment"] == {"Variables": {"AB": "1"}}


def test_pending_turns_active_on_the_clock_and_blocks_updates_meanwhile(cloud, lam, role):
    create(lam, role)
    assert error(lam.update_function_configuration, FunctionName="fn", Timeout=5) == {
        "Code": "ResourceConflictException", "Status": 409,
        "Message": "The operation cannot be performed at this time. The function is currently "
                   "in the following state: Pending"}
    assert error(lam.publish_version, FunctionName="fn")["Code"] == "ResourceConflictException"
    cloud.advance(cloud.awslambda.create_seconds)
    config = lam.get_function_configuration(FunctionName="fn")
    assert (config["State"], config["LastUpdateStatus"]) == ("Active", "Successful")
    assert "StateReason" not in config


def test_waiters_wait_on_the_simulated_clock(cloud, lam, role):
    create(lam, role)
    t0, started = cloud.clock.elapsed, time.monotonic()
    lam.get_waiter("function_active_v2").wait(FunctionName="fn")
    assert cloud.clock.elapsed - t0 >= cloud.awslambda.create_seconds      # waited on the clock
    assert time.monotonic() - started < 5                                   # not in real time
    lam.get_waiter("function_active").wait(FunctionName="fn")
    lam.get_waiter("function_exists").wait(FunctionName="fn")
    with pytest.raises(WaiterError):
        lam.get_waiter("function_exists").wait(FunctionName="nope",
                                               WaiterConfig={"MaxAttempts": 2})
    lam.update_function_configuration(FunctionName="fn", MemorySize=256)
    assert lam.get_function(FunctionName="fn")["Configuration"]["LastUpdateStatus"] == "InProgress"
    lam.get_waiter("function_updated_v2").wait(FunctionName="fn")
    assert lam.get_function(FunctionName="fn")["Configuration"]["LastUpdateStatus"] == "Successful"


def test_an_update_in_progress_refuses_another_and_invocations_keep_the_old_config(cloud, lam,
                                                                                      role):
    active(cloud, lam, role)
    before = lam.get_function(FunctionName="fn")["Configuration"]["RevisionId"]
    out = lam.update_function_configuration(FunctionName="fn", MemorySize=512, Timeout=30,
                                            Handler="lambda_function.other")
    assert out["LastUpdateStatus"] == "InProgress" and out["MemorySize"] == 512
    assert out["RevisionId"] != before
    assert error(lam.update_function_code, FunctionName="fn", ZipFile=CODE)["Message"] == (
        "The operation cannot be performed at this time. An update is in progress for resource: "
        + ARN)
    function, version = cloud.awslambda.resolve("fn")
    live = version.live(cloud.clock.elapsed)
    assert (live.memory, live.timeout, live.handler) == (128, 3, HANDLER)
    cloud.advance(cloud.awslambda.update_seconds)
    assert version.live(cloud.clock.elapsed).memory == 512


def test_create_function_refusals(cloud, lam, role):
    active(cloud, lam, role)
    assert error(create, lam=lam, role=role) == {
        "Code": "ResourceConflictException", "Message": "Function already exist: fn",
        "Status": 409}
    bad = {"Code": "InvalidParameterValueException",
           "Message": "The role defined for the function cannot be assumed by Lambda.",
           "Status": 400}
    ec2_role = make_role(cloud, "ec2", trust=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}))
    assert error(create, lam=lam, role=ec2_role, name="g") == bad
    assert error(create, lam=lam, role=role + "-missing", name="g") == bad
    assert error(create, lam=lam, role=role, name="g", MemorySize=10241)["Message"] == (
        "1 validation error detected: Value '10241' at 'memorySize' failed to satisfy "
        "constraint: Member must have value less than or equal to 10240")
    assert error(create, lam=lam, role=role, name="g", Timeout=901)["Code"] == \
        "ValidationException"
    with pytest.raises(ParamValidationError):         # boto3 checks the model's minimum itself
        create(lam, role, name="g", MemorySize=127)
    assert error(create, lam=lam, role=role, name="bad name")["Code"] == "ValidationException"
    runtime = error(create, lam=lam, role=role, name="g", Runtime="python9")
    assert runtime["Code"] == "InvalidParameterValueException"
    assert runtime["Message"].startswith("Value python9 at 'runtime' failed to satisfy "
                                         "constraint: Member must satisfy enum value set: [")
    assert "python3.12" in runtime["Message"] and "python3.6," not in runtime["Message"]
    assert error(create, lam=lam, role=role, name="g", Runtime="python3.6")["Message"] == (
        "The runtime parameter of python3.6 is no longer supported for creating or updating AWS "
        "Lambda functions. We recommend you use the new runtime (python3.14) while creating or "
        "updating functions.")
    assert error(lam.create_function, FunctionName="g", Role=role, Code={"ZipFile": CODE},
                 Runtime="python3.12")["Message"] == (
        "Runtime and Handler are mandatory parameters for functions created with deployment "
        "packages.")
    assert error(create, lam=lam, role=role, name="g", code=b"not a zip")["Message"] == (
        "Could not unzip uploaded file. Please check your file, then try to upload again.")
    assert not cloud.awslambda.find("123456789012", "us-east-1", "g")     # nothing half-made


def test_code_size_limits(cloud, lam, role):
    huge = error(create, lam=lam, role=role, code=b"x" * (52_428_800 + 1))
    assert huge == {"Code": "RequestEntityTooLargeException", "Status": 413,
                    "Message": "Zipped size must be smaller than 52428800 bytes"}
    assert error(create, lam=lam, role=role, code=big_zip(262_144_001)) == {
        "Code": "InvalidParameterValueException", "Status": 400,
        "Message": "Unzipped size must be smaller than 262144000 bytes"}
    create(lam, role, code=big_zip(262_144_000 - 10))                  # just fits


def test_environment_checks(cloud, lam, role):
    big = {"KEY": "v" * 4090}
    message = error(create, lam=lam, role=role, Environment={"Variables": big})["Message"]
    assert message == ("Lambda was unable to configure your environment variables because the "
                       "environment variables you have provided exceeded the 4KB limit. String "
                       "measured: " + json.dumps(big, separators=(",", ":")))
    reserved = error(create, lam=lam, role=role, Environment={"Variables": {"AWS_REGION": "x"}})
    assert reserved["Message"].endswith("Reserved keys used in this request: AWS_REGION")
    assert error(create, lam=lam, role=role,
                 Environment={"Variables": {"1bad": "x"}})["Code"] == "ValidationException"


def test_snapstart_runtime_and_storage_rules(cloud, lam, role):
    snap = {"ApplyOn": "PublishedVersions"}
    assert error(create, lam=lam, role=role, Runtime="python3.11", SnapStart=snap)["Message"] == \
        "python3.11 is not supported for SnapStart enabled functions."
    assert error(create, lam=lam, role=role, SnapStart=snap,
                 EphemeralStorage={"Size": 1024})["Code"] == "InvalidParameterValueException"
    out = create(lam, role, SnapStart=snap)
    assert out["SnapStart"] == {"ApplyOn": "PublishedVersions", "OptimizationStatus": "Off"}
    for runtime in ("java11", "java21", "dotnet8"):
        create(lam, role, name=f"f-{runtime.replace('.', '')}", Runtime=runtime, SnapStart=snap)


def test_pass_role_is_needed_to_hand_a_role_to_lambda(cloud, lam, role):
    iam = cloud.client("iam")
    iam.create_user(UserName="dev")
    iam.put_user_policy(UserName="dev", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:*",
                                                "Resource": "*"}]}))
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    dev = cloud.client("lambda", aws_access_key_id=key["AccessKeyId"],
                       aws_secret_access_key=key["SecretAccessKey"])
    denied = error(create, lam=dev, role=role)
    assert denied["Code"] == "AccessDeniedException" and denied["Status"] == 403
    assert "iam:PassRole" in denied["Message"]
    iam.put_user_policy(UserName="dev", PolicyName="pass", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole",
                                                "Resource": role}]}))
    assert create(dev, role)["FunctionArn"] == ARN


def test_code_from_s3_is_read_as_the_caller(cloud, lam, role):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="code")
    s3.put_object(Bucket="code", Key="fn.zip", Body=CODE)
    out = lam.create_function(FunctionName="fn", Runtime="python3.12", Role=role,
                              Handler=HANDLER, Code={"S3Bucket": "code", "S3Key": "fn.zip"})
    assert out["CodeSha256"] == sha(CODE)
    create_trace = cloud.traces[-1]
    assert cloud.traces[-2].operation == "GetObject"              # S3's own request, as caller
    assert "S3" in [s.component for s in create_trace.steps]
    assert error(lam.create_function, FunctionName="g", Runtime="python3.12", Role=role,
                 Handler=HANDLER, Code={"S3Bucket": "code", "S3Key": "nope.zip"})["Message"] == (
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The "
        "specified key does not exist.")
    assert cloud.awslambda.package(cloud.awslambda.resolve("fn").version) == CODE


def test_container_images_are_layers_pushed_with_a_helper(cloud, lam, role):
    svc = cloud.awslambda
    uri = svc.push_image("app", [b"base layer", b"app layer"])
    assert uri == "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"
    out = lam.create_function(FunctionName="img", PackageType="Image", Role=role,
                              Code={"ImageUri": uri})
    assert "Runtime" not in out and "Handler" not in out and out["PackageType"] == "Image"
    cloud.advance(1)
    code = lam.get_function(FunctionName="img")["Code"]
    assert code["RepositoryType"] == "ECR" and code["ImageUri"] == uri
    assert code["ResolvedImageUri"].startswith(uri.rsplit(":", 1)[0] + "@sha256:")
    assert svc.image_layers(svc.resolve("img").version) == [b"base layer", b"app layer"]
    missing = uri.replace("app", "nope")
    assert error(lam.create_function, FunctionName="x", PackageType="Image", Role=role,
                 Code={"ImageUri": missing})["Message"] == (
        f"Source image {missing} does not exist. Provide a valid source image.")
    assert error(lam.update_function_code, FunctionName="img", ZipFile=CODE)["Message"] == (
        "Please provide ImageUri when updating a function with packageType Image.")


def test_dead_letter_queue_needs_the_role_to_send_to_it(cloud, lam, role):
    queue = "arn:aws:sqs:us-east-1:123456789012:dlq"
    assert error(create, lam=lam, role=role, DeadLetterConfig={"TargetArn": queue})[
        "Message"] == "The provided execution role does not have permissions to call " \
                      "SendMessage on SQS"
    sender = make_role(cloud, "sender", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue}]})
    out = create(lam, sender, DeadLetterConfig={"TargetArn": queue})
    assert out["DeadLetterConfig"] == {"TargetArn": queue}
    assert cloud.awslambda.resolve("fn").version.dead_letter_arn == queue


# -- reading, listing, deleting ------------------------------------------------------------------
def test_get_function_code_location_tags_concurrency(cloud, lam, role):
    active(cloud, lam, role, Tags={"team": "a"})
    lam.put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=5)
    out = lam.get_function(FunctionName="fn")
    assert out["Code"]["RepositoryType"] == "S3"
    assert out["Code"]["Location"].startswith(
        "https://awslambda-us-east-1-tasks.s3.us-east-1.amazonaws.com/snapshots/123456789012/fn-")
    assert out["Code"]["Location"] == lam.get_function(FunctionName="fn")["Code"]["Location"]
    assert out["Tags"] == {"team": "a"}
    assert out["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    assert out["Configuration"]["RuntimeVersionConfig"]["RuntimeVersionArn"].startswith(
        "arn:aws:lambda:us-east-1::runtime:")


def test_names_arns_partial_arns_and_qualifiers(cloud, lam, role):
    active(cloud, lam, role, Publish=True)
    for name in ("fn", ARN, "123456789012:function:fn"):
        assert lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"] == ARN
    one = lam.get_function(FunctionName="fn:1")["Configuration"]
    assert one["FunctionArn"] == ARN + ":1" and one["Version"] == "1"
    assert lam.get_function(FunctionName="fn", Qualifier="1")["Configuration"]["Version"] == "1"
    assert error(lam.get_function, FunctionName="fn:1", Qualifier="2")["Message"] == \
        "The derived qualifier from the function name does not match the specified qualifier."
    assert error(lam.get_function, FunctionName=ARN.replace("us-east-1", "eu-west-1"))[
        "Message"] == "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"
    assert error(lam.get_function, FunctionName="nope") == {
        "Code": "ResourceNotFoundException", "Status": 404,
        "Message": "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"}
    assert error(lam.get_function, FunctionName="fn", Qualifier="7")["Message"] == \
        f"Function not found: {ARN}:7"
    assert error(lam.update_function_configuration, FunctionName="fn:1", Timeout=4)[
        "Message"].startswith("Current operation does not support versions other than $LATEST")


def test_list_functions_pages_and_all_versions(cloud, lam, role):
    for i in range(5):
        active(cloud, lam, role, name=f"f{i}")
    lam.publish_version(FunctionName="f0")
    first = lam.list_functions(MaxItems=2)
    assert [f["FunctionName"] for f in first["Functions"]] == ["f0", "f1"]
    assert "State" not in first["Functions"][0] and "NextMarker" in first
    pages = list(lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 2}))
    assert [f["FunctionName"] for p in pages for f in p["Functions"]] == [f"f{i}" for i in range(5)]
    every = lam.list_functions(FunctionVersion="ALL")["Functions"]
    assert [f["FunctionArn"] for f in every][:2] == [
        "arn:aws:lambda:us-east-1:123456789012:function:f0:$LATEST",
        "arn:aws:lambda:us-east-1:123456789012:function:f0:1"]
    assert len(every) == 6
    assert error(lam.list_functions, Marker="garbage")["Code"] == "InvalidParameterValueException"


def test_delete_function_versions_and_the_whole_function(cloud, lam, role):
    active(cloud, lam, role, Publish=True)
    lam.update_function_code(FunctionName="fn", ZipFile=CODE + b"\0", Publish=True)
    lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="1")
    assert error(lam.delete_function, FunctionName="fn", Qualifier=LATEST)["Message"] == \
        "$LATEST version cannot be deleted without deleting the function."
    assert error(lam.delete_function, FunctionName="fn", Qualifier="1")["Message"] == \
        "Unable to delete version because the following aliases reference it: [live]"
    out = lam.delete_function(FunctionName="fn", Qualifier="2")
    assert out["StatusCode"] == 204 and out["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error(lam.get_function, FunctionName="fn", Qualifier="2")["Code"] == \
        "ResourceNotFoundException"
    lam.delete_function(FunctionName="fn")
    assert error(lam.get_function, FunctionName="fn")["Message"] == f"Function not found: {ARN}"
    assert cloud.awslambda.code == {}                          # nothing refers to the code any more


def test_update_function_code_revision_publish_and_dry_run(cloud, lam, role):
    active(cloud, lam, role)
    revision = lam.get_function(FunctionName="fn")["Configuration"]["RevisionId"]
    new = CODE + b"\0"
    assert error(lam.update_function_code, FunctionName="fn", ZipFile=new,
                 RevisionId="00000000-0000-4000-8000-000000000000")["Code"] == \
        "PreconditionFailedException"
    dry = lam.update_function_code(FunctionName="fn", ZipFile=new, DryRun=True)
    assert dry["CodeSha256"] == sha(CODE) and dry["RevisionId"] == revision
    out = lam.update_function_code(FunctionName="fn", ZipFile=new, RevisionId=revision,
                                   Publish=True)
    assert out["CodeSha256"] == sha(new) and out["Version"] == "1"
    assert out["FunctionArn"] == ARN + ":1"


# -- cross-account access through the resource policy --------------------------------------------
def test_another_account_needs_a_policy_statement(cloud, lam, role):
    active(cloud, lam, role)
    other = cloud.new_account()
    theirs = cloud.client("lambda", account=other)
    denied = error(theirs.get_function, FunctionName=ARN)
    assert denied["Code"] == "AccessDeniedException"
    assert "because no resource-based policy allows the lambda:GetFunction action" in \
        denied["Message"]
    lam.add_permission(FunctionName="fn", StatementId="peek", Action="lambda:GetFunction",
                       Principal=other)
    assert theirs.get_function(FunctionName=ARN)["Configuration"]["FunctionArn"] == ARN
    assert error(theirs.delete_function, FunctionName=ARN)["Code"] == "AccessDeniedException"


# -- fronts, determinism, persistence, graph, the model --------------------------------------------
def test_direct_calls_and_determinism(role, cloud):
    direct = cloud.awslambda.create_function(FunctionName="fn", Runtime="python3.12", Role=role,
                                              Handler=HANDLER, Code={"ZipFile": CODE})
    twin = awskit.Cloud(seed=0)
    via_boto = create(twin.client("lambda"), make_role(twin))
    for key in ("RevisionId", "CodeSha256", "FunctionArn", "LastModified"):
        assert direct[key] == via_boto[key]


def test_traces_show_front_end_iam_and_function_metadata(cloud, lam, role):
    active(cloud, lam, role)
    lam.get_function_configuration(FunctionName="fn")
    components = [s.component for s in cloud.traces[-1].steps]
    assert components == ["Front end", "IAM", "Function metadata"]
    assert cloud.traces[-1].summary == "GET /2015-03-31/functions/fn/configuration"
