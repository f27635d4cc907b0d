"""AWS Lambda, from the API to the microVM (``lambda`` is a Python keyword, hence ``awslambda``).

- ``api.py``: the Lambda service (boto3's ``lambda`` client), composed of operation groups;
- ``model.py``: functions, versions, aliases and their configuration;
- ``runtime/``: real execution of the student's handler in a worker process per environment;
- ``internals/``: the front end, counting, assignment and placement services, worker hosts
  with Firecracker microVMs, component storage and SnapStart, traced;
- ``view.py``: the Lambda console.
"""
