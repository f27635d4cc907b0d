"""What CreateFunction and UpdateFunctionCode check before storing anything: the code itself
(zip bytes, an S3 object, a container image), layers, environment variables and the role.

Limits and AWS's answers (facts A7; messages as AWS sends them, quoted in public reports):

- a zip uploaded in the request may be 50 MB (52,428,800 bytes): RequestEntityTooLargeException
  (HTTP 413) "Zipped size must be smaller than 52428800 bytes" (the check AWS has run first
  since late 2023; before, the request-size message "Request must be smaller than 69905067
  bytes for the CreateFunction operation" came first);
- code plus layers may unzip to 250 MB (262,144,000 bytes): InvalidParameterValueException
  "Unzipped size must be smaller than N bytes", N being 262,144,000 minus the layers' unzipped
  size (hence messages such as "smaller than 255174947 bytes");
- a file that is not a zip: "Could not unzip uploaded file. Please check your file, then try
  to upload again.";
- code from S3 is read from the bucket as the caller (a real S3 GetObject request of the caller,
  traced as S3's own request); S3's refusal comes back as InvalidParameterValueException "Error
  occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: ...", and a bucket in
  another Region as S3's PermanentRedirect;
- at most 5 layers ("Cannot reference more than 5 layers."), each an existing layer version of
  the function's Region ("Layer version <arn> does not exist."), two versions of one layer
  refused; another account's layer needs ``lambda:GetLayerVersion`` through the layer's policy
  (awskit implements no layer policies, so such layers are refused with AccessDeniedException);
- environment variables: keys ``[a-zA-Z]([a-zA-Z0-9_])+``, none of Lambda's reserved keys
  (``AWS_REGION``, ``AWS_LAMBDA_FUNCTION_NAME``, ...), 4 KB in all, measured as the compact JSON
  of the map ("... exceeded the 4KB limit. String measured: {...}");
- the execution role: the caller needs ``iam:PassRole`` on it; it must exist in the function's
  account and trust ``lambda.amazonaws.com`` for ``sts:AssumeRole``, else "The role defined for
  the function cannot be assumed by Lambda." (IAM's eventual consistency, which makes a brand-new
  role fail this check for a few seconds on AWS, is not simulated).

Container images: awskit simulates no ECR; ``cloud.awslambda.push_image(repo, [layer bytes])``
stands in for ``docker push`` (see ``store.py``). An unknown image: "Source image <uri> does not
exist. Provide a valid source image." Wording marked "awskit's" below is not confirmed by any
AWS response seen.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from dataclasses import dataclass

from ..service import Request
from . import exceptions as errors
from .common import validation_error

MAX_ZIPPED = 52_428_800
MAX_UNZIPPED = 262_144_000
MAX_IMAGE = 10 * 1024 ** 3
MAX_LAYERS = 5
MAX_ENVIRONMENT = 4096
TOTAL_CODE_STORAGE = 80_530_636_800       # 75 GB per Region (facts A7)
_ENV_KEY = re.compile(r"[a-zA-Z]([a-zA-Z0-9_])+")
#: keys the runtime sets itself (Lambda Developer Guide, "Defined runtime environment variables")
RESERVED_KEYS = ("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
                 "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
                 "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
                 "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
                 "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
                 "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API",
                 "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR")


@dataclass
class Package:
    """A checked deployment package (or layer content) ready to store."""

    data: bytes
    sha256: str            # CodeSha256: base64 of the SHA-256
    unzipped: int
    source: str            # "ZipFile" or "s3://bucket/key"


def _blob(value) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    return value.read()


def unzipped_size(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise errors.InvalidParameterValueException(
            "Could not unzip uploaded file. Please check your file, then try to upload again."
        ) from None


def code_sha256(data: bytes) -> str:
    import hashlib
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


class CodeIntake:
    """Checks shared by CreateFunction, UpdateFunctionCode, UpdateFunctionConfiguration and
    PublishLayerVersion (mixed into the Lambda service)."""

    # -- zip packages -----------------------------------------------------------------------
    def read_package(self, req: Request, ZipFile=None, S3Bucket=None, S3Key=None,
                     S3ObjectVersion=None, *, layers_size: int = 0, region: str) -> Package:
        """The zip a request provides inline or in S3, checked against the size limits."""
        if ZipFile is not None and S3Bucket is not None:
            # awskit's wording
            raise errors.InvalidParameterValueException(
                "Please do not provide other FunctionCode parameters when providing a ZipFile.")
        if ZipFile is not None:
            data = _blob(ZipFile)
            if len(data) > MAX_ZIPPED:
                raise errors.RequestEntityTooLargeException(
                    f"Zipped size must be smaller than {MAX_ZIPPED} bytes")
            source = "ZipFile"
        elif S3Bucket is not None and S3Key is not None:
            data = self._read_s3(req, S3Bucket, S3Key, S3ObjectVersion, region)
            source = f"s3://{S3Bucket}/{S3Key}"
        else:
            # awskit's wording
            raise errors.InvalidParameterValueException(
                "Please provide a source for function code.")
        unzipped = unzipped_size(data)
        if unzipped + layers_size > MAX_UNZIPPED:
            raise errors.InvalidParameterValueException(
                f"Unzipped size must be smaller than {MAX_UNZIPPED - layers_size} bytes")
        return Package(data, code_sha256(data), unzipped, source)

    def _read_s3(self, req: Request, bucket: str, key: str, version: str | None,
                 region: str) -> bytes:
        """GetObject as the caller (a real S3 request, traced as S3's own)."""
        s3 = self.cloud.s3
        found = s3.buckets.get(bucket)
        if found is not None and found.region != region:
            raise errors.InvalidParameterValueException(
                "Error occurred while GetObject. S3 Error Code: PermanentRedirect. S3 Error "
                f"Message: The bucket is in this region: {found.region}. Please use this region "
                "to retry the request")
        params = {"Bucket": bucket, "Key": key}
        if version is not None:
            params["VersionId"] = version
        clock = self.cloud.clock
        t0 = clock.elapsed
        try:
            response = s3.invoke("GetObject", params, req.caller)
        except errors.AWSError as err:
            raise errors.InvalidParameterValueException(
                f"Error occurred while GetObject. S3 Error Code: {err.code}. S3 Error Message: "
                f"{err.message}") from None
        data = response["Body"].read()
        spent = clock.elapsed - t0
        clock.elapsed = t0          # the S3 request's own trace covers this span
        req.step("S3", f"GetObject s3://{bucket}/{key} as the caller: {len(data):,} bytes",
                 spent * 1000, bucket=bucket, key=key, bytes=len(data))
        return data

    # -- container images -------------------------------------------------------------------
    def find_image(self, uri: str, region: str):
        image = self.images.get(uri)
        if image is None or f".dkr.ecr.{region}." not in image.repository:
            raise errors.InvalidParameterValueException(
                f"Source image {uri} does not exist. Provide a valid source image.")
        size = sum(len(self.code[key]) for key in image.layers)
        if size > MAX_IMAGE:
            raise errors.InvalidParameterValueException(   # awskit's wording
                f"Image size must be smaller than {MAX_IMAGE} bytes")
        return image

    # -- layers -----------------------------------------------------------------------------
    def check_layers(self, req: Request, layers: list[str], region: str) -> int:
        """Check a Layers list; returns the layers' total unzipped size."""
        if len(layers) > MAX_LAYERS:
            raise errors.InvalidParameterValueException(
                f"Cannot reference more than {MAX_LAYERS} layers.")
        seen: dict[str, str] = {}
        total = 0
        for arn in layers:
            parts = arn.split(":")
            layer_region, owner = parts[3], parts[4]
            if layer_region != region:
                raise errors.InvalidParameterValueException(
                    "Layers are not in the same region as the function. Layers are expected to "
                    f"be in region {region}.")
            if owner != req.account:
                req.authorize("lambda:GetLayerVersion", arn, resource_account=owner)
            found = self.layer_version(arn)
            if found is None or found.deleted:
                raise errors.InvalidParameterValueException(f"Layer version {arn} does not exist.")
            if found.layer_arn in seen:
                raise errors.InvalidParameterValueException(
                    "Two different versions of the same layer are not allowed to be referenced in "
                    f"the same function. {seen[found.layer_arn]} and {arn} are versions of the "
                    "same layer.")
            seen[found.layer_arn] = arn
            total += found.unzipped_size
        return total

    # -- environment ------------------------------------------------------------------------
    @staticmethod
    def check_environment(variables: dict) -> None:
        for key in variables:
            if not _ENV_KEY.fullmatch(key):
                raise errors.ValidationException(
                    "1 validation error detected: Value at 'environment.variables' failed to "
                    "satisfy constraint: Map keys must satisfy constraint: [Member must satisfy "
                    "regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
        reserved = [k for k in variables if k in RESERVED_KEYS]
        if reserved:
            raise errors.InvalidParameterValueException(
                "Lambda was unable to configure your environment variables because the "
                "environment variables you have provided contains reserved keys that are "
                "currently not supported for modification. Reserved keys used in this request: "
                + ", ".join(reserved))
        measured = json.dumps(variables, separators=(",", ":"))
        if len(measured.encode()) > MAX_ENVIRONMENT:
            raise errors.InvalidParameterValueException(
                "Lambda was unable to configure your environment variables because the "
                "environment variables you have provided exceeded the 4KB limit. String "
                f"measured: {measured}")

    # -- sizes ------------------------------------------------------------------------------
    @staticmethod
    def check_sizes(memory: int | None, timeout: int | None) -> None:
        if memory is not None and memory > 10240:
            raise validation_error(memory, "memorySize",
                                   "Member must have value less than or equal to 10240")
        if timeout is not None and timeout > 900:
            raise validation_error(timeout, "timeout",
                                   "Member must have value less than or equal to 900")

    @staticmethod
    def check_architectures(architectures) -> None:
        if architectures is not None and len(architectures) > 1:
            raise validation_error(f"[{', '.join(architectures)}]", "architectures",
                                   "Member must have length less than or equal to 1")

    # -- the execution role -----------------------------------------------------------------
    def check_role(self, req: Request, role_arn: str, function_arn: str) -> None:
        req.authorize("iam:PassRole", role_arn,
                      keys={"iam:PassedToService": "lambda.amazonaws.com"})
        account, name = role_arn.split(":")[4], role_arn.rsplit("/", 1)[-1]
        owner = function_arn.split(":")[4]
        iam_account = self.cloud.iam.accounts.get(account)
        role = iam_account.roles.get(name.lower()) if iam_account is not None else None
        context = {"aws:sourceaccount": [owner], "aws:sourcearn": [function_arn]}
        if role is None or role.arn != role_arn or account != owner or \
                not trusts_lambda(role.trust, context):
            raise errors.InvalidParameterValueException(
                "The role defined for the function cannot be assumed by Lambda.")
        req.step("IAM", f"Role {role.name} trusts lambda.amazonaws.com", 1.0, role=role_arn)

    def check_dead_letter(self, role_arn: str, target: str | None) -> None:
        """A DLQ must be an SQS queue or SNS topic the execution role may send to (AWS checks
        the role's permission when the DLQ is set, with these messages)."""
        if not target:
            return
        service = target.split(":")[2] if target.count(":") >= 5 else ""
        if service not in ("sqs", "sns"):
            # awskit's wording
            raise errors.InvalidParameterValueException(
                f"The provided target arn {target} is invalid. Provide an Amazon SQS queue or "
                "Amazon SNS topic ARN.")
        action, name = (("sqs:SendMessage", "SendMessage on SQS") if service == "sqs"
                        else ("sns:Publish", "Publish on SNS"))
        if not self.role_may(role_arn, action, target):
            raise errors.InvalidParameterValueException(
                f"The provided execution role does not have permissions to call {name}")

    def role_may(self, role_arn: str, action: str, resource: str) -> bool:
        """Would a session of the execution role be allowed ``action`` on ``resource``?"""
        iam = self.cloud.iam
        try:
            principal = iam.resolve_principal(role_arn)
        except errors.AWSError:
            return False
        policy, owner = self.cloud.resource_policy(resource)
        context = iam.principal_context(principal, region=resource.split(":")[3] or
                                        self.cloud.default_region)
        return iam.authorize(principal, action, resource, context, resource_policy=policy,
                             resource_account=owner or resource.split(":")[4]).allowed


def trusts_lambda(trust, context: dict) -> bool:
    """Does a trust policy let the Lambda service assume the role (sts:AssumeRole)?"""
    lookup = context.get
    allowed = False
    for statement in trust.statements:
        principal = statement.principal
        if principal is None or not statement.matches_action("sts:AssumeRole"):
            continue
        named = principal == "*" or "*" in principal.get("AWS", []) or any(
            s.lower() == "lambda.amazonaws.com" for s in principal.get("Service", []))
        if not named or not statement.matches_conditions(lookup):
            continue
        if statement.effect == "Deny":
            return False
        allowed = True
    return allowed
