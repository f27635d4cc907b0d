"""The metadata DB: a real SQLite database holding every bucket and object version.

In the S3-like object store design (``shared/facts/s3.md`` part C) metadata lives apart from
data: a small ``bucket`` table and a large ``object`` table whose rows point at the data
store by the object's UUID (``object_id``). Metadata is mutable (tags, the latest-version
flag); data is immutable (a new version gets a new UUID).

``cloud.s3.metadata_db`` is the ``sqlite3.Connection`` itself, so a student can query it::

    pandas.read_sql("SELECT object_name, size, object_id FROM object", cloud.s3.metadata_db)

What we simplify: the book shards the object table by ``hash(bucket_name, object_name)``;
here it is one table (SQLite's binary collation gives S3's UTF-8 key order for listing).
Multipart uploads in progress and their parts have tables of their own.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE bucket (
    bucket_id      INTEGER PRIMARY KEY,
    bucket_name    TEXT NOT NULL UNIQUE,
    owner_account  TEXT NOT NULL,
    region         TEXT NOT NULL,
    created        TEXT NOT NULL,          -- ISO 8601 UTC
    versioning     TEXT                    -- NULL (never enabled), 'Enabled' or 'Suspended'
);
CREATE TABLE object (
    object_id        TEXT PRIMARY KEY,     -- UUID returned by the data store
    bucket_id        INTEGER NOT NULL REFERENCES bucket (bucket_id),
    bucket_name      TEXT NOT NULL,
    object_name      TEXT NOT NULL,
    version_id       TEXT NOT NULL,        -- 'null' unless written with versioning enabled
    seq              INTEGER NOT NULL,     -- write order: the newest version has the largest
    is_latest        INTEGER NOT NULL,
    is_delete_marker INTEGER NOT NULL,
    size             INTEGER NOT NULL,
    etag             TEXT,                 -- quoted, as S3 returns it
    storage_class    TEXT NOT NULL,
    last_modified    TEXT NOT NULL,        -- ISO 8601 UTC
    lm               REAL NOT NULL,        -- the same instant, seconds on the simulated clock
    content_type     TEXT,
    metadata         TEXT,                 -- user metadata (x-amz-meta-*), JSON
    headers          TEXT,                 -- stored HTTP headers (Cache-Control, ...), JSON
    tags             TEXT,                 -- object tags, JSON list of {Key, Value}
    parts_count      INTEGER,              -- set for objects made by multipart upload
    checksum         TEXT,                 -- MD5 the data store verifies on every read
    owner_account    TEXT NOT NULL,
    transitioned     REAL,                 -- when it entered its storage class (lifecycle)
    part_sizes       TEXT                  -- multipart objects: JSON list of the part sizes
);
CREATE UNIQUE INDEX object_version ON object (bucket_id, object_name, version_id);
CREATE INDEX object_listing ON object (bucket_id, is_latest, object_name);
CREATE TABLE multipart_upload (
    upload_id      TEXT PRIMARY KEY,
    bucket_id      INTEGER NOT NULL REFERENCES bucket (bucket_id),
    bucket_name    TEXT NOT NULL,
    object_name    TEXT NOT NULL,
    initiated      TEXT NOT NULL,
    initiated_s    REAL NOT NULL,
    storage_class  TEXT NOT NULL,
    content_type   TEXT,
    metadata       TEXT,
    headers        TEXT,
    tags           TEXT,
    owner_account  TEXT NOT NULL,
    initiator_arn  TEXT NOT NULL
);
CREATE TABLE part (
    upload_id      TEXT NOT NULL REFERENCES multipart_upload (upload_id),
    part_number    INTEGER NOT NULL,
    object_id      TEXT NOT NULL,          -- the part's bytes in the data store
    size           INTEGER NOT NULL,
    etag           TEXT NOT NULL,
    last_modified  TEXT NOT NULL,
    lm             REAL NOT NULL,
    checksum       TEXT,
    PRIMARY KEY (upload_id, part_number)
);
"""

TABLES = ("bucket", "object", "multipart_upload", "part")

#: columns of the ``object`` table, in order (rows are plain tuples in this order)
OBJECT_COLUMNS = ("object_id", "bucket_id", "bucket_name", "object_name", "version_id", "seq",
                  "is_latest", "is_delete_marker", "size", "etag", "storage_class",
                  "last_modified", "lm", "content_type", "metadata", "headers", "tags",
                  "parts_count", "checksum", "owner_account", "transitioned", "part_sizes")
COL = {name: i for i, name in enumerate(OBJECT_COLUMNS)}
_SELECT_OBJECT = "SELECT " + ", ".join(OBJECT_COLUMNS) + " FROM object"
_INSERT_OBJECT = (f"INSERT INTO object ({', '.join(OBJECT_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * len(OBJECT_COLUMNS))})")


def connect() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    db.executescript(SCHEMA)
    return db


class MetadataDB:
    """The queries the API service runs against the metadata database."""

    def __init__(self):
        self.db = connect()
        self.seq = 0

    @contextmanager
    def transaction(self):
        """Several statements as one: all of them or none (nothing is lost on error)."""
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- buckets ----------------------------------------------------------------------------
    def insert_bucket(self, name: str, owner: str, region: str, created: str) -> int:
        cur = self.db.execute(
            "INSERT INTO bucket (bucket_name, owner_account, region, created) VALUES (?, ?, ?, ?)",
            (name, owner, region, created))
        return cur.lastrowid

    def delete_bucket(self, bucket_id: int) -> None:
        self.db.execute("DELETE FROM bucket WHERE bucket_id = ?", (bucket_id,))

    def set_versioning(self, bucket_id: int, status: str) -> None:
        self.db.execute("UPDATE bucket SET versioning = ? WHERE bucket_id = ?", (status, bucket_id))

    def bucket_has_versions(self, bucket_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM object WHERE bucket_id = ? LIMIT 1",
                               (bucket_id,)).fetchone() is not None

    # -- object versions --------------------------------------------------------------------
    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def insert_object(self, row: tuple) -> None:
        self.db.execute(_INSERT_OBJECT, row)

    def try_insert_object(self, row: tuple) -> bool:
        """Insert a version unless its (bucket, key, version id) exists; False if it does."""
        try:
            self.db.execute(_INSERT_OBJECT, row)
        except sqlite3.IntegrityError:
            return False
        return True

    def latest(self, bucket_id: int, key: str) -> tuple | None:
        return self.db.execute(_SELECT_OBJECT + " WHERE bucket_id = ? AND object_name = ? "
                               "AND is_latest = 1", (bucket_id, key)).fetchone()

    def version(self, bucket_id: int, key: str, version_id: str) -> tuple | None:
        return self.db.execute(_SELECT_OBJECT + " WHERE bucket_id = ? AND object_name = ? "
                               "AND version_id = ?", (bucket_id, key, version_id)).fetchone()

    def versions_of(self, bucket_id: int, key: str) -> list[tuple]:
        """Every version of one key, newest first."""
        return self.db.execute(_SELECT_OBJECT + " WHERE bucket_id = ? AND object_name = ? "
                               "ORDER BY seq DESC", (bucket_id, key)).fetchall()

    def clear_latest(self, bucket_id: int, key: str) -> None:
        self.db.execute("UPDATE object SET is_latest = 0 WHERE bucket_id = ? AND object_name = ? "
                        "AND is_latest = 1", (bucket_id, key))

    def remove_version(self, bucket_id: int, key: str, version_id: str) -> None:
        self.db.execute("DELETE FROM object WHERE bucket_id = ? AND object_name = ? "
                        "AND version_id = ?", (bucket_id, key, version_id))

    def promote_newest(self, bucket_id: int, key: str) -> None:
        """After the latest version is removed, the newest remaining one becomes latest."""
        self.db.execute(
            "UPDATE object SET is_latest = 1 WHERE object_id = (SELECT object_id FROM object "
            "WHERE bucket_id = ? AND object_name = ? ORDER BY seq DESC LIMIT 1)", (bucket_id, key))

    def update_object(self, object_id: str, **columns) -> None:
        sets = ", ".join(f"{name} = ?" for name in columns)
        self.db.execute(f"UPDATE object SET {sets} WHERE object_id = ?",
                        (*columns.values(), object_id))

    def latest_after(self, bucket_id: int, start: str, inclusive: bool, limit: int) -> list[tuple]:
        """Current (latest) versions in key order from ``start``, delete markers included."""
        op = ">=" if inclusive else ">"
        return self.db.execute(
            _SELECT_OBJECT + f" WHERE bucket_id = ? AND is_latest = 1 AND object_name {op} ? "
            "ORDER BY object_name LIMIT ?", (bucket_id, start, limit)).fetchall()

    def versions_after(self, bucket_id: int, start: str, inclusive: bool, limit: int) -> list[tuple]:
        """All versions in (key, newest first) order from ``start``."""
        op = ">=" if inclusive else ">"
        return self.db.execute(
            _SELECT_OBJECT + f" WHERE bucket_id = ? AND object_name {op} ? "
            "ORDER BY object_name, seq DESC LIMIT ?", (bucket_id, start, limit)).fetchall()

    def all_versions(self, bucket_id: int | None = None) -> list[tuple]:
        if bucket_id is None:
            return self.db.execute(_SELECT_OBJECT + " ORDER BY seq").fetchall()
        return self.db.execute(_SELECT_OBJECT + " WHERE bucket_id = ? ORDER BY seq",
                               (bucket_id,)).fetchall()

    # -- persistence ------------------------------------------------------------------------
    def dump(self) -> dict:
        out = {"seq": self.seq}
        for table in TABLES:
            cur = self.db.execute(f"SELECT * FROM {table} ORDER BY rowid")
            out[table] = {"columns": [d[0] for d in cur.description],
                          "rows": [list(r) for r in cur.fetchall()]}
        return out

    def restore(self, data: dict) -> None:
        self.db.close()
        self.db = connect()
        self.seq = data["seq"]
        with self.transaction():
            for table in TABLES:
                columns = data[table]["columns"]
                sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
                       f"VALUES ({', '.join('?' * len(columns))})")
                self.db.executemany(sql, data[table]["rows"])
