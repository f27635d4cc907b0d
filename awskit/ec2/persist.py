"""EC2 state as plain JSON data (``cloud.save``), and EC2's part of ``cloud.graph()``.

Graph: every resource is a node keyed by its ARN (``arn:aws:ec2:<region>:<account>:vpc/vpc-…``)
with ``type`` (``ec2-vpc``, ``ec2-subnet``, ``ec2-route-table``, ``ec2-internet-gateway``,
``ec2-egress-only-internet-gateway``, ``ec2-nat-gateway``, ``ec2-elastic-ip``,
``ec2-security-group``, ``ec2-network-acl``, ``ec2-network-interface``, ``ec2-instance``),
``name`` (the Name tag, else the id), ``id``, ``region``, ``account`` and, for what lives in a
subnet, ``az``. Edges carry a ``relation``: ``contains`` (VPC → subnets, route tables, groups,
ACLs; subnet → interfaces, instances, NAT gateways), ``attached-to`` (gateway → VPC, interface →
instance), ``associated-with`` (route table / ACL → subnet, interface → security group, Elastic
IP → interface), ``routes-to`` (route table → target, with the destinations), ``references``
(security group → a group its rules name).
"""

from __future__ import annotations

import dataclasses

from . import model as m

#: store attribute → (class, {nested list field: class})
_KINDS = {
    "vpcs": (m.Vpc, {"cidrs": m.CidrAssociation}),
    "subnets": (m.Subnet, {}),
    "route_tables": (m.RouteTable, {"routes": m.Route,
                                    "associations": m.RouteTableAssociation}),
    "internet_gateways": (m.InternetGateway, {}),
    "egress_only_gateways": (m.InternetGateway, {}),
    "nat_gateways": (m.NatGateway, {}),
    "addresses": (m.Address, {}),
    "security_groups": (m.SecurityGroup, {"rules": m.SgRule}),
    "network_acls": (m.NetworkAcl, {"entries": m.NaclEntry,
                                    "associations": m.NaclAssociation}),
    "network_interfaces": (m.NetworkInterface, {}),
    "instances": (m.Instance, {}),
}


def dump_ec2(ec2) -> dict:
    data = {name: [dataclasses.asdict(r) for r in getattr(ec2, name).values()]
            for name in _KINDS}
    data.update(dhcp_options=dict(ec2.dhcp_options), initialized=sorted(ec2.initialized),
                timers=[list(t) for t in ec2.timers], timer_seq=ec2.timer_seq,
                public_ips=sorted(ec2.public_ips))
    return data


def load_ec2(ec2, data: dict) -> None:
    ec2._init_store()
    for name, (cls, nested) in _KINDS.items():
        store = getattr(ec2, name)
        for saved in data[name]:
            saved = dict(saved)
            for field, item_cls in nested.items():
                saved[field] = [item_cls(**item) for item in saved[field]]
            resource = cls(**saved)
            store[m.resource_id(resource)] = resource
    ec2.dhcp_options.update(data["dhcp_options"])
    ec2.initialized.update(data["initialized"])
    ec2.timers = [list(t) for t in data["timers"]]
    ec2.timer_seq = data["timer_seq"]
    ec2.public_ips.update(data["public_ips"])


def graph_ec2(ec2, graph) -> None:
    def node(resource, kind: str, **extra):
        rid = m.resource_id(resource)
        graph.add_node(resource.arn, type=kind, id=rid, name=resource.tags.get("Name", rid),
                       region=resource.region, account=resource.account, **extra)
        return resource.arn

    arns = {}
    for vpc in ec2.vpcs.values():
        arns[vpc.vpc_id] = node(vpc, "ec2-vpc", cidrs=[c.cidr for c in vpc.cidrs],
                                is_default=vpc.is_default, state=vpc.state)
        graph.add_edge(f"arn:aws:iam::{vpc.account}:root", vpc.arn, relation="owns")
    for subnet in ec2.subnets.values():
        arns[subnet.subnet_id] = node(subnet, "ec2-subnet", az=subnet.az, cidr=subnet.cidr,
                                      vpc=subnet.vpc_id,
                                      public_ip_on_launch=subnet.map_public_ip_on_launch)
        _edge(graph, arns, subnet.vpc_id, subnet.subnet_id, "contains")
    for gateway in [*ec2.internet_gateways.values(), *ec2.egress_only_gateways.values()]:
        kind = "ec2-egress-only-internet-gateway" if gateway.egress_only \
            else "ec2-internet-gateway"
        arns[gateway.gateway_id] = node(gateway, kind)
        if gateway.vpc_id:
            _edge(graph, arns, gateway.gateway_id, gateway.vpc_id, "attached-to")
    for group in ec2.security_groups.values():
        arns[group.group_id] = node(group, "ec2-security-group", group_name=group.name,
                                    vpc=group.vpc_id)
        _edge(graph, arns, group.vpc_id, group.group_id, "contains")
    for instance in ec2.instances.values():
        arns[instance.instance_id] = node(instance, "ec2-instance", az=instance.az,
                                          state=instance.state, subnet=instance.subnet_id,
                                          instance_type=instance.instance_type)
        _edge(graph, arns, instance.subnet_id, instance.instance_id, "contains")
    for eni in ec2.network_interfaces.values():
        arns[eni.eni_id] = node(eni, "ec2-network-interface", az=eni.az,
                                private_ip=eni.private_ip, public_ip=ec2.public_ip_of(eni),
                                interface_type=eni.interface_type)
        _edge(graph, arns, eni.subnet_id, eni.eni_id, "contains")
        if eni.attachment:
            _edge(graph, arns, eni.eni_id, eni.attachment["instance_id"], "attached-to")
        for group_id in eni.group_ids:
            _edge(graph, arns, eni.eni_id, group_id, "associated-with")
    for nat in ec2.nat_gateways.values():
        arns[nat.nat_id] = node(nat, "ec2-nat-gateway", state=nat.state,
                                az=ec2.subnets[nat.subnet_id].az
                                if nat.subnet_id in ec2.subnets else None,
                                connectivity=nat.connectivity)
        _edge(graph, arns, nat.subnet_id, nat.nat_id, "contains")
        _edge(graph, arns, nat.eni_id, nat.nat_id, "attached-to")
    for address in ec2.addresses.values():
        arns[address.allocation_id] = node(address, "ec2-elastic-ip",
                                           public_ip=address.public_ip)
        if address.eni_id:
            _edge(graph, arns, address.allocation_id, address.eni_id, "associated-with")
    for nacl in ec2.network_acls.values():
        arns[nacl.nacl_id] = node(nacl, "ec2-network-acl", is_default=nacl.is_default)
        _edge(graph, arns, nacl.vpc_id, nacl.nacl_id, "contains")
        for assoc in nacl.associations:
            _edge(graph, arns, nacl.nacl_id, assoc.subnet_id, "associated-with")
    for table in ec2.route_tables.values():
        arns[table.route_table_id] = node(table, "ec2-route-table", main=table.main)
        _edge(graph, arns, table.vpc_id, table.route_table_id, "contains")
        explicit = {a.subnet_id for t in ec2.route_tables.values() for a in t.associations
                    if a.subnet_id}
        for subnet in ec2.subnets.values():
            mine = any(a.subnet_id == subnet.subnet_id for a in table.associations)
            implicit = table.main and subnet.vpc_id == table.vpc_id and \
                subnet.subnet_id not in explicit
            if mine or implicit:
                _edge(graph, arns, table.route_table_id, subnet.subnet_id, "associated-with",
                      main=implicit)
        for route in table.routes:
            target = table.vpc_id if route.target_type == "local" else route.target_id
            if target in arns:
                key = (arns[table.route_table_id], arns[target])
                destinations = graph.edges[key]["destinations"] if graph.has_edge(*key) and \
                    graph.edges[key].get("relation") == "routes-to" else []
                graph.add_edge(*key, relation="routes-to",
                               destinations=[*destinations, route.destination],
                               state=route.state)
    for group in ec2.security_groups.values():
        for rule in group.rules:
            if rule.group_id and rule.group_id != group.group_id:
                _edge(graph, arns, group.group_id, rule.group_id, "references")


def _edge(graph, arns: dict, source: str, target: str, relation: str, **extra) -> None:
    if source in arns and target in arns:
        graph.add_edge(arns[source], arns[target], relation=relation, **extra)
