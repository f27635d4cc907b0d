"""SnapStart runtime hooks for Python: a small module with the API shape of AWS's
``snapshot_restore_py`` (github.com/aws/snapshot-restore-py), importable by handler code in the
simulated execution environment (this directory plays ``/var/runtime``).

    from snapshot_restore_py import register_before_snapshot, register_after_restore

    @register_before_snapshot
    def close_connections(): ...

    register_after_restore(reconnect, "db.example.com", retries=3)

Both functions register ``(func, args, kwargs)`` and return ``func`` (so they work as
decorators). The runtime runs before-snapshot hooks in reverse registration order and
after-restore hooks in registration order (AWS Lambda Developer Guide, snapstart-runtime-hooks;
fact sheet A11).
"""

_before_snapshot = []
_after_restore = []


def register_before_snapshot(func, *args, **kwargs):
    _before_snapshot.append((func, args, kwargs))
    return func


def register_after_restore(func, *args, **kwargs):
    _after_restore.append((func, args, kwargs))
    return func


def get_before_snapshot():
    return _before_snapshot


def get_after_restore():
    return _after_restore
