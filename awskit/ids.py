"""Seeded identifiers: every id a cloud hands out comes from here, never from ``uuid4()``.

Each kind of id draws from its own stream, seeded from the cloud's seed and the kind's name,
so two clouds with the same seed and the same calls produce the same ids, and adding a new
kind of id elsewhere does not shift the existing ones. A stream's state is saved with the
cloud, so a loaded cloud continues exactly where the saved one stopped.

Formats follow what AWS returns (documented prefixes, lengths and alphabets); the values
themselves are random, as on AWS.
"""

from __future__ import annotations

import base64
import random
import string

_UPPER_DIGITS = string.ascii_uppercase + string.digits
_BASE32 = string.ascii_uppercase + "234567"
_BASE62 = string.ascii_letters + string.digits
_SECRET = string.ascii_letters + string.digits + "+/"
_HEX_UPPER = "0123456789ABCDEF"


class IdFactory:
    """Deterministic id generator. ``IdFactory(seed)``; every method takes no wall-clock input."""

    def __init__(self, seed: int = 0):
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def stream(self, kind: str) -> random.Random:
        rng = self._streams.get(kind)
        if rng is None:
            rng = self._streams[kind] = random.Random(f"awskit:{self.seed}:{kind}")
        return rng

    def _chars(self, kind: str, alphabet: str, n: int) -> str:
        rng = self.stream(kind)
        return "".join(rng.choices(alphabet, k=n))

    # -- generic ----------------------------------------------------------------------------
    def uuid(self, kind: str = "uuid") -> str:
        """A version-4 UUID string (as ``str(uuid.UUID(int=n, version=4))``, faster)."""
        n = self.stream(kind).getrandbits(128)
        n = (n & ~(0xc000 << 48)) | (0x8000 << 48)      # RFC 4122 variant
        n = (n & ~(0xf000 << 64)) | (4 << 76)            # version 4
        h = "%032x" % n
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def hex(self, kind: str, n: int, upper: bool = False) -> str:
        value = format(self.stream(kind).getrandbits(4 * n), f"0{n}x")
        return value.upper() if upper else value

    def token(self, kind: str, nbytes: int) -> str:
        """URL-safe base64 of ``nbytes`` random bytes (S3 upload ids, continuation tokens)."""
        raw = self.stream(kind).getrandbits(8 * nbytes).to_bytes(nbytes, "big")
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    # -- AWS formats ------------------------------------------------------------------------
    def account_id(self) -> str:
        """A 12-digit AWS account id (never starting with 0, as on AWS)."""
        rng = self.stream("account")
        return str(rng.randint(1, 9)) + "".join(rng.choices(string.digits, k=11))

    def request_id(self) -> str:
        """A request id in the UUID form IAM, STS and most JSON/query services return."""
        return self.uuid("request")

    def s3_request_id(self) -> str:
        """S3's x-amz-request-id: 16 upper-case hex characters."""
        return self.hex("s3-request", 16, upper=True)

    def host_id(self) -> str:
        """S3's x-amz-id-2 (HostId): base64 of 56 random bytes."""
        raw = self.stream("host-id").getrandbits(8 * 56).to_bytes(56, "big")
        return base64.b64encode(raw).decode()

    def access_key_id(self, temporary: bool = False) -> str:
        """``AKIA...`` for long-term keys, ``ASIA...`` for STS temporary keys (20 characters)."""
        return ("ASIA" if temporary else "AKIA") + self._chars("access-key", _BASE32, 16)

    def secret_access_key(self) -> str:
        """A 40-character secret access key."""
        return self._chars("secret-key", _SECRET, 40)

    def session_token(self) -> str:
        raw = self.stream("session-token").getrandbits(8 * 180).to_bytes(180, "big")
        return "IQoJb3JpZ2luX2Vj" + base64.b64encode(raw).decode()

    def unique_id(self, prefix: str) -> str:
        """IAM unique ids: ``AIDA`` users, ``AROA`` roles, ``AGPA`` groups, ``ANPA`` policies,
        ``ASCA`` server certificates (21 characters in all)."""
        return prefix + self._chars("iam-unique-id", _UPPER_DIGITS, 17)

    def version_id(self) -> str:
        """An S3 object version id (32 characters from a URL-safe alphabet)."""
        return self._chars("s3-version", _BASE62 + "._", 32)

    def etag_like(self) -> str:
        return self.hex("etag", 32)

    # -- persistence ------------------------------------------------------------------------
    def state(self) -> dict:
        """Stream states as plain JSON data (seed plus each stream's Mersenne Twister state)."""
        return {"seed": self.seed,
                "streams": {k: [r.getstate()[0], list(r.getstate()[1]), r.getstate()[2]]
                            for k, r in sorted(self._streams.items())}}

    @classmethod
    def from_state(cls, data: dict) -> "IdFactory":
        factory = cls(data["seed"])
        for kind, (version, internal, gauss) in data["streams"].items():
            rng = random.Random()
            rng.setstate((version, tuple(internal), gauss))
            factory._streams[kind] = rng
        return factory
