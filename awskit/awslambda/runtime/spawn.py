"""Parent side plumbing: starting worker interpreters, talking to them, killing them.

A worker is a fresh ``sys.executable`` (never a fork of the notebook kernel) in its own session,
so that killing its process group also kills anything the handler started. Starting an
interpreter costs tens of milliseconds, so a small pool of idle, not yet assigned interpreters
is kept ready: a new execution environment takes one and sends it its code at INIT (the pool
refills in the background: ``Popen`` returns as soon as the child exists). Idle workers exit
when the parent goes away (their socket closes); busy ones are killed by their watchdog.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time

from . import protocol

BOOTSTRAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bootstrap.py")
RUNTIME_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "var_runtime")
POLL_S = 0.01                  # how often the parent samples a busy worker's memory
_PAGE = os.sysconf("SC_PAGE_SIZE")
#: what an environment's processes see before INIT sets the function's variables
#: (PATH as on Lambda: Developer Guide, configuration-envvars)
BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin", "LANG": "en_US.UTF-8",
            "TZ": ":UTC"}
#: top-level packages importable from site-packages: what the Python runtime ships on AWS
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


class EnvDir:
    """A private temporary directory (task root, log files), removed with its last user."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="awskit-lambda-")
        self.refs = 1
        self._lock = threading.Lock()

    def acquire(self) -> EnvDir:
        with self._lock:
            self.refs += 1
        return self

    def release(self) -> None:
        with self._lock:
            self.refs -= 1
            last = self.refs == 0
        if last:
            shutil.rmtree(self.path, ignore_errors=True)


def parse_log(text: str) -> list[str]:
    """Log events from a worker's output: framed records stay whole, other text is split at
    newlines (as Lambda turns each stdout/stderr line into one event)."""
    events: list[str] = []
    start, end = protocol.LOG_FRAME_START, protocol.LOG_FRAME_END
    pos = 0
    while True:
        i = text.find(start, pos)
        events.extend(_lines(text[pos:i if i >= 0 else len(text)]))
        if i < 0:
            return events
        j = text.find(end, i)
        if j < 0:
            events.extend(_lines(text[i + len(start):]))
            return events
        record = text[i + len(start):j]
        events.append(record.removesuffix("\n"))
        pos = j + len(end)


def _lines(text: str) -> list[str]:
    if not text:
        return []
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    return parts


class Worker:
    """One worker process as the parent sees it."""

    def __init__(self, sock, pid, log_path, dirs, popen=None, snapshot=None):
        self.sock, self.pid, self.popen, self.snapshot = sock, pid, popen, snapshot
        self.dirs = dirs                   # EnvDirs this worker keeps alive
        self.log_path = log_path
        self.log_offset = 0
        self.reader = protocol.Reader()
        self.returncode = None
        self.dead = False
        #: answers the function's AWS calls (``aws_call`` messages, see ``aws_bridge.py``):
        #: ``serve(header) -> reply header``; None answers that no cloud is attached
        self.serve = None

    # -- messages ------------------------------------------------------------------------------
    def send(self, header, body=b""):
        protocol.send(self.sock, header, body)

    def wait(self, deadline: float, memory_mb: int | None = None):
        """The next message ``("msg", header, body)``, or ``("timeout",)``, ``("eof",)``,
        ``("oom",)`` (resident memory above ``memory_mb``, sampled every POLL_S). Interrupted
        (e.g. KeyboardInterrupt in the notebook), it kills the worker: an answer arriving later
        could never be matched with its request."""
        try:
            return self._wait(deadline, memory_mb)
        except BaseException:
            self.destroy()
            raise

    def _wait(self, deadline, memory_mb):
        while True:
            msg = self.reader.take()
            if msg is not None and msg[0].get("op") == "aws_call":
                self.send(*answer_call(self.serve, msg[0]))
                continue
            if msg is not None:
                return ("msg",) + msg
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return ("timeout",)
            ready, _, _ = select.select([self.sock], [], [], min(remaining, POLL_S))
            if ready:
                try:
                    data = self.sock.recv(max(self.reader.needed(), 1 << 16))
                except (ConnectionResetError, OSError):
                    data = b""
                if not data:
                    return ("eof",)
                self.reader.feed(data)
            elif memory_mb is not None and self.rss_mb() > memory_mb:
                return ("oom",)

    # -- logs ----------------------------------------------------------------------------------
    def read_logs(self) -> list[str]:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self.log_offset)
                data = f.read()
        except OSError:
            return []
        self.log_offset += len(data)
        if self.log_offset > (1 << 20) and not self.dead:     # keep the file small
            try:
                os.truncate(self.log_path, 0)
                self.log_offset = 0
            except OSError:
                pass
        return parse_log(data.decode("utf-8", "replace"))

    # -- memory --------------------------------------------------------------------------------
    def rss_mb(self) -> float:
        try:
            with open(f"/proc/{self.pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * _PAGE / 1048576
        except (OSError, IndexError, ValueError):
            return 0.0

    def peak_mb(self) -> int:
        """Peak resident set size so far (VmHWM), 0 if unknown."""
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) // 1024
        except (OSError, ValueError):
            pass
        return 0

    # -- ending --------------------------------------------------------------------------------
    def kill(self) -> None:
        """SIGKILL the whole process group (the worker and everything it started)."""
        if self.returncode is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def reap(self, timeout: float = 5.0) -> int:
        """Wait for the process to end; its ``Popen.returncode``-style status."""
        if self.returncode is None:
            if self.popen is not None:
                try:
                    self.returncode = self.popen.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.kill()
                    self.returncode = self.popen.wait()
            elif self.snapshot is not None:
                code = self.snapshot._reap(self.pid, timeout)
                if code is None:
                    self.kill()
                    code = self.snapshot._reap(self.pid, timeout)
                self.returncode = -signal.SIGKILL if code is None else code
        return self.returncode

    def destroy(self) -> None:
        """Kill, reap, close, remove the private directories (idempotent)."""
        if self.dead:
            return
        self.dead = True
        self.kill()
        try:
            self.reap()
        except Exception:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
        for d in self.dirs:
            d.release()
        self.dirs = []
        if self.snapshot is not None:
            self.snapshot._child_gone(self.pid)


def answer_call(serve, header: dict) -> tuple[dict]:
    """The reply to a function's AWS call: ``serve``'s, or an error when nothing serves."""
    if serve is None:
        error = {"Code": "NotImplemented", "Message": "No simulated cloud answers AWS calls "
                 "from this execution environment (awskit never sends them to the network)"}
        return ({"op": "aws_result", "status": 501, "headers": {},
                 "parsed": {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 501}}},)
    return (serve(header),)


def _site_dirs() -> list[str]:
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


def spawn(packages=RUNTIME_PACKAGES) -> Worker:
    """Start a fresh worker interpreter (it announces itself with a ``ready`` message)."""
    d = EnvDir()
    log_path = os.path.join(d.path, "log")
    parent, child = socket.socketpair()
    config = json.dumps({"site_dirs": _site_dirs(), "packages": list(packages)})
    env = dict(BASE_ENV)
    if "LD_LIBRARY_PATH" in os.environ:           # what this Python itself may need to start
        env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
    with open(log_path, "ab") as log:
        popen = subprocess.Popen(
            [sys.executable, "-I", "-S", "-u", "-B", "-X", "utf8", BOOTSTRAP,
             str(child.fileno()), config],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, pass_fds=[child.fileno()],
            start_new_session=True, env=env, cwd=d.path, close_fds=True)
    child.close()
    return Worker(parent, popen.pid, log_path, [d], popen=popen)


class Pool:
    """Idle, unassigned worker interpreters, so that a cold start need not wait for one."""

    def __init__(self, size: int = 2):
        self.size = size
        self.idle: list[Worker] = []
        self.lock = threading.Lock()

    def take(self, packages=RUNTIME_PACKAGES) -> Worker:
        with self.lock:
            worker = None
            while self.idle and worker is None:
                candidate = self.idle.pop(0)
                if candidate.popen.poll() is None and candidate.packages == tuple(packages):
                    worker = candidate
                else:
                    candidate.destroy()
            if worker is None:
                worker = self._spawn(packages)
            self._fill(packages)
            return worker

    def _spawn(self, packages) -> Worker:
        worker = spawn(packages)
        worker.packages = tuple(packages)
        return worker

    def _fill(self, packages) -> None:
        while len(self.idle) < self.size:
            self.idle.append(self._spawn(packages))

    def resize(self, size: int, packages=RUNTIME_PACKAGES) -> None:
        with self.lock:
            self.size = size
            while len(self.idle) > size:
                self.idle.pop().destroy()
            self._fill(packages)

    def clear(self) -> None:
        with self.lock:
            while self.idle:
                self.idle.pop().destroy()


POOL = Pool()

atexit.register(POOL.clear)
