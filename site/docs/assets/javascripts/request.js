/*
 * The STIS request form (stis/request): schools and teachers from GET /schools,
 * a live check of the dates from POST /stis/quote, a "check your answers"
 * step, and POST /stis/requests with a request_key kept in sessionStorage so
 * a double click or a resend makes one request.
 */
(function () {
  "use strict";

  const P = window.Portal;
  const app = document.getElementById("stis-request");
  if (!P || !app) return;

  const { h } = P;
  const data = P.pageData();
  const KEY_STORE = "stis.request.key";
  const DRAFT_STORE = "stis.request.draft";

  const WORDS = {
    en: {
      chooseSchool: "Choose a school",
      noSchools: "The list of schools could not be loaded. Reload the page, or call the school office.",
      oneTeacher: "Teacher",
      manyTeachers: "Teachers",
      oneTeacherHint: "Choose your child's teacher.",
      manyTeachersHint: "Choose each teacher your child has, up to {n}. Each one gets the agreement to sign.",
      oneTeacherRequired: "Choose your child's teacher",
      manyTeachersRequired: "Choose at least one of your child's teachers",
      tooManyTeachers: "Choose {n} teachers or fewer",
      checking: "Checking the dates…",
      days: "{n} school days",
      oneDay: "1 school day",
      counted: "School days counted",
      year: "School year",
      notice: "Notice needed",
      hours: "{n} hours",
      deadline: "Send your request before",
      noticeOk: "You are giving enough notice.",
      noticeShort: "These dates are too soon: the request needed {hours} hours of notice, before {deadline}.",
      past: "These dates are in the past.",
      earliest: "The earliest first day you can choose now is {day}.",
      noEarliest: "There is no school day left this school year that gives enough notice.",
      noticeError: "This first day is too soon. The earliest first day you can choose now is {day}.",
      noticeErrorNone: "This first day is too soon, and no later day this school year gives enough notice.",
      pastError: "This first day is in the past. The earliest first day you can choose now is {day}.",
      pastErrorNone: "This first day is in the past, and no later day this school year gives enough notice.",
      change: "Change",
      sending: "Sending…",
      send: "Send the request",
      sent: "Your request number is {id}. It is for {days}.",
      usedRemaining: "Once you sign, your child will have used {used} of this school year's independent study days, and {remaining} will be left.",
      labels: {
        school: "School", teachers: "Teachers", student: "Child", studentId: "Student ID number",
        grade: "Grade", guardian: "Your name", email: "Your email", phone: "Your phone",
        dates: "Dates", reason: "Reason", none: "Not given",
      },
      from: "{first} to {last}",
    },
    es: {
      chooseSchool: "Elija una escuela",
      noSchools: "No se pudo cargar la lista de escuelas. Vuelva a cargar la página o llame a la oficina de la escuela.",
      oneTeacher: "Maestro o maestra",
      manyTeachers: "Maestros",
      oneTeacherHint: "Elija al maestro o a la maestra de su hijo o hija.",
      manyTeachersHint: "Elija a cada maestro que tiene su hijo o hija, hasta {n}. Cada uno recibe el acuerdo para firmarlo.",
      oneTeacherRequired: "Elija al maestro o a la maestra de su hijo o hija",
      manyTeachersRequired: "Elija por lo menos a uno de los maestros de su hijo o hija",
      tooManyTeachers: "Elija {n} maestros o menos",
      checking: "Revisando las fechas…",
      days: "{n} días de clase",
      oneDay: "1 día de clase",
      counted: "Días de clase contados",
      year: "Ciclo escolar",
      notice: "Aviso necesario",
      hours: "{n} horas",
      deadline: "Envíe su solicitud antes del",
      noticeOk: "Está dando suficiente aviso.",
      noticeShort: "Estas fechas no dan suficiente aviso: la solicitud tenía que llegar con {hours} horas de anticipación, antes del {deadline}.",
      past: "Estas fechas ya pasaron.",
      earliest: "Lo más pronto que puede empezar ahora es el {day}.",
      noEarliest: "En este ciclo escolar ya no queda ningún día de clase con suficiente aviso.",
      noticeError: "Este primer día no da suficiente aviso. Lo más pronto que puede empezar ahora es el {day}.",
      noticeErrorNone: "Este primer día no da suficiente aviso, y en este ciclo escolar ya no queda ningún día que lo dé.",
      pastError: "Este primer día ya pasó. Lo más pronto que puede empezar ahora es el {day}.",
      pastErrorNone: "Este primer día ya pasó, y en este ciclo escolar ya no queda ningún día con suficiente aviso.",
      change: "Cambiar",
      sending: "Enviando…",
      send: "Enviar la solicitud",
      sent: "El número de su solicitud es {id}. Es por {days}.",
      usedRemaining: "Cuando usted firme, su hijo o hija habrá usado {used} de los días de estudio independiente de este ciclo escolar, y le quedarán {remaining}.",
      labels: {
        school: "Escuela", teachers: "Maestros", student: "Hijo o hija", studentId: "Número de estudiante",
        grade: "Grado", guardian: "Su nombre", email: "Su correo electrónico", phone: "Su teléfono",
        dates: "Fechas", reason: "Motivo", none: "No lo indicó",
      },
      from: "Del {first} al {last}",
    },
  };
  const t = (key, vars) => P.t(WORDS, key, vars);

  const form = document.getElementById("request-form");
  const summary = document.getElementById("error-summary");
  const errors = new P.ErrorDisplay(summary);
  const schoolSelect = document.getElementById("school");
  const teachersField = document.getElementById("field-teachers");
  const teachersList = document.getElementById("teachers-list");
  const quoteBox = document.getElementById("quote");
  const check = document.getElementById("check");
  const done = document.getElementById("done");
  const sendButton = document.getElementById("send");
  const field = (id) => document.getElementById(id);

  let schools = [];
  // Every grade the district's schools have, as the page was built (value, label).
  const gradeSelect = document.getElementById("student-grade");
  const allGrades = Array.from(gradeSelect.options, (o) => [o.value, o.text]);
  let lastQuote = null; // {first, last, result}
  let quoteTimer = null;
  let sending = false;

  // Field ids on the page for the API's error keys.
  const FIELD_OF_KEY = {
    school_id: "school", teacher_ids: "teachers",
    "student.first_name": "student-first-name", "student.last_name": "student-last-name",
    "student.student_id": "student-id", "student.grade": "student-grade",
    "guardian.name": "guardian-name", "guardian.email": "guardian-email", "guardian.phone": "guardian-phone",
    first_day: "first-day", last_day: "last-day", reason: "reason",
  };
  // Where an error without `fields` belongs, by its code.
  const FIELD_OF_CODE = {
    unknown_school: "school", unknown_teacher: "teachers", not_a_school_day: "first-day",
    outside_school_year: "first-day", contract_too_long: "last-day", blackout: "first-day",
    insufficient_notice: "first-day", overlap: "first-day", cap_exceeded: "first-day",
  };

  function fieldOfKey(key) {
    if (FIELD_OF_KEY[key]) return FIELD_OF_KEY[key];
    const base = key.replace(/\[\d+\]$/, "").replace(/\.\d+$/, "");
    return FIELD_OF_KEY[base] || null;
  }

  /** The API's error body as a list of {id, text} for ErrorDisplay. */
  function apiErrors(body) {
    const error = (body && body.error) || {};
    const fields = error.fields || {};
    const list = [];
    for (const [key, text] of Object.entries(fields)) list.push({ id: fieldOfKey(key), text });
    if (!list.length) {
      list.push({ id: FIELD_OF_CODE[error.code] || null, text: error.message || P.t(P.WORDS, "serverTrouble") });
    }
    return list;
  }

  // --- Schools and teachers ---------------------------------------------------

  async function loadSchools() {
    const result = await P.api("GET", "/schools");
    if (!result.ok || !result.body || !Array.isArray(result.body.schools)) {
      schoolSelect.replaceChildren(h("option", { value: "" }, t("chooseSchool")));
      errors.show([{ id: "school", text: result.status === 0 ? result.body.error.message : t("noSchools") }]);
      return;
    }
    schools = result.body.schools;
    schoolSelect.replaceChildren(
      h("option", { value: "" }, t("chooseSchool")),
      ...schools.map((s) => h("option", { value: s.id }, s.name)),
    );
    restoreDraft();
  }

  function currentSchool() {
    return schools.find((s) => s.id === schoolSelect.value) || null;
  }

  function isElementary(school) {
    return !school.level || school.level === "elementary";
  }

  /** The grade list: only the grades the chosen school has (all the district's before a choice). */
  function showGrades() {
    const school = currentSchool();
    const offered = school && (data.schoolGrades || {})[school.id];
    const keep = gradeSelect.value;
    const options = allGrades.filter(([grade]) => !grade || !offered || offered.includes(grade));
    gradeSelect.replaceChildren(...options.map(([grade, label]) => h("option", { value: grade }, label)));
    gradeSelect.value = options.some(([grade]) => grade === keep) ? keep : "";
  }

  function showTeachers(keep) {
    showGrades();
    const school = currentSchool();
    teachersList.replaceChildren();
    if (!school) {
      teachersField.hidden = true;
      return;
    }
    const single = isElementary(school);
    field("teachers-legend").textContent = single ? t("oneTeacher") : t("manyTeachers");
    field("teachers-hint").textContent = single ? t("oneTeacherHint") : t("manyTeachersHint", { n: data.maxTeachers });
    for (const teacher of school.teachers || []) {
      const id = "teacher-" + teacher.id;
      teachersList.append(
        h("div", { class: "portal-choice" },
          h("input", {
            type: single ? "radio" : "checkbox", id, name: "teacher_ids", value: teacher.id,
            checked: (keep || []).includes(teacher.id),
          }),
          h("label", { for: id }, teacher.name,
            teacher.grades ? h("span", { class: "portal-choice__note" }, ` (${teacher.grades})`) : null)),
      );
    }
    teachersField.hidden = false;
  }

  function chosenTeachers() {
    return Array.from(teachersList.querySelectorAll("input:checked"), (input) => input.value);
  }

  // --- Reading and checking the answers -----------------------------------------

  function value(id) {
    return field(id).value.trim();
  }

  function answers() {
    const body = {
      language: P.lang,
      school_id: schoolSelect.value,
      teacher_ids: chosenTeachers(),
      student: {
        first_name: value("student-first-name"),
        last_name: value("student-last-name"),
        student_id: value("student-id"),
        grade: value("student-grade"),
      },
      guardian: { name: value("guardian-name"), email: value("guardian-email") },
      first_day: value("first-day"),
      last_day: value("last-day"),
    };
    if (value("guardian-phone")) body.guardian.phone = value("guardian-phone");
    if (value("reason")) body.reason = value("reason");
    return body;
  }

  /** The first day's message when the quote says the notice is short (or the day
   * is past: the API decides, by its clock, not the browser's). */
  function noticeMessage(q) {
    const day = q.earliest_first_day;
    const key = q.first_day_past ? "pastError" : "noticeError";
    return day ? t(key, { day: P.formatDay(day) }) : t(key + "None");
  }

  /** What the last live check says is wrong with the dates on the page now. */
  function quoteErrors() {
    const first = value("first-day");
    const last = value("last-day");
    if (!lastQuote || lastQuote.first !== first || lastQuote.last !== last) return [];
    const result = lastQuote.result;
    if (!result.ok) return apiErrors(result.body).filter((error) => error.id);
    return result.body.notice_ok ? [] : [{ id: "first-day", text: noticeMessage(result.body) }];
  }

  /** Shown errors follow the answers as they are fixed. */
  function settleErrors() {
    errors.settle([...browserErrors(), ...quoteErrors()]);
  }

  function browserErrors() {
    const list = [];
    const school = currentSchool();
    if (!school) list.push({ id: "school", text: schoolSelect.dataset.required });
    else {
      const chosen = chosenTeachers();
      if (!chosen.length) {
        list.push({ id: "teachers", text: isElementary(school) ? t("oneTeacherRequired") : t("manyTeachersRequired") });
      } else if (chosen.length > data.maxTeachers) {
        list.push({ id: "teachers", text: t("tooManyTeachers", { n: data.maxTeachers }) });
      }
    }
    for (const input of form.querySelectorAll("[data-required]")) {
      if (input === schoolSelect) continue;
      const id = input.id;
      const text = input.value.trim();
      if (!text) list.push({ id, text: input.dataset.required });
      else if (input.type === "email" && !P.EMAIL.test(text)) list.push({ id, text: input.dataset.format });
      else if (input.type === "date" && !P.isIsoDay(text)) list.push({ id, text: input.dataset.format });
    }
    const first = value("first-day");
    const last = value("last-day");
    if (P.isIsoDay(first) && P.isIsoDay(last) && last < first) {
      list.push({ id: "last-day", text: field("last-day").dataset.order });
    }
    return list;
  }

  // --- The live check of the dates --------------------------------------------

  function scheduleQuote() {
    clearTimeout(quoteTimer);
    quoteTimer = setTimeout(runQuote, 350);
  }

  async function fetchQuote(first, last) {
    // The answer depends on the time too (notice), so it is kept for a minute only.
    const fresh = lastQuote && Date.now() - lastQuote.at < 60000;
    if (fresh && lastQuote.first === first && lastQuote.last === last) return lastQuote.result;
    const result = await P.api("POST", "/stis/quote", { first_day: first, last_day: last });
    if (result.status !== 0) lastQuote = { first, last, result, at: Date.now() };
    return result;
  }

  async function runQuote() {
    const first = value("first-day");
    const last = value("last-day");
    settleErrors();
    if (!P.isIsoDay(first) || !P.isIsoDay(last) || last < first) {
      quoteBox.hidden = true;
      quoteBox.replaceChildren();
      return;
    }
    quoteBox.hidden = false;
    quoteBox.replaceChildren(h("p", {}, t("checking")));
    const result = await fetchQuote(first, last);
    if (value("first-day") !== first || value("last-day") !== last) return; // answers moved on
    if (!result.ok) {
      quoteBox.hidden = true;
      quoteBox.replaceChildren();
      for (const error of apiErrors(result.body)) {
        if (error.id) errors.atField(error.id, error.text);
      }
      settleErrors();
      return;
    }
    showQuote(result.body);
    settleErrors();
  }

  function dayCount(n) {
    return n === 1 ? t("oneDay") : t("days", { n });
  }

  function showQuote(q) {
    const rows = h("dl", { class: "portal-summary portal-summary--compact" },
      h("div", {}, h("dt", {}, t("counted")), h("dd", {}, dayCount(q.school_days))),
      h("div", {}, h("dt", {}, t("year")), h("dd", {}, q.school_year)),
      h("div", {}, h("dt", {}, t("notice")), h("dd", {}, t("hours", { n: q.notice_hours }))),
      h("div", {}, h("dt", {}, t("deadline")), h("dd", {}, P.formatMoment(q.notice_deadline, data.timeZone))));
    const verdict = q.notice_ok
      ? h("p", { class: "portal-quote__ok" }, t("noticeOk"))
      : h("div", { class: "portal-quote__short" },
        h("p", {}, h("strong", {}, q.first_day_past ? t("past") : t("noticeShort", {
          hours: q.notice_hours, deadline: P.formatMoment(q.notice_deadline, data.timeZone),
        }))),
        h("p", {}, q.earliest_first_day ? t("earliest", { day: P.formatDay(q.earliest_first_day) }) : t("noEarliest")));
    quoteBox.classList.toggle("portal-quote--short", !q.notice_ok);
    quoteBox.replaceChildren(rows, verdict);
  }

  // --- Steps ------------------------------------------------------------------

  function showStep(step) {
    form.hidden = step !== "form";
    check.hidden = step !== "check";
    done.hidden = step !== "done";
  }

  async function onContinue(event) {
    event.preventDefault();
    clearTimeout(quoteTimer);
    const list = browserErrors();
    if (list.length) {
      errors.show(list);
      return;
    }
    const result = await fetchQuote(value("first-day"), value("last-day"));
    if (!result.ok) {
      errors.show(apiErrors(result.body));
      return;
    }
    showQuote(result.body);
    quoteBox.hidden = false;
    if (!result.body.notice_ok) {
      errors.show([{ id: "first-day", text: noticeMessage(result.body) }]);
      return;
    }
    errors.clear();
    fillCheck(result.body);
    showStep("check");
    field("check-title").focus();
  }

  function fillCheck(q) {
    const a = answers();
    const school = currentSchool();
    const names = (school.teachers || []).filter((x) => a.teacher_ids.includes(x.id)).map((x) => x.name);
    const grade = field("student-grade");
    const L = t("labels");
    const rows = [
      [L.school, school.name, "school"],
      [names.length === 1 ? t("oneTeacher") : L.teachers, P.listOf(names), "teachers"],
      [L.student, `${a.student.first_name} ${a.student.last_name}`, "student-first-name"],
      [L.studentId, a.student.student_id, "student-id"],
      [L.grade, grade.options[grade.selectedIndex].text, "student-grade"],
      [L.guardian, a.guardian.name, "guardian-name"],
      [L.email, a.guardian.email, "guardian-email"],
      [L.phone, a.guardian.phone || L.none, "guardian-phone"],
      [L.dates, `${t("from", { first: P.formatDay(a.first_day), last: P.formatDay(a.last_day) })} (${dayCount(q.school_days)})`, "first-day"],
      [L.reason, a.reason || L.none, "reason"],
    ];
    field("check-list").replaceChildren(...rows.map(([label, text, id]) =>
      h("div", {},
        h("dt", {}, label),
        h("dd", {}, text),
        h("dd", { class: "portal-summary__action" },
          h("a", { href: "#" + id, onclick: (event) => { event.preventDefault(); goBack(id); } },
            t("change"), h("span", { class: "portal-visually-hidden" }, " " + label.toLowerCase()))))));
  }

  function goBack(id) {
    showStep("form");
    const target = id === "teachers" ? teachersList.querySelector("input") : field(id);
    if (target) target.focus();
  }

  /** The request_key for these answers: the same one until they change or succeed. */
  function requestKey(body) {
    const text = JSON.stringify(body);
    try {
      const stored = JSON.parse(sessionStorage.getItem(KEY_STORE) || "null");
      if (stored && stored.body === text && stored.key) return stored.key;
    } catch (error) { /* a broken entry is replaced below */ }
    const key = P.uuid();
    try {
      sessionStorage.setItem(KEY_STORE, JSON.stringify({ key, body: text }));
    } catch (error) { /* private mode: the key lives for this page only */ }
    return key;
  }

  async function onSend() {
    if (sending) return;
    sending = true;
    sendButton.disabled = true;
    sendButton.textContent = t("sending");
    const body = answers();
    const key = requestKey(body);
    const result = await P.api("POST", "/stis/requests", { request_key: key, ...body });
    sending = false;
    sendButton.disabled = false;
    sendButton.textContent = t("send");
    if (result.ok && result.body && result.body.id) {
      try {
        sessionStorage.removeItem(KEY_STORE);
        sessionStorage.removeItem(DRAFT_STORE);
      } catch (error) { /* nothing to forget */ }
      showDone(result.body);
      return;
    }
    if (result.status === 0) {
      // Nothing known was stored: stay here; sending again reuses the same key.
      errors.show([{ id: null, text: result.body.error.message }]);
      return;
    }
    showStep("form");
    errors.show(apiErrors(result.body));
  }

  function showDone(r) {
    errors.clear();
    const days = dayCount(r.school_days);
    const ref = r.ref || r.reference || "STIS-" + String(r.id).slice(0, 6).toUpperCase();
    const parts = [t("sent", { id: ref, days })];
    if (Number.isInteger(r.days_used) && Number.isInteger(r.days_remaining)) {
      parts.push(t("usedRemaining", { used: r.days_used, remaining: r.days_remaining }));
    }
    field("done-summary").textContent = parts.join(" ");
    showStep("done");
    field("done-title").focus();
  }

  function startOver() {
    form.reset();
    showTeachers([]);
    lastQuote = null;
    quoteBox.hidden = true;
    quoteBox.replaceChildren();
    errors.clear();
    showStep("form");
    schoolSelect.focus();
  }

  // Keep answers if the page is reloaded (not the key: it follows the answers).
  function saveDraft() {
    try { sessionStorage.setItem(DRAFT_STORE, JSON.stringify(answers())); } catch (error) { /* ignore */ }
  }
  function restoreDraft() {
    let draft = null;
    try { draft = JSON.parse(sessionStorage.getItem(DRAFT_STORE) || "null"); } catch (error) { draft = null; }
    if (!draft) return;
    schoolSelect.value = draft.school_id || "";
    showTeachers(draft.teacher_ids || []);
    const set = (id, text) => { if (text) field(id).value = text; };
    set("student-first-name", draft.student && draft.student.first_name);
    set("student-last-name", draft.student && draft.student.last_name);
    set("student-id", draft.student && draft.student.student_id);
    set("student-grade", draft.student && draft.student.grade);
    set("guardian-name", draft.guardian && draft.guardian.name);
    set("guardian-email", draft.guardian && draft.guardian.email);
    set("guardian-phone", draft.guardian && draft.guardian.phone);
    set("first-day", draft.first_day);
    set("last-day", draft.last_day);
    set("reason", draft.reason);
    scheduleQuote();
  }

  // --- Wiring -------------------------------------------------------------------

  schoolSelect.addEventListener("change", () => showTeachers(chosenTeachers()));
  teachersList.addEventListener("change", (event) => {
    const school = currentSchool();
    if (school && !isElementary(school) && chosenTeachers().length > data.maxTeachers) {
      event.target.checked = false;
      event.stopPropagation(); // nothing changed: the form's own listeners would take the message away
      errors.atField("teachers", t("tooManyTeachers", { n: data.maxTeachers }));
    }
  });
  for (const id of ["first-day", "last-day"]) {
    field(id).addEventListener("change", scheduleQuote);
    field(id).addEventListener("input", scheduleQuote);
  }
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  form.addEventListener("input", settleErrors);
  form.addEventListener("change", settleErrors);
  form.addEventListener("submit", onContinue);
  sendButton.addEventListener("click", onSend);
  field("back").addEventListener("click", () => goBack("school"));
  field("another").addEventListener("click", () => {
    try { sessionStorage.removeItem(DRAFT_STORE); } catch (error) { /* ignore */ }
    startOver();
  });

  app.hidden = false;
  loadSchools();
})();
