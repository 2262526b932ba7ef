"""SnapStart's runtime hooks, in a process of their own as Lambda runs them:
the app is imported, the before-snapshot hooks run, then (in each restored
container) the after-restore hooks. The hooks library is Lambda's; a stand-in
with its two registration functions records them here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3

from chalicelib import snapstart
from tests.support.live import ROOT

FAKE_LIBRARY = """
before, after = [], []
def register_before_snapshot(func, *args, **kwargs):
    before.append((func, args, kwargs)); return func
def register_after_restore(func, *args, **kwargs):
    after.append((func, args, kwargs)); return func
"""

LAMBDA_LIFE = """
import gc, json, random
import snapshot_restore_py as hooks
import app  # the handler module: registers the hooks at import
from chalicelib.adapters.aws import client
from chalicelib.email.compose import EmailComposer
from chalicelib.service.records import Records
from chalicelib.settings import Settings
from chalicelib.wiring import dispatcher, records

records()  # anything the import or a warm-up built from the settings
dispatcher()
old_client = client("dynamodb")
for func, args, kwargs in reversed(hooks.before):
    func(*args, **kwargs)
gc.collect()
frozen = sorted({type(o).__name__ for o in gc.get_objects() if isinstance(o, Settings | Records | EmailComposer)})

state = random.getstate()
draws = []
for _ in range(2):  # two containers restored from the same snapshot
    random.setstate(state)
    for func, args, kwargs in hooks.after:
        func(*args, **kwargs)
    draws.append(random.getrandbits(64))
print(json.dumps({
    "hooks": [len(hooks.before), len(hooks.after)],
    "frozen": frozen,
    "same_random": draws[0] == draws[1],
    "new_client": client("dynamodb") is not old_client,
    "secret": records().token_secret,
}))
"""


def test_without_lambdas_hooks_library_nothing_registers() -> None:
    assert snapstart.register() is False  # tests and `make dev` run without SnapStart


def test_the_snapshot_holds_no_secret_and_a_restore_builds_clients_and_randomness_anew(
    tmp_path: Path, aws: str
) -> None:
    (tmp_path / "snapshot_restore_py.py").write_text(FAKE_LIBRARY, encoding="utf-8")
    secret = "a-restored-container-reads-this-secret-0001"
    parameter = "/stis-portal/prod/snapstart-token-secret"
    ssm = boto3.client("ssm", region_name="us-west-2")
    ssm.put_parameter(Name=parameter, Value=secret, Type="SecureString", Overwrite=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TOKEN_SECRET"))}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "backend"), str(ROOT)]),
            "STAGE": "prod",
            "TOKEN_SECRET_PARAMETER": parameter,
            "AWS_ENDPOINT_URL": aws,
            "TABLE_NAME": "stis-snapstart",
            "SITE_URL": "https://attendance.alder-creek.example",
            "SITE_ORIGIN": "https://attendance.alder-creek.example",
            "AWS_REGION": "us-west-2",
            "AWS_ACCESS_KEY_ID": "snapstart",
            "AWS_SECRET_ACCESS_KEY": "snapstart",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", LAMBDA_LIFE], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["hooks"] == [1, 1]
    assert seen["frozen"] == [], "an object holding the token secret would be in the snapshot"
    assert seen["same_random"] is False, "two restored containers would draw the same random numbers"
    assert seen["new_client"] is True, "a restored container would reuse the snapshot's boto3 client"
    assert seen["secret"] == secret  # read again from SSM after the restore
