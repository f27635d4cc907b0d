"""Versioning: PutBucketVersioning, GetBucketVersioning, ListObjectVersions."""

from __future__ import annotations


class VersioningOperations:
    """Mixed into ``awskit.s3.api.S3``."""
