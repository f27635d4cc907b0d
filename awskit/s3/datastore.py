"""The data store: where object bytes live, addressed by UUID, replicated across AZs.

As in the S3-like object store design (``shared/facts/s3.md`` part C):

- the **data routing service** is the stateless front of the cluster: it asks the placement
  service where a UUID lives, writes to the primary and waits for every replica (strong
  consistency: a write returns after the slowest replica), and reads from the first healthy
  copy, failing over to a replica when a node is down;
- the **placement service** holds the virtual cluster map (AZs → data nodes) and picks the
  replication group of a UUID deterministically (consistent hashing over a ring of virtual
  nodes), one node per failure domain (AZ) while there are AZs to spread over; it tracks node
  health by heartbeat and, once a node has been silent for :data:`DETECTION_S`, copies the
  objects that lost a replica to other nodes until each has :data:`REPLICAS` again;
- **data nodes** append objects to a read-write data file (sealed when it reaches
  :data:`FILE_LIMIT` bytes) and keep an ``object_mapping`` of UUID → (file, offset); the
  cluster keeps each object's MD5 checksum and verifies every copy it reads against it.

What we simplify: each node keeps the bytes of each object in memory rather than inside a
real file (the mapping records where the design would place them); one cluster serves a
Region; replication only, no erasure coding. Latencies are a teaching model, not
measurements: see :class:`Latency`.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field

REPLICAS = 3                 # primary + 2 replicas
NODES_PER_AZ = 2
VIRTUAL_NODES = 16           # points per node on the hash ring
FILE_LIMIT = 4 * 1024 ** 3   # seal a data file at 4 GiB ("a few GB" in the design)
DETECTION_S = 15.0           # heartbeat grace before a silent node is declared down (book ~15 s,
                             # unconfirmed there: a teaching value)


@dataclass(frozen=True)
class Latency:
    """The latency model (ms). Deterministic so notebooks reproduce; tune per cloud."""

    route_ms: float = 0.5            # data routing service hop
    placement_ms: float = 0.3        # placement service lookup
    write_ms: float = 1.5            # a node's append + fsync
    replicate_ms: float = 1.0        # inter-AZ hop to a replica
    read_ms: float = 1.0             # a node's read
    mb_per_s: float = 400.0          # a node's sequential throughput

    def transfer(self, size: int) -> float:
        return int(size / self.mb_per_s + 0.5) / 1000   # ms for ``size`` bytes, to the µs


class DataUnavailable(Exception):
    """No healthy node holds a copy of the object."""


@dataclass
class DataNode:
    """One storage server in one AZ."""

    node_id: str
    az: str
    up: bool = True
    blobs: dict[str, bytes] = field(default_factory=dict, repr=False)
    # object_mapping: UUID -> where the copy sits, packed as (file number << 40) | offset (an
    # int keeps a million entries cheap); ``where()`` unpacks it
    mapping: dict[str, int] = field(default_factory=dict, repr=False)
    file_no: int = 0
    offset: int = 0
    current_file: str = ""

    def __post_init__(self):
        self.current_file = f"/data/{self.node_id}/{self.file_no:06d}"

    @property
    def used_bytes(self) -> int:
        return sum(len(b) for b in self.blobs.values())

    def append(self, uuid: str, data: bytes) -> tuple[str, int]:
        size = len(data)
        if self.offset + size > FILE_LIMIT and self.offset:
            self.file_no += 1          # seal the read-write file, open a new one
            self.offset = 0
            self.current_file = f"/data/{self.node_id}/{self.file_no:06d}"
        offset = self.offset
        self.blobs[uuid] = data
        self.mapping[uuid] = (self.file_no << 40) | offset
        self.offset = offset + size
        return self.current_file, offset

    def where(self, uuid: str) -> tuple[str, int, int]:
        """(data file, offset, size) of this node's copy of ``uuid``."""
        packed = self.mapping[uuid]
        return (f"/data/{self.node_id}/{packed >> 40:06d}", packed & (2 ** 40 - 1),
                len(self.blobs[uuid]))

    def drop(self, uuid: str) -> None:
        self.blobs.pop(uuid, None)
        self.mapping.pop(uuid, None)

    def describe(self) -> dict:
        return {"node_id": self.node_id, "az": self.az, "status": "up" if self.up else "down",
                "objects": len(self.blobs), "bytes": self.used_bytes,
                "current_file": self.current_file}


class PlacementService:
    """The virtual cluster map and the choice of replication groups."""

    def __init__(self, nodes: list[DataNode]):
        self.nodes = {n.node_id: n for n in nodes}
        ring = []
        for node in nodes:
            for v in range(VIRTUAL_NODES):
                digest = hashlib.md5(f"{node.node_id}#{v}".encode()).digest()
                ring.append((int.from_bytes(digest[:8], "big"), node.node_id))
        ring.sort()
        self._points = [p for p, _ in ring]
        # from each point of the ring, the distinct nodes met walking clockwise
        self._walks: list[list[DataNode]] = []
        for i in range(len(ring)):
            walk: list[DataNode] = []
            for j in range(len(ring)):
                node = self.nodes[ring[(i + j) % len(ring)][1]]
                if node not in walk:
                    walk.append(node)
            self._walks.append(walk)
        self._groups: dict[tuple[int, bool], list[DataNode]] = {}
        self._labels: dict[int, tuple[list[str], str]] = {}

    def health_changed(self) -> None:
        self._groups.clear()
        self._labels.clear()

    def label(self, group: list[DataNode]) -> tuple[tuple[str, ...], str]:
        """(node ids, "dn-1 (us-east-1a), ...") of a replication group, cached."""
        found = self._labels.get(id(group))
        if found is None or found[2] is not group:
            ids = tuple(n.node_id for n in group)
            found = self._labels[id(group)] = (ids, ", ".join(f"{n.node_id} ({n.az})" for n in group),
                                               group)
        return found[0], found[1]

    def group(self, uuid: str, healthy_only: bool = True) -> list[DataNode]:
        """Primary then replicas for ``uuid``: walk the ring, one node per AZ first."""
        point = int(uuid[:8] + uuid[9:13] + uuid[14:18], 16)
        start = bisect.bisect(self._points, point) % len(self._points)
        chosen = self._groups.get((start, healthy_only))
        if chosen is None:
            candidates = [n for n in self._walks[start] if n.up or not healthy_only]
            chosen, azs = [], set()
            for node in candidates:               # first pass: one node per AZ
                if node.az not in azs and len(chosen) < REPLICAS:
                    chosen.append(node)
                    azs.add(node.az)
            for node in candidates:               # then any other node
                if node not in chosen and len(chosen) < REPLICAS:
                    chosen.append(node)
            self._groups[(start, healthy_only)] = chosen
        return chosen


class DataStore:
    """One Region's data cluster: routing service, placement service and data nodes."""

    def __init__(self, region, clock, latency: Latency | None = None):
        self.region = region.code
        self.clock = clock
        self.latency = latency or Latency()
        nodes = []
        for az in region.azs[:3]:
            for _ in range(NODES_PER_AZ):
                nodes.append(DataNode(f"dn-{len(nodes) + 1}", az))
        self.nodes: list[DataNode] = nodes
        self.placement = PlacementService(nodes)
        # UUID -> node ids holding a copy (tuples: immutable, and ignored by the cyclic GC)
        self.locations: dict[str, tuple[str, ...]] = {}
        self.checksums: dict[str, str] = {}
        self.pending_repair: set[str] = set()

    def node(self, node_id: str) -> DataNode:
        for n in self.nodes:
            if n.node_id == node_id:
                return n
        raise KeyError(f"no data node {node_id!r} in {self.region}; nodes: "
                       f"{[n.node_id for n in self.nodes]}")

    # -- the write path ---------------------------------------------------------------------
    def put(self, uuid: str, data: bytes, checksum: str | None = None) -> tuple[list[str], list[tuple]]:
        """Persist ``data`` under ``uuid`` on a replication group; returns (node ids, substeps).

        ``checksum`` is the MD5 (hex) of ``data`` if the caller has it already."""
        lat = self.latency
        if checksum is None:
            checksum = hashlib.md5(data).hexdigest()
        group = self.placement.group(uuid)
        if not group:
            raise DataUnavailable("no healthy data node")
        size = len(data)
        ids, names = self.placement.label(group)
        transfer = lat.transfer(size)
        subs = [("Data routing service", "Ask the placement service for a replication group",
                 lat.route_ms, {"uuid": uuid}),
                ("Placement service", "Consistent hashing picks " + names, lat.placement_ms,
                 {"group": list(ids)})]
        primary = group[0]
        file, offset = primary.append(uuid, data)
        subs.append(("Data node " + primary.node_id,
                     f"Primary: append {size} bytes to {file} at offset {offset}, "
                     f"checksum md5:{checksum[:8]}", lat.write_ms + transfer,
                     {"node": primary.node_id, "az": primary.az, "file": file, "offset": offset,
                      "role": "primary"}))
        for replica in group[1:]:
            r_file, r_offset = replica.append(uuid, data)
            subs.append(("Data node " + replica.node_id,
                         f"Replica: copy from {primary.node_id}, append to {r_file}", 0.0,
                         {"node": replica.node_id, "az": replica.az, "file": r_file,
                          "offset": r_offset, "role": "replica"}))
        if len(group) > 1:   # replicas are written in parallel; the write waits for the slowest
            subs.append(("Data routing service", f"All {len(group)} copies acknowledged; "
                         f"return UUID {uuid}", lat.replicate_ms + lat.write_ms + transfer,
                         {"uuid": uuid}))
        self.locations[uuid] = ids
        self.checksums[uuid] = checksum
        if len(group) < REPLICAS:
            self.pending_repair.add(uuid)
        return self.locations[uuid], subs

    # -- the read path ----------------------------------------------------------------------
    def get(self, uuid: str) -> tuple[bytes, list[tuple]]:
        """The bytes of ``uuid`` from the first healthy copy; raises DataUnavailable."""
        lat = self.latency
        subs = [("Data routing service", f"Ask the placement service where {uuid[:8]}... lives",
                 lat.route_ms + lat.placement_ms, {"uuid": uuid})]
        for node_id in self.locations.get(uuid, []):
            node = self.node(node_id)
            if not node.up:
                subs.append((f"Data node {node_id}", f"No heartbeat: {node_id} is down, "
                             f"try the next replica", lat.route_ms, {"node": node_id,
                                                                     "status": "down"}))
                continue
            data = node.blobs[uuid]
            file, offset, size = node.where(uuid)
            if hashlib.md5(data).hexdigest() != self.checksums[uuid]:
                subs.append((f"Data node {node_id}", "Checksum mismatch: corrupted copy, "
                             "try the next replica", lat.read_ms, {"node": node_id}))
                continue
            subs.append((f"Data node {node_id}", f"Read {size:,} bytes from {file} at offset "
                         f"{offset:,}; checksum verified", lat.read_ms + lat.transfer(size),
                         {"node": node_id, "az": node.az, "file": file, "offset": offset}))
            return data, subs
        raise DataUnavailable(f"every copy of {uuid} is on a node that is down")

    def delete(self, uuid: str) -> None:
        for node_id in self.locations.pop(uuid, []):
            self.node(node_id).drop(uuid)
        self.checksums.pop(uuid, None)
        self.pending_repair.discard(uuid)

    def size_of(self, uuid: str) -> int:
        for node_id in self.locations.get(uuid, []):
            node = self.node(node_id)
            if uuid in node.blobs:
                return len(node.blobs[uuid])
        return 0

    # -- failures and repair ----------------------------------------------------------------
    def fail_node(self, node_id: str) -> DataNode:
        """Take a data node down. Reads fail over to replicas at once; after
        :data:`DETECTION_S` simulated seconds the placement service re-replicates its objects."""
        node = self.node(node_id)
        node.up = False
        self.placement.health_changed()
        affected = [u for u, nodes in self.locations.items() if node_id in nodes]
        self.pending_repair.update(affected)
        self.clock.schedule(DETECTION_S, self.repair, name=f"re-replicate after {node_id} failed")
        return node

    def recover_node(self, node_id: str) -> DataNode:
        """Bring a node back (its disk intact); copies it holds count again."""
        node = self.node(node_id)
        node.up = True
        self.placement.health_changed()
        return node

    def repair(self) -> int:
        """Copy every under-replicated object to healthy nodes; returns copies made."""
        made = 0
        for uuid in sorted(self.pending_repair):
            holders = [self.node(n) for n in self.locations.get(uuid, [])]
            healthy = [n for n in holders if n.up]
            if not healthy:
                continue
            source = healthy[0]
            data = source.blobs[uuid]
            keep = list(holders)
            for candidate in self.placement.group(uuid):
                if len([n for n in keep if n.up]) >= REPLICAS:
                    break
                if candidate not in keep:
                    candidate.append(uuid, data)
                    keep.append(candidate)
                    made += 1
            self.locations[uuid] = tuple(n.node_id for n in keep)
        self.pending_repair = {u for u in self.pending_repair
                               if len([n for n in self.locations.get(u, [])
                                       if self.node(n).up]) < REPLICAS}
        return made

    def replicas_of(self, uuid: str) -> list[dict]:
        """Where each copy of ``uuid`` is: node, AZ, status, file and offset."""
        out = []
        for node_id in self.locations.get(uuid, []):
            node = self.node(node_id)
            file, offset, size = node.where(uuid)
            out.append({"node": node_id, "az": node.az, "status": "up" if node.up else "down",
                        "file": file, "offset": offset, "size": size})
        return out

    # -- persistence ------------------------------------------------------------------------
    def dump(self, b64) -> dict:
        return {"nodes": [{"node_id": n.node_id, "az": n.az, "up": n.up, "file_no": n.file_no,
                           "offset": n.offset,
                           "mapping": dict(n.mapping)}
                          for n in self.nodes],
                "checksums": dict(sorted(self.checksums.items())),
                "blobs": {u: b64(self._any_copy(u)) for u in sorted(self.locations)},
                "locations": {u: list(n) for u, n in self.locations.items()},
                "pending_repair": sorted(self.pending_repair)}

    def _any_copy(self, uuid: str) -> bytes:
        for node_id in self.locations[uuid]:
            data = self.node(node_id).blobs.get(uuid)
            if data is not None:
                return data
        return b""

    def restore(self, data: dict, unb64) -> None:
        blobs = {u: unb64(t) for u, t in data["blobs"].items()}
        for saved, node in zip(data["nodes"], self.nodes):
            node.up, node.file_no, node.offset = saved["up"], saved["file_no"], saved["offset"]
            node.current_file = f"/data/{node.node_id}/{node.file_no:06d}"
            self.placement.health_changed()
            node.mapping = dict(saved["mapping"])
            node.blobs = {u: blobs[u] for u in node.mapping}
        self.locations = {u: tuple(n) for u, n in data["locations"].items()}
        self.checksums = dict(data["checksums"])
        self.pending_repair = set(data["pending_repair"])
        if self.pending_repair:
            self.clock.schedule(0, self.repair, name="re-replicate (restored)")
