"""A JupyterLab server and Debian's Chromium for the browser tests.

``jupyterlab_server(root)`` starts JupyterLab as a subprocess on 127.0.0.1, on a free port,
with a random token, serving ``root``; it waits until the server answers and stops it by its
process id when done (killing its process group if it does not stop in time). JupyterLab's
user settings, workspaces and runtime files live in a temporary directory, so the test never
reads or writes the developer's own. ``chromium_context(tmp)`` launches ``/usr/bin/chromium``
(Debian's package: no browser is downloaded) through Playwright for Python, headless, with a
fresh profile directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AWSKIT_CHROMIUM", "/usr/bin/chromium")
# As the machine's notes prescribe: without the background-networking flags Chromium keeps
# trying to reach Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 15

# JupyterLab user settings for a test: every cell attached to the DOM (the default windowing
# mode skips rendering off-screen cells), the notebook's kernel started without asking, no
# news or update checks (no network here).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none", "autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    def __init__(self, root: Path, state: Path):
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = state / "jupyterlab.log"
        settings = state / "settings"
        for name, value in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        self.env = {**os.environ,
                    "JUPYTER_CONFIG_DIR": str(state / "config"),
                    "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
                    "JUPYTERLAB_SETTINGS_DIR": str(settings),
                    "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces")}
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}", "--ServerApp.terminals_enabled=False",
               "--LabApp.extension_manager=readonly"]     # no PyPI queries
        if os.geteuid() == 0:      # CI and containers run as root
            cmd.append("--allow-root")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=self.env,
                                         cwd=self.root, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            if self.answers():
                return
            time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n{self.log_tail()}")

    def answers(self) -> bool:
        request = urllib.request.Request(f"{self.url}/api/status",
                                         headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        """Stop the server by its process id; kill its process group if it hangs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        # kernels run in the server's process group: end any the server left behind
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def lab_url(self, path: str) -> str:
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"


@contextlib.contextmanager
def jupyterlab_server(root: Path, state: Path):
    server = LabServer(root, state)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def require_chromium() -> None:
    if os.access(CHROMIUM, os.X_OK):
        return
    message = (f"no Chromium at {CHROMIUM}: install Debian's chromium package "
               "(scripts/test does, with apt-get)")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def chromium_context(profile: Path, viewport=(1400, 1000)):
    """A Playwright browser context in Debian's Chromium with a fresh profile directory."""
    require_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": viewport[0], "height": viewport[1]})
        try:
            yield context
        finally:
            context.close()


def pytest_collection_modifyitems(session, config, items):
    """Browser tests run last: they are the slowest, and they need everything else to work."""
    items.sort(key=lambda item: "/tests/browser/" in str(item.path).replace("\\", "/"))
