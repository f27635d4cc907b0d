"""Helpers shared by the Lambda control-plane tests (not a test module)."""

import base64
import hashlib
import io
import json
import zipfile

import pytest
from botocore.exceptions import ClientError

from awskit.awslambda.packaging import zip_function

LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
SOURCE = "def handler(event, context):\n    return event\n"
CODE, HANDLER = zip_function(SOURCE)


def sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def make_role(cloud, name="exec", trust=LAMBDA_TRUST, account=None, policy=None) -> str:
    iam = cloud.client("iam", account=account)
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    if policy is not None:
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    return arn


def create(lam, role, name="fn", code=CODE, **kw):
    params = {"FunctionName": name, "Runtime": "python3.12", "Role": role, "Handler": HANDLER,
              "Code": {"ZipFile": code}, **kw}
    return lam.create_function(**params)


def active(cloud, lam, role, name="fn", **kw):
    """Create a function and let it turn Active."""
    out = create(lam, role, name, **kw)
    cloud.advance(cloud.awslambda.create_seconds)
    return out


def error(call, **kwargs) -> dict:
    """The Error dict of a call that must fail with a ClientError (plus the HTTP status)."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def big_zip(unzipped: int, name: str = "big.bin") -> bytes:
    """A small zip whose one file unzips to ``unzipped`` bytes (zeros, streamed)."""
    buffer = io.BytesIO()
    chunk = bytes(1 << 20)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(info, "w", force_zip64=True) as out:
            left = unzipped
            while left:
                out.write(chunk[:min(left, len(chunk))])
                left -= min(left, len(chunk))
    return buffer.getvalue()
