"""ChangeResourceRecordSets and ListResourceRecordSets through boto3: actions, all-or-nothing
batches, Route 53's validation messages, record types, aliases, routing-policy rules, order
and pagination."""

import pytest

from route53_helpers import change, error, health_check, new_zone, record


@pytest.fixture
def r53(cloud):
    return cloud.client("route53")


@pytest.fixture
def zone(r53):
    return new_zone(r53, "example.com")


def listed(r53, zone_id, **kw):
    return r53.list_resource_record_sets(HostedZoneId=zone_id, **kw)["ResourceRecordSets"]


def batch_error(r53, zone_id, *changes):
    """The InvalidChangeBatch/InvalidInput error of a batch of (action, rrset) pairs."""
    return error(r53.change_resource_record_sets, HostedZoneId=zone_id, ChangeBatch={
        "Changes": [{"Action": a, "ResourceRecordSet": r} for a, r in changes]})


def test_create_upsert_delete(cloud, r53, zone):
    www = record("WWW.Example.com", ["192.0.2.1", "192.0.2.2"], ttl=300)
    info = change(r53, zone, www, action="CREATE", comment="launch")["ChangeInfo"]
    assert info["Status"] == "PENDING" and info["Comment"] == "launch"
    [got] = [r for r in listed(r53, zone) if r["Type"] == "A"]
    assert got == {"Name": "www.example.com.", "Type": "A", "TTL": 300, "ResourceRecords": [
        {"Value": "192.0.2.1"}, {"Value": "192.0.2.2"}]}
    change(r53, zone, record("www.example.com.", "192.0.2.9", ttl=60))
    [got] = [r for r in listed(r53, zone) if r["Type"] == "A"]
    assert got["ResourceRecords"] == [{"Value": "192.0.2.9"}] and got["TTL"] == 60
    assert r53.get_hosted_zone(Id=zone)["HostedZone"]["ResourceRecordSetCount"] == 3
    change(r53, zone, record("www.example.com", "192.0.2.9", ttl=60), action="DELETE")
    assert [r["Type"] for r in listed(r53, zone)] == ["NS", "SOA"]


def test_messages_for_existing_missing_and_mismatched_record_sets(r53, zone):
    www = record("www.example.com", "192.0.2.1")
    change(r53, zone, www, action="CREATE")
    err = batch_error(r53, zone, ("CREATE", www))
    assert (err["Code"], err["Status"], err["Type"]) == ("InvalidChangeBatch", 400, "Sender")
    assert err["Message"] == ("[Tried to create resource record set [name='www.example.com.', "
                              "type='A'] but it already exists]")
    err = batch_error(r53, zone, ("DELETE", record("api.example.com", "192.0.2.1")))
    assert err["Message"] == ("[Tried to delete resource record set [name='api.example.com.', "
                              "type='A'] but it was not found]")
    err = batch_error(r53, zone, ("DELETE", record("www.example.com", "192.0.2.2")))
    assert err["Message"] == ("[Tried to delete resource record set [name='www.example.com.', "
                              "type='A'] but the values provided do not match the current values]")
    weighted = record("w.example.com", "192.0.2.1", SetIdentifier="blue", Weight=1)
    change(r53, zone, weighted)
    err = batch_error(r53, zone, ("CREATE", weighted))
    assert "[name='w.example.com.', type='A', set-identifier='blue'] but it already exists" in \
        err["Message"]


def test_a_batch_is_all_or_nothing_and_reports_every_problem(r53, zone):
    change(r53, zone, record("www.example.com", "192.0.2.1"))
    before = listed(r53, zone)
    err = batch_error(r53, zone, ("CREATE", record("new.example.com", "192.0.2.5")),
                      ("CREATE", record("www.example.com", "192.0.2.1")),
                      ("CREATE", record("x.other.org", "192.0.2.1")))
    assert err["Message"] == (
        "[Tried to create resource record set [name='www.example.com.', type='A'] but it "
        "already exists, RRSet with DNS name x.other.org. is not permitted in zone "
        "example.com.]")
    assert listed(r53, zone) == before           # new.example.com was not created


def test_delete_then_create_in_one_batch_replaces(r53, zone):
    change(r53, zone, record("www.example.com", "192.0.2.1"))
    change(r53, zone, record("www.example.com", "192.0.2.1"), action="DELETE")
    change(r53, zone, record("www.example.com", "192.0.2.1"), action="CREATE")
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "DELETE", "ResourceRecordSet": record("www.example.com", "192.0.2.1")},
        {"Action": "CREATE", "ResourceRecordSet": record("www.example.com", "www.example.net",
                                                         "CNAME")}]})
    assert [r["Type"] for r in listed(r53, zone) if r["Name"].startswith("www")] == ["CNAME"]
    err = batch_error(r53, zone, ("DELETE", record("www.example.com", "www.example.net",
                                                   "CNAME")),
                      ("DELETE", record("www.example.com", "www.example.net", "CNAME")))
    assert err["Message"] == ("[The request contains an invalid set of changes for a resource "
                              "record set 'CNAME www.example.com.']")


def test_cname_rules(r53, zone):
    err = batch_error(r53, zone, ("CREATE", record("example.com", "other.net", "CNAME")))
    assert err["Message"] == ("[RRSet of type CNAME with DNS name example.com. is not permitted "
                              "at apex in zone example.com.]")
    change(r53, zone, record("www.example.com", "192.0.2.1"))
    err = batch_error(r53, zone, ("CREATE", record("www.example.com", "other.net", "CNAME")))
    assert err["Message"] == ("[RRSet of type CNAME with DNS name www.example.com. is not "
                              "permitted as it conflicts with other records with the same DNS "
                              "name in zone example.com.]")
    change(r53, zone, record("app.example.com", "other.net", "CNAME"))
    err = batch_error(r53, zone, ("CREATE", record("app.example.com", '"x"', "TXT")))
    assert err["Message"] == ("[RRSet of type TXT with DNS name app.example.com. is not "
                              "permitted because a conflicting RRSet of type  CNAME with the "
                              "same DNS name already exists in zone example.com.]")
    assert batch_error(r53, zone, ("CREATE", record("two.example.com", ["a.net", "b.net"],
                                                    "CNAME")))["Code"] == "InvalidChangeBatch"


def test_the_zone_keeps_its_soa_and_apex_ns(r53, zone):
    soa, ns = listed(r53, zone)[1], listed(r53, zone)[0]
    err = batch_error(r53, zone, ("DELETE", soa))
    assert err["Message"] == "[A HostedZone must contain exactly one SOA record.]"
    err = batch_error(r53, zone, ("DELETE", ns))
    assert err["Message"] == ("[A HostedZone must contain at least one NS record for the zone "
                              "itself.]")
    soa["TTL"] = 600
    change(r53, zone, soa)                         # UPSERT of the SOA is allowed
    assert listed(r53, zone)[1]["TTL"] == 600


@pytest.mark.parametrize("rtype, value", [
    ("A", "192.0.2.300"), ("A", "example.com"), ("AAAA", "192.0.2.1"), ("AAAA", "2001:db8::zz"),
    ("MX", "mail.example.com"), ("MX", "70000 mail.example.com"), ("SRV", "1 2 mail 443"),
    ("TXT", '"' + "x" * 256 + '"'), ("TXT", '"unclosed'), ("CAA", "0 issue amazon.com"),
    ("CNAME", "a..b.com"), ("PTR", "bad name.example.com"), ("NS", ""),
])
def test_bad_values_are_refused_with_a_resource_record_message(r53, zone, rtype, value):
    err = batch_error(r53, zone, ("CREATE", record("v.example.com", value, rtype)))
    assert err["Code"] == "InvalidChangeBatch"
    assert err["Message"].startswith("[Invalid Resource Record: 'FATAL problem: ")
    assert not [r for r in listed(r53, zone) if r["Name"] == "v.example.com."]


def test_the_ipv4_message_is_routes_own(r53, zone):
    err = batch_error(r53, zone, ("CREATE", record("v.example.com", "1.2.3", "A")))
    assert err["Message"] == ("[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address "
                              "(Value is not a valid IPv4 address) encountered with '1.2.3'']")


def test_good_values_of_every_checked_type(r53, zone):
    good = [record("a.example.com", "192.0.2.1"), record("a.example.com", "2001:db8::1", "AAAA"),
            record("example.com", ["10 mail.example.com.", "20 backup.example.com"], "MX"),
            record("example.com", ['"v=spf1 -all"', '"a" "b"', "bare"], "TXT"),
            record("_sip._tcp.example.com", "10 60 5060 sip.example.com.", "SRV"),
            record("example.com", ['0 issue "amazon.com"', '128 iodef "mailto:x@example.com"'],
                   "CAA"),
            record("1.2.0.192.in-addr.example.com", "host.example.com.", "PTR"),
            record("sub.example.com", ["ns1.example.net.", "ns2.example.net."], "NS"),
            record("www.example.com", "a.example.com", "CNAME")]
    change(r53, zone, *good, action="CREATE")
    assert len(listed(r53, zone)) == 2 + len(good)


def test_malformed_record_sets_are_invalid_input(r53, zone):
    both = {**record("a.example.com", "192.0.2.1"), "AliasTarget": {
        "HostedZoneId": zone, "DNSName": "b.example.com", "EvaluateTargetHealth": False}}
    err = batch_error(r53, zone, ("CREATE", both))
    assert (err["Code"], err["Message"]) == ("InvalidInput", (
        "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords],"
        " or TrafficPolicyInstanceId], but found more than one in Change with [Action=CREATE, "
        "Name=a.example.com, Type=A, SetIdentifier=null]"))
    err = batch_error(r53, zone, ("CREATE", {"Name": "a.example.com", "Type": "A", "TTL": 60}))
    assert "but found none in Change with [Action=CREATE" in err["Message"]
    for bad in ({**record("a.example.com", "192.0.2.1"), "Weight": 1},
                {**record("a.example.com", "192.0.2.1"), "SetIdentifier": "x"},
                {**record("a.example.com", "192.0.2.1"), "SetIdentifier": "x", "Weight": 1,
                 "Region": "us-east-1"},
                {**record("a.example.com", "192.0.2.1"), "SetIdentifier": "x",
                 "GeoLocation": {"CountryCode": "XX"}},
                {**record("a.example.com", "192.0.2.1"), "SetIdentifier": "x",
                 "GeoLocation": {"ContinentCode": "EU", "CountryCode": "FR"}},
                {**record("a.example.com", "192.0.2.1"), "SetIdentifier": "x",
                 "GeoLocation": {"CountryCode": "US", "SubdivisionCode": "ZZ"}},
                {**record("a.b..example.com", "192.0.2.1")}):
        assert batch_error(r53, zone, ("CREATE", bad))["Code"] == "InvalidInput", bad


def test_routing_policy_groups_cannot_mix(r53, zone):
    change(r53, zone, record("w.example.com", "192.0.2.1", SetIdentifier="a", Weight=1))
    err = batch_error(r53, zone, ("CREATE", record("w.example.com", "192.0.2.2")))
    assert err["Message"] == ("[RRSet with DNS name w.example.com., type A cannot be created as "
                              "other RRSets exist with the same name and type.]")
    err = batch_error(r53, zone, ("CREATE", record("w.example.com", "192.0.2.2",
                                                   SetIdentifier="b", Region="us-east-1")))
    assert err["Message"] == ("[RRSet with DNS name w.example.com., type A, SetIdentifier b cannot "
                              "be created as a non-latency set exists with the same name and "
                              "type.]")
    err = batch_error(r53, zone, ("CREATE", record("w.example.com", "192.0.2.2", ttl=300,
                                                   SetIdentifier="b", Weight=1)))
    assert err["Message"] == ("[RRSet with DNS name w.example.com. and type A, SetIdentifier b "
                              "cannot be created as weighted sets must contain the same TTL.]")
    change(r53, zone, record("l.example.com", "192.0.2.1", SetIdentifier="a", Region="eu-west-1"))
    assert batch_error(r53, zone, ("CREATE", record("l.example.com", "192.0.2.2",
                                                    SetIdentifier="b",
                                                    Region="eu-west-1")))["Code"] == \
        "InvalidChangeBatch"
    change(r53, zone, record("f.example.com", "192.0.2.1", SetIdentifier="p", Failover="PRIMARY"))
    assert batch_error(r53, zone, ("CREATE", record("f.example.com", "192.0.2.2",
                                                    SetIdentifier="q",
                                                    Failover="PRIMARY")))["Code"] == \
        "InvalidChangeBatch"


def test_a_health_check_id_must_exist(r53, zone):
    bad = record("a.example.com", "192.0.2.1", HealthCheckId="0d1e2f3a-0000-4000-8000-000000000000")
    err = batch_error(r53, zone, ("CREATE", bad))
    assert (err["Code"], err["Status"]) == ("NoSuchHealthCheck", 404)
    hc = health_check(r53, "54.239.28.85", "h")
    change(r53, zone, record("a.example.com", "192.0.2.1", HealthCheckId=hc))


def test_aliases(r53, zone, cloud):
    change(r53, zone, record("www.example.com", "192.0.2.1"))
    apex = {"Name": "example.com", "Type": "A", "AliasTarget": {
        "HostedZoneId": f"/hostedzone/{zone}", "DNSName": "WWW.example.com",
        "EvaluateTargetHealth": True}}
    change(r53, zone, apex)
    [got] = [r for r in listed(r53, zone) if r["Name"] == "example.com." and r["Type"] == "A"]
    assert got == {"Name": "example.com.", "Type": "A", "AliasTarget": {
        "HostedZoneId": zone, "DNSName": "www.example.com.", "EvaluateTargetHealth": True}}
    assert "TTL" not in got
    missing = {**apex, "AliasTarget": {**apex["AliasTarget"], "DNSName": "nope.example.com"}}
    err = batch_error(r53, zone, ("UPSERT", missing))
    assert err["Message"] == (f"[Tried to create an alias that targets nope.example.com., type A "
                              f"in zone {zone}, but that target was not found]")
    outside = {**apex, "AliasTarget": {**apex["AliasTarget"], "DNSName": "www.example.org"}}
    err = batch_error(r53, zone, ("UPSERT", outside))
    assert err["Message"] == (f"[Tried to create an alias that targets www.example.org., type A "
                              f"in zone {zone}, but the alias target name does not lie within "
                              "the target zone]")
    cdn = {"Name": "cdn.example.com", "Type": "A", "AliasTarget": {
        "HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111111abcdef8.cloudfront.net",
        "EvaluateTargetHealth": False}}
    site = {"Name": "site.example.com", "Type": "A", "AliasTarget": {
        "HostedZoneId": "Z3AQBSTGFYJSTF", "DNSName": "s3-website-us-east-1.amazonaws.com",
        "EvaluateTargetHealth": False}}
    change(r53, zone, cdn, site)
    wrong = {**site, "AliasTarget": {**site["AliasTarget"],
                                     "DNSName": "s3-website-eu-west-1.amazonaws.com"}}
    assert "does not lie within" in batch_error(r53, zone, ("UPSERT", wrong))["Message"]
    assert batch_error(r53, zone, ("CREATE", {**cdn, "Name": "m.example.com",
                                              "SetIdentifier": "m",
                                              "MultiValueAnswer": True}))["Code"] == "InvalidInput"


def test_a_private_zone_cannot_alias_cloudfront(cloud, r53):
    from route53_helpers import dns_vpc
    vpc = dns_vpc(cloud.client("ec2"))
    private = new_zone(r53, "corp.internal", VPC={"VPCRegion": "us-east-1", "VPCId": vpc})
    err = batch_error(r53, private, ("CREATE", {"Name": "cdn.corp.internal", "Type": "A",
                                                "AliasTarget": {
                                                    "HostedZoneId": "Z2FDTNDATAQYW2",
                                                    "DNSName": "d1.cloudfront.net",
                                                    "EvaluateTargetHealth": False}}))
    assert err["Code"] == "InvalidChangeBatch" and "private hosted zone" in err["Message"]


def test_listing_sorts_by_reversed_labels_then_type_and_pages(r53, zone):
    change(r53, zone, record("b.example.com", "192.0.2.1"),
           record("a.b.example.com", "192.0.2.1"), record("*.example.com", '"w"', "TXT"),
           record("a.example.com", "2001:db8::1", "AAAA"), record("a.example.com", "192.0.2.1"),
           record("example.com", "10 mx.example.com", "MX"))
    names = [(r["Name"], r["Type"]) for r in listed(r53, zone)]
    assert names == [("example.com.", "MX"), ("example.com.", "NS"), ("example.com.", "SOA"),
                     ("\\052.example.com.", "TXT"), ("a.example.com.", "A"),
                     ("a.example.com.", "AAAA"), ("b.example.com.", "A"),
                     ("a.b.example.com.", "A")]
    page = r53.list_resource_record_sets(HostedZoneId=zone, MaxItems="3")
    assert page["IsTruncated"] is True and page["MaxItems"] == "3"
    assert (page["NextRecordName"], page["NextRecordType"]) == ("\\052.example.com.", "TXT")
    rest = r53.list_resource_record_sets(HostedZoneId=zone, StartRecordName="a.example.com",
                                         StartRecordType="AAAA")
    assert [(r["Name"], r["Type"]) for r in rest["ResourceRecordSets"]] == names[5:]
    assert rest["IsTruncated"] is False and "NextRecordName" not in rest
    paged = [r["Name"] for p in r53.get_paginator("list_resource_record_sets").paginate(
        HostedZoneId=zone, PaginationConfig={"PageSize": 2}) for r in p["ResourceRecordSets"]]
    assert paged == [n for n, _ in names]
    assert error(r53.list_resource_record_sets, HostedZoneId=zone,
                 StartRecordType="A")["Code"] == "InvalidInput"


def test_pagination_carries_set_identifiers(r53, zone):
    change(r53, zone, *[record("w.example.com", f"192.0.2.{i}", SetIdentifier=f"s{i}", Weight=1)
                        for i in range(3)])
    page = r53.list_resource_record_sets(HostedZoneId=zone, StartRecordName="w.example.com",
                                         StartRecordType="A", MaxItems="1")
    assert page["ResourceRecordSets"][0]["SetIdentifier"] == "s0"
    assert page["NextRecordIdentifier"] == "s1"
    nxt = r53.list_resource_record_sets(HostedZoneId=zone, StartRecordName=page["NextRecordName"],
                                        StartRecordType="A",
                                        StartRecordIdentifier=page["NextRecordIdentifier"])
    assert [r["SetIdentifier"] for r in nxt["ResourceRecordSets"]] == ["s1", "s2"]


def test_a_zone_holds_at_most_10000_record_sets(cloud, r53, zone):
    for start in range(0, 9998, 1000):
        cloud.route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": record(f"h{i}.example.com", "192.0.2.1")}
            for i in range(start, min(start + 1000, 9998))]})
    assert r53.get_hosted_zone(Id=zone)["HostedZone"]["ResourceRecordSetCount"] == 10000
    err = batch_error(r53, zone, ("CREATE", record("one-more.example.com", "192.0.2.1")))
    assert err["Code"] == "InvalidChangeBatch" and "10000" in err["Message"]
    change(r53, zone, record("h1.example.com", "192.0.2.2"))     # replacing stays possible
    too_many = [("CREATE", record(f"x{i}.example.com", "192.0.2.1")) for i in range(1001)]
    assert batch_error(r53, zone, *too_many)["Code"] == "InvalidChangeBatch"
