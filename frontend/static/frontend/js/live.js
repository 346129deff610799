// Live updates of a project page (DESIGN.md, real-time contract).
//
// The socket only carries hints: for each event the page fetches the server-rendered
// fragment of the item it is about (the same template as the first render), so what the
// person sees is always what the database says, with their own permissions applied.
// Every (re)connection opens the socket with ?after=lastSeq: the server replays what the
// page missed before it relays any live event, so nothing falls between the two; events
// at or below lastSeq are dropped.

const root = document.getElementById("project");

if (root && "WebSocket" in window) {
  const status = document.getElementById("live-status");
  const text = (name) => root.dataset[name] || "";
  let lastSeq = Number(root.dataset.lastSeq || 0);
  let delay = 1000;
  let socket = null;

  const EVENT_TYPES = new Set([
    "comment.created",
    "comment.updated",
    "comment.deleted",
    "checklist.updated",
    "review.opened",
    "review.decided",
    "project.stage_changed",
    "reuse.declared",
    "reuse.changed",
    "renewal.opened",
    "renewal.voted",
    "renewal.decided",
    "scan.updated",
    "condition.updated",
    "hold.updated",
    "lesson.published",
  ]);
  // The lifecycle's records show in the workflow (the hold and the conditions above the
  // checklist, the transitions offered below it): each refreshes the whole workflow.
  const LIFECYCLE = new Set(["condition.updated", "hold.updated", "lesson.published"]);
  const presence = document.getElementById("presence");

  // Who else is on this page now (best effort, no seq).
  function showPresence(viewers) {
    if (!presence) return;
    const me = root.dataset.me;
    const names = viewers.filter((v) => v.username !== me).map((v) => v.name);
    presence.textContent = names.length ? `${text("textPresence")} ${names.join(", ")}` : "";
  }

  const say = (message) => {
    if (status) status.textContent = message;
  };
  // What the server answered to this person's own form stays in the status for a while:
  // the event their action caused, arriving just after, does not replace it.
  let ownUntil = 0;
  const sayOwn = (message) => {
    say(message);
    ownUntil = Date.now() + 3000;
  };
  const announce = (message) => {
    if (Date.now() >= ownUntil) say(message);
  };

  const fragmentUrl = (kind, id) =>
    root.dataset[kind].replace(/\/0\/$/, `/${encodeURIComponent(id)}/`);

  async function fetchFragment(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return null;
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    return template.content;
  }

  // The <details> that opens a form, if any: not the group of criteria (a principle's
  // <details>) that holds the one-click forms of its items along with everything else.
  const opener = (form) => form.closest("details:not(.principle)");

  // The form of ``where`` with this action: a fragment's fresh copy of a form, say.
  const findForm = (where, action) =>
    [...where.querySelectorAll("form[action]")].find(
      (candidate) => candidate.getAttribute("action") === action,
    );

  // Forms whose content is on its way to the server: a live update may replace them.
  const sending = new WeakSet();

  // A form someone is filling in: open in its <details>, holding the focus in a field, or
  // holding text that differs from what the server rendered.
  function isBusy(form) {
    if (sending.has(form)) return false;
    const details = opener(form);
    if (details && details.open) return true;
    return [...form.elements].some((field) => {
      if (field.type === "hidden" || field.type === "submit" || field.tagName === "BUTTON") {
        return false;
      }
      if (field === document.activeElement && field.matches("textarea, input, select")) {
        return true;
      }
      if (field.type === "radio" || field.type === "checkbox") {
        return field.checked !== field.defaultChecked;
      }
      // A <select> has no defaultValue: its options say what the server rendered.
      // (none marked: a single select shows its first).
      if (field.tagName === "SELECT") {
        const options = [...field.options];
        if (!field.multiple && !options.some((option) => option.defaultSelected)) {
          return field.selectedIndex > 0;
        }
        return options.some((option) => option.selected !== option.defaultSelected);
      }
      return "value" in field && field.value !== field.defaultValue;
    });
  }

  // Put ``content`` (the new fragment) in place of ``target``. A form being filled in is
  // never replaced: it moves, as it is, into the new fragment in place of its fresh copy
  // (found by its action), with the focus and the cursor where they were. When the new
  // fragment has no such form any more, the whole update waits until the form is closed
  // or sent, and a note beside the form says so; closing it lets the update in.
  function replace(target, content, { force = false } = {}) {
    const busy = force ? [] : [...target.querySelectorAll("form[action]")].filter(isBusy);
    const kept = [];
    for (const form of busy) {
      const fresh = findForm(content, form.getAttribute("action"));
      if (!fresh) {
        wait(target, content, form);
        return;
      }
      kept.push([opener(form) || form, opener(fresh) || fresh]);
    }
    const active = document.activeElement;
    const focused = active && active !== document.body && target.contains(active);
    const selection =
      focused && typeof active.selectionStart === "number"
        ? [active.selectionStart, active.selectionEnd]
        : null;
    for (const [old, fresh] of kept) fresh.replaceWith(old);
    const first = content.firstElementChild;
    target.replaceWith(content);
    if (!first) return;
    first.classList.add("flash");
    if (!focused) return;
    if (document.contains(active)) {
      active.focus({ preventScroll: true });
      if (selection) active.setSelectionRange(selection[0], selection[1]);
    } else if (!document.activeElement || document.activeElement === document.body) {
      const again = first.querySelector("summary, button, a[href]");
      if (again) again.focus({ preventScroll: true });
    }
  }

  // The update of ``target`` waits for ``form`` to be closed or sent; only the latest
  // content is kept. Sending the form lets the update in once the server has answered
  // (``waiting`` holds the way to do it, by form).
  function wait(target, content, form) {
    const already = target.dataset.waiting === "1";
    target.dataset.waiting = "1";
    pending.set(target, content);
    if (already) return;
    const note = document.createElement("p");
    note.className = "live-note";
    note.setAttribute("role", "status");
    note.textContent = text("textWaiting");
    (opener(form) || form).after(note);
    const details = opener(form);
    const whenClosed = () => {
      if (!details.open && !sending.has(form)) release();
    };
    const whenLeft = () =>
      window.setTimeout(() => {
        if (!sending.has(form) && !isBusy(form)) release();
      });
    const release = () => {
      if (!waiting.has(form)) return;
      waiting.delete(form);
      if (details) details.removeEventListener("toggle", whenClosed);
      else form.removeEventListener("focusout", whenLeft);
      note.remove();
      delete target.dataset.waiting;
      const latest = pending.get(target);
      pending.delete(target);
      if (latest && document.contains(target)) replace(target, latest, { force: true });
    };
    waiting.set(form, release);
    if (details) details.addEventListener("toggle", whenClosed);
    else form.addEventListener("focusout", whenLeft);
  }
  const waiting = new Map();
  const pending = new Map();

  async function showComment(event, content) {
    if (!content) return;
    const existing = document.getElementById(`comment-${event.id}`);
    if (existing) {
      replace(existing, content);
      return;
    }
    const parent = event.data && event.data.parent;
    const list = parent
      ? document.getElementById(`replies-${parent}`)
      : document.getElementById("comments");
    if (!list) return;
    const first = content.firstElementChild;
    list.appendChild(content);
    if (first) first.classList.add("flash");
    const empty = document.getElementById("no-comments");
    if (empty) empty.remove();
  }

  // Events that arrive together are applied together, with one request for the workflow's
  // fragments: the whole workflow when the stage changed, otherwise the items concerned
  // with the stage summary and the review panel. Comments come each in its fragment, at
  // the same time.
  async function applyBatch(events) {
    const comments = events.filter((event) => event.type.startsWith("comment."));
    // The reuse section says what the next gate asks for: it follows the stage too.
    const commons = events.some(
      (e) =>
        e.type.startsWith("reuse.") ||
        e.type.startsWith("renewal.") ||
        e.type === "project.stage_changed",
    );
    const scans = events.filter((event) => event.type === "scan.updated");
    const workflowEvents = events.filter(
      (e) =>
        !e.type.startsWith("comment.") &&
        !e.type.startsWith("reuse.") &&
        !e.type.startsWith("renewal.") &&
        e.type !== "scan.updated",
    );
    // A finished scan changes the evidence beside the checklist: the whole workflow.
    const scanned = scans.some((e) => e.data && ["done", "refused"].includes(e.data.status));
    const stage =
      scanned ||
      workflowEvents.some((e) => e.type === "project.stage_changed" || LIFECYCLE.has(e.type));
    let partsUrl = null;
    if (stage) {
      partsUrl = `${root.dataset.fragmentParts}?workflow=1`;
    } else if (workflowEvents.length) {
      const items = new Set(
        workflowEvents.filter((e) => e.type === "checklist.updated").map((e) => e.id),
      );
      const query = new URLSearchParams([...items].map((id) => ["item", String(id)]));
      partsUrl = `${root.dataset.fragmentParts}?${query}`;
    }
    const [parts, commonsPart, scanPart, ...commentParts] = await Promise.all([
      partsUrl ? fetchFragment(partsUrl) : null,
      commons ? fetchFragment(root.dataset.fragmentCommons) : null,
      scans.length ? fetchFragment(root.dataset.fragmentScan) : null,
      ...comments.map((e) => fetchFragment(fragmentUrl("fragmentComment", e.id))),
    ]);
    const scanCard = document.getElementById("repository-scan");
    if (scanPart && scanCard) replace(scanCard, scanPart);
    for (const part of [parts, commonsPart]) {
      if (!part) continue;
      for (const element of [...part.children]) {
        const target = element.id && document.getElementById(element.id);
        if (!target) continue;
        const content = document.createDocumentFragment();
        content.appendChild(element);
        replace(target, content);
      }
    }
    comments.forEach((event, n) => showComment(event, commentParts[n]));
    if (scans.length) announce(text("textScan"));
    else if (stage) announce(text("textStage"));
    else if (commons && !workflowEvents.length) announce(text("textCommons"));
    else if (workflowEvents.some((e) => e.type === "checklist.updated")) {
      announce(text("textChecklist"));
    } else if (workflowEvents.length) announce(text("textReview"));
    else if (comments.some((e) => e.type === "comment.created")) announce(text("textComment"));
  }

  let waitingEvents = [];
  let applying = false;
  async function drain() {
    if (applying) return;
    applying = true;
    while (waitingEvents.length) {
      const batch = waitingEvents;
      waitingEvents = [];
      try {
        await applyBatch(batch);
      } catch {
        // A fragment that could not be fetched is fetched again on the next event.
      }
    }
    applying = false;
  }

  function receive(message) {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    if (event.type === "presence") {
      showPresence(event.viewers || []);
      return;
    }
    // hello, resumed, pong and error frames are not events of the stream.
    if (!EVENT_TYPES.has(event.type) || typeof event.seq !== "number") return;
    if (event.seq <= lastSeq) return;
    lastSeq = event.seq;
    root.dataset.lastSeq = String(lastSeq);
    waitingEvents.push(event);
    drain();
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const address = `${scheme}//${window.location.host}${root.dataset.socket}?after=${lastSeq}`;
    socket = new WebSocket(address);
    socket.addEventListener("open", () => {
      delay = 1000;
      root.dataset.live = "connected";
      say(text("textConnected"));
    });
    socket.addEventListener("message", receive);
    socket.addEventListener("close", (closed) => {
      root.dataset.live = "closed";
      // 4403/4404: no longer allowed to read this project; do not insist.
      if (closed.code === 4403 || closed.code === 4404) return;
      say(text("textOffline"));
      const wait = delay + Math.random() * 500;
      delay = Math.min(delay * 2, 30000);
      window.setTimeout(connect, wait);
    });
  }

  // Forms marked data-live-form (the thread's, the checklist's, the review's, the stage's)
  // post in the background while the socket is up: the page keeps its place, and the
  // change arrives through the socket, as it does on everyone else's page. The server
  // answers a success with its message alone (JSON; a comment's redirect is not followed),
  // and input it refuses with the page, whose copy of the form (found by its action) comes
  // in with the messages next to the fields and what was typed.

  // The outermost live fragment holding a form (the workflow, say): no update replaces
  // what is just before it.
  function fragmentOf(form) {
    let place = null;
    for (let node = form.parentElement; node && node !== root; node = node.parentElement) {
      if (node.dataset.live && node.id) place = node;
    }
    return place;
  }

  // A refusal, with a button to close it: just before the fragment that held the form, so
  // that an update that comes in just after (or that the refusal lets in) leaves it there.
  function warn(fragmentId, message) {
    const fragment = document.getElementById(fragmentId);
    if (!fragment) return;
    const alert = document.createElement("div");
    alert.className = "fr-alert fr-alert--error fr-alert--sm fr-mb-2w live-refusal";
    alert.setAttribute("role", "alert");
    const paragraph = document.createElement("p");
    paragraph.textContent = message;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "fr-btn--close fr-btn";
    close.textContent = text("textClose");
    close.addEventListener("click", () => alert.remove());
    alert.append(paragraph, close);
    fragment.before(alert);
    alert.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-live-form")) return;
    if (root.dataset.live !== "connected") return;
    event.preventDefault();
    if (sending.has(form)) return;
    const action = form.getAttribute("action");
    const body = new FormData(form, event.submitter);
    const fragment = fragmentOf(form);
    sending.add(form);
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-Live-Form": "1" },
      });
    } catch {
      sending.delete(form);
      form.submit();
      return;
    }
    sending.delete(form);
    const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
    if (response.type === "opaqueredirect" || json) {
      const answer = json ? await response.json() : { level: "success" };
      // The form is sent: an update that waited for it comes in. It may bring a fresh copy
      // of the form, or take the form away (the review it decides was closed meanwhile).
      const release = waiting.get(form);
      if (release) release();
      if (answer.level === "error") {
        if (fragment) warn(fragment.id, answer.message);
        sayOwn(answer.message);
        return;
      }
      const current = document.contains(form) ? form : findForm(document, action);
      if (current) {
        current.reset();
        const details = opener(current);
        if (details) details.open = false;
      }
      sayOwn(answer.message || text("textPosted"));
      return;
    }
    // Input refused: the form comes back with its errors, and a waiting update still waits.
    const current = document.contains(form) ? form : findForm(document, action);
    const answer = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = findForm(answer, action);
    if (!fresh || !current) {
      if (document.contains(form)) form.submit();
      else window.location.reload();
      return;
    }
    // The same form element keeps what listens to it (an update waiting for it).
    current.replaceChildren(...fresh.childNodes);
    const details = opener(current);
    if (details) details.open = true;
    if (!(window.focusErrors && window.focusErrors(current))) {
      const invalid = current.querySelector("[aria-invalid='true']");
      if (invalid) invalid.focus();
    }
  });

  connect();
}
