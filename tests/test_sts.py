"""STS through boto3: GetCallerIdentity, AssumeRole (same account, cross-account, chaining,
conditions, session policies, tags), GetSessionToken, expiry on the simulated clock."""

import re

import pytest
from botocore.exceptions import ParamValidationError

from iam_helpers import allow, doc, error, session_creds, trust, user_with_key

ACCOUNT = "123456789012"
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
S3_FULL = "arn:aws:iam::aws:policy/AmazonS3FullAccess"


@pytest.fixture
def iam(cloud):
    return cloud.client("iam")


def make_role(iam, name, principal, *policies, **kwargs):
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(principal, **kwargs.pop(
        "trust_extra", {})), **kwargs)["Role"]
    for arn in policies:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    return role


# -- GetCallerIdentity ------------------------------------------------------------------------
def test_caller_identity_of_every_principal_kind(cloud, iam):
    assert cloud.client("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    creds = user_with_key(cloud, "ann")
    user_id = iam.get_user(UserName="ann")["User"]["UserId"]
    me = cloud.client("sts", **creds).get_caller_identity()
    assert (me["UserId"], me["Account"], me["Arn"]) == (user_id, ACCOUNT,
                                                        f"arn:aws:iam::{ACCOUNT}:user/ann")
    role = make_role(iam, "viewer", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/ann"})
    out = cloud.client("sts", **creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s-session")
    as_role = cloud.client("sts", **session_creds(out["Credentials"])).get_caller_identity()
    assert as_role["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/viewer/s-session"
    assert as_role["UserId"] == f"{role['RoleId']}:s-session"
    assert out["AssumedRoleUser"] == {"AssumedRoleId": as_role["UserId"], "Arn": as_role["Arn"]}
    token = cloud.client("sts", **creds).get_session_token()["Credentials"]
    via_token = cloud.client("sts", **session_creds(token)).get_caller_identity()
    assert (via_token["UserId"], via_token["Arn"]) == (me["UserId"], me["Arn"])


def test_caller_identity_ignores_explicit_deny(cloud):
    creds = user_with_key(cloud, "denied", inline=doc({"Effect": "Deny", "Action": "*",
                                                       "Resource": "*"}))
    assert cloud.client("sts", **creds).get_caller_identity()["Arn"].endswith(":user/denied")


def test_unsigned_sts_request(cloud):
    from botocore import UNSIGNED
    from botocore.config import Config
    sts = cloud.client("sts", config=Config(signature_version=UNSIGNED))
    assert error(sts.get_caller_identity)["Code"] == "MissingAuthenticationToken"


# -- AssumeRole: who may ----------------------------------------------------------------------
def test_trust_naming_the_user_needs_no_identity_permission(cloud, iam):
    creds = user_with_key(cloud, "bo")
    role = make_role(iam, "direct", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bo"})
    out = cloud.client("sts", **creds).assume_role(RoleArn=role["Arn"], RoleSessionName="x-session")
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", out["Credentials"]["AccessKeyId"])
    assert out["Credentials"]["SessionToken"]
    lifetime = (out["Credentials"]["Expiration"] - cloud.now).total_seconds()
    assert lifetime == pytest.approx(3600, abs=1)


def test_trust_naming_the_account_needs_identity_permission(cloud, iam):
    role = make_role(iam, "acct", {"AWS": ACCOUNT})
    plain = user_with_key(cloud, "cy")
    e = error(cloud.client("sts", **plain).assume_role, RoleArn=role["Arn"],
              RoleSessionName="x-session")
    assert (e["Code"], e["Status"]) == ("AccessDenied", 403)
    assert e["Message"] == (f"User: arn:aws:iam::{ACCOUNT}:user/cy is not authorized to perform: "
                            f"sts:AssumeRole on resource: {role['Arn']} because no "
                            "identity-based policy allows the sts:AssumeRole action")
    allowed = user_with_key(cloud, "di", inline=doc(allow("sts:AssumeRole", role["Arn"])))
    cloud.client("sts", **allowed).assume_role(RoleArn=role["Arn"], RoleSessionName="x-session")


def test_trust_must_allow_even_with_identity_permission(cloud, iam):
    role = make_role(iam, "ec2only", {"Service": "ec2.amazonaws.com"})
    creds = user_with_key(cloud, "ed", inline=doc(allow("sts:AssumeRole")))
    e = error(cloud.client("sts", **creds).assume_role, RoleArn=role["Arn"],
              RoleSessionName="x-session")
    assert e["Message"] == (f"User: arn:aws:iam::{ACCOUNT}:user/ed is not authorized to perform: "
                            f"sts:AssumeRole on resource: {role['Arn']}")


def test_missing_role_looks_like_a_refusal(cloud):
    creds = user_with_key(cloud, "fay", inline=doc(allow("sts:AssumeRole")))
    arn = f"arn:aws:iam::{ACCOUNT}:role/nothing-here"
    e = error(cloud.client("sts", **creds).assume_role, RoleArn=arn, RoleSessionName="x-session")
    assert e["Code"] == "AccessDenied" and arn in e["Message"]


def test_root_cannot_assume_roles(cloud, iam):
    role = make_role(iam, "r", {"AWS": ACCOUNT})
    e = error(cloud.client("sts").assume_role, RoleArn=role["Arn"], RoleSessionName="x-session")
    assert (e["Code"], e["Message"]) == (
        "AccessDenied", "Roles may not be assumed by root accounts.")


def test_external_id_condition(cloud, iam):
    role = make_role(iam, "vendor", {"AWS": ACCOUNT},
                     trust_extra={"Condition": {"StringEquals": {"sts:ExternalId": "s3cr3t-id"}}})
    sts = cloud.client("sts", **user_with_key(cloud, "gil", inline=doc(allow("sts:AssumeRole"))))
    assert error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="x-session")["Code"] == \
        "AccessDenied"
    assert error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="x-session",
                 ExternalId="wrong-id")["Code"] == "AccessDenied"
    sts.assume_role(RoleArn=role["Arn"], RoleSessionName="x-session", ExternalId="s3cr3t-id")


def test_mfa_condition_in_trust(cloud, iam):
    role = make_role(iam, "admin", {"AWS": ACCOUNT},
                     trust_extra={"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}})
    sts = cloud.client("sts", **user_with_key(cloud, "hal", inline=doc(allow("sts:AssumeRole"))))
    assert error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="x-session")["Code"] == \
        "AccessDenied"
    sts.assume_role(RoleArn=role["Arn"], RoleSessionName="x-session",
                    SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/hal", TokenCode="123456")


# -- AssumeRole: cross-account ----------------------------------------------------------------
def test_cross_account_role(cloud, iam):
    other = cloud.new_account()
    their_iam = cloud.client("iam", account=other)
    their_s3 = cloud.client("s3", account=other)
    their_s3.create_bucket(Bucket="their-data")
    their_s3.put_object(Bucket="their-data", Key="k", Body=b"hello")
    role = make_role(their_iam, "auditor", {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, S3_READ)
    assert role["Arn"] == f"arn:aws:iam::{other}:role/auditor"
    without = user_with_key(cloud, "ike")
    e = error(cloud.client("sts", **without).assume_role, RoleArn=role["Arn"],
              RoleSessionName="audit")
    assert e["Code"] == "AccessDenied"       # across accounts the identity side must allow too
    creds = user_with_key(cloud, "jan", inline=doc(allow("sts:AssumeRole", role["Arn"])))
    out = cloud.client("sts", **creds).assume_role(RoleArn=role["Arn"], RoleSessionName="audit")
    session = session_creds(out["Credentials"])
    me = cloud.client("sts", **session).get_caller_identity()
    assert me["Account"] == other
    assert me["Arn"] == f"arn:aws:sts::{other}:assumed-role/auditor/audit"
    s3 = cloud.client("s3", **session)
    assert s3.get_object(Bucket="their-data", Key="k")["Body"].read() == b"hello"
    assert error(s3.put_object, Bucket="their-data", Key="k2", Body=b"x")["Code"] == \
        "AccessDenied"
    assert their_iam.get_role(RoleName="auditor")["Role"]["RoleLastUsed"]["Region"] == \
        cloud.default_region


# -- sessions act as the role -----------------------------------------------------------------
def test_session_uses_the_roles_current_policies(cloud, iam):
    cloud.client("s3").create_bucket(Bucket="bkt")
    creds = user_with_key(cloud, "kai")
    role = make_role(iam, "reader", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/kai"})
    out = cloud.client("sts", **creds).assume_role(RoleArn=role["Arn"], RoleSessionName="s-session")
    s3 = cloud.client("s3", **session_creds(out["Credentials"]))
    assert error(s3.list_objects_v2, Bucket="bkt")["Code"] == "AccessDenied"
    iam.attach_role_policy(RoleName="reader", PolicyArn=S3_READ)
    assert s3.list_objects_v2(Bucket="bkt")["KeyCount"] == 0
    # a role deleted and re-created under the same name is another role for old sessions
    iam.detach_role_policy(RoleName="reader", PolicyArn=S3_READ)
    iam.delete_role(RoleName="reader")
    make_role(iam, "reader", {"AWS": ACCOUNT}, S3_READ)
    assert error(s3.list_objects_v2, Bucket="bkt")["Code"] == "AccessDenied"


def test_session_policies_intersect(cloud, iam):
    s3_root = cloud.client("s3")
    s3_root.create_bucket(Bucket="bkt")
    s3_root.put_object(Bucket="bkt", Key="k", Body=b"1")
    sts = cloud.client("sts", **user_with_key(cloud, "lu"))
    role = make_role(iam, "full", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/lu"}, S3_FULL)
    inline = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s-session",
                             Policy=doc(allow("s3:GetObject", "arn:aws:s3:::bkt/*")))
    assert 0 < inline["PackedPolicySize"] <= 100
    s3 = cloud.client("s3", **session_creds(inline["Credentials"]))
    s3.get_object(Bucket="bkt", Key="k")
    assert error(s3.put_object, Bucket="bkt", Key="k", Body=b"2")["Code"] == "AccessDenied"
    # a session policy cannot grant more than the role has
    wide = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="t-session", Policy=doc(allow("*")))
    iam_as_role = cloud.client("iam", **session_creds(wide["Credentials"]))
    assert error(iam_as_role.list_users)["Code"] == "AccessDenied"
    managed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="u-session",
                              PolicyArns=[{"arn": S3_READ}])
    s3m = cloud.client("s3", **session_creds(managed["Credentials"]))
    s3m.get_object(Bucket="bkt", Key="k")
    assert error(s3m.put_object, Bucket="bkt", Key="k", Body=b"2")["Code"] == "AccessDenied"
    e = error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="v-session", Policy="{bad")
    assert e["Code"] == "MalformedPolicyDocument"
    e = error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="v-session",
              Policy=doc(allow([f"s3:GetObjectVersionForReplication{i}" for i in range(60)])))
    assert e["Code"] == "PackedPolicyTooLarge"


def test_session_tags_need_tag_session_and_become_principal_tags(cloud, iam):
    cloud.client("s3").create_bucket(Bucket="proj-blue")
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/mo"
    sts = cloud.client("sts", **user_with_key(cloud, "mo"))
    plain = make_role(iam, "plain", {"AWS": user_arn}, S3_READ)
    e = error(sts.assume_role, RoleArn=plain["Arn"], RoleSessionName="s-session",
              Tags=[{"Key": "project", "Value": "blue"}])
    assert e["Code"] == "AccessDenied" and "sts:TagSession" in e["Message"]
    iam.create_role(RoleName="tagged", AssumeRolePolicyDocument=doc(
        {"Effect": "Allow", "Principal": {"AWS": user_arn},
         "Action": ["sts:AssumeRole", "sts:TagSession"]}))
    iam.put_role_policy(RoleName="tagged", PolicyName="abac", PolicyDocument=doc(
        allow("s3:ListBucket", "arn:aws:s3:::proj-${aws:PrincipalTag/project}")))
    out = sts.assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/tagged",
                          RoleSessionName="s-session",
                          Tags=[{"Key": "project", "Value": "blue"}])
    s3 = cloud.client("s3", **session_creds(out["Credentials"]))
    assert s3.list_objects_v2(Bucket="proj-blue")["KeyCount"] == 0


# -- durations and chaining -------------------------------------------------------------------
def test_durations(cloud, iam):
    sts = cloud.client("sts", **user_with_key(cloud, "ned"))
    role = make_role(iam, "long", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/ned"},
                     MaxSessionDuration=7200)
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s-session", DurationSeconds=7200)
    lifetime = (out["Credentials"]["Expiration"] - cloud.now).total_seconds()
    assert lifetime == pytest.approx(7200, abs=1)
    e = error(sts.assume_role, RoleArn=role["Arn"],
              RoleSessionName="s-session", DurationSeconds=7201)
    assert (e["Code"], e["Message"]) == (
        "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set "
        "for this role.")
    e = error(sts.assume_role, RoleArn=role["Arn"],
              RoleSessionName="s-session", DurationSeconds=50000)
    assert e["Message"].endswith("Member must have value less than or equal to 43200")
    with pytest.raises(ParamValidationError):
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s-session", DurationSeconds=899)


def test_role_chaining_is_limited_to_one_hour(cloud, iam):
    second = make_role(iam, "second", {"AWS": ACCOUNT}, MaxSessionDuration=43200)
    ola = user_with_key(cloud, "ola")
    first = make_role(iam, "first", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/ola"})
    iam.put_role_policy(RoleName="first", PolicyName="hop",
                        PolicyDocument=doc(allow("sts:AssumeRole", second["Arn"])))
    out = cloud.client("sts", **ola).assume_role(
        RoleArn=first["Arn"], RoleSessionName="one")
    chained = cloud.client("sts", **session_creds(out["Credentials"]))
    e = error(chained.assume_role, RoleArn=second["Arn"], RoleSessionName="two",
              DurationSeconds=3601)
    assert (e["Code"], e["Message"]) == (
        "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for "
        "roles assumed by role chaining.")
    hop = chained.assume_role(RoleArn=second["Arn"], RoleSessionName="two")
    assert hop["AssumedRoleUser"]["Arn"].endswith(":assumed-role/second/two")


def test_role_session_name_pattern(cloud, iam):
    sts = cloud.client("sts", **user_with_key(cloud, "pat"))
    role = make_role(iam, "r", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/pat"})
    e = error(sts.assume_role, RoleArn=role["Arn"], RoleSessionName="has space")
    assert e["Message"] == ("1 validation error detected: Value 'has space' at 'roleSessionName' "
                            "failed to satisfy constraint: Member must satisfy regular "
                            "expression pattern: [\\w+=,.@-]*")


# -- expiry -----------------------------------------------------------------------------------
def test_temporary_credentials_expire_on_the_simulated_clock(cloud, iam):
    cloud.client("s3").create_bucket(Bucket="bkt")
    creds = user_with_key(cloud, "quin")
    role = make_role(iam, "r", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/quin"}, S3_READ)
    out = cloud.client("sts", **creds).assume_role(
        RoleArn=role["Arn"], RoleSessionName="s-session", DurationSeconds=900)
    creds = session_creds(out["Credentials"])
    cloud.client("s3", **creds).list_objects_v2(Bucket="bkt")
    cloud.advance(minutes=14)
    cloud.client("sts", **creds).get_caller_identity()
    cloud.advance(minutes=1)
    e = error(cloud.client("sts", **creds).get_caller_identity)
    assert (e["Code"], e["Message"]) == ("ExpiredToken",
                                         "The security token included in the request is expired")
    assert error(cloud.client("s3", **creds).list_objects_v2, Bucket="bkt")["Code"] == \
        "ExpiredToken"
    assert error(cloud.client("iam", **creds).list_users)["Code"] == "ExpiredToken"


def test_wrong_session_token_is_refused(cloud, iam):
    creds = user_with_key(cloud, "rae")
    role = make_role(iam, "r", {"AWS": f"arn:aws:iam::{ACCOUNT}:user/rae"})
    out = cloud.client("sts", **creds).assume_role(
        RoleArn=role["Arn"], RoleSessionName="s-session")
    creds = {**session_creds(out["Credentials"]), "aws_session_token": "forged"}
    assert error(cloud.client("sts", **creds).get_caller_identity)["Code"] == \
        "InvalidClientTokenId"
    assert error(cloud.client("s3", **creds).list_buckets)["Code"] == "InvalidToken"


# -- GetSessionToken --------------------------------------------------------------------------
def test_get_session_token(cloud, iam):
    cloud.client("s3").create_bucket(Bucket="bkt")
    creds = user_with_key(cloud, "sam", S3_READ, inline=doc(allow("iam:ListUsers")))
    token = cloud.client("sts", **creds).get_session_token()["Credentials"]
    assert (token["Expiration"] - cloud.now).total_seconds() == pytest.approx(43200, abs=1)
    temp = session_creds(token)
    assert cloud.client("s3", **temp).list_objects_v2(Bucket="bkt")["KeyCount"] == 0
    assert error(cloud.client("iam", **temp).list_users)["Code"] == "InvalidClientTokenId"
    e = error(cloud.client("sts", **temp).get_session_token)
    assert (e["Code"], e["Message"]) == ("AccessDenied",
                                         "Cannot call GetSessionToken with session credentials")
    with_mfa = cloud.client("sts", **creds).get_session_token(
        SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/sam", TokenCode="000000")["Credentials"]
    assert cloud.client("iam", **session_creds(with_mfa)).list_users()["Users"]
    root = cloud.client("sts").get_session_token(DurationSeconds=7200)["Credentials"]
    assert (root["Expiration"] - cloud.now).total_seconds() == pytest.approx(3600, abs=1)
    e = error(cloud.client("sts", **creds).get_session_token, DurationSeconds=129601)
    assert e["Code"] == "ValidationError"


def test_session_token_of_deleted_user_stops_working(cloud, iam):
    creds = user_with_key(cloud, "tia")
    token = cloud.client("sts", **creds).get_session_token()["Credentials"]
    for key in iam.list_access_keys(UserName="tia")["AccessKeyMetadata"]:
        iam.delete_access_key(UserName="tia", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName="tia")
    iam.create_user(UserName="tia")               # the same name is another user
    e = error(cloud.client("sts", **session_creds(token)).get_caller_identity)
    assert e["Code"] == "InvalidClientTokenId"
