"""Exercise checks for the course notebooks: ``awskit.exercises.check_...(cloud)``.

Each check inspects the student's cloud (not only a returned value) and returns a
:class:`Check`: displayed, it is a green PASS badge, or a hint that names the concept to
revisit. A check never raises on a wrong answer. One module per part of the course.
"""

from .awslambda import check_async_dlq, check_provisioned_warm
from .core import PASS, Check, Hint
from .network import check_nacl_return, check_private_outbound, check_transit_hub
from .storage import (check_bucket_in_region, check_failover, check_first_upload,
                      check_least_privilege, check_object_uuid, check_seven_steps,
                      check_trace_reading, check_versioning_recovery)

__all__ = ["PASS", "Check", "Hint", "check_async_dlq", "check_bucket_in_region",
           "check_failover", "check_first_upload", "check_least_privilege",
           "check_nacl_return", "check_object_uuid", "check_private_outbound",
           "check_provisioned_warm", "check_seven_steps", "check_trace_reading",
           "check_transit_hub", "check_versioning_recovery"]
