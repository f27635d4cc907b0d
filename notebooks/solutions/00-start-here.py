# Solutions to the exercises of 00-start-here.ipynb (checked by tests/test_solutions.py).

# exercise: first-upload
s3.create_bucket(Bucket="my-first-bucket")
s3.put_object(Bucket="my-first-bucket", Key="hello.txt", Body=b"Hello, cloud!")

# exercise: trace-reading
answer = "Data store"
