"""Route tables and routes: the VPC router's configuration.

Every table has a ``local`` route per VPC CIDR (origin ``CreateRouteTable``); it cannot be
deleted (its target may be replaced, and restored with ``GatewayId="local"``). A route needs one
destination and exactly one target; a destination equal to or inside a VPC CIDR may only target
a network interface, an instance or a NAT gateway; an identical destination is
``RouteAlreadyExists``; a missing one ``InvalidRoute.NotFound`` [BC ec2:CreateRoute, ReplaceRoute,
DeleteRoute; VPCUG VPC_Route_Tables.md]. A target must exist: an internet gateway attached to the
table's VPC, a NAT gateway, an interface or instance of the VPC (an instance with one interface),
a peering connection of the VPC, a transit gateway the VPC has an available attachment to, a
VPN gateway attached to the VPC (peering.py, transit.py, vpn.py check them); a gateway
endpoint's prefix-list routes are managed by the endpoint (endpoints.py); an unknown id is its
kind's NotFound. Each subnet uses one table: its explicit
association, else the VPC's main table; the main table can be replaced
(ReplaceRouteTableAssociation on the main association) but not deleted. Quotas: 200 tables per
VPC, 50 static routes per table [VPCUG amazon-vpc-limits.md].

Simplified: no gateway (edge) associations, no prefix-list destinations in CreateRoute, no
local gateways, carrier gateways or Cloud WAN targets (NotImplemented).
"""

from __future__ import annotations

import ipaddress

from ..service import operation
from . import model as m
from .codes import KINDS, dependency, fail, invalid_value, missing, not_found, not_implemented
from .filters import tag_specifications, with_tags
from .model import Route, RouteTableAssociation

#: CreateRoute's target parameters → the route's target type
TARGETS = {"GatewayId": "gateway", "EgressOnlyInternetGatewayId": "egress-only-gateway",
           "NatGatewayId": "nat-gateway", "NetworkInterfaceId": "network-interface",
           "InstanceId": "instance", "VpcPeeringConnectionId": "vpc-peering-connection",
           "TransitGatewayId": "transit-gateway", "VpcEndpointId": "gateway"}
_UNSIMULATED = ("LocalGatewayId", "CarrierGatewayId", "CoreNetworkArn", "OdbNetworkArn")
#: target type → the Route member boto3 shows it in
_MEMBERS = {"local": "GatewayId", "gateway": "GatewayId",
            "egress-only-gateway": "EgressOnlyInternetGatewayId", "nat-gateway": "NatGatewayId",
            "network-interface": "NetworkInterfaceId", "instance": "InstanceId",
            "vpc-peering-connection": "VpcPeeringConnectionId",
            "transit-gateway": "TransitGatewayId"}


def route_dict(route: Route) -> dict:
    key = "DestinationPrefixListId" if route.destination.startswith("pl-") else (
        "DestinationIpv6CidrBlock" if ":" in route.destination else "DestinationCidrBlock")
    out = {key: route.destination, _MEMBERS[route.target_type]: route.target_id}
    if route.target_type == "instance":
        out["InstanceOwnerId"] = route.instance_owner
        out["NetworkInterfaceId"] = route.eni_id
    out["Origin"] = route.origin
    out["State"] = route.state
    return out


def association_dict(table: m.RouteTable, assoc: RouteTableAssociation) -> dict:
    out = {"Main": assoc.main, "RouteTableAssociationId": assoc.association_id,
           "RouteTableId": table.route_table_id}
    if assoc.subnet_id:
        out["SubnetId"] = assoc.subnet_id
    out["AssociationState"] = {"State": "associated"}
    return out


def table_dict(table: m.RouteTable, propagating=()) -> dict:
    out = {"Associations": [association_dict(table, a) for a in table.associations],
           "PropagatingVgws": [{"GatewayId": g} for g in propagating],
           "RouteTableId": table.route_table_id,
           "Routes": [route_dict(r) for r in table.routes]}
    with_tags(out, table.tags, always=True)
    out.update({"VpcId": table.vpc_id, "OwnerId": table.account})
    return out


def _routes(key):
    return lambda t: [key(r) for r in t.routes if key(r) is not None]


TABLE_FILTERS = {
    "association.route-table-association-id":
        lambda t: [a.association_id for a in t.associations],
    "association.route-table-id": lambda t: [t.route_table_id for _ in t.associations],
    "association.subnet-id": lambda t: [a.subnet_id for a in t.associations if a.subnet_id],
    "association.main": lambda t: [a.main for a in t.associations],
    "owner-id": lambda t: t.account,
    "route-table-id": lambda t: t.route_table_id,
    "route.destination-cidr-block":
        _routes(lambda r: r.destination if "." in r.destination else None),
    "route.destination-ipv6-cidr-block":
        _routes(lambda r: r.destination if ":" in r.destination else None),
    "route.gateway-id": _routes(lambda r: r.target_id if r.target_type in ("local", "gateway")
                                else None),
    "route.nat-gateway-id": _routes(lambda r: r.target_id if r.target_type == "nat-gateway"
                                    else None),
    "route.instance-id": _routes(lambda r: r.target_id if r.target_type == "instance" else None),
    "route.egress-only-internet-gateway-id":
        _routes(lambda r: r.target_id if r.target_type == "egress-only-gateway" else None),
    "route.origin": _routes(lambda r: r.origin),
    "route.destination-prefix-list-id":
        _routes(lambda r: r.destination if r.destination.startswith("pl-") else None),
    "route.vpc-peering-connection-id":
        _routes(lambda r: r.target_id if r.target_type == "vpc-peering-connection" else None),
    "route.transit-gateway-id":
        _routes(lambda r: r.target_id if r.target_type == "transit-gateway" else None),
    "route.state": _routes(lambda r: r.state),
    "vpc-id": lambda t: t.vpc_id,
}


class RouteOperations:
    """Route tables, routes and associations."""

    # -- tables ---------------------------------------------------------------------------------
    @operation
    def create_route_table(self, req, VpcId, TagSpecifications=None, **_):
        self.begin(req, self.arn_for(req, "route-table"))
        vpc = self.get(req, "vpc", VpcId)
        tags = tag_specifications(TagSpecifications, "route-table")
        if sum(t.vpc_id == VpcId for t in self.route_tables.values()) >= m.ROUTE_TABLES_PER_VPC:
            raise fail("RouteTableLimitExceeded",
                       "The maximum number of route tables has been reached.")
        table = self.build_route_table(vpc, tags)
        req.step("VPC router", f"Create route table {table.route_table_id} in {VpcId} with a "
                 f"local route for {', '.join(c.cidr for c in vpc.cidrs)}", 4.0,
                 route_table=table.route_table_id)
        return {"RouteTable": table_dict(table, self.propagating_vgws(table.route_table_id))}

    @operation
    def describe_route_tables(self, req, RouteTableIds=None, Filters=None, MaxResults=None,
                              NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "rtb", RouteTableIds, Filters, TABLE_FILTERS, MaxResults,
                            NextToken, "RouteTables",
                            lambda t: table_dict(t, self.propagating_vgws(t.route_table_id)),
                            "route tables")

    @operation
    def delete_route_table(self, req, RouteTableId, **_):
        self.begin(req, self.arn_for(req, "route-table", RouteTableId))
        table = self.get(req, "rtb", RouteTableId)
        if table.associations:            # the main table keeps its main association
            raise dependency("routeTable", RouteTableId)
        del self.route_tables[RouteTableId]
        req.step("VPC router", f"Delete route table {RouteTableId}", 2.0,
                 route_table=RouteTableId)
        return {}

    # -- routes ---------------------------------------------------------------------------------
    def destination(self, params: dict) -> str:
        given = [k for k in ("DestinationCidrBlock", "DestinationIpv6CidrBlock",
                             "DestinationPrefixListId") if params.get(k) is not None]
        if len(given) != 1:
            raise missing("destinationCidrBlock" if not given else "exactly one destination")
        key = given[0]
        value = params[key]
        if key == "DestinationPrefixListId":
            raise not_implemented("prefix-list destinations in CreateRoute")
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise invalid_value(key[0].lower() + key[1:], value, "This is not a valid CIDR block.")

    def target(self, req, table: m.RouteTable, destination: str, params: dict) -> Route:
        """The route to ``destination`` that CreateRoute/ReplaceRoute's target parameters give."""
        for name in _UNSIMULATED:
            if params.get(name) is not None:
                raise not_implemented(f"routes to {name}")
        given = [k for k in TARGETS if params.get(k) is not None]
        if not given:
            raise missing("gatewayId, natGatewayId, networkInterfaceId, instanceId, "
                          "vpcPeeringConnectionId or transitGatewayId (one target)")
        if len(given) > 1:
            raise fail("InvalidParameterCombination", "Only one target may be given: "
                                                      f"{', '.join(given)}.")
        key = given[0]
        value = params[key]
        kind = TARGETS[key]
        prefix = value.split("-")[0] if isinstance(value, str) else ""
        local = ipaddress.ip_network(destination)
        inside = any(local.version == 4 and local.subnet_of(n) for n in
                     self.vpcs[table.vpc_id].networks)
        if value == "local" and key == "GatewayId":
            return Route(destination, "local", "local", "CreateRouteTable")
        if inside and kind not in ("network-interface", "instance", "nat-gateway"):
            raise fail("InvalidParameterValue", f"The destination CIDR block {destination} is "
                       "equal to or more specific than one of this VPC's CIDR blocks. This "
                       "route can target only an interface, an instance or a NAT gateway.")
        if kind == "gateway" and prefix not in ("igw", "vgw", "vpce"):
            raise fail("InvalidGatewayID.NotFound", f"The gateway ID '{value}' does not exist")
        if prefix not in KINDS or prefix not in _EXPECTED[kind]:
            raise not_found(_EXPECTED[kind][0], value)
        if prefix in ("pcx", "tgw", "vgw", "vpce"):    # peering.py, transit.py, vpn.py, ...
            getattr(self, f"check_{prefix}_target")(req, table, value, key)
            return Route(destination, kind, value)
        resource = self.store_of(prefix).get(value)
        if resource is None or getattr(resource, "account", req.account) != req.account \
                or getattr(resource, "region", req.region) != req.region \
                or getattr(resource, "state", "") in ("deleting", "deleted", "failed",
                                                      "terminated"):
            raise not_found(prefix, value)
        if kind == "egress-only-gateway" and local.version != 6:
            raise fail("InvalidParameterValue", "An egress-only internet gateway route needs "
                                                "an IPv6 destination.")
        route = Route(destination, kind, value)
        if prefix in ("igw", "eigw") and resource.vpc_id != table.vpc_id:
            raise fail("InvalidParameterValue", f"route table {table.route_table_id} and "
                       f"network gateway {value} belong to different networks")
        if prefix in ("nat", "eni", "i") and resource.vpc_id != table.vpc_id:
            raise fail("InvalidParameterValue", f"route table {table.route_table_id} and "
                       f"{value} belong to different networks")
        if prefix == "i":
            if len(resource.eni_ids) != 1:
                raise fail("InvalidInstanceID", f"There are multiple interfaces attached to "
                           f"instance '{value}'. Please specify an interface ID for the "
                           "operation instead.")
            route.eni_id, route.instance_owner = resource.eni_ids[0], resource.account
        return route

    def find_route(self, table: m.RouteTable, destination: str) -> Route | None:
        """The static (not propagated) route to ``destination``."""
        return next((r for r in table.routes if r.destination == destination
                     and not r.propagated), None)

    @operation
    def create_route(self, req, RouteTableId, **params):
        self.begin(req, self.arn_for(req, "route-table", RouteTableId))
        table = self.get(req, "rtb", RouteTableId)
        destination = self.destination(params)
        route = self.target(req, table, destination, params)
        if route.target_type == "local":
            raise fail("InvalidParameterValue", "A local route can only be restored with "
                                                "ReplaceRoute.")
        if self.find_route(table, destination) is not None:
            raise fail("RouteAlreadyExists",
                       f"The route identified by {destination} already exists.")
        if sum(r.origin == "CreateRoute" for r in table.routes) >= m.ROUTES_PER_TABLE:
            raise fail("RouteLimitExceeded", "The maximum number of routes has been reached.")
        table.routes.append(route)
        self.refresh_routes()
        req.step("VPC router", f"Add route {destination} → {route.target_id} to {RouteTableId} "
                 f"({route.state})", 3.0, route_table=RouteTableId)
        return {"Return": True}

    @operation
    def replace_route(self, req, RouteTableId, **params):
        self.begin(req, self.arn_for(req, "route-table", RouteTableId))
        table = self.get(req, "rtb", RouteTableId)
        destination = self.destination(params)
        old = self.find_route(table, destination)
        if old is None:
            raise fail("InvalidRoute.NotFound", f"There is no route defined for '{destination}' "
                                                "in the route table. Use CreateRoute instead.")
        route = self.target(req, table, destination, params)
        if old.origin == "CreateRouteTable":
            route.origin = "CreateRouteTable"
        elif route.target_type == "local":
            raise fail("InvalidParameterValue", f"{destination} is not a local route of "
                                                f"{RouteTableId}.")
        table.routes[table.routes.index(old)] = route
        self.refresh_routes()
        req.step("VPC router", f"Replace the target of route {destination} in {RouteTableId}: "
                 f"{old.target_id} → {route.target_id}", 3.0, route_table=RouteTableId)
        return {}

    @operation
    def delete_route(self, req, RouteTableId, **params):
        self.begin(req, self.arn_for(req, "route-table", RouteTableId))
        table = self.get(req, "rtb", RouteTableId)
        destination = self.destination(params)
        route = self.find_route(table, destination)
        if route is None:
            raise fail("InvalidRoute.NotFound", f"no route with destination-cidr-block "
                                                f"{destination} in route table {RouteTableId}")
        if route.origin == "CreateRouteTable":
            raise fail("InvalidParameterValue", f"cannot remove local route {destination} in "
                                                f"route table {RouteTableId}")
        table.routes.remove(route)
        req.step("VPC router", f"Delete route {destination} from {RouteTableId}", 2.0,
                 route_table=RouteTableId)
        return {}

    # -- associations ---------------------------------------------------------------------------
    def association(self, req, association_id):
        for table in self.mine(req, "rtb"):
            for assoc in table.associations:
                if assoc.association_id == association_id:
                    return table, assoc
        raise fail("InvalidAssociationID.NotFound",
                   f"The association ID '{association_id}' does not exist")

    @operation
    def associate_route_table(self, req, RouteTableId, SubnetId=None, GatewayId=None,
                              PublicIpv4Pool=None, **_):
        self.begin(req, self.arn_for(req, "route-table", RouteTableId))
        table = self.get(req, "rtb", RouteTableId)
        if GatewayId is not None or PublicIpv4Pool is not None:
            raise not_implemented("gateway route table associations")
        if SubnetId is None:
            raise missing("SubnetId")
        subnet = self.get(req, "subnet", SubnetId)
        if subnet.vpc_id != table.vpc_id:
            raise fail("InvalidParameterValue", f"Route table {RouteTableId} and subnet "
                                                f"{SubnetId} belong to different networks")
        if any(a.subnet_id == SubnetId for t in self.route_tables.values()
               for a in t.associations):
            raise fail("Resource.AlreadyAssociated", f"the specified association for route "
                       f"table {RouteTableId} conflicts with an existing association")
        assoc = RouteTableAssociation(self.new_id("rtbassoc"), subnet_id=SubnetId)
        table.associations.append(assoc)
        req.step("VPC router", f"Associate {SubnetId} with route table {RouteTableId} (instead "
                 "of the main table)", 2.0, route_table=RouteTableId, subnet=SubnetId)
        return {"AssociationId": assoc.association_id,
                "AssociationState": {"State": "associated"}}

    @operation
    def disassociate_route_table(self, req, AssociationId, **_):
        self.begin(req)
        table, assoc = self.association(req, AssociationId)
        if assoc.main:
            raise fail("InvalidParameterValue", f"cannot disassociate the main route table "
                                                f"association {AssociationId}")
        table.associations.remove(assoc)
        req.step("VPC router", f"Disassociate {assoc.subnet_id} from {table.route_table_id}: "
                 "it uses the main route table again", 2.0, route_table=table.route_table_id)
        return {}

    @operation
    def replace_route_table_association(self, req, AssociationId, RouteTableId, **_):
        self.begin(req, self.arn_for(req, "route-table", RouteTableId))
        old_table, assoc = self.association(req, AssociationId)
        table = self.get(req, "rtb", RouteTableId)
        if table.vpc_id != old_table.vpc_id:
            raise fail("InvalidParameterValue", f"Route table {RouteTableId} and association "
                                                f"{AssociationId} belong to different networks")
        old_table.associations.remove(assoc)
        new = RouteTableAssociation(self.new_id("rtbassoc"), subnet_id=assoc.subnet_id,
                                    main=assoc.main)
        table.associations.append(new)
        what = "the main route table of " + table.vpc_id if assoc.main else assoc.subnet_id
        req.step("VPC router", f"Make {RouteTableId} {what} (was {old_table.route_table_id})",
                 2.0, route_table=RouteTableId)
        return {"NewAssociationId": new.association_id,
                "AssociationState": {"State": "associated"}}


#: target type → the id prefixes it accepts (the first names the NotFound error)
_EXPECTED = {"gateway": ("igw", "vgw", "vpce"), "egress-only-gateway": ("eigw",),
             "nat-gateway": ("nat",), "network-interface": ("eni",), "instance": ("i",),
             "vpc-peering-connection": ("pcx",), "transit-gateway": ("tgw",)}
