// Going to a post: the deep link #annotation-N (search results, notifications, exports)
// names an element drawn after the page loaded; and focus put back after a redraw.

// The first of these selectors that names an element now (after a redraw).
export function restoreFocus(selectors) {
  const target = [selectors]
    .flat()
    .map((selector) => document.querySelector(selector))
    .find(Boolean);
  if (!target) return;
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "nearest" });
}

// Scrolls to the post named by the address, opens what hides it (a collapsed reply list),
// marks it for a moment and flashes its thread's passage in the text.
export function goToHash({ findThread, painter }) {
  const match = window.location.hash.match(/^#annotation-(\d+)$/);
  if (!match) return;
  const target = document.getElementById(`annotation-${match[1]}`);
  if (!target) return;
  for (let up = target.closest("details"); up; up = up.parentElement?.closest("details")) up.open = true;
  document.querySelectorAll(".is-target").forEach((element) => element.classList.remove("is-target"));
  target.classList.add("is-target");
  target.scrollIntoView({ block: "center" });
  target.closest(".thread-card")?.focus({ preventScroll: true });
  const thread = findThread(Number(match[1]));
  if (thread?.passage.current) painter.flash(thread.passage.unitStart, thread.passage.unitEnd);
}
