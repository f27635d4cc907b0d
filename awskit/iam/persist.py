"""IAM state as plain JSON data (``cloud.save``), and IAM's part of ``cloud.graph()``."""

from __future__ import annotations

import dataclasses

from .model import (AccessKey, AccountIAM, Group, ManagedPolicy, PolicyVersion, Role, Session,
                    User)
from .policy import Policy


def _policy_out(policy) -> dict:
    return {"text": policy.text, "kind": policy.kind}


def _policy_in(data: dict):
    return Policy.parse(data["text"], kind=data["kind"])


def _entity_out(entity) -> dict:
    out = {}
    for f in dataclasses.fields(entity):
        value = getattr(entity, f.name)
        if f.name in ("inline",):
            value = {name: _policy_out(p) for name, p in value.items()}
        elif f.name in ("trust",):
            value = _policy_out(value)
        elif f.name == "policies" and isinstance(entity, Session):
            value = [_policy_out(p) for p in value]
        elif f.name == "versions":
            value = {vid: {"version_id": v.version_id, "document": _policy_out(v.document),
                           "created": v.created, "is_default": v.is_default}
                     for vid, v in value.items()}
        out[f.name] = value
    return out


def _entity_in(cls, data: dict):
    data = dict(data)
    if "inline" in data:
        data["inline"] = {name: _policy_in(p) for name, p in data["inline"].items()}
    if cls is Role:
        data["trust"] = _policy_in(data["trust"])
    if cls is Session:
        data["policies"] = [_policy_in(p) for p in data["policies"]]
    if cls is ManagedPolicy:
        data["versions"] = {vid: PolicyVersion(v["version_id"], _policy_in(v["document"]),
                                               v["created"], v["is_default"])
                            for vid, v in data["versions"].items()}
    return cls(**data)


def dump_iam(iam) -> dict:
    accounts = {}
    for account_id, account in iam.accounts.items():
        accounts[account_id] = {
            "id": account.id, "created": account.created, "alias": account.alias,
            "root_key": dataclasses.asdict(account.root_key),
            "users": [_entity_out(u) for u in account.users.values()],
            "groups": [_entity_out(g) for g in account.groups.values()],
            "roles": [_entity_out(r) for r in account.roles.values()],
            "policies": [_entity_out(p) for p in account.policies.values()],
        }
    return {"accounts": accounts,
            "keys": [dataclasses.asdict(k) for k in iam.keys.values()],
            "sessions": [_entity_out(s) for s in iam.sessions.values()]}


def load_iam(iam, data: dict) -> None:
    iam._init_model()
    for account_id, a in data["accounts"].items():
        account = AccountIAM(a["id"], AccessKey(**a["root_key"]), a["created"], alias=a["alias"])
        for u in a["users"]:
            user = _entity_in(User, u)
            account.users[user.name.lower()] = user
        for g in a["groups"]:
            group = _entity_in(Group, g)
            account.groups[group.name.lower()] = group
        for r in a["roles"]:
            role = _entity_in(Role, r)
            account.roles[role.name.lower()] = role
        for p in a["policies"]:
            policy = _entity_in(ManagedPolicy, p)
            account.policies[policy.arn] = policy
        iam.accounts[account_id] = account
    for k in data["keys"]:
        key = AccessKey(**k)
        iam.keys[key.id] = key
    for account in iam.accounts.values():    # one object per key, whether deleted or not
        account.root_key = iam.keys.get(account.root_key.id, account.root_key)
    for s in data["sessions"]:
        session = _entity_in(Session, s)
        iam.sessions[session.access_key_id] = session
    iam.changed()


def graph_iam(iam, graph) -> None:
    """Accounts, users, groups, roles and customer-managed policies, with their relations."""
    used_managed = set()
    for account in iam.accounts.values():
        graph.add_node(account.root_arn, type="account", name=account.id, account=account.id)
        for policy in account.policies.values():
            graph.add_node(policy.arn, type="iam-policy", name=policy.name, account=account.id)
        for group in account.groups.values():
            graph.add_node(group.arn, type="iam-group", name=group.name, account=account.id)
            graph.add_edge(account.root_arn, group.arn, relation="contains")
            for arn in group.attached:
                used_managed.add(arn)
                graph.add_edge(group.arn, arn, relation="attached-policy")
        for user in account.users.values():
            graph.add_node(user.arn, type="iam-user", name=user.name, account=account.id)
            graph.add_edge(account.root_arn, user.arn, relation="contains")
            for name in user.groups:
                graph.add_edge(user.arn, account.groups[name.lower()].arn, relation="member-of")
            for arn in user.attached:
                used_managed.add(arn)
                graph.add_edge(user.arn, arn, relation="attached-policy")
        for role in account.roles.values():
            graph.add_node(role.arn, type="iam-role", name=role.name, account=account.id)
            graph.add_edge(account.root_arn, role.arn, relation="contains")
            for arn in role.attached:
                used_managed.add(arn)
                graph.add_edge(role.arn, arn, relation="attached-policy")
            for kind, principal in _trusted(role.trust):
                if principal.isdigit():
                    principal = f"arn:aws:iam::{principal}:root"
                if principal not in graph:
                    graph.add_node(principal,
                                   type="aws-service" if kind == "Service" else "principal",
                                   name=principal)
                graph.add_edge(role.arn, principal, relation="trusts")
    for arn in sorted(used_managed):
        managed = iam.aws_managed.get(arn)
        if managed is not None:
            graph.add_node(arn, type="iam-policy", name=managed.name, account="aws")


def _trusted(trust) -> list[tuple[str, str]]:
    """(kind, principal) pairs a trust policy's Allow statements name (for the graph)."""
    out = set()
    for statement in trust.statements:
        principal = statement.principal
        if statement.effect != "Allow" or principal == "*" or principal is None:
            continue
        for kind in ("AWS", "Service", "Federated"):
            out.update((kind, p) for p in principal.get(kind, []) if p != "*")
    return sorted(out)
