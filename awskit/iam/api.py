"""The IAM API: users, groups, roles, policies and access keys, as boto3's ``iam`` client sees them.

IAM is a global service (no Region in its ARNs; its endpoint lives in us-east-1). It speaks
the query protocol: policy documents travel URL-encoded and botocore decodes them into dicts,
so both fronts hand the student a dict.

``IAM`` (``cloud.iam``) is composed from the operation mixins of this package:

- ``users.py``: users, access keys, login profiles, user tags;
- ``groups.py``: groups and memberships;
- ``roles.py``: roles, trust policies, role tags;
- ``inline.py``: inline policies of users, groups and roles;
- ``policies.py``: managed policies and their versions;
- ``attach.py``: attaching managed policies, permissions boundaries, ListEntitiesForPolicy;
- ``account.py``: account alias, GetAccountSummary;
- ``simulate.py``: the policy simulator;

over ``common.py`` (front door, lookups, shapes, paging, quotas) and ``auth.py`` (credentials,
policy lookup and authorization for every service's requests).

Every operation checks its input against the model (ValidationError), authorizes its
``iam:`` action on the entity's ARN (``arn:aws:iam::<acct>:user/<path><name>`` ...; the root
user may do anything in its own account, IAM users and roles need a policy that allows it),
records its work as "IAM" steps on the request's trace, and drops cached policy lookups after
any change.
"""

from __future__ import annotations

from ..service import Service
from .account import AccountOperations
from .attach import AttachmentOperations
from .auth import IAMModel
from .common import IAMCommon, encode_document  # noqa: F401 (encode_document: public helper)
from .groups import GroupOperations
from .inline import InlinePolicyOperations
from .policies import ManagedPolicyOperations
from .roles import RoleOperations
from .simulate import SimulationOperations
from .users import UserOperations


class IAM(UserOperations, GroupOperations, RoleOperations, InlinePolicyOperations,
          ManagedPolicyOperations, AttachmentOperations, AccountOperations,
          SimulationOperations, IAMCommon, IAMModel, Service):
    """AWS Identity and Access Management."""

    service_name = "iam"
    title = "IAM"
    front_component = "IAM API"
    is_global = True
    console_view = "awskit.iam.view:IAMConsole"

    def __init__(self, cloud):
        Service.__init__(self, cloud)
        self._init_model()

    # -- state ------------------------------------------------------------------------------
    def state(self) -> dict:
        from .persist import dump_iam
        return dump_iam(self)

    def load_state(self, data: dict) -> None:
        from .persist import load_iam
        load_iam(self, data)

    def add_to_graph(self, graph) -> None:
        from .persist import graph_iam
        graph_iam(self, graph)
