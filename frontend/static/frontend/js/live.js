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
  // Events are applied one after the other, in seq order.
  let queue = Promise.resolve();

  const EVENT_TYPES = new Set([
    "comment.created",
    "comment.updated",
    "comment.deleted",
    "checklist.updated",
    "review.opened",
    "review.decided",
    "project.stage_changed",
  ]);
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

  const fragmentUrl = (kind, id) =>
    root.dataset[kind].replace(/\/0\/$/, `/${encodeURIComponent(id)}/`);

  async function fetchFragment(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return null;
    const template = document.createElement("template");
    template.innerHTML = (await response.text()).trim();
    return template.content;
  }

  // Replace ``target`` unless the person is typing in it: then wait until focus leaves.
  // Focus that was on a button or a summary inside moves to the same place in the new one.
  function replace(target, content) {
    const active = document.activeElement;
    const focused = active && active !== document.body && target.contains(active);
    const swap = () => {
      const first = content.firstElementChild;
      target.replaceWith(content);
      if (!first) return;
      first.classList.add("flash");
      if (window.htmx) window.htmx.process(first);
      if (focused && (!document.activeElement || document.activeElement === document.body)) {
        const again = first.querySelector("summary, button, a[href]");
        if (again) again.focus();
      }
    };
    if (focused && active.matches("textarea, input, select")) {
      target.addEventListener("focusout", function later(event) {
        if (target.contains(event.relatedTarget)) return;
        target.removeEventListener("focusout", later);
        swap();
      });
    } else {
      swap();
    }
  }

  async function refresh(selector, url) {
    const target = document.querySelector(selector);
    const content = await fetchFragment(url);
    if (target && content) replace(target, content);
  }

  async function showComment(event) {
    const content = await fetchFragment(fragmentUrl("fragmentComment", event.id));
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

  async function apply(event) {
    switch (event.type) {
      case "comment.created":
      case "comment.updated":
      case "comment.deleted":
        await showComment(event);
        if (event.type === "comment.created") say(text("textComment"));
        break;
      case "checklist.updated":
        await refresh(`#item-${event.id}`, fragmentUrl("fragmentItem", event.id));
        await refresh("#review", root.dataset.fragmentReview);
        say(text("textChecklist"));
        break;
      case "review.opened":
      case "review.decided":
        await refresh("#review", root.dataset.fragmentReview);
        say(text("textReview"));
        break;
      case "project.stage_changed":
        await refresh("#workflow", root.dataset.fragmentWorkflow);
        say(text("textStage"));
        break;
      default:
        break;
    }
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
    queue = queue.then(() => apply(event)).catch(() => undefined);
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

  // Comment forms post in the background while the socket is up: the new comment then
  // arrives like everyone else's, and the page keeps its place. Errors come back as the
  // form from the server's answer, with the messages next to the fields.
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-live-form")) return;
    if (root.dataset.live !== "connected") return;
    event.preventDefault();
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
      });
    } catch {
      form.submit();
      return;
    }
    if (response.ok && response.redirected) {
      form.reset();
      const details = form.closest("details");
      if (details) details.open = false;
      say(text("textPosted"));
      return;
    }
    const answer = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = answer.getElementById(form.id);
    if (!fresh) {
      form.submit();
      return;
    }
    form.replaceWith(fresh);
    const invalid = fresh.querySelector("[aria-invalid='true']");
    if (invalid) invalid.focus();
  });

  connect();
}
