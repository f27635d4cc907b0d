"""Origin access control (OAC): how CloudFront signs its requests to an S3 origin.

An origin with ``OriginAccessControlId`` has CloudFront sign its S3 requests (SigV4) as the
service principal ``cloudfront.amazonaws.com``; the bucket policy lets it in with a statement
for that principal conditioned on ``AWS:SourceArn`` = the distribution's ARN, so the bucket
can stay private (Block Public Access on) [CFDG private-content-restricting-access-to-s3.md].
``SigningBehavior``: ``always`` signs every origin request, ``never`` none (CloudFront asks as
an anonymous caller), ``no-override`` signs unless the viewer sent ``Authorization``. An origin
without OAC asks S3 anonymously, so only a public bucket answers it.

Names are 1-64 characters, unique in the account (``OriginAccessControlAlreadyExists``);
an OAC used by a distribution cannot be deleted (``OriginAccessControlInUse``). awskit
simulates S3 origins; OACs of the other origin types can be created but no origin uses them.
"""

from __future__ import annotations

import copy

from ..service import Request, operation
from .codes import cf_error, invalid
from .model import OriginAccessControl


def _normalise(config: dict) -> dict:
    if not 1 <= len(config["Name"]) <= 64:
        raise invalid("The parameter Name must be 1 to 64 characters.")
    if len(config.get("Description", "")) > 256:
        raise invalid("The parameter Description is too long (256 characters at most).")
    return {"Name": config["Name"], "Description": config.get("Description", ""),
            "SigningProtocol": config["SigningProtocol"],
            "SigningBehavior": config["SigningBehavior"],
            "OriginAccessControlOriginType": config["OriginAccessControlOriginType"]}


class AccessControlOperations:
    """Mixed into :class:`~.api.CloudFront`."""

    def _oac_arn(self, req: Request, oac_id: str) -> str:
        return f"arn:aws:cloudfront::{req.account}:origin-access-control/{oac_id}"

    def _own_oac(self, req: Request, oac_id: str, action: str) -> OriginAccessControl:
        self.authorize(req, action, self._oac_arn(req, oac_id))
        oac = self.access_controls.get(oac_id)
        if oac is None or oac.account != req.account:
            raise cf_error("NoSuchOriginAccessControl")
        return oac

    def _unique_name(self, account: str, name: str, exclude: str | None = None) -> None:
        if any(o.config["Name"] == name and o.account == account and o.id != exclude
               for o in self.access_controls.values()):
            raise cf_error("OriginAccessControlAlreadyExists", f"An origin access control "
                                                               f"named {name} already exists.")

    @staticmethod
    def _shape(oac: OriginAccessControl) -> dict:
        return {"Id": oac.id, "OriginAccessControlConfig": copy.deepcopy(oac.config)}

    @operation
    def create_origin_access_control(self, req: Request, OriginAccessControlConfig: dict):
        self.authorize(req, "CreateOriginAccessControl", self._oac_arn(req, "*"))
        config = _normalise(OriginAccessControlConfig)
        self._unique_name(req.account, config["Name"])
        oac = OriginAccessControl(self.new_id("oac"), req.account, config, self.new_etag())
        self.access_controls[oac.id] = oac
        req.step("CloudFront API", f"Create origin access control {oac.id} ({config['Name']}: "
                 f"{config['SigningBehavior']} sign with {config['SigningProtocol']})", 1.0)
        req.status = 201
        return {"OriginAccessControl": self._shape(oac), "ETag": oac.etag,
                "Location": f"https://cloudfront.amazonaws.com/2020-05-31/"
                            f"origin-access-control/{oac.id}"}

    @operation
    def get_origin_access_control(self, req: Request, Id: str):
        oac = self._own_oac(req, Id, "GetOriginAccessControl")
        return {"OriginAccessControl": self._shape(oac), "ETag": oac.etag}

    @operation
    def get_origin_access_control_config(self, req: Request, Id: str):
        oac = self._own_oac(req, Id, "GetOriginAccessControlConfig")
        return {"OriginAccessControlConfig": copy.deepcopy(oac.config), "ETag": oac.etag}

    @operation
    def update_origin_access_control(self, req: Request, OriginAccessControlConfig: dict,
                                     Id: str, IfMatch: str | None = None):
        oac = self._own_oac(req, Id, "UpdateOriginAccessControl")
        self.check_if_match(oac.etag, IfMatch)
        config = _normalise(OriginAccessControlConfig)
        if config["OriginAccessControlOriginType"] != oac.config["OriginAccessControlOriginType"]:
            raise cf_error("IllegalUpdate", "The origin type of an origin access control cannot "
                                            "be changed.")
        self._unique_name(req.account, config["Name"], exclude=oac.id)
        oac.config, oac.etag = config, self.new_etag()
        return {"OriginAccessControl": self._shape(oac), "ETag": oac.etag}

    @operation
    def delete_origin_access_control(self, req: Request, Id: str, IfMatch: str | None = None):
        oac = self._own_oac(req, Id, "DeleteOriginAccessControl")
        self.check_if_match(oac.etag, IfMatch)
        users = [d.id for d in self.distributions.values()
                 if any(o["OriginAccessControlId"] == oac.id for o in d.origins())]
        if users:
            raise cf_error("OriginAccessControlInUse", f"The origin access control is used by "
                                                       f"distribution {users[0]}.")
        del self.access_controls[oac.id]
        req.status = 204
        return {}

    @operation
    def list_origin_access_controls(self, req: Request, Marker: str | None = None,
                                    MaxItems: str | None = None):
        self.authorize(req, "ListOriginAccessControls", "*")
        mine = [o for o in self.access_controls.values() if o.account == req.account]
        chunk, next_marker, limit = self.page(mine, lambda o: o.id, Marker, MaxItems)
        items = [{"Id": o.id, **o.config} for o in chunk]
        return {"OriginAccessControlList": self.list_shape(Marker, limit, next_marker, items)}
