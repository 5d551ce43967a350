// The numbered discussion under the post. The server renders it and its form (the no-JS
// page); once the API answers, the list is redrawn from the API with replies and helpful
// marks, and the form posts through the API instead of reloading the page.

import { newClientId } from "./api.js";
import { el, plural } from "./dom.js";
import { commentThread } from "./threads.js";

export class Discussion {
  constructor(section, { api, readingId, announce, afterPost, mentions = null }) {
    this.section = section;
    this.api = api;
    this.readingId = readingId;
    this.announce = announce;
    this.afterPost = afterPost;
    this.heading = section.querySelector(".comments-title");
    this.form = section.querySelector(".comment-form");
    this.clientId = newClientId();
    if (this.form) this.form.addEventListener("submit", (event) => this.submit(event));
    this.picker = this.form && mentions?.attach(this.form.querySelector('[name="text"]'));
  }

  // Threads come pinned first, each with its number in posting order (model.js).
  render(comments) {
    const list = el("ol", { className: "comment-list" });
    comments.forEach((thread, i) => list.append(commentThread(thread, thread.number ?? i + 1)));
    // As the server counts: a deleted comment that still has replies keeps its number.
    this.heading.textContent = plural(comments.length, "comment");
    const old = this.section.querySelector(".comment-list");
    const empty = this.section.querySelector(".comments-empty");
    if (comments.length) {
      if (old) old.replaceWith(list);
      else (empty || this.heading).after(list);
      if (empty) empty.hidden = true;
    } else {
      old?.remove();
      if (empty) empty.hidden = false;
    }
  }

  async submit(event) {
    event.preventDefault();
    const textarea = this.form.querySelector('[name="text"]');
    const button = this.form.querySelector('[type="submit"]');
    const text = textarea.value.trim();
    if (!text) {
      this.error(textarea, "Write something before posting.");
      return;
    }
    button.disabled = true;
    this.error(textarea, "");
    try {
      const created = await this.api.create(this.readingId, {
        kind: "comment",
        text: this.picker ? await this.picker.tokens(text) : text,
        tags: [],
        visibility: "seminar",
        client_id: this.clientId,
      });
      this.clientId = newClientId();
      textarea.value = "";
      this.picker?.reset();
      await this.afterPost(created);
      this.announce("Comment posted.");
    } catch (error) {
      this.error(textarea, error.detail || error.message);
    } finally {
      button.disabled = false;
    }
  }

  error(textarea, message) {
    const box = this.form.querySelector(".comment-form-error");
    box.textContent = message;
    box.hidden = !message;
    textarea.classList.toggle("is-invalid", Boolean(message));
    if (message) {
      textarea.setAttribute("aria-invalid", "true");
      textarea.focus();
    } else textarea.removeAttribute("aria-invalid");
  }
}
