"""``Cloud``: one simulated AWS — accounts, Regions, clock, ids, services, traces, meter.

    >>> import awskit
    >>> cloud = awskit.Cloud(seed=0)
    >>> s3 = cloud.client("s3")          # a real boto3 client, answered in memory
    >>> s3.create_bucket(Bucket="my-first-bucket")["ResponseMetadata"]["HTTPStatusCode"]
    200
    >>> cloud.traces[-1].operation
    'CreateBucket'

Two clouds never share state. Everything that varies (ids, times) derives from ``seed`` and
the calls made, so the same notebook gives the same outputs every run.
"""

from __future__ import annotations

import base64
import gzip
import importlib
import json
import os
import threading
from pathlib import Path
from typing import Callable

from .clock import Clock
from .ids import IdFactory
from .meter import Meter
from .regions import DEFAULT_REGION, REGIONS
from .trace import Trace, TraceLog

#: The account id of every cloud's first account (the example id AWS's documentation uses).
DEFAULT_ACCOUNT = "123456789012"
#: The address a simulated client calls from (TEST-NET-3, reserved for documentation, RFC 5737).
DEFAULT_SOURCE_IP = "203.0.113.10"

#: service name -> "module:Class", loaded on first use
SERVICES = {
    "iam": "awskit.iam.api:IAM",
    "sts": "awskit.sts.api:STS",
    "s3": "awskit.s3.api:S3",
    "lambda": "awskit.awslambda.api:Lambda",
    "sqs": "awskit.sqs.api:SQS",
    "logs": "awskit.logs.api:Logs",
    "ec2": "awskit.ec2.api:EC2",
    "route53": "awskit.route53.api:Route53",
    "cloudfront": "awskit.cloudfront.api:CloudFront",
}

FORMAT = "awskit-cloud"
FORMAT_VERSION = 1


class _ServiceAttribute:
    """``cloud.s3`` etc.: the service, created on first use."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, cloud, owner=None):
        if cloud is None:
            return self
        return cloud.service(self.name)


class Cloud:
    """One simulated AWS. ``Cloud(seed=0)``; see the module docstring."""

    iam = _ServiceAttribute("iam")
    sts = _ServiceAttribute("sts")
    s3 = _ServiceAttribute("s3")
    awslambda = _ServiceAttribute("lambda")     # ``lambda`` is a Python keyword
    sqs = _ServiceAttribute("sqs")
    logs = _ServiceAttribute("logs")
    ec2 = _ServiceAttribute("ec2")
    route53 = _ServiceAttribute("route53")
    cloudfront = _ServiceAttribute("cloudfront")

    def __init__(self, seed: int = 0, *, region: str = DEFAULT_REGION,
                 account_id: str = DEFAULT_ACCOUNT, trace_limit: int = 1000,
                 debug: bool | None = None):
        if region not in REGIONS:
            raise ValueError(f"unknown Region {region!r}; choose one of {sorted(REGIONS)}")
        self.seed = seed
        self.clock = Clock()
        self.ids = IdFactory(seed)
        self.regions = REGIONS
        self.default_region = region
        self.default_account = account_id
        self.source_ip = DEFAULT_SOURCE_IP
        self.lock = threading.RLock()
        self.traces = TraceLog(trace_limit)
        self.meter = Meter()
        self.debug = bool(os.environ.get("AWSKIT_DEBUG")) if debug is None else debug
        self._services: dict[str, object] = {}
        self._observers: list[Callable[[Trace], None]] = []
        self._boto_session = None
        self.iam.create_account(account_id)

    # -- services ---------------------------------------------------------------------------
    def service(self, name: str):
        """The simulated service ``name`` (``"s3"``, ``"iam"``, ...)."""
        svc = self._services.get(name)
        if svc is None:
            if name not in SERVICES:
                raise ValueError(f"awskit does not simulate {name!r}; it simulates "
                                 f"{', '.join(sorted(SERVICES))}")
            module, cls = SERVICES[name].split(":")
            svc = self._services[name] = getattr(importlib.import_module(module), cls)(self)
        return svc

    # -- accounts ---------------------------------------------------------------------------
    @property
    def accounts(self) -> list[str]:
        """Account ids, the default account first."""
        return list(self.iam.accounts)

    def new_account(self) -> str:
        """Create another account (with its own root user) and return its 12-digit id."""
        with self.lock:
            while True:
                account_id = self.ids.account_id()
                if account_id not in self.iam.accounts:
                    break
            self.iam.create_account(account_id)
        return account_id

    # -- time -------------------------------------------------------------------------------
    def advance(self, seconds: float = 0, *, minutes: float = 0, hours: float = 0,
                days: float = 0) -> int:
        """Move the simulated clock forward, running every event that falls due.

        Returns the number of events that ran.
        """
        total = seconds + 60 * minutes + 3600 * hours + 86400 * days
        with self.lock:
            return self.clock.advance(total)

    @property
    def now(self):
        return self.clock.now

    # -- boto3 fronts -----------------------------------------------------------------------
    def client(self, service_name: str, account: str | None = None, **kwargs):
        """A genuine boto3 client for ``service_name`` answered by this cloud, in memory.

        By default it acts as the root user of ``account`` (the default account if None);
        pass ``aws_access_key_id``/``aws_secret_access_key`` (and ``aws_session_token``) to
        act as an IAM user or a role session. Other keyword arguments go to boto3
        (``region_name``, ``config``, ...).
        """
        from .boto import make_client
        return make_client(self, service_name, account, **kwargs)

    def resource(self, service_name: str, account: str | None = None, **kwargs):
        """A boto3 resource (``cloud.resource("s3").Bucket("b")``) answered by this cloud."""
        from .boto import make_resource
        return make_resource(self, service_name, account, **kwargs)

    # -- observing --------------------------------------------------------------------------
    def observe(self, callback: Callable[[Trace], None]) -> Callable[[], None]:
        """Call ``callback(trace)`` after every request; returns a function that stops it."""
        self._observers.append(callback)
        return lambda: self._observers.remove(callback) if callback in self._observers else None

    def notify(self, trace: Trace) -> None:
        for callback in list(self._observers):
            callback(trace)

    # -- resources --------------------------------------------------------------------------
    def resource_policy(self, arn: str):
        """(resource-based policy, owner account) for a resource ARN, or (None, None)."""
        service = arn.split(":")[2] if arn.count(":") >= 5 else ""
        if service in SERVICES:
            return self.service(service).resource_policy_for(arn)
        return None, None

    def graph(self):
        """A networkx ``DiGraph`` of every resource: nodes keyed by ARN (``type``, ``name``, ...),
        edges labelled with their ``relation``."""
        import networkx as nx
        graph = nx.DiGraph()
        for name in sorted(self._services):
            self._services[name].add_to_graph(graph)
        return graph

    def diagram(self, *, objects: bool = True, **options):
        """The architecture drawn from :meth:`graph` (Regions, AZs, resources, relations);
        with a VPC, the network (``network=``, ``reachability=``: see
        :func:`awskit.diagrams.architecture_diagram`)."""
        from .diagrams import architecture_diagram
        return architecture_diagram(self, objects=objects, **options)

    # -- persistence ------------------------------------------------------------------------
    def state(self) -> dict:
        """The whole cloud as plain JSON data."""
        with self.lock:
            return {
                "format": FORMAT, "version": FORMAT_VERSION, "seed": self.seed,
                "default_region": self.default_region, "default_account": self.default_account,
                "source_ip": self.source_ip, "clock": self.clock.elapsed,
                "ids": self.ids.state(), "meter": self.meter.state(),
                "trace_limit": self.traces.maxlen, "traces_total": self.traces.total,
                "traces": [t.to_dict() for t in self.traces],
                "services": {name: self._services[name].state() for name in sorted(self._services)},
            }

    def save(self, path: str | os.PathLike) -> Path:
        """Write the whole cloud to ``path`` as JSON (gzip-compressed if it ends in ``.gz``)."""
        path = Path(path)
        text = json.dumps(self.state(), sort_keys=True, separators=(",", ":"))
        if path.suffix == ".gz":
            path.write_bytes(gzip.compress(text.encode(), mtime=0))
        else:
            path.write_text(text)
        return path

    @classmethod
    def from_state(cls, data: dict) -> "Cloud":
        if data.get("format") != FORMAT:
            raise ValueError("not an awskit cloud file")
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"unsupported awskit cloud file version {data.get('version')}")
        cloud = cls.__new__(cls)
        cloud.seed = data["seed"]
        cloud.clock = Clock(data["clock"])
        cloud.ids = IdFactory.from_state(data["ids"])
        cloud.regions = REGIONS
        cloud.default_region = data["default_region"]
        cloud.default_account = data["default_account"]
        cloud.source_ip = data["source_ip"]
        cloud.lock = threading.RLock()
        cloud.traces = TraceLog(data["trace_limit"])
        for trace in data["traces"]:
            cloud.traces.append(Trace.from_dict(trace))
        cloud.traces.total = data["traces_total"]
        cloud.meter = Meter.from_state(data["meter"])
        cloud.debug = bool(os.environ.get("AWSKIT_DEBUG"))
        cloud._services = {}
        cloud._observers = []
        cloud._boto_session = None
        for name in ["iam", *sorted(n for n in data["services"] if n != "iam")]:
            cloud.service(name).load_state(data["services"][name])
        return cloud

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Cloud":
        """Read a cloud written by :meth:`save`. Loading parses JSON only; it never runs code."""
        raw = Path(path).read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return cls.from_state(json.loads(raw))

    def __repr__(self) -> str:
        return (f"<Cloud seed={self.seed}: {len(self.accounts)} account(s), "
                f"{self.default_region}, {self.clock.now:%Y-%m-%d %H:%M:%S} UTC>")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)
