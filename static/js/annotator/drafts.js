// What someone is writing, kept safe. A draft stays in this browser (localStorage) until it is
// posted or discarded, so Escape, a reload, a closed tab or a crash loses nothing. Each place
// a text is written has its own draft: a passage (its code-point offsets and a hash of its
// words, so a draft never comes back on other words), a reply (its parent), an edit (the
// post). Keys begin with the user and the reading: two people on one browser, or two
// readings, never meet each other's words. On the next visit the notice above the text
// offers them back. And the length limit: a counter under the box, and a text over the limit
// kept in full but refused before it is sent.

import { ApiError } from "./api.js";
import { el, plural, truncate } from "./dom.js";

const PREFIX = "seminar.draft.v1";

export class Drafts {
  // Null without a user (the composer carries data-user) or where the browser keeps nothing.
  static forPage(dialog, readingId) {
    const user = dialog?.dataset.user;
    if (!user || !readingId) return null;
    try {
      const storage = window.localStorage;
      storage.getItem(PREFIX); // throws where storage is blocked
      return new Drafts(storage, `${PREFIX}:${user}:${readingId}:`);
    } catch {
      return null;
    }
  }

  constructor(storage, prefix) {
    this.storage = storage;
    this.prefix = prefix;
    this.listeners = new Set();
    // Another tab posted or discarded one of these.
    window.addEventListener("storage", (event) => {
      if (event.key === null || event.key.startsWith(this.prefix)) this.changed();
    });
  }

  get(scope) {
    try {
      const value = JSON.parse(this.storage.getItem(this.prefix + scope));
      return value && typeof value.text === "string" ? { ...value, scope } : null;
    } catch {
      return null;
    }
  }

  // False when the browser refused (storage full or switched off): the caller says so.
  set(scope, value) {
    const key = this.prefix + scope;
    const fresh = this.storage.getItem(key) === null;
    const { scope: _, ...rest } = value;
    try {
      this.storage.setItem(key, JSON.stringify({ ...rest, updated: Date.now() }));
    } catch {
      return false;
    }
    if (fresh) this.changed();
    return true;
  }

  remove(scope) {
    const key = this.prefix + scope;
    if (this.storage.getItem(key) === null) return;
    this.storage.removeItem(key);
    this.changed();
  }

  // Newest first.
  list() {
    const found = [];
    for (let i = 0; i < this.storage.length; i += 1) {
      const key = this.storage.key(i);
      if (!key?.startsWith(this.prefix)) continue;
      const draft = this.get(key.slice(this.prefix.length));
      if (draft) found.push(draft);
    }
    return found.sort((a, b) => (b.updated || 0) - (a.updated || 0));
  }

  // Called when a draft appears or goes (not on every keystroke).
  onChange(listener) {
    this.listeners.add(listener);
  }

  changed() {
    for (const listener of this.listeners) listener();
  }
}

export function passageScope(described) {
  return `passage:${described.start}-${described.end}:${hash(described.exact)}`;
}

export function replyScope(parentId) {
  return `reply:${parentId}`;
}

export function editScope(postId) {
  return `edit:${postId}`;
}

// FNV-1a: a short, stable name for a passage's words.
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

// --- leaving the page ------------------------------------------------------------------

// Drafts are stored as they are typed, so leaving the page loses nothing and asks nothing,
// except while a post is on its way (the answer would be lost) or where storage failed.
let sending = 0;
const unstored = new Set();

window.addEventListener("beforeunload", (event) => {
  if (sending || [...unstored].some((check) => check())) event.preventDefault();
});

export async function whileSending(promise) {
  sending += 1;
  try {
    return await promise;
  } finally {
    sending -= 1;
  }
}

export function warnOnLeaving(check) {
  unstored.add(check);
}

// --- the length limit -------------------------------------------------------------------

const NEAR = 0.9;
const NUMBER = new Intl.NumberFormat("en-US");

// As the server counts: code points of the trimmed text.
export function textLength(text) {
  const trimmed = text.trim();
  return trimmed.length - (trimmed.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length || 0);
}

export function tooLong(length, max) {
  if (!max || length <= max) return "";
  const n = NUMBER.format;
  return `Your text is ${n(length)} characters; the limit is ${n(max)}. Shorten it by ${n(length - max)} to post.`;
}

// The counter under a text box ("9,850 / 10,000"): a warning from 90% of the limit, an error
// past it. It speaks (aria-live) only near the limit, not at every keystroke before.
export class TextLimit {
  constructor(field, { max, count, message = null }) {
    this.field = field;
    this.max = max;
    this.count = count;
    this.message = message;
    field.addEventListener("input", () => this.update());
    this.update();
  }

  update() {
    const length = textLength(this.field.value);
    const over = Boolean(this.max) && length > this.max;
    const near = Boolean(this.max) && length >= this.max * NEAR;
    if (this.count) {
      this.count.hidden = !this.max;
      this.count.textContent = `${NUMBER.format(length)} / ${NUMBER.format(this.max)}`;
      this.count.classList.toggle("is-near", near && !over);
      this.count.classList.toggle("is-over", over);
      this.count.setAttribute("aria-live", near ? "polite" : "off");
    }
    if (this.message) {
      this.message.textContent = tooLong(length, this.max);
      this.message.hidden = !over;
      this.message.removeAttribute("role");
    }
    this.field.classList.toggle("is-invalid", over);
    this.field.setAttribute("aria-invalid", over ? "true" : "false");
    return over;
  }

  // The refusal when the reader tries to post: said once, as an alert.
  refuse() {
    if (!this.message) return;
    const text = this.message.textContent;
    this.message.textContent = "";
    this.message.setAttribute("role", "alert");
    requestAnimationFrame(() => {
      this.message.textContent = text;
    });
  }
}

// --- replies -----------------------------------------------------------------------------

// The inline reply forms (threads.js builds them, posts.js opens and sends them): a draft per
// parent, the counter, Escape closes the box and keeps the draft.
export class ReplyDrafts {
  constructor({ drafts, max, announce, close }) {
    this.drafts = drafts;
    this.max = max;
    this.announce = announce;
    this.close = close;
    warnOnLeaving(() => !this.drafts && [...document.querySelectorAll(".reply-form textarea")].some((t) => t.value.trim()));
  }

  // The API as PostActions uses it, but a reply over the limit is refused before it is sent,
  // and one the server took is no longer a draft.
  guard(api) {
    const replies = this;
    return Object.assign(Object.create(api), {
      async reply(parentId, payload) {
        const problem = tooLong(textLength(payload.text || ""), replies.max);
        if (problem) throw new ApiError(0, problem);
        const created = await whileSending(api.reply(parentId, payload));
        replies.drafts?.remove(replyScope(parentId));
        return created;
      },
    });
  }

  // Right after posts.js opened (or refocused) the form under `item`.
  opened(item) {
    const form = document.querySelector(`.reply-form[data-parent="${item.id}"]`);
    if (!form || form.dataset.drafts) return;
    form.dataset.drafts = "on";
    const textarea = form.querySelector("textarea");
    const scope = replyScope(item.id);
    const kept = this.drafts?.get(scope);
    if (kept) {
      textarea.value = kept.text;
      textarea.setSelectionRange(kept.text.length, kept.text.length);
    }
    const discard = form.querySelector('[data-action="discard-reply"]');
    discard.hidden = !kept;
    if (kept) this.drafts.changed(); // open here now: the notice need not offer it
    new TextLimit(textarea, { max: this.max, count: form.querySelector(".text-count") });
    const label = form.querySelector("label").textContent;
    textarea.addEventListener("input", () => {
      if (!this.drafts) return;
      if (textarea.value.trim()) this.drafts.set(scope, { type: "reply", parent: item.id, label, text: textarea.value });
      else this.drafts.remove(scope);
      discard.hidden = !textarea.value.trim();
    });
    textarea.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault();
      event.stopPropagation();
      this.closing("cancel-reply", textarea);
      this.close(textarea);
    });
  }

  // Cancel keeps the draft; Discard asks first. False when the reader changed their mind.
  closing(action, control) {
    const form = control.closest(".reply-form");
    const scope = replyScope(form.dataset.parent);
    const text = form.querySelector("textarea").value.trim();
    if (action === "discard-reply") {
      if (text && !window.confirm("Discard this reply? Its text will be gone.")) return false;
      this.drafts?.remove(scope);
      this.announce("Draft discarded.");
    } else if (this.drafts?.get(scope)) this.announce("Draft kept.");
    // The form goes next: the notice may now offer the draft back.
    requestAnimationFrame(() => this.drafts?.changed());
    return true;
  }
}

// --- the notice ----------------------------------------------------------------------------

// "You have an unsaved draft on “…” — Resume / Discard", above the text, for every draft of
// this reader on this reading that is not open right now.
export class DraftNotice {
  constructor(anchor, { drafts, index, compose, edit, isOpen, announce }) {
    this.anchor = anchor;
    this.drafts = drafts;
    this.index = index;
    this.compose = compose;
    this.edit = edit;
    this.isOpen = isOpen;
    this.announce = announce;
    this.box = null;
    drafts.onChange(() => this.render());
  }

  // The first render says so to screen readers too.
  start() {
    const count = this.render();
    if (count) {
      this.announce(`You have ${plural(count, "unsaved draft")} on this reading: Resume or Discard above the text.`);
    }
  }

  shown() {
    return this.drafts.list().filter((draft) => {
      if (this.isOpen(draft.scope)) return false;
      if (draft.type === "reply") return !document.querySelector(`.reply-form[data-parent="${draft.parent}"]`);
      return true;
    });
  }

  render() {
    const drafts = this.shown();
    if (!drafts.length) {
      this.box?.remove();
      this.box = null;
      return 0;
    }
    if (!this.box) {
      this.box = el("section", { className: "drafts-notice d-print-none", "aria-labelledby": "drafts-notice-title" });
      this.anchor.after(this.box);
    }
    const title = el("p", {
      className: "drafts-notice-title",
      id: "drafts-notice-title",
      text: drafts.length === 1 ? "You have an unsaved draft" : `You have ${drafts.length} unsaved drafts`,
    });
    const list = el("ul", { className: "drafts-list" });
    for (const draft of drafts) list.append(this.row(draft));
    this.box.replaceChildren(title, list);
    return drafts.length;
  }

  row(draft) {
    const what = describe(draft);
    const li = el("li", { className: "drafts-item" });
    const text = el("span", { className: "drafts-what" }, what);
    li.append(text);
    const place = draft.type === "passage" ? locate(this.index, draft) : null;
    const lost = draft.type === "passage" && !place;
    const buttons = el("span", { className: "drafts-actions" });
    if (lost) {
      text.append(" — those words are no longer in the text.");
      const copy = el("details", { className: "drafts-text" }, el("summary", { text: "Show the text" }));
      copy.append(el("textarea", { className: "form-control form-control-sm", readOnly: true, rows: 4, value: draft.text, "aria-label": "The draft's text" }));
      li.append(copy);
    } else {
      const resume = el("button", { type: "button", className: "btn btn-sm btn-primary", text: "Resume" });
      resume.append(el("span", { className: "visually-hidden", text: ` ${what}` }));
      resume.addEventListener("click", () => this.resume(draft, place));
      buttons.append(resume);
    }
    const discard = el("button", { type: "button", className: "btn btn-sm btn-outline-secondary", text: "Discard" });
    discard.append(el("span", { className: "visually-hidden", text: ` ${what}` }));
    discard.addEventListener("click", () => this.discard(draft));
    buttons.append(discard);
    li.append(buttons);
    return li;
  }

  resume(draft, place) {
    if (draft.type === "passage") {
      // Found somewhere else (the text was revised): the draft moves to the words' new place.
      const scope = passageScope(place);
      if (scope !== draft.scope) {
        this.drafts.set(scope, { ...draft, described: place, quote: place.exact });
        this.drafts.remove(draft.scope);
      }
      this.compose(place);
    } else if (draft.type === "reply") {
      const button = document.querySelector(`button[data-action="reply"][data-id="${draft.parent}"]`);
      if (!button) {
        this.announce("That post is not shown now (a filter may hide it, or it takes no replies).");
        return;
      }
      button.scrollIntoView({ block: "center" });
      button.click();
    } else if (!this.edit(draft.post)) {
      this.announce("That post can no longer be edited here.");
    }
  }

  discard(draft) {
    if (!window.confirm(`Discard ${describe(draft, { lower: true })}? Its text will be gone.`)) return;
    this.drafts.remove(draft.scope);
    this.announce("Draft discarded.");
    // The list was drawn again: focus stays in it while drafts are left.
    this.box?.querySelector("button")?.focus();
  }
}

function describe(draft, { lower = false } = {}) {
  const quote = `“${truncate(draft.quote || draft.described?.exact || "", 80)}”`;
  let what;
  if (draft.type === "passage") what = `A draft on ${quote}`;
  else if (draft.type === "reply") what = /^Reply to /.test(draft.label || "") ? `A r${draft.label.slice(1)}` : "A reply";
  else what = `Changes to ${draft.label || "your post"}`;
  return lower ? what[0].toLowerCase() + what.slice(1) : what;
}

// Where a passage draft's words are in the text on this page: the same offsets if the text
// is the one it was written on, else the occurrence whose context matches best.
function locate(index, draft) {
  const d = draft.described;
  if (!d?.exact || !index) return null;
  const text = index.text;
  const start = index.unit(d.start);
  if (text.slice(start, start + d.exact.length) === d.exact) {
    return index.selectorsForUnits(start, start + d.exact.length);
  }
  let best = -1;
  let bestScore = -1;
  for (let at = text.indexOf(d.exact); at >= 0; at = text.indexOf(d.exact, at + 1)) {
    const before = text.slice(Math.max(0, at - (d.prefix || "").length), at);
    const after = text.slice(at + d.exact.length, at + d.exact.length + (d.suffix || "").length);
    const score = sharedEnd(before, d.prefix || "") + sharedStart(after, d.suffix || "");
    if (score > bestScore) [best, bestScore] = [at, score];
  }
  return best < 0 ? null : index.selectorsForUnits(best, best + d.exact.length);
}

function sharedStart(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n += 1;
  return n;
}

function sharedEnd(a, b) {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n += 1;
  return n;
}
