"""What VPC endpoints can reach: the AWS services awskit offers endpoints for, and the
AWS-managed prefix lists of the gateway services (DescribeVpcEndpointServices,
DescribePrefixLists, DescribeManagedPrefixLists, GetManagedPrefixListEntries).

DescribeVpcEndpointServices lists a selection of AWS services (AWS offers many more: these are
the ones the course meets) with their endpoint types and private DNS names, and the endpoint
services the caller owns or is allowed to use (``endpoint_services.py``). The prefix lists carry
the ids and sample CIDRs of :func:`awskit.ec2.model_links.aws_prefix_lists` (real ids and
sample ranges in us-east-1, stand-ins elsewhere) [VPCUG route-table-options.md;
BC ec2:DescribeVpcEndpointServices, DescribeManagedPrefixLists].
"""

from __future__ import annotations

import hashlib

from ..service import operation
from . import model_links as ml
from .codes import fail, not_implemented
from .filters import check_filters, matches, paginate, select

#: AWS services: short name → (endpoint types, private DNS name pattern or None)
AWS_SERVICES = {
    "dynamodb": (("Gateway",), None), "ec2": (("Interface",), "ec2.{r}.amazonaws.com"),
    "ecr.api": (("Interface",), "api.ecr.{r}.amazonaws.com"),
    "ecr.dkr": (("Interface",), "*.dkr.ecr.{r}.amazonaws.com"),
    "events": (("Interface",), "events.{r}.amazonaws.com"),
    "execute-api": (("Interface",), "*.execute-api.{r}.amazonaws.com"),
    "kms": (("Interface",), "kms.{r}.amazonaws.com"),
    "lambda": (("Interface",), "lambda.{r}.amazonaws.com"),
    "logs": (("Interface",), "logs.{r}.amazonaws.com"),
    "monitoring": (("Interface",), "monitoring.{r}.amazonaws.com"),
    "s3": (("Gateway", "Interface"), None),
    "secretsmanager": (("Interface",), "secretsmanager.{r}.amazonaws.com"),
    "sns": (("Interface",), "sns.{r}.amazonaws.com"),
    "sqs": (("Interface",), "sqs.{r}.amazonaws.com"),
    "ssm": (("Interface",), "ssm.{r}.amazonaws.com"),
    "sts": (("Interface",), "sts.{r}.amazonaws.com"),
}
PL_FILTERS = {"prefix-list-id": lambda p: p[0], "prefix-list-name": lambda p: p[1],
              "owner-id": lambda p: "AWS"}


def digest(text: str, n: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def aws_service(region: str, name: str):
    """(short name, types, private DNS) for ``com.amazonaws.<region>.<short>``, or None."""
    prefix = f"com.amazonaws.{region}."
    short = name[len(prefix):] if isinstance(name, str) and name.startswith(prefix) else None
    if short not in AWS_SERVICES:
        return None
    types, dns = AWS_SERVICES[short]
    return short, types, dns.format(r=region) if dns else None


class EndpointCatalogOperations:
    """The endpoint services list and the AWS-managed prefix lists."""

    def aws_service_details(self, region: str) -> list[dict]:
        azs = list(self.cloud.regions[region].azs)
        out = []
        for short, (types, dns) in sorted(AWS_SERVICES.items()):
            name = f"com.amazonaws.{region}.{short}"
            for kind in types:
                detail = {"ServiceName": name,
                          "ServiceId": f"vpce-svc-{digest(name + kind, 17)}",
                          "ServiceType": [{"ServiceType": kind}], "AvailabilityZones": azs,
                          "Owner": "amazon",
                          "BaseEndpointDnsNames": [f"{short}.{region}.vpce.amazonaws.com"
                                                   if kind == "Interface" else
                                                   f"{short}.{region}.amazonaws.com"]}
                if kind == "Interface" and dns:
                    detail.update(PrivateDnsName=dns.format(r=region),
                                  PrivateDnsNames=[{"PrivateDnsName": dns.format(r=region)}],
                                  PrivateDnsNameVerificationState="verified")
                detail.update(VpcEndpointPolicySupported=True, AcceptanceRequired=False,
                              ManagesVpcEndpoints=False, Tags=[],
                              SupportedIpAddressTypes=["ipv4"])
                out.append(detail)
        return out

    @operation
    def describe_vpc_endpoint_services(self, req, ServiceNames=None, Filters=None,
                                       MaxResults=None, NextToken=None, ServiceRegions=None, **_):
        self.begin(req)
        if ServiceRegions and ServiceRegions != [req.region]:
            raise not_implemented("cross-Region endpoint services")
        spec = {"service-name": lambda d: d["ServiceName"],
                "service-type": lambda d: [t["ServiceType"] for t in d["ServiceType"]],
                "owner": lambda d: d["Owner"],
                "supported-ip-address-types": lambda d: d["SupportedIpAddressTypes"]}
        check_filters(Filters, spec)
        details = self.aws_service_details(req.region) + [
            self.service_detail(s) for s in self.visible_services(req)]
        for name in ServiceNames or []:
            if not any(d["ServiceName"] == name for d in details):
                raise fail("InvalidServiceName", f"The Vpc Endpoint Service '{name}' does not "
                                                 "exist")
        details = [d for d in details if (not ServiceNames or d["ServiceName"] in ServiceNames)
                   and matches(d, Filters, spec)]
        page, token = paginate(req, details, lambda d: d["ServiceId"], MaxResults, NextToken)
        req.step("EC2 API", f"List the endpoint services of {req.region}: {len(page)}", 2.0)
        names = list(dict.fromkeys(d["ServiceName"] for d in page))
        out = {"ServiceNames": names, "ServiceDetails": page}
        if token:
            out["NextToken"] = token
        return out

    def prefix_list_rows(self, req, ids, filters, max_results, next_token):
        rows = sorted((pl, f"com.amazonaws.{req.region}.{service}", cidrs) for service, (pl, cidrs)
                      in ml.aws_prefix_lists(req.region).items())
        check_filters(filters, PL_FILTERS)
        rows = select(rows, ids, lambda p: p[0], "pl", lambda _, i: fail(
            "InvalidPrefixListID.NotFound", f"The prefix list ID '{i}' does not exist"))
        rows = [r for r in rows if matches(r, filters, PL_FILTERS)]
        return paginate(req, rows, lambda p: p[0], max_results, next_token)

    @operation
    def describe_prefix_lists(self, req, PrefixListIds=None, Filters=None, MaxResults=None,
                              NextToken=None, **_):
        self.begin(req)
        page, token = self.prefix_list_rows(req, PrefixListIds, Filters, MaxResults, NextToken)
        req.step("EC2 API", f"Describe the AWS prefix lists of {req.region}: {len(page)}", 2.0)
        out = {"PrefixLists": [{"Cidrs": list(c), "PrefixListId": p, "PrefixListName": n}
                               for p, n, c in page]}
        if token:
            out["NextToken"] = token
        return out

    @operation
    def describe_managed_prefix_lists(self, req, PrefixListIds=None, Filters=None,
                                      MaxResults=None, NextToken=None, **_):
        self.begin(req)
        page, token = self.prefix_list_rows(req, PrefixListIds, Filters, MaxResults, NextToken)
        req.step("EC2 API", f"Describe the managed prefix lists of {req.region}: {len(page)}",
                 2.0)
        out = {"PrefixLists": [{
            "PrefixListId": p, "AddressFamily": "IPv4", "State": "create-complete",
            "PrefixListArn": f"arn:aws:ec2:{req.region}:aws:prefix-list/{p}",
            "PrefixListName": n, "Tags": [], "OwnerId": "AWS"} for p, n, c in page]}
        if token:
            out["NextToken"] = token
        return out

    @operation
    def get_managed_prefix_list_entries(self, req, PrefixListId, MaxResults=None,
                                        NextToken=None, TargetVersion=None, **_):
        self.begin(req)
        [(_, _, cidrs)], _ = self.prefix_list_rows(req, [PrefixListId], None, None, None)
        page, token = paginate(req, list(cidrs), lambda c: c, MaxResults, NextToken)
        req.step("EC2 API", f"List the entries of {PrefixListId}: {len(page)}", 1.0)
        out = {"Entries": [{"Cidr": c} for c in page]}
        if token:
            out["NextToken"] = token
        return out
