"""The two filters a walk meets, as hops: an interface's security groups and a subnet's
network ACL (the rules themselves are evaluated in :mod:`awskit.ec2.reachability_hops`).

On a reply walk the security groups are not asked: they are stateful and let the reply of a
connection they allowed through. A group peer of a rule holds the private addresses of the
group's members as the packet shows them: in the same VPC, or across a peering connection in
the same Region (never across a NAT, a transit gateway or an inter-Region peering; the TGW
option that keeps security group references across it is not simulated)
[PEER vpc-peering-basics.md]."""

from __future__ import annotations

from .reachability_hops import (acl_rule_shape, contains, nacl_rule_words, nacl_verdict,
                                proto_words, sg_rule_shape, sg_rule_words, sg_verdict)


class FilterHops:
    """Mixed into Walk: needs ``net``, ``packet``, ``reply``, ``hop``/``block``."""

    def groups(self, eni, egress: bool) -> bool:
        """The interface's security groups, in one direction (stateful on a reply)."""
        groups = [self.net.groups[g] for g in eni.group_ids if g in self.net.groups]
        if not groups:           # NAT gateways and awskit's load balancers have none
            return True
        direction = "outbound" if egress else "inbound"
        names = ", ".join(g.group_id for g in groups)
        if self.reply:
            return self.hop("Security group", names, f"{direction}: the reply of a tracked "
                            "connection is allowed (security groups are stateful)",
                            arn=groups[0].arn)
        found = sg_verdict(groups, egress, self.packet, self.peer_holds(eni, egress))
        if found is not None:
            group, rule = found
            return self.hop("Security group", group.group_id, sg_rule_words(rule),
                            arn=group.arn, SecurityGroupRule=sg_rule_shape(group, rule),
                            SecurityGroup=group)
        empty = all(not any(r.egress == egress for r in g.rules) for g in groups)
        far = self.packet.dst if egress else self.packet.src
        words = f"has no {direction} rules" if empty else (
            f"{direction}: no rule allows {self.packet_words()} "
            f"{'to' if egress else 'from'} {far}")
        return self.block("Security group", names, words,
                          "SG_HAS_NO_RULES" if empty else "ENI_SG_RULES_MISMATCH",
                          arn=groups[0].arn, SecurityGroups=groups)

    def packet_words(self) -> str:
        p = self.packet
        return "icmp echo request" if p.protocol == "icmp" else proto_words(p.protocol, *p.ports)

    def peer_holds(self, eni, egress: bool):
        """``holds(rule, ip)``: whether a rule's peer holds ``ip`` for a rule of ``eni``."""
        def holds(rule, ip: str) -> bool:
            if rule.cidr_ipv4:
                return contains(rule.cidr_ipv4, ip)
            if rule.prefix_list_id:
                return any(contains(c, ip) for c in
                           self.net.prefix_lists.get(rule.prefix_list_id, ()))
            if rule.group_id:
                return self.group_holds(rule.group_id, ip, eni, egress)
            return False                  # an IPv6 rule: awskit's flows are IPv4
        return holds

    def group_holds(self, group_id: str, ip: str, eni, egress: bool) -> bool:
        """A group peer holds the private addresses of its members, seen in the same VPC or
        across a peering connection of the same Region (never across a NAT, a transit gateway
        or an inter-Region peering) [PEER vpc-peering-basics.md]."""
        members = [m for m in self.net.members.get(group_id, ())
                   if ip == m.private_ip or ip in m.secondary_ips]
        if egress:
            return any(self.close(m.vpc_id, eni.vpc_id) for m in members)
        origin = self.packet.origin
        if origin is None or set(self.packet.via) - {"peering"}:
            return False
        return any(m.eni_id == origin and self.close(m.vpc_id, eni.vpc_id) for m in members)

    def close(self, a: str, b: str) -> bool:
        if a == b:
            return True
        return any(p.active and not p.inter_region and set(p.vpc_ids) == {a, b}
                   for p in self.net.link("peering_connections").values())

    def nacl(self, subnet_id: str, egress: bool) -> bool:
        nacl = self.net.nacl_of(subnet_id)
        allowed, entries = nacl_verdict(nacl, egress, self.packet)
        direction = "outbound" if egress else "inbound"
        detail = {"Acl": nacl, "Subnet": subnet_id}
        if entries:
            detail["AclRule"] = acl_rule_shape(entries[0])
        if allowed:
            return self.hop("Network ACL", nacl.nacl_id,
                            "; ".join(nacl_rule_words(e) for e in entries), arn=nacl.arn,
                            **detail)
        words = nacl_rule_words(entries[0]) if entries else f"{direction}: no rule matches"
        if self.reply and self.packet.protocol in ("tcp", "udp"):
            words += (f" (the reply goes to ephemeral ports {self.packet.ports[0]}-"
                      f"{self.packet.ports[1]}: network ACLs are stateless)")
        return self.block("Network ACL", nacl.nacl_id, words, "SUBNET_ACL_RESTRICTION",
                          arn=nacl.arn, **detail)
