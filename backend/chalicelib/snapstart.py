"""Lambda SnapStart: what a container restored from a snapshot builds again.

With SnapStart (infra/stack.yaml, per stage), Lambda imports the app once per
published version, snapshots the process, and starts every new container from
that snapshot, possibly hours later and many at once. So what the import or
the snapshot's warm-up made must not be shared or trusted after a restore:

- boto3 clients (their connections and credentials) and the use cases that
  hold them are built again on first use;
- the settings and the token secret are dropped before the snapshot and read
  again after it (the secret from SSM, on first use), so no object holding the
  secret is frozen in the snapshot;
- Python's ``random`` generator is seeded again (botocore's retry jitter uses
  it); ids and tokens come from ``os.urandom``, which a restore does not repeat.

No clock value is kept at import: every "now" is read when a request needs it.
The hooks come from ``snapshot_restore_py``, part of Lambda's managed Python
runtimes; elsewhere (tests, ``make dev``) it is missing and nothing registers.
"""

from __future__ import annotations

import random


def forget() -> None:
    """Drop everything built from the environment or holding a connection."""
    from .wiring import reset

    reset()


def after_restore() -> None:
    forget()
    random.seed()


def register() -> bool:
    """Register the hooks when the runtime offers them; says whether it did."""
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    register_before_snapshot(forget)
    register_after_restore(after_restore)
    return True
