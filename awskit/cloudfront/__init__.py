"""Amazon CloudFront: distributions, cache policies, origin access control and invalidations
(``api.py`` and its mixins), and an edge network that answers viewers (``edge.py``: edge
locations, regional edge caches, Origin Shield, origins) with a documented latency model
(``geo.py``) and CloudFront's caching rules (``caching.py``)."""
