// The application page: sign in; the dashboard when the blueprint has
// metrics: KPI cards (values in their units, the change against the previous
// period, "data as of"), one SVG chart per metric on a date axis with a
// legend, a funnel chart per funnel metric, a heat table per cohort metric,
// and a date range kept in the URL; the entity browser when the signed-in
// role may touch entities: a list per entity, one row's form, create, edit
// and delete (GET /api/browse says what, and where).
// Talks to the API with the session cookie; state-changing requests send
// the csrf_token cookie back in the X-CSRF-Token header.
"use strict";

(function () {
  const COLORS = ["#2f6fde", "#e8710a", "#188038", "#a142f4", "#d93025", "#007b83"];
  const SVG_NS = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);

  function csrfToken() {
    const m = document.cookie.split("; ").find((c) => c.startsWith("csrf_token="));
    return m ? decodeURIComponent(m.slice("csrf_token=".length)) : "";
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["X-CSRF-Token"] = csrfToken();
    }
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    const res = await fetch(path, {
      method: method,
      headers: headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    return { ok: res.ok, status: res.status, data: data };
  }

  function show(signedIn, email) {
    $("login-view").hidden = signedIn;
    if ($("dashboard-view")) $("dashboard-view").hidden = !signedIn;
    if (!signedIn) $("browser-view").hidden = true;
    $("session-info").hidden = !signedIn;
    $("user-email").textContent = signedIn ? email : "";
  }

  // Values as the metric's unit says (archgen:unit): money, durations,
  // percentages, counts.
  function formatValue(v, unit) {
    if (v === null || v === undefined) return "–";
    const kind = unit ? unit.kind : null;
    if (kind === "currency") {
      const amount = unit.minor ? Number(v) / 100 : Number(v);
      try {
        return new Intl.NumberFormat("en-US", { style: "currency", currency: unit.currency }).format(amount);
      } catch (e) {
        return amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + " " + unit.currency;
      }
    }
    if (kind === "duration") return formatDuration(unit.base === "ms" ? Number(v) / 1000 : Number(v));
    if (kind === "percent") return Number(v).toLocaleString("en-US", { maximumFractionDigits: 1 }) + " %";
    if (Number.isInteger(v)) return v.toLocaleString("en-US");
    return Number(v).toLocaleString("en-US", { maximumFractionDigits: 2 });
  }

  function formatDuration(seconds) {
    if (seconds < 1) return Math.round(seconds * 1000) + " ms";
    if (seconds < 60) return (Math.round(seconds * 10) / 10).toLocaleString("en-US") + " s";
    const s = Math.round(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = s % 60;
    if (h > 0) return h + " h " + m + " min";
    return m + " min " + rest + " s";
  }

  // ---- the date range, kept in the URL (?range=30 or ?from=…&to=…) ----

  function isoDay(d) {
    return d.toISOString().slice(0, 10);
  }

  function dayMs(text) {
    return Date.parse(text + "T00:00:00Z");
  }

  function currentRange() {
    const q = new URLSearchParams(window.location.search);
    const from = q.get("from");
    const to = q.get("to");
    if (from && to && /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to) {
      return { from: from, to: to, days: null };
    }
    const days = [7, 30, 90].includes(Number(q.get("range"))) ? Number(q.get("range")) : 90;
    const end = new Date();
    const start = new Date(end.getTime() - (days - 1) * 86400000);
    return { from: isoDay(start), to: isoDay(end), days: days };
  }

  function setRange(query) {
    const url = window.location.pathname + (query ? "?" + query : "");
    window.history.replaceState(null, "", url);
  }

  function showRange(range) {
    document.querySelectorAll(".range-preset").forEach((b) => {
      b.setAttribute("aria-pressed", String(Number(b.dataset.days) === range.days));
    });
    $("range-from").value = range.from;
    $("range-to").value = range.to;
  }

  function dimsLabel(dims) {
    const parts = Object.keys(dims || {}).map((k) => k + "=" + (dims[k] === null ? "∅" : String(dims[k])));
    return parts.join(", ");
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function el(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function svgEl(tag, attrs) {
    const n = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs).forEach((k) => n.setAttribute(k, String(attrs[k])));
    return n;
  }

  // The first day of the period after the one starting on `day`.
  function nextPeriod(day, grain) {
    const d = new Date(dayMs(day));
    if (grain === "month") return isoDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)));
    return isoDay(new Date(d.getTime() + (grain === "week" ? 7 : 1) * 86400000));
  }

  // A line per dimension values, on a time axis spaced by date (a gap in
  // the data is a gap on the axis), a legend when there is more than one.
  function drawChart(container, series, range, unit, title) {
    const w = 360, h = 190, left = 56, right = 12, top = 14, bottom = 28;
    const svg = svgEl("svg", { viewBox: "0 0 " + w + " " + h, role: "img", "aria-label": title });
    const t0 = dayMs(range.from);
    const t1 = Math.max(dayMs(range.to), t0 + 86400000);
    const x = (day) => left + ((dayMs(day) - t0) / (t1 - t0)) * (w - left - right);
    const groups = new Map();
    series.points.forEach((p) => {
      const k = dimsLabel(p.dimensions);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(p);
    });
    const values = series.points.map((p) => (p.value === null ? 0 : Number(p.value)));
    const max = Math.max(1, ...values);
    const y = (v) => h - bottom - (v / max) * (h - top - bottom);
    svg.appendChild(svgEl("line", { class: "axis", x1: left, y1: h - bottom, x2: w - right, y2: h - bottom }));
    svg.appendChild(svgEl("line", { class: "axis", x1: left, y1: top, x2: left, y2: h - bottom }));
    const maxLabel = svgEl("text", { class: "label", x: left - 4, y: top + 4, "text-anchor": "end" });
    maxLabel.textContent = formatValue(max, unit);
    svg.appendChild(maxLabel);
    const zero = svgEl("text", { class: "label", x: left - 4, y: h - bottom, "text-anchor": "end" });
    zero.textContent = "0";
    svg.appendChild(zero);
    [range.from, isoDay(new Date((t0 + t1) / 2)), range.to].forEach((day, i) => {
      const tick = svgEl("text", {
        class: "label axis-date",
        x: x(day),
        y: h - 8,
        "text-anchor": ["start", "middle", "end"][i],
      });
      tick.textContent = day;
      svg.appendChild(tick);
    });
    const legend = el("ul", "legend");
    let n = 0;
    groups.forEach((points, label) => {
      const color = COLORS[n % COLORS.length];
      points.sort((a, b) => (a.period_start < b.period_start ? -1 : 1));
      // A line joins consecutive periods only: a period with no data breaks it.
      let run = [];
      const flush = () => {
        if (run.length > 1) svg.appendChild(svgEl("polyline", { class: "line", points: run.join(" "), stroke: color }));
        run = [];
      };
      points.forEach((p, i) => {
        if (i > 0 && nextPeriod(points[i - 1].period_start, series.grain) !== p.period_start) flush();
        run.push(x(p.period_start) + "," + y(p.value === null ? 0 : Number(p.value)));
      });
      flush();
      points.forEach((p) => {
        const dot = svgEl("circle", {
          class: "point",
          cx: x(p.period_start),
          cy: y(p.value === null ? 0 : Number(p.value)),
          r: 2.5,
          fill: color,
          "data-day": p.period_start,
        });
        const tip = svgEl("title", {});
        tip.textContent = (label ? label + ", " : "") + p.period_start + ": " + formatValue(p.value, unit);
        dot.appendChild(tip);
        svg.appendChild(dot);
      });
      const item = el("li");
      const swatch = el("span", "swatch");
      swatch.style.background = color;
      item.appendChild(swatch);
      item.appendChild(el("span", null, label || title));
      legend.appendChild(item);
      n += 1;
    });
    container.appendChild(svg);
    if (groups.size > 1) container.appendChild(legend);
  }

  // The change against the previous period: in percent of the previous
  // value, or in points for a metric that is itself a percentage.
  function changeText(m, unit) {
    if (m.previous === null || m.previous === undefined || m.value === null) return null;
    const now = Number(m.value);
    const before = Number(m.previous);
    const sign = (d) => (d > 0 ? "▲ +" : d < 0 ? "▼ −" : "■ ");
    if (unit && unit.kind === "percent") {
      const d = now - before;
      return sign(d) + Math.abs(d).toLocaleString("en-US", { maximumFractionDigits: 1 }) + " pt";
    }
    if (before === 0) return null;
    const d = ((now - before) / Math.abs(before)) * 100;
    return sign(d) + Math.abs(d).toLocaleString("en-US", { maximumFractionDigits: 1 }) + " %";
  }

  function percent(share) {
    return share === null || share === undefined ? "–" : (share * 100).toLocaleString("en-US", { maximumFractionDigits: 1 }) + " %";
  }

  // Bars per step (actors who entered in the range, summed over its
  // periods), each with its conversion from the step before.
  function drawFunnel(container, series, title) {
    const totals = new Map();
    const labels = new Map();
    (series.funnel || []).forEach((period) => {
      period.steps.forEach((s) => {
        totals.set(s.step, (totals.get(s.step) || 0) + s.actors);
        labels.set(s.step, s.label);
      });
    });
    const steps = Array.from(totals.keys()).sort((a, b) => a - b);
    const first = totals.get(steps[0]) || 0;
    const list = el("ol", "funnel");
    list.setAttribute("aria-label", title);
    steps.forEach((step, i) => {
      const n = totals.get(step);
      const before = i === 0 ? n : totals.get(steps[i - 1]);
      const item = el("li", "funnel-step");
      item.dataset.step = String(step);
      const bar = el("div", "funnel-bar");
      bar.style.width = (first ? Math.max(2, (n / first) * 100) : 2) + "%";
      item.appendChild(el("div", "funnel-label", labels.get(step)));
      item.appendChild(bar);
      const conv = i === 0 ? "" : " · " + percent(before ? n / before : null) + " of step " + steps[i - 1];
      item.appendChild(el("div", "funnel-count", n.toLocaleString("en-US") + (n === 1 ? " actor" : " actors") + conv));
      list.appendChild(item);
    });
    container.appendChild(list);
  }

  // One row per cohort, one column per period after its start: the share
  // of the cohort still active, shaded by its size.
  function drawCohorts(container, series, title) {
    const rows = series.cohorts || [];
    const width = rows.reduce((w, r) => Math.max(w, r.retained.length), 0);
    const table = el("table", "cohorts");
    table.appendChild(el("caption", null, title + ": share of each cohort active N " + series.grain + "s after it started"));
    const head = el("tr");
    head.appendChild(el("th", null, "cohort"));
    head.appendChild(el("th", null, "size"));
    for (let k = 0; k < width; k += 1) head.appendChild(el("th", null, String(k)));
    head.querySelectorAll("th").forEach((th) => th.setAttribute("scope", "col"));
    const thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    const body = el("tbody");
    rows.forEach((r) => {
      const tr = el("tr");
      const dims = dimsLabel(r.dimensions);
      const th = el("th", null, r.cohort_start + (dims ? " (" + dims + ")" : ""));
      th.setAttribute("scope", "row");
      tr.appendChild(th);
      tr.appendChild(el("td", "cohort-size", r.size.toLocaleString("en-US")));
      for (let k = 0; k < width; k += 1) {
        const share = r.shares[k];
        const td = el("td", "cohort-cell", share === null || share === undefined ? "" : percent(share));
        if (share !== null && share !== undefined) {
          // Lighter to darker blue, light enough for the dark text at 100 %.
          td.style.background = "rgba(47, 111, 222, " + (0.06 + 0.5 * share).toFixed(2) + ")";
        }
        tr.appendChild(td);
      }
      body.appendChild(tr);
    });
    table.appendChild(body);
    container.appendChild(table);
  }

  async function loadDashboard() {
    const latest = await api("GET", "/api/dashboard/metrics");
    const catalog = {};
    if (latest.ok) {
      latest.data.catalog.forEach((m) => {
        catalog[m.key] = m;
      });
    }
    const cards = $("kpi-cards");
    clear(cards);
    // Cohorts and funnels have their own views, not a card per cell.
    const items = (latest.ok ? latest.data.metrics : []).filter(
      (m) => !["cohort", "funnel"].includes((catalog[m.metric] || {}).kind)
    );
    $("kpi-empty").hidden = items.length > 0;
    items.forEach((m) => {
      const spec = catalog[m.metric] || {};
      const card = el("div", "kpi-card");
      card.dataset.metric = m.metric;
      const label = spec.name || m.metric;
      const dims = dimsLabel(m.dimensions);
      card.appendChild(el("div", "kpi-label", dims ? label + " (" + dims + ")" : label));
      card.appendChild(el("div", "kpi-value", formatValue(m.value, spec.unit)));
      card.appendChild(el("div", "kpi-period", m.grain + " from " + m.period_start));
      const change = changeText(m, spec.unit);
      if (change) {
        const c = el("div", "kpi-change", change + " vs " + m.previous_period_start);
        // Up is good news, except for churn.
        const up = Number(m.value) >= Number(m.previous);
        c.dataset.news = up !== (spec.measure === "churn") ? "good" : "bad";
        card.appendChild(c);
      }
      if (spec.as_of) {
        card.appendChild(el("div", "kpi-asof", "data as of " + spec.as_of.slice(0, 16).replace("T", " ") + " UTC"));
      }
      cards.appendChild(card);
    });
    lastCatalog = catalog;
    await loadCharts(catalog);
  }

  async function loadCharts(catalog) {
    const range = currentRange();
    showRange(range);
    const charts = $("charts");
    clear(charts);
    for (const key of Object.keys(catalog)) {
      const q = "?from=" + encodeURIComponent(range.from) + "&to=" + encodeURIComponent(range.to);
      const res = await api("GET", "/api/dashboard/metrics/" + encodeURIComponent(key) + q);
      if (!res.ok || res.data.points.length === 0) continue;
      const box = el("div", "chart");
      box.dataset.metric = key;
      box.dataset.kind = res.data.kind;
      const name = catalog[key].name || key;
      box.appendChild(el("h3", null, name));
      if (res.data.kind === "funnel") drawFunnel(box, res.data, name);
      else if (res.data.kind === "cohort") drawCohorts(box, res.data, name);
      else drawChart(box, res.data, range, catalog[key].unit, name);
      charts.appendChild(box);
    }
  }

  let lastCatalog = {};

  async function start() {
    const me = await api("GET", "/api/auth/me");
    if (me.ok) {
      show(true, me.data.user.email);
      await loadViews();
    } else {
      show(false, "");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("login-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const err = $("login-error");
      err.hidden = true;
      const res = await api("POST", "/api/auth/login", {
        email: $("login-email").value,
        password: $("login-password").value,
      });
      if (!res.ok) {
        err.textContent = res.status === 429 ? "Too many attempts; try again later." : "Wrong e-mail or password.";
        err.hidden = false;
        return;
      }
      $("login-password").value = "";
      show(true, res.data.user.email);
      await loadViews();
    });
    wireBrowser();
    $("logout-button").addEventListener("click", async () => {
      await api("POST", "/api/auth/logout");
      if ($("dashboard-view")) {
        clear($("kpi-cards"));
        clear($("charts"));
      }
      clear($("entity-nav"));
      clear($("entity-rows"));
      show(false, "");
    });
    if ($("dashboard-view")) wireDashboard();
    start();
  });

  async function loadViews() {
    if ($("dashboard-view")) await loadDashboard();
    await loadBrowser();
  }

  function wireDashboard() {
    document.querySelectorAll(".range-preset").forEach((b) => {
      b.addEventListener("click", async () => {
        setRange("range=" + b.dataset.days);
        await loadCharts(lastCatalog);
      });
    });
    $("range-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const from = $("range-from").value;
      const to = $("range-to").value;
      if (!from || !to || from > to) return;
      setRange("from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to));
      await loadCharts(lastCatalog);
    });
  }

  // ---- the entity browser ----

  const browser = { entities: [], current: null, cursor: null, row: null };
  const COLUMNS = 6;

  async function loadBrowser() {
    const res = await api("GET", "/api/browse");
    browser.entities = res.ok ? res.data.entities : [];
    $("browser-view").hidden = browser.entities.length === 0;
    const nav = $("entity-nav");
    clear(nav);
    browser.entities.forEach((e) => {
      const b = el("button", "entity-tab", e.name);
      b.type = "button";
      b.dataset.entity = e.key;
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => openEntity(e.key));
      nav.appendChild(b);
    });
    if (browser.entities.length > 0) await openEntity(browser.entities[0].key);
  }

  function spec(key) {
    return browser.entities.find((e) => e.key === key) || null;
  }

  async function openEntity(key) {
    const e = spec(key);
    browser.current = e;
    document.querySelectorAll(".entity-tab").forEach((b) => {
      b.setAttribute("aria-pressed", String(b.dataset.entity === key));
    });
    $("entity-title").textContent = e.name;
    $("entity-new").hidden = !e.writable;
    closeForm();
    await loadRows(true);
  }

  function cellText(v) {
    if (v === null || v === undefined) return "–";
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  async function loadRows(first) {
    const e = browser.current;
    const table = $("entity-rows");
    if (first) {
      browser.cursor = null;
      clear(table);
      const head = el("thead");
      const tr = el("tr");
      e.fields.slice(0, COLUMNS).forEach((f) => {
        const th = el("th", null, f.key);
        th.scope = "col";
        tr.appendChild(th);
      });
      const act = el("th", null, "Row");
      act.scope = "col";
      tr.appendChild(act);
      head.appendChild(tr);
      table.appendChild(head);
      table.appendChild(el("tbody"));
    }
    const q = "?limit=25" + (browser.cursor ? "&cursor=" + encodeURIComponent(browser.cursor) : "");
    const res = await api("GET", e.path + q);
    if (!res.ok) {
      $("entity-status").textContent = "Could not load " + e.name + " (HTTP " + res.status + ").";
      return;
    }
    const body = table.querySelector("tbody");
    res.data.items.forEach((row) => {
      const tr = el("tr");
      tr.dataset.id = String(row[e.primary_key]);
      e.fields.slice(0, COLUMNS).forEach((f) => tr.appendChild(el("td", null, cellText(row[f.key]))));
      const td = el("td");
      const open = el("button", "secondary", e.writable ? "Edit" : "View");
      open.type = "button";
      open.setAttribute("aria-label", (e.writable ? "Edit " : "View ") + cellText(row[e.label]));
      open.addEventListener("click", () => openRow(String(row[e.primary_key])));
      td.appendChild(open);
      tr.appendChild(td);
      body.appendChild(tr);
    });
    browser.cursor = res.data.next;
    $("entity-more").hidden = !browser.cursor;
    $("entity-status").textContent = body.children.length === 0 ? "No rows yet." : "";
  }

  async function openRow(id) {
    const e = browser.current;
    const res = await api("GET", e.path + "/" + encodeURIComponent(id));
    if (res.ok) await showForm(res.data);
  }

  function closeForm() {
    browser.row = null;
    $("entity-form").hidden = true;
    clear($("entity-fields"));
  }

  // A field's input: its kind decides the control; a reference to an
  // entity the role may read is a choice among its rows.
  async function input(f, value, editable) {
    let node;
    const target = f.reference ? spec(f.reference) : null;
    if (target) {
      node = el("select");
      const none = el("option", null, f.required ? "Choose…" : "(none)");
      none.value = "";
      node.appendChild(none);
      const res = await api("GET", target.path + "?limit=100");
      (res.ok ? res.data.items : []).forEach((r) => {
        const id = String(r[target.primary_key]);
        const label = String(r[target.label]);
        const o = el("option", null, label === id ? id : label + " (" + id.slice(0, 8) + ")");
        o.value = id;
        node.appendChild(o);
      });
    } else if (f.kind === "boolean") {
      node = el("input");
      node.type = "checkbox";
    } else if (f.kind === "text") {
      node = el("textarea");
    } else {
      node = el("input");
      node.type = { integer: "number", bigint: "number", numeric: "text", date: "date", timestamp: "datetime-local" }[f.kind] || "text";
      if (f.kind === "integer" || f.kind === "bigint") node.step = "1";
      if (f.kind === "timestamp") node.step = "1";
      if (f.length) node.maxLength = f.length;
    }
    if (f.kind === "boolean") node.checked = value === true;
    else if (value !== null && value !== undefined) {
      if (f.kind === "timestamp") node.value = String(value).slice(0, 19);
      else if (typeof value === "object") node.value = JSON.stringify(value);
      else node.value = String(value);
    }
    if (node.tagName === "SELECT" && value && !Array.from(node.options).some((o) => o.value === String(value))) {
      const o = el("option", null, String(value));
      o.value = String(value);
      node.appendChild(o);
      node.value = String(value);
    }
    node.disabled = !editable;
    if (f.required) node.required = true;
    return node;
  }

  async function showForm(row) {
    const e = browser.current;
    browser.row = row;
    const box = $("entity-fields");
    clear(box);
    $("entity-error").hidden = true;
    $("entity-form-title").textContent = row ? e.name + " " + cellText(row[e.label]) : "New " + e.name;
    for (const f of e.fields) {
      const may = row ? f.edit : f.create;
      if (!row && !may) continue;
      const id = "field-" + f.key;
      const wrap = el("div", "field");
      const label = el("label", null, f.key + (f.kind === "timestamp" ? " (UTC)" : "") + (f.required && may ? " *" : ""));
      label.htmlFor = id;
      const node = await input(f, row ? row[f.key] : null, e.writable && may);
      node.id = id;
      node.name = f.key;
      wrap.appendChild(label);
      wrap.appendChild(node);
      box.appendChild(wrap);
    }
    $("entity-save").hidden = !e.writable;
    $("entity-delete").hidden = !(e.writable && row);
    $("entity-form").hidden = false;
    const first = box.querySelector("input:not([disabled]), select:not([disabled]), textarea:not([disabled])");
    if (first) first.focus();
  }

  function formValues() {
    const e = browser.current;
    const out = {};
    for (const f of e.fields) {
      const node = $("field-" + f.key);
      if (!node || node.disabled) continue;
      if (f.kind === "boolean") {
        out[f.key] = node.checked;
        continue;
      }
      const text = node.value;
      if (text === "") {
        if (browser.row && f.nullable) out[f.key] = null;
        continue;
      }
      if (f.kind === "integer" || f.kind === "bigint") out[f.key] = Number(text);
      else if (f.kind === "timestamp") out[f.key] = (text.length === 16 ? text + ":00" : text) + "Z";
      else out[f.key] = text;
    }
    return out;
  }

  function showErrors(res) {
    const box = $("entity-error");
    const detail = res.data ? res.data.detail : null;
    let text;
    if (Array.isArray(detail)) {
      text = detail.map((d) => (d.field ? d.field + ": " : "") + (d.error || d.msg || "")).join("; ");
    } else {
      text = typeof detail === "string" ? detail : "The server answered " + res.status + ".";
    }
    box.textContent = text;
    box.hidden = false;
  }

  function wireBrowser() {
    $("entity-new").addEventListener("click", () => showForm(null));
    $("entity-more").addEventListener("click", () => loadRows(false));
    $("entity-cancel").addEventListener("click", closeForm);
    $("entity-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const e = browser.current;
      const res = browser.row
        ? await api("PATCH", e.path + "/" + encodeURIComponent(String(browser.row[e.primary_key])), formValues())
        : await api("POST", e.path, formValues());
      if (!res.ok) {
        showErrors(res);
        return;
      }
      closeForm();
      await loadRows(true);
      $("entity-status").textContent = "Saved.";
    });
    $("entity-delete").addEventListener("click", async () => {
      const e = browser.current;
      if (!browser.row || !window.confirm("Delete this " + e.name + " row?")) return;
      const res = await api("DELETE", e.path + "/" + encodeURIComponent(String(browser.row[e.primary_key])));
      if (!res.ok) {
        showErrors(res);
        return;
      }
      closeForm();
      await loadRows(true);
      $("entity-status").textContent = "Deleted.";
    });
  }
})();
