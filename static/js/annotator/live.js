// Live updates (annotations/live, docs/api.md): every 15 s while the page is visible, ask the
// server what changed since the cursor the list came with. Nothing moves under the reader's
// eyes: new, edited and removed posts wait behind "3 new posts — Show"; only changed
// counts (helpful marks, flags) are put in at once. The reader's own posts appear at once
// because saving loads the list again (app.js), which starts over from its cursor.

import { el } from "./dom.js";

const EVERY_MS = 15000;
const AT_MOST_MS = 5 * 60 * 1000; // the longest wait after repeated errors

function byPlace(a, b) {
  return a.created < b.created ? -1 : a.created > b.created ? 1 : a.id - b.id;
}

// What the reader would notice: a post's words, state or place; not its counts.
function shape(item) {
  return [item.updated, item.status, item.text, item.pinned, item.locked, item.placeholder, item.anchor_status].join("\u0000");
}

export function compare(before, after) {
  const old = new Map(before.map((item) => [item.id, item]));
  const now = new Set(after.map((item) => item.id));
  const found = { added: 0, edited: 0, removed: 0, counts: 0, first: null };
  for (const item of after) {
    const was = old.get(item.id);
    if (!was) {
      if (item.author?.is_me) continue; // one's own: drawn when it was saved
      found.added += 1;
      found.first ??= item.id;
    } else if (shape(was) !== shape(item)) found.edited += 1;
    else if (was.votes !== item.votes || was.flags !== item.flags || was.voted !== item.voted) found.counts += 1;
  }
  for (const item of before) if (!now.has(item.id)) found.removed += 1;
  return found;
}

// The list with each changed thread replaced by the server's copy of it.
export function merged(items, threads) {
  const changed = new Set(threads.map((thread) => thread.thread));
  const kept = items.filter((item) => !changed.has(item.thread));
  return kept.concat(...threads.map((thread) => thread.items)).sort(byPlace);
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

export function describe({ added, edited, removed }) {
  const parts = [];
  if (added) parts.push(plural(added, "new post", "new posts"));
  if (edited) parts.push(plural(edited, "post edited", "posts edited"));
  if (removed) parts.push(plural(removed, "post removed", "posts removed"));
  return parts.join(", ");
}

export class LiveUpdates {
  constructor({ api, readingId, margin, show, busy }) {
    this.api = api;
    this.readingId = readingId;
    this.show = show; // (items) => draws them, as a load does
    this.busy = busy; // () => whether the reader is writing in the margin (no silent redraw)
    this.failures = 0;
    this.generation = 0;
    this.banner = el("div", { className: "live-banner", role: "status" });
    this.button = el("button", { type: "button", className: "btn btn-sm btn-outline-primary" });
    this.button.addEventListener("click", () => this.apply());
    this.banner.hidden = true;
    margin.querySelector(".margin-head")?.after(this.banner);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.due) this.poll();
    });
  }

  // A load drew `data` (the list) as of `cursor`: start from there.
  sync(cursor, data) {
    this.generation += 1;
    this.cursor = cursor || this.cursor;
    this.items = data.items || [];
    this.revision = data.revision;
    this.heldBack = data.held_back ?? null; // classmates' posts held back (heldback.js)
    this.pending = null;
    this.banner.hidden = true;
    this.banner.replaceChildren();
    if (this.cursor) this.schedule(EVERY_MS);
  }

  schedule(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), ms);
  }

  async poll() {
    if (document.hidden) {
      this.due = true; // a background tab asks nothing until it is looked at again
      return;
    }
    this.due = false;
    const generation = this.generation;
    try {
      const answer = await this.api.changes(this.readingId, this.cursor);
      this.failures = 0;
      if (answer && generation === this.generation) await this.received(answer, generation);
    } catch {
      this.failures += 1; // the server or the network: wait longer each time
      this.schedule(Math.min(AT_MOST_MS, EVERY_MS * 2 ** this.failures));
      return;
    }
    this.schedule(EVERY_MS);
  }

  async received(answer, generation) {
    const base = this.pending || this.items;
    let items;
    if (answer.reset || answer.others) {
      // Too much changed, or something this reader saw may be gone: the whole list.
      const { data } = await this.api.listing(this.readingId);
      items = data.items || [];
      this.revision = data.revision ?? this.revision;
      this.heldBack = data.held_back ?? null;
    } else items = merged(base, answer.threads);
    if (generation !== this.generation) return; // a load drew something newer meanwhile
    this.cursor = answer.cursor;
    const found = compare(this.items, items);
    if (!found.added && !found.edited && !found.removed) {
      if (found.counts && !this.busy()) this.draw(items);
      else if (found.counts) this.pending = items; // drawn with the next change or load
      return;
    }
    this.pending = items;
    this.first = found.first;
    this.button.textContent = `${describe(found)} — Show`;
    this.banner.replaceChildren(this.button);
    this.banner.hidden = false;
  }

  apply() {
    const first = this.first;
    if (this.pending) this.draw(this.pending);
    // The button is gone: focus goes to the first new post, or stays in the margin.
    const post = first && document.getElementById(`annotation-${first}`);
    const target = post?.closest(".thread-card") || post || this.banner.closest("#annotator-margin")?.querySelector("h2");
    if (target && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target?.focus();
  }

  draw(items) {
    const cursor = this.cursor;
    const data = { items, revision: this.revision, held_back: this.heldBack };
    this.show(data);
    this.sync(cursor, data);
  }
}
