"""Route 53's errors as boto3 shows them.

Route 53 answers errors in an ``ErrorResponse`` whose ``Error`` carries ``Type`` (``Sender``
for the caller's mistakes), ``Code`` and ``Message``; botocore's rest-xml parser keeps all three
(``RestXMLParser._parse_error_from_body``). HTTP statuses are the model's
(``error.httpStatusCode`` of each exception shape, botocore ``route53/2013-04-01``); codes the
model gives no status answer 400. Messages quoted from real responses are marked in the callers;
the rest are the model's description of the error.
"""

from __future__ import annotations

from .. import errors

_CODES = [  # code, HTTP status, default message (botocore model's description)
    ("NoSuchHostedZone", 404, "No hosted zone exists with the ID that you specified."),
    ("NoSuchHealthCheck", 404, "No health check exists with the specified ID."),
    ("NoSuchChange", 404, "A change with the specified change ID does not exist."),
    ("NoSuchDelegationSet", 400, "A reusable delegation set with the specified ID does not exist."),
    ("HostedZoneNotEmpty", 400, "The hosted zone contains resource records that are not SOA or "
     "NS records."),
    ("HostedZoneAlreadyExists", 409, "The hosted zone you're trying to create already exists."),
    ("HealthCheckAlreadyExists", 409, "The health check you're attempting to create already "
     "exists."),
    ("HealthCheckVersionMismatch", 409, "The value of HealthCheckVersion in the request doesn't "
     "match the value of HealthCheckVersion in the health check."),
    ("InvalidChangeBatch", 400, "This exception contains a list of messages that might contain "
     "one or more error messages."),
    ("InvalidDomainName", 400, "The specified domain name is not valid."),
    ("InvalidVPCId", 400, "The VPC ID that you specified either isn't a valid ID or the current "
     "account is not authorized to access this VPC."),
    ("TooManyHostedZones", 400, "This operation can't be completed because the current account "
     "has reached the limit on the number of hosted zones."),
    ("TooManyHealthChecks", 400, "This health check can't be created because the current account "
     "has reached the limit on the number of active health checks."),
    ("ConflictingDomainExists", 400, "The cause of this error depends on the operation that "
     "you're performing."),
    ("VPCAssociationNotFound", 404, "The specified VPC and hosted zone are not currently "
     "associated."),
    ("LastVPCAssociation", 400, "The VPC that you're trying to disassociate from the private "
     "hosted zone is the last VPC that is associated with the hosted zone. Amazon Route 53 "
     "doesn't support disassociating the last VPC from a hosted zone."),
    ("PublicZoneVPCAssociation", 400, "You're trying to associate a VPC with a public hosted zone. "
     "Amazon Route 53 doesn't support associating a VPC with a public hosted zone."),
    ("LimitsExceeded", 400, "This operation can't be completed because the current account has "
     "reached the limit on the resource you are trying to create."),
    ("NotAuthorizedException", 401, "Associating the specified VPC with the specified hosted zone "
     "has not been authorized."),
    ("InvalidPaginationToken", 400, "The value that you specified for NextToken is not valid."),
    ("HostedZoneNotPrivate", 400, "The specified hosted zone is a public hosted zone, not a "
     "private hosted zone."),
]
for _code, _status, _message in _CODES:
    errors.define(_code, _status, _message)


def r53_error(code: str, message: str | None = None) -> errors.AWSError:
    """The Route 53 error ``code`` (with ``Type: Sender``, as Route 53 sends it)."""
    cls = errors.for_code(code)
    status = dict((c, s) for c, s, _ in _CODES).get(code, cls.status)
    return cls(message if message is not None else cls.default_message, status=status,
               Type="Sender" if status < 500 else "Receiver")


def invalid_input(message: str) -> errors.AWSError:
    """``InvalidInput`` (HTTP 400), Route 53's error for a malformed request."""
    return r53_error("InvalidInput", message)


def change_batch_error(messages: list[str]) -> errors.AWSError:
    """``InvalidChangeBatch``: Route 53 reports every problem of a batch at once, as a bracketed
    comma-separated list (``[Tried to create resource record set [name='a.example.com.',
    type='A'] but it already exists]``, as real responses show)."""
    return r53_error("InvalidChangeBatch", "[" + ", ".join(messages) + "]")


def no_zone(zone_id: str) -> errors.AWSError:
    """``NoSuchHostedZone`` with the message real responses carry."""
    return r53_error("NoSuchHostedZone", f"No hosted zone found with ID: {zone_id}")


def no_health_check(check_id: str) -> errors.AWSError:
    """``NoSuchHealthCheck`` (the model's wording: the id is not echoed)."""
    return r53_error("NoSuchHealthCheck")
