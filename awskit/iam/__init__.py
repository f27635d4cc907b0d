"""IAM and the policy engine: who may do what, decided as AWS documents it.

- ``model.py``: accounts, users, groups, roles, policies, keys, sessions (plain data);
- ``auth.py``: authentication (access key → principal) and authorization for every request;
- ``policy.py`` / ``conditions.py`` / ``evaluation.py``: the policy language and its evaluation;
- ``managed.py``: the AWS-managed policies awskit ships;
- ``api.py``: the IAM API (boto3-shaped operations).
"""
