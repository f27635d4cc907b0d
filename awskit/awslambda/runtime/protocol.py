"""The private wire protocol between the notebook (parent) and a worker process.

A simple stand-in for the Lambda Runtime API (which is HTTP on AWS): every message is a small
JSON header plus an optional raw body (the event payload, the handler's response), framed as

    <header length: 4 bytes big-endian> <body length: 4 bytes big-endian> <header JSON> <body>

over an AF_UNIX stream socket that is neither stdin nor stdout, so whatever the handler prints
can never corrupt it. File descriptors (for a SnapStart restore) travel with a message as
SCM_RIGHTS ancillary data. While a phase runs, the worker may send ``aws_call`` (a boto3 call of
the function) and block until the parent answers ``aws_result`` (``aws_bridge.py``). Used by
both sides: the parent imports it as
``awskit.awslambda.runtime.protocol``, the worker loads the same file by path (stdlib only).
"""

from __future__ import annotations

import json
import socket
import struct

_PREFIX = struct.Struct(">II")
MAX_FDS = 4

# A log record of the ``logging`` module (or the runtime's own error record) stays ONE log event
# even if it spans lines, as with the runtime's framed telemetry log sink on AWS; the worker
# frames such records in its output with these markers, plain stdout/stderr text becomes one
# event per line.
LOG_FRAME_START = "\x00\x1eawskit-log\x1e"
LOG_FRAME_END = "\x1f\x00"


class ConnectionClosed(Exception):
    """The other side closed the socket (for the parent: the worker died)."""


def encode(header: dict, body: bytes = b"") -> bytes:
    head = json.dumps(header, separators=(",", ":")).encode()
    return _PREFIX.pack(len(head), len(body)) + head + body


def send(sock: socket.socket, header: dict, body: bytes = b"", fds=()) -> None:
    data = encode(header, body)
    if fds:
        sent = socket.send_fds(sock, [data], list(fds))
        if sent < len(data):
            sock.sendall(data[sent:])
    else:
        sock.sendall(data)


def _recv_exact(sock: socket.socket, n: int, fds: list | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if fds is not None:
            data, new_fds, _flags, _addr = socket.recv_fds(sock, n - got, MAX_FDS)
            fds.extend(new_fds)
        else:
            data = sock.recv(n - got)
        if not data:
            raise ConnectionClosed()
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)


def recv(sock: socket.socket, with_fds: bool = False):
    """Blocking read of one message: ``(header, body, fds)``; raises ConnectionClosed on EOF."""
    fds: list | None = [] if with_fds else None
    head_len, body_len = _PREFIX.unpack(_recv_exact(sock, _PREFIX.size, fds))
    header = json.loads(_recv_exact(sock, head_len, fds)) if head_len else {}
    body = _recv_exact(sock, body_len, fds) if body_len else b""
    return header, body, (fds or [])


class Reader:
    """Incremental, non-blocking reader for the parent: feed it whatever ``recv`` returned and
    take complete messages out, so the parent can wait with a deadline (``select``)."""

    def __init__(self):
        self.buf = bytearray()

    def feed(self, data: bytes) -> None:
        self.buf += data

    def needed(self) -> int:
        """Bytes still missing for the message at the head of the buffer (at least 1)."""
        if len(self.buf) < _PREFIX.size:
            return _PREFIX.size - len(self.buf)
        head_len, body_len = _PREFIX.unpack_from(self.buf)
        return max(1, _PREFIX.size + head_len + body_len - len(self.buf))

    def take(self):
        """``(header, body)`` of the first complete message, or None."""
        if len(self.buf) < _PREFIX.size:
            return None
        head_len, body_len = _PREFIX.unpack_from(self.buf)
        end = _PREFIX.size + head_len + body_len
        if len(self.buf) < end:
            return None
        start = _PREFIX.size
        header = json.loads(bytes(self.buf[start:start + head_len]))
        body = bytes(self.buf[start + head_len:end])
        del self.buf[:end]
        return header, body
