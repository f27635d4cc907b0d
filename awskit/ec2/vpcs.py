"""VPCs: create, describe, delete, DNS attributes, secondary CIDRs, the default VPC; and the
Region's Availability Zones.

A VPC's IPv4 CIDR is /16 to /28 (``InvalidVpc.Range``) and is stored canonical
(100.68.0.18/18 → 100.68.0.0/18) [BC ec2:CreateVpcRequest.CidrBlock]. CreateVpc answers
``pending``; the VPC is ``available`` moments later (``VPC_PENDING``). It comes with a main route
table (a ``local`` route per CIDR), a default network ACL and a default security group. A
Region holds 5 VPCs, the default VPC included (``VpcLimitExceeded``). Up to 5 IPv4 CIDRs per
VPC (``CidrLimitExceeded``); a secondary CIDR may not overlap the VPC's others, nor come from
another RFC 1918 range than the primary [VPCUG vpc-cidr-blocks.md]. DeleteVpc refuses while
subnets, attached gateways, non-default security groups, route tables or network ACLs remain
(``DependencyViolation``) and removes the default ones [BC ec2:DeleteVpc].

Simplified: IPv6 CIDRs and IPAM pools are not simulated (NotImplemented); a secondary CIDR is
``associated`` at once (AWS shows ``associating`` for a moment, as the response does).
"""

from __future__ import annotations

import ipaddress

from . import model as m
from ..service import operation
from .codes import dependency, fail, invalid_value, missing, not_implemented
from .filters import check_filters, matches, tag_specifications, with_tags
from .model import CidrAssociation, Route

_PRIVATE = [ipaddress.ip_network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


def parse_cidr(value, parameter: str = "cidrBlock") -> ipaddress.IPv4Network:
    """An IPv4 CIDR, host bits cleared; ``InvalidParameterValue`` if it is not one."""
    try:
        return ipaddress.IPv4Network(str(value), strict=False)
    except (ValueError, TypeError):
        raise invalid_value(parameter, value, "This is not a valid CIDR block.")


def vpc_dict(vpc: m.Vpc, creating: bool = False) -> dict:
    out = {"OwnerId": vpc.account, "InstanceTenancy": vpc.tenancy,
           "CidrBlockAssociationSet": [
               {"AssociationId": c.association_id, "CidrBlock": c.cidr,
                "CidrBlockState": {"State": c.state}} for c in vpc.cidrs],
           "IsDefault": vpc.is_default,
           "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"},
           "VpcId": vpc.vpc_id, "State": vpc.state, "CidrBlock": vpc.cidr_block,
           "DhcpOptionsId": vpc.dhcp_options_id}
    if creating:
        out["Ipv6CidrBlockAssociationSet"] = []
    return with_tags(out, vpc.tags)


VPC_FILTERS = {
    "cidr": lambda v: v.cidr_block,
    "cidr-block-association.cidr-block": lambda v: [c.cidr for c in v.cidrs],
    "cidr-block-association.association-id": lambda v: [c.association_id for c in v.cidrs],
    "cidr-block-association.state": lambda v: [c.state for c in v.cidrs],
    "dhcp-options-id": lambda v: v.dhcp_options_id,
    "is-default": lambda v: v.is_default,
    "owner-id": lambda v: v.account,
    "state": lambda v: v.state,
    "vpc-id": lambda v: v.vpc_id,
}


class VpcOperations:
    """CreateVpc, DescribeVpcs, DeleteVpc, Modify/DescribeVpcAttribute, Associate/
    DisassociateVpcCidrBlock, CreateDefaultVpc, DescribeAvailabilityZones."""

    def check_vpc_quota(self, req) -> None:
        if len(self.mine(req, "vpc")) >= m.VPCS_PER_REGION:
            raise fail("VpcLimitExceeded", "The maximum number of VPCs has been reached.")

    @staticmethod
    def vpc_size(net, cidr) -> None:
        if not 16 <= net.prefixlen <= 28:
            raise fail("InvalidVpc.Range", f"The CIDR '{cidr}' is invalid.")

    # -- CreateVpc ------------------------------------------------------------------------------
    @operation
    def create_vpc(self, req, CidrBlock=None, InstanceTenancy="default", TagSpecifications=None,
                   AmazonProvidedIpv6CidrBlock=None, Ipv4IpamPoolId=None, Ipv6CidrBlock=None,
                   Ipv6IpamPoolId=None, Ipv6Pool=None, **_):
        self.begin(req, self.arn_for(req, "vpc"))
        if AmazonProvidedIpv6CidrBlock or Ipv6CidrBlock or Ipv6IpamPoolId or Ipv6Pool or \
                Ipv4IpamPoolId:
            raise not_implemented("IPv6 CIDRs and IPAM pools for VPCs")
        if CidrBlock is None:
            raise missing("CidrBlock")
        net = parse_cidr(CidrBlock)
        self.vpc_size(net, CidrBlock)
        if InstanceTenancy == "host":
            raise fail("InvalidParameterValue", "The tenancy value host is not supported.")
        tags = tag_specifications(TagSpecifications, "vpc")
        self.check_vpc_quota(req)
        vpc = self.build_vpc(req.account, req.region, str(net), tenancy=InstanceTenancy,
                             tags=tags)
        req.step("EC2 API", f"Create VPC {vpc.vpc_id} ({net}, tenancy {InstanceTenancy}) with "
                 f"main route table {self.main_table(vpc.vpc_id).route_table_id}, default "
                 f"network ACL and default security group", 8.0, vpc=vpc.vpc_id)
        return {"Vpc": vpc_dict(vpc, creating=True)}

    @operation
    def create_default_vpc(self, req, **_):
        self.begin(req, self.arn_for(req, "vpc"))
        if self.default_vpc(req.account, req.region) is not None:
            raise fail("DefaultVpcAlreadyExists",
                       "A Default VPC already exists for this account in this region.")
        self.check_vpc_quota(req)
        vpc = self.build_default_vpc(req.account, req.region)
        req.step("EC2 API", f"Create default VPC {vpc.vpc_id} ({m.DEFAULT_CIDR}) with a default "
                 "subnet per AZ, an internet gateway and a route to it", 10.0, vpc=vpc.vpc_id)
        return {"Vpc": vpc_dict(vpc, creating=True)}

    # -- DescribeVpcs ---------------------------------------------------------------------------
    @operation
    def describe_vpcs(self, req, VpcIds=None, Filters=None, MaxResults=None, NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "vpc", VpcIds, Filters, VPC_FILTERS, MaxResults, NextToken,
                            "Vpcs", vpc_dict, "VPCs")

    # -- DeleteVpc ------------------------------------------------------------------------------
    @operation
    def delete_vpc(self, req, VpcId, **_):
        self.begin(req, self.arn_for(req, "vpc", VpcId))
        vpc = self.get(req, "vpc", VpcId)
        blockers = self.vpc_dependencies(vpc.vpc_id)
        if blockers:
            raise dependency("vpc", VpcId)
        for store in (self.route_tables, self.network_acls, self.security_groups):
            for key in [k for k, r in store.items() if r.vpc_id == vpc.vpc_id]:
                del store[key]
        del self.vpcs[vpc.vpc_id]
        self.cancel_timers(vpc.vpc_id)
        req.step("EC2 API", f"Delete VPC {VpcId} with its main route table, default network "
                 "ACL and default security group", 5.0, vpc=VpcId)
        return {}

    def vpc_dependencies(self, vpc_id: str) -> list[str]:
        """What keeps a VPC from being deleted (ids), beyond its default resources."""
        out = [s.subnet_id for s in self.subnets.values() if s.vpc_id == vpc_id]
        out += [g.gateway_id for g in self.internet_gateways.values() if g.vpc_id == vpc_id]
        out += [g.gateway_id for g in self.egress_only_gateways.values() if g.vpc_id == vpc_id]
        out += [g.group_id for g in self.security_groups.values()
                if g.vpc_id == vpc_id and not g.is_default]
        out += [t.route_table_id for t in self.route_tables.values()
                if t.vpc_id == vpc_id and not t.main]
        out += [n.nacl_id for n in self.network_acls.values()
                if n.vpc_id == vpc_id and not n.is_default]
        out += [e.eni_id for e in self.network_interfaces.values() if e.vpc_id == vpc_id]
        return out

    # -- attributes -----------------------------------------------------------------------------
    @operation
    def modify_vpc_attribute(self, req, VpcId, EnableDnsSupport=None, EnableDnsHostnames=None,
                             EnableNetworkAddressUsageMetrics=None, **_):
        self.begin(req, self.arn_for(req, "vpc", VpcId))
        vpc = self.get(req, "vpc", VpcId)
        given = {k: v for k, v in (("enableDnsSupport", EnableDnsSupport),
                                   ("enableDnsHostnames", EnableDnsHostnames),
                                   ("enableNetworkAddressUsageMetrics",
                                    EnableNetworkAddressUsageMetrics)) if v is not None}
        if len(given) != 1:
            raise fail("InvalidParameterCombination",
                       "Exactly one VPC attribute must be modified per request.")
        name, value = next(iter(given.items()))
        if name == "enableNetworkAddressUsageMetrics":
            raise not_implemented("Network Address Usage metrics")
        if "Value" not in value:
            raise missing(f"{name}.value")
        flag = bool(value["Value"])
        if name == "enableDnsHostnames" and flag and not vpc.enable_dns_support:
            raise fail("InvalidParameterValue", "DNS hostnames can only be enabled for a VPC "
                                                "that has DNS support enabled.")
        setattr(vpc, "enable_dns_support" if name == "enableDnsSupport" else
                "enable_dns_hostnames", flag)
        req.step("EC2 API", f"Set {name} of {VpcId} to {str(flag).lower()}", 2.0, vpc=VpcId)
        return {}

    @operation
    def describe_vpc_attribute(self, req, VpcId, Attribute, **_):
        self.begin(req, self.arn_for(req, "vpc", VpcId))
        vpc = self.get(req, "vpc", VpcId)
        values = {"enableDnsSupport": ("EnableDnsSupport", vpc.enable_dns_support),
                  "enableDnsHostnames": ("EnableDnsHostnames", vpc.enable_dns_hostnames)}
        if Attribute not in values:
            raise not_implemented(f"the VPC attribute {Attribute}")
        key, value = values[Attribute]
        req.step("EC2 API", f"Read {Attribute} of {VpcId}", 1.0, vpc=VpcId)
        return {"VpcId": VpcId, key: {"Value": value}}

    # -- secondary CIDRs ------------------------------------------------------------------------
    @operation
    def associate_vpc_cidr_block(self, req, VpcId, CidrBlock=None,
                                 AmazonProvidedIpv6CidrBlock=None, Ipv6CidrBlock=None,
                                 Ipv4IpamPoolId=None, Ipv6IpamPoolId=None, Ipv6Pool=None, **_):
        self.begin(req, self.arn_for(req, "vpc", VpcId))
        vpc = self.get(req, "vpc", VpcId)
        if AmazonProvidedIpv6CidrBlock or Ipv6CidrBlock or Ipv4IpamPoolId or Ipv6IpamPoolId \
                or Ipv6Pool:
            raise not_implemented("IPv6 CIDRs and IPAM pools for VPCs")
        if CidrBlock is None:
            raise missing("CidrBlock")
        net = parse_cidr(CidrBlock)
        self.vpc_size(net, CidrBlock)
        for existing in vpc.networks:
            if net.overlaps(existing):
                raise fail("InvalidVpc.Range", f"The CIDR '{net}' conflicts with another CIDR "
                                               f"block ({existing}) of {VpcId}.")
        primary = vpc.networks[0]
        home = next((p for p in _PRIVATE if primary.subnet_of(p)), None)
        other = next((p for p in _PRIVATE if net.subnet_of(p)), None)
        if home is not None and other is not None and home != other:
            raise fail("InvalidVpc.Range", f"The CIDR '{net}' is restricted. Use a CIDR from the "
                       "same private address range as the current VPC CIDR, or use a "
                       "publicly-routable CIDR.")
        if len(vpc.cidrs) >= m.CIDRS_PER_VPC:
            raise fail("CidrLimitExceeded", f"This network '{VpcId}' has met its maximum number "
                                            f"of allowed CIDRs: {m.CIDRS_PER_VPC}")
        assoc = CidrAssociation(self.new_id("vpc-cidr-assoc"), str(net))
        vpc.cidrs.append(assoc)
        for table in self.route_tables.values():
            if table.vpc_id == VpcId:
                table.routes.append(Route(str(net), "local", "local", "CreateRouteTable"))
        req.step("VPC router", f"Associate {net} with {VpcId}; add a local route for it to "
                 "every route table of the VPC", 3.0, vpc=VpcId)
        return {"VpcId": VpcId, "CidrBlockAssociation": {
            "AssociationId": assoc.association_id, "CidrBlock": assoc.cidr,
            "CidrBlockState": {"State": "associating"}}}

    @operation
    def disassociate_vpc_cidr_block(self, req, AssociationId, **_):
        self.begin(req)
        found = next(((v, c) for v in self.mine(req, "vpc") for c in v.cidrs
                      if c.association_id == AssociationId), None)
        if found is None:
            raise fail("InvalidVpcCidrBlockAssociationID.NotFound",
                       f"The vpc CIDR block association ID '{AssociationId}' does not exist")
        vpc, assoc = found
        if assoc is vpc.cidrs[0]:
            raise fail("OperationNotPermitted", f"The primary CIDR block {assoc.cidr} of "
                                                f"{vpc.vpc_id} cannot be disassociated.")
        net = ipaddress.ip_network(assoc.cidr)
        if any(s.vpc_id == vpc.vpc_id and s.network.subnet_of(net)
               for s in self.subnets.values()):
            raise dependency("vpc CIDR block association", AssociationId)
        vpc.cidrs.remove(assoc)
        for table in self.route_tables.values():
            if table.vpc_id == vpc.vpc_id:
                table.routes = [r for r in table.routes
                                if not (r.target_type == "local" and r.destination == assoc.cidr)]
        req.step("VPC router", f"Disassociate {assoc.cidr} from {vpc.vpc_id}; remove its "
                 "local routes", 3.0, vpc=vpc.vpc_id)
        return {"VpcId": vpc.vpc_id, "CidrBlockAssociation": {
            "AssociationId": AssociationId, "CidrBlock": assoc.cidr,
            "CidrBlockState": {"State": "disassociating"}}}

    # -- Availability Zones ---------------------------------------------------------------------
    @operation
    def describe_availability_zones(self, req, ZoneNames=None, ZoneIds=None, Filters=None,
                                    AllAvailabilityZones=None, **_):
        self.begin(req)
        region = self.cloud.regions[req.region]
        zones = [{"OptInStatus": "opt-in-not-required", "Messages": [], "RegionName": region.code,
                  "ZoneName": az, "ZoneId": m.az_id(region.code, az), "GroupName": region.code,
                  "NetworkBorderGroup": region.code, "ZoneType": "availability-zone",
                  "State": "available"} for az in region.azs]
        spec = {"zone-name": lambda z: z["ZoneName"], "zone-id": lambda z: z["ZoneId"],
                "region-name": lambda z: z["RegionName"], "state": lambda z: z["State"],
                "zone-type": lambda z: z["ZoneType"], "group-name": lambda z: z["GroupName"],
                "opt-in-status": lambda z: z["OptInStatus"]}
        check_filters(Filters, spec)
        for wanted, key in ((ZoneNames, "ZoneName"), (ZoneIds, "ZoneId")):
            unknown = [w for w in wanted or () if w not in {z[key] for z in zones}]
            if unknown:
                raise fail("InvalidParameterValue",
                           f"Invalid availability zone: [{', '.join(unknown)}]")
            if wanted:
                zones = [z for z in zones if z[key] in wanted]
        zones = [z for z in zones if matches(z, Filters, spec)]
        req.step("EC2 API", f"List the Availability Zones of {region}", 1.0)
        return {"AvailabilityZones": zones}

