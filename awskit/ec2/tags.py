"""Tags on any EC2 resource: CreateTags, DeleteTags, DescribeTags.

CreateTags adds or overwrites tags on every resource named (all are checked first); a resource
holds at most 50 tags (``TagLimitExceeded``). DeleteTags removes the keys given (only where the
value matches, when a value is given), or every tag when no tag is given. DescribeTags lists
``(ResourceId, ResourceType, Key, Value)`` rows, filterable by ``key``, ``value``,
``resource-id`` and ``resource-type`` [BC ec2:CreateTags, DeleteTags, DescribeTags]. An id whose
prefix names no kind awskit simulates is ``InvalidID``.
"""

from __future__ import annotations

from ..service import operation
from .codes import fail, missing
from .filters import MAX_TAGS, check_filters, check_tags, matches, paginate

#: id prefix → (DescribeTags resource type, ARN resource type)
TAGGABLE = {"vpc": ("vpc", "vpc"), "subnet": ("subnet", "subnet"),
            "rtb": ("route-table", "route-table"),
            "igw": ("internet-gateway", "internet-gateway"),
            "eigw": ("egress-only-internet-gateway", "egress-only-internet-gateway"),
            "nat": ("natgateway", "natgateway"), "eipalloc": ("elastic-ip", "elastic-ip"),
            "sg": ("security-group", "security-group"), "acl": ("network-acl", "network-acl"),
            "eni": ("network-interface", "network-interface"), "i": ("instance", "instance"),
            # the connectivity options (model_links.py)
            "pcx": ("vpc-peering-connection", "vpc-peering-connection"),
            "tgw": ("transit-gateway", "transit-gateway"),
            "tgw-attach": ("transit-gateway-attachment", "transit-gateway-attachment"),
            "tgw-rtb": ("transit-gateway-route-table", "transit-gateway-route-table"),
            "vgw": ("vpn-gateway", "vpn-gateway"), "cgw": ("customer-gateway", "customer-gateway"),
            "vpn": ("vpn-connection", "vpn-connection"),
            "cvpn-endpoint": ("client-vpn-endpoint", "client-vpn-endpoint"),
            "vpce": ("vpc-endpoint", "vpc-endpoint"),
            "vpce-svc": ("vpc-endpoint-service", "vpc-endpoint-service")}


def prefix_of(resource_id) -> str:
    """The kind prefix of an id: the longest known one (``tgw-attach-…`` before ``tgw-…``)."""
    parts = resource_id.split("-") if isinstance(resource_id, str) else [""]
    two = "-".join(parts[:2])
    return two if two in TAGGABLE else parts[0]


class _Row:
    """One DescribeTags row, as the filter machinery sees it."""

    tags: dict = {}

    def __init__(self, resource_id: str, kind: str, key: str, value: str):
        self.resource_id, self.kind, self.key, self.value = resource_id, kind, key, value


_ROW_FILTERS = {"key": lambda r: r.key, "value": lambda r: r.value,
                "resource-id": lambda r: r.resource_id, "resource-type": lambda r: r.kind}


class TagOperations:
    """Generic tagging of EC2 resources."""

    def taggable(self, req, resource_id):
        prefix = prefix_of(resource_id)
        if prefix not in TAGGABLE:
            raise fail("InvalidID", f"The ID '{resource_id}' is not valid")
        return self.get(req, prefix, resource_id)

    def _authorize_each(self, req, resources) -> list:
        if not resources:
            self.begin(req)
            raise missing("ResourceId")
        found = []
        for resource_id in resources:
            prefix = prefix_of(resource_id)
            kind = TAGGABLE.get(prefix, ("", "*"))[1]
            self.begin(req, self.arn_for(req, kind, resource_id))
            found.append(self.taggable(req, resource_id))
        return found

    @operation
    def create_tags(self, req, Resources, Tags, **_):
        resources = self._authorize_each(req, Resources)
        tags = check_tags(Tags)
        for resource in resources:
            if len({**resource.tags, **tags}) > MAX_TAGS:
                raise fail("TagLimitExceeded", "The maximum number of Tags for a resource has "
                                               f"been reached (limit {MAX_TAGS}).")
        for resource in resources:
            resource.tags.update(tags)
        req.step("EC2 API", f"Tag {', '.join(Resources)} with "
                 f"{', '.join(f'{k}={v}' for k, v in tags.items())}", 2.0)
        return {}

    @operation
    def delete_tags(self, req, Resources, Tags=None, **_):
        resources = self._authorize_each(req, Resources)
        for resource in resources:
            if Tags is None:
                resource.tags.clear()
                continue
            for tag in Tags:
                key = tag.get("Key")
                if key in resource.tags and ("Value" not in tag
                                             or resource.tags[key] == tag["Value"]):
                    del resource.tags[key]
        req.step("EC2 API", f"Remove tags from {', '.join(Resources)}", 2.0)
        return {}

    @operation
    def describe_tags(self, req, Filters=None, MaxResults=None, NextToken=None, **_):
        self.begin(req)
        check_filters(Filters, _ROW_FILTERS)
        rows = []
        for prefix, (kind, _) in TAGGABLE.items():
            for resource in self.mine(req, prefix):
                resource_id = self.resource_id_of(resource)
                rows += [_Row(resource_id, kind, k, v) for k, v in resource.tags.items()]
        rows.sort(key=lambda r: (r.resource_id, r.key))
        rows = [r for r in rows if matches(r, Filters, _ROW_FILTERS)]
        page, token = paginate(req, rows, lambda r: f"{r.resource_id}\n{r.key}", MaxResults,
                               NextToken)
        req.step("EC2 API", f"Describe tags: {len(page)}", 2.0)
        out = {"Tags": [{"Key": r.key, "ResourceId": r.resource_id, "ResourceType": r.kind,
                         "Value": r.value} for r in page]}
        if token:
            out["NextToken"] = token
        return out

    @staticmethod
    def resource_id_of(resource) -> str:
        from .model import resource_id
        return resource_id(resource)
