from __future__ import annotations

from datetime import date

import pytest

from chalicelib.config.schema import DistrictConfig
from chalicelib.core.contract_text import ContractFacts, render, sha256_of
from chalicelib.i18n import contract_labels, format_date, join_names

DATES = (date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6))


def facts(
    on_return: bool = True, teachers: tuple[str, ...] = ("Lucía Serrano",), language: str = "en"
) -> ContractFacts:
    return ContractFacts(
        district="Alder Creek Unified School District",
        school="Madrone Elementary School",
        student="Mateo Quintana",
        grade="1",
        teachers=teachers,
        teachers_joined=join_names(teachers, language),
        principal="Dana Whitfield",
        school_year="2026-2027",
        dates=DATES,
        first_day=format_date(DATES[0], language),
        last_day=format_date(DATES[-1], language),
        student_signs_on_return=on_return,
        work_due=format_date(date(2027, 1, 7), language),
    )


# Each EC 51747(g) element, as words a reader finds in the agreement.
ELEMENTS = {
    "en": {
        "optional": ["optional", "regular class", "without a signed agreement", "count as absences"],
        "duration": ["from Monday, January 4, 2027 to Wednesday, January 6, 2027", "end of the school year"],
        "objectives and methods": ["same lessons as the class", "assignments prepared by"],
        "resources": ["work packet", "lends a device and a hotspot"],
        "turning in and progress": ["first school day after", "within five school days", "email or phone"],
        "evaluation and credit": ["grades the work", "attendance", "grades TK to 5", "credit"],
        "board limits": ["plus five school days", "Satisfactory progress", "three assignments"],
        "supports": ["English learners", "IEP", "504", "foster youth", "mental-health support"],
        "signatures": ["Parent or guardian", "Supervising teacher: Lucía Serrano", "Student: Mateo"],
    },
    "es": {
        "optional": ["voluntario", "clases como siempre", "sin un acuerdo firmado", "cuentan como faltas"],
        "duration": ["del lunes, 4 de enero de 2027 al miércoles, 6 de enero de 2027", "final del ciclo"],
        "objectives and methods": ["mismas lecciones que su clase", "las tareas que le preparan"],
        "resources": ["paquete de trabajo", "presta un dispositivo"],
        "turning in and progress": ["primer día de clases después", "cinco días de clase", "por teléfono"],
        "evaluation and credit": ["califica el trabajo", "asistencia", "grados TK a 5", "créditos"],
        "board limits": ["más cinco días de clase", "Avance satisfactorio", "tres tareas"],
        "supports": ["aprendiendo inglés", "IEP", "504", "crianza temporal", "salud mental"],
        "signatures": ["Padre, madre o tutor legal", "Docente a cargo: Lucía Serrano", "Estudiante: Mateo"],
    },
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_agreement_keeps_every_51747_element_in_both_languages(
    district: DistrictConfig, language: str
) -> None:
    text = render(
        facts(language=language), district.contract_terms.sections(language), contract_labels(language)
    )
    missing = {
        element: [words for words in phrases if words not in text]
        for element, phrases in ELEMENTS[language].items()
        if any(words not in text for words in phrases)
    }
    assert missing == {}
    assert "$" not in text


def test_the_english_contract_names_the_student_and_dates(district: DistrictConfig) -> None:
    text = render(facts(), district.contract_terms.sections("en"), contract_labels("en"))
    assert "Student: Mateo Quintana" in text
    assert "Number of school days: 3" in text
    assert "Supervising teacher: Lucía Serrano" in text


def test_the_spanish_contract_is_written_in_spanish(district: DistrictConfig) -> None:
    text = render(facts(language="es"), district.contract_terms.sections("es"), contract_labels("es"))
    assert "Acuerdo de estudio independiente a corto plazo" in text
    assert "lunes, 4 de enero de 2027" in text
    assert "voluntario" in text
    assert "Student:" not in text


@pytest.mark.parametrize(
    ("language", "heads", "joined"),
    [
        (
            "en",
            ("The student and the dates", "What the family and the school agree to", "Signatures"),
            "Supervising teachers: Camila Rojas and Inés Castellanos",
        ),
        (
            "es",
            ("Datos del estudiante y fechas", "Lo que acuerdan la familia y la escuela", "Firmas"),
            "Docentes a cargo: Camila Rojas e Inés Castellanos",
        ),
    ],
)
def test_the_agreement_reads_in_parts_and_joins_names_as_the_language_does(
    district: DistrictConfig, language: str, heads: tuple[str, ...], joined: str
) -> None:
    two = facts(teachers=("Camila Rojas", "Inés Castellanos"), language=language)
    text = render(two, district.contract_terms.sections(language), contract_labels(language))
    lines = text.splitlines()
    for heading in heads:
        assert heading in lines  # a heading on a line of its own
        assert lines[lines.index(heading) - 1] == ""  # after a blank line
    assert joined in lines
    assert "Camila Rojas, Inés Castellanos" not in text
    in_terms = "le preparan Camila Rojas e Inés" if language == "es" else "by Camila Rojas and Inés"
    assert in_terms in text
    # Spanish roles are neutral words, never "maestro(a)" style brackets.
    assert "(s)" not in text and "(a)" not in text and "maestro" not in text.lower()


def test_when_the_student_signs_on_return_the_contract_says_so(district: DistrictConfig) -> None:
    on_return = render(facts(on_return=True), district.contract_terms.sections("en"), contract_labels("en"))
    before = render(facts(on_return=False), district.contract_terms.sections("en"), contract_labels("en"))
    assert "signs this agreement on returning to school, when the teacher records" in on_return
    assert "before independent study begins" in before


def test_every_named_teacher_gets_a_signature_line(district: DistrictConfig) -> None:
    text = render(
        facts(teachers=("Inés Castellanos", "Paul Whitaker")),
        district.contract_terms.sections("en"),
        contract_labels("en"),
    )
    assert "- Supervising teacher: Inés Castellanos" in text
    assert "- Supervising teacher: Paul Whitaker" in text


def test_the_hash_changes_when_one_character_of_the_text_changes(
    district: DistrictConfig,
) -> None:
    text = render(facts(), district.contract_terms.sections("en"), contract_labels("en"))
    assert sha256_of(text) == sha256_of(str(text))
    assert len(sha256_of(text)) == 64
    assert sha256_of(text) != sha256_of(text.replace("Mateo", "Mateó"))


def test_a_missing_label_stops_the_render_instead_of_writing_a_gap(district: DistrictConfig) -> None:
    labels = contract_labels("en")
    del labels["signatures"]
    with pytest.raises(KeyError, match="signatures"):
        render(facts(), district.contract_terms.sections("en"), labels)
