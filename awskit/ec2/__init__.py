"""Amazon EC2 networking: VPCs, subnets, route tables, gateways, security groups, network ACLs,
Elastic IPs, network interfaces and enough instances to place them (see ``model.py``)."""

INTERNET = "internet"     # a reachability end: the internet (awskit.ec2.reachability)
