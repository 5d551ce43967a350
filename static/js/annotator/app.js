// The reading page's annotator: loads every annotation the reader may see, paints the
// passages, lists threads in the margin and the numbered comments under the post, and turns
// selections into annotations. All writes go through the API, then the list is fetched
// again, so what the page shows is always what the server stored (and may show).

import { Api, newClientId } from "./api.js";
import { Discussion } from "./comments.js";
import { Composer } from "./composer.js";
import { KIND_LABELS, el, plural } from "./dom.js";
import { Filters } from "./filters.js";
import { Painter } from "./highlights.js";
import { CaretMode } from "./keyboard.js";
import { buildThreads, isFiltering, matches } from "./model.js";
import { selectorsFor } from "./offsets.js";
import { SelectionWatcher } from "./selection.js";
import { passageThread, replyForm } from "./threads.js";

const WIDE = window.matchMedia("(min-width: 992px)");
const REDUCED_MOTION = window.matchMedia("(prefers-reduced-motion: reduce)");
const INTERACTIVE = "a, button, input, textarea, select, label, summary, form, .reply-form";

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
    this.data = { passages: [], comments: [], nodes: new Map() };
    this.statusBox = document.getElementById("annotator-status");
    this.margin = document.getElementById("annotator-margin");
    this.threadList = this.margin.querySelector(".thread-list");
    this.marginEmpty = this.margin.querySelector(".margin-empty");
    this.marginCount = this.margin.querySelector(".margin-count");
    this.filters = new Filters(this.margin.querySelector(".annotator-filters"), {
      onChange: () => this.renderPassages(),
    });
    const section = document.getElementById("comments");
    this.discussion = new Discussion(section, {
      api: this.api,
      readingId: this.readingId,
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
  }

  setUpWriting(shell) {
    const bar = shell.querySelector(".annotator-bar");
    const float = shell.querySelector(".annotate-float");
    const dialog = document.getElementById("annotator-composer");
    if (!bar || !float || !dialog) return;
    bar.hidden = false;
    this.composer = new Composer(dialog, {
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
      onAnnotate: (described) => this.compose(described),
      onTooLong: () => this.announce("That passage is too long: select at most 5,000 characters."),
    });
    this.caret = new CaretMode({
      root: this.root,
      toggle: bar.querySelector(".caret-toggle"),
      help: bar.querySelector(".caret-help"),
      caret: shell.querySelector(".annotator-caret"),
      onAnnotate: () => this.watcher.annotate(),
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
  }

  async load({ first = false, focus = null } = {}) {
    let data;
    try {
      data = await this.api.annotations(this.readingId);
    } catch (error) {
      this.showLoadError(error);
      return;
    }
    if (first) performance.mark("annotator-fetched");
    // Offsets are only good against the text on this page, which is the page's revision.
    this.data = buildThreads(data.items || [], {
      index: this.painter.index,
      revision: this.revision,
      latest: data.revision ?? this.revision,
    });
    this.noteRevision(data.revision);
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
    const { passages } = this.data;
    const filters = this.filters.state;
    this.filters.update(passages);
    const fragment = document.createDocumentFragment();
    for (const thread of shown) fragment.append(passageThread(thread));
    this.threadList.replaceChildren(fragment);
    this.threadList.classList.toggle("is-long", shown.length > 150);
    this.marginCount.textContent = isFiltering(filters)
      ? `${shown.length} of ${passages.length}`
      : passages.length
        ? String(passages.length)
        : "";
    this.marginEmpty.classList.remove("is-error");
    this.marginEmpty.hidden = shown.length > 0;
    this.marginEmpty.textContent = passages.length
      ? "No annotations match these filters."
      : this.canAnnotate
        ? "No annotations yet. Select a passage in the text to write the first."
        : "No annotations yet.";
    this.margin.hidden = false;
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
      opener: this.caret.enabled ? this.root : document.activeElement,
    });
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
      if (this.caret.enabled) selection.collapseToEnd();
      else selection.removeAllRanges();
      await this.load();
      this.announce(created.status === "pending" ? "Annotation saved; it awaits approval." : "Annotation saved.");
      const thread = this.threadElement(created.id);
      if (thread) {
        const passage = this.findThread(created.id)?.passage;
        if (passage?.current) this.painter.flash(passage.unitStart, passage.unitEnd);
        if (WIDE.matches) thread.scrollIntoView({ block: "nearest" });
      }
      if (this.caret.enabled) return this.root;
      return thread?.querySelector(".thread-card") || null;
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
      saveLabel: "Save changes",
      textLabel: what === "annotation" ? "Your annotation" : `Your ${what}`,
      context: { mode: "edit", item, passage },
    });
  }

  async remove(item, button) {
    const what = item.parent ? "reply" : item.kind === "comment" ? "comment" : "annotation";
    if (!window.confirm(`Delete your ${what}? Replies to it stay, under “This post was deleted”.`)) {
      return;
    }
    button.disabled = true;
    try {
      await this.api.remove(item.id);
    } catch (error) {
      button.disabled = false;
      this.announce(`Could not delete: ${error.detail || error.message}`);
      return;
    }
    await this.load();
    this.announce(`Your ${what} was deleted.`);
    // Focus stays near: the tombstone, else the top of its thread, else the list's heading.
    const near =
      document.getElementById(`annotation-${item.id}`) ||
      document.getElementById(`annotation-${item.thread}`) ||
      document.getElementById(this.findThread(item.thread) ? "margin-title" : "comments-title");
    near?.focus();
  }

  async vote(item, button) {
    const on = button.getAttribute("aria-pressed") !== "true";
    button.disabled = true;
    try {
      const result = await this.api.vote(item.id, on);
      item.votes = result.votes;
      item.voted = result.voted;
      button.setAttribute("aria-pressed", String(Boolean(result.voted)));
      button.querySelector(".vote-count").textContent = String(result.votes);
      this.announce(result.voted ? "Marked helpful." : "Helpful mark taken back.");
    } catch (error) {
      this.announce(`Could not save the mark: ${error.detail || error.message}`);
    } finally {
      button.disabled = false;
      button.focus();
    }
  }

  openReply(item, button) {
    const holder = button.closest(".post-card, .comment-thread");
    const existing = holder.querySelector(`:scope > .reply-form[data-parent="${item.id}"]`);
    if (existing) {
      existing.querySelector("textarea").focus();
      return;
    }
    const form = replyForm(item);
    form.clientId = newClientId();
    const row = button.closest(".post-actions");
    row.after(form);
    form.querySelector("textarea").focus();
  }

  async submitReply(form) {
    const textarea = form.querySelector("textarea");
    const error = form.querySelector(".reply-error");
    const text = textarea.value.trim();
    const fail = (message) => {
      error.textContent = message;
      error.hidden = !message;
      textarea.classList.toggle("is-invalid", Boolean(message));
      if (message) textarea.focus();
    };
    if (!text) return fail("Write something before posting.");
    fail("");
    const button = form.querySelector('[type="submit"]');
    button.disabled = true;
    try {
      const created = await this.api.reply(form.dataset.parent, { text, client_id: form.clientId });
      await this.load({ focus: `#annotation-${created.id}` });
      this.announce("Reply posted.");
    } catch (problem) {
      button.disabled = false;
      fail(problem.detail || problem.message);
    }
  }

  // --- reading -------------------------------------------------------------------------

  clicked(event) {
    const button = event.target.closest("button[data-action]");
    if (button) {
      const action = button.dataset.action;
      if (action === "cancel-reply") {
        const form = button.closest(".reply-form");
        const parent = form.dataset.parent;
        form.remove();
        document.querySelector(`button[data-action="reply"][data-id="${parent}"]`)?.focus();
        return;
      }
      const node = this.data.nodes.get(Number(button.dataset.id));
      if (!node) return;
      if (action === "reply") this.openReply(node.item, button);
      else if (action === "vote") this.vote(node.item, button);
      else if (action === "edit") this.edit(node.item);
      else if (action === "delete") this.remove(node.item, button);
      return;
    }
    const card = event.target.closest(".thread-card");
    if (!card || event.target.closest(INTERACTIVE)) return;
    // A reader selecting words in a thread is not asking to jump to the passage.
    if (!document.getSelection().isCollapsed) return;
    this.showPassage(Number(card.dataset.thread));
  }

  submitted(event) {
    const form = event.target.closest(".reply-form");
    if (!form) return;
    event.preventDefault();
    this.submitReply(form);
  }

  threadKey(event) {
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
    for (const active of this.threadList.querySelectorAll(".thread.is-active")) {
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
      for (const active of this.threadList.querySelectorAll(".thread.is-active")) active.classList.remove("is-active");
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
    return this.data.passages.find((thread) => thread.top.item.id === id);
  }

  threadElement(id) {
    return this.threadList.querySelector(`.thread[data-thread="${id}"]`);
  }

  restoreFocus(selector) {
    const target = document.querySelector(selector);
    if (!target) return;
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "nearest" });
  }

  // A link to #annotation-N names an element drawn after the page loaded: go to it now.
  goToHash() {
    const match = window.location.hash.match(/^#annotation-(\d+)$/);
    if (!match) return;
    const target = document.getElementById(`annotation-${match[1]}`);
    if (!target) return;
    target.classList.add("is-target");
    target.scrollIntoView({ block: "center" });
    const thread = this.findThread(Number(match[1]));
    if (thread?.passage.current) this.painter.flash(thread.passage.unitStart, thread.passage.unitEnd);
  }

  announce(message) {
    const box = this.statusBox;
    if (!box) return;
    box.textContent = "";
    clearTimeout(this.statusTimer);
    // A fresh text node in the next task, so a repeated message is announced again.
    requestAnimationFrame(() => {
      box.textContent = message;
      box.classList.add("is-visible");
    });
    this.statusTimer = setTimeout(() => {
      box.classList.remove("is-visible");
    }, 4000);
  }
}

// The bar a tap on a highlight brings up on narrow screens: whose annotation, and a button
// to go to its thread under the text.
class Peek {
  constructor(bar, { onShow }) {
    this.bar = bar;
    this.text = bar.querySelector(".peek-text");
    this.hits = [];
    bar.querySelector(".peek-show").addEventListener("click", () => {
      const hits = this.hits;
      this.hide();
      onShow(hits);
    });
    bar.querySelector(".peek-close").addEventListener("click", () => this.hide());
  }

  show(hits, nodes) {
    this.hits = hits;
    const item = nodes.get(hits[0].id)?.item;
    const who = item && !item.deleted ? ` by ${item.author.name}` : "";
    const more = hits.length > 1 ? ` and ${plural(hits.length - 1, "more")}` : "";
    this.text.textContent = `${KIND_LABELS[hits[0].kind] || "Annotation"}${who}${more}`;
    this.bar.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.hide(), 8000);
  }

  hide() {
    this.bar.hidden = true;
  }
}

// Resolves once a frame has been rendered: a task queued from requestAnimationFrame runs
// after that frame's paint.
function afterPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
