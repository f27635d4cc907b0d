"""What S3 bills: storage by class over simulated time, requests, lifecycle transitions,
restores, and the charges for leaving a class early.

Prices are us-east-1, from ``shared/facts/s3.md`` (B6, table dated 2026): storage in USD per
GB-month (GB = 2^30 bytes; a month is taken as 730 hours, the average AWS uses for monthly
estimates); requests at S3 Standard's published rates, PUT/COPY/POST/LIST $0.005 and
GET/SELECT $0.0004 per 1,000 (S3 pricing page; the facts sheet marks them unconfirmed),
applied to every class as a simplification.

Billing rules modelled (B6; S3 User Guide "Transitioning objects using Amazon S3 Lifecycle"):
a minimum billable object size of 128 KB in the IA and Glacier Instant Retrieval classes;
40 KB of overhead per archived object (8 KB at Standard, 32 KB at the archive class);
deleting, overwriting or transitioning an object before its class's minimum storage duration
is billed for the remaining days, prorated; each lifecycle transition is a billed request;
restores are billed per request and per GB retrieved ("Bulk retrievals free for objects
stored in the S3 Glacier Flexible Retrieval" storage class: botocore RestoreObject docs;
Standard $0.05 per 1,000 requests + $0.01/GB and Expedited $10 per 1,000 + $0.03/GB: AWS
Knowledge Center "s3-manage-data-retrieval").

**Unconfirmed** (S3's pricing page renders its prices by script; no primary copy was read):
the lifecycle transition prices per 1,000 requests (STANDARD_IA, ONEZONE_IA,
INTELLIGENT_TIERING $0.01; GLACIER_IR $0.02; GLACIER $0.03; DEEP_ARCHIVE $0.05), the Deep
Archive retrieval prices (Standard $0.10 per 1,000 + $0.02/GB; Bulk $0.025 per 1,000 +
$0.0025/GB), and billing the temporary copy of a restored object at the S3 Standard rate.

How storage is metered: storage cost is a function of time, so it is accrued lazily and
*exactly*: for each (account, class) awskit keeps integer byte-milliseconds per UTC day, and
the meter's ``TimedStorage-<class>`` line is recomputed from that integer whenever anything
reads the meter (``cloud.meter.total()`` calls :meth:`S3Pricing.accrue_all` first), on every
storage change and at each daily lifecycle run. Reading the bill therefore never changes it,
and ``cloud.advance(days=30)`` followed by ``cloud.meter.total()`` includes every second up to
the present. :meth:`S3Pricing.bill` gives the bill per day and usage type for a notebook.
"""

from __future__ import annotations

import functools

from ..clock import _EPOCH_TS

GB = 1024 ** 3
MONTH_S = 730 * 3600
MONTH_MS = MONTH_S * 1000
DAY_S = 86400
DAY_MS = DAY_S * 1000
_EPOCH_MS = int(round(_EPOCH_TS * 1000))

#: USD per GB-month
STORAGE_PRICE = {
    "STANDARD": 0.023, "STANDARD_IA": 0.0125, "ONEZONE_IA": 0.01, "INTELLIGENT_TIERING": 0.023,
    "GLACIER_IR": 0.004, "GLACIER": 0.0036, "DEEP_ARCHIVE": 0.00099,
    "REDUCED_REDUNDANCY": 0.023, "EXPRESS_ONEZONE": 0.11,
    "RESTORED_COPY": 0.023,          # temporary copy of a restored object, at Standard's rate
}
#: minimum storage duration in days
MIN_DAYS = {"STANDARD_IA": 30, "ONEZONE_IA": 30, "GLACIER_IR": 90, "GLACIER": 90,
            "DEEP_ARCHIVE": 180}
MIN_BILLABLE = {"STANDARD_IA": 128 * 1024, "ONEZONE_IA": 128 * 1024, "GLACIER_IR": 128 * 1024}
ARCHIVE_OVERHEAD = {"GLACIER": (8 * 1024, 32 * 1024), "DEEP_ARCHIVE": (8 * 1024, 32 * 1024)}
#: USD per lifecycle transition request into a class (unconfirmed, see module docstring)
TRANSITION_PRICE = {"STANDARD_IA": 0.01 / 1000, "ONEZONE_IA": 0.01 / 1000,
                    "INTELLIGENT_TIERING": 0.01 / 1000, "GLACIER_IR": 0.02 / 1000,
                    "GLACIER": 0.03 / 1000, "DEEP_ARCHIVE": 0.05 / 1000}
#: (USD per restore request, USD per GB retrieved) by (class, tier)
RESTORE_PRICE = {("GLACIER", "Expedited"): (10.0 / 1000, 0.03),
                 ("GLACIER", "Standard"): (0.05 / 1000, 0.01),
                 ("GLACIER", "Bulk"): (0.0, 0.0),
                 ("DEEP_ARCHIVE", "Standard"): (0.10 / 1000, 0.02),
                 ("DEEP_ARCHIVE", "Bulk"): (0.025 / 1000, 0.0025)}

TIER1 = 0.005 / 1000     # PUT, COPY, POST, LIST
TIER2 = 0.0004 / 1000    # GET, SELECT and the rest
TIER1_OPERATIONS = {"PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart",
                    "UploadPartCopy", "CompleteMultipartUpload", "ListObjects", "ListObjectsV2",
                    "ListObjectVersions", "ListBuckets", "ListParts", "ListMultipartUploads",
                    "CreateBucket", "PutBucketPolicy", "PutBucketVersioning",
                    "PutBucketLifecycleConfiguration", "PutObjectTagging", "PutBucketTagging",
                    "PutPublicAccessBlock", "PutBucketEncryption", "PutBucketOwnershipControls",
                    "RestoreObject"}
FREE_OPERATIONS = {"DeleteObject", "DeleteObjects", "DeleteBucket", "AbortMultipartUpload"}


def billable(storage_class: str, size: int) -> list[tuple[str, int]]:
    """(class, bytes) pairs one object of ``size`` bytes is billed as."""
    if storage_class == "STANDARD":
        return [("STANDARD", size)]
    if storage_class in ARCHIVE_OVERHEAD:
        standard, own = ARCHIVE_OVERHEAD[storage_class]
        return [("STANDARD", standard), (storage_class, size + own)]
    return [(storage_class, max(size, MIN_BILLABLE.get(storage_class, 0)))]


def day_of(ms: int) -> str:
    """The UTC date (``YYYY-MM-DD``) of a clock reading in milliseconds."""
    return _day_name((_EPOCH_MS + ms) // DAY_MS)


@functools.lru_cache(maxsize=4096)
def _day_name(day_number: int) -> str:
    from datetime import datetime, timezone
    return datetime.fromtimestamp(day_number * DAY_S, timezone.utc).strftime("%Y-%m-%d")


class S3Pricing:
    """Accrues storage cost on the simulated clock and prices requests into the meter."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.stored: dict[tuple[str, str, str], int] = {}   # (account, region, class) -> bytes
        self.since: dict[tuple[str, str, str], int] = {}    # ... -> accrued up to (clock ms)
        self.byte_ms: dict[tuple[str, str], int] = {}       # (account, class) -> byte-ms
        #: the bill per UTC day: (day, account, usage type) -> [quantity, cost, unit]
        self.ledger: dict[tuple[str, str, str], list] = {}
        self._daily_bytes: dict[tuple[str, str, str], int] = {}   # (day, account, class)
        accruers = getattr(cloud.meter, "accruers", None)
        if accruers is not None:
            accruers.append(self.accrue_all)

    # -- storage ----------------------------------------------------------------------------
    def _now_ms(self) -> int:
        return int(self.cloud.clock.elapsed * 1000 + 0.5)

    def _accrue(self, key: tuple[str, str, str]) -> None:
        now = self._now_ms()
        last = self.since.get(key, now)
        stored = self.stored.get(key, 0)
        if stored and now > last:
            account, _, cls = key
            t = last
            while t < now:                          # split at each midnight UTC
                end = min(now, ((_EPOCH_MS + t) // DAY_MS + 1) * DAY_MS - _EPOCH_MS)
                day = (day_of(t), account, cls)
                self._daily_bytes[day] = self._daily_bytes.get(day, 0) + stored * (end - t)
                t = end
            self.byte_ms[(account, cls)] = self.byte_ms.get((account, cls), 0) + stored * (now - last)
        self.since[key] = now

    def accrue_all(self) -> None:
        """Bring every storage line up to the current simulated time (idempotent, exact), and
        write the storage lines of the meter (the meter calls this before it is read)."""
        for key in sorted(self.stored):
            self._accrue(key)
        usage = self.cloud.meter.usage
        for (account, cls), total in sorted(self.byte_ms.items()):
            gb_months = total / (GB * MONTH_MS)
            usage[("s3", account, f"TimedStorage-{cls}")] = [
                gb_months, gb_months * STORAGE_PRICE.get(cls, 0.023), "GB-Mo"]

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
            self._charge(account, f"EarlyDelete-{cls}", gb_months,
                         gb_months * STORAGE_PRICE[cls], "GB-Mo")

    # -- lifecycle and restores -------------------------------------------------------------
    def transition(self, account: str, region: str, old: str, new: str, size: int, row: tuple,
                   when: float) -> None:
        """A lifecycle transition: the object leaves ``old`` (early-removal rules apply),
        enters ``new``, and the transition request is billed."""
        self.change(account, region, old, size, -1, row=row)
        self.change(account, region, new, size, +1)
        self._charge(account, f"LifecycleTransition-{new}", 1, TRANSITION_PRICE[new], "Requests")

    def retrieval(self, account: str, storage_class: str, tier: str, size: int) -> None:
        """A restore request and the GB it retrieves."""
        per_request, per_gb = RESTORE_PRICE[(storage_class, tier)]
        self._charge(account, f"RestoreRequests-{storage_class}-{tier}", 1, per_request,
                     "Requests")
        self._charge(account, f"Retrieval-{storage_class}-{tier}", size / GB, size / GB * per_gb,
                     "GB")

    # -- requests ---------------------------------------------------------------------------
    def request(self, account: str, operation: str, failed: bool) -> None:
        if operation in FREE_OPERATIONS:
            return
        tier, price = ("Requests-Tier1", TIER1) if operation in TIER1_OPERATIONS else \
            ("Requests-Tier2", TIER2)
        self._charge(account, tier, 1, price, "Requests")

    def _charge(self, account: str, usage: str, quantity: float, cost: float, unit: str) -> None:
        self.cloud.meter.add("s3", account, usage, quantity, cost, unit)
        line = self.ledger.setdefault((day_of(self._now_ms()), account, usage), [0, 0.0, unit])
        line[0] += quantity
        line[1] += cost

    # -- the bill ---------------------------------------------------------------------------
    def bill_lines(self, account: str | None = None) -> list[dict]:
        """Every charge so far, per UTC day and usage type (storage accrued up to now)."""
        self.accrue_all()
        rows = []
        for (day, acct, cls), byte_ms in self._daily_bytes.items():
            gb_months = byte_ms / (GB * MONTH_MS)
            rows.append((day, acct, f"TimedStorage-{cls}", cls, gb_months,
                         gb_months * STORAGE_PRICE.get(cls, 0.023), "GB-Mo"))
        for (day, acct, usage), (quantity, cost, unit) in self.ledger.items():
            rows.append((day, acct, usage, storage_class_of(usage), quantity, cost, unit))
        return [{"date": d, "account": a, "usage_type": u, "storage_class": c, "quantity": q,
                 "unit": n, "cost_usd": x}
                for d, a, u, c, q, x, n in sorted(rows) if account is None or a == account]

    def bill(self, account: str | None = None, freq: str = "D"):
        """The S3 bill as a pandas DataFrame: one row per period (``freq``: "D", "W", "M")
        and one column per storage class ("Requests" for request charges), in USD.

        >>> cloud.advance(days=60); cloud.s3.pricing.bill(freq="W").plot.area()  # doctest: +SKIP
        """
        import pandas as pd
        frame = pd.DataFrame(self.bill_lines(account),
                             columns=["date", "account", "usage_type", "storage_class", "quantity",
                                      "unit", "cost_usd"])
        if frame.empty:
            return pd.DataFrame()
        frame["date"] = pd.to_datetime(frame["date"])
        if freq != "D":
            frame["date"] = frame["date"].dt.to_period(freq).dt.start_time
        return frame.pivot_table(index="date", columns="storage_class", values="cost_usd",
                                 aggfunc="sum", fill_value=0.0)

    # -- persistence ------------------------------------------------------------------------
    def dump(self) -> dict:
        self.accrue_all()
        return {"stored": [[*k, v] for k, v in sorted(self.stored.items())],
                "since": [[*k, v] for k, v in sorted(self.since.items())],
                "byte_ms": [[*k, v] for k, v in sorted(self.byte_ms.items())],
                "daily": [[*k, v] for k, v in sorted(self._daily_bytes.items())],
                "ledger": [[*k, *v] for k, v in sorted(self.ledger.items())]}

    def restore(self, data: dict) -> None:
        self.stored = {(a, r, c): v for a, r, c, v in data["stored"]}
        self.since = {(a, r, c): int(v) for a, r, c, v in data["since"]}
        self.byte_ms = {(a, c): v for a, c, v in data.get("byte_ms", [])}
        self._daily_bytes = {(d, a, c): v for d, a, c, v in data.get("daily", [])}
        self.ledger = {(d, a, u): [q, x, n] for d, a, u, q, x, n in data.get("ledger", [])}


def storage_class_of(usage: str) -> str:
    """The storage class a usage type is about ("Requests" for API request charges)."""
    if usage.startswith("Requests-"):
        return "Requests"
    for prefix in ("EarlyDelete-", "LifecycleTransition-", "TimedStorage-"):
        if usage.startswith(prefix):
            return usage[len(prefix):]
    if usage.startswith(("Retrieval-", "RestoreRequests-")):
        return usage.split("-", 1)[1].rsplit("-", 1)[0]
    return usage


__all__ = ["S3Pricing", "billable", "STORAGE_PRICE", "MIN_DAYS", "MIN_BILLABLE",
           "TRANSITION_PRICE", "RESTORE_PRICE"]
