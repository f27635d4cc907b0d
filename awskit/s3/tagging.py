"""Object tagging: PutObjectTagging, GetObjectTagging, DeleteObjectTagging."""

from __future__ import annotations


class TaggingOperations:
    """Mixed into ``awskit.s3.api.S3``."""
