"""Security groups and network ACLs through boto3: default rules, authorize/revoke with every
kind of peer, duplicates and limits, rule ids, deletion rules; NACL entries, the * rule,
associations."""

import pytest
from ec2_helpers import code, error, launch, make_subnet, make_vpc

WEB = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
       "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}]}


@pytest.fixture
def ec2(cloud):
    return cloud.client("ec2")


@pytest.fixture
def vpc(ec2):
    return make_vpc(ec2)


def group(ec2, group_id) -> dict:
    return ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]


# -- security groups ----------------------------------------------------------------------------
def test_default_and_new_group_rules(cloud, ec2, vpc):
    [default] = ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])[
        "SecurityGroups"]
    assert default["IpPermissions"] == [{
        "IpProtocol": "-1", "UserIdGroupPairs": [{"UserId": cloud.default_account,
                                                  "GroupId": default["GroupId"]}],
        "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": []}]
    all_out = [{"IpProtocol": "-1", "UserIdGroupPairs": [], "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "Ipv6Ranges": [], "PrefixListIds": []}]
    assert default["IpPermissionsEgress"] == all_out
    out = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc)
    assert out["GroupId"].startswith("sg-") and out["SecurityGroupArn"].endswith(out["GroupId"])
    created = group(ec2, out["GroupId"])
    assert created["IpPermissions"] == [] and created["IpPermissionsEgress"] == all_out
    assert created["GroupName"] == "web" and created["Description"] == "web tier"
    err = error(ec2.delete_security_group, GroupId=default["GroupId"])
    assert err["Code"] == "CannotDelete" and "default" in err["Message"]


def test_create_group_errors(ec2, vpc):
    ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)
    assert code(ec2.create_security_group, GroupName="web", Description="d", VpcId=vpc) == \
        "InvalidGroup.Duplicate"
    assert code(ec2.create_security_group, GroupName="default", Description="d", VpcId=vpc) == \
        "InvalidGroup.Duplicate"
    assert code(ec2.create_security_group, GroupName="sg-1", Description="d", VpcId=vpc) == \
        "InvalidParameterValue"
    assert code(ec2.create_security_group, GroupName="x", Description="d",
                VpcId="vpc-0123456789abcdef0") == "InvalidVpcID.NotFound"
    # without VpcId: the default VPC; names are unique per VPC only
    other = ec2.create_security_group(GroupName="web", Description="d")["GroupId"]
    assert group(ec2, other)["VpcId"] != vpc


def test_authorize_and_revoke_every_kind_of_peer(cloud, ec2, vpc):
    web = ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)["GroupId"]
    app = ec2.create_security_group(GroupName="app", Description="d", VpcId=vpc)["GroupId"]
    out = ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[WEB, {
        "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
        "Ipv6Ranges": [{"CidrIpv6": "::/0"}], "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    assert out["Return"] is True and len(out["SecurityGroupRules"]) == 3
    assert {r["SecurityGroupRuleId"][:4] for r in out["SecurityGroupRules"]} == {"sgr-"}
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
        "UserIdGroupPairs": [{"GroupId": web, "Description": "from web"}]}])
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1,
         "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    ec2.authorize_security_group_ingress(GroupId=app, IpProtocol="udp", FromPort=53, ToPort=53,
                                         CidrIp="10.0.0.0/16")          # the legacy form
    perms = {(p["IpProtocol"], p.get("FromPort")): p for p in group(ec2, app)["IpPermissions"]}
    assert perms[("tcp", 8080)]["UserIdGroupPairs"] == [
        {"Description": "from web", "UserId": cloud.default_account, "GroupId": web}]
    assert perms[("icmp", 8)]["ToPort"] == -1
    assert perms[("udp", 53)]["IpRanges"] == [{"CidrIp": "10.0.0.0/16"}]
    web_perms = {p["FromPort"]: p for p in group(ec2, web)["IpPermissions"]}
    assert web_perms[443]["IpRanges"] == [{"CidrIp": "0.0.0.0/0", "Description": "https"}]
    assert web_perms[80]["IpRanges"] == [{"CidrIp": "10.0.0.0/16"}]
    assert web_perms[80]["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]
    # rules are listed one by one, with ids, by DescribeSecurityGroupRules
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [app]}])[
        "SecurityGroupRules"]
    ref = [r for r in rules if "ReferencedGroupInfo" in r]
    assert ref[0]["ReferencedGroupInfo"] == {"GroupId": web, "UserId": cloud.default_account}
    egress = [r for r in rules if r["IsEgress"]]
    assert egress[0]["IpProtocol"] == "-1" and egress[0]["FromPort"] == -1
    # revoke by permission and by rule id
    revoked = ec2.revoke_security_group_ingress(GroupId=web, IpPermissions=[WEB])
    assert revoked["RevokedSecurityGroupRules"][0]["CidrIpv4"] == "0.0.0.0/0"
    assert code(ec2.revoke_security_group_ingress, GroupId=web, IpPermissions=[WEB]) == \
        "InvalidPermission.NotFound"
    ec2.revoke_security_group_egress(GroupId=app, SecurityGroupRuleIds=[egress[0][
        "SecurityGroupRuleId"]])
    assert group(ec2, app)["IpPermissionsEgress"] == []
    assert code(ec2.revoke_security_group_egress, GroupId=app,
                SecurityGroupRuleIds=["sgr-0123456789abcdef0"]) == \
        "InvalidSecurityGroupRuleId.NotFound"
    # a group referenced by another group's rule cannot be deleted
    assert code(ec2.delete_security_group, GroupId=web) == "DependencyViolation"
    ec2.revoke_security_group_ingress(GroupId=app, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
        "UserIdGroupPairs": [{"GroupId": web}]}])
    out = ec2.delete_security_group(GroupId=web)
    assert out["Return"] is True and out["GroupId"] == web


@pytest.mark.parametrize("perm, expected", [
    ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}, "MissingParameter"),
    ({"IpProtocol": "tcp", "FromPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
     "InvalidParameterValue"),
    ({"IpProtocol": "tcp", "FromPort": 30, "ToPort": 20, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
     "InvalidParameterValue"),
    ({"IpProtocol": "tcp", "FromPort": 1, "ToPort": 70000, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
     "InvalidParameterValue"),
    ({"IpProtocol": "bogus", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, "InvalidParameterValue"),
    ({"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/33"}]}, "InvalidParameterValue"),
    ({"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "10.0.0.0/8"}]}, "InvalidParameterValue"),
    ({"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-0123456789abcdef0"}]},
     "InvalidGroup.NotFound"),
    ({"IpProtocol": "-1", "PrefixListIds": [{"PrefixListId": "pl-1"}]}, "NotImplemented"),
])
def test_bad_permissions_are_refused_and_change_nothing(ec2, vpc, perm, expected):
    web = ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)["GroupId"]
    before = group(ec2, web)
    assert code(ec2.authorize_security_group_ingress, GroupId=web, IpPermissions=[perm]) == \
        expected
    assert group(ec2, web) == before


def test_duplicates_limits_and_other_vpcs(ec2, vpc):
    web = ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[WEB])
    err = error(ec2.authorize_security_group_ingress, GroupId=web, IpPermissions=[WEB])
    assert err["Code"] == "InvalidPermission.Duplicate"
    assert "peer: 0.0.0.0/0, TCP, from port: 443, to port: 443, ALLOW" in err["Message"]
    assert code(ec2.authorize_security_group_egress, GroupId=web, IpPermissions=[{
        "IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]) == \
        "InvalidPermission.Duplicate"                       # the default egress rule
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 1000 + i, "ToPort": 1000 + i,
        "IpRanges": [{"CidrIp": "10.0.0.0/16"}]} for i in range(59)])
    assert code(ec2.authorize_security_group_ingress, GroupId=web, IpPermissions=[{
        "IpProtocol": "udp", "FromPort": 1, "ToPort": 1, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]
    }]) == "RulesPerSecurityGroupLimitExceeded"
    other_vpc = make_vpc(ec2, "10.1.0.0/16")
    other = ec2.create_security_group(GroupName="o", Description="d", VpcId=other_vpc)["GroupId"]
    assert code(ec2.authorize_security_group_egress, GroupId=web, IpPermissions=[{
        "IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": other}]}]) == "InvalidGroup.NotFound"
    assert code(ec2.authorize_security_group_ingress, GroupId="sg-0123456789abcdef0",
                IpPermissions=[WEB]) == "InvalidGroup.NotFound"


def test_groups_in_use_by_interfaces(cloud, ec2, vpc):
    subnet = make_subnet(ec2, vpc)
    web = ec2.create_security_group(GroupName="web", Description="d", VpcId=vpc)["GroupId"]
    [inst] = launch(ec2, subnet, SecurityGroupIds=[web])
    assert inst["SecurityGroups"] == [{"GroupId": web, "GroupName": "web"}]
    assert code(ec2.delete_security_group, GroupId=web) == "DependencyViolation"
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    cloud.advance(60)
    ec2.delete_security_group(GroupId=web)
    assert code(ec2.describe_security_groups, GroupIds=[web]) == "InvalidGroup.NotFound"
    assert code(launch, ec2=ec2, subnet=subnet, SecurityGroupIds=[web]) == "InvalidGroup.NotFound"


# -- network ACLs -------------------------------------------------------------------------------
def entries(ec2, acl) -> list[tuple]:
    [n] = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"]
    return [(e["RuleNumber"], e["Egress"], e["Protocol"], e["RuleAction"],
             e.get("CidrBlock") or e.get("Ipv6CidrBlock")) for e in n["Entries"]]


def test_default_and_custom_acls(ec2, vpc):
    [default] = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                   {"Name": "default", "Values": ["true"]}])[
        "NetworkAcls"]
    assert entries(ec2, default["NetworkAclId"]) == [
        (100, True, "-1", "allow", "0.0.0.0/0"), (32767, True, "-1", "deny", "0.0.0.0/0"),
        (100, False, "-1", "allow", "0.0.0.0/0"), (32767, False, "-1", "deny", "0.0.0.0/0")]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]
    assert acl["IsDefault"] is False and acl["Associations"] == [] and acl["Tags"] == []
    assert entries(ec2, acl["NetworkAclId"]) == [(32767, True, "-1", "deny", "0.0.0.0/0"),
                                                 (32767, False, "-1", "deny", "0.0.0.0/0")]
    err = error(ec2.delete_network_acl, NetworkAclId=default["NetworkAclId"])
    assert err["Code"] == "InvalidParameterValue" and "default" in err["Message"]


def test_acl_entries(ec2, vpc):
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=200, Protocol="6",
                                 RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                                 PortRange={"From": 443, "To": 443})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="tcp",
                                 RuleAction="deny", Egress=False, CidrBlock="198.51.100.0/24",
                                 PortRange={"From": 443, "To": 443})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1",
                                 RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0")
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=110, Protocol="1",
                                 RuleAction="allow", Egress=True, CidrBlock="10.0.0.0/8",
                                 IcmpTypeCode={"Type": 8, "Code": 0})
    listed = entries(ec2, acl)
    assert [(n, e) for n, e, *_ in listed] == [(100, True), (110, True), (32767, True),
                                               (100, False), (200, False), (32767, False)]
    assert listed[3] == (100, False, "6", "deny", "198.51.100.0/24")   # "tcp" stored as 6
    [n] = ec2.describe_network_acls(NetworkAclIds=[acl])["NetworkAcls"]
    assert n["Entries"][1]["IcmpTypeCode"] == {"Code": 0, "Type": 8}
    assert n["Entries"][4]["PortRange"] == {"From": 443, "To": 443}
    assert code(ec2.create_network_acl_entry, NetworkAclId=acl, RuleNumber=200, Protocol="-1",
                RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0") == \
        "NetworkAclEntryAlreadyExists"
    ec2.replace_network_acl_entry(NetworkAclId=acl, RuleNumber=200, Protocol="-1",
                                  RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0")
    assert (200, False, "-1", "deny", "0.0.0.0/0") in entries(ec2, acl)
    assert code(ec2.replace_network_acl_entry, NetworkAclId=acl, RuleNumber=300, Protocol="-1",
                RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0") == \
        "InvalidNetworkAclEntry.NotFound"
    ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=200, Egress=False)
    assert code(ec2.delete_network_acl_entry, NetworkAclId=acl, RuleNumber=200,
                Egress=False) == "InvalidNetworkAclEntry.NotFound"
    assert code(ec2.delete_network_acl_entry, NetworkAclId=acl, RuleNumber=32767,
                Egress=False) == "InvalidParameterValue"


@pytest.mark.parametrize("change, expected", [
    ({"RuleNumber": 0}, "InvalidParameterValue"), ({"RuleNumber": 32767}, "InvalidParameterValue"),
    ({"Protocol": "gre"}, "InvalidParameterValue"), ({"RuleAction": "maybe"},
                                                     "InvalidParameterValue"),
    ({"Protocol": "6"}, "MissingParameter"), ({"Protocol": "1"}, "MissingParameter"),
    ({"CidrBlock": "10.0.0.0/33"}, "InvalidParameterValue"),
    ({"Ipv6CidrBlock": "::/0"}, "MissingParameter"),
    ({"NetworkAclId": "acl-0123456789abcdef0"}, "InvalidNetworkAclID.NotFound"),
])
def test_bad_entries(ec2, vpc, change, expected):
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    params = {"NetworkAclId": acl, "RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow",
              "Egress": False, "CidrBlock": "0.0.0.0/0", **change}
    assert code(ec2.create_network_acl_entry, **params) == expected
    assert len(entries(ec2, acl)) == 2


def test_twenty_rules_per_direction(ec2, vpc):
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for i in range(20):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=i + 1, Protocol="-1",
                                     RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0")
    assert code(ec2.create_network_acl_entry, NetworkAclId=acl, RuleNumber=99, Protocol="-1",
                RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0") == \
        "NetworkAclEntryLimitExceeded"
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=99, Protocol="-1",
                                 RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0")


def test_acl_associations(cloud, ec2, vpc):
    subnet = make_subnet(ec2, vpc)
    [default] = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id",
                                                    "Values": [subnet]}])["NetworkAcls"]
    assert default["IsDefault"]
    assoc = [a for a in default["Associations"] if a["SubnetId"] == subnet][0]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    new = ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"],
                                              NetworkAclId=acl)["NewAssociationId"]
    assert cloud.ec2.nacl_for_subnet(subnet).nacl_id == acl
    assert code(ec2.delete_network_acl, NetworkAclId=acl) == "DependencyViolation"
    assert code(ec2.replace_network_acl_association,
                AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl) == \
        "InvalidAssociationID.NotFound"
    other = ec2.create_network_acl(VpcId=make_vpc(ec2, "10.1.0.0/16"))["NetworkAcl"]
    assert code(ec2.replace_network_acl_association, AssociationId=new,
                NetworkAclId=other["NetworkAclId"]) == "InvalidParameterValue"
    ec2.replace_network_acl_association(AssociationId=new,
                                        NetworkAclId=default["NetworkAclId"])
    ec2.delete_network_acl(NetworkAclId=acl)
