// The Canistry dashboard: calls canistry.platform.v1 from the browser with
// Connect's JSON protocol, as the user whose delegation it was given, and
// redraws every panel every two seconds. No build step, no dependencies.
"use strict";

const POLL_MS = 2000;
const STORE_KEY = "canistry-delegation";
const API = "/canistry.platform.v1.";
const MAX_EVENTS = 40;

// ---- the delegation ----

// takeDelegation moves #delegation=… from the address into this tab's
// sessionStorage: the fragment is never sent to a server, and clearing it
// keeps the header out of the history and of copied links.
function takeDelegation() {
  const m = /(?:^#|&)delegation=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(STORE_KEY, m[1]);
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(STORE_KEY);
}

// expiry reads the chain's earliest expiration (hex nanoseconds), for the
// header line; null when it cannot be read (the gateway decides anyway).
function expiry(header) {
  try {
    const b64 = header.replace(/-/g, "+").replace(/_/g, "/");
    const chain = JSON.parse(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)));
    let ns = null;
    for (const d of chain.delegations) {
      const e = BigInt("0x" + d.delegation.expiration);
      if (ns === null || e < ns) ns = e;
    }
    return ns === null ? null : new Date(Number(ns / 1000000n));
  } catch (e) {
    return null;
  }
}

// ---- Connect JSON ----

// ApiError is a Connect error: code is Connect's ("permission_denied"),
// "unimplemented" also for an HTTP 404 (a service this gateway lacks).
class ApiError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

async function call(service, method, body) {
  let res;
  try {
    res = await fetch(API + service + "/" + method, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "Connect-Protocol-Version": "1",
        "Canistry-Delegation": state.delegation,
      },
      body: JSON.stringify(body || {}),
    });
  } catch (e) {
    throw new ApiError("unavailable", "the gateway does not answer: " + e.message);
  }
  if (res.ok) return res.json();
  let code = res.status === 404 ? "unimplemented" : "unknown";
  let message = res.status + " " + res.statusText;
  try {
    const j = await res.json();
    if (j.code) code = j.code;
    if (j.message) message = j.message;
  } catch (e) {
    // not a Connect error body: keep the status
  }
  throw new ApiError(code, message);
}

// ---- helpers ----

const state = { delegation: null, polls: 0, subjects: new Map(), events: new Map() };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, String(v));
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

// num reads a protojson number: uint64 arrive as strings, zeros not at all.
function num(v) {
  return v === undefined || v === null ? 0 : Number(v);
}

function enumName(v, prefix) {
  return v ? String(v).replace(prefix, "").toLowerCase() : "unspecified";
}

function cycles(v) {
  const n = num(v);
  for (const [unit, size] of [["T", 1e12], ["B", 1e9], ["M", 1e6]]) {
    if (n >= size) return (n / size).toFixed(2) + " " + unit;
  }
  return String(n);
}

function duration(seconds) {
  const s = num(seconds);
  if (s === 0) return "unknown";
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d > 0 ? d + "d " + h + "h" : h > 0 ? h + "h " + m + "m" : m + "m";
}

function setFigure(id, n) {
  const e = document.getElementById(id);
  e.dataset.count = String(n);
  e.textContent = String(n);
}

// compareVersions orders MAJOR.MINOR.PATCH[-pre] numerically.
function compareVersions(a, b) {
  const pa = a.split(/[.-]/), pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "", y = pb[i] ?? "";
    const nx = Number(x), ny = Number(y);
    if (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

// panel runs one panel's update: its state attribute says how it went, its
// note why ("operators only", "not available on this gateway").
async function panel(id, update) {
  const p = document.getElementById(id);
  const note = p.querySelector(".note");
  try {
    await update();
    p.dataset.state = "ok";
    note.textContent = "";
  } catch (e) {
    const code = e instanceof ApiError ? e.code : "internal";
    if (code === "unimplemented") {
      p.dataset.state = "unavailable";
      note.textContent = "not available on this gateway";
    } else if (code === "permission_denied") {
      p.dataset.state = "forbidden";
      note.textContent = "operators only";
    } else {
      p.dataset.state = "error";
      note.textContent = code + ": " + e.message;
    }
    if (code === "unauthenticated") signIn(e.message);
  }
}

// ---- panels ----

async function fleet() {
  const stats = (await call("FleetService", "GetFleetStats")).stats || {};
  const groups = stats.canisters || [];
  const body = document.querySelector("#fleet-table tbody");
  body.replaceChildren(...groups.map((g) => {
    const st = enumName(g.state, "CANISTER_STATE_");
    return el("tr", { "data-app": g.app, "data-version": g.version || "", "data-state": st, "data-count": num(g.count) },
      el("td", {}, g.app), el("td", {}, g.version || "—"), el("td", {}, st), el("td", { class: "num" }, num(g.count)));
  }));
  // The chart: the canisters with code (installed or upgrading) per app
  // and version; empty ones have no version to draw.
  const bars = new Map();
  let total = 0;
  for (const g of groups) {
    if (!g.version) continue;
    const key = g.app + "\u0000" + g.version;
    const b = bars.get(key) || { app: g.app, version: g.version, count: 0, upgrading: 0 };
    b.count += num(g.count);
    if (g.state === "CANISTER_STATE_UPGRADING") b.upgrading += num(g.count);
    bars.set(key, b);
    total += num(g.count);
  }
  drawChart([...bars.values()].sort((a, b) => a.app.localeCompare(b.app) || compareVersions(a.version, b.version)));
  const u = stats.upgrades || {}, r = stats.releases || {};
  setFigure("fleet-total", total);
  setFigure("fleet-apps", num(stats.apps));
  setFigure("upgrades-done", num(u.done));
  setFigure("upgrades-rolled-back", num(u.rolledBack));
  setFigure("upgrades-failed", num(u.failed));
  setFigure("upgrades-in-progress", num(u.inProgress));
  setFigure("releases-released", num(r.released));
  setFigure("fleet-low-cycles", num(stats.lowCycles));
}

function drawChart(bars) {
  const chart = document.getElementById("fleet-chart");
  const row = 26, label = 170, width = 640, right = 50;
  const most = Math.max(1, ...bars.map((b) => b.count));
  const scale = (width - label - right) / most;
  chart.setAttribute("preserveAspectRatio", "xMinYMin meet");
  chart.setAttribute("viewBox", "0 0 " + width + " " + Math.max(row, bars.length * row));
  chart.setAttribute("height", String(Math.max(row, bars.length * row)));
  chart.replaceChildren();
  if (bars.length === 0) {
    chart.append(svg("text", { x: 0, y: 18, class: "muted" }, "no canisters yet"));
    return;
  }
  const apps = [...new Set(bars.map((b) => b.app))];
  bars.forEach((b, i) => {
    const y = i * row;
    const g = svg("g", { class: "bar app-" + (apps.indexOf(b.app) % 6), "data-app": b.app, "data-version": b.version, "data-count": b.count });
    g.append(svg("text", { x: 0, y: y + 17, class: "label" }, b.app + " " + b.version));
    g.append(svg("rect", { x: label, y: y + 4, width: Math.max(1, b.count * scale), height: row - 8, class: "fill" }));
    if (b.upgrading > 0) {
      g.append(svg("rect", { x: label, y: y + 4, width: b.upgrading * scale, height: row - 8, class: "upgrading" }));
    }
    g.append(svg("text", { x: label + b.count * scale + 6, y: y + 17, class: "value" }, b.count));
    g.append(svg("title", {}, b.app + " " + b.version + ": " + b.count + " canisters" + (b.upgrading ? ", " + b.upgrading + " upgrading" : "")));
    chart.append(g);
  });
}

async function rollouts() {
  const list = (await call("RolloutService", "ListRollouts", { pageSize: 20 })).rollouts || [];
  const ol = document.getElementById("rollouts");
  if (list.length === 0) {
    ol.replaceChildren(el("li", { class: "muted" }, "no rollouts"));
    return;
  }
  ol.replaceChildren(...list.map((r) => {
    const total = num(r.total), done = num(r.done), back = num(r.rolledBack), failed = num(r.failed);
    const finished = done + back + failed;
    const st = enumName(r.state, "ROLLOUT_STATE_");
    const li = el("li", {
      class: "rollout state-" + st, "data-id": r.id, "data-state": st, "data-total": total, "data-done": done,
      "data-rolled-back": back, "data-failed": failed, "data-finished": finished,
    },
    el("div", { class: "title" }, "#" + r.id + " " + r.app + " → " + r.version + " ", el("span", { class: "badge" }, st)),
    el("progress", { max: Math.max(total, 1), value: finished }),
    el("div", { class: "muted" }, done + " done, " + back + " rolled back, " + failed + " failed of " + total +
      " · pending " + num(r.pending) + ", in progress " + num(r.inProgress) + ", skipped " + num(r.skipped) +
      ", manual " + num(r.manual) + (r.reason ? " · " + r.reason : "")));
    const failures = r.failures || [];
    if (failures.length > 0) {
      li.append(el("ul", { class: "failures" }, ...failures.slice(0, 10).map((f) =>
        el("li", { "data-canister": f.canisterId }, el("code", {}, f.canisterId), " " +
          enumName(f.state, "UPGRADE_STATE_") + ": " + (f.reason || "")))));
      if (failures.length > 10) li.append(el("div", { class: "muted" }, "and " + (failures.length - 10) + " more"));
    }
    return li;
  }));
}

async function lowCycles() {
  const list = (await call("CyclesService", "ListLowCycles", { pageSize: 50 })).canisters || [];
  const body = document.querySelector("#low-cycles tbody");
  if (list.length === 0) {
    body.replaceChildren(el("tr", {}, el("td", { colSpan: 5, class: "muted" }, "none")));
    return;
  }
  body.replaceChildren(...list.map((c) => el("tr", {
    class: "low" + (c.ownerOutOfCredit ? " no-credit" : ""), "data-canister": c.canisterId,
    "data-balance": num(c.balance), "data-runway": num(c.runwaySeconds),
  },
  el("td", {}, el("code", {}, c.canisterId), c.ownerOutOfCredit ? el("span", { class: "badge warn" }, "owner out of credit") : ""),
  el("td", {}, (c.app || "") + " " + (c.version || "")),
  el("td", { class: "num" }, cycles(c.balance)),
  el("td", { class: "num" }, cycles(c.burnPerDay)),
  el("td", { class: "num" }, duration(c.runwaySeconds)))));
}

async function adapters() {
  const s = await call("FleetService", "GetGatewayStatus");
  document.getElementById("registry-id").textContent = s.registry || "none";
  const list = s.adapters || [];
  const body = document.querySelector("#adapters tbody");
  if (list.length === 0) {
    body.replaceChildren(el("tr", {}, el("td", { colSpan: 4, class: "muted" }, "no adapters")));
    return;
  }
  body.replaceChildren(...list.map((a) => el("tr", {
    class: "adapter", "data-name": a.name, "data-healthy": Boolean(a.healthy), "data-restarts": num(a.restarts),
  },
  el("td", {}, a.name, el("span", { class: "muted" }, " " + (a.version || ""))),
  el("td", {}, a.protocol + " " + (a.constraint || "")),
  el("td", {}, el("span", { class: a.healthy ? "badge ok" : "badge warn" }, a.healthy ? "serving" : "down")),
  el("td", { class: "num" }, num(a.restarts)))));
}

function policyText(p) {
  if (!p || !p.kind) return "manual";
  const kind = enumName(p.kind, "UPGRADE_POLICY_KIND_");
  return kind === "channel" ? "channel:" + (p.channel || "") : kind;
}

// credit is the caller's cycles credit and its warnings (an owner out of
// credit is told, never frozen silently); a gateway without CyclesService
// just says so on this line.
async function credit() {
  const line = document.getElementById("my-credit");
  const warnings = document.getElementById("my-credit-warnings");
  try {
    const c = (await call("CyclesService", "GetCredit")).credit || {};
    line.dataset.state = "ok";
    line.dataset.balance = String(num(c.balance));
    line.textContent = "cycles credit " + cycles(c.balance) + " · charged " + cycles(c.charged) +
      ((c.unfunded || []).length ? " · " + c.unfunded.length + " canister(s) unfunded" : "");
    warnings.replaceChildren(...(c.warnings || []).map((w) => el("li", { class: "warning" }, w)));
  } catch (e) {
    line.dataset.state = e.code === "unimplemented" ? "unavailable" : "error";
    line.textContent = e.code === "unimplemented" ? "cycles credit: not available on this gateway" : "cycles credit: " + e.code + ": " + e.message;
    warnings.replaceChildren();
  }
}

async function mine() {
  await credit();
  const list = (await call("InstallService", "ListMyCanisters")).canisters || [];
  state.mine = list;
  const body = document.querySelector("#my-canisters tbody");
  if (list.length === 0) {
    body.replaceChildren(el("tr", {}, el("td", { colSpan: 6, class: "muted" }, "you have no canisters")));
    return;
  }
  body.replaceChildren(...list.map((c) => {
    const policy = policyText(c.upgradePolicy);
    return el("tr", {
      class: "canister", "data-canister-id": c.canisterId, "data-version": c.version || "",
      "data-upgrade-available": c.upgradeAvailable || "", "data-policy": policy,
    },
    el("td", {}, el("code", {}, c.canisterId)), el("td", {}, c.app), el("td", {}, c.version || "—"),
    el("td", {}, enumName(c.state, "CANISTER_STATE_")),
    el("td", {}, c.upgradeAvailable ? el("span", { class: "badge ok" }, c.upgradeAvailable) : "—"),
    el("td", {}, policy));
  }));
}

// events follows the history of each app and of the caller's canisters,
// each subject from where the last poll left it (the registry pages
// oldest first, at most 100 a page).
async function events() {
  const apps = (await call("StoreService", "ListApps")).apps || [];
  const subjects = apps.map((a) => "app:" + a.id).concat((state.mine || []).map((c) => "canister:" + c.canisterId));
  // The subjects side by side; each one's pages in turn.
  await Promise.all(subjects.map(async (subject) => {
    for (let page = 0; page < 10; page++) {
      const after = state.subjects.get(subject) || 0;
      const got = (await call("StoreService", "ListEvents", { subject, afterSeq: String(after), limit: 100 })).events || [];
      for (const e of got) state.events.set(num(e.seq), e);
      if (got.length > 0) state.subjects.set(subject, num(got[got.length - 1].seq));
      if (got.length < 100) break;
    }
  }));
  const newest = [...state.events.keys()].sort((a, b) => b - a);
  for (const seq of newest.slice(MAX_EVENTS)) state.events.delete(seq);
  const ol = document.getElementById("events");
  if (newest.length === 0) {
    ol.replaceChildren(el("li", { class: "muted" }, "no events"));
    return;
  }
  ol.replaceChildren(...newest.slice(0, MAX_EVENTS).map((seq) => {
    const e = state.events.get(seq);
    return el("li", { class: "event", "data-seq": seq, "data-subject": e.subject, "data-action": e.action },
      el("time", {}, e.time ? new Date(e.time).toLocaleString() : ""), " ",
      el("code", {}, e.subject), " ", el("b", {}, e.action), e.detail ? " " + e.detail : "");
  }));
}

// ---- the loop ----

async function who() {
  const r = await call("PublisherService", "ListMyRoles");
  const roles = (r.roles || []).map((x) => enumName(x, "ROLE_"));
  const until = expiry(state.delegation);
  document.getElementById("who").textContent = r.principal + (roles.length ? " · " + roles.join(", ") : " · no role") +
    (until ? " · session until " + until.toLocaleString() : "");
}

async function poll() {
  const status = document.getElementById("status");
  await panel("panel-mine", mine); // events follows the caller's canisters
  if (!state.delegation) return; // signed out by an unauthenticated answer: ask nothing more
  await Promise.all([
    panel("panel-fleet", fleet), panel("panel-rollouts", rollouts), panel("panel-cycles", lowCycles),
    panel("panel-adapters", adapters), panel("panel-events", events),
  ]);
  if (!state.delegation) return; // signed out by an unauthenticated answer
  state.polls++;
  document.body.dataset.polls = String(state.polls);
  status.dataset.state = "live";
  status.textContent = "live · updated " + new Date().toLocaleTimeString();
  setTimeout(poll, POLL_MS);
}

function signIn(reason) {
  state.delegation = null;
  sessionStorage.removeItem(STORE_KEY);
  document.getElementById("panels").hidden = true;
  document.getElementById("signin").hidden = false;
  document.getElementById("signin-origin").textContent = location.origin;
  document.getElementById("signin-reason").textContent = reason ? "The gateway refused the delegation: " + reason : "";
  document.body.dataset.signin = "true";
}

async function start() {
  state.delegation = takeDelegation();
  if (!state.delegation) {
    signIn("");
    return;
  }
  document.getElementById("panels").hidden = false;
  try {
    await who();
  } catch (e) {
    if (e.code === "unauthenticated" || e.code === "permission_denied") {
      signIn(e.message);
      return;
    }
    document.getElementById("who").textContent = e.code + ": " + e.message;
  }
  poll();
}

start();
