// Site-wide behaviour: copy buttons and confirmations. Loaded as a module on every page; no inline scripts.
for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const source = document.querySelector(button.dataset.copy);
    if (!source) return;
    try {
      await navigator.clipboard.writeText(source.value ?? source.textContent);
      button.textContent = "Copied";
    } catch {
      source.select?.();
      button.textContent = "Press Ctrl+C";
    }
  });
}

// Logging out takes this person's unsaved drafts (annotator/drafts.js) with it: on a shared
// computer the next person must not find them. With drafts there, it asks first.
const logout = document.querySelector("form[data-drafts-of]");
logout?.addEventListener("submit", (event) => {
  const prefix = `seminar.draft.v1:${logout.dataset.draftsOf}:`;
  let keys = [];
  try {
    keys = Object.keys(localStorage).filter((key) => key.startsWith(prefix));
  } catch {
    return; // storage refused: there are no drafts to take
  }
  if (!keys.length) return;
  const [drafts, them] = keys.length === 1 ? ["an unsaved draft", "it"] : [`${keys.length} unsaved drafts`, "them"];
  const question = `You have ${drafts} in this browser. Log out and discard ${them}, so that nobody else using this browser can read ${them}?`;
  if (!window.confirm(question)) {
    event.preventDefault();
    return;
  }
  for (const key of keys) localStorage.removeItem(key);
});

// Forms that change something for other people ask first.
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
}
