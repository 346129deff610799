// The unread-notification badge of the navigation, kept current by /ws/notifications/.
const badge = document.getElementById("unread-count");

if (badge && "WebSocket" in window) {
  const number = badge.querySelector("[data-count]");
  let delay = 1000;

  const connect = () => {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}/ws/notifications/`);
    socket.addEventListener("open", () => {
      delay = 1000;
    });
    socket.addEventListener("message", (message) => {
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      if (frame.type !== "unread" || typeof frame.count !== "number") return;
      number.textContent = new Intl.NumberFormat(document.documentElement.lang).format(frame.count);
      badge.hidden = frame.count === 0;
    });
    socket.addEventListener("close", (closed) => {
      if (closed.code === 4401) return;
      window.setTimeout(connect, delay + Math.random() * 500);
      delay = Math.min(delay * 2, 30000);
    });
  };

  connect();
}
