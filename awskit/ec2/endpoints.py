"""VPC endpoints: gateway and interface endpoints to AWS services (PrivateLink in
``endpoint_services.py``).

Gateway endpoints (S3, DynamoDB; the default ``VpcEndpointType``) add to each chosen route
table a route from the service's AWS-managed prefix list (``pl-…``) to the endpoint (origin
``CreateRoute``, shown with ``GatewayId``); the endpoint manages those routes (ModifyVpcEndpoint
adds and removes tables; CreateRoute cannot target it); a table may hold one route per prefix
list (``RouteAlreadyExists``); no security groups, a policy only; available at once; 20 per
Region [VPCUG amazon-vpc-limits.md, route-table-options.md]. Interface endpoints put a
requester-managed interface (type ``vpc_endpoint``) in each chosen subnet, one per AZ
(``DuplicateSubnetsInSameZone``), filtered by the chosen security groups (the VPC's default one
if none); ``pending`` → ``available`` in ``ENDPOINT_PENDING`` s; 50 per VPC. Private DNS (on by
default for AWS services that have a private name) needs the VPC's ``enableDnsSupport`` and
``enableDnsHostnames`` and one such endpoint per service and VPC (``InvalidParameter``)
[BC ec2:CreateVpcEndpointRequest]. Endpoints to a PrivateLink endpoint service are in
``endpoint_services.py``. Policies must be JSON of at most 20,480 characters
(``InvalidPolicyDocument``); awskit stores them but does not evaluate them.

The services endpoints reach and the prefix lists are in ``endpoint_catalog.py``.
Simplified: deleting an endpoint takes effect at once (AWS shows ``deleting`` for a while);
DNS entries' host names are derived from the endpoint id, and hosted zone ids other than
us-east-1's VPCE zone are stand-ins; no Gateway Load Balancer, resource or service-network
endpoints, no IPv6 (NotImplemented).
"""

from __future__ import annotations

import json

from ..clock import aws_datetime
from ..service import operation
from . import model_links as ml
from .codes import fail, missing, not_found, not_implemented
from .filters import tag_specifications, with_tags
from .model import Route
from .endpoint_catalog import aws_service, digest
from .model_links import VpcEndpoint

DEFAULT_POLICY = json.dumps({"Version": "2008-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]},
    separators=(",", ":"))
VPCE_ZONES = {"us-east-1": "Z7HUB22UULQXV"}      # the Region's vpce.amazonaws.com hosted zone

ENDPOINT_FILTERS = {
    "ip-address-type": lambda e: "ipv4", "service-name": lambda e: e.service_name,
    "vpc-id": lambda e: e.vpc_id, "vpc-endpoint-id": lambda e: e.endpoint_id,
    "vpc-endpoint-state": lambda e: e.state, "vpc-endpoint-type": lambda e: e.endpoint_type,
}
def check_policy(document) -> str:
    if len(document) > ml.POLICY_CHARS:
        raise fail("InvalidPolicyDocument", f"The policy exceeds {ml.POLICY_CHARS} characters.")
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or "Statement" not in parsed:
        raise fail("InvalidPolicyDocument", "The policy document is not a valid JSON policy.")
    return document


class EndpointOperations:
    """VPC endpoints, the services list and prefix lists."""

    # -- hooks and contracts ---------------------------------------------------------------------
    def prefix_list_cidrs(self) -> dict[str, list[str]]:
        """Every AWS-managed prefix list id → its CIDRs (what ``route_for`` needs)."""
        return {pl: list(cidrs) for region in self.cloud.regions
                for pl, cidrs in ml.aws_prefix_lists(region).values()}

    def check_vpce_target(self, req, table, vpce_id: str, parameter: str) -> None:
        self.get(req, "vpce", vpce_id)
        raise fail("InvalidParameterValue", f"Routes to {vpce_id} are managed by the endpoint: "
                   "use ModifyVpcEndpoint (AddRouteTableIds) to add its route to a table.")

    def target_usable(self, vpc_id: str, route) -> bool:
        if route.target_id.startswith("vpce-"):
            endpoint = self.vpc_endpoints.get(route.target_id)
            return endpoint is not None and endpoint.vpc_id == vpc_id
        return super().target_usable(vpc_id, route)

    def vpc_dependencies(self, vpc_id: str) -> list[str]:
        return super().vpc_dependencies(vpc_id) + [
            e.endpoint_id for e in self.vpc_endpoints.values() if e.vpc_id == vpc_id]

    def dns_entries(self, endpoint: VpcEndpoint) -> list[dict]:
        if endpoint.endpoint_type != "Interface":
            return []
        tail = endpoint.service_id or endpoint.service_name.split(".", 3)[-1]
        zone = VPCE_ZONES.get(endpoint.region, "Z" + digest(endpoint.region, 12).upper())
        base = f"{endpoint.endpoint_id}-{digest(endpoint.endpoint_id, 8)}"
        host = f"{tail}.{endpoint.region}.vpce.amazonaws.com"
        out = [{"DnsName": f"{base}.{host}", "HostedZoneId": zone}]
        for subnet_id in endpoint.subnet_ids:
            subnet = self.subnets.get(subnet_id)
            if subnet is not None:
                out.append({"DnsName": f"{base}-{subnet.az}.{host}", "HostedZoneId": zone})
        service = aws_service(endpoint.region, endpoint.service_name)
        if endpoint.private_dns_enabled and service and service[2]:
            out.append({"DnsName": service[2], "HostedZoneId": "Z" + digest(
                endpoint.endpoint_id + "/phz", 20).upper()})
        return out

    def endpoint_dict(self, endpoint: VpcEndpoint) -> dict:
        out = {"VpcEndpointId": endpoint.endpoint_id, "VpcEndpointType": endpoint.endpoint_type,
               "VpcId": endpoint.vpc_id, "ServiceName": endpoint.service_name,
               "State": endpoint.state}
        if endpoint.policy is not None:
            out["PolicyDocument"] = endpoint.policy
        groups = [self.security_groups.get(g) for g in endpoint.group_ids]
        tables = [t for t in endpoint.route_table_ids if t in self.route_tables]
        out.update(RouteTableIds=tables,
                   SubnetIds=list(endpoint.subnet_ids),
                   Groups=[{"GroupId": g.group_id, "GroupName": g.name} for g in groups if g],
                   IpAddressType="ipv4")
        if endpoint.endpoint_type == "Interface":
            out["DnsOptions"] = {"DnsRecordIpType": "ipv4"}
        out.update(PrivateDnsEnabled=endpoint.private_dns_enabled, RequesterManaged=False,
                   NetworkInterfaceIds=list(endpoint.eni_ids),
                   DnsEntries=self.dns_entries(endpoint),
                   CreationTimestamp=aws_datetime(endpoint.created))
        with_tags(out, endpoint.tags, always=True)
        out["OwnerId"] = endpoint.account
        return out

    # -- gateway routes and interfaces -----------------------------------------------------------
    def endpoint_tables(self, req, endpoint: VpcEndpoint, table_ids) -> list:
        tables = [self.get(req, "rtb", t) for t in table_ids or []]
        for table in tables:
            if table.vpc_id != endpoint.vpc_id:
                raise fail("InvalidParameter", f"Route table {table.route_table_id} is not in "
                                               f"{endpoint.vpc_id}.")
            if any(r.destination == endpoint.prefix_list_id for r in table.routes):
                raise fail("RouteAlreadyExists", f"Route table {table.route_table_id} already "
                           f"has a route with destination-prefix-list-id "
                           f"{endpoint.prefix_list_id}")
        return tables

    def add_endpoint_routes(self, endpoint: VpcEndpoint, tables) -> None:
        for table in tables:
            table.routes.append(Route(endpoint.prefix_list_id, "gateway", endpoint.endpoint_id))
            endpoint.route_table_ids.append(table.route_table_id)
        self.refresh_routes()

    def remove_endpoint_routes(self, endpoint: VpcEndpoint, table_ids) -> None:
        for table_id in table_ids:
            table = self.route_tables.get(table_id)
            if table is not None:
                table.routes = [r for r in table.routes if r.target_id != endpoint.endpoint_id]
            if table_id in endpoint.route_table_ids:
                endpoint.route_table_ids.remove(table_id)

    def endpoint_subnets(self, req, endpoint: VpcEndpoint, subnet_ids) -> list:
        subnets = [self.get(req, "subnet", s) for s in subnet_ids or []]
        zones = [s.az for s in subnets] + [self.subnets[s].az for s in endpoint.subnet_ids
                                           if s in self.subnets]
        if len(set(zones)) != len(zones):
            raise fail("DuplicateSubnetsInSameZone", "Found another VPC endpoint subnet in the "
                                                     "same Availability Zone.")
        for subnet in subnets:
            if subnet.vpc_id != endpoint.vpc_id:
                raise fail("InvalidParameter", f"Subnet {subnet.subnet_id} is not in "
                                               f"{endpoint.vpc_id}.")
            if self.available_count(subnet) < 1:
                raise fail("InsufficientFreeAddressesInSubnet", f"Subnet {subnet.subnet_id} "
                                                               "has no free address.")
        return subnets

    def endpoint_groups(self, req, endpoint: VpcEndpoint, group_ids) -> list[str]:
        for group_id in group_ids or []:
            if self.get(req, "sg", group_id).vpc_id != endpoint.vpc_id:
                raise fail("InvalidParameter", f"Security group {group_id} is not in "
                                               f"{endpoint.vpc_id}.")
        return list(group_ids or [])

    def add_endpoint_enis(self, endpoint: VpcEndpoint, subnets) -> None:
        for subnet in subnets:
            eni = self.build_eni(subnet, None, endpoint.group_ids, "VPC Endpoint Interface "
                                 f"{endpoint.endpoint_id}", interface_type="vpc_endpoint",
                                 requester_managed=True)
            endpoint.subnet_ids.append(subnet.subnet_id)
            endpoint.eni_ids.append(eni.eni_id)

    def remove_endpoint_enis(self, endpoint: VpcEndpoint, subnet_ids) -> None:
        for subnet_id in list(subnet_ids):
            if subnet_id in endpoint.subnet_ids:
                i = endpoint.subnet_ids.index(subnet_id)
                self.network_interfaces.pop(endpoint.eni_ids.pop(i), None)
                endpoint.subnet_ids.pop(i)

    def check_private_dns(self, endpoint: VpcEndpoint, dns_name) -> None:
        vpc = self.vpcs[endpoint.vpc_id]
        if not dns_name:
            raise fail("InvalidParameter", f"{endpoint.service_name} does not provide a private "
                                           "DNS name.")
        if not (vpc.enable_dns_support and vpc.enable_dns_hostnames):
            raise fail("InvalidParameter", "Enabling private DNS requires both enableDnsSupport "
                       f"and enableDnsHostnames VPC attributes set to true for {vpc.vpc_id}")
        if any(e.vpc_id == vpc.vpc_id and e.service_name == endpoint.service_name
               and e.private_dns_enabled and e is not endpoint
               for e in self.vpc_endpoints.values()):
            raise fail("InvalidParameter", "private-dns-enabled cannot be set because there is "
                       f"already a conflicting DNS domain for {dns_name} in the VPC "
                       f"{vpc.vpc_id}")

    # -- CreateVpcEndpoint -----------------------------------------------------------------------
    @operation
    def create_vpc_endpoint(self, req, VpcId, ServiceName=None, VpcEndpointType="Gateway",
                            PolicyDocument=None, RouteTableIds=None, SubnetIds=None,
                            SecurityGroupIds=None, PrivateDnsEnabled=None, TagSpecifications=None,
                            IpAddressType=None, SubnetConfigurations=None, ServiceNetworkArn=None,
                            ResourceConfigurationArn=None, ServiceRegion=None, **_):
        self.begin(req, self.arn_for(req, "vpc-endpoint"))
        if VpcEndpointType not in ("Gateway", "Interface") or ServiceNetworkArn or \
                ResourceConfigurationArn or SubnetConfigurations or \
                IpAddressType not in (None, "ipv4") or ServiceRegion not in (None, req.region):
            raise not_implemented(f"{VpcEndpointType} endpoints, IPv6 and cross-Region "
                                  "endpoints")
        vpc = self.get(req, "vpc", VpcId)
        if ServiceName is None:
            raise missing("ServiceName")
        service = aws_service(req.region, ServiceName)
        provider = None if service else self.visible_service(req, ServiceName)
        if service is None and provider is None:
            raise fail("InvalidServiceName", f"The Vpc Endpoint Service '{ServiceName}' does not "
                                             "exist")
        types = service[1] if service else ("Interface",)
        if VpcEndpointType not in types:
            raise fail("InvalidParameter", f"The service {ServiceName} does not support "
                                           f"{VpcEndpointType} endpoints.")
        gateway = VpcEndpointType == "Gateway"
        if gateway and (SubnetIds or SecurityGroupIds or PrivateDnsEnabled):
            raise fail("InvalidParameter", "Subnets, security groups and private DNS apply to "
                                           "interface endpoints only.")
        if not gateway and RouteTableIds:
            raise fail("InvalidParameter", "Route tables apply to gateway endpoints only.")
        if PolicyDocument is not None and provider is not None:
            raise fail("InvalidParameter", f"{ServiceName} does not support endpoint policies.")
        policy = check_policy(PolicyDocument) if PolicyDocument is not None else \
            (None if provider else DEFAULT_POLICY)
        tags = tag_specifications(TagSpecifications, "vpc-endpoint")
        endpoint = VpcEndpoint("vpce-pending", req.account, req.region, VpcId, ServiceName,
                               VpcEndpointType, self.cloud.clock.elapsed, policy=policy,
                               tags=tags)
        if gateway:
            endpoint.prefix_list_id = ml.aws_prefix_lists(req.region)[service[0]][0]
            tables = self.endpoint_tables(req, endpoint, RouteTableIds)
            count = sum(e.endpoint_type == "Gateway" for e in self.mine(req, "vpce"))
            limit = ml.GATEWAY_ENDPOINTS_PER_REGION
        else:
            if not SubnetIds:
                raise missing("SubnetIds")
            subnets = self.endpoint_subnets(req, endpoint, SubnetIds)
            endpoint.group_ids = self.endpoint_groups(req, endpoint, SecurityGroupIds) or \
                [self.default_group(VpcId).group_id]
            dns_name = service[2] if service else None
            wanted = (dns_name is not None) if PrivateDnsEnabled is None else PrivateDnsEnabled
            if wanted:
                self.check_private_dns(endpoint, dns_name)
            endpoint.private_dns_enabled = bool(wanted)
            count = sum(e.endpoint_type == "Interface" and e.vpc_id == VpcId
                        for e in self.vpc_endpoints.values())
            limit = ml.INTERFACE_ENDPOINTS_PER_VPC
            if provider is not None:
                self.check_service_usable(req, provider)
        if count >= limit:
            raise fail("VpcEndpointLimitExceeded", "The maximum number of VPC endpoints has "
                                                   "been reached.")
        endpoint.endpoint_id = self.new_id("vpce")
        self.vpc_endpoints[endpoint.endpoint_id] = endpoint
        if gateway:
            self.add_endpoint_routes(endpoint, tables)
            what = f"route {endpoint.prefix_list_id} → {endpoint.endpoint_id} in " \
                   f"{', '.join(t.route_table_id for t in tables) or 'no route table yet'}"
        else:
            self.add_endpoint_enis(endpoint, subnets)
            if provider is not None:
                endpoint.service_id = provider.service_id
                endpoint.state = "pendingAcceptance" if provider.acceptance_required \
                    else "pending"
            else:
                endpoint.state = "pending"
            if endpoint.state == "pending":
                self.schedule(ml.ENDPOINT_PENDING, "endpoint-available", endpoint.endpoint_id)
            what = f"interfaces {', '.join(endpoint.eni_ids)} ({endpoint.state})"
        req.step("EC2 API", f"Create {VpcEndpointType.lower()} endpoint {endpoint.endpoint_id} "
                 f"to {ServiceName} in {vpc.vpc_id}: {what}", 6.0,
                 endpoint=endpoint.endpoint_id)
        return {"VpcEndpoint": self.endpoint_dict(endpoint)}

    def _on_endpoint_available(self, endpoint_id: str, when: float) -> str | None:
        endpoint = self.vpc_endpoints.get(endpoint_id)
        if endpoint is not None and endpoint.state == "pending":
            endpoint.state = "available"
            return f"VPC endpoint {endpoint_id} is available"
        return None

    @operation
    def describe_vpc_endpoints(self, req, VpcEndpointIds=None, Filters=None, MaxResults=None,
                               NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "vpce", VpcEndpointIds, Filters, ENDPOINT_FILTERS, MaxResults,
                            NextToken, "VpcEndpoints", self.endpoint_dict, "VPC endpoints")

    @operation
    def delete_vpc_endpoints(self, req, VpcEndpointIds, **_):
        if not VpcEndpointIds:
            self.begin(req)
            raise missing("VpcEndpointIds")
        unsuccessful = []
        for endpoint_id in VpcEndpointIds:
            self.begin(req, self.arn_for(req, "vpc-endpoint", endpoint_id))
            endpoint = self.vpc_endpoints.get(endpoint_id)
            if endpoint is None or endpoint.account != req.account or \
                    endpoint.region != req.region:
                unsuccessful.append({"Error": {
                    "Code": "InvalidVpcEndpoint.NotFound",
                    "Message": f"The VpcEndpoint Id '{endpoint_id}' does not exist"},
                    "ResourceId": endpoint_id})
                continue
            self.remove_endpoint_routes(endpoint, list(endpoint.route_table_ids))
            self.remove_endpoint_enis(endpoint, list(endpoint.subnet_ids))
            del self.vpc_endpoints[endpoint_id]
            req.step("EC2 API", f"Delete VPC endpoint {endpoint_id} with its routes and "
                     "interfaces", 3.0, endpoint=endpoint_id)
        self.refresh_routes()
        return {"Unsuccessful": unsuccessful}

    @operation
    def modify_vpc_endpoint(self, req, VpcEndpointId, ResetPolicy=None, PolicyDocument=None,
                            AddRouteTableIds=None, RemoveRouteTableIds=None, AddSubnetIds=None,
                            RemoveSubnetIds=None, AddSecurityGroupIds=None,
                            RemoveSecurityGroupIds=None, PrivateDnsEnabled=None,
                            IpAddressType=None, DnsOptions=None, SubnetConfigurations=None, **_):
        self.begin(req, self.arn_for(req, "vpc-endpoint", VpcEndpointId))
        endpoint = self.get(req, "vpce", VpcEndpointId)
        if IpAddressType not in (None, "ipv4") or DnsOptions or SubnetConfigurations:
            raise not_implemented("IPv6 and DNS options of VPC endpoints")
        gateway = endpoint.endpoint_type == "Gateway"
        wrong = (AddSubnetIds or RemoveSubnetIds or AddSecurityGroupIds or
                 RemoveSecurityGroupIds or PrivateDnsEnabled is not None) if gateway \
            else (AddRouteTableIds or RemoveRouteTableIds)
        if wrong:
            raise fail("InvalidParameter", f"That change does not apply to a "
                                           f"{endpoint.endpoint_type} endpoint.")
        if (PolicyDocument is not None or ResetPolicy) and endpoint.service_id:
            raise fail("InvalidParameter", "This service does not support endpoint policies.")
        policy = check_policy(PolicyDocument) if PolicyDocument is not None else None
        for table_id in RemoveRouteTableIds or []:
            if table_id not in endpoint.route_table_ids:
                raise not_found("rtb", table_id)
        tables = self.endpoint_tables(req, endpoint, AddRouteTableIds)
        for subnet_id in RemoveSubnetIds or []:
            if subnet_id not in endpoint.subnet_ids:
                raise not_found("subnet", subnet_id)
        kept = [s for s in endpoint.subnet_ids if s not in (RemoveSubnetIds or [])]
        probe = VpcEndpoint(endpoint.endpoint_id, endpoint.account, endpoint.region,
                            endpoint.vpc_id, endpoint.service_name, "Interface", 0.0,
                            subnet_ids=kept)
        subnets = self.endpoint_subnets(req, probe, AddSubnetIds)
        added = self.endpoint_groups(req, endpoint, AddSecurityGroupIds)
        if PrivateDnsEnabled:
            service = aws_service(endpoint.region, endpoint.service_name)
            self.check_private_dns(endpoint, service[2] if service else None)
        if ResetPolicy:
            endpoint.policy = DEFAULT_POLICY
        elif policy is not None:
            endpoint.policy = policy
        self.remove_endpoint_routes(endpoint, RemoveRouteTableIds or [])
        self.add_endpoint_routes(endpoint, tables)
        groups = [g for g in endpoint.group_ids if g not in (RemoveSecurityGroupIds or [])]
        endpoint.group_ids = groups + [g for g in added if g not in groups]
        for eni_id in endpoint.eni_ids:
            self.network_interfaces[eni_id].group_ids = list(endpoint.group_ids)
        self.remove_endpoint_enis(endpoint, RemoveSubnetIds or [])
        self.add_endpoint_enis(endpoint, subnets)
        if PrivateDnsEnabled is not None:
            endpoint.private_dns_enabled = bool(PrivateDnsEnabled)
        self.refresh_routes()
        req.step("EC2 API", f"Modify VPC endpoint {VpcEndpointId}", 3.0, endpoint=VpcEndpointId)
        return {"Return": True}
