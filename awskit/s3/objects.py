"""Object operations: PutObject, GetObject, HeadObject, DeleteObject(s) and listing.

CopyObject is in ``copying.py``, multipart upload in ``multipart.py``.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import hashlib
import json
from datetime import datetime
from io import BytesIO
from urllib.parse import parse_qsl

from botocore.response import StreamingBody
from botocore.utils import parse_to_aware_datetime
from dateutil.tz import tzutc

from .. import errors
from ..clock import aws_datetime
from ..service import Request, operation
from ..clock import EPOCH
from .model import (CTYPE, DM, ETAG, HEADERS, LATEST, LM, META, PART_SIZES, PARTS, SCLASS,
                    SIZE, TAGS, VID, quote_etag)
from .names import check_key

MAX_PUT = 5 * 1024 ** 3          # single PUT limit: 5 GB (facts B2)
MAX_METADATA = 2 * 1024          # user metadata limit (UTF-8 bytes of keys and values)
STORAGE_CLASSES = {"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                   "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"}
ARCHIVED = {"GLACIER", "DEEP_ARCHIVE"}
MAX_DELETE_KEYS = 1000          # DeleteObjects: up to 1,000 keys per request
MFA_REQUIRED = "Mfa Authentication must be used for this request"
errors.define("InvalidPartNumber", 416, "The requested partnumber is not satisfiable")
STORED_HEADERS = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage",
                  "Expires", "WebsiteRedirectLocation")


def read_body(body) -> bytes:
    """The bytes of a boto3 ``Body``: bytes, str, or any file-like object."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    data = body.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def parse_tagging(text: str | None) -> list[dict] | None:
    """``Tagging`` header (URL query form ``k1=v1&k2=v2``) → TagSet, with S3's limits."""
    if not text:
        return None
    pairs = parse_qsl(text, keep_blank_values=True)
    return check_tags([{"Key": k, "Value": v} for k, v in pairs])


def check_tags(tags: list[dict], limit: int = 10, too_many: errors.AWSError | None = None) -> list[dict]:
    """S3 tag limits: at most ``limit`` tags (10 per object, 50 per bucket), keys of 1-128 and
    values of at most 256 characters, unique keys, no ``aws:`` prefix (reserved for AWS)."""
    if len(tags) > limit:
        raise too_many or errors.BadRequest("Object tags cannot be greater than 10")
    seen = set()
    for tag in tags:
        key, value = tag["Key"], tag["Value"]
        if not 1 <= len(key) <= 128:
            raise errors.InvalidTag("The TagKey you have provided is invalid")
        if len(value) > 256:
            raise errors.InvalidTag("The TagValue you have provided is invalid")
        if key.lower().startswith("aws:"):
            raise errors.InvalidTag("System tags cannot be added/updated by requester")
        if key in seen:
            raise errors.InvalidTag("Cannot provide multiple Tags with the same key")
        seen.add(key)
    return [{"Key": t["Key"], "Value": t["Value"]} for t in tags]


def check_metadata(metadata: dict | None) -> dict | None:
    if not metadata:
        return None
    size = sum(len(k.encode()) + len(str(v).encode()) for k, v in metadata.items())
    if size > MAX_METADATA:
        raise errors.MetadataTooLarge(Size=str(size), MaxSizeAllowed=str(MAX_METADATA))
    return {k.lower(): str(v) for k, v in metadata.items()}


def check_storage_class(value: str | None) -> str:
    if value is None:
        return "STANDARD"
    if value not in STORAGE_CLASSES:
        raise errors.InvalidStorageClass(StorageClassRequested=value)
    return value


def check_content_md5(data: bytes, content_md5: str | None, md5_hex: str) -> None:
    if content_md5 is None:
        return
    try:
        given = base64.b64decode(content_md5, validate=True)
    except (binascii.Error, ValueError):
        raise errors.InvalidDigest(**{"Content-MD5": content_md5}) from None
    if len(given) != 16:
        raise errors.InvalidDigest(**{"Content-MD5": content_md5})
    if given.hex() != md5_hex:
        raise errors.BadDigest(ExpectedDigest=given.hex(), CalculatedDigest=md5_hex)


def _etag_matches(condition: str, etag: str | None) -> bool:
    if etag is None:
        return False
    wanted = [c.strip() for c in condition.split(",")]
    return "*" in wanted or etag in wanted or etag.strip('"') in [w.strip('"') for w in wanted]


def _parse_range(spec: str | None, size: int):
    """``bytes=a-b`` → (start, end) inclusive, None when absent or not a single byte range.

    Raises InvalidRange (416) when the range cannot be satisfied.
    """
    if not spec or not spec.startswith("bytes=") or "," in spec:
        return None
    first, _, last = spec[6:].strip().partition("-")
    try:
        if first == "":
            length = int(last)
            if length == 0:
                raise errors.InvalidRange(RangeRequested=spec, ActualObjectSize=str(size))
            return max(0, size - length), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if end < start:
        return None
    if start >= size:
        raise errors.InvalidRange(RangeRequested=spec, ActualObjectSize=str(size))
    return start, min(end, size - 1)


def _part_range(row, part: int, range_spec: str | None):
    """``PartNumber`` on GET/HEAD: the byte range of that part, as the object was uploaded.

    An object not made by multipart upload is one part: part 1 is the whole object (answered
    as a ranged read), any other part number is 416 InvalidPartNumber.
    """
    if not 1 <= part <= 10000:
        raise errors.InvalidArgument("Part number must be an integer between 1 and 10000, "
                                     "inclusive", ArgumentName="partNumber",
                                     ArgumentValue=str(part))
    if range_spec:
        raise errors.InvalidRequest("Cannot specify both Range header and partNumber query "
                                    "parameter")
    sizes = json.loads(row[PART_SIZES]) if row[PART_SIZES] else [row[SIZE]]
    if part > len(sizes):
        raise errors.InvalidPartNumber(PartNumberRequested=str(part),
                                       ActualPartCount=str(len(sizes)))
    start = sum(sizes[:part - 1])
    if sizes[part - 1] == 0:
        return None
    return start, start + sizes[part - 1] - 1


def with_headers(error: errors.AWSError, headers: dict) -> errors.AWSError:
    """Attach the HTTP headers S3 sends along with an error (e.g. ``x-amz-delete-marker``)."""
    error.headers = headers
    return error


class ObjectOperations:
    """PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects. Mixed into ``S3``."""

    # -- write ------------------------------------------------------------------------------
    @operation
    def put_object(self, req: Request, Bucket: str, Key: str, Body=None, **params):
        bucket = self.bucket_of(Bucket)
        check_key(Key)
        storage_class = check_storage_class(params.get("StorageClass"))
        tags = parse_tagging(params.get("Tagging"))
        keys = {"s3:x-amz-storage-class": storage_class}
        sse = params.get("ServerSideEncryption")
        if sse is not None:
            keys["s3:x-amz-server-side-encryption"] = sse
        if params.get("ACL") is not None:
            keys["s3:x-amz-acl"] = params["ACL"]
        if tags:
            for tag in tags:
                keys[f"s3:RequestObjectTag/{tag['Key']}"] = tag["Value"]
        self.authorize(req, "s3:PutObject", bucket, Key, keys)
        self.check_acl(bucket, params.get("ACL"))
        data = read_body(Body)
        if len(data) > MAX_PUT:
            raise errors.EntityTooLarge(ProposedSize=str(len(data)), MaxSizeAllowed=str(MAX_PUT))
        metadata = check_metadata(params.get("Metadata"))
        md5_hex = hashlib.md5(data).hexdigest()
        check_content_md5(data, params.get("ContentMD5"), md5_hex)
        self.check_write_conditions(req, bucket, Key, params.get("IfMatch"), params.get("IfNoneMatch"))
        etag = quote_etag(md5_hex) if sse != "aws:kms" else quote_etag(self.cloud.ids.etag_like())
        uuid = self.persist(req, bucket, data, md5_hex)
        row = self.record_version(req, bucket, Key, uuid, len(data), etag,
                                  storage_class=storage_class,
                                  content_type=params.get("ContentType") or "binary/octet-stream",
                                  metadata=metadata, headers=self.object_params(params), tags=tags)
        return self.write_response(bucket, row, params)

    def object_params(self, params: dict) -> dict | None:
        """The request headers S3 stores with an object (Cache-Control, ..., encryption)."""
        out = {}
        for name in STORED_HEADERS:
            value = params.get(name)
            if value is not None:
                # Expires may come as a datetime, an ISO 8601 string or epoch seconds
                out[name] = parse_to_aware_datetime(value).timestamp() if name == "Expires" \
                    else value
        for name in ("ServerSideEncryption", "SSEKMSKeyId"):
            if params.get(name) is not None:
                out[name] = params[name]
        return out or None

    def write_response(self, bucket, row, params: dict) -> dict:
        out = {"ETag": row[ETAG], **self.sse_response(bucket, params)}
        if bucket.ever_versioned:
            out["VersionId"] = row[VID]
        return out

    def check_write_conditions(self, req, bucket, key, if_match, if_none_match) -> None:
        """Conditional writes (facts B2): If-None-Match: * and If-Match: <etag> → 412."""
        if if_match is None and if_none_match is None:
            return
        row = self.meta.latest(bucket.bucket_id, key)
        exists = row is not None and not row[DM]
        if if_none_match is not None:
            if if_none_match.strip() != "*":
                raise errors.NotImplemented("A header you provided implies functionality that is "
                                            "not implemented", Header="If-None-Match")
            if exists:
                raise errors.PreconditionFailed(Condition="If-None-Match")
        if if_match is not None:
            if not exists:
                raise errors.NoSuchKey(Key=key)
            if not _etag_matches(if_match, row[ETAG]):
                raise errors.PreconditionFailed(Condition="If-Match")

    def check_acl(self, bucket, acl: str | None) -> None:
        if acl is None:
            return
        if bucket.ownership == "BucketOwnerEnforced" \
                and acl != "bucket-owner-full-control":
            raise errors.AccessControlListNotSupported()
        if self.public_acl_blocked(bucket, acl):      # BlockPublicAcls (bucket_config.py)
            raise errors.AccessDenied()

    def sse_response(self, bucket, params: dict | None = None, stored: dict | None = None) -> dict:
        """Encryption headers: SSE-S3 (AES256) by default since 2023-01-05 (facts B9)."""
        sse = (stored or {}).get("ServerSideEncryption") or (params or {}).get("ServerSideEncryption")
        if sse is None:
            rule = bucket.encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]
            sse = rule["SSEAlgorithm"]
        out = {"ServerSideEncryption": sse}
        if sse == "aws:kms":
            key = (stored or {}).get("SSEKMSKeyId") or (params or {}).get("SSEKMSKeyId") or \
                f"arn:aws:kms:{bucket.region}:{bucket.owner}:alias/aws/s3"
            out["SSEKMSKeyId"] = key
        return out

    # -- read -------------------------------------------------------------------------------
    def _resolve_version(self, req, bucket, key: str, version_id: str | None):
        """The row a GET/HEAD addresses, with S3's errors for missing keys and markers."""
        row = self.lookup(req, bucket, key, version_id)
        if row is None:
            if version_id is not None:
                if version_id != "null" and len(version_id) != 32:
                    raise errors.InvalidArgument("Invalid version id specified",
                                                 ArgumentName="versionId", ArgumentValue=version_id)
                raise errors.NoSuchVersion(Key=key, VersionId=version_id)
            self.missing_key(req, bucket, key)
        if row[DM]:
            headers = {"x-amz-delete-marker": "true", "x-amz-version-id": row[VID]}
            if version_id is not None:
                headers["last-modified"] = self.http_date(row[LM])
                raise with_headers(errors.MethodNotAllowed(
                    Method=req.op.http["method"], ResourceType="DeleteMarker"), headers)
            raise with_headers(errors.NoSuchKey(Key=key), headers)
        return row

    def http_date(self, elapsed: float) -> str:
        return email.utils.format_datetime(self.cloud.clock.at(int(elapsed)), usegmt=True)

    def missing_key(self, req, bucket, key: str):
        """NoSuchKey if the caller may list the bucket, else AccessDenied (facts B8)."""
        if self.allowed(req, "s3:ListBucket", bucket):
            raise errors.NoSuchKey(Key=key)
        req.step("IAM", "The caller lacks s3:ListBucket, so a missing key is reported as "
                 "AccessDenied (it must not learn what exists)", self.iam_ms,
                 action="s3:ListBucket", decision="implicitDeny")
        raise errors.AccessDenied()

    def _check_read_conditions(self, params: dict, row) -> None:
        """If-Match / If-Unmodified-Since → 412; If-None-Match / If-Modified-Since → 304."""
        etag, modified = row[ETAG], row[LM]
        if_match = params.get("IfMatch")
        if if_match is not None:
            if not _etag_matches(if_match, etag):
                raise errors.PreconditionFailed(Condition="If-Match")
        elif params.get("IfUnmodifiedSince") is not None:
            if modified > _seconds(params["IfUnmodifiedSince"]):
                raise errors.PreconditionFailed(Condition="If-Unmodified-Since")
        if_none = params.get("IfNoneMatch")
        if if_none is not None:
            if _etag_matches(if_none, etag):
                raise errors.NotModified()
        elif params.get("IfModifiedSince") is not None:
            if modified <= _seconds(params["IfModifiedSince"]):
                raise errors.NotModified()

    def object_headers(self, bucket, row) -> dict:
        out = {"AcceptRanges": "bytes", "LastModified": aws_datetime(row[LM]),
               "ContentLength": row[SIZE], "ETag": row[ETAG],
               "ContentType": row[CTYPE] or "binary/octet-stream"}
        if bucket.ever_versioned:
            out["VersionId"] = row[VID]
        stored = json.loads(row[HEADERS]) if row[HEADERS] else {}
        for name in STORED_HEADERS:
            if name in stored:
                value = stored[name]
                out[name] = datetime.fromtimestamp(value, tzutc()) if name == "Expires" else value
        out.update(self.sse_response(bucket, stored=stored))
        if row[SCLASS] != "STANDARD":
            out["StorageClass"] = row[SCLASS]
        restore = self.restore_status(row)       # x-amz-restore (lifecycle.py)
        if restore is not None:
            out["Restore"] = restore
        out["Metadata"] = json.loads(row[META]) if row[META] else {}
        if row[TAGS]:
            out["TagCount"] = len(json.loads(row[TAGS]))
        return out

    def _read(self, req, Bucket, Key, params, head: bool):
        bucket = self.bucket_of(Bucket)
        version_id = params.get("VersionId")
        action = "s3:GetObjectVersion" if version_id is not None else "s3:GetObject"
        self.authorize(req, action, bucket, Key)
        row = self._resolve_version(req, bucket, Key, version_id)
        self._check_read_conditions(params, row)
        if row[SCLASS] in ARCHIVED and not head and not self.restored(row):
            raise errors.InvalidObjectState(StorageClass=row[SCLASS])
        out = self.object_headers(bucket, row)
        if params.get("PartNumber") is None:
            rng = _parse_range(params.get("Range"), row[SIZE])
        else:
            rng = _part_range(row, params["PartNumber"], params.get("Range"))
        if rng is not None:
            start, end = rng
            req.status = 206
            out["ContentRange"] = f"bytes {start}-{end}/{row[SIZE]}"
            out["ContentLength"] = end - start + 1
        if params.get("PartNumber") is not None and row[PARTS]:
            out["PartsCount"] = row[PARTS]
        for name in ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage",
                     "ContentType", "Expires"):
            override = params.get("Response" + name)
            if override is not None:
                out[name] = override
        if head:
            return out
        data = self.read(req, bucket, row)
        if rng is not None:
            data = data[rng[0]:rng[1] + 1]
        out["Body"] = StreamingBody(BytesIO(data), len(data))
        return out

    def restored(self, row) -> bool:
        """Archived objects need a restore before GET (see ``lifecycle.py``)."""
        return self.is_restored(row)

    @operation
    def get_object(self, req: Request, Bucket: str, Key: str, **params):
        return self._read(req, Bucket, Key, params, head=False)

    @operation
    def head_object(self, req: Request, Bucket: str, Key: str, **params):
        return self._read(req, Bucket, Key, params, head=True)

    # -- delete -----------------------------------------------------------------------------
    @operation
    def delete_object(self, req: Request, Bucket: str, Key: str, VersionId: str | None = None,
                      **params):
        bucket = self.bucket_of(Bucket)
        action = "s3:DeleteObjectVersion" if VersionId is not None else "s3:DeleteObject"
        self.authorize(req, action, bucket, Key)
        if VersionId is not None:
            self.check_mfa(req, bucket, params.get("MFA"))
        if params.get("IfMatch") is not None:
            row = self.current(bucket, Key, VersionId)
            if row is None or row[DM]:
                raise errors.NoSuchKey(Key=Key)
            if not _etag_matches(params["IfMatch"], row[ETAG]):
                raise errors.PreconditionFailed(Condition="If-Match")
        req.status = 204
        return self.delete_key(req, bucket, Key, VersionId)

    def check_mfa(self, req, bucket, mfa: str | None, needed: bool | None = None) -> None:
        """MFA delete (facts B5): once enabled, permanently deleting a version (or changing the
        versioning state) takes the bucket owner's root user and the ``x-amz-mfa`` header;
        so does turning MFA delete on or off (``needed=True``).

        Simplified: awskit has no MFA devices, so any ``"<serial> <code>"`` value is accepted;
        the refusal (403 AccessDenied with this message) is not confirmed against AWS.
        """
        if not (bucket.mfa_delete == "Enabled" if needed is None else needed):
            return
        if mfa is None or len(mfa.split()) != 2 or not req.principal.is_root \
                or req.principal.account != bucket.owner:
            req.step("API service", f"MFA delete is enabled on {bucket.name}: this request needs "
                     "the bucket owner's root user with an MFA code", 0.5)
            raise errors.AccessDenied(MFA_REQUIRED)

    def delete_key(self, req, bucket, key: str, version_id: str | None) -> dict:
        """S3's delete semantics per versioning state (facts B5); returns the response fields."""
        meta = self.meta
        bid = bucket.bucket_id
        if version_id is not None:
            row = meta.version(bid, key, version_id)
            if row is None:
                if version_id != "null" and len(version_id) != 32:
                    raise errors.InvalidArgument("Invalid version id specified",
                                                 ArgumentName="versionId", ArgumentValue=version_id)
                req.step("Metadata DB", f"No version {version_id} of {key}: nothing to delete", 1.0)
                return {"VersionId": version_id}
            with meta.transaction():
                meta.remove_version(bid, key, version_id)
                if row[LATEST]:
                    meta.promote_newest(bid, key)
            req.step("Metadata DB", f"Delete version {version_id} of {key} permanently", 2.0,
                     table="object", version_id=version_id)
            self.discard(row)
            out = {"VersionId": version_id}
            if row[DM]:
                out["DeleteMarker"] = True
            return out
        if bucket.versioning is None:
            row = meta.latest(bid, key)
            if row is None:
                req.step("Metadata DB", f"No object {key}: nothing to delete", 1.0)
                return {}
            meta.remove_version(bid, key, "null")
            req.step("Metadata DB", f"Delete the row of {key}", 2.0, table="object",
                     object_id=row[0])
            self.discard(row)
            return {}
        marker = self.cloud.ids.uuid("s3-object")
        row = self.record_version(req, bucket, key, marker, 0, None, delete_marker=True)
        return {"DeleteMarker": True, "VersionId": row[VID]}

    # -- delete many --------------------------------------------------------------------------
    @operation
    def delete_objects(self, req: Request, Bucket: str, Delete: dict, **params):
        """DeleteObjects: up to 1,000 keys, each deleted (and authorized) on its own.

        A key that fails (AccessDenied, ...) is reported in ``Errors`` while the others are
        deleted; a missing key counts as deleted. Quiet mode reports only the errors. The
        per-object ``ETag`` condition is honoured; ``LastModifiedTime`` and ``Size`` apply to
        directory buckets only (botocore docs) and are ignored here.
        """
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        objects = Delete.get("Objects") or []
        if not objects or len(objects) > MAX_DELETE_KEYS:
            raise errors.MalformedXML()
        if any(o.get("VersionId") is not None for o in objects):
            self.check_mfa(req, bucket, params.get("MFA"))
        req.step("API service", f"Delete {len(objects)} keys one by one", 0.5,
                 keys=len(objects), quiet=bool(Delete.get("Quiet")))
        deleted, failed = [], []
        for item in objects:
            key, version = item["Key"], item.get("VersionId")
            try:
                check_key(key)
                self.authorize(req, "s3:DeleteObject" if version is None
                               else "s3:DeleteObjectVersion", bucket, key)
                if item.get("ETag") is not None:
                    row = self.current(bucket, key, version)
                    if row is None or row[DM]:
                        raise errors.NoSuchKey(Key=key)
                    if not _etag_matches(item["ETag"], row[ETAG]):
                        raise errors.PreconditionFailed(Condition="If-Match")
                result = self.delete_key(req, bucket, key, version)
            except errors.AWSError as err:
                entry = {"Key": key}
                if version is not None:
                    entry["VersionId"] = version
                failed.append({**entry, "Code": err.code, "Message": err.message})
                continue
            entry = {"Key": key}
            if version is not None:
                entry["VersionId"] = version
            if result.get("DeleteMarker"):
                entry["DeleteMarker"] = True
                entry["DeleteMarkerVersionId"] = result["VersionId"]
            deleted.append(entry)
        out = {}
        if deleted and not Delete.get("Quiet"):
            out["Deleted"] = deleted
        if failed:
            out["Errors"] = failed
        return out


def _seconds(when) -> float:
    """A timestamp parameter (datetime or string) as seconds on the simulated clock."""
    return (parse_to_aware_datetime(when) - EPOCH).total_seconds()
