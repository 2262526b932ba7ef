"""Reading a OneRoster 1.1 CSV export: the fictional demo export gives the
students, schools and guardians' addresses it lists; rows that cannot be used
are counted by reason; a file that is not an export stops the import with the
file, row and column at fault; the report never names anyone."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from infra.roster.__main__ import report
from infra.roster.oneroster import RosterFileError, read_export

DEMO = Path(__file__).parents[3] / "infra" / "roster" / "demo"
SCHOOLS = {"madrone-elementary", "ridgeline-middle"}


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "export"
    shutil.copytree(DEMO, copy)
    return copy


def rewrite(path: Path, change: dict[str, dict[str, str]]) -> None:
    """Change cells of ``path``: {sourcedId: {column: value}}."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row.update(change.get(row["sourcedId"], {}))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_the_demo_export_gives_each_student_their_school_and_guardians() -> None:
    export = read_export(DEMO, SCHOOLS)
    by_id = {s.student_id: s for s in export.students}
    assert sorted(by_id) == ["123456789", "5550101", "5550102", "5550206", "555203"]
    ana = by_id["5550101"]
    assert (ana.first_name, ana.last_name, ana.grade) == ("Ana", "Beltrán", "3")
    assert ana.school_ids == {"madrone-elementary"}
    assert ana.guardian_emails == {"marta.beltran@family.example", "luis.beltran@family.example"}
    # Linked only from the guardian's row; only from the student's row.
    assert by_id["5550102"].guardian_emails == {"h.marsh@family.example"}
    assert by_id["555203"].guardian_emails == {"desmond.calloway@family.example"}
    assert by_id["5550102"].grade == "K"
    # Siblings share one guardian, whose address is kept in lower case.
    assert (
        by_id["123456789"].guardian_emails
        == by_id["5550206"].guardian_emails
        == {"paula.soto@family.example"}
    )
    assert export.guardians == 5
    assert export.unknown_orgs == 1


def test_rows_that_cannot_be_used_are_counted_by_reason() -> None:
    assert dict(read_export(DEMO, SCHOOLS).skipped) == {
        "student at no school of the district file": 1,
        "student marked tobedeleted or disabled": 1,
        "student without a guardian email address": 1,
        "guardian linked to no student": 1,
        "guardian without a valid email address": 1,
    }


def test_the_report_counts_and_names_no_one() -> None:
    text = report(read_export(DEMO, SCHOOLS))
    assert "students: 5" in text
    assert "guardians: 5" in text
    with (DEMO / "users.csv").open(encoding="utf-8") as handle:
        people = list(csv.DictReader(handle))
    for person in people:
        for value in (person["givenName"], person["familyName"], person["email"], person["identifier"]):
            assert not value or value not in text


def test_schools_are_matched_by_the_column_the_district_names(export_dir: Path) -> None:
    assert read_export(export_dir, SCHOOLS, "name").students == []
    rewrite(export_dir / "orgs.csv", {"org-madrone": {"name": "madrone-elementary"}})
    by_name = read_export(export_dir, SCHOOLS, "name")
    assert [s.student_id for s in by_name.students] == ["5550101", "5550102"]


def test_a_school_from_the_users_row_counts_without_an_enrollment(export_dir: Path) -> None:
    rewrite(export_dir / "users.csv", {"stu-007": {"orgSourcedIds": "org-juniper,org-ridgeline"}})
    by_id = {s.student_id: s for s in read_export(export_dir, SCHOOLS).students}
    assert by_id["5550908"].school_ids == {"ridgeline-middle"}


@pytest.mark.parametrize("name", ["Ana\u202eevil", "Ana\u200b", "Ana\x07"])
def test_a_name_with_hidden_characters_is_skipped(export_dir: Path, name: str) -> None:
    rewrite(export_dir / "users.csv", {"stu-001": {"givenName": name}})
    export = read_export(export_dir, SCHOOLS)
    assert "5550101" not in {s.student_id for s in export.students}
    assert export.skipped["student name missing or with hidden characters"] == 1


def test_a_student_id_given_twice_keeps_the_first(export_dir: Path) -> None:
    rewrite(export_dir / "users.csv", {"stu-002": {"identifier": " 5550101 "}})
    export = read_export(export_dir, SCHOOLS)
    assert [s.first_name for s in export.students if s.student_id == "5550101"] == ["Ana"]
    assert export.skipped["student identifier repeated"] == 1


def test_the_files_other_columns_may_come_in_any_order(export_dir: Path) -> None:
    path = export_dir / "enrollments.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=sorted(rows[0], reverse=True))
        writer.writeheader()
        writer.writerows(rows)
    assert len(read_export(export_dir, SCHOOLS).students) == 5


def _break(export_dir: Path, name: str, text: str) -> None:
    (export_dir / name).write_text(text, encoding="utf-8")


def _append(export_dir: Path, name: str, text: str) -> None:
    with (export_dir / name).open("a", encoding="utf-8") as handle:
        handle.write(text)


def _users(export_dir: Path, sourced_id: str, column: str, value: str) -> None:
    rewrite(export_dir / "users.csv", {sourced_id: {column: value}})


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: (d / "orgs.csv").unlink(), "orgs.csv: not found in"),
        (
            lambda d: _break(d, "users.csv", "sourcedId,role\nstu-1,student\n"),
            "users.csv, row 1: missing column(s)",
        ),
        (lambda d: _users(d, "stu-003", "role", "pupil"), "users.csv, row 4, column role: 'pupil' is not"),
        (lambda d: _users(d, "gdn-001", "status", "gone"), "users.csv, row 10, column status: 'gone'"),
        (
            lambda d: _users(d, "stu-002", "sourcedId", "stu-001"),
            "users.csv, row 3, column sourcedId: 'stu-001' repeated",
        ),
        (lambda d: _users(d, "stu-002", "sourcedId", ""), "users.csv, row 3, column sourcedId: empty"),
        (
            lambda d: (d / "enrollments.csv").write_bytes(
                b"sourcedId,schoolSourcedId,userSourcedId,role\n" + b"e,o,u,student\n" * 5000 + b"\xff\n"
            ),
            "enrollments.csv, row 5002: not UTF-8",
        ),
        (
            lambda d: _append(d, "orgs.csv", "org-x,,,Extra,school,x,,surplus\n"),
            "orgs.csv, row 6: 7 values expected",
        ),
        (lambda d: _append(d, "orgs.csv", "org-y,,,Short\n"), "orgs.csv, row 6: 7 values expected"),
        (lambda d: _append(d, "orgs.csv", 'org-z,,,"Open quote,school\n'), "orgs.csv, row 6: not CSV"),
    ],
    ids=[
        "missing file",
        "missing column",
        "unknown role",
        "bad status",
        "repeated id",
        "empty id",
        "not utf-8",
        "extra value",
        "missing value",
        "bad quoting",
    ],
)
def test_a_file_that_is_not_an_export_is_refused_naming_file_row_and_column(
    export_dir: Path, damage: object, expected: str
) -> None:
    damage(export_dir)  # type: ignore[operator]
    with pytest.raises(RosterFileError) as refused:
        read_export(export_dir, SCHOOLS)
    assert expected in str(refused.value)
