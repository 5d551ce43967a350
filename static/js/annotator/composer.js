// The composer: a modal dialog for writing or editing a post. A modal keeps focus inside
// while it is open and gives it back on close; on phones CSS turns it into a bottom sheet.
// What is written is a draft (drafts.js) until the server has it: Escape, Close and a failed
// save keep it, and opening the composer on the same passage or post brings it back.
// @mentions (mentions.js): the box shows "@Name", the server gets its token.

import { KINDS, shortDate } from "./dom.js";
import { TextLimit, textLength, tooLong, warnOnLeaving, whileSending } from "./drafts.js";
import { hasMention } from "./mentions.js";

const MAX_TAGS = 10;
const MAX_TAG_CHARS = 40;

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
  // drafts: a Drafts (drafts.js), or null where this browser keeps none; mentions: a
  // Mentions (mentions.js), or null.
  constructor(dialog, { onSubmit, onClose, drafts = null, mentions = null, announce = () => {} }) {
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
    this.draftNote = dialog.querySelector(".composer-draft");
    this.discard = dialog.querySelector(".composer-discard");
    // The server's limit (MAX_TEXT_CHARS), given by the template: one number, one place.
    this.max = Number(dialog.dataset.maxChars) || 0;
    this.limit = new TextLimit(this.text, {
      max: this.max,
      count: dialog.querySelector(".composer-count"),
      message: dialog.querySelector(".composer-limit"),
    });
    this.onSubmit = onSubmit;
    this.onClose = onClose;
    this.drafts = drafts;
    this.announce = announce;
    this.mentions = mentions;
    this.picker = mentions?.attach(this.text, { visibility: () => this.visibility.value, note: this.draftNote });
    this.lastKind = "critique";
    this.busy = false;
    this.unstored = false;
    warnOnLeaving(() => this.isOpen && this.unstored && Boolean(this.text.value.trim()));

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.form.addEventListener("change", (event) => {
      if (event.target.name === "kind") this.showKindHelp();
      if (event.target.name === "visibility") this.picker?.warn();
    });
    // Every change is stored at once: nothing waits to be written when the page goes.
    this.form.addEventListener("input", () => this.keep());
    for (const button of dialog.querySelectorAll(".composer-cancel, .composer-close")) {
      button.addEventListener("click", () => this.close());
    }
    this.discard.addEventListener("click", () => this.discardDraft());
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

  // The draft being written now, if any: the notice does not offer it back meanwhile.
  get openScope() {
    return this.isOpen ? this.options?.draft?.scope || null : null;
  }

  // options: {heading, quote, passage (shows kind, tags, visibility), kind, text, tags,
  // visibility, saveLabel, textLabel, context (handed back to onSubmit), opener,
  // draft: {scope, ...what the notice needs to offer it back}}
  open(options) {
    this.options = options;
    this.title.textContent = options.heading;
    this.quote.textContent = options.quote || "";
    this.quote.hidden = !options.quote;
    for (const field of this.dialog.querySelectorAll("[data-field]")) {
      field.hidden = !options.passage;
    }
    this.original = {
      kind: options.kind || this.lastKind,
      text: options.text || "",
      tags: (options.tags || []).join(", "),
      visibility: options.visibility || "seminar",
    };
    const kept = options.draft && this.drafts?.get(options.draft.scope);
    this.fill(kept ? { ...this.original, ...pick(kept) } : this.original);
    this.unstored = false;
    this.discarded = false;
    this.discard.hidden = !kept;
    this.setDraftNote(kept ? `Your draft from ${when(kept.updated)} is back.` : "");
    this.textLabel.textContent = options.textLabel || "Your annotation";
    this.save.textContent = options.saveLabel || "Save";
    this.setError("");
    this.setBusy(false);
    this.opener = options.opener || document.activeElement;
    this.dialog.showModal();
    this.dialog.classList.toggle("composer-passage", Boolean(options.passage));
    this.text.focus();
    this.text.setSelectionRange(this.text.value.length, this.text.value.length);
    if (this.picker) {
      this.picker.parent = options.parent ?? null; // a reply's edit: who may see it follows its thread
      this.picker.reset();
      this.showNames(options);
    }
  }

  // The text of a post being edited holds mention tokens: shown as names once they are known.
  async showNames(options) {
    const [original, now] = [this.original.text, this.text.value];
    if (!hasMention(original + now)) return;
    const parent = options.parent ?? null;
    const [shownOriginal, shown] = await Promise.all([this.mentions.display(original, parent), this.mentions.display(now, parent)]);
    if (this.options !== options || this.text.value !== now) return;
    this.original.text = shownOriginal;
    this.text.value = shown;
    this.text.setSelectionRange(shown.length, shown.length);
    this.limit.update();
    this.picker.warn();
  }

  fill(values) {
    for (const radio of this.form.elements.kind) radio.checked = radio.value === values.kind;
    this.showKindHelp();
    this.text.value = values.text;
    this.tags.value = values.tags;
    this.visibility.value = values.visibility;
    this.limit.update();
  }

  // Stores the draft, or forgets it when what is in the box is what it opened with.
  keep() {
    const scope = this.options?.draft?.scope;
    if (!scope || !this.drafts) {
      this.unstored = Boolean(this.options);
      return;
    }
    const now = {
      kind: this.form.elements.kind.value,
      text: this.text.value,
      tags: this.tags.value,
      visibility: this.visibility.value,
    };
    if (!this.differs(now)) {
      this.drafts.remove(scope);
      this.unstored = false;
      this.discard.hidden = true;
      this.setDraftNote("");
      return;
    }
    const stored = this.drafts.set(scope, { ...this.options.draft, ...now });
    this.unstored = !stored;
    this.discard.hidden = false;
    this.setDraftNote(
      stored ? "Draft kept in this browser until you save or discard it." : "This browser cannot keep a draft: save before you leave the page.",
    );
  }

  // A new post is a draft once it has words (or tags); an edit once anything changed.
  differs(now) {
    const was = this.original;
    const words = now.text.trim() !== was.text.trim();
    if (!this.options.passage) return words;
    if (!was.text) return Boolean(now.text.trim()) || parseTags(now.tags).length > 0;
    const tags = parseTags(now.tags).join("\n") !== parseTags(was.tags).join("\n");
    return words || tags || now.kind !== was.kind || now.visibility !== was.visibility;
  }

  discardDraft() {
    if (this.text.value.trim() && !window.confirm("Discard this draft? Its text will be gone.")) return;
    if (this.options?.draft) this.drafts?.remove(this.options.draft.scope);
    this.discarded = true;
    this.close();
  }

  setDraftNote(message) {
    this.draftNote.textContent = message;
    this.draftNote.hidden = !message;
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  closed() {
    const options = this.options;
    this.options = null;
    const scope = options?.draft?.scope;
    if (this.discarded) this.announce("Draft discarded.");
    else if (scope && this.drafts?.get(scope)) {
      this.announce("Draft kept.");
      this.drafts.changed(); // the notice may offer it now
    }
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
    // Said beside the box (TextLimit), not twice.
    if (tooLong(textLength(values.text), this.max)) return ["", this.text];
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
      if (!problem[0]) this.limit.refuse();
      problem[1].focus();
      return;
    }
    this.setBusy(true);
    this.setError("");
    try {
      if (this.picker) values.text = await this.picker.tokens(values.text);
      const returnFocus = await whileSending(this.onSubmit(values, this.options.context));
      // The server has it: no longer a draft.
      if (this.options?.draft) this.drafts?.remove(this.options.draft.scope);
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
    const invalid = Boolean(message) || this.text.classList.contains("is-invalid");
    this.text.setAttribute("aria-invalid", invalid ? "true" : "false");
  }
}

// What a stored draft holds of the form.
function pick(draft) {
  const values = { text: draft.text };
  for (const key of ["kind", "tags", "visibility"]) if (typeof draft[key] === "string") values[key] = draft[key];
  return values;
}

function when(time) {
  const minutes = (Date.now() - (time || 0)) / 60000;
  if (minutes < 1) return "a moment ago";
  if (minutes < 60) return `${Math.floor(minutes)} min ago`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ago`;
  return shortDate(new Date(time).toISOString());
}
