"""What a message may contain, and the MD5 digests SQS returns for it.

- Body: 1 character or more, only the XML characters ``#x9 | #xA | #xD | #x20-#xD7FF |
  #xE000-#xFFFD | #x10000-#x10FFFF`` (else ``InvalidMessageContents``) [BC sqs:SendMessage].
- Message attributes: at most 10; names of ``A-Za-z0-9_-.`` up to 256 characters, not starting
  with ``AWS.``/``Amazon.`` (any case), no leading, trailing or doubled period; data types
  ``String``, ``Number`` or ``Binary`` with an optional ``.custom`` label, up to 256 characters;
  ``Number`` values are numbers of up to 38 digits between 10^-128 and 10^+126. Name, type and
  value count toward the message size [SQSDG sqs-message-metadata.md; BC
  sqs:MessageAttributeValue]. ``StringListValues``/``BinaryListValues`` are "not implemented,
  reserved" on AWS and refused here.
- MD5s (``MD5OfMessageBody``, ``MD5OfMessageAttributes``, ``MD5OfMessageSystemAttributes``):
  the body's MD5 is the hex MD5 of its UTF-8 bytes; attributes are sorted by name and each is
  encoded as length-prefixed (4-byte big-endian) name, length-prefixed data type, one
  transport byte (1 for String and Number, 2 for Binary) and the length-prefixed value (UTF-8 or
  raw bytes); the digest is the hex MD5 of the whole buffer [SQSDG sqs-message-metadata.md,
  "Calculating the MD5 message digest for message attributes"].

Error messages follow the ones SQS sends (quoted in public issue trackers); the exact wording of
the attribute-name and size messages is unconfirmed.
"""

from __future__ import annotations

import hashlib
import re
import struct
from decimal import Decimal, InvalidOperation

from .. import errors
from .codes import invalid_value, missing, sqs_error

MAX_ATTRIBUTES = 10
_INVALID_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,256}")
_TYPE = re.compile(r"(String|Number|Binary)(\..*)?", re.DOTALL)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_TRACE_HEADER = re.compile(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;[A-Za-z]+=[^;]*)*")
CHARS_MESSAGE = ("Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | "
                 "#x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")


def check_body(body: str) -> None:
    if body == "":
        raise missing("MessageBody")
    if _INVALID_CHARS.search(body):
        raise sqs_error("InvalidMessageContents", CHARS_MESSAGE)


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _blob(value) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return str(value).encode("utf-8")


def _number_ok(text: str) -> bool:
    if not _NUMBER.fullmatch(text.strip()):
        return False
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return False
    if number == 0:
        return True
    digits = number.normalize().as_tuple().digits
    magnitude = number.copy_abs().adjusted()
    return len(digits) <= 38 and -128 <= magnitude < 126


def normalize_attributes(attributes: dict | None, *, system: bool = False) -> dict:
    """Validated message (or message system) attributes: name -> {DataType, StringValue |
    BinaryValue (bytes)}. Raises the error SQS sends for the first problem found."""
    if not attributes:
        return {}
    if not system and len(attributes) > MAX_ATTRIBUTES:
        raise errors.InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}].")
    out = {}
    for name, value in attributes.items():
        kind = "message system" if system else "message (user)"
        if system:
            if name != "AWSTraceHeader":
                raise errors.InvalidParameterValue(
                    f"Message system attribute name '{name}' is invalid.")
        elif (not _NAME.fullmatch(name) or name.startswith(".") or name.endswith(".")
              or ".." in name or name.lower().startswith(("aws.", "amazon."))):
            raise errors.InvalidParameterValue(
                f"Message ({kind}) attribute name '{name}' is invalid: names may contain "
                "A-Z, a-z, 0-9, '_', '-' and '.', up to 256 characters, not start with AWS. "
                "or Amazon., and not start, end or repeat periods.")
        data_type = value.get("DataType", "")
        if value.get("StringListValues") or value.get("BinaryListValues"):
            raise errors.InvalidParameterValue(
                "Message attribute list values in SendMessage operation are not supported.")
        match = _TYPE.fullmatch(data_type)
        if not match or len(data_type) > 256:
            raise errors.InvalidParameterValue(
                f"The type of {kind} attribute '{name}' is invalid. You must use only the "
                "following supported type prefixes: Binary, Number, String.")
        logical = match.group(1)
        if system and logical != "String":
            raise errors.InvalidParameterValue(
                f"The type of message system attribute '{name}' must be String.")
        if logical == "Binary":
            raw = value.get("BinaryValue")
            if raw is None or _blob(raw) == b"":
                raise errors.InvalidParameterValue(
                    f"The message attribute '{name}' must contain non-empty message attribute "
                    f"value for message attribute type '{data_type}'.")
            out[name] = {"DataType": data_type, "BinaryValue": _blob(raw)}
            continue
        text = value.get("StringValue")
        if text is None or text == "":
            raise errors.InvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute "
                f"value for message attribute type '{data_type}'.")
        if _INVALID_CHARS.search(text) or _INVALID_CHARS.search(data_type):
            raise sqs_error("InvalidMessageContents", CHARS_MESSAGE)
        if logical == "Number" and not _number_ok(text):
            raise errors.InvalidParameterValue(
                f"Can't cast the value of message ({'system' if system else 'user'}) attribute "
                f"'{name}' to a number.")
        if system and not _TRACE_HEADER.fullmatch(text):
            raise invalid_value("MessageSystemAttributes", "AWSTraceHeader",
                                "AWSTraceHeader must be a valid X-Ray trace header.")
        out[name] = {"DataType": data_type, "StringValue": text}
    return out


def attributes_size(attributes: dict) -> int:
    """Bytes the attributes add to a message (name, data type and value)."""
    total = 0
    for name, value in attributes.items():
        total += len(name.encode()) + len(value["DataType"].encode())
        total += len(value["BinaryValue"]) if "BinaryValue" in value else \
            len(value["StringValue"].encode())
    return total


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def md5_of_attributes(attributes: dict) -> str | None:
    """SQS's MD5 of message attributes (None when there are none)."""
    if not attributes:
        return None
    buffer = bytearray()
    for name in sorted(attributes):
        value = attributes[name]
        buffer += _length_prefixed(name.encode()) + _length_prefixed(value["DataType"].encode())
        if "BinaryValue" in value:
            buffer += b"\x02" + _length_prefixed(value["BinaryValue"])
        else:
            buffer += b"\x01" + _length_prefixed(value["StringValue"].encode())
    return md5_hex(bytes(buffer))


def select_attributes(attributes: dict, names: list[str] | None) -> dict:
    """The attributes ReceiveMessage returns for ``MessageAttributeNames``: ``All`` or ``.*``
    for every one, ``prefix.*`` for names starting with ``prefix.``, else exact names."""
    if not names or not attributes:
        return {}
    if "All" in names or ".*" in names:
        return dict(attributes)
    out = {}
    for name, value in attributes.items():
        for wanted in names:
            if name == wanted or (wanted.endswith(".*") and name.startswith(wanted[:-1])):
                out[name] = value
                break
    return out
