"""The connectivity options in the network drawing, read from the EC2 model
(:mod:`awskit.ec2.model_links`; absent stores are simply empty).

- a **transit gateway** is a hub in its Region, joined to each attached VPC by an edge (its
  attachment); a VPN attached to it runs from it to the customer gateway;
- a **virtual private gateway** sits on its VPC; its **Site-to-Site VPN** connections are edges
  to the **customer gateways** in the on-premises network, saying how many of the two tunnels
  are up (dashed while none is);
- a **VPC peering** is an edge between the two VPCs (dashed until active);
- a **Client VPN endpoint** sits in its Region, remote users reach it over TLS, and it reaches
  into each associated subnet (its target networks);
- a **gateway endpoint** sits on its VPC, an edge to S3 or DynamoDB; an **interface endpoint**
  has a node in each of its subnets (with its ENI's address), an edge to the AWS service or,
  for PrivateLink, to the provider's **endpoint service**, whose load balancer reaches its
  targets.

Ended resources (deleted, rejected, expired, failed) are not drawn.
"""

from __future__ import annotations

from . import style

ENDED = {"deleted", "deleting", "rejected", "expired", "failed", "disassociated",
         "Deleted", "Deleting", "Rejected", "Expired", "Failed"}
USERS = "client-vpn-users"
SERVICE_NAMES = {"s3": "Amazon S3", "dynamodb": "Amazon DynamoDB", "sqs": "Amazon SQS",
                 "sns": "Amazon SNS", "lambda": "AWS Lambda", "ec2": "Amazon EC2 API",
                 "logs": "CloudWatch Logs", "sts": "AWS STS", "kms": "AWS KMS"}


def stores(cloud) -> dict:
    """The connectivity stores of ``cloud.ec2`` by name (empty dicts where none exist)."""
    ec2 = cloud._services.get("ec2")
    names = ("transit_gateways", "tgw_attachments", "vpn_gateways", "customer_gateways",
             "vpn_connections", "peering_connections", "client_vpn_endpoints",
             "vpc_endpoints", "endpoint_services", "load_balancers")
    return {n: dict(getattr(ec2, n, None) or {}) for n in names}


def gather_links(drawing) -> None:
    """Place the connectivity resources and their edges (see the module docstring)."""
    net = drawing.net
    links = stores(net.cloud)
    live = {n: sorted((r for r in items.values() if getattr(r, "state", "") not in ENDED),
                      key=lambda r: r.arn) for n, items in links.items()}
    for r in [r for items in live.values() for r in items if hasattr(r, "tags")]:
        rid = _rid(r)
        if not rid.startswith("arn:"):
            net.by_id[rid] = r.arn
    for tgw in live["transit_gateways"]:
        drawing.put(tgw.arn, ("region", tgw.region), _label(tgw, "Transit gateway", tgw.tgw_id,
                                                             f"ASN {tgw.asn}", tgw.state),
                    kind="ec2-transit-gateway")
    ec2 = net.cloud._services.get("ec2")
    for table in (getattr(ec2, "tgw_route_tables", None) or {}).values():
        drawing.alias[table.route_table_id] = net.by_id.get(table.tgw_id, "")
    for att in live["tgw_attachments"]:
        drawing.own(att.eni_ids, net.by_id.get(att.tgw_id))
        drawing.alias[att.attachment_id] = net.by_id.get(att.tgw_id, "")
        vpc = drawing.expand(net.by_id.get(att.resource_id))
        if att.resource_type == "vpc" and vpc and att.tgw_id in net.by_id:
            drawing.edge(net.by_id[att.tgw_id], f"{vpc}#anchor", dir="both", penwidth="1.6",
                         lhead=drawing.cluster(vpc), label=_state(f"attachment\\n"
                                                                 f"{att.attachment_id}", att),
                         color=style.CATEGORIES["networking"][0])
    for vgw in live["vpn_gateways"]:
        vpc = net.by_id.get(vgw.vpc_id) if vgw.vpc_id else None
        if vgw.attachment_state == "attached":
            drawing.expand(vpc)
        place = ("vpc", vpc) if vpc and vgw.attachment_state == "attached" else \
            ("region", vgw.region)
        detached = "" if place[0] == "vpc" else f", {vgw.attachment_state}"
        drawing.put(vgw.arn, place, _label(vgw, f"Virtual private gateway{detached}",
                                           vgw.vgw_id, f"ASN {vgw.asn}", vgw.state),
                    kind="ec2-vpn-gateway")
    for cgw in live["customer_gateways"]:
        behind = sorted({c for vpn in live["vpn_connections"] if vpn.cgw_id == cgw.cgw_id
                         for c in _on_premises(ec2, vpn)} or set(cgw.advertised_cidrs))
        networks = f"networks {', '.join(behind)}" if behind else ""
        drawing.put(cgw.arn, ("on-premises",), _label(
            cgw, "Customer gateway", cgw.cgw_id, f"device {cgw.ip_address} · ASN {cgw.bgp_asn}",
            cgw.state, networks), kind="ec2-customer-gateway")
    for vpn in live["vpn_connections"]:
        drawing.alias[vpn.vpn_id] = net.by_id.get(vpn.cgw_id, "")
        aws_end = net.by_id.get(vpn.vgw_id or vpn.tgw_id or "")
        if aws_end and vpn.cgw_id in net.by_id:
            up = sum(t.status == "UP" for t in vpn.tunnels)
            drawing.edge(aws_end, net.by_id[vpn.cgw_id], dir="both", penwidth="1.6",
                         label=_state(f"Site-to-Site VPN {vpn.vpn_id}\\n{up} of "
                                      f"{len(vpn.tunnels)} tunnels UP", vpn),
                         style="solid" if vpn.up else "dashed",
                         color=style.CATEGORIES["networking"][0])
    for pcx in live["peering_connections"]:
        ends = [drawing.expand(net.by_id.get(v)) for v in pcx.vpc_ids]
        if None not in ends:
            where = " (inter-Region)" if pcx.inter_region else ""
            drawing.edge(f"{ends[0]}#anchor", f"{ends[1]}#anchor", dir="both",
                         ltail=drawing.cluster(ends[0]), lhead=drawing.cluster(ends[1]),
                         label=_state(f"VPC peering{where}\\n{pcx.pcx_id}", pcx,
                                      good="active"),
                         style="bold" if pcx.active else "dashed", constraint="false",
                         color=style.CATEGORIES["networking"][0])
    _client_vpn(drawing, live["client_vpn_endpoints"])
    _endpoints(drawing, live)
    for name in ("transit_gateways", "vpn_gateways", "customer_gateways", "vpn_connections",
                 "peering_connections", "client_vpn_endpoints", "vpc_endpoints"):
        if live[name]:
            drawing.counts[_TYPES[name]] = len(live[name])


_TYPES = {"transit_gateways": "ec2-transit-gateway", "vpn_gateways": "ec2-vpn-gateway",
          "customer_gateways": "ec2-customer-gateway", "vpn_connections": "ec2-vpn-connection",
          "peering_connections": "ec2-vpc-peering-connection",
          "client_vpn_endpoints": "ec2-client-vpn-endpoint", "vpc_endpoints": "ec2-vpc-endpoint"}


def _client_vpn(drawing, endpoints: list) -> None:
    net = drawing.net
    for cvpn in endpoints:
        drawing.put(cvpn.arn, ("region", cvpn.region), _label(
            cvpn, "Client VPN endpoint", cvpn.endpoint_id, f"clients {cvpn.client_cidr}",
            cvpn.state), kind="ec2-client-vpn-endpoint")
        if USERS not in drawing.labels:
            drawing.put(USERS, ("outside",), "Remote users\\n(Client VPN: OpenVPN over TLS)",
                        kind="internet")
        drawing.edge(USERS, cvpn.arn, label="TLS VPN", dir="both")
        for target in cvpn.target_networks:
            drawing.own([target.eni_id], cvpn.arn)
            subnet = net.by_id.get(target.subnet_id)
            drawing.expand(net.vpc_of(subnet) if subnet else None)
            if subnet and target.status not in ENDED:
                drawing.edge(cvpn.arn, f"{subnet}#anchor", lhead=drawing.cluster(subnet),
                             label=_state("target network", target, good="associated"),
                             style="dashed", color=style.CATEGORIES["networking"][0])


def _endpoints(drawing, live: dict) -> None:
    net = drawing.net
    for service in live["endpoint_services"]:
        balancers = [b for b in live["load_balancers"] if b.arn in service.nlb_arns]
        subnets = [net.by_id.get(s) for b in balancers for s in b.subnet_ids]
        vpc = drawing.expand(next((net.vpc_of(s) for s in subnets if s), None))
        place = ("vpc", vpc) if vpc else ("region", service.region)
        drawing.put(service.arn, place, _label(
            service, "PrivateLink endpoint service", service.service_id, service.service_name,
            service.state, "behind a Network Load Balancer"), kind="ec2-vpc-endpoint-service")
        for balancer in balancers:
            drawing.own(balancer.eni_ids, service.arn)
            drawing.alias[balancer.arn] = service.arn
            for target in balancer.targets:
                if target in net.by_id:
                    drawing.edge(service.arn, net.by_id[target], label="NLB target",
                                 style="dashed")
    for vpce in live["vpc_endpoints"]:
        short = vpce.service_name.rsplit(".", 1)[-1]
        vpc = drawing.expand(net.by_id.get(vpce.vpc_id))
        if vpce.endpoint_type == "Gateway":
            if not vpc:
                continue
            drawing.put(vpce.arn, ("vpc", vpc), _label(
                vpce, "Gateway endpoint", vpce.endpoint_id, f"{SERVICE_NAMES.get(short, short)} "
                f"({vpce.prefix_list_id or vpce.service_name})", vpce.state),
                kind="ec2-vpc-endpoint")
            drawing.edge(vpce.arn, _service(drawing, vpce.region, short), label="to the service",
                         constraint="false")
            continue
        target = net.by_id.get(vpce.service_id) if vpce.service_id else None
        enis = {net.data[k].get("subnet_id") or _subnet_id(net, k): k
                for k in (net.by_id.get(e) for e in vpce.eni_ids) if k in net.data}
        for i, subnet_id in enumerate(vpce.subnet_ids):
            subnet = net.by_id.get(subnet_id)
            if subnet is None:
                continue
            key = vpce.arn if i == 0 else f"{vpce.arn}@{subnet_id}"
            eni = enis.get(subnet_id)
            ip = net.data[eni].get("private_ip", "") if eni else ""
            drawing.put(key, ("subnet", subnet), _label(
                vpce, "Interface endpoint", vpce.endpoint_id, vpce.service_name, vpce.state, ip),
                kind="ec2-vpc-endpoint")
            drawing.ids[key] = vpce.endpoint_id if i == 0 else f"{vpce.endpoint_id}@{subnet_id}"
            if eni:
                drawing.own([net.aws_id(eni)], key)
            if target is not None:
                drawing.edge(key, target, label="PrivateLink")
            elif not vpce.service_id:
                drawing.edge(key, _service(drawing, vpce.region, short), label="to the service",
                         constraint="false")


def _service(drawing, region: str, short: str) -> str:
    """The node of an AWS service reached through an endpoint (S3's sits with the buckets)."""
    key = f"service:{region}:{short}"
    if key not in drawing.labels:
        place = ("s3", region) if short == "s3" else ("region", region)
        drawing.put(key, place, f"{SERVICE_NAMES.get(short, short)}\\n(regional service "
                    "endpoint)", kind="s3-bucket" if short == "s3" else "aws-service")
    return key


def _subnet_id(net, eni_key: str) -> str:
    """The subnet id of an interface's graph node."""
    subnet = net.subnet_of(eni_key)
    return net.aws_id(subnet) if subnet else ""


def _on_premises(ec2, vpn) -> list[str]:
    if hasattr(ec2, "on_premises_cidrs"):
        return list(ec2.on_premises_cidrs(vpn))
    return [r.cidr for r in vpn.routes if r.state == "available"]


def _rid(resource) -> str:
    from ..ec2.model import resource_id
    try:
        return resource_id(resource)
    except KeyError:
        return resource.arn


def _label(resource, what: str, rid: str, *lines: str) -> str:
    """``hub (Transit gateway)`` / its id / more lines; a state shows unless it is the usual
    ``available``/``Available``."""
    from .network import head
    name = getattr(resource, "tags", {}).get("Name", "")
    shown = [line for line in lines if line and line.lower() != "available"]
    return "\\n".join([head(name, what), rid, *shown])


def _state(text: str, resource, good: str = "available") -> str:
    state = getattr(resource, "state", None) or getattr(resource, "status", None)
    return text if state in (None, good) else f"{text} ({state})"
