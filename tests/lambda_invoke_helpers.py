"""Helpers shared by the Lambda invoke tests (not a test module)."""

import base64
import json

import pytest
from botocore.exceptions import ClientError

from awskit.awslambda.packaging import zip_function

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})
COUNTER = """
import os
count = 0
print("init ran")
def handler(event, context):
    global count
    count += 1
    print("event", event)
    return {"count": count, "pid": os.getpid(), "rid": context.aws_request_id,
            "arn": context.invoked_function_arn, "memory": context.memory_limit_in_mb}
"""
LOGS = {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
                                      "logs:PutLogEvents"], "Resource": "arn:aws:logs:*:*:*"}


def role(cloud, name="exec", statements=(LOGS,), account=None) -> str:
    """An execution role Lambda may assume, with these policy statements."""
    iam = cloud.client("iam", account=account)
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": list(statements)}))
    return arn


def deploy(cloud, source, name="fn", role_arn=None, wait=True, **config) -> dict:
    """Create a function from handler source (``handler`` in ``lambda_function``) and let it
    turn Active; returns CreateFunction's answer."""
    code, handler = zip_function(source) if isinstance(source, str) else source
    lam = cloud.client("lambda")
    if role_arn is None:
        role_arn = role(cloud, f"role-{name}")
    out = lam.create_function(FunctionName=name, Runtime=config.pop("Runtime", "python3.12"),
                              Role=role_arn, Handler=handler, Code={"ZipFile": code}, **config)
    if wait:
        cloud.advance(cloud.awslambda.create_seconds)
    return out


def call(lam, name="fn", event=None, **kw) -> dict:
    """Invoke synchronously; returns the response with ``Payload`` read and ``Log`` decoded."""
    kw.setdefault("LogType", "Tail")
    out = lam.invoke(FunctionName=name, Payload=json.dumps(event if event is not None else {}),
                     **kw)
    out["Body"] = out["Payload"].read()
    out["Log"] = base64.b64decode(out["LogResult"]).decode() if "LogResult" in out else ""
    return out


def fails(call_, **kwargs) -> dict:
    """The Error dict (+ Status) of a call that must raise a ClientError."""
    with pytest.raises(ClientError) as info:
        call_(**kwargs)
    response = info.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def report(log: str) -> dict:
    """The fields of the REPORT line of a log tail."""
    line = next(line for line in log.splitlines() if line.startswith("REPORT "))
    fields = {}
    for part in line.split("\t"):
        key, _, value = part.partition(": ")
        fields[key] = value
    return fields


def components(trace) -> list[str]:
    return [step.component for step in trace.steps]


def step(trace, component, startswith=""):
    return next(s for s in trace.steps if s.component == component
                and s.action.startswith(startswith))
