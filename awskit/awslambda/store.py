"""Where Lambda keeps its functions, layers and code, and how a name finds a function.

``LambdaModel`` is mixed into the Lambda service (``cloud.awslambda``). It holds:

- ``functions``: unqualified function ARN → :class:`~.model.Function` (the "function-versions
  table" of facts A1; every Region and account of the cloud in one dict);
- ``layers``: layer ARN → :class:`~.model.Layer`;
- ``code``: the content-addressed code store (hex SHA-256 → bytes) for deployment packages,
  layer contents and container-image layers;
- ``images``: image URI → :class:`~.model.Image` (awskit's stand-in for ECR, see
  :meth:`LambdaModel.push_image`);
- ``concurrency_limits``: (account, Region) → concurrent executions quota (default 1,000,
  facts A6; raise it with :meth:`LambdaModel.set_concurrency_limit`, as Service Quotas would).

:meth:`LambdaModel.resolve` is the one place that turns a FunctionName (name, full ARN or
partial ARN ``123456789012:function:name``, each optionally ``:qualifier``) plus an optional
Qualifier (version number, alias, ``$LATEST``) into a function and a version.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from . import exceptions as errors
from .model import (_NAME_RE, LATEST, Function, Image, LayerVersion, Resolved, alias_not_found,
                    function_arn, not_found, sha256_hex)

#: concurrent executions per account and Region (facts A6)
DEFAULT_CONCURRENCY_LIMIT = 1000
#: the unreserved share PutFunctionConcurrency must leave (facts A6; accounts with a lower
#: quota get their whole quota as the minimum, as the "[10]" in AWS's message for 10-quota
#: accounts shows)
MINIMUM_UNRESERVED = 100


class LambdaModel:
    """Functions, layers, code; name resolution. Mixed into the Lambda service class."""

    def _init_model(self) -> None:
        self.functions: dict[str, Function] = {}
        self.layers: dict[str, object] = {}
        self.code: dict[str, bytes] = {}
        self.images: dict[str, Image] = {}
        self.concurrency_limits: dict[tuple[str, str], int] = {}
        self._internals: dict[str, object] = {}

    # -- time -------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.cloud.clock.elapsed

    # -- names ------------------------------------------------------------------------------
    def parse_name(self, function_name: str, qualifier: str | None, region: str):
        """(account or None, name, qualifier) of a FunctionName as the API accepts it.

        AWS refuses a qualifier in the name that differs from the Qualifier parameter, and a
        function ARN of another Region ("Functions from 'eu-west-1' are not reachable in this
        region ('us-east-1')", ResourceNotFoundException, as AWS answers).
        """
        match = _NAME_RE.fullmatch(function_name)
        if match is None:           # the model's pattern check runs first; belt and braces
            raise errors.InvalidParameterValueException(f"Invalid function name: {function_name}")
        derived = match.group("qualifier")
        if qualifier is not None and derived is not None and derived != qualifier:
            raise errors.InvalidParameterValueException(
                "The derived qualifier from the function name does not match the specified "
                "qualifier.")
        arn_region = match.group("region")
        if arn_region is not None and arn_region != region:
            raise errors.ResourceNotFoundException(
                f"Functions from '{arn_region}' are not reachable in this region ('{region}')")
        return match.group("account"), match.group("name"), qualifier or derived

    def find(self, account: str, region: str, name: str) -> Function | None:
        return self.functions.get(function_arn(account, region, name))

    def resolve(self, function_name: str, qualifier: str | None = None, *,
                account: str | None = None, region: str | None = None) -> Resolved:
        """The function and version a FunctionName + Qualifier names.

        ``account`` is the caller's account (the default account if None): a bare name or a
        name without an account id means a function of that account; ``region`` is the
        endpoint's Region (the default Region if None). Raises AWS's errors:
        ResourceNotFoundException "Function not found: <arn>" (function, version or alias)
        and InvalidParameterValueException (a qualifier contradicting the name). Returns a
        :class:`~.model.Resolved` (``function, version = resolve(...)``).
        """
        region = region or self.cloud.default_region
        owner, name, qualifier = self.parse_name(function_name, qualifier, region)
        owner = owner or account or self.cloud.default_account
        arn = function_arn(owner, region, name)
        function = self.functions.get(arn)
        shown = f"{arn}:{qualifier}" if qualifier else arn
        if function is None:
            raise not_found(shown)
        if qualifier is None or qualifier == LATEST:
            return Resolved(function, function.latest, None, qualifier, shown)
        version = function.versions.get(qualifier)
        if version is not None:
            return Resolved(function, version, None, qualifier, shown)
        alias = function.aliases.get(qualifier)
        if alias is None:
            raise not_found(shown)
        return Resolved(function, function.version(alias.version), alias, qualifier, shown)

    def function_of(self, account: str, region: str, name: str) -> Function:
        function = self.find(account, region, name)
        if function is None:
            raise not_found(function_arn(account, region, name))
        return function

    @staticmethod
    def alias_of(function: Function, name: str):
        alias = function.aliases.get(name)
        if alias is None:
            raise alias_not_found(f"{function.arn}:{name}")
        return alias

    def functions_in(self, account: str, region: str) -> list[Function]:
        """An account's functions in a Region, by name."""
        prefix = function_arn(account, region, "")
        return [self.functions[arn] for arn in sorted(self.functions) if arn.startswith(prefix)]

    # -- code store -------------------------------------------------------------------------
    def store_code(self, data: bytes) -> str:
        key = sha256_hex(data)
        self.code.setdefault(key, bytes(data))
        return key

    def code_bytes(self, key: str) -> bytes:
        """The bytes of a deployment package, layer or image layer (by code-store key)."""
        return self.code[key]

    def package(self, version) -> bytes:
        """The deployment package (zip bytes) of a Zip function version."""
        return self.code[version.code_key]

    def layer_versions_of(self, version) -> list[LayerVersion]:
        """The layer versions a function version uses, in order (deleted ones included: AWS
        keeps a deleted layer version's copy while functions refer to it)."""
        out = []
        for arn in version.layers:
            found = self.layer_version(arn)
            if found is not None:
                out.append(found)
        return out

    def image_layers(self, version) -> list[bytes]:
        """The layers (bytes, base first) of an Image function version's container image."""
        image = self._image_by_digest(version.code_key)
        return [self.code[key] for key in image.layers] if image else []

    def prune_code(self) -> None:
        """Drop code no version, layer version or pushed image refers to any more."""
        used, layer_refs = set(), set()
        for function in self.functions.values():
            for version in function.all_versions():
                for v in (version, version.prior):
                    if v is not None and v.package_type == "Zip":
                        used.add(v.code_key)
                        layer_refs.update(v.layers)
        for layer in self.layers.values():      # a deleted layer version lives while used
            for number in [n for n, lv in layer.versions.items()
                           if lv.deleted and lv.arn not in layer_refs]:
                del layer.versions[number]
        for layer in self.layers.values():
            used.update(lv.code_key for lv in layer.versions.values())
        for image in self.images.values():
            used.update(image.layers)
        for key in [k for k in self.code if k not in used]:
            del self.code[key]

    # -- layers -----------------------------------------------------------------------------
    def layer_version(self, arn: str) -> LayerVersion | None:
        layer_arn, _, number = arn.rpartition(":")
        layer = self.layers.get(layer_arn)
        if layer is None or not number.isdigit():
            return None
        return layer.versions.get(int(number))

    # -- container images (awskit's stand-in for ECR) --------------------------------------
    def push_image(self, repository: str, layers: list[bytes], tag: str = "latest", *,
                   account: str | None = None, region: str | None = None) -> str:
        """Store a container image and return its URI, as ``docker push`` to ECR would.

        awskit simulates no ECR: an image is a list of layers (bytes, base layer first), the
        convention Lambda's component storage needs (facts A10: layers are flattened and cut
        into chunks at function creation). Returns
        ``<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`` for CreateFunction's
        ``Code={"ImageUri": ...}`` with ``PackageType="Image"``. Pushing the same tag again
        moves the tag, as in ECR; functions keep the digest they resolved.
        """
        if not layers or not all(isinstance(b, (bytes, bytearray)) for b in layers):
            raise ValueError("an image is a non-empty list of layers (bytes)")
        for number, layer in enumerate(layers, start=1):
            if zipfile.is_zipfile(io.BytesIO(layer)):
                try:
                    with zipfile.ZipFile(io.BytesIO(layer)) as archive:
                        broken = archive.testzip()
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    broken = str(exc)
                if broken is not None:
                    raise ValueError(f"layer {number} is a damaged .zip archive ({broken} "
                                     "does not read back): build the layer again")
        account = account or self.cloud.default_account
        region = region or self.cloud.default_region
        keys = [self.store_code(bytes(b)) for b in layers]
        manifest = json.dumps({"layers": keys}, separators=(",", ":")).encode()
        digest = hashlib.sha256(manifest).hexdigest()
        image = Image(f"{account}.dkr.ecr.{region}.amazonaws.com/{repository}", tag, digest, keys)
        self.images[image.uri] = image
        self.images[image.resolved_uri] = image
        return image.uri

    def _image_by_digest(self, digest: str) -> Image | None:
        for image in self.images.values():
            if image.digest == digest:
                return image
        return None

    # -- concurrency quota ------------------------------------------------------------------
    def concurrency_limit(self, account: str, region: str) -> int:
        return self.concurrency_limits.get((account, region), DEFAULT_CONCURRENCY_LIMIT)

    def set_concurrency_limit(self, limit: int, account: str | None = None,
                              region: str | None = None) -> None:
        """Set an account's concurrent executions quota in a Region (a Service Quotas increase,
        or the low quota some new accounts start with)."""
        if limit < 1:
            raise ValueError("the concurrency quota is at least 1")
        key = (account or self.cloud.default_account, region or self.cloud.default_region)
        self.concurrency_limits[key] = int(limit)

    def minimum_unreserved(self, account: str, region: str) -> int:
        return min(MINIMUM_UNRESERVED, self.concurrency_limit(account, region))

    def committed_concurrency(self, account: str, region: str, skip: Function | None = None,
                              reserved: int | None = None, provisioned: int = 0) -> int:
        """Concurrency taken out of the unreserved pool: each function's reserved concurrency,
        or, for a function without one, its provisioned concurrency. ``skip`` with
        ``reserved``/``provisioned`` asks "what if that function had these values"."""
        total = 0
        for function in self.functions_in(account, region):
            if function is skip:
                res, pc = reserved, provisioned
            else:
                res, pc = function.reserved, function.provisioned_total()
            total += res if res is not None else pc
        return total

    def unreserved(self, account: str, region: str) -> int:
        """UnreservedConcurrentExecutions (GetAccountSettings)."""
        return self.concurrency_limit(account, region) - self.committed_concurrency(account, region)

    # -- internals (built by the internals engineer) ----------------------------------------
    def internals(self, region: str | None = None):
        """The Lambda internals of a Region: front end, counting, assignment, placement, worker
        hosts, component storage, SnapStart (``awskit.awslambda.internals.Internals``)."""
        region = region or self.cloud.default_region
        found = self._internals.get(region)
        if found is None:
            from .internals import Internals
            found = self._internals[region] = Internals(self.cloud, region)
            found.counting.use(ControlPlaneConfig(self, region))
        return found


class ControlPlaneConfig:
    """The counting service's view of the concurrency settings the control plane keeps, so that
    PutFunctionConcurrency, PutProvisionedConcurrencyConfig and the account quota are the one
    source of truth (the six read methods of ``internals.counting.LocalConfig``). Function ARNs
    are unqualified; ``provisioned`` counts the environments already allocated (READY)."""

    def __init__(self, model: LambdaModel, region: str):
        self.model, self.region = model, region

    def _function(self, account: str, function_arn: str):
        parts = function_arn.split(":")
        found = self.model.functions.get(":".join(parts[:7]))
        return found if found is not None and found.account == account else None

    def limit(self, account: str) -> int:
        return self.model.concurrency_limit(account, self.region)

    def reserved(self, account: str, function_arn: str) -> int | None:
        function = self._function(account, function_arn)
        return function.reserved if function is not None else None

    def provisioned(self, account: str, function_arn: str, qualifier: str) -> int:
        function = self._function(account, function_arn)
        config = function.provisioned.get(qualifier) if function is not None else None
        return config.allocated(self.model.now) if config is not None else 0

    def reserved_total(self, account: str) -> int:
        return sum(f.reserved for f in self.model.functions_in(account, self.region)
                   if f.reserved is not None)

    def provisioned_total(self, account: str, function_arn: str) -> int:
        function = self._function(account, function_arn)
        return function.provisioned_total() if function is not None else 0

    def provisioned_unreserved(self, account: str) -> int:
        return sum(f.provisioned_total() for f in self.model.functions_in(account, self.region)
                   if f.reserved is None)
