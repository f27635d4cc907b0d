"""The duration model: how long INIT and each invocation take in the simulation.

The student's handler really runs (``runtime/``), but its real wall time depends on the laptop,
the notebook and the moment, so the trace, the REPORT line and the bill use a documented,
deterministic model instead; the real measured times are kept beside it, on
``cloud.awslambda.invocations`` (``measured_ms``, ``measured_init_ms``), never in the trace.

What AWS says (facts A7): CPU is allocated in proportion to memory; at 1,769 MB a function has
the equivalent of one vCPU (one vCPU-second of credit per second). A single-threaded Python
handler therefore runs CPU-bound work ``1769 / memory`` times slower below 1,769 MB, and no
faster above it (more vCPUs only help code that uses several threads or processes).

The model (teaching values, not AWS's: AWS publishes no such figures):

- a phase takes ``fixed + cpu * slowdown`` ms, where ``slowdown = 1769 / min(memory, 1769)``:
  the fixed part is waiting (interpreter start, I/O), the CPU part scales with memory;
- INIT (module import of a small function): 60 ms fixed + 3 CPU-ms (about 101 ms at 128 MB,
  63 ms at 1,769 MB: the order of magnitude of a small Python function's ``Init Duration``);
- each invocation: 0.8 ms fixed + 0.1 CPU-ms, plus 0.01 CPU-ms per KB of request and response
  payload (parsing and serializing JSON);
- ``Max Memory Used``: 40 MB for the Python runtime (about what AWS's Python runtime reports for
  a small function) + the unzipped code, at most the memory size; when the worker process's
  real peak (``measured_max_memory_mb``, about 16 MB for an idle interpreter) is higher, the
  real peak is shown instead (a handler that builds a 100 MB list shows it; that figure varies
  slightly from run to run). The configured memory is enforced against the real peak (out of
  memory: ``Runtime.OutOfMemory``, Max Memory Used = the memory size).

A function's own figures replace the defaults: ``cloud.awslambda.set_duration_model("fn",
invoke_ms=120, init_ms=300)``: these durations are then used as given, at whatever memory the
function has, unless ``at_memory_mb`` says at which memory they were measured, in which case
they scale with memory as the CPU part above does (a given ``invoke_ms`` adds no per-KB term
unless ``per_kb_ms`` is given too). Time the handler spends in AWS calls it makes
through boto3 (answered by the simulated cloud, see ``handler_bridge.py``) is added to the
modelled duration: those calls take simulated time of their own.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

#: memory (MB) with the equivalent of one vCPU (facts A7)
ONE_VCPU_MB = 1769
INIT_FIXED_MS, INIT_CPU_MS = 60.0, 3.0
INVOKE_FIXED_MS, INVOKE_CPU_MS = 0.8, 0.1
PER_KB_CPU_MS = 0.01
RUNTIME_MEMORY_MB = 40


def slowdown(memory_mb: int) -> float:
    """How much slower CPU-bound single-threaded code runs at ``memory_mb`` than at one vCPU."""
    return ONE_VCPU_MB / min(max(int(memory_mb), 1), ONE_VCPU_MB)


@dataclass
class DurationModel:
    """One function's duration figures; ``None`` means "the default for its memory size"."""

    init_ms: float | None = None
    invoke_ms: float | None = None
    per_kb_ms: float | None = None
    memory_used_mb: int | None = None
    at_memory_mb: int | None = None

    def __post_init__(self):
        for name in ("init_ms", "invoke_ms", "per_kb_ms"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not math.isfinite(value) or value < 0):
                raise ValueError(f"{name} must be a non-negative number of milliseconds")
        for name in ("memory_used_mb", "at_memory_mb"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ValueError(f"{name} must be a positive whole number of MB")

    def _scaled(self, given: float, memory_mb: int) -> float:
        if self.at_memory_mb is None:
            return float(given)
        return given * slowdown(memory_mb) / slowdown(self.at_memory_mb)

    # -- the figures for one function configuration ------------------------------------------
    def init(self, memory_mb: int) -> float:
        """INIT duration (ms) at ``memory_mb``."""
        if self.init_ms is not None:
            return round(self._scaled(self.init_ms, memory_mb), 3)
        return round(INIT_FIXED_MS + INIT_CPU_MS * slowdown(memory_mb), 3)

    def invoke(self, memory_mb: int, payload_bytes: int = 0, response_bytes: int = 0) -> float:
        """Handler duration (ms) at ``memory_mb`` for these request and response sizes."""
        if self.invoke_ms is not None:
            base = self._scaled(self.invoke_ms, memory_mb)
        else:
            base = INVOKE_FIXED_MS + INVOKE_CPU_MS * slowdown(memory_mb)
        kb = (payload_bytes + response_bytes) / 1024
        if self.per_kb_ms is not None:
            per_kb = self._scaled(self.per_kb_ms, memory_mb)
        elif self.invoke_ms is not None:      # a duration given as is: nothing added
            per_kb = 0.0
        else:
            per_kb = PER_KB_CPU_MS * slowdown(memory_mb)
        return round(base + per_kb * kb, 3)

    def memory_used(self, memory_mb: int, unzipped_bytes: int = 0) -> int:
        """REPORT's Max Memory Used (MB), at most the memory size."""
        if self.memory_used_mb is not None:
            return min(self.memory_used_mb, memory_mb)
        return min(memory_mb, RUNTIME_MEMORY_MB + math.ceil(unzipped_bytes / 1_048_576))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "DurationModel":
        return cls(**data)


DEFAULT = DurationModel()
