// SLAOps page behaviour: live countdowns, keyboard shortcuts, row navigation.
(function () {
  "use strict";

  // Live countdowns: any element with data-due="ISO time" shows the time left (or overdue).
  function fmt(ms) {
    const neg = ms < 0; ms = Math.abs(ms);
    const s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600),
      m = Math.floor((s % 3600) / 60), sec = s % 60;
    const txt = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${String(sec).padStart(2, "0")}s`;
    return neg ? `overdue ${txt}` : txt;
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      const ms = Date.parse(el.dataset.due) - now;
      if (Number.isNaN(ms)) return;
      el.textContent = fmt(ms);
      el.classList.toggle("overdue", ms < 0);
      el.classList.toggle("soon", ms >= 0 && ms < 5 * 60 * 1000);
    });
  }

  // Row navigation in tables marked data-keynav: j/k move, Enter opens. The selection
  // survives the queue's self-refresh because it is kept by lead id, not by position.
  let selectedId = null;
  function rows() { return Array.from(document.querySelectorAll("table[data-keynav] tbody tr")); }
  function select(tr) {
    rows().forEach(function (r) { r.classList.remove("selected"); r.removeAttribute("aria-selected"); });
    if (!tr) return;
    tr.classList.add("selected"); tr.setAttribute("aria-selected", "true");
    selectedId = tr.dataset.lead;
    tr.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    const all = rows(); if (!all.length) return;
    const i = all.findIndex(function (r) { return r.classList.contains("selected"); });
    select(all[Math.min(all.length - 1, Math.max(0, i < 0 ? 0 : i + step))]);
  }
  function restoreSelection() {
    if (selectedId === null) return;
    const tr = rows().find(function (r) { return r.dataset.lead === selectedId; });
    if (tr) { tr.classList.add("selected"); tr.setAttribute("aria-selected", "true"); }
  }

  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  function focusShortcut(key) {
    const target = document.querySelector('[data-shortcut="' + key + '"]');
    if (!target) return false;
    if (target.tagName === "BUTTON" && target.getAttribute("aria-controls")) {
      const dlg = document.getElementById(target.getAttribute("aria-controls"));
      if (dlg && dlg.showModal) dlg.showModal();
      return true;
    }
    const field = /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName) ? target
      : target.querySelector("input:not([type=hidden]), select, textarea, button");
    target.scrollIntoView({ block: "start", behavior: "smooth" });
    if (field) field.focus({ preventScroll: true });
    return true;
  }

  let pendingG = false;
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (typing(ev.target)) {
      if (ev.key === "Escape") ev.target.blur();
      return;
    }
    if (pendingG) {
      pendingG = false;
      const dest = { q: "/queue/", h: "/handoffs/" }[ev.key];
      if (dest) { ev.preventDefault(); window.location.href = dest; return; }
    }
    if (ev.key === "g") { pendingG = true; setTimeout(function () { pendingG = false; }, 1200); return; }
    if (ev.key === "j") { if (rows().length) { ev.preventDefault(); move(1); return; } }
    if (ev.key === "k") { if (rows().length) { ev.preventDefault(); move(-1); return; } }
    if (ev.key === "Enter") {
      const sel = document.querySelector("table[data-keynav] tr.selected a.rowlink");
      if (sel) { ev.preventDefault(); sel.click(); return; }
    }
    if (ev.key.length === 1 && focusShortcut(ev.key)) ev.preventDefault();
  });

  // BANT+T running total next to the heading.
  function bantTotal() {
    document.querySelectorAll("form.bant").forEach(function (form) {
      let total = 0;
      form.querySelectorAll("select").forEach(function (s) { total += parseInt(s.value || "0", 10); });
      const out = form.closest("section").querySelector(".bant-total");
      if (out) out.textContent = total + "/15";
    });
  }
  document.addEventListener("change", function (ev) { if (ev.target.closest("form.bant")) bantTotal(); });

  function refresh() { tick(); restoreSelection(); bantTotal(); }
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSwap", refresh);
  document.addEventListener("htmx:oobAfterSwap", tick);
  setInterval(tick, 1000);
})();
