"""Shared fixtures. Tests run with AWSKIT_DEBUG=1: a bug inside awskit raises its real
traceback instead of becoming an AWS InternalError, so no test can pass by accident."""

import os

import pytest

os.environ["AWSKIT_DEBUG"] = "1"

import awskit  # noqa: E402


@pytest.fixture
def cloud():
    return awskit.Cloud(seed=0)


@pytest.fixture
def s3(cloud):
    """A boto3 S3 client acting as the default account's root user."""
    return cloud.client("s3")
