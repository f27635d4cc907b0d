"""The IAM policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy, GetContextKeys*.

What AWS does (botocore iam model, EvaluationResult/ResourceSpecificResult documentation;
real responses published in public repositories): every action of ``ActionNames`` is
evaluated on every resource of ``ResourceArns`` (default ``*``), giving one EvaluationResult
each, paginated with MaxItems/Marker. ``MatchedStatements`` lists the statements that decided
(only the Deny ones on an explicit deny), each with the policy it comes from and its
StartPosition/EndPosition. Real responses name an entity's policies as the simulator shows
them: a managed policy by its name, an inline policy as ``<user|group|role>_<entity>_<policy>``,
an input policy as ``PolicyInputList.<n>``, all with SourcePolicyType ``IAM Policy`` (the
model's enum lists other values; responses show this one). With resources given, the result
has an empty ``EvalDecisionDetails`` (same account) and one ``ResourceSpecificResults`` entry;
with ``*`` neither. A permissions boundary (the entity's, or the one passed in
``PermissionsBoundaryPolicyInputList``) adds ``PermissionsBoundaryDecisionDetail``.
``ContextEntries`` supply condition keys; keys a matching statement needs but the request
lacks are listed in ``MissingContextValues``.

What we simplify (unconfirmed details): the resource policy is reported as ``ResourcePolicy``
of type ``resource``; cross-account details are ``{"IAM Policy": ..., "Resource Policy": ...}``;
the simulated request also carries the keys that identify the simulated caller
(``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalType``, ``aws:username``);
``ResourceHandlingOption`` (EC2 scenarios) is accepted and ignored; without a resource policy
the simulation evaluates identity-side policies only, whoever owns the resources.
"""

from __future__ import annotations

import re

from .. import errors
from ..service import Request
from .common import iam_operation
from .evaluation import AuthzRequest, PolicySource, evaluate

_SOURCE_ARN = re.compile(r"arn:aws:iam::(\d{12}):(user|group|role)(/(?:[^/]+/)*)([\w+=,.@-]+)")
_RANK = {"explicitDeny": 2, "allowed": 1, "implicitDeny": 0}


class SimulationOperations:
    """SimulatePrincipalPolicy, SimulateCustomPolicy, GetContextKeysFor*Policy."""

    # -- inputs -----------------------------------------------------------------------------
    @staticmethod
    def _parse_input(document: str, kind: str):
        from .policy import Policy
        try:
            return Policy.parse(document, kind=kind)
        except errors.AWSError as err:   # the simulator reports bad documents as InvalidInput
            raise errors.InvalidInput(err.message)

    def _inputs(self, documents, name: str) -> list[PolicySource]:
        return [PolicySource(self._parse_input(doc, "identity"), f"{name}.{i}", "IAM Policy",
                             "identity") for i, doc in enumerate(documents or [], 1)]

    def _source_entity(self, req: Request, arn: str):
        match = _SOURCE_ARN.fullmatch(arn)
        account = self.acct(req)
        if match is None:
            raise errors.InvalidInput(f"ARN {arn} is not valid.")
        if match.group(1) != account.id:
            raise errors.NoSuchEntity(f"The {match.group(2)} with name {match.group(4)} cannot "
                                      "be found.")
        kind, name = match.group(2), match.group(4)
        lookup = {"user": self.user_of, "group": self.group_of, "role": self.role_of}[kind]
        return account, kind, lookup(account, name)

    @staticmethod
    def _context(entries) -> dict:
        context = {}
        for entry in entries or []:
            values = list(entry.get("ContextKeyValues", []))
            kind = entry.get("ContextKeyType", "string")
            context[entry["ContextKeyName"]] = values if kind.endswith("List") else (
                values[0] if values else None)
        return context

    # -- the simulation ---------------------------------------------------------------------
    def _simulate(self, req: Request, account, identity, boundary, *, caller_arn: str,
                  ActionNames, ResourceArns, ResourcePolicy, ResourceOwner, ContextEntries,
                  Marker, MaxItems):
        resources = []
        if ResourcePolicy is not None:
            resources.append(PolicySource(self._parse_input(ResourcePolicy, "resource"),
                                          "ResourcePolicy", "resource", "resource"))
        context = self._context(ContextEntries)
        targets = list(ResourceArns or ["*"])
        results = []
        for action in ActionNames:
            for resource in targets:
                owner = None
                if resources:
                    fields = resource.split(":")
                    owner = (fields[4] if len(fields) > 4 and fields[4] else
                             ResourceOwner or caller_arn.split(":")[4])
                request = AuthzRequest(action=action, resource=resource,
                                       principal_arn=caller_arn, principal_account=account.id,
                                       resource_account=owner, context=context)
                decision = evaluate(request, identity, resources, boundary=boundary)
                results.append(self._result(decision, action, resource, identity, resources,
                                            cross=owner is not None and owner != account.id))
        chunk, extra = self.page(req, results, Marker, MaxItems)
        req.step("IAM", f"Simulate {len(ActionNames)} action(s) on {len(targets)} resource(s) "
                        f"against {len(identity) + len(resources)} policies", 2.0 + len(results))
        return {"EvaluationResults": chunk, **extra}

    @staticmethod
    def _side(decision, sources) -> str:
        verdicts = [decision.details.get(s.source_id, "implicitDeny") for s in sources]
        return max(verdicts, key=_RANK.get, default="implicitDeny")

    def _result(self, decision, action, resource, identity, resources, cross: bool) -> dict:
        if decision.decision == "explicitDeny":
            shown = [m for m in decision.matched if m.effect == "Deny"]
        elif decision.allowed:
            shown = [m for m in decision.matched
                     if m.effect == "Allow" and m.source.kind in ("identity", "resource")]
        else:
            shown = []
        matched = [m.to_api() for m in shown]
        missing = list(decision.missing_context_keys)
        out = {"EvalActionName": action, "EvalResourceName": resource,
               "EvalDecision": decision.decision, "MatchedStatements": matched,
               "MissingContextValues": missing if resource == "*" else []}
        boundary = None
        if decision.boundary_allowed is not None:
            boundary = {"AllowedByPermissionsBoundary": decision.boundary_allowed}
            out["PermissionsBoundaryDecisionDetail"] = boundary
        if resource != "*":
            details = {}
            if cross:
                details = {"IAM Policy": self._side(decision, identity),
                           "Resource Policy": self._side(decision, resources)}
            out["EvalDecisionDetails"] = details
            specific = {"EvalResourceName": resource, "EvalResourceDecision": decision.decision,
                        "MatchedStatements": matched, "MissingContextValues": missing}
            if cross:
                specific["EvalDecisionDetails"] = details
            if boundary is not None:
                specific["PermissionsBoundaryDecisionDetail"] = boundary
            out["ResourceSpecificResults"] = [specific]
        return out

    def _boundary_input(self, documents):
        if documents and len(documents) > 1:
            raise errors.InvalidInput("Only one permissions boundary policy can be simulated.")
        inputs = self._inputs(documents, "PermissionsBoundaryPolicyInputList")
        if not inputs:
            return None
        return PolicySource(inputs[0].policy, inputs[0].source_id, "IAM Policy", "boundary")

    def _caller(self, account, CallerArn: str | None) -> str | None:
        if CallerArn is None:
            return None
        match = _SOURCE_ARN.fullmatch(CallerArn)
        if match is None or match.group(2) != "user":
            raise errors.InvalidInput(f"Invalid CallerArn {CallerArn}: the simulated caller "
                                      "must be an IAM user.")     # wording unconfirmed
        return CallerArn

    # -- operations -------------------------------------------------------------------------
    @iam_operation
    def simulate_principal_policy(self, req: Request, PolicySourceArn: str, ActionNames,
                                  PolicyInputList=None, PermissionsBoundaryPolicyInputList=None,
                                  ResourceArns=None, ResourcePolicy=None, ResourceOwner=None,
                                  CallerArn=None, ContextEntries=None,
                                  ResourceHandlingOption=None, MaxItems=None, Marker=None):
        req.authorize("iam:SimulatePrincipalPolicy", PolicySourceArn,
                      resource_account=self.acct(req).id)
        account, kind, entity = self._source_entity(req, PolicySourceArn)
        identity = (self.entity_sources(account, kind, entity, simulator=True)
                    + self._inputs(PolicyInputList, "PolicyInputList"))
        boundary = self._boundary_input(PermissionsBoundaryPolicyInputList)
        if boundary is None and getattr(entity, "boundary", None):
            managed = self.managed_policy(entity.boundary)
            boundary = PolicySource(managed.document, managed.name, "IAM Policy", "boundary")
        caller = self._caller(account, CallerArn)
        if ResourcePolicy is not None:
            if kind == "role":
                raise errors.InvalidInput("Simulation of resource-based policies isn't "
                                          "supported for IAM roles.")   # wording unconfirmed
            if kind != "user" and caller is None:
                raise errors.InvalidInput("CallerArn is required when a ResourcePolicy is "
                                          "given and the policy source is not an IAM user.")
        return self._simulate(req, account, identity, boundary,
                              caller_arn=caller or entity.arn, ActionNames=ActionNames,
                              ResourceArns=ResourceArns, ResourcePolicy=ResourcePolicy,
                              ResourceOwner=ResourceOwner, ContextEntries=ContextEntries,
                              Marker=Marker, MaxItems=MaxItems)

    @iam_operation
    def simulate_custom_policy(self, req: Request, PolicyInputList, ActionNames,
                               PermissionsBoundaryPolicyInputList=None, ResourceArns=None,
                               ResourcePolicy=None, ResourceOwner=None, CallerArn=None,
                               ContextEntries=None, ResourceHandlingOption=None, MaxItems=None,
                               Marker=None):
        account = self.acct(req)
        req.authorize("iam:SimulateCustomPolicy", "*", resource_account=account.id)
        identity = self._inputs(PolicyInputList, "PolicyInputList")
        boundary = self._boundary_input(PermissionsBoundaryPolicyInputList)
        caller = self._caller(account, CallerArn)
        if ResourcePolicy is not None and caller is None:
            raise errors.InvalidInput("CallerArn is required when a ResourcePolicy is given.")
        return self._simulate(req, account, identity, boundary,
                              caller_arn=caller or account.root_arn, ActionNames=ActionNames,
                              ResourceArns=ResourceArns, ResourcePolicy=ResourcePolicy,
                              ResourceOwner=ResourceOwner, ContextEntries=ContextEntries,
                              Marker=Marker, MaxItems=MaxItems)

    @staticmethod
    def _condition_keys(sources) -> list[str]:
        seen: dict[str, str] = {}
        for source in sources:
            for statement in source.policy.statements:
                for key in statement.context_keys:
                    seen.setdefault(key.lower(), key)
        return list(seen.values())

    @iam_operation
    def get_context_keys_for_custom_policy(self, req: Request, PolicyInputList):
        req.authorize("iam:GetContextKeysForCustomPolicy", "*",
                      resource_account=self.acct(req).id)
        keys = self._condition_keys(self._inputs(PolicyInputList, "PolicyInputList"))
        req.step("IAM", f"Collect the condition keys of {len(PolicyInputList)} policies", 1.0)
        return {"ContextKeyNames": keys}

    @iam_operation
    def get_context_keys_for_principal_policy(self, req: Request, PolicySourceArn: str,
                                              PolicyInputList=None):
        req.authorize("iam:GetContextKeysForPrincipalPolicy", PolicySourceArn,
                      resource_account=self.acct(req).id)
        account, kind, entity = self._source_entity(req, PolicySourceArn)
        sources = (self.entity_sources(account, kind, entity, simulator=True)
                   + self._inputs(PolicyInputList, "PolicyInputList"))
        req.step("IAM", f"Collect the condition keys of the policies of {entity.name}", 1.0)
        return {"ContextKeyNames": self._condition_keys(sources)}
