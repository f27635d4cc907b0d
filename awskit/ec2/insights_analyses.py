"""Network insights analyses: StartNetworkInsightsAnalysis, DescribeNetworkInsightsAnalyses,
DeleteNetworkInsightsAnalysis (the rules are in :mod:`awskit.ec2.insights`).

An analysis re-reads the path's ends when it starts: if one is gone it ``failed`` with
"The request failed due to missing component <id>"; a pair of ends awskit cannot analyse (two
ends outside AWS) ``failed`` with "The network configuration is not supported" (Reachability
Analyzer's messages [https://docs.aws.amazon.com/vpc/latest/reachability/
reachability-analyzer-troubleshooting.html]). Without a destination port, the ports tried are
those where some security group rule, network ACL rule or load balancer listener starts or
ends (and their neighbours): between two of them every rule decides alike, so trying one port
of each stretch finds any port that gets through; the answer is the first one that does, else
the try that went furthest.
"""

from __future__ import annotations

from datetime import timezone

from .. import errors
from ..clock import EPOCH, aws_datetime
from ..service import operation
from .codes import fail, missing, not_implemented
from .filters import check_filters, matches, paginate, tag_list, tag_specifications
from .insights_render import analysis_shapes
from .reachability import analyze
from .reachability_net import Net

ANALYSIS_FILTERS = {"path-found": lambda a: str(a["found"]).lower(),
                    "status": lambda a: a["status"]}
ANALYSIS_MS = 40.0            # the "Reachability Analyzer" step (awskit's figure)
MAX_PORTS = 512


class Tagged:
    """A path or analysis dict seen by the filters (which read ``.tags``)."""

    def __init__(self, item: dict):
        self.tags = item["tags"]
        self.item = item

    def __getitem__(self, key):
        return self.item[key]


def described(req, items: list, filters, spec: dict, max_results, next_token, key: str,
              render, what: str) -> dict:
    """A Describe* answer: ``items`` (dicts with an ``id``) narrowed by ``filters``, one page
    of them rendered under ``key``."""
    items = [i for i in items if matches(Tagged(i), filters, spec)]
    page, token = paginate(req, items, lambda i: i["id"], max_results, next_token)
    req.step("EC2 API", f"Describe network insights {what}: {len(page)}", 2.0)
    out = {key: [render(i) for i in page]}
    if token:
        out["NextToken"] = token
    return out


def candidate_ports(net: Net) -> list[int]:
    marks = {0, 1, 65534, 65535}
    for group in net.groups.values():
        for rule in group.rules:
            if rule.protocol in ("tcp", "udp") and rule.from_port is not None:
                marks.update((rule.from_port - 1, rule.from_port, rule.to_port,
                              rule.to_port + 1))
    for acl in net.ec2.network_acls.values():
        for entry in acl.entries:
            if entry.port_from is not None:
                marks.update((entry.port_from - 1, entry.port_from, entry.port_to,
                              entry.port_to + 1))
    for lb in net.link("load_balancers").values():
        marks.update(lb.ports)
    return sorted(p for p in marks if 0 <= p <= 65535)[:MAX_PORTS]


def _seconds(value) -> float:
    """A timestamp parameter (datetime, epoch seconds or ISO text) as clock seconds."""
    if isinstance(value, (int, float)):
        return value - EPOCH.timestamp()
    if isinstance(value, str):
        from dateutil.parser import isoparse
        value = isoparse(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return (value - EPOCH).total_seconds()


class AnalysisOperations:
    """Start, describe and delete analyses (mixed into the EC2 service with the paths)."""

    def own_analysis(self, req, analysis_id) -> dict:
        found = self.insights_analyses.get(analysis_id) if isinstance(analysis_id, str) \
            else None
        if found is None or found["account"] != req.account or found["region"] != req.region:
            raise fail("InvalidNetworkInsightsAnalysisId.NotFound",
                       f"The network insights analysis '{analysis_id}' does not exist")
        return found

    def run_path(self, req, path: dict):
        """(answer or None, failure message or None) for the path as the network is now."""
        net = Net(self)
        try:
            src = self.insights_end(req, net, path["source"], path["source_ip"], "source")[0]
            dst = self.insights_end(req, net, path["destination"], path["destination_ip"],
                                    "destination")[0]
        except errors.AWSError:
            gone = path["source"] if path["source"] not in self.insights_known(path) \
                else path["destination"]
            return None, f"The request failed due to missing component {gone}"
        ports = [path["port"]] if path["port"] is not None else candidate_ports(net)
        best = None
        try:
            for port in ports:
                answer = analyze(net, src, dst, path["protocol"], port)
                if answer.reachable:
                    return answer, None
                if best is None or len(answer.hops) > len(best.hops):
                    best = answer
        except ValueError:
            return None, "The network configuration is not supported"
        return best, None

    def insights_known(self, path: dict) -> set:
        known = set()
        for store in (self.instances, self.network_interfaces, self.internet_gateways,
                      self.vpn_gateways, self.vpc_endpoints, self.endpoint_services):
            known.update(store)
        return known

    def analysis_dict(self, analysis: dict) -> dict:
        out = {"NetworkInsightsAnalysisId": analysis["id"],
               "NetworkInsightsAnalysisArn": analysis["arn"],
               "NetworkInsightsPathId": analysis["path"],
               "StartDate": aws_datetime(analysis["started"], "ms"),
               "Status": analysis["status"]}
        if analysis["message"]:
            out["StatusMessage"] = analysis["message"]
        out.update(analysis["shapes"])
        out["Tags"] = tag_list(analysis["tags"])
        return out

    @operation
    def start_network_insights_analysis(self, req, NetworkInsightsPathId, AdditionalAccounts=None,
                                        FilterInArns=None, FilterOutArns=None,
                                        TagSpecifications=None, ClientToken=None, **_):
        self.begin(req, self.arn_for(req, "network-insights-path", NetworkInsightsPathId))
        path = self.own_path(req, NetworkInsightsPathId)
        if AdditionalAccounts or FilterInArns or FilterOutArns:
            raise not_implemented("AdditionalAccounts, FilterInArns and FilterOutArns")
        tags = tag_specifications(TagSpecifications, "network-insights-analysis")
        if ClientToken:
            for analysis in self.insights_analyses.values():
                if analysis["token"] == ClientToken and analysis["account"] == req.account:
                    return {"NetworkInsightsAnalysis": self.analysis_dict(analysis)}
        answer, failure = self.run_path(req, path)
        analysis_id = self.new_id("nia")
        analysis = {"id": analysis_id, "account": req.account, "region": req.region,
                    "arn": self.arn_for(req, "network-insights-analysis", analysis_id),
                    "path": path["id"], "started": self.cloud.clock.elapsed,
                    "status": "failed" if failure else "succeeded", "message": failure,
                    "found": bool(answer and answer.reachable),
                    "shapes": analysis_shapes(answer) if answer else {}, "tags": tags,
                    "token": ClientToken}
        self.insights_analyses[analysis_id] = analysis
        hops = (answer.hops + answer.return_path) if answer else []
        subs = [(h.component, ("Reply: " if h.direction == "return" else "") + str(h) +
                 ("" if h.allowed else f" — BLOCKED ({h.code})"), 0.0,
                 {"resource": h.resource, "allowed": h.allowed}) for h in hops]
        verdict = failure or ("path found" if analysis["found"] else
                              f"no path: {answer.blocked_by} ({answer.blocked_by.code})")
        req.step("Reachability Analyzer", f"Analyze {path['id']} as {analysis_id}: {verdict}",
                 ANALYSIS_MS, substeps=subs or None, analysis=analysis_id)
        return {"NetworkInsightsAnalysis": self.analysis_dict(analysis)}

    @operation
    def describe_network_insights_analyses(self, req, NetworkInsightsAnalysisIds=None,
                                           NetworkInsightsPathId=None, AnalysisStartTime=None,
                                           AnalysisEndTime=None, Filters=None, MaxResults=None,
                                           NextToken=None, **_):
        self.begin(req)
        check_filters(Filters, ANALYSIS_FILTERS)
        if not NetworkInsightsAnalysisIds and NetworkInsightsPathId is None:
            raise missing("NetworkInsightsAnalysisIds or NetworkInsightsPathId")
        if NetworkInsightsAnalysisIds:
            found = [self.own_analysis(req, a) for a in dict.fromkeys(NetworkInsightsAnalysisIds)]
        else:
            self.own_path(req, NetworkInsightsPathId)
            found = sorted((a for a in self.insights_analyses.values()
                            if a["path"] == NetworkInsightsPathId), key=lambda a: a["id"])
        if NetworkInsightsPathId is not None:
            found = [a for a in found if a["path"] == NetworkInsightsPathId]
        if AnalysisStartTime is not None:
            found = [a for a in found if a["started"] >= _seconds(AnalysisStartTime)]
        if AnalysisEndTime is not None:
            found = [a for a in found if a["started"] <= _seconds(AnalysisEndTime)]
        return described(req, found, Filters, ANALYSIS_FILTERS, MaxResults, NextToken,
                         "NetworkInsightsAnalyses", self.analysis_dict, "analyses")

    @operation
    def delete_network_insights_analysis(self, req, NetworkInsightsAnalysisId, **_):
        self.begin(req, self.arn_for(req, "network-insights-analysis",
                                     NetworkInsightsAnalysisId))
        analysis = self.own_analysis(req, NetworkInsightsAnalysisId)
        del self.insights_analyses[analysis["id"]]
        req.step("Reachability Analyzer", f"Delete analysis {analysis['id']}", 2.0)
        return {"NetworkInsightsAnalysisId": analysis["id"]}

