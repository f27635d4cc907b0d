"""Component storage: deduplicated, encrypted chunks behind tiered caches (fact A10).

What AWS describes [ATC23][ATC-2nd]: a function's image is stored as encrypted 512 KiB chunks
(see :mod:`.chunks`), deduplicated across all functions; a microVM sees a block device and a
worker-local agent fetches a chunk only when it is read (lazy loading: a container reads ~6.4%
of its image at start). Reads go worker-local cache -> AZ-level distributed cache (erasure coded,
any 4 of 5 pieces) -> S3. Measured: ~67% of chunk reads local, ~32% AZ cache, <0.1% S3; AZ cache
median ~550 us vs ~36 ms from S3. Garbage collection marks chunks from live roots (no
reference counts). The same store serves SnapStart snapshots.

How we model it:

- ``origin`` (S3) stores each distinct chunk once, by name; ``images`` maps a function key to its
  manifest (the GC roots, with SnapStart snapshots);
- every worker host has an LRU local cache and every AZ an LRU AZ cache, sized in bytes
  (``local_cache_gib``, ``az_cache_gib``); a hit or miss is decided by what is really cached:
  a second function sharing a base layer with the first really hits; another host in the same
  AZ finds the chunks in the AZ cache;
- a cold start reads only the chunks it needs: for a container image, its first chunk (the
  filesystem's superblock and tables), the chunks of its top layer when it has several (the
  function's own code, which INIT imports) and every chunk whose name falls in the first ``lazy_fraction`` of the
  hash space (deterministic, ~6.4% of chunks, and the same chunks in every image sharing them);
  a .zip package is read whole (Lambda downloads and unpacks it);
- tiers are read one after the other, ``fetch_parallelism`` chunks at a time; the latency per
  chunk is the tier's (no bandwidth term): a simplification for teaching;
- .zip packages go through the same chunk store here for uniformity; the 2025 talk [T25]
  describes zips fetched from S3 and chunked loading for container images.
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from dataclasses import dataclass, field

from .chunks import Manifest, decrypt, flatten, manifest_id, seal, seal_descriptor

TIERS = ("local", "az", "origin")


class LRUCache:
    """A byte-bounded LRU set of chunk names (the bytes stay in the origin)."""

    def __init__(self, capacity: int):
        self.capacity = int(capacity)
        self.entries: OrderedDict[str, int] = OrderedDict()
        self.used = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def get(self, name: str) -> bool:
        if name in self.entries:
            self.entries.move_to_end(name)
            self.hits += 1
            return True
        self.misses += 1
        return False

    def put(self, name: str, size: int) -> None:
        if name in self.entries:
            self.entries.move_to_end(name)
            return
        if size > self.capacity:
            return
        while self.used + size > self.capacity:
            _, old = self.entries.popitem(last=False)
            self.used -= old
            self.evictions += 1
        self.entries[name] = size
        self.used += size

    def discard(self, name: str) -> None:
        size = self.entries.pop(name, None)
        if size is not None:
            self.used -= size

    def describe(self) -> dict:
        looked = self.hits + self.misses
        return {"chunks": len(self.entries), "bytes": self.used, "capacity": self.capacity,
                "hits": self.hits, "misses": self.misses, "evictions": self.evictions,
                "hit_rate": round(self.hits / looked, 6) if looked else None}

    def dump(self) -> dict:
        return {"capacity": self.capacity, "entries": [[n, s] for n, s in self.entries.items()],
                "hits": self.hits, "misses": self.misses, "evictions": self.evictions}

    @classmethod
    def load(cls, d: dict) -> "LRUCache":
        cache = cls(d["capacity"])
        for name, size in d["entries"]:
            cache.entries[name] = size
            cache.used += size
        cache.hits, cache.misses, cache.evictions = d["hits"], d["misses"], d["evictions"]
        return cache


@dataclass
class Fetch:
    """What one fetch read: the step to record, bytes, chunk counts per tier."""

    step: tuple
    bytes: int
    chunks: int
    counts: dict = field(default_factory=dict)     # tier -> chunks
    ms: float = 0.0

    @property
    def steps(self) -> list:
        return [self.step]

    @property
    def substeps(self) -> list:
        return self.step[3]["substeps"]


class ComponentStorage:
    """One Region's component storage (see the module docstring)."""

    component = "Component storage"

    def __init__(self, model, region: str):
        self.model = model
        self.region = region
        self.origin: dict[str, bytes | None] = {}     # name -> ciphertext (None: descriptor)
        self.sizes: dict[str, int] = {}
        self.images: dict[str, Manifest] = {}         # owner -> manifest (GC roots)
        self.local: dict[str, LRUCache] = {}          # host id -> cache
        self.az: dict[str, LRUCache] = {}             # AZ -> cache
        self.reads = {t: 0 for t in TIERS}

    @property
    def default_salt(self) -> str:
        """The dedup domain when none is given: the Region (a teaching choice; the salt may
        vary by time, Region or tenant [PAT-329])."""
        return f"lambda:{self.region}"

    # -- writing -----------------------------------------------------------------------------------
    def register_image(self, function_key: str, code, *, kind: str | None = None,
                       salt: str | None = None) -> tuple[Manifest, dict]:
        """Chunk, encrypt and store a function's code; ``code`` is .zip bytes or a list of
        container-image layers (bytes). Returns (manifest, dedup stats of this image)."""
        if isinstance(code, (bytes, bytearray, memoryview)):
            layers, kind = [bytes(code)], kind or "zip"
        elif isinstance(code, (list, tuple)) and all(isinstance(x, (bytes, bytearray)) for x in code):
            layers, kind = [bytes(x) for x in code], kind or "image"
        else:
            raise TypeError("code must be .zip bytes or a list of image layers (bytes)")
        if kind not in ("zip", "image"):
            raise ValueError("kind must be 'zip' or 'image'")
        salt = self.default_salt if salt is None else str(salt)
        sealed = [seal(data, salt, layer) for layer, data in flatten(layers, self.model.chunk_bytes)]
        return self._store(function_key, kind, salt, sealed, [len(x) for x in layers])

    def register_descriptors(self, owner: str, descriptors: list[tuple[str, int]], *,
                             salt: str | None = None, kind: str = "snapshot",
                             extra: Manifest | None = None) -> tuple[Manifest, dict]:
        """Store chunks known by descriptors (SnapStart snapshots; see :mod:`.chunks`), followed
        by the (already stored) chunks of ``extra`` (a snapshot's disk: the code image)."""
        salt = self.default_salt if salt is None else str(salt)
        sealed = [seal_descriptor(d, size, salt) for d, size in descriptors]
        layers = [sum(s for _, s in descriptors)]
        tail = []
        if extra is not None:
            tail = [[c[0], c[1], c[2], 1] for c in extra.chunks]
            layers.append(extra.logical_bytes)
        return self._store(owner, kind, salt, sealed, layers, tail)

    def _store(self, owner, kind, salt, sealed, layers, tail=()) -> tuple[Manifest, dict]:
        chunks = [[c.name, c.key.hex(), c.size, c.layer] for c in sealed] + list(tail)
        manifest = Manifest(manifest_id(chunks), owner, kind, salt, chunks, layers)
        new_chunks = new_bytes = 0
        seen = set()
        for c in sealed:
            if c.name not in self.origin and c.name not in seen:
                new_chunks += 1
                new_bytes += c.size
                self.origin[c.name] = c.ciphertext
                self.sizes[c.name] = c.size
            seen.add(c.name)
        seen.update(c[0] for c in tail)
        self.images[owner] = manifest
        return manifest, {"chunks": len(chunks), "distinct_chunks": len(seen),
                          "new_chunks": new_chunks, "already_stored_chunks": len(seen) - new_chunks,
                          "logical_bytes": manifest.logical_bytes, "new_bytes": new_bytes,
                          "manifest_id": manifest.manifest_id}

    def drop(self, owner: str) -> None:
        """Forget an image's root (function deleted); its chunks go at the next GC."""
        self.images.pop(owner, None)

    def garbage_collect(self) -> int:
        """Mark every chunk reachable from a live manifest, sweep the rest; returns chunks freed."""
        live = {c[0] for m in self.images.values() for c in m.chunks}
        dead = [n for n in self.origin if n not in live]
        for name in dead:
            del self.origin[name]
            del self.sizes[name]
            for cache in (*self.local.values(), *self.az.values()):
                cache.discard(name)
        return len(dead)

    def read(self, manifest: Manifest) -> bytes:
        """The plaintext of a (byte-backed) image, decrypted chunk by chunk with the manifest keys."""
        out = []
        for name, key, _, _ in manifest.chunks:
            data = self.origin[name]
            if data is None:
                raise ValueError("descriptor chunks have no bytes to read")
            out.append(decrypt(bytes.fromhex(key), data))
        return b"".join(out)

    # -- reading through the caches ------------------------------------------------------------------
    def _local(self, host_id: str) -> LRUCache:
        cache = self.local.get(host_id)
        if cache is None:
            cache = self.local[host_id] = LRUCache(self.model.local_cache_gib * 1024 ** 3)
        return cache

    def _az(self, az: str) -> LRUCache:
        cache = self.az.get(az)
        if cache is None:
            cache = self.az[az] = LRUCache(self.model.az_cache_gib * 1024 ** 3)
        return cache

    def needed(self, manifest: Manifest) -> list:
        """The chunks a cold start reads (see the module docstring)."""
        if manifest.kind == "zip":
            return list(manifest.chunks)
        fraction = self.model.snapshot_read_fraction if manifest.kind == "snapshot" \
            else self.model.lazy_fraction
        cut = int(fraction * 2 ** 32)
        top = manifest.chunks[-1][3] if manifest.kind == "image" and len(manifest.layers) > 1 \
            else None
        return [c for i, c in enumerate(manifest.chunks)
                if i == 0 or c[3] == top or int(c[0][:8], 16) < cut]

    def fetch(self, manifest: Manifest, host_id: str, az: str, what: str = "code") -> Fetch:
        """Read the chunks a cold start needs onto ``host_id``: one "Component storage" step
        whose detail's ``substeps`` are the manifest read and the three tiers (with counts)."""
        model = self.model
        local, azc = self._local(host_id), self._az(az)
        counts = {t: 0 for t in TIERS}
        sizes = {t: 0 for t in TIERS}
        needed = self.needed(manifest)
        seen = set()
        for name, _, size, _ in needed:
            if name in seen:          # the same chunk twice in one image is read once
                continue
            seen.add(name)
            if local.get(name):
                tier = "local"
            elif azc.get(name):
                tier = "az"
                local.put(name, size)
            else:
                tier = "origin"
                azc.put(name, size)
                local.put(name, size)
            counts[tier] += 1
            sizes[tier] += size
            self.reads[tier] += 1
        lazy = manifest.kind != "zip"
        subs = [(self.component, f"Read manifest {manifest.manifest_id[7:19]}: "
                 f"{len(manifest.chunks)} chunks" + (f", {len(seen)} needed now (lazy loading)"
                                                     if lazy else ", all needed (.zip)"),
                 model.manifest_ms, {"manifest_id": manifest.manifest_id,
                                     "chunks": len(manifest.chunks), "needed": len(seen)}),
                (self.component, f"Worker-local cache on {host_id}: {counts['local']} hits",
                 model.tiers_ms(counts["local"], model.local_cache_ms),
                 {"tier": "local", "chunks": counts["local"], "bytes": sizes["local"]}),
                (self.component, f"AZ cache ({az}, erasure-coded, any 4 of 5 pieces): "
                 f"{counts['az']} hits", model.tiers_ms(counts["az"], model.az_cache_ms),
                 {"tier": "az", "chunks": counts["az"], "bytes": sizes["az"]}),
                (self.component, f"S3 origin: {counts['origin']} chunk"
                 + ("" if counts["origin"] == 1 else "s"),
                 model.tiers_ms(counts["origin"], model.origin_ms),
                 {"tier": "origin", "chunks": counts["origin"], "bytes": sizes["origin"]})]
        ms = round(sum(s[2] for s in subs), 3)
        total = sum(sizes.values())
        step = (self.component,
                f"Fetch {what}: {len(seen)} of {len(manifest.chunks)} chunks ({total:,} bytes): "
                f"{counts['local']} worker cache, {counts['az']} AZ cache, {counts['origin']} S3; "
                f"decrypt with the manifest keys", ms,
                {"manifest_id": manifest.manifest_id, "kind": manifest.kind, "host_id": host_id,
                 "az": az, "counts": dict(counts), "bytes": total, "substeps": subs})
        return Fetch(step, total, len(seen), counts, ms)

    def warm(self, manifest: Manifest, azs: list[str]) -> None:
        """Put every chunk of ``manifest`` in the AZ caches of ``azs`` (SnapStart caches its
        snapshots ahead of restores [D-snap])."""
        for az in azs:
            cache = self._az(az)
            for name, _, size, _ in manifest.chunks:
                cache.put(name, size)

    # -- statistics --------------------------------------------------------------------------------
    def dedup(self) -> dict:
        """Overall: logical bytes of every live manifest vs distinct bytes stored."""
        logical = sum(m.logical_bytes for m in self.images.values())
        stored = sum(self.sizes.values())
        return {"manifests": len(self.images), "logical_bytes": logical, "stored_bytes": stored,
                "chunks_stored": len(self.origin),
                "ratio": round(logical / stored, 6) if stored else None,
                "saved_bytes": logical - stored}

    def dedup_of(self, owner: str) -> dict:
        """One image: bytes it shares with other images vs bytes only it references."""
        manifest = self.images[owner]
        others = {c[0] for o, m in self.images.items() if o != owner for c in m.chunks}
        distinct = {c[0]: c[2] for c in manifest.chunks}
        shared = sum(s for n, s in distinct.items() if n in others)
        unique = sum(s for n, s in distinct.items() if n not in others)
        return {"owner": owner, "kind": manifest.kind, "chunks": len(manifest.chunks),
                "logical_bytes": manifest.logical_bytes, "shared_bytes": shared,
                "unique_bytes": unique,
                "unique_fraction": round(unique / manifest.logical_bytes, 6)
                if manifest.logical_bytes else None}

    def describe(self) -> dict:
        looked = sum(self.reads.values())
        return {"dedup": self.dedup(),
                "images": {o: {"kind": m.kind, "manifest_id": m.manifest_id,
                               "chunks": len(m.chunks), "logical_bytes": m.logical_bytes}
                           for o, m in sorted(self.images.items())},
                "reads": dict(self.reads),
                "read_share": {t: round(n / looked, 6) for t, n in self.reads.items()}
                if looked else None,
                "local_caches": {h: c.describe() for h, c in sorted(self.local.items())},
                "az_caches": {a: c.describe() for a, c in sorted(self.az.items())}}

    # -- persistence ---------------------------------------------------------------------------------
    def dump(self) -> dict:
        return {"origin": {n: (base64.b64encode(d).decode() if d is not None else None)
                           for n, d in sorted(self.origin.items())},
                "sizes": dict(sorted(self.sizes.items())),
                "images": {o: m.to_dict() for o, m in sorted(self.images.items())},
                "local": {h: c.dump() for h, c in sorted(self.local.items())},
                "az": {a: c.dump() for a, c in sorted(self.az.items())},
                "reads": dict(self.reads)}

    def restore(self, data: dict) -> None:
        self.origin = {n: (base64.b64decode(d) if d is not None else None)
                       for n, d in data["origin"].items()}
        self.sizes = dict(data["sizes"])
        self.images = {o: Manifest.from_dict(m) for o, m in data["images"].items()}
        self.local = {h: LRUCache.load(c) for h, c in data["local"].items()}
        self.az = {a: LRUCache.load(c) for a, c in data["az"].items()}
        self.reads = dict(data["reads"])
