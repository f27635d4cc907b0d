"""The AWS-managed policies awskit ships, with their real documents and identifiers.

Every account sees the same AWS-managed policies (``arn:aws:iam::aws:policy/<path><Name>``). Documents, descriptions, policy ids and default versions are AWS's own, as
``aws iam get-policy`` / ``get-policy-version`` return them (AWS managed policy reference;
public mirrors of the policy versions):

- ``AdministratorAccess`` (v1, 2015-02-06), ``AmazonS3FullAccess`` (v2, 2021-09-27) and
  ``AmazonS3ReadOnlyAccess`` (v3, 2023-08-10): complete.
- ``service-role/AWSLambdaBasicExecutionRole`` (v1, 2015-04-09; path ``/service-role/``): the
  policy a Lambda execution role attaches so its function may write CloudWatch Logs; complete.
  Its PolicyId is not in any source awskit could check: the one here is awskit's (a simulated
  ``ANPA...`` id).
- ``ReadOnlyAccess``: **abridged**. The real policy lists read actions for some 400 services in
  one statement (Sid ``ReadOnlyActions``); awskit keeps exactly the entries, unchanged, for the
  services it simulates now or plans to: s3, iam, sts, lambda, sqs, ec2, dynamodb, rds,
  elasticache, cloudwatch, logs, cloudfront, route53, ecs, eks, elasticfilesystem, autoscaling.
  Taken from version v111 (2024-02-05), the newest version whose full text awskit could check,
  and reported as v111; AWS revises this policy every few weeks (a public ``get-policy`` output
  shows v188 on 2026-07-21), so later versions may list more actions for these services.

The document text is ``json.dumps(document, indent=4)`` (AWS serves its own formatting, which
only shifts the line/column positions ``MatchedStatements`` report). Dates are POSIX seconds of
the real UTC timestamps.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from ..clock import EPOCH
from .model import ManagedPolicy, PolicyVersion
from .policy import Policy

__all__ = ["aws_managed_policies", "get", "by_name",
           "ARNS", "READ_ONLY_SERVICES"]

READ_ONLY_SERVICES = ("s3", "iam", "sts", "lambda", "sqs", "ec2", "dynamodb", "rds", "elasticache",
                      "cloudwatch", "logs", "cloudfront", "route53", "ecs", "eks",
                      "elasticfilesystem", "autoscaling")

_READ_ONLY_ACTIONS = [
    "autoscaling:Describe*", "autoscaling:GetPredictiveScalingForecast",
    "cloudfront:Describe*", "cloudfront:Get*", "cloudfront:List*",
    "cloudwatch:Describe*", "cloudwatch:GenerateQuery", "cloudwatch:Get*", "cloudwatch:List*",
    "dynamodb:BatchGet*", "dynamodb:Describe*", "dynamodb:Get*", "dynamodb:List*",
    "dynamodb:PartiQLSelect", "dynamodb:Query", "dynamodb:Scan",
    "ec2:Describe*", "ec2:Get*", "ec2:ListImagesInRecycleBin", "ec2:ListSnapshotsInRecycleBin",
    "ec2:SearchLocalGatewayRoutes", "ec2:SearchTransitGatewayRoutes",
    "ecs:Describe*", "ecs:List*",
    "eks:Describe*", "eks:List*",
    "elasticache:Describe*", "elasticache:List*",
    "elasticfilesystem:Describe*", "elasticfilesystem:ListTagsForResource",
    "iam:Generate*", "iam:Get*", "iam:List*", "iam:Simulate*",
    "lambda:Get*", "lambda:List*",
    "logs:Describe*", "logs:FilterLogEvents", "logs:Get*", "logs:ListAnomalies",
    "logs:ListLogAnomalyDetectors", "logs:ListLogDeliveries", "logs:ListTagsForResource",
    "logs:ListTagsLogGroup", "logs:StartLiveTail", "logs:StartQuery", "logs:StopLiveTail",
    "logs:StopQuery", "logs:TestMetricFilter",
    "rds:Describe*", "rds:Download*", "rds:List*",
    "route53:Get*", "route53:List*", "route53:Test*",
    "s3:DescribeJob", "s3:Get*", "s3:List*",
    "sqs:Get*", "sqs:List*", "sqs:Receive*",
    "sts:GetAccessKeyInfo", "sts:GetCallerIdentity", "sts:GetSessionToken",
]

# name, policy id, description, default version, version date, policy creation date, document
_TABLE = [
    ("AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK",
     "Provides full access to AWS services and resources.", "v1",
     "2015-02-06T18:39:46Z", "2015-02-06T18:39:46Z",
     {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    ("AmazonS3FullAccess", "ANPAIFIR6V6BVTRAHWINE",
     "Provides full access to all buckets via the AWS Management Console.", "v2",
     "2021-09-27T20:16:37Z", "2015-02-06T18:40:58Z",
     {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"],
                     "Resource": "*"}]}),
    ("AmazonS3ReadOnlyAccess", "ANPAIZTJ4DXE7G6AGAE6M",
     "Provides read only access to all buckets via the AWS Management Console.", "v3",
     "2023-08-10T21:31:39Z", "2015-02-06T18:40:59Z",
     {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow",
                     "Action": ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*",
                                "s3-object-lambda:List*"],
                     "Resource": "*"}]}),
    ("ReadOnlyAccess", "ANPAILL3HVNFSB6DCOWYQ",
     "Provides read-only access to AWS services and resources.", "v111",
     "2024-02-05T15:00:23Z", "2015-02-06T18:39:48Z",
     {"Version": "2012-10-17",
      "Statement": [{"Sid": "ReadOnlyActions", "Effect": "Allow", "Action": _READ_ONLY_ACTIONS,
                     "Resource": "*"}]}),
    ("AWSLambdaBasicExecutionRole", "ANPAAWSKITLAMBDABASIC",   # PolicyId simulated
     "Provides write permissions to CloudWatch Logs.", "v1",
     "2015-04-09T15:03:43Z", "2015-04-09T15:03:43Z",
     {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow",
                     "Action": ["logs:CreateLogGroup", "logs:CreateLogStream",
                                "logs:PutLogEvents"],
                     "Resource": "*"}]}),
]
#: policies that live under a path other than "/"
PATHS = {"AWSLambdaBasicExecutionRole": "/service-role/"}
ARNS = {name: f"arn:aws:iam::aws:policy{PATHS.get(name, '/')}{name}" for name, *_ in _TABLE}


def _elapsed(iso: str) -> float:
    """An ISO 8601 UTC date as seconds on the simulated clock (negative: before its epoch)."""
    moment = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return (moment - EPOCH).total_seconds()


_PARSED: dict[str, Policy] = {}


def _policy(name: str, document: dict) -> Policy:
    policy = _PARSED.get(name)
    if policy is None:
        policy = _PARSED[name] = Policy.parse(json.dumps(document, indent=4), kind="identity")
    return policy


def aws_managed_policies() -> dict[str, ManagedPolicy]:
    """Fresh ``ManagedPolicy`` objects (``aws_managed=True``) by ARN; the parsed documents are
    shared. Their policy ids, versions and dates are AWS's real ones."""
    out = {}
    for name, policy_id, description, version, version_date, created, document in _TABLE:
        arn = ARNS[name]
        out[arn] = ManagedPolicy(
            name=name, path=PATHS.get(name, "/"), arn=arn, policy_id=policy_id, created=_elapsed(created),
            updated=_elapsed(version_date), description=description, default_version=version,
            aws_managed=True,
            versions={version: PolicyVersion(version, _policy(name, document),
                                             _elapsed(version_date), is_default=True)})
    return out


def get(arn: str) -> ManagedPolicy | None:
    return aws_managed_policies().get(arn)


def by_name(name: str) -> ManagedPolicy | None:
    return aws_managed_policies().get(ARNS.get(name, ""))
