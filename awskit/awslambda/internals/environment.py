"""``ExecutionEnvironment``: one Firecracker microVM running one copy of a function version.

An execution environment serves one request at a time (a second concurrent request gets a
second environment, so concurrency = busy environments [LDG-conc]); between requests it is
frozen and keeps its globals, connections and ``/tmp`` [LDG-life]. Its life:

    initializing --(INIT done, request runs)--> busy --(response sent)--> idle --> busy ...
    any state --(idle too long, lease ended, error, host failed)--> reclaimed

``state`` is one of :data:`STATES`. ``process`` is the runtime's ``ExecutionProcess`` (the
worker process that really runs the handler) or None: None for an environment whose process
was closed, and for every environment of a cloud loaded from a file (a saved cloud keeps its
environments on their hosts and in the assignment service, never their processes; the next
request routed to such an environment runs INIT again in it, see ``Internals.warm_start_steps``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATES = ("initializing", "idle", "busy", "reclaimed")

#: fields saved with the cloud (everything but the live process)
_SAVED = ("env_id", "account", "function_key", "version", "memory_mb", "runtime", "host_id",
          "microvm_id", "microvm_mib", "az", "partition", "state", "created", "last_used",
          "invocations", "log_stream", "snapstart", "restored", "provisioned", "lease_expires",
          "draining", "reclaimed_reason")


def function_arn_of(function_key: str) -> str:
    """The unqualified function ARN of a qualified one (``...:function:f:3`` -> ``...:function:f``)."""
    parts = function_key.split(":")
    return ":".join(parts[:7])


def version_of(function_key: str) -> str:
    parts = function_key.split(":")
    return parts[7] if len(parts) > 7 else "$LATEST"


@dataclass(eq=False)
class ExecutionEnvironment:
    """One execution environment (shared by the internals, the runtime and the invoke path)."""

    env_id: str
    account: str
    function_key: str          # qualified ARN: arn:aws:lambda:<region>:<acct>:function:<name>:<ver>
    version: str               # "$LATEST" or "1", "2", ...
    memory_mb: int             # the function's configured MemorySize
    runtime: str
    host_id: str               # the worker host
    microvm_id: str
    microvm_mib: int           # the pool size of its microVM (smallest that fits memory_mb)
    az: str
    partition: int             # the assignment-service partition that routes to it
    created: float             # clock seconds
    last_used: float
    log_stream: str            # its CloudWatch Logs stream: YYYY/MM/DD/[version]<32 hex>
    state: str = "initializing"
    invocations: int = 0
    snapstart: bool = False    # the version has SnapStart on
    restored: bool = False     # started from a SnapStart snapshot instead of INIT
    provisioned: bool = False  # provisioned concurrency: never reclaimed for idleness
    lease_expires: float = 0.0
    draining: bool = False     # lease ended while busy: reclaimed when the request ends
    reclaimed_reason: str = ""
    process: object = field(default=None, repr=False)   # runtime ExecutionProcess or None

    @property
    def function_arn(self) -> str:
        return function_arn_of(self.function_key)

    @property
    def alive(self) -> bool:
        """True while the environment exists (not reclaimed)."""
        return self.state != "reclaimed"

    @property
    def has_process(self) -> bool:
        """True if a live worker process backs it (False after a reload from a file)."""
        process = self.process
        return process is not None and bool(getattr(process, "alive", True))

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in _SAVED}

    @classmethod
    def from_dict(cls, data: dict) -> "ExecutionEnvironment":
        """A loaded environment: every saved field, no process (see the module docstring)."""
        return cls(**{name: data[name] for name in _SAVED})

    def describe(self) -> dict:
        out = self.to_dict()
        out["process"] = "live" if self.has_process else "none"
        return out
