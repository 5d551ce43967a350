// Scoring in the thread (issue 6): instructors and TAs give a student's annotation its rubric
// score where they read it, at the head of its thread, as well as in the grading view. The
// page says who may score and gives the rubric (data-can-score; data-score-scale, one
// descriptor per score from 0 up) and the scores already given (data-scores), because the
// annotation list carries no scores; after each save we keep our copy. The server writes
// those attributes for graders only: students never see a score control or anyone's score.
//
// The control: the scale as a row of toggle buttons, one tab stop (arrow keys move, Enter or
// Space scores; the score is saved at once), a "Comment" disclosure for an optional comment
// to the author, and a line that confirms what was saved. Saves of one post go one at a time,
// in the order chosen, so the last choice is the one that stays.

import { KIND_LABELS, el, truncate } from "./dom.js";

export class Scoring {
  // A Scoring for the page, or null when the reader may not score.
  static fromShell(shell, options) {
    if (shell.dataset.canScore !== "true") return null;
    let scale;
    let scores;
    try {
      scale = JSON.parse(shell.dataset.scoreScale || "[]");
      scores = JSON.parse(shell.dataset.scores || "{}");
    } catch {
      return null;
    }
    if (!Array.isArray(scale) || scale.length < 2) return null;
    return new Scoring({ scale, scores, ...options });
  }

  constructor({ scale, scores, api, announce }) {
    this.scale = scale.map((descriptor) => String(descriptor || ""));
    this.scores = new Map(Object.entries(scores || {}).map(([id, saved]) => [Number(id), saved]));
    this.api = api;
    this.announce = announce;
    this.queues = new Map();
  }

  get max() {
    return this.scale.length - 1;
  }

  // Students' passage annotations, as the gradebook counts them (not hidden, not deleted).
  scorable(item) {
    return (
      !item.parent &&
      item.kind !== "comment" &&
      !item.deleted &&
      item.status !== "hidden" &&
      item.author?.role === "student"
    );
  }

  // Puts the control under the top post of a passage thread's element, where it applies.
  decorate(element, thread) {
    const { item } = thread.top;
    if (!this.scorable(item)) return;
    const post = element.querySelector(`#annotation-${item.id}`);
    if (post) post.append(this.control(item));
  }

  control(item) {
    const id = item.id;
    const saved = this.scores.get(id) || null;
    const who = item.author?.name || "the author";
    const what = (KIND_LABELS[item.kind] || "annotation").toLowerCase();
    const form = el("form", { className: "thread-score", noValidate: true, dataset: { id: String(id) } });
    const labelId = `score-label-${id}`;
    const row = el("div", { className: "thread-score-row" });
    row.append(
      el(
        "span",
        { className: "thread-score-label", id: labelId },
        "Score",
        el("span", { className: "visually-hidden", text: ` ${who}’s ${what}, 0 to ${this.max}` }),
      ),
    );
    const group = el("div", { className: "thread-score-options", role: "group", "aria-labelledby": labelId });
    this.scale.forEach((descriptor, value) => {
      const button = el("button", {
        type: "button",
        className: "thread-score-option",
        dataset: { action: "score", id: String(id), value: String(value) },
        "aria-pressed": saved?.score === value,
        "aria-label": descriptor ? `${value}: ${descriptor}` : String(value),
        title: descriptor || `Score ${value}`,
        text: String(value),
      });
      group.append(button);
    });
    row.append(group);
    const panelId = `score-comment-${id}`;
    row.append(
      el("button", {
        type: "button",
        className: "post-action thread-score-toggle",
        dataset: { action: "score-comment", id: String(id) },
        "aria-expanded": false,
        "aria-controls": panelId,
        text: saved?.comment ? "Edit comment" : "Comment",
      }),
    );
    form.append(row);
    form.append(el("p", { className: "thread-score-status" }));
    const textId = `score-comment-text-${id}`;
    const panel = el(
      "div",
      { className: "thread-score-comment", id: panelId, hidden: true },
      el("label", { className: "form-label", for: textId, text: `Comment to ${who} (optional, shown with the grade)` }),
      el("textarea", {
        className: "form-control form-control-sm",
        id: textId,
        name: "comment",
        rows: 2,
        maxLength: 2000,
        value: saved?.comment || "",
      }),
      el("p", { className: "thread-score-error invalid-feedback d-block", role: "alert", hidden: true }),
      el(
        "div",
        { className: "thread-score-actions" },
        el("button", { type: "submit", className: "btn btn-primary btn-sm", text: "Save comment" }),
        el("button", {
          type: "button",
          className: "btn btn-link btn-sm",
          dataset: { action: "score-comment-cancel", id: String(id) },
          text: "Close",
        }),
      ),
    );
    form.append(panel);
    this.show(form, saved);
    return form;
  }

  // The pressed button, the one tab stop, the "Edit comment" label and the status line.
  show(form, saved, message = null) {
    const value = saved ? saved.score : null;
    const buttons = [...form.querySelectorAll(".thread-score-option")];
    for (const button of buttons) {
      const on = Number(button.dataset.value) === value;
      button.setAttribute("aria-pressed", String(on));
      button.tabIndex = -1;
    }
    (buttons.find((b) => b.getAttribute("aria-pressed") === "true") || buttons[0]).tabIndex = 0;
    const toggle = form.querySelector(".thread-score-toggle");
    toggle.textContent = saved?.comment ? "Edit comment" : "Comment";
    const status = form.querySelector(".thread-score-status");
    form.classList.toggle("is-scored", value !== null);
    status.classList.remove("is-saved", "is-error");
    if (message) {
      status.textContent = message.text;
      if (message.kind) status.classList.add(`is-${message.kind}`);
      return;
    }
    status.textContent = value === null ? "Not scored yet" : this.describe(saved);
  }

  describe(saved) {
    const descriptor = this.scale[saved.score];
    const comment = saved.comment ? ` · comment: “${truncate(saved.comment, 60)}”` : "";
    return `${saved.score} of ${this.max}${descriptor ? ` · ${descriptor}` : ""}${comment}`;
  }

  // A click on a button[data-action] about `item`; true when it was ours.
  click(action, item, button) {
    const form = button.closest(".thread-score");
    if (!form) return false;
    if (action === "score") this.choose(item, Number(button.dataset.value), form, button);
    else if (action === "score-comment") this.togglePanel(form);
    else if (action === "score-comment-cancel") this.closePanel(form, { reset: true });
    else return false;
    return true;
  }

  submit(form, item) {
    if (!form.matches(".thread-score")) return false;
    const saved = this.scores.get(item.id);
    const pressed = form.querySelector('.thread-score-option[aria-pressed="true"]');
    const error = form.querySelector(".thread-score-error");
    if (!pressed && !saved) {
      error.textContent = "Choose a score first: the comment goes with it.";
      error.hidden = false;
      form.querySelector(".thread-score-option").focus();
      return true;
    }
    error.hidden = true;
    const value = pressed ? Number(pressed.dataset.value) : saved.score;
    const comment = form.querySelector("textarea").value.trim();
    this.save(item, value, comment).then((ok) => {
      if (!ok) return;
      const current = this.formFor(item.id);
      if (current) this.closePanel(current);
    });
    return true;
  }

  // Arrow keys move along the scale (a toolbar: one tab stop); Escape closes the comment.
  keydown(event) {
    const target = event.target;
    if (event.key === "Escape" && target.closest?.(".thread-score-comment")) {
      event.preventDefault();
      event.stopPropagation();
      this.closePanel(target.closest(".thread-score"), { reset: true });
      return;
    }
    if (!target.matches?.(".thread-score-option")) return;
    const buttons = [...target.parentElement.querySelectorAll(".thread-score-option")];
    const at = buttons.indexOf(target);
    const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = buttons[Math.max(0, Math.min(buttons.length - 1, moves[event.key]))];
    for (const button of buttons) button.tabIndex = button === next ? 0 : -1;
    next.focus();
  }

  choose(item, value, form, button) {
    const comment = form.querySelector("textarea").value.trim();
    for (const other of form.querySelectorAll(".thread-score-option")) {
      other.setAttribute("aria-pressed", String(other === button));
      other.tabIndex = other === button ? 0 : -1;
    }
    this.save(item, value, comment);
  }

  // One save after another for a post; true once this one is stored.
  save(item, value, comment) {
    const id = item.id;
    const form = this.formFor(id);
    if (form) {
      form.classList.add("is-saving");
      form.querySelector(".thread-score-status").textContent = `Saving ${value}…`;
    }
    const run = async () => {
      let saved;
      try {
        saved = await this.api.score(id, { score: value, comment });
      } catch (error) {
        const current = this.formFor(id);
        const detail = error.detail || error.message;
        if (current) {
          current.classList.remove("is-saving");
          this.show(current, this.scores.get(id) || null, { text: `Not saved: ${detail}`, kind: "error" });
        }
        this.announce(`Score not saved: ${detail}`);
        return false;
      }
      const stored = { score: saved.score, comment: saved.comment };
      this.scores.set(id, stored);
      // The thread may have been drawn again while the request was out: find it afresh.
      const current = this.formFor(id);
      if (current) {
        current.classList.remove("is-saving");
        current.querySelector("textarea").value = stored.comment;
        this.show(current, stored, { text: `✓ Saved: ${this.describe(stored)}`, kind: "saved" });
      }
      const who = item.author?.name ? ` for ${item.author.name}` : "";
      this.announce(`Score ${stored.score} of ${this.max} saved${who}${stored.comment ? ", with the comment" : ""}.`);
      return true;
    };
    const queue = (this.queues.get(id) || Promise.resolve()).then(run, run);
    this.queues.set(id, queue);
    return queue;
  }

  formFor(id) {
    return document.querySelector(`.thread-score[data-id="${id}"]`);
  }

  togglePanel(form) {
    const panel = form.querySelector(".thread-score-comment");
    if (panel.hidden) {
      panel.hidden = false;
      form.querySelector(".thread-score-toggle").setAttribute("aria-expanded", "true");
      panel.querySelector("textarea").focus();
    } else this.closePanel(form, { reset: true });
  }

  closePanel(form, { reset = false } = {}) {
    if (!form) return;
    const panel = form.querySelector(".thread-score-comment");
    if (reset) panel.querySelector("textarea").value = this.scores.get(Number(form.dataset.id))?.comment || "";
    panel.querySelector(".thread-score-error").hidden = true;
    panel.hidden = true;
    const toggle = form.querySelector(".thread-score-toggle");
    toggle.setAttribute("aria-expanded", "false");
    toggle.focus();
  }
}
