"""Client VPN: endpoints, target networks (subnet associations), authorization rules and routes.

An endpoint is a managed OpenVPN server for remote users [CVPN what-is.md]: its client CIDR
(a /12 to /22 IPv4 block, immutable) is where connected users get their addresses; its server
certificate is an ACM certificate ARN (awskit checks the ARN's form only: ACM is not
simulated); users authenticate with mutual certificates, Active Directory or SAML federation
(AD and federation exclusive; at most two methods) [CVPN client-authentication.md]. It starts
``pending-associate`` and is ``available`` once a subnet association is ``associated``
(``CLIENT_VPN_ASSOCIATING`` s). Associating a subnet (one per AZ, all in one VPC, whose CIDRs
must not overlap the client CIDR) puts a requester-managed interface there, with the endpoint's
security groups (the VPC's default group if none were given), to which user traffic is
source-NATed, and adds a route to the VPC's CIDRs (origin ``associate``). Users reach nothing
until an authorization rule allows the destination [CVPN cvpn-working-rules.md]; routes send
other destinations (e.g. 0.0.0.0/0 for the internet) through an associated subnet.
An endpoint with associations cannot be deleted (``DependencyViolation``: awskit's choice of
code; AWS asks to disassociate first). Quotas: 5 endpoints per Region, 50 authorization rules,
10 routes per endpoint [CVPN limits.md]. Price per subnet-association hour and connection hour
(≈$0.10 / ≈$0.05, unconfirmed; ``ClientVpnEndpoint.hourly_price``).

How a user's packet is then carried is in :mod:`awskit.ec2.model_links`. Simplified: rules and
routes take effect at once (the responses show ``authorizing`` / ``creating`` as AWS does);
no client connect handlers, login banners, self-service portal, IPv6 or TGW-attached
endpoints (NotImplemented); ``ConnectionLogOptions`` are stored, not used.
"""

from __future__ import annotations

import ipaddress
import re

from ..clock import aws_datetime
from ..service import operation
from . import model_links as ml
from .codes import dependency, fail, invalid_value, missing, not_implemented
from .filters import check_filters, matches, paginate, tag_specifications, with_tags
from .model_links import (ClientVpnAuthorizationRule, ClientVpnEndpoint, ClientVpnRoute,
                          ClientVpnTargetNetwork)

_CERT_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$")
#: request member → (response member, request key → response key)
_AUTH = {"certificate-authentication": ("MutualAuthentication",
                                        {"ClientRootCertificateChainArn":
                                         "ClientRootCertificateChain"}),
         "directory-service-authentication": ("ActiveDirectory", {"DirectoryId": "DirectoryId"}),
         "federated-authentication": ("FederatedAuthentication",
                                      {"SAMLProviderArn": "SamlProviderArn",
                                       "SelfServiceSAMLProviderArn":
                                       "SelfServiceSamlProviderArn"})}
ENDPOINT_FILTERS = {"endpoint-id": lambda e: e.endpoint_id,
                    "transport-protocol": lambda e: e.transport}
TARGET_FILTERS = {"association-id": lambda t: t.association_id,
                  "target-network-id": lambda t: t.subnet_id, "vpc-id": lambda t: t.vpc_id}


def _authentication(options: list[dict]) -> list[dict]:
    """The AuthenticationOptions as DescribeClientVpnEndpoints shows them, validated."""
    if not options or len(options) > 2:
        raise invalid_value("AuthenticationOptions", len(options or []),
                            "Specify one or two authentication options.")
    types = [o.get("Type") for o in options]
    if {"directory-service-authentication", "federated-authentication"} <= set(types) or \
            len(set(types)) != len(types):
        raise fail("InvalidParameterCombination", "Active Directory and federated "
                   "authentication cannot be combined, nor a type given twice.")
    out = []
    for option in options:
        kind = option.get("Type")
        if kind not in _AUTH:
            raise invalid_value("AuthenticationOptions.Type", kind)
        member, keys = _AUTH[kind]
        given = option.get(member) or {}
        first = next(iter(keys))
        if not given.get(first):
            raise missing(f"AuthenticationOptions.{member}.{first}")
        out.append({"Type": kind, member: {keys[k]: v for k, v in given.items() if k in keys}})
    return out


class ClientVpnOperations:
    """Client VPN endpoints."""

    def cvpn_dict(self, endpoint: ClientVpnEndpoint) -> dict:
        log = {"Enabled": bool(endpoint.connection_log.get("Enabled"))}
        for key in ("CloudwatchLogGroup", "CloudwatchLogStream"):
            if endpoint.connection_log.get(key):
                log[key] = endpoint.connection_log[key]
        out = {"ClientVpnEndpointId": endpoint.endpoint_id,
               "Description": endpoint.description,
               "Status": {"Code": endpoint.state},
               "CreationTime": aws_datetime(endpoint.created).strftime("%Y-%m-%dT%H:%M:%S"),
               "DnsName": self.client_vpn_dns(endpoint),
               "ClientCidrBlock": endpoint.client_cidr, "DnsServers": list(endpoint.dns_servers),
               "SplitTunnel": endpoint.split_tunnel, "VpnProtocol": "openvpn",
               "TransportProtocol": endpoint.transport, "VpnPort": endpoint.vpn_port,
               "AssociatedTargetNetworks": [{"NetworkId": t.vpc_id, "NetworkType": "vpc"}
                                            for t in endpoint.target_networks],
               "ServerCertificateArn": endpoint.server_certificate_arn,
               "AuthenticationOptions": endpoint.authentication,
               "ConnectionLogOptions": log}
        with_tags(out, endpoint.tags, always=True)
        out["SecurityGroupIds"] = list(endpoint.group_ids)
        if endpoint.vpc_id:
            out["VpcId"] = endpoint.vpc_id
        out.update(ClientConnectOptions={"Enabled": False, "Status": {"Code": "applied"}},
                   SessionTimeoutHours=endpoint.session_timeout_hours,
                   ClientLoginBannerOptions={"Enabled": False},
                   DisconnectOnSessionTimeout=True)
        return out

    @staticmethod
    def client_vpn_dns(endpoint: ClientVpnEndpoint) -> str:
        return f"*.{endpoint.endpoint_id}.prod.clientvpn.{endpoint.region}.amazonaws.com"

    @staticmethod
    def cvpn_cidr(value, parameter: str) -> str:
        try:
            return str(ipaddress.IPv4Network(str(value), strict=False))
        except ValueError:
            raise invalid_value(parameter, value, "This is not a valid CIDR block.")

    def cvpn_endpoint(self, req, endpoint_id) -> ClientVpnEndpoint:
        return self.get(req, "cvpn-endpoint", endpoint_id)

    def cvpn_page(self, req, items, filters, spec, key, render, max_results, next_token, what):
        check_filters(filters, spec)
        found = [i for i in items if matches(i, filters, spec)]
        page, token = paginate(req, found, key, max_results, next_token)
        req.step("EC2 API", f"Describe {what}: {len(page)}", 2.0)
        return [render(i) for i in page], ({"NextToken": token} if token else {})

    # -- endpoints -------------------------------------------------------------------------------
    @operation
    def create_client_vpn_endpoint(self, req, ServerCertificateArn, AuthenticationOptions,
                                   ConnectionLogOptions, ClientCidrBlock=None, DnsServers=None,
                                   TransportProtocol="udp", VpnPort=443, Description="",
                                   SplitTunnel=False, TagSpecifications=None,
                                   SecurityGroupIds=None, VpcId=None, SessionTimeoutHours=24,
                                   **params):
        self.begin(req, self.arn_for(req, "client-vpn-endpoint"))
        if params.get("SelfServicePortal") == "enabled" \
                or params.get("TransitGatewayConfiguration") \
                or (params.get("ClientConnectOptions") or {}).get("Enabled") \
                or (params.get("ClientLoginBannerOptions") or {}).get("Enabled"):
            raise not_implemented("Client VPN portals, connect handlers, banners and TGW "
                                  "endpoints")
        if ClientCidrBlock is None:
            raise missing("ClientCidrBlock")
        try:
            client = ipaddress.IPv4Network(ClientCidrBlock, strict=False)
        except ValueError:
            raise invalid_value("ClientCidrBlock", ClientCidrBlock,
                                "This is not a valid IPv4 CIDR block.")
        if not 12 <= client.prefixlen <= 22:
            raise invalid_value("ClientCidrBlock", ClientCidrBlock,
                                "The client CIDR must be between /12 and /22.")
        if not _CERT_ARN.match(ServerCertificateArn or ""):
            raise invalid_value("ServerCertificateArn", ServerCertificateArn,
                                "Expecting an ACM certificate ARN.")
        authentication = _authentication(AuthenticationOptions)
        log = dict(ConnectionLogOptions or {})
        if log.get("Enabled") and not log.get("CloudwatchLogGroup"):
            raise missing("ConnectionLogOptions.CloudwatchLogGroup")
        if TransportProtocol not in ("udp", "tcp"):
            raise invalid_value("TransportProtocol", TransportProtocol)
        if VpnPort not in (443, 1194):
            raise invalid_value("VpnPort", VpnPort, "Valid ports are 443 and 1194.")
        if SessionTimeoutHours not in (8, 10, 12, 24):
            raise invalid_value("SessionTimeoutHours", SessionTimeoutHours,
                                "Valid values are 8, 10, 12 and 24.")
        if len(DnsServers or []) > 2:
            raise invalid_value("DnsServers", DnsServers, "At most two DNS servers.")
        groups = list(SecurityGroupIds or [])
        if groups and VpcId is None:
            raise missing("VpcId")
        if VpcId is not None:
            self.get(req, "vpc", VpcId)
            for group_id in groups:
                if self.get(req, "sg", group_id).vpc_id != VpcId:
                    raise fail("InvalidParameterValue", f"Security group {group_id} is not in "
                                                        f"{VpcId}.")
        tags = tag_specifications(TagSpecifications, "client-vpn-endpoint")
        if len(self.mine(req, "cvpn-endpoint")) >= ml.CLIENT_VPNS_PER_REGION:
            raise fail("ClientVpnEndpointLimitExceeded", "The maximum number of Client VPN "
                                                         "endpoints has been reached.")
        endpoint = ClientVpnEndpoint(
            self.new_id("cvpn-endpoint"), req.account, req.region, str(client),
            ServerCertificateArn, self.cloud.clock.elapsed, authentication=authentication,
            connection_log=log, dns_servers=list(DnsServers or []), transport=TransportProtocol,
            vpn_port=VpnPort, split_tunnel=bool(SplitTunnel), vpc_id=VpcId, group_ids=groups,
            description=Description or "", session_timeout_hours=SessionTimeoutHours, tags=tags)
        self.client_vpn_endpoints[endpoint.endpoint_id] = endpoint
        req.step("EC2 API", f"Create Client VPN endpoint {endpoint.endpoint_id} (clients get "
                 f"addresses from {client}); pending-associate until a subnet is associated",
                 6.0, endpoint=endpoint.endpoint_id)
        return {"ClientVpnEndpointId": endpoint.endpoint_id,
                "Status": {"Code": endpoint.state}, "DnsName": self.client_vpn_dns(endpoint)}

    @operation
    def describe_client_vpn_endpoints(self, req, ClientVpnEndpointIds=None, Filters=None,
                                      MaxResults=None, NextToken=None, **_):
        self.begin(req)
        return self.listing(req, "cvpn-endpoint", ClientVpnEndpointIds, Filters,
                            ENDPOINT_FILTERS, MaxResults, NextToken, "ClientVpnEndpoints",
                            self.cvpn_dict, "Client VPN endpoints")

    @operation
    def delete_client_vpn_endpoint(self, req, ClientVpnEndpointId, **_):
        self.begin(req, self.arn_for(req, "client-vpn-endpoint", ClientVpnEndpointId))
        endpoint = self.cvpn_endpoint(req, ClientVpnEndpointId)
        if endpoint.target_networks:
            raise dependency("clientVpnEndpoint", ClientVpnEndpointId)
        del self.client_vpn_endpoints[ClientVpnEndpointId]
        req.step("EC2 API", f"Delete Client VPN endpoint {ClientVpnEndpointId}", 3.0,
                 endpoint=ClientVpnEndpointId)
        return {"Status": {"Code": "deleting"}}

    # -- target networks -------------------------------------------------------------------------
    @operation
    def associate_client_vpn_target_network(self, req, ClientVpnEndpointId, SubnetId=None,
                                            AvailabilityZone=None, AvailabilityZoneId=None, **_):
        self.begin(req, self.arn_for(req, "client-vpn-endpoint", ClientVpnEndpointId))
        endpoint = self.cvpn_endpoint(req, ClientVpnEndpointId)
        if AvailabilityZone or AvailabilityZoneId:
            raise not_implemented("TGW-attached Client VPN endpoints")
        if SubnetId is None:
            raise missing("SubnetId")
        subnet = self.get(req, "subnet", SubnetId)
        if any(t.subnet_id == SubnetId for t in endpoint.target_networks):
            raise fail("InvalidClientVpnDuplicateAssociationException", f"{SubnetId} is already "
                       f"associated with {ClientVpnEndpointId}.")
        if endpoint.vpc_id and subnet.vpc_id != endpoint.vpc_id:
            raise fail("InvalidClientVpnSubnetId.NotFound", f"{SubnetId} is not in "
                       f"{endpoint.vpc_id}, the VPC of {ClientVpnEndpointId}.")
        if any(self.subnets[t.subnet_id].az == subnet.az for t in endpoint.target_networks
               if t.subnet_id in self.subnets):
            raise fail("InvalidClientVpnSubnetId.DuplicateAz", f"A subnet of {subnet.az} is "
                       f"already associated with {ClientVpnEndpointId}.")
        vpc = self.vpcs[subnet.vpc_id]
        client = ipaddress.ip_network(endpoint.client_cidr)
        if any(client.overlaps(n) for n in vpc.networks):
            raise fail("InvalidClientVpnSubnetId.OverlappingCidr", f"The client CIDR {client} "
                       f"overlaps the CIDR of {vpc.vpc_id}.")
        if self.available_count(subnet) < 1:
            raise fail("InsufficientFreeAddressesInSubnet", f"Subnet {SubnetId} has no free "
                                                           "address.")
        endpoint.vpc_id = vpc.vpc_id
        if not endpoint.group_ids:
            endpoint.group_ids = [self.default_group(vpc.vpc_id).group_id]
        eni = self.build_eni(subnet, None, endpoint.group_ids, "ClientVPN Endpoint resource",
                             requester_managed=True)
        target = ClientVpnTargetNetwork(self.new_id("cvpn-assoc"), SubnetId, vpc.vpc_id,
                                        eni.eni_id)
        endpoint.target_networks.append(target)
        for cidr in vpc.cidrs:
            if not any(r.destination_cidr == cidr.cidr and r.target_subnet == SubnetId
                       for r in endpoint.routes):
                endpoint.routes.append(ClientVpnRoute(cidr.cidr, SubnetId, "associate",
                                                      "Default Route", "creating"))
        self.schedule(ml.CLIENT_VPN_ASSOCIATING, "cvpn-associated", target.association_id)
        req.step("EC2 API", f"Associate {SubnetId} ({subnet.az}) with {ClientVpnEndpointId}: "
                 f"client traffic leaves through {eni.eni_id} {eni.private_ip}; route to "
                 f"{', '.join(c.cidr for c in vpc.cidrs)} added", 5.0,
                 endpoint=ClientVpnEndpointId)
        return {"AssociationId": target.association_id, "Status": {"Code": "associating"}}

    def _on_cvpn_associated(self, association_id: str, when: float) -> str | None:
        for endpoint in self.client_vpn_endpoints.values():
            for target in endpoint.target_networks:
                if target.association_id == association_id and target.status == "associating":
                    target.status = "associated"
                    for route in endpoint.routes:
                        if route.target_subnet == target.subnet_id:
                            route.status = "active"
                    endpoint.state = "available"
                    return f"Client VPN endpoint {endpoint.endpoint_id} is associated with " \
                           f"{target.subnet_id}"
        return None

    @operation
    def disassociate_client_vpn_target_network(self, req, ClientVpnEndpointId, AssociationId,
                                               **_):
        self.begin(req, self.arn_for(req, "client-vpn-endpoint", ClientVpnEndpointId))
        endpoint = self.cvpn_endpoint(req, ClientVpnEndpointId)
        target = next((t for t in endpoint.target_networks
                       if t.association_id == AssociationId), None)
        if target is None:
            raise fail("InvalidClientVpnAssociationIdNotFound", f"The association "
                       f"{AssociationId} does not exist for {ClientVpnEndpointId}.")
        self.cancel_timers(AssociationId)
        endpoint.target_networks.remove(target)
        endpoint.routes = [r for r in endpoint.routes if r.target_subnet != target.subnet_id]
        self.network_interfaces.pop(target.eni_id, None)
        if not any(t.status == "associated" for t in endpoint.target_networks):
            endpoint.state = "pending-associate"
        req.step("EC2 API", f"Disassociate {target.subnet_id} from {ClientVpnEndpointId}; its "
                 "routes are removed", 3.0, endpoint=ClientVpnEndpointId)
        return {"AssociationId": AssociationId, "Status": {"Code": "disassociating"}}

    @operation
    def describe_client_vpn_target_networks(self, req, ClientVpnEndpointId, AssociationIds=None,
                                            Filters=None, MaxResults=None, NextToken=None, **_):
        self.begin(req)
        endpoint = self.cvpn_endpoint(req, ClientVpnEndpointId)
        items = [t for t in endpoint.target_networks
                 if not AssociationIds or t.association_id in AssociationIds]

        def render(t):
            subnet = self.subnets.get(t.subnet_id)
            return {"AssociationId": t.association_id, "VpcId": t.vpc_id,
                    "TargetNetworkId": t.subnet_id, "ClientVpnEndpointId": ClientVpnEndpointId,
                    "Status": {"Code": t.status}, "SecurityGroups": list(endpoint.group_ids),
                    "AvailabilityZones": [subnet.az] if subnet else []}
        rows, more = self.cvpn_page(req, items, Filters, TARGET_FILTERS,
                                lambda t: t.association_id, render, MaxResults, NextToken,
                                f"target networks of {ClientVpnEndpointId}")
        return {"ClientVpnTargetNetworks": rows, **more}
