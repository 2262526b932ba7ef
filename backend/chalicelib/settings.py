"""Deployment settings: one typed object, read from the environment once.

District policy lives in the district configuration file; this holds what
differs between a developer's machine and each AWS stage.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, ValidationError


class SettingsError(Exception):
    pass


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: Literal["local", "test", "dev", "prod"] = "local"
    table_name: str = Field("stis-local", min_length=3, max_length=255)
    sender_email: EmailStr = "attendance@alder-creek.example"
    ses_configuration_set: str | None = None
    site_url: Annotated[str, StringConstraints(pattern=r"^https?://[^\s#?]+$")] = "http://127.0.0.1:8001"
    site_origin: Annotated[str, StringConstraints(pattern=r"^https?://[^/\s]+$")] = "http://127.0.0.1:8001"
    token_secret: str = Field("local-development-secret-not-for-aws", min_length=32)
    # On AWS the secret is an SSM SecureString, read on first use (adapters/secrets.py).
    token_secret_parameter: (
        Annotated[str, StringConstraints(pattern=r"^/[A-Za-z0-9_.\-/]{1,1000}$")] | None
    ) = None
    aws_region: str = "us-west-2"
    aws_endpoint_url: str | None = None
    max_body_bytes: int = Field(32_768, ge=1024, le=1_048_576)
    district_config: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        source = os.environ if env is None else env
        names = {name: name.upper() for name in cls.model_fields}
        names["aws_region"] = "AWS_REGION"
        values = {field: source[var] for field, var in names.items() if source.get(var)}
        if "aws_region" not in values and source.get("AWS_DEFAULT_REGION"):
            values["aws_region"] = source["AWS_DEFAULT_REGION"]
        try:
            settings = cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(f"{names[str(e['loc'][0])]}: {e['msg']}" for e in error.errors() if e["loc"])
            raise SettingsError(f"deployment settings are not valid: {problems}") from None
        # The deployed functions name an SSM SecureString (infra/stack.yaml; a test checks
        # that no stage puts TOKEN_SECRET in a function's environment, which anyone who can
        # read the function's configuration could read). A secret of its own in
        # TOKEN_SECRET is only for running an AWS stage's code off AWS (bench/).
        if (
            settings.stage in ("dev", "prod")
            and settings.token_secret_parameter is None
            and settings.token_secret == cls().token_secret
        ):
            raise SettingsError(
                "TOKEN_SECRET_PARAMETER must name the SSM SecureString holding the link secret on AWS stages"
            )
        return settings


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()
