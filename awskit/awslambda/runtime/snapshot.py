"""SnapStart snapshots, emulated by forking an initialised worker.

On AWS, publishing a SnapStart version runs INIT once, runs the before-snapshot hooks, and
takes a Firecracker microVM snapshot (memory and disk); new environments are *restored* from it
instead of running INIT, then run the after-restore hooks [fact sheet A11]. Here:

    init_env = ExecutionProcess(..., initialization_type="snap-start"); init_env.init()
    snap = init_env.snapshot()        # before-snapshot hooks, then init_env becomes the snapshot
    env = snap.restore()              # a forked copy: after-restore hooks, then invocations
    env.invoke(...); env.close(); snap.close()

``snapshot()`` turns the initialised worker into a template process that forks a copy on each
restore (the worker is a plain Python process, so forking it is safe; the notebook kernel is
never forked). Every copy starts with the memory of the initialised function: a random value
or token generated during INIT is identical in all of them, and so is the state of Python's
``random`` generator (it is put back after the fork, as a VM snapshot would have it) -- the
uniqueness hazard AWS documents; ``os.urandom`` / ``secrets`` / ``uuid.uuid4()`` (the kernel's
CSPRNG) stay unique. Hooks: the ``snapshot_restore_py`` API (``register_before_snapshot``,
``register_after_restore``); before-snapshot hooks run in reverse registration order,
after-restore hooks in registration order; a failing hook gives ``Runtime.BeforeSnapshotError``
/ ``Runtime.AfterRestoreError``, and the process exits with 64 / 65, as AWS's Python runtime
does (awslambdaric ``bootstrap.py``).

Simplified: only the main thread is copied (threads started during INIT do not run in restored
copies; a microVM snapshot would keep them); the files in the task root are shared by all copies
instead of being copied; a restored copy's log stream is given by the caller.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time
import weakref

from . import errors, protocol, spawn


class Snapshot:
    """A snapshot of an initialised execution environment; ``restore()`` makes new ones."""

    def __init__(self, template: spawn.Worker, source, logs: list[str], measured_ms: float):
        self._template = template
        self._source = source             # the ExecutionProcess whose INIT this captures
        self.logs, self.measured_ms = logs, measured_ms
        self._exited: dict[int, int] = {}
        self._children: set[int] = set()
        self._closing = False
        self._lock = threading.RLock()          # one conversation with the template at a time
        self._finalizer = weakref.finalize(self, template.destroy)

    @classmethod
    def _take(cls, proc, timeout_s: float) -> Snapshot:
        with proc._serving():
            return cls._take_held(proc, timeout_s)

    @classmethod
    def _take_held(cls, proc, timeout_s: float) -> Snapshot:
        if not proc.initialized:
            raise errors.RuntimeProcessError("call init() before snapshot()")
        worker = proc._worker
        worker.send({"op": "snapshot"})
        got = worker.wait(time.monotonic() + timeout_s, proc.memory_mb)
        if got[0] == "msg" and got[1].get("op") == "snapshot_done" and got[1]["ok"]:
            logs = worker.read_logs()
            proc._finalizer.detach()      # the worker now belongs to the snapshot
            proc._worker = _Gone(worker.pid)
            return cls(worker, proc, logs, got[1]["measured_ms"])
        header = got[1] if got[0] == "msg" else {}
        logs = worker.read_logs()
        worker.destroy()
        proc._finalizer.detach()
        error = header.get("error") or errors.exit_error("", worker.returncode or -9)
        raise errors.SnapshotError(error, header.get("error_type", error["errorType"]), logs)

    @property
    def alive(self) -> bool:
        return not self._template.dead

    # -- talking to the template ---------------------------------------------------------------
    def _next(self, deadline: float):
        """The template's next message (header) or None (deadline passed / template gone)."""
        t = self._template
        while True:
            msg = t.reader.take()
            if msg is not None:
                header = msg[0]
                if header.get("op") == "exited":
                    self._exited[header["pid"]] = header["returncode"]
                return header
            remaining = deadline - time.monotonic()
            if remaining <= 0 or t.dead:
                return None
            ready, _, _ = select.select([t.sock], [], [], remaining)
            if ready:
                data = t.sock.recv(1 << 16)
                if not data:
                    return None
                t.reader.feed(data)

    def _reap(self, pid: int, timeout: float) -> int | None:
        """Exit status of a restored copy (the template reaps its children and reports)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while pid not in self._exited:
                if self._next(deadline) is None:
                    return None
            return self._exited.pop(pid)

    def _child_gone(self, pid: int) -> None:
        self._children.discard(pid)
        if self._closing and not self._children:
            self._finalizer()

    # -- restore -------------------------------------------------------------------------------
    def restore(self, log_stream: str | None = None, timeout_s: float = 10.0):
        """A new ExecutionProcess forked from the snapshot (INIT does not run again)."""
        with self._lock:
            return self._restore(log_stream, timeout_s)

    def _restore(self, log_stream, timeout_s):
        from .process import ExecutionProcess, InitOutcome
        if not self.alive or self._closing:
            raise errors.EnvironmentDead("this snapshot is closed")
        src = self._source
        start = time.monotonic()
        deadline = start + timeout_s
        log_dir = spawn.EnvDir()
        log_path = os.path.join(log_dir.path, "log")
        parent, child = socket.socketpair()
        env = {"AWS_LAMBDA_LOG_STREAM_NAME": log_stream} if log_stream else {}
        with open(log_path, "ab") as log:
            protocol.send(self._template.sock, {"op": "restore", "env": env},
                          fds=[child.fileno(), log.fileno()])
        child.close()
        header = self._next(deadline)
        while header is not None and header.get("op") != "restored":
            header = self._next(deadline)
        if header is None:
            parent.close()
            log_dir.release()
            raise errors.EnvironmentDead("the snapshot did not answer")
        pid = header["pid"]
        self._children.add(pid)
        worker = spawn.Worker(parent, pid, log_path, [log_dir, src._code_dir.acquire()],
                              snapshot=self)
        proc = object.__new__(ExecutionProcess)
        proc.__dict__.update({k: v for k, v in src.__dict__.items()
                              if not k.startswith("_") or k in ("_code_dir",)})
        proc.log_stream = log_stream or src.log_stream
        proc._worker, proc._snapshot, proc._peak_mb = worker, self, 0
        proc._busy = threading.Lock()
        proc.invocations = 0
        proc._finalizer = weakref.finalize(proc, worker.destroy)
        got = worker.wait(deadline, proc.memory_mb)
        wall = (time.monotonic() - start) * 1000
        if got[0] == "msg" and got[1].get("op") == "ready":
            h = got[1]
            proc._peak_mb = h.get("max_memory_mb", 0)
            if h["ok"]:
                proc.restore_result = InitOutcome(True, None, worker.read_logs(),
                                                  h["measured_ms"], max_memory_mb=proc._peak_mb,
                                                  wall_ms=wall)
                return proc
            _, _, logs, _ = proc._die("exit", "")
            proc.restore_result = InitOutcome(False, h["error"], logs, h["measured_ms"], "error",
                                              h["error_type"], proc._peak_mb, wall)
            return proc
        how = "timeout" if got[0] == "timeout" else ("oom" if got[0] == "oom" else "exit")
        status, error, logs, _ = proc._die(how, "")
        if status == "timeout":
            error = errors.timeout_error("", timeout_s)
        proc.restore_result = InitOutcome(False, error, logs, wall, status,
                                          error["errorType"], proc._peak_mb, wall)
        return proc

    def close(self) -> None:
        """Delete the snapshot; restored environments still running keep working."""
        self._closing = True
        if not self._children:
            self._finalizer()
        elif self.alive:
            try:
                protocol.send(self._template.sock, {"op": "close"})
            except OSError:
                pass

    def __repr__(self):
        return (f"<Snapshot of {self._source.function_name}:{self._source.function_version} "
                f"{'alive' if self.alive else 'closed'} restored={len(self._children)}>")


class _Gone:
    """Stands in for the worker of an ExecutionProcess turned into a snapshot."""

    dead = True

    def __init__(self, pid):
        self.pid = pid

    def destroy(self):
        pass
