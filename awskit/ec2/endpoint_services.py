"""PrivateLink, the provider side: endpoint services in front of Network Load Balancers, who may
connect, and accepting consumers' endpoints.

ELB is not simulated. ``cloud.ec2.register_load_balancer(arn, subnet_ids, targets, ports=())``
is awskit's stand-in for creating an ELBv2 Network Load Balancer: it takes a well-formed NLB
ARN (``arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/<16 hex>``),
puts a requester-managed interface (type ``network_load_balancer``) in each subnet and records
the targets (instance ids or private IPs) it forwards the listener ``ports`` to (none: every
port). CreateVpcEndpointServiceConfiguration accepts only ARNs registered that way in the
caller's account and Region (``InvalidNetworkLoadBalancerArn.Malformed`` / ``.NotFound``).

A service (``com.amazonaws.vpce.<region>.vpce-svc-…``, type Interface) is ``Pending`` then
``Available`` (``SERVICE_PENDING`` s), offered in the AZs of its load balancers' subnets. Its
owner and the principals allowed by ModifyVpcEndpointServicePermissions (IAM ARNs, an account's
``root`` ARN, or ``*``) see it in DescribeVpcEndpointServices and can create interface
endpoints to it; others get ``InvalidServiceName``. With ``AcceptanceRequired`` (awskit takes
false when omitted) a consumer's endpoint waits in ``pendingAcceptance`` until the owner
accepts it (``pending`` → ``available``) or rejects it (``rejected``). A service with
connected endpoints cannot be deleted (``ExistingVpcEndpointConnections``); batch operations
report per-item failures in ``Unsuccessful`` [BC ec2:CreateVpcEndpointServiceConfiguration,
AcceptVpcEndpointConnections; EC2 API errors-overview]. Simplified: no private DNS names for
services, Gateway Load Balancers, supported Regions or connection notifications
(NotImplemented); the provider pays nothing in awskit.
"""

from __future__ import annotations

import hashlib
import re

from ..clock import aws_datetime
from ..service import operation
from . import model_links as ml
from .codes import fail, invalid_value, missing, not_implemented
from .filters import check_filters, matches, paginate, tag_specifications, with_tags
from .model_links import EndpointService, LoadBalancer

NLB_ARN = re.compile(r"^arn:aws:elasticloadbalancing:([a-z0-9-]+):(\d{12}):loadbalancer/net/"
                     r"([A-Za-z0-9-]{1,32})/([0-9a-f]{16})$")
_PRINCIPAL = re.compile(r"^\*$|^arn:aws:iam::\d{12}:(root|user/.+|role/.+)$")
_CONNECTED = ("pendingAcceptance", "pending", "available")

SERVICE_FILTERS = {"service-name": lambda s: s.service_name, "service-id": lambda s: s.service_id,
                   "service-state": lambda s: s.state,
                   "supported-ip-address-types": lambda s: "ipv4"}
CONNECTION_FILTERS = {"ip-address-type": lambda e: "ipv4", "service-id": lambda e: e.service_id,
                      "vpc-endpoint-owner": lambda e: e.account,
                      "vpc-endpoint-region": lambda e: e.region,
                      "vpc-endpoint-state": lambda e: e.state,
                      "vpc-endpoint-id": lambda e: e.endpoint_id}


def _principal_type(principal: str) -> str:
    if principal == "*":
        return "All"
    kind = principal.split(":", 5)[5]
    return "Account" if kind == "root" else kind.split("/")[0].capitalize()


def _permission_id(service_id: str, principal: str) -> str:
    return "vpce-svc-perm-" + hashlib.sha256(f"{service_id}/{principal}".encode()).hexdigest()[
        :17]


class EndpointServiceOperations:
    """Endpoint services (PrivateLink providers) and the NLB stand-in."""

    # -- the load balancer stand-in ---------------------------------------------------------------
    def register_load_balancer(self, arn: str, subnet_ids, targets=(), ports=()) -> LoadBalancer:
        """awskit's stand-in for an ELBv2 Network Load Balancer (see the module docstring).
        Registering an ARN again replaces its targets and ports."""
        found = NLB_ARN.match(arn or "")
        if not found:
            raise ValueError(f"not a Network Load Balancer ARN: {arn!r} (expecting arn:aws:"
                             "elasticloadbalancing:<region>:<account>:loadbalancer/net/<name>/"
                             "<16 hex digits>)")
        region, account = found.group(1), found.group(2)
        self.sync()
        subnets = []
        for subnet_id in subnet_ids:
            subnet = self.subnets.get(subnet_id)
            if subnet is None or subnet.account != account or subnet.region != region:
                raise ValueError(f"subnet {subnet_id} is not a subnet of {account} in {region}")
            subnets.append(subnet)
        lb = self.load_balancers.get(arn)
        if lb is None:
            lb = LoadBalancer(arn, account, region, [s.subnet_id for s in subnets])
            for subnet in subnets:
                lb.eni_ids.append(self.build_eni(
                    subnet, None, [], f"ELB net/{found.group(3)}/{found.group(4)}",
                    interface_type="network_load_balancer", requester_managed=True).eni_id)
            self.load_balancers[arn] = lb
        lb.targets, lb.ports = [str(t) for t in targets], [int(p) for p in ports]
        return lb

    # -- what consumers see ----------------------------------------------------------------------
    def may_use(self, req, svc: EndpointService) -> bool:
        if svc.account == req.account:
            return True
        allowed = set(svc.allowed_principals)
        return bool({"*", f"arn:aws:iam::{req.account}:root", req.principal.arn} & allowed)

    def visible_services(self, req) -> list[EndpointService]:
        return sorted((s for s in self.endpoint_services.values() if s.region == req.region
                       and s.state == "Available" and self.may_use(req, s)),
                      key=lambda s: s.service_id)

    def visible_service(self, req, name: str) -> EndpointService | None:
        return next((s for s in self.visible_services(req) if s.service_name == name), None)

    def check_service_usable(self, req, svc: EndpointService) -> None:
        if not self.may_use(req, svc):
            raise fail("InvalidServiceName", f"The Vpc Endpoint Service '{svc.service_name}' "
                                             "does not exist")

    def service_detail(self, svc: EndpointService) -> dict:
        return {"ServiceName": svc.service_name, "ServiceId": svc.service_id,
                "ServiceType": [{"ServiceType": "Interface"}],
                "AvailabilityZones": list(svc.azs), "Owner": svc.account,
                "BaseEndpointDnsNames": [f"{svc.service_id}.{svc.region}.vpce.amazonaws.com"],
                "VpcEndpointPolicySupported": False,
                "AcceptanceRequired": svc.acceptance_required, "ManagesVpcEndpoints": False,
                "Tags": [], "SupportedIpAddressTypes": ["ipv4"]}

    def service_dict(self, svc: EndpointService) -> dict:
        out = {"ServiceType": [{"ServiceType": "Interface"}], "ServiceId": svc.service_id,
               "ServiceName": svc.service_name, "ServiceState": svc.state,
               "AvailabilityZones": list(svc.azs),
               "AcceptanceRequired": svc.acceptance_required, "ManagesVpcEndpoints": False,
               "NetworkLoadBalancerArns": list(svc.nlb_arns),
               "SupportedIpAddressTypes": ["ipv4"],
               "BaseEndpointDnsNames": [f"{svc.service_id}.{svc.region}.vpce.amazonaws.com"]}
        return with_tags(out, svc.tags, always=True)

    def own_service(self, req, service_id) -> EndpointService:
        return self.get(req, "vpce-svc", service_id)

    # -- configurations --------------------------------------------------------------------------
    @operation
    def create_vpc_endpoint_service_configuration(self, req, NetworkLoadBalancerArns=None,
                                                  AcceptanceRequired=None, PrivateDnsName=None,
                                                  GatewayLoadBalancerArns=None,
                                                  SupportedIpAddressTypes=None,
                                                  SupportedRegions=None, TagSpecifications=None,
                                                  **_):
        self.begin(req, self.arn_for(req, "vpc-endpoint-service"))
        if GatewayLoadBalancerArns or PrivateDnsName or SupportedRegions or \
                (SupportedIpAddressTypes or ["ipv4"]) != ["ipv4"]:
            raise not_implemented("Gateway Load Balancer services, private DNS names, IPv6 "
                                  "and cross-Region endpoint services")
        if not NetworkLoadBalancerArns:
            raise missing("NetworkLoadBalancerArns")
        for arn in NetworkLoadBalancerArns:
            if not NLB_ARN.match(arn):
                raise fail("InvalidNetworkLoadBalancerArn.Malformed", f"The Network Load Balancer "
                                                                      f"ARN '{arn}' is malformed")
            lb = self.load_balancers.get(arn)
            if lb is None or lb.account != req.account or lb.region != req.region:
                raise fail("InvalidNetworkLoadBalancerArn.NotFound", f"The Network Load Balancer "
                           f"ARN '{arn}' does not exist (awskit: register it with "
                           "cloud.ec2.register_load_balancer)")
        tags = tag_specifications(TagSpecifications, "vpc-endpoint-service")
        azs = sorted({self.subnets[s].az for arn in NetworkLoadBalancerArns
                      for s in self.load_balancers[arn].subnet_ids if s in self.subnets})
        service_id = self.new_id("vpce-svc")
        svc = EndpointService(service_id, req.account, req.region,
                              f"com.amazonaws.vpce.{req.region}.{service_id}",
                              list(NetworkLoadBalancerArns), self.cloud.clock.elapsed,
                              acceptance_required=bool(AcceptanceRequired), azs=azs, tags=tags)
        self.endpoint_services[service_id] = svc
        self.schedule(ml.SERVICE_PENDING, "service-available", service_id)
        req.step("EC2 API", f"Create endpoint service {svc.service_name} in front of "
                 f"{len(svc.nlb_arns)} load balancer(s) in {', '.join(azs)}", 5.0,
                 service=service_id)
        return {"ServiceConfiguration": self.service_dict(svc)}

    def _on_service_available(self, service_id: str, when: float) -> str | None:
        svc = self.endpoint_services.get(service_id)
        if svc is not None and svc.state == "Pending":
            svc.state = "Available"
            return f"Endpoint service {service_id} is available"
        return None

    @operation
    def describe_vpc_endpoint_service_configurations(self, req, ServiceIds=None, Filters=None,
                                                     MaxResults=None, NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "vpce-svc", ServiceIds, Filters, SERVICE_FILTERS, MaxResults,
                            NextToken, "ServiceConfigurations", self.service_dict,
                            "endpoint service configurations")

    def batch_items(self, req, ids, each) -> dict:
        """Run ``each(item)`` for every id; collect per-item failures as AWS does."""
        unsuccessful = []
        for item in ids:
            try:
                each(item)
            except Exception as exc:                         # an AWSError for this item only
                code = getattr(exc, "code", None)
                if code is None:
                    raise
                unsuccessful.append({"Error": {"Code": code, "Message": exc.message},
                                     "ResourceId": item})
        return {"Unsuccessful": unsuccessful}

    @operation
    def delete_vpc_endpoint_service_configurations(self, req, ServiceIds, **_):
        self.begin(req, self.arn_for(req, "vpc-endpoint-service"))

        def delete(service_id):
            svc = self.endpoint_services.get(service_id)
            if svc is None or svc.account != req.account or svc.region != req.region:
                raise fail("InvalidVpcEndpointService.NotFound", f"The VpcEndpointService Id "
                                                                 f"'{service_id}' does not exist")
            if any(e.service_id == service_id and e.state in _CONNECTED
                   for e in self.vpc_endpoints.values()):
                raise fail("ExistingVpcEndpointConnections", f"Service {service_id} has existing "
                                                             "active VPC Endpoint connections")
            del self.endpoint_services[service_id]
            req.step("EC2 API", f"Delete endpoint service {service_id}", 2.0)
        return self.batch_items(req, ServiceIds, delete)

    # -- permissions -----------------------------------------------------------------------------
    @operation
    def modify_vpc_endpoint_service_permissions(self, req, ServiceId, AddAllowedPrincipals=None,
                                                RemoveAllowedPrincipals=None, **_):
        self.begin(req, self.arn_for(req, "vpc-endpoint-service", ServiceId))
        svc = self.own_service(req, ServiceId)
        for principal in (AddAllowedPrincipals or []) + (RemoveAllowedPrincipals or []):
            if not _PRINCIPAL.match(principal):
                raise invalid_value("principal", principal, "Expecting an IAM ARN or *.")
        for principal in RemoveAllowedPrincipals or []:
            if principal in svc.allowed_principals:
                svc.allowed_principals.remove(principal)
        added = []
        for principal in AddAllowedPrincipals or []:
            if principal not in svc.allowed_principals:
                svc.allowed_principals.append(principal)
                added.append({"PrincipalType": _principal_type(principal),
                              "Principal": principal,
                              "ServicePermissionId": _permission_id(ServiceId, principal),
                              "ServiceId": ServiceId})
        req.step("EC2 API", f"Allowed principals of {ServiceId}: "
                 f"{', '.join(svc.allowed_principals) or 'none'}", 2.0, service=ServiceId)
        return {"AddedPrincipals": added, "ReturnValue": True}

    @operation
    def describe_vpc_endpoint_service_permissions(self, req, ServiceId, Filters=None,
                                                  MaxResults=None, NextToken=None, **_):
        self.begin(req, self.arn_for(req, "vpc-endpoint-service", ServiceId))
        svc = self.own_service(req, ServiceId)
        rows = [{"PrincipalType": _principal_type(p), "Principal": p,
                 "ServicePermissionId": _permission_id(ServiceId, p), "ServiceId": ServiceId}
                for p in svc.allowed_principals]
        spec = {"principal": lambda r: r["Principal"],
                "principal-type": lambda r: r["PrincipalType"]}
        check_filters(Filters, spec)
        rows = [r for r in rows if matches(r, Filters, spec)]
        page, token = paginate(req, rows, lambda r: r["Principal"], MaxResults, NextToken)
        req.step("EC2 API", f"Describe the allowed principals of {ServiceId}: {len(page)}", 2.0)
        return {"AllowedPrincipals": page, **({"NextToken": token} if token else {})}

    # -- connections -----------------------------------------------------------------------------
    def service_connection(self, svc: EndpointService, endpoint_id: str):
        endpoint = self.vpc_endpoints.get(endpoint_id)
        if endpoint is None or endpoint.service_id != svc.service_id:
            raise fail("InvalidVpcEndpoint.NotFound", f"The VpcEndpoint Id '{endpoint_id}' does "
                                                      "not exist")
        if endpoint.state != "pendingAcceptance":
            raise fail("InvalidState", f"Endpoint {endpoint_id} is {endpoint.state}, not "
                                       "pendingAcceptance")
        return endpoint

    def decide_connections(self, req, service_id, endpoint_ids, state: str) -> dict:
        """Accept (``pending``, then ``available``) or reject the consumers' endpoints."""
        self.begin(req, self.arn_for(req, "vpc-endpoint-service", service_id))
        svc = self.own_service(req, service_id)

        def decide(endpoint_id):
            endpoint = self.service_connection(svc, endpoint_id)
            endpoint.state = state
            if state == "pending":
                self.schedule(ml.ENDPOINT_PENDING, "endpoint-available", endpoint_id)
            verb = "Accept" if state == "pending" else "Reject"
            req.step("EC2 API", f"{verb} {endpoint_id} of {endpoint.account} on {service_id}",
                     2.0, service=service_id)
        return self.batch_items(req, endpoint_ids, decide)

    @operation
    def accept_vpc_endpoint_connections(self, req, ServiceId, VpcEndpointIds, **_):
        return self.decide_connections(req, ServiceId, VpcEndpointIds, "pending")

    @operation
    def reject_vpc_endpoint_connections(self, req, ServiceId, VpcEndpointIds, **_):
        return self.decide_connections(req, ServiceId, VpcEndpointIds, "rejected")

    @operation
    def describe_vpc_endpoint_connections(self, req, Filters=None, MaxResults=None,
                                          NextToken=None, **_):
        self.begin(req)
        check_filters(Filters, CONNECTION_FILTERS)
        mine = {s.service_id: s for s in self.mine(req, "vpce-svc")}
        rows = sorted((e for e in self.vpc_endpoints.values() if e.service_id in mine),
                      key=lambda e: e.endpoint_id)
        rows = [e for e in rows if matches(e, Filters, CONNECTION_FILTERS)]
        page, token = paginate(req, rows, lambda e: e.endpoint_id, MaxResults, NextToken)
        req.step("EC2 API", f"Describe the endpoint connections to {req.account}'s services: "
                 f"{len(page)}", 2.0)
        out = {"VpcEndpointConnections": [{
            "ServiceId": e.service_id, "VpcEndpointId": e.endpoint_id,
            "VpcEndpointOwner": e.account, "VpcEndpointState": e.state,
            "CreationTimestamp": aws_datetime(e.created), "DnsEntries": self.dns_entries(e),
            "NetworkLoadBalancerArns": list(mine[e.service_id].nlb_arns),
            "IpAddressType": "ipv4",
            "VpcEndpointConnectionId": "vpce-con-" + hashlib.sha256(
                e.endpoint_id.encode()).hexdigest()[:17],
            "VpcEndpointRegion": e.region} for e in page]}
        if token:
            out["NextToken"] = token
        return out
