"""CloudFront distributions through boto3: shapes as boto3 parses real CloudFront's, ETags and
IfMatch, the deployment status on the clock, CallerReference, quotas, tags, IAM, bad input."""

import json
import re

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from dateutil.tz import tzutc

import awskit
from awskit.cloudfront.model import DEPLOY_S
from awskit.cloudfront.policies import CACHING_OPTIMIZED
from awskit.cloudfront.templates import (
    behaviour,
    custom_origin,
    distribution_config,
    s3_origin,
)


@pytest.fixture
def cf(cloud):
    return cloud.client("cloudfront")


def config(ref="ref-1", **extra):
    return distribution_config([s3_origin("site-bucket")], behaviour("site-bucket"),
                               caller_reference=ref, **extra)


def error_of(call, **params):
    with pytest.raises(ClientError) as info:
        call(**params)
    return info.value.response["Error"], info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_distribution_answers_as_cloudfront_does(cf, cloud):
    created = cf.create_distribution(DistributionConfig=config())
    dist, meta = created["Distribution"], created["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 201
    assert re.fullmatch(r"E[A-Z0-9]{13}", dist["Id"])
    assert re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", dist["DomainName"])
    assert dist["ARN"] == f"arn:aws:cloudfront::{cloud.default_account}:distribution/{dist['Id']}"
    assert dist["Status"] == "InProgress"
    assert dist["InProgressInvalidationBatches"] == 0
    assert dist["LastModifiedTime"].tzinfo == tzutc()
    assert re.fullmatch(r"E[A-Z0-9]{13}", created["ETag"])
    assert meta["HTTPHeaders"]["etag"] == created["ETag"]
    assert created["Location"].endswith(f"/2020-05-31/distribution/{dist['Id']}")
    # CloudFront fills in what was left out
    saved = dist["DistributionConfig"]
    assert saved["Aliases"] == {"Quantity": 0}
    assert saved["CacheBehaviors"] == {"Quantity": 0}
    assert saved["Logging"] == {"Enabled": False, "IncludeCookies": False, "Bucket": "",
                                "Prefix": ""}
    assert saved["PriceClass"] == "PriceClass_All" and saved["HttpVersion"] == "http2"
    assert saved["Restrictions"]["GeoRestriction"] == {"RestrictionType": "none", "Quantity": 0}
    origin = saved["Origins"]["Items"][0]
    assert (origin["ConnectionAttempts"], origin["ConnectionTimeout"]) == (3, 10)
    assert origin["OriginShield"] == {"Enabled": False}
    default = saved["DefaultCacheBehavior"]
    assert default["AllowedMethods"]["Items"] == ["HEAD", "GET"]
    assert default["CachePolicyId"] == CACHING_OPTIMIZED and "ForwardedValues" not in default


def test_status_turns_deployed_on_the_clock_and_the_waiter_waits_for_it(cf, cloud):
    dist_id = cf.create_distribution(DistributionConfig=config())["Distribution"]["Id"]
    cloud.advance(DEPLOY_S - 10)
    assert cf.get_distribution(Id=dist_id)["Distribution"]["Status"] == "InProgress"
    before = cloud.clock.elapsed
    cf.get_waiter("distribution_deployed").wait(Id=dist_id)
    assert cf.get_distribution(Id=dist_id)["Distribution"]["Status"] == "Deployed"
    assert cloud.clock.elapsed - before >= 10


def test_update_needs_the_current_etag_and_round_trips_the_config(cf, cloud):
    dist_id = cf.create_distribution(DistributionConfig=config())["Distribution"]["Id"]
    cloud.advance(DEPLOY_S)
    got = cf.get_distribution_config(Id=dist_id)
    assert got["ETag"] == cf.get_distribution(Id=dist_id)["ETag"]
    current = got["DistributionConfig"]
    error, status = error_of(cf.update_distribution, Id=dist_id, DistributionConfig=current)
    assert (error["Code"], status, error["Type"]) == ("InvalidIfMatchVersion", 400, "Sender")
    error, status = error_of(cf.update_distribution, Id=dist_id, DistributionConfig=current,
                             IfMatch="E0000000000000")
    assert (error["Code"], status) == ("PreconditionFailed", 412)
    current["Comment"] = "now with a comment"
    updated = cf.update_distribution(Id=dist_id, DistributionConfig=current, IfMatch=got["ETag"])
    assert updated["ETag"] != got["ETag"]
    assert updated["Distribution"]["Status"] == "InProgress"
    again = cf.get_distribution_config(Id=dist_id)["DistributionConfig"]
    assert again == current                      # the returned config feeds straight back in
    moved = dict(current, CallerReference="other")
    error, _ = error_of(cf.update_distribution, Id=dist_id, DistributionConfig=moved,
                        IfMatch=updated["ETag"])
    assert error["Code"] == "IllegalUpdate"


def test_delete_needs_a_disabled_deployed_distribution(cf, cloud):
    dist_id = cf.create_distribution(DistributionConfig=config())["Distribution"]["Id"]
    etag = cf.get_distribution(Id=dist_id)["ETag"]
    error, status = error_of(cf.delete_distribution, Id=dist_id, IfMatch=etag)
    assert (error["Code"], status) == ("DistributionNotDisabled", 409)
    current = cf.get_distribution_config(Id=dist_id)["DistributionConfig"]
    current["Enabled"] = False
    etag = cf.update_distribution(Id=dist_id, DistributionConfig=current, IfMatch=etag)["ETag"]
    error, _ = error_of(cf.delete_distribution, Id=dist_id, IfMatch=etag)
    assert error["Code"] == "DistributionNotDisabled"        # the change is still deploying
    cloud.advance(DEPLOY_S)
    error, _ = error_of(cf.delete_distribution, Id=dist_id)
    assert error["Code"] == "InvalidIfMatchVersion"
    assert cf.delete_distribution(Id=dist_id, IfMatch=etag)["ResponseMetadata"][
        "HTTPStatusCode"] == 204
    error, status = error_of(cf.get_distribution, Id=dist_id)
    assert (error["Code"], status) == ("NoSuchDistribution", 404)


def test_caller_reference_is_never_reused(cf):
    cf.create_distribution(DistributionConfig=config("same"))
    for changed in (config("same"), config("same", Comment="different")):
        error, status = error_of(cf.create_distribution, DistributionConfig=changed)
        assert (error["Code"], status) == ("DistributionAlreadyExists", 409)
    assert cf.list_distributions()["DistributionList"]["Quantity"] == 1


def test_quota_of_distributions(cf, monkeypatch):
    monkeypatch.setattr("awskit.cloudfront.distributions.MAX_DISTRIBUTIONS", 2)
    cf.create_distribution(DistributionConfig=config("a"))
    cf.create_distribution(DistributionConfig=config("b"))
    error, status = error_of(cf.create_distribution, DistributionConfig=config("c"))
    assert (error["Code"], status) == ("TooManyDistributions", 400)


def test_list_distributions_pages_with_markers(cf):
    empty = cf.list_distributions()["DistributionList"]
    assert empty == {"Marker": "", "MaxItems": 100, "IsTruncated": False, "Quantity": 0}
    ids = [cf.create_distribution(DistributionConfig=config(f"r{i}"))["Distribution"]["Id"]
           for i in range(3)]
    first = cf.list_distributions(MaxItems="2")["DistributionList"]
    assert first["IsTruncated"] and first["Quantity"] == 2
    rest = cf.list_distributions(Marker=first["NextMarker"], MaxItems="2")["DistributionList"]
    assert not rest["IsTruncated"] and "NextMarker" not in rest
    assert [d["Id"] for d in first["Items"] + rest["Items"]] == ids
    summary = first["Items"][0]
    assert summary["ETag"] and summary["Staging"] is False and summary["WebACLId"] == ""
    paged = [d["Id"] for page in cf.get_paginator("list_distributions").paginate(
        PaginationConfig={"PageSize": 1}) for d in page["DistributionList"].get("Items", [])]
    assert paged == ids
    error, _ = error_of(cf.list_distributions, MaxItems="many")
    assert error["Code"] == "InvalidArgument"


@pytest.mark.parametrize("change, code", [
    (lambda c: c["Origins"].update(Quantity=2), "InconsistentQuantities"),
    (lambda c: c["DefaultCacheBehavior"].update(TargetOriginId="nope"), "NoSuchOrigin"),
    (lambda c: c["DefaultCacheBehavior"].update(CachePolicyId="no-such-policy"),
     "NoSuchCachePolicy"),
    (lambda c: c["Origins"]["Items"][0].update(DomainName="example.com"), "InvalidArgument"),
    (lambda c: c["Origins"]["Items"][0].update(OriginAccessControlId="E0000000000000"),
     "InvalidOriginAccessControl"),
    (lambda c: c["Origins"]["Items"][0]["S3OriginConfig"].update(
        OriginAccessIdentity="origin-access-identity/cloudfront/E1"),
     "InvalidOriginAccessIdentity"),
    (lambda c: c["Origins"]["Items"][0].update(
        OriginShield={"Enabled": True, "OriginShieldRegion": "eu-west-3"}), "InvalidArgument"),
    (lambda c: c["Origins"]["Items"][0].update(ConnectionAttempts=4), "InvalidArgument"),
    (lambda c: c["Origins"]["Items"][0].update(OriginPath="/no/slash/"), "InvalidArgument"),
    (lambda c: c.update(Comment="x" * 129), "InvalidArgument"),
    (lambda c: c.update(DefaultRootObject="/index.html"), "InvalidDefaultRootObject"),
    (lambda c: c.update(Aliases={"Quantity": 1, "Items": ["www.example.com"]}),
     "InvalidViewerCertificate"),
    (lambda c: c["DefaultCacheBehavior"].update(MinTTL=5), "InvalidArgument"),
    (lambda c: c["DefaultCacheBehavior"].pop("CachePolicyId"), "InvalidArgument"),
    (lambda c: c.update(DefaultCacheBehavior=behaviour("site-bucket", legacy={
        "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
        "MinTTL": 100, "DefaultTTL": 10})), "InvalidTTLOrder"),
    (lambda c: c.update(DefaultCacheBehavior=behaviour("site-bucket", legacy={
        "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "whitelist"}}})),
     "InvalidForwardCookies"),
    (lambda c: c.update(CustomErrorResponses={"Quantity": 1, "Items": [{"ErrorCode": 418}]}),
     "InvalidErrorCode"),
    (lambda c: c.update(Restrictions={"GeoRestriction": {
        "RestrictionType": "whitelist", "Quantity": 1, "Items": ["france"]}}),
     "InvalidGeoRestrictionParameter"),
    (lambda c: c["DefaultCacheBehavior"].update(AllowedMethods={
        "Quantity": 2, "Items": ["GET", "POST"]}), "InvalidArgument"),
    (lambda c: c["DefaultCacheBehavior"].update(LambdaFunctionAssociations={
        "Quantity": 1, "Items": [{"LambdaFunctionARN": "arn:aws:lambda:us-east-1:1:function:f:1",
                                  "EventType": "viewer-request"}]}), "NotImplemented"),
])
def test_bad_configurations_get_cloudfronts_errors(cf, change, code):
    bad = config()
    change(bad)
    error, status = error_of(cf.create_distribution, DistributionConfig=bad)
    assert error["Code"] == code, error
    assert status == 501 if code == "NotImplemented" else 400 <= status < 500
    assert cf.list_distributions()["DistributionList"]["Quantity"] == 0   # nothing was kept


def test_missing_required_fields_fail_in_boto3(cf):
    bad = config()
    del bad["Comment"]
    with pytest.raises(ParamValidationError):
        cf.create_distribution(DistributionConfig=bad)


def test_aliases_need_a_us_east_1_certificate_and_are_unique(cf):
    cert = "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"
    with_alias = config(Aliases={"Quantity": 1, "Items": ["www.example.com"]},
                        ViewerCertificate={"ACMCertificateArn": cert,
                                           "SSLSupportMethod": "sni-only"})
    dist = cf.create_distribution(DistributionConfig=with_alias)["Distribution"]
    assert dist["DistributionConfig"]["ViewerCertificate"]["CertificateSource"] == "acm"
    error, status = error_of(cf.create_distribution, DistributionConfig=dict(
        with_alias, CallerReference="two"))
    assert (error["Code"], status) == ("CNAMEAlreadyExists", 409)
    elsewhere = dict(with_alias, CallerReference="three", Aliases={"Quantity": 1, "Items": [
        "img.example.com"]}, ViewerCertificate={"ACMCertificateArn": cert.replace(
            "us-east-1", "eu-west-1")})
    assert error_of(cf.create_distribution, DistributionConfig=elsewhere)[0]["Code"] == \
        "InvalidViewerCertificate"


def test_tags(cf, cloud):
    created = cf.create_distribution_with_tags(DistributionConfigWithTags={
        "DistributionConfig": config(), "Tags": {"Items": [{"Key": "team", "Value": "web"}]}})
    arn = created["Distribution"]["ARN"]
    assert cf.list_tags_for_resource(Resource=arn)["Tags"]["Items"] == [
        {"Key": "team", "Value": "web"}]
    cf.tag_resource(Resource=arn, Tags={"Items": [{"Key": "env", "Value": "prod"}]})
    cf.untag_resource(Resource=arn, TagKeys={"Items": ["team"]})
    assert cf.list_tags_for_resource(Resource=arn)["Tags"]["Items"] == [
        {"Key": "env", "Value": "prod"}]
    error, _ = error_of(cf.tag_resource, Resource=arn, Tags={"Items": [{"Key": "aws:x",
                                                                        "Value": "1"}]})
    assert error["Code"] == "InvalidTagging"
    missing = arn[:-3] + "ZZZ"
    error, status = error_of(cf.list_tags_for_resource, Resource=missing)
    assert (error["Code"], status) == ("NoSuchResource", 404)
    assert error_of(cf.list_tags_for_resource, Resource="arn:aws:s3:::b")[0]["Code"] == \
        "InvalidArgument"


def test_iam_decides_who_may_do_what(cloud, cf):
    dist = cf.create_distribution(DistributionConfig=config())["Distribution"]
    iam = cloud.client("iam")
    iam.create_user(UserName="viewer")
    iam.put_user_policy(UserName="viewer", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                                "Action": "cloudfront:GetDistribution",
                                                "Resource": dist["ARN"]}]}))
    key = iam.create_access_key(UserName="viewer")["AccessKey"]
    user = cloud.client("cloudfront", aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"])
    assert user.get_distribution(Id=dist["Id"])["Distribution"]["Id"] == dist["Id"]
    error, status = error_of(user.list_distributions)
    assert (error["Code"], status) == ("AccessDenied", 403)
    assert "cloudfront:ListDistributions" in error["Message"]
    error, _ = error_of(user.create_distribution, DistributionConfig=config("x"))
    assert error["Code"] == "AccessDenied"
    other = cloud.client("cloudfront", account=cloud.new_account())
    assert error_of(other.get_distribution, Id=dist["Id"])[0]["Code"] == "NoSuchDistribution"
    assert other.list_distributions()["DistributionList"]["Quantity"] == 0


def test_direct_calls_and_mock_aws_see_the_same_service(cloud):
    created = cloud.cloudfront.create_distribution(DistributionConfig=distribution_config(
        [custom_origin("www.example.com")], behaviour("www.example.com"), caller_reference="d"))
    with awskit.mock_aws(cloud):
        import boto3
        client = boto3.client("cloudfront")
        assert client.get_distribution(Id=created["Distribution"]["Id"])["ETag"] == \
            created["ETag"]
    with pytest.raises(ClientError) as info:
        cloud.cloudfront.get_distribution(Id="E0000000000000")
    assert info.value.response["Error"]["Type"] == "Sender"
