"""Route 53 health checks through boto3: configuration, validation, idempotency, and checkers
that probe on the simulated clock (EC2 instances and the endpoint registry)."""

import ipaddress

import pytest

from route53_helpers import change, error, health_check, new_zone, public_instance, record

IP = "54.239.28.85"          # a global (internet-routable) address


@pytest.fixture
def r53(cloud):
    return cloud.client("route53")


def status(r53, check_id):
    return r53.get_health_check_status(HealthCheckId=check_id)["HealthCheckObservations"]


def healthy(cloud, check_id) -> bool:
    service = cloud.route53
    return service.check_healthy(service.health_checks[check_id])


def test_create_fills_route53s_defaults(r53):
    out = r53.create_health_check(CallerReference="a", HealthCheckConfig={
        "Type": "HTTPS", "FullyQualifiedDomainName": "www.example.com", "ResourcePath": "/up"})
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 201
    check = out["HealthCheck"]
    assert out["ResponseMetadata"]["HTTPHeaders"]["location"].endswith(
        f"/2013-04-01/healthcheck/{check['Id']}")
    assert check["HealthCheckVersion"] == 1 and check["CallerReference"] == "a"
    assert check["HealthCheckConfig"] == {
        "Port": 443, "Type": "HTTPS", "ResourcePath": "/up",
        "FullyQualifiedDomainName": "www.example.com", "RequestInterval": 30,
        "FailureThreshold": 3, "MeasureLatency": False, "Inverted": False, "Disabled": False,
        "EnableSNI": True}
    tcp = r53.create_health_check(CallerReference="b", HealthCheckConfig={
        "Type": "TCP", "IPAddress": IP, "Port": 22})["HealthCheck"]["HealthCheckConfig"]
    assert tcp["Port"] == 22 and tcp["EnableSNI"] is False and "ResourcePath" not in tcp
    assert r53.get_health_check(HealthCheckId=check["Id"])["HealthCheck"] == check


def test_caller_reference_makes_creation_idempotent(r53):
    config = {"Type": "HTTP", "IPAddress": IP}
    first = r53.create_health_check(CallerReference="x", HealthCheckConfig=config)
    again = r53.create_health_check(CallerReference="x", HealthCheckConfig=config)
    assert again["HealthCheck"]["Id"] == first["HealthCheck"]["Id"]
    assert r53.get_health_check_count()["HealthCheckCount"] == 1
    err = error(r53.create_health_check, CallerReference="x",
                HealthCheckConfig={**config, "Port": 8080})
    assert (err["Code"], err["Status"]) == ("HealthCheckAlreadyExists", 409)
    r53.delete_health_check(HealthCheckId=first["HealthCheck"]["Id"])
    assert error(r53.create_health_check, CallerReference="x",
                 HealthCheckConfig=config)["Code"] == "HealthCheckAlreadyExists"


@pytest.mark.parametrize("config", [
    {"Type": "HTTP", "IPAddress": "10.0.0.5"},                       # private
    {"Type": "HTTP", "IPAddress": "192.0.2.44"},                     # TEST-NET-1
    {"Type": "HTTP", "IPAddress": "224.0.0.1"},                      # multicast
    {"Type": "HTTP", "IPAddress": "not-an-ip"},
    {"Type": "HTTP"},                                                # no endpoint
    {"Type": "TCP", "IPAddress": IP},                                # no port
    {"Type": "TCP", "IPAddress": IP, "Port": 22, "ResourcePath": "/"},
    {"Type": "HTTP_STR_MATCH", "IPAddress": IP},                     # no search string
    {"Type": "HTTP", "IPAddress": IP, "SearchString": "ok"},
    {"Type": "HTTP", "IPAddress": IP, "RequestInterval": 20},
    {"Type": "HTTP", "IPAddress": IP, "FailureThreshold": 11},
    {"Type": "HTTP", "IPAddress": IP, "Regions": ["us-east-1", "eu-west-1", "eu-west-2"]},
    {"Type": "CALCULATED", "IPAddress": IP},
    {"Type": "CLOUDWATCH_METRIC", "AlarmIdentifier": {"Region": "us-east-1", "Name": "a"}},
])
def test_bad_configurations_are_invalid_input(r53, config):
    err = error(r53.create_health_check, CallerReference="r", HealthCheckConfig=config)
    assert (err["Code"], err["Status"], err["Type"]) == ("InvalidInput", 400, "Sender")
    assert r53.get_health_check_count()["HealthCheckCount"] == 0


def test_an_endpoint_that_goes_down_turns_unhealthy_after_threshold_times_interval(cloud, r53):
    check = health_check(r53, IP, "h", interval=10, threshold=3)
    assert status(r53, check) == []                 # no probe yet
    cloud.advance(10)
    [obs, *_] = status(r53, check)
    assert obs["StatusReport"]["Status"] == "Success: HTTP Status Code 200, OK"
    cloud.route53.endpoints.set(IP, 80, healthy=False)
    down_at = cloud.clock.elapsed
    cloud.advance(29.9)
    assert healthy(cloud, check)                    # two failures so far
    cloud.advance(0.1)
    assert not healthy(cloud, check)                # the third, 3 x 10 s after it went down
    since, created = (cloud.route53.health_checks[check].since,
                      cloud.route53.health_checks[check].created)
    assert since == pytest.approx(created + 40)       # the probe at 40 s is the third failure
    assert down_at + 20 < since <= down_at + 30
    assert status(r53, check)[0]["StatusReport"]["Status"].startswith(
        "Failure: Connection timed out.")
    cloud.route53.endpoints.set(IP, 80, healthy=True)
    cloud.advance(20)
    assert not healthy(cloud, check)
    cloud.advance(10)
    assert healthy(cloud, check)                    # three passes to recover


def test_observations_come_from_the_checker_regions(cloud, r53):
    check = health_check(r53, IP, "h", interval=30)
    cloud.advance(30)
    observations = status(r53, check)
    assert [o["Region"] for o in observations] == [
        "us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2",
        "ap-northeast-1", "sa-east-1"]
    ranges = r53.get_checker_ip_ranges()["CheckerIpRanges"]
    for obs in observations:
        assert any(ipaddress.ip_address(obs["IPAddress"]) in ipaddress.ip_network(r)
                   for r in ranges)
        assert obs["StatusReport"]["CheckedTime"] == observations[0]["StatusReport"]["CheckedTime"]
    chosen = r53.create_health_check(CallerReference="r", HealthCheckConfig={
        "Type": "TCP", "IPAddress": IP, "Port": 443, "RequestInterval": 10,
        "Regions": ["us-east-1", "eu-west-1", "sa-east-1"]})["HealthCheck"]["Id"]
    cloud.advance(10)
    assert [o["Region"] for o in status(r53, chosen)] == ["us-east-1", "eu-west-1", "sa-east-1"]
    assert status(r53, chosen)[0]["StatusReport"]["Status"] == \
        "Success: TCP connection established."


def test_http_status_codes_and_search_strings(cloud, r53):
    cloud.route53.endpoints.set(IP, 80, status_code=503)
    cloud.route53.endpoints.set(IP, 8080, body="<html>status: OK</html>")
    http = health_check(r53, IP, "a", threshold=1)
    found = health_check(r53, IP, "b", kind="HTTP_STR_MATCH", threshold=1, Port=8080,
                         SearchString="status: OK")
    missing = health_check(r53, IP, "c", kind="HTTP_STR_MATCH", threshold=1, Port=8080,
                           SearchString="status: DOWN")
    cloud.advance(10)
    assert not healthy(cloud, http)
    assert status(r53, http)[0]["StatusReport"]["Status"].startswith(
        "Failure: HTTP Status Code 503, Service Unavailable")
    assert healthy(cloud, found) and not healthy(cloud, missing)
    reason = r53.get_health_check_last_failure_reason(HealthCheckId=missing)
    assert "Search string" in reason["HealthCheckObservations"][0]["StatusReport"]["Status"]
    assert r53.get_health_check_last_failure_reason(
        HealthCheckId=found)["HealthCheckObservations"] == []


def test_a_check_on_an_ec2_instance_fails_while_it_is_stopped(cloud, r53):
    ec2 = cloud.client("ec2")
    instance_id, public_ip = public_instance(cloud, ec2)
    check = health_check(r53, public_ip, "i", interval=10, threshold=2)
    cloud.advance(20)
    assert healthy(cloud, check)
    ec2.stop_instances(InstanceIds=[instance_id])
    cloud.advance(20)
    assert not healthy(cloud, check)
    text = status(r53, check)[0]["StatusReport"]["Status"]
    assert instance_id in text and "Connection timed out" in text
    assert "Unhealthy" in cloud.route53.describe_check(cloud.route53.health_checks[check])
    ec2.get_waiter("instance_stopped").wait(InstanceIds=[instance_id])
    ec2.start_instances(InstanceIds=[instance_id])
    ec2.get_waiter("instance_running").wait(InstanceIds=[instance_id])
    [res] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    assert res["Instances"][0]["State"]["Name"] == "running"
    assert res["Instances"][0].get("PublicIpAddress") != public_ip     # a new public IP
    assert not healthy(cloud, check)               # the check still probes the old address
    assert "no longer belongs to instance" in status(r53, check)[0]["StatusReport"]["Status"]


def test_inverted_disabled_and_calculated(cloud, r53):
    up = health_check(r53, IP, "up", threshold=1)
    down_ip = "54.239.28.86"
    cloud.route53.endpoints.set(down_ip, healthy=False)
    down = health_check(r53, down_ip, "down", threshold=1)
    cloud.advance(10)
    assert healthy(cloud, up) and not healthy(cloud, down)
    r53.update_health_check(HealthCheckId=down, Inverted=True)
    assert healthy(cloud, down)
    r53.update_health_check(HealthCheckId=down, Inverted=False, Disabled=True)
    assert healthy(cloud, down)                      # disabled checks are healthy
    r53.update_health_check(HealthCheckId=down, Disabled=False)
    both = r53.create_health_check(CallerReference="calc", HealthCheckConfig={
        "Type": "CALCULATED", "ChildHealthChecks": [up, down], "HealthThreshold": 2})
    calc = both["HealthCheck"]["Id"]
    assert both["HealthCheck"]["HealthCheckConfig"] == {
        "Type": "CALCULATED", "Inverted": False, "Disabled": False, "HealthThreshold": 2,
        "ChildHealthChecks": [up, down]}
    assert not healthy(cloud, calc)
    r53.update_health_check(HealthCheckId=calc, HealthThreshold=1)
    assert healthy(cloud, calc)
    assert error(r53.get_health_check_status, HealthCheckId=calc)["Code"] == "InvalidInput"
    assert error(r53.create_health_check, CallerReference="bad", HealthCheckConfig={
        "Type": "CALCULATED", "ChildHealthChecks": ["nope"],
        "HealthThreshold": 1})["Code"] == "NoSuchHealthCheck"


def test_update_versions_and_resets(r53):
    check = r53.create_health_check(CallerReference="v", HealthCheckConfig={
        "Type": "HTTP", "IPAddress": IP, "ResourcePath": "/a",
        "FullyQualifiedDomainName": "www.example.com"})["HealthCheck"]["Id"]
    out = r53.update_health_check(HealthCheckId=check, HealthCheckVersion=1, Port=8080,
                                  ResetElements=["ResourcePath"])["HealthCheck"]
    assert out["HealthCheckVersion"] == 2 and out["HealthCheckConfig"]["Port"] == 8080
    assert "ResourcePath" not in out["HealthCheckConfig"]
    assert out["HealthCheckConfig"]["FullyQualifiedDomainName"] == "www.example.com"
    err = error(r53.update_health_check, HealthCheckId=check, HealthCheckVersion=1,
                FailureThreshold=5)
    assert (err["Code"], err["Status"]) == ("HealthCheckVersionMismatch", 409)
    assert error(r53.update_health_check, HealthCheckId=check,
                 IPAddress="10.1.1.1")["Code"] == "InvalidInput"
    assert r53.get_health_check(HealthCheckId=check)["HealthCheck"]["HealthCheckVersion"] == 2


def test_a_domain_name_check_resolves_through_route53(cloud, r53):
    zone = new_zone(r53, "example.com")
    change(r53, zone, record("app.example.com", IP))
    cloud.route53.endpoints.set(IP, 80, healthy=False)
    check = r53.create_health_check(CallerReference="d", HealthCheckConfig={
        "Type": "HTTP", "FullyQualifiedDomainName": "app.example.com", "RequestInterval": 10,
        "FailureThreshold": 1})["HealthCheck"]["Id"]
    nowhere = r53.create_health_check(CallerReference="n", HealthCheckConfig={
        "Type": "HTTP", "FullyQualifiedDomainName": "nothing.example.com",
        "RequestInterval": 10, "FailureThreshold": 1})["HealthCheck"]["Id"]
    cloud.advance(10)
    assert not healthy(cloud, check)
    assert "DNS resolution failed" in status(r53, nowhere)[0]["StatusReport"]["Status"]
    change(r53, zone, record("app.example.com", "54.239.28.90"))
    cloud.advance(10)
    assert healthy(cloud, check)


def test_list_and_delete(cloud, r53):
    ids = [health_check(r53, IP, f"h{i}") for i in range(3)]
    page = r53.list_health_checks(MaxItems="2")
    assert [c["Id"] for c in page["HealthChecks"]] == ids[:2]
    assert page["IsTruncated"] is True and page["NextMarker"] == ids[2]
    rest = r53.list_health_checks(Marker=ids[2])
    assert [c["Id"] for c in rest["HealthChecks"]] == ids[2:] and rest["IsTruncated"] is False
    zone = new_zone(r53, "example.com")
    change(r53, zone, record("a.example.com", "192.0.2.1", HealthCheckId=ids[0]))
    r53.delete_health_check(HealthCheckId=ids[0])        # Route 53 allows it
    assert error(r53.get_health_check, HealthCheckId=ids[0])["Code"] == "NoSuchHealthCheck"
    assert not [e for e in cloud.clock.pending if ids[0] in e.name]
    assert error(r53.delete_health_check, HealthCheckId=ids[0])["Code"] == "NoSuchHealthCheck"
    assert r53.get_account_limit(Type="MAX_HEALTH_CHECKS_BY_OWNER")["Count"] == 2


def test_an_account_holds_at_most_200_health_checks(cloud, r53):
    for i in range(200):
        cloud.route53.create_health_check(CallerReference=str(i), HealthCheckConfig={
            "Type": "TCP", "IPAddress": IP, "Port": 443})
    err = error(r53.create_health_check, CallerReference="one-more", HealthCheckConfig={
        "Type": "TCP", "IPAddress": IP, "Port": 443})
    assert (err["Code"], err["Status"]) == ("TooManyHealthChecks", 400)
