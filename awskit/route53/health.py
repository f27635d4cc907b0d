"""Health check operations: create, read, list, update, delete, status.

What Route 53 does [BC route53 CreateHealthCheck, UpdateHealthCheck, HealthCheckConfig]:

- Endpoint checks (HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP) name an ``IPAddress``
  and/or a ``FullyQualifiedDomainName``; TCP needs a ``Port`` (HTTP defaults to 80, HTTPS to
  443); ``*_STR_MATCH`` needs a ``SearchString``. ``RequestInterval`` is 10 or 30 (default 30)
  and cannot change; ``FailureThreshold`` 1-10 (default 3). Checkers are on the internet, so an
  IP in a private, local, non-routable or multicast range (RFC 5735, 6598, 5156) is refused.
  CALCULATED checks combine ``ChildHealthChecks`` with ``HealthThreshold``.
- ``CallerReference`` makes creation idempotent: the same reference and settings return the
  existing check; other settings, or the reference of a deleted check, are
  ``HealthCheckAlreadyExists``. Quota: 200 health checks per account (unconfirmed).
- UpdateHealthCheck increments ``HealthCheckVersion``; a stale version in the request is
  ``HealthCheckVersionMismatch``. ``ResetElements`` resets optional settings.
- DeleteHealthCheck works even while record sets use the check (Route 53 does not prevent it).
- GetHealthCheckStatus cannot read a CALCULATED check.

Not simulated (refused with ``InvalidInput`` naming awskit): CLOUDWATCH_METRIC and
RECOVERY_CONTROL checks.
"""

from __future__ import annotations

import copy
import ipaddress

from ..service import Request, operation
from .checkers import CHECKER_RANGES
from .codes import invalid_input, no_health_check, r53_error
from .model import ENDPOINT, MAX_HEALTH_CHECKS, HealthCheck
from .zones import marker_page

_ENDPOINT_TYPES = {"HTTP": 80, "HTTPS": 443, "HTTP_STR_MATCH": 80, "HTTPS_STR_MATCH": 443,
                   "TCP": None}
_CONFIG_ORDER = ["IPAddress", "Port", "Type", "ResourcePath", "FullyQualifiedDomainName",
                 "SearchString", "RequestInterval", "FailureThreshold", "MeasureLatency",
                 "Inverted", "Disabled", "HealthThreshold", "ChildHealthChecks", "EnableSNI",
                 "Regions"]


def _bad(message: str):
    return invalid_input(f"Invalid parameter : {message}")


def normalize_config(given: dict, existing: dict | None = None) -> dict:
    """The HealthCheckConfig Route 53 stores (defaults filled), or ``InvalidInput``."""
    kind = given["Type"]
    if kind in ("CLOUDWATCH_METRIC", "RECOVERY_CONTROL"):
        raise invalid_input(f"awskit does not simulate {kind} health checks")
    config = dict(given)
    for key in ("AlarmIdentifier", "InsufficientDataHealthStatus", "RoutingControlArn"):
        if key in config:
            raise invalid_input(f"awskit does not simulate CLOUDWATCH_METRIC or RECOVERY_CONTROL "
                                f"health checks ({key})")
    if kind == "CALCULATED":
        for key in ("IPAddress", "Port", "ResourcePath", "FullyQualifiedDomainName",
                    "SearchString", "RequestInterval", "FailureThreshold"):
            if key in config:
                raise _bad(f"{key} is not allowed for CALCULATED health checks")
        config.setdefault("HealthThreshold", 0)
        config.setdefault("ChildHealthChecks", [])
    else:
        if "HealthThreshold" in config or "ChildHealthChecks" in config:
            raise _bad("HealthThreshold and ChildHealthChecks are for CALCULATED health checks")
        ip, fqdn = config.get("IPAddress"), config.get("FullyQualifiedDomainName")
        if ip is None and not fqdn:
            raise _bad("a FullyQualifiedDomainName or an IPAddress is required")
        if ip is not None:
            try:
                address = ipaddress.ip_address(ip)
            except ValueError:
                raise _bad(f"{ip} is not an IP address") from None
            if not address.is_global or address.is_multicast:
                raise _bad(f"IP address {ip} is in a local, private, non-routable or multicast "
                           "range: Route 53 health checkers, on the internet, cannot reach it")
        if kind == "TCP":
            if "Port" not in config:
                raise _bad("a Port is required for TCP health checks")
            for key in ("ResourcePath", "SearchString"):
                if key in config:
                    raise _bad(f"{key} is not allowed for TCP health checks")
        config.setdefault("Port", _ENDPOINT_TYPES[kind])
        if kind.endswith("_STR_MATCH") and not config.get("SearchString"):
            raise _bad(f"a SearchString is required for {kind} health checks")
        if not kind.endswith("_STR_MATCH") and "SearchString" in config:
            raise _bad("SearchString is only for HTTP_STR_MATCH and HTTPS_STR_MATCH checks")
        config.setdefault("RequestInterval", 30)
        if config["RequestInterval"] not in (10, 30):
            raise _bad("RequestInterval must be 10 or 30")
        config.setdefault("FailureThreshold", 3)
        if not 1 <= config["FailureThreshold"] <= 10:
            raise _bad("FailureThreshold must be between 1 and 10")
        config.setdefault("MeasureLatency", False)
        config.setdefault("EnableSNI", kind.startswith("HTTPS"))
    if existing is not None and existing.get("RequestInterval") != config.get("RequestInterval"):
        raise _bad("RequestInterval cannot be changed")
    config.setdefault("Inverted", False)
    config.setdefault("Disabled", False)
    for region in config.get("Regions", []):
        if region not in CHECKER_RANGES:
            raise _bad(f"{region} is not a health checker Region")
    return {k: config[k] for k in _CONFIG_ORDER if k in config}


class HealthCheckOperations:
    """CreateHealthCheck ... GetCheckerIpRanges (mixed into ``Route53``)."""

    def _children_exist(self, req: Request, config: dict) -> None:
        for child in config.get("ChildHealthChecks", []):
            found = self.health_checks.get(child)
            if found is None or found.account != req.account:
                raise no_health_check(child)

    @operation
    def create_health_check(self, req: Request, CallerReference: str, HealthCheckConfig: dict):
        req.authorize("route53:CreateHealthCheck", "*")
        config = normalize_config(HealthCheckConfig)
        self._children_exist(req, config)
        account, now = req.account, self.cloud.clock.elapsed
        known = self.check_refs.get((account, CallerReference))
        if known is not None:
            existing = self.health_checks.get(known)
            if existing is None or existing.config != config:
                raise r53_error("HealthCheckAlreadyExists", "A health check with the same "
                                "CallerReference already exists or was deleted, with other "
                                "settings.")
            req.status = 201
            req.step("Route 53 control plane", f"Health check {known} already exists with "
                     "these settings: return it", 1.0)
            return {"HealthCheck": existing.shape(), "Location": f"{ENDPOINT}/healthcheck/{known}"}
        if sum(c.account == account for c in self.health_checks.values()) >= MAX_HEALTH_CHECKS:
            raise r53_error("TooManyHealthChecks", f"Limits Exceeded: MAX_HEALTH_CHECKS_BY_OWNER "
                                                   f"is {MAX_HEALTH_CHECKS}.")
        check = HealthCheck(self.cloud.ids.uuid("route53-health-check"), account,
                            CallerReference, config, now, since=now)
        self.health_checks[check.id] = check
        self.check_refs[(account, CallerReference)] = check.id
        if config["Type"] != "CALCULATED":
            instance = self.instance_by_ip(config["IPAddress"]) if "IPAddress" in config else None
            check.instance_id = instance.instance_id if instance is not None else None
            self.schedule_probe(check, now + config["RequestInterval"])
        req.step("Route 53 control plane", f"Create {config['Type']} health check {check.id}",
                 3.0, health_check=check.arn)
        if config["Type"] != "CALCULATED":
            regions = config.get("Regions") or list(CHECKER_RANGES)
            req.step("Health checkers", f"Checkers in {len(regions)} Regions will probe "
                     f"{config.get('IPAddress') or config['FullyQualifiedDomainName']}:"
                     f"{config['Port']} every {config['RequestInterval']} s; "
                     f"{config['FailureThreshold']} results in a row change its status", 1.0)
        req.status = 201
        return {"HealthCheck": check.shape(), "Location": f"{ENDPOINT}/healthcheck/{check.id}"}

    @operation
    def get_health_check(self, req: Request, HealthCheckId: str):
        check = self.check_for(req, HealthCheckId, "GetHealthCheck")
        req.step("Route 53 control plane", f"Read health check {check.id}", 1.0)
        return {"HealthCheck": check.shape()}

    @operation
    def get_health_check_count(self, req: Request):
        return {"HealthCheckCount": self.count_owned(req, "GetHealthCheckCount",
                                                     self.health_checks.values(),
                                                     "health checks")}

    @operation
    def get_health_check_status(self, req: Request, HealthCheckId: str):
        check = self.check_for(req, HealthCheckId, "GetHealthCheckStatus")
        if check.config["Type"] == "CALCULATED":
            raise invalid_input("You can't use GetHealthCheckStatus to get the status of a "
                                "calculated health check.")
        req.step("Health checkers", self.describe_check(check), 1.0)
        return {"HealthCheckObservations": self.observations(check)}

    @operation
    def get_health_check_last_failure_reason(self, req: Request, HealthCheckId: str):
        check = self.check_for(req, HealthCheckId, "GetHealthCheckLastFailureReason")
        req.step("Health checkers", f"Last failure of {check.id}: "
                 f"{check.last_failure[1] if check.last_failure else 'none'}", 1.0)
        return {"HealthCheckObservations": self.observations(check, failures=True)}

    @operation
    def list_health_checks(self, req: Request, Marker=None, MaxItems=None):
        req.authorize("route53:ListHealthChecks", "*")
        checks = [c for c in self.health_checks.values() if c.account == req.account]
        page, out = marker_page(checks, Marker, MaxItems, "health check", cap=1000)
        req.step("Route 53 control plane", f"List health checks of {req.account}: {len(page)}",
                 1.0)
        return {"HealthChecks": [c.shape() for c in page], **out}

    @operation
    def update_health_check(self, req: Request, HealthCheckId: str, HealthCheckVersion=None,
                            ResetElements=None, **settings):
        check = self.check_for(req, HealthCheckId, "UpdateHealthCheck")
        if HealthCheckVersion is not None and HealthCheckVersion != check.version:
            raise r53_error("HealthCheckVersionMismatch")
        config = copy.deepcopy(check.config)
        for element in ResetElements or []:
            config.pop(element, None)
        config.update(settings)
        config = normalize_config(config, check.config)
        self._children_exist(req, config)
        check.config = config
        check.version += 1
        what = ", ".join(sorted(settings) + [f"reset {e}" for e in ResetElements or []])
        req.step("Route 53 control plane", f"Update health check {check.id} to version "
                 f"{check.version}: {what or 'no change'}", 2.0, health_check=check.arn)
        return {"HealthCheck": check.shape()}

    @operation
    def delete_health_check(self, req: Request, HealthCheckId: str):
        check = self.check_for(req, HealthCheckId, "DeleteHealthCheck")
        del self.health_checks[check.id]
        self.stop_probing(check.id)
        users = [f"{r['Name']} {r['Type']}" for z in self.zones.values()
                 for r in z.records.values() if r.get("HealthCheckId") == check.id]
        req.step("Route 53 control plane", f"Delete health check {check.id}" +
                 (f" (still named by {', '.join(users)}: Route 53 allows it)" if users else ""),
                 2.0, health_check=check.arn)
        return {}

    @operation
    def get_checker_ip_ranges(self, req: Request):
        """No authorization: the ranges are public [BC route53:GetCheckerIpRanges]."""
        req.step("Health checkers", "List the health checkers' address ranges", 1.0)
        return {"CheckerIpRanges": [cidr for ranges in CHECKER_RANGES.values()
                                    for cidr in ranges]}
