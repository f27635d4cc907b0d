"""Layers: PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers,
ListLayerVersions, DeleteLayerVersion.

What AWS does (botocore lambda model; Developer Guide "Managing Lambda dependencies with
layers"): a layer is a zip whose contents Lambda extracts into ``/opt`` of the execution
environment; each PublishLayerVersion creates the next immutable version (there is no
``$LATEST`` for layers). A function may use up to 5 layers, and code plus layers may unzip to
250 MB (checked in ``code.py``). A deleted version can no longer be read or added to functions,
but "a copy of the version remains in Lambda until no functions refer to it". Layer permissions
(AddLayerVersionPermission) are not simulated, so only the owning account can use a layer.
A missing version: ResourceNotFoundException "The resource you requested does not exist.";
version number 0 or less: "Layer Version Cannot be less than 1".
"""

from __future__ import annotations

from ..service import Request
from . import exceptions as errors
from .common import READ_MS, WRITE_MS, lambda_date, lambda_operation, presigned_url
from .functions import store_ms
from .model import Layer, LayerVersion


class LayerOperations:
    """Lambda layers (mixed into the Lambda service)."""

    def _layer_arn(self, req: Request, LayerName: str) -> tuple[str, str, str, str]:
        """(layer ARN, account, Region, name) for a layer name or layer ARN."""
        if LayerName.startswith("arn:"):
            parts = LayerName.split(":")
            return LayerName, parts[4], parts[3], parts[6]
        arn = f"arn:aws:lambda:{req.region}:{req.account}:layer:{LayerName}"
        return arn, req.account, req.region, LayerName

    def _live_version(self, req: Request, layer_arn: str, owner: str, number: int,
                      action: str = "lambda:GetLayerVersion") -> LayerVersion:
        if number < 1:
            raise errors.InvalidParameterValueException("Layer Version Cannot be less than 1")
        req.authorize(action, f"{layer_arn}:{number}", resource_account=owner)
        layer = self.layers.get(layer_arn)
        found = layer.versions.get(number) if layer is not None else None
        if found is None or found.deleted:
            raise errors.ResourceNotFoundException("The resource you requested does not exist.")
        req.step("Function metadata", f"Read layer version {found.arn}", READ_MS, table="layers")
        return found

    def layer_shape(self, lv: LayerVersion, *, listing: bool = False) -> dict:
        out = {} if listing else {
            "Content": {"Location": presigned_url(lv.region, lv.account,
                                                  f"{lv.name}-{lv.code_id}", self.now),
                        "CodeSha256": lv.code_sha256, "CodeSize": lv.code_size},
            "LayerArn": lv.layer_arn}
        out.update({"LayerVersionArn": lv.arn, "Description": lv.description,
                    "CreatedDate": lambda_date(lv.created), "Version": lv.version})
        if lv.runtimes:
            out["CompatibleRuntimes"] = list(lv.runtimes)
        if lv.license is not None:
            out["LicenseInfo"] = lv.license
        if lv.architectures:
            out["CompatibleArchitectures"] = list(lv.architectures)
        return out

    @lambda_operation
    def publish_layer_version(self, req: Request, LayerName: str, Content: dict,
                              Description: str = "", CompatibleRuntimes: list | None = None,
                              LicenseInfo: str | None = None,
                              CompatibleArchitectures: list | None = None):
        arn, owner, region, name = self._layer_arn(req, LayerName)
        req.authorize("lambda:PublishLayerVersion", arn, resource_account=owner)
        if region != req.region:            # awskit's wording
            raise errors.InvalidParameterValueException(
                f"Layer {arn} is not in this Region ({req.region}).")
        package = self.read_package(req, Content.get("ZipFile"), Content.get("S3Bucket"),
                                    Content.get("S3Key"), Content.get("S3ObjectVersion"),
                                    region=region)
        self.check_code_storage(owner, region, len(package.data))
        layer = self.layers.get(arn)
        if layer is None:
            layer = self.layers[arn] = Layer(name, owner, region)
        number = layer.next_version
        layer.next_version += 1
        lv = LayerVersion(name, owner, region, number, self.store_code(package.data),
                          package.sha256, len(package.data), package.unzipped, self.now,
                          self.cloud.ids.uuid("lambda-code"), Description or "", LicenseInfo,
                          list(CompatibleRuntimes or []), list(CompatibleArchitectures or []))
        layer.versions[number] = lv
        req.step("Code storage", f"Store layer content ({len(package.data):,} bytes)",
                 store_ms(len(package.data)), bytes=len(package.data))
        req.step("Function metadata", f"Insert layer version {lv.arn}", WRITE_MS, table="layers")
        req.status = 201
        return self.layer_shape(lv)

    @lambda_operation
    def get_layer_version(self, req: Request, LayerName: str, VersionNumber: int):
        arn, owner, _, _ = self._layer_arn(req, LayerName)
        return self.layer_shape(self._live_version(req, arn, owner, VersionNumber))

    @lambda_operation
    def get_layer_version_by_arn(self, req: Request, Arn: str):
        layer_arn, _, number = Arn.rpartition(":")
        return self.layer_shape(self._live_version(req, layer_arn, Arn.split(":")[4],
                                                   int(number)))

    @staticmethod
    def _matches(lv: LayerVersion, runtime: str | None, architecture: str | None) -> bool:
        return not lv.deleted and (runtime is None or runtime in lv.runtimes) and \
            (architecture is None or architecture in lv.architectures)

    @lambda_operation
    def list_layers(self, req: Request, CompatibleRuntime: str | None = None,
                    Marker: str | None = None, MaxItems: int | None = None,
                    CompatibleArchitecture: str | None = None):
        req.authorize("lambda:ListLayers", "*")
        items = []
        for arn in sorted(self.layers):
            layer = self.layers[arn]
            if layer.account != req.account or layer.region != req.region:
                continue
            matching = [lv for n, lv in sorted(layer.versions.items())
                        if self._matches(lv, CompatibleRuntime, CompatibleArchitecture)]
            if matching:
                items.append({"LayerName": layer.name, "LayerArn": layer.arn,
                              "LatestMatchingVersion": self.layer_shape(matching[-1],
                                                                        listing=True)})
        chunk, extra = self.page(req, items, Marker, MaxItems)
        req.step("Function metadata", f"List layers: {len(chunk)}", READ_MS, table="layers")
        return {"Layers": chunk, **extra}

    @lambda_operation
    def list_layer_versions(self, req: Request, LayerName: str,
                            CompatibleRuntime: str | None = None, Marker: str | None = None,
                            MaxItems: int | None = None,
                            CompatibleArchitecture: str | None = None):
        arn, owner, _, _ = self._layer_arn(req, LayerName)
        req.authorize("lambda:ListLayerVersions", "*")
        layer = self.layers.get(arn)
        versions = [] if layer is None else [
            lv for n, lv in sorted(layer.versions.items(), reverse=True)
            if self._matches(lv, CompatibleRuntime, CompatibleArchitecture)]
        chunk, extra = self.page(req, versions, Marker, MaxItems)
        req.step("Function metadata", f"List the versions of {arn}: {len(chunk)}", READ_MS,
                 table="layers")
        return {"LayerVersions": [self.layer_shape(lv, listing=True) for lv in chunk], **extra}

    @lambda_operation
    def delete_layer_version(self, req: Request, LayerName: str, VersionNumber: int):
        arn, owner, _, _ = self._layer_arn(req, LayerName)
        if VersionNumber < 1:
            raise errors.InvalidParameterValueException("Layer Version Cannot be less than 1")
        req.authorize("lambda:DeleteLayerVersion", f"{arn}:{VersionNumber}",
                      resource_account=owner)
        layer = self.layers.get(arn)
        found = layer.versions.get(VersionNumber) if layer is not None else None
        if found is not None:
            found.deleted = True
            self.prune_code()
        req.step("Function metadata", f"Delete layer version {arn}:{VersionNumber}", WRITE_MS,
                 table="layers")
        req.status = 204
        return {}
