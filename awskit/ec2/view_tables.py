"""What the VPC console shows, read straight from the model (no request, no trace).

Plain functions, no ipywidgets: rows and HTML for :mod:`awskit.ec2.view`. Every reader looks
at one account in one Region (the console's: the cloud's default ones), as the VPC console
does; the resources are those of :mod:`awskit.ec2.model` and :mod:`awskit.ec2.model_links`.
A subnet is public when its route table sends 0.0.0.0/0 (or ::/0) to an internet gateway
with an active route [VPCUG VPC_Internet_Gateway.md].
"""

from __future__ import annotations

from ..widgets import html as H
from . import model as m

#: IP protocol numbers network ACLs store → names
PROTOCOLS = {"-1": "All", "6": "TCP", "17": "UDP", "1": "ICMP", "58": "ICMPv6"}
LINK_STORES = [("peering_connections", "VPC peering"), ("transit_gateways", "Transit gateway"),
               ("tgw_attachments", "TGW attachment"), ("vpn_gateways", "Virtual private gateway"),
               ("customer_gateways", "Customer gateway"), ("vpn_connections", "Site-to-Site VPN"),
               ("client_vpn_endpoints", "Client VPN endpoint"), ("vpc_endpoints", "VPC endpoint"),
               ("endpoint_services", "Endpoint service")]


def plural(n: int, word: str) -> str:
    return f"{n:,} {word if n == 1 else word + 's'}"


def mine(store: dict, account: str, region: str) -> list:
    """The account's resources of one store in the Region, sorted by id."""
    return sorted((r for r in store.values() if r.account == account and r.region == region),
                  key=lambda r: str(m.resource_id(r) if type(r) in m.ID_FIELDS else r.arn))


def name_of(resource) -> str:
    return resource.tags.get("Name", "") if getattr(resource, "tags", None) else ""


def counts(ec2, account: str, region: str) -> dict[str, int]:
    return {word: len(mine(getattr(ec2, store), account, region)) for store, word in (
        ("vpcs", "VPC"), ("subnets", "subnet"), ("route_tables", "route table"),
        ("security_groups", "security group"), ("instances", "instance"))}


def describe(ec2) -> str:
    """``Amazon VPC console (account 123456789012, us-east-1): 2 VPCs, 5 subnets, 3 route
    tables, 4 security groups, 2 instances``."""
    cloud = ec2.cloud
    with cloud.lock:
        found = counts(ec2, cloud.default_account, cloud.default_region)
    return (f"Amazon VPC console (account {cloud.default_account}, {cloud.default_region}): "
            + ", ".join(plural(n, word) for word, n in found.items()))


# -- subnets and routes ----------------------------------------------------------------------
def default_route(table) -> m.Route | None:
    return next((r for r in table.routes if r.destination == "0.0.0.0/0"), None)


def is_public(table) -> bool:
    return any(r.destination in ("0.0.0.0/0", "::/0") and r.target_id.startswith("igw-")
               and r.state == "active" for r in table.routes)


def vpc_rows(ec2, account: str, region: str) -> list[tuple]:
    rows = []
    for vpc in mine(ec2.vpcs, account, region):
        subnets = sum(s.vpc_id == vpc.vpc_id for s in ec2.subnets.values())
        rows.append((name_of(vpc) or "—", vpc.vpc_id, vpc.state,
                     ", ".join(c.cidr for c in vpc.cidrs), "Yes" if vpc.is_default else "No",
                     "Yes" if vpc.enable_dns_hostnames else "No", subnets))
    return rows


def subnet_rows(ec2, account: str, region: str) -> list[tuple]:
    rows = []
    for subnet in mine(ec2.subnets, account, region):
        table = ec2.table_for_subnet(subnet.subnet_id)
        nacl = ec2.nacl_for_subnet(subnet.subnet_id)
        route = default_route(table)
        rows.append((name_of(subnet) or "—", subnet.subnet_id, subnet.vpc_id, subnet.az,
                     subnet.cidr, f"{ec2.available_count(subnet):,}",
                     "Public" if is_public(table) else "Private",
                     table.route_table_id + (" (main)" if table.main else ""),
                     f"{route.target_id}" + ("" if route.state == "active" else " (blackhole)")
                     if route else "—", nacl.nacl_id))
    return rows


def route_rows(ec2, account: str, region: str) -> list[tuple]:
    """One row per route: the table (name, id, VPC, main, subnets) and the route."""
    rows = []
    for table in mine(ec2.route_tables, account, region):
        subnets = sorted(s for s in ec2.subnets if ec2.subnets[s].vpc_id == table.vpc_id
                         and ec2.table_for_subnet(s) is table)
        for route in table.routes:
            state = H.Raw('<span class="awskit-err">blackhole</span>') \
                if route.state != "active" else route.state
            rows.append((name_of(table) or "—", table.route_table_id, table.vpc_id,
                         "Yes" if table.main else "No", ", ".join(subnets) or "—",
                         route.destination, route.target_id, state,
                         "propagated" if route.propagated else
                         ("local" if route.target_type == "local" else "static")))
    return rows


def _ports(protocol: str, low, high) -> str:
    if protocol in ("-1", "All"):
        return "All"
    if protocol.lower() in ("icmp", "1", "icmpv6", "58"):
        return "All" if low in (None, -1) else f"type {low}" + (
            "" if high in (None, -1) else f" code {high}")
    if low is None or (low, high) == (0, 65535):
        return "All"
    return str(low) if low == high else f"{low}-{high}"


def group_rows(ec2, account: str, region: str) -> list[tuple]:
    """One row per security-group rule (a group without rules: one row saying so)."""
    rows = []
    for group in mine(ec2.security_groups, account, region):
        head = (group.group_id, group.name, group.vpc_id)
        if not group.rules:
            rows.append((*head, "—", "—", "—", "no rules: allows nothing", ""))
        for rule in sorted(group.rules, key=lambda r: (not r.egress, r.rule_id)):
            protocol = PROTOCOLS.get(rule.protocol, rule.protocol.upper())
            peer = rule.peer() + (" (its members)" if rule.group_id else "")
            rows.append((*head, "Outbound" if rule.egress else "Inbound", protocol,
                         _ports(rule.protocol, rule.from_port, rule.to_port), peer,
                         rule.description or ""))
    return rows


def nacl_rows(ec2, account: str, region: str) -> list[tuple]:
    """One row per network ACL rule, in evaluation order (inbound first)."""
    rows = []
    for nacl in mine(ec2.network_acls, account, region):
        subnets = ", ".join(sorted(a.subnet_id for a in nacl.associations)) or "—"
        for egress in (False, True):
            for entry in nacl.rules(egress):
                number = "*" if entry.rule_number == m.STAR_RULE else str(entry.rule_number)
                low = entry.icmp_type if entry.protocol in ("1", "58") else entry.port_from
                high = entry.icmp_code if entry.protocol in ("1", "58") else entry.port_to
                action = H.Raw(f'<span class="awskit-{"ok" if entry.action == "allow" else "err"}'
                               f'">{entry.action.upper()}</span>')
                rows.append((nacl.nacl_id, nacl.vpc_id, subnets,
                             "Outbound" if egress else "Inbound", number,
                             PROTOCOLS.get(entry.protocol, entry.protocol),
                             _ports(entry.protocol, low, high),
                             entry.cidr or entry.ipv6_cidr, action))
    return rows


def instance_rows(ec2, account: str, region: str) -> list[tuple]:
    rows = []
    for instance in mine(ec2.instances, account, region):
        enis = [ec2.network_interfaces[e] for e in instance.eni_ids
                if e in ec2.network_interfaces]
        private = ", ".join(e.private_ip for e in enis) or "—"
        public = ", ".join(p for p in (ec2.public_ip_of(e) for e in enis) if p) or "—"
        groups = ", ".join(dict.fromkeys(g for e in enis for g in e.group_ids)) or "—"
        rows.append((name_of(instance) or "—", instance.instance_id, instance.state,
                     instance.instance_type, instance.az, instance.subnet_id, private, public,
                     groups))
    return rows


def link_rows(ec2, account: str, region: str) -> list[tuple]:
    """Peerings, transit gateways, VPNs, Client VPN, endpoints: kind, id, state, what."""
    rows = []
    for store, kind in LINK_STORES:
        items = getattr(ec2, store, None) or {}
        for item in mine(items, account, region):
            rows.append((kind, name_of(item) or "—", m.resource_id(item),
                         getattr(item, "state", "") or "—", _joins(item)))
    return rows


def _joins(item) -> str:
    """What a connection joins, in a few words."""
    if hasattr(item, "requester_vpc_id"):
        return f"{item.requester_vpc_id} ⇄ {item.accepter_vpc_id}"
    if hasattr(item, "resource_type") and hasattr(item, "tgw_id"):
        return f"{item.tgw_id} ⇄ {item.resource_type} {item.resource_id}"
    if hasattr(item, "cgw_id") and hasattr(item, "tunnels"):
        end = item.vgw_id or item.tgw_id or "—"
        up = sum(t.status == "UP" for t in item.tunnels)
        return f"{end} ⇄ {item.cgw_id} ({up} of {len(item.tunnels)} tunnels UP)"
    if hasattr(item, "ip_address"):
        return f"device {item.ip_address}, ASN {item.bgp_asn}"
    if hasattr(item, "attachment_state"):
        return f"{item.vpc_id or 'no VPC'} ({item.attachment_state})"
    if hasattr(item, "client_cidr"):
        return f"clients {item.client_cidr} → {len(item.target_networks)} subnet(s)"
    if hasattr(item, "endpoint_type"):
        return f"{item.endpoint_type} {item.service_name} in {item.vpc_id}"
    if hasattr(item, "service_name"):
        return item.service_name
    if hasattr(item, "asn"):
        return f"ASN {item.asn}"
    return ""


TABLES = [
    ("VPCs", ["Name", "VPC ID", "State", "IPv4 CIDRs", "Default", "DNS hostnames", "Subnets"],
     vpc_rows, (6,), (1,)),
    ("Subnets", ["Name", "Subnet ID", "VPC", "AZ", "IPv4 CIDR", "Free IPs", "Type",
                 "Route table", "0.0.0.0/0 →", "Network ACL"], subnet_rows, (5,), (1, 2, 7, 9)),
    ("Route tables", ["Name", "Route table ID", "VPC", "Main", "Subnets", "Destination",
                      "Target", "State", "Origin"], route_rows, (), (1, 2, 6)),
    ("Security groups", ["Group ID", "Name", "VPC", "Direction", "Protocol", "Ports",
                         "Peer", "Description"], group_rows, (), (0, 2)),
    ("Network ACLs", ["Network ACL", "VPC", "Subnets", "Direction", "Rule #", "Protocol",
                      "Ports", "CIDR", "Action"], nacl_rows, (), (0, 1)),
    ("Instances", ["Name", "Instance ID", "State", "Type", "AZ", "Subnet", "Private IP",
                   "Public IP", "Security groups"], instance_rows, (), (1, 5)),
    ("Connections", ["Kind", "Name", "ID", "State", "Joins"], link_rows, (), (2,)),
]


def table_html(ec2, account: str, region: str, title: str) -> str:
    """One of :data:`TABLES` as HTML."""
    for name, columns, rows_of, numeric, code in TABLES:
        if name == title:
            rows = rows_of(ec2, account, region)
            return H.scroll(H.table(columns, rows, numeric=numeric, code=code,
                                    empty=f"No {name.lower()} in {account}, {region} yet."))
    raise ValueError(f"no table {title!r}")
