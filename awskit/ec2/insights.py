"""Reachability Analyzer, the boto3 way: Create/Describe/DeleteNetworkInsightsPath,
StartNetworkInsightsAnalysis, Describe/DeleteNetworkInsightsAnalysis.

A **path** (``nip-``) names a source and a destination in the caller's account and Region, by
id or ARN: an instance, a network interface, an internet gateway (the internet beyond it; its
address is ``SourceIp``/``DestinationIp`` if given, else awskit's internet host), a virtual
private gateway (the on-premises network behind its first VPN connection), a VPC endpoint, or
as destination an endpoint service; or only a ``DestinationIp``. ``SourceIp``/``DestinationIp``
given with an instance or interface must be one of its addresses. Protocol ``tcp`` or ``udp``;
without ``DestinationPort`` the analysis looks for any port that gets through [BC
ec2:CreateNetworkInsightsPath]. An **analysis** (``nia-``) runs the engine of
:mod:`awskit.ec2.reachability` on the network as it is when it starts and keeps the answer:
``NetworkPathFound``, ``ForwardPathComponents``, ``ReturnPathComponents`` when found, else one
``Explanations`` entry with Reachability Analyzer's explanation code
(:mod:`awskit.ec2.insights_render`). Its trace carries the hops as the substeps of one
"Reachability Analyzer" step.

Errors: unknown ids are ``InvalidNetworkInsightsPathId.NotFound`` /
``InvalidNetworkInsightsAnalysisId.NotFound`` (and the source's own NotFound code); deleting a
path that still has analyses is ``AnalysisExistsForNetworkInsightsPath`` (codes as the AWS
SDKs and Terraform's AWS provider name them: secondary source). A repeated ``ClientToken``
with the same parameters returns the first path or analysis.

Simplified: the analysis is ``succeeded`` at once (AWS takes seconds to minutes, ``running``
meanwhile); no cross-account analyses (``AdditionalAccounts``), no ``FilterInArns`` /
``FilterOutArns`` / path filters, and paths from or to transit gateways, peering connections
or NAT gateways are not simulated (NotImplemented); tags are set at creation only.
"""

from __future__ import annotations

from ..clock import aws_datetime
from ..service import operation
from .codes import fail, missing, not_implemented
from .filters import check_filters, tag_list, tag_specifications
from .insights_analyses import AnalysisOperations, described
from .reachability_ends import End, resolve
from .reachability_net import Net

_SIMULATED = ("i", "eni", "igw", "vgw", "vpce")
_REAL_KINDS = ("tgw", "tgw-attach", "pcx", "nat", "vpn", "elb", "lb", "gwlb")
PATH_FILTERS = {"destination": lambda p: p["destination"], "source": lambda p: p["source"],
                "protocol": lambda p: p["protocol"]}


def _kind(resource_id: str) -> str:
    if resource_id.startswith("vpce-svc-"):
        return "vpce-svc"
    if resource_id.startswith("tgw-attach-"):
        return "tgw-attach"
    return resource_id.split("-")[0]


class InsightsOperations(AnalysisOperations):
    """The Reachability Analyzer operations (mixed into the EC2 service)."""

    # -- the ends of a path ---------------------------------------------------------------------
    def insights_end(self, req, net: Net, value, ip, role: str) -> tuple[End, str, str]:
        """(End, resource id, ARN) for a path's Source/Destination and SourceIp/DestinationIp."""
        if value is None:
            if ip is None:
                raise missing("Destination or DestinationIp")
            return self.insights_ip(net, req, ip, role), None, None
        resource_id = value
        if value.startswith("arn:"):
            parts = value.split(":", 5)
            if len(parts) < 6 or "/" not in parts[5]:
                raise fail("InvalidParameterValue", f"Invalid {role} ARN: {value}")
            if parts[3] != req.region or parts[4] != req.account:
                raise not_implemented("cross-account and cross-Region analyses")
            resource_id = parts[5].split("/", 1)[1]
        kind = _kind(resource_id)
        if kind in _REAL_KINDS:
            raise not_implemented(f"Reachability Analyzer paths from or to {kind} resources")
        if kind == "vpce-svc":
            svc = self.endpoint_services.get(resource_id)
            if role == "source" or svc is None or svc.region != req.region:
                raise fail("InvalidParameterValue" if role == "source" else
                           "InvalidVpcEndpointServiceId.NotFound",
                           f"The {role} '{resource_id}' is not valid")
            return resolve(net, resource_id, req.region, role), resource_id, svc.arn
        if kind not in _SIMULATED:
            raise fail("InvalidParameterValue", f"Invalid {role}: '{value}' is not the id or ARN "
                       "of a supported resource")
        resource = self.get(req, kind, resource_id)
        if kind == "igw":
            end = resolve(net, "internet", req.region, role)
            if ip is not None:
                end.address = self.insights_public_ip(ip, role)
            return end, resource_id, resource.arn
        if kind == "vgw":
            vpn = next((v for v in sorted(self.vpn_connections.values(), key=lambda v: v.vpn_id)
                        if v.vgw_id == resource_id and v.state not in ("deleting", "deleted")),
                       None)
            if vpn is None:
                raise fail("InvalidParameterValue", f"{resource_id} has no VPN connection: "
                           "there is no on-premises network behind it")
            end = resolve(net, f"onprem:{vpn.cgw_id}", req.region, role)
            if ip is not None:
                end.address = ip
            return end, resource_id, resource.arn
        end = resolve(net, resource_id, req.region, role)
        if ip is not None and kind in ("i", "eni"):
            ids = resource.eni_ids if kind == "i" else [resource.eni_id]
            enis = [net.enis[e] for e in ids if e in net.enis]
            mine = {a: e for e in enis for a in (e.private_ip, *e.secondary_ips,
                                                  net.public_ip(e)) if a}
            if ip not in mine:
                raise fail("InvalidParameterValue", f"{ip} is not an address of {resource_id}")
            end.eni, end.address = mine[ip], ip
            end.public = ip == net.public_ip(mine[ip])
        return end, resource_id, resource.arn

    def insights_ip(self, net: Net, req, ip: str, role: str) -> End:
        try:
            return resolve(net, ip, req.region, role)
        except ValueError as err:
            raise fail("InvalidParameterValue", f"{role} IP {ip}: {err}")

    @staticmethod
    def insights_public_ip(ip: str, role: str) -> str:
        import ipaddress
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            raise fail("InvalidParameterValue", f"Invalid {role} IP address: {ip}")
        if address.version != 4 or address.is_private:
            raise fail("InvalidParameterValue", f"The {role} IP beyond an internet gateway "
                       f"must be a public IPv4 address, not {ip}")
        return ip

    # -- paths ----------------------------------------------------------------------------------
    def path_dict(self, path: dict) -> dict:
        out = {"NetworkInsightsPathId": path["id"], "NetworkInsightsPathArn": path["arn"],
               "CreatedDate": aws_datetime(path["created"]), "Source": path["source"]}
        if path["destination"]:
            out["Destination"] = path["destination"]
        out["SourceArn"] = path["source_arn"]
        if path["destination_arn"]:
            out["DestinationArn"] = path["destination_arn"]
        for key, member in (("source_ip", "SourceIp"), ("destination_ip", "DestinationIp")):
            if path[key]:
                out[member] = path[key]
        out["Protocol"] = path["protocol"]
        if path["port"] is not None:
            out["DestinationPort"] = path["port"]
        out["Tags"] = tag_list(path["tags"])
        return out

    def own_path(self, req, path_id) -> dict:
        path = self.insights_paths.get(path_id) if isinstance(path_id, str) else None
        if path is None or path["account"] != req.account or path["region"] != req.region:
            raise fail("InvalidNetworkInsightsPathId.NotFound",
                       f"The network insights path '{path_id}' does not exist")
        return path

    @operation
    def create_network_insights_path(self, req, Source, Protocol, SourceIp=None,
                                     DestinationIp=None, Destination=None, DestinationPort=None,
                                     TagSpecifications=None, ClientToken=None,
                                     FilterAtSource=None, FilterAtDestination=None, **_):
        self.begin(req, self.arn_for(req, "network-insights-path"))
        if FilterAtSource or FilterAtDestination:
            raise not_implemented("path filters (FilterAtSource, FilterAtDestination)")
        if Protocol not in ("tcp", "udp"):
            raise fail("InvalidParameterValue", f"Invalid value '{Protocol}' for protocol. "
                                                "Valid values: tcp, udp")
        if DestinationPort is not None and not 0 <= DestinationPort <= 65535:
            raise fail("InvalidParameterValue", f"Invalid destination port {DestinationPort}")
        tags = tag_specifications(TagSpecifications, "network-insights-path")
        if ClientToken:
            for path in self.insights_paths.values():
                if path["token"] == ClientToken and path["account"] == req.account:
                    return {"NetworkInsightsPath": self.path_dict(path)}
        net = Net(self)
        _, source, source_arn = self.insights_end(req, net, Source, SourceIp, "source")
        _, destination, destination_arn = self.insights_end(req, net, Destination,
                                                            DestinationIp, "destination")
        path_id = self.new_id("nip")
        path = {"id": path_id, "arn": self.arn_for(req, "network-insights-path", path_id),
                "account": req.account, "region": req.region,
                "created": self.cloud.clock.elapsed, "source": source,
                "destination": destination, "source_arn": source_arn,
                "destination_arn": destination_arn, "source_ip": SourceIp,
                "destination_ip": DestinationIp, "protocol": Protocol, "port": DestinationPort,
                "tags": tags, "token": ClientToken}
        self.insights_paths[path_id] = path
        req.step("Reachability Analyzer", f"Create path {path_id}: {source} → "
                 f"{destination or DestinationIp} {Protocol}"
                 f"{'' if DestinationPort is None else f' {DestinationPort}'}", 3.0,
                 path=path_id)
        return {"NetworkInsightsPath": self.path_dict(path)}

    @operation
    def describe_network_insights_paths(self, req, NetworkInsightsPathIds=None, Filters=None,
                                        MaxResults=None, NextToken=None, **_):
        self.begin(req)
        check_filters(Filters, PATH_FILTERS)
        paths = [self.own_path(req, p) for p in dict.fromkeys(NetworkInsightsPathIds or [])] \
            or sorted((p for p in self.insights_paths.values() if p["account"] == req.account
                       and p["region"] == req.region), key=lambda p: p["id"])
        return described(req, paths, Filters, PATH_FILTERS, MaxResults, NextToken,
                         "NetworkInsightsPaths", self.path_dict, "paths")

    @operation
    def delete_network_insights_path(self, req, NetworkInsightsPathId, **_):
        self.begin(req, self.arn_for(req, "network-insights-path", NetworkInsightsPathId))
        path = self.own_path(req, NetworkInsightsPathId)
        if any(a["path"] == path["id"] for a in self.insights_analyses.values()):
            raise fail("AnalysisExistsForNetworkInsightsPath", f"The network insights path "
                       f"'{path['id']}' has analyses: delete them first")
        del self.insights_paths[path["id"]]
        req.step("Reachability Analyzer", f"Delete path {path['id']}", 2.0)
        return {"NetworkInsightsPathId": path["id"]}

