"""Versioning: PutBucketVersioning, GetBucketVersioning, ListObjectVersions.

S3's rules (``shared/facts/s3.md`` B5): a bucket starts unversioned; PutBucketVersioning sets
``Enabled`` or ``Suspended`` (the only values of the API's status enum), so once versioning
has been set a bucket can never be unversioned again. Enabled: every write gets a new
version id and a delete without a version id adds a delete marker. Suspended: writes get the
version id ``null`` and replace the previous ``null`` version; other versions stay. The write
and delete paths are in ``model.py`` (``record_version``) and ``objects.py`` (``delete_key``).

MFA delete: turning it on or off takes the bucket owner's root user with the ``x-amz-mfa``
header, and once on, so do version deletes and versioning changes. Simplified: awskit has no
MFA devices, so any ``"<serial> <code>"`` value is accepted (see ``check_mfa``).
"""

from __future__ import annotations

from .. import errors
from ..clock import aws_datetime
from ..service import Request, operation
from .listing import encoder, listing_fields
from .metadata import OBJECT_COLUMNS
from .model import (DM, ETAG, KEY, LATEST, LM, META_READ_MS, META_WRITE_MS, OWNER, SCLASS, SEQ,
                    SIZE, VID, _successor)

_SELECT = "SELECT " + ", ".join(OBJECT_COLUMNS) + " FROM object"
_END = 2 ** 62          # a seq larger than any: "every version of this key"


class VersioningOperations:
    """Mixed into ``awskit.s3.api.S3``."""

    @operation
    def put_bucket_versioning(self, req: Request, Bucket: str, VersioningConfiguration: dict,
                              MFA: str | None = None, **params):
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:PutBucketVersioning", bucket)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        status = VersioningConfiguration.get("Status")
        mfa_delete = VersioningConfiguration.get("MFADelete")
        if status not in (None, "Enabled", "Suspended") or \
                mfa_delete not in (None, "Enabled", "Disabled") or \
                (mfa_delete is not None and status is None):
            raise errors.MalformedXML()
        changes_mfa = mfa_delete is not None and mfa_delete != (bucket.mfa_delete or "Disabled")
        changes_status = status is not None and status != bucket.versioning
        self.check_mfa(req, bucket, MFA, needed=changes_mfa or (
            bucket.mfa_delete == "Enabled" and changes_status))
        if status is not None:
            bucket.versioning = status
            self.meta.set_versioning(bucket.bucket_id, status)
        if mfa_delete is not None:
            bucket.mfa_delete = mfa_delete
        req.step("Metadata DB", f"Update bucket row {Bucket}: versioning = {bucket.versioning}"
                 + (f", MFA delete = {mfa_delete}" if mfa_delete else ""), META_WRITE_MS,
                 table="bucket", versioning=bucket.versioning, mfa_delete=bucket.mfa_delete)
        return {}

    @operation
    def get_bucket_versioning(self, req: Request, Bucket: str, **params):
        """No ``Status`` for a bucket whose versioning was never set; ``MFADelete`` only once
        it has been configured (botocore GetBucketVersioning docs)."""
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:GetBucketVersioning", bucket)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        req.step("Metadata DB", f"Read the versioning state of {Bucket}: "
                 f"{bucket.versioning or 'never enabled'}", META_READ_MS, table="bucket")
        out = {}
        if bucket.versioning is not None:
            out["Status"] = bucket.versioning
        if bucket.mfa_delete is not None:
            out["MFADelete"] = bucket.mfa_delete
        return out

    @operation
    def list_object_versions(self, req: Request, Bucket: str, Delimiter: str | None = None,
                             EncodingType: str | None = None, KeyMarker: str | None = None,
                             MaxKeys: int | None = None, Prefix: str | None = None,
                             VersionIdMarker: str | None = None, **params):
        """Every version and delete marker, keys in UTF-8 binary order, newest first per key.

        Versions, delete markers and common prefixes all count towards ``MaxKeys`` (≤ 1,000).
        ``KeyMarker`` alone resumes after every version of that key; with ``VersionIdMarker``
        it resumes after that version (an unknown version id resumes after the whole key).
        """
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        keys = {"s3:prefix": Prefix or "", "s3:max-keys": str(1000 if MaxKeys is None else MaxKeys)}
        if Delimiter:
            keys["s3:delimiter"] = Delimiter
        self.authorize(req, "s3:ListBucketVersions", bucket, keys=keys)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        if EncodingType not in (None, "url"):
            raise errors.InvalidArgument("Invalid Encoding Method specified in Request",
                                         ArgumentName="encoding-type")
        if MaxKeys is not None and MaxKeys < 0:
            raise errors.InvalidArgument("Argument maxKeys must be an integer between 0 and "
                                         "2147483647", ArgumentName="maxKeys")
        max_keys = 1000 if MaxKeys is None else min(MaxKeys, 1000)
        key_marker, vid_marker = KeyMarker or None, VersionIdMarker or None
        if vid_marker is not None:
            if key_marker is None:
                raise errors.InvalidArgument("A version-id marker cannot be specified without a "
                                             "key marker.", ArgumentName="version-id-marker",
                                             ArgumentValue=vid_marker)
            if vid_marker != "null" and len(vid_marker) != 32:
                raise errors.InvalidArgument("Invalid version id specified",
                                             ArgumentName="version-id-marker",
                                             ArgumentValue=vid_marker)
        rows, prefixes, truncated, last = self.walk_versions(
            bucket, Prefix or "", Delimiter or None, key_marker, vid_marker, max_keys)
        markers = sum(1 for r in rows if r[DM])
        req.step("Metadata DB", f"List versions in {Bucket}/{Prefix or ''}*: "
                 f"{len(rows) - markers} versions, {markers} delete markers, {len(prefixes)} "
                 "common prefixes", 1.5, table="object")
        enc = encoder(EncodingType)
        out = {"IsTruncated": truncated, "KeyMarker": enc(key_marker or ""),
               "VersionIdMarker": vid_marker or ""}
        if truncated:
            out["NextKeyMarker"] = enc(last[0])
            if last[1] is not None:
                out["NextVersionIdMarker"] = last[1]
        versions, deletes = [], []
        for r in rows:
            entry = {"Key": enc(r[KEY]), "VersionId": r[VID], "IsLatest": bool(r[LATEST]),
                     "LastModified": aws_datetime(r[LM]), "Owner": self.owner(r[OWNER])}
            if r[DM]:
                deletes.append(entry)
            else:
                entry.update({"ETag": r[ETAG], "Size": r[SIZE], "StorageClass": r[SCLASS]})
                versions.append(entry)
        if versions:
            out["Versions"] = versions
        if deletes:
            out["DeleteMarkers"] = deletes
        listing_fields(out, Bucket, Prefix, Delimiter, max_keys,
                       [{"Prefix": enc(p)} for p in prefixes], EncodingType)
        return out

    def walk_versions(self, bucket, prefix: str, delimiter: str | None, key_marker: str | None,
                      vid_marker: str | None, max_keys: int):
        """(rows, common prefixes, truncated, (next key marker, next version id marker)).

        Walks the object table in (key, newest first) order from a cursor ``(key, seq)``:
        the rows after it are those of a greater key, or of the same key with a smaller seq.
        """
        bid = bucket.bucket_id
        if key_marker is not None and key_marker >= prefix:
            seq = 0                          # after every version of the marker key
            if vid_marker is not None:
                marked = self.meta.version(bid, key_marker, vid_marker)
                seq = marked[SEQ] if marked is not None else 0
            cursor = (key_marker, seq)
        else:
            cursor = (prefix, _END)          # from the first key >= prefix
        rows, prefixes, last = [], [], None
        batch = max(16, min(max_keys + 1, 1001))
        while True:
            found = self.meta.db.execute(
                _SELECT + " WHERE bucket_id = ? AND (object_name > ? OR (object_name = ? AND "
                "seq < ?)) ORDER BY object_name, seq DESC LIMIT ?",
                (bid, cursor[0], cursor[0], cursor[1], batch)).fetchall()
            jumped = False
            for row in found:
                key = row[KEY]
                if not key.startswith(prefix):
                    return rows, prefixes, False, last
                cursor = (key, row[SEQ])
                cut = key.find(delimiter, len(prefix)) if delimiter else -1
                if cut >= 0:
                    common = key[:cut + len(delimiter)]
                    if not (key_marker is not None and common <= key_marker):
                        if len(rows) + len(prefixes) >= max_keys:
                            return rows, prefixes, True, last
                        prefixes.append(common)
                        last = (common, None)
                    nxt = _successor(common)
                    if nxt is None:
                        return rows, prefixes, False, last
                    cursor, jumped = (nxt, _END), True
                    break
                if len(rows) + len(prefixes) >= max_keys:
                    return rows, prefixes, True, last
                rows.append(row)
                last = (key, row[VID])
            if not jumped and len(found) < batch:
                return rows, prefixes, False, last
