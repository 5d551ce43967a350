// Questions that close (docs/students.md): a question's state as a badge ("Answered",
// "Addressed in class: …"), the controls its author and the staff get to change it, and the
// staff's "Endorse as answer" on replies in a question's thread. The server decides who may
// (`can_resolve`, `can_endorse` on each item); every change is one API call, then the list
// is fetched again, so the page shows what the server decided.

import { el } from "./dom.js";

const STATE_LABELS = { answered: "Answered", addressed: "Addressed in class" };

export function questionBadges(item) {
  const out = [];
  if (item.placeholder || item.deleted) return out;
  const state = item.resolution?.state;
  if (item.kind === "question" && state === "open") {
    out.push(el("span", { className: "question-state question-state-open", text: "Open question" }));
  } else if (STATE_LABELS[state]) {
    const note = item.resolution.note ? `: ${item.resolution.note}` : "";
    const by = item.resolution.by ? `Marked by ${item.resolution.by}` : "";
    out.push(el("span", { className: `question-state question-state-${state}`, text: STATE_LABELS[state] + note, title: by }));
  }
  if (item.endorsed) {
    out.push(el("span", { className: "question-endorsed", text: "Endorsed answer", title: "The seminar's staff endorsed this reply as an answer" }));
  }
  return out;
}

// The buttons for the post's action row; `make(action, item, label, hidden, extra)` is
// threads.js's button maker, so that app.js's delegation finds them.
export function questionButtons(item, make) {
  const out = [];
  if (item.deleted || item.placeholder) return out;
  if (item.can_resolve) {
    if (item.resolution?.state === "open") {
      out.push(make("resolve-answered", item, "Mark answered", null));
      out.push(make("resolve-addressed", item, "Addressed in class…", null, { "aria-expanded": false }));
    } else {
      out.push(make("resolve-open", item, "Reopen", " the question"));
    }
  }
  if (item.can_endorse) {
    out.push(
      make("endorse", item, item.endorsed ? "Endorsed" : "Endorse as answer", null, {
        "aria-pressed": Boolean(item.endorsed),
        title: item.endorsed ? "Take the endorsement back" : "Mark this reply as an answer to the question",
      }),
    );
  }
  return out;
}

export class QuestionActions {
  constructor({ api, announce, reload }) {
    this.api = api;
    this.announce = announce;
    this.reload = reload;
  }

  // Click on a button[data-action]; true when it was one of ours.
  click(action, item, button) {
    if (action === "resolve-answered") this.resolve(item, button, "answered", "");
    else if (action === "resolve-open") this.resolve(item, button, "open", "");
    else if (action === "resolve-addressed") this.toggleNoteForm(item, button);
    else if (action === "resolve-save") this.saveNote(item, button);
    else if (action === "resolve-cancel") this.closeNoteForm(button.closest(".resolve-form"));
    else if (action === "endorse") this.endorse(item, button);
    else return false;
    return true;
  }

  async resolve(item, button, state, note) {
    button.disabled = true;
    try {
      await this.api.resolve(item.id, { state, note });
    } catch (error) {
      button.disabled = false;
      this.announce(`Could not save: ${error.detail || error.message}`);
      return;
    }
    await this.reload({ focus: `#annotation-${item.id}` });
    this.announce(state === "open" ? "Question reopened." : `Question marked ${STATE_LABELS[state].toLowerCase()}.`);
  }

  async endorse(item, button) {
    const on = !item.endorsed;
    button.disabled = true;
    try {
      await this.api.endorse(item.id, on);
    } catch (error) {
      button.disabled = false;
      this.announce(`Could not save: ${error.detail || error.message}`);
      return;
    }
    await this.reload({ focus: `#annotation-${item.id}` });
    this.announce(on ? "Reply endorsed as an answer; the question is answered." : "Endorsement taken back.");
  }

  // A small form under the button: an optional note, then "Mark addressed". Not a <form>
  // that submits: app.js hands thread forms to their own modules, and this one needs none.
  toggleNoteForm(item, button) {
    const open = button.closest(".post-actions").nextElementSibling;
    if (open?.matches(".resolve-form")) {
      this.closeNoteForm(open);
      return;
    }
    const id = `resolve-note-${item.id}`;
    const input = el("input", { className: "form-control form-control-sm", id, maxLength: 300, autocomplete: "off", placeholder: "e.g. Tuesday's class, slide 4" });
    const panel = el(
      "div",
      { className: "resolve-form", role: "group", "aria-label": "Addressed in class" },
      el("label", { className: "form-label small", for: id, text: "Note for the asker (optional)" }),
      input,
      el(
        "div",
        { className: "resolve-actions" },
        el("button", { type: "button", className: "btn btn-primary btn-sm", dataset: { action: "resolve-save", id: String(item.id) }, text: "Mark addressed" }),
        el("button", { type: "button", className: "btn btn-link btn-sm", dataset: { action: "resolve-cancel", id: String(item.id) }, text: "Cancel" }),
      ),
    );
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        panel.querySelector('[data-action="resolve-save"]').click();
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.closeNoteForm(panel);
      }
    });
    button.setAttribute("aria-expanded", "true");
    button.closest(".post-actions").after(panel);
    input.focus();
  }

  closeNoteForm(panel) {
    if (!panel) return;
    const button = panel.previousElementSibling?.querySelector('[data-action="resolve-addressed"]');
    panel.remove();
    if (button) {
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  }

  saveNote(item, button) {
    const note = button.closest(".resolve-form").querySelector("input").value.trim();
    this.resolve(item, button, "addressed", note);
  }
}
