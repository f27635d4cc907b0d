"""The CloudWatch Logs API as boto3's ``logs`` client sees it."""

from __future__ import annotations

from ..service import Service


class Logs(Service):
    """Amazon CloudWatch Logs."""

    service_name = "logs"
    title = "CloudWatch Logs"
    front_component = "CloudWatch Logs front end"
