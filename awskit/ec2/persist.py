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

The connectivity options add ``ec2-vpc-peering-connection`` (and a ``peered-with`` edge between
the two VPCs), ``ec2-transit-gateway`` (``attached-to`` each attached VPC or VPN connection,
``contains`` its ``ec2-transit-gateway-route-table`` s), ``ec2-vpn-gateway`` (``attached-to``
its VPC, a ``vpn`` edge to each ``ec2-customer-gateway`` it has a connection to),
``ec2-vpn-connection``, ``ec2-client-vpn-endpoint`` (``associated-with`` its subnets),
``ec2-vpc-endpoint`` (in its VPC; ``connects-to`` its endpoint service),
``ec2-vpc-endpoint-service`` (``uses`` its load balancers) and ``elbv2-load-balancer``
(awskit's stand-in; ``forwards-to`` its targets); their interfaces are ``attached-to`` them.
"""

from __future__ import annotations

import copy
import dataclasses

from . import model as m
from . import model_links as ml

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
    # the connectivity options (model_links.py)
    "peering_connections": (ml.PeeringConnection, {}),
    "transit_gateways": (ml.TransitGateway, {}),
    "tgw_attachments": (ml.TgwAttachment, {}),
    "tgw_route_tables": (ml.TgwRouteTable, {"routes": ml.TgwRoute}),
    "vpn_gateways": (ml.VpnGateway, {}),
    "customer_gateways": (ml.CustomerGateway, {}),
    "vpn_connections": (ml.VpnConnection, {"routes": ml.VpnStaticRoute,
                                           "tunnels": ml.VpnTunnel}),
    "client_vpn_endpoints": (ml.ClientVpnEndpoint, {
        "target_networks": ml.ClientVpnTargetNetwork,
        "rules": ml.ClientVpnAuthorizationRule, "routes": ml.ClientVpnRoute}),
    "vpc_endpoints": (ml.VpcEndpoint, {}),
    "endpoint_services": (ml.EndpointService, {}),
    "load_balancers": (ml.LoadBalancer, {}),
}


def dump_ec2(ec2) -> dict:
    data = {name: [dataclasses.asdict(r) for r in getattr(ec2, name).values()]
            for name in _KINDS}
    data.update(dhcp_options=dict(ec2.dhcp_options), initialized=sorted(ec2.initialized),
                timers=[list(t) for t in ec2.timers], timer_seq=ec2.timer_seq,
                public_ips=sorted(ec2.public_ips),
                vgw_propagations={k: list(v) for k, v in ec2.vgw_propagations.items()},
                links_billed_until=ec2.links_billed_until,
                insights_paths=copy.deepcopy(ec2.insights_paths),
                insights_analyses=copy.deepcopy(ec2.insights_analyses))
    return data


def load_ec2(ec2, data: dict) -> None:
    ec2._init_store()
    for name, (cls, nested) in _KINDS.items():
        store = getattr(ec2, name)
        for saved in data.get(name, []):
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
    ec2.vgw_propagations.update({k: list(v) for k, v in data.get("vgw_propagations",
                                                                  {}).items()})
    ec2.links_billed_until = data.get("links_billed_until", 0.0)
    ec2.insights_paths.update(copy.deepcopy(data.get("insights_paths", {})))
    ec2.insights_analyses.update(copy.deepcopy(data.get("insights_analyses", {})))


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
    graph_links(ec2, graph, arns, node)
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


def graph_links(ec2, graph, arns: dict, node) -> None:
    """The connectivity options' nodes and edges (``arns`` maps ids to node keys)."""
    for pcx in ec2.peering_connections.values():
        arns[pcx.pcx_id] = node(pcx, "ec2-vpc-peering-connection", state=pcx.state,
                                inter_region=pcx.inter_region)
        for vpc_id in pcx.vpc_ids:
            _edge(graph, arns, pcx.pcx_id, vpc_id, "connects")
        _edge(graph, arns, pcx.requester_vpc_id, pcx.accepter_vpc_id, "peered-with",
              id=pcx.pcx_id, state=pcx.state)
    for tgw in ec2.transit_gateways.values():
        arns[tgw.tgw_id] = node(tgw, "ec2-transit-gateway", state=tgw.state, asn=tgw.asn)
    for table in ec2.tgw_route_tables.values():
        arns[table.route_table_id] = node(table, "ec2-transit-gateway-route-table",
                                          tgw=table.tgw_id)
        _edge(graph, arns, table.tgw_id, table.route_table_id, "contains")
    for vgw in ec2.vpn_gateways.values():
        arns[vgw.vgw_id] = node(vgw, "ec2-vpn-gateway", state=vgw.state, asn=vgw.asn)
        if vgw.vpc_id:
            _edge(graph, arns, vgw.vgw_id, vgw.vpc_id, "attached-to",
                  state=vgw.attachment_state)
    for cgw in ec2.customer_gateways.values():
        arns[cgw.cgw_id] = node(cgw, "ec2-customer-gateway", ip_address=cgw.ip_address,
                                asn=cgw.bgp_asn, state=cgw.state)
    for vpn in ec2.vpn_connections.values():
        arns[vpn.vpn_id] = node(vpn, "ec2-vpn-connection", state=vpn.state,
                                on_premises=ec2.on_premises_cidrs(vpn),
                                tunnels_up=sum(t.status == "UP" for t in vpn.tunnels))
        gateway = vpn.vgw_id or vpn.tgw_id
        _edge(graph, arns, gateway, vpn.vpn_id, "connects")
        _edge(graph, arns, vpn.vpn_id, vpn.cgw_id, "connects")
        _edge(graph, arns, gateway, vpn.cgw_id, "vpn", id=vpn.vpn_id, state=vpn.state)
    for att in ec2.tgw_attachments.values():
        _edge(graph, arns, att.tgw_id, att.resource_id, "attached-to", id=att.attachment_id,
              state=att.state, route_table=att.association_table_id)
        for eni_id in att.eni_ids:
            _edge(graph, arns, eni_id, att.tgw_id, "attached-to")
    for cvpn in ec2.client_vpn_endpoints.values():
        arns[cvpn.endpoint_id] = node(cvpn, "ec2-client-vpn-endpoint", state=cvpn.state,
                                      client_cidr=cvpn.client_cidr)
        for target in cvpn.target_networks:
            _edge(graph, arns, cvpn.endpoint_id, target.subnet_id, "associated-with",
                  state=target.status)
            _edge(graph, arns, target.eni_id, cvpn.endpoint_id, "attached-to")
    for lb in ec2.load_balancers.values():
        arns[lb.arn] = node(lb, "elbv2-load-balancer", targets=list(lb.targets))
        for eni_id in lb.eni_ids:
            _edge(graph, arns, eni_id, lb.arn, "attached-to")
        for target in lb.targets:
            _edge(graph, arns, lb.arn, target, "forwards-to")
    for svc in ec2.endpoint_services.values():
        arns[svc.service_id] = node(svc, "ec2-vpc-endpoint-service", state=svc.state,
                                    service_name=svc.service_name)
        for lb_arn in svc.nlb_arns:
            _edge(graph, arns, svc.service_id, lb_arn, "uses")
    for ep in ec2.vpc_endpoints.values():
        arns[ep.endpoint_id] = node(ep, "ec2-vpc-endpoint", state=ep.state,
                                    endpoint_type=ep.endpoint_type, service=ep.service_name)
        _edge(graph, arns, ep.vpc_id, ep.endpoint_id, "contains")
        for eni_id in ep.eni_ids:
            _edge(graph, arns, eni_id, ep.endpoint_id, "attached-to")
        if ep.service_id:
            _edge(graph, arns, ep.endpoint_id, ep.service_id, "connects-to", state=ep.state)
