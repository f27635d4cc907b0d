"""The counting service: concurrency quotas, checked on every invoke (facts A1, A6).

What AWS does [T25][D-quota][LDG-conc][LDG-pc][D-scale]:

- every account has a concurrency quota per Region (default 1,000 concurrent executions);
- reserved concurrency on a function both *caps* it and *reserves* that many out of the
  account's pool; at least 100 must stay unreserved;
- provisioned concurrency (per version or alias) is pre-initialised capacity: it counts against
  the function's reservation or the account's unreserved pool while configured, used or not;
- a function may add at most 1,000 new execution environments per 10 seconds (since late 2023);
  unused rate does not accumulate;
- the check takes under 1.5 ms [T25]; a refusal is ``TooManyRequestsException`` (HTTP 429) with a
  ``Reason`` from botocore's ``ThrottleReason`` enum [BC].

How we count: a request is *granted* a slot from one pool: ``provisioned`` (a free provisioned
slot of the invoked qualifier), ``reserved`` (the function's reservation) or ``unreserved`` (the
account's shared pool), and gives it back with :meth:`Counting.release`. Concurrency is the
number of granted, unreleased slots, as AWS defines it (busy environments). The scaling rate is a
sliding 10 s window over the new environments a function actually created (checked by
:meth:`Counting.admit_new_environment` when no warm environment exists; warm reuse never counts).
Quotas, reservations and provisioned concurrency are read from :class:`LocalConfig` (set with
``set_account_limit`` / ``set_reserved`` / ``set_provisioned``) or, after :meth:`Counting.use`,
from the control plane's own records.
Simplified: one Region's view, not a quorum across AZs [R18]; no per-caller rate limits
(``CallerRateLimitExceeded``); provisioned environments are created outside the scaling window.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from .environment import function_arn_of

THROTTLE_REASONS = ("ConcurrentInvocationLimitExceeded", "FunctionInvocationRateLimitExceeded",
                    "ReservedFunctionConcurrentInvocationLimitExceeded")


class LimitError(ValueError):
    """A reservation the account cannot make (the control plane answers it with
    ``InvalidParameterValueException``, carrying this message)."""


@dataclass
class Grant:
    """The counting service's answer to one request."""

    account: str
    function_arn: str
    qualifier: str
    granted: bool
    pool: str | None = None          # "provisioned" | "reserved" | "unreserved" when granted
    reason: str | None = None        # a ThrottleReason when refused
    steps: list = field(default_factory=list)
    released: bool = False

    def __bool__(self) -> bool:
        return self.granted


class LocalConfig:
    """The concurrency configuration the counting service keeps itself (its default source).

    Any object with these six read methods can replace it (:meth:`Counting.use`), e.g. an
    adapter over the Lambda control plane's own records, so there is one source of truth.
    """

    def __init__(self, model):
        self.model = model
        self.limits: dict[str, int] = {}                        # account -> quota override
        self.reserved_by: dict[tuple[str, str], int] = {}       # (account, function ARN) -> n
        self.provisioned_by: dict[tuple[str, str, str], int] = {}  # (acct, fn, qualifier) -> n

    def limit(self, account: str) -> int:
        return self.limits.get(account, self.model.account_concurrency)

    def reserved(self, account: str, function_arn: str) -> int | None:
        return self.reserved_by.get((account, function_arn))

    def provisioned(self, account: str, function_arn: str, qualifier: str) -> int:
        return self.provisioned_by.get((account, function_arn, qualifier), 0)

    def reserved_total(self, account: str) -> int:
        return sum(v for (a, _), v in self.reserved_by.items() if a == account)

    def provisioned_total(self, account: str, function_arn: str) -> int:
        return sum(v for (a, f, _), v in self.provisioned_by.items()
                   if a == account and f == function_arn)

    def provisioned_unreserved(self, account: str) -> int:
        """Provisioned concurrency held by functions without a reservation."""
        return sum(v for (a, f, _), v in self.provisioned_by.items()
                   if a == account and (a, f) not in self.reserved_by)


class Counting:
    """One Region's counting service (see the module docstring)."""

    component = "Counting service"

    def __init__(self, clock, model):
        self.clock = clock
        self.model = model
        self.local = LocalConfig(model)
        self.config = self.local
        self.in_use: dict[tuple[str, str], int] = {}          # on-demand slots granted
        self.provisioned_busy: dict[tuple[str, str, str], int] = {}
        self.new_envs: dict[tuple[str, str], deque] = {}      # times of new environments
        self.throttles: dict[str, int] = {}                   # reason -> count

    def use(self, config) -> None:
        """Read quotas, reservations and provisioned concurrency from ``config`` (an object with
        :class:`LocalConfig`'s read methods) instead of the counting service's own records."""
        self.config = config

    # -- configuration ---------------------------------------------------------------------------
    def account_limit(self, account: str) -> int:
        return self.config.limit(account)

    def min_unreserved(self, account: str) -> int:
        """100 must stay unreserved (or the whole quota, for an account with less than 100)."""
        return min(self.model.min_unreserved, self.account_limit(account))

    def _local(self) -> LocalConfig:
        if self.config is not self.local:
            raise LimitError("this counting service reads its configuration from another "
                             "source (Counting.use): change it there")
        return self.local

    def set_account_limit(self, account: str, limit: int) -> None:
        """Change an account's quota (a service-quota increase, or a small teaching quota)."""
        local = self._local()
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise LimitError("the concurrency quota must be a positive integer")
        reserved = local.reserved_total(account)
        if reserved and limit - reserved < min(self.model.min_unreserved, limit):
            raise LimitError(f"the account reserves {reserved}; a quota of {limit} would leave "
                             f"fewer than {self.model.min_unreserved} unreserved")
        local.limits[account] = limit

    def unreserved_pool(self, account: str) -> int:
        """The account's quota minus every reservation: what functions without a reservation
        share (their provisioned concurrency included)."""
        return self.account_limit(account) - self.config.reserved_total(account)

    def account_settings(self, account: str) -> dict:
        """``AccountLimit`` concurrency fields as GetAccountSettings returns them [BC]
        (provisioned concurrency of unreserved functions counts as taken, as awskit's control
        plane counts it)."""
        return {"ConcurrentExecutions": self.account_limit(account),
                "UnreservedConcurrentExecutions": self.unreserved_pool(account)
                - self.config.provisioned_unreserved(account)}

    def set_reserved(self, account: str, function_arn: str, n: int | None) -> None:
        """PutFunctionConcurrency (``n``) / DeleteFunctionConcurrency (None)."""
        local = self._local()
        key = (account, function_arn)
        if n is None:
            local.reserved_by.pop(key, None)
            return
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise LimitError("ReservedConcurrentExecutions must be a non-negative integer")
        others = local.reserved_total(account) - local.reserved_by.get(key, 0)
        minimum = self.min_unreserved(account)
        if self.account_limit(account) - others - n < minimum:
            raise LimitError("Specified ReservedConcurrentExecutions for function decreases "
                             "account's UnreservedConcurrentExecution below its minimum value of "
                             f"[{minimum}].")
        if n < local.provisioned_total(account, function_arn):
            raise LimitError("ReservedConcurrentExecutions cannot be lower than the function's "
                             "provisioned concurrency")
        local.reserved_by[key] = n

    def set_provisioned(self, account: str, function_arn: str, qualifier: str,
                        n: int | None) -> None:
        """Put/DeleteProvisionedConcurrencyConfig: ``n`` environments for one qualifier."""
        local = self._local()
        key = (account, function_arn, qualifier)
        if n is None or n == 0:
            local.provisioned_by.pop(key, None)
            return
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise LimitError("ProvisionedConcurrentExecutions must be a positive integer")
        old = local.provisioned_by.get(key, 0)
        others = local.provisioned_total(account, function_arn) - old
        reserved = local.reserved(account, function_arn)
        if reserved is not None:
            if others + n > reserved:
                raise LimitError(f"Requested provisioned concurrency ({others + n} for the "
                                 f"function) exceeds its reserved concurrency ({reserved})")
        else:
            minimum = self.min_unreserved(account)
            budget = self.unreserved_pool(account) - minimum
            used = local.provisioned_unreserved(account) - old
            if used + n > budget:
                raise LimitError(f"Requested provisioned concurrency exceeds the account's "
                                 f"unreserved concurrency minus {minimum} "
                                 f"({budget - used} available)")
        local.provisioned_by[key] = n

    # -- the per-invoke check ----------------------------------------------------------------------
    def acquire(self, account: str, function: str, qualifier: str = "$LATEST") -> Grant:
        """Count one more concurrent execution of ``function`` (ARN, qualified or not), or refuse.

        Returns a :class:`Grant` (truthy when granted) whose ``steps`` hold the one
        "Counting service" step to record; a refused grant's ``reason`` is the ThrottleReason.
        """
        fn = function_arn_of(function)
        limit = self.account_limit(account)
        pkey = (account, fn, qualifier)
        key = (account, fn)
        prov = self.config.provisioned(account, fn, qualifier)
        grant = Grant(account, fn, qualifier, False)
        if prov and self.provisioned_busy.get(pkey, 0) < prov:
            self.provisioned_busy[pkey] = self.provisioned_busy.get(pkey, 0) + 1
            grant.granted, grant.pool = True, "provisioned"
            text = (f"{self.provisioned_busy[pkey]} of {prov} provisioned environments of "
                    f"{qualifier} busy: granted from provisioned concurrency")
        elif self.config.reserved(account, fn) is not None:
            cap = self.config.reserved(account, fn)
            used = self.in_use.get(key, 0) + self.config.provisioned_total(account, fn)
            if used >= cap:
                grant.reason = "ReservedFunctionConcurrentInvocationLimitExceeded"
                text = f"{used} of the function's {cap} reserved in use: throttled"
            else:
                self.in_use[key] = self.in_use.get(key, 0) + 1
                grant.granted, grant.pool = True, "reserved"
                text = f"{used + 1} of the function's {cap} reserved concurrency in use: granted"
        else:
            pool = self.unreserved_pool(account)
            used = self._unreserved_used(account)
            if used >= pool:
                grant.reason = "ConcurrentInvocationLimitExceeded"
                text = f"{used} of {pool} unreserved ({limit} account quota) in use: throttled"
            else:
                self.in_use[key] = self.in_use.get(key, 0) + 1
                grant.granted, grant.pool = True, "unreserved"
                text = f"{used + 1} of {pool} unreserved ({limit} account quota) in use: granted"
        if grant.reason:
            self.throttles[grant.reason] = self.throttles.get(grant.reason, 0) + 1
        grant.steps.append((self.component, f"Check concurrency of {fn.split(':')[-1]}: {text}",
                            self.model.counting_ms,
                            {"account": account, "function": fn, "qualifier": qualifier,
                             "granted": grant.granted, "pool": grant.pool, "reason": grant.reason,
                             "account_limit": limit}))
        return grant

    def release(self, grant: Grant) -> None:
        """Give back a granted slot (the request ended). Releasing twice is a no-op."""
        if not grant.granted or grant.released:
            return
        grant.released = True
        if grant.pool == "provisioned":
            pkey = (grant.account, grant.function_arn, grant.qualifier)
            self.provisioned_busy[pkey] = max(0, self.provisioned_busy.get(pkey, 0) - 1)
        else:
            key = (grant.account, grant.function_arn)
            self.in_use[key] = max(0, self.in_use.get(key, 0) - 1)

    def admit_new_environment(self, account: str, function: str) -> tuple[str | None, tuple]:
        """The scaling-rate check before a new environment: (None or the ThrottleReason, step)."""
        fn = function_arn_of(function)
        window = self.new_envs.setdefault((account, fn), deque())
        now = self.clock.elapsed
        horizon = now - self.model.scale_window_s
        while window and window[0] <= horizon:
            window.popleft()
        cap = self.model.scale_new_environments
        if len(window) >= cap:
            reason = "FunctionInvocationRateLimitExceeded"
            self.throttles[reason] = self.throttles.get(reason, 0) + 1
            return reason, (self.component, f"Scaling rate: {len(window)} new environments in the "
                            f"last {self.model.scale_window_s:g} s (limit {cap}): throttled", 0.0,
                            {"function": fn, "reason": reason, "window": len(window)})
        window.append(now)
        return None, (self.component, f"Scaling rate: new environment {len(window)} of {cap} "
                      f"allowed per {self.model.scale_window_s:g} s", 0.0,
                      {"function": fn, "window": len(window)})

    # -- reading -----------------------------------------------------------------------------------
    def concurrency(self, account: str, function: str | None = None) -> int:
        """Busy slots now (of one function if given): AWS's ConcurrentExecutions metric."""
        fn = function_arn_of(function) if function else None
        total = sum(v for (a, f), v in self.in_use.items() if a == account and fn in (None, f))
        total += sum(v for (a, f, _), v in self.provisioned_busy.items()
                     if a == account and fn in (None, f))
        return total

    def usage(self, account: str) -> dict:
        config = self.config
        functions = sorted({f for (a, f) in self.in_use if a == account}
                           | {f for (a, f) in self.local.reserved_by if a == account}
                           | {f for (a, f, _) in self.local.provisioned_by if a == account})
        return {"account": account, "limit": self.account_limit(account),
                "unreserved_pool": self.unreserved_pool(account),
                "unreserved_in_use": self._unreserved_used(account),
                "in_use": self.concurrency(account),
                "functions": {f: {"in_use": self.concurrency(account, f),
                                  "reserved": config.reserved(account, f),
                                  "provisioned": config.provisioned_total(account, f)}
                              for f in functions},
                "throttles": dict(sorted(self.throttles.items()))}

    def _unreserved_used(self, account: str) -> int:
        """On-demand slots of unreserved functions + provisioned concurrency they hold."""
        config = self.config
        used = sum(v for (a, f), v in self.in_use.items()
                   if a == account and config.reserved(a, f) is None)
        return used + config.provisioned_unreserved(account)

    # -- persistence (in-flight grants are not saved: a loaded cloud has no request running) --------
    def dump(self) -> dict:
        local = self.local
        return {"limits": dict(sorted(local.limits.items())),
                "reserved": sorted([a, f, n] for (a, f), n in local.reserved_by.items()),
                "provisioned": sorted([a, f, q, n]
                                      for (a, f, q), n in local.provisioned_by.items()),
                "new_envs": sorted([a, f, list(w)] for (a, f), w in self.new_envs.items() if w),
                "throttles": dict(sorted(self.throttles.items()))}

    def restore(self, data: dict) -> None:
        local = self.local
        local.limits = dict(data["limits"])
        local.reserved_by = {(a, f): n for a, f, n in data["reserved"]}
        local.provisioned_by = {(a, f, q): n for a, f, q, n in data["provisioned"]}
        self.new_envs = {(a, f): deque(w) for a, f, w in data["new_envs"]}
        self.throttles = dict(data["throttles"])
        self.in_use, self.provisioned_busy = {}, {}
