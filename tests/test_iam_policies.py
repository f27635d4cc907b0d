"""IAM through boto3: roles, inline policies, managed policies and versions, attachments,
permissions boundaries."""

import json

import pytest

from iam_helpers import allow, deny, doc, error, trust

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ACCOUNT = "123456789012"


@pytest.fixture
def iam(cloud):
    return cloud.client("iam")


def ec2_trust():
    return trust({"Service": "ec2.amazonaws.com"})


# -- roles -----------------------------------------------------------------------------------
def test_role_lifecycle_and_shapes(iam):
    text = ec2_trust()
    role = iam.create_role(RoleName="app", Path="/svc/", AssumeRolePolicyDocument=text,
                           Description="web tier")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/svc/app"
    assert role["RoleId"].startswith("AROA")
    assert role["AssumeRolePolicyDocument"] == json.loads(text)    # botocore decodes it
    got = iam.get_role(RoleName="APP")["Role"]
    assert got["MaxSessionDuration"] == 3600 and got["RoleLastUsed"] == {}
    assert got["Description"] == "web tier"
    listed = iam.list_roles(PathPrefix="/svc/")["Roles"]
    assert [r["RoleName"] for r in listed] == ["app"] and "RoleLastUsed" not in listed[0]
    iam.update_role(RoleName="app", MaxSessionDuration=7200, Description="api tier")
    got = iam.get_role(RoleName="app")["Role"]
    assert (got["MaxSessionDuration"], got["Description"]) == (7200, "api tier")
    new_trust = trust({"Service": "lambda.amazonaws.com"})
    iam.update_assume_role_policy(RoleName="app", PolicyDocument=new_trust)
    assert iam.get_role(RoleName="app")["Role"]["AssumeRolePolicyDocument"] == \
        json.loads(new_trust)
    iam.delete_role(RoleName="app")
    e = error(iam.get_role, RoleName="app")
    assert (e["Code"], e["Message"]) == ("NoSuchEntity", "The role with name app cannot be found.")


def test_role_document_comes_back_as_submitted(cloud, iam):
    text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",' \
           '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=text)
    direct = cloud.iam.get_role(RoleName="r")["Role"]["AssumeRolePolicyDocument"]
    assert direct == json.loads(text)          # the direct front decodes it too


def test_role_errors(iam):
    iam.create_role(RoleName="dup", AssumeRolePolicyDocument=ec2_trust())
    assert error(iam.create_role, RoleName="DUP",
                 AssumeRolePolicyDocument=ec2_trust())["Message"] == \
        "Role with name DUP already exists."
    e = error(iam.create_role, RoleName="bad", AssumeRolePolicyDocument="{not json")
    assert (e["Code"], e["Status"]) == ("MalformedPolicyDocument", 400)
    e = error(iam.create_role, RoleName="bad", AssumeRolePolicyDocument=doc(allow("s3:*")))
    assert e["Code"] == "MalformedPolicyDocument"         # a trust policy needs a Principal
    e = error(iam.create_role, RoleName="long", AssumeRolePolicyDocument=ec2_trust(),
              MaxSessionDuration=43201)
    assert e["Message"] == ("1 validation error detected: Value '43201' at 'maxSessionDuration' "
                            "failed to satisfy constraint: Member must have value less than or "
                            "equal to 43200")
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["dup"]


def test_trust_policy_size_quota(iam):
    principals = [f"arn:aws:iam::{ACCOUNT}:user/user-number-{i:04d}" for i in range(60)]
    big = trust({"AWS": principals})
    e = error(iam.create_role, RoleName="big", AssumeRolePolicyDocument=big)
    assert (e["Code"], e["Status"], e["Message"]) == (
        "LimitExceeded", 409, "Cannot exceed quota for ACLSizePerRole: 2048")
    # white space does not count against the quota
    padded = json.dumps(json.loads(ec2_trust()), indent=100)
    assert len(padded) > 2048
    iam.create_role(RoleName="padded", AssumeRolePolicyDocument=padded)


def test_delete_role_conflicts(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=ec2_trust())
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=doc(allow("s3:*")))
    iam.attach_role_policy(RoleName="r", PolicyArn=S3_READ)
    assert error(iam.delete_role, RoleName="r")["Message"] == \
        "Cannot delete entity, must delete policies first."
    iam.delete_role_policy(RoleName="r", PolicyName="p")
    assert error(iam.delete_role, RoleName="r")["Message"] == \
        "Cannot delete entity, must detach all policies first."
    iam.detach_role_policy(RoleName="r", PolicyArn=S3_READ)
    iam.delete_role(RoleName="r")


def test_role_tags(iam):
    iam.create_role(RoleName="t", AssumeRolePolicyDocument=ec2_trust(),
                    Tags=[{"Key": "env", "Value": "dev"}])
    iam.tag_role(RoleName="t", Tags=[{"Key": "ENV", "Value": "prod"}])
    assert iam.list_role_tags(RoleName="t")["Tags"] == [{"Key": "ENV", "Value": "prod"}]
    assert iam.get_role(RoleName="t")["Role"]["Tags"] == [{"Key": "ENV", "Value": "prod"}]
    iam.untag_role(RoleName="t", TagKeys=["env"])
    assert iam.list_role_tags(RoleName="t")["Tags"] == []


# -- inline policies -------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_inline_policies(iam, kind):
    title = kind.title()
    if kind == "role":
        iam.create_role(RoleName="e", AssumeRolePolicyDocument=ec2_trust())
    else:
        getattr(iam, f"create_{kind}")(**{f"{title}Name": "e"})
    name = {f"{title}Name": "e"}
    text = doc(allow("s3:GetObject", "arn:aws:s3:::b/*"))
    getattr(iam, f"put_{kind}_policy")(PolicyName="read", PolicyDocument=text, **name)
    got = getattr(iam, f"get_{kind}_policy")(PolicyName="read", **name)
    assert got["PolicyDocument"] == json.loads(text) and got[f"{title}Name"] == "e"
    getattr(iam, f"put_{kind}_policy")(PolicyName="also", PolicyDocument=text, **name)
    assert getattr(iam, f"list_{kind}_policies")(**name)["PolicyNames"] == ["also", "read"]
    e = error(getattr(iam, f"get_{kind}_policy"), PolicyName="nope", **name)
    assert (e["Code"], e["Message"]) == ("NoSuchEntity",
                                         f"The {kind} policy with name nope cannot be found.")
    e = error(getattr(iam, f"put_{kind}_policy"), PolicyName="bad", PolicyDocument="[]", **name)
    assert e["Code"] == "MalformedPolicyDocument"
    getattr(iam, f"delete_{kind}_policy")(PolicyName="read", **name)
    assert getattr(iam, f"list_{kind}_policies")(**name)["PolicyNames"] == ["also"]


def test_inline_aggregate_size_per_user(iam):
    iam.create_user(UserName="u")
    resources = [f"arn:aws:s3:::bucket-{i:03d}/*" for i in range(40)]
    one = doc(allow("s3:GetObject", resources))
    assert 1024 < len(one.replace(" ", "")) < 2048
    iam.put_user_policy(UserName="u", PolicyName="one", PolicyDocument=one)
    e = error(iam.put_user_policy, UserName="u", PolicyName="two", PolicyDocument=one)
    assert (e["Code"], e["Message"]) == ("LimitExceeded",
                                         "Maximum policy size of 2048 bytes exceeded for user u")
    iam.put_user_policy(UserName="u", PolicyName="one", PolicyDocument=one)   # replacing is fine
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=ec2_trust())
    for i in range(8):                       # a role allows 10,240 characters in all
        iam.put_role_policy(RoleName="r", PolicyName=f"p{i}", PolicyDocument=one)
    e = error(iam.put_role_policy, RoleName="r", PolicyName="p9", PolicyDocument=one)
    assert e["Message"] == "Maximum policy size of 10240 bytes exceeded for role r"


# -- managed policies ------------------------------------------------------------------------
def test_managed_policy_lifecycle(iam):
    text = doc(allow("s3:ListBucket"))
    created = iam.create_policy(PolicyName="lister", Path="/team/", PolicyDocument=text,
                                Description="list buckets")["Policy"]
    arn = f"arn:aws:iam::{ACCOUNT}:policy/team/lister"
    assert created["Arn"] == arn and created["DefaultVersionId"] == "v1"
    assert created["AttachmentCount"] == 0 and created["IsAttachable"] is True
    assert created["PolicyId"].startswith("ANPA")
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["Description"] == "list buckets"
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(text) and version["IsDefaultVersion"] is True
    assert error(iam.create_policy, PolicyName="LISTER", PolicyDocument=text)["Message"] == \
        "A policy called LISTER already exists. Duplicate names are not allowed."
    iam.delete_policy(PolicyArn=arn)
    e = error(iam.get_policy, PolicyArn=arn)
    assert (e["Code"], e["Message"]) == ("NoSuchEntity", f"Policy {arn} was not found.")


def test_managed_policy_document_errors(iam):
    e = error(iam.create_policy, PolicyName="p", PolicyDocument=doc(
        {"Effect": "Allow", "Action": "s3:*"}))
    assert (e["Code"], e["Message"]) == ("MalformedPolicyDocument",
                                         "Policy statement must contain resources.")
    huge = doc(allow([f"s3:GetObjectVersion{i:04d}" for i in range(300)]))
    e = error(iam.create_policy, PolicyName="p", PolicyDocument=huge)
    assert (e["Code"], e["Message"]) == (
        "LimitExceeded", "Cannot exceed quota for PolicySize: 6144")
    assert error(iam.get_policy, PolicyArn="arn:aws:iam::123456789012:nope")["Code"] == \
        "InvalidInput"


def test_policy_versions(iam):
    arn = iam.create_policy(PolicyName="v", PolicyDocument=doc(allow("s3:GetObject")))[
        "Policy"]["Arn"]
    for i in range(2, 6):
        out = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow(f"s3:Get{i}")),
                                        SetAsDefault=(i == 3))["PolicyVersion"]
        assert out["VersionId"] == f"v{i}" and out["IsDefaultVersion"] is (i == 3)
    e = error(iam.create_policy_version, PolicyArn=arn, PolicyDocument=doc(allow("s3:X")))
    assert (e["Code"], e["Message"]) == (
        "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new "
        "version, you must delete an existing version.")
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["VersionId"] for v in versions if v["IsDefaultVersion"]] == ["v3"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    assert error(iam.delete_policy_version, PolicyArn=arn, VersionId="v3")["Message"] == \
        "Cannot delete the default version of a policy."
    e = error(iam.delete_policy, PolicyArn=arn)
    assert e["Code"] == "DeleteConflict" and "more than one version" in e["Message"]
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v5")
    for vid in ("v1", "v2", "v3", "v4"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=vid)
    new = iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("s3:Y")))
    assert new["PolicyVersion"]["VersionId"] == "v6"           # version ids are never reused
    assert error(iam.get_policy_version, PolicyArn=arn, VersionId="v1")["Code"] == "NoSuchEntity"
    e = error(iam.get_policy_version, PolicyArn=arn, VersionId="1")
    assert e["Code"] == "ValidationError" and "versionId" in e["Message"]


def test_default_version_decides(cloud, iam):
    from iam_helpers import user_with_key
    arn = iam.create_policy(PolicyName="toggle", PolicyDocument=doc(allow("s3:ListAllMyBuckets"))
                            )["Policy"]["Arn"]
    creds = user_with_key(cloud, "t", arn)
    s3 = cloud.client("s3", **creds)
    s3.list_buckets()
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(deny("s3:*")), SetAsDefault=True)
    assert error(s3.list_buckets)["Code"] == "AccessDenied"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    s3.list_buckets()


def test_aws_managed_policies_are_listed_and_read_only(iam):
    aws = iam.list_policies(Scope="AWS")["Policies"]
    names = [p["PolicyName"] for p in aws]
    assert "AmazonS3ReadOnlyAccess" in names and names == sorted(names, key=str.lower)
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in aws)
    assert iam.list_policies(Scope="Local")["Policies"] == []
    got = iam.get_policy(PolicyArn=S3_READ)["Policy"]
    assert got["AttachmentCount"] == 0 and got["DefaultVersionId"].startswith("v")
    e = error(iam.create_policy_version, PolicyArn=S3_READ, PolicyDocument=doc(allow("*")))
    assert e["Code"] == "AccessDenied"
    assert error(iam.delete_policy, PolicyArn=S3_READ)["Code"] == "AccessDenied"


def test_list_policies_filters(iam):
    iam.create_user(UserName="u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=ec2_trust())
    local = iam.create_policy(PolicyName="bound", PolicyDocument=doc(allow("s3:*")))["Policy"]
    iam.create_policy(PolicyName="unused", Path="/x/", PolicyDocument=doc(allow("s3:*")))
    iam.attach_user_policy(UserName="u", PolicyArn=S3_READ)
    iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=local["Arn"])
    attached = iam.list_policies(OnlyAttached=True)["Policies"]
    assert sorted(p["PolicyName"] for p in attached) == ["AmazonS3ReadOnlyAccess", "bound"]
    as_boundary = iam.list_policies(PolicyUsageFilter="PermissionsBoundary")["Policies"]
    assert [p["PolicyName"] for p in as_boundary] == ["bound"]
    assert as_boundary[0]["PermissionsBoundaryUsageCount"] == 1
    as_policy = iam.list_policies(PolicyUsageFilter="PermissionsPolicy", Scope="AWS")["Policies"]
    assert [p["PolicyName"] for p in as_policy] == ["AmazonS3ReadOnlyAccess"]
    assert as_policy[0]["AttachmentCount"] == 1
    assert [p["PolicyName"] for p in iam.list_policies(PathPrefix="/x/")["Policies"]] == ["unused"]
    e = error(iam.list_policies, Scope="Everything")
    assert e["Message"].endswith("Member must satisfy enum value set: [All, AWS, Local]")
    pages = list(iam.get_paginator("list_policies").paginate(PaginationConfig={"PageSize": 2}))
    assert sum(len(p["Policies"]) for p in pages) == len(iam.list_policies()["Policies"])


# -- attachments -----------------------------------------------------------------------------
def test_attach_detach_and_list(iam):
    iam.create_group(GroupName="g")
    iam.attach_group_policy(GroupName="g", PolicyArn=S3_READ)
    iam.attach_group_policy(GroupName="g", PolicyArn=S3_READ)          # idempotent
    assert iam.list_attached_group_policies(GroupName="g")["AttachedPolicies"] == [
        {"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": S3_READ}]
    e = error(iam.attach_group_policy, GroupName="g",
              PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicy")
    assert (e["Code"], e["Message"]) == (
        "NoSuchEntity", "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not "
        "attachable.")
    e = error(iam.attach_group_policy, GroupName="g", PolicyArn="not-an-arn-at-all-really")
    assert (e["Code"], e["Message"]) == (
        "InvalidInput", "ARN not-an-arn-at-all-really is not valid.")
    e = error(iam.detach_group_policy, GroupName="g", PolicyArn=ADMIN)
    assert (e["Code"], e["Message"]) == ("NoSuchEntity", f"Policy {ADMIN} was not found.")
    iam.detach_group_policy(GroupName="g", PolicyArn=S3_READ)
    assert iam.list_attached_group_policies(GroupName="g")["AttachedPolicies"] == []


def test_managed_policies_per_role_quota(iam):
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=ec2_trust())
    for i in range(10):
        arn = iam.create_policy(PolicyName=f"p{i}", PolicyDocument=doc(allow("s3:*")))[
            "Policy"]["Arn"]
        iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    e = error(iam.attach_role_policy, RoleName="r", PolicyArn=S3_READ)
    assert (e["Code"], e["Message"]) == (
        "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10")


def test_policy_of_another_account_is_not_attachable(cloud, iam):
    other = cloud.client("iam", account=cloud.new_account())
    arn = other.create_policy(PolicyName="theirs", PolicyDocument=doc(allow("s3:*")))[
        "Policy"]["Arn"]
    iam.create_user(UserName="u")
    assert error(iam.attach_user_policy, UserName="u", PolicyArn=arn)["Code"] == "NoSuchEntity"


def test_attached_policy_blocks_delete_and_entities_are_listed(iam):
    arn = iam.create_policy(PolicyName="shared", PolicyDocument=doc(allow("s3:*")))[
        "Policy"]["Arn"]
    iam.create_user(UserName="u", Path="/a/")
    iam.create_group(GroupName="g")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=ec2_trust())
    iam.attach_user_policy(UserName="u", PolicyArn=arn)
    iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    iam.put_role_permissions_boundary(RoleName="r", PermissionsBoundary=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 2
    assert error(iam.delete_policy, PolicyArn=arn)["Message"] == \
        "Cannot delete a policy attached to entities."
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["u"]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == ["g"]
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == ["r"]
    only_policy = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsPolicy")
    assert only_policy["PolicyRoles"] == []
    users = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="User", PathPrefix="/b/")
    assert users["PolicyUsers"] == [] and users["PolicyGroups"] == []
    iam.detach_user_policy(UserName="u", PolicyArn=arn)
    iam.detach_group_policy(GroupName="g", PolicyArn=arn)
    iam.delete_role_permissions_boundary(RoleName="r")
    iam.delete_policy(PolicyArn=arn)


# -- permissions boundaries ------------------------------------------------------------------
def test_boundaries_shapes_and_errors(iam):
    iam.create_user(UserName="u", PermissionsBoundary=S3_READ)
    assert iam.get_user(UserName="u")["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": S3_READ}
    missing = f"arn:aws:iam::{ACCOUNT}:policy/missing"
    e = error(iam.put_user_permissions_boundary, UserName="u", PermissionsBoundary=missing)
    assert (e["Code"], e["Message"]) == (
        "NoSuchEntity", f"Scope ARN: {missing} does not exist or is not attachable.")
    assert error(iam.create_user, UserName="v", PermissionsBoundary=missing)["Code"] == \
        "NoSuchEntity"
    iam.delete_user_permissions_boundary(UserName="u")
    assert "PermissionsBoundary" not in iam.get_user(UserName="u")["User"]
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=ec2_trust(), PermissionsBoundary=ADMIN)
    assert iam.get_role(RoleName="r")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] \
        == ADMIN


def test_list_entities_for_policy_paginates_across_kinds(iam):
    for i in range(3):
        iam.create_user(UserName=f"u{i}")
        iam.attach_user_policy(UserName=f"u{i}", PolicyArn=S3_READ)
        iam.create_group(GroupName=f"g{i}")
        iam.attach_group_policy(GroupName=f"g{i}", PolicyArn=S3_READ)
    first = iam.list_entities_for_policy(PolicyArn=S3_READ, MaxItems=4)
    assert first["IsTruncated"] is True
    assert len(first["PolicyGroups"]) + len(first["PolicyUsers"]) == 4
    merged = iam.get_paginator("list_entities_for_policy").paginate(
        PolicyArn=S3_READ, PaginationConfig={"PageSize": 4}).build_full_result()
    assert [g["GroupName"] for g in merged["PolicyGroups"]] == ["g0", "g1", "g2"]
    assert [u["UserName"] for u in merged["PolicyUsers"]] == ["u0", "u1", "u2"]
    assert merged["PolicyRoles"] == []


def test_trust_policy_principals_must_exist(iam):
    ghost = f"arn:aws:iam::{ACCOUNT}:user/ghost"
    e = error(iam.create_role, RoleName="r", AssumeRolePolicyDocument=trust({"AWS": ghost}))
    assert (e["Code"], e["Message"]) == ("MalformedPolicyDocument",
                                         f'Invalid principal in policy: "AWS":"{ghost}"')
    iam.create_user(UserName="ghost")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"AWS": ghost}))
    iam.create_role(RoleName="partner", AssumeRolePolicyDocument=trust(
        {"AWS": "arn:aws:iam::999999999999:user/elsewhere"}))       # another AWS account


def test_aws_managed_policies_carry_their_real_dates(iam):
    from datetime import datetime, timezone
    policy = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")["Policy"]
    assert policy["CreateDate"] < datetime(2016, 1, 1, tzinfo=timezone.utc)
    assert policy["CreateDate"] <= policy["UpdateDate"] < datetime(2026, 3, 2, tzinfo=timezone.utc)
