"""The SQS API as boto3's ``sqs`` client sees it."""

from __future__ import annotations

from ..service import Service


class SQS(Service):
    """Amazon Simple Queue Service."""

    service_name = "sqs"
    title = "Amazon SQS"
    front_component = "SQS front end"
