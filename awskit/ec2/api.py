"""The EC2 networking API as boto3's ``ec2`` client sees it (the ``ec2`` query protocol: boto3
parses EC2's XML into the dicts these handlers return).

The operations live in mixins, one file per kind of resource: ``vpcs.py`` (VPCs, CIDRs, the
default VPC, Availability Zones), ``subnets.py``, ``routes.py`` (route tables and routes),
``gateways.py`` (internet, egress-only and NAT gateways), ``addresses.py`` (Elastic IPs),
``interfaces.py`` (network interfaces), ``security.py`` (security groups), ``nacls.py``
(network ACLs), ``instances.py`` and ``tags.py``; the connectivity options in ``peering.py``,
``transit.py`` and ``transit_routes.py`` (Transit Gateway), ``vpn.py`` and
``vpn_connections.py`` (Site-to-Site VPN), ``client_vpn.py`` and ``client_vpn_rules.py``,
``endpoints.py``, ``endpoint_catalog.py`` and ``endpoint_services.py`` (VPC endpoints,
PrivateLink), ``link_pricing.py`` (their hourly charges); they come first in the class so that
their ``get``, ``target_usable``, ``vpc_dependencies`` and ``sync`` extend the store's.
``store.py`` keeps the resources, ``persist.py`` saves and draws them.
The model they build is documented in ``model.py`` and ``model_links.py``.

Every call asks IAM for ``ec2:<Action>`` on the resource's ARN
(``arn:aws:ec2:<region>:<account>:vpc/vpc-…``; ``*`` for Describe* calls, as EC2's Describe
actions support no resource-level permissions) and fails with ``UnauthorizedOperation`` (403);
``DryRun=True`` stops after that check with ``DryRunOperation`` (412) [EC2 API reference, common
parameters; errors-overview]. awskit's message carries the decision in plain words where AWS
adds an encoded authorization message (``sts:DecodeAuthorizationMessage`` is not simulated).
Resources belong to one account and one Region: another account's or Region's id is NotFound.

Traces: "EC2 API" (the request and what it changes), "VPC router" (routes), "Security group",
"Network ACL", "Internet gateway", "NAT gateway", "Instance".
"""

from __future__ import annotations

from .. import errors
from ..service import Request, Service, http_date
from . import codes  # noqa: F401  (defines the EC2-only error codes)
from .addresses import AddressOperations
from .client_vpn import ClientVpnOperations
from .client_vpn_rules import ClientVpnRuleOperations
from .endpoint_catalog import EndpointCatalogOperations
from .endpoint_services import EndpointServiceOperations
from .endpoints import EndpointOperations
from .gateways import GatewayOperations, NatOperations
from .instances import InstanceOperations
from .interfaces import InterfaceOperations
from .link_pricing import LinkPricing
from .nacls import NaclOperations
from .peering import PeeringOperations
from .persist import dump_ec2, graph_ec2, load_ec2
from .insights import InsightsOperations
from .reachability import ReachabilityOperations
from .routes import RouteOperations
from .security import SecurityGroupOperations
from .store import EC2Store
from .subnets import SubnetOperations
from .tags import TagOperations
from .transit import TransitGatewayOperations
from .transit_routes import TransitRouteOperations
from .vpcs import VpcOperations
from .vpn import VpnOperations
from .vpn_connections import VpnConnectionOperations


class EC2(LinkPricing, PeeringOperations, TransitGatewayOperations, TransitRouteOperations,
          VpnOperations, VpnConnectionOperations, ClientVpnOperations, ClientVpnRuleOperations,
          EndpointOperations, EndpointCatalogOperations, EndpointServiceOperations,
          VpcOperations, SubnetOperations, RouteOperations, GatewayOperations, NatOperations,
          AddressOperations, InterfaceOperations, SecurityGroupOperations, NaclOperations,
          InstanceOperations, TagOperations, ReachabilityOperations, InsightsOperations,
          EC2Store, Service):
    """Amazon EC2: the VPC networking API and enough instances to place in it."""

    service_name = "ec2"
    title = "Amazon EC2"
    front_component = "EC2 API"
    console_view = "awskit.ec2.view:NetworkConsole"
    unknown_key_error = "AuthFailure"
    trace_edges = "awskit.ec2.reachability:trace_edge"     # a reachability trace is a chain

    def __init__(self, cloud):
        Service.__init__(self, cloud)
        self._init_store()
        accruers = getattr(cloud.meter, "accruers", None)
        if accruers is not None:
            accruers.append(self.accrue_links)       # hourly charges (link_pricing.py)

    # -- pipeline hooks -----------------------------------------------------------------------
    def receive(self, req: Request) -> None:
        req.trace.summary = req.operation
        req.receive(f"Receive {req.operation} request", 1.0, operation=req.operation)
        t0 = self.cloud.clock.elapsed
        for note in self.sync():         # what fell due on the clock since EC2 was last touched
            req.trace.add("EC2 API", f"Due on the clock: {note}", t0, 0.0, {})

    def begin(self, req: Request, resource: str = "*") -> None:
        """Authorize ``ec2:<operation>`` on ``resource``, honour DryRun, and make sure the
        caller's default VPC exists in the Region. Every handler starts here."""
        req.authorize(f"ec2:{req.operation}", resource)
        if req.params.get("DryRun"):
            raise errors.for_code("DryRunOperation")()
        self.ensure_region(req)

    def access_denied(self, req, action, resource, decision) -> errors.AWSError:
        plain = Service.access_denied(self, req, action, resource, decision)
        return errors.for_code("UnauthorizedOperation")(
            f"You are not authorized to perform this operation. {plain.message}")

    def auth_error(self, problem: str) -> errors.AWSError:
        if problem in ("unknown-key", "inactive", "bad-signature"):
            return errors.for_code("AuthFailure")()
        return Service.auth_error(self, problem)

    def response_headers(self, req: Request, response: dict, status: int) -> dict:
        return {"x-amzn-requestid": req.request_id, "content-type": "text/xml;charset=UTF-8",
                "date": http_date(self.cloud.clock.now), "server": "AmazonEC2"}

    # -- state and graph ------------------------------------------------------------------------
    def state(self) -> dict:
        self.sync()
        return dump_ec2(self)

    def load_state(self, data: dict) -> None:
        load_ec2(self, data)

    def add_to_graph(self, graph) -> None:
        self.sync()
        graph_ec2(self, graph)
