"""Multipart upload: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
AbortMultipartUpload, ListParts, ListMultipartUploads.

How S3 does it (``shared/facts/s3.md`` B2, B3 and part C): initiating an upload returns an
upload id; parts (numbers 1-10,000, 5 MiB-5 GiB each, no minimum for the last) are uploaded
independently and each returns its ETag, the MD5 of the part; re-uploading a part number
replaces the part; the parts are billed until the upload is completed or aborted.
Completing lists the parts (ascending, with their ETags); the object's ETag is the MD5 of the
concatenated binary part MD5s followed by ``-<part count>``; parts uploaded but not listed
are discarded.

Here each part's bytes are persisted in the data store under their own UUID and the part's
row goes into the ``part`` table of the metadata DB; completion has the data store
reassemble the listed parts into one new UUID and free the parts. (The book's design says
reassembly may take minutes; S3 answers CompleteMultipartUpload once it is done, and so do
we, on the simulated clock.)

What we simplify: additional checksums (``x-amz-checksum-*``, ``ChecksumAlgorithm``) are
accepted and ignored, as by PutObject; SSE-C is not simulated; no lifecycle abort rule sets
``AbortDate`` here (the lifecycle module may).
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote

from .. import errors
from ..clock import aws_datetime, iso8601
from ..service import Request, operation
from .copying import CopyOperations
from .datastore import DataUnavailable
from .listing import encoder
from .model import META_READ_MS, META_WRITE_MS, SIZE, VID, multipart_etag, quote_etag
from .names import check_key
from .objects import (check_content_md5, check_metadata, check_storage_class, parse_tagging,
                      read_body)

MIN_PART = 5 * 1024 ** 2          # every part but the last: at least 5 MiB (facts B2)
MAX_PART = 5 * 1024 ** 3          # any part: at most 5 GiB
MAX_PART_NUMBER = 10_000
MAX_LIST = 1000                   # ListParts / ListMultipartUploads page size cap
UPLOAD_COLUMNS = ("upload_id", "bucket_id", "bucket_name", "object_name", "initiated",
                  "initiated_s", "storage_class", "content_type", "metadata", "headers", "tags",
                  "owner_account", "initiator_arn")
_SELECT_UPLOAD = f"SELECT {', '.join(UPLOAD_COLUMNS)} FROM multipart_upload"
_RANGE = re.compile(r"bytes=(\d+)-(\d+)")


def check_part_number(number: int) -> None:
    if not 1 <= number <= MAX_PART_NUMBER:
        raise errors.InvalidArgument("Part number must be an integer between 1 and 10000, "
                                     "inclusive", ArgumentName="partNumber",
                                     ArgumentValue=str(number))


def check_max(value: int | None, name: str) -> int:
    """``max-parts`` / ``max-uploads``: negative is refused, above 1,000 means 1,000."""
    if value is None:
        return MAX_LIST
    if value < 0:
        raise errors.InvalidArgument(f"Argument {name} must be an integer between 0 and "
                                     "2147483647", ArgumentName=name, ArgumentValue=str(value))
    return min(value, MAX_LIST)


def copy_range(spec: str | None, size: int) -> tuple[int, int]:
    """``x-amz-copy-source-range`` (``bytes=first-last``, inclusive) → (first, last)."""
    if spec is None:
        return 0, size - 1
    match = _RANGE.fullmatch(spec.strip())
    if match is None or int(match[1]) > int(match[2]):
        raise errors.InvalidArgument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first "
            "and last are the zero-based offsets of the first and last bytes to copy",
            ArgumentName="x-amz-copy-source-range", ArgumentValue=spec)
    if int(match[2]) >= size:
        raise errors.InvalidArgument(f"Range specified is not valid for source object of size: "
                                     f"{size}", ArgumentName="x-amz-copy-source-range",
                                     ArgumentValue=spec)
    return int(match[1]), int(match[2])


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _plain(etag: str) -> str:
    return etag.strip().strip('"')


class MultipartOperations(CopyOperations):
    """Mixed into ``awskit.s3.api.S3``; brings CopyObject along (``copying.py``), whose copy
    source UploadPartCopy shares."""

    # -- helpers ----------------------------------------------------------------------------
    def _upload(self, req, bucket, key: str, upload_id: str) -> dict:
        """The upload's row (as a dict), or 404 NoSuchUpload (unknown, aborted, completed)."""
        row = self.meta.db.execute(_SELECT_UPLOAD + " WHERE upload_id = ?", (upload_id,)).fetchone()
        found = row is not None and row[1] == bucket.bucket_id and row[3] == key
        req.step("Metadata DB", f"Look up multipart upload {upload_id[:16]}... of {bucket.name}/"
                 f"{key}: {'in progress' if found else 'not found'}", META_READ_MS,
                 table="multipart_upload", upload_id=upload_id)
        if not found:
            raise errors.NoSuchUpload(UploadId=upload_id)
        return dict(zip(UPLOAD_COLUMNS, row))

    def _identity(self, arn: str, account: str) -> dict:
        """Owner/Initiator: an account (root) shows as its canonical id, an IAM identity
        by its ARN (S3 API reference, ListParts ``Initiator``)."""
        if arn == f"arn:aws:iam::{account}:root":
            return self.owner(account)
        return {"ID": arn}

    def _part_etag(self, stored: dict, md5_hex: str) -> str:
        """A part's ETag: its MD5, except under SSE-KMS, where S3's ETags are not (B3)."""
        if stored.get("ServerSideEncryption") == "aws:kms":
            return quote_etag(self.cloud.ids.etag_like())
        return quote_etag(md5_hex)

    def _store_part(self, req, bucket, upload: dict, number: int, data: bytes, etag: str) -> float:
        """Persist a part's bytes under a new UUID and (re)place its row; returns its time."""
        uuid = self.persist(req, bucket, data)
        upload_id = upload["upload_id"]
        old = self.meta.db.execute("SELECT object_id, size FROM part WHERE upload_id = ? AND "
                                   "part_number = ?", (upload_id, number)).fetchone()
        now = round(self.cloud.clock.elapsed, 3)
        self.meta.db.execute(
            "INSERT OR REPLACE INTO part (upload_id, part_number, object_id, size, etag, "
            "last_modified, lm, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
            (upload_id, number, uuid, len(data), etag, iso8601(now), now))
        req.step("Metadata DB", f"{'Replace' if old else 'Insert'} row of part {number} "
                 f"→ object_id {uuid}", META_WRITE_MS, table="part", upload_id=upload_id,
                 part_number=number, object_id=uuid)
        if old is not None:
            self.store_for(bucket.region).delete(old[0])
            self.storage_changed(bucket, upload["storage_class"], old[1], -1)
            req.step("Data store", f"Free the replaced part {number} (UUID {old[0]})", 0.5,
                     uuid=old[0])
        self.storage_changed(bucket, upload["storage_class"], len(data), +1)
        return now

    # -- create, upload ---------------------------------------------------------------------
    @operation
    def create_multipart_upload(self, req: Request, Bucket: str, Key: str, **params):
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        check_key(Key)
        storage_class = check_storage_class(params.get("StorageClass"))
        tags = parse_tagging(params.get("Tagging"))
        keys = {"s3:x-amz-storage-class": storage_class}
        for name, key in (("ServerSideEncryption", "s3:x-amz-server-side-encryption"),
                          ("ACL", "s3:x-amz-acl")):
            if params.get(name) is not None:
                keys[key] = params[name]
        for tag in tags or ():
            keys[f"s3:RequestObjectTag/{tag['Key']}"] = tag["Value"]
        self.authorize(req, "s3:PutObject", bucket, Key, keys)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        self.check_acl(bucket, params.get("ACL"))
        metadata = check_metadata(params.get("Metadata"))
        headers = self.object_params(params)
        upload_id = self.cloud.ids.token("s3-upload", 48)
        now = round(self.cloud.clock.elapsed, 3)
        self.meta.db.execute(
            f"INSERT INTO multipart_upload ({', '.join(UPLOAD_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(UPLOAD_COLUMNS))})",
            (upload_id, bucket.bucket_id, Bucket, Key, iso8601(now), now, storage_class,
             params.get("ContentType") or "binary/octet-stream",
             json.dumps(metadata) if metadata else None,
             json.dumps(headers) if headers else None, json.dumps(tags) if tags else None,
             bucket.owner, req.principal.arn))
        req.step("Metadata DB", f"Insert multipart_upload row for {Bucket}/{Key}: upload id "
                 f"{upload_id[:16]}...", META_WRITE_MS, table="multipart_upload",
                 upload_id=upload_id)
        return {"Bucket": Bucket, "Key": Key, "UploadId": upload_id,
                **self.sse_response(bucket, params)}

    @operation
    def upload_part(self, req: Request, Bucket: str, Key: str, UploadId: str, PartNumber: int,
                    Body=None, **params):
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:PutObject", bucket, Key)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        check_part_number(PartNumber)
        upload = self._upload(req, bucket, Key, UploadId)
        data = read_body(Body)
        if len(data) > MAX_PART:
            raise errors.EntityTooLarge(ProposedSize=str(len(data)), MaxSizeAllowed=str(MAX_PART))
        md5_hex = hashlib.md5(data).hexdigest()
        check_content_md5(data, params.get("ContentMD5"), md5_hex)
        stored = json.loads(upload["headers"]) if upload["headers"] else {}
        etag = self._part_etag(stored, md5_hex)
        self._store_part(req, bucket, upload, PartNumber, data, etag)
        return {**self.sse_response(bucket, stored=stored), "ETag": etag}

    @operation
    def upload_part_copy(self, req: Request, Bucket: str, Key: str, CopySource: str,
                         PartNumber: int, UploadId: str, **params):
        """A part copied from (a byte range of) an existing object: how objects over 5 GB are
        copied (since June 2011, facts B2). The part is at most 5 GiB."""
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:PutObject", bucket, Key)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        check_part_number(PartNumber)
        upload = self._upload(req, bucket, Key, UploadId)
        src, row, _ = self.copy_source(req, CopySource, params)
        first, last = copy_range(params.get("CopySourceRange"), row[SIZE])
        if last - first + 1 > MAX_PART:
            raise errors.InvalidRequest("The specified copy source is larger than the maximum "
                                        f"allowable size for a copy source: {MAX_PART}")
        data = self.read(req, src, row)[first:last + 1]
        stored = json.loads(upload["headers"]) if upload["headers"] else {}
        etag = self._part_etag(stored, hashlib.md5(data).hexdigest())
        when = self._store_part(req, bucket, upload, PartNumber, data, etag)
        out = {"CopyPartResult": {"ETag": etag, "LastModified": aws_datetime(when, "ms")}}
        if src.ever_versioned:
            out["CopySourceVersionId"] = row[VID]
        out.update(self.sse_response(bucket, stored=stored))
        return out

    # -- complete, abort --------------------------------------------------------------------
    @operation
    def complete_multipart_upload(self, req: Request, Bucket: str, Key: str, UploadId: str,
                                  MultipartUpload: dict | None = None, **params):
        """Check the listed parts, reassemble them into one object, free every part.

        Every check comes before any change, so a refused Complete leaves the upload and all
        its parts as they were.
        """
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:PutObject", bucket, Key)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        upload = self._upload(req, bucket, Key, UploadId)
        listed = (MultipartUpload or {}).get("Parts") or []
        if not listed or any(p.get("PartNumber") is None or p.get("ETag") is None
                             for p in listed):
            raise errors.MalformedXML()
        numbers = [p["PartNumber"] for p in listed]
        if any(b <= a for a, b in zip(numbers, numbers[1:])):
            raise errors.InvalidPartOrder(UploadId=UploadId)
        stored = {n: (oid, size, etag) for n, oid, size, etag in self.meta.db.execute(
            "SELECT part_number, object_id, size, etag FROM part WHERE upload_id = ? "
            "ORDER BY part_number", (UploadId,))}
        req.step("Metadata DB", f"Read the upload's part rows ({len(stored)}); check the "
                 f"{_n(len(listed), 'listed part')}", META_READ_MS, table="part",
                 upload_id=UploadId)
        for part in listed:
            have = stored.get(part["PartNumber"])
            if have is None or _plain(have[2]) != _plain(part["ETag"]):
                raise errors.InvalidPart(UploadId=UploadId, PartNumber=str(part["PartNumber"]),
                                         ETag=part["ETag"])
        for part in listed[:-1]:
            size = stored[part["PartNumber"]][1]
            if size < MIN_PART:
                raise errors.EntityTooSmall(ProposedSize=str(size), MinSizeAllowed=str(MIN_PART),
                                            PartNumber=str(part["PartNumber"]),
                                            ETag=part["ETag"])
        self.check_write_conditions(req, bucket, Key, params.get("IfMatch"),
                                    params.get("IfNoneMatch"))
        chosen = [stored[n] for n in numbers]
        uuid, data = self._reassemble(req, bucket, chosen)
        etag = multipart_etag([bytes.fromhex(_plain(e)) for _, _, e in chosen])
        headers = json.loads(upload["headers"]) if upload["headers"] else None
        row = self.record_version(
            req, bucket, Key, uuid, len(data), etag, storage_class=upload["storage_class"],
            content_type=upload["content_type"],
            metadata=json.loads(upload["metadata"]) if upload["metadata"] else None,
            headers=headers, tags=json.loads(upload["tags"]) if upload["tags"] else None,
            parts_count=len(chosen), part_sizes=[size for _, size, _ in chosen])
        self._forget(req, bucket, upload, stored)
        where = "s3" if bucket.region == "us-east-1" else f"s3.{bucket.region}"
        out = {"Location": f"https://{Bucket}.{where}.amazonaws.com/{quote(Key, safe='/')}",
               "Bucket": Bucket, "Key": Key, "ETag": etag}
        out.update(self.sse_response(bucket, stored=headers))
        if bucket.ever_versioned:
            out["VersionId"] = row[VID]
        return out

    def _reassemble(self, req, bucket, parts: list[tuple]) -> tuple[str, bytes]:
        """The data store gathers the parts in order and writes them as one new UUID."""
        store = self.store_for(bucket.region)
        try:
            data = b"".join(store.get(oid)[0] for oid, _, _ in parts)
            uuid = self.cloud.ids.uuid("s3-object")
            nodes, subs = store.put(uuid, data)
        except DataUnavailable as exc:
            req.step("Data store", "A part has no healthy copy: cannot reassemble", 1.0)
            raise errors.InternalError() from exc
        lat = store.latency
        gather = ("Data routing service", f"Read the {len(parts)} parts in part-number order",
                  len(parts) * lat.read_ms + lat.transfer(len(data)),
                  {"parts": [oid for oid, _, _ in parts]})
        req.step("Data store", f"Reassemble {len(parts)} parts ({len(data):,} bytes) into UUID "
                 f"{uuid} on {len(nodes)} nodes", substeps=[gather, *subs], uuid=uuid,
                 replicas=list(nodes), size=len(data), parts=[oid for oid, _, _ in parts])
        return uuid, data

    def _forget(self, req, bucket, upload: dict, stored: dict) -> None:
        """Delete the upload's rows and free the bytes of all its parts (listed or not)."""
        with self.meta.transaction():
            self.drop_upload(bucket, upload["upload_id"])
        req.step("Metadata DB", f"Delete the multipart_upload row and its "
                 f"{_n(len(stored), 'part row')}", META_WRITE_MS, table="multipart_upload",
                 upload_id=upload["upload_id"])
        req.step("Data store", f"Free the bytes of {_n(len(stored), 'part')}", 0.5,
                 uuids=[oid for oid, _, _ in stored.values()])

    @operation
    def abort_multipart_upload(self, req: Request, Bucket: str, Key: str, UploadId: str,
                               **params):
        from .api import check_owner
        from .objects import _seconds
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:AbortMultipartUpload", bucket, Key)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        upload = self._upload(req, bucket, Key, UploadId)
        when = params.get("IfMatchInitiatedTime")
        if when is not None and int(_seconds(when)) != int(upload["initiated_s"]):
            raise errors.PreconditionFailed(Condition="x-amz-if-match-initiated-time")
        stored = {n: (oid, size, etag) for n, oid, size, etag in self.meta.db.execute(
            "SELECT part_number, object_id, size, etag FROM part WHERE upload_id = ?",
            (UploadId,))}
        self._forget(req, bucket, upload, stored)
        req.status = 204
        return {}

    # -- listing ----------------------------------------------------------------------------
    @operation
    def list_parts(self, req: Request, Bucket: str, Key: str, UploadId: str,
                   MaxParts: int | None = None, PartNumberMarker: int | None = None, **params):
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:ListMultipartUploadParts", bucket, Key)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        max_parts = check_max(MaxParts, "max-parts")
        marker = PartNumberMarker or 0
        if marker < 0:
            raise errors.InvalidArgument("Argument part-number-marker must be an integer between "
                                         "0 and 2147483647", ArgumentName="part-number-marker",
                                         ArgumentValue=str(marker))
        upload = self._upload(req, bucket, Key, UploadId)
        rows = self.meta.db.execute(
            "SELECT part_number, lm, etag, size FROM part WHERE upload_id = ? AND part_number > ? "
            "ORDER BY part_number LIMIT ?", (UploadId, marker, max_parts + 1)).fetchall()
        truncated = len(rows) > max_parts
        rows = rows[:max_parts]
        req.step("Metadata DB", f"List parts after {marker}: {len(rows)}"
                 + (" (more follow)" if truncated else ""), META_READ_MS, table="part")
        out = {"Bucket": Bucket, "Key": Key, "UploadId": UploadId, "PartNumberMarker": marker}
        if rows:
            out["NextPartNumberMarker"] = rows[-1][0]
        out.update({"MaxParts": max_parts, "IsTruncated": truncated})
        if rows:
            out["Parts"] = [{"PartNumber": n, "LastModified": aws_datetime(lm, "ms"), "ETag": etag,
                             "Size": size} for n, lm, etag, size in rows]
        out["Initiator"] = self._identity(upload["initiator_arn"], upload["owner_account"])
        out["Owner"] = self.owner(upload["owner_account"])
        out["StorageClass"] = upload["storage_class"]
        return out

    @operation
    def list_multipart_uploads(self, req: Request, Bucket: str, Delimiter: str | None = None,
                               EncodingType: str | None = None, KeyMarker: str | None = None,
                               MaxUploads: int | None = None, Prefix: str | None = None,
                               UploadIdMarker: str | None = None, **params):
        """Uploads in progress in key order (UTF-8 binary), oldest first within a key.

        ``UploadIdMarker`` counts only with ``KeyMarker``: the listing resumes after that
        upload of that key. Keys and common prefixes both count towards ``MaxUploads``.
        """
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:ListBucketMultipartUploads", bucket)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        if EncodingType not in (None, "url"):
            raise errors.InvalidArgument("Invalid Encoding Method specified in Request",
                                         ArgumentName="encoding-type")
        limit = check_max(MaxUploads, "max-uploads")
        prefix = Prefix or ""
        rows = self.meta.db.execute(
            "SELECT upload_id, object_name, initiated_s, storage_class, owner_account, "
            "initiator_arn FROM multipart_upload WHERE bucket_id = ? AND object_name >= ? "
            "ORDER BY object_name, initiated_s, upload_id",
            (bucket.bucket_id, max(prefix, KeyMarker or ""))).fetchall()
        uploads, prefixes, truncated, last = self._page(rows, prefix, Delimiter, KeyMarker,
                                                        UploadIdMarker, limit)
        req.step("Metadata DB", f"List uploads in progress in {Bucket}/{prefix}*: "
                 f"{_n(len(uploads), 'upload')}, "
                 f"{_n(len(prefixes), 'common prefix', 'common prefixes')}", META_READ_MS,
                 table="multipart_upload")
        enc = encoder(EncodingType)
        out = {"Bucket": Bucket, "KeyMarker": enc(KeyMarker or ""),
               "UploadIdMarker": UploadIdMarker or ""}
        if truncated:
            out["NextKeyMarker"] = enc(last[0])
            if last[1]:
                out["NextUploadIdMarker"] = last[1]
        if Prefix is not None:
            out["Prefix"] = enc(Prefix)
        if Delimiter:
            out["Delimiter"] = enc(Delimiter)
        out.update({"MaxUploads": limit, "IsTruncated": truncated})
        if uploads:
            out["Uploads"] = [
                {"UploadId": uid, "Key": enc(key), "Initiated": aws_datetime(at, "ms"),
                 "StorageClass": sclass, "Owner": self.owner(owner),
                 "Initiator": self._identity(initiator, owner)}
                for uid, key, at, sclass, owner, initiator in uploads]
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": enc(p)} for p in prefixes]
        if EncodingType:
            out["EncodingType"] = EncodingType
        return out

    @staticmethod
    def _page(rows, prefix, delimiter, key_marker, upload_marker, limit):
        """One page of uploads and common prefixes; (uploads, prefixes, truncated, last)."""
        skip_to = None
        if key_marker is not None and upload_marker:
            ids = [r[0] for r in rows if r[1] == key_marker]
            skip_to = ids.index(upload_marker) if upload_marker in ids else None
        uploads, prefixes, last, seen = [], [], None, 0
        for row in rows:
            uid, key = row[0], row[1]
            if not key.startswith(prefix):
                if key > prefix:
                    break
                continue
            if key_marker is not None and key == key_marker:
                if not upload_marker:
                    continue
                seen += 1
                if skip_to is not None and seen <= skip_to + 1:
                    continue
                if skip_to is None and uid <= upload_marker:
                    continue
            cut = key.find(delimiter, len(prefix)) if delimiter else -1
            if cut >= 0:
                common = key[:cut + len(delimiter)]
                if (key_marker is not None and common <= key_marker) or \
                        (prefixes and prefixes[-1] == common):
                    continue
                if len(uploads) + len(prefixes) >= limit:
                    return uploads, prefixes, True, last
                prefixes.append(common)
                last = (common, None)
                continue
            if len(uploads) + len(prefixes) >= limit:
                return uploads, prefixes, True, last
            uploads.append(row)
            last = (key, uid)
        return uploads, prefixes, False, last
