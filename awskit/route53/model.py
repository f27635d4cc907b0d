"""Route 53's resources: hosted zones and their record sets, changes, health checks.

Plain data (dataclasses), read by the API mixins, the resolver, the graph and persistence.

Facts built to (``shared/facts/networking.md``; botocore ``route53/2013-04-01``):

- Hosted zone ids are ``Z`` plus upper-case letters and digits, returned as
  ``/hostedzone/<id>``; change ids ``C...`` as ``/change/<id>``; health check ids are UUIDs.
  awskit gives 14-character ids (``Z1D633PJN98FT9``), the form AWS used for years: zones
  created today get 21-character ids, which with the ``/hostedzone/`` prefix exceed the 32
  characters the model allows ``ResourceId``.
- A public zone gets a delegation set of four name servers, one under each of ``.com``,
  ``.net``, ``.org`` and ``.co.uk``, named ``ns-<n>.awsdns-<n mod 512 div 8>.<tld>`` with ``n``
  in 0-511 (com), 512-1023 (net), 1024-1535 (org), 1536-2047 (co.uk) (the pattern of real
  delegation sets; unconfirmed in a primary source). The zone starts with an NS record set
  (TTL 172,800 s) listing them and an SOA record set (TTL 900 s,
  ``<first name server>. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400``)
  [R53 SOA-NSrecords.md; facts]. A private zone's NS and SOA name the fixed servers
  ``ns-0.awsdns-00.com.`` ... ``ns-1536.awsdns-00.co.uk.`` (as private zones show them;
  unconfirmed).
- Changes start ``PENDING`` and turn ``INSYNC`` once propagated: "generally within 60 seconds"
  [BC route53:ChangeResourceRecordSets]; awskit takes exactly 60 s on the simulated clock.
- Quotas (2023 defaults, facts): 500 hosted zones per account, 10,000 record sets per zone, 400
  values per record set, 100 weighted/latency/geolocation/multivalue records per name and
  type, 300 VPCs per private zone; 200 health checks per account (unconfirmed); 1,000 changes
  per ChangeResourceRecordSets request (unconfirmed).
"""

from __future__ import annotations

import copy
import string
from dataclasses import dataclass, field

MAX_ZONES = 500
MAX_RRSETS = 10_000
MAX_VALUES = 400
MAX_POLICY_RECORDS = 100
MAX_VPCS = 300
MAX_HEALTH_CHECKS = 200
MAX_CHANGES = 1_000
PROPAGATION_S = 60.0
NS_TTL = 172_800
SOA_TTL = 900
SOA_TAIL = "awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"
PRIVATE_NAME_SERVERS = ["ns-1536.awsdns-00.co.uk", "ns-0.awsdns-00.com",
                        "ns-1024.awsdns-00.org", "ns-512.awsdns-00.net"]
ENDPOINT = "https://route53.amazonaws.com/2013-04-01"
#: CloudFront's hosted zone id for alias targets (the same in every Region) [BC
#: apigateway DomainName.distributionHostedZoneId; CloudFront developer guide]
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"
#: Amazon S3 website endpoints' hosted zone ids per Region (AWS general reference, "Amazon S3
#: website endpoints"; the Regions whose ids awskit knows)
S3_WEBSITE_ZONES = {
    "us-east-1": "Z3AQBSTGFYJSTF", "us-east-2": "Z2O1EMRO9K5GLX", "us-west-1": "Z2F56UZL2M1ACD",
    "us-west-2": "Z3BJ6K6RIION7M", "ca-central-1": "Z1QDHH18159H29",
    "ap-south-1": "Z11RGJOFQNVJUP", "ap-northeast-1": "Z2M4EHUR26P7ZW",
    "ap-northeast-2": "Z3W03O7B5YMIYP", "ap-northeast-3": "Z2YQB5RD63NC85",
    "ap-southeast-1": "Z3O0J2DXBE1FTB", "ap-southeast-2": "Z1WCIGYICN2BYD",
    "ap-east-1": "ZNB98KWMFR0R6", "eu-central-1": "Z21DNDUVLTQW6Q",
    "eu-west-1": "Z1BKCTXD74EZPE", "eu-west-2": "Z3GKZC51ZF0DB4", "eu-west-3": "Z3R1K369G5AVDG",
    "eu-north-1": "Z3BAZG2TWCNX0D", "sa-east-1": "Z7KQH4QJS55SO", "me-south-1": "Z1MPMWCPA7YB62",
}
_ID_CHARS = string.ascii_uppercase + string.digits
_TLDS = [("com", 0), ("net", 512), ("org", 1024), ("co.uk", 1536)]


def new_id(ids, prefix: str) -> str:
    """``Z...`` / ``C...``: the prefix and 13 upper-case letters or digits, seeded."""
    rng = ids.stream(f"route53-{prefix}")
    return prefix + "".join(rng.choices(_ID_CHARS, k=13))


def new_name_servers(ids) -> list[str]:
    """Four name servers, one per top-level domain, in a seeded order."""
    rng = ids.stream("route53-ns")
    servers = []
    for tld, base in _TLDS:
        n = base + rng.randrange(512)
        servers.append(f"ns-{n}.awsdns-{(n - base) // 8:02d}.{tld}")
    rng.shuffle(servers)
    return servers


def policy_of(rrset: dict) -> str:
    """The routing policy a record set's fields declare."""
    for key, policy in (("Weight", "weighted"), ("Region", "latency"),
                        ("GeoLocation", "geolocation"), ("Failover", "failover"),
                        ("MultiValueAnswer", "multivalue")):
        if key in rrset:
            return policy
    return "simple"


def rrset_key(rrset: dict) -> tuple[str, str, str]:
    return rrset["Name"], rrset["Type"], rrset.get("SetIdentifier", "")


def values_of(rrset: dict) -> list[str]:
    return [r["Value"] for r in rrset.get("ResourceRecords", [])]


@dataclass
class HostedZone:
    """A hosted zone: its records keyed by (name, type, set identifier)."""

    id: str
    name: str                          # canonical, with the trailing dot
    account: str
    caller_reference: str
    created: float
    private: bool = False
    comment: str | None = None
    name_servers: list[str] = field(default_factory=list)
    vpcs: list[tuple[str, str]] = field(default_factory=list)   # (region, vpc id)
    records: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:route53:::hostedzone/{self.id}"

    def shape(self) -> dict:
        """The ``HostedZone`` structure boto3 shows."""
        config = {"PrivateZone": self.private}
        if self.comment is not None:
            config = {"Comment": self.comment, **config}
        return {"Id": f"/hostedzone/{self.id}", "Name": self.name,
                "CallerReference": self.caller_reference, "Config": config,
                "ResourceRecordSetCount": len(self.records)}

    def default_records(self) -> list[dict]:
        """The NS and SOA record sets Route 53 creates with the zone."""
        servers = self.name_servers if not self.private else PRIVATE_NAME_SERVERS
        return [{"Name": self.name, "Type": "NS", "TTL": NS_TTL,
                 "ResourceRecords": [{"Value": s + "."} for s in servers]},
                {"Name": self.name, "Type": "SOA", "TTL": SOA_TTL,
                 "ResourceRecords": [{"Value": f"{servers[0]}. {SOA_TAIL}"}]}]

    def named(self, name: str) -> list[dict]:
        """Every record set at ``name`` (any type)."""
        return [r for (n, _, _), r in self.records.items() if n == name]

    def group(self, name: str, rtype: str) -> list[dict]:
        """The record sets of one name and type (one per set identifier)."""
        return [r for (n, t, _), r in self.records.items() if n == name and t == rtype]

    def copy_records(self) -> dict:
        """A copy to apply a change batch to (record sets are replaced, never edited in place,
        so the dicts themselves are shared)."""
        return dict(self.records)


@dataclass
class Change:
    """One change batch (or zone creation/deletion, VPC association): PENDING, then INSYNC."""

    id: str
    account: str
    submitted: float
    comment: str | None = None

    def status(self, now: float) -> str:
        return "INSYNC" if now >= self.submitted + PROPAGATION_S else "PENDING"

    def shape(self, now: float) -> dict:
        from ..clock import aws_datetime
        info = {"Id": f"/change/{self.id}", "Status": self.status(now),
                "SubmittedAt": aws_datetime(self.submitted, "ms")}
        if self.comment is not None:
            info["Comment"] = self.comment
        return info


@dataclass
class HealthCheck:
    """A health check, its configuration and what its checkers last saw (see ``checkers.py``)."""

    id: str
    account: str
    caller_reference: str
    config: dict                        # the HealthCheckConfig boto3 shows (defaults filled)
    created: float
    version: int = 1
    tags: dict[str, str] = field(default_factory=dict)
    healthy: bool = True                # the checkers' verdict before Inverted/Disabled
    since: float = 0.0                  # when ``healthy`` last changed (or the check was made)
    streak: int = 0                     # consecutive probes disagreeing with ``healthy``
    probes: int = 0
    last_checked: float | None = None
    last_ok: bool | None = None
    last_reason: str = ""
    last_failure: tuple[float, str] | None = None
    next_probe: float | None = None
    instance_id: str | None = None      # the EC2 instance ``IPAddress`` last belonged to

    @property
    def arn(self) -> str:
        return f"arn:aws:route53:::healthcheck/{self.id}"

    def shape(self) -> dict:
        return {"Id": self.id, "CallerReference": self.caller_reference,
                "HealthCheckConfig": copy.deepcopy(self.config),
                "HealthCheckVersion": self.version}
