"""Checks of the networking exercises (notebook 05).

Each asks the network itself (``cloud.ec2.reachability``, which reads the configuration as it
is now) rather than looking for particular API calls: any configuration that behaves as asked
passes, whichever way the student built it.
"""

from __future__ import annotations

from .core import Hint, _checked


def _instance(cloud, name: str):
    """The instance tagged ``Name=name`` in the default account (any Region)."""
    ec2 = cloud.ec2
    ec2.sync()
    found = [i for i in ec2.instances.values()
             if i.tags.get("Name") == name and i.state != "terminated"
             and i.account == cloud.default_account]
    if not found:
        raise Hint(f"there is no instance named {name!r}: run the exercise's set-up cell")
    return found[0]


def _components(answer) -> set[str]:
    return {hop.component for hop in answer.hops}


@_checked("outbound only, through NAT")
def check_private_outbound(cloud, name: str = "batch") -> str:
    """The private instance reaches the internet on 443 through a NAT gateway, has no public
    address, and the internet cannot reach it."""
    instance = _instance(cloud, name)
    out = cloud.ec2.reachability(instance.instance_id, "internet", "tcp", 443)
    if not out.reachable:
        raise Hint(f"{name} cannot reach the internet yet: {out.blocked_by}")
    if "NAT gateway" not in _components(out):
        raise Hint(f"{name} reaches the internet, but not through a NAT gateway: "
                   f"{' → '.join(h.component for h in out.hops)}")
    for port in (22, 443, 8080):
        inbound = cloud.ec2.reachability("internet", instance.instance_id, "tcp", port)
        if inbound.reachable:
            raise Hint(f"the internet can now reach {name} on port {port}: keep it private "
                       "(no public IP, no route in)")
    return (f"{name} goes out through the NAT gateway and nothing from the internet "
            "comes in")


@_checked("network ACL return traffic")
def check_nacl_return(cloud, name: str = "shop-b", acl_name: str = "strict") -> str:
    """HTTPS from the internet reaches the server and its replies get back, while the
    subnet's custom ACL still stops SSH."""
    instance = _instance(cloud, name)
    answer = cloud.ec2.reachability("internet", instance.instance_id, "tcp", 443)
    if not answer.reachable:
        raise Hint(f"HTTPS to {name} does not work yet: {answer.blocked_by}")
    acl = [h for h in answer.hops if h.component == "Network ACL"]
    acl_ids = {h.resource for h in acl}
    named = {a.nacl_id for a in cloud.ec2.network_acls.values()
             if a.tags.get("Name") == acl_name}
    if not acl_ids & named:
        raise Hint(f"the subnet should still use the {acl_name!r} network ACL: fix its rules "
                   "rather than replacing it")
    ssh = cloud.ec2.reachability("internet", instance.instance_id, "tcp", 22)
    if ssh.reachable or ssh.blocked_by.component != "Network ACL":
        raise Hint(f"the {acl_name!r} ACL should still stop SSH (tcp 22) from the internet: "
                   "allow the replies, not everything")
    return "HTTPS gets in and its replies get out; SSH is still stopped at the network ACL"


@_checked("three VPCs through a transit gateway")
def check_transit_hub(cloud, names=("dev", "test", "prod")) -> str:
    """Every pair of the three VPCs' instances reaches the other on tcp 22 through a transit
    gateway, with no VPC peering between them."""
    instances = [_instance(cloud, name) for name in names]
    vpcs = {i.vpc_id for i in instances}
    peerings = [p for p in getattr(cloud.ec2, "peering_connections", {}).values()
                if p.state == "active" and {p.requester_vpc_id, p.accepter_vpc_id} <= vpcs]
    if peerings:
        raise Hint("peering connections join these VPCs: delete them and use one transit "
                   "gateway instead")
    for a, src in zip(names, instances):
        for b, dst in zip(names, instances):
            if a == b:
                continue
            answer = cloud.ec2.reachability(src.instance_id, dst.instance_id, "tcp", 22)
            if not answer.reachable:
                raise Hint(f"{a} cannot reach {b} yet: {answer.blocked_by}")
            if "Transit gateway" not in _components(answer):
                raise Hint(f"{a} reaches {b}, but not through a transit gateway")
    return "all six directions go through the transit gateway: one hub instead of a mesh"
