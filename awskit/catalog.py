"""The landscape of AWS's core services, as the course presents it.

One row per service: its category, what it is for (in a sentence), where the course covers
it, and whether this version of awskit simulates it (read from :data:`awskit.cloud.SERVICES`,
so the table stays true as services land). Descriptions follow ``shared/facts/`` and the
services' own documentation.
"""

from __future__ import annotations

from .cloud import SERVICES

CATEGORIES = ["compute", "storage", "database", "networking", "security", "integration",
              "management"]

#: (boto3 name, service, category, what it is for, notebook)
CORE_SERVICES = [
    ("ec2", "Amazon EC2", "compute",
     "virtual servers in many instance types, started and stopped on demand", "02-compute"),
    ("lambda", "AWS Lambda", "compute",
     "runs your functions on demand, no servers to manage, billed per request and ms of compute",
     "06-lambda-deep-dive"),
    ("ecs", "Amazon ECS", "compute", "AWS's own orchestrator for containers", "02-compute"),
    ("eks", "Amazon EKS", "compute", "managed Kubernetes for containers", "02-compute"),
    ("s3", "Amazon S3", "storage",
     "object storage: buckets of objects addressed by key, replicated across AZs",
     "07-s3-upload-process"),
    ("ebs", "Amazon EBS", "storage", "block volumes attached to one EC2 instance, with snapshots",
     "03-storage"),
    ("efs", "Amazon EFS", "storage",
     "a shared file system mounted by many instances across AZs, growing as files are added",
     "03-storage"),
    ("rds", "Amazon RDS", "database",
     "managed relational databases (MySQL, PostgreSQL, Oracle, SQL Server) with backups",
     "04-databases"),
    ("dynamodb", "Amazon DynamoDB", "database",
     "a managed NoSQL key-value and document database with single-digit-ms reads",
     "04-databases"),
    ("elasticache", "Amazon ElastiCache", "database",
     "managed in-memory caches (Redis, Memcached) with sub-ms reads", "04-databases"),
    ("vpc", "Amazon VPC", "networking",
     "your isolated network: subnets per AZ, route tables, security groups, network ACLs",
     "05-networking"),
    ("cloudfront", "Amazon CloudFront", "networking",
     "a content delivery network caching content at edge locations", "05-networking"),
    ("route53", "Amazon Route 53", "networking",
     "DNS with health checks and routing policies", "05-networking"),
    ("iam", "AWS IAM", "security",
     "who may do what: users, roles, policies, evaluated on every request",
     "07-s3-upload-process"),
    ("sts", "AWS STS", "security", "temporary credentials, e.g. for assuming a role",
     "08-best-practices"),
    ("sqs", "Amazon SQS", "integration", "message queues between the parts of an application",
     "06-lambda-deep-dive"),
    ("cloudwatch", "Amazon CloudWatch", "management", "metrics, logs and alarms",
     "08-best-practices"),
]

#: The six pillars of the AWS Well-Architected Framework (facts: platform.md), each with a
#: practice the course puts into the student's hands and where.
PILLARS = [
    ("Operational Excellence", "trace every request; automate checks", "00-start-here"),
    ("Security", "least-privilege IAM policies; Block Public Access", "07-s3-upload-process"),
    ("Reliability", "replicas across AZs survive a failed node", "07-s3-upload-process"),
    ("Performance Efficiency", "caches and edge locations close to users", "05-networking"),
    ("Cost Optimization", "storage classes and lifecycle rules", "03-storage"),
    ("Sustainability", "keep only what you need: expire old data", "03-storage"),
]


def landscape() -> list[dict]:
    """The core services as rows (service, category, purpose, notebook, simulated)."""
    return [{"service": name, "category": category, "what it is for": purpose,
             "course notebook": notebook, "simulated by awskit now": key in SERVICES}
            for key, name, category, purpose, notebook in CORE_SERVICES]


def landscape_frame():
    """:func:`landscape` as a pandas DataFrame."""
    import pandas as pd
    return pd.DataFrame(landscape())
