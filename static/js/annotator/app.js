// The reading page's annotator: loads every annotation the reader may see, paints the
// passages, lists threads in the margin (orphans apart: orphans.js) and the numbered comments
// under the post, and turns selections into annotations. All writes go through the API, then
// the list is fetched again, so what the page shows is always what the server stored (and
// may show). Flags and moderators' actions live in moderation.js.

import { Api, newClientId } from "./api.js";
import { Discussion } from "./comments.js";
import { Composer } from "./composer.js";
import { DraftNotice, Drafts, ReplyDrafts, editScope, passageScope } from "./drafts.js";
import { KIND_LABELS, el, truncate } from "./dom.js";
import { Filters } from "./filters.js";
import { HeldBack } from "./heldback.js";
import { Painter } from "./highlights.js";
import { CaretMode } from "./keyboard.js";
import { MarginLayout } from "./layout.js";
import { LiveUpdates } from "./live.js";
import { Mentions } from "./mentions.js";
import { goToHash, restoreFocus } from "./navigation.js";
import { buildThreads, isFiltering, matches } from "./model.js";
import { Moderation } from "./moderation.js";
import { selectorsFor } from "./offsets.js";
import { OrphanList, ReattachMode } from "./orphans.js";
import { Peek } from "./peek.js";
import { PostActions } from "./posts.js";
import { Scoring } from "./scoring.js";
import { SelectionWatcher } from "./selection.js";
import { passageThread } from "./threads.js";

const WIDE = window.matchMedia("(min-width: 992px)");
const REDUCED_MOTION = window.matchMedia("(prefers-reduced-motion: reduce)");
const INTERACTIVE = "a, button, input, textarea, select, label, summary, form, .mod-panel";

export function start() {
  const shell = document.getElementById("annotator");
  const root = document.getElementById("reading-body");
  if (!shell || !root) return null;
  const annotator = new Annotator(shell, root);
  annotator.load({ first: true });
  return annotator;
}

class Annotator {
  constructor(shell, root) {
    this.shell = shell;
    this.root = root;
    this.readingId = shell.dataset.reading;
    this.revision = root.dataset.revision;
    this.canAnnotate = shell.dataset.canAnnotate === "true";
    this.api = new Api(shell.dataset.api || "/api");
    this.painter = new Painter(root);
    this.data = { passages: [], orphans: [], comments: [], nodes: new Map() };
    this.statusBox = document.getElementById("annotator-status");
    this.margin = document.getElementById("annotator-margin");
    this.threadList = this.margin.querySelector(":scope > .thread-list");
    this.marginEmpty = this.margin.querySelector(".margin-empty");
    this.marginCount = this.margin.querySelector(".margin-count");
    this.filters = new Filters(this.margin.querySelector(".annotator-filters"), {
      onChange: () => this.renderPassages(),
    });
    // Instructors and TAs: a score control at the head of each student's thread.
    this.scoring = Scoring.fromShell(shell, {
      api: this.api,
      announce: (message) => this.announce(message),
    });
    this.orphans = new OrphanList(this.margin, {
      canEdit: shell.dataset.canEdit === "true",
      historyUrl: shell.dataset.historyUrl || "",
      decorate: this.scoring ? (element, thread) => this.scoring.decorate(element, thread) : null,
    });
    // Wide screens: each thread beside its passage.
    this.layout = new MarginLayout({
      list: this.threadList,
      painter: this.painter,
      media: WIDE,
      watch: [root.closest(".post") || root, this.margin.querySelector(".margin-head")],
    });
    // What is being written is kept in this browser until it is posted (drafts.js).
    const dialog = document.getElementById("annotator-composer");
    this.drafts = Drafts.forPage(dialog, this.readingId);
    this.mentions = this.canAnnotate ? new Mentions({ api: this.api, readingId: this.readingId, announce: (m) => this.announce(m) }) : null;
    this.replies = dialog && new ReplyDrafts({
      drafts: this.drafts,
      max: Number(dialog.dataset.maxChars) || 0,
      announce: (message) => this.announce(message),
      close: (control) => this.posts.cancelReply(control),
    });
    this.posts = new PostActions({
      api: this.replies ? this.replies.guard(this.api) : this.api,
      mentions: this.mentions,
      announce: (message) => this.announce(message),
      reload: (options) => this.load(options),
      isPassageThread: (id) => Boolean(this.findThread(id)),
    });
    this.heldBack = new HeldBack(document.getElementById("held-back"), { reload: () => this.load() });
    this.moderation = new Moderation({
      api: this.api,
      announce: (message, options) => this.announce(message, options),
      reload: (options) => this.load(options),
    });
    const section = document.getElementById("comments");
    this.discussion = new Discussion(section, {
      api: this.api,
      readingId: this.readingId,
      mentions: this.mentions,
      announce: (message) => this.announce(message),
      afterPost: async (created) => {
        await this.load();
        // Same-document navigation: scrolls to the new comment and matches :target.
        window.location.hash = `annotation-${created.id}`;
        document.getElementById(`annotation-${created.id}`)?.focus({ preventScroll: true });
      },
    });

    for (const container of [this.margin, section]) {
      container.addEventListener("click", (event) => this.clicked(event));
      container.addEventListener("submit", (event) => this.submitted(event));
    }
    this.margin.addEventListener("keydown", (event) => this.threadKey(event));
    section.addEventListener("keydown", (event) => this.moderation.keydown(event));
    this.margin.addEventListener("mouseover", (event) => this.hover(event));
    this.margin.addEventListener("focusin", (event) => this.hover(event));
    const unhover = () => {
      this.hovered = null;
      this.painter.setHover(null);
    };
    this.margin.addEventListener("mouseleave", unhover);
    this.margin.addEventListener("focusout", unhover);
    root.addEventListener("click", (event) => this.textClicked(event));
    this.peek = new Peek(document.querySelector(".annotation-peek"), {
      onShow: (hits) => this.focusThread(hits[0].id, hits),
    });
    document.addEventListener("selectionchange", () => {
      if (!document.getSelection().isCollapsed) this.peek.hide();
    });

    if (this.canAnnotate) this.setUpWriting(shell);
    this.live = new LiveUpdates({
      api: this.api,
      readingId: this.readingId,
      margin: this.margin,
      show: (data) => this.draw(data),
      busy: () => Boolean(document.querySelector(".reply-form, .mod-panel") || this.composer?.isOpen),
    });
    window.addEventListener("hashchange", () => this.goToHash());
  }

  setUpWriting(shell) {
    const bar = shell.querySelector(".annotator-bar");
    const float = shell.querySelector(".annotate-float");
    const dialog = document.getElementById("annotator-composer");
    if (!bar || !float || !dialog) return;
    bar.hidden = false;
    this.composer = new Composer(dialog, {
      drafts: this.drafts,
      mentions: this.mentions,
      announce: (message) => this.announce(message),
      onSubmit: (values, context) => this.save(values, context),
      onClose: () => {
        this.painter.setDraft(null);
        this.watcher.pause(false);
      },
    });
    this.watcher = new SelectionWatcher({
      root: this.root,
      float,
      painter: this.painter,
      onAnnotate: (described) => (this.reattach?.active ? this.attach(described) : this.compose(described)),
      onTooLong: () => this.announce("That passage is too long: select at most 5,000 characters."),
    });
    this.caret = new CaretMode({
      root: this.root,
      toggle: bar.querySelector(".caret-toggle"),
      help: bar.querySelector(".caret-help"),
      caret: shell.querySelector(".annotator-caret"),
      skip: document.getElementById("skip-to-reading"),
      onAnnotate: () => this.watcher.annotate({ live: true }),
      onCaretEnter: (node, offset) => {
        // The caret sits between characters: the one after it, else the one before.
        const unit = this.painter.index.unitOf(node, offset);
        let hits = this.painter.unitsAt(unit);
        if (!hits.length && unit > 0) hits = this.painter.unitsAt(unit - 1);
        if (hits.length) this.focusThread(hits[0].id, hits);
        else this.announce("No annotation here. Select text with Shift and the arrow keys.");
      },
      announce: (message) => this.announce(message),
    });
    this.reattach = new ReattachMode({
      watcher: this.watcher,
      caret: this.caret,
      announce: (message) => this.announce(message),
    });
    if (!this.drafts) return;
    this.draftNotice = new DraftNotice(bar, {
      drafts: this.drafts,
      index: this.painter.index,
      compose: (described) => this.compose(described),
      edit: (id) => {
        const item = this.data.nodes.get(id)?.item;
        const editable = Boolean(item?.can_edit && !item.deleted);
        if (editable) this.edit(item);
        return editable;
      },
      isOpen: (scope) => this.composer.openScope === scope,
      announce: (message) => this.announce(message),
    });
    this.draftNotice.start();
  }

  async load({ first = false, focus = null } = {}) {
    let listed;
    try {
      listed = await this.api.listing(this.readingId);
    } catch (error) {
      this.showLoadError(error);
      return;
    }
    if (first) performance.mark("annotator-fetched");
    this.live.sync(listed.cursor, listed.data);
    await this.draw(listed.data, { first, focus });
  }

  // Draws the list's items (a load's, or live updates' when the reader asks for them).
  async draw(data, { first = false, focus = null } = {}) {
    // Offsets are only good against the text on this page, which is the page's revision.
    this.data = buildThreads(data.items || [], {
      index: this.painter.index,
      revision: this.revision,
      latest: data.revision ?? this.revision,
    });
    this.noteRevision(data.revision);
    this.heldBack.update(data.held_back);
    const shown = this.paintPassages();
    if (first) {
      // The text and its highlights first; the margin (maybe thousands of threads) after.
      performance.mark("annotator-highlights-set");
      await afterPaint();
      performance.mark("annotator-painted");
      document.body.dataset.annotatorReady = String(Math.round(performance.now()));
    }
    this.renderMargin(shown);
    this.discussion.render(this.data.comments);
    this.draftNotice?.render(); // a reply box open before is gone: its draft is offered
    if (this.reattach?.active && !this.findThread(this.reattach.item.id)) this.reattach.stop();
    if (first) performance.mark("annotator-margin-built");
    if (focus) this.restoreFocus(focus);
    if (first) this.goToHash();
  }

  noteRevision(current) {
    const stale = current !== undefined && current !== null && String(current) !== this.revision;
    let notice = this.margin.querySelector(".margin-notice");
    if (!stale) {
      notice?.remove();
      return;
    }
    if (notice) return;
    notice = el(
      "p",
      { className: "margin-notice", role: "status" },
      "The instructor revised this reading since you opened it. ",
      el("a", { href: window.location.pathname, text: "Reload the page" }),
      " to see the annotations on the new text.",
    );
    this.margin.querySelector(".margin-head").after(notice);
  }

  showLoadError(error) {
    this.margin.hidden = false;
    this.marginEmpty.hidden = false;
    this.marginEmpty.textContent = `Annotations could not be loaded: ${error.detail || error.message}`;
    this.marginEmpty.classList.add("is-error");
  }

  renderPassages() {
    this.renderMargin(this.paintPassages());
  }

  // Paints the passages of the threads the filters let through; returns those threads.
  paintPassages() {
    const shown = this.data.passages.filter((thread) => matches(thread, this.filters.state));
    this.painter.paint(
      shown
        .filter((thread) => thread.passage.current)
        .map((thread) => ({
          id: thread.top.item.id,
          kind: thread.top.item.kind,
          unitStart: thread.passage.unitStart,
          unitEnd: thread.passage.unitEnd,
        })),
    );
    return shown;
  }

  renderMargin(shown) {
    const { passages, orphans } = this.data;
    const filters = this.filters.state;
    const all = passages.concat(orphans);
    this.filters.update(all);
    const fragment = document.createDocumentFragment();
    for (const thread of shown) {
      const element = passageThread(thread);
      this.scoring?.decorate(element, thread);
      fragment.append(element);
    }
    this.threadList.replaceChildren(fragment);
    this.threadList.classList.toggle("is-long", shown.length > 150);
    const shownOrphans = orphans.filter((thread) => matches(thread, filters));
    this.orphans.render(shownOrphans, orphans.length);
    const count = shown.length + shownOrphans.length;
    this.marginCount.textContent = isFiltering(filters)
      ? `${count} of ${all.length}`
      : all.length
        ? String(all.length)
        : "";
    this.marginEmpty.classList.remove("is-error");
    this.marginEmpty.hidden = shown.length > 0;
    this.marginEmpty.textContent = this.emptyMessage(filters);
    this.margin.hidden = false;
    // Where each card goes beside the text: pinned threads stay at the top, where pinning
    // put them; threads whose words are not in this text follow the card before them.
    const anchors = new Map();
    for (const thread of shown) {
      if (!thread.passage.current || thread.top.item.pinned) continue;
      const { unitStart, unitEnd } = thread.passage;
      anchors.set(String(thread.top.item.id), { unitStart, unitEnd });
    }
    this.layout.update(anchors);
  }

  emptyMessage(filters) {
    const { passages, orphans } = this.data;
    if (isFiltering(filters) && passages.length) {
      return `No annotations${orphans.length ? " on the current text" : ""} match these filters.`;
    }
    if (orphans.length) return "No annotations on the current text yet.";
    return this.canAnnotate
      ? "No annotations yet. Select a passage in the text to write the first."
      : "No annotations yet.";
  }

  // --- writing -------------------------------------------------------------------------

  compose(described) {
    this.watcher.pause(true);
    this.painter.setDraft(described.unitStart, described.unitEnd);
    this.composer.open({
      heading: "Annotate this passage",
      quote: described.exact,
      passage: true,
      saveLabel: "Save annotation",
      context: { mode: "create", described, clientId: newClientId() },
      draft: { scope: passageScope(described), type: "passage", quote: described.exact, described, revision: this.revision },
      opener: this.caret.enabled ? this.root : document.activeElement,
    });
  }

  // Re-attach mode's "Attach here": the orphan moves to the selected words.
  async attach(described) {
    const { item } = this.reattach;
    this.watcher.pause(true);
    try {
      await this.api.reattach(item.id, selectorsFor(described));
    } catch (error) {
      this.watcher.pause(false);
      this.announce(`Not re-attached: ${error.detail || error.message}`, { long: true });
      return;
    }
    this.watcher.pause(false);
    this.reattach.stop();
    const selection = document.getSelection();
    if (this.caret.enabled) this.caret.collapseToEnd();
    else selection.removeAllRanges();
    await this.load();
    const passage = this.findThread(item.id)?.passage;
    if (passage?.current) this.painter.flash(passage.unitStart, passage.unitEnd);
    this.announce(`Re-attached to “${truncate(described.exact, 60)}”.`);
    const thread = this.threadElement(item.id);
    if (this.caret.enabled) this.root.focus({ preventScroll: true });
    else if (thread) {
      thread.querySelector(".thread-card").focus({ preventScroll: true });
      if (WIDE.matches) thread.scrollIntoView({ block: "nearest" });
    }
  }

  async save(values, context) {
    if (context.mode === "create") {
      const created = await this.api.create(this.readingId, {
        kind: values.kind,
        text: values.text,
        tags: values.tags,
        visibility: values.visibility,
        client_id: context.clientId,
        target: { selector: selectorsFor(context.described) },
      });
      const selection = document.getSelection();
      if (this.caret.enabled) this.caret.collapseToEnd();
      else selection.removeAllRanges();
      await this.load();
      const saved = `${KIND_LABELS[created.kind] || "Annotation"} saved`;
      const back = this.caret.enabled ? " Escape goes back to the text." : "";
      this.announce(`${saved}${created.status === "pending" ? "; it awaits approval." : "."}${back}`);
      const passage = this.findThread(created.id)?.passage;
      if (passage?.current) this.painter.flash(passage.unitStart, passage.unitEnd);
      // Focus goes to the new post, so a screen reader reads what was saved and the reader
      // can go on to reply or edit; in keyboard mode Escape there goes back to the caret.
      // No smooth scroll: under the text on a phone it is a long way, and the page would
      // still be moving when the reader starts to type.
      const post = document.getElementById(`annotation-${created.id}`);
      post?.scrollIntoView({ block: WIDE.matches ? "nearest" : "center", behavior: "instant" });
      return post || (this.caret.enabled ? this.root : null);
    }
    const { item } = context;
    const changes = { text: values.text };
    if (context.passage) Object.assign(changes, { kind: values.kind, tags: values.tags, visibility: values.visibility });
    await this.api.update(item.id, changes);
    await this.load();
    this.announce("Changes saved.");
    return document.getElementById(`annotation-${item.id}`);
  }

  edit(item) {
    const passage = !item.parent && item.kind !== "comment";
    const what = item.parent ? "reply" : item.kind === "comment" ? "comment" : "annotation";
    const quote = passage ? this.findThread(item.id)?.passage.exact : "";
    this.composer.open({
      heading: `Edit your ${what}`,
      quote,
      passage,
      kind: item.kind,
      text: item.text,
      tags: item.tags,
      visibility: item.visibility,
      parent: item.parent,
      saveLabel: "Save changes",
      textLabel: what === "annotation" ? "Your annotation" : `Your ${what}`,
      context: { mode: "edit", item, passage },
      draft: { scope: editScope(item.id), type: "edit", post: item.id, label: `your ${what}${quote ? ` on “${truncate(quote, 60)}”` : ""}` },
    });
  }

  // --- reading -------------------------------------------------------------------------

  clicked(event) {
    const button = event.target.closest("button[data-action]");
    if (button) {
      const action = button.dataset.action;
      if (action === "cancel-reply" || action === "discard-reply") {
        if (this.replies?.closing(action, button) !== false) this.posts.cancelReply(button);
        return;
      }
      const node = this.data.nodes.get(Number(button.dataset.id));
      if (!node) return;
      if (this.scoring?.click(action, node.item, button)) return;
      if (this.posts.click(action, node.item, button)) {
        if (action === "reply") this.replies?.opened(node.item);
        return;
      }
      if (this.moderation.click(action, node.item, button)) return;
      if (action === "reattach") this.startReattach(node.item, button);
      else if (action === "edit") this.edit(node.item);
      return;
    }
    const card = event.target.closest(".thread-card");
    if (!card || event.target.closest(INTERACTIVE)) return;
    // A reader selecting words in a thread is not asking to jump to the passage.
    if (!document.getSelection().isCollapsed) return;
    this.showPassage(Number(card.dataset.thread));
  }

  submitted(event) {
    const form = event.target.closest("form");
    if (!form || !form.closest(".thread, .comment-thread")) return;
    event.preventDefault();
    const item = this.data.nodes.get(Number(form.dataset.id))?.item;
    if (form.matches(".reply-form")) this.posts.submitReply(form);
    else if (item && this.scoring?.submit(form, item)) return;
    else this.moderation.submit(form, item);
  }

  startReattach(item, button) {
    if (!this.reattach) return;
    const passage = this.findThread(item.id)?.passage;
    this.reattach.start(item, passage?.exact, button);
  }

  threadKey(event) {
    this.scoring?.keydown(event);
    if (event.defaultPrevented) return;
    this.moderation.keydown(event);
    if (event.defaultPrevented) return;
    // Keyboard mode: Escape from a thread (not from something being written) goes back to
    // the caret in the text, where the next passage is a few keys away.
    const writing = event.target.closest("input, textarea, select, form, .mod-panel");
    if (event.key === "Escape" && this.caret?.enabled && !this.reattach?.active && !writing) {
      event.preventDefault();
      this.caret.returnToText();
      return;
    }
    const card = event.target.closest(".thread-card");
    if (!card || event.target !== card) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.showPassage(Number(card.dataset.thread));
    }
  }

  hover(event) {
    const card = event.target.closest?.(".thread-card") || null;
    if (card === this.hovered) return; // mouseover fires for every child the pointer crosses
    this.hovered = card;
    const thread = card && this.findThread(Number(card.dataset.thread));
    if (thread?.passage.current) this.painter.setHover(thread.passage.unitStart, thread.passage.unitEnd);
    else this.painter.setHover(null);
  }

  textClicked(event) {
    if (!document.getSelection().isCollapsed || this.composer?.isOpen) return;
    const hits = this.painter.itemsAt(event.clientX, event.clientY);
    if (!hits.length) this.peek.hide();
    else if (WIDE.matches) this.focusThread(hits[0].id, hits);
    // Narrow screens keep the threads under the text: a tap offers the jump, not forces it.
    else this.peek.show(hits, this.data.nodes);
  }

  focusThread(id, hits = []) {
    for (const active of this.margin.querySelectorAll(".thread.is-active")) {
      active.classList.remove("is-active");
    }
    for (const hit of hits) this.threadElement(hit.id)?.classList.add("is-active");
    const thread = this.threadElement(id);
    if (!thread) return;
    thread.classList.add("is-active");
    const card = thread.querySelector(".thread-card");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: WIDE.matches ? "nearest" : "start", behavior: REDUCED_MOTION.matches ? "auto" : "smooth" });
    if (hits.length > 1) this.announce(`${hits.length} annotations on this passage.`);
    setTimeout(() => {
      for (const active of this.margin.querySelectorAll(".thread.is-active")) active.classList.remove("is-active");
    }, 2500);
  }

  showPassage(id) {
    const thread = this.findThread(id);
    if (!thread) return;
    if (!thread.passage.current) {
      this.announce("This passage is not in the current text.");
      return;
    }
    const { unitStart, unitEnd } = thread.passage;
    const range = this.painter.index.rangeForUnits(unitStart, unitEnd);
    const rect = range.getBoundingClientRect();
    const top = window.scrollY + rect.top - Math.max(80, window.innerHeight / 3);
    window.scrollTo({ top: Math.max(0, top), behavior: REDUCED_MOTION.matches ? "auto" : "smooth" });
    this.painter.flash(unitStart, unitEnd);
    this.announce("Passage shown in the text.");
  }

  findThread(id) {
    const same = (thread) => thread.top.item.id === id;
    return this.data.passages.find(same) || this.data.orphans.find(same);
  }

  threadElement(id) {
    return this.margin.querySelector(`.thread[data-thread="${id}"]`);
  }

  restoreFocus(selectors) {
    restoreFocus(selectors);
  }

  goToHash() {
    goToHash({ findThread: (id) => this.findThread(id), painter: this.painter });
  }

  // The live region, shown briefly too; `long` keeps a message that needs reading longer.
  announce(message, { long = false } = {}) {
    const box = this.statusBox;
    if (!box) return;
    box.textContent = "";
    clearTimeout(this.statusTimer);
    // A fresh text node in the next task, so a repeated message is announced again.
    requestAnimationFrame(() => {
      box.textContent = message;
      box.classList.add("is-visible");
    });
    this.statusTimer = setTimeout(
      () => {
        box.classList.remove("is-visible");
      },
      long ? 8000 : 4000,
    );
  }
}

// Resolves once a frame has been rendered: a task queued from requestAnimationFrame runs
// after that frame's paint.
function afterPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
