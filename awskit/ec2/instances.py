"""Enough instances to place in the network: RunInstances, DescribeInstances, Stop/Start/
TerminateInstances, with states moving on the simulated clock.

RunInstances launches MinCount..MaxCount instances (as many as the subnet has addresses for, at
least MinCount: ``InsufficientFreeAddressesInSubnet``) into ``SubnetId``, or the first
``NetworkInterfaces`` entry's subnet, or a default subnet of the default VPC; each gets a
primary network interface (deleted on termination) with a private IPv4 of the subnet and the
security groups named (the VPC's default group if none), and a public IPv4 when the subnet maps
public IPs on launch or ``AssociatePublicIpAddress`` says so [EC2 User Guide, "Public IPv4
addresses"]. States: ``pending`` → ``running`` (``INSTANCE_BOOT``); StopInstances: ``stopping`` →
``stopped`` (the auto-assigned public IPv4 is released; the private one and Elastic IPs stay;
a start gives a new public IPv4); TerminateInstances: ``shutting-down`` → ``terminated`` (the
interfaces marked DeleteOnTermination are deleted, others detached, Elastic IPs disassociated);
a terminated instance stays listed for about an hour [EC2 User Guide, instance lifecycle;
BC ec2:InstanceState]. A state change that is not possible is ``IncorrectInstanceState``.

Simplified: ``ImageId`` may be any non-empty string (no AMIs are simulated); ``InstanceType``
must be one of the model's types; no EBS volumes (block device mappings are accepted and not
shown), no launch templates, Spot or IPv6 (NotImplemented); no vCPU quota.
"""

from __future__ import annotations

import re

from ..clock import aws_datetime
from ..service import operation
from . import model as m
from .interfaces import private_dns, public_dns
from .codes import fail, missing, not_found, not_implemented
from .filters import check_filters, check_tags, matches, paginate, with_tags
from .model import Instance

_ID = re.compile(r"i-[0-9a-f]{8,17}")
_UNSUPPORTED = ("LaunchTemplate", "Ipv6AddressCount", "Ipv6Addresses", "InstanceMarketOptions",
                "SecondaryInterfaces", "ElasticGpuSpecification",
                "ElasticInferenceAccelerators", "EnablePrimaryIpv6")
_NIC_UNSUPPORTED = ("NetworkInterfaceId", "Ipv6AddressCount", "Ipv6Addresses",
                    "PrivateIpAddresses", "Ipv4Prefixes", "Ipv4PrefixCount", "Ipv6Prefixes",
                    "Ipv6PrefixCount", "InterfaceType", "AssociateCarrierIpAddress")
_USER_SHUTDOWN = ("Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User "
                  "initiated shutdown")


def _state(name: str) -> dict:
    return {"Code": m.STATE_CODES[name], "Name": name}


class InstanceOperations:
    """RunInstances, DescribeInstances, StopInstances, StartInstances, TerminateInstances."""

    def instance_dict(self, instance: Instance) -> dict:
        enis = [self.network_interfaces[e] for e in instance.eni_ids
                if e in self.network_interfaces]
        primary = next((e for e in enis if e.attachment["device_index"] == 0), None)
        vpc = self.vpcs.get(instance.vpc_id)
        public = self.public_ip_of(primary) if primary is not None else None
        hostnames = vpc is not None and vpc.enable_dns_hostnames
        groups = []
        for eni in enis:
            for group_id in eni.group_ids:
                group = self.security_groups.get(group_id)
                if group is not None and {"GroupId": group_id, "GroupName": group.name} \
                        not in groups:
                    groups.append({"GroupId": group_id, "GroupName": group.name})
        out = {"Architecture": "x86_64", "EbsOptimized": False,
               "EnaSupport": True, "Hypervisor": "xen",
               "NetworkInterfaces": [self.eni_dict(e, instance_view=True) for e in enis],
               "SecurityGroups": groups, "SourceDestCheck": True, "VirtualizationType": "hvm",
               "InstanceId": instance.instance_id, "ImageId": instance.image_id,
               "State": _state(instance.state),
               "PrivateDnsName": private_dns(instance.region, primary.private_ip)
               if primary else "",
               "PublicDnsName": public_dns(instance.region, public) if public and hostnames
               else "",
               "StateTransitionReason": instance.transition_reason,
               "AmiLaunchIndex": instance.launch_index, "ProductCodes": [],
               "InstanceType": instance.instance_type,
               "LaunchTime": aws_datetime(instance.launched),
               "Placement": {"AvailabilityZone": instance.az, "GroupName": "",
                             "Tenancy": vpc.tenancy if vpc else "default"},
               "Monitoring": {"State": "disabled"}, "PlatformDetails": "Linux/UNIX",
               "UsageOperation": "RunInstances"}
        if instance.state != "terminated":
            out.update(SubnetId=instance.subnet_id, VpcId=instance.vpc_id)
            if primary is not None:
                out["PrivateIpAddress"] = primary.private_ip
        if public:
            out["PublicIpAddress"] = public
        if instance.key_name:
            out["KeyName"] = instance.key_name
        if instance.state_reason:
            code = instance.state_reason
            message = _USER_SHUTDOWN[1] if code == _USER_SHUTDOWN[0] else code
            out["StateReason"] = {"Code": code, "Message": message}
        return with_tags(out, instance.tags)

    def reservations(self, instances: list[Instance]) -> list[dict]:
        out: dict[str, dict] = {}
        for instance in instances:
            res = out.setdefault(instance.reservation_id, {
                "ReservationId": instance.reservation_id, "OwnerId": instance.account,
                "Groups": [], "Instances": []})
            res["Instances"].append(self.instance_dict(instance))
        return list(out.values())

    # -- RunInstances ---------------------------------------------------------------------------
    def launch_subnet(self, req, subnet_id, placement) -> m.Subnet:
        if subnet_id is not None:
            return self.get(req, "subnet", subnet_id)
        vpc = self.default_vpc(req.account, req.region)
        if vpc is None:
            raise fail("VPCIdNotSpecified", "No default VPC for this user. GroupName is only "
                                            "supported for EC2-Classic and default VPC.")
        defaults = sorted((s for s in self.subnets.values()
                           if s.vpc_id == vpc.vpc_id and s.default_for_az),
                          key=lambda s: s.az)
        zone = (placement or {}).get("AvailabilityZone")
        if zone is not None:
            defaults = [s for s in defaults if s.az == zone]
        if not defaults:
            raise fail("InvalidParameterValue", f"No default subnet for availability zone: "
                                                f"'{zone}'.")
        return self.cloud.ids.stream("ec2:default-subnet").choice(defaults)

    def launch_tags(self, specs) -> tuple[dict, dict]:
        tags = {"instance": {}, "network-interface": {}}
        for spec in specs or ():
            kind = spec.get("ResourceType")
            if kind == "volume":                # volumes are not simulated: nothing to tag
                continue
            if kind not in tags:
                raise fail("InvalidParameterValue", f"'{kind}' is not a valid taggable "
                                                    "resource type for this operation.")
            tags[kind].update(check_tags(spec.get("Tags") or []))
        return tags["instance"], tags["network-interface"]

    @operation
    def run_instances(self, req, MaxCount, MinCount, ImageId=None, InstanceType="m1.small",
                      SubnetId=None, SecurityGroupIds=None, SecurityGroups=None,
                      PrivateIpAddress=None, KeyName=None, TagSpecifications=None,
                      NetworkInterfaces=None, Placement=None, **params):
        self.begin(req, self.arn_for(req, "instance"))
        for name in _UNSUPPORTED:
            if params.get(name):
                raise not_implemented(f"RunInstances with {name}")
        if not ImageId:
            raise missing("ImageId")
        if InstanceType not in req.op.model.input_shape.members["InstanceType"].enum:
            raise fail("InvalidParameterValue", f"Invalid value '{InstanceType}' for "
                                                "InstanceType.")
        if MinCount < 1 or MaxCount < MinCount:
            raise fail("InvalidParameterValue", f"Invalid value: MinCount ({MinCount}) must "
                                                f"be at least 1 and at most MaxCount "
                                                f"({MaxCount}).")
        nic = {}
        if NetworkInterfaces:
            if len(NetworkInterfaces) > 1 or NetworkInterfaces[0].get("DeviceIndex", 0) != 0:
                raise not_implemented("launching with more than one network interface")
            nic = NetworkInterfaces[0]
            for name in _NIC_UNSUPPORTED:
                if nic.get(name):
                    raise not_implemented(f"NetworkInterfaces with {name}")
            if SubnetId or SecurityGroupIds or SecurityGroups or PrivateIpAddress:
                raise fail("InvalidParameterCombination", "Network interfaces and an "
                           "instance-level subnet ID, security groups or private IP address "
                           "may not be specified on the same request")
        subnet = self.launch_subnet(req, nic.get("SubnetId") or SubnetId, Placement)
        zone = (Placement or {}).get("AvailabilityZone")
        if zone is not None and zone != subnet.az:
            raise fail("InvalidParameterValue", f"The subnet {subnet.subnet_id} is in "
                                                f"{subnet.az}, not in {zone}.")
        group_ids = nic.get("Groups") or SecurityGroupIds
        if SecurityGroups:
            names = {g.name: g.group_id for g in self.security_groups.values()
                     if g.vpc_id == subnet.vpc_id}
            missing_names = [n for n in SecurityGroups if n not in names]
            if missing_names:
                raise fail("InvalidGroup.NotFound", f"The security group '{missing_names[0]}' "
                                                    f"does not exist in VPC '{subnet.vpc_id}'")
            group_ids = [*(group_ids or []), *(names[n] for n in SecurityGroups)]
        groups = self.groups_for(req, subnet.vpc_id, group_ids)
        private_ip = nic.get("PrivateIpAddress") or PrivateIpAddress
        if private_ip is not None and MaxCount > 1:
            raise fail("InvalidParameterCombination", "A private IP address can only be "
                                                      "given when launching one instance.")
        instance_tags, eni_tags = self.launch_tags(TagSpecifications)
        if private_ip is not None:
            self.allocate_ip(subnet, private_ip)       # validates it before anything changes
        free = self.available_count(subnet)
        if free < MinCount:
            raise fail("InsufficientFreeAddressesInSubnet", "There are not enough free "
                       f"addresses in subnet '{subnet.subnet_id}' to satisfy the requested "
                       "number of instances.")
        public = nic["AssociatePublicIpAddress"] if "AssociatePublicIpAddress" in nic \
            else subnet.map_public_ip_on_launch
        reservation = self.new_id("r")
        launched = []
        for index in range(min(MaxCount, free)):
            instance = Instance(self.new_id("i"), req.account, req.region, subnet.az,
                                subnet.subnet_id, subnet.vpc_id, ImageId, InstanceType,
                                reservation, self.cloud.clock.elapsed, index, key_name=KeyName,
                                auto_public_ip=public, state_reason="pending",
                                tags=dict(instance_tags))
            eni = self.build_eni(subnet, private_ip, groups, nic.get("Description", ""))
            eni.tags = dict(eni_tags)
            self.attach(eni, instance, 0, delete_on_termination=nic.get("DeleteOnTermination",
                                                                        True))
            if public:
                eni.public_ip = self.new_public_ip()
            self.instances[instance.instance_id] = instance
            self.schedule(m.INSTANCE_BOOT, "instance-running", instance.instance_id)
            launched.append(instance)
            req.step("EC2 API", f"Launch {instance.instance_id} ({InstanceType}, {ImageId}) in "
                     f"{subnet.subnet_id} ({subnet.az}) on {eni.eni_id} {eni.private_ip}"
                     + (f", public {eni.public_ip}" if public else ""), 6.0,
                     instance=instance.instance_id)
        return self.reservations(launched)[0]

    # -- DescribeInstances ----------------------------------------------------------------------
    def instance_filters(self) -> dict:
        def enis(i):
            return [self.network_interfaces[e] for e in i.eni_ids if e in self.network_interfaces]
        return {
            "availability-zone": lambda i: i.az, "image-id": lambda i: i.image_id,
            "instance-id": lambda i: i.instance_id, "instance-type": lambda i: i.instance_type,
            "instance-state-name": lambda i: i.state,
            "instance-state-code": lambda i: m.STATE_CODES[i.state],
            "key-name": lambda i: i.key_name, "owner-id": lambda i: i.account,
            "reservation-id": lambda i: i.reservation_id, "subnet-id": lambda i: i.subnet_id,
            "vpc-id": lambda i: i.vpc_id,
            "private-ip-address": lambda i: [e.private_ip for e in enis(i)],
            "ip-address": lambda i: [p for p in (self.public_ip_of(e) for e in enis(i)) if p],
            "network-interface.network-interface-id": lambda i: list(i.eni_ids),
            "instance.group-id": lambda i: [g for e in enis(i) for g in e.group_ids],
            "instance.group-name": lambda i: [self.security_groups[g].name for e in enis(i)
                                              for g in e.group_ids if g in self.security_groups],
        }

    def instances_named(self, req, ids) -> list[Instance]:
        for instance_id in ids:
            if not isinstance(instance_id, str) or not _ID.fullmatch(instance_id):
                raise fail("InvalidInstanceID.Malformed",
                           f'Invalid id: "{instance_id}" (expecting "i-...")')
        mine = {i.instance_id: i for i in self.mine(req, "i")}
        unknown = [i for i in ids if i not in mine]
        if len(unknown) > 1:
            raise fail("InvalidInstanceID.NotFound",
                       f"The instance IDs '{', '.join(unknown)}' do not exist")
        if unknown:
            raise not_found("i", unknown[0])
        return [mine[i] for i in dict.fromkeys(ids)]

    @operation
    def describe_instances(self, req, InstanceIds=None, Filters=None, MaxResults=None,
                           NextToken=None, **_):
        self.begin(req)
        spec = self.instance_filters()
        check_filters(Filters, spec)
        if InstanceIds and MaxResults is not None:
            raise fail("InvalidParameterCombination", "The parameter instancesSet cannot be "
                                                      "used with the parameter maxResults")
        found = self.instances_named(req, InstanceIds) if InstanceIds else \
            sorted(self.mine(req, "i"), key=lambda i: (i.launched, i.instance_id))
        found = [i for i in found if matches(i, Filters, spec)]
        page, token = paginate(req, found, lambda i: i.instance_id, MaxResults, NextToken)
        req.step("EC2 API", f"Describe instances: {len(page)}", 2.0)
        out = {"Reservations": self.reservations(page)}
        if token:
            out["NextToken"] = token
        return out

    # -- state changes --------------------------------------------------------------------------
    def change_states(self, req, ids, allowed: dict, verb: str, key: str) -> dict:
        """Move each instance per ``allowed`` (state → new state; states that stay as they are
        map to themselves); validate all first."""
        instances = self.instances_named(req, ids)
        for instance in instances:
            if instance.state not in allowed:
                raise fail("IncorrectInstanceState", f"The instance '{instance.instance_id}' is "
                                                     f"not in a state from which it can be "
                                                     f"{verb}.")
        changes = []
        for instance in instances:
            before = instance.state
            after = allowed[before]
            if after != before:
                self.enter(instance, after)
            changes.append({"InstanceId": instance.instance_id, "CurrentState": _state(after),
                            "PreviousState": _state(before)})
            req.step("Instance", f"{instance.instance_id}: {before} → {after}", 2.0,
                     instance=instance.instance_id)
        return {key: changes}

    def enter(self, instance: Instance, state: str) -> None:
        """Start a transition (its end is a timer)."""
        self.cancel_timers(instance.instance_id)
        instance.state = state
        moment = aws_datetime(self.cloud.clock.elapsed)
        if state in ("stopping", "shutting-down"):
            instance.transition_reason = f"User initiated ({moment:%Y-%m-%d %H:%M:%S} GMT)"
            instance.state_reason = _USER_SHUTDOWN[0]
            delay, action = (m.INSTANCE_STOP, "instance-stopped") if state == "stopping" \
                else (m.INSTANCE_SHUTDOWN, "instance-terminated")
            self.schedule(delay, action, instance.instance_id)
        elif state == "pending":
            instance.transition_reason, instance.state_reason = "", "pending"
            primary = self.network_interfaces[instance.eni_ids[0]]
            if instance.auto_public_ip and self.elastic_ip_of(primary.eni_id,
                                                              primary.private_ip) is None:
                primary.public_ip = self.new_public_ip()
            self.schedule(m.INSTANCE_BOOT, "instance-running", instance.instance_id)
        self.refresh_routes()

    @operation
    def stop_instances(self, req, InstanceIds, Hibernate=None, Force=None, **_):
        self.begin(req, self.arn_for(req, "instance", InstanceIds[0] if InstanceIds else "*"))
        return self.change_states(req, InstanceIds, {"running": "stopping", "stopping":
                                                     "stopping", "stopped": "stopped"},
                                  "stopped", "StoppingInstances")

    @operation
    def start_instances(self, req, InstanceIds, AdditionalInfo=None, **_):
        self.begin(req, self.arn_for(req, "instance", InstanceIds[0] if InstanceIds else "*"))
        return self.change_states(req, InstanceIds, {"stopped": "pending", "pending": "pending",
                                                     "running": "running"},
                                  "started", "StartingInstances")

    @operation
    def terminate_instances(self, req, InstanceIds, **_):
        self.begin(req, self.arn_for(req, "instance", InstanceIds[0] if InstanceIds else "*"))
        allowed = {s: "shutting-down" for s in ("pending", "running", "stopping", "stopped")}
        allowed.update({"shutting-down": "shutting-down", "terminated": "terminated"})
        return self.change_states(req, InstanceIds, allowed, "terminated",
                                  "TerminatingInstances")

    # -- the clock ------------------------------------------------------------------------------
    def _on_instance_running(self, instance_id: str, when: float) -> str | None:
        instance = self.instances.get(instance_id)
        if instance is None or instance.state != "pending":
            return None
        instance.state, instance.state_reason = "running", None
        return f"{instance_id} is running"

    def _on_instance_stopped(self, instance_id: str, when: float) -> str | None:
        instance = self.instances.get(instance_id)
        if instance is None or instance.state != "stopping":
            return None
        instance.state = "stopped"
        primary = self.network_interfaces[instance.eni_ids[0]]
        self.release_public_ip(primary.public_ip)
        primary.public_ip = None
        return f"{instance_id} is stopped (its auto-assigned public IPv4 is released)"

    def _on_instance_terminated(self, instance_id: str, when: float) -> str | None:
        instance = self.instances.get(instance_id)
        if instance is None or instance.state != "shutting-down":
            return None
        instance.state = "terminated"
        for eni_id in list(instance.eni_ids):
            eni = self.network_interfaces[eni_id]
            for address in [a for a in self.addresses.values() if a.eni_id == eni_id]:
                self.disassociate(address)
            self.release_public_ip(eni.public_ip)
            eni.public_ip = None
            if eni.attachment["delete_on_termination"]:
                del self.network_interfaces[eni_id]
            else:
                eni.attachment = None
        instance.eni_ids = []
        self.schedule(m.TERMINATED_VISIBLE - (self.cloud.clock.elapsed - when),
                      "instance-gone", instance_id)
        return f"{instance_id} is terminated"

    def _on_instance_gone(self, instance_id: str, when: float) -> str | None:
        self.instances.pop(instance_id, None)
        return None
