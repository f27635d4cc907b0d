"""Listing: ListObjectsV2 and ListObjects, answered from the metadata DB in key order.

Keys come back in UTF-8 binary order (SQLite's binary collation); with a delimiter, the keys
that share a prefix up to the delimiter roll up into one CommonPrefixes entry, and keys and
common prefixes together count towards MaxKeys (at most 1,000 per page). With
``EncodingType=url`` (which boto3 always asks for) S3 URL-encodes keys and prefixes, and
botocore decodes them again.
"""

from __future__ import annotations

from urllib.parse import quote

from .. import errors
from ..clock import aws_datetime
from ..service import Request, operation
from .model import ETAG, KEY, LM, SCLASS, SIZE


def encoder(encoding_type: str | None):
    """``EncodingType=url``: S3 URL-encodes keys and prefixes in the response."""
    if encoding_type == "url":
        return lambda text: quote(text, safe="/")
    return lambda text: text


def listing_fields(out: dict, bucket: str, prefix, delimiter, max_keys: int, prefixes: list,
                   encoding_type) -> dict:
    """The fields every listing response carries after its entries, in S3's order."""
    enc = encoder(encoding_type)
    out["Name"] = bucket
    out["Prefix"] = enc(prefix or "")
    if delimiter:
        out["Delimiter"] = enc(delimiter)
    out["MaxKeys"] = max_keys
    if prefixes:
        out["CommonPrefixes"] = prefixes
    if encoding_type:
        out["EncodingType"] = encoding_type
    return out


class ListingOperations:
    """ListObjectsV2 and ListObjects. Mixed into ``S3``."""

    def _list(self, req, bucket, Prefix, Delimiter, MaxKeys, start, inclusive, encode):
        if MaxKeys is not None and MaxKeys < 0:
            raise errors.InvalidArgument("Argument maxKeys must be an integer between 0 and "
                                         "2147483647", ArgumentName="maxKeys")
        max_keys = 1000 if MaxKeys is None else min(MaxKeys, 1000)
        rows, prefixes, truncated, last = self.list_current(
            bucket, Prefix or "", Delimiter or None, start, inclusive, max_keys)
        req.step("Metadata DB", f"List {bucket.name}/{Prefix or ''}*"
                 + (f" grouped by '{Delimiter}'" if Delimiter else "")
                 + f": {len(rows)} keys, {len(prefixes)} common prefixes", 1.5, table="object")
        enc = encoder("url" if encode else None)
        contents = [{"Key": enc(r[KEY]), "LastModified": aws_datetime(r[LM]), "ETag": r[ETAG],
                     "Size": r[SIZE], "StorageClass": r[SCLASS]} for r in rows]
        return contents, [{"Prefix": enc(p)} for p in prefixes], truncated, last, max_keys

    def _authorize_listing(self, req, Bucket, Prefix, Delimiter, MaxKeys, EncodingType):
        """s3:ListBucket with the listing's condition keys (s3:prefix, s3:delimiter,
        s3:max-keys); then the encoding type, which S3 checks after authorization."""
        bucket = self.bucket_of(Bucket)
        keys = {"s3:prefix": Prefix or "", "s3:max-keys": str(1000 if MaxKeys is None else MaxKeys)}
        if Delimiter:
            keys["s3:delimiter"] = Delimiter
        self.authorize(req, "s3:ListBucket", bucket, keys=keys)
        if EncodingType not in (None, "url"):
            raise errors.InvalidArgument("Invalid Encoding Method specified in Request",
                                         ArgumentName="encoding-type")
        return bucket

    @operation
    def list_objects_v2(self, req: Request, Bucket: str, Delimiter: str | None = None,
                        EncodingType: str | None = None, MaxKeys: int | None = None,
                        Prefix: str | None = None, ContinuationToken: str | None = None,
                        FetchOwner: bool = False, StartAfter: str | None = None, **_):
        from .api import decode_token, encode_token
        bucket = self._authorize_listing(req, Bucket, Prefix, Delimiter, MaxKeys, EncodingType)
        if ContinuationToken is not None:
            start, inclusive = decode_token(ContinuationToken), False
        else:
            start, inclusive = StartAfter or "", StartAfter is None
        contents, prefixes, truncated, last, max_keys = self._list(
            req, bucket, Prefix, Delimiter, MaxKeys, start, inclusive, EncodingType == "url")
        if FetchOwner:
            for item, owner in zip(contents, (self.owner(bucket.owner),) * len(contents)):
                item["Owner"] = owner
        enc = encoder(EncodingType)
        out = {"IsTruncated": truncated}
        if contents:
            out["Contents"] = contents
        listing_fields(out, Bucket, Prefix, Delimiter, max_keys, prefixes, EncodingType)
        out["KeyCount"] = len(contents) + len(prefixes)
        if ContinuationToken is not None:
            out["ContinuationToken"] = ContinuationToken
        if truncated:
            out["NextContinuationToken"] = encode_token(last)
        if StartAfter is not None:
            out["StartAfter"] = enc(StartAfter)
        return out

    @operation
    def list_objects(self, req: Request, Bucket: str, Delimiter: str | None = None,
                     EncodingType: str | None = None, Marker: str | None = None,
                     MaxKeys: int | None = None, Prefix: str | None = None, **_):
        bucket = self._authorize_listing(req, Bucket, Prefix, Delimiter, MaxKeys, EncodingType)
        contents, prefixes, truncated, last, max_keys = self._list(
            req, bucket, Prefix, Delimiter, MaxKeys, Marker or "", Marker is None,
            EncodingType == "url")
        for item in contents:
            item["Owner"] = self.owner(bucket.owner)
        enc = encoder(EncodingType)
        out = {"IsTruncated": truncated, "Marker": enc(Marker or "")}
        if truncated and Delimiter:
            out["NextMarker"] = enc(last)
        if contents:
            out["Contents"] = contents
        listing_fields(out, Bucket, Prefix, Delimiter, max_keys, prefixes, EncodingType)
        return out
