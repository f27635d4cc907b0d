"""AWS Lambda, from the API to the microVM (``lambda`` is a Python keyword, hence ``awslambda``).

- ``api.py``: the Lambda service (boto3's ``lambda`` client), composed of operation groups;
- ``invoke.py``, ``execution.py``, ``async_invoke.py``: invoking, the traced synchronous path,
  the event queue and its poller; ``durations.py``: the modelled durations;
  ``handler_bridge.py``: handlers' boto3 calls answered by the simulated cloud;
- ``model.py``: functions, versions, aliases and their configuration;
- ``runtime/``: real execution of the student's handler in a worker process per environment;
- ``internals/``: the front end, counting, assignment and placement services, worker hosts
  with Firecracker microVMs, component storage and SnapStart, traced;
- ``view.py``: the Lambda console.
"""
