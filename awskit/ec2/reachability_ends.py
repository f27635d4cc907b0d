"""What a reachability question names as its source or destination, resolved to an
:class:`End`: an instance or ENI id (or ARN), an IPv4 address (private in a VPC, or public),
``"internet"`` (:data:`INTERNET`, also an ``igw-`` id: the internet through that gateway), an
on-premises network (``"onprem:<cgw-id>"`` or an address inside the networks behind a customer
gateway), a Client VPN user (``"clientvpn:<cvpn-endpoint-id>"``, optionally
``":<group-id>"`` for a user of that directory group), an AWS service through its endpoints
(``"s3"``, ``"service:dynamodb"``, ``"com.amazonaws.us-east-1.s3"``) or a PrivateLink service
(its ``vpce-svc-`` id or its service name). Anything else is a ``ValueError`` that says what
is accepted.

An instance stands for its primary network interface. Addresses awskit picks: the internet host is ``cloud.source_ip`` (203.0.113.10, in TEST-NET-3,
the address awskit's simulated clients call from); an on-premises host is the first host of
the first on-premises CIDR behind the customer gateway; a Client VPN user has the first host of
the client CIDR; an AWS service's public address is the first host of the first range of its
prefix list in the Region (see :func:`awskit.ec2.model_links.aws_prefix_lists`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .model_links import aws_prefix_lists
from .reachability_hops import EPHEMERAL_LINUX, is_private

from . import INTERNET  # awskit.ec2.INTERNET: the string "internet"
_ENDED = ("deleting", "deleted", "failed", "rejected", "expired")
_FORMS = ("an instance id (i-…), a network interface id (eni-…) or their ARN, an IPv4 address, "
          "'internet', 'onprem:<cgw-id>', 'clientvpn:<cvpn-endpoint-id>', 's3' / "
          "'service:dynamodb', or a PrivateLink service (vpce-svc-… or its service name)")


@dataclass
class End:
    """One end of a flow. ``kind``: ``eni`` | ``internet`` | ``onprem`` | ``clientvpn`` |
    ``service`` | ``privatelink``."""

    kind: str
    label: str
    region: str
    address: str | None = None
    eni: object = None
    instance: object = None
    resource: str = ""
    obj: object = None
    groups: tuple = ()
    public: bool = False
    ephemeral: tuple = EPHEMERAL_LINUX
    endpoint: str | None = None       # service/privatelink: the interface endpoint to use

    @property
    def account(self) -> str | None:
        for thing in (self.instance, self.eni, self.obj):
            if thing is not None and hasattr(thing, "account"):
                return thing.account
        return None

    def text(self) -> str:
        shown = self.label if self.address is None or self.address == self.label \
            else f"{self.label} ({self.address})"
        return shown


def first_host(cidr: str) -> str:
    net = ipaddress.ip_network(cidr)
    return str(net.network_address + 1) if net.num_addresses > 2 else str(net.network_address)


def resolve(net, what, region: str | None, role: str) -> End:
    """The :class:`End` that ``what`` names (``role`` is "source" or "destination")."""
    ec2 = net.ec2
    if not isinstance(what, str) or not what.strip():
        raise ValueError(f"a reachability {role} is a string: {_FORMS}")
    text = what.strip()
    if text.startswith("arn:aws:ec2:"):
        parts = text.split(":", 5)
        region = region or parts[3]
        text = parts[5].split("/", 1)[-1]
    default = region or ec2.cloud.default_region
    if text.lower() == INTERNET or text.startswith("igw-"):
        if text.startswith("igw-") and text not in ec2.internet_gateways:
            raise ValueError(f"no internet gateway {text}")
        return End("internet", INTERNET, default, ec2.cloud.source_ip)
    if text.startswith("vpce-") and not text.startswith("vpce-svc-"):
        return _endpoint(net, text, role)
    if text.startswith("i-"):
        instance = ec2.instances.get(text)
        if instance is None:
            raise ValueError(f"no instance {text}")
        eni = net.enis.get(instance.eni_ids[0]) if instance.eni_ids else None
        return End("eni", text, instance.region, eni.private_ip if eni else None, eni, instance)
    if text.startswith("eni-"):
        eni = net.enis.get(text)
        if eni is None:
            raise ValueError(f"no network interface {text}")
        return _of_eni(net, eni, text, eni.private_ip, role)
    if text.startswith(("onprem:", "cgw-")):
        return _onprem(net, text.split(":", 1)[-1], None)
    if text.startswith(("clientvpn:", "cvpn-endpoint-")):
        parts = text.split(":")
        name = parts[1] if parts[0] == "clientvpn" and len(parts) > 1 else parts[0]
        return _client_vpn(net, name, None, tuple(parts[2:3]) if parts[0] == "clientvpn"
                           else ())
    service = _service_name(net, text, default)
    if service is not None:
        if role == "source":
            raise ValueError(f"{service} answers connections but does not open them: use it "
                             "as a destination")
        return End("service", service, default, resource=service)
    svc = next((s for s in net.link("endpoint_services").values()
                if text in (s.service_id, s.service_name)), None)
    if svc is not None or text.startswith("vpce-svc-"):
        if svc is None:
            raise ValueError(f"no endpoint service {text}")
        if role == "source":
            raise ValueError("a PrivateLink service answers connections, it does not open them")
        return End("privatelink", svc.service_id, svc.region, resource=svc.service_id, obj=svc)
    return _address(net, text, region, role)


def _service_name(net, text: str, region: str) -> str | None:
    """``s3``, ``service:sqs``, ``com.amazonaws.<region>.logs`` → the service's short name,
    if it is one EC2 offers endpoints for (DescribeVpcEndpointServices' list)."""
    name = text.lower()
    if name.startswith("service:"):
        name = name.split(":", 1)[1]
    if name.startswith("com.amazonaws.") and not name.startswith("com.amazonaws.vpce."):
        name = name.split(".", 3)[-1]
    known = set(aws_prefix_lists(region))
    details = getattr(net.ec2, "aws_service_details", None)
    if details is not None:
        known.update(d["ServiceName"].split(".", 3)[-1] for d in details(region))
    known.update(e.service_name.split(".", 3)[-1] for e in net.link("vpc_endpoints").values()
                 if e.service_id is None)
    return name if name in known else None


def _of_eni(net, eni, label: str, address: str, role: str) -> End:
    """An interface as an end; an interface endpoint's interface stands for its service."""
    if eni.interface_type == "vpc_endpoint" and role == "destination":
        ep = next((e for e in net.link("vpc_endpoints").values() if eni.eni_id in e.eni_ids),
                  None)
        if ep is not None:
            end = _endpoint(net, ep.endpoint_id, role)
            end.label, end.address = label, address
            return end
    return End("eni", label, eni.region, address, eni, net.instance_of(eni))


def _endpoint(net, endpoint_id: str, role: str) -> End:
    ep = net.link("vpc_endpoints").get(endpoint_id)
    if ep is None:
        raise ValueError(f"no VPC endpoint {endpoint_id}")
    if role == "source":
        raise ValueError("a VPC endpoint carries connections to its service: use it as a "
                         "destination")
    if ep.service_id is not None:
        return End("privatelink", endpoint_id, ep.region, resource=ep.service_id,
                   endpoint=endpoint_id)
    short = ep.service_name.split(".", 3)[-1]
    return End("service", endpoint_id, ep.region, resource=short,
               endpoint=endpoint_id if ep.endpoint_type == "Interface" else None)


def _onprem(net, cgw_id: str, address: str | None) -> End:
    cgw = net.link("customer_gateways").get(cgw_id)
    if cgw is None:
        raise ValueError(f"no customer gateway {cgw_id}")
    if address is None:
        cidrs = [c for v in sorted(net.link("vpn_connections").values(), key=lambda v: v.vpn_id)
                 if v.cgw_id == cgw_id and v.state not in _ENDED
                 for c in net.on_premises_cidrs(v)] or list(cgw.advertised_cidrs)
        address = first_host(cidrs[0]) if cidrs else None
    return End("onprem", f"onprem:{cgw_id}", cgw.region, address, resource=cgw_id, obj=cgw)


def _client_vpn(net, endpoint_id: str, address: str | None, groups: tuple) -> End:
    cvpn = net.link("client_vpn_endpoints").get(endpoint_id)
    if cvpn is None:
        raise ValueError(f"no Client VPN endpoint {endpoint_id}")
    address = address or first_host(cvpn.client_cidr)
    return End("clientvpn", f"clientvpn:{endpoint_id}", cvpn.region, address,
               resource=endpoint_id, obj=cvpn, groups=groups)


def _address(net, text: str, region: str | None, role: str) -> End:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise ValueError(f"cannot tell what {text!r} is: a reachability {role} is {_FORMS}")
    if address.version != 4:
        raise ValueError("awskit's interfaces have IPv4 addresses only: give an IPv4 address")
    ip = str(address)
    owners = net.by_ip.get(ip, [])
    if region is not None and len(owners) > 1:
        owners = [e for e in owners if e.region == region] or owners
    if len(owners) > 1:
        raise ValueError(f"{ip} belongs to {len(owners)} interfaces "
                         f"({', '.join(sorted(e.eni_id for e in owners))}): name one by id")
    if owners:
        return _of_eni(net, owners[0], ip, ip, role)
    eni = net.by_public.get(ip)
    if eni is not None:
        return End("eni", ip, eni.region, ip, eni, net.instance_of(eni), public=True)
    for vpn in sorted(net.link("vpn_connections").values(), key=lambda v: v.vpn_id):
        if vpn.state not in _ENDED and any(address in ipaddress.ip_network(c)
                                           for c in net.on_premises_cidrs(vpn)):
            return _onprem(net, vpn.cgw_id, ip)
    for cvpn in net.link("client_vpn_endpoints").values():
        if address in ipaddress.ip_network(cvpn.client_cidr):
            return _client_vpn(net, cvpn.endpoint_id, ip, ())
    if is_private(ip):
        raise ValueError(f"no network interface, on-premises network or Client VPN client "
                         f"has the private address {ip}")
    return End("internet", ip, region or net.ec2.cloud.default_region, ip)
