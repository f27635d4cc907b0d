"""Internet gateways, egress-only internet gateways and NAT gateways.

Internet gateway: created detached, attached to at most one VPC and a VPC has at most one
(``Resource.AlreadyAssociated``); attached it shows ``State: available`` (the model's enum lists
``attached``, but EC2 answers ``available`` for an internet gateway, as the model's own
documentation says) [BC ec2:InternetGatewayAttachment]. It cannot be detached while the VPC has
public addresses mapped (instances' public IPs, Elastic IPs) nor deleted while attached; routes
to a detached gateway turn ``blackhole``. Internet gateways per Region: 5, as many as VPCs
[VPCUG amazon-vpc-limits.md]. An egress-only internet gateway lets IPv6 traffic out only; it is
attached to its VPC from creation.

NAT gateway: zonal, in one subnet. A public one needs an Elastic IP at creation (its private
address, on a requester-managed interface in the subnet, is translated to it); a private one has
none. ``pending`` → ``available`` (``NAT_PENDING``) → after DeleteNatGateway ``deleting`` →
``deleted`` (``NAT_DELETING``), when its interface is removed and its Elastic IP disassociated
(not released); routes to it are ``blackhole`` from ``deleting`` on; a deleted NAT gateway stays
listed for about an hour. At most 5 per AZ, counting pending and deleting ones
[VPCUG vpc-nat-gateway.md, amazon-vpc-limits.md].

Simplified: no secondary addresses and no regional NAT gateways (NotImplemented).
"""

from __future__ import annotations

from ..clock import aws_datetime
from ..service import operation
from . import model as m
from .codes import dependency, fail, missing, not_found, not_implemented
from .filters import tag_specifications, with_tags
from .model import InternetGateway, NatGateway

IGW_FILTERS = {
    "attachment.state": lambda g: "available" if g.vpc_id else None,
    "attachment.vpc-id": lambda g: g.vpc_id,
    "internet-gateway-id": lambda g: g.gateway_id,
    "owner-id": lambda g: g.account,
}
NAT_FILTERS = {
    "nat-gateway-id": lambda n: n.nat_id,
    "state": lambda n: n.state,
    "subnet-id": lambda n: n.subnet_id,
    "vpc-id": lambda n: n.vpc_id,
}


def igw_dict(gateway: InternetGateway) -> dict:
    out = {"Attachments": [{"State": "available", "VpcId": gateway.vpc_id}]
           if gateway.vpc_id else [], "InternetGatewayId": gateway.gateway_id,
           "OwnerId": gateway.account}
    return with_tags(out, gateway.tags, always=True)


def eigw_dict(gateway: InternetGateway) -> dict:
    out = {"Attachments": [{"State": "attached", "VpcId": gateway.vpc_id}],
           "EgressOnlyInternetGatewayId": gateway.gateway_id}
    return with_tags(out, gateway.tags, always=True)


class GatewayOperations:
    """Internet gateways and egress-only internet gateways."""

    @operation
    def create_internet_gateway(self, req, TagSpecifications=None, **_):
        self.begin(req, self.arn_for(req, "internet-gateway"))
        tags = tag_specifications(TagSpecifications, "internet-gateway")
        if len(self.mine(req, "igw")) >= m.GATEWAYS_PER_REGION:
            raise fail("InternetGatewayLimitExceeded",
                       "The maximum number of internet gateways has been reached.")
        gateway = InternetGateway(self.new_id("igw"), req.account, req.region, tags=tags)
        self.internet_gateways[gateway.gateway_id] = gateway
        req.step("Internet gateway", f"Create internet gateway {gateway.gateway_id} (detached)",
                 3.0, gateway=gateway.gateway_id)
        return {"InternetGateway": igw_dict(gateway)}

    @operation
    def attach_internet_gateway(self, req, InternetGatewayId, VpcId, **_):
        self.begin(req, self.arn_for(req, "internet-gateway", InternetGatewayId))
        gateway = self.get(req, "igw", InternetGatewayId)
        self.get(req, "vpc", VpcId)
        if gateway.vpc_id is not None:
            raise fail("Resource.AlreadyAssociated", f"resource {InternetGatewayId} is already "
                                                     f"attached to network {gateway.vpc_id}")
        if any(g.vpc_id == VpcId for g in self.internet_gateways.values()):
            raise fail("InvalidParameterValue", f"Network {VpcId} already has an internet "
                                                "gateway attached")
        gateway.vpc_id = VpcId
        self.refresh_routes()
        req.step("Internet gateway", f"Attach {InternetGatewayId} to {VpcId}: routes to it can "
                 "carry traffic to and from the internet", 4.0, gateway=InternetGatewayId)
        return {}

    @operation
    def detach_internet_gateway(self, req, InternetGatewayId, VpcId, **_):
        self.begin(req, self.arn_for(req, "internet-gateway", InternetGatewayId))
        gateway = self.get(req, "igw", InternetGatewayId)
        if gateway.vpc_id != VpcId:
            raise fail("Gateway.NotAttached", f"resource {InternetGatewayId} is not attached to "
                                              f"network {VpcId}")
        if any(e.vpc_id == VpcId and self.public_ip_of(e)
               for e in self.network_interfaces.values()):
            raise fail("DependencyViolation", f"Network {VpcId} has some mapped public "
                       "address(es). Please unmap those public address(es) before detaching "
                       "the gateway.")
        gateway.vpc_id = None
        self.refresh_routes()
        req.step("Internet gateway", f"Detach {InternetGatewayId} from {VpcId}: routes to it "
                 "are now blackholes", 4.0, gateway=InternetGatewayId)
        return {}

    @operation
    def delete_internet_gateway(self, req, InternetGatewayId, **_):
        self.begin(req, self.arn_for(req, "internet-gateway", InternetGatewayId))
        gateway = self.get(req, "igw", InternetGatewayId)
        if gateway.vpc_id is not None:
            raise dependency("internetGateway", InternetGatewayId)
        del self.internet_gateways[InternetGatewayId]
        req.step("Internet gateway", f"Delete internet gateway {InternetGatewayId}", 2.0,
                 gateway=InternetGatewayId)
        return {}

    @operation
    def describe_internet_gateways(self, req, InternetGatewayIds=None, Filters=None,
                                   MaxResults=None, NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "igw", InternetGatewayIds, Filters, IGW_FILTERS, MaxResults,
                            NextToken, "InternetGateways", igw_dict, "internet gateways")

    # -- egress-only ----------------------------------------------------------------------------
    @operation
    def create_egress_only_internet_gateway(self, req, VpcId, TagSpecifications=None, **_):
        self.begin(req, self.arn_for(req, "egress-only-internet-gateway"))
        self.get(req, "vpc", VpcId)
        tags = tag_specifications(TagSpecifications, "egress-only-internet-gateway")
        gateway = InternetGateway(self.new_id("eigw"), req.account, req.region, VpcId, tags,
                                  egress_only=True)
        self.egress_only_gateways[gateway.gateway_id] = gateway
        req.step("Internet gateway", f"Create egress-only internet gateway {gateway.gateway_id}"
                 f" in {VpcId} (IPv6 out, nothing in)", 3.0, gateway=gateway.gateway_id)
        return {"EgressOnlyInternetGateway": eigw_dict(gateway)}

    @operation
    def delete_egress_only_internet_gateway(self, req, EgressOnlyInternetGatewayId, **_):
        self.begin(req, self.arn_for(req, "egress-only-internet-gateway",
                                     EgressOnlyInternetGatewayId))
        self.get(req, "eigw", EgressOnlyInternetGatewayId)
        del self.egress_only_gateways[EgressOnlyInternetGatewayId]
        self.refresh_routes()
        req.step("Internet gateway", f"Delete egress-only internet gateway "
                 f"{EgressOnlyInternetGatewayId}", 2.0, gateway=EgressOnlyInternetGatewayId)
        return {"ReturnCode": True}

    @operation
    def describe_egress_only_internet_gateways(self, req, EgressOnlyInternetGatewayIds=None,
                                               Filters=None, MaxResults=None, NextToken=None,
                                               **_):
        self.begin(req)
        spec = {"egress-only-internet-gateway-id": lambda g: g.gateway_id}
        return self.listing(req, "eigw", EgressOnlyInternetGatewayIds, Filters, spec,
                            MaxResults, NextToken, "EgressOnlyInternetGateways", eigw_dict,
                            "egress-only internet gateways")


class NatOperations:
    """NAT gateways, on the simulated clock."""

    def nat_dict(self, nat: NatGateway) -> dict:
        eni = self.network_interfaces.get(nat.eni_id)
        address = self.addresses.get(nat.allocation_id) if nat.allocation_id else None
        status = {"pending": "associating", "deleting": "disassociating"}.get(nat.state,
                                                                            "succeeded")
        entry = {}
        if address is not None:
            entry.update(AllocationId=address.allocation_id, PublicIp=address.public_ip)
        entry.update(NetworkInterfaceId=nat.eni_id, IsPrimary=True, Status=status)
        if eni is not None:
            entry["PrivateIp"] = eni.private_ip
        if address is not None and address.association_id and address.eni_id == nat.eni_id:
            entry["AssociationId"] = address.association_id
        out = {"CreateTime": aws_datetime(nat.created), "NatGatewayAddresses": [entry],
               "NatGatewayId": nat.nat_id, "State": nat.state, "SubnetId": nat.subnet_id,
               "VpcId": nat.vpc_id, "ConnectivityType": nat.connectivity}
        if nat.deleted is not None:
            out["DeleteTime"] = aws_datetime(nat.deleted)
        return with_tags(out, nat.tags)

    @operation
    def create_nat_gateway(self, req, SubnetId=None, AllocationId=None, ConnectivityType="public",
                           PrivateIpAddress=None, TagSpecifications=None, ClientToken=None,
                           AvailabilityMode=None, VpcId=None, AvailabilityZoneAddresses=None,
                           SecondaryAllocationIds=None, SecondaryPrivateIpAddresses=None,
                           SecondaryPrivateIpAddressCount=None, **_):
        self.begin(req, self.arn_for(req, "natgateway"))
        if AvailabilityMode == "regional" or VpcId or AvailabilityZoneAddresses or \
                SecondaryAllocationIds or SecondaryPrivateIpAddresses or \
                SecondaryPrivateIpAddressCount:
            raise not_implemented("regional NAT gateways and secondary NAT addresses")
        if SubnetId is None:
            raise missing("SubnetId")
        subnet = self.get(req, "subnet", SubnetId)
        address = None
        if ConnectivityType == "public":
            if AllocationId is None:
                raise missing("AllocationId")
            address = self.get(req, "eipalloc", AllocationId)
            if address.association_id is not None:
                raise fail("Resource.AlreadyAssociated", f"Elastic IP address [{AllocationId}] "
                                                         "is already associated")
        elif AllocationId is not None:
            raise fail("InvalidParameterCombination", "A private NAT gateway cannot have an "
                                                      "Elastic IP address.")
        tags = tag_specifications(TagSpecifications, "natgateway")
        active = [n for n in self.nat_gateways.values() if n.account == req.account
                  and n.state != "deleted" and self.subnets.get(n.subnet_id) is not None
                  and self.subnets[n.subnet_id].az == subnet.az]
        if len(active) >= m.NAT_GATEWAYS_PER_AZ:
            raise fail("NatGatewayLimitExceeded",
                       "The maximum number of NAT gateways has been reached.")
        nat_id = self.new_id("nat")
        eni = self.build_eni(subnet, PrivateIpAddress, [], f"Interface for NAT Gateway {nat_id}",
                             interface_type="nat_gateway", requester_managed=True)
        nat = NatGateway(nat_id, req.account, req.region, subnet.vpc_id, SubnetId,
                         ConnectivityType, eni.eni_id, self.cloud.clock.elapsed,
                         allocation_id=AllocationId, tags=tags)
        self.nat_gateways[nat_id] = nat
        if address is not None:
            self.associate(address, eni, eni.private_ip)
        self.schedule(m.NAT_PENDING, "nat-available", nat_id)
        via = f"translating to {address.public_ip}" if address else "private"
        req.step("NAT gateway", f"Create {ConnectivityType} NAT gateway {nat_id} in {SubnetId} "
                 f"({subnet.az}) on interface {eni.eni_id} {eni.private_ip}, {via}; pending "
                 f"for about {m.NAT_PENDING:.0f} s", 6.0, nat_gateway=nat_id)
        return {"NatGateway": self.nat_dict(nat)}

    @operation
    def delete_nat_gateway(self, req, NatGatewayId, **_):
        self.begin(req, self.arn_for(req, "natgateway", NatGatewayId))
        nat = self.get(req, "nat", NatGatewayId)
        if nat.state in ("deleting", "deleted"):
            raise not_found("nat", NatGatewayId)
        self.cancel_timers(NatGatewayId)
        nat.state = "deleting"
        self.schedule(m.NAT_DELETING, "nat-deleted", NatGatewayId)
        self.refresh_routes()
        req.step("NAT gateway", f"Delete NAT gateway {NatGatewayId}: deleting; routes to it are "
                 "now blackholes", 3.0, nat_gateway=NatGatewayId)
        return {"NatGatewayId": NatGatewayId}

    @operation
    def describe_nat_gateways(self, req, NatGatewayIds=None, Filter=None, MaxResults=None,
                              NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "nat", NatGatewayIds, Filter, NAT_FILTERS, MaxResults, NextToken,
                            "NatGateways", self.nat_dict, "NAT gateways")

    # -- the clock ------------------------------------------------------------------------------
    def _on_nat_available(self, nat_id: str, when: float) -> str | None:
        nat = self.nat_gateways.get(nat_id)
        if nat is not None and nat.state == "pending":
            nat.state = "available"
            return f"NAT gateway {nat_id} is available"
        return None

    def _on_nat_deleted(self, nat_id: str, when: float) -> str | None:
        nat = self.nat_gateways.get(nat_id)
        if nat is None:
            return None
        nat.state, nat.deleted = "deleted", when
        address = self.elastic_ip_of(nat.eni_id)
        if address is not None:
            self.disassociate(address)
        self.network_interfaces.pop(nat.eni_id, None)
        self.schedule(m.NAT_DELETED_VISIBLE - (self.cloud.clock.elapsed - when), "nat-gone",
                      nat_id)
        return f"NAT gateway {nat_id} is deleted (interface removed, Elastic IP disassociated)"

    def _on_nat_gone(self, nat_id: str, when: float) -> str | None:
        self.nat_gateways.pop(nat_id, None)
        return None
