"""The IAM policy simulator through boto3: SimulatePrincipalPolicy, SimulateCustomPolicy,
GetContextKeysFor*Policy."""

import json

import pytest

from iam_helpers import allow, deny, doc, error, trust, user_with_key

ACCOUNT = "123456789012"
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
USER = f"arn:aws:iam::{ACCOUNT}:user/sim"



@pytest.fixture
def iam(cloud):
    return cloud.client("iam")


@pytest.fixture
def sim_user(iam):
    iam.create_user(UserName="sim")
    iam.attach_user_policy(UserName="sim", PolicyArn=S3_READ)
    iam.put_user_policy(UserName="sim", PolicyName="no-delete",
                        PolicyDocument=doc(deny("s3:DeleteObject", "arn:aws:s3:::vault/*")))
    iam.create_group(GroupName="writers")
    iam.put_group_policy(GroupName="writers", PolicyName="put",
                         PolicyDocument=doc(allow("s3:PutObject", "arn:aws:s3:::drop/*")))
    iam.add_user_to_group(GroupName="writers", UserName="sim")
    return USER


def results(response):
    return {(r["EvalActionName"], r["EvalResourceName"]): r for r in response["EvaluationResults"]}


def test_principal_policy_actions_times_resources(iam, sim_user):
    out = iam.simulate_principal_policy(
        PolicySourceArn=sim_user, ActionNames=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        ResourceArns=["arn:aws:s3:::drop/a", "arn:aws:s3:::vault/b"])
    assert out["IsTruncated"] is False and len(out["EvaluationResults"]) == 6
    by = results(out)
    assert [r["EvalActionName"] for r in out["EvaluationResults"]][:2] == ["s3:GetObject"] * 2
    get = by["s3:GetObject", "arn:aws:s3:::drop/a"]
    assert get["EvalDecision"] == "allowed"
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in get["MatchedStatements"]] == \
        [("AmazonS3ReadOnlyAccess", "IAM Policy")]
    assert get["EvalDecisionDetails"] == {}
    assert get["ResourceSpecificResults"][0]["EvalResourceName"] == "arn:aws:s3:::drop/a"
    assert get["ResourceSpecificResults"][0]["EvalResourceDecision"] == "allowed"
    put = by["s3:PutObject", "arn:aws:s3:::drop/a"]
    assert put["EvalDecision"] == "allowed"
    assert put["MatchedStatements"][0]["SourcePolicyId"] == "group_writers_put"
    assert by["s3:PutObject", "arn:aws:s3:::vault/b"]["EvalDecision"] == "implicitDeny"
    assert by["s3:PutObject", "arn:aws:s3:::vault/b"]["MatchedStatements"] == []
    delete = by["s3:DeleteObject", "arn:aws:s3:::vault/b"]
    assert delete["EvalDecision"] == "explicitDeny"
    assert [m["SourcePolicyId"] for m in delete["MatchedStatements"]] == ["user_sim_no-delete"]
    assert by["s3:DeleteObject", "arn:aws:s3:::drop/a"]["EvalDecision"] == "implicitDeny"


def test_statement_positions_point_into_the_document(iam):
    text = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n'
            '    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},\n'
            '    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}\n  ]\n}')
    out = iam.simulate_custom_policy(PolicyInputList=[text], ActionNames=["s3:GetObject"])
    match = out["EvaluationResults"][0]["MatchedStatements"][0]
    assert match["SourcePolicyId"] == "PolicyInputList.1"
    assert match["StartPosition"]["Line"] == match["EndPosition"]["Line"] == 5
    line = text.splitlines()[4]
    assert match["StartPosition"]["Column"] == line.index("{") + 2
    assert match["EndPosition"]["Column"] == line.rindex("}") + 2


def test_wildcard_resource_shape(iam, sim_user):
    result = iam.simulate_principal_policy(PolicySourceArn=sim_user,
                                           ActionNames=["s3:ListBucket"])["EvaluationResults"][0]
    assert result["EvalResourceName"] == "*" and result["EvalDecision"] == "allowed"
    assert "EvalDecisionDetails" not in result and "ResourceSpecificResults" not in result


def test_context_entries_and_missing_values(iam):
    office = doc(allow("s3:*", "*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))
    base = dict(PolicyInputList=[office], ActionNames=["s3:GetObject"])
    missing = iam.simulate_custom_policy(**base)["EvaluationResults"][0]
    assert missing["EvalDecision"] == "implicitDeny"
    assert missing["MissingContextValues"] == ["aws:SourceIp"]
    inside = iam.simulate_custom_policy(**base, ContextEntries=[
        {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["203.0.113.7"],
         "ContextKeyType": "ip"}])["EvaluationResults"][0]
    assert inside["EvalDecision"] == "allowed" and inside["MissingContextValues"] == []
    outside = iam.simulate_custom_policy(**base, ContextEntries=[
        {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["198.51.100.1"],
         "ContextKeyType": "ip"}])["EvaluationResults"][0]
    assert outside["EvalDecision"] == "implicitDeny"
    specific = iam.simulate_custom_policy(**base, ResourceArns=["arn:aws:s3:::b/k"])
    result = specific["EvaluationResults"][0]
    assert result["MissingContextValues"] == []
    assert result["ResourceSpecificResults"][0]["MissingContextValues"] == ["aws:SourceIp"]


def test_permissions_boundary_detail(iam):
    iam.create_role(RoleName="capped", AssumeRolePolicyDocument=trust(
        {"Service": "ec2.amazonaws.com"}), PermissionsBoundary=S3_READ)
    iam.put_role_policy(RoleName="capped", PolicyName="all", PolicyDocument=doc(allow("*")))
    arn = f"arn:aws:iam::{ACCOUNT}:role/capped"
    by = results(iam.simulate_principal_policy(PolicySourceArn=arn,
                                               ActionNames=["s3:GetObject", "ec2:RunInstances"]))
    assert by["s3:GetObject", "*"]["EvalDecision"] == "allowed"
    assert by["s3:GetObject", "*"]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": True}
    run = by["ec2:RunInstances", "*"]
    assert run["EvalDecision"] == "implicitDeny"
    assert run["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    # a boundary passed in replaces the entity's own
    wide = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["ec2:RunInstances"],
                                         PermissionsBoundaryPolicyInputList=[doc(allow("ec2:*"))])
    assert wide["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_resource_policy_and_cross_account(iam, sim_user):
    partner = "210987654321"
    bucket_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": sim_user}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::shared/*"}]})
    same = iam.simulate_principal_policy(
        PolicySourceArn=sim_user, ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::shared/k"], ResourcePolicy=bucket_policy)
    result = same["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed" and result["EvalDecisionDetails"] == {}
    cross = iam.simulate_principal_policy(
        PolicySourceArn=sim_user, ActionNames=["s3:GetObject", "s3:PutObject"],
        ResourceArns=["arn:aws:s3:::shared/k"], ResourcePolicy=bucket_policy,
        ResourceOwner=partner)
    by = results(cross)
    get = by["s3:GetObject", "arn:aws:s3:::shared/k"]
    assert get["EvalDecision"] == "allowed"
    assert get["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert {m["SourcePolicyType"] for m in get["MatchedStatements"]} == {"IAM Policy", "resource"}
    put = by["s3:PutObject", "arn:aws:s3:::shared/k"]
    assert put["EvalDecision"] == "implicitDeny"
    assert put["EvalDecisionDetails"] == {"IAM Policy": "implicitDeny",
                                          "Resource Policy": "implicitDeny"}
    # the identity side allows, the resource side does not: denied across accounts
    drop = iam.simulate_principal_policy(
        PolicySourceArn=sim_user, ActionNames=["s3:PutObject"],
        ResourceArns=["arn:aws:s3:::drop/k"], ResourcePolicy=bucket_policy,
        ResourceOwner=partner)["EvaluationResults"][0]
    assert drop["EvalDecision"] == "implicitDeny"
    assert drop["EvalDecisionDetails"] == {"IAM Policy": "allowed",
                                           "Resource Policy": "implicitDeny"}


def test_custom_policy_with_caller_and_resource_policy(iam):
    caller = f"arn:aws:iam::{ACCOUNT}:user/someone"
    bucket_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": caller}, "Action": "s3:GetObject",
        "Resource": "*"}]})
    out = iam.simulate_custom_policy(PolicyInputList=[doc(allow("s3:ListBucket"))],
                                     ActionNames=["s3:GetObject"],
                                     ResourceArns=["arn:aws:s3:::x/y"],
                                     ResourcePolicy=bucket_policy, CallerArn=caller)
    result = out["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed"
    assert result["MatchedStatements"][0]["SourcePolicyId"] == "ResourcePolicy"
    e = error(iam.simulate_custom_policy, PolicyInputList=[doc(allow("s3:*"))],
              ActionNames=["s3:GetObject"], ResourcePolicy=bucket_policy)
    assert e["Code"] == "InvalidInput"


def test_simulation_pagination(iam):
    actions = [f"s3:Action{i}" for i in range(5)]
    first = iam.simulate_custom_policy(PolicyInputList=[doc(allow("s3:*"))], ActionNames=actions,
                                       MaxItems=2)
    assert first["IsTruncated"] is True and len(first["EvaluationResults"]) == 2
    pages = list(iam.get_paginator("simulate_custom_policy").paginate(
        PolicyInputList=[doc(allow("s3:*"))], ActionNames=actions,
        PaginationConfig={"PageSize": 2}))
    assert [r["EvalActionName"] for p in pages for r in p["EvaluationResults"]] == actions


def test_simulation_errors(cloud, iam, sim_user):
    e = error(iam.simulate_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/ghost",
              ActionNames=["s3:GetObject"])
    assert (e["Code"], e["Message"]) == (
        "NoSuchEntity", "The user with name ghost cannot be found.")
    e = error(iam.simulate_principal_policy, PolicySourceArn="arn:aws:s3:::not-an-entity",
              ActionNames=["s3:GetObject"])
    assert e["Code"] == "InvalidInput"
    e = error(iam.simulate_custom_policy, PolicyInputList=["{broken"], ActionNames=["s3:GetObject"])
    assert e["Code"] == "InvalidInput"
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    e = error(iam.simulate_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/r",
              ActionNames=["s3:GetObject"], ResourcePolicy=doc(
                  {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}))
    assert e["Code"] == "InvalidInput"
    nobody = cloud.client("iam", **user_with_key(cloud, "peeker"))
    e = error(nobody.simulate_principal_policy, PolicySourceArn=sim_user,
              ActionNames=["s3:GetObject"])
    assert e["Code"] == "AccessDenied" and "iam:SimulatePrincipalPolicy" in e["Message"]


def test_context_keys(iam, sim_user):
    conditional = doc(allow("s3:*", "*", Condition={
        "StringEquals": {"aws:RequestedRegion": "eu-west-1"},
        "Bool": {"aws:SecureTransport": "true"}}))
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[conditional])["ContextKeyNames"]
    assert sorted(keys) == ["aws:RequestedRegion", "aws:SecureTransport"]
    iam.put_user_policy(UserName="sim", PolicyName="region", PolicyDocument=conditional)
    keys = iam.get_context_keys_for_principal_policy(PolicySourceArn=sim_user)["ContextKeyNames"]
    assert sorted(keys) == ["aws:RequestedRegion", "aws:SecureTransport"]


def test_explicit_deny_lists_only_the_deny(iam):
    out = iam.simulate_custom_policy(
        PolicyInputList=[doc(allow("s3:*")), doc(deny("s3:DeleteObject"))],
        ActionNames=["s3:DeleteObject", "s3:GetObject"])
    by = results(out)
    delete = by["s3:DeleteObject", "*"]
    assert delete["EvalDecision"] == "explicitDeny"
    assert [m["SourcePolicyId"] for m in delete["MatchedStatements"]] == ["PolicyInputList.2"]
    assert [m["SourcePolicyId"] for m in by["s3:GetObject", "*"]["MatchedStatements"]] == \
        ["PolicyInputList.1"]
