"""IAM authorization end to end: who may call what, authentication errors per service,
cloud.iam.explain, and IAM state surviving save/load."""

import json

import pytest

import awskit
from awskit.iam.policy import Policy
from iam_helpers import allow, deny, doc, error, session_creds, trust, user_with_key

ACCOUNT = "123456789012"
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture
def iam(cloud):
    return cloud.client("iam")


@pytest.fixture
def photos(cloud):
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket="photos")
    s3.put_object(Bucket="photos", Key="cat.jpg", Body=b"meow")
    return s3


# -- the end-to-end story --------------------------------------------------------------------
def test_read_only_user_reads_but_cannot_write(cloud, photos):
    creds = user_with_key(cloud, "alice", S3_READ)
    s3 = cloud.client("s3", **creds)
    assert s3.get_object(Bucket="photos", Key="cat.jpg")["Body"].read() == b"meow"
    e = error(s3.put_object, Bucket="photos", Key="dog.jpg", Body=b"woof")
    assert (e["Code"], e["Status"]) == ("AccessDenied", 403)
    trace = cloud.traces[-1]
    assert trace.operation == "PutObject" and trace.error == "AccessDenied"
    iam_steps = [s for s in trace.steps if s.component == "IAM"]
    assert len(iam_steps) == 1
    step = iam_steps[0]
    assert step.detail["action"] == "s3:PutObject"
    assert step.detail["resource"] == "arn:aws:s3:::photos/dog.jpg"
    assert step.detail["decision"] == "implicitDeny"
    assert step.detail["principal"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert "denied" in step.action
    assert "no identity-based policy allows s3:PutObject" in step.detail["reason"]
    assert not any(s.component == "Data store" for s in trace.steps)
    assert error(cloud.client("s3").get_object, Bucket="photos", Key="dog.jpg")["Code"] == \
        "NoSuchKey"


def test_new_permissions_apply_at_once(cloud, iam, photos):
    s3 = cloud.client("s3", **user_with_key(cloud, "bob"))
    assert error(s3.list_objects_v2, Bucket="photos")["Code"] == "AccessDenied"
    iam.create_group(GroupName="readers")
    iam.attach_group_policy(GroupName="readers", PolicyArn=S3_READ)
    iam.add_user_to_group(GroupName="readers", UserName="bob")
    assert s3.list_objects_v2(Bucket="photos")["KeyCount"] == 1
    iam.remove_user_from_group(GroupName="readers", UserName="bob")
    assert error(s3.list_objects_v2, Bucket="photos")["Code"] == "AccessDenied"


def test_boundary_caps_an_administrator(cloud, iam, photos):
    creds = user_with_key(cloud, "cara", ADMIN)
    iam.put_user_permissions_boundary(UserName="cara", PermissionsBoundary=S3_READ)
    s3 = cloud.client("s3", **creds)
    s3.get_object(Bucket="photos", Key="cat.jpg")
    assert error(s3.put_object, Bucket="photos", Key="x", Body=b"")["Code"] == "AccessDenied"
    assert error(cloud.client("iam", **creds).list_users)["Code"] == "AccessDenied"


def test_policy_variables_give_each_user_a_home(cloud, iam):
    root_s3 = cloud.client("s3")
    root_s3.create_bucket(Bucket="homes")
    home = doc(allow(["s3:PutObject", "s3:GetObject"], "arn:aws:s3:::homes/${aws:username}/*"))
    s3 = cloud.client("s3", **user_with_key(cloud, "dora", inline=home))
    s3.put_object(Bucket="homes", Key="dora/notes.txt", Body=b"mine")
    assert error(s3.put_object, Bucket="homes", Key="eve/notes.txt", Body=b"x")["Code"] == \
        "AccessDenied"


# -- IAM's own authorization -----------------------------------------------------------------
def test_iam_users_need_permissions_and_messages_name_the_resource(cloud):
    iam = cloud.client("iam", **user_with_key(cloud, "fred"))
    e = error(iam.list_users)
    assert (e["Code"], e["Status"]) == ("AccessDenied", 403)
    assert e["Message"] == (f"User: arn:aws:iam::{ACCOUNT}:user/fred is not authorized to "
                            f"perform: iam:ListUsers on resource: arn:aws:iam::{ACCOUNT}:user/ "
                            "because no identity-based policy allows the iam:ListUsers action")
    e = error(iam.list_policies)
    assert "iam:ListPolicies on resource: policy path /" in e["Message"]
    # authorization comes before the existence check
    e = error(iam.get_user, UserName="nobody")
    assert e["Code"] == "AccessDenied" and "user/nobody" in e["Message"]


def test_resource_scoped_iam_permissions(cloud):
    creds = user_with_key(cloud, "gus", inline=doc(
        allow(["iam:CreateUser", "iam:GetUser"], f"arn:aws:iam::{ACCOUNT}:user/interns/*")))
    iam = cloud.client("iam", **creds)
    iam.create_user(UserName="ivy", Path="/interns/")
    assert iam.get_user(UserName="ivy")["User"]["Path"] == "/interns/"
    e = error(iam.create_user, UserName="ivan", Path="/admins/")
    assert f"on resource: arn:aws:iam::{ACCOUNT}:user/admins/ivan" in e["Message"]


def test_explicit_deny_wins_and_says_so(cloud):
    creds = user_with_key(cloud, "hana", ADMIN, inline=doc(deny("iam:DeleteUser")))
    iam = cloud.client("iam", **creds)
    iam.create_user(UserName="victim")
    e = error(iam.delete_user, UserName="victim")
    assert e["Message"].endswith("with an explicit deny in an identity-based policy")
    assert iam.get_user(UserName="victim")["User"]["UserName"] == "victim"


def test_condition_keys_of_iam_actions(cloud, iam):
    only_read = doc(allow("iam:AttachUserPolicy", "*",
                          Condition={"ArnEquals": {"iam:PolicyARN": S3_READ}}),
                    allow("iam:GetRole", "*",
                          Condition={"StringEquals": {"aws:ResourceTag/team": "blue"}}))
    delegate = cloud.client("iam", **user_with_key(cloud, "ian", inline=only_read))
    iam.create_user(UserName="junior")
    delegate.attach_user_policy(UserName="junior", PolicyArn=S3_READ)
    assert error(delegate.attach_user_policy, UserName="junior",
                 PolicyArn=ADMIN)["Code"] == "AccessDenied"
    t = trust({"Service": "ec2.amazonaws.com"})
    iam.create_role(RoleName="blue", AssumeRolePolicyDocument=t,
                    Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_role(RoleName="red", AssumeRolePolicyDocument=t,
                    Tags=[{"Key": "team", "Value": "red"}])
    delegate.get_role(RoleName="blue")
    assert error(delegate.get_role, RoleName="red")["Code"] == "AccessDenied"


def test_root_may_do_anything_in_its_own_account_only(cloud, iam):
    other = cloud.new_account()
    cloud.client("iam", account=other).create_user(UserName="theirs")
    assert error(iam.get_user, UserName="theirs")["Code"] == "NoSuchEntity"
    iam.create_user(UserName="ours")
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["ours"]


# -- authentication errors, per service ------------------------------------------------------
def test_unknown_key(cloud):
    fake = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
            "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
    for service in ("iam", "sts"):
        client = cloud.client(service, **fake)
        call = client.list_users if service == "iam" else client.get_caller_identity
        e = error(call)
        assert (e["Code"], e["Status"]) == ("InvalidClientTokenId", 403)
        assert e["Message"] == "The security token included in the request is invalid."
    e = error(cloud.client("s3", **fake).list_buckets)
    assert (e["Code"], e["Status"]) == ("InvalidAccessKeyId", 403)


def test_wrong_secret(cloud):
    creds = user_with_key(cloud, "kit", S3_READ)
    bad = {**creds, "aws_secret_access_key": "x" * 40}
    for client, call in ((cloud.client("sts", **bad), "get_caller_identity"),
                         (cloud.client("iam", **bad), "list_users"),
                         (cloud.client("s3", **bad), "list_buckets")):
        e = error(getattr(client, call))
        assert (e["Code"], e["Status"]) == ("SignatureDoesNotMatch", 403)


def test_deactivated_and_deleted_keys_are_refused(cloud, iam):
    creds = user_with_key(cloud, "lia", S3_READ)
    key_id = creds["aws_access_key_id"]
    iam.update_access_key(UserName="lia", AccessKeyId=key_id, Status="Inactive")
    assert error(cloud.client("sts", **creds).get_caller_identity)["Code"] == \
        "InvalidClientTokenId"
    assert error(cloud.client("s3", **creds).list_buckets)["Code"] == "InvalidAccessKeyId"
    iam.update_access_key(UserName="lia", AccessKeyId=key_id, Status="Active")
    cloud.client("s3", **creds).list_buckets()
    iam.delete_access_key(UserName="lia", AccessKeyId=key_id)
    assert error(cloud.client("sts", **creds).get_caller_identity)["Code"] == \
        "InvalidClientTokenId"


# -- explain ---------------------------------------------------------------------------------
def test_explain_names_policies_and_the_deciding_statement(cloud, photos):
    user_with_key(cloud, "mae", S3_READ)
    denied = cloud.iam.explain("mae", "s3:PutObject", "arn:aws:s3:::photos/x")
    assert denied.decision.decision == "implicitDeny" and not denied.allowed
    text = str(denied)
    assert text == repr(denied)
    assert text.splitlines()[0] == (f"arn:aws:iam::{ACCOUNT}:user/mae -> s3:PutObject on "
                                    "arn:aws:s3:::photos/x: DENIED (implicitDeny)")
    assert S3_READ in text and "no statement applies" in text
    assert "no identity-based policy allows s3:PutObject" in text
    allowed = cloud.iam.explain(f"arn:aws:iam::{ACCOUNT}:user/mae", "s3:GetObject",
                                "arn:aws:s3:::photos/cat.jpg")
    assert allowed.verdict == "allowed"
    assert '"s3:Get*"' in str(allowed) and "Deciding statement" in str(allowed)
    assert "statement #1" in allowed.details()


def test_explain_includes_the_bucket_policy(cloud, photos):
    other = cloud.new_account()
    creds = user_with_key(cloud, "nia", inline=doc(allow("s3:GetObject")), account=other)
    cloud.s3.buckets["photos"].policy = Policy.parse(json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "PartnerRead", "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{other}:user/nia"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}), kind="resource")
    answer = cloud.iam.explain(f"arn:aws:iam::{other}:user/nia", "s3:GetObject",
                               "arn:aws:s3:::photos/cat.jpg")
    assert answer.allowed
    assert "arn:aws:s3:::photos (bucket policy)" in str(answer)
    assert "'PartnerRead'" in str(answer)
    s3 = cloud.client("s3", **creds)
    assert s3.get_object(Bucket="photos", Key="cat.jpg")["Body"].read() == b"meow"
    refused = cloud.iam.explain(f"arn:aws:iam::{other}:user/nia", "s3:PutObject",
                                "arn:aws:s3:::photos/cat.jpg")
    assert not refused.allowed and "cross-account" in str(refused)


def test_explain_root_role_and_unknown(cloud, iam):
    root = cloud.iam.explain(ACCOUNT, "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x")
    assert root.allowed and "not applicable (the account root user)" in str(root)
    iam.create_role(RoleName="builder", AssumeRolePolicyDocument=trust(
        {"Service": "ec2.amazonaws.com"}))
    iam.attach_role_policy(RoleName="builder", PolicyArn=S3_READ)
    as_role = cloud.iam.explain("builder", "s3:ListBucket", "arn:aws:s3:::any")
    assert as_role.allowed
    from awskit.errors import NoSuchEntity
    with pytest.raises(NoSuchEntity):
        cloud.iam.explain("nobody-at-all", "s3:ListBucket")


# -- state -----------------------------------------------------------------------------------
def _snapshot(cloud, account=None):
    iam = cloud.client("iam", account=account)
    out = {"users": iam.list_users()["Users"], "groups": iam.list_groups()["Groups"],
           "roles": [iam.get_role(RoleName=r["RoleName"])["Role"]
                     for r in iam.list_roles()["Roles"]],
           "policies": [iam.get_policy(PolicyArn=p["Arn"])["Policy"]
                        for p in iam.list_policies(Scope="Local")["Policies"]],
           "aliases": iam.list_account_aliases()["AccountAliases"],
           "summary": iam.get_account_summary()["SummaryMap"]}
    for user in out["users"]:
        name = user["UserName"]
        out[f"user:{name}"] = (iam.get_user(UserName=name)["User"],
                               iam.list_access_keys(UserName=name)["AccessKeyMetadata"],
                               iam.list_groups_for_user(UserName=name)["Groups"],
                               iam.list_attached_user_policies(UserName=name)["AttachedPolicies"],
                               [iam.get_user_policy(UserName=name, PolicyName=p)["PolicyDocument"]
                                for p in iam.list_user_policies(UserName=name)["PolicyNames"]])
    for policy in out["policies"]:
        out[f"versions:{policy['Arn']}"] = [
            iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=v["VersionId"])
            for v in iam.list_policy_versions(PolicyArn=policy["Arn"])["Versions"]]
    for value in out.values():
        _strip_metadata(value)
    return out


def _strip_metadata(value):
    if isinstance(value, dict):
        value.pop("ResponseMetadata", None)
        for v in value.values():
            _strip_metadata(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _strip_metadata(v)


def test_save_load_round_trip_loses_nothing(cloud, iam, photos, tmp_path):
    creds = user_with_key(cloud, "ola", S3_READ, inline=doc(allow("sts:AssumeRole")))
    iam.tag_user(UserName="ola", Tags=[{"Key": "team", "Value": "data"}])
    iam.create_login_profile(UserName="ola", Password="Pa55word!x")
    iam.create_group(GroupName="g", Path="/x/")
    iam.put_group_policy(GroupName="g", PolicyName="gp", PolicyDocument=doc(allow("s3:List*")))
    iam.add_user_to_group(GroupName="g", UserName="ola")
    arn = iam.create_policy(PolicyName="mine", PolicyDocument=doc(allow("s3:GetObject")),
                            Description="d", Tags=[{"Key": "k", "Value": "v"}])["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("s3:*")), SetAsDefault=True)
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"AWS": ACCOUNT}),
                    MaxSessionDuration=7200, PermissionsBoundary=S3_READ)
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)
    iam.create_account_alias(AccountAlias="school")
    session = cloud.client("sts", **creds).assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/r", RoleSessionName="saved",
        Policy=doc(allow("s3:GetObject")))["Credentials"]
    before = _snapshot(cloud)
    explained = str(cloud.iam.explain("ola", "s3:GetObject", "arn:aws:s3:::photos/cat.jpg"))

    loaded = awskit.Cloud.load(cloud.save(tmp_path / "cloud.json.gz"))
    assert _snapshot(loaded) == before
    assert str(loaded.iam.explain("ola", "s3:GetObject",
                                  "arn:aws:s3:::photos/cat.jpg")) == explained
    # credentials, sessions and their policies still work after loading
    assert loaded.client("s3", **creds).get_object(Bucket="photos", Key="cat.jpg")[
        "Body"].read() == b"meow"
    role_s3 = loaded.client("s3", **session_creds(session))
    role_s3.get_object(Bucket="photos", Key="cat.jpg")
    assert error(role_s3.list_objects_v2, Bucket="photos")["Code"] == "AccessDenied"
    loaded.advance(hours=1)
    assert error(role_s3.get_object, Bucket="photos", Key="cat.jpg")["Code"] == "ExpiredToken"
    # and both clouds keep issuing the same ids
    assert loaded.client("iam").create_user(UserName="next")["User"]["UserId"] == \
        cloud.client("iam").create_user(UserName="next")["User"]["UserId"]


def test_iam_graph(cloud, iam):
    iam.create_user(UserName="u")
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="u")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust({"Service": "ec2.amazonaws.com"}))
    iam.attach_role_policy(RoleName="r", PolicyArn=S3_READ)
    graph = cloud.graph()
    user, group = f"arn:aws:iam::{ACCOUNT}:user/u", f"arn:aws:iam::{ACCOUNT}:group/g"
    role = f"arn:aws:iam::{ACCOUNT}:role/r"
    assert graph.edges[user, group]["relation"] == "member-of"
    assert graph.edges[role, S3_READ]["relation"] == "attached-policy"
    assert graph.edges[role, "ec2.amazonaws.com"]["relation"] == "trusts"


def test_same_seed_same_identities():
    def run():
        cloud = awskit.Cloud(seed=7)
        iam = cloud.client("iam")
        user = iam.create_user(UserName="a")["User"]
        key = iam.create_access_key(UserName="a")["AccessKey"]
        return user["UserId"], key["AccessKeyId"], key["SecretAccessKey"]
    assert run() == run()
