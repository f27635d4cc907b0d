"""Amazon Route 53 as boto3's ``route53`` client sees it (``cloud.route53``).

Route 53 is global: one endpoint (``route53.amazonaws.com``), ARNs without Region or account
(``arn:aws:route53:::hostedzone/<id>``, ``...:healthcheck/<id>``, ``...:change/<id>``). Every
call asks IAM for ``route53:<Action>`` on the zone, health check or change it names, or on
``*`` for calls that name none (CreateHostedZone, ListHostedZones, CreateHealthCheck, ...);
creating a private zone and associating a VPC also need ``ec2:DescribeVpcs`` [BC
route53:CreateHostedZone]. Route 53 has no resource-based policies, so another account's
zones and health checks are out of reach (AccessDenied).

The operations live in mixins: hosted zones and VPCs (``zones.py``), record sets and changes
(``rrsets.py``), health checks (``health.py``); the health checkers that probe on the simulated
clock and the endpoint registry are in ``checkers.py``; the DNS resolver (``resolve()`` and
TestDNSAnswer) in ``resolver.py``; saving and the graph in ``persist.py``.

Domain registration is a separate service (``route53domains``), which awskit does not
simulate: a hosted zone here answers as if its domain were registered and delegated to the
zone's name servers.

Traces: "Route 53 API" (the request), "IAM", "Route 53 control plane" (zones, records, health
checks), "Authoritative name server", "Route 53 resolver" and "Health checkers" (answering
queries).
"""

from __future__ import annotations

from .. import errors
from ..service import Request, Service, operation
from .checkers import Checkers
from .codes import invalid_input, no_health_check, no_zone, r53_error
from .health import HealthCheckOperations
from .model import Change, HealthCheck, HostedZone, new_id
from .persist import Route53Persistence
from .resolver import ResolverOperations
from .rrsets import RecordOperations
from .zones import ZoneOperations

class Route53(ZoneOperations, RecordOperations, HealthCheckOperations, ResolverOperations,
              Checkers, Route53Persistence, Service):
    """Amazon Route 53: hosted zones, record sets, health checks and the DNS that answers."""

    service_name = "route53"
    title = "Amazon Route 53"
    front_component = "Route 53 API"
    console_view = "awskit.route53.view:Route53Console"
    is_global = True

    def __init__(self, cloud):
        Service.__init__(self, cloud)
        self.zones: dict[str, HostedZone] = {}
        self.changes: dict[str, Change] = {}
        self.health_checks: dict[str, HealthCheck] = {}
        self.zone_refs: dict[tuple[str, str], str] = {}      # (account, CallerReference) -> id
        self.check_refs: dict[tuple[str, str], str] = {}
        self._init_checkers()

    # -- pipeline hooks ---------------------------------------------------------------------
    def receive(self, req: Request) -> None:
        http, params = req.op.http, req.params
        path = http["requestUri"]
        for key in ("Id", "HostedZoneId", "HealthCheckId", "ResourceType", "ResourceId", "Type"):
            if key in params and "{" + key + "}" in path:
                path = path.replace("{" + key + "}", str(params[key]))
        line = f"{http['method']} {path}"
        req.trace.summary = line
        req.receive(f"Receive {line}", 1.0, method=http["method"], path=path)

    def access_denied(self, req, action, resource, decision) -> errors.AWSError:
        return r53_error("AccessDenied", super().access_denied(req, action, resource,
                                                               decision).message)

    def auth_error(self, problem: str) -> errors.AWSError:
        err = super().auth_error(problem)
        return errors.for_code(err.code)(err.message, status=err.status, Type="Sender")

    # -- helpers the mixins share -----------------------------------------------------------
    def ec2(self):
        """The EC2 service when awskit simulates it (contract: ``vpc(region, vpc_id)``,
        ``instance_by_ip(ip)``), else None."""
        from ..cloud import SERVICES
        svc = self.cloud._services.get("ec2")
        if svc is None and "ec2" in SERVICES:
            try:
                svc = self.cloud.service("ec2")
            except ImportError:
                return None
        return svc

    def vpc(self, region: str, vpc_id: str):
        """The VPC model object (EC2 contract), or None when EC2 is not simulated or has none."""
        ec2 = self.ec2()
        finder = getattr(ec2, "vpc", None)
        return finder(region, vpc_id) if finder is not None else None

    def instance_by_ip(self, ip: str):
        """The EC2 instance owning ``ip`` (EC2 contract), or None."""
        ec2 = self.ec2()
        finder = getattr(ec2, "instance_by_ip", None)
        return finder(ip) if finder is not None else None

    def zone_for(self, req: Request, zone_id: str, action: str,
                 keys: dict | None = None) -> HostedZone:
        """The caller's hosted zone ``zone_id`` once IAM allows ``route53:<action>`` on it."""
        zone = self.zones.get(zone_id)
        arn = f"arn:aws:route53:::hostedzone/{zone_id}"
        req.authorize(f"route53:{action}", arn, keys=keys,
                      resource_account=zone.account if zone is not None else None)
        if zone is None or zone.account != req.account:
            raise no_zone(zone_id)
        return zone

    def check_for(self, req: Request, check_id: str, action: str) -> HealthCheck:
        check = self.health_checks.get(check_id)
        req.authorize(f"route53:{action}", f"arn:aws:route53:::healthcheck/{check_id}",
                      resource_account=check.account if check is not None else None)
        if check is None or check.account != req.account:
            raise no_health_check(check_id)
        return check

    def count_owned(self, req: Request, action: str, resources, what: str) -> int:
        """How many of ``resources`` the caller's account owns (Get...Count operations)."""
        req.authorize(f"route53:{action}", "*")
        count = sum(r.account == req.account for r in resources)
        req.step("Route 53 control plane", f"Count the {what} of {req.account}: {count}", 1.0)
        return count

    def new_change(self, req: Request, comment: str | None = None) -> Change:
        change = Change(new_id(self.cloud.ids, "C"), req.account, self.cloud.clock.elapsed,
                        comment)
        self.changes[change.id] = change
        return change

    # -- changes ----------------------------------------------------------------------------
    @operation
    def get_change(self, req: Request, Id: str):
        change = self.changes.get(Id)
        req.authorize("route53:GetChange", f"arn:aws:route53:::change/{Id}")
        if change is None or change.account != req.account:
            raise r53_error("NoSuchChange", f"A change with the specified change ID does not "
                                            f"exist: {Id}")
        now = self.cloud.clock.elapsed
        req.step("Authoritative name server", f"Change {Id} submitted "
                 f"{now - change.submitted:.0f} s ago: {change.status(now)}", 1.0)
        return {"ChangeInfo": change.shape(now)}

    # -- tags -------------------------------------------------------------------------------
    def _tagged(self, req: Request, rtype: str, rid: str, action: str):
        if rtype == "hostedzone":
            return self.zone_for(req, rid, action)
        return self.check_for(req, rid, action)

    @operation
    def change_tags_for_resource(self, req: Request, ResourceType: str, ResourceId: str,
                                 AddTags=None, RemoveTagKeys=None):
        resource = self._tagged(req, ResourceType, ResourceId, "ChangeTagsForResource")
        for tag in AddTags or []:
            if "Key" not in tag:
                raise invalid_input("Invalid request: a tag needs a Key")
        for tag in AddTags or []:
            resource.tags[tag["Key"]] = tag.get("Value", "")
        for key in RemoveTagKeys or []:
            resource.tags.pop(key, None)
        req.step("Route 53 control plane", f"Tag {ResourceType} {ResourceId}: "
                 f"+{len(AddTags or [])} -{len(RemoveTagKeys or [])}", 2.0)
        return {}

    @staticmethod
    def _tag_set(rtype: str, rid: str, tags: dict) -> dict:
        out = {"ResourceType": rtype, "ResourceId": rid}
        if tags:
            out["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
        return out

    @operation
    def list_tags_for_resource(self, req: Request, ResourceType: str, ResourceId: str):
        resource = self._tagged(req, ResourceType, ResourceId, "ListTagsForResource")
        req.step("Route 53 control plane", f"Read the tags of {ResourceType} {ResourceId}", 1.0)
        return {"ResourceTagSet": self._tag_set(ResourceType, ResourceId, resource.tags)}

    @operation
    def list_tags_for_resources(self, req: Request, ResourceType: str, ResourceIds: list):
        if not 1 <= len(ResourceIds) <= 10:
            raise invalid_input("Invalid request: ResourceIds holds 1 to 10 ids")
        sets = []
        for rid in ResourceIds:
            resource = self._tagged(req, ResourceType, rid, "ListTagsForResources")
            sets.append(self._tag_set(ResourceType, rid, resource.tags))
        req.step("Route 53 control plane", f"Read the tags of {len(sets)} {ResourceType}(s)", 1.0)
        return {"ResourceTagSets": sets}
