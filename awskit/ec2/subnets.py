"""Subnets: create, describe, delete, modify (MapPublicIpOnLaunch).

A subnet lives in exactly one Availability Zone (``AvailabilityZone`` or ``AvailabilityZoneId``;
AWS picks one when neither is given), its CIDR is /16 to /28 and lies inside one of the VPC's
CIDRs (``InvalidSubnet.Range``) and overlaps no other subnet of the VPC
(``InvalidSubnet.Conflict``); it cannot be changed later [VPCUG configure-subnets.md; BC
ec2:CreateSubnet]. Five addresses of every subnet are reserved, so ``AvailableIpAddressCount``
starts at 2^(32-prefix) - 5 and drops as network interfaces take addresses (a stopped instance
keeps its address) [VPCUG subnet-sizing.md]. A new subnet uses the VPC's main route table and
default network ACL until associated with others. At most 200 subnets per VPC
(``SubnetLimitExceeded``). DeleteSubnet refuses while network interfaces (instances, NAT
gateways) remain in it (``DependencyViolation``).

Simplified: IPv4 subnets only (IPv6, Outposts and IPAM are NotImplemented); when no AZ is
given awskit picks one with the seeded id stream.
"""

from __future__ import annotations

from ..service import operation
from . import model as m
from .codes import dependency, fail, invalid_value, missing, not_implemented
from .filters import tag_specifications, with_tags
from .vpcs import parse_cidr

SUBNET_FILTERS = {
    "availability-zone": lambda s: s.az,
    "availability-zone-id": lambda s: s.az_id,
    "cidr-block": lambda s: s.cidr,
    "cidr": lambda s: s.cidr,
    "cidrBlock": lambda s: s.cidr,
    "default-for-az": lambda s: s.default_for_az,
    "defaultForAz": lambda s: s.default_for_az,
    "map-public-ip-on-launch": lambda s: s.map_public_ip_on_launch,
    "owner-id": lambda s: s.account,
    "state": lambda s: s.state,
    "subnet-arn": lambda s: s.arn,
    "subnet-id": lambda s: s.subnet_id,
    "vpc-id": lambda s: s.vpc_id,
}


class SubnetOperations:
    """CreateSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute."""

    def subnet_dict(self, subnet: m.Subnet) -> dict:
        out = {"AvailabilityZoneId": subnet.az_id, "MapCustomerOwnedIpOnLaunch": False,
               "OwnerId": subnet.account, "AssignIpv6AddressOnCreation": False,
               "Ipv6CidrBlockAssociationSet": [], "SubnetArn": subnet.arn, "EnableDns64": False,
               "Ipv6Native": False,
               "PrivateDnsNameOptionsOnLaunch": {"HostnameType": "ip-name",
                                                 "EnableResourceNameDnsARecord": False,
                                                 "EnableResourceNameDnsAAAARecord": False},
               "BlockPublicAccessStates": {"InternetGatewayBlockMode": "off"},
               "SubnetId": subnet.subnet_id, "State": subnet.state, "VpcId": subnet.vpc_id,
               "CidrBlock": subnet.cidr,
               "AvailableIpAddressCount": self.available_count(subnet),
               "AvailabilityZone": subnet.az, "DefaultForAz": subnet.default_for_az,
               "MapPublicIpOnLaunch": subnet.map_public_ip_on_launch}
        return with_tags(out, subnet.tags)

    def pick_zone(self, req, name, zone_id) -> str:
        """The AZ a CreateSubnet names (by name or id), or one picked for it."""
        azs = self.cloud.regions[req.region].azs
        by_id = {m.az_id(req.region, az): az for az in azs}
        if name is not None and name not in azs:
            raise invalid_value("availabilityZone", name, "Subnets can currently only be "
                                f"created in the following availability zones: {', '.join(azs)}.")
        if zone_id is not None and zone_id not in by_id:
            raise invalid_value("availabilityZoneId", zone_id, "Subnets can currently only be "
                                "created in the following availability zones: "
                                f"{', '.join(by_id)}.")
        if name is not None and zone_id is not None and by_id[zone_id] != name:
            raise fail("InvalidParameterCombination", f"The Availability Zone {name} does not "
                                                      f"have the id {zone_id}.")
        if name is None and zone_id is None:
            return self.cloud.ids.stream("ec2:az").choice(azs)
        return name or by_id[zone_id]

    @operation
    def create_subnet(self, req, VpcId, CidrBlock=None, AvailabilityZone=None,
                      AvailabilityZoneId=None, TagSpecifications=None, Ipv6CidrBlock=None,
                      Ipv6Native=None, OutpostArn=None, Ipv4IpamPoolId=None,
                      Ipv6IpamPoolId=None, **_):
        self.begin(req, self.arn_for(req, "subnet"))
        vpc = self.get(req, "vpc", VpcId)
        if Ipv6CidrBlock or Ipv6Native or OutpostArn or Ipv4IpamPoolId or Ipv6IpamPoolId:
            raise not_implemented("IPv6, Outpost and IPAM subnets")
        if CidrBlock is None:
            raise missing("CidrBlock")
        net = parse_cidr(CidrBlock)
        if not 16 <= net.prefixlen <= 28 or not any(net.subnet_of(v) for v in vpc.networks):
            raise fail("InvalidSubnet.Range", f"The CIDR '{CidrBlock}' is invalid.")
        for other in self.subnets.values():
            if other.vpc_id == VpcId and net.overlaps(other.network):
                raise fail("InvalidSubnet.Conflict",
                           f"The CIDR '{CidrBlock}' conflicts with another subnet")
        az = self.pick_zone(req, AvailabilityZone, AvailabilityZoneId)
        tags = tag_specifications(TagSpecifications, "subnet")
        if sum(s.vpc_id == VpcId for s in self.subnets.values()) >= m.SUBNETS_PER_VPC:
            raise fail("SubnetLimitExceeded", "The maximum number of subnets has been reached.")
        subnet = self.build_subnet(vpc, str(net), az, tags=tags)
        req.step("EC2 API", f"Create subnet {subnet.subnet_id} ({net}) in {az} of {VpcId}: "
                 f"{m.usable_count(subnet.cidr)} usable addresses (5 reserved); main route "
                 "table and default network ACL", 5.0, subnet=subnet.subnet_id, az=az)
        return {"Subnet": self.subnet_dict(subnet)}

    @operation
    def describe_subnets(self, req, SubnetIds=None, Filters=None, MaxResults=None,
                         NextToken=None, **_):
        self.begin(req)
        spec = {**SUBNET_FILTERS, "available-ip-address-count": self.available_count}
        return self.listing(req, "subnet", SubnetIds, Filters, spec, MaxResults, NextToken,
                            "Subnets", self.subnet_dict, "subnets")

    @operation
    def delete_subnet(self, req, SubnetId, **_):
        self.begin(req, self.arn_for(req, "subnet", SubnetId))
        subnet = self.get(req, "subnet", SubnetId)
        if any(e.subnet_id == SubnetId for e in self.network_interfaces.values()):
            raise dependency("subnet", SubnetId)
        for table in self.route_tables.values():
            table.associations = [a for a in table.associations if a.subnet_id != SubnetId]
        for nacl in self.network_acls.values():
            nacl.associations = [a for a in nacl.associations if a.subnet_id != SubnetId]
        del self.subnets[SubnetId]
        self.cancel_timers(SubnetId)
        req.step("EC2 API", f"Delete subnet {SubnetId} ({subnet.cidr}) and its route table "
                 "and network ACL associations", 3.0, subnet=SubnetId)
        return {}

    @operation
    def modify_subnet_attribute(self, req, SubnetId, MapPublicIpOnLaunch=None, **params):
        self.begin(req, self.arn_for(req, "subnet", SubnetId))
        subnet = self.get(req, "subnet", SubnetId)
        others = sorted(k for k, v in params.items() if k != "DryRun" and v is not None)
        if others:
            raise not_implemented(f"the subnet attribute {others[0]}")
        if MapPublicIpOnLaunch is None:
            raise missing("MapPublicIpOnLaunch")
        if "Value" not in MapPublicIpOnLaunch:
            raise missing("mapPublicIpOnLaunch.value")
        subnet.map_public_ip_on_launch = bool(MapPublicIpOnLaunch["Value"])
        req.step("EC2 API", f"Set MapPublicIpOnLaunch of {SubnetId} to "
                 f"{str(subnet.map_public_ip_on_launch).lower()}: instances launched here "
                 f"{'get' if subnet.map_public_ip_on_launch else 'do not get'} a public IPv4",
                 2.0, subnet=SubnetId)
        return {}
