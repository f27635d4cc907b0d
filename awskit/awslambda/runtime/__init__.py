"""Real execution of a function's handler code, one worker process per execution environment.

- ``process.py``: ``ExecutionProcess`` (INIT, INVOKE, close; timeouts, crashes, memory),
  ``InitOutcome``, ``InvokeOutcome``;
- ``snapshot.py``: SnapStart snapshots (``ExecutionProcess.snapshot()`` / ``restore()``);
- ``bootstrap.py``, ``faults.py``, ``context.py``: the worker side (a fresh interpreter running
  the function as AWS's Python runtime does) and the ``context`` object;
- ``report.py``: the platform's START / END / REPORT / INIT_REPORT lines;
- ``errors.py``: the platform's error documents (timeout, exit, out of memory, response size);
- ``protocol.py``, ``spawn.py``: the private parent/worker protocol, worker startup and pool;
- ``aws_bridge.py``: the worker's boto3 calls, sent to the parent (never to the network);
- ``var_runtime/``: modules the function can import from the runtime (``snapshot_restore_py``).
"""

from .errors import EnvironmentDead, RuntimeProcessError, SnapshotError
from .process import ExecutionProcess, InitOutcome, InvokeOutcome, set_pool_size
from .snapshot import Snapshot

__all__ = ["ExecutionProcess", "InitOutcome", "InvokeOutcome", "Snapshot", "set_pool_size",
           "EnvironmentDead", "RuntimeProcessError", "SnapshotError"]
