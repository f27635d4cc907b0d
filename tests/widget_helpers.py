"""Helpers shared by the widget and console tests (not a test module)."""

def upload(cloud, bucket="photos", key="cat.jpg", body=b"x" * 1024):
    """A bucket and one object in it; returns the two traces (CreateBucket, PutObject)."""
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    return cloud.traces[-2:]
