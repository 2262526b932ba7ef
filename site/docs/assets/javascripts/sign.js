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
 * reason). After any action it reloads the request.
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
      viewer: "{role} ({name})",
      doneSign: "Thank you. Your signature is saved.",
      doneDecline: "The agreement is declined. The family and the school office will be told.",
      doneCancel: "The request is cancelled. The school office will be told.",
      doneOfficeCancel: "The request is cancelled. The family and everyone asked to sign are told, with your reason.",
      working: "Please wait…",
      changed: "The agreement changed after you opened it. Please read it again below, then sign.",
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
      viewer: "{role} ({name})",
      doneSign: "Gracias. Su firma quedó guardada.",
      doneDecline: "El acuerdo quedó rechazado. Se avisará a la familia y a la oficina de la escuela.",
      doneCancel: "La solicitud quedó cancelada. Se avisará a la oficina de la escuela.",
      doneOfficeCancel: "La solicitud quedó cancelada. Se les avisa a la familia y a todos a quienes se les pidió firmar, con el motivo que usted dio.",
      working: "Espere, por favor…",
      changed: "El acuerdo cambió después de que usted lo abrió. Vuelva a leerlo abajo y luego firme.",
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
    const toGuardian = r.viewer && r.viewer.role === "guardian" ? t("statusToGuardian")[r.status] : null;
    const [title, text] = toGuardian || t("status")[r.status] || [r.status, ""];
    field("status-title").textContent = title;
    const lines = [text];
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

    const signatures = (r.signatures || []).map((s) =>
      h("li", {}, t("signature", { role: roleName(s.role), name: s.name, at: P.formatMoment(s.signed_at, data.timeZone) })));
    field("signature-list").replaceChildren(...(signatures.length ? signatures : [h("li", {}, t("noSignatures"))]));

    const contract = field("contract");
    contract.textContent = r.contract_text || "";
    contract.setAttribute("lang", r.language || P.lang);

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

  // --- Actions ----------------------------------------------------------------

  const FIELD_OF_KEY = { name: "sign-name", agree: "sign-agree" };

  /** The API's refusal as {id, text} items; a `reason` belongs to the form that sent it. */
  function apiErrors(body, reasonField) {
    const error = (body && body.error) || {};
    const fieldOf = (key) => (key === "reason" ? reasonField : FIELD_OF_KEY[key]) || null;
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
      await load();
      notice.textContent = doneText;
      notice.hidden = false;
      notice.focus();
      notice.scrollIntoView({ block: "start" });
      return;
    }
    notice.hidden = true;
    const code = result.body.error && result.body.error.code;
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
    const agree = field("sign-agree");
    const list = [];
    if (!name.value.trim()) list.push({ id: "sign-name", text: name.dataset.required });
    if (!agree.checked) list.push({ id: "sign-agree", text: agree.dataset.required });
    if (list.length) {
      errors.show(list);
      return;
    }
    act("/sign", { name: name.value.trim(), agree: true, contract_sha256: current.contract_sha256 },
      t("doneSign"), signForm.querySelector("button[type=submit]"));
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
