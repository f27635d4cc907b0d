"""One look for every awskit diagram: colours and shapes per service category.

Colours follow the categories of AWS's architecture icons (compute orange, storage green,
database purple-pink, networking purple, security red, application integration pink,
management pink-red); a node is a rounded box filled with a light tint of its category's
colour, outlined in the colour itself. Components a trace names ("API service", "Metadata
DB", ...) map to the category of what they are.
"""

from __future__ import annotations

FONT = "Helvetica"

#: category -> (outline colour, fill tint)
CATEGORIES = {
    "compute": ("#ED7100", "#FDF1E6"),
    "storage": ("#7AA116", "#F2F6E8"),
    "database": ("#C925D1", "#FAE9FA"),
    "networking": ("#8C4FFF", "#F3EDFF"),
    "security": ("#DD344C", "#FCEBED"),
    "integration": ("#E7157B", "#FDE8F2"),
    "management": ("#E7157B", "#FDE8F2"),
    "client": ("#232F3E", "#FFFFFF"),
    "general": ("#545B64", "#F2F3F3"),
}

#: trace components (and resource types) -> category
COMPONENT_CATEGORY = {
    "Client": "client",
    "API service": "storage",
    "Data store": "storage",
    "Data routing service": "storage",
    "Placement service": "storage",
    "Metadata DB": "database",
    "IAM": "security",
    "IAM API": "security",
    "STS": "security",
    "STS API": "security",
    "Lifecycle": "management",
    "account": "general",
    "iam-user": "security",
    "iam-group": "security",
    "iam-role": "security",
    "iam-policy": "security",
    "principal": "security",
    "aws-service": "general",
    "s3-bucket": "storage",
    "s3-object": "storage",
    "s3-delete-marker": "storage",
    "s3-data-store": "storage",
    "s3-data-node": "storage",
    # other services' resources
    "lambda-function": "compute",
    "sqs-queue": "integration",
    "log-group": "management",
    # the network: EC2 resources, connectivity, edge services (cloud.graph() types)
    "ec2-instance": "compute",
    "ec2-network-interface": "networking",
    "ec2-vpc": "networking",
    "ec2-subnet": "networking",
    "ec2-route-table": "networking",
    "ec2-internet-gateway": "networking",
    "ec2-egress-only-internet-gateway": "networking",
    "ec2-nat-gateway": "networking",
    "ec2-elastic-ip": "networking",
    "ec2-security-group": "security",
    "ec2-network-acl": "security",
    "cloudfront-distribution": "networking",
    "cloudfront-origin": "general",
    "route53-hosted-zone": "networking",
    "route53-record-set": "networking",
    "route53-health-check": "networking",
    "endpoint": "general",
    "internet": "client",
    "on-premises": "client",
    # the network's trace components
    "EC2 API": "compute",
    "Instance": "compute",
    "VPC router": "networking",
    "Security group": "security",
    "Network ACL": "security",
    "Internet gateway": "networking",
    "NAT gateway": "networking",
    "CloudFront API": "networking",
    "CloudFront edge location": "networking",
    "Regional edge cache": "networking",
    "Origin Shield": "networking",
    "Origin": "general",
    "Route 53 API": "networking",
    "Route 53 control plane": "networking",
    "Route 53 resolver": "networking",
    "Authoritative name server": "networking",
    "Health checkers": "networking",
    "VPC peering": "networking",
    "Transit gateway": "networking",
    "VPN gateway": "networking",
    "Site-to-Site VPN": "networking",
    "VPC endpoint": "networking",
    "Load balancer": "networking",
    "Client VPN endpoint": "networking",
    "Network interface": "networking",
    "Internet": "client",
    "On-premises network": "client",
    "AWS service": "general",
    # Lambda's trace components (its placement service shares S3's name, and colour)
    "Front end": "compute",
    "Counting service": "compute",
    "Assignment service": "compute",
    "Worker host": "compute",
    "Firecracker microVM": "compute",
    "Execution environment": "compute",
    "Journal log": "storage",
    "Component storage": "storage",
    "Function metadata": "database",
    "Event queue": "integration",
    "Poller": "integration",
    "CloudWatch Logs": "management",
    "SQS front end": "integration",
    "Queue": "integration",
}

HIGHLIGHT = "#FF9900"   # the step being shown
MUTED = "#AAB7B8"       # the other steps while one is highlighted
BLOCKED = "#DD344C"     # what stopped a flow (a reachability answer's blocking rule)
BLOCKED_FILL = "#FCEBED"


def category(component: str) -> str:
    """The category of a component or resource type ("Data node dn-3" → storage); the
    networking resources the connectivity work adds (``ec2-transit-gateway``,
    ``ec2-vpn-connection``, ...) are networking by their ``ec2-`` prefix."""
    if component in COMPONENT_CATEGORY:
        return COMPONENT_CATEGORY[component]
    if component.startswith("Data node"):
        return "storage"
    if component.startswith("ec2-"):
        return "networking"
    return "general"


def node_style(component: str, emphasis: bool = False) -> dict[str, str]:
    colour, fill = CATEGORIES[category(component)]
    style = {"shape": "box", "style": "rounded,filled", "color": colour, "fillcolor": fill,
             "fontname": FONT, "fontsize": "11", "penwidth": "1.2"}
    if emphasis:
        style.update({"penwidth": "3", "color": HIGHLIGHT})
    return style


GRAPH_ATTRS = {"fontname": FONT, "fontsize": "12", "rankdir": "LR", "nodesep": "0.4",
               "ranksep": "0.7", "bgcolor": "white", "pad": "0.2"}
EDGE_ATTRS = {"fontname": FONT, "fontsize": "9", "color": "#545B64", "arrowsize": "0.7"}


#: the network's groups, in the colours of AWS's architecture diagrams (VPC purple, public
#: subnet green, private subnet teal, on-premises grey)
NETWORK_CLUSTERS = {
    "vpc": {"style": "rounded", "color": "#8C4FFF", "penwidth": "1.5"},
    "public-subnet": {"style": "rounded,filled", "color": "#7AA116", "fillcolor": "#F2F6E8"},
    "private-subnet": {"style": "rounded,filled", "color": "#00A4A6", "fillcolor": "#E6F6F7"},
    "global": {"style": "rounded", "color": "#8C4FFF"},
    "on-premises": {"style": "rounded,dashed", "color": "#545B64"},
    "service": {"style": "rounded", "color": "#7AA116"},
}


def cluster_style(kind: str) -> dict[str, str]:
    """Clusters: the cloud, a Region, an AZ (dashed), a VPC, a public or private subnet, the
    global edge services, an on-premises network, a group of resources."""
    if kind in NETWORK_CLUSTERS:
        size = "11" if kind in ("vpc", "global", "on-premises") else "10"
        return {**NETWORK_CLUSTERS[kind], "fontname": FONT, "fontsize": size}
    if kind == "cloud":
        return {"style": "rounded", "color": "#232F3E", "fontname": FONT, "fontsize": "12"}
    if kind == "region":
        return {"style": "rounded,dashed", "color": "#00A4A6", "fontname": FONT, "fontsize": "11"}
    if kind == "az":
        return {"style": "dashed", "color": "#147EBA", "fontname": FONT, "fontsize": "10"}
    return {"style": "rounded", "color": "#AAB7B8", "fontname": FONT, "fontsize": "10"}
