"""Load and validate the district configuration; fail loudly, naming the key."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import pickle
import sys
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pydantic
from pydantic import ValidationError

from .schema import DistrictConfig, language_problems

DEFAULT_PATH = Path(__file__).with_name("district.yaml")
#: The district file validated when packaging (`make package`), beside it in the bundle.
COMPILED_PATH = DEFAULT_PATH.with_name("district.compiled")


class ConfigError(Exception):
    """The configuration file is missing, not YAML, or breaks a rule."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"district configuration {path} is not valid:\n{listing}")


@cache
def _yaml_loaders() -> tuple[Any, Any]:
    """(libyaml's loader when PyYAML has it, the pure-Python one). PyYAML is only
    imported here: a function that loads the compiled file never imports it.

    Both are safe loaders that leave dates and times as text for the schema to
    check, so a date that is not a date is reported under its key like any other
    error. libyaml is ten times faster; a file it refuses is read again by the
    pure-Python loader, whose message quotes the line at fault."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    class FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    Loader.yaml_implicit_resolvers = FastLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return FastLoader, Loader


def _key(location: tuple[int | str, ...]) -> str:
    key = ""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key or "(top level)"


def parse(text: str, path: Path = DEFAULT_PATH) -> DistrictConfig:
    import yaml

    fast, careful = _yaml_loaders()
    try:
        data = yaml.load(text, Loader=fast)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        try:
            data = yaml.load(text, Loader=careful)  # noqa: S506 - a SafeLoader
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


# --- validated once, when packaging --------------------------------------------------
#
# `make package` validates district.yaml and stores the result as a pickle beside
# it, under a header naming what it was made from: a fingerprint of the file, of
# the source of every chalicelib module the pickle refers to (the schema's
# classes, whatever their fields are), and of the Python and pydantic versions.
# A container loads that (no PyYAML, no validation) when the fingerprint still
# matches, and validates the file itself otherwise.


def _fingerprint(config_text: bytes, modules: list[str]) -> str:
    digest = hashlib.sha256(config_text)
    digest.update(f"python {sys.version_info[:2]} pydantic {pydantic.VERSION}".encode())
    for name in modules:
        source = getattr(importlib.import_module(name), "__file__", None)
        digest.update(name.encode() + b"\0" + (Path(source).read_bytes() if source else b""))
    return digest.hexdigest()


def _own_modules(blob: bytes) -> list[str]:
    """The chalicelib modules whose classes a pickle (protocol 3) names."""
    import pickletools  # only when packaging

    found = set()
    for opcode, argument, _ in pickletools.genops(blob):
        if opcode.name == "GLOBAL":
            module = str(argument).split(" ", 1)[0]
            if module.split(".")[0] == __name__.split(".")[0]:
                found.add(module)
    return sorted(found)


def compile_district(target: Path = COMPILED_PATH, source: Path = DEFAULT_PATH) -> Path:
    """Validate ``source`` (raising ConfigError as load does) and write its compiled form."""
    config = load(source)
    blob = pickle.dumps(config, protocol=3)  # 3: every class is named by a GLOBAL opcode
    modules = _own_modules(blob)
    header = {"fingerprint": _fingerprint(source.read_bytes(), modules), "modules": modules}
    target.write_bytes(json.dumps(header).encode() + b"\n" + blob)
    return target


def load_compiled(path: Path = COMPILED_PATH, source: Path = DEFAULT_PATH) -> DistrictConfig | None:
    """The compiled configuration, or None when there is none or it does not
    match ``source`` and the code that reads it."""
    try:
        blob, text = path.read_bytes(), source.read_bytes()
        line, _, body = blob.partition(b"\n")
        header = json.loads(line)
        if header["fingerprint"] != _fingerprint(text, list(header["modules"])):
            return None
        # Written by compile_district when packaging, shipped read-only in the bundle.
        config = pickle.loads(body)  # noqa: S301
    except (OSError, EOFError, ValueError, KeyError, TypeError, ImportError, pickle.UnpicklingError):
        return None
    return config if isinstance(config, DistrictConfig) else None


@lru_cache(maxsize=1)
def district() -> DistrictConfig:
    """The configuration this process runs with, read once: the compiled form
    when it matches district.yaml, else the file itself (DISTRICT_CONFIG names
    another file, always read and validated)."""
    if not os.environ.get("DISTRICT_CONFIG"):
        compiled = load_compiled()
        if compiled is not None:
            return compiled
    return load()
