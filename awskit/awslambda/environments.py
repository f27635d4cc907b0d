"""The real processes behind execution environments: code, credentials, INIT, cleanup.

Each simulated execution environment (``internals.ExecutionEnvironment``) that serves requests
has an ``ExecutionProcess`` (``runtime/``): a worker process that unpacked the function's code and
imported its module (INIT) and then runs its handler (INVOKE), warm between invocations. This
mixin of the Lambda service creates them:

- **Code**: a .zip function's deployment package; with layers, the layers' ``python/`` and
  ``python/lib/python3.x/site-packages/`` files are added beneath the function's own files
  (simplified: AWS extracts layers to ``/opt`` and puts those directories on ``sys.path``
  after ``/var/task``; here they are unpacked into the task root, the function's files winning,
  later layers over earlier ones, as on AWS; other layer files are left out). A container
  image (awskit's stand-in, a list of layers) runs if some of its layers are .zip archives of
  Python code and ``ImageConfig.Command`` names the handler (as ``CMD ["app.handler"]`` does
  for AWS's base images); otherwise its INIT fails with ``Runtime.InvalidEntrypoint``.
- **Credentials**: the Lambda service assumes the execution role (its trust policy must allow
  ``lambda.amazonaws.com``) and puts the session's keys in the environment; the session is
  named after the function (``assumed-role/<role>/<function>``), as on AWS. awskit keeps it
  valid for 15 days, longer than environments live here (AWS recycles environments every few
  hours and does not publish how long their credentials last), SnapStart snapshots included.
- **Freshness**: an environment serves one configuration; after UpdateFunctionCode or
  UpdateFunctionConfiguration, idle environments of the old one are drained at the next
  invoke (AWS starts new environments for the new configuration).
- **Cleanup**: a reclaimed, drained or failed environment's process is closed (the
  internals' ``on_reclaim`` callback); SnapStart snapshots' template processes likewise when
  the snapshot goes Inactive.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile

from ..iam.model import Session
from .code import trusts_lambda
from .handler_bridge import CallServer
from .runtime import ExecutionProcess

_SITE = re.compile(r"python/lib/python3\.\d+/site-packages/(.+)")
INVALID_ENTRYPOINT = "Runtime.InvalidEntrypoint"
#: how long an environment's role credentials stay valid (awskit's choice, see the docstring)
CREDENTIALS_S = 15 * 86400


class NoEntrypoint(Exception):
    """The function has nothing awskit can run (INIT fails with Runtime.InvalidEntrypoint)."""


class DeferredProcess:
    """Stands in for the process of a provisioned environment whose INIT awskit runs at its
    first use (see ``hooks.py``): the environment counts as initialized."""

    alive = True

    def close(self) -> None:
        self.alive = False


class EnvironmentProcesses:
    """Processes, code and credentials of execution environments (mixed into the service)."""

    def _init_processes(self) -> None:
        self._packages: dict[tuple, tuple] = {}
        self._serials: dict[str, str] = {}          # env id -> configuration it serves
        self._servers: dict[str, CallServer] = {}   # env id -> its AWS-call server
        self._process_snapshots: dict[str, object] = {}   # function key -> runtime Snapshot
        self._hooked: set[int] = set()

    def stop_processes(self) -> int:
        """Close every worker process of this cloud's Lambda (environments and SnapStart
        snapshots); returns how many. The simulated environments stay where they are and run
        INIT again at their next use, as after ``Cloud.load``."""
        closed = 0
        for internals in self._internals.values():
            for env in internals.environments.values():
                process, env.process = env.process, None
                if process is not None and getattr(process, "alive", False):
                    process.close()
                    closed += 1
        for held in self._process_snapshots.values():
            if held.alive:
                held.close()
                closed += 1
        self._process_snapshots.clear()
        return closed

    # -- internals callbacks --------------------------------------------------------------------
    def _hook_internals(self, internals) -> None:
        if id(internals) in self._hooked:
            return
        self._hooked.add(id(internals))
        internals.on_reclaim(self._environment_gone)
        internals.snapshots.on_inactive(self._snapshot_gone)

    def _environment_gone(self, env, reason: str) -> None:
        process, env.process = env.process, None
        if process is not None:
            process.close()
        self._serials.pop(env.env_id, None)
        self._servers.pop(env.env_id, None)

    def _snapshot_gone(self, snap) -> None:
        held = self._process_snapshots.pop(snap.function_key, None)
        if held is not None:
            held.close()

    # -- what an environment serves ------------------------------------------------------------
    @staticmethod
    def serial(version) -> str:
        """The identity of a configuration: its code upload and its $LATEST change counter."""
        return f"{version.code_id}:{version.change_serial}"

    def drain_stale(self, internals, function_key: str, serial: str) -> list:
        """Drain idle environments of ``function_key`` that serve an older configuration."""
        steps = []
        for env in [e for e in internals.environments.values()
                    if e.function_key == function_key and e.state == "idle"]:
            held = self._serials.get(env.env_id)
            if held is not None and held != serial:
                steps += internals.discard(env, "the function's code or configuration changed")
        return steps

    # -- code -----------------------------------------------------------------------------------
    def code_package(self, version) -> tuple[bytes, str]:
        """(zip bytes, handler) a process of ``version`` runs; raises :class:`NoEntrypoint`."""
        if version.package_type == "Image":
            key = ("image", version.code_key, repr(version.image_config))
        else:
            key = ("zip", version.code_key, tuple(version.layers))
        found = self._packages.get(key)
        if found is None:
            if len(self._packages) > 64:
                self._packages.clear()
            found = self._packages[key] = self._build_package(version)
        if found[0] is None:
            raise NoEntrypoint(found[2])
        return found[0], found[1]

    def _build_package(self, version) -> tuple:
        if version.package_type == "Image":
            zips = [b for b in self.image_layers(version) if zipfile.is_zipfile(io.BytesIO(b))]
            command = (version.image_config or {}).get("Command") or []
            if not zips or not command:
                return (None, None, "the image has no .zip layer of Python code with a handler "
                        "named by ImageConfig.Command (how awskit runs container images)")
            return _merge([], zips), command[0], None
        package = self.package(version)
        layers = [self.code_bytes(lv.code_key) for lv in self.layer_versions_of(version)]
        if not layers:
            return package, version.handler, None
        return _merge(layers, [package]), version.handler, None

    # -- credentials ----------------------------------------------------------------------------
    def role_credentials(self, version, lifetime_s: float) -> tuple[dict, str]:
        """Assume the execution role as lambda.amazonaws.com: (environment variables, note)."""
        iam, ids = self.cloud.iam, self.cloud.ids
        parts = version.role.split(":")
        account = iam.accounts.get(parts[4]) if len(parts) > 5 else None
        role = account.roles.get(version.role.rsplit("/", 1)[-1].lower()) if account else None
        context = {"aws:sourceaccount": [version.account], "aws:sourcearn": [version.function_arn]}
        if role is None or role.arn != version.role or not trusts_lambda(role.trust, context):
            return {}, (f"Lambda cannot assume {version.role} (missing, or its trust policy does "
                        "not allow lambda.amazonaws.com): no credentials in the environment")
        now = self.cloud.clock.elapsed
        session = Session(
            access_key_id=ids.access_key_id(temporary=True), secret=ids.secret_access_key(),
            token=ids.session_token(), account=account.id,
            arn=f"arn:aws:sts::{account.id}:assumed-role/{role.name}/{version.name}",
            user_id=f"{role.role_id}:{version.name}", role_arn=role.arn, role_name=role.name,
            session_name=version.name, issued=now, expires=now + lifetime_s)
        iam.sessions[session.access_key_id] = session
        role.last_used, role.last_used_region = now, version.region
        return ({"AWS_ACCESS_KEY_ID": session.access_key_id,
                 "AWS_SECRET_ACCESS_KEY": session.secret, "AWS_SESSION_TOKEN": session.token},
                f"lambda.amazonaws.com assumed {role.arn}: {session.access_key_id}")

    # -- processes ------------------------------------------------------------------------------
    def random_seed_of(self, name: str) -> int:
        """The seed of Python's ``random`` in an environment: derived from the cloud's seed and
        the environment's (seeded) id, so a notebook's handlers draw the same numbers on every
        run, while two environments draw different ones (on AWS each is seeded from the
        kernel's entropy). ``os.urandom``, ``uuid.uuid4`` and ``secrets`` stay truly random."""
        digest = hashlib.sha256(f"{self.cloud.seed}/{name}".encode()).digest()
        return int.from_bytes(digest[:8], "big")

    def new_process(self, version, env, initialization_type: str = "on-demand"):
        """A fresh worker process for ``env`` running ``version`` (not yet initialized):
        ``(process, credentials note)``; raises :class:`NoEntrypoint`."""
        code, handler = self.code_package(version)
        creds, note = self.role_credentials(version, CREDENTIALS_S)
        process = ExecutionProcess(
            code, handler, {**version.environment, **creds}, version.memory, version.name,
            version.version, version.log_group_name, env.log_stream, version.region,
            version.account, runtime=version.runtime or "python3.12",
            initialization_type=initialization_type, random_seed=self.random_seed_of(env.env_id))
        self.attach(env, process, version)
        return process, note

    def attach(self, env, process, version) -> CallServer:
        """Make ``process`` the one behind ``env``; its AWS calls go to the cloud."""
        old = env.process
        if old is not None and old is not process:
            old.close()
        server = CallServer(self.cloud)
        process.answer_aws_calls(server)
        env.process = process
        self._servers[env.env_id] = server
        self._serials[env.env_id] = self.serial(version)
        return server

    def server_of(self, env) -> CallServer | None:
        return self._servers.get(env.env_id)


def _merge(layers: list[bytes], top: list[bytes]) -> bytes:
    """One zip: the layers' Python files (later layers win), then ``top``'s files (win)."""
    files: dict[str, bytes] = {}
    for data in layers:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                match = _SITE.fullmatch(info.filename)
                name = match.group(1) if match else (
                    info.filename[len("python/"):] if info.filename.startswith("python/")
                    else None)
                if name:
                    files[name] = archive.read(info)
    for data in top:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    files[info.filename] = archive.read(info)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return out.getvalue()
