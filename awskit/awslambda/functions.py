"""Functions: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions,
DeleteFunction, UpdateFunctionCode, UpdateFunctionConfiguration.

What AWS does (botocore lambda model; Developer Guide "Lambda function states"): CreateFunction
answers 201 with ``State: Pending`` ("The function is being created.", ``Creating``); the
function turns ``Active`` once Lambda has set it up, and until then Invoke, updates and
PublishVersion fail with ResourceConflictException. An update sets ``LastUpdateStatus`` to
``InProgress`` until it completes; meanwhile invocations use the previous code and
configuration, and another update or a publish is refused. awskit's timings (AWS publishes
none; zip functions outside a VPC are typically ready within about a second): ``Pending`` lasts
``Lambda.create_seconds`` (0.5 s) and an update ``Lambda.update_seconds`` (0.5 s) of simulated
time. A name already taken: ResourceConflictException "Function already exist: <name>" (sic, as
AWS sends it). ``Publish=True`` also publishes version 1 (CreateFunction then answers with that
version's configuration).

Not simulated (refused with 501 NotImplemented rather than silently ignored): VPC attachment
(non-empty ``VpcConfig``), EFS (``FileSystemConfigs``), customer KMS keys, code signing, Lambda
Managed Instances (``CapacityProviderConfig``), durable functions, tenancy, Lambda@Edge replicas
(``MasterRegion`` lists none).
"""

from __future__ import annotations

from ..service import Request
from . import exceptions as errors
from .common import READ_MS, WRITE_MS, lambda_operation
from .model import LATEST, Function, FunctionVersion, function_arn
from .runtimes import check_runtime, check_snapstart, deprecated_since

MAX_TAGS = 50
_UNSIMULATED = {"KMSKeyArn": "customer managed KMS keys", "CodeSigningConfigArn": "code signing",
                "CapacityProviderConfig": "Lambda Managed Instances",
                "DurableConfig": "durable functions", "TenancyConfig": "tenant isolation",
                "PublishTo": "publishing to a capacity provider",
                "SourceKMSKeyArn": "customer managed KMS keys"}


def refuse_unsimulated(params: dict) -> None:
    for name, what in _UNSIMULATED.items():
        if params.get(name):
            raise errors.for_code("NotImplemented")(f"awskit does not simulate {what} ({name})",
                                                    status=501)
    vpc = params.get("VpcConfig") or {}
    if vpc.get("SubnetIds") or vpc.get("SecurityGroupIds"):
        raise errors.for_code("NotImplemented")("awskit does not simulate VPC access for Lambda "
                                                "functions (VpcConfig)", status=501)
    if params.get("FileSystemConfigs"):
        raise errors.for_code("NotImplemented")("awskit does not simulate EFS for Lambda "
                                                "(FileSystemConfigs)", status=501)


def store_ms(size: int) -> float:
    """Simulated time to copy code into Lambda's storage: 2 ms + 1 ms per MB."""
    return 2.0 + size / 1_000_000


class FunctionOperations:
    """Function lifecycle operations (mixed into the Lambda service)."""

    # -- hooks the invoke path fills (a mixin earlier in the MRO overrides them) ------------
    def on_code_stored(self, function: Function, version: FunctionVersion) -> list:
        """Called when new code is stored for ``$LATEST``; returns step tuples
        ``(component, action, ms, detail)`` recorded on the request (e.g. component storage
        flattening and chunking a container image, facts A10)."""
        return []

    # -- helpers ----------------------------------------------------------------------------
    def _apply_code(self, req: Request, version: FunctionVersion, params: dict,
                    layers_size: int) -> None:
        """Read, check and store the code a request gives; point ``version`` at it."""
        region = version.region
        if version.package_type == "Image":
            image = self.find_image(params["ImageUri"], region)
            version.code_key = image.digest
            version.code_sha256 = image.digest
            version.code_size = 0
            version.unzipped_size = sum(len(self.code[k]) for k in image.layers)
            version.image_uri, version.resolved_image_uri = params["ImageUri"], image.resolved_uri
            req.step("Function metadata", f"Resolve image {params['ImageUri']} to "
                     f"{image.resolved_uri}", READ_MS, layers=len(image.layers))
        else:
            package = self.read_package(req, params.get("ZipFile"), params.get("S3Bucket"),
                                        params.get("S3Key"), params.get("S3ObjectVersion"),
                                        layers_size=layers_size, region=region)
            version.code_key = self.store_code(package.data)
            version.code_sha256 = package.sha256
            version.code_size = len(package.data)
            version.unzipped_size = package.unzipped
            req.step("Code storage", f"Store the deployment package ({len(package.data):,} bytes "
                     f"from {package.source}, CodeSha256 {package.sha256})",
                     store_ms(len(package.data)), bytes=len(package.data),
                     code_sha256=package.sha256)
        version.code_id = self.cloud.ids.uuid("lambda-code")

    def _check_code_package(self, package_type: str, Code: dict, Runtime, Handler, Layers,
                            creating: bool) -> None:
        verb = "creating" if creating else "updating"
        if package_type == "Zip":
            if Code.get("ImageUri"):
                raise errors.InvalidParameterValueException(
                    f"Please don't provide ImageUri when {verb} a function with packageType Zip.")
            if creating and (not Runtime or not Handler):
                raise errors.InvalidParameterValueException(
                    "Runtime and Handler are mandatory parameters for functions created with "
                    "deployment packages.")
            return
        if Code.get("ZipFile") is not None or Code.get("S3Bucket") is not None or \
                not Code.get("ImageUri"):
            raise errors.InvalidParameterValueException(
                f"Please provide ImageUri when {verb} a function with packageType Image.")
        if Runtime or Handler or Layers:        # awskit's wording
            raise errors.InvalidParameterValueException(
                "Runtime, Handler and Layers are not supported for functions with packageType "
                "Image.")

    def _trace_runtime(self, req: Request, runtime: str | None) -> None:
        if runtime is None:
            return
        since = deprecated_since(runtime, self.cloud.clock.now.date())
        if since is not None:
            req.step("Front end", f"Runtime {runtime} is deprecated (since {since:%Y-%m-%d}): "
                     "AWS blocks creating and updating such functions some months later", 0.0)

    def _begin_update(self, function: Function) -> FunctionVersion:
        """Start an update of $LATEST: keep the configuration invocations still use."""
        latest = function.latest
        latest.prior = latest.snapshot()
        latest.change_serial += 1
        latest.revision_id = self.new_revision()
        return latest

    def _end_update(self, req: Request, function: Function, what: str) -> None:
        latest = function.latest
        latest.last_modified = self.now
        req.step("Function metadata", f"Write {latest.arn}: {what} (LastUpdateStatus "
                 "InProgress)", WRITE_MS, table="function-versions", key=latest.arn)
        latest.update_until = self.now + self.update_seconds

    # -- CreateFunction ---------------------------------------------------------------------
    @lambda_operation
    def create_function(self, req: Request, FunctionName: str, Role: str, Code: dict,
                        Runtime: str | None = None, Handler: str | None = None,
                        Description: str = "", Timeout: int = 3, MemorySize: int = 128,
                        Publish: bool = False, PackageType: str = "Zip",
                        DeadLetterConfig: dict | None = None, Environment: dict | None = None,
                        TracingConfig: dict | None = None, Tags: dict | None = None,
                        Layers: list | None = None, ImageConfig: dict | None = None,
                        Architectures: list | None = None, EphemeralStorage: dict | None = None,
                        SnapStart: dict | None = None, LoggingConfig: dict | None = None,
                        **params):
        self.check_architectures(Architectures)
        self.check_sizes(MemorySize, Timeout)
        owner, name, qualifier = self.parse_name(FunctionName, None, req.region)
        owner = owner or req.account
        arn = function_arn(owner, req.region, name)
        self.allow(req, "lambda:CreateFunction", arn)
        if qualifier is not None:       # awskit's wording
            raise errors.InvalidParameterValueException(
                "A function name for CreateFunction cannot include a qualifier.")
        if arn in self.functions:
            raise errors.ResourceConflictException(f"Function already exist: {name}")
        refuse_unsimulated(params)
        self._check_code_package(PackageType, Code, Runtime, Handler, Layers, creating=True)
        if Runtime is not None:
            check_runtime(Runtime)
        storage = (EphemeralStorage or {}).get("Size", 512)
        apply_on = (SnapStart or {}).get("ApplyOn", "None")
        check_snapstart(apply_on, Runtime, storage)
        variables = (Environment or {}).get("Variables") or {}
        self.check_environment(variables)
        layers_size = self.check_layers(req, Layers or [], req.region)
        if len(Tags or {}) > MAX_TAGS:
            raise errors.InvalidParameterValueException(
                "Number of tags exceeds function tag limit.")
        self.check_role(req, Role, arn)
        target = (DeadLetterConfig or {}).get("TargetArn") or None
        self.check_dead_letter(Role, target)
        self._trace_runtime(req, Runtime)
        now = self.now
        version = FunctionVersion(
            name, owner, req.region, LATEST, Role, runtime=Runtime, handler=Handler,
            package_type=PackageType, description=Description, memory=MemorySize,
            timeout=Timeout, environment=dict(variables), layers=list(Layers or []),
            architectures=list(Architectures or ["x86_64"]), ephemeral_storage=storage,
            snapstart=apply_on, dead_letter_arn=target,
            tracing=(TracingConfig or {}).get("Mode", "PassThrough"),
            log_format=(LoggingConfig or {}).get("LogFormat", "Text"),
            log_group=(LoggingConfig or {}).get("LogGroup", ""),
            image_config=ImageConfig or None, revision_id=self.new_revision(),
            change_serial=1)
        self._apply_code(req, version, Code, layers_size)
        self.check_code_storage(owner, req.region, version.code_size)
        function = Function(name, owner, req.region, now, version, tags=dict(Tags or {}))
        for step in self.on_code_stored(function, version):
            req.step(step[0], step[1], step[2], **(step[3] or {}))
        self.functions[arn] = function
        req.step("Function metadata", f"Insert {version.arn} (State Pending)", WRITE_MS,
                 table="function-versions", key=version.arn)
        version.last_modified = self.now
        version.pending_until = self.now + self.create_seconds
        req.status = 201
        if Publish:
            published, _ = self.publish(req, function)
            return self.configuration(published, creating=True)
        return self.configuration(version, creating=True)

    def check_code_storage(self, account: str, region: str, extra: int) -> None:
        from .code import TOTAL_CODE_STORAGE
        used = self.code_storage_used(account, region)
        if used + extra > TOTAL_CODE_STORAGE:
            raise errors.CodeStorageExceededException("Code storage limit exceeded.")

    def code_storage_used(self, account: str, region: str) -> int:
        """AccountUsage.TotalCodeSize: the zips of every version plus every layer version."""
        total = sum(v.code_size for f in self.functions_in(account, region)
                    for v in f.all_versions())
        for layer in self.layers.values():
            if layer.account == account and layer.region == region:
                total += sum(lv.code_size for lv in layer.versions.values())
        return total

    # -- reading ----------------------------------------------------------------------------
    def _answer_config(self, found) -> dict:
        config = self.configuration(found.version, qualified=found.qualifier is not None)
        if found.alias is not None:
            config["FunctionArn"] = found.alias.arn
        return config

    @lambda_operation
    def get_function(self, req: Request, FunctionName: str, Qualifier: str | None = None):
        found = self.target(req, "lambda:GetFunction", FunctionName, Qualifier)
        function = found.function
        out = {"Configuration": self._answer_config(found),
               "Code": self.code_location(found.version)}
        if function.tags:
            out["Tags"] = dict(function.tags)
        if function.reserved is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": function.reserved}
        return out

    @lambda_operation
    def get_function_configuration(self, req: Request, FunctionName: str,
                                   Qualifier: str | None = None):
        found = self.target(req, "lambda:GetFunctionConfiguration", FunctionName, Qualifier)
        return self._answer_config(found)

    @lambda_operation
    def list_functions(self, req: Request, MasterRegion: str | None = None,
                       FunctionVersion: str | None = None, Marker: str | None = None,
                       MaxItems: int | None = None):
        req.authorize("lambda:ListFunctions", "*")
        functions = [] if MasterRegion else self.functions_in(req.account, req.region)
        if FunctionVersion == "ALL":
            items = [(v, True) for f in functions for v in f.all_versions()]
        else:
            items = [(f.latest, False) for f in functions]
        chunk, extra = self.page(req, items, Marker, MaxItems)
        req.step("Function metadata", f"List the functions of {req.account} in {req.region}: "
                 f"{len(chunk)}", READ_MS, table="function-versions")
        return {"Functions": [self.configuration(v, qualified=q, listing=True)
                              for v, q in chunk], **extra}

    # -- DeleteFunction ---------------------------------------------------------------------
    @lambda_operation
    def delete_function(self, req: Request, FunctionName: str, Qualifier: str | None = None):
        found = self.target(req, "lambda:DeleteFunction", FunctionName, Qualifier)
        function, qualifier = found.function, found.qualifier
        if qualifier == LATEST:
            raise errors.InvalidParameterValueException(
                "$LATEST version cannot be deleted without deleting the function.")
        if found.alias is not None:     # awskit's wording
            raise errors.InvalidParameterValueException(
                f"{qualifier} is an alias, not a version: delete it with DeleteAlias.")
        if qualifier is None:
            del self.functions[function.arn]
            self.pricing.function_deleted(function)
            what = f"Delete {function.arn} and its {len(function.versions)} published version(s)"
        else:
            users = sorted(a.name for a in function.aliases.values()
                           if a.version == qualifier or qualifier in a.routing)
            if users:
                raise errors.ResourceConflictException(
                    "Unable to delete version because the following aliases reference it: "
                    f"[{', '.join(users)}]")
            del function.versions[qualifier]
            for table in (function.provisioned, function.event_invoke, function.policies):
                if qualifier in table:
                    if table is function.provisioned:
                        self.pricing.provisioned_changed(function, qualifier, None)
                    del table[qualifier]
            what = f"Delete {found.version.arn}"
        self.prune_code()
        req.step("Function metadata", what, WRITE_MS, table="function-versions")
        req.status = 204
        return {"StatusCode": 204}

    # -- UpdateFunctionCode -----------------------------------------------------------------
    @lambda_operation
    def update_function_code(self, req: Request, FunctionName: str, Publish: bool = False,
                             DryRun: bool = False, RevisionId: str | None = None,
                             Architectures: list | None = None, **params):
        self.check_architectures(Architectures)
        function = self.whole_function(req, "lambda:UpdateFunctionCode", FunctionName)
        latest = function.latest
        self.check_revision(RevisionId, latest)
        self.check_modifiable(function)
        refuse_unsimulated(params)
        if latest.package_type == "Image" and (params.get("ZipFile") is not None
                                               or params.get("S3Bucket") is not None):
            raise errors.InvalidParameterValueException(
                "Please provide ImageUri when updating a function with packageType Image.")
        self._check_code_package(latest.package_type, params, None, None, None, creating=False)
        layers_size = sum(lv.unzipped_size for lv in self.layer_versions_of(latest))
        trial = latest.snapshot()
        self._apply_code(req, trial, params, layers_size)
        if DryRun:      # validated and authorized; nothing changes
            return self.configuration(latest)
        latest = self._begin_update(function)
        for field in ("code_key", "code_sha256", "code_size", "unzipped_size", "code_id",
                      "image_uri", "resolved_image_uri"):
            setattr(latest, field, getattr(trial, field))
        if Architectures:
            latest.architectures = list(Architectures)
        for step in self.on_code_stored(function, latest):
            req.step(step[0], step[1], step[2], **(step[3] or {}))
        self._end_update(req, function, "new code")
        self.prune_code()
        if Publish:
            published, _ = self.publish(req, function, updating=True)
            return self.configuration(published, qualified=True)
        return self.configuration(latest)

    # -- UpdateFunctionConfiguration --------------------------------------------------------
    @lambda_operation
    def update_function_configuration(self, req: Request, FunctionName: str,
                                      RevisionId: str | None = None, **params):
        function = self.whole_function(req, "lambda:UpdateFunctionConfiguration", FunctionName)
        latest = function.latest
        self.check_revision(RevisionId, latest)
        self.check_modifiable(function)
        refuse_unsimulated(params)
        self.check_sizes(params.get("MemorySize"), params.get("Timeout"))
        new = latest.snapshot()
        if latest.package_type == "Image" and (params.get("Runtime") or params.get("Handler")
                                               or params.get("Layers")):
            raise errors.InvalidParameterValueException(      # awskit's wording
                "Runtime, Handler and Layers are not supported for functions with packageType "
                "Image.")
        if params.get("Runtime") is not None:
            check_runtime(params["Runtime"])
            new.runtime = params["Runtime"]
        for key, field in (("Handler", "handler"), ("Description", "description"),
                           ("Timeout", "timeout"), ("MemorySize", "memory")):
            if params.get(key) is not None:
                setattr(new, field, params[key])
        if "Environment" in params:
            variables = (params["Environment"] or {}).get("Variables") or {}
            self.check_environment(variables)
            new.environment = dict(variables)
        if "EphemeralStorage" in params:
            new.ephemeral_storage = params["EphemeralStorage"]["Size"]
        if "SnapStart" in params:
            new.snapstart = (params["SnapStart"] or {}).get("ApplyOn", "None")
        check_snapstart(new.snapstart, new.runtime, new.ephemeral_storage)
        if "Layers" in params:
            layers_size = self.check_layers(req, params["Layers"], function.region)
            if new.unzipped_size + layers_size > 262_144_000:
                raise errors.InvalidParameterValueException(
                    f"Unzipped size must be smaller than {262_144_000 - layers_size} bytes")
            new.layers = list(params["Layers"])
        if params.get("TracingConfig"):
            new.tracing = params["TracingConfig"].get("Mode", new.tracing)
        if params.get("LoggingConfig"):
            new.log_format = params["LoggingConfig"].get("LogFormat", new.log_format)
            new.log_group = params["LoggingConfig"].get("LogGroup", new.log_group)
        if params.get("ImageConfig") is not None:
            new.image_config = params["ImageConfig"] or None
        if params.get("Role") is not None:
            self.check_role(req, params["Role"], function.arn)
            new.role = params["Role"]
        if "DeadLetterConfig" in params:
            new.dead_letter_arn = (params["DeadLetterConfig"] or {}).get("TargetArn") or None
        if params.get("Role") is not None or "DeadLetterConfig" in params:
            self.check_dead_letter(new.role, new.dead_letter_arn)
        self._trace_runtime(req, params.get("Runtime"))
        latest = self._begin_update(function)
        for field in ("runtime", "handler", "description", "timeout", "memory", "environment",
                      "ephemeral_storage", "snapstart", "layers", "tracing", "log_format",
                      "log_group", "image_config", "role", "dead_letter_arn"):
            setattr(latest, field, getattr(new, field))
        changed = ", ".join(k for k in params if k not in ("FunctionName",)) or "nothing"
        self._end_update(req, function, f"new configuration ({changed})")
        return self.configuration(latest)
