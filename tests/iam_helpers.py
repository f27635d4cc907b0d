"""Helpers shared by the IAM and STS tests (not a test module)."""

import json

import pytest
from botocore.exceptions import ClientError


def doc(*statements, version="2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)})


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(principal, action="sts:AssumeRole", **extra) -> str:
    return doc({"Effect": "Allow", "Principal": principal, "Action": action, **extra})


def error(call, *args, **kwargs) -> dict:
    """The Error dict of a call that must fail with a ClientError (plus the HTTP status)."""
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def user_with_key(cloud, name, *policy_arns, inline=None, account=None):
    """Create an IAM user (as the account's root) with an access key; returns its credentials."""
    iam = cloud.client("iam", account=account)
    iam.create_user(UserName=name)
    for arn in policy_arns:
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    if inline is not None:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=inline)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"aws_access_key_id": key["AccessKeyId"],
            "aws_secret_access_key": key["SecretAccessKey"]}


def session_creds(credentials: dict) -> dict:
    """boto3 client keyword arguments for STS temporary credentials."""
    return {"aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"]}
