// The what-if page of `garita serve`. Plain JavaScript, no build step, nothing from elsewhere.
// Every change re-simulates on the server (POST /api/whatif), which answers with the edited
// scenario, the key figures and the charts already drawn (SVG) by the report's chart code.
"use strict";

const st = {
  strings: null,
  lang: "en",
  list: [],
  sc: null, // the served scenario being edited
  base: null, // its state as loaded
  booths: [], // per lane, 24 numbers
  scale: null, // text typed or slid, null when untouched
  shares: [], // [[class id, share]] in the order touched
  settings: new Map(), // key -> text
  reps: null,
  seed: null,
  client: Math.random().toString(36).slice(2) + Date.now().toString(36),
  seq: 0,
  ctrl: null,
  timer: null,
  last: null,
};

const $ = (id) => document.getElementById(id);

function t(name, args) {
  let s = (st.strings && st.strings[st.lang][name]) || name;
  for (const [k, v] of Object.entries(args || {})) s = s.split("{" + k + "}").join(String(v));
  return s;
}

// Numbers as the report prints them: decimal comma in Spanish, grouping from five digits.
function fmt(x, decimals) {
  if (!Number.isFinite(x)) return "–";
  const s = Math.abs(x).toFixed(decimals);
  let [int, frac] = s.split(".");
  if (int.length > 4) {
    const sep = st.lang === "es" ? "\u00a0" : ",";
    int = int.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  }
  const neg = x < 0 && /[1-9]/.test(s) ? "−" : "";
  return neg + int + (frac ? (st.lang === "es" ? "," : ".") + frac : "");
}

// A number typed in either language; null when it is not one.
function parseNum(text) {
  const s = String(text).trim().replace(/[\s\u00a0]/g, "").replace("−", "-").replace(",", ".");
  return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : null;
}

function name(obj) {
  return st.lang === "es" ? obj.name_es : obj.name_en;
}

function hourText(h) {
  return String(h).padStart(2, "0") + ":00";
}

function applyStrings() {
  document.documentElement.lang = st.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("lang-en").setAttribute("aria-pressed", String(st.lang === "en"));
  $("lang-es").setAttribute("aria-pressed", String(st.lang === "es"));
  if (st.sc) $("description").textContent = st.lang === "es" ? st.sc.description_es : st.sc.description_en;
}

// ---- booth schedules -------------------------------------------------------------------

function barLabel(li, h) {
  const lane = st.base.lanes[li];
  return t("UiBoothBar", { lane: name(lane), hour: hourText(h), n: st.booths[li][h], max: lane.max_booths });
}

function drawBar(li, h) {
  const lane = st.base.lanes[li];
  const bar = document.querySelector(`.bars[data-lane="${li}"] .bar[data-hour="${h}"]`);
  const n = st.booths[li][h];
  const max = Math.max(1, lane.max_booths);
  bar.querySelector(".fill").style.height = (100 * n) / max + "%";
  const label = bar.querySelector(".n");
  label.textContent = n;
  label.style.bottom = `calc(${(100 * n) / max}% + 1px)`;
  bar.setAttribute("aria-valuenow", n);
  bar.setAttribute("aria-valuetext", barLabel(li, h));
  bar.setAttribute("aria-label", barLabel(li, h));
  bar.classList.toggle("changed", n !== lane.booths[h]);
}

function setBooths(li, h, n) {
  const max = st.base.lanes[li].max_booths;
  n = Math.max(0, Math.min(max, Math.round(n)));
  if (st.booths[li][h] === n) return false;
  st.booths[li][h] = n;
  drawBar(li, h);
  return true;
}

function renderLanes() {
  const box = $("lanes");
  box.textContent = "";
  st.base.lanes.forEach((lane, li) => {
    const wrap = document.createElement("div");
    wrap.className = "lane";
    const h3 = document.createElement("h3");
    h3.textContent = name(lane);
    h3.id = "lane-" + li;
    const bars = document.createElement("div");
    bars.className = "bars";
    bars.dataset.lane = li;
    bars.setAttribute("role", "group");
    bars.setAttribute("aria-labelledby", h3.id);
    for (let h = 0; h < 24; h++) {
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.dataset.hour = h;
      bar.tabIndex = 0;
      bar.setAttribute("role", "slider");
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", String(lane.max_booths));
      bar.setAttribute("aria-orientation", "vertical");
      bar.innerHTML = '<div class="fill"></div><span class="n"></span>';
      bar.addEventListener("keydown", (e) => onBarKey(e, li, h));
      bars.appendChild(bar);
    }
    bars.addEventListener("pointerdown", (e) => onDrag(e, li, bars, true));
    bars.addEventListener("pointermove", (e) => onDrag(e, li, bars, false));
    bars.addEventListener("pointerup", (e) => endDrag(e, bars));
    bars.addEventListener("pointercancel", (e) => endDrag(e, bars));
    const hours = document.createElement("div");
    hours.className = "hours";
    hours.setAttribute("aria-hidden", "true");
    for (let h = 0; h < 24; h++) {
      const s = document.createElement("span");
      s.textContent = h % 3 === 0 ? String(h).padStart(2, "0") : "";
      hours.appendChild(s);
    }
    wrap.append(h3, bars, hours);
    box.appendChild(wrap);
    for (let h = 0; h < 24; h++) drawBar(li, h);
  });
}

let dragging = null;

function onDrag(e, li, bars, start) {
  if (start) {
    dragging = { li, changed: false };
    bars.setPointerCapture(e.pointerId);
    e.preventDefault();
  }
  if (!dragging || dragging.li !== li) return;
  const r = bars.getBoundingClientRect();
  const h = Math.max(0, Math.min(23, Math.floor(((e.clientX - r.left) / r.width) * 24)));
  const max = st.base.lanes[li].max_booths;
  const n = Math.round(((r.bottom - e.clientY) / r.height) * max);
  if (setBooths(li, h, n)) dragging.changed = true;
  if (start) bars.querySelector(`.bar[data-hour="${h}"]`).focus({ preventScroll: true });
}

function endDrag(e, bars) {
  if (!dragging) return;
  if (bars.hasPointerCapture(e.pointerId)) bars.releasePointerCapture(e.pointerId);
  const changed = dragging.changed;
  dragging = null;
  if (changed) schedule(0);
}

function onBarKey(e, li, h) {
  const max = st.base.lanes[li].max_booths;
  const n = st.booths[li][h];
  let next = null;
  switch (e.key) {
    case "ArrowUp": next = n + 1; break;
    case "ArrowDown": next = n - 1; break;
    case "PageUp": next = n + 5; break;
    case "PageDown": next = n - 5; break;
    case "Home": next = 0; break;
    case "End": next = max; break;
    case "ArrowLeft":
    case "ArrowRight": {
      const to = (h + (e.key === "ArrowRight" ? 1 : 23)) % 24;
      document.querySelector(`.bars[data-lane="${li}"] .bar[data-hour="${to}"]`).focus();
      e.preventDefault();
      return;
    }
    default: return;
  }
  e.preventDefault();
  if (setBooths(li, h, next)) schedule(350);
}

// ---- demand, classes, other settings ----------------------------------------------------

function renderDemand() {
  const value = st.scale === null ? st.base.demand_scale : parseNum(st.scale);
  if (value !== null) $("scale").value = String(value);
  $("scale-text").value = st.scale === null ? fmt(st.base.demand_scale, 2) : st.scale;
}

function renderClasses(shares) {
  const box = $("classes");
  box.textContent = "";
  st.base.classes.forEach((c, i) => {
    const row = document.createElement("div");
    row.className = "share";
    const id = "share-" + i;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = name(c);
    const input = document.createElement("input");
    input.type = "range";
    input.id = id;
    input.min = "0";
    input.max = "1";
    input.step = "0.01";
    input.value = String(shares[i]);
    const out = document.createElement("output");
    out.htmlFor = id;
    out.textContent = fmt(100 * shares[i], 1) + (st.lang === "es" ? "\u00a0%" : "%");
    input.addEventListener("input", () => {
      const v = Number(input.value);
      out.textContent = fmt(100 * v, 1) + (st.lang === "es" ? "\u00a0%" : "%");
      st.shares = st.shares.filter(([k]) => k !== c.id);
      st.shares.push([c.id, v]);
      // At least one class keeps a free share, to take up the rest.
      while (st.shares.length >= st.base.classes.length) st.shares.shift();
    });
    input.addEventListener("change", () => schedule(0));
    row.append(label, input, out);
    box.appendChild(row);
  });
}

function renderSettings() {
  const list = st.base.settings || [];
  $("settings-box").hidden = list.length === 0;
  const box = $("settings");
  box.textContent = "";
  list.forEach((s, i) => {
    const row = document.createElement("div");
    row.className = "setting";
    const label = document.createElement("label");
    label.htmlFor = "setting-" + i;
    const code = document.createElement("code");
    code.textContent = s.key;
    label.appendChild(code);
    const input = document.createElement("input");
    input.id = "setting-" + i;
    input.dataset.key = s.key;
    const typed = st.settings.get(s.key);
    if (s.kind === "bool") {
      input.type = "checkbox";
      input.checked = typed !== undefined ? typed : s.value;
      input.addEventListener("change", () => {
        st.settings.set(s.key, input.checked);
        schedule(0);
      });
    } else {
      input.type = "text";
      input.value = typed !== undefined ? typed : s.kind === "number" ? fmtPlain(s.value) : s.value;
      input.addEventListener("change", () => {
        st.settings.set(s.key, input.value);
        schedule(0);
      });
    }
    row.append(label, input);
    box.appendChild(row);
  });
}

// A number with as many decimals as it has, in the page's language.
function fmtPlain(x) {
  const s = String(x);
  return st.lang === "es" ? s.replace(".", ",") : s;
}

function renderControls() {
  applyStrings();
  renderLanes();
  renderDemand();
  const shares = st.last && st.last.state ? st.last.state.classes.map((c) => c.share) : st.base.classes.map((c) => c.share);
  renderClasses(shares);
  renderSettings();
  $("reps").value = st.reps !== null ? st.reps : String(st.base.replications);
  $("seed").value = st.seed !== null ? st.seed : String(st.base.seed);
}

// ---- talking to the server --------------------------------------------------------------

function typedValue(text, kind) {
  if (kind === "bool") return Boolean(text);
  if (kind === "duration") return String(text).trim();
  const n = parseNum(text);
  return n === null ? String(text) : n;
}

function edits() {
  const sets = [];
  st.base.lanes.forEach((lane, li) => {
    if (st.booths[li].some((n, h) => n !== lane.booths[h])) sets.push([`lanes.${lane.id}.booths`, st.booths[li]]);
  });
  if (st.scale !== null) sets.push(["demand.scale", typedValue(st.scale, "number")]);
  for (const [id, v] of st.shares) sets.push([`classes.${id}.share`, v]);
  for (const s of st.base.settings || []) {
    if (st.settings.has(s.key)) sets.push([s.key, typedValue(st.settings.get(s.key), s.kind)]);
  }
  if (st.reps !== null) sets.push(["replications", typedValue(st.reps, "number")]);
  if (st.seed !== null) sets.push(["seed", typedValue(st.seed, "number")]);
  return { scenario: st.sc.name, sets };
}

function schedule(delay) {
  clearTimeout(st.timer);
  st.timer = setTimeout(run, delay);
}

function showErrors(lines) {
  const list = $("error-list");
  list.textContent = "";
  for (const line of lines) {
    const li = document.createElement("li");
    li.textContent = line;
    list.appendChild(li);
  }
  $("errors").hidden = lines.length === 0;
}

async function run() {
  const seq = ++st.seq;
  if (st.ctrl) st.ctrl.abort();
  const ctrl = new AbortController();
  st.ctrl = ctrl;
  $("results").dataset.state = "busy";
  $("status").textContent = t("UiSimulating");
  const q = `lang=${st.lang}&client=${encodeURIComponent(st.client)}&seq=${seq}`;
  let res, body;
  try {
    res = await fetch("/api/whatif?" + q, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(edits()),
      signal: ctrl.signal,
    });
    body = await res.json();
  } catch (e) {
    if (seq !== st.seq) return;
    showErrors([String(e)]);
    $("results").dataset.state = "error";
    return;
  }
  if (seq !== st.seq || res.status === 409) return;
  if (!res.ok) {
    const lines = body.problems && body.problems.length ? body.problems.map((p) => p.text) : [body.error];
    showErrors(lines);
    $("status").textContent = "";
    $("results").dataset.state = "error";
    return;
  }
  showErrors([]);
  show(body);
  $("results").dataset.state = "ready";
  $("results").dataset.seq = String(seq);
}

function show(r) {
  st.last = r;
  const h = r.headline;
  $("wait-mean").textContent = h.wait_mean.text;
  $("wait-mean").dataset.meanS = h.wait_mean.mean_s;
  $("wait-p95").textContent = h.wait_p95.text;
  $("change").textContent = h.change.text;
  $("change").dataset.meanS = h.change.mean_s;
  $("status").textContent = r.status;
  $("chart-wait").innerHTML = r.charts.wait_by_hour;
  $("chart-staffing").innerHTML = r.charts.staffing;
  $("chart-change").innerHTML = r.charts.comparison;
  $("figures").innerHTML = r.figures_html;
  $("toml").textContent = r.toml;
  // Class shares after rebalancing.
  r.state.classes.forEach((c, i) => {
    const input = $("share-" + i);
    if (input && document.activeElement !== input) {
      input.value = String(c.share);
      input.nextSibling.textContent = fmt(100 * c.share, 1) + (st.lang === "es" ? "\u00a0%" : "%");
    }
  });
}

function download(blob, filename) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

async function saveReport() {
  const res = await fetch(`/api/report?lang=${st.lang}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(edits()),
  });
  if (!res.ok) {
    const body = await res.json();
    showErrors(body.problems && body.problems.length ? body.problems.map((p) => p.text) : [body.error]);
    return;
  }
  download(await res.blob(), `${st.sc.name}-whatif-report.html`);
}

function choose(index) {
  st.sc = st.list[index];
  st.base = st.sc.state;
  st.booths = st.base.lanes.map((l) => l.booths.slice());
  st.scale = null;
  st.shares = [];
  st.settings = new Map();
  st.reps = null;
  st.seed = null;
  st.last = null;
  renderControls();
  schedule(0);
}

async function init() {
  const [strings, list] = await Promise.all([
    fetch("/api/strings").then((r) => r.json()),
    fetch("/api/scenarios").then((r) => r.json()),
  ]);
  st.strings = strings;
  const asked = new URLSearchParams(location.search).get("lang");
  st.lang = asked === "es" || asked === "en" ? asked : list.lang;
  st.list = list.scenarios;
  const sel = $("scenario");
  st.list.forEach((s, i) => {
    const o = document.createElement("option");
    o.value = String(i);
    o.textContent = s.name;
    sel.appendChild(o);
  });
  const wanted = new URLSearchParams(location.search).get("scenario");
  const start = Math.max(0, st.list.findIndex((s) => s.name === wanted));
  sel.value = String(start);
  sel.addEventListener("change", () => choose(Number(sel.value)));
  for (const code of ["en", "es"]) {
    $("lang-" + code).addEventListener("click", () => {
      if (st.lang === code) return;
      st.lang = code;
      renderControls();
      schedule(0);
    });
  }
  $("scale").addEventListener("input", () => {
    st.scale = fmt(Number($("scale").value), 2);
    $("scale-text").value = st.scale;
  });
  $("scale").addEventListener("change", () => schedule(0));
  $("scale-text").addEventListener("change", () => {
    st.scale = $("scale-text").value;
    const n = parseNum(st.scale);
    if (n !== null) $("scale").value = String(n);
    schedule(0);
  });
  for (const id of ["reps", "seed"]) {
    $(id).addEventListener("change", () => {
      st[id] = $(id).value;
      schedule(0);
    });
  }
  $("reset").addEventListener("click", () => choose(Number(sel.value)));
  $("save").addEventListener("click", () => {
    if (st.last) download(new Blob([st.last.toml], { type: "application/toml" }), st.last.file);
  });
  $("report").addEventListener("click", saveReport);
  choose(start);
}

init();
