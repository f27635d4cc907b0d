"""Versions and aliases: PublishVersion, ListVersionsByFunction, CreateAlias, GetAlias,
UpdateAlias, DeleteAlias, ListAliases.

What AWS does (botocore lambda model; Developer Guide "Lambda function versions", "aliases"):

- PublishVersion snapshots ``$LATEST`` (code and configuration) as the next number; if nothing
  changed since the last published version it publishes nothing and answers with that version.
  ``CodeSha256`` must match ``$LATEST`` ("CodeSHA256 (x) is different from current CodeSHA256 in
  $LATEST (y). Please try again with the CodeSHA256 in $LATEST.") and ``RevisionId`` must be
  $LATEST's (PreconditionFailedException). A new version is ``Pending`` until Lambda has set it
  up (awskit: ``Lambda.publish_seconds``, 0.5 s); with SnapStart, Lambda runs the function's
  Init and takes the snapshot first, which AWS describes as taking minutes (awskit:
  ``Lambda.snapstart_publish_seconds``, 120 s, unconfirmed, plus whatever the SnapStart hook
  :meth:`VersionOperations.on_publish` reports).
- An alias points to a version (``$LATEST`` allowed) and may route a weighted share (0-1) to
  one more published version (``AdditionalVersionWeights``, one entry at most); both versions
  must be published and share the execution role and dead-letter configuration (awskit's
  wording for that refusal). GetAlias/UpdateAlias of a missing alias: "Cannot find alias arn:
  <arn>"; a second alias of the same name: "Alias already exists: <arn>"; DeleteAlias of a
  missing alias answers 204 (the model lists no ResourceNotFoundException for it).
"""

from __future__ import annotations

from ..service import Request
from . import exceptions as errors
from .common import READ_MS, WRITE_MS, lambda_operation, validation_error
from .model import LATEST, Alias, Function, FunctionVersion, not_found


class VersionOperations:
    """Publishing and aliases (mixed into the Lambda service)."""

    # -- hook the invoke path fills (a mixin earlier in the MRO overrides it) ---------------
    def on_publish(self, function: Function, version: FunctionVersion) -> list:
        """Called when a version is published; returns step tuples ``(component, action, ms,
        detail)`` recorded on the request. Their total time is added to the time the version
        stays Pending. The SnapStart internals run Init and snapshot here for versions with
        ``version.snapstart_on``."""
        return []

    # -- publishing -------------------------------------------------------------------------
    def publish(self, req: Request, function: Function, *, description: str | None = None,
                code_sha256: str | None = None, revision_id: str | None = None,
                updating: bool = False) -> tuple[FunctionVersion, bool]:
        """Publish ``$LATEST``: (the version, whether a new one was created)."""
        latest = function.latest
        if code_sha256 is not None and code_sha256 != latest.code_sha256:
            raise errors.InvalidParameterValueException(
                f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in $LATEST "
                f"({latest.code_sha256}). Please try again with the CodeSHA256 in $LATEST.")
        self.check_revision(revision_id, latest)
        if not updating and latest.state(self.now) == "Active":
            self.check_modifiable(function)
        last = function.versions.get(str(function.next_version - 1))
        if last is not None and last.change_serial == latest.change_serial:
            req.step("Function metadata", f"$LATEST unchanged since version {last.version}: "
                     "no new version", READ_MS, table="function-versions", key=last.arn)
            return last, False
        number = str(function.next_version)
        function.next_version += 1
        version = latest.snapshot()
        version.version = number
        if description is not None:
            version.description = description
        version.revision_id = self.new_revision()
        version.update_until = None
        function.versions[number] = version
        latest.revision_id = self.new_revision()
        req.step("Function metadata", f"Insert {version.arn} (State Pending)", WRITE_MS,
                 table="function-versions", key=version.arn)
        steps = self.on_publish(function, version)
        for step in steps:
            req.step(step[0], step[1], step[2], **(step[3] or {}))
        delay = self.publish_seconds
        if version.snapstart_on:
            delay += self.snapstart_publish_seconds
        version.pending_until = self.now + delay
        return version, True

    @lambda_operation
    def publish_version(self, req: Request, FunctionName: str, CodeSha256: str | None = None,
                        Description: str | None = None, RevisionId: str | None = None,
                        PublishTo: str | None = None):
        if PublishTo:
            raise errors.for_code("NotImplemented")(
                "awskit does not simulate publishing to a capacity provider (PublishTo)",
                status=501)
        function = self.whole_function(req, "lambda:PublishVersion", FunctionName)
        if function.latest.state(self.now) == "Pending":
            self.check_modifiable(function)
        version, _ = self.publish(req, function, description=Description,
                                  code_sha256=CodeSha256, revision_id=RevisionId)
        req.status = 201
        return self.configuration(version, qualified=True)

    @lambda_operation
    def list_versions_by_function(self, req: Request, FunctionName: str,
                                  Marker: str | None = None, MaxItems: int | None = None):
        function = self.whole_function(req, "lambda:ListVersionsByFunction", FunctionName)
        chunk, extra = self.page(req, function.all_versions(), Marker, MaxItems)
        return {"Versions": [self.configuration(v, qualified=True, listing=True) for v in chunk],
                **extra}

    # -- aliases ----------------------------------------------------------------------------
    @staticmethod
    def alias_shape(alias: Alias) -> dict:
        out = {"AliasArn": alias.arn, "Name": alias.name, "FunctionVersion": alias.version,
               "Description": alias.description, "RevisionId": alias.revision_id}
        if alias.routing:
            out["RoutingConfig"] = {"AdditionalVersionWeights": dict(alias.routing)}
        return out

    def _target_version(self, function: Function, version: str) -> FunctionVersion:
        found = function.version(version)
        if found is None:
            raise not_found(f"{function.arn}:{version}")
        return found

    def _routing(self, function: Function, primary: str, routing: dict | None) -> dict:
        weights = (routing or {}).get("AdditionalVersionWeights") or {}
        if len(weights) > 1:
            raise errors.InvalidParameterValueException(
                "Number of items in AdditionalVersionWeights cannot be greater than 1")
        for version, weight in weights.items():
            if not version.isdigit():
                raise validation_error(
                    f"{{{version}={weight}}}", "routingConfig.additionalVersionWeights",
                    "Map keys must satisfy constraint: [Member must have length less than or "
                    "equal to 1024, Member must have length greater than or equal to 1, Member "
                    "must satisfy regular expression pattern: [0-9]+, Member must not be null]")
            if not 0.0 <= weight <= 1.0:
                raise validation_error(
                    f"{{{version}={weight}}}", "routingConfig.additionalVersionWeights",
                    "Map value must satisfy constraint: [Member must have value less than or "
                    "equal to 1.0, Member must have value greater than or equal to 0.0, Member "
                    "must not be null]")
            if version == primary:
                raise errors.InvalidParameterValueException(
                    f"Invalid function version {primary}. Function version {primary} is already "
                    "included in routing configuration.")
            if primary == LATEST:
                raise errors.InvalidParameterValueException(
                    "$LATEST is not supported for an alias pointing to more than 1 version")
            other = self._target_version(function, version)
            main = function.version(primary)
            if other.role != main.role or other.dead_letter_arn != main.dead_letter_arn:
                raise errors.InvalidParameterValueException(   # awskit's wording
                    f"Versions {primary} and {version} must have the same execution role and "
                    "dead-letter queue configuration to share an alias.")
        return {k: float(v) for k, v in weights.items()}

    @lambda_operation
    def create_alias(self, req: Request, FunctionName: str, Name: str, FunctionVersion: str,
                     Description: str = "", RoutingConfig: dict | None = None):
        function = self.whole_function(req, "lambda:CreateAlias", FunctionName)
        self._target_version(function, FunctionVersion)
        existing = function.aliases.get(Name)
        if existing is not None:
            raise errors.ResourceConflictException(f"Alias already exists: {existing.arn}")
        routing = self._routing(function, FunctionVersion, RoutingConfig)
        alias = Alias(Name, function.arn, FunctionVersion, Description or "", routing,
                      self.new_revision())
        function.aliases[Name] = alias
        req.step("Function metadata", f"Insert alias {alias.arn} -> version {FunctionVersion}"
                 + (f" (+ {routing})" if routing else ""), WRITE_MS, table="aliases")
        req.status = 201
        return self.alias_shape(alias)

    @lambda_operation
    def get_alias(self, req: Request, FunctionName: str, Name: str):
        function = self.whole_function(req, "lambda:GetAlias", FunctionName, read=None)
        alias = self.alias_of(function, Name)
        req.step("Function metadata", f"Read alias {alias.arn}", READ_MS, table="aliases")
        return self.alias_shape(alias)

    @lambda_operation
    def update_alias(self, req: Request, FunctionName: str, Name: str,
                     FunctionVersion: str | None = None, Description: str | None = None,
                     RoutingConfig: dict | None = None, RevisionId: str | None = None):
        function = self.whole_function(req, "lambda:UpdateAlias", FunctionName, read=None)
        alias = self.alias_of(function, Name)
        self.check_revision(RevisionId, alias)
        primary = FunctionVersion if FunctionVersion is not None else alias.version
        self._target_version(function, primary)
        if RoutingConfig is not None:
            routing = self._routing(function, primary, RoutingConfig)
        else:
            routing = self._routing(function, primary,
                                    {"AdditionalVersionWeights": alias.routing})
        moved = primary != alias.version
        alias.version, alias.routing = primary, routing
        if Description is not None:
            alias.description = Description
        alias.revision_id = self.new_revision()
        pc = function.provisioned.get(Name)
        if pc is not None and moved:        # Lambda moves the environments to the new version
            pc.ready_at = self.now + self.provisioned_ready_seconds
            pc.last_modified = self.now
        req.step("Function metadata", f"Update alias {alias.arn} -> version {primary}",
                 WRITE_MS, table="aliases")
        return self.alias_shape(alias)

    @lambda_operation
    def delete_alias(self, req: Request, FunctionName: str, Name: str):
        owner, name, _ = self.parse_name(FunctionName, None, req.region)
        function = self.find(owner or req.account, req.region, name)
        self.allow(req, "lambda:DeleteAlias", function.arn if function else
                   f"arn:aws:lambda:{req.region}:{owner or req.account}:function:{name}",
                   function)
        alias = function.aliases.pop(Name, None) if function else None
        if alias is not None:
            if Name in function.provisioned:
                self.pricing.provisioned_changed(function, Name, None)
                del function.provisioned[Name]
            function.event_invoke.pop(Name, None)
            function.policies.pop(Name, None)
        req.step("Function metadata", f"Delete alias {Name}" + ("" if alias else
                 " (there was none)"), WRITE_MS, table="aliases")
        req.status = 204
        return {}

    @lambda_operation
    def list_aliases(self, req: Request, FunctionName: str, FunctionVersion: str | None = None,
                     Marker: str | None = None, MaxItems: int | None = None):
        function = self.whole_function(req, "lambda:ListAliases", FunctionName, read=None)
        aliases = [function.aliases[n] for n in sorted(function.aliases)
                   if FunctionVersion is None or function.aliases[n].version == FunctionVersion]
        chunk, extra = self.page(req, aliases, Marker, MaxItems)
        req.step("Function metadata", f"List the aliases of {function.arn}: {len(chunk)}",
                 READ_MS, table="aliases")
        return {"Aliases": [self.alias_shape(a) for a in chunk], **extra}
