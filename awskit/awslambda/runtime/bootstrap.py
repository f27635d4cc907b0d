"""The worker: one fresh Python interpreter per execution environment, running the function.

Started by the parent (``process.py``) as ``python -I -S -u -B -X utf8 .../bootstrap.py <fd>
<config JSON>``: isolated mode (no user site, no ``PYTHON*`` variables, no script directory on
``sys.path``), no ``site``; run by path, not as ``-m awskit...``, so that the simulator itself
is neither imported (startup time) nor importable by the function. It talks to the parent over
the socket ``<fd>`` with ``protocol.py`` messages, a simple version of the Lambda Runtime API:

- ``init``: unpack the code zip into the task root, set the environment variables Lambda sets,
  set up the root logger as the Python runtime does, import the handler module (its
  module-level code is the function's INIT phase) -> ``init_done``;
- ``invoke``: call the handler with the event and a ``LambdaContext`` -> ``result`` (the
  response bytes, or the error document); module state survives between invokes (warm);
- ``snapshot``: run the SnapStart before-snapshot hooks and become the *snapshot*: a template
  process that forks a restored copy on each ``restore`` request (the copies share the
  initialised memory, RNG state included: the uniqueness hazard), runs their after-restore
  hooks, and reports their exit statuses to the parent.
- while a phase runs, the function's boto3 calls go to the parent as ``aws_call`` messages
  and wait for its ``aws_result`` (``aws_bridge.py``): they reach the simulated cloud as the
  credentials in the environment (the execution role's), never the network.

Everything the function prints (fd 1 and 2, so also C extensions and child processes) goes to
the environment's log file, read by the parent; ``logging`` records are framed so that a
multi-line record stays one log event. Safety: the parent kills the whole process group on a
timeout; a watchdog thread kills it if the parent disappears; core dumps are off; the address
space is capped (a generous ceiling that protects the host: hitting it raises MemoryError,
reported as out of memory; the configured memory size itself is enforced by the parent, which
watches the resident set size).

Importable packages: the standard library, the function's code, this runtime's
``snapshot_restore_py`` and the packages the Python runtime ships on AWS (boto3 and its
dependencies) -- not everything installed in the notebook's environment, as on AWS.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import logging
import os
import resource
import select
import signal
import socket
import sys
import threading
import time
import zipfile

_HERE = os.path.dirname(os.path.abspath(__file__))
_MAXRSS_PER_MB = 1024 * 1024 if sys.platform == "darwin" else 1024    # ru_maxrss: bytes / KiB


def _load(name):
    """A sibling module, loaded by path under a private name (user modules cannot clash)."""
    spec = importlib.util.spec_from_file_location(f"_awskit_lambda_{name}",
                                                  os.path.join(_HERE, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class _RuntimePackages:
    """Meta path finder: top-level packages in ``names`` come from the site-packages dirs."""

    def __init__(self, dirs, names):
        self.dirs, self.names = list(dirs), set(names)

    def find_spec(self, name, path=None, target=None):
        if path is None and name in self.names:
            return importlib.machinery.PathFinder.find_spec(name, self.dirs)
        return None


class Worker:
    def __init__(self, sock, protocol, faults, context):
        self.sock, self.protocol, self.faults, self.context = sock, protocol, faults, context
        self.pid = os.getpid()      # a process the handler forks must not answer for it
        self.handler = None
        self.request_id = None      # the runtime's "current request id" for log records
        self.clock_ms = None        # simulated clock for log timestamps (None: real time)
        self.ensure_ascii = True

    # -- output --------------------------------------------------------------------------------
    def log_event(self, text: str) -> None:
        """One framed log event on fd 1 (a logging record, the runtime's error record)."""
        data = (self.protocol.LOG_FRAME_START + text + self.protocol.LOG_FRAME_END).encode(
            "utf-8", "replace")
        while data:
            data = data[os.write(1, data):]

    def send(self, header, body=b""):
        if os.getpid() != self.pid:      # returning from a handler in a child it forked
            os._exit(0)
        header["max_memory_mb"] = _peak_mb()
        self.protocol.send(self.sock, header, body)

    def setup_logging(self, level_name):
        worker = self

        class Handler(logging.Handler):
            def emit(self, record):
                try:
                    worker.log_event(self.format(record))
                except Exception:
                    self.handleError(record)

        class Filter(logging.Filter):
            def filter(self, record):
                record.aws_request_id = worker.request_id or ""
                if worker.clock_ms is not None:
                    record.created = worker.clock_ms / 1000
                    record.msecs = worker.clock_ms % 1000
                return True

        logging.Formatter.converter = time.gmtime
        handler = Handler()
        handler.setFormatter(logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S"))
        handler.addFilter(Filter())
        root = logging.getLogger()
        if level_name in logging._nameToLevel:      # AWS_LAMBDA_LOG_LEVEL (log-level control)
            root.setLevel(level_name)
        root.addHandler(handler)
        self.context._log_sink = self.log_event

    # -- phases --------------------------------------------------------------------------------
    def init(self, h):
        start = time.perf_counter()
        self.clock_ms = h.get("now_ms")
        task = h["task_root"]
        with zipfile.ZipFile(h["zip_path"]) as z:
            z.extractall(task)
        os.environ.clear()
        os.environ.update(h["env"])
        time.tzset()
        os.chdir(task)
        sys.path[0:0] = [task, h["runtime_dir"]]
        self.faults.set_task_root(task)
        self.ensure_ascii = self.faults.escapes_non_ascii(h["env"].get("AWS_EXECUTION_ENV"))
        limit = h["address_space_mb"] * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        self.setup_logging(h["env"].get("AWS_LAMBDA_LOG_LEVEL"))
        if h.get("random_seed") is not None:      # reproducible notebooks: see ExecutionProcess
            import random
            random.seed(h["random_seed"])
        error = None
        try:
            self.handler = self.faults.get_handler(h["handler"])
        except self.faults.Fault as fault:
            error = self.faults.error_from_fault(fault)
        except MemoryError:
            self.send({"op": "oom"})
            _wait_for_kill()
        except Exception as exc:
            error = self.faults.error_from_exception(exc)
        measured = (time.perf_counter() - start) * 1000
        if error is not None:
            self.log_event(self.faults.error_log_event(error))
            self.send({"op": "init_done", "ok": False, "error": error, "measured_ms": measured})
            sys.exit(1)        # as the runtime does after reporting an init error
        self.send({"op": "init_done", "ok": True, "measured_ms": measured})

    def invoke(self, h, body):
        faults, rid = self.faults, h["request_id"]
        self.request_id, self.clock_ms = rid, h.get("now_ms")
        start = time.perf_counter()
        error = None
        try:
            context = self.context.LambdaContext(
                rid, h["invoked_function_arn"], h["deadline_ms"], h.get("now_ms"),
                faults.parse_json_header(h.get("client_context"), "Client Context"),
                faults.parse_json_header(h.get("identity"), "Cognito Identity"))
            result = self.handler(faults.unmarshal(body), context)
            out = faults.marshal(result, self.ensure_ascii)
        except faults.Fault as fault:
            error = faults.error_from_fault(fault, rid)
        except MemoryError:
            self.send({"op": "oom"})
            _wait_for_kill()
        except Exception as exc:
            error = faults.error_from_exception(exc, rid)
        measured = (time.perf_counter() - start) * 1000
        if error is not None:
            self.log_event(faults.error_log_event(error))
            self.send({"op": "result", "ok": False, "measured_ms": measured},
                      faults.error_json(error, self.ensure_ascii))
        else:
            self.send({"op": "result", "ok": True, "measured_ms": measured}, out)

    # -- SnapStart -----------------------------------------------------------------------------
    def _hooks(self, which):
        hooks = sys.modules.get("snapshot_restore_py")
        if hooks is None:
            return
        if which == "before":
            callables = list(hooks.get_before_snapshot())
            callables.reverse()
        else:
            callables = list(hooks.get_after_restore())
        for func, args, kwargs in callables:
            func(*args, **kwargs)

    def snapshot(self):
        """Run the before-snapshot hooks, then serve as the snapshot (never returns)."""
        start = time.perf_counter()
        try:
            self._hooks("before")
        except Exception as exc:
            error = self.faults.error_from_exception(exc)
            self.log_event(self.faults.error_log_event(error))
            self.send({"op": "snapshot_done", "ok": False, "error": error,
                       "error_type": self.faults.BEFORE_SNAPSHOT_ERROR})
            sys.exit(64)
        rng = sys.modules.get("random")
        state = rng._inst.getstate() if rng is not None else None
        self.send({"op": "snapshot_done", "ok": True,
                   "measured_ms": (time.perf_counter() - start) * 1000})
        Template(self, state).serve()

    def after_fork(self, ctl_fd, log_fd, rng_state, env):
        """In a restored copy: own session, own log, own socket, the snapshot's RNG state."""
        os.setsid()
        self.pid = os.getpid()
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        self.sock.close()
        self.sock = socket.socket(fileno=ctl_fd)
        rng = sys.modules.get("random")
        if rng is not None and rng_state is not None:
            rng._inst.setstate(rng_state)     # undo random's at-fork reseed: a VM snapshot has none
        os.environ.update(env)
        _start_watchdog()
        start = time.perf_counter()
        try:
            self._hooks("after")
        except Exception as exc:
            error = self.faults.error_from_exception(exc)
            self.log_event(self.faults.error_log_event(error))
            self.send({"op": "ready", "ok": False, "error": error,
                       "error_type": self.faults.AFTER_RESTORE_ERROR,
                       "measured_ms": (time.perf_counter() - start) * 1000})
            sys.exit(65)
        self.send({"op": "ready", "ok": True, "pid": os.getpid(),
                   "measured_ms": (time.perf_counter() - start) * 1000})

    # -- main loop -----------------------------------------------------------------------------
    def serve(self):
        while True:
            try:
                header, body, fds = self.protocol.recv(self.sock, with_fds=True)
            except self.protocol.ConnectionClosed:
                _kill_own_group()
            for fd in fds:
                os.close(fd)
            op = header.get("op")
            if op == "init":
                self.init(header)
            elif op == "invoke":
                self.invoke(header, body)
            elif op == "snapshot":
                self.snapshot()


class Template:
    """The snapshot: forks restored copies on request and reaps them."""

    def __init__(self, worker, rng_state):
        self.worker, self.rng_state = worker, rng_state
        self.children = set()
        self.closing = False

    def serve(self):
        worker, protocol = self.worker, self.worker.protocol
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        while True:
            ready, _, _ = select.select([worker.sock, wake_r], [], [])
            if wake_r in ready:
                os.read(wake_r, 4096)
                self.reap()
            if worker.sock in ready:
                try:
                    header, _body, fds = protocol.recv(worker.sock, with_fds=True)
                except protocol.ConnectionClosed:
                    for pid in self.children:
                        _kill_group(pid)
                    os._exit(0)
                if header.get("op") == "restore" and len(fds) == 2:
                    pid = os.fork()
                    if pid == 0:
                        signal.set_wakeup_fd(-1)
                        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                        os.close(wake_r)
                        os.close(wake_w)
                        worker.after_fork(fds[0], fds[1], self.rng_state, header.get("env", {}))
                        worker.serve()
                    for fd in fds:
                        os.close(fd)
                    self.children.add(pid)
                    protocol.send(worker.sock, {"op": "restored", "pid": pid})
                elif header.get("op") == "close":
                    self.closing = True
                else:
                    for fd in fds:
                        os.close(fd)
            if self.closing and not self.children:
                os._exit(0)

    def reap(self):
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.children.discard(pid)
            self.worker.protocol.send(self.worker.sock, {
                "op": "exited", "pid": pid, "returncode": os.waitstatus_to_exitcode(status)})


def _peak_mb() -> int:
    """Peak resident memory of this process: VmHWM on Linux. Not ``ru_maxrss``, which Linux
    carries over ``execve`` from the (large) notebook process that started this one."""
    try:
        fd = os.open("/proc/self/status", os.O_RDONLY)
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // _MAXRSS_PER_MB
    try:
        data = os.read(fd, 16384)
    finally:
        os.close(fd)
    i = data.find(b"VmHWM:")
    return int(data[i + 6:data.index(b"kB", i)]) // 1024 if i >= 0 else 0


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_own_group():
    _kill_group(os.getpgrp())
    os._exit(1)


def _wait_for_kill():
    """Out of memory: the parent kills the environment; wait for it (exit if it does not)."""
    time.sleep(10)
    _kill_own_group()


def _start_watchdog():
    """Kill this environment (its whole process group) when its parent disappears."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                _kill_own_group()

    threading.Thread(target=watch, name="awskit-lambda-watchdog", daemon=True).start()


def main(argv):
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    config = json.loads(argv[2])
    sys.meta_path.append(_RuntimePackages(config["site_dirs"], config["packages"]))
    protocol, faults, context = _load("protocol"), _load("faults"), _load("context")
    sock = socket.socket(fileno=int(argv[1]))
    _start_watchdog()
    worker = Worker(sock, protocol, faults, context)
    _load("aws_bridge").install(worker)       # the function's boto3 calls go to the parent
    worker.send({"op": "ready", "pid": os.getpid()})
    worker.serve()


if __name__ == "__main__":
    main(sys.argv)
