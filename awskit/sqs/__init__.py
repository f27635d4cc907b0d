"""Amazon SQS: queues with visibility timeouts and dead-letter redrive (``api.py``, ``model.py``)."""
