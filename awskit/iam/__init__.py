"""IAM and the policy engine: who may do what, decided as AWS documents it.

- ``model.py``: accounts, users, groups, roles, policies, keys, sessions (plain data);
- ``auth.py``: authentication (access key → principal) and authorization for every request;
- ``policy.py`` / ``conditions.py`` / ``evaluation.py``: the policy language and its evaluation;
- ``managed.py``: the AWS-managed policies awskit ships;
- ``api.py``: the IAM service, composed of the operation groups in ``users.py``, ``groups.py``,
  ``roles.py``, ``inline.py``, ``policies.py``, ``attach.py``, ``account.py`` and
  ``simulate.py`` (the policy simulator), with ``common.py`` / ``validate.py`` shared by them;
- ``explain.py``: ``cloud.iam.explain(...)``, which statement decides and why;
- ``persist.py``: IAM's state for ``cloud.save`` and its part of ``cloud.graph()``.
"""
