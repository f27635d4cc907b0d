"""The invoke front ends and their function-metadata caches (fact A1).

What AWS reports [T25]: one regional, multi-AZ endpoint behind a load balancer; synchronous
and asynchronous invokes go to two separate front-end fleets (split after an async spike once
overloaded the sync path). A front end authenticates and authorizes the caller, then loads the
function's metadata from a function-versions DynamoDB table, cached on each front-end host and
in an AZ-level second cache.

How we model it: ``frontend_hosts_per_az`` hosts per fleet in each AZ; the load balancer picks
hosts round-robin (deterministic). A cache entry is keyed by function key *and* the version's
``RevisionId``, so a configuration change is never served stale (AWS's cache-invalidation
details are not published: a simplification). Caches are unbounded dictionaries.
"""

from __future__ import annotations

FLEETS = {"sync": "front-end invoke service", "async": "event invoke front end"}


class FrontEnd:
    component = "Front end"

    def __init__(self, clock, model, azs: list[str]):
        self.clock = clock
        self.model = model
        self.azs = list(azs)
        self.hosts = {fleet: [(f"fe-{fleet}-{i * len(azs) + j + 1}", az)
                              for i in range(model.frontend_hosts_per_az)
                              for j, az in enumerate(azs)] for fleet in FLEETS}
        self.turn = {fleet: 0 for fleet in FLEETS}
        self.host_cache: dict[str, dict[str, str]] = {}   # host -> key -> revision
        self.az_cache: dict[str, dict[str, str]] = {}     # AZ -> key -> revision
        self.table_reads = 0

    def route(self, fleet: str = "sync") -> tuple[str, str]:
        """The load balancer's pick: (front-end host, its AZ), round-robin."""
        if fleet not in FLEETS:
            raise ValueError(f"fleet must be one of {sorted(FLEETS)}")
        hosts = self.hosts[fleet]
        host = hosts[self.turn[fleet] % len(hosts)]
        self.turn[fleet] += 1
        return host

    def load_metadata(self, function_key: str, revision: str, fleet: str = "sync") -> list:
        """One "Front end" step: the metadata of ``function_key`` at ``revision``, from the
        host cache, the AZ cache or the DynamoDB table (filling the caches on the way back)."""
        host, az = self.route(fleet)
        hcache = self.host_cache.setdefault(host, {})
        acache = self.az_cache.setdefault(az, {})
        model = self.model
        if hcache.get(function_key) == revision:
            where, ms = "host cache hit", model.metadata_host_cache_ms
        elif acache.get(function_key) == revision:
            where, ms = "host cache miss, AZ cache hit", \
                model.metadata_host_cache_ms + model.metadata_az_cache_ms
            hcache[function_key] = revision
        else:
            where = "host and AZ cache miss: read the function-versions DynamoDB table"
            ms = model.metadata_host_cache_ms + model.metadata_az_cache_ms + model.metadata_table_ms
            self.table_reads += 1
            acache[function_key] = revision
            hcache[function_key] = revision
        name = ":".join(function_key.split(":")[6:])
        return [(self.component, f"{host} ({az}, {FLEETS[fleet]}): load metadata of {name}: "
                 f"{where}", round(ms, 3),
                 {"front_end_host": host, "az": az, "fleet": fleet, "revision": revision,
                  "source": where})]

    def describe(self) -> dict:
        return {"fleets": {f: [h for h, _ in hosts] for f, hosts in self.hosts.items()},
                "host_cache_entries": {h: len(c) for h, c in sorted(self.host_cache.items())},
                "az_cache_entries": {a: len(c) for a, c in sorted(self.az_cache.items())},
                "table_reads": self.table_reads}

    def dump(self) -> dict:
        return {"turn": dict(self.turn), "host_cache": self.host_cache,
                "az_cache": self.az_cache, "table_reads": self.table_reads}

    def restore(self, data: dict) -> None:
        self.turn = dict(data["turn"])
        self.host_cache = {h: dict(c) for h, c in data["host_cache"].items()}
        self.az_cache = {a: dict(c) for a, c in data["az_cache"].items()}
        self.table_reads = data["table_reads"]
