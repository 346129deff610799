// Asking before destroying. A link marked data-confirm leads to a page that asks and posts
// the form (without JavaScript, that page is the confirmation). With JavaScript, the same
// page's question and form open in a modal <dialog> in place; "Annuler" closes it and the
// focus goes back to the link.

async function ask(link) {
  let response;
  try {
    response = await fetch(link.href, { credentials: "same-origin" });
  } catch {
    window.location.assign(link.href);
    return;
  }
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const body = page.querySelector("[data-confirm-body]");
  if (!response.ok || !body) {
    window.location.assign(link.href);
    return;
  }
  // The design system's modal body, header-less (Escape and "Annuler" close it); the page's
  // form becomes its footer.
  const dialog = document.createElement("dialog");
  dialog.className = "app-confirm";
  dialog.setAttribute("aria-labelledby", "confirm-title");
  const frame = document.createElement("div");
  frame.className = "fr-modal__body";
  const content = document.createElement("div");
  content.className = "fr-modal__content fr-pt-4w";
  const footer = document.createElement("div");
  footer.className = "fr-modal__footer";
  const form = body.querySelector("form");
  if (form) footer.append(form);
  const title = body.querySelector("h1");
  if (title) {
    const heading = document.createElement("h2");
    heading.id = "confirm-title";
    heading.className = "fr-modal__title";
    heading.textContent = title.textContent;
    title.replaceWith(heading);
  }
  content.append(...body.childNodes);
  frame.append(content, footer);
  dialog.append(frame);
  document.body.appendChild(dialog);
  dialog.addEventListener("close", () => {
    dialog.remove();
    link.focus();
  });
  const cancel = dialog.querySelector("[data-confirm-cancel]");
  if (cancel) {
    cancel.addEventListener("click", (event) => {
      event.preventDefault();
      dialog.close();
    });
  }
  dialog.showModal();
  const button = dialog.querySelector("button[type=submit]");
  if (button) button.focus();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-confirm]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  if (typeof HTMLDialogElement === "undefined") return;
  event.preventDefault();
  ask(link);
});
