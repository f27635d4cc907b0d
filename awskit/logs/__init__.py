"""Amazon CloudWatch Logs: log groups, streams and events (``api.py``, ``model.py``)."""
