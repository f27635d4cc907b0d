"""Amazon Route 53: hosted zones, record sets, routing policies, health checks and a resolver
(``cloud.route53``; see ``api.py``)."""
