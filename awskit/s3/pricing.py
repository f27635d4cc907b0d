"""What S3 bills: storage by class over simulated time, and requests.

Prices are us-east-1, from ``shared/facts/s3.md`` (B6, table dated 2026): storage in USD per
GB-month (GB = 2^30 bytes; a month is taken as 730 hours, the average AWS uses for monthly
estimates); requests at S3 Standard's published rates, PUT/COPY/POST/LIST $0.005 and
GET/SELECT $0.0004 per 1,000 (S3 pricing page; the facts sheet marks them unconfirmed),
applied to every class as a simplification.

Billing rules modelled (B6): a minimum billable object size of 128 KB in the IA and Glacier
Instant Retrieval classes; 40 KB of overhead per archived object (8 KB at Standard, 32 KB at
the archive class); deleting, overwriting or transitioning an object before its class's
minimum storage duration is billed for the remaining days.
"""

from __future__ import annotations

GB = 1024 ** 3
MONTH_S = 730 * 3600
DAY_S = 86400

#: USD per GB-month
STORAGE_PRICE = {
    "STANDARD": 0.023, "STANDARD_IA": 0.0125, "ONEZONE_IA": 0.01, "INTELLIGENT_TIERING": 0.023,
    "GLACIER_IR": 0.004, "GLACIER": 0.0036, "DEEP_ARCHIVE": 0.00099,
    "REDUCED_REDUNDANCY": 0.023, "EXPRESS_ONEZONE": 0.11,
}
#: minimum storage duration in days
MIN_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30, "GLACIER_IR": 90, "GLACIER": 90,
            "DEEP_ARCHIVE": 180}
MIN_BILLABLE = {"STANDARD_IA": 128 * 1024, "ONEZONE_IA": 128 * 1024, "GLACIER_IR": 128 * 1024}
ARCHIVE_OVERHEAD = {"GLACIER": (8 * 1024, 32 * 1024), "DEEP_ARCHIVE": (8 * 1024, 32 * 1024)}

TIER1 = 0.005 / 1000     # PUT, COPY, POST, LIST
TIER2 = 0.0004 / 1000    # GET, SELECT and the rest
TIER1_OPERATIONS = {"PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart",
                    "UploadPartCopy", "CompleteMultipartUpload", "ListObjects", "ListObjectsV2",
                    "ListObjectVersions", "ListBuckets", "ListParts", "ListMultipartUploads",
                    "CreateBucket", "PutBucketPolicy", "PutBucketVersioning",
                    "PutBucketLifecycleConfiguration", "PutObjectTagging", "PutBucketTagging",
                    "PutPublicAccessBlock", "PutBucketEncryption", "PutBucketOwnershipControls"}
FREE_OPERATIONS = {"DeleteObject", "DeleteObjects", "DeleteBucket", "AbortMultipartUpload"}


def billable(storage_class: str, size: int) -> list[tuple[str, int]]:
    """(class, bytes) pairs one object of ``size`` bytes is billed as."""
    if storage_class in ARCHIVE_OVERHEAD:
        standard, own = ARCHIVE_OVERHEAD[storage_class]
        return [("STANDARD", standard), (storage_class, size + own)]
    return [(storage_class, max(size, MIN_BILLABLE.get(storage_class, 0)))]


class S3Pricing:
    """Accrues storage cost on the simulated clock and prices requests into the meter."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.stored: dict[tuple[str, str, str], int] = {}   # (account, region, class) -> bytes
        self.since: dict[tuple[str, str, str], float] = {}

    def _accrue(self, key: tuple[str, str, str]) -> None:
        now = self.cloud.clock.elapsed
        last = self.since.get(key, now)
        stored = self.stored.get(key, 0)
        if stored and now > last:
            gb_months = stored / GB * (now - last) / MONTH_S
            self.cloud.meter.add("s3", key[0], f"TimedStorage-{key[2]}", gb_months,
                                 gb_months * STORAGE_PRICE.get(key[2], 0.023), "GB-Mo")
        self.since[key] = now

    def accrue_all(self) -> None:
        """Bring every storage line up to the current simulated time."""
        for key in list(self.stored):
            self._accrue(key)

    def change(self, account: str, region: str, storage_class: str, size: int, sign: int,
               row: tuple | None = None) -> None:
        """An object of ``size`` bytes entered (+1) or left (-1) ``storage_class``."""
        for cls, nbytes in billable(storage_class, size):
            key = (account, region, cls)
            self._accrue(key)
            self.stored[key] = self.stored.get(key, 0) + sign * nbytes
        if sign < 0 and row is not None:
            self.early_removal(account, storage_class, size, row)

    def early_removal(self, account: str, storage_class: str, size: int, row: tuple) -> None:
        """Bill the rest of the minimum storage duration when an object leaves its class early."""
        days = MIN_DAYS.get(storage_class)
        if not days:
            return
        from .metadata import COL
        entered = row[COL["transitioned"]] if row[COL["transitioned"]] is not None else row[COL["lm"]]
        remaining = days * DAY_S - (self.cloud.clock.elapsed - entered)
        if remaining <= 0:
            return
        for cls, nbytes in billable(storage_class, size):
            if cls != storage_class:
                continue
            gb_months = nbytes / GB * remaining / MONTH_S
            self.cloud.meter.add("s3", account, f"EarlyDelete-{cls}", gb_months,
                                 gb_months * STORAGE_PRICE[cls], "GB-Mo")

    def request(self, account: str, operation: str, failed: bool) -> None:
        if operation in FREE_OPERATIONS:
            return
        tier, price = ("Requests-Tier1", TIER1) if operation in TIER1_OPERATIONS else \
            ("Requests-Tier2", TIER2)
        self.cloud.meter.add("s3", account, tier, 1, price, "Requests")

    # -- persistence ------------------------------------------------------------------------
    def dump(self) -> dict:
        return {"stored": [[*k, v] for k, v in sorted(self.stored.items())],
                "since": [[*k, v] for k, v in sorted(self.since.items())]}

    def restore(self, data: dict) -> None:
        self.stored = {(a, r, c): v for a, r, c, v in data["stored"]}
        self.since = {(a, r, c): v for a, r, c, v in data["since"]}
