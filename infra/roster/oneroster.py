"""Read a OneRoster 1.1 CSV export into the portal's roster.

Three files of the export are read (others in the folder are ignored):
  orgs.csv         sourcedId, type, and the column the district file names in
                   ``roster_school_column`` (``identifier`` by default), whose value
                   is a school's ``id`` in the district file
  users.csv        sourcedId, role, identifier (the student id families know),
                   givenName, familyName, email, agentSourcedIds, orgSourcedIds, grades
  enrollments.csv  schoolSourcedId, userSourcedId, role

A student's schools are the known schools of their enrollments and of their
``orgSourcedIds``; a guardian (role ``guardian`` or ``parent``) belongs to a
student when either names the other in ``agentSourcedIds``. Rows marked
``tobedeleted`` and disabled users are left out. A file that is not such an
export stops the import with the file, row and column at fault
(``RosterFileError``); a row that is well formed but cannot be used (a student
with no school of this district, no guardian address) is skipped and counted
by reason. Nothing here names a person in what it reports.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from chalicelib.core.roster import RosterStudent

ROLES_STUDENT = {"student"}
ROLES_GUARDIAN = {"guardian", "parent"}
# Every role OneRoster 1.1 defines: another value means the file is not an export.
ROLES = {"administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"}
STATUSES = {"", "active", "tobedeleted"}
REQUIRED = {
    "orgs.csv": ("sourcedId", "type"),
    "users.csv": ("sourcedId", "role", "identifier", "givenName", "familyName", "email", "agentSourcedIds"),
    "enrollments.csv": ("schoolSourcedId", "userSourcedId", "role"),
}
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
# Characters no name on an agreement may hold: controls, zero-width and bidi marks.
_HIDDEN = {"Cc", "Cf", "Cs", "Co", "Cn"}


class RosterFileError(Exception):
    """The export cannot be read; the message names the file, row and column."""


def canonical_id(raw: str) -> str:
    """A student id as the portal stores it: the district file's one canonical
    form (``student_id``: pattern, leading zeros, letter case); "" when it is not
    an id of the district's form."""
    from chalicelib.config.loader import district

    return district().student_id.rule().canonical(raw) or ""


@dataclass
class RosterExport:
    """What the export gave: the students to store and what was left out, by reason."""

    students: list[RosterStudent] = field(default_factory=list)
    guardians: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unknown_orgs: int = 0


@dataclass(frozen=True)
class _Row:
    file: str
    number: int  # the line in the file, the header being line 1
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def listed(self, column: str) -> list[str]:
        return [part.strip() for part in self[column].split(",") if part.strip()]

    def where(self, column: str) -> str:
        return f"{self.file}, row {self.number}, column {column}"


def _rows(directory: Path, name: str, columns: tuple[str, ...]) -> Iterator[_Row]:
    path = directory / name
    if not path.is_file():
        raise RosterFileError(f"{name}: not found in {directory}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RosterFileError(f"{name}, row {line}: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    last = 1  # the line the last good row ended on: a broken one starts after it
    try:
        header = reader.fieldnames or []
        missing = [c for c in columns if c not in header]
        if missing:
            raise RosterFileError(f"{name}, row 1: missing column(s) {', '.join(missing)}")
        for values in reader:
            row = _Row(name, reader.line_num, values)
            if None in values or any(v is None for v in values.values()):
                raise RosterFileError(f"{name}, row {row.number}: {len(header)} values expected")
            if row["status"] not in STATUSES:
                raise RosterFileError(f"{row.where('status')}: {row['status']!r} is not a OneRoster status")
            if not row["sourcedId"] and "sourcedId" in columns:
                raise RosterFileError(f"{row.where('sourcedId')}: empty")
            last = row.number
            yield row
    except csv.Error as error:
        raise RosterFileError(f"{name}, row {last + 1}: not CSV ({error})") from None


def _active(row: _Row) -> bool:
    return row["status"] != "tobedeleted" and row["enabledUser"].lower() != "false"


def _role(row: _Row) -> str:
    role = row["role"]
    if role not in ROLES:
        raise RosterFileError(f"{row.where('role')}: {role!r} is not a OneRoster 1.1 role")
    return role


def _clean_name(raw: str) -> str | None:
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name or any(unicodedata.category(ch) in _HIDDEN for ch in name):
        return None
    return name


def _grade(raw: list[str]) -> str:
    """The first grade, as the district file writes grades (``07`` -> ``7``, ``KG`` -> ``K``)."""
    grade = raw[0].upper() if raw else ""
    if grade.isdigit():
        return str(int(grade))
    return "K" if grade == "KG" else grade


def _student(row: _Row, schools: set[str], emails: set[str]) -> RosterStudent | str:
    """The student on ``row``, or why they cannot be on the roster."""
    student_id = canonical_id(row["identifier"])
    first, last = _clean_name(row["givenName"]), _clean_name(row["familyName"])
    if not student_id:
        return "student without an identifier"
    if first is None or last is None:
        return "student name missing or with hidden characters"
    if not schools:
        return "student at no school of the district file"
    if not emails:
        return "student without a guardian email address"
    grade = _grade(row.listed("grades"))
    return RosterStudent(student_id, first, last, grade, frozenset(schools), frozenset(emails))


def _schools(directory: Path, column: str, school_ids: set[str], export: RosterExport) -> dict[str, str]:
    """OneRoster org sourcedId -> the district file's school id, for the schools it knows."""
    known: dict[str, str] = {}
    seen: set[str] = set()
    for row in _rows(directory, "orgs.csv", (*REQUIRED["orgs.csv"], column)):
        if row["sourcedId"] in seen:
            raise RosterFileError(f"{row.where('sourcedId')}: {row['sourcedId']!r} repeated")
        seen.add(row["sourcedId"])
        if row["type"] != "school" or row["status"] == "tobedeleted":
            continue
        if row[column] in school_ids:
            known[row["sourcedId"]] = row[column]
        else:
            export.unknown_orgs += 1
    return known


def read_export(directory: Path, school_ids: set[str], school_column: str = "identifier") -> RosterExport:
    """The roster in the OneRoster export in ``directory`` (``RosterFileError`` if unreadable)."""
    export = RosterExport()
    schools = _schools(directory, school_column, school_ids, export)

    students: dict[str, _Row] = {}
    guardians: dict[str, _Row] = {}
    seen: set[str] = set()
    for row in _rows(directory, "users.csv", REQUIRED["users.csv"]):
        role = _role(row)
        if row["sourcedId"] in seen:
            raise RosterFileError(f"{row.where('sourcedId')}: {row['sourcedId']!r} repeated")
        seen.add(row["sourcedId"])
        if role in ROLES_STUDENT:
            if _active(row):
                students[row["sourcedId"]] = row
            else:
                export.skipped["student marked tobedeleted or disabled"] += 1
        elif role in ROLES_GUARDIAN and _active(row):
            guardians[row["sourcedId"]] = row

    enrolled: dict[str, set[str]] = {key: set() for key in students}
    for row in _rows(directory, "enrollments.csv", REQUIRED["enrollments.csv"]):
        _role(row)
        user = row["userSourcedId"]
        if row["role"] in ROLES_STUDENT and row["status"] != "tobedeleted" and user in enrolled:
            school = schools.get(row["schoolSourcedId"])
            if school:
                enrolled[user].add(school)

    # Guardians linked either way: the student's agents, or the guardian's.
    linked: dict[str, set[str]] = {key: set() for key in students}
    for key, row in students.items():
        linked[key].update(agent for agent in row.listed("agentSourcedIds") if agent in guardians)
    for key, row in guardians.items():
        for student in row.listed("agentSourcedIds"):
            if student in linked:
                linked[student].add(key)

    used_guardians: set[str] = set()
    by_id: dict[str, RosterStudent] = {}
    for key, row in students.items():
        reachable = {g for g in linked[key] if EMAIL.match(guardians[g]["email"])}
        school_set = enrolled[key] | {schools[o] for o in row.listed("orgSourcedIds") if o in schools}
        emails = {guardians[g]["email"].lower() for g in reachable}
        entry = _student(row, school_set, emails)
        if isinstance(entry, str):
            export.skipped[entry] += 1
        elif entry.student_id in by_id:
            export.skipped["student identifier repeated"] += 1
        else:
            by_id[entry.student_id] = entry
            used_guardians |= reachable
    export.students = sorted(by_id.values(), key=lambda s: s.student_id)
    export.guardians = len(used_guardians)
    export.skipped["guardian linked to no student"] += sum(
        1 for g in guardians if not any(g in links for links in linked.values())
    )
    export.skipped["guardian without a valid email address"] += sum(
        1 for g, row in guardians.items() if not EMAIL.match(row["email"])
    )
    export.skipped += Counter()  # drops the reasons counted zero times
    return export
