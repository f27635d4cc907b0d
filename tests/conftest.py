"""Shared fixtures. Tests run with AWSKIT_DEBUG=1: a bug inside awskit raises its real
traceback instead of becoming an AWS InternalError, so no test can pass by accident."""

import os

import pytest

os.environ["AWSKIT_DEBUG"] = "1"

import awskit  # noqa: E402
import conformance  # noqa: E402  (tests/conformance.py)

# Every response of every request made during the session is checked against botocore's output
# shape (and every error against the shape boto3 expects); a violation fails the test that
# made the request. See tests/conformance.py.
conformance.install()


@pytest.fixture
def cloud():
    return awskit.Cloud(seed=0)


@pytest.fixture
def s3(cloud):
    """A boto3 S3 client acting as the default account's root user."""
    return cloud.client("s3")


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to resolve a name or open a connection fails the test (awskit must answer
    everything in memory)."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"awskit tried to use the network: {args!r}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def kernel(monkeypatch):
    """Pretend to run inside a Jupyter kernel, where displays build widgets."""
    from awskit.widgets import core
    monkeypatch.setattr(core, "in_kernel", lambda: True)


@pytest.fixture
def sqs(cloud):
    """A boto3 SQS client acting as the default account's root user."""
    return cloud.client("sqs")
