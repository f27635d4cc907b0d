"""The network as a reachability question reads it: ``cloud.ec2``'s resources (see
:mod:`awskit.ec2.model` and :mod:`awskit.ec2.model_links`) plus the indexes a walk needs
(interfaces by address, group members, each subnet's route table and network ACL), built once
per question so that every hop is a dictionary lookup.

The VPC topology (which VPCs are linked by an active peering connection or attached to the same
transit gateway) is a networkx graph, used to explain refusals: peering is not transitive, so
a packet sent to a VPC two peerings away is refused, and the answer names the chain it would
have needed."""

from __future__ import annotations

import ipaddress

from .model import route_for
from .model_links import aws_prefix_lists


class Net:
    """One consistent view of ``ec2`` for the length of a question."""

    def __init__(self, ec2):
        self.ec2 = ec2
        self.vpcs = ec2.vpcs
        self.subnets = ec2.subnets
        self.enis = ec2.network_interfaces
        self.instances = ec2.instances
        self.groups = ec2.security_groups
        self.by_ip: dict[str, list] = {}
        self.members: dict[str, list] = {}
        for eni in self.enis.values():
            for ip in (eni.private_ip, *eni.secondary_ips):
                self.by_ip.setdefault(ip, []).append(eni)
            for group_id in eni.group_ids:
                self.members.setdefault(group_id, []).append(eni)
        self.eip: dict[str, str] = {}                  # eni id → its primary's Elastic IP
        for address in ec2.addresses.values():
            if address.eni_id and address.eni_id in self.enis and \
                    address.private_ip == self.enis[address.eni_id].private_ip:
                self.eip[address.eni_id] = address.public_ip
        self.by_public = {}
        for eni in self.enis.values():
            public = self.public_ip(eni)
            if public:
                self.by_public[public] = eni
        self.tables: dict[str, object] = {}
        for table in ec2.route_tables.values():
            for assoc in table.associations:
                if assoc.subnet_id:
                    self.tables[assoc.subnet_id] = table
        self.main_tables = {t.vpc_id: t for t in ec2.route_tables.values() if t.main}
        self.nacls: dict[str, object] = {}
        for nacl in ec2.network_acls.values():
            for assoc in nacl.associations:
                self.nacls[assoc.subnet_id] = nacl
        self.igw_of = {g.vpc_id: g for g in ec2.internet_gateways.values() if g.vpc_id}
        self.prefix_lists = self._prefix_lists()
        self._topology = None

    def link(self, name: str) -> dict:
        """A store of the connectivity work (``peering_connections``, ...), or {}."""
        return getattr(self.ec2, name, None) or {}

    def _prefix_lists(self) -> dict[str, list[str]]:
        if hasattr(self.ec2, "prefix_list_cidrs"):
            return dict(self.ec2.prefix_list_cidrs())
        out = {}
        for region in {v.region for v in self.vpcs.values()}:
            for pl_id, cidrs in aws_prefix_lists(region).values():
                out[pl_id] = cidrs
        return out

    # -- lookups ----------------------------------------------------------------------------
    def public_ip(self, eni) -> str | None:
        return self.eip.get(eni.eni_id) or eni.public_ip

    def instance_of(self, eni):
        attached = (eni.attachment or {}).get("instance_id")
        return self.instances.get(attached) if attached else None

    def eni_in_vpc(self, vpc_id: str, ip: str):
        return next((e for e in self.by_ip.get(ip, ()) if e.vpc_id == vpc_id), None)

    def table_of(self, subnet_id: str):
        table = self.tables.get(subnet_id)
        return table if table is not None else \
            self.main_tables[self.subnets[subnet_id].vpc_id]

    def nacl_of(self, subnet_id: str):
        return self.nacls[subnet_id]

    def route(self, subnet_id: str, ip: str):
        table = self.table_of(subnet_id)
        return table, route_for(table, ip, self.prefix_lists)

    def in_vpc(self, vpc_id: str, ip: str) -> bool:
        address = ipaddress.ip_address(ip)
        return any(address in net for net in self.vpcs[vpc_id].networks)

    def service_of_address(self, region: str, ip: str) -> str | None:
        """``s3`` / ``dynamodb`` when ``ip`` is in that service's ranges in ``region``."""
        address = ipaddress.ip_address(ip)
        for service, (_, cidrs) in aws_prefix_lists(region).items():
            if any(address in ipaddress.ip_network(c) for c in cidrs):
                return service
        return None

    def on_premises_cidrs(self, vpn) -> list[str]:
        if hasattr(self.ec2, "on_premises_cidrs"):
            return list(self.ec2.on_premises_cidrs(vpn))
        if vpn.static_routes_only:
            return [r.cidr for r in vpn.routes if r.state == "available"]
        cgw = self.link("customer_gateways").get(vpn.cgw_id)
        return list(cgw.advertised_cidrs) if cgw is not None else []

    def transit_routes(self, table_id: str) -> list:
        return list(self.ec2.transit_routes(table_id))

    # -- topology -----------------------------------------------------------------------------
    @property
    def topology(self):
        """An undirected networkx graph of VPCs: an edge per active peering (``pcx``) and
        between every two VPCs attached to one transit gateway (``tgw``)."""
        if self._topology is None:
            import networkx as nx
            graph = nx.Graph()
            graph.add_nodes_from(self.vpcs)
            for pcx in self.link("peering_connections").values():
                if pcx.active:
                    graph.add_edge(*pcx.vpc_ids, pcx=pcx.pcx_id)
            by_tgw: dict[str, list[str]] = {}
            for att in self.link("tgw_attachments").values():
                if att.resource_type == "vpc" and att.state == "available":
                    by_tgw.setdefault(att.tgw_id, []).append(att.resource_id)
            for tgw_id, vpcs in by_tgw.items():
                for i, a in enumerate(vpcs):
                    for b in vpcs[i + 1:]:
                        if not graph.has_edge(a, b):
                            graph.add_edge(a, b, tgw=tgw_id)
            self._topology = graph
        return self._topology

    def peering_chain(self, a: str, b: str) -> list[str] | None:
        """The peering connections a packet from VPC ``a`` would cross to reach VPC ``b`` if
        peering were transitive (None: no chain of peerings links them)."""
        import networkx as nx
        graph = self.topology
        peered = graph.edge_subgraph([(u, v) for u, v, d in graph.edges(data=True) if "pcx" in d])
        if a not in peered or b not in peered:
            return None
        try:
            path = nx.shortest_path(peered, a, b)
        except nx.NetworkXNoPath:
            return None
        return [graph.edges[u, v]["pcx"] for u, v in zip(path, path[1:])]
