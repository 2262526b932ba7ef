"""``python -m infra.roster import DIR --stage STAGE``: replace a stage's roster
with the OneRoster 1.1 CSV export in DIR (``make roster DIR=...`` for the
running ``make dev``).

Stages: ``local`` is the table of a running ``make dev``, whose embedded AWS is
found through the file it writes (``build/local-aws.json``, or
``STIS_LOCAL_AWS_FILE``); ``dev`` and ``prod`` are the table of the stack
``stis-portal-<stage>`` in the AWS account of the current credentials
(``--table`` names another). ``--dry-run`` reads and reports without writing.
It prints counts only, never a name.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from chalicelib.config.loader import ConfigError, load
from infra.local.stack import local_aws_file
from infra.roster.oneroster import RosterExport, RosterFileError, read_export

STACK = "stis-portal-{stage}"


class TargetError(Exception):
    """The stage's table cannot be reached; the message says what to do."""


def _dynamodb(stage: str, table: str | None) -> tuple[Any, str]:
    import boto3

    if stage == "local":
        try:
            local = json.loads(local_aws_file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise TargetError("no local stack found: start `make dev` first") from None
        client = boto3.client(
            "dynamodb",
            endpoint_url=local["endpoint_url"],
            region_name=local["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - the embedded AWS takes any
        )
        return client, table or str(local["table"])
    client = boto3.client("dynamodb")
    if table:
        return client, table
    outputs = boto3.client("cloudformation").describe_stacks(StackName=STACK.format(stage=stage))
    for output in outputs["Stacks"][0].get("Outputs", []):
        if output["OutputKey"] == "TableName":
            return client, str(output["OutputValue"])
    raise TargetError(f"the stack {STACK.format(stage=stage)} has no TableName output: give --table")


def report(export: RosterExport) -> str:
    lines = [f"students: {len(export.students)}", f"guardians: {export.guardians}"]
    if export.unknown_orgs:
        lines.append(f"schools in orgs.csv not in the district file (ignored): {export.unknown_orgs}")
    lines.append(f"skipped: {sum(export.skipped.values())}")
    lines += [f"  {reason}: {count}" for reason, count in sorted(export.skipped.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.roster", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("import", help="replace the roster with a OneRoster 1.1 CSV export")
    command.add_argument("directory", type=Path, help="folder holding orgs.csv, users.csv, enrollments.csv")
    command.add_argument("--stage", required=True, choices=["local", "dev", "prod"])
    command.add_argument("--table", help="the table's name (default: the stage's)")
    command.add_argument("--dry-run", action="store_true", help="read and report, write nothing")
    command.add_argument("--allow-empty", action="store_true", help="import even an empty roster")
    args = parser.parse_args(argv)

    try:
        district = load()
        export = read_export(args.directory, {s.id for s in district.schools}, district.roster_school_column)
    except (ConfigError, RosterFileError) as error:
        print(f"!! {error}", file=sys.stderr)
        return 1
    print(report(export))
    if not export.students and not args.allow_empty:
        print(
            "!! no student to import: the roster was left as it is. Check that orgs.csv's "
            f"{district.roster_school_column} column holds the school ids of the district file.",
            file=sys.stderr,
        )
        return 1
    if args.dry_run:
        print("dry run: nothing written")
        return 0

    from botocore.exceptions import BotoCoreError, ClientError

    from infra.roster.table import put_students

    try:
        client, table = _dynamodb(args.stage, args.table)
        written = put_students(client, table, export.students)
    except TargetError as error:
        print(f"!! {error}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as error:
        print(f"!! the {args.stage} table could not be written: {error}", file=sys.stderr)
        return 2
    print(f"written to {table}: {written.written} student(s), {written.removed} removed from the last roster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
