"""What Lambda bills: requests, duration in GB-seconds, ephemeral storage, provisioned
concurrency (us-east-1 on-demand prices).

From facts A8: $0.20 per million requests; duration $0.0000166667 per GB-second on x86_64 and
$0.0000133334 on arm64 (the Arm figure from secondary sources, consistent with AWS's tier
table); billed in 1 ms increments since December 2020 (100 ms before); the Init phase is billed
for every function since 2025-08-01 (before, it was free for on-demand zip functions on managed
runtimes); ephemeral storage above the free 512 MB is billed; provisioned concurrency is billed
for as long as it is configured, "rounded up to the nearest five minutes" (AWS pricing page),
and the free tier does not apply to it.

**Unconfirmed** (the pricing page renders its numbers by script; these are the figures AWS
publishes as read in secondary sources): provisioned concurrency $0.0000041667 per GB-second
configured and $0.0000097222 per GB-second of duration while it serves invocations (x86_64;
arm64 $0.0000033334 and $0.0000077778), ephemeral storage $0.0000000309 per GB-second above
512 MB. awskit applies no free tier (1 M requests and 400,000 GB-seconds a month) and no
volume tiers: the meter shows list prices.

The invoke path calls :meth:`LambdaPricing.invocation` once per invocation; provisioned
concurrency accrues by itself on the simulated clock (read with ``cloud.meter``).
"""

from __future__ import annotations

import math
from datetime import date

REQUEST_PRICE = 0.0000002          # $0.20 per million
DURATION_PRICE = {"x86_64": 0.0000166667, "arm64": 0.0000133334}
PROVISIONED_PRICE = {"x86_64": 0.0000041667, "arm64": 0.0000033334}
PROVISIONED_DURATION_PRICE = {"x86_64": 0.0000097222, "arm64": 0.0000077778}
EPHEMERAL_PRICE = 0.0000000309
FREE_EPHEMERAL_MB = 512
GRANULARITY_MS = 1
INIT_BILLED_SINCE = date(2025, 8, 1)
PROVISIONED_ROUNDING_S = 300


def billed_ms(measured_ms: float) -> int:
    """Billed duration: rounded up to the next millisecond (at least 1 ms)."""
    return max(GRANULARITY_MS, math.ceil(measured_ms / GRANULARITY_MS - 1e-9) * GRANULARITY_MS)


def gb_seconds(memory_mb: int, ms: float) -> float:
    return memory_mb / 1024 * ms / 1000


def invocation_charges(memory_mb: int, duration_ms: float, *, init_ms: float = 0.0,
                       architecture: str = "x86_64", ephemeral_mb: int = FREE_EPHEMERAL_MB,
                       provisioned: bool = False, day: date | None = None) -> dict:
    """The charges of one invocation (USD), with the billed duration that gives them.

    ``init_ms`` (a cold start's Init) is billed from 2025-08-01 (``day``: the invocation's date,
    default: billed). On a provisioned environment the Init happened when it was provisioned
    (its cost is in the provisioned concurrency charge), and duration has the lower rate.
    """
    billed_init = init_ms if (day is None or day >= INIT_BILLED_SINCE) and not provisioned \
        else 0.0
    billed = billed_ms(duration_ms + billed_init)
    gbs = gb_seconds(memory_mb, billed)
    prices = PROVISIONED_DURATION_PRICE if provisioned else DURATION_PRICE
    duration = gbs * prices[architecture]
    ephemeral = max(0, ephemeral_mb - FREE_EPHEMERAL_MB) / 1024 * billed / 1000 * EPHEMERAL_PRICE
    return {"billed_ms": billed, "gb_seconds": gbs, "request": REQUEST_PRICE,
            "duration": duration, "ephemeral": ephemeral,
            "total": REQUEST_PRICE + duration + ephemeral}


def provisioned_charge(memory_mb: int, concurrency: int, seconds: float,
                       architecture: str = "x86_64") -> tuple[float, float]:
    """(GB-seconds, USD) of keeping ``concurrency`` environments provisioned for ``seconds``,
    rounded up to the next five minutes."""
    billed = math.ceil(seconds / PROVISIONED_ROUNDING_S - 1e-9) * PROVISIONED_ROUNDING_S
    gbs = memory_mb / 1024 * concurrency * billed
    return gbs, gbs * PROVISIONED_PRICE[architecture]


class LambdaPricing:
    """Puts Lambda's charges on ``cloud.meter``."""

    def __init__(self, cloud):
        self.cloud = cloud
        #: provisioned concurrency periods: [account, key, memory, architecture, concurrency,
        #: start, end or None]; key = "<function arn>:<qualifier>"
        self.periods: list[list] = []
        accruers = getattr(cloud.meter, "accruers", None)
        if accruers is not None:
            accruers.append(self.accrue)

    # -- invocations (called by the invoke path) ------------------------------------------
    def invocation(self, version, duration_ms: float, *, init_ms: float = 0.0,
                   provisioned: bool = False) -> dict:
        """Meter one invocation of ``version``; returns :func:`invocation_charges`."""
        charges = invocation_charges(version.memory, duration_ms, init_ms=init_ms,
                                     architecture=version.architecture,
                                     ephemeral_mb=version.ephemeral_storage,
                                     provisioned=provisioned, day=self.cloud.clock.now.date())
        meter, account = self.cloud.meter, version.account
        arm = "-ARM" if version.architecture == "arm64" else ""
        meter.add("lambda", account, f"Request{arm}", 1, charges["request"], "requests")
        usage = "Lambda-Provisioned-GB-Second" if provisioned else "Lambda-GB-Second"
        meter.add("lambda", account, usage + arm, charges["gb_seconds"], charges["duration"],
                  "GB-s")
        if charges["ephemeral"]:
            meter.add("lambda", account, "Lambda-Ephemeral-Storage-GB-Second",
                      (version.ephemeral_storage - FREE_EPHEMERAL_MB) / 1024
                      * charges["billed_ms"] / 1000, charges["ephemeral"], "GB-s")
        return charges

    # -- provisioned concurrency ------------------------------------------------------------
    def provisioned_changed(self, function, qualifier: str, config) -> None:
        """Close the open period of ``function:qualifier`` and open one for ``config``."""
        key = f"{function.arn}:{qualifier}"
        now = self.cloud.clock.elapsed
        for period in self.periods:
            if period[1] == key and period[6] is None:
                period[6] = now
        if config is not None:
            alias = function.aliases.get(qualifier)
            version = function.version(alias.version if alias else qualifier)
            self.periods.append([function.account, key, version.memory, version.architecture,
                                 config.requested, now, None])
        self.accrue()

    def function_deleted(self, function) -> None:
        for qualifier in list(function.provisioned):
            self.provisioned_changed(function, qualifier, None)

    def accrue(self) -> None:
        """Recompute the provisioned concurrency lines up to now (reading never changes them)."""
        now = self.cloud.clock.elapsed
        totals: dict[str, list[float]] = {}
        for account, _, memory, arch, concurrency, start, end in self.periods:
            gbs, cost = provisioned_charge(memory, concurrency,
                                           (end if end is not None else now) - start, arch)
            line = totals.setdefault(account, [0.0, 0.0])
            line[0] += gbs
            line[1] += cost
        for account, (gbs, cost) in totals.items():
            self.cloud.meter.usage[("lambda", account, "Lambda-Provisioned-Concurrency")] = \
                [gbs, cost, "GB-s"]

    def dump(self) -> list:
        return [list(p) for p in self.periods]

    def restore(self, periods: list) -> None:
        self.periods = [list(p) for p in periods]
