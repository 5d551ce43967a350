// The composer: a modal dialog for writing or editing a post. A modal keeps focus inside
// while it is open and gives it back on close; on phones CSS turns it into a bottom sheet.

import { KINDS } from "./dom.js";

const MAX_TAGS = 10;
const MAX_TAG_CHARS = 40;
const MAX_TEXT_CHARS = 10000;

export function parseTags(value) {
  const seen = new Set();
  const tags = [];
  for (const raw of value.split(",")) {
    const tag = raw.trim().replace(/^#+/, "").replace(/\s+/g, " ");
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  return tags;
}

export class Composer {
  constructor(dialog, { onSubmit, onClose }) {
    this.dialog = dialog;
    this.form = dialog.querySelector("form");
    this.title = dialog.querySelector(".composer-title");
    this.quote = dialog.querySelector(".composer-quote");
    this.text = dialog.querySelector('[name="text"]');
    this.textLabel = dialog.querySelector('label[for="composer-text"]');
    this.tags = dialog.querySelector('[name="tags"]');
    this.visibility = dialog.querySelector('[name="visibility"]');
    this.error = dialog.querySelector(".composer-error");
    this.save = dialog.querySelector(".composer-save");
    this.kindHelp = dialog.querySelector(".kind-help");
    this.onSubmit = onSubmit;
    this.onClose = onClose;
    this.lastKind = "critique";
    this.busy = false;

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.form.addEventListener("change", (event) => {
      if (event.target.name === "kind") this.showKindHelp();
    });
    for (const button of dialog.querySelectorAll(".composer-cancel, .composer-close")) {
      button.addEventListener("click", () => this.close());
    }
    // Ctrl/Cmd+Enter saves from the textarea, as in most comment boxes.
    this.text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.submit();
      }
    });
    // A click on the backdrop lands on the <dialog> itself: close, unless text was written.
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog && !this.text.value.trim()) this.close();
    });
    dialog.addEventListener("close", () => this.closed());
  }

  get isOpen() {
    return this.dialog.open;
  }

  // options: {heading, quote, passage (shows kind, tags, visibility), kind, text, tags,
  // visibility, saveLabel, textLabel, context (handed back to onSubmit), opener}
  open(options) {
    this.options = options;
    this.title.textContent = options.heading;
    this.quote.textContent = options.quote || "";
    this.quote.hidden = !options.quote;
    for (const field of this.dialog.querySelectorAll("[data-field]")) {
      field.hidden = !options.passage;
    }
    const kind = options.kind || this.lastKind;
    for (const radio of this.form.elements.kind) radio.checked = radio.value === kind;
    this.showKindHelp();
    this.text.value = options.text || "";
    this.tags.value = (options.tags || []).join(", ");
    this.visibility.value = options.visibility || "seminar";
    this.textLabel.textContent = options.textLabel || "Your annotation";
    this.save.textContent = options.saveLabel || "Save";
    this.setError("");
    this.setBusy(false);
    this.opener = options.opener || document.activeElement;
    this.dialog.showModal();
    this.dialog.classList.toggle("composer-passage", Boolean(options.passage));
    this.text.focus();
    this.text.setSelectionRange(this.text.value.length, this.text.value.length);
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  closed() {
    const options = this.options;
    this.options = null;
    // Back to the passage wording, so a closed dialog never shares a label with the page's
    // comment box ("Your comment").
    this.textLabel.textContent = "Your annotation";
    this.onClose?.(options);
    const target = options?.returnFocus || this.opener;
    if (target?.isConnected) target.focus({ preventScroll: true });
  }

  showKindHelp() {
    const kind = this.form.elements.kind.value;
    const info = KINDS.find((k) => k.value === kind);
    this.kindHelp.textContent = info ? `${info.label}: ${info.hint}.` : "";
  }

  values() {
    return {
      kind: this.form.elements.kind.value,
      text: this.text.value.trim(),
      tags: parseTags(this.tags.value),
      visibility: this.visibility.value,
    };
  }

  validate(values) {
    if (!values.text) return ["Write something before saving.", this.text];
    if (values.text.length > MAX_TEXT_CHARS) {
      return [
        `That is ${values.text.length.toLocaleString()} characters; the limit is 10,000.`,
        this.text,
      ];
    }
    if (this.options?.passage) {
      if (values.tags.length > MAX_TAGS) return [`Use at most ${MAX_TAGS} tags.`, this.tags];
      const long = values.tags.find((tag) => tag.length > MAX_TAG_CHARS);
      if (long) return [`The tag “${long}” is longer than ${MAX_TAG_CHARS} characters.`, this.tags];
    }
    return null;
  }

  async submit() {
    if (this.busy || !this.options) return;
    const values = this.values();
    const problem = this.validate(values);
    if (problem) {
      this.setError(problem[0]);
      problem[1].focus();
      return;
    }
    this.setBusy(true);
    this.setError("");
    try {
      const returnFocus = await this.onSubmit(values, this.options.context);
      if (this.options?.passage) this.lastKind = values.kind;
      if (this.options) this.options.returnFocus = returnFocus;
      this.close();
    } catch (error) {
      this.setError(error.detail || error.message || "Saving failed. Try again.");
      this.text.focus();
    } finally {
      this.setBusy(false);
    }
  }

  setBusy(busy) {
    this.busy = busy;
    this.save.disabled = busy;
    this.form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  setError(message) {
    this.error.textContent = message;
    this.error.hidden = !message;
    this.text.setAttribute("aria-invalid", message ? "true" : "false");
  }
}
