// Redoc's code samples are scrollable <pre> blocks: give each one keyboard focus so that a
// keyboard user can scroll it too (WCAG 2.1.1), as Redoc renders and re-renders them.
const focusable = () => {
  for (const block of document.querySelectorAll("pre:not([tabindex])")) {
    block.tabIndex = 0;
  }
};
new MutationObserver(focusable).observe(document.body, { childList: true, subtree: true });
focusable();
