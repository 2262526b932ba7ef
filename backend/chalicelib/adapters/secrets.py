"""The secret the link tokens are derived from.

On AWS it is an SSM Parameter Store SecureString named by TOKEN_SECRET_PARAMETER,
never a Lambda environment variable. It is read on first use, once per container
(the SSM client is the shared one of adapters/aws.py), so a SnapStart snapshot,
taken before any request, never holds it (chalicelib/snapstart.py forgets it
anyway). Locally and in tests the plain TOKEN_SECRET setting is used, unless a
parameter is named (the integration tests read one from moto's SSM).
"""

from __future__ import annotations

from functools import cache

from ..settings import settings

MIN_LENGTH = 32


class SecretError(Exception):
    pass


@cache
def token_secret() -> str:
    current = settings()
    name = current.token_secret_parameter
    if name is None:
        return current.token_secret
    from botocore.exceptions import ClientError

    from .aws import client

    try:
        answer = client("ssm").get_parameter(Name=name, WithDecryption=True)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise SecretError(f"cannot read the token secret from SSM parameter {name}: {code}") from None
    parameter = answer["Parameter"]
    if parameter.get("Type") != "SecureString":
        raise SecretError(f"SSM parameter {name} must be a SecureString, not {parameter.get('Type')}")
    value = str(parameter["Value"])
    if len(value) < MIN_LENGTH:
        raise SecretError(f"the token secret in {name} must be at least {MIN_LENGTH} characters")
    return value
