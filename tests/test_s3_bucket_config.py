"""Bucket configuration through boto3: bucket policies (validation, cross-account, anonymous,
lock-out protection), Block Public Access, default encryption, ownership, tags, ACLs."""

import json

import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import awskit

BUCKET = "config-bucket"


def policy(*statements, version="2012-10-17"):
    return json.dumps({"Version": version, "Statement": list(statements)})


def allow(principal, action, resource, **extra):
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource,
            **extra}


PUBLIC_READ = allow("*", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/*")


def err(call, *args, **kwargs):
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    return info.value.response


@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="doc.txt", Body=b"hello")
    return BUCKET


@pytest.fixture
def anon(cloud):
    return cloud.client("s3", config=Config(signature_version=botocore.UNSIGNED))


@pytest.fixture
def other(cloud):
    account = cloud.new_account()
    return account, cloud.client("s3", account=account)


def open_bucket(s3):
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})


# -- bucket policy: storing ------------------------------------------------------------------
def test_policy_round_trip_keeps_the_exact_text(s3, bucket):
    text = '{ "Version": "2012-10-17",\n  "Statement": [ {"Sid": "One", "Effect": "Allow", ' \
           '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", ' \
           '"Resource": "arn:aws:s3:::config-bucket/*"} ] }'
    s3.put_bucket_policy(Bucket=bucket, Policy=text)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == text
    assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    response = err(s3.get_bucket_policy, Bucket=bucket)
    assert response["Error"]["Code"] == "NoSuchBucketPolicy"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert err(s3.get_bucket_policy_status, Bucket=bucket)["Error"]["Code"] == "NoSuchBucketPolicy"


def test_policy_on_a_missing_bucket(s3):
    assert err(s3.get_bucket_policy, Bucket="no-such-bucket-here")["Error"]["Code"] == "NoSuchBucket"


def test_confirm_remove_self_bucket_access_is_accepted(s3, bucket):
    s3.put_bucket_policy(Bucket=bucket, ConfirmRemoveSelfBucketAccess=True, Policy=policy(
        allow({"AWS": "123456789012"}, "s3:ListBucket", f"arn:aws:s3:::{bucket}")))
    assert "ListBucket" in s3.get_bucket_policy(Bucket=bucket)["Policy"]


BAD_POLICIES = [
    ("Version: 2012", "Policies must be valid JSON and the first byte must be '{'"),
    ('{"Version": "2012-10-17", "Statement": [', "This policy contains invalid Json"),
    (policy(allow({"AWS": "not-an-arn"}, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/*")),
     "Invalid principal in policy"),
    (policy(allow({"AWS": "arn:aws:iam::123456789012:user/nobody"}, "s3:GetObject",
                  f"arn:aws:s3:::{BUCKET}/*")), "Invalid principal in policy"),
    (policy({**allow("*", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/*"), "Effect": "Permit"}),
     "Invalid effect: Permit"),
    (policy(allow("*", "s3:GetObjects", f"arn:aws:s3:::{BUCKET}/*")), "Policy has invalid action"),
    (policy(allow("*", "ec2:RunInstances", f"arn:aws:s3:::{BUCKET}/*")),
     "Policy has invalid action"),
    (policy(allow("*", "s3:GetObject", "arn:aws:s3:::another-bucket/*")),
     "Policy has invalid resource"),
    (policy(allow("*", "s3:GetObject", f"arn:aws:s3:us-east-1::{BUCKET}/*")),
     "Policy has invalid resource"),
    (policy(allow("*", "s3:GetObject", "arn:aws:sqs:us-east-1:123456789012:q")),
     "Policy has invalid resource"),
    (policy(allow("*", "s3:GetObject", f"arn:aws:s3:::{BUCKET}")),
     "Action does not apply to any resource(s) in statement"),
    (policy(allow("*", ["s3:GetObject", "s3:ListBucket"], f"arn:aws:s3:::{BUCKET}/*")),
     "Action does not apply to any resource(s) in statement"),
    (policy(allow("*", "s3:ListAllMyBuckets", f"arn:aws:s3:::{BUCKET}")),
     "Action does not apply to any resource(s) in statement"),
    (policy(allow("*", "s3:GetObject", f"arn:aws:s3:::{BUCKET}/*",
                  Condition={"StringEquals": {"s3:x-amz-nonsense": "x"}})),
     "Policy has an invalid condition key"),
    (json.dumps({"Version": "2012-10-17"}), "Missing required field Statement"),
    (policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}),
     "Missing required field Principal"),
]


@pytest.mark.parametrize("text,message", BAD_POLICIES)
def test_malformed_policies_get_s3s_code_and_message(s3, bucket, text, message):
    open_bucket(s3)       # so that validation, not Block Public Access, is what refuses
    response = err(s3.put_bucket_policy, Bucket=bucket, Policy=text)
    assert response["Error"]["Code"] == "MalformedPolicy"
    assert response["Error"]["Message"] == message
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err(s3.get_bucket_policy, Bucket=bucket)["Error"]["Code"] == "NoSuchBucketPolicy"


def test_policy_over_20_kb_is_refused(s3, bucket):
    statements = [allow({"AWS": "123456789012"}, "s3:GetObject", f"arn:aws:s3:::{bucket}/p{i:04d}/*",
                        Sid=f"S{i}") for i in range(250)]
    response = err(s3.put_bucket_policy, Bucket=bucket, Policy=policy(*statements))
    assert response["Error"]["Code"] == "MalformedPolicy"


@pytest.mark.parametrize("statement", [
    allow("*", "s3:Get*", f"arn:aws:s3:::{BUCKET}"),                 # GetBucketAcl applies
    allow("*", "s3:*", f"arn:aws:s3:::{BUCKET}/*"),
    allow("*", ["s3:ListBucket", "s3:GetObject"], [f"arn:aws:s3:::{BUCKET}",
                                                   f"arn:aws:s3:::{BUCKET}/*"]),
    allow("*", "s3:GetObject", "*"),
    allow("*", "s3:GetObject", "arn:aws:s3:::config-*/*"),
    allow("*", "s3:getobject", f"arn:aws:s3:::{BUCKET}/*",
          Condition={"StringEquals": {"aws:SomeFutureKey": "x", "s3:ExistingObjectTag/t": "v"}}),
])
def test_valid_policies_are_stored(s3, bucket, statement):
    open_bucket(s3)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0] == statement


# -- what "public" means ----------------------------------------------------------------------
OBJECTS = f"arn:aws:s3:::{BUCKET}/*"


@pytest.mark.parametrize("statement,public", [
    (allow("*", "s3:GetObject", OBJECTS), True),
    (allow({"AWS": "*"}, "s3:GetObject", OBJECTS), True),
    (allow({"AWS": "123456789012"}, "s3:GetObject", OBJECTS), False),
    (allow({"Service": "cloudtrail.amazonaws.com"}, "s3:PutObject", OBJECTS), False),
    (allow({"Federated": "graph.facebook.com"}, "s3:PutObject", OBJECTS), True),
    ({"Effect": "Allow", "NotPrincipal": {"AWS": "123456789012"}, "Action": "s3:GetObject",
      "Resource": OBJECTS}, True),
    ({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJECTS}, False),
    (allow("*", "s3:GetObject", OBJECTS, Condition={"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}),
     False),
    (allow("*", "s3:GetObject", OBJECTS, Condition={"IpAddress": {"aws:SourceIp": "0.0.0.0/1"}}),
     True),
    (allow("*", "s3:GetObject", OBJECTS, Condition={"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}),
     False),
    (allow("*", "s3:GetObject", OBJECTS, Condition={"IpAddress": {"aws:SourceIp": "2001::/16"}}),
     True),
    (allow("*", "s3:GetObject", OBJECTS, Condition={"StringLike": {"aws:SourceVpc": "vpc-*"}}),
     True),
    (allow("*", "s3:GetObject", OBJECTS, Condition={"StringEquals": {"aws:SourceVpc": "vpc-91237329"}}),
     False),
    (allow("*", "s3:GetObject", OBJECTS, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}),
     False),
    (allow("*", "s3:GetObject", OBJECTS,
           Condition={"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}}), True),
    (allow("*", "s3:GetObject", OBJECTS,
           Condition={"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}), True),
    (allow("*", "s3:GetObject", OBJECTS, Condition={"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}}),
     False),
    (allow("*", "s3:GetObject", OBJECTS, Condition={"StringLike": {"aws:userid": "*"}}), True),
    (allow("*", "s3:GetObject", OBJECTS,
           Condition={"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}), True),
    (allow("*", "s3:GetObject", OBJECTS, Condition={"Bool": {"aws:SecureTransport": "true"}}), True),
])
def test_policy_status_follows_the_meaning_of_public(s3, bucket, statement, public):
    open_bucket(s3)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(statement))
    status = s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]
    assert status == {"IsPublic": public}


def test_one_public_statement_makes_the_policy_public(s3, bucket):
    open_bucket(s3)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow({"AWS": "123456789012"}, "s3:GetObject", OBJECTS), PUBLIC_READ))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True


# -- Block Public Access ------------------------------------------------------------------------
def test_new_buckets_block_all_public_access(s3, bucket):
    config = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert config == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                      "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def test_block_public_policy_refuses_public_policies_only(s3, bucket):
    response = err(s3.put_bucket_policy, Bucket=bucket, Policy=policy(PUBLIC_READ))
    assert response["Error"]["Code"] == "AccessDenied"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow({"AWS": "123456789012"}, "s3:GetObject", OBJECTS)))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False


def test_put_get_delete_public_access_block(s3, bucket):
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicPolicy": True})
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False}
    response = s3.delete_public_access_block(Bucket=bucket)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    response = err(s3.get_public_access_block, Bucket=bucket)
    assert response["Error"]["Code"] == "NoSuchPublicAccessBlockConfiguration"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(PUBLIC_READ))     # nothing blocks it now


def test_anonymous_access_blocked_then_allowed_then_restricted(s3, bucket, anon, cloud):
    assert err(anon.get_object, Bucket=bucket, Key="doc.txt")["Error"]["Code"] == "AccessDenied"
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(PUBLIC_READ))
    assert anon.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"hello"
    # the grant is for GetObject only
    assert err(anon.list_objects_v2, Bucket=bucket)["Error"]["Code"] == "AccessDenied"
    assert err(anon.put_object, Bucket=bucket, Key="x", Body=b"x")["Error"]["Code"] == "AccessDenied"
    # RestrictPublicBuckets switches the public grant off without touching the policy
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "RestrictPublicBuckets": True})
    assert err(anon.get_object, Bucket=bucket, Key="doc.txt")["Error"]["Code"] == "AccessDenied"
    steps = [s.action for s in cloud.traces[-1]]
    assert any("RestrictPublicBuckets" in a for a in steps)
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"] == [PUBLIC_READ]


def test_cross_account_access_needs_the_bucket_policy(s3, bucket, other):
    account, theirs = other
    assert err(theirs.get_object, Bucket=bucket, Key="doc.txt")["Error"]["Code"] == "AccessDenied"
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow({"AWS": f"arn:aws:iam::{account}:root"}, "s3:GetObject", OBJECTS)))
    assert theirs.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"hello"
    assert err(theirs.delete_object, Bucket=bucket, Key="doc.txt")["Error"]["Code"] == "AccessDenied"


def test_cross_account_user_needs_both_sides(cloud, s3, bucket, other):
    account, _ = other
    iam = cloud.client("iam", account=account)
    iam.create_user(UserName="reader")
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    reader = cloud.client("s3", aws_access_key_id=key["AccessKeyId"],
                          aws_secret_access_key=key["SecretAccessKey"])
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow({"AWS": f"arn:aws:iam::{account}:user/reader"}, "s3:GetObject", OBJECTS)))
    assert err(reader.get_object, Bucket=bucket, Key="doc.txt")["Error"]["Code"] == "AccessDenied"
    iam.put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                 "Resource": "*"}]}))
    assert reader.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"hello"


def test_restrict_public_buckets_cuts_cross_account_delegation_too(s3, bucket, other, anon):
    account, theirs = other
    mixed = policy(allow({"AWS": account}, "s3:GetObject", OBJECTS), PUBLIC_READ)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket=bucket, Policy=mixed)
    assert err(theirs.get_object, Bucket=bucket, Key="doc.txt")["Error"]["Code"] == "AccessDenied"
    assert err(anon.get_object, Bucket=bucket, Key="doc.txt")["Error"]["Code"] == "AccessDenied"
    assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"hello"   # owner
    # without the public statement the policy is not public, and the delegation works again
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(allow({"AWS": account}, "s3:GetObject",
                                                            OBJECTS)))
    assert theirs.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"hello"
    assert err(anon.get_object, Bucket=bucket, Key="doc.txt")["Error"]["Code"] == "AccessDenied"


def test_restrict_public_buckets_keeps_deny_statements(s3, bucket, other):
    account, theirs = other
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "RestrictPublicBuckets": True})
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        PUBLIC_READ, {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                      "Resource": OBJECTS}))
    response = err(s3.get_object, Bucket=bucket, Key="doc.txt")      # the owner is denied too
    assert response["Error"]["Code"] == "AccessDenied"


def test_block_public_acls_refuses_public_object_acls(s3, bucket):
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    assert err(s3.put_object, Bucket=bucket, Key="p", Body=b"x",
               ACL="public-read")["Error"]["Code"] == "AccessDenied"
    s3.put_object(Bucket=bucket, Key="p", Body=b"x", ACL="private")
    open_bucket(s3)
    s3.put_object(Bucket=bucket, Key="p", Body=b"x", ACL="public-read")


def test_acls_are_not_supported_when_owner_enforced(s3, bucket):
    response = err(s3.put_object, Bucket=bucket, Key="p", Body=b"x", ACL="public-read")
    assert response["Error"]["Code"] == "AccessControlListNotSupported"


# -- who may manage the policy ----------------------------------------------------------------
def test_owner_root_can_always_manage_the_policy(s3, bucket):
    deny_all = policy({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": [f"arn:aws:s3:::{bucket}", OBJECTS]})
    s3.put_bucket_policy(Bucket=bucket, Policy=deny_all)
    assert err(s3.get_object, Bucket=bucket, Key="doc.txt")["Error"]["Code"] == "AccessDenied"
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == deny_all
    s3.put_bucket_policy(Bucket=bucket, Policy=deny_all)
    s3.delete_bucket_policy(Bucket=bucket)
    assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"hello"


def test_an_iam_user_of_the_owner_account_is_not_exempt(cloud, s3, bucket):
    iam = cloud.client("iam")
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="admin")["AccessKey"]
    admin = cloud.client("s3", aws_access_key_id=key["AccessKeyId"],
                         aws_secret_access_key=key["SecretAccessKey"])
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::123456789012:user/admin"},
         "Action": "s3:*Policy", "Resource": f"arn:aws:s3:::{bucket}"}))
    assert err(admin.get_bucket_policy, Bucket=bucket)["Error"]["Code"] == "AccessDenied"
    assert err(admin.delete_bucket_policy, Bucket=bucket)["Error"]["Code"] == "AccessDenied"


def test_other_accounts_get_405_even_when_the_policy_allows_them(s3, bucket, other):
    account, theirs = other
    assert err(theirs.get_bucket_policy, Bucket=bucket)["Error"]["Code"] == "AccessDenied"
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow({"AWS": account}, ["s3:GetBucketPolicy", "s3:PutBucketPolicy"],
              f"arn:aws:s3:::{bucket}")))
    response = err(theirs.get_bucket_policy, Bucket=bucket)
    assert response["Error"]["Code"] == "MethodNotAllowed"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 405
    assert err(theirs.put_bucket_policy, Bucket=bucket,
               Policy=policy(PUBLIC_READ))["Error"]["Code"] == "MethodNotAllowed"


def test_expected_bucket_owner_mismatch(s3, bucket):
    response = err(s3.get_bucket_tagging, Bucket=bucket, ExpectedBucketOwner="111122223333")
    assert response["Error"]["Code"] == "AccessDenied"


# -- default encryption --------------------------------------------------------------------------
DEFAULT_SSE = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                          "BucketKeyEnabled": False}]}


def test_encryption_defaults_to_sse_s3_and_delete_resets_it(s3, bucket):
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == DEFAULT_SSE
    kms = {"Rules": [{"ApplyServerSideEncryptionByDefault": {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:123456789012:key/k1"},
        "BucketKeyEnabled": True}]}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=kms)
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == kms
    put = s3.put_object(Bucket=bucket, Key="secret", Body=b"s")
    assert put["ServerSideEncryption"] == "aws:kms"
    assert s3.delete_bucket_encryption(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == DEFAULT_SSE
    assert s3.put_object(Bucket=bucket, Key="plain", Body=b"p")["ServerSideEncryption"] == "AES256"


@pytest.mark.parametrize("config,code", [
    ({"Rules": []}, "MalformedXML"),
    ({"Rules": [{"BucketKeyEnabled": True}]}, "MalformedXML"),
    ({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "DES"}}]}, "MalformedXML"),
    ({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256",
                                                        "KMSMasterKeyID": "k"}}]}, "InvalidArgument"),
])
def test_bad_encryption_configurations(s3, bucket, config, code):
    response = err(s3.put_bucket_encryption, Bucket=bucket, ServerSideEncryptionConfiguration=config)
    assert response["Error"]["Code"] == code
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == DEFAULT_SSE


# -- ownership controls --------------------------------------------------------------------------
def test_ownership_controls(s3, bucket):
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    for value in ("BucketOwnerPreferred", "ObjectWriter"):
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
            "Rules": [{"ObjectOwnership": value}]})
        got = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
        assert got == [{"ObjectOwnership": value}]
    assert err(s3.put_bucket_ownership_controls, Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "Nobody"}]})["Error"]["Code"] == "MalformedXML"
    assert s3.delete_bucket_ownership_controls(Bucket=bucket)["ResponseMetadata"][
        "HTTPStatusCode"] == 204
    response = err(s3.get_bucket_ownership_controls, Bucket=bucket)
    assert response["Error"]["Code"] == "OwnershipControlsNotFoundError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    s3.put_object(Bucket=bucket, Key="acl", Body=b"a", ACL="private")   # ACLs allowed again


# -- bucket tags --------------------------------------------------------------------------------
def test_bucket_tagging(s3, bucket):
    assert err(s3.get_bucket_tagging, Bucket=bucket)["Error"]["Code"] == "NoSuchTagSet"
    tags = [{"Key": "team", "Value": "data"}, {"Key": "cost-center", "Value": ""}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "k", "Value": "v"}]
    assert s3.delete_bucket_tagging(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert err(s3.get_bucket_tagging, Bucket=bucket)["Error"]["Code"] == "NoSuchTagSet"


@pytest.mark.parametrize("tags", [
    [{"Key": f"k{i}", "Value": "v"} for i in range(51)],
    [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}],
    [{"Key": "k" * 129, "Value": "v"}],
    [{"Key": "k", "Value": "v" * 257}],
    [{"Key": "aws:createdBy", "Value": "me"}],
])
def test_bad_bucket_tags(s3, bucket, tags):
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "keep", "Value": "me"}]})
    assert err(s3.put_bucket_tagging, Bucket=bucket,
               Tagging={"TagSet": tags})["Error"]["Code"] == "InvalidTag"
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "keep", "Value": "me"}]


def test_fifty_tags_are_fine(s3, bucket):
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50


# -- ACLs ----------------------------------------------------------------------------------------
def test_acls_show_the_owner_with_full_control(cloud, s3, bucket):
    owner_id = s3.list_buckets()["Owner"]["ID"]
    expected = {"Owner": {"ID": owner_id},
                "Grants": [{"Grantee": {"ID": owner_id, "Type": "CanonicalUser"},
                            "Permission": "FULL_CONTROL"}]}
    bucket_acl = s3.get_bucket_acl(Bucket=bucket)
    assert {k: bucket_acl[k] for k in ("Owner", "Grants")} == expected
    object_acl = s3.get_object_acl(Bucket=bucket, Key="doc.txt")
    assert {k: object_acl[k] for k in ("Owner", "Grants")} == expected
    assert err(s3.get_object_acl, Bucket=bucket, Key="missing")["Error"]["Code"] == "NoSuchKey"


def test_acl_reads_need_permission(s3, bucket, other):
    _, theirs = other
    assert err(theirs.get_bucket_acl, Bucket=bucket)["Error"]["Code"] == "AccessDenied"
    assert err(theirs.get_object_acl, Bucket=bucket, Key="doc.txt")["Error"]["Code"] == "AccessDenied"


# -- state ---------------------------------------------------------------------------------------
def test_configuration_survives_save_and_load(tmp_path, cloud, s3, bucket, anon):
    open_bucket(s3)
    s3.put_bucket_policy(Bucket=bucket, Policy=policy(PUBLIC_READ))
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    loaded = awskit.Cloud.load(cloud.save(tmp_path / "c.json"))
    s3b = loaded.client("s3")
    assert s3b.get_bucket_policy(Bucket=bucket)["Policy"] == policy(PUBLIC_READ)
    assert s3b.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "a", "Value": "b"}]
    assert s3b.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "ObjectWriter"}]
    anon2 = loaded.client("s3", config=Config(signature_version=botocore.UNSIGNED))
    assert anon2.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"hello"
