"""What every Lambda operation shares: the front door, authorization, lookups, response shapes.

Lambda speaks rest-json (botocore's lambda model, 2015-03-31). Its request validation layer
checks the model's constraints (lengths, patterns, enums, ranges) and answers
``ValidationException`` "1 validation error detected: Value 'x' at 'field' failed to satisfy
constraint: ..." (the wording of AWS's validation layer, the same as IAM's; see
``awskit.iam.validate``). Beyond the model, a function's memory is 128-10,240 MB (the model's
``MemorySize`` max of 32,768 is for Lambda Managed Instances, facts A7) and its timeout 1-900 s
(the model's doc; the shape no longer carries the max).

Authorization: every operation asks IAM for ``lambda:<Operation>`` on the function's ARN
(qualified when the request names a qualifier), with the function's resource-based policy for
that qualifier taking part, so another account can act on a function only through a policy
statement (AddPermission). Traces: "Front end" received the request, "IAM" authorized it, and
a short "Function metadata" step reads or writes the function-versions table (facts A1).

Lists page with ``Marker``/``MaxItems``: at most 50 items a page (the API reference's figure
for functions and versions; awskit applies it to every list), ``NextMarker`` only when more
remain. Dates in
configurations are strings in Lambda's format, ``2026-03-02T09:00:00.000+0000``.
"""

from __future__ import annotations

import functools
import hashlib

from .. import paging
from ..clock import EPOCH
from ..iam import validate
from ..service import Request, operation
from . import exceptions as errors
from .model import LATEST, Function, FunctionVersion, function_arn, not_found

PAGE = 50
#: simulated durations (ms) of the function-versions table's reads and writes
READ_MS = 1.0
WRITE_MS = 3.0


def lambda_operation(fn):
    """``@operation`` plus Lambda's request validation (ValidationException) first."""
    @functools.wraps(fn)
    def run(self, req: Request, **params):
        check_constraints(req.op.model, params)
        return fn(self, req, **params)
    return operation(run)


def check_constraints(op_model, params: dict) -> None:
    runtime = params.get("Runtime")
    if isinstance(runtime, str):        # refused before the generic checks, in AWS's words
        from .runtimes import check_runtime
        check_runtime(runtime)
    try:
        validate.check(op_model, params)
    except errors.AWSError as err:
        if err.code != "ValidationError":
            raise
        raise errors.ValidationException(err.message) from None


def validation_error(value, where: str, constraint: str) -> errors.AWSError:
    return errors.ValidationException(f"1 validation error detected: Value '{value}' at "
                                      f"'{where}' failed to satisfy constraint: {constraint}")


def lambda_date(elapsed: float) -> str:
    """``2026-03-02T09:00:00.000+0000``: how Lambda writes LastModified and friends."""
    from datetime import timedelta
    moment = EPOCH + timedelta(seconds=round(elapsed, 3))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


class LambdaCommon:
    """Helpers for the Lambda operation mixins (``self`` is the Lambda service)."""

    # -- ids ------------------------------------------------------------------------------
    def new_revision(self) -> str:
        return self.cloud.ids.uuid("lambda-revision")

    # -- authorization ----------------------------------------------------------------------
    def allow(self, req: Request, action: str, arn: str, function: Function | None = None,
              qualifier: str | None = None):
        """IAM check for ``action`` on ``arn``, with the function's policy for ``qualifier``."""
        owner = arn.split(":")[4] or req.account
        policy = None
        if function is not None:
            policy = function.policies.get("" if qualifier in (None, LATEST) else qualifier)
        return req.authorize(action, arn, resource_policy=policy, resource_account=owner,
                             resource_policy_name=policy and f"{arn} (function policy)")

    def target(self, req: Request, action: str, FunctionName: str, Qualifier: str | None = None,
               *, qualified: bool = True, read: str | None = "Read"):
        """Authorize ``action`` on the function a request names, then look it up.

        ``qualified=False``: the operation acts on the function as a whole (a qualifier in the
        name is refused). Returns a :class:`~.model.Resolved`. ``read``: the verb of the
        "Function metadata" step recorded (None: record none).
        """
        owner, name, qualifier = self.parse_name(FunctionName, Qualifier, req.region)
        if not qualified and qualifier is not None:
            raise errors.InvalidParameterValueException(
                "Current operation does not support versions other than $LATEST. Please set "
                "version to $LATEST or do not set a version in your request.")
        owner = owner or req.account
        function = self.find(owner, req.region, name)
        arn = function_arn(owner, req.region, name)
        self.allow(req, action, f"{arn}:{qualifier}" if qualifier else arn, function, qualifier)
        found = self.resolve(FunctionName, Qualifier, account=req.account, region=req.region)
        if read:
            req.step("Function metadata", f"{read} {found.version.arn}"
                     + (f" (alias {found.alias.name})" if found.alias else ""), READ_MS,
                     table="function-versions", key=found.version.arn)
        return found

    def whole_function(self, req: Request, action: str, FunctionName: str,
                       read: str | None = "Read") -> Function:
        return self.target(req, action, FunctionName, qualified=False, read=read).function

    # -- states -----------------------------------------------------------------------------
    def check_modifiable(self, function: Function) -> None:
        """Updates and publishing wait for creation and for the previous update (AWS answers
        ResourceConflictException with these texts)."""
        latest = function.latest
        now = self.now
        if latest.state(now) == "Pending":
            raise errors.ResourceConflictException(
                "The operation cannot be performed at this time. The function is currently in "
                "the following state: Pending")
        if latest.updating(now):
            raise errors.ResourceConflictException(
                "The operation cannot be performed at this time. An update is in progress for "
                f"resource: {function.arn}")

    @staticmethod
    def check_revision(revision_id: str | None, holder) -> None:
        if revision_id is not None and revision_id != holder.revision_id:
            raise errors.PreconditionFailedException(
                "The Revision Id provided does not match the latest Revision Id. Call the "
                "GetFunction/GetAlias API to retrieve the latest Revision Id")

    # -- paging -----------------------------------------------------------------------------
    @staticmethod
    def page(req: Request, items: list, Marker: str | None, MaxItems: int | None,
             cap: int = PAGE):
        """(the page, {"NextMarker"?}) of one list response."""
        try:
            chunk, following = paging.page(req.operation, items, Marker,
                                           min(MaxItems or cap, cap))
        except ValueError:
            # awskit's wording: AWS's for a foreign or stale marker is unconfirmed
            raise errors.InvalidParameterValueException("Invalid marker.") from None
        return chunk, ({"NextMarker": following} if following else {})

    # -- response shapes --------------------------------------------------------------------
    def configuration(self, version: FunctionVersion, *, qualified: bool = False,
                      listing: bool = False, creating: bool = False) -> dict:
        """A FunctionConfiguration as Lambda returns it.

        ``qualified``: FunctionArn with the version (``...:my-fn:1``); ``listing``: the subset
        ListFunctions and ListVersionsByFunction return (no State, LastUpdateStatus or
        RuntimeVersionConfig, per the API reference); ``creating``: CreateFunction's answer
        (no LastUpdateStatus yet).
        """
        v, now = version, self.now
        out = {"FunctionName": v.name,
               "FunctionArn": v.arn if qualified else v.function_arn}
        if v.package_type == "Zip":
            out["Runtime"] = v.runtime
            out["Handler"] = v.handler
        out.update({"Role": v.role, "CodeSize": v.code_size, "Description": v.description,
                    "Timeout": v.timeout, "MemorySize": v.memory,
                    "LastModified": lambda_date(v.last_modified), "CodeSha256": v.code_sha256,
                    "Version": v.version})
        if v.environment:
            out["Environment"] = {"Variables": dict(v.environment)}
        if v.dead_letter_arn:
            out["DeadLetterConfig"] = {"TargetArn": v.dead_letter_arn}
        out["TracingConfig"] = {"Mode": v.tracing}
        out["RevisionId"] = v.revision_id
        if v.layers:
            out["Layers"] = [self.layer_reference(arn) for arn in v.layers]
        if not listing:
            if v.state(now) == "Pending":
                out.update({"State": "Pending", "StateReason": "The function is being created.",
                            "StateReasonCode": "Creating"})
            else:
                out["State"] = "Active"
                if v.is_latest and not creating:
                    out["LastUpdateStatus"] = "InProgress" if v.updating(now) else "Successful"
        out["PackageType"] = v.package_type
        if v.package_type == "Image" and v.image_config:
            out["ImageConfigResponse"] = {"ImageConfig": dict(v.image_config)}
        out["Architectures"] = list(v.architectures)
        out["EphemeralStorage"] = {"Size": v.ephemeral_storage}
        out["SnapStart"] = {"ApplyOn": v.snapstart,
                            "OptimizationStatus": "On" if v.snapstart_on else "Off"}
        if v.package_type == "Zip" and not listing:
            out["RuntimeVersionConfig"] = {"RuntimeVersionArn": runtime_version_arn(v)}
        out["LoggingConfig"] = {"LogFormat": v.log_format, "LogGroup": v.log_group_name}
        return out

    def layer_reference(self, arn: str) -> dict:
        found = self.layer_version(arn)
        return {"Arn": arn, "CodeSize": found.code_size if found else 0}

    def code_location(self, version: FunctionVersion) -> dict:
        """GetFunction's ``Code``: a presigned-looking S3 URL for a zip (deterministic: it is
        derived from the code's id and the clock, and points nowhere), or the image URIs."""
        if version.package_type == "Image":
            return {"RepositoryType": "ECR", "ImageUri": version.image_uri,
                    "ResolvedImageUri": version.resolved_image_uri}
        return {"RepositoryType": "S3",
                "Location": presigned_url(version.region, version.account,
                                          f"{version.name}-{version.code_id}", self.now)}

    # -- errors -----------------------------------------------------------------------------
    @staticmethod
    def missing(arn: str) -> errors.AWSError:
        return not_found(arn)


def runtime_version_arn(version: FunctionVersion) -> str:
    """RuntimeVersionArn: ``arn:aws:lambda:<region>::runtime:<64 hex>`` (a digest of the runtime
    name here; AWS's identifies the runtime build)."""
    digest = hashlib.sha256(f"{version.runtime}:{version.architecture}".encode()).hexdigest()
    return f"arn:aws:lambda:{version.region}::runtime:{digest}"


def presigned_url(region: str, account: str, key: str, now: float) -> str:
    from datetime import timedelta
    stamp = (EPOCH + timedelta(seconds=int(now))).strftime("%Y%m%dT%H%M%SZ")
    signature = hashlib.sha256(f"{region}/{account}/{key}/{stamp}".encode()).hexdigest()
    return (f"https://awslambda-{region}-tasks.s3.{region}.amazonaws.com/snapshots/{account}/"
            f"{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={stamp}&X-Amz-SignedHeaders="
            f"host&X-Amz-Expires=600&X-Amz-Credential=ASIAAWSLAMBDATASKS%2F{stamp[:8]}%2F{region}"
            f"%2Fs3%2Faws4_request&X-Amz-Signature={signature}")
