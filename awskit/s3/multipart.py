"""Multipart upload: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload, ListParts, ListMultipartUploads."""

from __future__ import annotations


class MultipartOperations:
    """Mixed into ``awskit.s3.api.S3``."""
