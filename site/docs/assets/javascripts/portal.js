/*
 * Shared helpers for the portal's pages: the page's language and words, the
 * API client, dates, and GOV.UK-style error messages (a summary at the top
 * that takes focus, and a message at each field).
 *
 * Plain JavaScript, no build step. The API's address comes from
 * <meta name="stis-api-url">, written at build time from STIS_API_URL.
 */
(function () {
  "use strict";

  const lang = (document.documentElement.lang || "en").slice(0, 2) === "es" ? "es" : "en";

  const WORDS = {
    en: {
      errorPrefix: "Error:",
      titlePrefix: "Error: ",
      network: "We could not reach the server. Check your internet connection and try again.",
      serverTrouble: "Something went wrong on our side. Please try again in a few minutes.",
      roles: { guardian: "Parent or guardian", teacher: "Teacher", principal: "Principal", student: "Student", office: "School office" },
    },
    es: {
      errorPrefix: "Error:",
      titlePrefix: "Error: ",
      network: "No pudimos comunicarnos con el servidor. Revise su conexión a internet e inténtelo de nuevo.",
      serverTrouble: "Algo salió mal de nuestro lado. Vuelva a intentarlo en unos minutos.",
      roles: { guardian: "Padre, madre o tutor", teacher: "Docente", principal: "Director o directora", student: "Estudiante", office: "Oficina de la escuela" },
    },
  };

  /** The word `key` in the page's language, with {name} filled from `vars`. */
  function t(table, key, vars) {
    const value = (table[lang] && table[lang][key]) ?? table.en[key] ?? key;
    if (typeof value !== "string") return value;
    return value.replace(/\{(\w+)\}/g, (all, name) => (vars && name in vars ? String(vars[name]) : all));
  }

  /** A DOM element: h("p", {class: "x"}, "text", child, ...). Text is never parsed as HTML. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else if (value === true) el.setAttribute(name, "");
      else el.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function pageData() {
    const el = document.getElementById("portal-data");
    return el ? JSON.parse(el.textContent) : {};
  }

  const meta = document.querySelector('meta[name="stis-api-url"]');
  const apiBase = meta ? meta.content.replace(/\/+$/, "") : "";

  /**
   * Call the API. Resolves to {ok, status, body}; a network failure gives
   * status 0. The token, when given, goes only in the Authorization header.
   */
  async function api(method, path, body, token) {
    const headers = { Accept: "application/json", "Accept-Language": lang };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    let response;
    try {
      response = await fetch(apiBase + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
      });
    } catch (error) {
      return { ok: false, status: 0, body: { error: { code: "network", message: t(WORDS, "network"), fields: {} } } };
    }
    let parsed = null;
    try {
      parsed = await response.json();
    } catch (error) {
      parsed = null;
    }
    if (!response.ok && !(parsed && parsed.error)) {
      parsed = { error: { code: "server", message: t(WORDS, "serverTrouble"), fields: {} } };
    }
    return { ok: response.ok, status: response.status, body: parsed };
  }

  // --- Dates -------------------------------------------------------------------

  const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

  function isIsoDay(text) {
    const m = ISO_DAY.exec(text || "");
    if (!m) return false;
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
  }

  /** "Monday, November 30, 2026" / "lunes, 30 de noviembre de 2026" for a YYYY-MM-DD day. */
  function formatDay(iso, options) {
    if (!isIsoDay(iso)) return iso || "";
    const [y, m, d] = iso.split("-").map(Number);
    return new Intl.DateTimeFormat(lang, {
      weekday: "long", year: "numeric", month: "long", day: "numeric", timeZone: "UTC", ...options,
    }).format(new Date(Date.UTC(y, m - 1, d)));
  }

  /**
   * A moment (ISO with offset) as the district's local date and time, on a
   * 12-hour clock written as the pages write it: "8:00 a.m." / "8:00 a. m.".
   */
  function formatMoment(iso, timeZone) {
    const moment = new Date(iso);
    if (Number.isNaN(moment.getTime())) return iso || "";
    const text = new Intl.DateTimeFormat(lang, {
      weekday: "long", year: "numeric", month: "long", day: "numeric",
      hour: "numeric", minute: "2-digit", hour12: true, timeZone: timeZone || undefined,
    }).format(moment);
    return lang === "en" ? text.replace(/\s?\b([AP])M\b/, (all, half) => ` ${half.toLowerCase()}.m.`) : text;
  }

  /** Today's date (YYYY-MM-DD) where the district is, whatever the reader's clock zone. */
  function today(timeZone) {
    const parts = new Intl.DateTimeFormat("en-CA", {
      year: "numeric", month: "2-digit", day: "2-digit", timeZone: timeZone || undefined,
    }).formatToParts(new Date());
    const part = (type) => parts.find((x) => x.type === type).value;
    return `${part("year")}-${part("month")}-${part("day")}`;
  }

  /** A number written the page language's way ("7.5" / "7,5"); `options` as Intl.NumberFormat's. */
  function formatNumber(value, options) {
    return new Intl.NumberFormat(lang, options).format(value);
  }

  /** "A, B and C" / "A, B y C". */
  function listOf(items) {
    return new Intl.ListFormat(lang, { style: "long", type: "conjunction" }).format(items);
  }

  // --- Errors --------------------------------------------------------------------

  /**
   * GOV.UK-style errors. `summary` is the box at the top (hidden until used);
   * each field has a wrapper `#field-<id>` holding a `#<id>-error` paragraph.
   */
  function ErrorDisplay(summary) {
    this.summary = summary;
    this.shown = [];
    this.title = document.title;
  }

  ErrorDisplay.prototype.clear = function () {
    for (const id of this.shown.slice()) this.clearField(id);
    this.summary.hidden = true;
    this.summary.querySelector("ul").replaceChildren();
    document.title = this.title;
  };

  /** Show one message at a field (no summary): used by live checks. */
  ErrorDisplay.prototype.atField = function (id, text) {
    const wrapper = document.getElementById("field-" + id);
    const message = document.getElementById(id + "-error");
    if (!message) return false;
    message.replaceChildren(h("span", { class: "portal-visually-hidden" }, t(WORDS, "errorPrefix") + " "), text);
    message.hidden = false;
    if (wrapper) wrapper.classList.add("portal-field--error");
    for (const control of controlsOf(id)) {
      control.setAttribute("aria-invalid", "true");
      describe(control, id + "-error", true);
    }
    if (!this.shown.includes(id)) this.shown.push(id);
    return true;
  };

  /**
   * Bring the shown errors up to date while the reader fixes them: `wrong` is
   * the list of {id, text} that are still wrong now. A field that became
   * right loses its message and its line in the summary; one still wrong
   * with another message gets the new one in both places. Nothing new is
   * added (that waits for the next press of the button). The summary goes
   * away with its last line, so it never says what the page no longer does.
   */
  ErrorDisplay.prototype.settle = function (wrong) {
    const list = this.summary.querySelector("ul");
    for (const id of this.shown.slice()) {
      const now = wrong.find((error) => error.id === id);
      const line = Array.from(list.children).find((li) => li.dataset.for === id);
      if (now) {
        const message = document.getElementById(id + "-error");
        if (message && message.lastChild && message.lastChild.textContent !== now.text) this.atField(id, now.text);
        const target = line && line.querySelector("a");
        if (target && target.textContent !== now.text) target.textContent = now.text;
        continue;
      }
      this.clearField(id);
      if (line) line.remove();
    }
    if (!this.summary.hidden && !list.children.length) {
      this.summary.hidden = true;
      document.title = this.title;
    }
  };

  /** Take one field's message away. */
  ErrorDisplay.prototype.clearField = function (id) {
    const wrapper = document.getElementById("field-" + id);
    const message = document.getElementById(id + "-error");
    if (wrapper) wrapper.classList.remove("portal-field--error");
    if (message) {
      message.hidden = true;
      message.textContent = "";
    }
    for (const control of controlsOf(id)) {
      control.removeAttribute("aria-invalid");
      describe(control, id + "-error", false);
    }
    this.shown = this.shown.filter((x) => x !== id);
  };

  /**
   * Show errors: a list of {id, text} (id may be null for a message that
   * belongs to no field). Fills the summary, marks the fields, focuses the
   * summary and puts "Error: " before the page title.
   */
  ErrorDisplay.prototype.show = function (errors) {
    this.clear();
    const list = this.summary.querySelector("ul");
    for (const error of errors) {
      const placed = error.id ? this.atField(error.id, error.text) : false;
      const target = placed ? firstControl(error.id) : null;
      list.append(
        h("li", { "data-for": placed ? error.id : null }, target
          ? h("a", { href: "#" + target.id, onclick: (event) => { event.preventDefault(); target.focus(); } }, error.text)
          : error.text),
      );
    }
    this.summary.hidden = false;
    document.title = t(WORDS, "titlePrefix") + this.title;
    this.summary.focus();
    this.summary.scrollIntoView({ block: "start" });
  };

  function controlsOf(id) {
    const wrapper = document.getElementById("field-" + id);
    if (wrapper && wrapper.tagName === "FIELDSET") return Array.from(wrapper.querySelectorAll("input"));
    const control = document.getElementById(id);
    return control ? [control] : [];
  }

  function firstControl(id) {
    return controlsOf(id)[0] || document.getElementById("field-" + id);
  }

  function describe(control, id, on) {
    const ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter((x) => x && x !== id);
    if (on) ids.push(id);
    if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
    else control.removeAttribute("aria-describedby");
  }

  const EMAIL = /^[^\s@<>(),;:"\[\]]+@[^\s@<>(),;:"\[\]]+\.[^\s@<>(),;:"\[\]]+$/;

  /** A new client-made id for a request (UUID v4). */
  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  window.Portal = {
    lang, WORDS, t, h, pageData, api, apiBase, isIsoDay, formatDay, formatMoment, today, formatNumber, listOf,
    ErrorDisplay, EMAIL, uuid,
  };
})();
