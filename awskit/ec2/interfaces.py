"""Network interfaces: Create/Delete/Describe/Attach/DetachNetworkInterface.

An interface lives in one subnet (so one AZ), takes a private IPv4 from it (the one asked for,
else the lowest free: AWS picks at random) and up to 5 security groups of its VPC (the default
group when none is given) [VPCUG amazon-vpc-limits.md]. It can be attached to an instance of the
same AZ at a free device index; the primary interface (index 0) cannot be detached, nor an
attached or service-managed (NAT gateway) interface deleted (``InvalidNetworkInterface.InUse``).
Deleting one disassociates its Elastic IP and turns routes to it into blackholes.

Simplified: no IPv6 addresses or prefixes, no EFA/trunk interface types (NotImplemented).
"""

from __future__ import annotations

from ..clock import aws_datetime
from ..service import operation
from . import model as m
from .codes import fail, not_implemented
from .filters import tag_specifications, with_tags
from .model import NetworkInterface

ENI_FILTERS = {
    "addresses.private-ip-address": lambda e: [e.private_ip, *e.secondary_ips],
    "attachment.attachment-id": lambda e: (e.attachment or {}).get("attachment_id"),
    "attachment.instance-id": lambda e: (e.attachment or {}).get("instance_id"),
    "attachment.status": lambda e: "attached" if e.attachment else None,
    "availability-zone": lambda e: e.az,
    "description": lambda e: e.description,
    "group-id": lambda e: e.group_ids,
    "interface-type": lambda e: e.interface_type,
    "mac-address": lambda e: e.mac,
    "network-interface-id": lambda e: e.eni_id,
    "owner-id": lambda e: e.account,
    "private-ip-address": lambda e: [e.private_ip, *e.secondary_ips],
    "requester-managed": lambda e: e.requester_managed,
    "status": lambda e: e.status,
    "subnet-id": lambda e: e.subnet_id,
    "vpc-id": lambda e: e.vpc_id,
}


def private_dns(region: str, ip: str) -> str:
    """``ip-10-0-1-5.ec2.internal`` in us-east-1, ``ip-….<region>.compute.internal`` elsewhere."""
    host = "ip-" + ip.replace(".", "-")
    return f"{host}.ec2.internal" if region == "us-east-1" else \
        f"{host}.{region}.compute.internal"


def public_dns(region: str, ip: str) -> str:
    """``ec2-3-4-5-6.compute-1.amazonaws.com`` in us-east-1, ``….<region>.compute.…`` elsewhere."""
    host = "ec2-" + ip.replace(".", "-")
    return f"{host}.compute-1.amazonaws.com" if region == "us-east-1" else \
        f"{host}.{region}.compute.amazonaws.com"


class InterfaceOperations:
    """Create/Delete/Describe/Attach/DetachNetworkInterface."""

    def build_eni(self, subnet: m.Subnet, private_ip, group_ids, description: str = "", *,
                  interface_type: str = "interface", requester_managed: bool = False,
                  secondary: int = 0) -> NetworkInterface:
        ip = self.allocate_ip(subnet, private_ip)
        extra = []
        for _ in range(secondary):
            extra.append(self.allocate_ip(subnet, taken=[ip, *extra]))
        eni = NetworkInterface(self.new_id("eni"), subnet.account, subnet.region,
                               subnet.subnet_id, subnet.vpc_id, subnet.az, ip, self.new_mac(),
                               list(group_ids), extra, description, interface_type,
                               requester_managed)
        self.network_interfaces[eni.eni_id] = eni
        return eni

    def eni_dict(self, eni: NetworkInterface, instance_view: bool = False) -> dict:
        vpc = self.vpcs.get(eni.vpc_id)
        public = self.public_ip_of(eni)
        association = None
        if public:
            address = self.elastic_ip_of(eni.eni_id, eni.private_ip)
            association = {"IpOwnerId": eni.account if address else "amazon",
                           "PublicDnsName": public_dns(eni.region, public)
                           if vpc is not None and vpc.enable_dns_hostnames else "",
                           "PublicIp": public}
            if address is not None and not instance_view:
                association.update(AllocationId=address.allocation_id,
                                   AssociationId=address.association_id)
        groups = [{"GroupId": g, "GroupName": self.security_groups[g].name}
                  for g in eni.group_ids if g in self.security_groups]
        ips = []
        for ip in (eni.private_ip, *eni.secondary_ips):
            item = {"Primary": ip == eni.private_ip, "PrivateIpAddress": ip,
                    "PrivateDnsName": private_dns(eni.region, ip)}
            if ip == eni.private_ip and association:
                item["Association"] = dict(association)
            ips.append(item)
        out = {}
        if association:
            out["Association"] = association
        if eni.attachment:
            a = eni.attachment
            out["Attachment"] = {"AttachTime": aws_datetime(a["attach_time"]),
                                 "AttachmentId": a["attachment_id"],
                                 "DeleteOnTermination": a["delete_on_termination"],
                                 "DeviceIndex": a["device_index"], "NetworkCardIndex": 0,
                                 "Status": "attached"}
            if not instance_view:
                out["Attachment"].update(InstanceId=a["instance_id"],
                                         InstanceOwnerId=eni.account)
        if not instance_view:
            out["AvailabilityZone"] = eni.az
        out.update(Description=eni.description, Groups=groups,
                   InterfaceType=eni.interface_type, Ipv6Addresses=[], MacAddress=eni.mac,
                   NetworkInterfaceId=eni.eni_id, OwnerId=eni.account,
                   PrivateDnsName=private_dns(eni.region, eni.private_ip),
                   PrivateIpAddress=eni.private_ip, PrivateIpAddresses=ips)
        if not instance_view:
            out["RequesterManaged"] = eni.requester_managed
        out.update(SourceDestCheck=eni.source_dest_check, Status=eni.status,
                   SubnetId=eni.subnet_id, VpcId=eni.vpc_id)
        if not instance_view:
            with_tags(out, eni.tags, key="TagSet", always=True)
        return out

    @operation
    def create_network_interface(self, req, SubnetId, Description="", PrivateIpAddress=None,
                                 Groups=None, SecondaryPrivateIpAddressCount=None,
                                 TagSpecifications=None, **params):
        self.begin(req, self.arn_for(req, "network-interface"))
        unsupported = [k for k in ("PrivateIpAddresses", "Ipv6Addresses", "Ipv6AddressCount",
                                   "Ipv4Prefixes", "Ipv4PrefixCount", "Ipv6Prefixes",
                                   "Ipv6PrefixCount", "InterfaceType", "EnablePrimaryIpv6")
                       if params.get(k)]
        if unsupported:
            raise not_implemented(f"network interfaces with {unsupported[0]}")
        subnet = self.get(req, "subnet", SubnetId)
        groups = self.groups_for(req, subnet.vpc_id, Groups)
        tags = tag_specifications(TagSpecifications, "network-interface")
        count = SecondaryPrivateIpAddressCount or 0
        if count < 0:
            raise fail("InvalidParameterValue", "SecondaryPrivateIpAddressCount must be "
                                                "positive.")
        eni = self.build_eni(subnet, PrivateIpAddress, groups, Description, secondary=count)
        eni.tags = tags
        req.step("EC2 API", f"Create network interface {eni.eni_id} in {SubnetId} with "
                 f"{eni.private_ip}{f' and {count} secondary address(es)' if count else ''}; "
                 f"security groups {', '.join(groups)}", 4.0, eni=eni.eni_id)
        return {"NetworkInterface": self.eni_dict(eni)}

    @operation
    def delete_network_interface(self, req, NetworkInterfaceId, **_):
        self.begin(req, self.arn_for(req, "network-interface", NetworkInterfaceId))
        eni = self.get(req, "eni", NetworkInterfaceId)
        if eni.attachment or eni.requester_managed:
            raise fail("InvalidNetworkInterface.InUse", f"Interface: [{NetworkInterfaceId}] in "
                                                        "use.")
        for address in [a for a in self.addresses.values() if a.eni_id == eni.eni_id]:
            self.disassociate(address)
        del self.network_interfaces[NetworkInterfaceId]
        self.release_public_ip(eni.public_ip)
        self.refresh_routes()
        req.step("EC2 API", f"Delete network interface {NetworkInterfaceId} (frees "
                 f"{eni.private_ip})", 3.0, eni=NetworkInterfaceId)
        return {}

    @operation
    def attach_network_interface(self, req, NetworkInterfaceId, InstanceId, DeviceIndex,
                                 NetworkCardIndex=None, **params):
        self.begin(req, self.arn_for(req, "instance", InstanceId))
        eni = self.get(req, "eni", NetworkInterfaceId)
        instance = self.get(req, "i", InstanceId)
        if NetworkCardIndex not in (None, 0) or params.get("EnaSrdSpecification") or \
                params.get("EnaQueueCount"):
            raise not_implemented("network cards other than 0 and ENA settings")
        if eni.attachment or eni.requester_managed:
            raise fail("InvalidNetworkInterface.InUse", f"Interface: [{NetworkInterfaceId}] in "
                                                        "use.")
        if instance.state not in ("running", "stopped"):
            raise fail("IncorrectInstanceState", f"The instance '{InstanceId}' is not in a "
                                                 "valid state for this operation.")
        if eni.az != instance.az or eni.vpc_id != instance.vpc_id:
            raise fail("InvalidParameterCombination", "The network interface and the instance "
                                                      "must be in the same VPC and "
                                                      "Availability Zone.")
        taken = {self.network_interfaces[e].attachment["device_index"] for e in instance.eni_ids}
        if DeviceIndex in taken:
            raise fail("InvalidParameterValue", f"Instance '{InstanceId}' already has an "
                                                f"interface attached at device index "
                                                f"'{DeviceIndex}'.")
        self.attach(eni, instance, DeviceIndex, delete_on_termination=False)
        self.refresh_routes()
        req.step("EC2 API", f"Attach {NetworkInterfaceId} to {InstanceId} as device "
                 f"{DeviceIndex}", 3.0, eni=NetworkInterfaceId)
        return {"AttachmentId": eni.attachment["attachment_id"], "NetworkCardIndex": 0}

    def attach(self, eni: NetworkInterface, instance, device_index: int,
               delete_on_termination: bool) -> None:
        eni.attachment = {"attachment_id": self.new_id("eni-attach"),
                          "instance_id": instance.instance_id, "device_index": device_index,
                          "attach_time": self.cloud.clock.elapsed,
                          "delete_on_termination": delete_on_termination}
        instance.eni_ids.append(eni.eni_id)

    @operation
    def detach_network_interface(self, req, AttachmentId, Force=None, **_):
        self.begin(req)
        eni = next((e for e in self.mine(req, "eni")
                    if (e.attachment or {}).get("attachment_id") == AttachmentId), None)
        if eni is None:
            raise fail("InvalidAttachmentID.NotFound",
                       f"The attachment ID '{AttachmentId}' does not exist")
        if eni.attachment["device_index"] == 0:
            raise fail("OperationNotPermitted", "The network interface at device index 0 "
                                                "cannot be detached.")
        instance = self.instances[eni.attachment["instance_id"]]
        instance.eni_ids.remove(eni.eni_id)
        eni.attachment = None
        self.refresh_routes()
        req.step("EC2 API", f"Detach {eni.eni_id} from {instance.instance_id}", 3.0,
                 eni=eni.eni_id)
        return {}

    @operation
    def describe_network_interfaces(self, req, NetworkInterfaceIds=None, Filters=None,
                                    MaxResults=None, NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "eni", NetworkInterfaceIds, Filters, ENI_FILTERS, MaxResults,
                            NextToken, "NetworkInterfaces", self.eni_dict, "network interfaces")
