"""IAM through boto3: users, access keys, groups, login profiles, tags, account, pagination."""

import re

import pytest
from botocore.exceptions import ParamValidationError
from dateutil.tz import tzutc

from iam_helpers import allow, doc, error, user_with_key

S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


@pytest.fixture
def iam(cloud):
    return cloud.client("iam")


# -- users -----------------------------------------------------------------------------------
def test_create_get_user_shapes(cloud, iam):
    created = iam.create_user(UserName="alice", Path="/team/",
                              Tags=[{"Key": "dept", "Value": "math"}])["User"]
    assert created["Arn"] == "arn:aws:iam::123456789012:user/team/alice"
    assert re.fullmatch(r"AIDA[A-Z0-9]{17}", created["UserId"])
    assert created["CreateDate"].tzinfo == tzutc()
    assert created["Tags"] == [{"Key": "dept", "Value": "math"}]
    got = iam.get_user(UserName="ALICE")["User"]        # names are case-insensitive
    assert {k: got[k] for k in ("UserName", "UserId", "Arn", "Path")} == \
        {k: created[k] for k in ("UserName", "UserId", "Arn", "Path")}
    listed = iam.list_users()["Users"][0]
    assert "Tags" not in listed and listed["UserName"] == "alice"


def test_user_names_unique_ignoring_case(iam):
    iam.create_user(UserName="Bob")
    e = error(iam.create_user, UserName="bob")
    assert (e["Code"], e["Status"]) == ("EntityAlreadyExists", 409)
    assert e["Message"] == "User with name bob already exists."


@pytest.mark.parametrize("name,field", [("bad name", "userName"), ("a/b", "userName")])
def test_user_name_pattern(iam, name, field):
    e = error(iam.create_user, UserName=name)
    assert e["Code"] == "ValidationError" and e["Status"] == 400
    assert e["Message"] == (f"1 validation error detected: Value '{name}' at '{field}' failed to "
                            "satisfy constraint: Member must satisfy regular expression "
                            "pattern: [\\w+=,.@-]+")


def test_user_name_length_and_path_together(iam):
    e = error(iam.create_user, UserName="x" * 65, Path="nope")
    assert e["Message"].startswith("2 validation errors detected: ")
    assert "at 'userName' failed to satisfy constraint: Member must have length less than or " \
           "equal to 64" in e["Message"]
    assert "at 'path' failed to satisfy constraint: Member must satisfy regular expression" \
        in e["Message"]
    assert iam.list_users()["Users"] == []


def test_empty_name_is_refused_by_boto3_itself(iam):
    with pytest.raises(ParamValidationError):
        iam.create_user(UserName="")


def test_get_user_without_name(cloud, iam):
    root = iam.get_user()["User"]
    assert root["Arn"] == "arn:aws:iam::123456789012:root" and root["UserId"] == "123456789012"
    creds = user_with_key(cloud, "carol", inline=doc(allow("iam:GetUser")))
    me = cloud.client("iam", **creds).get_user()["User"]
    assert me["UserName"] == "carol"


def test_get_missing_user(iam):
    e = error(iam.get_user, UserName="ghost")
    assert (e["Code"], e["Status"], e["Message"]) == (
        "NoSuchEntity", 404, "The user with name ghost cannot be found.")


def test_update_user_renames_and_keeps_keys_working(cloud, iam):
    creds = user_with_key(cloud, "dan", inline=doc(allow("iam:GetUser")))
    iam.update_user(UserName="dan", NewUserName="daniel", NewPath="/ops/")
    user = iam.get_user(UserName="daniel")["User"]
    assert user["Arn"] == "arn:aws:iam::123456789012:user/ops/daniel"
    assert error(iam.get_user, UserName="dan")["Code"] == "NoSuchEntity"
    keys = iam.list_access_keys(UserName="daniel")["AccessKeyMetadata"]
    assert [k["UserName"] for k in keys] == ["daniel"]
    assert cloud.client("iam", **creds).get_user()["User"]["UserName"] == "daniel"
    iam.create_user(UserName="erin")
    assert error(iam.update_user, UserName="erin", NewUserName="DANIEL")["Code"] == \
        "EntityAlreadyExists"


def test_delete_user_conflicts_in_order(iam):
    iam.create_user(UserName="frank")
    iam.create_group(GroupName="g")
    key = iam.create_access_key(UserName="frank")["AccessKey"]["AccessKeyId"]
    iam.create_login_profile(UserName="frank", Password="Secr3t!pass")
    iam.put_user_policy(UserName="frank", PolicyName="p", PolicyDocument=doc(allow("s3:*")))
    iam.attach_user_policy(UserName="frank", PolicyArn=S3_READ)
    iam.add_user_to_group(UserName="frank", GroupName="g")
    steps = [("must delete login profile first.", lambda: iam.delete_login_profile(
                UserName="frank")),
             ("must delete access keys first.", lambda: iam.delete_access_key(
                 UserName="frank", AccessKeyId=key)),
             ("must delete policies first.", lambda: iam.delete_user_policy(
                 UserName="frank", PolicyName="p")),
             ("must detach all policies first.", lambda: iam.detach_user_policy(
                 UserName="frank", PolicyArn=S3_READ)),
             ("must remove users from group first.", lambda: iam.remove_user_from_group(
                 UserName="frank", GroupName="g"))]
    for message, fix in steps:
        e = error(iam.delete_user, UserName="frank")
        assert (e["Code"], e["Status"]) == ("DeleteConflict", 409)
        assert e["Message"] == f"Cannot delete entity, {message}"
        fix()
    iam.delete_user(UserName="frank")
    assert iam.list_users()["Users"] == []


# -- access keys -----------------------------------------------------------------------------
def test_access_keys_quota_update_delete(cloud, iam):
    iam.create_user(UserName="gina")
    first = iam.create_access_key(UserName="gina")["AccessKey"]
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", first["AccessKeyId"])
    assert len(first["SecretAccessKey"]) == 40 and first["Status"] == "Active"
    iam.create_access_key(UserName="gina")
    e = error(iam.create_access_key, UserName="gina")
    assert (e["Code"], e["Status"], e["Message"]) == (
        "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")
    listed = iam.list_access_keys(UserName="gina")["AccessKeyMetadata"]
    assert len(listed) == 2 and all("SecretAccessKey" not in k for k in listed)
    iam.update_access_key(UserName="gina", AccessKeyId=first["AccessKeyId"], Status="Inactive")
    assert {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(
        UserName="gina")["AccessKeyMetadata"]}[first["AccessKeyId"]] == "Inactive"
    iam.delete_access_key(UserName="gina", AccessKeyId=first["AccessKeyId"])
    e = error(iam.delete_access_key, UserName="gina", AccessKeyId=first["AccessKeyId"])
    assert (e["Code"], e["Message"]) == (
        "NoSuchEntity", f"The Access Key with id {first['AccessKeyId']} cannot be found.")


def test_key_of_another_user_is_not_found(iam):
    iam.create_user(UserName="h1")
    iam.create_user(UserName="h2")
    key = iam.create_access_key(UserName="h1")["AccessKey"]["AccessKeyId"]
    assert error(iam.update_access_key, UserName="h2", AccessKeyId=key,
                 Status="Inactive")["Code"] == "NoSuchEntity"


def test_root_manages_its_own_keys(cloud, iam):
    root_keys = iam.list_access_keys()["AccessKeyMetadata"]
    assert len(root_keys) == 1 and "UserName" not in root_keys[0]
    second = iam.create_access_key()["AccessKey"]
    assert error(iam.create_access_key)["Code"] == "LimitExceeded"
    sts = cloud.client("sts", aws_access_key_id=second["AccessKeyId"],
                       aws_secret_access_key=second["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"] == "arn:aws:iam::123456789012:root"


def test_access_key_last_used(cloud, iam):
    creds = user_with_key(cloud, "ivan")
    key_id = creds["aws_access_key_id"]
    before = iam.get_access_key_last_used(AccessKeyId=key_id)
    assert before["UserName"] == "ivan"
    assert before["AccessKeyLastUsed"] == {"ServiceName": "N/A", "Region": "N/A"}
    cloud.client("sts", region_name="eu-west-1", **creds).get_caller_identity()
    after = iam.get_access_key_last_used(AccessKeyId=key_id)["AccessKeyLastUsed"]
    assert (after["ServiceName"], after["Region"]) == ("sts", "eu-west-1")
    assert after["LastUsedDate"].tzinfo == tzutc()


# -- groups ----------------------------------------------------------------------------------
def test_groups_membership_and_listing(iam):
    group = iam.create_group(GroupName="devs", Path="/eng/")["Group"]
    assert group["Arn"] == "arn:aws:iam::123456789012:group/eng/devs"
    assert group["GroupId"].startswith("AGPA")
    assert error(iam.create_group, GroupName="DEVS")["Code"] == "EntityAlreadyExists"
    iam.create_user(UserName="jo")
    iam.add_user_to_group(GroupName="devs", UserName="jo")
    iam.add_user_to_group(GroupName="devs", UserName="jo")          # idempotent
    got = iam.get_group(GroupName="devs")
    assert [u["UserName"] for u in got["Users"]] == ["jo"] and got["Group"]["GroupName"] == "devs"
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="jo")["Groups"]] == ["devs"]
    assert iam.list_groups(PathPrefix="/eng/")["Groups"][0]["GroupName"] == "devs"
    assert iam.list_groups(PathPrefix="/other/")["Groups"] == []
    e = error(iam.delete_group, GroupName="devs")
    assert e["Message"] == "Cannot delete entity, must remove users from group first."
    iam.remove_user_from_group(GroupName="devs", UserName="jo")
    assert error(iam.remove_user_from_group, GroupName="devs",
                 UserName="jo")["Code"] == "NoSuchEntity"
    iam.delete_group(GroupName="devs")
    assert error(iam.get_group, GroupName="devs")["Message"] == \
        "The group with name devs cannot be found."


def test_groups_per_user_quota(iam):
    iam.create_user(UserName="kim")
    for i in range(10):
        iam.create_group(GroupName=f"g{i}")
        iam.add_user_to_group(GroupName=f"g{i}", UserName="kim")
    iam.create_group(GroupName="g10")
    e = error(iam.add_user_to_group, GroupName="g10", UserName="kim")
    assert (e["Code"], e["Message"]) == (
        "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10")


def test_rename_group_keeps_members(iam):
    iam.create_group(GroupName="a")
    iam.create_user(UserName="lee")
    iam.add_user_to_group(GroupName="a", UserName="lee")
    iam.update_group(GroupName="a", NewGroupName="b")
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="lee")["Groups"]] == ["b"]


# -- login profiles --------------------------------------------------------------------------
def test_login_profile_lifecycle(iam):
    iam.create_user(UserName="mia")
    assert error(iam.get_login_profile, UserName="mia")["Message"] == \
        "Login Profile for User mia cannot be found."
    profile = iam.create_login_profile(UserName="mia", Password="Xy7!secret",
                                       PasswordResetRequired=True)["LoginProfile"]
    assert profile["UserName"] == "mia" and profile["PasswordResetRequired"] is True
    assert error(iam.create_login_profile, UserName="mia",
                 Password="Xy7!secret")["Code"] == "EntityAlreadyExists"
    assert iam.get_login_profile(UserName="mia")["LoginProfile"]["CreateDate"] == \
        profile["CreateDate"]
    iam.delete_login_profile(UserName="mia")
    assert error(iam.delete_login_profile, UserName="mia")["Code"] == "NoSuchEntity"


# -- tags ------------------------------------------------------------------------------------
def test_user_tags(iam):
    iam.create_user(UserName="ned", Tags=[{"Key": "Team", "Value": "a"}])
    iam.tag_user(UserName="ned", Tags=[{"Key": "team", "Value": "b"}, {"Key": "x", "Value": "1"}])
    assert iam.list_user_tags(UserName="ned")["Tags"] == [{"Key": "team", "Value": "b"},
                                                          {"Key": "x", "Value": "1"}]
    iam.untag_user(UserName="ned", TagKeys=["TEAM", "absent"])
    assert iam.list_user_tags(UserName="ned")["Tags"] == [{"Key": "x", "Value": "1"}]
    e = error(iam.tag_user, UserName="ned", Tags=[{"Key": "k", "Value": "1"},
                                                   {"Key": "K", "Value": "2"}])
    assert e["Code"] == "InvalidInput"
    e = error(iam.tag_user, UserName="ned", Tags=[{"Key": "bad\u0001key", "Value": "v"}])
    assert e["Code"] == "ValidationError" and "tags.1.member.key" in e["Message"]
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    assert error(iam.tag_user, UserName="ned", Tags=too_many)["Code"] == "LimitExceeded"
    assert len(iam.list_user_tags(UserName="ned")["Tags"]) == 1


# -- account ---------------------------------------------------------------------------------
def test_account_alias(cloud, iam):
    assert iam.list_account_aliases()["AccountAliases"] == []
    iam.create_account_alias(AccountAlias="my-school")
    iam.create_account_alias(AccountAlias="my-school-2")     # replaces the old alias
    assert iam.list_account_aliases()["AccountAliases"] == ["my-school-2"]
    other = cloud.client("iam", account=cloud.new_account())
    assert error(other.create_account_alias, AccountAlias="my-school-2")["Code"] == \
        "EntityAlreadyExists"
    assert error(iam.create_account_alias, AccountAlias="Bad_Alias")["Code"] == "ValidationError"
    assert error(iam.delete_account_alias, AccountAlias="nope")["Code"] == "NoSuchEntity"
    iam.delete_account_alias(AccountAlias="my-school-2")
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_account_summary_counts(iam):
    before = iam.get_account_summary()["SummaryMap"]
    iam.create_user(UserName="o")
    iam.create_group(GroupName="g")
    iam.create_policy(PolicyName="p", PolicyDocument=doc(allow("s3:*")))
    after = iam.get_account_summary()["SummaryMap"]
    assert after["Users"] == before["Users"] + 1
    assert after["Groups"] == before["Groups"] + 1
    assert after["Policies"] == before["Policies"] + 1
    assert after["AccessKeysPerUserQuota"] == 2 and after["VersionsPerPolicyQuota"] == 5
    assert after["AttachedPoliciesPerRoleQuota"] == 10 and after["GroupsPerUserQuota"] == 10
    assert after["AssumeRolePolicySizeQuota"] == 2048 and after["PolicySizeQuota"] == 6144


# -- pagination ------------------------------------------------------------------------------
def test_marker_pagination(iam):
    for i in range(7):
        iam.create_user(UserName=f"user{i}")
    first = iam.list_users(MaxItems=3)
    assert first["IsTruncated"] is True and len(first["Users"]) == 3
    second = iam.list_users(MaxItems=3, Marker=first["Marker"])
    third = iam.list_users(MaxItems=3, Marker=second["Marker"])
    assert third["IsTruncated"] is False and "Marker" not in third
    names = [u["UserName"] for page in (first, second, third) for u in page["Users"]]
    assert names == [f"user{i}" for i in range(7)]
    paged = [u["UserName"] for page in iam.get_paginator("list_users").paginate(
        PaginationConfig={"PageSize": 2}) for u in page["Users"]]
    assert paged == names
    assert error(iam.list_users, Marker="garbage")["Code"] == "ValidationError"
    assert error(iam.list_users, MaxItems=1001)["Message"].endswith(
        "Member must have value less than or equal to 1000")


def test_get_group_paginates_users(iam):
    iam.create_group(GroupName="big")
    for i in range(5):
        iam.create_user(UserName=f"m{i}")
        iam.add_user_to_group(GroupName="big", UserName=f"m{i}")
    pages = list(iam.get_paginator("get_group").paginate(GroupName="big",
                                                         PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert [u["UserName"] for p in pages for u in p["Users"]] == [f"m{i}" for i in range(5)]


# -- the front door --------------------------------------------------------------------------
def test_unsigned_iam_request(cloud):
    from botocore import UNSIGNED
    from botocore.config import Config
    anonymous = cloud.client("iam", config=Config(signature_version=UNSIGNED))
    e = error(anonymous.list_users)
    assert (e["Code"], e["Status"]) == ("MissingAuthenticationToken", 403)


def test_every_mutation_is_traced(cloud, iam):
    iam.create_user(UserName="trace-me")
    trace = cloud.traces[-1]
    assert trace.operation == "CreateUser"
    components = [s.component for s in trace.steps]
    assert components[0] == "IAM API" and components.count("IAM") == 2
    assert "iam:CreateUser" in trace.steps[1].action and "allowed" in trace.steps[1].action


def test_access_key_status_expired_cannot_be_set(iam):
    iam.create_user(UserName="pia")
    key = iam.create_access_key(UserName="pia")["AccessKey"]["AccessKeyId"]
    assert error(iam.update_access_key, UserName="pia", AccessKeyId=key,
                 Status="Expired")["Code"] == "InvalidInput"
    assert error(iam.update_access_key, UserName="pia", AccessKeyId=key,
                 Status="Paused")["Code"] == "ValidationError"


def test_mock_aws_front(cloud):
    import boto3

    import awskit
    with awskit.mock_aws(cloud):
        iam = boto3.client("iam")
        iam.create_user(UserName="mocked")
        assert boto3.client("sts").get_caller_identity()["Account"] == "123456789012"
    assert cloud.iam.get_user(UserName="mocked")["User"]["UserName"] == "mocked"
