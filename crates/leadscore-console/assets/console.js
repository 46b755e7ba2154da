// The console's own script, served at /console/assets/console.js. Every page
// works without it (forms post, links navigate); it only adds what needs a
// script: confirmations before changes that cannot be undone in one step.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Rule models: the designer (/console/rule-models/...). As one types, the
// form is posted (with its CSRF token) to /console/designer/check, ~400 ms
// after the last keystroke; the answer puts each problem next to its field
// and updates the backtest, the YAML and the text views in place. Tabs show
// one view at a time (without the script all three are shown, one under
// the other). Every button still posts the form as it would without it.
(() => {
  const form = document.getElementById("rm-designer");
  if (!(form instanceof HTMLFormElement) || !form.dataset.check) return;
  const source = document.getElementById("rm-source");
  const yaml = document.getElementById("rm-yaml");
  const text = document.getElementById("rm-text");
  const tablist = form.querySelector(".rm-tabs");
  const tabs = tablist ? Array.from(tablist.querySelectorAll("[role=tab]")) : [];
  let timer = 0;
  let sent = 0;

  const show = (tab, focus) => {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    }
    if (focus) tab.focus();
    if (source) source.value = tab.id === "rm-tab-yaml-button" ? "yaml" : tab.id === "rm-tab-text-button" ? "text" : "form";
  };
  if (tablist && tabs.length) {
    tablist.hidden = false;
    for (const p of form.querySelectorAll(".rm-panel-title")) p.classList.add("visually-hidden");
    const start = location.hash === "#rm-tab-yaml" ? tabs[1] : location.hash === "#rm-tab-text" ? tabs[2] : tabs[0];
    show(start, false);
    tablist.addEventListener("click", (e) => {
      const tab = e.target.closest("[role=tab]");
      if (!tab) return;
      show(tab, false);
      history.replaceState(null, "", "#" + tab.getAttribute("aria-controls"));
    });
    tablist.addEventListener("keydown", (e) => {
      const i = tabs.indexOf(document.activeElement);
      if (i < 0) return;
      const next = e.key === "ArrowRight" ? (i + 1) % tabs.length
        : e.key === "ArrowLeft" ? (i + tabs.length - 1) % tabs.length
        : e.key === "Home" ? 0 : e.key === "End" ? tabs.length - 1 : -1;
      if (next >= 0) {
        e.preventDefault();
        show(tabs[next], true);
      }
    });
  }

  const clear = () => {
    for (const p of form.querySelectorAll(".field-error")) p.remove();
    for (const el of form.querySelectorAll("[aria-invalid]")) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    }
  };
  const place = (problem, warning) => {
    const target = document.getElementById(problem.id) || document.getElementById("f-model");
    if (!target) return;
    const p = document.createElement("p");
    p.className = warning ? "field-error warning" : "field-error";
    let k = 1;
    p.id = problem.id + "-error";
    while (document.getElementById(p.id)) p.id = problem.id + "-error-" + ++k;
    p.textContent = (warning ? "Check: " : "Error: ") + problem.message;
    if (target.matches("input, select, textarea")) {
      const before = target.getAttribute("aria-describedby");
      target.setAttribute("aria-invalid", "true");
      target.setAttribute("aria-describedby", before ? before + " " + p.id : p.id);
      let last = target;
      while (last.nextElementSibling && last.nextElementSibling.classList.contains("field-error")) last = last.nextElementSibling;
      last.insertAdjacentElement("afterend", p);
    } else {
      const legend = target.querySelector("legend");
      if (legend) legend.insertAdjacentElement("afterend", p);
      else target.prepend(p);
    }
  };
  const setHtml = (id, html) => {
    const el = document.getElementById(id);
    if (el && typeof html === "string") el.innerHTML = html;
  };

  const check = async () => {
    const n = ++sent;
    const body = new URLSearchParams(new FormData(form));
    const results = document.getElementById("rm-results");
    if (results) results.setAttribute("aria-busy", "true");
    let answer;
    try {
      const response = await fetch(form.dataset.check, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      answer = await response.json();
    } catch (err) {
      if (n === sent) setHtml("rm-summary", "<p class=\"error\" role=\"alert\">The check could not run (" +
        String(err.message).replace(/[<>&"]/g, "") + "): use the Check button.</p>");
      return;
    } finally {
      if (results && n === sent) results.setAttribute("aria-busy", "false");
    }
    if (n !== sent) return; // a newer check is on its way
    const from = answer.source || "form";
    if (from !== "form" && answer.form_html) {
      const fields = document.getElementById("rm-fields");
      if (fields) fields.innerHTML = answer.form_html;
    }
    clear();
    for (const p of answer.problems || []) place(p, false);
    for (const p of answer.warnings || []) place(p, true);
    setHtml("rm-summary", answer.summary_html);
    setHtml("rm-results", answer.results_html);
    setHtml("rm-lists", answer.lists_html);
    const problems = answer.typed_problems || [];
    for (const box of [document.getElementById("rm-yaml-problems"), document.getElementById("rm-text-problems")]) {
      if (!box) continue;
      box.textContent = "";
      if (problems.length && box.id === "rm-" + from + "-problems") {
        const div = document.createElement("div");
        div.className = "error";
        div.setAttribute("role", "alert");
        const ul = document.createElement("ul");
        for (const text of problems) {
          const li = document.createElement("li");
          li.textContent = text;
          ul.append(li);
        }
        div.append(ul);
        box.append(div);
      }
    }
    if (from !== "yaml" && yaml && typeof answer.yaml === "string") yaml.value = answer.yaml;
    if (from !== "text" && text && typeof answer.text === "string") text.value = answer.text;
  };

  form.addEventListener("input", (e) => {
    if (source) source.value = e.target === yaml ? "yaml" : e.target === text ? "text" : "form";
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 400);
  });
  form.addEventListener("change", (e) => {
    if (e.target instanceof HTMLSelectElement) {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 50);
    }
  });
})();

// Import (/console/import): a chosen file's text fills the form's text area
// and its name the file name field, so that the form posts it (without the
// script, the export's text is pasted instead).
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.fill) return;
  const file = input.files && input.files[0];
  const area = document.getElementById(input.dataset.fill);
  const name = input.dataset.name ? document.getElementById(input.dataset.name) : null;
  if (!file || !(area instanceof HTMLTextAreaElement)) return;
  file.text().then((text) => {
    area.value = text;
    if (name instanceof HTMLInputElement) name.value = file.name;
  });
});
