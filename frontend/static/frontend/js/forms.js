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
