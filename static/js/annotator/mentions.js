// @mentions in every box where people write (the composer, reply boxes, the comment form).
// Typing "@" offers the seminar's members as the writer may name them (the API names them:
// pseudonyms where peers see pseudonyms), filtered as they type; Up and Down move, Enter or
// Tab picks, Escape closes the list and nothing else. The box shows "@Name"; what is sent is
// the token the server stores, "@[member:<id>]" (docs/api.md), so a name is never the
// reference. Under the box, a line says who a mention will not reach and why, in the
// server's words (who can see what is its rule: annotations/mentions.py).
//
// A textarea may not be an ARIA combobox, so this is the textbox form of that pattern: the
// box owns the listbox (aria-controls) and names the active option (aria-activedescendant).

import { el } from "./dom.js";

const MAX_QUERY = 40;
const MAX_SHOWN = 8;
const TOKEN = /@\[member:(\d+)\]/g;
let lists = 0;

export function hasMention(text) {
  return /@\[member:\d+\]/.test(text);
}

function fold(text) {
  return text.toLocaleLowerCase();
}

// As the server filters (mentions._matches): the name or one of its words starts so.
function matches(name, query) {
  if (!query) return true;
  const folded = fold(name);
  return folded.startsWith(query) || folded.split(/\s+/).some((word) => word.startsWith(query));
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// The members of one reading as the writer may name them, fetched once per reply context.
export class Mentions {
  constructor({ api, readingId, announce = () => {} }) {
    this.api = api;
    this.readingId = readingId;
    this.announce = announce;
    this.lists = new Map();
  }

  // {id, name, role, unreached: {visibility: why}} for a new post, or a reply to `parent`.
  members(parent = null) {
    const key = parent ? String(parent) : "";
    if (!this.lists.has(key)) {
      const query = parent ? `?parent=${encodeURIComponent(parent)}` : "";
      const list = this.api.request("GET", `/readings/${this.readingId}/members${query}`).catch(() => {
        this.lists.delete(key); // asked again next time
        return [];
      });
      this.lists.set(key, list);
    }
    return this.lists.get(key);
  }

  // "@[member:12]" -> "@Name", for a text the server sent (an edit).
  async display(text, parent = null) {
    if (!hasMention(text)) return text;
    const byId = new Map((await this.members(parent)).map((m) => [String(m.id), m.name]));
    return text.replace(TOKEN, (token, id) => (byId.has(id) ? `@${byId.get(id)}` : token));
  }

  // "@Name" -> "@[member:12]", for what is sent. `picked` (name -> id) settles two members
  // of the same name; a name two share and nobody picked stays words.
  async tokens(text, picked = new Map(), parent = null) {
    if (!text.includes("@")) return text;
    const ids = new Map(picked);
    const seen = new Map();
    for (const member of await this.members(parent)) seen.set(member.name, seen.has(member.name) ? null : member.id);
    for (const [name, id] of seen) if (!ids.has(name) && id !== null) ids.set(name, id);
    if (!ids.size) return text;
    const names = [...ids.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    const pattern = new RegExp(`@(${names.join("|")})(?![\\p{L}\\p{N}])`, "gu");
    return text.replace(pattern, (_, name) => `@[member:${ids.get(name)}]`);
  }

  // A picker on `textarea`; `visibility()` says who the post is for, `parent` whom it answers.
  attach(textarea, { visibility = () => "seminar", parent = null, note = null } = {}) {
    return new MentionPicker(textarea, { mentions: this, visibility, parent, note });
  }
}

export class MentionPicker {
  constructor(textarea, { mentions, visibility, parent, note }) {
    this.textarea = textarea;
    this.mentions = mentions;
    this.visibility = visibility;
    this.parent = parent;
    this.picked = new Map();
    this.options = [];
    this.active = -1;
    lists += 1;
    this.list = el("ul", { className: "mention-list", role: "listbox", id: `mention-list-${lists}`, hidden: true, "aria-label": "People to mention" });
    textarea.after(this.list);
    // Who will not hear of it: under the box's other notes (the caller's `note`, else here).
    this.warning = el("p", { className: "mention-warning form-text", "aria-live": "polite", hidden: true });
    (note || this.list).after(this.warning);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.addEventListener("input", () => this.changed());
    textarea.addEventListener("keydown", (event) => this.keydown(event));
    textarea.addEventListener("blur", () => this.close());
    textarea.addEventListener("click", () => this.changed());
    // Pressed, not clicked: the box keeps the focus (and the caret) while a name is picked.
    this.list.addEventListener("mousedown", (event) => {
      const option = event.target.closest('[role="option"]');
      if (!option) return;
      event.preventDefault();
      this.pick(Number(option.dataset.index));
    });
  }

  get isOpen() {
    return !this.list.hidden;
  }

  // The "@…" being typed just before the caret: {start, query}, or null.
  typing() {
    const { value, selectionStart, selectionEnd } = this.textarea;
    if (selectionStart !== selectionEnd) return null;
    const before = value.slice(0, selectionStart);
    const at = before.lastIndexOf("@");
    if (at < 0 || (at > 0 && !/[\s(“"'‘]/.test(before[at - 1]))) return null;
    const query = before.slice(at + 1);
    if (query.length > MAX_QUERY || /[\n@[\]]/.test(query)) return null;
    return { start: at, query: fold(query.replace(/\s+/g, " ")) };
  }

  async changed() {
    this.warn();
    const typed = this.typing();
    if (!typed) {
      this.close();
      return;
    }
    const members = await this.mentions.members(this.parent);
    if (JSON.stringify(this.typing()) !== JSON.stringify(typed)) return; // typed on meanwhile
    const found = members.filter((m) => matches(m.name, typed.query)).slice(0, MAX_SHOWN);
    if (!found.length) {
      this.close();
      return;
    }
    this.show(found, typed);
  }

  show(found, typed) {
    const same = this.isOpen && found.length === this.options.length && found.every((m, i) => m.id === this.options[i].id);
    this.options = found;
    this.typed = typed;
    if (!same) this.active = 0;
    this.list.replaceChildren(
      ...found.map((member, i) =>
        el(
          "li",
          { role: "option", id: `${this.list.id}-${i}`, className: "mention-option", dataset: { index: String(i) }, "aria-selected": i === this.active },
          member.name,
          member.role && member.role !== "student" ? el("span", { className: "mention-role", text: member.role === "ta" ? " TA" : " Instructor" }) : null,
        ),
      ),
    );
    this.list.hidden = false;
    this.textarea.setAttribute("aria-controls", this.list.id);
    this.highlight();
    if (!same) this.mentions.announce(`${found.length} ${found.length === 1 ? "person matches" : "people match"}: Up and Down to choose, Enter to mention.`);
  }

  highlight() {
    this.list.querySelectorAll('[role="option"]').forEach((option, i) => {
      option.setAttribute("aria-selected", String(i === this.active));
      if (i === this.active) option.scrollIntoView({ block: "nearest" });
    });
    this.textarea.setAttribute("aria-activedescendant", `${this.list.id}-${this.active}`);
  }

  close() {
    if (!this.isOpen) return;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.options = [];
    this.textarea.removeAttribute("aria-activedescendant");
    this.textarea.removeAttribute("aria-controls");
  }

  keydown(event) {
    if (!this.isOpen || event.ctrlKey || event.metaKey || event.altKey) return;
    const moves = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves) {
      this.active = (this.active + moves[event.key] + this.options.length) % this.options.length;
      this.highlight();
    } else if (event.key === "Enter" || (event.key === "Tab" && !event.shiftKey)) {
      this.pick(this.active);
    } else if (event.key === "Escape") {
      // The list only: the composer and the reply box stay open (and their Escape waits).
      this.close();
    } else return;
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  pick(index) {
    const member = this.options[index];
    if (!member || !this.typed) return;
    const { value, selectionStart } = this.textarea;
    const after = value.slice(selectionStart);
    const inserted = `@${member.name}${/^\s/.test(after) ? "" : " "}`;
    this.textarea.value = value.slice(0, this.typed.start) + inserted + after;
    const caret = this.typed.start + inserted.length;
    this.textarea.setSelectionRange(caret, caret);
    this.picked.set(member.name, member.id);
    this.close();
    this.mentions.announce(`${member.name} mentioned.`);
    // As if typed: drafts keep it, the counter counts it.
    this.textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // A new text in the box (the composer opened on a post or a draft): picks start afresh.
  reset() {
    this.picked.clear();
    this.close();
    this.warn();
  }

  tokens(text) {
    return this.mentions.tokens(text, this.picked, this.parent);
  }

  // "Sam Park won't be notified: they can't see a private note." for each such mention.
  async warn() {
    const text = this.textarea.value;
    const visibility = this.visibility();
    const members = text.includes("@") ? await this.mentions.members(this.parent) : [];
    const lines = members
      .filter((m) => m.unreached?.[visibility] && new RegExp(`@${escapeRegExp(m.name)}(?![\\p{L}\\p{N}])`, "u").test(text))
      .map((m) => `${m.name} won't be notified: ${m.unreached[visibility]}.`);
    const message = lines.join(" ");
    if (this.warning.textContent !== message) this.warning.textContent = message;
    this.warning.hidden = !message;
  }
}
