"""Lambda's data model: functions, versions, aliases, layers and the code store.

What AWS keeps (Lambda Developer Guide, "Lambda function versions", "aliases", "layers";
botocore's lambda model): a function has one unpublished, mutable version, ``$LATEST``, and
any number of published, immutable versions numbered from 1; an alias is a named pointer to a
version, optionally sending a weighted share of traffic to a second one. Version-specific
configuration (code, runtime, handler, memory, timeout, environment, layers, role, DLQ,
SnapStart, ...) lives on each :class:`FunctionVersion`; function-level settings (tags,
reserved concurrency) on the :class:`Function`; provisioned concurrency, asynchronous
invocation configuration and resource-based policy statements are kept per qualifier.

Time: a new function or published version is ``Pending`` until ``pending_until`` and then
``Active``; an update to ``$LATEST`` is ``InProgress`` until ``update_until``, and invocations
meanwhile still use the configuration from before the update (``FunctionVersion.live``, as the
Developer Guide's "Lambda function states" describes). Both are read off the simulated clock, so
``cloud.advance(seconds=1)`` is all it takes to see a function turn Active.

Code: deployment packages, layer contents and container-image layers are kept once each in a
content-addressed store (``LambdaModel.code``, hex SHA-256 → bytes) that versions point into.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass, field

from . import exceptions as errors

LATEST = "$LATEST"
PARTITION = "aws"

_NAME_RE = re.compile(
    r"(?:arn:(?P<partition>aws[a-zA-Z-]*)?:lambda:)?(?:(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?"
    r"-[a-z]+-\d):)?(?:(?P<account>\d{12}):)?(?:function:)?(?P<name>[a-zA-Z0-9_.-]+)"
    r"(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?")


def function_arn(account: str, region: str, name: str) -> str:
    return f"arn:{PARTITION}:lambda:{region}:{account}:function:{name}"


def is_version_number(qualifier: str) -> bool:
    return qualifier.isdigit()


def not_found(arn: str) -> errors.AWSError:
    return errors.ResourceNotFoundException(f"Function not found: {arn}")


def alias_not_found(arn: str) -> errors.AWSError:
    return errors.ResourceNotFoundException(f"Cannot find alias arn: {arn}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------------------------
@dataclass
class FunctionVersion:
    """One version of a function: ``$LATEST`` (mutable) or a published number (immutable).

    Everything the invoke path needs to run it: ``code_key`` (the zip in ``LambdaModel.code``,
    or the image manifest digest for ``package_type == "Image"``), ``handler``, ``runtime``,
    ``memory`` (MB), ``timeout`` (s), ``environment``, ``layers`` (layer version ARNs, in
    order), ``role``, ``ephemeral_storage`` (MB), ``architectures``, ``dead_letter_arn`` and
    ``snapstart`` (``ApplyOn``: ``"PublishedVersions"`` or ``"None"``).
    """

    name: str
    account: str
    region: str
    version: str
    role: str
    runtime: str | None = None
    handler: str | None = None
    package_type: str = "Zip"
    description: str = ""
    memory: int = 128
    timeout: int = 3
    environment: dict = field(default_factory=dict)
    layers: list = field(default_factory=list)
    architectures: list = field(default_factory=lambda: ["x86_64"])
    ephemeral_storage: int = 512
    snapstart: str = "None"
    dead_letter_arn: str | None = None
    tracing: str = "PassThrough"
    log_format: str = "Text"
    log_group: str = ""
    image_config: dict | None = None
    code_key: str = ""
    code_sha256: str = ""
    code_size: int = 0
    unzipped_size: int = 0
    code_id: str = ""
    image_uri: str | None = None
    resolved_image_uri: str | None = None
    revision_id: str = ""
    last_modified: float = 0.0
    pending_until: float = 0.0
    update_until: float | None = None
    #: the configuration invocations keep using while an update is in progress
    prior: FunctionVersion | None = None
    #: $LATEST: bumped by every code or configuration change; a published version: the serial
    #: of $LATEST it was published from (PublishVersion publishes nothing new if unchanged)
    change_serial: int = 0

    @property
    def function_arn(self) -> str:
        return function_arn(self.account, self.region, self.name)

    @property
    def arn(self) -> str:
        """The qualified ARN (``...:function:name:$LATEST`` or ``...:name:3``): the key of this
        version's execution environments."""
        return f"{self.function_arn}:{self.version}"

    @property
    def is_latest(self) -> bool:
        return self.version == LATEST

    @property
    def log_group_name(self) -> str:
        return self.log_group or f"/aws/lambda/{self.name}"

    @property
    def snapstart_on(self) -> bool:
        """SnapStart applies to published versions only (``OptimizationStatus`` On)."""
        return not self.is_latest and self.snapstart == "PublishedVersions"

    @property
    def architecture(self) -> str:
        return self.architectures[0]

    def state(self, now: float) -> str:
        return "Pending" if now < self.pending_until else "Active"

    def updating(self, now: float) -> bool:
        return self.update_until is not None and now < self.update_until

    def live(self, now: float) -> FunctionVersion:
        """The configuration an invocation at ``now`` runs: the one from before an update still
        in progress, otherwise this one."""
        if self.prior is not None and self.updating(now):
            return self.prior
        return self

    def snapshot(self) -> FunctionVersion:
        """A deep copy without ``prior`` (for publishing and for in-progress updates)."""
        out = copy.copy(self)
        out.environment = dict(self.environment)
        out.layers = list(self.layers)
        out.architectures = list(self.architectures)
        out.image_config = copy.deepcopy(self.image_config)
        out.prior = None
        return out


@dataclass
class Alias:
    """A named pointer to a version; ``routing`` sends a weighted share to one more version."""

    name: str
    function_arn: str
    version: str
    description: str = ""
    routing: dict = field(default_factory=dict)       # {"2": 0.1}
    revision_id: str = ""

    @property
    def arn(self) -> str:
        return f"{self.function_arn}:{self.name}"

    def pick(self, u: float) -> str:
        """The version an invocation goes to, for a uniform draw ``u`` in [0, 1)."""
        for version, weight in self.routing.items():
            if u < weight:
                return version
        return self.version


@dataclass
class ProvisionedConcurrency:
    """A provisioned concurrency configuration on a version or an alias.

    ``Status`` is IN_PROGRESS until ``ready_at`` (environments being initialized), then READY
    with all requested environments allocated.
    """

    qualifier: str
    requested: int
    last_modified: float
    ready_at: float

    def status(self, now: float) -> str:
        return "READY" if now >= self.ready_at else "IN_PROGRESS"

    def allocated(self, now: float) -> int:
        return self.requested if now >= self.ready_at else 0


@dataclass
class EventInvokeConfig:
    """Asynchronous invocation settings of one qualifier (``$LATEST`` when none was given).
    ``None`` means "AWS's default" (2 retries, 6 hours)."""

    qualifier: str
    max_retries: int | None = None
    max_age: int | None = None
    on_success: str | None = None
    on_failure: str | None = None
    last_modified: float = 0.0

    @property
    def retries(self) -> int:
        return 2 if self.max_retries is None else self.max_retries

    @property
    def age(self) -> int:
        return 21600 if self.max_age is None else self.max_age


@dataclass
class Function:
    """A function: its versions, aliases and function-level settings."""

    name: str
    account: str
    region: str
    created: float
    latest: FunctionVersion
    versions: dict = field(default_factory=dict)          # "1" -> FunctionVersion
    next_version: int = 1
    aliases: dict = field(default_factory=dict)           # name -> Alias
    tags: dict = field(default_factory=dict)
    reserved: int | None = None
    provisioned: dict = field(default_factory=dict)       # qualifier -> ProvisionedConcurrency
    event_invoke: dict = field(default_factory=dict)      # qualifier -> EventInvokeConfig
    policies: dict = field(default_factory=dict)          # "" (function) / qualifier -> Policy

    @property
    def arn(self) -> str:
        return function_arn(self.account, self.region, self.name)

    def version(self, qualifier: str | None) -> FunctionVersion | None:
        """``$LATEST``, a published version, or None (aliases are not resolved here)."""
        if qualifier in (None, LATEST):
            return self.latest
        return self.versions.get(qualifier)

    def all_versions(self) -> list[FunctionVersion]:
        return [self.latest] + [self.versions[v] for v in sorted(self.versions, key=int)]

    def provisioned_for(self, version: str) -> list[ProvisionedConcurrency]:
        """Provisioned concurrency configurations that keep environments of ``version`` warm:
        on the version itself and on aliases pointing to it."""
        return [pc for q, pc in self.provisioned.items()
                if q == version or (q in self.aliases and self.aliases[q].version == version)]

    def provisioned_total(self) -> int:
        return sum(pc.requested for pc in self.provisioned.values())

    def revision_holder(self, qualifier: str | None):
        """The object whose RevisionId a policy change bumps: an alias or a version."""
        if qualifier and qualifier in self.aliases:
            return self.aliases[qualifier]
        return self.version(qualifier)


@dataclass
class Resolved:
    """What a FunctionName + Qualifier names: see :meth:`LambdaModel.resolve`.

    Unpacks as ``function, version = model.resolve(...)``. For an alias, ``version`` is its
    primary version; :meth:`pick` applies the alias's routing weights.
    """

    function: Function
    version: FunctionVersion
    alias: Alias | None
    qualifier: str | None
    arn: str

    def __iter__(self):
        return iter((self.function, self.version))

    def pick(self, u: float) -> FunctionVersion:
        """The version an invocation runs, for a uniform draw ``u`` in [0, 1)."""
        if self.alias is None:
            return self.version
        return self.function.version(self.alias.pick(u)) or self.version

    @property
    def policy(self):
        """The resource-based policy that governs invoking this ARN (None if no statement)."""
        key = "" if self.qualifier in (None, LATEST) else self.qualifier
        return self.function.policies.get(key)

    @property
    def event_invoke_config(self) -> EventInvokeConfig | None:
        return self.function.event_invoke.get(self.qualifier or LATEST)

    @property
    def provisioned(self) -> ProvisionedConcurrency | None:
        return self.function.provisioned.get(self.qualifier) if self.qualifier else None


# --------------------------------------------------------------------------------------------
# Layers and images
# --------------------------------------------------------------------------------------------
@dataclass
class LayerVersion:
    name: str
    account: str
    region: str
    version: int
    code_key: str
    code_sha256: str
    code_size: int
    unzipped_size: int
    created: float
    code_id: str = ""
    description: str = ""
    license: str | None = None
    runtimes: list = field(default_factory=list)
    architectures: list = field(default_factory=list)
    deleted: bool = False

    @property
    def layer_arn(self) -> str:
        return f"arn:{PARTITION}:lambda:{self.region}:{self.account}:layer:{self.name}"

    @property
    def arn(self) -> str:
        return f"{self.layer_arn}:{self.version}"


@dataclass
class Layer:
    name: str
    account: str
    region: str
    versions: dict = field(default_factory=dict)     # int -> LayerVersion
    next_version: int = 1

    @property
    def arn(self) -> str:
        return f"arn:{PARTITION}:lambda:{self.region}:{self.account}:layer:{self.name}"


@dataclass
class Image:
    """A container image as awskit keeps it: a stand-in for an image in an ECR repository
    (awskit simulates no ECR). Pushed with ``cloud.awslambda.push_image(repository, [layer
    bytes])``; ``layers`` are keys into the code store, base layer first; ``digest`` is the
    SHA-256 of the manifest (the ordered layer digests)."""

    repository: str            # <account>.dkr.ecr.<region>.amazonaws.com/<name>
    tag: str
    digest: str
    layers: list = field(default_factory=list)

    @property
    def uri(self) -> str:
        return f"{self.repository}:{self.tag}"

    @property
    def resolved_uri(self) -> str:
        return f"{self.repository}@sha256:{self.digest}"
