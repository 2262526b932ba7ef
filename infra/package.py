"""Package one stage for AWS: ``python -m infra.package --stage prod`` (``make package``).

Writes ``build/package/<stage>/``:
  merge.json      infra/stack.yaml filled in for the stage
  sam.yaml        the deployable template (Chalice's output with merge.json merged in)
  deployment.zip  the functions' code and dependencies (Linux wheels)

Steps: hash the built site's inline scripts for the Content-Security-Policy
(the site is built into a temporary directory with mkdocs unless ``--site-dir``
names a built one); fill in stack.yaml for the stage; compile the translation
catalogs (``.mo``, which ``chalice package`` bundles with chalicelib); run
``chalice package`` with it as ``--merge-template``; check that every addition
found its resource and that the catalogs are in the bundle.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from chalicelib.i18n.catalogs import compile_catalogs
from infra.csp import inline_script_hashes
from infra.site import SiteBuildError, build_site
from infra.template import (
    AWS_STAGES,
    BACKEND,
    ROOT,
    TemplateError,
    apply_snapstart,
    render,
    snapstart_enabled,
)

BUILD = ROOT / "build" / "package"
#: The functions' runtime. `chalice package` names the Python it runs on, so
#: packaging runs on this version (the Makefile builds .venv with it).
LAMBDA_RUNTIME = "python3.13"
#: What the wheels bring that no function imports, left out of the bundle (a fifth of
#: it, zipped): dnspython serves email-validator's deliverability check, which pydantic
#: never asks for; pydantic's v1 API and its mypy plugin. tests/infra serves requests
#: and loads every email template from the bundle without them.
NEVER_IMPORTED = ("dns", "dnspython-*.dist-info", "pydantic/v1", "pydantic/mypy.py")
DEFAULT_REGION = "us-west-2"
# `chalice package` imports the app, which validates its settings at import
# (an AWS stage needs the name of the secret's SSM parameter, never reads it
# then); this value only lets that import pass: it is never written into the output.
PACKAGING_SECRET_PARAMETER = "/packaging-only/placeholder-never-deployed"  # noqa: S105 (a name)


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise TemplateError(f"{name} is not installed (run `make package`, which installs it)")
    return found


def built_site_hashes() -> list[str]:
    """Build the site into a temporary directory and hash its inline scripts.

    The hashes do not depend on the API's address (a <meta> tag), so this build
    can happen before the stack exists."""
    with tempfile.TemporaryDirectory(prefix="stis-site-") as site_dir:
        try:
            build_site(Path(site_dir), "https://api.invalid")
        except SiteBuildError as error:
            raise TemplateError(str(error)) from None
        return inline_script_hashes(Path(site_dir))


def _chalice_environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.setdefault("AWS_DEFAULT_REGION", environment.get("AWS_REGION", DEFAULT_REGION))
    environment.pop("TOKEN_SECRET", None)
    environment["TOKEN_SECRET_PARAMETER"] = PACKAGING_SECRET_PARAMETER
    # Nothing about packaging talks to AWS or to a local endpoint.
    environment.pop("AWS_ENDPOINT_URL", None)
    return environment


def check_packaged(template: dict[str, Any], merge: dict[str, Any]) -> None:
    """Every addition in the merge template must have met a Chalice resource."""
    resources = template.get("Resources", {})
    orphans = sorted(
        name
        for name, resource in merge["Resources"].items()
        if "Type" not in resource and "Type" not in resources.get(name, {})
    )
    if orphans:
        raise TemplateError(
            "infra/stack.yaml adds to resources Chalice did not generate: "
            f"{', '.join(orphans)} (was a function renamed in backend/app.py?)"
        )


def package(
    stage: str,
    out_dir: Path | None = None,
    script_hashes: Sequence[str] | None = None,
    project_dir: Path = BACKEND,
    snapstart: bool | None = None,
) -> Path:
    """Package ``stage``; returns the path of the deployable template.

    ``snapstart`` overrides the stage's SnapStart setting (infra/stack.yaml)."""
    out = (BUILD / stage) if out_dir is None else out_dir
    hashes = built_site_hashes() if script_hashes is None else list(script_hashes)
    merge = render(stage, hashes)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    merge_path = out / "merge.json"
    merge_path.write_text(json.dumps(merge, indent=2) + "\n", encoding="utf-8")
    catalogs = compile_catalogs(project_dir / "chalicelib" / "i18n" / "locale")
    result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [
            _tool("chalice"),
            "--project-dir",
            str(project_dir),
            "package",
            "--stage",
            stage,
            "--template-format",
            "yaml",
            "--merge-template",
            str(merge_path),
            str(out),
        ],
        env=_chalice_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise TemplateError(f"chalice package failed:\n{result.stdout.strip()}\n{result.stderr.strip()}")
    template_path = out / "sam.yaml"
    template = yaml.safe_load(template_path.read_text(encoding="utf-8"))
    check_packaged(template, merge)
    check_catalogs(out / "deployment.zip", [path.relative_to(project_dir).as_posix() for path in catalogs])
    runtime = _runtime(template)
    if runtime != LAMBDA_RUNTIME:
        raise TemplateError(
            f"chalice packaged for {runtime} (the Python it ran on), not {LAMBDA_RUNTIME}: "
            f"run `make package`, which uses .venv's Python {LAMBDA_RUNTIME.removeprefix('python')}"
        )
    on = snapstart_enabled(stage) if snapstart is None else snapstart
    template = apply_snapstart(template, on)
    template_path.write_text(yaml.safe_dump(template, sort_keys=False), encoding="utf-8")
    finish_bundle(out / "deployment.zip", runtime)
    return template_path


def check_catalogs(bundle: Path, expected: Sequence[str]) -> None:
    """The compiled translations (written just before ``chalice package``) are in
    the bundle: without them the API and the emails would speak only English."""
    import zipfile

    with zipfile.ZipFile(bundle) as source:
        missing = sorted(set(expected) - set(source.namelist()))
    if missing:
        raise TemplateError(f"deployment.zip lacks the compiled catalogs: {', '.join(missing)}")


def _runtime(template: dict[str, Any]) -> str:
    runtimes = {
        str(resource.get("Properties", {}).get("Runtime", ""))
        for resource in template.get("Resources", {}).values()
        if resource.get("Type") == "AWS::Serverless::Function"
    }
    runtimes |= {str(template.get("Globals", {}).get("Function", {}).get("Runtime", ""))}
    runtimes.discard("")
    if len(runtimes) != 1:
        raise TemplateError(f"expected one Lambda runtime, found {sorted(runtimes) or 'none'}")
    return runtimes.pop()


def finish_bundle(bundle: Path, runtime: str) -> bool:
    """Do once, when packaging, what every cold start would otherwise do.

    - Leave out what no function imports (NEVER_IMPORTED).
    - Validate the district file into its compiled form (chalicelib/config/
      district.compiled), which the function loads without PyYAML or validation.
    - Compile every module. Lambda's code directory is read-only, so without
      ``.pyc`` files every new container compiles the app and its dependencies
      again (about half a second of CPU). The bytecode is checked by hash, not by
      the zip's timestamps.

    Both depend on the Python version, so they are only done when this Python is
    the runtime's (LAMBDA_RUNTIME)."""
    import compileall
    import py_compile
    import zipfile

    from chalicelib.config.loader import ConfigError, compile_district

    here = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if runtime != here:
        print(f"package: not adding bytecode: the runtime is {runtime}, this is {here}", file=sys.stderr)
        return False
    with tempfile.TemporaryDirectory() as unpacked:
        root = Path(unpacked)
        with zipfile.ZipFile(bundle) as source:
            modes = {info.filename: info.external_attr for info in source.infolist()}
            source.extractall(root)
        for pattern in NEVER_IMPORTED:
            for unused in root.glob(pattern):
                if unused.is_dir():
                    shutil.rmtree(unused)
                else:
                    unused.unlink()
        config = root / "chalicelib" / "config"
        try:
            compile_district(config / "district.compiled", config / "district.yaml")
        except ConfigError as error:
            raise TemplateError(str(error)) from None
        compiled = compileall.compile_dir(
            root,
            quiet=1,
            workers=1,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        if not compiled:
            raise TemplateError("the bundle does not compile with this Python")
        rebuilt = bundle.with_suffix(".tmp")
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as target:
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                name = path.relative_to(root).as_posix()
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = modes.get(name, 0o644 << 16)
                info.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(info, path.read_bytes())
        rebuilt.replace(bundle)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.package", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--stage", required=True, choices=AWS_STAGES)
    parser.add_argument("--out", type=Path, help="output directory (build/package/<stage>)")
    parser.add_argument(
        "--site-dir",
        type=Path,
        help="a built site to hash the inline scripts of (default: build one)",
    )
    arguments = parser.parse_args(argv)
    hashes = inline_script_hashes(arguments.site_dir) if arguments.site_dir else None
    try:
        template = package(arguments.stage, arguments.out, hashes)
    except TemplateError as error:
        print(f"package: {error}", file=sys.stderr)
        return 1
    print(f"package: wrote {template} and {template.parent / 'deployment.zip'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
