// One thread component for both places people talk: passage threads in the margin and the
// numbered page comments under the post. A thread is a tree of posts (see tree.js); replies
// nest three levels deep and anything deeper is shown at the third level, "in reply to" its
// parent's author. Buttons carry data-action and data-id; app.js handles them by delegation.

import {
  KIND_LABELS,
  ROLE_LABELS,
  VISIBILITY_LABELS,
  el,
  plural,
  sanitizedHtml,
  shortDate,
  timeElement,
  truncate,
} from "./dom.js";
import { questionBadges, questionButtons } from "./questions.js";

const MAX_LEVEL = 3;
const QUOTE_CHARS = 240;

function authorName(item) {
  return item.deleted || item.placeholder ? "" : item.author?.name || "Unknown";
}

// A placeholder stands for a post this reader may not see, above one of their own: it keeps
// the thread's shape and says why, with nothing of the post (annotations/permissions.py).
function placeholderText(item) {
  return item.status === "pending" ? "Awaiting a moderator's approval" : "Hidden by a moderator";
}

function badges(item) {
  const out = [];
  if (item.placeholder) return out;
  const role = item.author?.role;
  if (!item.deleted && ROLE_LABELS[role]) {
    out.push(el("span", { className: `author-role author-role-${role}`, text: ROLE_LABELS[role] }));
  }
  if (item.author?.is_me && !item.deleted) out.push(el("span", { className: "author-me", text: "you" }));
  if (item.edited && !item.deleted) {
    out.push(el("span", { className: "post-edited", text: "edited", title: `Edited ${shortDate(item.updated)}` }));
  }
  if (!item.parent && item.visibility && item.visibility !== "seminar") {
    out.push(
      el("span", {
        className: `post-visibility post-visibility-${item.visibility}`,
        text: VISIBILITY_LABELS[item.visibility] || item.visibility,
      }),
    );
  }
  if (!item.parent && item.pinned) out.push(el("span", { className: "post-pinned", text: "Pinned" }));
  if (!item.parent && item.locked) {
    out.push(el("span", { className: "post-status post-status-locked", text: "Locked", title: "No new replies" }));
  }
  if (item.status === "pending") {
    out.push(el("span", { className: "post-status post-status-pending", text: "Awaiting approval" }));
  }
  out.push(...questionBadges(item));
  // Open flags: the moderators' count (the API sends 0 to everyone else).
  if (item.flags > 0 && !item.deleted) {
    out.push(el("span", { className: "post-flags", text: plural(item.flags, "flag") }));
  }
  return out;
}

// A hidden post, as its author and the moderators see it: marked, with the moderator's reason
// (prominent for the author, who is the one it is written for).
function moderationNote(item) {
  if (item.status !== "hidden" || item.deleted || item.placeholder) return null;
  const mine = item.author?.is_me;
  const note = el(
    "div",
    { className: `moderation-note${mine ? " is-mine" : ""}` },
    el("p", { className: "moderation-note-title", text: "Hidden by a moderator" }),
  );
  if (item.moderation_reason) {
    note.append(
      el(
        "p",
        { className: "moderation-reason" },
        el("span", { className: "moderation-reason-label", text: "Reason: " }),
        item.moderation_reason,
      ),
    );
  }
  if (mine) {
    note.append(el("p", { className: "moderation-note-help", text: "Only you and the seminar's moderators can see this post now." }));
  }
  return note;
}

function body(item, className) {
  if (item.deleted) return el("p", { className: `${className} tombstone`, text: "This post was deleted" });
  if (item.placeholder) return el("p", { className: `${className} tombstone placeholder`, text: placeholderText(item) });
  const div = el("div", { className });
  div.append(sanitizedHtml(item.html));
  return div;
}

function tagList(item) {
  if (item.deleted || !item.tags?.length) return null;
  return el(
    "ul",
    { className: "tag-list", "aria-label": "Tagged" },
    item.tags.map((tag) => el("li", { className: "tag", text: tag })),
  );
}

function actionButton(action, item, label, hidden, extra = {}) {
  const button = el("button", {
    type: "button",
    className: `post-action post-action-${action}`,
    dataset: { action, id: String(item.id) },
    ...extra,
  });
  button.append(label);
  if (hidden) button.append(el("span", { className: "visually-hidden", text: hidden }));
  return button;
}

function helpfulButton(item) {
  const button = actionButton("vote", item, "Helpful", null, { "aria-pressed": Boolean(item.voted) });
  button.append(" ", el("span", { className: "vote-count", text: String(item.votes || 0) }));
  return button;
}

function actions(node) {
  const { item } = node;
  const who = authorName(item);
  const row = el("div", { className: "post-actions" });
  if (item.can_reply) row.append(actionButton("reply", item, "Reply", who ? ` to ${who}` : ""));
  if (!item.deleted && !item.placeholder) {
    if (!item.author?.is_me) row.append(helpfulButton(item));
    else if (item.votes) {
      const said = `${plural(item.votes, "person", "people")} found this helpful`;
      row.append(
        el(
          "span",
          { className: "vote-static", title: said },
          el("span", { className: "visually-hidden", text: said }),
          el("span", { "aria-hidden": "true", text: "Helpful " }, el("span", { className: "vote-count", text: String(item.votes) })),
        ),
      );
    }
  }
  // Not "reply": a button named "Edit your reply" would also answer to "Reply".
  const what = item.parent ? "post" : item.kind === "comment" ? "comment" : "annotation";
  if (item.can_edit && !item.deleted) row.append(actionButton("edit", item, "Edit", ` your ${what}`));
  if (item.can_delete && !item.deleted) row.append(actionButton("delete", item, "Delete", ` your ${what}`));
  if (item.flagged && !item.deleted) {
    row.append(el("span", { className: "post-flagged", text: "Flagged", title: "You flagged this post to the moderators" }));
  } else if (item.can_flag && !item.can_moderate) {
    // Moderators act on a post rather than report it to themselves.
    row.append(actionButton("flag", item, "Flag", who ? ` the post by ${who}` : " this post", { "aria-expanded": false }));
  }
  row.append(...questionButtons(item, actionButton));
  if (item.can_moderate) {
    const button = actionButton("moderate", item, "Moderate", who ? ` the post by ${who}` : " this post", {
      "aria-expanded": false,
    });
    button.classList.add("post-action-menu");
    row.append(button);
  }
  return row.childNodes.length ? row : null;
}

// A post in the margin or a reply anywhere.
function postCard(node, { inReplyTo = null, kindBadge = false } = {}) {
  const { item } = node;
  const card = el("div", {
    className: `post-card${item.deleted ? " is-deleted" : ""}${item.author?.is_me ? " is-mine" : ""}${item.status === "hidden" ? " is-hidden" : ""}${item.placeholder ? " is-placeholder" : ""}`,
    id: `annotation-${item.id}`,
    tabIndex: -1,
    dataset: { id: String(item.id) },
  });
  const meta = el("p", { className: "post-meta-line" });
  if (kindBadge && KIND_LABELS[item.kind]) {
    meta.append(el("span", { className: `kind-badge kind-badge-${item.kind}`, text: KIND_LABELS[item.kind] }));
  }
  const name = authorName(item);
  if (name) meta.append(el("span", { className: "post-author", text: name }));
  meta.append(...badges(item));
  const time = item.placeholder ? null : timeElement(item.created);
  if (time) meta.append(time);
  if (meta.childNodes.length) card.append(meta);
  if (inReplyTo !== null) {
    card.append(el("p", { className: "in-reply-to", text: inReplyTo ? `in reply to ${inReplyTo}` : "in reply to a deleted post" }));
  }
  const note = moderationNote(item);
  if (note) card.append(note);
  card.append(body(item, "post-text"));
  const tags = tagList(item);
  if (tags) card.append(tags);
  const row = actions(node);
  if (row) card.append(row);
  return card;
}

// Replies under `node`, nested to MAX_LEVEL; deeper replies join the last level.
function replies(node, level) {
  if (!node.children.length) return null;
  const list = el("ol", { className: `replies replies-level-${level}` });
  const add = (child, flattenedFrom) => {
    const li = el("li", { className: "reply" });
    li.append(postCard(child, { inReplyTo: flattenedFrom ? authorName(flattenedFrom.item) : null }));
    list.append(li);
    if (level < MAX_LEVEL) {
      const nested = replies(child, level + 1);
      if (nested) li.append(nested);
    } else {
      for (const grandchild of child.children) add(grandchild, child);
    }
  };
  for (const child of node.children) add(child, null);
  return list;
}

// A passage thread in the margin: the quoted passage, the annotation, its replies. Orphans
// (passages no longer in the text) use it too, with a way to re-attach them.
export function passageThread(thread) {
  const { top, passage } = thread;
  const { item } = top;
  const quote = truncate(passage.exact || "", QUOTE_CHARS);
  const by = item.deleted ? "" : item.placeholder ? `, ${placeholderText(item).toLowerCase()},` : ` by ${authorName(item)}`;
  const label = `${KIND_LABELS[item.kind] || "Annotation"}${by} on “${truncate(passage.exact || "", 60)}”`;
  const li = el("li", {
    className: `thread thread-${item.kind}${passage.current ? "" : " is-stale"}${item.pinned ? " is-pinned" : ""}${item.status === "hidden" ? " is-hidden" : ""}`,
    dataset: { thread: String(item.id) },
  });
  const card = el("article", {
    className: "thread-card",
    tabIndex: 0,
    "aria-label": label,
    dataset: { thread: String(item.id) },
  });
  const head = el("blockquote", { className: "thread-quote", text: quote });
  if (passage.current) head.title = "Show this passage in the text";
  card.append(head);
  const note = staleNote(passage);
  if (note) card.append(note);
  if (passage.orphaned && item.can_reattach) {
    card.append(
      el(
        "div",
        { className: "reattach-row" },
        actionButton("reattach", item, "Re-attach to new words", null, { className: "btn btn-sm btn-outline-secondary reattach-button" }),
      ),
    );
  }
  card.append(postCard(top, { kindBadge: true }));
  const list = replies(top, 1);
  if (list) card.append(list);
  if (item.locked && !item.deleted) card.append(lockedNote());
  const count = thread.size - 1;
  if (count > 2) card.classList.add("has-many-replies");
  li.append(card);
  return li;
}

function lockedNote() {
  return el("p", { className: "thread-locked", text: "A moderator locked this thread: no new replies." });
}

// Why a thread's passage is not quite what its author saw: the words were edited (show what
// they were), moved, or left the text.
function staleNote(passage) {
  const note = (...children) => el("p", { className: "thread-stale" }, ...children);
  const lead = el("strong", { className: "thread-stale-lead", text: "The text changed since this was written." });
  if (passage.current) {
    if (passage.originalQuote) {
      return note(
        lead,
        " It was about ",
        el("q", { className: "original-quote", text: truncate(passage.originalQuote, 120) }),
        ".",
      );
    }
    return passage.moved ? note(lead, " These words moved with it.") : null;
  }
  if (passage.onNewer) return null;
  if (passage.orphaned) return note(lead, " These words are no longer in it.");
  if (passage.missing) return note(lead, " This passage is not where it was.");
  return note(lead);
}

// A numbered page comment: the markup of the server-rendered discussion (.comment,
// .comment-number, .comment-author), so the page looks the same with or without JavaScript.
// The actions and replies sit beside .comment, not inside it, so its text ends the comment.
export function commentThread(thread, number) {
  const { top } = thread;
  const { item } = top;
  const li = el("li", {
    className: `comment-thread${item.pinned ? " is-pinned" : ""}`,
    dataset: { thread: String(item.id) },
  });
  const article = el("article", {
    className: `comment${item.deleted ? " is-deleted" : ""}${item.status === "hidden" ? " is-hidden" : ""}${item.placeholder ? " is-placeholder" : ""}`,
    id: `annotation-${item.id}`,
    tabIndex: -1,
    dataset: { id: String(item.id) },
  });
  article.append(el("div", { className: "comment-number", "aria-hidden": "true", text: String(number) }));
  const main = el("div", { className: "comment-main" });
  const meta = el("p", { className: "comment-meta" });
  const name = authorName(item);
  meta.append(el("span", { className: "visually-hidden", text: `Comment ${number}${name ? " by " : ""}` }));
  if (name) meta.append(el("span", { className: "comment-author", text: name }));
  meta.append(...badges(item));
  if (item.author?.imported && !item.deleted) {
    meta.append(el("span", { className: "badge text-bg-light border", title: "Imported with the reading", text: "imported" }));
  }
  if (!item.placeholder) {
    meta.append(el("time", { className: "comment-time", dateTime: item.created, text: longDate(item.created) }));
  }
  main.append(meta);
  const hiddenNote = moderationNote(item);
  if (hiddenNote) main.append(hiddenNote);
  main.append(body(item, "comment-text"));
  article.append(main);
  li.append(article);
  const row = actions(top);
  if (row) {
    row.classList.add("comment-actions");
    li.append(row);
  }
  const list = replies(top, 1);
  if (list) {
    list.classList.add("comment-replies");
    li.append(list);
  }
  if (item.locked && !item.deleted) {
    const locked = lockedNote();
    locked.classList.add("comment-locked");
    li.append(locked);
  }
  return li;
}

const LONG = new Intl.DateTimeFormat("en-US", { month: "long", day: "numeric", year: "numeric" });
const CLOCK = new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit" });

// "March 4, 2013 at 12:00 pm", as the server-rendered discussion writes it.
function longDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return `${LONG.format(date)} at ${CLOCK.format(date).toLowerCase().replace(/\s/g, " ")}`;
}

// The inline reply form, opened under a post by its Reply button. No maxlength: a browser
// would cut a long paste silently; the counter and drafts.js say what is over the limit.
export function replyForm(item) {
  const id = `reply-text-${item.id}`;
  const form = el("form", { className: "reply-form", noValidate: true, dataset: { parent: String(item.id) } });
  const name = authorName(item);
  form.append(
    el("label", { className: "visually-hidden", for: id, text: name ? `Reply to ${name}` : "Your reply" }),
    el("textarea", {
      className: "form-control form-control-sm",
      id,
      name: "text",
      rows: 3,
      placeholder: name ? `Reply to ${name}…` : "Your reply…",
      "aria-describedby": `${id}-count`,
    }),
    el("p", { className: "reply-error invalid-feedback d-block", role: "alert", hidden: true }),
    el(
      "div",
      { className: "reply-actions" },
      el("button", { type: "submit", className: "btn btn-primary btn-sm", text: "Post reply" }),
      el("button", { type: "button", className: "btn btn-link btn-sm", dataset: { action: "cancel-reply" }, text: "Cancel" }),
      el("button", { type: "button", className: "btn btn-link btn-sm", dataset: { action: "discard-reply" }, hidden: true, text: "Discard draft" }),
      el("p", { className: "text-count form-text", id: `${id}-count`, "aria-live": "off", hidden: true }),
    ),
  );
  return form;
}
