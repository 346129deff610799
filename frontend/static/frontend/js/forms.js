// Refused forms: the summary of the errors at the top of the form takes the focus and is
// scrolled into view, so that the person lands on what to fix, not at the top of the page.
// A link of the summary moves the focus to its field.

function focusErrors(scope = document) {
  const summary = scope.querySelector("[data-error-summary]");
  if (!summary) return false;
  const details = summary.closest("details");
  if (details) details.open = true;
  summary.scrollIntoView({ block: "start" });
  summary.focus({ preventScroll: true });
  return true;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-error-summary] a[href^='#']");
  if (!link) return;
  const field = document.getElementById(link.getAttribute("href").slice(1));
  if (!field) return;
  event.preventDefault();
  field.scrollIntoView({ block: "center" });
  field.focus({ preventScroll: true });
});

// The live module (live.js) calls it on a form it brought back with errors.
window.focusErrors = focusErrors;
focusErrors();

// "Ajouter une condition": without JavaScript the button sends the vote's form back with
// one more blank row (nothing is written); with it, the blank row is the form's template,
// added in place, numbered, and it takes the focus.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-condition]");
  if (!button) return;
  const rows = button.closest("[data-condition-rows]");
  const template = rows && rows.querySelector("template[data-condition-template]");
  const total = rows && rows.querySelector("input[name$='-TOTAL_FORMS']");
  if (!template || !total) return;
  event.preventDefault();
  const count = Number(total.value);
  const max = Number(button.dataset.max || 10);
  if (count >= max) return;
  const html = template.innerHTML
    .replaceAll("__prefix__", String(count))
    .replaceAll("__number__", String(count + 1));
  const holder = document.createElement("template");
  holder.innerHTML = html.trim();
  const row = holder.content.firstElementChild;
  button.before(row);
  total.value = String(count + 1);
  if (count + 1 >= max) button.hidden = true;
  const first = row.querySelector("textarea, input, select");
  if (first) first.focus();
});
