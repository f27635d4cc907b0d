"""Transit gateway route tables: associations, propagation, static and blackhole routes,
SearchTransitGatewayRoutes.

Each attachment is associated with at most one TGW route table (the one that routes the
packets it brings in) and may propagate into any number of them (its VPC's CIDRs, or its VPN's
on-premises CIDRs, appear there as ``propagated`` routes while it is available)
[TGW how-transit-gateways-work.md]. :meth:`TransitRouteOperations.transit_routes` gives a
table's routes (static and propagated) and :func:`awskit.ec2.model_links.tgw_route_for` picks
one: longest prefix, then static > VPC-propagated > VPN-propagated; a ``blackhole`` route
drops. 20 route tables per TGW, 10,000 static routes [TGW transit-gateway-quotas.md].

Errors: a pending TGW or an attachment that is not available is ``IncorrectState`` ("… is in
invalid state"); an attachment already associated ``Resource.AlreadyAssociated``; a propagation
that exists ``TransitGatewayRouteTablePropagation.Duplicate``; a table with associations or
propagations cannot be deleted (``IncorrectState``); disassociating what is not associated, or
disabling a propagation that does not exist, is ``InvalidAssociation.NotFound`` /
``TransitGatewayRouteTablePropagation.NotFound`` (awskit's choice: AWS's codes unconfirmed). Associations and propagations take effect
at once (AWS shows ``associating`` / ``enabling`` for a moment; the responses do too).
Simplified: no prefix-list references, route table announcements or policy tables.
"""

from __future__ import annotations

import ipaddress

from ..clock import aws_datetime
from ..service import operation
from . import model_links as ml
from .codes import fail, invalid_value, missing, not_implemented
from .filters import check_filters, matches, paginate, tag_specifications, with_tags
from .model_links import TgwRoute, TgwRouteTable

_ON = {True: "enable", False: "disable"}
TABLE_FILTERS = {
    "default-association-route-table": lambda t: t.default_association,
    "default-propagation-route-table": lambda t: t.default_propagation,
    "state": lambda t: t.state,
    "transit-gateway-id": lambda t: t.tgw_id,
    "transit-gateway-route-table-id": lambda t: t.route_table_id,
}
LINK_FILTERS = {"resource-id": lambda r: r["ResourceId"],
                "resource-type": lambda r: r["ResourceType"],
                "transit-gateway-attachment-id": lambda r: r["TransitGatewayAttachmentId"]}


def table_dict(table: TgwRouteTable) -> dict:
    out = {"TransitGatewayRouteTableId": table.route_table_id, "TransitGatewayId": table.tgw_id,
           "State": table.state, "DefaultAssociationRouteTable": table.default_association,
           "DefaultPropagationRouteTable": table.default_propagation,
           "CreationTime": aws_datetime(table.created)}
    return with_tags(out, table.tags, always=True)


class TransitRouteOperations:
    """Transit gateway route tables and their routes."""

    # -- the routes a table holds ----------------------------------------------------------------
    def transit_routes(self, table_id: str) -> list[TgwRoute]:
        """Static routes (``blackhole`` when their attachment is not available) plus the routes
        propagated by the table's available attachments, sorted by destination."""
        table = self.tgw_route_tables[table_id]
        out = []
        for route in table.routes:
            att = self.tgw_attachments.get(route.attachment_id or "")
            usable = not route.blackhole and att is not None and att.state == "available"
            out.append(TgwRoute(route.destination, route.attachment_id, route.blackhole,
                                "static", att.resource_type if att else "",
                                "active" if usable else "blackhole"))
        static = {r.destination for r in table.routes}
        for attachment_id in table.propagations:
            att = self.tgw_attachments.get(attachment_id)
            if att is None or att.state != "available":
                continue
            if att.resource_type == "vpc":
                vpc = self.vpcs.get(att.resource_id)
                cidrs = [c.cidr for c in vpc.cidrs] if vpc else []
            else:
                cidrs = self.on_premises_cidrs(self.vpn_connections[att.resource_id])
            out += [TgwRoute(c, attachment_id, False, "propagated", att.resource_type)
                    for c in cidrs if c not in static]
        return sorted(out, key=lambda r: (ipaddress.ip_network(r.destination), r.route_type))

    def route_dict(self, route: TgwRoute, state: str | None = None) -> dict:
        out = {"DestinationCidrBlock": route.destination}
        att = self.tgw_attachments.get(route.attachment_id or "")
        if att is not None:
            out["TransitGatewayAttachments"] = [{
                "ResourceId": att.resource_id, "TransitGatewayAttachmentId": att.attachment_id,
                "ResourceType": att.resource_type}]
        out.update(Type=route.route_type, State=state or route.state)
        return out

    def link_dict(self, table, attachment_id: str, propagation: bool) -> dict:
        att = self.tgw_attachments[attachment_id]
        return {"TransitGatewayAttachmentId": attachment_id, "ResourceId": att.resource_id,
                "ResourceType": att.resource_type,
                "State": "enabled" if propagation else "associated"}

    def usable_attachment(self, req, attachment_id, table: TgwRouteTable):
        att = self.get(req, "tgw-attach", attachment_id)
        if att.tgw_id != table.tgw_id:
            raise fail("InvalidParameterValue", f"{attachment_id} and {table.route_table_id} "
                                                "belong to different transit gateways.")
        if att.state != "available":
            raise fail("IncorrectState", f"{attachment_id} is in invalid state")
        return att

    # -- route tables ----------------------------------------------------------------------------
    @operation
    def create_transit_gateway_route_table(self, req, TransitGatewayId, TagSpecifications=None,
                                           **_):
        self.begin(req, self.arn_for(req, "transit-gateway-route-table"))
        tgw = self.usable_tgw(req, TransitGatewayId)
        tags = tag_specifications(TagSpecifications, "transit-gateway-route-table")
        if sum(t.tgw_id == tgw.tgw_id for t in self.tgw_route_tables.values()) >= \
                ml.TGW_ROUTE_TABLES:
            raise fail("ResourceLimitExceeded", f"{TransitGatewayId} has the maximum of "
                                                f"{ml.TGW_ROUTE_TABLES} route tables.")
        table = TgwRouteTable(self.new_id("tgw-rtb"), req.account, req.region, tgw.tgw_id,
                              self.cloud.clock.elapsed, tags=tags)
        self.tgw_route_tables[table.route_table_id] = table
        req.step("VPC router", f"Create transit gateway route table {table.route_table_id} "
                 f"in {TransitGatewayId}", 3.0, route_table=table.route_table_id)
        return {"TransitGatewayRouteTable": table_dict(table)}

    @operation
    def describe_transit_gateway_route_tables(self, req, TransitGatewayRouteTableIds=None,
                                              Filters=None, MaxResults=None, NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "tgw-rtb", TransitGatewayRouteTableIds, Filters, TABLE_FILTERS,
                            MaxResults, NextToken, "TransitGatewayRouteTables", table_dict,
                            "transit gateway route tables")

    @operation
    def delete_transit_gateway_route_table(self, req, TransitGatewayRouteTableId, **_):
        self.begin(req, self.arn_for(req, "transit-gateway-route-table",
                                     TransitGatewayRouteTableId))
        table = self.get(req, "tgw-rtb", TransitGatewayRouteTableId)
        if table.propagations or any(a.association_table_id == table.route_table_id
                                     for a in self.tgw_attachments.values()):
            raise fail("IncorrectState", f"{TransitGatewayRouteTableId} has associations or "
                                         "propagations")
        del self.tgw_route_tables[table.route_table_id]
        tgw = self.transit_gateways.get(table.tgw_id)
        if tgw is not None:
            if tgw.association_table_id == table.route_table_id:
                tgw.association_table_id = None
            if tgw.propagation_table_id == table.route_table_id:
                tgw.propagation_table_id = None
        req.step("VPC router", f"Delete transit gateway route table {table.route_table_id}",
                 2.0, route_table=table.route_table_id)
        out = table_dict(table)
        out["State"] = "deleting"
        return {"TransitGatewayRouteTable": out}

    # -- associations and propagation ------------------------------------------------------------
    @operation
    def associate_transit_gateway_route_table(self, req, TransitGatewayRouteTableId,
                                              TransitGatewayAttachmentId, **_):
        self.begin(req, self.arn_for(req, "transit-gateway-route-table",
                                     TransitGatewayRouteTableId))
        table = self.get(req, "tgw-rtb", TransitGatewayRouteTableId)
        att = self.usable_attachment(req, TransitGatewayAttachmentId, table)
        if att.association_table_id is not None:
            raise fail("Resource.AlreadyAssociated", f"Transit Gateway Attachment "
                       f"{att.attachment_id} is already associated to a route table.")
        att.association_table_id = table.route_table_id
        req.step("VPC router", f"Associate {att.attachment_id} ({att.resource_id}) with "
                 f"{table.route_table_id}: it routes the packets that attachment brings in",
                 2.0, route_table=table.route_table_id)
        out = self.link_dict(table, att.attachment_id, False)
        out["State"] = "associating"
        return {"Association": {"TransitGatewayRouteTableId": table.route_table_id, **out}}

    @operation
    def disassociate_transit_gateway_route_table(self, req, TransitGatewayRouteTableId,
                                                 TransitGatewayAttachmentId, **_):
        self.begin(req, self.arn_for(req, "transit-gateway-route-table",
                                     TransitGatewayRouteTableId))
        table = self.get(req, "tgw-rtb", TransitGatewayRouteTableId)
        att = self.get(req, "tgw-attach", TransitGatewayAttachmentId)
        if att.association_table_id != table.route_table_id:
            raise fail("InvalidAssociation.NotFound", f"{att.attachment_id} is not associated "
                                                      f"with {table.route_table_id}")
        att.association_table_id = None
        req.step("VPC router", f"Disassociate {att.attachment_id} from {table.route_table_id}:"
                 " packets it brings in are no longer routed", 2.0,
                 route_table=table.route_table_id)
        out = self.link_dict(table, att.attachment_id, False)
        out["State"] = "disassociating"
        return {"Association": {"TransitGatewayRouteTableId": table.route_table_id, **out}}

    def propagation_args(self, req, table_id, attachment_id, announcement_id, enabling: bool):
        """Enable/DisableTransitGatewayRouteTablePropagation's checks: (table, attachment)."""
        self.begin(req, self.arn_for(req, "transit-gateway-route-table", table_id))
        if announcement_id is not None:
            raise not_implemented("transit gateway route table announcements")
        if attachment_id is None:
            raise missing("TransitGatewayAttachmentId")
        table = self.get(req, "tgw-rtb", table_id)
        att = self.usable_attachment(req, attachment_id, table) if enabling \
            else self.get(req, "tgw-attach", attachment_id)
        return table, att

    @operation
    def enable_transit_gateway_route_table_propagation(self, req, TransitGatewayRouteTableId,
                                                       TransitGatewayAttachmentId=None,
                                                       TransitGatewayRouteTableAnnouncementId=None,
                                                       **_):
        table, att = self.propagation_args(req, TransitGatewayRouteTableId,
                                           TransitGatewayAttachmentId,
                                           TransitGatewayRouteTableAnnouncementId, True)
        if att.attachment_id in table.propagations:
            raise fail("TransitGatewayRouteTablePropagation.Duplicate", f"Propagation "
                       f"{att.attachment_id} already exists in Transit Gateway Route Table "
                       f"{table.route_table_id}.")
        table.propagations.append(att.attachment_id)
        req.step("VPC router", f"Propagate the routes of {att.attachment_id} "
                 f"({att.resource_id}) into {table.route_table_id}", 2.0,
                 route_table=table.route_table_id)
        out = self.link_dict(table, att.attachment_id, True)
        out.update(TransitGatewayRouteTableId=table.route_table_id, State="enabling")
        return {"Propagation": out}

    @operation
    def disable_transit_gateway_route_table_propagation(self, req, TransitGatewayRouteTableId,
                                                        TransitGatewayAttachmentId=None,
                                                        TransitGatewayRouteTableAnnouncementId=None,
                                                        **_):
        table, att = self.propagation_args(req, TransitGatewayRouteTableId,
                                           TransitGatewayAttachmentId,
                                           TransitGatewayRouteTableAnnouncementId, False)
        if att.attachment_id not in table.propagations:
            raise fail("TransitGatewayRouteTablePropagation.NotFound", f"Propagation "
                       f"{att.attachment_id} does not exist in Transit Gateway Route Table "
                       f"{table.route_table_id}.")
        out = self.link_dict(table, att.attachment_id, True)
        table.propagations.remove(att.attachment_id)
        req.step("VPC router", f"Stop propagating {att.attachment_id} into "
                 f"{table.route_table_id}", 2.0, route_table=table.route_table_id)
        out.update(TransitGatewayRouteTableId=table.route_table_id, State="disabling")
        return {"Propagation": out}

    def tgw_links(self, req, table_id, filters, max_results, next_token, propagation: bool):
        table = self.get(req, "tgw-rtb", table_id)
        check_filters(filters, LINK_FILTERS)
        ids = table.propagations if propagation else sorted(
            a.attachment_id for a in self.tgw_attachments.values()
            if a.association_table_id == table.route_table_id)
        rows = [self.link_dict(table, i, propagation) for i in sorted(ids)]
        rows = [r for r in rows if matches(r, filters, LINK_FILTERS)]
        return paginate(req, rows, lambda r: r["TransitGatewayAttachmentId"], max_results,
                        next_token)

    @operation
    def get_transit_gateway_route_table_associations(self, req, TransitGatewayRouteTableId,
                                                     Filters=None, MaxResults=None,
                                                     NextToken=None, **_):
        self.begin(req, self.arn_for(req, "transit-gateway-route-table",
                                     TransitGatewayRouteTableId))
        page, token = self.tgw_links(req, TransitGatewayRouteTableId, Filters, MaxResults,
                                  NextToken, False)
        req.step("VPC router", f"List the associations of {TransitGatewayRouteTableId}: "
                 f"{len(page)}", 2.0)
        return {"Associations": page, **({"NextToken": token} if token else {})}

    @operation
    def get_transit_gateway_route_table_propagations(self, req, TransitGatewayRouteTableId,
                                                     Filters=None, MaxResults=None,
                                                     NextToken=None, **_):
        self.begin(req, self.arn_for(req, "transit-gateway-route-table",
                                     TransitGatewayRouteTableId))
        page, token = self.tgw_links(req, TransitGatewayRouteTableId, Filters, MaxResults,
                                  NextToken, True)
        req.step("VPC router", f"List the propagations into {TransitGatewayRouteTableId}: "
                 f"{len(page)}", 2.0)
        return {"TransitGatewayRouteTablePropagations": page,
                **({"NextToken": token} if token else {})}

    # -- static routes ---------------------------------------------------------------------------
    @staticmethod
    def tgw_cidr(value) -> str:
        try:
            net = ipaddress.ip_network(str(value), strict=False)
        except ValueError:
            raise invalid_value("DestinationCidrBlock", value, "This is not a valid CIDR block.")
        return str(net)

    @operation
    def create_transit_gateway_route(self, req, DestinationCidrBlock, TransitGatewayRouteTableId,
                                     TransitGatewayAttachmentId=None, Blackhole=None, **_):
        self.begin(req, self.arn_for(req, "transit-gateway-route-table",
                                     TransitGatewayRouteTableId))
        table = self.get(req, "tgw-rtb", TransitGatewayRouteTableId)
        destination = self.tgw_cidr(DestinationCidrBlock)
        if bool(Blackhole) == (TransitGatewayAttachmentId is not None):
            raise fail("InvalidParameterCombination", "Specify either a transit gateway "
                                                      "attachment or Blackhole, not both.")
        if TransitGatewayAttachmentId is not None:
            self.usable_attachment(req, TransitGatewayAttachmentId, table)
        if any(r.destination == destination for r in table.routes):
            raise fail("RouteAlreadyExists", f"Route {destination} already exists in Transit "
                                             f"Gateway Route Table {table.route_table_id}.")
        if sum(len(t.routes) for t in self.tgw_route_tables.values()
               if t.tgw_id == table.tgw_id) >= ml.TGW_STATIC_ROUTES:
            raise fail("ResourceLimitExceeded", "The transit gateway has the maximum number of "
                                                "static routes.")
        route = TgwRoute(destination, TransitGatewayAttachmentId, bool(Blackhole))
        table.routes.append(route)
        [shown] = [r for r in self.transit_routes(table.route_table_id)
                   if r.destination == destination and r.route_type == "static"]
        where = "drop (blackhole)" if Blackhole else TransitGatewayAttachmentId
        req.step("VPC router", f"Add static route {destination} → {where} to "
                 f"{table.route_table_id}", 3.0, route_table=table.route_table_id)
        return {"Route": self.route_dict(shown)}

    @operation
    def delete_transit_gateway_route(self, req, TransitGatewayRouteTableId, DestinationCidrBlock,
                                     **_):
        self.begin(req, self.arn_for(req, "transit-gateway-route-table",
                                     TransitGatewayRouteTableId))
        table = self.get(req, "tgw-rtb", TransitGatewayRouteTableId)
        destination = self.tgw_cidr(DestinationCidrBlock)
        route = next((r for r in table.routes if r.destination == destination), None)
        if route is None:
            raise fail("InvalidRoute.NotFound", f"No route with destination {destination} in "
                                                f"Transit Gateway Route Table "
                                                f"{table.route_table_id}.")
        table.routes.remove(route)
        req.step("VPC router", f"Delete static route {destination} from "
                 f"{table.route_table_id}", 2.0, route_table=table.route_table_id)
        return {"Route": self.route_dict(route, "deleted")}

    @operation
    def search_transit_gateway_routes(self, req, TransitGatewayRouteTableId, Filters,
                                      MaxResults=None, **_):
        self.begin(req, self.arn_for(req, "transit-gateway-route-table",
                                     TransitGatewayRouteTableId))
        table = self.get(req, "tgw-rtb", TransitGatewayRouteTableId)
        routes = self.transit_routes(table.route_table_id)
        spec = {"attachment.transit-gateway-attachment-id": lambda r: r.attachment_id,
                "attachment.resource-id": lambda r: self.tgw_resource_of(r),
                "attachment.resource-type": lambda r: r.resource_type or None,
                "state": lambda r: r.state, "type": lambda r: r.route_type}
        searches = {"route-search.exact-match": lambda n, q: n == q,
                    "route-search.longest-prefix-match": None,
                    "route-search.subnet-of-match": lambda n, q: n.subnet_of(q),
                    "route-search.supernet-of-match": lambda n, q: n.supernet_of(q)}
        plain = [f for f in Filters if f.get("Name") not in searches]
        check_filters(plain, spec)
        routes = [r for r in routes if matches(r, plain, spec)]
        for flt in Filters:
            name = flt.get("Name")
            if name not in searches:
                continue
            wanted = [ipaddress.ip_network(self.tgw_cidr(v)) for v in flt.get("Values") or []]
            if name == "route-search.longest-prefix-match":
                hits = [ml.tgw_route_for(routes, str(q.network_address)) for q in wanted]
                routes = [r for r in routes if any(r is h for h in hits)]
            else:
                test = searches[name]
                routes = [r for r in routes if any(
                    ipaddress.ip_network(r.destination).version == q.version
                    and test(ipaddress.ip_network(r.destination), q) for q in wanted)]
        limit = MaxResults or 1000
        req.step("VPC router", f"Search the routes of {table.route_table_id}: {len(routes)}",
                 2.0, route_table=table.route_table_id)
        return {"Routes": [self.route_dict(r) for r in routes[:limit]],
                "AdditionalRoutesAvailable": len(routes) > limit}

    def tgw_resource_of(self, route: TgwRoute) -> str | None:
        att = self.tgw_attachments.get(route.attachment_id or "")
        return att.resource_id if att else None
