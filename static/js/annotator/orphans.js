// Passages no longer in the text. When an instructor edits a reading, an annotation whose
// words went with the edit becomes an orphan: it is never painted (a highlight on the wrong
// words is worse than none), but it keeps its quote and its whole thread, listed in the
// margin's "Passages no longer in the text" (under the text on narrow screens, as the margin
// is). Its author, or an instructor, can re-attach it: the next selection's button reads
// "Attach here", and the annotation moves to those words.

import { el, plural, truncate } from "./dom.js";
import { passageThread } from "./threads.js";

export class OrphanList {
  constructor(margin, { canEdit = false, historyUrl = "", decorate = null } = {}) {
    this.margin = margin;
    this.decorate = decorate;
    this.section = el("section", { className: "orphans", "aria-labelledby": "orphans-title", hidden: true });
    this.title = el("h3", { className: "orphans-title", id: "orphans-title", tabIndex: -1 }, "Passages no longer in the text ");
    this.count = el("span", { className: "orphans-count" });
    this.title.append(this.count);
    const help = el(
      "p",
      { className: "orphans-help" },
      "The text was edited and these words are gone. Each annotation keeps its quote and its discussion; its author can re-attach it to new words.",
    );
    if (canEdit && historyUrl) help.append(" ", el("a", { href: historyUrl, text: "See what changed" }), ".");
    this.list = el("ol", { className: "thread-list orphan-list" });
    this.section.append(this.title, help, this.list);
    margin.append(this.section);
    // A way to them from the top of the margin: the list above may be long.
    this.jump = el("button", { type: "button", className: "orphans-jump", hidden: true });
    const head = margin.querySelector(".margin-head");
    this.jump.addEventListener("click", () => {
      this.title.focus({ preventScroll: true });
      // A jump, like following a link to it: at once, not a long smooth scroll past the
      // threads beside the text.
      this.title.scrollIntoView({ block: "start", behavior: "instant" });
    });
    head.append(this.jump);
  }

  // shown: the orphan threads the filters let through; total: all orphans.
  render(shown, total) {
    this.list.replaceChildren(
      ...shown.map((thread) => {
        const element = passageThread(thread);
        this.decorate?.(element, thread);
        return element;
      }),
    );
    this.section.hidden = shown.length === 0;
    this.count.textContent = total ? String(total) : "";
    this.jump.hidden = shown.length === 0;
    this.jump.textContent = `${plural(shown.length, "passage")} no longer in the text ↓`;
  }
}

// "Re-attach to new words": a mode in which the next selection attaches an orphan instead of
// starting a new annotation. A bar at the top of the screen says what is going on and offers
// keyboard selection and Cancel; Escape cancels too.
export class ReattachMode {
  constructor({ watcher, caret, announce, onCancel }) {
    this.watcher = watcher;
    this.caret = caret;
    this.announce = announce;
    this.onCancel = onCancel;
    this.item = null;
    this.bar = el("div", {
      className: "reattach-bar d-print-none",
      role: "region",
      "aria-label": "Re-attaching an annotation",
      tabIndex: -1,
      hidden: true,
    });
    this.text = el("p", { className: "reattach-text" });
    const keyboard = el("button", { type: "button", className: "btn btn-sm btn-light", text: "Select with keyboard" });
    keyboard.addEventListener("click", () => {
      if (!this.caret.enabled) this.caret.enable();
      else this.caret.root.focus();
    });
    const cancel = el("button", { type: "button", className: "btn btn-sm btn-outline-light", text: "Cancel" });
    cancel.addEventListener("click", () => this.cancel());
    this.bar.append(this.text, el("div", { className: "reattach-actions" }, keyboard, cancel));
    document.body.append(this.bar);
    document.addEventListener("keydown", (event) => {
      // Caret mode uses Escape first (to collapse or leave); a plain Escape elsewhere cancels.
      if (event.key !== "Escape" || !this.item || event.defaultPrevented) return;
      if (event.target.closest?.("dialog, .reply-form, .flag-form, .mod-panel")) return;
      event.preventDefault();
      this.cancel();
    });
  }

  get active() {
    return this.item !== null;
  }

  start(item, quote, opener) {
    this.item = item;
    this.opener = opener;
    this.text.replaceChildren(
      el("strong", {}, "Re-attach ", el("q", { text: truncate(quote || "", 60) }), ": "),
      "select the words in the text it is about now, then press “Attach here”.",
    );
    this.bar.hidden = false;
    document.body.classList.add("is-reattaching");
    this.watcher.setMode("attach", () => this.cancel());
    this.bar.focus();
    this.announce("Select the new words in the text, then press Attach here. Escape cancels.");
  }

  // Leaves the mode; `cancelled` gives focus back to the button that started it.
  stop({ cancelled = false } = {}) {
    if (!this.item) return;
    const item = this.item;
    this.item = null;
    this.bar.hidden = true;
    document.body.classList.remove("is-reattaching");
    this.watcher.setMode("annotate");
    if (cancelled) {
      this.onCancel?.(item);
      const button = document.querySelector(`button[data-action="reattach"][data-id="${item.id}"]`);
      (button || this.opener)?.focus();
    }
  }

  cancel() {
    if (!this.item) return;
    this.stop({ cancelled: true });
    this.announce("Re-attaching cancelled.");
  }
}
