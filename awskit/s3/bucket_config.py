"""Bucket configuration: bucket policy, Block Public Access, default encryption, object ownership, bucket tagging."""

from __future__ import annotations


class BucketConfigOperations:
    """Mixed into ``awskit.s3.api.S3``."""
