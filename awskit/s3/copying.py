"""CopyObject, and the copy source it shares with UploadPartCopy (``multipart.py``).

A copy is server-side: S3 reads the source version and writes a new object, so here the data
store reads the source's bytes by UUID and persists them again under a new UUID (data is
immutable: the copy never shares the source's bytes), then the metadata DB gets the new row.

The source (``x-amz-copy-source``) is ``bucket/key`` or ``bucket/key?versionId=...``,
URL-encoded; botocore encodes the string form and builds it from the dict form
``{"Bucket", "Key", "VersionId"}``. Reading it takes ``s3:GetObject`` (``s3:GetObjectVersion``
for a named version) on the source, writing ``s3:PutObject`` on the destination.
"""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl, unquote

from .. import errors
from ..clock import aws_datetime
from ..service import Request, operation
from .model import (CTYPE, DM, ETAG, HEADERS, KEY, LATEST, LM, META, SCLASS, SIZE, TAGS, VID,
                    quote_etag)
from .names import check_key
from .objects import (ARCHIVED, MAX_PUT, STORED_HEADERS, _etag_matches, _seconds,
                      check_metadata, check_storage_class, parse_tagging, with_headers)


def parse_copy_source(source: str) -> tuple[str, str, str | None]:
    """``x-amz-copy-source`` → (bucket, key, version id or None).

    The value is ``bucket/key`` or ``bucket/key?versionId=...``, URL-encoded (botocore encodes
    the string form and builds it from the dict form ``{"Bucket", "Key", "VersionId"}``).
    """
    path, _, query = source.partition("?")
    version = None
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == "versionId":
            version = value
    bucket, slash, key = unquote(path).lstrip("/").partition("/")
    if not bucket or not slash or not key:
        raise errors.InvalidArgument("Copy Source must mention the source bucket and key: "
                                     "sourcebucket/sourcekey", ArgumentName="x-amz-copy-source",
                                     ArgumentValue=source)
    if version is not None and version != "null" and len(version) != 32:
        raise errors.InvalidArgument("Invalid version id specified",
                                     ArgumentName="x-amz-copy-source", ArgumentValue=source)
    return bucket, key, version


def check_copy_conditions(params: dict, row) -> None:
    """``x-amz-copy-source-if-*``: a failed condition is 412 PreconditionFailed (all four).

    As for GET: a true If-Match outranks a false If-Unmodified-Since, and a false
    If-None-Match decides whatever If-Modified-Since says.
    """
    etag, modified = row[ETAG], row[LM]
    if params.get("CopySourceIfMatch") is not None:
        if not _etag_matches(params["CopySourceIfMatch"], etag):
            raise errors.PreconditionFailed(Condition="x-amz-copy-source-If-Match")
    elif params.get("CopySourceIfUnmodifiedSince") is not None:
        if modified > _seconds(params["CopySourceIfUnmodifiedSince"]):
            raise errors.PreconditionFailed(Condition="x-amz-copy-source-If-Unmodified-Since")
    if params.get("CopySourceIfNoneMatch") is not None:
        if _etag_matches(params["CopySourceIfNoneMatch"], etag):
            raise errors.PreconditionFailed(Condition="x-amz-copy-source-If-None-Match")
    elif params.get("CopySourceIfModifiedSince") is not None:
        if modified <= _seconds(params["CopySourceIfModifiedSince"]):
            raise errors.PreconditionFailed(Condition="x-amz-copy-source-If-Modified-Since")


class CopyOperations:
    """Mixed into ``awskit.s3.api.S3`` (through ``MultipartOperations``)."""

    def copy_source(self, req, source: str, params: dict):
        """Resolve ``CopySource``: the read permission, the source version's row, its
        ``x-amz-copy-source-if-*`` conditions. Returns (source bucket, row, version id)."""
        from .api import check_owner
        name, key, version = parse_copy_source(source)
        src = self.bucket_of(name)
        self.authorize(req, "s3:GetObjectVersion" if version is not None else "s3:GetObject",
                       src, key)
        check_owner(src, params.get("ExpectedSourceBucketOwner"))
        row = self.lookup(req, src, key, version)
        if row is None:
            if version is not None:
                raise errors.NoSuchVersion(Key=key, VersionId=version)
            self.missing_key(req, src, key)
        if row[DM]:
            if version is not None:
                raise errors.InvalidRequest("The source of a copy request may not specifically "
                                            "refer to a delete marker by version id.")
            raise with_headers(errors.NoSuchKey(Key=key), {"x-amz-delete-marker": "true"})
        if row[SCLASS] in ARCHIVED and not self.restored(row):
            raise errors.InvalidObjectState(StorageClass=row[SCLASS])
        check_copy_conditions(params, row)
        return src, row, version

    @operation
    def copy_object(self, req: Request, Bucket: str, Key: str, CopySource: str, **params):
        """CopyObject: a new object (new UUID in the data store) from an existing version.

        Metadata, Content-Type and the stored headers come from the source (COPY, default) or
        the request (REPLACE); tags likewise with TaggingDirective. Not copied, as on S3:
        storage class (STANDARD unless given), encryption (the request's or the bucket
        default) and the website redirect. One CopyObject copies at most 5 GB; a copy is a
        single-part object whose ETag is the MD5 of its bytes (botocore CopyObject docs).
        """
        from .api import check_owner
        bucket = self.bucket_of(Bucket)
        check_key(Key)
        storage_class = check_storage_class(params.get("StorageClass"))
        directives = []
        for name in ("MetadataDirective", "TaggingDirective"):
            value = params.get(name) or "COPY"
            if value not in ("COPY", "REPLACE"):
                kind = "metadata" if name == "MetadataDirective" else "tagging"
                raise errors.InvalidArgument(f"Unknown {kind} directive.",
                                             ArgumentName=f"x-amz-{kind}-directive",
                                             ArgumentValue=value)
            directives.append(value)
        meta_directive, tag_directive = directives
        keys = {"s3:x-amz-copy-source": CopySource, "s3:x-amz-metadata-directive": meta_directive,
                "s3:x-amz-storage-class": storage_class}
        if params.get("ServerSideEncryption") is not None:
            keys["s3:x-amz-server-side-encryption"] = params["ServerSideEncryption"]
        self.authorize(req, "s3:PutObject", bucket, Key, keys)
        check_owner(bucket, params.get("ExpectedBucketOwner"))
        self.check_acl(bucket, params.get("ACL"))
        metadata = check_metadata(params.get("Metadata")) if meta_directive == "REPLACE" else None
        new_tags = parse_tagging(params.get("Tagging")) if tag_directive == "REPLACE" else None
        src, row, version = self.copy_source(req, CopySource, params)
        if row[SIZE] > MAX_PUT:
            raise errors.InvalidRequest("The specified copy source is larger than the maximum "
                                        f"allowable size for a copy source: {MAX_PUT}")
        changes = meta_directive == "REPLACE" or params.get("WebsiteRedirectLocation") or \
            (params.get("StorageClass") is not None and storage_class != row[SCLASS]) or \
            any(params.get(n) is not None for n in ("ServerSideEncryption", "SSEKMSKeyId",
                                                     "SSECustomerAlgorithm", "BucketKeyEnabled"))
        if src is bucket and row[KEY] == Key and row[LATEST] and not changes:
            raise errors.InvalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself "
                "without changing the object's metadata, storage class, website redirect "
                "location or encryption attributes.")
        if tag_directive == "COPY" and row[TAGS]:
            self.authorize(req, "s3:GetObjectTagging" if version is None
                           else "s3:GetObjectVersionTagging", src, row[KEY])
        self.check_write_conditions(req, bucket, Key, params.get("IfMatch"),
                                    params.get("IfNoneMatch"))
        data = self.read(req, src, row)
        if meta_directive == "COPY":
            content_type = row[CTYPE]
            stored = json.loads(row[HEADERS]) if row[HEADERS] else {}
            headers = {k: v for k, v in stored.items() if k in STORED_HEADERS
                       and k != "WebsiteRedirectLocation"}
            headers.update(self.object_params(
                {n: params.get(n) for n in ("WebsiteRedirectLocation", "ServerSideEncryption",
                                            "SSEKMSKeyId")}) or {})
            metadata = json.loads(row[META]) if row[META] else None
        else:
            content_type = params.get("ContentType") or "binary/octet-stream"
            headers = self.object_params(params) or {}
        tags = json.loads(row[TAGS]) if tag_directive == "COPY" and row[TAGS] else new_tags
        sse = params.get("ServerSideEncryption")
        etag = quote_etag(hashlib.md5(data).hexdigest()) if sse != "aws:kms" else \
            quote_etag(self.cloud.ids.etag_like())
        uuid = self.persist(req, bucket, data)
        new = self.record_version(req, bucket, Key, uuid, len(data), etag,
                                  storage_class=storage_class, content_type=content_type,
                                  metadata=metadata, headers=headers or None, tags=tags)
        out = {"CopyObjectResult": {"ETag": new[ETAG], "LastModified": aws_datetime(new[LM])}}
        if src.ever_versioned:
            out["CopySourceVersionId"] = row[VID]
        if bucket.ever_versioned:
            out["VersionId"] = new[VID]
        out.update(self.sse_response(bucket, params))
        return out
