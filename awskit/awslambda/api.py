"""The Lambda API as boto3's ``lambda`` client sees it."""

from __future__ import annotations

from ..service import Service


class Lambda(Service):
    """AWS Lambda."""

    service_name = "lambda"
    title = "AWS Lambda"
    front_component = "Front end"
