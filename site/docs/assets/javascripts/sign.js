/*
 * The signing and status page (stis/sign/#id=...&token=...).
 *
 * The id and token are read from the URL fragment, which browsers never send
 * to the web server; the token goes only to the API, in the Authorization
 * header. Once read, the fragment is taken out of the address bar and the
 * tab's history (history.replaceState) and kept in this tab's sessionStorage,
 * so a reload or the language switch (the same page in the other language, on
 * the same site) still finds it, and nothing else does.
 * The page shows the request and, when it is this viewer's turn, the
 * sign / decline / cancel forms (the school office's link: cancel with a
 * reason, or end a started agreement early). After the absence a teacher's
 * link shows the record of the work (one fieldset per school day), and the
 * page shows each day's result. After any action it reloads the request.
 * Opened without a link (from the site's menu), it says what it is for.
 */
(function () {
  "use strict";

  const P = window.Portal;
  const app = document.getElementById("stis-sign");
  if (!P || !app) return;

  const { h } = P;
  const data = P.pageData();
  const field = (id) => document.getElementById(id);

  const WORDS = {
    en: {
      missing: "The link is missing part of its address (the request number or the security code).",
      status: {
        awaiting_guardian: ["Waiting for the parent or guardian to sign", "Nothing moves until the parent or guardian signs."],
        awaiting_teacher: ["Waiting for the teacher", "The parent or guardian has signed. Now each teacher named signs, in any order."],
        awaiting_principal: ["Waiting for the principal", "The parent or guardian and the teachers have signed. Now the principal signs."],
        approved: ["Approved", "Everyone has signed. The independent study is approved."],
        declined: ["Declined", "This agreement was declined, so it will not go ahead. The days go back to the student's yearly total."],
        cancelled: ["Cancelled", "This request was cancelled, so it will not go ahead. Any days it held go back to the student's yearly total."],
        void: ["Void: not signed in time", "The agreement was not signed by everyone before the first day, so it does not count. The student is marked absent for those days, and the days go back to the yearly total."],
        expired: ["Expired: never confirmed", "The parent or guardian did not sign this request in time, so it ended. It held no days, and the school was not asked to sign."],
      },
      // The same, said to the parent or guardian reading the page.
      statusToGuardian: {
        awaiting_guardian: ["Waiting for your signature", "Nothing moves until you sign: the school hears of this request, and the days are kept for your child, only once you have signed. Read the agreement, then sign it below."],
        awaiting_teacher: ["Waiting for the teacher", "You have signed. Now each teacher named signs, in any order."],
        awaiting_principal: ["Waiting for the principal", "You and the teachers have signed. Now the principal signs."],
        declined: ["Declined", "This agreement was declined, so it will not go ahead. The days go back to your child's yearly total."],
        cancelled: ["Cancelled", "This request was cancelled, so it will not go ahead. The days go back to your child's yearly total."],
        void: ["Void: not signed in time", "The agreement was not signed by everyone before the first day, so it does not count. Your child is marked absent for those days, and the days go back to the yearly total."],
        expired: ["Expired: not signed in time", "You did not sign this request in time, so it ended and no days were kept for your child. If you still need independent study, send a new request."],
      },
      signBy: "Sign by {at}. If you have not signed by then, the request ends.",
      linkExpired: "This link has expired",
      tooMany: "Please try again later",
      endedBy: "{who} on {at}.",
      declinedBy: "Declined by {name}, {role}, on {at}.",
      cancelledBy: "Cancelled by {name} on {at}.",
      cancelledByOffice: "Cancelled by the school office ({name}) on {at}.",
      reason: "Reason: {reason}",
      facts: {
        ref: "Reference", student: "Student", grade: "Grade", school: "School", dates: "Dates", days: "School days",
        year: "School year", covered: "Days covered", teacher: "Teacher", teachers: "Teachers", turn: "Whose turn",
        viewer: "You are viewing as",
      },
      from: "{first} to {last}",
      signed: "signed",
      notSigned: "not signed yet",
      nobody: "Nobody: no more signatures are needed",
      noSignatures: "No signatures yet.",
      signature: "{role}: {name}, signed on {at}",
      studentOnReturn: "{role}: {name}, signs on returning to school",
      studentNotYet: "{role}: {name}, not signed yet",
      viewer: "{role} ({name})",
      doneSign: "Thank you. Your signature is saved.",
      doneDecline: "The agreement is declined. The family and the school office will be told.",
      doneCancel: "The request is cancelled. The school office will be told.",
      doneOfficeCancel: "The request is cancelled. The family and everyone asked to sign are told, with your reason.",
      working: "Please wait…",
      changed: "The agreement changed after you opened it. Please read it again below, then sign.",
      after: {
        before_start: ["Approved", "Everyone has signed. The independent study is approved and starts on {first}."],
        in_progress: ["Approved: independent study in progress", "Everyone has signed, and independent study has started. It ends on {last}."],
        awaiting_evaluation: ["Waiting for the teachers' record of the work", "Independent study is over. The student hands in the work, and each teacher records, for each school day, whether it is complete."],
        closed: ["Closed", "Every teacher has recorded the work."],
      },
      afterToGuardian: {
        awaiting_evaluation: ["Waiting for the teachers' record of the work", "Independent study is over. Your child hands in the work, and each teacher records, for each school day, whether it is complete."],
      },
      evaluationDue: "The teachers' record is due by {day}.",
      youRecorded: "You have recorded the work.",
      endedEarly: "The school office ended it early on {at}. The last day is now {day}.",
      creditedCount: "{n} of {m} school days credited.",
      creditedMeaning: "A day with credit counts as attendance; a day without credit counts as an absence.",
      results: { credited: "Work complete, earns credit", not_credited: "Not complete, no credit", pending: "Not recorded yet" },
      complete: "Is the work complete?",
      credited: "Work complete, earns credit",
      notCredited: "Not complete, no credit",
      received: "Date the work was received (optional)",
      note: "Note (optional)",
      chooseDay: "Choose complete or not complete for {day}",
      nameHint: "Type your name as the agreement has it: {name}.",
      studentHint: "{name} signs the agreement here, once (on the first teacher's record). Hand the device to the student for this line.",
      doneEvaluate: "Thank you. Your record of the work is saved.",
      doneEnd: "The agreement now ends earlier. The family, the teachers and the principal are told, with your reason.",
    },
    es: {
      missing: "Al enlace le falta una parte (el número de solicitud o el código de seguridad).",
      status: {
        awaiting_guardian: ["Esperando la firma del padre, la madre o el tutor", "Nada avanza hasta que firme el padre, la madre o el tutor."],
        awaiting_teacher: ["Esperando la firma de cada docente", "El padre, la madre o el tutor ya firmó. Ahora firma cada docente de la lista, en cualquier orden."],
        awaiting_principal: ["Esperando la firma del director o la directora", "El padre, la madre o el tutor y cada docente ya firmaron. Ahora firma el director o la directora."],
        approved: ["Aprobado", "Todos firmaron. El estudio independiente está aprobado."],
        declined: ["Rechazado", "Este acuerdo fue rechazado y no se llevará a cabo. Los días vuelven al total anual del estudiante."],
        cancelled: ["Cancelado", "Esta solicitud se canceló y no se llevará a cabo. Los días que tenía apartados vuelven al total anual del estudiante."],
        void: ["Anulado: no se firmó a tiempo", "No todos firmaron el acuerdo antes del primer día, así que no tiene validez. El estudiante tiene falta esos días, y los días vuelven al total anual."],
        expired: ["Vencida: nunca se confirmó", "El padre, la madre o el tutor no firmó esta solicitud a tiempo, así que se cerró. No apartó ningún día y a la escuela no se le pidió firmar."],
      },
      statusToGuardian: {
        awaiting_guardian: ["Falta su firma", "Nada avanza hasta que usted firme: la escuela se entera de la solicitud, y los días se apartan para su hijo o hija, solo cuando usted haya firmado. Lea el acuerdo y fírmelo más abajo."],
        awaiting_teacher: ["Esperando la firma de cada docente", "Usted ya firmó. Ahora firma cada docente de la lista, en cualquier orden."],
        awaiting_principal: ["Esperando la firma del director o la directora", "Usted y cada docente ya firmaron. Ahora firma el director o la directora."],
        declined: ["Rechazado", "Este acuerdo fue rechazado y no se llevará a cabo. Los días vuelven al total anual de su hijo o hija."],
        cancelled: ["Cancelado", "Esta solicitud se canceló y no se llevará a cabo. Los días vuelven al total anual de su hijo o hija."],
        void: ["Anulado: no se firmó a tiempo", "No todos firmaron el acuerdo antes del primer día, así que no tiene validez. Su hijo o hija tiene falta esos días, y los días vuelven al total anual."],
        expired: ["Vencida: no la firmó a tiempo", "Usted no firmó esta solicitud a tiempo, así que se cerró y no se apartó ningún día para su hijo o hija. Si todavía necesita estudio independiente, envíe una solicitud nueva."],
      },
      signBy: "Firme a más tardar el {at}. Si para entonces no ha firmado, la solicitud se cierra.",
      linkExpired: "Este enlace ya venció",
      tooMany: "Inténtelo más tarde",
      endedBy: "{who}, el {at}.",
      declinedBy: "Lo rechazó {name}, {role}, el {at}.",
      cancelledBy: "La canceló {name} el {at}.",
      cancelledByOffice: "La canceló la oficina de la escuela ({name}) el {at}.",
      reason: "Motivo: {reason}",
      facts: {
        ref: "Referencia", student: "Estudiante", grade: "Grado", school: "Escuela", dates: "Fechas", days: "Días de clase",
        year: "Ciclo escolar", covered: "Días incluidos", teacher: "Maestro o maestra", teachers: "Maestros", turn: "A quién le toca",
        viewer: "Usted ve esta página como",
      },
      from: "Del {first} al {last}",
      signed: "firmó",
      notSigned: "todavía no firma",
      nobody: "A nadie: no se necesitan más firmas",
      noSignatures: "Todavía no hay firmas.",
      signature: "{role}: {name}, firmó el {at}",
      studentOnReturn: "{role}: {name}, firma al regresar a la escuela",
      studentNotYet: "{role}: {name}, todavía no firma",
      viewer: "{role} ({name})",
      doneSign: "Gracias. Su firma quedó guardada.",
      doneDecline: "El acuerdo quedó rechazado. Se avisará a la familia y a la oficina de la escuela.",
      doneCancel: "La solicitud quedó cancelada. Se avisará a la oficina de la escuela.",
      doneOfficeCancel: "La solicitud quedó cancelada. Se les avisa a la familia y a todos a quienes se les pidió firmar, con el motivo que usted dio.",
      working: "Espere, por favor…",
      changed: "El acuerdo cambió después de que usted lo abrió. Vuelva a leerlo abajo y luego firme.",
      after: {
        before_start: ["Aprobado", "Todos firmaron. El estudio independiente está aprobado y empieza el {first}."],
        in_progress: ["Aprobado: estudio independiente en curso", "Todos firmaron y el estudio independiente ya empezó. Termina el {last}."],
        awaiting_evaluation: ["Falta el registro docente del trabajo", "Terminó el estudio independiente. El o la estudiante entrega el trabajo, y cada docente registra, para cada día de clase, si está completo."],
        closed: ["Cerrado", "Cada docente registró el trabajo."],
      },
      afterToGuardian: {
        awaiting_evaluation: ["Falta el registro docente del trabajo", "Terminó el estudio independiente. Su hijo o hija entrega el trabajo, y cada docente registra, para cada día de clase, si está completo."],
      },
      evaluationDue: "El registro docente vence el {day}.",
      youRecorded: "Usted ya registró el trabajo.",
      endedEarly: "La oficina de la escuela lo terminó antes de tiempo el {at}. Ahora el último día es el {day}.",
      creditedCount: "{n} de {m} días de clase con crédito.",
      creditedMeaning: "Un día con crédito cuenta como asistencia; un día sin crédito cuenta como ausencia.",
      results: { credited: "Trabajo completo, recibe crédito", not_credited: "Incompleto, sin crédito", pending: "Todavía sin registrar" },
      complete: "¿El trabajo está completo?",
      credited: "Trabajo completo, recibe crédito",
      notCredited: "Incompleto, sin crédito",
      received: "Fecha en que recibió el trabajo (opcional)",
      note: "Nota (opcional)",
      chooseDay: "Indique si el trabajo del {day} está completo o no",
      nameHint: "Escriba su nombre tal como aparece en el acuerdo: {name}.",
      studentHint: "{name} firma el acuerdo aquí, una sola vez (en el primer registro docente). Pásele el dispositivo al estudiante para esta línea.",
      doneEvaluate: "Gracias. Su registro del trabajo quedó guardado.",
      doneEnd: "Ahora el acuerdo termina antes. Se avisa a la familia, a cada docente y al director o la directora, con el motivo que usted dio.",
    },
  };
  const t = (key, vars) => P.t(WORDS, key, vars);
  const roleName = (role) => (P.t(P.WORDS, "roles") || {})[role] || role || "";

  const errors = new P.ErrorDisplay(field("error-summary"));
  const notice = field("sign-notice");
  const view = field("sign-view");
  const signForm = field("sign-form");
  const declineForm = field("decline-form");
  const cancelBox = field("cancel-box");
  const cancelConfirm = field("cancel-confirm");
  const officeCancelForm = field("office-cancel-form");
  const evaluateForm = field("evaluate-form");
  const endForm = field("end-form");

  let current = null; // the last GET response
  let busy = false;

  const LINK_STORE = "stis.sign.link";
  let opened = null; // {id, token} of the link this tab opened

  /** The link in the address bar's fragment: {id, token}, {} when part is missing, null when none. */
  function linkInAddress() {
    const hash = window.location.hash.replace(/^#/, "");
    if (!/(^|&)(id|token)=/.test(hash)) return null;
    const params = new URLSearchParams(hash);
    const id = (params.get("id") || "").trim();
    const token = (params.get("token") || "").trim();
    return id && token ? { id, token } : {};
  }

  function storedLink() {
    try {
      const stored = JSON.parse(sessionStorage.getItem(LINK_STORE) || "null");
      return stored && typeof stored.id === "string" && typeof stored.token === "string" ? stored : null;
    } catch (error) {
      return null;
    }
  }

  /**
   * Read the link once: from the fragment (then out of the address bar and
   * history, into this tab's storage), else from this tab's storage.
   * Gives {id, token}, {} for a link with a part missing, or null for no link.
   */
  function readLink() {
    const found = linkInAddress();
    if (found === null) return storedLink();
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
    if (!found.id) forgetLink();
    try {
      if (found.id) sessionStorage.setItem(LINK_STORE, JSON.stringify(found));
    } catch (error) { /* private mode: this page view keeps it in memory */ }
    return found;
  }

  function forgetLink() {
    try { sessionStorage.removeItem(LINK_STORE); } catch (error) { /* nothing kept */ }
  }

  function link() {
    return opened;
  }

  function path(suffix) {
    return "/stis/requests/" + encodeURIComponent(link().id) + (suffix || "");
  }

  const brokenTitle = field("sign-problem-title").textContent;

  function problem(text, title) {
    field("sign-loading").hidden = true;
    view.hidden = true;
    field("sign-problem-title").textContent = title || brokenTitle;
    field("sign-problem-text").textContent = text;
    field("sign-problem").hidden = false;
    field("sign-problem-title").focus();
  }

  async function load() {
    const where = link();
    if (!where) {
      field("sign-loading").hidden = true;
      field("sign-nolink").hidden = false;
      return false;
    }
    if (!where.id) {
      problem(t("missing"));
      return false;
    }
    const result = await P.api("GET", path("?lang=" + P.lang), undefined, where.token);
    field("sign-loading").hidden = true;
    if (!result.ok) {
      const code = result.body.error.code;
      // Refused: never tried again in this tab (a link that is only being held back by a limit stays).
      if (result.status >= 400 && result.status < 500 && code !== "too_many_requests") forgetLink();
      const title = { link_expired: t("linkExpired"), too_many_requests: t("tooMany") }[code];
      problem(result.body.error.message, title);
      return false;
    }
    current = result.body;
    field("sign-problem").hidden = true;
    render(current);
    // For download.js: the request as this link sees it, and the link to fetch its documents.
    app.dispatchEvent(new CustomEvent("portal:request", { detail: { request: current, id: where.id, token: where.token } }));
    return true;
  }

  function fact(label, ...value) {
    return h("div", {}, h("dt", {}, label), h("dd", {}, ...value));
  }

  function render(r) {
    const guardian = r.viewer && r.viewer.role === "guardian";
    const toGuardian = guardian ? t("statusToGuardian")[r.status] || t("afterToGuardian")[r.phase] : null;
    const [title, text] = toGuardian || t("after")[r.phase] || t("status")[r.status] || [r.status, ""];
    field("status-title").textContent = title;
    const lines = [text.replace("{first}", P.formatDay(r.first_day)).replace("{last}", P.formatDay(r.last_day))];
    if (r.early_end) {
      lines.push(t("endedEarly", { at: P.formatMoment(r.early_end.at, data.timeZone), day: P.formatDay(r.early_end.last_day) }));
      if (r.early_end.reason) lines.push(t("reason", { reason: r.early_end.reason }));
    }
    const recorded = (r.evaluations || []).some((e) => r.viewer && e.teacher === r.viewer.party);
    if (r.status === "closed") lines.push(t("creditedCount", { n: r.credited_days, m: (r.results || []).length }));
    if (r.status === "awaiting_evaluation" && recorded) lines.push(t("youRecorded"));
    if (r.status === "awaiting_evaluation" && r.evaluation_due) lines.push(t("evaluationDue", { day: P.formatDay(r.evaluation_due) }));
    const ending = r.ending;
    if (ending && ending.at && ending.by_role) {
      // Who ended it, by name and role: "Declined by Paul Whitaker, teacher, on …".
      const at = P.formatMoment(ending.at, data.timeZone);
      const role = roleName(ending.by_role).toLocaleLowerCase(P.lang);
      const office = ending.by_role === "office" && ending.state === "cancelled";
      const byName = ending.by_name && (office ? "cancelledByOffice" : { declined: "declinedBy", cancelled: "cancelledBy" }[ending.state]);
      lines.push(byName ? t(byName, { name: ending.by_name, role, at })
        : t("endedBy", { who: roleName(ending.by_role), at }));
    }
    if (r.ending && r.ending.reason) lines.push(t("reason", { reason: r.ending.reason }));
    if (r.sign_by) lines.push(t("signBy", { at: P.formatMoment(r.sign_by, data.timeZone) }));
    // A time that ends in "a. m." closes its sentence with that period.
    field("status-text").textContent = lines.join(" ").replace(/\.\.(\s|$)/g, ".$1");

    const F = t("facts");
    const student = r.student || {};
    const teachers = (r.teachers || []).map((x) => `${x.name} (${x.signed ? t("signed") : t("notSigned")})`);
    const turn = (r.whose_turn || []).map((x) => `${x.name} (${roleName(x.role)})`);
    const facts = [
      fact(F.ref, r.ref || ""),
      fact(F.student, `${student.first_name || ""} ${student.last_name || ""}`.trim()),
      fact(F.grade, student.grade || ""),
      fact(F.school, (r.school && r.school.name) || ""),
      fact(F.dates, t("from", { first: P.formatDay(r.first_day), last: P.formatDay(r.last_day) })),
      fact(F.days, String(r.school_days)),
      fact(F.year, r.school_year || ""),
      fact(teachers.length === 1 ? F.teacher : F.teachers, P.listOf(teachers)),
      fact(F.turn, turn.length ? turn.join(", ") : t("nobody")),
    ];
    if (Array.isArray(r.dates) && r.dates.length) {
      facts.splice(6, 0, fact(F.covered, r.dates.map((d) => P.formatDay(d, { weekday: "short", year: undefined, month: "short" })).join(", ")));
    }
    if (r.viewer) facts.push(fact(F.viewer, t("viewer", { role: roleName(r.viewer.role), name: r.viewer.name || "" })));
    field("request-facts").replaceChildren(...facts);

    // Each signature as the signer typed their name; the student's line too, still to come.
    const signatures = (r.signatures || []).map((s) =>
      h("li", {}, t("signature", { role: roleName(s.role), name: s.name, at: P.formatMoment(s.signed_at, data.timeZone) })));
    const studentName = `${student.first_name || ""} ${student.last_name || ""}`.trim();
    const studentSigned = (r.signatures || []).some((s) => s.role === "student");
    const ended = ["declined", "cancelled", "void", "expired"].includes(r.status);
    const record = signatures.length ? signatures : [h("li", {}, t("noSignatures"))];
    if (!studentSigned && !ended && studentName) {
      const key = r.student_signs === "on_return" ? "studentOnReturn" : "studentNotYet";
      record.push(h("li", {}, t(key, { role: roleName("student"), name: studentName })));
    }
    field("signature-list").replaceChildren(...record);
    showExpectedNames(r);

    const contract = field("contract");
    contract.textContent = r.contract_text || "";
    contract.setAttribute("lang", r.language || P.lang);

    renderResults(r);
    renderEvaluate(r);
    renderEnd(r);

    signForm.hidden = !r.can_sign;
    field("sign-below-box").hidden = !r.can_sign;
    declineForm.hidden = !r.can_decline;
    const office = r.viewer && r.viewer.role === "office";
    cancelBox.hidden = !r.can_cancel || office;
    officeCancelForm.hidden = !r.can_cancel || !office;
    cancelConfirm.hidden = true;
    field("cancel-start").hidden = false;
    view.hidden = false;
  }

  /** The names to type, under each name field: the signer's own and, when the
   * student signs now (``before_start``), the student's; else when the student signs. */
  function showExpectedNames(r) {
    const viewer = r.viewer || {};
    const hint = field("sign-name-hint");
    hint.dataset.plain = hint.dataset.plain || hint.textContent;
    hint.textContent = r.can_sign && viewer.name ? hint.dataset.expected.replace("{name}", viewer.name) : hint.dataset.plain;
    const student = r.can_sign && viewer.role === "guardian" ? viewer.student : null;
    const now = Boolean(student && student.signs === "before_start");
    field("field-sign-student-name").hidden = !now;
    field("sign-student-name").disabled = !now;
    const studentHint = field("sign-student-name-hint");
    if (now) studentHint.textContent = studentHint.dataset.expected.replace("{name}", student.name);
    const later = field("sign-student-later");
    later.hidden = !(student && student.signs === "on_return");
    if (!later.hidden) later.textContent = later.dataset.text.replace("{name}", student.name);
  }

  /** After the absence: each school day with its result, and how many earn credit once closed. */
  function renderResults(r) {
    const shown = (r.status === "awaiting_evaluation" || r.status === "closed") && (r.results || []).length > 0;
    field("results-box").hidden = !shown;
    if (!shown) return;
    const words = t("results");
    field("results-list").replaceChildren(...r.results.map((x) =>
      h("li", { class: "portal-result portal-result--" + x.result },
        h("span", { class: "portal-result__day" }, P.formatDay(x.date)), " ",
        h("strong", {}, words[x.result] || x.result))));
    field("results-text").textContent = r.status === "closed"
      ? `${t("creditedCount", { n: r.credited_days, m: r.results.length })} ${t("creditedMeaning")}`
      : t("creditedMeaning");
  }

  let evaluateRowsFor = ""; // the request whose day rows are on the page (kept while the reader works)

  /** The teacher's record: one fieldset per school day, then the signatures. */
  function renderEvaluate(r) {
    evaluateForm.hidden = !r.can_evaluate;
    field("evaluate-below-box").hidden = !r.can_evaluate;
    if (!r.can_evaluate) return;
    const key = r.id + "|" + (r.dates || []).join(",");
    if (evaluateRowsFor !== key) {
      evaluateRowsFor = key;
      field("evaluate-days").replaceChildren(...(r.dates || []).map(dayRow));
    }
    field("evaluate-name-hint").textContent = t("nameHint", { name: (r.viewer && r.viewer.name) || "" });
    const student = r.student || {};
    const studentName = `${student.first_name || ""} ${student.last_name || ""}`.trim();
    field("field-evaluate-student").hidden = !r.student_signs_here;
    field("evaluate-student-hint").textContent = t("studentHint", { name: studentName });
  }

  function dayRow(day, index) {
    const name = "day-" + index;
    const legendId = "day-legend-" + index;
    const choice = (value, label) => h("div", { class: "portal-choice portal-choice--big" },
      h("input", { type: "radio", name, id: `${name}-${value}`, value, "data-day": day }),
      h("label", { for: `${name}-${value}` }, label));
    return h("fieldset", { class: "portal-day", "aria-labelledby": legendId },
      h("legend", { id: legendId, class: "portal-day__date" }, P.formatDay(day)),
      h("fieldset", { class: "portal-field", id: "field-" + name, "data-required": t("chooseDay", { day: P.formatDay(day) }) },
        h("legend", {}, t("complete")),
        h("p", { class: "portal-error", id: name + "-error", hidden: true }),
        choice("yes", t("credited")),
        choice("no", t("notCredited"))),
      h("div", { class: "portal-field", id: "field-received-" + index },
        h("label", { for: "received-" + index }, t("received")),
        h("p", { class: "portal-error", id: `received-${index}-error`, hidden: true }),
        h("input", { type: "date", id: "received-" + index, class: "portal-input--date" })),
      h("div", { class: "portal-field", id: "field-note-" + index },
        h("label", { for: "note-" + index }, t("note")),
        h("p", { class: "portal-error", id: `note-${index}-error`, hidden: true }),
        h("input", { type: "text", id: "note-" + index, maxlength: 300 })));
  }

  /** The office's early end: the new last day (a contract day before the last) and a reason. */
  function renderEnd(r) {
    endForm.hidden = !r.can_end;
    if (!r.can_end) return;
    const days = (r.dates || []).slice(0, -1);
    const today = P.today(data.timeZone);
    const before = days.filter((d) => d < today);
    const chosen = before.length ? before[before.length - 1] : days[0];
    field("end-last-day").replaceChildren(...days.map((d) =>
      h("option", { value: d, selected: d === chosen }, P.formatDay(d))));
  }

  // --- Actions ----------------------------------------------------------------

  const FIELD_OF_KEY = { name: "sign-name", agree: "sign-agree", student: "sign-student-name", "student.name": "sign-student-name" };
  const EVALUATE_FIELDS = { name: "evaluate-name", agree: "evaluate-agree", "student.name": "evaluate-student", days: "day-0" };
  const END_FIELDS = { reason: "end-reason", last_day: "end-last-day" };

  /** An API field of the evaluation ("days[2].date") as the page's field id ("day-2"). */
  function evaluateField(key) {
    const day = /^days\[(\d+)\]\.(date|credited|received_on|note)$/.exec(key);
    if (day) return { date: "day-", credited: "day-", received_on: "received-", note: "note-" }[day[2]] + day[1];
    return EVALUATE_FIELDS[key];
  }

  /** The API's refusal as {id, text} items; a `reason` belongs to the form that sent it. */
  function apiErrors(body, reasonField) {
    const error = (body && body.error) || {};
    const fieldOf = (key) => {
      if (reasonField === "evaluate") return evaluateField(key) || null;
      if (reasonField === "end") return END_FIELDS[key] || null;
      return (key === "reason" ? reasonField : FIELD_OF_KEY[key]) || null;
    };
    const list = Object.entries(error.fields || {}).map(([key, text]) => ({ id: fieldOf(key), text }));
    if (!list.length) list.push({ id: null, text: error.message || "" });
    return list;
  }

  async function act(suffix, body, doneText, button, reasonField) {
    if (busy) return;
    busy = true;
    const label = button.textContent;
    button.disabled = true;
    button.textContent = t("working");
    const result = await P.api("POST", path(suffix), body, link().token);
    busy = false;
    button.disabled = false;
    button.textContent = label;
    if (result.ok) {
      errors.clear();
      signForm.reset();
      declineForm.reset();
      officeCancelForm.reset();
      evaluateForm.reset();
      endForm.reset();
      await load();
      notice.textContent = doneText;
      notice.hidden = false;
      notice.focus();
      notice.scrollIntoView({ block: "start" });
      return;
    }
    notice.hidden = true;
    const code = result.body.error && result.body.error.code;
    if (code === "name_mismatch" && reasonField === "evaluate") {
      errors.show(apiErrors(result.body, reasonField).map((x) => (x.id ? x : { ...x, id: "evaluate-name" })));
      return;
    }
    if (code === "contract_changed" || code === "wrong_state") {
      await load();
      errors.show([{ id: null, text: code === "contract_changed" ? t("changed") : result.body.error.message }]);
      return;
    }
    errors.show(apiErrors(result.body, reasonField));
  }

  signForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = field("sign-name");
    const studentName = field("sign-student-name");
    const studentSigns = !field("field-sign-student-name").hidden;
    const agree = field("sign-agree");
    const list = [];
    if (!name.value.trim()) list.push({ id: "sign-name", text: name.dataset.required });
    if (studentSigns && !studentName.value.trim()) list.push({ id: "sign-student-name", text: studentName.dataset.required });
    if (!agree.checked) list.push({ id: "sign-agree", text: agree.dataset.required });
    if (list.length) {
      errors.show(list);
      return;
    }
    const body = { name: name.value.trim(), agree: true, contract_sha256: current.contract_sha256 };
    if (studentSigns) body.student = { name: studentName.value.trim() };
    act("/sign", body, t("doneSign"), signForm.querySelector("button[type=submit]"));
  });

  /** A form whose one answer is a required reason, posted as {reason} to ``suffix``. */
  function onReason(form, reasonId, suffix, doneKey) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const reason = field(reasonId);
      if (!reason.value.trim()) {
        errors.show([{ id: reasonId, text: reason.dataset.required }]);
        return;
      }
      act(suffix, { reason: reason.value.trim() }, t(doneKey), form.querySelector("button[type=submit]"), reasonId);
    });
  }
  onReason(declineForm, "decline-reason", "/decline", "doneDecline");
  // The school office cancels with a reason, which the family and the signers are told.
  onReason(officeCancelForm, "cancel-reason", "/cancel", "doneOfficeCancel");

  evaluateForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const list = [];
    const days = (current.dates || []).map((day, index) => {
      const picked = evaluateForm.querySelector(`input[name="day-${index}"]:checked`);
      if (!picked) list.push({ id: "day-" + index, text: field("field-day-" + index).dataset.required });
      const received = field("received-" + index).value;
      const note = field("note-" + index).value.trim();
      const entry = { date: day, credited: picked ? picked.value === "yes" : false };
      if (received) entry.received_on = received;
      if (note) entry.note = note;
      return entry;
    });
    const student = field("evaluate-student");
    const name = field("evaluate-name");
    const agree = field("evaluate-agree");
    const studentSigns = !field("field-evaluate-student").hidden;
    if (studentSigns && !student.value.trim()) list.push({ id: "evaluate-student", text: student.dataset.required });
    if (!name.value.trim()) list.push({ id: "evaluate-name", text: name.dataset.required });
    if (!agree.checked) list.push({ id: "evaluate-agree", text: agree.dataset.required });
    if (list.length) {
      errors.show(list);
      return;
    }
    const body = { name: name.value.trim(), agree: true, days };
    if (studentSigns) body.student = { name: student.value.trim() };
    act("/evaluate", body, t("doneEvaluate"), evaluateForm.querySelector("button[type=submit]"), "evaluate");
  });

  endForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const reason = field("end-reason");
    if (!reason.value.trim()) {
      errors.show([{ id: "end-reason", text: reason.dataset.required }]);
      return;
    }
    act("/end", { reason: reason.value.trim(), last_day: field("end-last-day").value }, t("doneEnd"),
      endForm.querySelector("button[type=submit]"), "end");
  });

  field("evaluate-below").addEventListener("click", (event) => {
    event.preventDefault();
    evaluateForm.scrollIntoView({ block: "start" });
    const first = evaluateForm.querySelector("input");
    if (first) first.focus({ preventScroll: true });
  });

  field("cancel-start").addEventListener("click", () => {
    cancelConfirm.hidden = false;
    field("cancel-start").hidden = true;
    field("cancel-question").focus();
  });
  field("cancel-no").addEventListener("click", () => {
    cancelConfirm.hidden = true;
    field("cancel-start").hidden = false;
    field("cancel-start").focus();
  });
  field("cancel-yes").addEventListener("click", (event) => act("/cancel", {}, t("doneCancel"), event.currentTarget));

  // Another link opened in the same tab: start again with it.
  window.addEventListener("hashchange", () => {
    if (linkInAddress() === null) return; // an ordinary in-page anchor
    opened = readLink();
    field("sign-nolink").hidden = true;
    errors.clear();
    notice.hidden = true;
    view.hidden = true;
    field("sign-problem").hidden = true;
    field("sign-loading").hidden = false;
    current = null;
    load();
  });

  field("sign-below").addEventListener("click", (event) => {
    event.preventDefault();
    signForm.scrollIntoView({ block: "start" });
    field("sign-name").focus({ preventScroll: true });
  });

  opened = readLink();
  app.hidden = false;
  load();
})();
