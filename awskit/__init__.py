"""awskit: AWS in a notebook.

A deterministic, in-memory simulation of the AWS services a newcomer meets first, driven
with the real boto3 API and watched from the inside through traces.

    import awskit
    cloud = awskit.Cloud(seed=0)
    s3 = cloud.client("s3")                 # or: with awskit.mock_aws(cloud): boto3.client("s3")
    s3.create_bucket(Bucket="my-first-bucket")
    print(cloud.traces[-1].describe())
"""

from . import errors
from .cloud import Cloud

__version__ = "0.1.0"
__all__ = ["Cloud", "mock_aws", "errors", "widgets", "diagrams", "exercises", "catalog",
           "__version__"]


def __getattr__(name):
    if name == "mock_aws":   # imports boto3: loaded on first use, so `import awskit` stays fast
        from .boto import mock_aws
        return mock_aws
    if name in ("widgets", "diagrams", "exercises", "catalog", "ec2"):   # loaded on first use
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'awskit' has no attribute {name!r}")
