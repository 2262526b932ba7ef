"""Load and validate the district configuration; fail loudly, naming the key."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from .schema import DistrictConfig, language_problems

DEFAULT_PATH = Path(__file__).with_name("district.yaml")


class ConfigError(Exception):
    """The configuration file is missing, not YAML, or breaks a rule."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"district configuration {path} is not valid:\n{listing}")


class _Loader(yaml.SafeLoader):
    """Safe YAML, leaving dates and times as text for the schema to check, so
    a date that is not a date is reported under its key like any other error."""


# The same loader on libyaml (ten times faster: a cold start reads the file), when
# PyYAML was built with it; a file it refuses is read again by _Loader, whose
# message quotes the line at fault.
class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


_Loader.yaml_implicit_resolvers = _FastLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _key(location: tuple[int | str, ...]) -> str:
    key = ""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key or "(top level)"


def parse(text: str, path: Path = DEFAULT_PATH) -> DistrictConfig:
    try:
        data = yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        try:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as error:
            raise ConfigError(path, [f"not valid YAML: {error}"]) from None
    if not isinstance(data, dict):
        raise ConfigError(path, ["(top level): expected a mapping of keys to values"])
    try:
        config = DistrictConfig.model_validate(data)
    except ValidationError as error:
        problems = [f"{_key(e['loc'])}: {e['msg']}" for e in error.errors()]
        raise ConfigError(path, problems) from None
    untranslated = language_problems(config)
    if untranslated:
        raise ConfigError(path, untranslated)
    return config


def load(path: Path | str | None = None) -> DistrictConfig:
    chosen = Path(path or os.environ.get("DISTRICT_CONFIG") or DEFAULT_PATH)
    try:
        text = chosen.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(chosen, [f"cannot be read: {error.strerror}"]) from None
    return parse(text, chosen)


@lru_cache(maxsize=1)
def district() -> DistrictConfig:
    """The configuration this process runs with, read once."""
    return load()
