/*
 * The signed agreement's documents on the signing and status page: once a
 * request has been approved, any party's link downloads the agreement PDF (with
 * its audit certificate), and the guardian's link the calendar file, while the
 * agreement stands. sign.js says which request it showed ("portal:request");
 * the token goes only to the API, in the Authorization header, as everywhere.
 */
(function () {
  "use strict";

  const P = window.Portal;
  const app = document.getElementById("stis-sign");
  const box = document.getElementById("agreement-downloads");
  if (!P || !app || !box) return;

  const WORDS = {
    en: {
      working: "Getting the file…",
      saved: "The file {name} is downloading.",
      failed: "The file could not be downloaded. Please try again.",
    },
    es: {
      working: "Obteniendo el archivo…",
      saved: "El archivo {name} se está descargando.",
      failed: "No se pudo descargar el archivo. Vuelva a intentarlo.",
    },
  };
  const t = (key, vars) => P.t(WORDS, key, vars);
  const pdfButton = document.getElementById("download-pdf");
  const icsButton = document.getElementById("download-ics");
  const status = document.getElementById("download-status");
  const STANDS = ["approved", "awaiting_evaluation", "closed"];
  let shown = null; // {request, id, token}

  async function download(suffix, accept, name, button) {
    if (!shown) return;
    button.disabled = true;
    status.textContent = t("working");
    try {
      const response = await fetch(P.apiBase + "/stis/requests/" + encodeURIComponent(shown.id) + suffix, {
        headers: { Accept: accept, "Accept-Language": P.lang, Authorization: "Bearer " + shown.token },
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
      });
      if (!response.ok) {
        let message = t("failed");
        try {
          message = (await response.json()).error.message || message;
        } catch (error) { /* not JSON: the general message */ }
        status.textContent = message;
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      status.textContent = t("saved", { name });
    } catch (error) {
      status.textContent = t("failed");
    } finally {
      button.disabled = false;
    }
  }

  app.addEventListener("portal:request", (event) => {
    shown = event.detail;
    const r = shown.request || {};
    const issued = (r.audit || []).some((e) => e.event === "approved");
    box.hidden = !issued;
    icsButton.hidden = !(issued && r.viewer && r.viewer.role === "guardian" && STANDS.includes(r.status));
    status.textContent = "";
  });
  pdfButton.addEventListener("click", () =>
    download("/agreement.pdf", "application/pdf", `agreement-${shown.request.ref}.pdf`, pdfButton));
  icsButton.addEventListener("click", () =>
    download("/calendar.ics", "text/calendar", `independent-study-${shown.request.ref}.ics`, icsButton));
})();
