"""EC2's error codes. EC2 answers every client error with HTTP 400 (``UnauthorizedOperation``
403, ``AuthFailure`` 401, ``DryRunOperation`` 412) and a ``<Response><Errors><Error>`` body
that botocore parses into ``Error.Code`` / ``Error.Message`` (no ``Type``, unlike IAM's query
protocol) [https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html;
botocore parsers.EC2QueryParser]. The codes are the documented ones; the messages follow the
wording EC2 uses (``The vpc ID 'vpc-1' does not exist``)."""

from __future__ import annotations

from .. import errors

errors.define("UnauthorizedOperation", 403, "You are not authorized to perform this operation.")
errors.define("AuthFailure", 401, "AWS was not able to validate the provided access credentials")
errors.define("DryRunOperation", 412, "Request would have succeeded, but DryRun flag is set.")

#: id prefix → (NotFound code, the noun EC2's message uses)
KINDS = {
    "vpc": ("InvalidVpcID.NotFound", "vpc ID"),
    "subnet": ("InvalidSubnetID.NotFound", "subnet ID"),
    "rtb": ("InvalidRouteTableID.NotFound", "routeTable ID"),
    "igw": ("InvalidInternetGatewayID.NotFound", "internetGateway ID"),
    "eigw": ("InvalidEgressOnlyInternetGatewayId.NotFound", "egress-only internet gateway ID"),
    "nat": ("NatGatewayNotFound", "NAT gateway"),
    "eipalloc": ("InvalidAllocationID.NotFound", "allocation ID"),
    "sg": ("InvalidGroup.NotFound", "security group"),
    "sgr": ("InvalidSecurityGroupRuleId.NotFound", "security group rule ID"),
    "acl": ("InvalidNetworkAclID.NotFound", "networkAcl ID"),
    "eni": ("InvalidNetworkInterfaceID.NotFound", "networkInterface ID"),
    "i": ("InvalidInstanceID.NotFound", "instance ID"),
    "pcx": ("InvalidVpcPeeringConnectionID.NotFound", "vpcPeeringConnection ID"),
    "tgw": ("InvalidTransitGatewayID.NotFound", "transitGateway ID"),
    "vgw": ("InvalidVpnGatewayID.NotFound", "vpnGateway ID"),
    "vpce": ("InvalidVpcEndpointId.NotFound", "vpcEndpoint ID"),
    # the connectivity options (peering.py, transit.py, vpn.py, client_vpn.py, endpoints.py)
    "tgw-attach": ("InvalidTransitGatewayAttachmentID.NotFound", "transitGatewayAttachment ID"),
    "tgw-rtb": ("InvalidRouteTableID.NotFound", "transitGatewayRouteTable ID"),
    "cgw": ("InvalidCustomerGatewayID.NotFound", "customerGateway ID"),
    "vpn": ("InvalidVpnConnectionID.NotFound", "vpnConnection ID"),
    "cvpn-endpoint": ("InvalidClientVpnEndpointId.NotFound", "clientVpnEndpoint ID"),
    "vpce-svc": ("InvalidVpcEndpointServiceId.NotFound", "vpcEndpointService ID"),
}


def fail(code: str, message: str) -> errors.AWSError:
    """An EC2 client error (HTTP 400 unless the code is defined otherwise)."""
    return errors.for_code(code)(message)


def not_found(prefix: str, resource_id: str) -> errors.AWSError:
    code, noun = KINDS[prefix]
    if prefix == "nat":
        return fail(code, f"The Nat Gateway {resource_id} was not found")
    if prefix == "sg":
        return fail(code, f"The security group '{resource_id}' does not exist")
    return fail(code, f"The {noun} '{resource_id}' does not exist")


def malformed(prefix: str, resource_id) -> errors.AWSError:
    """An id that is not of the expected form: ``Invalid<Kind>ID.Malformed``."""
    code = KINDS[prefix][0].replace(".NotFound", ".Malformed")
    return fail(code, f'Invalid id: "{resource_id}" (expecting "{prefix}-...")')


def invalid_value(parameter: str, value, why: str = "") -> errors.AWSError:
    text = f"Value ({value}) for parameter {parameter} is invalid."
    return fail("InvalidParameterValue", f"{text} {why}".strip())


def missing(parameter: str) -> errors.AWSError:
    return fail("MissingParameter", f"The request must contain the parameter {parameter}")


def dependency(noun: str, resource_id: str) -> errors.AWSError:
    return fail("DependencyViolation",
                f"The {noun} '{resource_id}' has dependencies and cannot be deleted.")


def not_implemented(what: str) -> errors.AWSError:
    """A feature of a real operation that awskit does not simulate (HTTP 501)."""
    return errors.for_code("NotImplemented")(f"awskit does not simulate {what} yet", status=501)
