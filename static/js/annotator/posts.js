// Acting on one post in a thread, the margin's or a page comment's: reply, the "helpful"
// mark, deleting your own, and closing questions (questions.js). Writes go through the API; then the list is fetched again
// (app.js), except for the helpful mark, which changes one button in place.

import { newClientId } from "./api.js";
import { QuestionActions } from "./questions.js";
import { replyForm } from "./threads.js";

export class PostActions {
  // mentions: a Mentions (mentions.js) for the reply boxes, or null.
  constructor({ api, announce, reload, isPassageThread, mentions = null }) {
    this.api = api;
    this.mentions = mentions;
    this.announce = announce;
    this.reload = reload;
    this.isPassageThread = isPassageThread;
    this.questions = new QuestionActions({ api, announce, reload });
  }

  // Click on a button[data-action]; true when it was one of ours.
  click(action, item, button) {
    if (action === "reply") this.openReply(item, button);
    else if (action === "vote") this.vote(item, button);
    else if (action === "delete") this.remove(item, button);
    else if (action === "cancel-reply") this.cancelReply(button);
    else if (!this.questions.click(action, item, button)) return false;
    return true;
  }

  cancelReply(button) {
    const form = button.closest(".reply-form");
    const parent = form.dataset.parent;
    form.remove();
    document.querySelector(`button[data-action="reply"][data-id="${parent}"]`)?.focus();
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
    await this.reload();
    this.announce(`Your ${what} was deleted.`);
    // Focus stays near: the tombstone, else the top of its thread, else the list's heading.
    const near =
      document.getElementById(`annotation-${item.id}`) ||
      document.getElementById(`annotation-${item.thread}`) ||
      document.getElementById(this.isPassageThread(item.thread) ? "margin-title" : "comments-title");
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
    // Attached first, so that Escape with the list open closes only the list (drafts.js).
    form.picker = this.mentions?.attach(form.querySelector("textarea"), { parent: item.id, visibility: () => item.visibility });
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
      const sent = form.picker ? await form.picker.tokens(text) : text;
      const created = await this.api.reply(form.dataset.parent, { text: sent, client_id: form.clientId });
      await this.reload({ focus: `#annotation-${created.id}` });
      this.announce("Reply posted.");
    } catch (problem) {
      button.disabled = false;
      fail(problem.detail || problem.message);
    }
  }
}
