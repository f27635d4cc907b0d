"""What the connectivity options cost by the hour, metered on the simulated clock.

Hourly prices (us-east-1, secondary sources in the facts; Client VPN unconfirmed), on the
meter as ``("ec2", account, usage type)`` lines in hours:

- ``TransitGateway-AttachmentHours``: $0.05 per attachment-hour while the attachment is
  ``available``;
- ``VPN-ConnectionHours``: $0.05 per Site-to-Site VPN connection-hour while ``available``;
- ``VpcEndpoint-AZHours``: $0.01 per interface endpoint and AZ (subnet) per hour while
  ``pending`` or ``available``;
- ``ClientVPN-AssociationHours``: $0.10 per associated subnet-hour (the per-connection-hour
  charge needs connected users, which awskit does not simulate).

Peering and gateway endpoints have no hourly charge. Per-GB charges (TGW $0.02/GB processed,
interface endpoints, data transfer) are not metered: awskit moves no traffic volume. Metering
is exact: the store calls :meth:`LinkPricing.accrue_until` before each transition on the clock
(so every interval is billed with the state it had) and after each sync; the meter's reader
syncs first.
"""

from __future__ import annotations

from . import model_links as ml


class LinkPricing:
    """Hourly charges of transit gateway attachments, VPNs, interface endpoints, Client VPN."""

    def billable_links(self):
        """(account, usage type, units, price per unit-hour) of everything billed now."""
        for att in self.tgw_attachments.values():
            if att.state == "available":
                yield att.account, "TransitGateway-AttachmentHours", 1, att.hourly_price
        for vpn in self.vpn_connections.values():
            if vpn.state == "available":
                yield vpn.account, "VPN-ConnectionHours", 1, vpn.hourly_price
        for endpoint in self.vpc_endpoints.values():
            if endpoint.endpoint_type == "Interface" and endpoint.subnet_ids and \
                    endpoint.state in ("pending", "available"):
                yield endpoint.account, "VpcEndpoint-AZHours", len(endpoint.subnet_ids), \
                    ml.INTERFACE_ENDPOINT_AZ_HOUR
        for cvpn in self.client_vpn_endpoints.values():
            associated = sum(t.status == "associated" for t in cvpn.target_networks)
            if associated:
                yield cvpn.account, "ClientVPN-AssociationHours", associated, \
                    ml.CLIENT_VPN_ASSOCIATION_HOUR

    def accrue_until(self, until: float) -> None:
        """Bill the time since the last call up to ``until`` with the current state."""
        since = self.links_billed_until
        if until <= since:
            return
        hours = (until - since) / 3600.0
        for account, usage, units, price in self.billable_links():
            self.cloud.meter.add("ec2", account, usage, units * hours, units * hours * price,
                                 "Hrs")
        self.links_billed_until = until

    def sync(self) -> list[str]:
        notes = super().sync()
        self.accrue_until(self.cloud.clock.elapsed)
        return notes

    def accrue_links(self) -> None:
        """The meter's accruer: apply what fell due, then bill up to now."""
        self.sync()
