"""VPC peering: Create/Accept/Reject/Delete/DescribeVpcPeeringConnections and
ModifyVpcPeeringConnectionOptions.

A request links the caller's VPC to a VPC of the same or another account (``PeerOwnerId``,
an account made with ``cloud.new_account()``) in the same or another Region (``PeerRegion``).
Lifecycle [PEER vpc-peering-basics.md; BC ec2:VpcPeeringConnectionStateReasonCode]:
``initiating-request`` → ``pending-acceptance`` (``PEERING_REQUEST`` s later) or ``failed`` (the
VPCs' CIDRs overlap, or the peer VPC does not exist); the accepter's owner accepts it
(``provisioning`` → ``active``, ``PEERING_PROVISIONING``) or rejects it (``rejected``); not
accepted within 7 days it is ``expired``; either owner deletes an active one, the requester a
pending one (``deleted``). Ended connections stay listed for a while (``PEERING_VISIBLE``), then
vanish. At most one live connection per VPC pair (``VpcPeeringConnectionAlreadyExists``); 25
outstanding requests per VPC, 50 active connections per VPC [VPCUG amazon-vpc-limits.md].
Deleting a VPC deletes its active connections and its own pending requests; a VPC with a
pending request from another account cannot be deleted until it is rejected
(``DependencyViolation``) [PEER delete-vpc-peering-connection.md].

Routes with ``VpcPeeringConnectionId`` work from either VPC while the connection is active
(``blackhole`` otherwise). What a packet may do across it (non-transitive, no edge-to-edge) is
in :mod:`awskit.ec2.model_links`. Each side's ``AllowDnsResolutionFromRemoteVpc`` is set by its
own owner and needs DNS hostnames and DNS support on both VPCs.

Who sees what: the requester in its Region; the accepter in its Region once the request has
reached it (not while ``initiating-request`` or ``failed``). No charge per hour (data transfer
only). Simplified: no IPv6 CIDRs; deleting skips the short ``deleting`` state.
"""

from __future__ import annotations

from ..clock import aws_datetime
from ..service import operation
from . import model_links as ml
from .codes import fail, missing, not_found
from .filters import check_filters, matches, paginate, select, tag_specifications, with_tags
from .model_links import PeeringConnection

_LIVE = ("initiating-request", "pending-acceptance", "provisioning", "active")

PEERING_FILTERS = {
    "accepter-vpc-info.cidr-block": lambda p: p.accepter_cidrs,
    "accepter-vpc-info.owner-id": lambda p: p.accepter_account,
    "accepter-vpc-info.vpc-id": lambda p: p.accepter_vpc_id,
    "expiration-time": lambda p: aws_datetime(p.created + ml.PEERING_EXPIRY).isoformat(),
    "requester-vpc-info.cidr-block": lambda p: p.requester_cidrs,
    "requester-vpc-info.owner-id": lambda p: p.account,
    "requester-vpc-info.vpc-id": lambda p: p.requester_vpc_id,
    "status-code": lambda p: p.state,
    "status-message": lambda p: p.message,
    "vpc-peering-connection-id": lambda p: p.pcx_id,
}


def _info(vpc_id, account, region, cidrs, dns, detailed: bool) -> dict:
    out = {}
    if detailed and cidrs:
        out.update(CidrBlock=cidrs[0], CidrBlockSet=[{"CidrBlock": c} for c in cidrs])
    out["OwnerId"] = account
    if detailed:
        out["PeeringOptions"] = {"AllowDnsResolutionFromRemoteVpc": dns,
                                 "AllowEgressFromLocalClassicLinkToRemoteVpc": False,
                                 "AllowEgressFromLocalVpcToRemoteClassicLink": False}
    out.update(VpcId=vpc_id, Region=region)
    return out


def peering_dict(pcx: PeeringConnection) -> dict:
    """As DescribeVpcPeeringConnections shows it: the accepter's CIDRs and both sides' options
    once the connection is established; the expiration time while it awaits acceptance."""
    live = pcx.state in ("provisioning", "active", "deleted", "deleting")
    out = {"AccepterVpcInfo": _info(pcx.accepter_vpc_id, pcx.accepter_account,
                                    pcx.accepter_region, pcx.accepter_cidrs, pcx.accepter_dns,
                                    live)}
    if pcx.state in ("initiating-request", "pending-acceptance"):
        out["ExpirationTime"] = aws_datetime(pcx.created + ml.PEERING_EXPIRY)
    out["RequesterVpcInfo"] = _info(pcx.requester_vpc_id, pcx.account, pcx.region,
                                    pcx.requester_cidrs, pcx.requester_dns, True)
    if not live:
        out["RequesterVpcInfo"].pop("PeeringOptions")
    out["Status"] = {"Code": pcx.state, "Message": pcx.message}
    with_tags(out, pcx.tags, always=True)
    out["VpcPeeringConnectionId"] = pcx.pcx_id
    return out


class PeeringOperations:
    """VPC peering connections, seen from both sides."""

    # -- lookups ---------------------------------------------------------------------------------
    def peering_visible(self, req, pcx: PeeringConnection) -> bool:
        if pcx.account == req.account and pcx.region == req.region:
            return True
        return pcx.accepter_account == req.account and pcx.accepter_region == req.region \
            and pcx.state not in ("initiating-request", "failed")

    def get(self, req, prefix: str, resource_id):
        """EC2Store.get, except that a peering connection is also the accepter's."""
        if prefix != "pcx":
            return super().get(req, prefix, resource_id)
        pcx = self.peering_connections.get(resource_id) if isinstance(resource_id, str) \
            else None
        if pcx is None or not self.peering_visible(req, pcx):
            raise not_found("pcx", resource_id)
        return pcx

    def peerings_of(self, vpc_id: str, states=_LIVE) -> list[PeeringConnection]:
        """The connections with ``vpc_id`` at one end, in ``states``."""
        return [p for p in self.peering_connections.values()
                if vpc_id in p.vpc_ids and p.state in states]

    def check_pcx_target(self, req, table, pcx_id: str, parameter: str) -> None:
        """CreateRoute/ReplaceRoute to a peering connection: one of the table's VPC's."""
        pcx = self.get(req, "pcx", pcx_id)
        if table.vpc_id not in pcx.vpc_ids or pcx.state not in _LIVE:
            raise not_found("pcx", pcx_id)

    def target_usable(self, vpc_id: str, route) -> bool:
        if route.target_type == "vpc-peering-connection":
            pcx = self.peering_connections.get(route.target_id)
            return pcx is not None and pcx.active and vpc_id in pcx.vpc_ids
        return super().target_usable(vpc_id, route)

    def vpc_dependencies(self, vpc_id: str) -> list[str]:
        """A pending request from another account to ``vpc_id`` keeps it from being deleted."""
        out = super().vpc_dependencies(vpc_id)
        return out + [p.pcx_id for p in self.peerings_of(vpc_id, ("pending-acceptance",))
                      if p.accepter_vpc_id == vpc_id and p.account != p.accepter_account]

    def sync(self) -> list[str]:
        """Peering connections whose VPC was deleted are deleted too, then EC2Store.sync."""
        for pcx in self.peering_connections.values():
            if pcx.state not in _LIVE:
                continue
            if pcx.requester_vpc_id not in self.vpcs:
                self.end_peering(pcx, "deleted", f"Deleted by {pcx.account}")
            elif pcx.accepter_vpc_id not in self.vpcs and pcx.state != "initiating-request":
                self.end_peering(pcx, "deleted", f"Deleted by {pcx.accepter_account}")
        return super().sync()

    def end_peering(self, pcx: PeeringConnection, state: str, message: str,
                    when: float | None = None) -> None:
        self.cancel_timers(pcx.pcx_id)
        pcx.state, pcx.message = state, message
        pcx.ended = self.cloud.clock.elapsed if when is None else when
        self.schedule(pcx.ended + ml.PEERING_VISIBLE[state] - self.cloud.clock.elapsed,
                      "peering-gone", pcx.pcx_id)

    # -- create ----------------------------------------------------------------------------------
    @operation
    def create_vpc_peering_connection(self, req, VpcId, PeerVpcId=None, PeerOwnerId=None,
                                      PeerRegion=None, TagSpecifications=None, **_):
        self.begin(req, self.arn_for(req, "vpc-peering-connection"))
        vpc = self.get(req, "vpc", VpcId)
        if PeerVpcId is None:
            raise missing("PeerVpcId")
        owner = PeerOwnerId or req.account
        region = PeerRegion or req.region
        if owner not in self.cloud.iam.accounts:
            raise fail("InvalidParameterValue", f"Invalid value '{owner}' for peerOwnerId: "
                                                "not an AWS account ID.")
        if region not in self.cloud.regions:
            raise fail("InvalidParameterValue", f"Invalid value '{region}' for peerRegion.")
        if PeerVpcId == VpcId:
            raise fail("InvalidParameterValue", f"A VPC cannot be peered with itself: {VpcId}")
        tags = tag_specifications(TagSpecifications, "vpc-peering-connection")
        peer = self.vpcs.get(PeerVpcId)
        if peer is not None and (peer.account != owner or peer.region != region):
            peer = None
        if peer is None and owner == req.account and region == req.region:
            raise not_found("vpc", PeerVpcId)
        if any({VpcId, PeerVpcId} == set(p.vpc_ids) for p in self.peerings_of(VpcId)):
            raise fail("VpcPeeringConnectionAlreadyExists", f"A VPC peering connection between "
                       f"{VpcId} and {PeerVpcId} already exists.")
        outstanding = [p for p in self.peerings_of(VpcId, ("initiating-request",
                                                           "pending-acceptance"))
                       if p.requester_vpc_id == VpcId]
        if len(outstanding) >= ml.PEERINGS_OUTSTANDING:
            raise fail("OutstandingVpcPeeringConnectionLimitExceeded", "You have reached the "
                       f"limit of {ml.PEERINGS_OUTSTANDING} outstanding VPC peering connection "
                       f"requests for {VpcId}.")
        pcx = PeeringConnection(self.new_id("pcx"), req.account, req.region, VpcId, PeerVpcId,
                                owner, region, self.cloud.clock.elapsed,
                                requester_cidrs=[c.cidr for c in vpc.cidrs],
                                message=f"Initiating Request to {owner}", tags=tags)
        self.peering_connections[pcx.pcx_id] = pcx
        self.schedule(ml.PEERING_REQUEST, "peering-requested", pcx.pcx_id)
        where = "" if region == req.region else f" in {region}"
        req.step("EC2 API", f"Request peering {pcx.pcx_id}: {VpcId} ↔ {PeerVpcId} (account "
                 f"{owner}{where}); it must be accepted within 7 days", 4.0,
                 peering=pcx.pcx_id)
        return {"VpcPeeringConnection": peering_dict(pcx)}

    def _on_peering_requested(self, pcx_id: str, when: float) -> str | None:
        pcx = self.peering_connections.get(pcx_id)
        if pcx is None or pcx.state != "initiating-request":
            return None
        peer = self.vpcs.get(pcx.accepter_vpc_id)
        mine = self.vpcs.get(pcx.requester_vpc_id)
        exists = peer is not None and peer.account == pcx.accepter_account and \
            peer.region == pcx.accepter_region and mine is not None
        overlap = exists and any(a.overlaps(b) for a in mine.networks for b in peer.networks)
        if not exists or overlap:
            self.end_peering(pcx, "failed", "Failed due to incorrect VPC-ID, Account ID, or "
                                            "overlapping CIDR range", when)
            why = "their CIDRs overlap" if overlap else "the peer VPC does not exist"
            return f"Peering {pcx_id} failed: {why}"
        pcx.state, pcx.message = "pending-acceptance", f"Pending Acceptance by " \
                                                       f"{pcx.accepter_account}"
        self.schedule(pcx.created + ml.PEERING_EXPIRY - self.cloud.clock.elapsed,
                      "peering-expired", pcx_id)
        return f"Peering {pcx_id} awaits acceptance by {pcx.accepter_account}"

    def _on_peering_expired(self, pcx_id: str, when: float) -> str | None:
        pcx = self.peering_connections.get(pcx_id)
        if pcx is not None and pcx.state == "pending-acceptance":
            self.end_peering(pcx, "expired", "Expired", when)
            return f"Peering request {pcx_id} expired (not accepted within 7 days)"
        return None

    def _on_peering_active(self, pcx_id: str, when: float) -> str | None:
        pcx = self.peering_connections.get(pcx_id)
        if pcx is not None and pcx.state == "provisioning":
            pcx.state, pcx.message = "active", "Active"
            return f"Peering {pcx_id} is active"
        return None

    def _on_peering_gone(self, pcx_id: str, when: float) -> str | None:
        self.peering_connections.pop(pcx_id, None)
        return None

    # -- accept, reject, delete -------------------------------------------------------------
    def peering_as_accepter(self, req, pcx: PeeringConnection, verb: str) -> None:
        if pcx.accepter_account != req.account or pcx.accepter_region != req.region:
            raise fail("OperationNotPermitted", f"User {req.account} cannot {verb} peering "
                       f"{pcx.pcx_id}: only the owner of {pcx.accepter_vpc_id} can, in "
                       f"{pcx.accepter_region}.")
        if pcx.state != "pending-acceptance":
            raise fail("InvalidStateTransition", f"Invalid state transition for "
                       f"{pcx.pcx_id}, attempted to transition from {pcx.state} to "
                       f"{'active' if verb == 'accept' else 'rejected'}")

    @operation
    def accept_vpc_peering_connection(self, req, VpcPeeringConnectionId, **_):
        self.begin(req, self.arn_for(req, "vpc-peering-connection", VpcPeeringConnectionId))
        pcx = self.get(req, "pcx", VpcPeeringConnectionId)
        self.peering_as_accepter(req, pcx, "accept")
        for vpc_id in pcx.vpc_ids:
            if len(self.peerings_of(vpc_id, ("provisioning", "active"))) >= \
                    ml.PEERINGS_ACTIVE_PER_VPC:
                raise fail("ActiveVpcPeeringConnectionPerVpcLimitExceeded", f"{vpc_id} has "
                           f"reached its limit of {ml.PEERINGS_ACTIVE_PER_VPC} active VPC "
                           "peering connections.")
        self.cancel_timers(pcx.pcx_id)
        pcx.state, pcx.message = "provisioning", "Provisioning"
        pcx.accepter_cidrs = [c.cidr for c in self.vpcs[pcx.accepter_vpc_id].cidrs]
        self.schedule(ml.PEERING_PROVISIONING, "peering-active", pcx.pcx_id)
        req.step("EC2 API", f"Accept peering {pcx.pcx_id}: provisioning; both VPCs still need "
                 "routes to it", 4.0, peering=pcx.pcx_id)
        return {"VpcPeeringConnection": peering_dict(pcx)}

    @operation
    def reject_vpc_peering_connection(self, req, VpcPeeringConnectionId, **_):
        self.begin(req, self.arn_for(req, "vpc-peering-connection", VpcPeeringConnectionId))
        pcx = self.get(req, "pcx", VpcPeeringConnectionId)
        self.peering_as_accepter(req, pcx, "reject")
        self.end_peering(pcx, "rejected", f"Rejected by {req.account}")
        req.step("EC2 API", f"Reject peering {pcx.pcx_id}", 2.0, peering=pcx.pcx_id)
        return {"Return": True}

    @operation
    def delete_vpc_peering_connection(self, req, VpcPeeringConnectionId, **_):
        self.begin(req, self.arn_for(req, "vpc-peering-connection", VpcPeeringConnectionId))
        pcx = self.get(req, "pcx", VpcPeeringConnectionId)
        requester = pcx.account == req.account and pcx.region == req.region
        allowed = pcx.state in ("active", "provisioning") or \
            (requester and pcx.state in ("initiating-request", "pending-acceptance"))
        if not allowed:
            raise fail("InvalidStateTransition", f"Invalid state transition for {pcx.pcx_id}, "
                       f"attempted to transition from {pcx.state} to deleted")
        self.end_peering(pcx, "deleted", f"Deleted by {req.account}")
        self.refresh_routes()
        req.step("VPC router", f"Delete peering {pcx.pcx_id}: routes to it are now "
                 "blackholes", 3.0, peering=pcx.pcx_id)
        return {"Return": True}

    # -- describe and options ---------------------------------------------------------------
    @operation
    def describe_vpc_peering_connections(self, req, VpcPeeringConnectionIds=None, Filters=None,
                                         MaxResults=None, NextToken=None, **_):
        self.begin(req)
        check_filters(Filters, PEERING_FILTERS)
        seen = sorted((p for p in self.peering_connections.values()
                       if self.peering_visible(req, p)), key=lambda p: p.pcx_id)
        found = select(seen, VpcPeeringConnectionIds, lambda p: p.pcx_id, "pcx", not_found)
        found = [p for p in found if matches(p, Filters, PEERING_FILTERS)]
        page, token = paginate(req, found, lambda p: p.pcx_id, MaxResults, NextToken)
        req.step("EC2 API", f"Describe VPC peering connections of {req.account} in "
                 f"{req.region}: {len(page)}", 2.0)
        out = {"VpcPeeringConnections": [peering_dict(p) for p in page]}
        if token:
            out["NextToken"] = token
        return out

    @operation
    def modify_vpc_peering_connection_options(self, req, VpcPeeringConnectionId,
                                              AccepterPeeringConnectionOptions=None,
                                              RequesterPeeringConnectionOptions=None, **_):
        self.begin(req, self.arn_for(req, "vpc-peering-connection", VpcPeeringConnectionId))
        pcx = self.get(req, "pcx", VpcPeeringConnectionId)
        sides = {"Requester": RequesterPeeringConnectionOptions,
                 "Accepter": AccepterPeeringConnectionOptions}
        if not any(sides.values()):
            raise missing("RequesterPeeringConnectionOptions or "
                          "AccepterPeeringConnectionOptions")
        if pcx.state != "active":
            raise fail("OperationNotPermitted", f"Peering {pcx.pcx_id} is {pcx.state}: options "
                                                "can be changed only while it is active.")
        owners = {"Requester": (pcx.account, pcx.region),
                  "Accepter": (pcx.accepter_account, pcx.accepter_region)}
        for side, options in sides.items():
            if options is None:
                continue
            if owners[side] != (req.account, req.region):
                raise fail("OperationNotPermitted", f"User {req.account} cannot modify the "
                           f"{side.lower()} options of {pcx.pcx_id}.")
            for key in options:
                if key != "AllowDnsResolutionFromRemoteVpc" and options[key]:
                    raise fail("InvalidParameterValue", f"{key}: ClassicLink is not "
                                                        "supported.")
        if any((o or {}).get("AllowDnsResolutionFromRemoteVpc") for o in sides.values()):
            for vpc_id in pcx.vpc_ids:
                vpc = self.vpcs.get(vpc_id)
                if vpc is None or not (vpc.enable_dns_hostnames and vpc.enable_dns_support):
                    raise fail("InvalidVpcPeeringConnectionState.DnsHostnamesDisabled",
                               f"Unable to modify peering connection options {pcx.pcx_id}: "
                               f"DNS hostnames and DNS support must be enabled on {vpc_id}.")
        out = {}
        for side, options in sides.items():
            if options is None:
                continue
            flag = bool(options.get("AllowDnsResolutionFromRemoteVpc", False))
            setattr(pcx, "requester_dns" if side == "Requester" else "accepter_dns", flag)
            out[f"{side}PeeringConnectionOptions"] = {
                "AllowDnsResolutionFromRemoteVpc": flag,
                "AllowEgressFromLocalClassicLinkToRemoteVpc": False,
                "AllowEgressFromLocalVpcToRemoteClassicLink": False}
        req.step("EC2 API", f"Set the DNS resolution options of {pcx.pcx_id}", 2.0,
                 peering=pcx.pcx_id)
        return out

