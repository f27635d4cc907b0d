"""Health checkers that really probe, on the simulated clock, and the endpoints they probe.

What Route 53 does [BC route53:HealthCheckConfig; facts]: health checkers in eight Regions
(``us-east-1``, ``us-west-1``, ``us-west-2``, ``eu-west-1``, ``ap-southeast-1``,
``ap-southeast-2``, ``ap-northeast-1``, ``sa-east-1``, or the ``Regions`` chosen) each send a
request every ``RequestInterval`` (10 or 30 s). HTTP(S) is healthy on a status from 200 to 399,
``*_STR_MATCH`` also needs ``SearchString`` in the first 5,120 bytes of the body, TCP on a
connection. An endpoint changes status after ``FailureThreshold`` consecutive checks that
disagree with its current status, and is healthy while more than 18% of the checkers call it
healthy. A disabled health check is always healthy; ``Inverted`` flips the status; a
CALCULATED check is healthy while at least ``HealthThreshold`` of its children are. Checkers
are on the internet: they reach an instance in a VPC only through a public IP. Without a
``IPAddress`` they resolve ``FullyQualifiedDomainName`` (type A) at each check.

How awskit simulates it:

- One clock event per health check per ``RequestInterval`` stands for all its checkers: they
  probe at the same instant and see the same endpoint, so they always agree (the 18% rule never
  splits them). The first probe comes one interval after creation; a new health check is
  healthy until ``FailureThreshold`` probes in a row fail, so an endpoint that goes down turns
  unhealthy at the ``FailureThreshold``-th probe after that: within ``FailureThreshold ×
  RequestInterval`` seconds. A CALCULATED check is evaluated whenever its status is read.
- What a probe sees: an IP of a simulated EC2 instance (contract ``cloud.ec2.instance_by_ip``)
  answers while the instance is ``running`` and times out otherwise; an ``IPAddress`` that
  belonged to an instance and belongs to none now (a stopped instance gives up its public IP;
  an Elastic IP stays) times out too. Security groups and network ACLs are not consulted.
  Anything else (and a running instance's application) answers as the endpoint registry says:
  ``cloud.route53.endpoints.set("api.example.com", 443, healthy=False)`` makes it time out,
  ``status_code=503`` makes HTTP checks fail, ``body=...`` is what ``*_STR_MATCH`` searches.
  An endpoint nobody registered answers HTTP 200 with an empty body.
- Status texts are modelled on the console's reports ("Success: HTTP Status Code 200, OK",
  "Failure: Connection timed out. ..."; wording unconfirmed).
- Checker addresses come from Route 53's published health-checker ranges (``ip-ranges.json``,
  service ROUTE53_HEALTHCHECKS; secondary sources).
"""

from __future__ import annotations

import http
import ipaddress
from dataclasses import dataclass

from .model import HealthCheck

#: checker Region -> its address ranges (ip-ranges.json ROUTE53_HEALTHCHECKS)
CHECKER_RANGES = {
    "us-east-1": ["107.23.255.0/26", "54.243.31.192/26"],
    "us-west-1": ["54.183.255.128/26", "54.241.32.64/26"],
    "us-west-2": ["54.244.52.192/26", "54.245.168.0/26"],
    "eu-west-1": ["54.228.16.0/26", "176.34.159.192/26"],
    "ap-southeast-1": ["54.251.31.128/26", "54.255.254.192/26"],
    "ap-southeast-2": ["54.252.79.128/26", "54.252.254.192/26"],
    "ap-northeast-1": ["54.248.220.0/26", "54.250.253.192/26"],
    "sa-east-1": ["54.232.40.64/26", "177.71.207.128/26"],
}
TIMEOUT = ("Failure: Connection timed out. The endpoint or the internet connection is down, or "
           "requests are being blocked by your firewall. See https://docs.aws.amazon.com/Route53/"
           "latest/DeveloperGuide/dns-failover-router-firewall-rules.html")


def checker_ip(region: str) -> str:
    """The address the checkers of ``region`` probe from (the first host of its first range)."""
    return str(ipaddress.ip_network(CHECKER_RANGES[region][0]).network_address + 1)


@dataclass
class Endpoint:
    """How a registered endpoint answers."""

    healthy: bool = True
    status_code: int = 200
    body: str = ""


class Endpoints:
    """The endpoint registry the student controls: how non-EC2 endpoints (and applications on
    running instances) answer health checks. Keys are an IP address or a domain name, and a port
    (None for every port)."""

    def __init__(self):
        self.entries: dict[tuple[str, int | None], Endpoint] = {}

    @staticmethod
    def _host(target: str) -> str:
        return target.lower().rstrip(".")

    def set(self, target: str, port: int | None = None, *, healthy: bool = True,
            status_code: int = 200, body: str = "") -> Endpoint:
        """Say how ``target`` (IP or domain name) answers on ``port`` (all ports if None)."""
        if not 100 <= int(status_code) <= 599:
            raise ValueError(f"not an HTTP status code: {status_code}")
        entry = self.entries[(self._host(target), port)] = Endpoint(bool(healthy),
                                                                     int(status_code), str(body))
        return entry

    def get(self, target: str, port: int | None) -> Endpoint | None:
        host = self._host(target)
        return self.entries.get((host, port)) or self.entries.get((host, None))

    def clear(self, target: str | None = None, port: int | None = None) -> None:
        """Forget ``target`` on ``port`` (every entry of the target if port is None; every
        entry if target is None)."""
        if target is None:
            self.entries.clear()
            return
        host = self._host(target)
        for key in [k for k in self.entries if k[0] == host and (port is None or k[1] == port)]:
            del self.entries[key]

    def state(self) -> list:
        return [[host, port, e.healthy, e.status_code, e.body]
                for (host, port), e in sorted(self.entries.items(), key=str)]

    def load(self, data: list) -> None:
        self.entries = {(host, port): Endpoint(healthy, code, body)
                        for host, port, healthy, code, body in data}

    def __repr__(self) -> str:
        rows = [f"{host}:{port or '*'} {'up' if e.healthy else 'down'} {e.status_code}"
                for (host, port), e in sorted(self.entries.items(), key=str)]
        return "<Route 53 endpoint registry: " + (", ".join(rows) or "empty") + ">"


class Checkers:
    """Probing and status (mixed into ``Route53``)."""

    def _init_checkers(self) -> None:
        self.endpoints = Endpoints()
        self._probe_events: dict[str, object] = {}

    # -- scheduling -------------------------------------------------------------------------
    def schedule_probe(self, check: HealthCheck, at: float) -> None:
        old = self._probe_events.pop(check.id, None)
        if old is not None:
            old.cancel()
        if check.config["Type"] == "CALCULATED":
            check.next_probe = None
            return
        check.next_probe = at
        check_id = check.id
        self._probe_events[check_id] = self.cloud.clock.schedule_at(
            at, lambda: self._probe(check_id), name=f"Route 53 health check {check_id}")

    def stop_probing(self, check_id: str) -> None:
        event = self._probe_events.pop(check_id, None)
        if event is not None:
            event.cancel()

    def _probe(self, check_id: str) -> None:
        check = self.health_checks.get(check_id)
        if check is None:
            return
        now = self.cloud.clock.elapsed
        config = check.config
        if not config.get("Disabled"):
            ok, reason = self.probe_once(check)
            check.probes += 1
            check.last_checked, check.last_ok, check.last_reason = now, ok, reason
            if not ok:
                check.last_failure = (now, reason)
            if ok == check.healthy:
                check.streak = 0
            else:
                check.streak += 1
                if check.streak >= config["FailureThreshold"]:
                    check.healthy, check.since, check.streak = ok, now, 0
        self.schedule_probe(check, now + config["RequestInterval"])

    # -- one probe --------------------------------------------------------------------------
    def probe_once(self, check: HealthCheck) -> tuple[bool, str]:
        """What the checkers see now: (answered as healthy, status text)."""
        config = check.config
        port, kind = config["Port"], config["Type"]
        ip, fqdn = config.get("IPAddress"), config.get("FullyQualifiedDomainName")
        if ip is None:
            addresses = self.public_addresses(fqdn)
            if not addresses:
                return False, f"Failure: DNS resolution failed: no A record for {fqdn}."
            ip = addresses[0]
        instance = self.instance_by_ip(ip)
        if instance is not None:
            if config.get("IPAddress"):
                check.instance_id = instance.instance_id
            if instance.state != "running":
                return False, f"{TIMEOUT} (awskit: {ip} is instance {instance.instance_id}, " \
                              f"which is {instance.state})"
        registered = self.endpoints.get(ip, port) or (self.endpoints.get(fqdn, port) if fqdn
                                                      else None)
        if instance is None and registered is None and check.instance_id is not None:
            return False, f"{TIMEOUT} (awskit: {ip} no longer belongs to instance " \
                          f"{check.instance_id}: a stopped instance gives up its public IP; an " \
                          "Elastic IP stays)"
        entry = registered or Endpoint()
        if not entry.healthy:
            return False, TIMEOUT
        if kind == "TCP":
            return True, "Success: TCP connection established."
        phrase = http.HTTPStatus(entry.status_code).phrase \
            if entry.status_code in http.HTTPStatus._value2member_map_ else ""
        if not 200 <= entry.status_code < 400:
            return False, f"Failure: HTTP Status Code {entry.status_code}, {phrase}. " \
                          f"Resolved IP: {ip}"
        if kind.endswith("_STR_MATCH") and config["SearchString"] not in entry.body[:5120]:
            return False, "Failure: Search string not found in the first 5120 bytes of the " \
                          f"response body. Resolved IP: {ip}"
        return True, f"Success: HTTP Status Code {entry.status_code}, {phrase}"

    # -- status -----------------------------------------------------------------------------
    def check_healthy(self, check: HealthCheck, _seen: frozenset = frozenset()) -> bool:
        """The status Route 53 uses for routing (Disabled, Inverted and CALCULATED applied)."""
        config = check.config
        if config.get("Disabled"):
            return True
        if config["Type"] == "CALCULATED":
            children = [self.health_checks.get(c) for c in config.get("ChildHealthChecks", [])]
            up = sum(1 for c in children if c is not None and c.id not in _seen and
                     self.check_healthy(c, _seen | {check.id}))
            healthy = up >= config.get("HealthThreshold", 0)
        else:
            healthy = check.healthy
        return healthy != bool(config.get("Inverted"))

    def describe_check(self, check: HealthCheck) -> str:
        """One line for traces: the status and why."""
        config, now = check.config, self.cloud.clock.elapsed
        status = "Healthy" if self.check_healthy(check) else "Unhealthy"
        if config.get("Disabled"):
            return f"health check {check.id}: disabled, so Healthy"
        if config["Type"] == "CALCULATED":
            return f"health check {check.id} (CALCULATED, {config.get('HealthThreshold', 0)} of " \
                   f"{len(config.get('ChildHealthChecks', []))} children must be healthy): " \
                   f"{status}"
        target = config.get("IPAddress") or config.get("FullyQualifiedDomainName")
        since = f"since {self.cloud.clock.at(check.since):%H:%M:%S}" if check.probes else \
            "(no probe yet: new health checks start healthy)"
        last = f"; last probe {now - check.last_checked:.0f} s ago: {check.last_reason}" \
            if check.last_checked is not None else ""
        inverted = " (inverted)" if config.get("Inverted") else ""
        return f"health check {check.id} ({config['Type']} {target}:{config['Port']}): " \
               f"{status}{inverted} {since}{last}"

    def observations(self, check: HealthCheck, failures: bool = False) -> list[dict]:
        """GetHealthCheckStatus / GetHealthCheckLastFailureReason observations."""
        from ..clock import aws_datetime
        seen = check.last_failure if failures else (
            (check.last_checked, check.last_reason) if check.last_checked is not None else None)
        if seen is None:
            return []
        regions = check.config.get("Regions") or list(CHECKER_RANGES)
        return [{"Region": region, "IPAddress": checker_ip(region),
                 "StatusReport": {"Status": seen[1], "CheckedTime": aws_datetime(seen[0], "ms")}}
                for region in regions]
