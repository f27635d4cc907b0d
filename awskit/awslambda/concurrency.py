"""Concurrency: reserved (PutFunctionConcurrency, GetFunctionConcurrency,
DeleteFunctionConcurrency), provisioned (Put/Get/Delete/ListProvisionedConcurrencyConfigs) and
the account's view of both (GetAccountSettings).

What AWS does (facts A6; botocore lambda model and its docs):

- An account has a concurrency quota per Region (1,000 by default). Reserved concurrency both
  reserves capacity for a function and caps it; it applies to every version. At least 100 must
  stay unreserved ("Specified ReservedConcurrentExecutions for function decreases account's
  UnreservedConcurrentExecution below its minimum value of [100]."; an account whose quota is
  below 100 keeps its whole quota as the minimum, as the "[10]" of 10-quota accounts shows).
  Reserving 0 stops the function from running at all.
- Provisioned concurrency keeps environments of a published version or alias initialized
  (never ``$LATEST``: "Provisioned Concurrency Configs cannot be applied to unpublished function
  versions."). PutProvisionedConcurrencyConfig answers 202 with ``Status: IN_PROGRESS`` while
  Lambda allocates and initializes the environments, then ``READY`` (awskit: after
  ``Lambda.provisioned_ready_seconds``, 60 s, unconfirmed: AWS says allocation can take a few
  minutes). It counts against the function's reserved concurrency ("Requested Provisioned
  Concurrency should not be greater than the reservedConcurrentExecution for function") and,
  for a function without one, against the unreserved pool. An alias and the version it points
  to cannot both have a configuration. SnapStart versions cannot use it (facts A11; awskit's
  wording for that refusal).
- GetAccountSettings: ``AccountLimit`` (TotalCodeSize 75 GB, CodeSizeZipped 50 MB,
  CodeSizeUnzipped 250 MB, ConcurrentExecutions, UnreservedConcurrentExecutions) and
  ``AccountUsage`` (TotalCodeSize, FunctionCount) for the caller's account in the endpoint's
  Region. awskit counts a function without reserved concurrency as taking its provisioned
  concurrency out of the unreserved pool.
"""

from __future__ import annotations

from ..service import Request
from . import exceptions as errors
from .code import MAX_UNZIPPED, MAX_ZIPPED, TOTAL_CODE_STORAGE
from .common import READ_MS, WRITE_MS, lambda_date, lambda_operation
from .model import LATEST, ProvisionedConcurrency, alias_not_found, not_found


class ConcurrencyOperations:
    """Reserved and provisioned concurrency, account settings (mixed into the service)."""

    # -- hook the invoke path fills (a mixin earlier in the MRO overrides it) ---------------
    def on_provisioned_concurrency(self, function, qualifier: str, config) -> list:
        """Called when a provisioned concurrency configuration is set (``config``) or removed
        (None); returns step tuples recorded on the request. The internals pre-initialize
        ``config.requested`` environments of the version by ``config.ready_at``."""
        return []

    def _unreserved_check(self, function, reserved, provisioned, what: str) -> None:
        account, region = function.account, function.region
        limit = self.concurrency_limit(account, region)
        minimum = self.minimum_unreserved(account, region)
        committed = self.committed_concurrency(account, region, skip=function,
                                               reserved=reserved, provisioned=provisioned)
        if limit - committed < minimum:
            raise errors.InvalidParameterValueException(
                f"Specified {what} for function decreases account's UnreservedConcurrentExecution "
                f"below its minimum value of [{minimum}].")

    # -- reserved ---------------------------------------------------------------------------
    @lambda_operation
    def put_function_concurrency(self, req: Request, FunctionName: str,
                                 ReservedConcurrentExecutions: int):
        owner, _, qualifier = self.parse_name(FunctionName, None, req.region)
        if qualifier is not None:
            raise errors.InvalidParameterValueException(
                "This operation is permitted on Lambda functions only. Aliases and versions do "
                "not support this operation. Please specify either a function name or an "
                "unqualified function ARN.")
        function = self.whole_function(req, "lambda:PutFunctionConcurrency", FunctionName)
        total_pc = function.provisioned_total()
        self._unreserved_check(function, ReservedConcurrentExecutions, total_pc,
                               "ReservedConcurrentExecutions")
        if total_pc > ReservedConcurrentExecutions:
            raise errors.InvalidParameterValueException(
                f" ReservedConcurrentExecutions  {ReservedConcurrentExecutions} should not be "
                f"lower than function's total provisioned concurrency [{total_pc}].")
        function.reserved = ReservedConcurrentExecutions
        req.step("Function metadata", f"Reserve {ReservedConcurrentExecutions} concurrent "
                 f"executions for {function.arn}", WRITE_MS, table="function-concurrency")
        return {"ReservedConcurrentExecutions": ReservedConcurrentExecutions}

    @lambda_operation
    def get_function_concurrency(self, req: Request, FunctionName: str):
        function = self.whole_function(req, "lambda:GetFunctionConcurrency", FunctionName)
        if function.reserved is None:
            return {}
        return {"ReservedConcurrentExecutions": function.reserved}

    @lambda_operation
    def delete_function_concurrency(self, req: Request, FunctionName: str):
        function = self.whole_function(req, "lambda:DeleteFunctionConcurrency", FunctionName)
        function.reserved = None
        req.step("Function metadata", f"Remove the reserved concurrency of {function.arn}",
                 WRITE_MS, table="function-concurrency")
        req.status = 204
        return {}

    # -- provisioned ------------------------------------------------------------------------
    def _provisioned_target(self, req: Request, action: str, FunctionName: str, Qualifier: str):
        if Qualifier == LATEST or FunctionName.endswith(":" + LATEST):
            if action == "lambda:PutProvisionedConcurrencyConfig":
                raise errors.InvalidParameterValueException(
                    "Provisioned Concurrency Configs cannot be applied to unpublished function "
                    "versions.")
            raise errors.InvalidParameterValueException(
                "The function resource provided must be an alias or a published version.")
        owner, name, qualifier = self.parse_name(FunctionName, Qualifier, req.region)
        owner = owner or req.account
        function = self.find(owner, req.region, name)
        arn = f"arn:aws:lambda:{req.region}:{owner}:function:{name}"
        self.allow(req, action, f"{arn}:{qualifier}", function, qualifier)
        if function is None:
            raise not_found(f"{arn}:{qualifier}")
        if qualifier.isdigit():
            if qualifier not in function.versions:
                raise not_found(f"{arn}:{qualifier}")
        elif qualifier not in function.aliases:
            raise alias_not_found(f"{arn}:{qualifier}")
        return function, qualifier

    def provisioned_shape(self, config: ProvisionedConcurrency, function=None) -> dict:
        now = self.now
        allocated = config.allocated(now)
        out = {"RequestedProvisionedConcurrentExecutions": config.requested,
               "AvailableProvisionedConcurrentExecutions": allocated,
               "AllocatedProvisionedConcurrentExecutions": allocated,
               "Status": config.status(now), "LastModified": lambda_date(config.last_modified)}
        if function is not None:
            out = {"FunctionArn": f"{function.arn}:{config.qualifier}", **out}
        return out

    @lambda_operation
    def put_provisioned_concurrency_config(self, req: Request, FunctionName: str,
                                           Qualifier: str, ProvisionedConcurrentExecutions: int):
        function, qualifier = self._provisioned_target(
            req, "lambda:PutProvisionedConcurrencyConfig", FunctionName, Qualifier)
        wanted = ProvisionedConcurrentExecutions
        if qualifier in function.aliases:
            alias = function.aliases[qualifier]
            if alias.version == LATEST:
                raise errors.InvalidParameterValueException(
                    "Provisioned Concurrency Configs cannot be applied to unpublished function "
                    "versions.")
            if alias.version in function.provisioned:
                raise errors.ResourceConflictException(
                    "Alias can't be used for Provisioned Concurrency configuration on an already "
                    "Provisioned version")
            versions = [alias.version, *alias.routing]
        else:
            if any(a.version == qualifier and a.name in function.provisioned
                   for a in function.aliases.values()):
                raise errors.ResourceConflictException(
                    "Version is pointed by a Provisioned Concurrency alias")
            versions = [qualifier]
        if any(function.versions[v].snapstart_on for v in versions):
            raise errors.InvalidParameterValueException(       # awskit's wording
                "Provisioned Concurrency is not supported for SnapStart enabled versions.")
        others = sum(pc.requested for q, pc in function.provisioned.items() if q != qualifier)
        if function.reserved is not None and others + wanted > function.reserved:
            raise errors.InvalidParameterValueException(
                "Requested Provisioned Concurrency should not be greater than the "
                "reservedConcurrentExecution for function")
        if function.reserved is None:
            self._unreserved_check(function, None, others + wanted, "ConcurrentExecutions")
        now = self.now
        config = ProvisionedConcurrency(qualifier, wanted, now,
                                        now + self.provisioned_ready_seconds)
        function.provisioned[qualifier] = config
        self.pricing.provisioned_changed(function, qualifier, config)
        req.step("Function metadata", f"Provision {wanted} environment(s) for "
                 f"{function.arn}:{qualifier} (IN_PROGRESS until allocated)", WRITE_MS,
                 table="provisioned-concurrency")
        for step in self.on_provisioned_concurrency(function, qualifier, config):
            req.step(step[0], step[1], step[2], **(step[3] or {}))
        req.status = 202
        return self.provisioned_shape(config)

    @lambda_operation
    def get_provisioned_concurrency_config(self, req: Request, FunctionName: str,
                                           Qualifier: str):
        function, qualifier = self._provisioned_target(
            req, "lambda:GetProvisionedConcurrencyConfig", FunctionName, Qualifier)
        config = function.provisioned.get(qualifier)
        if config is None:
            raise errors.ProvisionedConcurrencyConfigNotFoundException(
                "No Provisioned Concurrency Config found for this function")
        req.step("Function metadata", f"Read the provisioned concurrency of "
                 f"{function.arn}:{qualifier}", READ_MS, table="provisioned-concurrency")
        return self.provisioned_shape(config)

    @lambda_operation
    def delete_provisioned_concurrency_config(self, req: Request, FunctionName: str,
                                              Qualifier: str):
        function, qualifier = self._provisioned_target(
            req, "lambda:DeleteProvisionedConcurrencyConfig", FunctionName, Qualifier)
        if function.provisioned.pop(qualifier, None) is not None:
            self.pricing.provisioned_changed(function, qualifier, None)
            for step in self.on_provisioned_concurrency(function, qualifier, None):
                req.step(step[0], step[1], step[2], **(step[3] or {}))
        req.step("Function metadata", f"Delete the provisioned concurrency of "
                 f"{function.arn}:{qualifier}", WRITE_MS, table="provisioned-concurrency")
        req.status = 204
        return {}

    @lambda_operation
    def list_provisioned_concurrency_configs(self, req: Request, FunctionName: str,
                                             Marker: str | None = None,
                                             MaxItems: int | None = None):
        function = self.whole_function(req, "lambda:ListProvisionedConcurrencyConfigs",
                                       FunctionName)
        configs = [function.provisioned[q] for q in sorted(function.provisioned)]
        chunk, extra = self.page(req, configs, Marker, MaxItems)
        return {"ProvisionedConcurrencyConfigs": [self.provisioned_shape(c, function)
                                                  for c in chunk], **extra}

    # -- the account ------------------------------------------------------------------------
    @lambda_operation
    def get_account_settings(self, req: Request):
        req.authorize("lambda:GetAccountSettings", "*")
        account, region = req.account, req.region
        functions = self.functions_in(account, region)
        req.step("Function metadata", f"Sum the functions and code of {account} in {region}",
                 READ_MS, table="function-versions")
        return {"AccountLimit": {"TotalCodeSize": TOTAL_CODE_STORAGE,
                                 "CodeSizeUnzipped": MAX_UNZIPPED, "CodeSizeZipped": MAX_ZIPPED,
                                 "ConcurrentExecutions": self.concurrency_limit(account, region),
                                 "UnreservedConcurrentExecutions":
                                     self.unreserved(account, region)},
                "AccountUsage": {"TotalCodeSize": self.code_storage_used(account, region),
                                 "FunctionCount": len(functions)}}
