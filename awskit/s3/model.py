"""S3's simulation: buckets, object versions, and the paths a request takes through the
API service, the metadata DB and the data store.

The upload process (``shared/facts/s3.md`` part C), as the traces show it:

1. ``PUT /bucket`` reaches the **API service**;
2. **IAM** authenticates the caller and authorizes ``s3:CreateBucket``;
3. the bucket's row goes into the **metadata DB**;
4. ``PUT /bucket/key`` reaches the API service;
5. IAM verifies identity and WRITE permission (``s3:PutObject``);
6. the **data store** persists the bytes on a replication group and returns a UUID;
7. the object's row (``object_id`` = that UUID) goes into the metadata DB.

Versioning follows S3 (``shared/facts/s3.md`` B5): unversioned buckets keep one ``null``
version per key; enabled buckets add a version per write and a delete marker per delete;
suspended buckets write ``null`` versions that replace the previous ``null`` one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .. import errors
from ..clock import iso8601
from .datastore import DataStore, DataUnavailable
from .metadata import COL, MetadataDB

#: simulated latencies of the metadata DB (ms)
META_WRITE_MS = 2.0
META_READ_MS = 1.0

# Object row column indexes, for readability
OID, BNAME, KEY, VID, SEQ = COL["object_id"], COL["bucket_name"], COL["object_name"], \
    COL["version_id"], COL["seq"]
LATEST, DM, SIZE, ETAG, SCLASS = COL["is_latest"], COL["is_delete_marker"], COL["size"], \
    COL["etag"], COL["storage_class"]
LM, CTYPE, META, HEADERS, TAGS = COL["lm"], COL["content_type"], COL["metadata"], \
    COL["headers"], COL["tags"]
PARTS, OWNER, PART_SIZES = COL["parts_count"], COL["owner_account"], COL["part_sizes"]

DEFAULT_PUBLIC_ACCESS_BLOCK = {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                               "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
DEFAULT_ENCRYPTION = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                                 "BucketKeyEnabled": False}]}


@dataclass
class Bucket:
    """A bucket's configuration (its row in the metadata DB holds name, owner, Region)."""

    name: str
    bucket_id: int
    owner: str
    region: str
    created: float
    versioning: str | None = None        # None (never enabled), "Enabled", "Suspended"
    mfa_delete: str | None = None        # None (never configured), "Enabled", "Disabled"
    policy: object = None                # awskit.iam.policy.Policy (kind "resource")
    public_access_block: dict | None = field(default_factory=lambda: dict(DEFAULT_PUBLIC_ACCESS_BLOCK))
    ownership: str = "BucketOwnerEnforced"
    encryption: dict = field(default_factory=lambda: json.loads(json.dumps(DEFAULT_ENCRYPTION)))
    lifecycle: dict | None = None        # {"Rules": [...], ...} as PutBucketLifecycleConfiguration gives it
    tags: list | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:::{self.name}"

    @property
    def ever_versioned(self) -> bool:
        return self.versioning is not None


def quote_etag(md5_hex: str) -> str:
    return f'"{md5_hex}"'


def multipart_etag(part_md5s: list[bytes]) -> str:
    """MD5 of the concatenated binary part MD5s, then ``-<part count>`` (B3)."""
    return quote_etag(hashlib.md5(b"".join(part_md5s)).hexdigest() + f"-{len(part_md5s)}")


class S3Model:
    """State and internals of S3; mixed into the S3 service class."""

    def _init_model(self) -> None:
        self.meta = MetadataDB()
        self.buckets: dict[str, Bucket] = {}
        self.data_stores: dict[str, DataStore] = {}

    # -- what a student looks at ------------------------------------------------------------
    @property
    def metadata_db(self):
        """The metadata DB: a ``sqlite3.Connection`` (tables bucket, object, multipart_upload, part)."""
        return self.meta.db

    @property
    def data_store(self) -> DataStore:
        """The data store of the cloud's default Region."""
        return self.store_for(self.cloud.default_region)

    def store_for(self, region: str) -> DataStore:
        store = self.data_stores.get(region)
        if store is None:
            store = self.data_stores[region] = DataStore(self.cloud.regions[region], self.cloud.clock)
        return store

    def canonical_id(self, account: str) -> str:
        """The account's S3 canonical user id (64 hex characters, stable per account)."""
        return hashlib.sha256(f"awskit-canonical-user:{account}".encode()).hexdigest()

    def owner(self, account: str) -> dict:
        return {"ID": self.canonical_id(account)}

    # -- lookups ----------------------------------------------------------------------------
    def bucket_of(self, name: str) -> Bucket:
        bucket = self.buckets.get(name)
        if bucket is None:
            raise errors.NoSuchBucket(BucketName=name)
        return bucket

    def current(self, bucket: Bucket, key: str, version_id: str | None = None):
        """The row of the latest version of ``key`` (or of ``version_id``), or None."""
        if version_id is None:
            return self.meta.latest(bucket.bucket_id, key)
        return self.meta.version(bucket.bucket_id, key, version_id)

    # -- the write path ---------------------------------------------------------------------
    def persist(self, req, bucket: Bucket, data: bytes, md5_hex: str | None = None) -> str:
        """Step 6: the data store persists the bytes and returns the object's UUID."""
        store = self.store_for(bucket.region)
        uuid = self.cloud.ids.uuid("s3-object")
        try:
            nodes, subs = store.put(uuid, data, md5_hex)
        except DataUnavailable as exc:
            raise errors.InternalError() from exc
        req.step("Data store", f"Persist {len(data)} bytes on {len(nodes)} nodes; "
                 f"return UUID {uuid}", substeps=subs, uuid=uuid, replicas=list(nodes), size=len(data))
        return uuid

    def record_version(self, req, bucket: Bucket, key: str, uuid: str, size: int, etag: str | None,
                       *, storage_class: str = "STANDARD", content_type: str | None = None,
                       metadata: dict | None = None, headers: dict | None = None,
                       tags: list | None = None, parts_count: int | None = None,
                       part_sizes: list | None = None, delete_marker: bool = False,
                       checksum: str | None = None) -> tuple:
        """Step 7: the new version's row goes into the metadata DB, per the versioning state."""
        meta = self.meta
        now = float(int(self.cloud.clock.elapsed))
        status = bucket.versioning
        version_id = self.cloud.ids.version_id() if status == "Enabled" else "null"
        row = (uuid, bucket.bucket_id, bucket.name, key, version_id, meta.next_seq(), 1,
               1 if delete_marker else 0, size, etag, storage_class, iso8601(now), now,
               content_type, json.dumps(metadata) if metadata else None,
               json.dumps(headers) if headers else None, json.dumps(tags) if tags else None,
               parts_count, checksum, bucket.owner, now,
               json.dumps(part_sizes) if part_sizes else None)
        replaced = None
        bid = bucket.bucket_id
        if status == "Enabled":
            with meta.transaction():
                meta.clear_latest(bid, key)
                meta.insert_object(row)
        elif status is None and meta.try_insert_object(row):
            pass    # a new key in an unversioned bucket: one INSERT is all it takes
        else:
            replaced = meta.version(bid, key, "null")
            with meta.transaction():
                if replaced is not None:
                    meta.remove_version(bid, key, "null")
                meta.clear_latest(bid, key)
                meta.insert_object(row)
        what = "delete marker" if delete_marker else "object"
        req.step("Metadata DB", f"Insert {what} row {bucket.name}/{key} (version {version_id}) "
                 f"→ object_id {uuid}", META_WRITE_MS, table="object", object_id=uuid,
                 version_id=version_id)
        if replaced is not None:
            self.discard(replaced)
        if not delete_marker:
            self.storage_changed(bucket, storage_class, size, +1)
        return row

    def discard(self, row: tuple) -> None:
        """Free a removed version's bytes in the data store and stop billing its storage."""
        bucket = self.buckets.get(row[BNAME])
        if bucket is not None:
            self.store_for(bucket.region).delete(row[OID])
            if not row[DM]:
                self.storage_changed(bucket, row[SCLASS], row[SIZE], -1, row=row)

    def storage_changed(self, bucket: Bucket, storage_class: str, size: int, sign: int,
                        row: tuple | None = None) -> None:
        """Hook for storage metering (see pricing); called on every add and removal."""
        self.pricing.change(bucket.owner, bucket.region, storage_class, size, sign, row=row)

    # -- the read path ----------------------------------------------------------------------
    def lookup(self, req, bucket: Bucket, key: str, version_id: str | None):
        row = self.current(bucket, key, version_id)
        if row is None:
            found = "not found"
        elif row[DM]:
            found = f"delete marker (version {row[VID]})"
        else:
            found = f"object_id {row[OID]}"
        req.step("Metadata DB", f"Look up {bucket.name}/{key}"
                 + (f" version {version_id}" if version_id else "") + f": {found}",
                 META_READ_MS, table="object", object_id=row[OID] if row else None)
        return row

    def read(self, req, bucket: Bucket, row: tuple) -> bytes:
        """Fetch a version's bytes from the data store by UUID (failing over to replicas)."""
        store = self.store_for(bucket.region)
        uuid = row[OID]
        try:
            data, subs = store.get(uuid)
        except DataUnavailable as exc:
            req.step("Data store", f"No healthy copy of {uuid}", 1.0, uuid=uuid)
            raise errors.InternalError() from exc
        served_by = subs[-1][3].get("node")
        req.step("Data store", f"Read {len(data):,} bytes of UUID {uuid} from {served_by}",
                 substeps=subs, uuid=uuid, node=served_by)
        return data

    def drop_upload(self, bucket: Bucket, upload_id: str) -> None:
        """Forget a multipart upload, free its parts' bytes and stop billing their storage."""
        store = self.store_for(bucket.region)
        found = self.meta.db.execute("SELECT storage_class FROM multipart_upload "
                                     "WHERE upload_id = ?", (upload_id,)).fetchone()
        for object_id, size in self.meta.db.execute(
                "SELECT object_id, size FROM part WHERE upload_id = ?", (upload_id,)).fetchall():
            store.delete(object_id)
            if found is not None:
                self.storage_changed(bucket, found[0], size, -1)
        self.meta.db.execute("DELETE FROM part WHERE upload_id = ?", (upload_id,))
        self.meta.db.execute("DELETE FROM multipart_upload WHERE upload_id = ?", (upload_id,))

    def restore_schedules(self) -> None:
        """Re-create the clock events a loaded cloud implies (lifecycle runs, repairs)."""
        self.restore_lifecycle_schedules()

    # -- listing ----------------------------------------------------------------------------
    def list_current(self, bucket: Bucket, prefix: str, delimiter: str | None, start: str,
                     inclusive: bool, max_keys: int):
        """Walk current versions in key order: (contents rows, common prefixes, truncated, last).

        Keys and common prefixes both count towards ``max_keys``; a common prefix is
        reported once and the walk jumps past every key under it.
        """
        contents, prefixes = [], []
        last = None
        floor = None if inclusive else start   # a page never repeats what came before it
        if start < prefix:
            start, inclusive = prefix, True
        batch = max(16, min(max_keys + 1, 1001))
        while True:
            rows = self.meta.latest_after(bucket.bucket_id, start, inclusive, batch)
            if not rows:
                return contents, prefixes, False, last
            jumped = False
            for row in rows:
                key = row[KEY]
                if not key.startswith(prefix):
                    return contents, prefixes, False, last
                start, inclusive = key, False
                if row[DM]:
                    continue
                if delimiter:
                    cut = key.find(delimiter, len(prefix))
                    if cut >= 0:
                        common = key[:cut + len(delimiter)]
                        if floor is not None and common <= floor:
                            pass          # rolled up on an earlier page
                        elif len(contents) + len(prefixes) >= max_keys:
                            return contents, prefixes, True, last
                        elif not prefixes or prefixes[-1] != common:
                            prefixes.append(common)
                            last = common
                        nxt = _successor(common)
                        if nxt is not None:
                            start, inclusive = nxt, True
                            jumped = True
                            break
                        continue
                if len(contents) + len(prefixes) >= max_keys:
                    return contents, prefixes, True, last
                contents.append(row)
                last = key
            if not jumped and len(rows) < batch:
                return contents, prefixes, False, last


def _successor(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix``."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            nxt = last + 1
            if 0xD800 <= nxt <= 0xDFFF:
                nxt = 0xE000
            return prefix[:-1] + chr(nxt)
        prefix = prefix[:-1]
    return None
