"""S3 state as plain JSON data (``cloud.save``), and S3's part of ``cloud.graph()``."""

from __future__ import annotations

import dataclasses

from ..cloud import b64, unb64
from ..iam.policy import Policy
from .model import Bucket


def dump_s3(s3) -> dict:
    buckets = []
    for bucket in s3.buckets.values():
        data = dataclasses.asdict(bucket)
        data["policy"] = bucket.policy.text if bucket.policy is not None else None
        buckets.append(data)
    return {"metadata_db": s3.meta.dump(), "buckets": buckets,
            "data_stores": {region: store.dump(b64) for region, store in sorted(s3.data_stores.items())},
            "pricing": s3.pricing.dump(),
            "restores": {oid: dict(state) for oid, state in sorted(s3.restores.items())}}


def load_s3(s3, data: dict) -> None:
    s3._init_model()
    s3.meta.restore(data["metadata_db"])
    for saved in data["buckets"]:
        saved = dict(saved)
        if saved["policy"] is not None:
            saved["policy"] = Policy.parse(saved["policy"], kind="resource")
        bucket = Bucket(**saved)
        s3.buckets[bucket.name] = bucket
    for region, store in data["data_stores"].items():
        s3.store_for(region).restore(store, unb64)
    s3.pricing.restore(data["pricing"])
    s3.restores.clear()
    s3.restores.update(data.get("restores", {}))
    s3.restore_schedules()


def graph_s3(s3, graph) -> None:
    """Buckets (→ owning account, → the data store of their Region) and their objects' versions."""
    for region, store in sorted(s3.data_stores.items()):
        store_id = f"awskit:s3:{region}:data-store"
        graph.add_node(store_id, type="s3-data-store", name=f"S3 data store ({region})",
                       region=region)
        for node in store.nodes:
            node_id = f"awskit:s3:{region}:data-node/{node.node_id}"
            graph.add_node(node_id, type="s3-data-node", name=node.node_id, region=region,
                           az=node.az, status="up" if node.up else "down")
            graph.add_edge(store_id, node_id, relation="contains")
    for name in sorted(s3.buckets):
        bucket = s3.buckets[name]
        graph.add_node(bucket.arn, type="s3-bucket", name=name, region=bucket.region,
                       account=bucket.owner)
        graph.add_edge(f"arn:aws:iam::{bucket.owner}:root", bucket.arn, relation="owns")
        graph.add_edge(bucket.arn, f"awskit:s3:{bucket.region}:data-store", relation="stores-in")
        for (key, version, oid, marker) in s3.meta.db.execute(
                "SELECT object_name, version_id, object_id, is_delete_marker FROM object "
                "WHERE bucket_id = ? ORDER BY object_name, seq", (bucket.bucket_id,)):
            node = f"{bucket.arn}/{key}" if version == "null" else f"{bucket.arn}/{key}?versionId={version}"
            graph.add_node(node, type="s3-delete-marker" if marker else "s3-object", name=key,
                           region=bucket.region, object_id=oid, version_id=version)
            graph.add_edge(bucket.arn, node, relation="contains")
