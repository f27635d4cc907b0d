"""The usage meter: what the simulated cloud would bill, by service, account and usage type.

Services report usage as it happens: requests (counted for every request, priced where AWS
prices them) and quantities such as storage byte-seconds. Prices are us-east-1 on-demand,
dated in each service's docstring; the meter only adds them up.
"""

from __future__ import annotations

from collections import defaultdict


class Meter:
    """Running totals of usage and cost. ``cloud.meter.total()`` is the bill so far, in USD."""

    def __init__(self):
        self.requests: dict[tuple[str, str], int] = defaultdict(int)   # (service, operation)
        self.errors: dict[tuple[str, str], int] = defaultdict(int)
        # (service, account, usage type) -> [quantity, cost in USD, unit]
        self.usage: dict[tuple[str, str, str], list] = {}
        #: callbacks that bring time-based lines (storage) up to now before the meter is read
        self.accruers: list = []

    def accrue(self) -> None:
        """Let every time-based line (e.g. S3 storage) catch up with the simulated clock."""
        for accrue in list(self.accruers):
            accrue()

    def count_request(self, service: str, operation: str, account: str, error=None) -> None:
        self.requests[(service, operation)] += 1
        if error is not None:
            self.errors[(service, operation)] += 1

    def add(self, service: str, account: str, usage_type: str, quantity: float, cost: float,
            unit: str = "") -> None:
        """Record ``quantity`` of ``usage_type`` costing ``cost`` USD."""
        line = self.usage.get((service, account, usage_type))
        if line is None:
            self.usage[(service, account, usage_type)] = [quantity, cost, unit]
        else:
            line[0] += quantity
            line[1] += cost

    def total(self, service: str | None = None, account: str | None = None) -> float:
        """Cost so far in USD, optionally for one service and/or one account."""
        self.accrue()
        return sum(cost for (svc, acct, _), (_, cost, _) in self.usage.items()
                   if (service is None or svc == service) and (account is None or acct == account))

    def lines(self) -> list[dict]:
        """One dict per (service, account, usage type), sorted: the bill's lines."""
        self.accrue()
        return [{"service": svc, "account": acct, "usage_type": usage, "quantity": q,
                 "unit": unit, "cost_usd": cost}
                for (svc, acct, usage), (q, cost, unit) in sorted(self.usage.items())]

    def to_frame(self):
        """The bill as a pandas DataFrame."""
        import pandas as pd
        return pd.DataFrame(self.lines(), columns=["service", "account", "usage_type", "quantity",
                                                   "unit", "cost_usd"])

    # -- persistence ------------------------------------------------------------------------
    def state(self) -> dict:
        self.accrue()
        return {"requests": [[s, o, n] for (s, o), n in sorted(self.requests.items())],
                "errors": [[s, o, n] for (s, o), n in sorted(self.errors.items())],
                "usage": [[s, a, u, *line] for (s, a, u), line in sorted(self.usage.items())]}

    @classmethod
    def from_state(cls, data: dict) -> "Meter":
        meter = cls()
        for s, o, n in data["requests"]:
            meter.requests[(s, o)] = n
        for s, o, n in data["errors"]:
            meter.errors[(s, o)] = n
        for s, a, u, q, cost, unit in data["usage"]:
            meter.usage[(s, a, u)] = [q, cost, unit]
        return meter

    def __repr__(self) -> str:
        return f"<Meter: {sum(self.requests.values())} requests, ${self.total():.6f} so far>"
