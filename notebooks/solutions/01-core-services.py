# Solutions to the exercises of 01-core-services.ipynb (checked by tests/test_solutions.py).

# exercise: bucket-in-region
ireland = cloud.client("s3", region_name="eu-west-1")
ireland.create_bucket(Bucket="course-data-ireland",
                      CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
