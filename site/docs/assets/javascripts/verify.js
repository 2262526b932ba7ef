/*
 * "Check an agreement": the browser works out the chosen file's SHA-256 with
 * Web Crypto and asks the API whether the portal issued a PDF with that hash
 * (GET /stis/verify/{sha256}). The file itself is never sent anywhere.
 */
(function () {
  "use strict";

  const P = window.Portal;
  const { h } = P;
  const data = P.pageData();

  const WORDS = {
    en: {
      chooseFile: "Choose the agreement's PDF file",
      checking: "Checking the file…",
      genuineTitle: "Genuine and unaltered",
      genuineText: "The portal issued this exact file as agreement {ref}, and nothing in it has changed since.",
      statusToday: "Status today",
      school: "School",
      dates: "Dates",
      approvedAt: "Approved",
      notGenuineTitle: "Not an agreement the portal issued, or it was changed",
      notGenuineText:
        "This file is not an agreement the portal issued, or it was changed after it was issued. Check that you chose the original file from the email or the download.",
      fingerprint: "The file's SHA-256: {sha}",
      range: "{first} to {last}",
      unreadable: "This file could not be read. Choose it again.",
      noCrypto: "This browser cannot check files. Try a current version of Chrome, Edge, Firefox or Safari.",
      statuses: {
        approved: "Approved: the agreement stands",
        cancelled: "Cancelled: the agreement no longer stands",
        awaiting_evaluation: "Finished: the teachers are recording the work",
        closed: "Closed: the teachers have recorded the work",
        declined: "Declined",
        void: "Void",
        expired: "Expired",
      },
    },
    es: {
      chooseFile: "Elija el archivo PDF del acuerdo",
      checking: "Comprobando el archivo…",
      genuineTitle: "Auténtico y sin cambios",
      genuineText: "El portal emitió exactamente este archivo como el acuerdo {ref}, y no ha cambiado nada en él desde entonces.",
      statusToday: "Estado hoy",
      school: "Escuela",
      dates: "Fechas",
      approvedAt: "Aprobado",
      notGenuineTitle: "No es un acuerdo emitido por el portal, o se modificó",
      notGenuineText:
        "Este archivo no es un acuerdo emitido por el portal, o se modificó después de emitido. Asegúrese de elegir el archivo original del correo o de la descarga.",
      fingerprint: "SHA-256 del archivo: {sha}",
      range: "del {first} al {last}",
      unreadable: "No se pudo leer este archivo. Vuelva a elegirlo.",
      noCrypto: "Este navegador no puede comprobar archivos. Pruebe con una versión actual de Chrome, Edge, Firefox o Safari.",
      statuses: {
        approved: "Aprobado: el acuerdo está vigente",
        cancelled: "Cancelado: el acuerdo ya no está vigente",
        awaiting_evaluation: "Terminado: los docentes están registrando el trabajo",
        closed: "Cerrado: los docentes ya registraron el trabajo",
        declined: "Rechazado",
        void: "Anulado",
        expired: "Vencido",
      },
    },
  };
  const t = (key, vars) => P.t(WORDS, key, vars);

  const root = document.getElementById("stis-verify");
  const form = document.getElementById("verify-form");
  const input = document.getElementById("verify-file");
  const result = document.getElementById("verify-result");
  const errors = new P.ErrorDisplay(null);

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function show(...children) {
    result.replaceChildren(...children);
  }

  function row(label, value) {
    return h("div", {}, h("dt", {}, label), h("dd", {}, value));
  }

  function statusText(status) {
    const statuses = t("statuses");
    return (statuses && statuses[status]) || status;
  }

  function genuine(found, sha) {
    show(
      h(
        "div",
        { class: "portal-notice portal-notice--ok", id: "verify-genuine" },
        h("h2", {}, t("genuineTitle")),
        h("p", {}, t("genuineText", { ref: found.ref })),
        h(
          "dl",
          { class: "portal-summary portal-summary--compact" },
          row(t("statusToday"), statusText(found.status)),
          row(t("school"), found.school),
          row(t("dates"), found.first_day === found.last_day
            ? P.formatDay(found.first_day)
            : t("range", { first: P.formatDay(found.first_day), last: P.formatDay(found.last_day) })),
          row(t("approvedAt"), P.formatMoment(found.approved_at, data.timeZone)),
        ),
        h("p", { class: "portal-hint portal-fingerprint" }, t("fingerprint", { sha })),
      ),
    );
  }

  function notGenuine(sha) {
    show(
      h(
        "div",
        { class: "portal-notice portal-notice--bad", id: "verify-not-genuine" },
        h("h2", {}, t("notGenuineTitle")),
        h("p", {}, t("notGenuineText")),
        h("p", { class: "portal-hint portal-fingerprint" }, t("fingerprint", { sha })),
      ),
    );
  }

  function problem(text) {
    show(h("div", { class: "portal-notice portal-notice--bad", id: "verify-problem" }, h("p", {}, text)));
  }

  async function check() {
    errors.clearField("verify-file");
    const file = input.files && input.files[0];
    if (!file) {
      show();
      errors.atField("verify-file", t("chooseFile"));
      input.focus();
      return;
    }
    if (!(window.crypto && window.crypto.subtle)) {
      problem(t("noCrypto"));
      return;
    }
    show(h("p", {}, t("checking")));
    let sha;
    try {
      sha = hex(await window.crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
    } catch (error) {
      problem(t("unreadable"));
      return;
    }
    const answer = await P.api("GET", "/stis/verify/" + sha);
    if (answer.ok && answer.body && answer.body.genuine === true) genuine(answer.body, sha);
    else if (answer.status === 404) notGenuine(sha);
    else problem((answer.body && answer.body.error && answer.body.error.message) || "");
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    check();
  });
  input.addEventListener("change", () => {
    if (input.files && input.files.length) check();
  });
  root.hidden = false;
})();
