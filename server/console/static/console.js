/* Command Center: countdowns, the decision form, run streams, chat and the live feed.
   Plain JavaScript, no dependencies; every page works without it, only less live. */
"use strict";

const csrfToken = () => document.querySelector('meta[name="csrf-token"]')?.content || "";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

/* --- countdowns ------------------------------------------------------------------------ */
function remaining(ms) {
  if (ms <= 0) return "expired";
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60), sec = s % 60;
  return (d ? `${d}d ` : "") + `${h}h ${String(m).padStart(2, "0")}m ${String(sec).padStart(2, "0")}s remaining`;
}

function tickCountdowns() {
  for (const node of document.querySelectorAll("[data-deadline]")) {
    const left = Date.parse(node.dataset.deadline) - Date.now();
    node.textContent = remaining(left);
    node.classList.toggle("urgent", left < 3600 * 1000);
  }
}

/* --- the decision form ------------------------------------------------------------------ */
function numberProblem(input) {
  if (input.dataset.number === undefined) return "";
  const text = input.value.trim();
  if (text === "") return "";
  const value = Number(text);
  if (!Number.isFinite(value)) return "Enter a number.";
  if (input.dataset.minExclusive !== undefined && !(value > Number(input.dataset.minExclusive)))
    return `Must be more than ${input.dataset.minExclusive}.`;
  if (input.dataset.min !== undefined && value < Number(input.dataset.min))
    return `Must be at least ${input.dataset.min}.`;
  if (input.dataset.max !== undefined && value > Number(input.dataset.max))
    return `Must be at most ${input.dataset.max}.`;
  return "";
}

function patternProblem(input) {
  /* JSON Schema patterns are ECMAScript "u" regexes; HTML's pattern attribute uses "v". */
  if (!input.dataset.pattern || input.value === "") return "";
  return new RegExp(input.dataset.pattern, "u").test(input.value) ? "" : "Does not have the required format.";
}

function setupDecision(form) {
  const sections = form.querySelectorAll("fieldset[data-when]");
  const chosen = () => form.querySelector('input[name="decision"]:checked')?.value;
  const sync = () => {
    for (const section of sections) {
      const on = section.dataset.when === chosen();
      section.disabled = !on;
      section.hidden = !on;
    }
    const reason = form.querySelector("#reason");
    if (reason) reason.required = chosen() === "reject";
  };
  form.addEventListener("change", sync);
  sync();
  form.addEventListener("submit", (event) => {
    for (const input of form.querySelectorAll("input[data-number], input[data-pattern]")) {
      const off = input.closest("fieldset")?.disabled;
      input.setCustomValidity(off ? "" : numberProblem(input) || patternProblem(input));
    }
    const reason = form.querySelector("#reason");
    if (reason) reason.setCustomValidity(chosen() === "reject" && !reason.value.trim() ? "A reason is required to reject." : "");
    if (!form.checkValidity()) {
      event.preventDefault();
      form.reportValidity();
    }
  });
  form.addEventListener("input", (event) => event.target.setCustomValidity?.(""));
}

/* --- a run, as it happens ------------------------------------------------------------- */
function streamRun(container, runId, onEnd) {
  const steps = el("ol", { class: "steps" });
  const plan = el("div", { class: "plan", hidden: "" });
  const answer = el("div", { class: "bubble ceo answer", hidden: "", "data-chunks": "0" });
  const waiting = el("div", { class: "interrupts" });
  const status = el("p", { class: "run-status", role: "status", text: "Working…" });
  container.replaceChildren(plan, steps, answer, waiting, status);
  const shown = new Set();
  const showInterrupt = (item) => {
    if (!item.approval_id || shown.has(item.approval_id)) return;
    shown.add(item.approval_id);
    const link = el("a", { href: `/console/approvals/${item.approval_id}`, class: "approval-link" }, `Review: ${item.title || "approval request"}`);
    waiting.append(el("p", { class: "interrupt" }, el("span", { class: `risk risk-${String(item.risk_level || "").toLowerCase()}`, text: item.risk_level || "?" }), " Waiting for approval — ", link));
  };
  const source = new EventSource(`/console/runs/${encodeURIComponent(runId)}/stream`);
  const on = (name, handler) => source.addEventListener(name, (e) => handler(JSON.parse(e.data)));
  on("token", (d) => {
    answer.hidden = false;
    answer.textContent += d.text;
    answer.dataset.chunks = String(Number(answer.dataset.chunks) + 1);
  });
  on("thinking", (d) => { status.textContent = `${d.where || "ceo"} › ${d.node} is thinking…`; });
  on("plan", (d) => {
    plan.hidden = false;
    plan.replaceChildren(el("h3", { text: `Plan: ${d.objective || ""}` }),
      el("ol", {}, ...(d.tasks || []).map((t) => el("li", {}, el("strong", { text: t.cluster }), ` — ${t.title}`))));
    if (d.clarifying_question) plan.append(el("p", { text: d.clarifying_question }));
  });
  on("step", (d) => steps.append(el("li", { class: "step", text: `✓ ${d.where} › ${d.node}` })));
  on("action", (d) => {
    const verb = d.type === "approval_requested" ? "needs approval" : d.type === "action_executed" ? "executed" : d.type;
    steps.append(el("li", { class: "action" }, `▶ ${d.cluster} › ${d.agent}: ${d.action} ${verb} `,
      el("span", { class: `risk risk-${String(d.risk_level || "").toLowerCase()}`, text: d.risk_level || "" }),
      (d.reasons || []).length ? el("span", { class: "muted reasons", text: ` — ${d.reasons.join("; ")}` }) : ""));
  });
  on("interrupt", showInterrupt);
  on("failure", (d) => steps.append(el("li", { class: "error", text: `Error: ${d.message || JSON.stringify(d)}` })));
  on("end", (d) => {
    source.close();
    if (d.answer_html) { answer.hidden = false; answer.classList.add("md-answer"); answer.innerHTML = d.answer_html; }  /* markdown, raw HTML escaped */
    else if (!answer.textContent && d.answer) { answer.hidden = false; answer.textContent = d.answer; }
    for (const item of d.interrupts || []) showInterrupt(item);
    if ((d.audit || []).length) {
      const recorded = el("ul", { class: "audit" });
      for (const a of d.audit) {
        const rules = Array.isArray(a.rules) && a.rules.length ? ` (rules: ${a.rules.join(", ")})` : "";
        recorded.append(el("li", {}, el("span", { class: `risk risk-${String(a.risk_level || "").toLowerCase()}`, text: a.risk_level || "—" }),
          ` ${a.event}: ${a.cluster || ""} › ${a.actor} ${a.action || ""}${rules}`));
      }
      container.insertBefore(el("div", { class: "recorded" }, el("h3", { text: "Recorded in the audit log" }), recorded), status);
    }
    if (shown.size) status.textContent = "Paused: waiting for approval.";
    else if (d.status === "success") status.textContent = "Done.";
    else status.textContent = `Run ended: ${d.status}${d.error ? ` — ${d.error.message || ""}` : ""}`;
    container.dataset.done = d.status || "unknown";
    onEnd?.(d);
  });
  source.onerror = () => {
    if (container.dataset.done) return;
    source.close();
    status.textContent = "Lost the stream; reload the page to see the result.";
    container.dataset.done = "lost";
  };
}

/* --- chat -------------------------------------------------------------------------------- */
const THREAD_STATUS = { success: "idle", interrupted: "interrupted", error: "error", timeout: "error" };

function showStatus(item, status) {
  const badge = item.querySelector(".status");
  badge.className = `status status-${status}`;
  badge.textContent = status;
}

/* A conversation started here joins the sidebar at once, labelled by its goal (as the server
   labels it), marked current and busy until its run ends. */
function addConversation(threadId, text) {
  const list = document.getElementById("conversations");
  if (!list || list.querySelector(`li[data-thread-id="${CSS.escape(threadId)}"]`)) return null;
  list.querySelector(".empty")?.remove();
  for (const link of list.querySelectorAll('a[aria-current="page"]')) link.removeAttribute("aria-current");
  const now = new Date().toISOString();
  const item = el("li", { "data-thread-id": threadId },
    el("a", { href: `/console/chat/${threadId}`, "aria-current": "page", text: text.slice(0, 80) }), " ",
    el("span", { class: "status status-busy", text: "busy" }), el("br"),
    el("span", { class: "muted" }, timeEl(now)));
  list.prepend(item);
  const total = document.getElementById("conversations-total");
  if (total) total.textContent = String(Number(total.textContent || 0) + 1);
  return item;
}

function setupChat(form) {
  const log = document.getElementById("conversation");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = form.elements.text.value.trim();
    if (!text) { form.elements.text.focus(); return; }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json" },
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
      });
      const body = await response.json();
      if (!response.ok) throw new Error(typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail));
      log.append(el("div", { class: "bubble you", text }));
      const turn = el("div", { class: "turn", "data-run-id": body.run_id });
      log.append(turn);
      form.elements.text.value = "";
      let item = document.querySelector(`#conversations li[data-thread-id="${CSS.escape(body.thread_id)}"]`);
      if (!location.pathname.endsWith(body.thread_id)) {
        history.replaceState(null, "", `/console/chat/${body.thread_id}`);
        form.action = `/console/chat/${body.thread_id}`;
        item = addConversation(body.thread_id, text) || item;
      }
      if (item) showStatus(item, "busy");
      streamRun(turn, body.run_id, (d) => {
        button.disabled = false;
        if (item) showStatus(item, THREAD_STATUS[d.status] || d.status || "idle");
      });
    } catch (error) {
      log.append(el("p", { class: "error", role: "alert", text: `Not sent: ${error.message}` }));
      button.disabled = false;
    }
  });
}

/* --- times: one zone everywhere, UTC, said on the page (as the server writes them) -------- */
function utc(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso || "—");
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function timeEl(iso) {
  return el("time", { datetime: iso, text: utc(iso) });
}

/* --- the live feed ---------------------------------------------------------------------- */
function feedItem(kind, d) {
  if (kind === "run") {
    return el("li", { class: `feed-run status-${d.status}` }, timeEl(d.at), " run ",
      el("a", { href: `/console/threads/${d.thread_id}/runs/${d.run_id}`, text: d.run_id.slice(0, 8) }),
      ` (${d.assistant_id}) is ${d.status}`);
  }
  const what = { "action.executed": "executed", "approval.requested": "asked for approval", "approval.decided": "decided", "approval.expired": "expired" }[d.event] || d.event;
  return el("li", { class: "feed-action", "data-id": String(d.id) }, timeEl(d.at), " ",
    el("span", { class: `risk risk-${String(d.risk_level || "").toLowerCase()}`, text: d.risk_level || "—" }),
    ` ${d.cluster || ""} › ${d.actor}: ${d.action || ""} ${what}`,
    d.title ? el("span", { class: "muted", text: ` — ${d.title}` }) : "");
}

function setupFeed(list) {
  const risks = list.dataset.risks ? list.dataset.risks.split(",") : null;
  const kinds = list.dataset.kinds ? list.dataset.kinds.split(",") : ["action", "run"];
  const limit = Number(list.dataset.limit || 100);
  const source = new EventSource(list.dataset.feed);
  for (const kind of kinds) {
    source.addEventListener(kind, (e) => {
      const d = JSON.parse(e.data);
      if (kind === "action" && risks && !risks.includes(d.risk_level)) return;
      if (kind === "action" && list.querySelector(`li[data-id="${CSS.escape(String(d.id))}"]`)) {
        list.dataset.repeated = String(Number(list.dataset.repeated || 0) + 1);  /* shown already */
        return;
      }
      list.querySelector(".empty")?.remove();
      list.prepend(feedItem(kind, d));
      while (list.children.length > limit) list.lastElementChild.remove();
      list.dataset.received = String(Number(list.dataset.received || 0) + 1);
    });
  }
  window.addEventListener("pagehide", () => source.close());
}

/* --- the bell: unread notifications, refreshed while the page is open -------------------- */
const BELL_POLL_MS = 15000;

function showUnread(bell, unread) {
  const count = bell.querySelector(".bell-count");
  count.textContent = String(unread);
  count.hidden = unread === 0;
  bell.setAttribute("aria-label", `Notifications: ${unread} unread`);
}

function setupBell(bell) {
  const refresh = async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(bell.dataset.unreadUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) showUnread(bell, (await response.json()).unread);
    } catch (error) { /* offline for a moment: the next poll tries again */ }
  };
  setInterval(refresh, BELL_POLL_MS);
  document.addEventListener("visibilitychange", refresh);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const bell of document.querySelectorAll("#bell[data-unread-url]")) setupBell(bell);
  tickCountdowns();
  setInterval(tickCountdowns, 1000);
  for (const form of document.querySelectorAll("#decision-form")) setupDecision(form);
  for (const node of document.querySelectorAll("[data-run-stream]")) {
    /* A decision's page reloads once its run ends, to show the decision as recorded. */
    const then = node.dataset.reloadOnEnd ? () => location.reload() : undefined;
    streamRun(node, node.dataset.runStream, then);
  }
  for (const form of document.querySelectorAll("#chat-form")) setupChat(form);
  for (const list of document.querySelectorAll("[data-feed]")) setupFeed(list);
});
