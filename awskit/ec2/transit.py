"""Transit gateways and their VPC attachments (route tables, associations, propagation and
routes are in ``transit_routes.py``).

A transit gateway is a Regional router [TGW how-transit-gateways-work.md]. CreateTransitGateway
answers ``pending``; it is ``available`` ``TGW_PENDING`` s later. Unless both
``DefaultRouteTableAssociation`` and ``DefaultRouteTablePropagation`` are disabled it comes
with a default route table, which new attachments are associated with and propagate to
(each option separately). Amazon-side ASN: 64512-65534 or 4200000000-4294967294, default
64512. 5 per Region (``TransitGatewayLimitExceeded``) [TGW transit-gateway-quotas.md].
A transit gateway cannot be deleted while attachments remain (``IncorrectState``); deleting
takes ``TGW_DELETING`` s, then it stays listed as ``deleted`` for an hour.

A VPC attachment names one subnet per Availability Zone (``DuplicateSubnetsInSameZone``); the
TGW puts a requester-managed interface (type ``transit_gateway``) in each, so the subnets (and
the VPC) cannot be deleted while it exists; resources in an AZ without an attachment subnet
cannot reach the TGW [TGW tgw-vpc-attachments.md]. One attachment per VPC and TGW
(``DuplicateTransitGatewayAttachment``), 5 TGWs per VPC. ``pending`` → ``available``
(``ATTACHMENT_PENDING``); deleting takes as long, then its interfaces are removed. A VPC route
with ``TransitGatewayId`` needs an available attachment of that VPC to that TGW
(``InvalidTransitGatewayID.NotFound`` otherwise) and is ``blackhole`` while there is none.

Price: $0.05 per attachment-hour + $0.02 per GB processed (secondary source; exposed as
``TgwAttachment.hourly_price``, not metered). Simplified: no TGW peering, Connect, multicast
or sharing through RAM (NotImplemented); where AWS's specific error code for a quota or a state
is unconfirmed awskit answers ``IncorrectState`` / ``ResourceLimitExceeded``.
"""

from __future__ import annotations

from ..clock import aws_datetime
from ..service import operation
from . import model_links as ml
from .codes import fail, invalid_value, missing, not_found, not_implemented
from .filters import tag_specifications, with_tags
from .model_links import TgwAttachment, TgwRouteTable, TransitGateway

TGW_GONE = 3600.0                          # a deleted TGW / attachment stays listed an hour
_ON = {True: "enable", False: "disable"}

TGW_FILTERS = {
    "options.amazon-side-asn": lambda t: t.asn,
    "options.association-default-route-table-id": lambda t: t.association_table_id,
    "options.default-route-table-association": lambda t: _ON[t.default_association],
    "options.default-route-table-propagation": lambda t: _ON[t.default_propagation],
    "options.dns-support": lambda t: _ON[t.dns_support],
    "options.propagation-default-route-table-id": lambda t: t.propagation_table_id,
    "options.vpn-ecmp-support": lambda t: _ON[t.vpn_ecmp],
    "owner-id": lambda t: t.account,
    "state": lambda t: t.state,
    "transit-gateway-id": lambda t: t.tgw_id,
}
ATTACHMENT_FILTERS = {
    "association.transit-gateway-route-table-id": lambda a: a.association_table_id,
    "association.state": lambda a: "associated" if a.association_table_id else None,
    "resource-id": lambda a: a.resource_id,
    "resource-owner-id": lambda a: a.account,
    "resource-type": lambda a: a.resource_type,
    "state": lambda a: a.state,
    "transit-gateway-attachment-id": lambda a: a.attachment_id,
    "transit-gateway-id": lambda a: a.tgw_id,
    "transit-gateway-owner-id": lambda a: a.account,
}
VPC_ATTACHMENT_FILTERS = {k: ATTACHMENT_FILTERS[k] for k in (
    "state", "transit-gateway-attachment-id", "transit-gateway-id")}
VPC_ATTACHMENT_FILTERS["vpc-id"] = lambda a: a.resource_id


def tgw_dict(tgw: TransitGateway) -> dict:
    options = {"AmazonSideAsn": tgw.asn, "AutoAcceptSharedAttachments": _ON[tgw.auto_accept_shared],
               "DefaultRouteTableAssociation": _ON[tgw.default_association]}
    if tgw.association_table_id:
        options["AssociationDefaultRouteTableId"] = tgw.association_table_id
    options["DefaultRouteTablePropagation"] = _ON[tgw.default_propagation]
    if tgw.propagation_table_id:
        options["PropagationDefaultRouteTableId"] = tgw.propagation_table_id
    options.update(VpnEcmpSupport=_ON[tgw.vpn_ecmp], DnsSupport=_ON[tgw.dns_support],
                   SecurityGroupReferencingSupport="disable", MulticastSupport="disable")
    out = {"TransitGatewayId": tgw.tgw_id, "TransitGatewayArn": tgw.arn, "State": tgw.state,
           "OwnerId": tgw.account, "Description": tgw.description,
           "CreationTime": aws_datetime(tgw.created), "Options": options}
    return with_tags(out, tgw.tags, always=True)


def vpc_attachment_dict(att: TgwAttachment) -> dict:
    out = {"TransitGatewayAttachmentId": att.attachment_id, "TransitGatewayId": att.tgw_id,
           "VpcId": att.resource_id, "VpcOwnerId": att.account, "State": att.state,
           "SubnetIds": list(att.subnet_ids), "CreationTime": aws_datetime(att.created),
           "Options": {"DnsSupport": _ON[att.dns_support],
                       "SecurityGroupReferencingSupport": "disable", "Ipv6Support": "disable",
                       "ApplianceModeSupport": _ON[att.appliance_mode]}}
    return with_tags(out, att.tags, always=True)


def attachment_dict(att: TgwAttachment) -> dict:
    out = {"TransitGatewayAttachmentId": att.attachment_id, "TransitGatewayId": att.tgw_id,
           "TransitGatewayOwnerId": att.account, "ResourceOwnerId": att.account,
           "ResourceType": att.resource_type, "ResourceId": att.resource_id, "State": att.state}
    if att.association_table_id:
        out["Association"] = {"TransitGatewayRouteTableId": att.association_table_id,
                              "State": "associated" if att.state == "available"
                              else "associating"}
    out["CreationTime"] = aws_datetime(att.created)
    return with_tags(out, att.tags, always=True)


def _flag(options: dict, key: str, default: bool) -> bool:
    value = options.get(key)
    if value is None:
        return default
    if value not in ("enable", "disable"):
        raise invalid_value(key, value, "Expecting enable or disable.")
    return value == "enable"


class TransitGatewayOperations:
    """Create/Describe/DeleteTransitGateway and the VPC attachments."""

    # -- hooks the rest of EC2 calls -------------------------------------------------------------
    def tgw_attachment_of(self, vpc_id: str, tgw_id: str, states=("available",)):
        return next((a for a in self.tgw_attachments.values() if a.tgw_id == tgw_id
                     and a.resource_type == "vpc" and a.resource_id == vpc_id
                     and a.state in states), None)

    def check_tgw_target(self, req, table, tgw_id: str, parameter: str) -> None:
        """CreateRoute/ReplaceRoute to a TGW: the VPC must have an available attachment."""
        tgw = self.get(req, "tgw", tgw_id)
        if tgw.state != "available" or self.tgw_attachment_of(table.vpc_id, tgw_id) is None:
            raise not_found("tgw", tgw_id)

    def target_usable(self, vpc_id: str, route) -> bool:
        if route.target_type == "transit-gateway":
            tgw = self.transit_gateways.get(route.target_id)
            return tgw is not None and tgw.state == "available" and \
                self.tgw_attachment_of(vpc_id, route.target_id) is not None
        return super().target_usable(vpc_id, route)

    def new_attachment(self, req, tgw: TransitGateway, resource_type: str, resource_id: str,
                       tags: dict, subnets=(), state: str = "pending") -> TgwAttachment:
        """An attachment, associated with / propagating to the TGW's default tables."""
        att = TgwAttachment(self.new_id("tgw-attach"), req.account, req.region, tgw.tgw_id,
                            resource_type, resource_id, self.cloud.clock.elapsed, state=state,
                            tags=tags)
        for subnet in subnets:
            eni = self.build_eni(subnet, None, [], "Network Interface for Transit Gateway "
                                 f"Attachment {att.attachment_id}",
                                 interface_type="transit_gateway", requester_managed=True)
            att.subnet_ids.append(subnet.subnet_id)
            att.eni_ids.append(eni.eni_id)
        if tgw.default_association and tgw.association_table_id:
            att.association_table_id = tgw.association_table_id
        if tgw.default_propagation and tgw.propagation_table_id in self.tgw_route_tables:
            self.tgw_route_tables[tgw.propagation_table_id].propagations.append(
                att.attachment_id)
        self.tgw_attachments[att.attachment_id] = att
        return att

    def drop_attachment(self, att: TgwAttachment) -> None:
        """Remove what an ended attachment held: interfaces, association, propagations."""
        for eni_id in att.eni_ids:
            self.network_interfaces.pop(eni_id, None)
        att.association_table_id = None
        for table in self.tgw_route_tables.values():
            if att.attachment_id in table.propagations:
                table.propagations.remove(att.attachment_id)

    # -- transit gateways ------------------------------------------------------------------------
    @operation
    def create_transit_gateway(self, req, Description=None, Options=None, TagSpecifications=None,
                               **_):
        self.begin(req, self.arn_for(req, "transit-gateway"))
        options = Options or {}
        if options.get("MulticastSupport") == "enable" or options.get("TransitGatewayCidrBlocks"):
            raise not_implemented("transit gateway multicast and CIDR blocks")
        asn = options.get("AmazonSideAsn", 64512)
        if not (64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294):
            raise invalid_value("AmazonSideAsn", asn, "The ASN must be in 64512-65534 or "
                                                      "4200000000-4294967294.")
        flags = {key: _flag(options, key, default) for key, default in (
            ("DefaultRouteTableAssociation", True), ("DefaultRouteTablePropagation", True),
            ("AutoAcceptSharedAttachments", False), ("VpnEcmpSupport", True),
            ("DnsSupport", True))}
        tags = tag_specifications(TagSpecifications, "transit-gateway")
        if sum(t.state != "deleted" for t in self.mine(req, "tgw")) >= ml.TGWS_PER_REGION:
            raise fail("TransitGatewayLimitExceeded", "You have reached the limit of "
                       f"{ml.TGWS_PER_REGION} transit gateways in {req.region}.")
        tgw = TransitGateway(self.new_id("tgw"), req.account, req.region,
                             self.cloud.clock.elapsed, asn=asn, description=Description or "",
                             default_association=flags["DefaultRouteTableAssociation"],
                             default_propagation=flags["DefaultRouteTablePropagation"],
                             auto_accept_shared=flags["AutoAcceptSharedAttachments"],
                             vpn_ecmp=flags["VpnEcmpSupport"], dns_support=flags["DnsSupport"],
                             tags=tags)
        self.transit_gateways[tgw.tgw_id] = tgw
        made = ""
        if tgw.default_association or tgw.default_propagation:
            table = TgwRouteTable(self.new_id("tgw-rtb"), req.account, req.region, tgw.tgw_id,
                                  tgw.created, default_association=tgw.default_association,
                                  default_propagation=tgw.default_propagation)
            self.tgw_route_tables[table.route_table_id] = table
            if tgw.default_association:
                tgw.association_table_id = table.route_table_id
            if tgw.default_propagation:
                tgw.propagation_table_id = table.route_table_id
            made = f" with default route table {table.route_table_id}"
        self.schedule(ml.TGW_PENDING, "tgw-available", tgw.tgw_id)
        req.step("EC2 API", f"Create transit gateway {tgw.tgw_id} (ASN {asn}){made}; pending "
                 f"for about {ml.TGW_PENDING:.0f} s", 6.0, transit_gateway=tgw.tgw_id)
        return {"TransitGateway": tgw_dict(tgw)}

    @operation
    def describe_transit_gateways(self, req, TransitGatewayIds=None, Filters=None,
                                  MaxResults=None, NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "tgw", TransitGatewayIds, Filters, TGW_FILTERS, MaxResults,
                            NextToken, "TransitGateways", tgw_dict, "transit gateways")

    @operation
    def delete_transit_gateway(self, req, TransitGatewayId, **_):
        self.begin(req, self.arn_for(req, "transit-gateway", TransitGatewayId))
        tgw = self.get(req, "tgw", TransitGatewayId)
        if tgw.state != "available":
            raise fail("IncorrectState", f"{TransitGatewayId} is in invalid state")
        if any(a.tgw_id == TransitGatewayId and a.state != "deleted"
               for a in self.tgw_attachments.values()):
            raise fail("IncorrectState", f"{TransitGatewayId} has non-deleted Transit Gateway "
                                         "Attachments")
        tgw.state = "deleting"
        self.schedule(ml.TGW_DELETING, "tgw-deleted", TransitGatewayId)
        self.refresh_routes()
        req.step("EC2 API", f"Delete transit gateway {TransitGatewayId}: deleting", 3.0,
                 transit_gateway=TransitGatewayId)
        return {"TransitGateway": tgw_dict(tgw)}

    def _on_tgw_available(self, tgw_id: str, when: float) -> str | None:
        tgw = self.transit_gateways.get(tgw_id)
        if tgw is not None and tgw.state == "pending":
            tgw.state = "available"
            return f"Transit gateway {tgw_id} is available"
        return None

    def _on_tgw_deleted(self, tgw_id: str, when: float) -> str | None:
        tgw = self.transit_gateways.get(tgw_id)
        if tgw is None:
            return None
        tgw.state = "deleted"
        tgw.association_table_id = tgw.propagation_table_id = None
        for table_id in [k for k, t in self.tgw_route_tables.items() if t.tgw_id == tgw_id]:
            del self.tgw_route_tables[table_id]
        self.schedule(TGW_GONE - (self.cloud.clock.elapsed - when), "tgw-gone", tgw_id)
        return f"Transit gateway {tgw_id} is deleted"

    def _on_tgw_gone(self, tgw_id: str, when: float) -> str | None:
        self.transit_gateways.pop(tgw_id, None)
        return None

    # -- VPC attachments -------------------------------------------------------------------------
    def usable_tgw(self, req, tgw_id) -> TransitGateway:
        tgw = self.get(req, "tgw", tgw_id)
        if tgw.state != "available":
            raise fail("IncorrectState", f"{tgw_id} is in invalid state")
        return tgw

    @operation
    def create_transit_gateway_vpc_attachment(self, req, TransitGatewayId, VpcId, SubnetIds,
                                              Options=None, TagSpecifications=None, **_):
        self.begin(req, self.arn_for(req, "transit-gateway-attachment"))
        tgw = self.usable_tgw(req, TransitGatewayId)
        vpc = self.get(req, "vpc", VpcId)
        options = Options or {}
        if options.get("Ipv6Support") == "enable":
            raise not_implemented("IPv6 on transit gateway attachments")
        dns = _flag(options, "DnsSupport", True)
        appliance = _flag(options, "ApplianceModeSupport", False)
        if not SubnetIds:
            raise missing("SubnetIds")
        subnets = [self.get(req, "subnet", s) for s in SubnetIds]
        for subnet in subnets:
            if subnet.vpc_id != VpcId:
                raise fail("InvalidParameterValue", f"Subnet {subnet.subnet_id} does not belong "
                                                    f"to {VpcId}.")
        zones = [s.az for s in subnets]
        if len(set(zones)) != len(zones):
            raise fail("DuplicateSubnetsInSameZone", "Only one subnet per Availability Zone can "
                                                     "be attached to a transit gateway.")
        tags = tag_specifications(TagSpecifications, "transit-gateway-attachment")
        live = ("pending", "available", "modifying", "deleting")
        if self.tgw_attachment_of(VpcId, TransitGatewayId, live) is not None:
            raise fail("DuplicateTransitGatewayAttachment", f"{TransitGatewayId} has non-deleted "
                       "Transit Gateway Attachments with same VPC ID.")
        if len({a.tgw_id for a in self.tgw_attachments.values() if a.resource_id == VpcId
                and a.state in live}) >= ml.TGWS_PER_VPC:
            raise fail("ResourceLimitExceeded", f"{VpcId} is attached to the maximum of "
                                                f"{ml.TGWS_PER_VPC} transit gateways.")
        for subnet in subnets:
            if self.available_count(subnet) < 1:
                raise fail("InsufficientFreeAddressesInSubnet", f"Subnet {subnet.subnet_id} has "
                                                               "no free address.")
        att = self.new_attachment(req, tgw, "vpc", vpc.vpc_id, tags, subnets)
        att.dns_support, att.appliance_mode = dns, appliance
        self.schedule(ml.ATTACHMENT_PENDING, "attachment-available", att.attachment_id)
        req.step("EC2 API", f"Attach {VpcId} to {TransitGatewayId} as {att.attachment_id}: an "
                 f"interface in {', '.join(SubnetIds)} ({', '.join(zones)}); pending", 6.0,
                 attachment=att.attachment_id)
        return {"TransitGatewayVpcAttachment": vpc_attachment_dict(att)}

    def vpc_attachment(self, req, attachment_id) -> TgwAttachment:
        att = self.get(req, "tgw-attach", attachment_id)
        if att.resource_type != "vpc":
            raise not_found("tgw-attach", attachment_id)
        return att

    @operation
    def describe_transit_gateway_vpc_attachments(self, req, TransitGatewayAttachmentIds=None,
                                                 Filters=None, MaxResults=None, NextToken=None,
                                                 **_):
        self.begin(req)
        items = [a for a in self.mine(req, "tgw-attach") if a.resource_type == "vpc"]
        return self.listing(req, "tgw-attach", TransitGatewayAttachmentIds, Filters,
                            VPC_ATTACHMENT_FILTERS, MaxResults, NextToken,
                            "TransitGatewayVpcAttachments", vpc_attachment_dict,
                            "transit gateway VPC attachments", items=items)

    @operation
    def describe_transit_gateway_attachments(self, req, TransitGatewayAttachmentIds=None,
                                             Filters=None, MaxResults=None, NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "tgw-attach", TransitGatewayAttachmentIds, Filters,
                            ATTACHMENT_FILTERS, MaxResults, NextToken, "TransitGatewayAttachments",
                            attachment_dict, "transit gateway attachments")

    @operation
    def delete_transit_gateway_vpc_attachment(self, req, TransitGatewayAttachmentId, **_):
        self.begin(req, self.arn_for(req, "transit-gateway-attachment",
                                     TransitGatewayAttachmentId))
        att = self.vpc_attachment(req, TransitGatewayAttachmentId)
        if att.state not in ("available", "pending"):
            raise fail("IncorrectState", f"{TransitGatewayAttachmentId} is in invalid state")
        self.cancel_timers(att.attachment_id)
        att.state = "deleting"
        self.schedule(ml.ATTACHMENT_PENDING, "attachment-deleted", att.attachment_id)
        self.refresh_routes()
        req.step("EC2 API", f"Detach {att.resource_id} from {att.tgw_id}: deleting; routes to "
                 "the transit gateway are now blackholes", 3.0, attachment=att.attachment_id)
        return {"TransitGatewayVpcAttachment": vpc_attachment_dict(att)}

    def _on_attachment_available(self, attachment_id: str, when: float) -> str | None:
        att = self.tgw_attachments.get(attachment_id)
        if att is not None and att.state == "pending":
            att.state = "available"
            return f"Transit gateway attachment {attachment_id} is available"
        return None

    def _on_attachment_deleted(self, attachment_id: str, when: float) -> str | None:
        att = self.tgw_attachments.get(attachment_id)
        if att is None:
            return None
        att.state = "deleted"
        self.drop_attachment(att)
        self.schedule(TGW_GONE - (self.cloud.clock.elapsed - when), "attachment-gone",
                      attachment_id)
        return f"Transit gateway attachment {attachment_id} is deleted"

    def _on_attachment_gone(self, attachment_id: str, when: float) -> str | None:
        self.tgw_attachments.pop(attachment_id, None)
        return None
