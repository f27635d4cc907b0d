# Solutions to the exercises of 07-s3-upload-process.ipynb (checked by tests/test_solutions.py).

# exercise: object-uuid
uuid = pd.read_sql("SELECT object_id FROM object WHERE bucket_name = 'bucket-to-share' "
                   "AND object_name = 'script.txt' AND is_latest = 1",
                   cloud.s3.metadata_db).object_id[0]

# exercise: failover
holders = cloud.s3.data_store.replicas_of(uuid)
cloud.s3.data_store.fail_node(holders[0]["node"])
s3.get_object(Bucket="bucket-to-share", Key="script.txt")["Body"].read()

# exercise: least-privilege
import json
iam.create_user(UserName="intern")
iam.put_user_policy(UserName="intern", PolicyName="read-reports", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::bucket-to-share/reports/*"}]}))

# exercise: versioning-recovery
first = s3.put_object(Bucket="bucket-to-share", Key="config.json",
                      Body=b'{"mode": "safe"}')["VersionId"]
s3.put_object(Bucket="bucket-to-share", Key="config.json", Body=b'{"mode": "oops"}')
s3.copy_object(Bucket="bucket-to-share", Key="config.json",
               CopySource={"Bucket": "bucket-to-share", "Key": "config.json", "VersionId": first})
