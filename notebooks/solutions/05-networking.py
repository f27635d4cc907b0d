# Solutions to the exercises of 05-networking.ipynb (checked by tests/test_solutions.py).

# exercise: private-outbound
nat_a = ec2.describe_nat_gateways(Filter=[{"Name": "subnet-id", "Values": [public_a]}])[
    "NatGateways"][0]["NatGatewayId"]
batch_rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=batch_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_a)
ec2.associate_route_table(RouteTableId=batch_rt, SubnetId=private_c)
print(cloud.ec2.reachability(batch, "internet", "tcp", 443).reachable)

# exercise: nacl-return
print(cloud.ec2.reachability("internet", shop_b, "tcp", 443).blocked_by)
ec2.create_network_acl_entry(NetworkAclId=strict, RuleNumber=110, Protocol="6",
                             RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0",
                             PortRange={"From": 1024, "To": 65535})
print(cloud.ec2.reachability("internet", shop_b, "tcp", 443).reachable)

# exercise: transit-hub
hub = west.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
cloud.advance(seconds=120)
for vpc_w, subnet_w in spokes.values():
    west.create_transit_gateway_vpc_attachment(TransitGatewayId=hub, VpcId=vpc_w,
                                               SubnetIds=[subnet_w])
cloud.advance(seconds=120)
for vpc_w, _ in spokes.values():
    table = west.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_w]}])[
        "RouteTables"][0]["RouteTableId"]
    west.create_route(RouteTableId=table, DestinationCidrBlock="10.0.0.0/8",
                      TransitGatewayId=hub)
