"""Elastic IP addresses: AllocateAddress, AssociateAddress, DisassociateAddress,
ReleaseAddress, DescribeAddresses.

An Elastic IP is a public IPv4 allocated to the account (5 per Region:
``AddressLimitExceeded``), associated with one private IPv4 of a network interface (or an
instance's primary interface) in a VPC that has an internet gateway (``Gateway.NotAttached``);
associating it replaces the interface's auto-assigned public IPv4, which is released;
re-associating an associated address needs ``AllowReassociation``
(``Resource.AlreadyAssociated``); an associated address cannot be released
(``InvalidIPAddress.InUse``) [EC2 User Guide, "Elastic IP addresses"; VPCUG
amazon-vpc-limits.md]. When it is disassociated from an instance that had an auto-assigned
public IPv4, the instance gets a new one. A NAT gateway's address changes only with the NAT
gateway.

Simplified: no EC2-Classic, BYOIP or IPAM addresses (NotImplemented).
"""

from __future__ import annotations

from ..service import operation
from . import model as m
from .codes import fail, missing, not_found, not_implemented
from .filters import check_filters, matches, select, tag_specifications, with_tags
from .model import Address, NetworkInterface

ADDRESS_FILTERS = {
    "allocation-id": lambda a: a.allocation_id,
    "association-id": lambda a: a.association_id,
    "domain": lambda a: "vpc",
    "network-interface-id": lambda a: a.eni_id,
    "private-ip-address": lambda a: a.private_ip,
    "public-ip": lambda a: a.public_ip,
}


class AddressOperations:
    """AllocateAddress, AssociateAddress, DisassociateAddress, ReleaseAddress,
    DescribeAddresses."""

    def address_dict(self, address: Address) -> dict:
        out = {"AllocationId": address.allocation_id}
        eni = self.network_interfaces.get(address.eni_id) if address.eni_id else None
        if eni is not None:
            out.update(AssociationId=address.association_id, NetworkInterfaceId=eni.eni_id,
                       NetworkInterfaceOwnerId=eni.account,
                       PrivateIpAddress=address.private_ip)
            instance = (eni.attachment or {}).get("instance_id")
            if instance:
                out["InstanceId"] = instance
        out.update(Domain="vpc", PublicIpv4Pool="amazon", NetworkBorderGroup=address.region,
                   PublicIp=address.public_ip)
        return with_tags(out, address.tags)

    def associate(self, address: Address, eni: NetworkInterface, private_ip: str) -> None:
        """Map ``address`` to ``private_ip`` of ``eni`` (its auto public IPv4 is released)."""
        address.association_id = self.new_id("eipassoc")
        address.eni_id, address.private_ip = eni.eni_id, private_ip
        if private_ip == eni.private_ip and eni.public_ip:
            self.release_public_ip(eni.public_ip)
            eni.public_ip = None

    def disassociate(self, address: Address) -> None:
        """Unmap ``address``; an instance that had an auto-assigned public IPv4 gets a new one."""
        eni = self.network_interfaces.get(address.eni_id)
        address.association_id = address.eni_id = address.private_ip = None
        instance = self.instances.get((eni.attachment or {}).get("instance_id")) if eni else None
        if instance is not None and instance.auto_public_ip and eni.eni_id == \
                instance.eni_ids[0] and instance.state in ("pending", "running"):
            eni.public_ip = self.new_public_ip()

    @operation
    def allocate_address(self, req, Domain=None, Address=None, PublicIpv4Pool=None,
                         NetworkBorderGroup=None, CustomerOwnedIpv4Pool=None,
                         TagSpecifications=None, IpamPoolId=None, **_):
        self.begin(req, self.arn_for(req, "elastic-ip"))
        if Domain == "standard":
            raise not_implemented("EC2-Classic addresses")
        if Address or (PublicIpv4Pool not in (None, "amazon")) or CustomerOwnedIpv4Pool or \
                IpamPoolId:
            raise not_implemented("addresses from your own IP pools")
        if NetworkBorderGroup not in (None, req.region):
            raise fail("InvalidParameterValue", f"Invalid network border group "
                                                f"'{NetworkBorderGroup}'")
        tags = tag_specifications(TagSpecifications, "elastic-ip")
        if len(self.mine(req, "eipalloc")) >= m.ADDRESSES_PER_REGION:
            raise fail("AddressLimitExceeded", "The maximum number of addresses has been "
                                               "reached.")
        address = m.Address(self.new_id("eipalloc"), req.account, req.region,
                          self.new_public_ip(), tags=tags)
        self.addresses[address.allocation_id] = address
        req.step("EC2 API", f"Allocate Elastic IP {address.public_ip} ({address.allocation_id})",
                 3.0, allocation=address.allocation_id)
        return {"AllocationId": address.allocation_id, "PublicIpv4Pool": "amazon",
                "NetworkBorderGroup": req.region, "Domain": "vpc", "PublicIp": address.public_ip}

    @operation
    def associate_address(self, req, AllocationId=None, InstanceId=None, NetworkInterfaceId=None,
                          PrivateIpAddress=None, AllowReassociation=False, PublicIp=None, **_):
        self.begin(req, self.arn_for(req, "elastic-ip", AllocationId or "*"))
        if AllocationId is None:
            raise missing("AllocationId")
        address = self.get(req, "eipalloc", AllocationId)
        if (InstanceId is None) == (NetworkInterfaceId is None):
            raise fail("InvalidParameterCombination", "Specify either an instance ID or a "
                                                      "network interface ID.")
        if InstanceId is not None:
            instance = self.get(req, "i", InstanceId)
            if instance.state not in ("pending", "running", "stopping", "stopped"):
                raise fail("IncorrectInstanceState", f"The instance '{InstanceId}' is not in a "
                                                     "valid state for this operation.")
            eni = self.network_interfaces[instance.eni_ids[0]]
        else:
            eni = self.get(req, "eni", NetworkInterfaceId)
        private_ip = PrivateIpAddress or eni.private_ip
        if private_ip not in (eni.private_ip, *eni.secondary_ips):
            raise fail("InvalidParameterValue", f"The private IP address {private_ip} is not "
                                                f"assigned to interface {eni.eni_id}")
        if not any(g.vpc_id == eni.vpc_id for g in self.internet_gateways.values()):
            raise fail("Gateway.NotAttached", f"Network {eni.vpc_id} is not attached to any "
                                              "internet gateway")
        current = self.elastic_ip_of(eni.eni_id, private_ip)
        if (address.association_id or (current and current is not address)) \
                and not AllowReassociation:
            existing = address.association_id or current.association_id
            raise fail("Resource.AlreadyAssociated", f"resource {AllocationId} is already "
                       f"associated with associate-id {existing}")
        if eni.interface_type == "nat_gateway" or (address.eni_id and self.network_interfaces[
                address.eni_id].interface_type == "nat_gateway"):
            raise fail("InvalidParameterValue", "The Elastic IP address of a NAT gateway "
                                                "cannot be changed.")
        for other in (address, current):
            if other is not None and other.association_id:
                self.disassociate(other)
        self.associate(address, eni, private_ip)
        req.step("Internet gateway", f"Map Elastic IP {address.public_ip} to {private_ip} "
                 f"({eni.eni_id}): the internet gateway translates between them", 3.0,
                 allocation=AllocationId)
        return {"AssociationId": address.association_id}

    @operation
    def disassociate_address(self, req, AssociationId=None, PublicIp=None, **_):
        self.begin(req)
        if AssociationId is None:
            raise missing("AssociationId")
        address = next((a for a in self.mine(req, "eipalloc")
                        if a.association_id == AssociationId), None)
        if address is None:
            raise fail("InvalidAssociationID.NotFound",
                       f"The association ID '{AssociationId}' does not exist")
        if self.network_interfaces[address.eni_id].interface_type == "nat_gateway":
            raise fail("InvalidParameterValue", "The Elastic IP address of a NAT gateway is "
                                                "disassociated by deleting the NAT gateway.")
        self.disassociate(address)
        req.step("Internet gateway", f"Unmap Elastic IP {address.public_ip}", 2.0,
                 allocation=address.allocation_id)
        return {}

    @operation
    def release_address(self, req, AllocationId=None, PublicIp=None, NetworkBorderGroup=None,
                        **_):
        self.begin(req, self.arn_for(req, "elastic-ip", AllocationId or "*"))
        if AllocationId is None:
            raise missing("AllocationId")
        address = self.get(req, "eipalloc", AllocationId)
        if address.association_id is not None:
            raise fail("InvalidIPAddress.InUse", f"Address {AllocationId} is in use.")
        del self.addresses[AllocationId]
        self.release_public_ip(address.public_ip)
        req.step("EC2 API", f"Release Elastic IP {address.public_ip}", 2.0,
                 allocation=AllocationId)
        return {}

    @operation
    def describe_addresses(self, req, PublicIps=None, Filters=None, AllocationIds=None, **_):
        self.begin(req)
        spec = {**ADDRESS_FILTERS,
                "instance-id": lambda a: (self.network_interfaces[a.eni_id].attachment or {})
                .get("instance_id") if a.eni_id else None,
                "network-interface-owner-id": lambda a: a.account if a.eni_id else None,
                "network-border-group": lambda a: a.region}
        check_filters(Filters, spec)
        found = select(self.mine(req, "eipalloc"), AllocationIds, lambda a: a.allocation_id,
                       "eipalloc", not_found)
        if PublicIps:
            by_ip = {a.public_ip: a for a in found}
            for ip in PublicIps:
                if ip not in by_ip:
                    raise fail("InvalidAddress.NotFound", f"Address '{ip}' not found.")
            found = [a for a in found if a.public_ip in PublicIps]
        found = [a for a in found if matches(a, Filters, spec)]
        req.step("EC2 API", f"Describe Elastic IPs: {len(found)}", 2.0)
        return {"Addresses": [self.address_dict(a) for a in found]}
