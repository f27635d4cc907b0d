"""Object tagging: PutObjectTagging, GetObjectTagging, DeleteObjectTagging.

Tags belong to one object version and live in its metadata row (``tags`` column), not with
its bytes: changing them touches only the metadata DB, and neither the ETag nor
Last-Modified changes. Limits (S3 User Guide, object tagging): at most 10 tags per object,
keys up to 128 and values up to 256 characters, keys unique (``objects.check_tags``).

Permissions: ``s3:PutObjectTagging`` / ``s3:GetObjectTagging`` / ``s3:DeleteObjectTagging``,
or their ``...VersionTagging`` forms when the request names a version. The key of an object
whose current version is a delete marker answers 404 NoSuchKey; naming a delete marker's
version id answers 405 MethodNotAllowed, as GET does.
"""

from __future__ import annotations

import json

from ..service import Request, operation
from .model import KEY, META_WRITE_MS, OID, TAGS, VID
from .objects import check_tags


class TaggingOperations:
    """Mixed into ``awskit.s3.api.S3``."""

    def _tagged(self, req, Bucket: str, Key: str, VersionId, verb: str, params: dict,
                keys: dict | None = None):
        """Authorize, then find the version whose tags the request reads or writes."""
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        action = f"s3:{verb}ObjectVersionTagging" if VersionId is not None else \
            f"s3:{verb}ObjectTagging"
        self.authorize(req, action, bucket, Key, keys)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        return bucket, self._resolve_version(req, bucket, Key, VersionId)

    def _set_tags(self, req, bucket, row, tags: list | None) -> dict:
        self.meta.update_object(row[OID], tags=json.dumps(tags) if tags else None)
        what = f"{len(tags)} tag{'s' if len(tags) > 1 else ''}" if tags else "no tags"
        req.step("Metadata DB", f"Update the tags of {bucket.name}/{row[KEY]} (version "
                 f"{row[VID]}): {what}", META_WRITE_MS, table="object", object_id=row[OID])
        return {"VersionId": row[VID]} if bucket.ever_versioned else {}

    @operation
    def put_object_tagging(self, req: Request, Bucket: str, Key: str, Tagging: dict,
                           VersionId: str | None = None, **params):
        tag_set = Tagging.get("TagSet") or []
        keys = {f"s3:RequestObjectTag/{t['Key']}": t["Value"] for t in tag_set}
        bucket, row = self._tagged(req, Bucket, Key, VersionId, "Put", params, keys)
        return self._set_tags(req, bucket, row, check_tags(tag_set))

    @operation
    def get_object_tagging(self, req: Request, Bucket: str, Key: str,
                           VersionId: str | None = None, **params):
        bucket, row = self._tagged(req, Bucket, Key, VersionId, "Get", params)
        out = {"VersionId": row[VID]} if bucket.ever_versioned else {}
        out["TagSet"] = json.loads(row[TAGS]) if row[TAGS] else []
        return out

    @operation
    def delete_object_tagging(self, req: Request, Bucket: str, Key: str,
                              VersionId: str | None = None, **params):
        bucket, row = self._tagged(req, Bucket, Key, VersionId, "Delete", params)
        req.status = 204
        return self._set_tags(req, bucket, row, None)
