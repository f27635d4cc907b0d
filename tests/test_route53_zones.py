"""Route 53 hosted zones through boto3: shapes, name servers, private zones and VPCs, listing,
deletion, limits, tags and authorization."""

import json
import re
from datetime import datetime

import pytest
from dateutil.tz import tzutc

from route53_helpers import change, dns_vpc, error, new_zone, record


@pytest.fixture
def r53(cloud):
    return cloud.client("route53")


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


def records(r53, zone_id):
    return r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]


def test_a_public_zone_answers_as_route53_shows_it(cloud, r53):
    out = r53.create_hosted_zone(Name="Example.COM", CallerReference="first",
                                 HostedZoneConfig={"Comment": "site"})
    meta = out["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 201
    zone = out["HostedZone"]
    assert re.fullmatch(r"/hostedzone/Z[0-9A-Z]{13}", zone["Id"])
    assert meta["HTTPHeaders"]["location"] == \
        f"https://route53.amazonaws.com/2013-04-01{zone['Id']}"
    assert zone["Name"] == "example.com."           # lower case, trailing dot
    assert zone["Config"] == {"Comment": "site", "PrivateZone": False}
    assert zone["ResourceRecordSetCount"] == 2
    info = out["ChangeInfo"]
    assert re.fullmatch(r"/change/C[0-9A-Z]{13}", info["Id"])
    assert info["Status"] == "PENDING"
    assert isinstance(info["SubmittedAt"], datetime) and info["SubmittedAt"].tzinfo == tzutc()
    servers = out["DelegationSet"]["NameServers"]
    assert len(servers) == 4
    tlds = sorted(s.split(".", 2)[2] for s in servers)
    assert tlds == ["co.uk", "com", "net", "org"]
    base = {"com": 0, "net": 512, "org": 1024, "co.uk": 1536}
    for server in servers:
        n, m, tld = re.fullmatch(r"ns-(\d+)\.awsdns-(\d\d)\.(.+)", server).groups()
        assert base[tld] <= int(n) < base[tld] + 512 and int(m) == (int(n) - base[tld]) // 8


def test_a_zone_starts_with_its_ns_and_soa_record_sets(r53):
    out = r53.create_hosted_zone(Name="example.com", CallerReference="r")
    zone_id = out["HostedZone"]["Id"]
    ns, soa = records(r53, zone_id)
    assert ns == {"Name": "example.com.", "Type": "NS", "TTL": 172800, "ResourceRecords": [
        {"Value": s + "."} for s in out["DelegationSet"]["NameServers"]]}
    assert soa["Type"] == "SOA" and soa["TTL"] == 900
    first = ns["ResourceRecords"][0]["Value"]
    assert soa["ResourceRecords"] == [
        {"Value": f"{first} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}]


def test_changes_turn_insync_after_sixty_simulated_seconds(cloud, r53):
    info = r53.create_hosted_zone(Name="example.com", CallerReference="r")["ChangeInfo"]
    cloud.advance(59)
    assert r53.get_change(Id=info["Id"])["ChangeInfo"]["Status"] == "PENDING"
    cloud.advance(1)
    got = r53.get_change(Id=info["Id"])["ChangeInfo"]
    assert got["Status"] == "INSYNC" and got["SubmittedAt"] == info["SubmittedAt"]
    assert error(r53.get_change, Id="CNOSUCHCHANGE1")["Code"] == "NoSuchChange"


def test_ids_accept_the_prefixed_form_boto3_returns(r53):
    zone_id = r53.create_hosted_zone(Name="example.com", CallerReference="r")["HostedZone"]["Id"]
    assert zone_id.startswith("/hostedzone/")
    assert r53.get_hosted_zone(Id=zone_id)["HostedZone"]["Id"] == zone_id
    assert r53.get_hosted_zone(Id=zone_id.split("/")[-1])["HostedZone"]["Id"] == zone_id


@pytest.mark.parametrize("name", ["a..example.com", "com", "ex ample.com", "é.example.com",
                                  "x" * 64 + ".example.com", ("a" * 60 + ".") * 5 + "com"])
def test_invalid_domain_names_are_refused(r53, name):
    err = error(r53.create_hosted_zone, Name=name, CallerReference="r")
    assert (err["Code"], err["Status"], err["Type"]) == ("InvalidDomainName", 400, "Sender")


def test_special_characters_are_stored_as_octal_escapes(r53):
    zone = r53.create_hosted_zone(Name="ex!ample.com", CallerReference="r")["HostedZone"]
    assert zone["Name"] == "ex\\041ample.com."
    same = r53.create_hosted_zone(Name="ex\\041ample.com.", CallerReference="r2")["HostedZone"]
    assert same["Name"] == zone["Name"] and same["Id"] != zone["Id"]


def test_caller_reference_is_idempotency_and_names_may_repeat(r53):
    a = r53.create_hosted_zone(Name="example.com", CallerReference="one")
    err = error(r53.create_hosted_zone, Name="other.com", CallerReference="one")
    assert (err["Code"], err["Status"]) == ("HostedZoneAlreadyExists", 409)
    b = r53.create_hosted_zone(Name="example.com", CallerReference="two")
    assert a["HostedZone"]["Id"] != b["HostedZone"]["Id"]
    assert a["DelegationSet"] != b["DelegationSet"]
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 2
    err = error(r53.create_hosted_zone, Name="x.com", CallerReference="three",
                DelegationSetId="N1234567890ABC")
    assert err["Code"] == "NoSuchDelegationSet"


def test_get_hosted_zone_shows_the_delegation_set_of_a_public_zone(r53):
    out = r53.create_hosted_zone(Name="example.com", CallerReference="r")
    got = r53.get_hosted_zone(Id=out["HostedZone"]["Id"])
    assert got["DelegationSet"] == out["DelegationSet"] and "VPCs" not in got
    err = error(r53.get_hosted_zone, Id="ZNOSUCHZONE123")
    assert (err["Code"], err["Status"]) == ("NoSuchHostedZone", 404)
    assert err["Message"] == "No hosted zone found with ID: ZNOSUCHZONE123"


def test_a_private_zone_needs_a_vpc_ec2_knows(r53, ec2):
    err = error(r53.create_hosted_zone, Name="corp.internal", CallerReference="r",
                VPC={"VPCRegion": "us-east-1", "VPCId": "vpc-0123456789abcdef0"})
    assert (err["Code"], err["Status"]) == ("InvalidVPCId", 400)
    vpc = dns_vpc(ec2)
    err = error(r53.create_hosted_zone, Name="corp.internal", CallerReference="r",
                VPC={"VPCRegion": "us-west-2", "VPCId": vpc})
    assert err["Code"] == "InvalidVPCId"           # the VPC lives in us-east-1
    assert error(r53.create_hosted_zone, Name="corp.internal", CallerReference="r",
                 HostedZoneConfig={"PrivateZone": True})["Code"] == "InvalidInput"
    out = r53.create_hosted_zone(Name="corp.internal", CallerReference="r",
                                 VPC={"VPCRegion": "us-east-1", "VPCId": vpc})
    assert out["HostedZone"]["Config"]["PrivateZone"] is True
    assert out["VPC"] == {"VPCRegion": "us-east-1", "VPCId": vpc}
    got = r53.get_hosted_zone(Id=out["HostedZone"]["Id"])
    assert got["VPCs"] == [{"VPCRegion": "us-east-1", "VPCId": vpc}]
    assert "DelegationSet" not in got
    [ns, soa] = records(r53, out["HostedZone"]["Id"])
    assert {r["Value"] for r in ns["ResourceRecords"]} == {
        "ns-0.awsdns-00.com.", "ns-512.awsdns-00.net.", "ns-1024.awsdns-00.org.",
        "ns-1536.awsdns-00.co.uk."}
    assert soa["ResourceRecords"][0]["Value"].startswith("ns-1536.awsdns-00.co.uk. ")


def test_vpc_associations(cloud, r53, ec2):
    vpc1, vpc2 = dns_vpc(ec2), dns_vpc(ec2, "10.1.0.0/16")
    zone = new_zone(r53, "corp.internal", VPC={"VPCRegion": "us-east-1", "VPCId": vpc1})
    public = new_zone(r53, "example.com")
    err = error(r53.create_hosted_zone, Name="corp.internal", CallerReference="again",
                VPC={"VPCRegion": "us-east-1", "VPCId": vpc1})
    assert err["Code"] == "ConflictingDomainExists" and zone in err["Message"]
    new_zone(r53, "corp.internal", ref="other-vpc", VPC={"VPCRegion": "us-east-1",
                                                          "VPCId": vpc2})
    vpc3 = dns_vpc(ec2, "10.2.0.0/16")
    info = r53.associate_vpc_with_hosted_zone(HostedZoneId=zone, Comment="add",
                                              VPC={"VPCRegion": "us-east-1", "VPCId": vpc3})
    assert info["ChangeInfo"]["Status"] == "PENDING" and info["ChangeInfo"]["Comment"] == "add"
    assert len(r53.get_hosted_zone(Id=zone)["VPCs"]) == 2
    listed = r53.list_hosted_zones_by_vpc(VPCId=vpc3, VPCRegion="us-east-1")
    assert [s["HostedZoneId"] for s in listed["HostedZoneSummaries"]] == [zone]
    assert listed["HostedZoneSummaries"][0]["Owner"] == {"OwningAccount": "123456789012"}
    assert error(r53.associate_vpc_with_hosted_zone, HostedZoneId=public, VPC={
        "VPCRegion": "us-east-1", "VPCId": vpc3})["Code"] == "PublicZoneVPCAssociation"
    r53.disassociate_vpc_from_hosted_zone(HostedZoneId=zone, VPC={"VPCRegion": "us-east-1",
                                                                  "VPCId": vpc1})
    assert error(r53.disassociate_vpc_from_hosted_zone, HostedZoneId=zone, VPC={
        "VPCRegion": "us-east-1", "VPCId": vpc1})["Code"] == "VPCAssociationNotFound"
    err = error(r53.disassociate_vpc_from_hosted_zone, HostedZoneId=zone,
                VPC={"VPCRegion": "us-east-1", "VPCId": vpc3})
    assert (err["Code"], err["Status"]) == ("LastVPCAssociation", 400)
    other = cloud.client("ec2", account=cloud.new_account())
    foreign = other.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    err = error(r53.associate_vpc_with_hosted_zone, HostedZoneId=zone,
                VPC={"VPCRegion": "us-east-1", "VPCId": foreign})
    assert (err["Code"], err["Status"]) == ("NotAuthorizedException", 401)


def test_list_hosted_zones_pages_in_creation_order(r53, ec2):
    ids = [new_zone(r53, name) for name in ("b.com", "a.com", "c.com")]
    private = new_zone(r53, "corp.internal", VPC={"VPCRegion": "us-east-1",
                                                  "VPCId": dns_vpc(ec2)})
    first = r53.list_hosted_zones(MaxItems="2")
    assert [z["Id"].split("/")[-1] for z in first["HostedZones"]] == ids[:2]
    assert first["IsTruncated"] is True and first["NextMarker"] == ids[2]
    assert first["Marker"] == "" and first["MaxItems"] == "2"
    rest = r53.list_hosted_zones(Marker=first["NextMarker"], MaxItems="2")
    assert [z["Id"].split("/")[-1] for z in rest["HostedZones"]] == [ids[2], private]
    assert rest["IsTruncated"] is False and "NextMarker" not in rest
    only = r53.list_hosted_zones(HostedZoneType="PrivateHostedZone")["HostedZones"]
    assert [z["Id"].split("/")[-1] for z in only] == [private]
    assert error(r53.list_hosted_zones, MaxItems="zero")["Code"] == "InvalidInput"
    paginated = [z["Name"] for page in r53.get_paginator("list_hosted_zones").paginate(
        PaginationConfig={"PageSize": 1}) for z in page["HostedZones"]]
    assert paginated == ["b.com.", "a.com.", "c.com.", "corp.internal."]


def test_list_hosted_zones_by_name_sorts_with_labels_reversed(r53):
    for name in ("www.example.com", "example.net", "example.com", "a.example.com", "b.org"):
        new_zone(r53, name)
    listed = r53.list_hosted_zones_by_name()
    assert [z["Name"] for z in listed["HostedZones"]] == [
        "example.com.", "a.example.com.", "www.example.com.", "example.net.", "b.org."]
    page = r53.list_hosted_zones_by_name(DNSName="example.com", MaxItems="2")
    assert page["DNSName"] == "example.com" and page["IsTruncated"] is True
    assert page["NextDNSName"] == "www.example.com."
    nxt = r53.list_hosted_zones_by_name(DNSName=page["NextDNSName"],
                                        HostedZoneId=page["NextHostedZoneId"])
    assert [z["Name"] for z in nxt["HostedZones"]] == ["www.example.com.", "example.net.",
                                                      "b.org."]
    assert error(r53.list_hosted_zones_by_name, HostedZoneId="Z1")["Code"] == "InvalidInput"


def test_delete_needs_an_empty_zone(cloud, r53):
    zone = new_zone(r53, "example.com")
    change(r53, zone, record("www.example.com", "192.0.2.1"))
    err = error(r53.delete_hosted_zone, Id=zone)
    assert (err["Code"], err["Status"]) == ("HostedZoneNotEmpty", 400)
    change(r53, zone, record("www.example.com", "192.0.2.1"), action="DELETE")
    info = r53.delete_hosted_zone(Id=zone)["ChangeInfo"]
    assert info["Status"] == "PENDING"
    assert error(r53.get_hosted_zone, Id=zone)["Code"] == "NoSuchHostedZone"
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 0


def test_update_comment_and_limits(r53, ec2):
    zone = new_zone(r53, "example.com")
    assert r53.update_hosted_zone_comment(Id=zone, Comment="new")["HostedZone"]["Config"] == {
        "Comment": "new", "PrivateZone": False}
    assert "Comment" not in r53.update_hosted_zone_comment(Id=zone)["HostedZone"]["Config"]
    limit = r53.get_hosted_zone_limit(HostedZoneId=zone, Type="MAX_RRSETS_BY_ZONE")
    assert (limit["Limit"], limit["Count"]) == ({"Type": "MAX_RRSETS_BY_ZONE",
                                                 "Value": 10000}, 2)
    assert error(r53.get_hosted_zone_limit, HostedZoneId=zone,
                 Type="MAX_VPCS_ASSOCIATED_BY_ZONE")["Code"] == "HostedZoneNotPrivate"
    account = r53.get_account_limit(Type="MAX_HOSTED_ZONES_BY_OWNER")
    assert (account["Limit"]["Value"], account["Count"]) == (500, 1)


def test_an_account_holds_at_most_500_zones(cloud, r53):
    for i in range(500):
        cloud.route53.create_hosted_zone(Name=f"z{i}.example.com", CallerReference=str(i))
    err = error(r53.create_hosted_zone, Name="one-more.com", CallerReference="x")
    assert (err["Code"], err["Status"]) == ("TooManyHostedZones", 400)
    other = cloud.client("route53", account=cloud.new_account())
    assert other.create_hosted_zone(Name="one-more.com", CallerReference="x")


def test_tags_on_zones_and_health_checks(r53):
    zone = new_zone(r53, "example.com")
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone,
                                 AddTags=[{"Key": "env", "Value": "prod"},
                                          {"Key": "team", "Value": "web"}])
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone,
                                 RemoveTagKeys=["team"])
    got = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone)
    assert got["ResourceTagSet"] == {"ResourceType": "hostedzone", "ResourceId": zone,
                                     "Tags": [{"Key": "env", "Value": "prod"}]}
    assert error(r53.list_tags_for_resource, ResourceType="healthcheck",
                 ResourceId="nope")["Code"] == "NoSuchHealthCheck"
    assert error(r53.change_tags_for_resource, ResourceType="hostedzone",
                 ResourceId="ZNOPE", AddTags=[{"Key": "a", "Value": "b"}])["Code"] == \
        "NoSuchHostedZone"
    sets = r53.list_tags_for_resources(ResourceType="hostedzone", ResourceIds=[zone])
    assert sets["ResourceTagSets"][0]["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_iam_decides_with_route53_actions_on_the_zone_arn(cloud, r53):
    zone = new_zone(r53, "example.com")
    other_zone = new_zone(r53, "example.org")
    iam = cloud.client("iam")
    iam.create_user(UserName="dns")
    key = iam.create_access_key(UserName="dns")["AccessKey"]
    user = cloud.client("route53", aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"])
    err = error(user.get_hosted_zone, Id=zone)
    assert (err["Code"], err["Status"], err["Type"]) == ("AccessDenied", 403, "Sender")
    assert "route53:GetHostedZone" in err["Message"]
    assert f"arn:aws:route53:::hostedzone/{zone}" in err["Message"]
    iam.put_user_policy(UserName="dns", PolicyName="one-zone", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["route53:GetHostedZone",
                                          "route53:ChangeResourceRecordSets"],
            "Resource": f"arn:aws:route53:::hostedzone/{zone}"}, {
            "Effect": "Deny", "Action": "route53:ChangeResourceRecordSets", "Resource": "*",
            "Condition": {"ForAnyValue:StringNotEquals": {
                "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]}}}]}))
    assert user.get_hosted_zone(Id=zone)["HostedZone"]["Name"] == "example.com."
    assert error(user.get_hosted_zone, Id=other_zone)["Code"] == "AccessDenied"
    change(user, zone, record("txt.example.com", '"v=1"', "TXT"))
    assert error(lambda: change(user, zone, record("a.example.com", "192.0.2.1")))["Code"] == \
        "AccessDenied"
    assert error(user.list_hosted_zones)["Code"] == "AccessDenied"
    stranger = cloud.client("route53", account=cloud.new_account())
    assert error(stranger.get_hosted_zone, Id=zone)["Code"] == "AccessDenied"
    assert error(stranger.get_hosted_zone, Id="ZNOPE")["Code"] == "NoSuchHostedZone"


def test_unmodified_boto3_code_under_mock_aws_reaches_the_global_service():
    import boto3

    import awskit
    with awskit.mock_aws() as cloud:
        client = boto3.client("route53", region_name="eu-west-1")    # global: any Region
        zone = client.create_hosted_zone(Name="example.com", CallerReference="m")
        zones = boto3.client("route53").list_hosted_zones()["HostedZones"]
        assert [z["Id"] for z in zones] == [zone["HostedZone"]["Id"]]
        assert cloud.traces[-1].service == "route53"
        assert cloud.traces[-1].summary == "GET /2013-04-01/hostedzone"
