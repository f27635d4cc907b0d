"""The S3 API as boto3's ``s3`` client sees it: buckets here, objects in ``objects.py``.

``S3`` is the service class (``cloud.s3``): the operations are mixed in from the files of
this package, the simulation (metadata DB, data store, pricing) from ``model.py``.
"""

from __future__ import annotations


from .. import errors
from ..clock import aws_datetime, iso8601
from ..service import Request, Service, http_date, operation
from .model import Bucket, S3Model
from . import model as _model
from .names import check_bucket_name
from .bucket_config import BucketConfigOperations
from .lifecycle import LifecycleOperations
from .listing import ListingOperations
from .multipart import MultipartOperations
from .objects import ObjectOperations
from .pricing import S3Pricing
from .tagging import TaggingOperations
from .versioning import VersioningOperations

MAX_BUCKETS = 10_000   # default general-purpose bucket quota per account (facts B1)


class S3(ObjectOperations, ListingOperations, MultipartOperations, VersioningOperations,
         TaggingOperations, BucketConfigOperations, LifecycleOperations, S3Model, Service):
    """Amazon S3: buckets and objects over a metadata DB and a replicated data store."""

    service_name = "s3"
    title = "Amazon S3"
    front_component = "API service"
    unknown_key_error = "InvalidAccessKeyId"
    console_view = "awskit.s3.view:S3Console"

    def __init__(self, cloud):
        Service.__init__(self, cloud)
        self._init_model()
        self.pricing = S3Pricing(cloud)

    # -- pipeline hooks ---------------------------------------------------------------------
    def new_request_id(self) -> str:
        return self.cloud.ids.s3_request_id()

    def host_id(self, req: Request) -> str:
        if req.host_id is None:
            req.host_id = self.cloud.ids.host_id()
        return req.host_id

    def receive(self, req: Request) -> None:
        http = req.op.http
        params = req.params
        path = http["requestUri"]
        path = path.replace("{Bucket}", str(params.get("Bucket", ""))).replace(
            "{Key+}", str(params.get("Key", "")))
        line = f"{http['method']} {path}"
        req.trace.summary = line
        body = params.get("Body")
        size = len(body) if isinstance(body, (bytes, bytearray, str)) else None
        req.receive(f"Receive {line}" + (f" ({size:,} bytes)" if size else ""), 1.0,
                    method=http["method"], path=path)

    def meter(self, req: Request, error) -> None:
        self.cloud.meter.count_request("s3", req.operation, req.account, error)
        self.pricing.request(req.account, req.operation, error is not None)

    def auth_error(self, problem: str) -> errors.AWSError:
        if problem in ("unknown-key", "inactive"):
            return errors.InvalidAccessKeyId()
        if problem == "bad-signature":
            return errors.SignatureDoesNotMatch()
        if problem == "bad-token":
            return errors.InvalidToken()
        return errors.ExpiredToken()

    def access_denied(self, req, action, resource, decision) -> errors.AWSError:
        return errors.AccessDenied()

    def response_headers(self, req: Request, response: dict, status: int) -> dict:
        return {"x-amz-id-2": self.host_id(req), "x-amz-request-id": req.request_id,
                "date": http_date(self.cloud.clock.now),
                "server": "AmazonS3"}

    def resource_policy_for(self, arn: str):
        name = arn.split(":", 5)[5].split("/", 1)[0]
        bucket = self.buckets.get(name)
        if bucket is None:
            return None, None
        return bucket.policy, bucket.owner

    # -- authorization ----------------------------------------------------------------------
    def authorize(self, req: Request, action: str, bucket: Bucket, key: str | None = None,
                  keys: dict | None = None):
        """IAM check for an S3 action on a bucket (or on one of its objects).

        The bucket policy takes part as S3's Block Public Access lets it
        (``RestrictPublicBuckets``, see ``bucket_config.effective_bucket_policy``).
        """
        resource = bucket.arn if key is None else f"{bucket.arn}/{key}"
        policy = self.effective_bucket_policy(req.principal, bucket, req)
        return req.authorize(action, resource, resource_policy=policy,
                             resource_account=bucket.owner, keys=keys,
                             resource_policy_name=policy and f"{bucket.arn} (bucket policy)")

    def allowed(self, req: Request, action: str, bucket: Bucket, key: str | None = None) -> bool:
        """Would the caller be allowed ``action``? (no step, no error)"""
        resource = bucket.arn if key is None else f"{bucket.arn}/{key}"
        policy = self.effective_bucket_policy(req.principal, bucket)
        return self.cloud.iam.authorize(req.principal, action, resource, req.context(),
                                        resource_policy=policy,
                                        resource_account=bucket.owner).allowed

    # -- buckets ----------------------------------------------------------------------------
    def _bucket_region(self, req: Request, config: dict | None) -> str:
        """The Region a CreateBucket request asks for, checked against the endpoint's Region."""
        endpoint = req.region
        constraint = (config or {}).get("LocationConstraint")
        if constraint == "EU":
            constraint = "eu-west-1"
        if constraint is not None and constraint not in self.cloud.regions:
            raise errors.InvalidLocationConstraint()
        if endpoint == "us-east-1":
            if constraint == "us-east-1":
                raise errors.InvalidLocationConstraint()
            return constraint or "us-east-1"
        if constraint is None:
            raise errors.IllegalLocationConstraintException()
        if constraint != endpoint:
            raise errors.IllegalLocationConstraintException(
                f"The {constraint} location constraint is incompatible for the region specific "
                "endpoint this request was sent to.")
        return constraint

    @operation
    def create_bucket(self, req: Request, Bucket: str, CreateBucketConfiguration=None,
                      ACL: str | None = None, ObjectOwnership: str | None = None,
                      ObjectLockEnabledForBucket: bool = False, BucketNamespace=None, **grants):
        name = Bucket
        check_bucket_name(name)
        region = self._bucket_region(req, CreateBucketConfiguration)
        req.authorize("s3:CreateBucket", f"arn:aws:s3:::{name}",
                      keys={"s3:locationconstraint": region} if region != "us-east-1" else None)
        existing = self.buckets.get(name)
        if existing is not None:
            if existing.owner != req.account:
                raise errors.BucketAlreadyExists(BucketName=name)
            if existing.region != "us-east-1":
                raise errors.BucketAlreadyOwnedByYou(BucketName=name)
            # us-east-1 (legacy): re-creating your own bucket succeeds and changes nothing
            req.step("Metadata DB", f"Bucket {name} already exists and is yours (us-east-1 "
                     "answers 200)", 1.0, table="bucket")
            return {"Location": f"/{name}"}
        owned = sum(1 for b in self.buckets.values() if b.owner == req.account)
        if owned >= MAX_BUCKETS:
            raise errors.TooManyBuckets()
        ownership = ObjectOwnership or "BucketOwnerEnforced"
        if ACL not in (None, "private") and ownership == "BucketOwnerEnforced":
            raise errors.InvalidBucketAclWithObjectOwnership(
                "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
        now = float(int(self.cloud.clock.elapsed))
        bucket_id = self.meta.insert_bucket(name, req.account, region, iso8601(now))
        self.buckets[name] = _model.Bucket(name, bucket_id, req.account, region, now,
                                             ownership=ownership)
        self.store_for(region)
        req.step("Metadata DB", f"Insert bucket row {name} (owner {req.account}, {region})",
                 2.0, table="bucket", bucket_id=bucket_id, bucket_name=name)
        if region == "us-east-1":
            return {"Location": f"/{name}"}
        return {"Location": f"http://{name}.s3.amazonaws.com/"}

    @operation
    def delete_bucket(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:DeleteBucket", bucket)
        check_owner(bucket, ExpectedBucketOwner)
        if self.meta.bucket_has_versions(bucket.bucket_id):
            raise errors.BucketNotEmpty(BucketName=Bucket)
        with self.meta.transaction():
            uploads = self.meta.db.execute(
                "SELECT upload_id FROM multipart_upload WHERE bucket_id = ?",
                (bucket.bucket_id,)).fetchall()
            for (upload_id,) in uploads:
                self.drop_upload(bucket, upload_id)
            self.meta.delete_bucket(bucket.bucket_id)
        del self.buckets[Bucket]
        req.step("Metadata DB", f"Delete bucket row {Bucket}", 2.0, table="bucket")
        req.status = 204
        return {}

    @operation
    def head_bucket(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:ListBucket", bucket)
        check_owner(bucket, ExpectedBucketOwner)
        req.step("Metadata DB", f"Bucket {Bucket} exists in {bucket.region}", 1.0, table="bucket")
        return {"BucketRegion": bucket.region, "AccessPointAlias": False}

    @operation
    def get_bucket_location(self, req: Request, Bucket: str, ExpectedBucketOwner=None):
        bucket = self.bucket_of(Bucket)
        self.authorize(req, "s3:GetBucketLocation", bucket)
        check_owner(bucket, ExpectedBucketOwner)
        req.step("Metadata DB", f"Read the Region of {Bucket}: {bucket.region}", 1.0)
        return {"LocationConstraint": None if bucket.region == "us-east-1" else bucket.region}

    @operation
    def list_buckets(self, req: Request, MaxBuckets: int | None = None,
                     ContinuationToken: str | None = None, Prefix: str | None = None,
                     BucketRegion: str | None = None):
        req.authorize("s3:ListAllMyBuckets", "*")
        if MaxBuckets is not None and not 1 <= MaxBuckets <= 10000:
            raise errors.InvalidArgument("Argument max-buckets must be an integer between 1 "
                                         "and 10000.", ArgumentName="max-buckets")
        names = sorted(n for n, b in self.buckets.items()
                       if b.owner == req.account and n.startswith(Prefix or "")
                       and (BucketRegion is None or b.region == BucketRegion))
        if ContinuationToken is not None:
            start = decode_token(ContinuationToken)
            names = [n for n in names if n > start]
        more = MaxBuckets is not None and len(names) > MaxBuckets
        if MaxBuckets is not None:
            names = names[:MaxBuckets]
        req.step("Metadata DB", f"List the buckets of account {req.account}: {len(names)}",
                 1.0, table="bucket")
        out = {"Buckets": [{"Name": n, "CreationDate": aws_datetime(self.buckets[n].created),
                            "BucketRegion": self.buckets[n].region} for n in names],
               "Owner": self.owner(req.account)}
        if more:
            out["ContinuationToken"] = encode_token(names[-1])
        if Prefix is not None:
            out["Prefix"] = Prefix
        return out

    # -- state ------------------------------------------------------------------------------
    def state(self) -> dict:
        from .persist import dump_s3
        return dump_s3(self)

    def load_state(self, data: dict) -> None:
        from .persist import load_s3
        load_s3(self, data)

    def add_to_graph(self, graph) -> None:
        from .persist import graph_s3
        graph_s3(self, graph)


def check_owner(bucket: Bucket, expected: str | None) -> None:
    """``ExpectedBucketOwner``: a mismatch is refused with 403 AccessDenied."""
    if expected is not None and expected != bucket.owner:
        raise errors.AccessDenied()


def encode_token(marker: str) -> str:
    """An opaque continuation token carrying where the next page starts."""
    import base64
    return base64.b64encode(("awskit1:" + marker).encode()).decode()


def decode_token(token: str) -> str:
    import base64
    import binascii
    try:
        text = base64.b64decode(token.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith("awskit1:"):
        raise errors.InvalidArgument("The continuation token provided is incorrect",
                                     ArgumentName="continuation-token")
    return text[len("awskit1:"):]
