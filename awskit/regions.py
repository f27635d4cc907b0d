"""Real AWS Regions and the Availability Zone names an account sees in them.

Region codes and names: botocore's ``endpoints.json`` (commercial ``aws`` partition).
AZ names: as seen by one real account (moto 5.2.1's recorded offerings, see
``shared/facts/platform.md``); AZ letters are mapped per account in older Regions, so another
account may see other letters. Regions with no recorded data get ``a``-``c``, since every
Region has at least three AZs (AWS Global Infrastructure docs); those are marked ``assumed``.
"""

from __future__ import annotations

from dataclasses import dataclass

PARTITION = "aws"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    zones: tuple[str, ...]
    zones_assumed: bool = False

    @property
    def azs(self) -> tuple[str, ...]:
        """Availability Zone names, e.g. ``('us-east-1a', 'us-east-1b', ...)``."""
        return tuple(self.code + letter for letter in self.zones)

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


_DATA = [  # code, name, AZ letters (None = no recorded data)
    ("us-east-1", "US East (N. Virginia)", "abcdef"),
    ("us-east-2", "US East (Ohio)", "abc"),
    ("us-west-1", "US West (N. California)", "ab"),
    ("us-west-2", "US West (Oregon)", "abcd"),
    ("af-south-1", "Africa (Cape Town)", "abc"),
    ("ap-east-1", "Asia Pacific (Hong Kong)", "abc"),
    ("ap-east-2", "Asia Pacific (Taipei)", None),
    ("ap-northeast-1", "Asia Pacific (Tokyo)", "acd"),
    ("ap-northeast-2", "Asia Pacific (Seoul)", "abcd"),
    ("ap-northeast-3", "Asia Pacific (Osaka)", "abc"),
    ("ap-south-1", "Asia Pacific (Mumbai)", "abc"),
    ("ap-south-2", "Asia Pacific (Hyderabad)", "abc"),
    ("ap-southeast-1", "Asia Pacific (Singapore)", "abc"),
    ("ap-southeast-2", "Asia Pacific (Sydney)", "abc"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)", "abc"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)", "abc"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)", "abc"),
    ("ap-southeast-6", "Asia Pacific (New Zealand)", None),
    ("ap-southeast-7", "Asia Pacific (Thailand)", None),
    ("ca-central-1", "Canada (Central)", "abd"),
    ("ca-west-1", "Canada West (Calgary)", "abc"),
    ("eu-central-1", "Europe (Frankfurt)", "abc"),
    ("eu-central-2", "Europe (Zurich)", "abc"),
    ("eu-north-1", "Europe (Stockholm)", "abc"),
    ("eu-south-1", "Europe (Milan)", "abc"),
    ("eu-south-2", "Europe (Spain)", "abc"),
    ("eu-west-1", "Europe (Ireland)", "abc"),
    ("eu-west-2", "Europe (London)", "abc"),
    ("eu-west-3", "Europe (Paris)", "abc"),
    ("il-central-1", "Israel (Tel Aviv)", "abc"),
    ("me-central-1", "Middle East (UAE)", "abc"),
    ("me-south-1", "Middle East (Bahrain)", "abc"),
    ("mx-central-1", "Mexico (Central)", None),
    ("sa-east-1", "South America (Sao Paulo)", "abc"),
]

REGIONS: dict[str, Region] = {
    code: Region(code, name, tuple(letters or "abc"), zones_assumed=letters is None)
    for code, name, letters in _DATA
}


def region(code: str) -> Region:
    """The Region named ``code``; ``KeyError`` if AWS has no such commercial Region."""
    return REGIONS[code]


def is_region(code: str) -> bool:
    return code in REGIONS
