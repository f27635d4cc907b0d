"""Lifecycle configuration and the daily lifecycle run on the simulated clock."""

from __future__ import annotations


class LifecycleOperations:
    """Mixed into ``awskit.s3.api.S3``."""
