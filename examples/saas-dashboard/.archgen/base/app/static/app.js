// The dashboard page: sign in, KPI cards, one SVG chart per metric.
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
    $("dashboard-view").hidden = !signedIn;
    $("session-info").hidden = !signedIn;
    $("user-email").textContent = signedIn ? email : "";
  }

  function formatValue(v) {
    if (v === null || v === undefined) return "–";
    if (Number.isInteger(v)) return v.toLocaleString();
    return Number(v).toLocaleString(undefined, { maximumFractionDigits: 2 });
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

  function drawChart(container, series) {
    const w = 360, h = 180, pad = 28;
    const svg = svgEl("svg", { viewBox: "0 0 " + w + " " + h, role: "img" });
    const periods = Array.from(new Set(series.points.map((p) => p.period_start))).sort();
    const groups = new Map();
    series.points.forEach((p) => {
      const k = dimsLabel(p.dimensions);
      if (!groups.has(k)) groups.set(k, new Map());
      groups.get(k).set(p.period_start, p.value === null ? 0 : p.value);
    });
    const values = series.points.map((p) => (p.value === null ? 0 : p.value));
    const max = Math.max(1, ...values);
    const x = (i) => pad + (periods.length <= 1 ? (w - 2 * pad) / 2 : (i * (w - 2 * pad)) / (periods.length - 1));
    const y = (v) => h - pad - (v / max) * (h - 2 * pad);
    svg.appendChild(svgEl("line", { class: "axis", x1: pad, y1: h - pad, x2: w - pad, y2: h - pad }));
    svg.appendChild(svgEl("line", { class: "axis", x1: pad, y1: pad, x2: pad, y2: h - pad }));
    const top = svgEl("text", { class: "label", x: 2, y: pad - 6 });
    top.textContent = formatValue(max);
    svg.appendChild(top);
    if (periods.length) {
      const first = svgEl("text", { class: "label", x: pad, y: h - 8 });
      first.textContent = periods[0];
      svg.appendChild(first);
      const last = svgEl("text", { class: "label", x: w - pad - 60, y: h - 8 });
      last.textContent = periods[periods.length - 1];
      svg.appendChild(last);
    }
    let n = 0;
    groups.forEach((byPeriod) => {
      const pts = periods
        .map((p, i) => (byPeriod.has(p) ? x(i) + "," + y(byPeriod.get(p)) : null))
        .filter((s) => s !== null);
      const color = COLORS[n % COLORS.length];
      if (pts.length === 1) {
        const [cx, cy] = pts[0].split(",");
        svg.appendChild(svgEl("circle", { cx: cx, cy: cy, r: 3, fill: color }));
      } else {
        svg.appendChild(svgEl("polyline", { class: "line", points: pts.join(" "), stroke: color }));
      }
      n += 1;
    });
    container.appendChild(svg);
  }

  async function loadDashboard() {
    const latest = await api("GET", "/api/dashboard/metrics");
    const names = {};
    if (latest.ok) {
      latest.data.catalog.forEach((m) => {
        names[m.key] = m.name;
      });
    }
    const cards = $("kpi-cards");
    clear(cards);
    const items = latest.ok ? latest.data.metrics : [];
    $("kpi-empty").hidden = items.length > 0;
    items.forEach((m) => {
      const card = el("div", "kpi-card");
      card.dataset.metric = m.metric;
      const label = names[m.metric] || m.metric;
      const dims = dimsLabel(m.dimensions);
      card.appendChild(el("div", "kpi-label", dims ? label + " (" + dims + ")" : label));
      card.appendChild(el("div", "kpi-value", formatValue(m.value)));
      card.appendChild(el("div", "kpi-period", m.grain + " from " + m.period_start));
      cards.appendChild(card);
    });
    const charts = $("charts");
    clear(charts);
    const keys = Object.keys(names);
    for (const key of keys) {
      const res = await api("GET", "/api/dashboard/metrics/" + encodeURIComponent(key));
      if (!res.ok || res.data.points.length === 0) continue;
      const box = el("div", "chart");
      box.dataset.metric = key;
      box.appendChild(el("h3", null, names[key]));
      drawChart(box, res.data);
      charts.appendChild(box);
    }
  }

  async function start() {
    const me = await api("GET", "/api/auth/me");
    if (me.ok) {
      show(true, me.data.user.email);
      await loadDashboard();
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
      await loadDashboard();
    });
    $("logout-button").addEventListener("click", async () => {
      await api("POST", "/api/auth/logout");
      clear($("kpi-cards"));
      clear($("charts"));
      show(false, "");
    });
    start();
  });
})();
