"""The function's resource-based policy: AddPermission, RemovePermission, GetPolicy; and its
tags: TagResource, UntagResource, ListTags.

What AWS does (botocore lambda model; Developer Guide "Using resource-based policies for
Lambda"): AddPermission adds one statement to the policy of the function (no qualifier) or of
one version or alias ("We currently do not support adding policies for $LATEST." otherwise).
The statement AWS writes: ``{"Sid", "Effect": "Allow", "Principal", "Action", "Resource",
"Condition"?}`` with the principal as given: ``"*"``, an account id (written as
``{"AWS": "arn:aws:iam::<id>:root"}``), an IAM ARN (``{"AWS": arn}``) or a service
(``{"Service": "s3.amazonaws.com"}``); ``SourceArn`` becomes ``ArnLike AWS:SourceArn``,
``SourceAccount`` ``StringEquals AWS:SourceAccount``, ``PrincipalOrgID`` ``StringEquals
aws:PrincipalOrgID``. The policy (``{"Version": "2012-10-17", "Id": "default", ...}``) may be
20 KB ("The final policy size (n) is bigger than the limit (20480)."); a Sid already used: "The
statement id (sid) provided already exists. Please provide a new statement id, or remove the
existing statement." Each change gives the version or alias a new RevisionId. The policy is
kept as an ``awskit.iam.policy.Policy`` of kind "resource"; IAM evaluates it with every request
on the function (cross-account callers and, in the invoke path, service principals).

Tags belong to the function, never to a version or alias; 50 per function.
"""

from __future__ import annotations

import json

from ..iam.policy import Policy
from ..service import Request
from . import exceptions as errors
from .common import READ_MS, WRITE_MS, lambda_operation
from .model import LATEST

POLICY_LIMIT = 20480
MAX_TAGS = 50


def principal_element(principal: str):
    if principal == "*":
        return "*"
    if principal.isdigit() and len(principal) == 12:
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if principal.startswith("arn:aws:iam::") or principal.startswith("arn:aws:sts::"):
        return {"AWS": principal}
    if "." in principal and ":" not in principal:
        return {"Service": principal}
    raise errors.InvalidParameterValueException(   # awskit's wording
        f"The principal {principal} is not valid: use *, an account id, an IAM ARN or a service "
        "principal such as s3.amazonaws.com.")


class PermissionOperations:
    """Resource-based policy and tags (mixed into the Lambda service)."""

    def resource_policy_for(self, arn: str):
        """(the policy governing ``arn``, its owner) for IAM's explain and simulate."""
        parts = arn.split(":")
        if len(parts) < 7 or parts[5] != "function":
            return None, None
        function = self.find(parts[4], parts[3], parts[6])
        if function is None:
            return None, None
        qualifier = parts[7] if len(parts) > 7 and parts[7] != LATEST else ""
        return function.policies.get(qualifier), function.account

    @staticmethod
    def _statements(policy) -> list[dict]:
        return json.loads(policy.text)["Statement"] if policy is not None else []

    @lambda_operation
    def add_permission(self, req: Request, FunctionName: str, StatementId: str, Action: str,
                       Principal: str, SourceArn: str | None = None,
                       SourceAccount: str | None = None, EventSourceToken: str | None = None,
                       Qualifier: str | None = None, RevisionId: str | None = None,
                       PrincipalOrgID: str | None = None, FunctionUrlAuthType: str | None = None,
                       InvokedViaFunctionUrl: bool | None = None):
        _, _, qualifier = self.parse_name(FunctionName, Qualifier, req.region)
        if qualifier == LATEST:
            raise errors.InvalidParameterValueException(
                "We currently do not support adding policies for $LATEST.")
        found = self.target(req, "lambda:AddPermission", FunctionName, Qualifier)
        function, key = found.function, qualifier or ""
        holder = function.revision_holder(qualifier)
        self.check_revision(RevisionId, holder)
        statements = self._statements(function.policies.get(key))
        if any(s.get("Sid") == StatementId for s in statements):
            raise errors.ResourceConflictException(
                f"The statement id ({StatementId}) provided already exists. Please provide a new "
                "statement id, or remove the existing statement.")
        statement = {"Sid": StatementId, "Effect": "Allow",
                     "Principal": principal_element(Principal), "Action": Action,
                     "Resource": f"{function.arn}:{qualifier}" if qualifier else function.arn}
        condition: dict = {}
        for operator, name, value in (("ArnLike", "AWS:SourceArn", SourceArn),
                                      ("StringEquals", "AWS:SourceAccount", SourceAccount),
                                      ("StringEquals", "aws:PrincipalOrgID", PrincipalOrgID),
                                      ("StringEquals", "lambda:EventSourceToken", EventSourceToken),
                                      ("StringEquals", "lambda:FunctionUrlAuthType",
                                       FunctionUrlAuthType)):
            if value is not None:
                condition.setdefault(operator, {})[name] = value
        if InvokedViaFunctionUrl:
            condition.setdefault("Bool", {})["lambda:InvokedViaFunctionUrl"] = "true"
        if condition:
            statement["Condition"] = condition
        document = {"Version": "2012-10-17", "Id": "default",
                    "Statement": statements + [statement]}
        text = json.dumps(document, separators=(",", ":"))
        if len(text) > POLICY_LIMIT:
            raise errors.PolicyLengthExceededException(
                f"The final policy size ({len(text)}) is bigger than the limit ({POLICY_LIMIT}).")
        try:
            policy = Policy.parse(text, kind="resource")
        except errors.AWSError as err:      # e.g. a malformed condition value
            raise errors.InvalidParameterValueException(err.message) from None
        function.policies[key] = policy
        holder.revision_id = self.new_revision()
        req.step("Function metadata", f"Add statement {StatementId} to the policy of "
                 f"{statement['Resource']}", WRITE_MS, table="function-policies")
        req.status = 201
        return {"Statement": json.dumps(statement, separators=(",", ":"))}

    @lambda_operation
    def remove_permission(self, req: Request, FunctionName: str, StatementId: str,
                          Qualifier: str | None = None, RevisionId: str | None = None):
        found = self.target(req, "lambda:RemovePermission", FunctionName, Qualifier)
        function = found.function
        qualifier = None if found.qualifier == LATEST else found.qualifier
        key = qualifier or ""
        policy = function.policies.get(key)
        if policy is None:
            raise errors.ResourceNotFoundException(
                "No policy is associated with the given resource.")
        statements = self._statements(policy)
        kept = [s for s in statements if s.get("Sid") != StatementId]
        if len(kept) == len(statements):
            raise errors.ResourceNotFoundException(
                f"Statement {StatementId} is not found in resource policy.")
        holder = function.revision_holder(qualifier)
        self.check_revision(RevisionId, holder)
        if kept:
            function.policies[key] = Policy.parse(json.dumps(
                {"Version": "2012-10-17", "Id": "default", "Statement": kept},
                separators=(",", ":")), kind="resource")
        else:
            del function.policies[key]
        holder.revision_id = self.new_revision()
        req.step("Function metadata", f"Remove statement {StatementId}", WRITE_MS,
                 table="function-policies")
        req.status = 204
        return {}

    @lambda_operation
    def get_policy(self, req: Request, FunctionName: str, Qualifier: str | None = None):
        found = self.target(req, "lambda:GetPolicy", FunctionName, Qualifier, read=None)
        function = found.function
        qualifier = None if found.qualifier == LATEST else found.qualifier
        policy = function.policies.get(qualifier or "")
        if policy is None:
            raise errors.ResourceNotFoundException("The resource you requested does not exist.")
        req.step("Function metadata", f"Read the policy of {found.arn}", READ_MS,
                 table="function-policies")
        return {"Policy": policy.text,
                "RevisionId": function.revision_holder(qualifier).revision_id}

    # -- tags -------------------------------------------------------------------------------
    def _tagged(self, req: Request, action: str, Resource: str):
        if ":function:" not in Resource:
            raise errors.ResourceNotFoundException("The resource you requested does not exist.")
        _, _, qualifier = self.parse_name(Resource, None, req.region)
        if qualifier is not None:
            raise errors.InvalidParameterValueException(
                "Tagging operations are permitted on Lambda functions only. Tags on aliases and "
                "versions are not supported. Please specify either a function name or a "
                "function ARN.")
        return self.whole_function(req, action, Resource, read=None)

    @lambda_operation
    def tag_resource(self, req: Request, Resource: str, Tags: dict):
        function = self._tagged(req, "lambda:TagResource", Resource)
        merged = {**function.tags, **Tags}
        if len(merged) > MAX_TAGS:
            raise errors.InvalidParameterValueException(
                "Number of tags exceeds function tag limit.")
        function.tags = merged
        function.latest.revision_id = self.new_revision()
        req.step("Function metadata", f"Tag {function.arn}: {', '.join(Tags)}", WRITE_MS,
                 table="tags")
        req.status = 204
        return {}

    @lambda_operation
    def untag_resource(self, req: Request, Resource: str, TagKeys: list):
        function = self._tagged(req, "lambda:UntagResource", Resource)
        function.tags = {k: v for k, v in function.tags.items() if k not in TagKeys}
        function.latest.revision_id = self.new_revision()
        req.step("Function metadata", f"Untag {function.arn}: {', '.join(TagKeys)}", WRITE_MS,
                 table="tags")
        req.status = 204
        return {}

    @lambda_operation
    def list_tags(self, req: Request, Resource: str):
        function = self._tagged(req, "lambda:ListTags", Resource)
        req.step("Function metadata", f"Read the tags of {function.arn}", READ_MS, table="tags")
        return {"Tags": dict(function.tags)}
