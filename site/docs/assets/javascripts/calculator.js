/*
 * The absence calculator (absence-tiers page). Everything happens in the
 * browser: the numbers typed here are never sent anywhere or stored.
 * The tiers and the chronic-absence line come from the district configuration
 * (the #portal-data block written at build time).
 */
(function () {
  "use strict";

  const P = window.Portal;
  const box = document.getElementById("tier-calculator-box");
  const form = document.getElementById("tier-calculator");
  if (!P || !box || !form) return;

  const { h } = P;
  const data = P.pageData();
  const tiers = (data.tiers || []).slice().sort((a, b) => a.absences - b.absences);

  const WORDS = {
    en: {
      none: "With {n} absences, no step has started yet.",
      firstAt: "The first step, \u201c{title}\u201d, starts at {at} absences.",
      step: "Step {i} of {total}: {title}",
      reached: "Your child has reached this step ({label}).",
      next: "Next step at {at} absences: {title}.",
      last: "This is the last step.",
      rate: "{absent} days absent out of {enrolled} school days is {pct} of the school days.",
      chronic: "This is chronic absence: missing {p} or more of the school days. Please talk with the school: there is help.",
      notChronic: "This is below the chronic absence line ({p} of the school days).",
    },
    es: {
      none: "Con {n} faltas, todavía no empieza ningún paso.",
      firstAt: "El primer paso, \u201c{title}\u201d, empieza con {at} faltas.",
      step: "Paso {i} de {total}: {title}",
      reached: "Su hijo o hija llegó a este paso ({label}).",
      next: "Siguiente paso con {at} faltas: {title}.",
      last: "Este es el último paso.",
      rate: "{absent} faltas en {enrolled} días de clase son el {pct} de los días de clase.",
      chronic: "Esto es ausentismo crónico: faltar el {p} o más de los días de clase. Hable con la escuela: hay ayuda.",
      notChronic: "Esto está por debajo del límite de ausentismo crónico (el {p} de los días de clase).",
    },
  };
  const t = (key, vars) => P.t(WORDS, key, vars);
  const errors = new P.ErrorDisplay(document.getElementById("error-summary"));
  const result = document.getElementById("tier-result");
  const absentInput = document.getElementById("days-absent");
  const enrolledInput = document.getElementById("days-enrolled");

  function whole(input, min) {
    const text = input.value.trim();
    if (!text) return { error: input.dataset.required };
    if (!/^\d{1,4}$/.test(text)) return { error: input.dataset.format };
    if (Number(text) < min) return { error: input.dataset.min };
    return { value: Number(text) };
  }

  /** What is wrong with the numbers now: a list of {id, text}. */
  function check() {
    const absent = whole(absentInput, 0);
    const enrolled = whole(enrolledInput, 1);
    const list = [];
    if (absent.error) list.push({ id: "days-absent", text: absent.error });
    if (enrolled.error) list.push({ id: "days-enrolled", text: enrolled.error });
    if (!list.length && absent.value > enrolled.value) {
      list.push({ id: "days-enrolled", text: enrolledInput.dataset.order });
    }
    return { list, absent: absent.value, enrolled: enrolled.value };
  }

  /** The highest tier reached with `absent` absences, or null. */
  function tierFor(absent) {
    let found = null;
    for (const tier of tiers) if (absent >= tier.absences) found = tier;
    return found;
  }

  function show(absent, enrolled) {
    const tier = tierFor(absent);
    const parts = [];
    if (!tier) {
      parts.push(h("p", {}, h("strong", {}, t("none", { n: absent }))));
      if (tiers.length) parts.push(h("p", {}, t("firstAt", { title: tiers[0].title, at: tiers[0].absences })));
    } else {
      const index = tiers.indexOf(tier);
      const next = tiers[index + 1];
      parts.push(
        h("h3", { id: "tier-result-title" }, t("step", { i: index + 1, total: tiers.length, title: tier.title })),
        h("p", {}, t("reached", { label: tier.label })),
        h("p", {}, tier.text),
        h("p", {}, next ? t("next", { at: next.absences, title: next.title }) : t("last")),
      );
    }
    const share = absent / enrolled;
    const pct = P.formatNumber(share, { style: "percent", maximumFractionDigits: 1 });
    const line = P.formatNumber(data.chronicPercent / 100, { style: "percent" });
    const chronic = share * 100 >= data.chronicPercent;
    parts.push(
      h("p", { class: chronic ? "portal-result__chronic" : "" },
        t("rate", { absent, enrolled, pct }), " ",
        h("strong", {}, chronic ? t("chronic", { p: line }) : t("notChronic", { p: line }))),
    );
    result.dataset.tier = tier ? String(tier.absences) : "";
    result.dataset.chronic = chronic ? "yes" : "no";
    result.replaceChildren(...parts);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { list, absent, enrolled } = check();
    if (list.length) {
      result.replaceChildren();
      errors.show(list);
      return;
    }
    errors.clear();
    show(absent, enrolled);
  });
  // Messages go away as the numbers are put right.
  form.addEventListener("input", () => errors.settle(check().list));

  box.hidden = false;
})();
