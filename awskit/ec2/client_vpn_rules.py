"""Client VPN authorization rules and routes (the endpoints and target networks are in
``client_vpn.py``, whose docstring gives the rules).

Authorization: one rule per destination CIDR and group (``AccessGroupId``) or for all users
(``AuthorizeAllGroups``; exactly one of the two), at most 50
(``ClientVpnAuthorizationRuleLimitExceeded``); a packet is allowed by the most specific rule
that contains its destination [CVPN cvpn-working-rules.md]. Routes: a destination through one
of the endpoint's associated subnets, at most 10 (``ClientVpnRouteLimitExceeded``); the routes
an association added (origin ``associate``) go only with it [CVPN cvpn-working-routes.md].
"""

from __future__ import annotations

from ..service import operation
from . import model_links as ml
from .codes import fail, missing
from .model_links import ClientVpnAuthorizationRule, ClientVpnRoute

RULE_FILTERS = {"description": lambda r: r.description,
                "destination-cidr": lambda r: r.destination_cidr,
                "group-id": lambda r: r.group_id}
ROUTE_FILTERS = {"destination-cidr": lambda r: r.destination_cidr, "origin": lambda r: r.origin,
                 "target-subnet": lambda r: r.target_subnet}


class ClientVpnRuleOperations:
    """Authorize/RevokeClientVpnIngress, Create/Delete/DescribeClientVpnRoute(s)."""

    @operation
    def authorize_client_vpn_ingress(self, req, ClientVpnEndpointId, TargetNetworkCidr,
                                     AccessGroupId=None, AuthorizeAllGroups=None, Description="",
                                     **_):
        self.begin(req, self.arn_for(req, "client-vpn-endpoint", ClientVpnEndpointId))
        endpoint = self.cvpn_endpoint(req, ClientVpnEndpointId)
        cidr = self.cvpn_cidr(TargetNetworkCidr, "TargetNetworkCidr")
        if bool(AuthorizeAllGroups) == (AccessGroupId is not None):
            raise fail("InvalidParameterCombination", "Specify either AccessGroupId or "
                                                      "AuthorizeAllGroups.")
        if any(r.destination_cidr == cidr and r.group_id == AccessGroupId
               and r.access_all == bool(AuthorizeAllGroups) for r in endpoint.rules):
            raise fail("InvalidClientVpnDuplicateAuthorizationRule", f"An authorization rule for "
                       f"{cidr} already exists on {ClientVpnEndpointId}.")
        if len(endpoint.rules) >= ml.CLIENT_VPN_RULES:
            raise fail("ClientVpnAuthorizationRuleLimitExceeded", "The maximum number of "
                       "authorization rules has been reached.")
        endpoint.rules.append(ClientVpnAuthorizationRule(cidr, bool(AuthorizeAllGroups),
                                                         AccessGroupId, Description or ""))
        who = "all users" if AuthorizeAllGroups else f"group {AccessGroupId}"
        req.step("EC2 API", f"Authorize {who} of {ClientVpnEndpointId} to reach {cidr}", 2.0,
                 endpoint=ClientVpnEndpointId)
        return {"Status": {"Code": "authorizing"}}

    @operation
    def revoke_client_vpn_ingress(self, req, ClientVpnEndpointId, TargetNetworkCidr,
                                  AccessGroupId=None, RevokeAllGroups=None, **_):
        self.begin(req, self.arn_for(req, "client-vpn-endpoint", ClientVpnEndpointId))
        endpoint = self.cvpn_endpoint(req, ClientVpnEndpointId)
        cidr = self.cvpn_cidr(TargetNetworkCidr, "TargetNetworkCidr")
        gone = [r for r in endpoint.rules if r.destination_cidr == cidr and (
            RevokeAllGroups or r.group_id == AccessGroupId)]
        if not gone:
            raise fail("InvalidClientVpnEndpointAuthorizationRuleNotFound", f"No authorization "
                       f"rule for {cidr} on {ClientVpnEndpointId}.")
        endpoint.rules = [r for r in endpoint.rules if r not in gone]
        req.step("EC2 API", f"Revoke access to {cidr} on {ClientVpnEndpointId}", 2.0,
                 endpoint=ClientVpnEndpointId)
        return {"Status": {"Code": "revoking"}}

    @operation
    def describe_client_vpn_authorization_rules(self, req, ClientVpnEndpointId, Filters=None,
                                                MaxResults=None, NextToken=None, **_):
        self.begin(req)
        endpoint = self.cvpn_endpoint(req, ClientVpnEndpointId)

        def render(r):
            out = {"ClientVpnEndpointId": ClientVpnEndpointId, "Description": r.description}
            if r.group_id:
                out["GroupId"] = r.group_id
            out.update(AccessAll=r.access_all, DestinationCidr=r.destination_cidr,
                       Status={"Code": r.status})
            return out
        rows, more = self.cvpn_page(req, endpoint.rules, Filters, RULE_FILTERS,
                                lambda r: f"{r.destination_cidr}|{r.group_id}", render,
                                MaxResults, NextToken, f"authorization rules of "
                                                       f"{ClientVpnEndpointId}")
        return {"AuthorizationRules": rows, **more}

    # -- routes ----------------------------------------------------------------------------------
    @operation
    def create_client_vpn_route(self, req, ClientVpnEndpointId, DestinationCidrBlock,
                                TargetVpcSubnetId=None, Description="", **_):
        self.begin(req, self.arn_for(req, "client-vpn-endpoint", ClientVpnEndpointId))
        endpoint = self.cvpn_endpoint(req, ClientVpnEndpointId)
        cidr = self.cvpn_cidr(DestinationCidrBlock, "DestinationCidrBlock")
        if TargetVpcSubnetId is None:
            raise missing("TargetVpcSubnetId")
        if not endpoint.target_networks:
            raise fail("InvalidClientVpnActiveAssociationNotFound", f"{ClientVpnEndpointId} has "
                       "no associated target network.")
        if not any(t.subnet_id == TargetVpcSubnetId for t in endpoint.target_networks):
            raise fail("InvalidClientVpnSubnetId.NotFound", f"{TargetVpcSubnetId} is not a "
                       f"target network of {ClientVpnEndpointId}.")
        if any(r.destination_cidr == cidr and r.target_subnet == TargetVpcSubnetId
               for r in endpoint.routes):
            raise fail("InvalidClientVpnDuplicateRoute", f"The route {cidr} via "
                       f"{TargetVpcSubnetId} already exists.")
        if len(endpoint.routes) >= ml.CLIENT_VPN_ROUTES:
            raise fail("ClientVpnRouteLimitExceeded", "The maximum number of routes has been "
                                                      "reached.")
        endpoint.routes.append(ClientVpnRoute(cidr, TargetVpcSubnetId, "add-route",
                                              Description or ""))
        req.step("EC2 API", f"Route {cidr} of {ClientVpnEndpointId} through "
                 f"{TargetVpcSubnetId}", 2.0, endpoint=ClientVpnEndpointId)
        return {"Status": {"Code": "creating"}}

    @operation
    def delete_client_vpn_route(self, req, ClientVpnEndpointId, DestinationCidrBlock,
                                TargetVpcSubnetId=None, **_):
        self.begin(req, self.arn_for(req, "client-vpn-endpoint", ClientVpnEndpointId))
        endpoint = self.cvpn_endpoint(req, ClientVpnEndpointId)
        cidr = self.cvpn_cidr(DestinationCidrBlock, "DestinationCidrBlock")
        route = next((r for r in endpoint.routes if r.destination_cidr == cidr and (
            TargetVpcSubnetId is None or r.target_subnet == TargetVpcSubnetId)), None)
        if route is None:
            raise fail("InvalidClientVpnRouteNotFound", f"No route {cidr} on "
                                                        f"{ClientVpnEndpointId}.")
        if route.origin == "associate":
            raise fail("InvalidParameterValue", f"The route {cidr} was added by the "
                       "association of its subnet; disassociate the subnet to remove it.")
        endpoint.routes.remove(route)
        req.step("EC2 API", f"Delete route {cidr} of {ClientVpnEndpointId}", 2.0,
                 endpoint=ClientVpnEndpointId)
        return {"Status": {"Code": "deleting"}}

    @operation
    def describe_client_vpn_routes(self, req, ClientVpnEndpointId, Filters=None,
                                   MaxResults=None, NextToken=None, **_):
        self.begin(req)
        endpoint = self.cvpn_endpoint(req, ClientVpnEndpointId)

        def render(r):
            return {"ClientVpnEndpointId": ClientVpnEndpointId,
                    "DestinationCidr": r.destination_cidr, "TargetSubnet": r.target_subnet,
                    "Type": "Nat", "Origin": r.origin, "Status": {"Code": r.status},
                    "Description": r.description}
        rows, more = self.cvpn_page(req, endpoint.routes, Filters, ROUTE_FILTERS,
                                lambda r: f"{r.destination_cidr}|{r.target_subnet}", render,
                                MaxResults, NextToken, f"routes of {ClientVpnEndpointId}")
        return {"Routes": rows, **more}
