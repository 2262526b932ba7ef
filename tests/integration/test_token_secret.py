"""The link-token secret read from SSM Parameter Store (moto's server, over HTTP),
as the functions read it on AWS: once per container, on first use."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from chalicelib import snapstart
from chalicelib.adapters.secrets import SecretError, token_secret
from chalicelib.settings import Settings, SettingsError
from tests.support.aws import REGION

PARAMETER = "/stis-portal/prod/token-secret"
SECRET = "an-ssm-secret-for-the-links-of-alder-creek-0001"
AWS_ENVIRONMENT = {
    "STAGE": "prod",
    "TOKEN_SECRET_PARAMETER": PARAMETER,
    "TABLE_NAME": "stis-secret-test",
    "SITE_URL": "https://attendance.alder-creek.example",
    "SITE_ORIGIN": "https://attendance.alder-creek.example",
}


@pytest.fixture
def ssm(aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The process set up as a prod function: its secret named, not given."""
    monkeypatch.delenv("TOKEN_SECRET", raising=False)
    for name, value in AWS_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    snapstart.forget()
    client = boto3.client("ssm", region_name=REGION)
    yield client
    for name in (PARAMETER, "/stis-portal/dev/token-secret"):
        with contextlib.suppress(client.exceptions.ParameterNotFound):
            client.delete_parameter(Name=name)
    monkeypatch.undo()
    snapstart.forget()


def test_the_secret_comes_from_the_securestring_and_is_read_once(ssm: Any) -> None:
    ssm.put_parameter(Name=PARAMETER, Value=SECRET, Type="SecureString")
    calls: list[str] = []
    from chalicelib.adapters.aws import client

    real = client("ssm")
    original = real.get_parameter

    def counting(**kwargs: Any) -> Any:
        calls.append(kwargs["Name"])
        return original(**kwargs)

    real.get_parameter = counting
    assert token_secret() == SECRET
    assert token_secret() == SECRET
    assert calls == [PARAMETER]  # once per container
    # The use cases derive the links from it.
    from chalicelib.wiring import records

    assert records().token_secret == SECRET


def test_a_restored_container_reads_the_secret_again(ssm: Any) -> None:
    ssm.put_parameter(Name=PARAMETER, Value=SECRET, Type="SecureString")
    assert token_secret() == SECRET
    rotated = SECRET.replace("0001", "0002")
    ssm.put_parameter(Name=PARAMETER, Value=rotated, Type="SecureString", Overwrite=True)
    assert token_secret() == SECRET  # the container keeps what it read
    snapstart.after_restore()
    assert token_secret() == rotated


@pytest.mark.parametrize(
    ("value", "kind", "problem"),
    [
        (SECRET, "String", "must be a SecureString"),
        ("too-short-for-a-secret", "SecureString", "at least 32 characters"),
    ],
)
def test_a_parameter_that_is_not_a_good_secret_is_refused(
    ssm: Any, value: str, kind: str, problem: str
) -> None:
    ssm.put_parameter(Name=PARAMETER, Value=value, Type=kind)
    with pytest.raises(SecretError, match=problem):
        token_secret()


def test_a_missing_parameter_is_named_in_the_error(ssm: Any) -> None:
    with pytest.raises(SecretError, match=f"{PARAMETER}: ParameterNotFound"):
        token_secret()


def test_aws_stages_need_the_secrets_parameter() -> None:
    without = {k: v for k, v in AWS_ENVIRONMENT.items() if k != "TOKEN_SECRET_PARAMETER"}
    with pytest.raises(SettingsError, match="TOKEN_SECRET_PARAMETER must name"):
        Settings.from_env(without)
    with pytest.raises(SettingsError, match="TOKEN_SECRET_PARAMETER"):
        Settings.from_env({**AWS_ENVIRONMENT, "TOKEN_SECRET_PARAMETER": "token secret"})


def test_the_parameter_wins_over_a_plain_setting(ssm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    ssm.put_parameter(Name=PARAMETER, Value=SECRET, Type="SecureString")
    monkeypatch.setenv("TOKEN_SECRET", "a-plain-setting-that-is-not-the-secret-000")
    snapstart.forget()
    assert token_secret() == SECRET


def test_local_stages_keep_the_plain_setting() -> None:
    settings = Settings.from_env({"STAGE": "test", "TOKEN_SECRET": SECRET})
    assert settings.token_secret == SECRET and settings.token_secret_parameter is None
