// A link to a place inside a closed group (#item-12 from "À relire" or a notification)
// opens the groups around it, so that one click lands on the criterion itself.
function reveal() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (!target) return;
  let opened = false;
  for (let node = target.parentElement; node; node = node.parentElement) {
    if (node.tagName === "DETAILS" && !node.open) {
      node.open = true;
      opened = true;
    }
  }
  if (opened) target.scrollIntoView();
}

reveal();
window.addEventListener("hashchange", reveal);
