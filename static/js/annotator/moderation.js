// Moderation on the reading page. Members flag others' published posts with a reason (only
// the moderators see flags); moderators get a small "Moderate" menu on every post: hide (with
// a reason its author will read), unhide, approve, pin, lock, delete, dismiss flags. Every
// action is one API call, then the list is fetched again, so the page shows what the server
// decided. A 409 means someone acted first: say what the server said and show the new state.

import { el, plural } from "./dom.js";

export const FLAG_REASONS = [
  { value: "off_topic", label: "Off topic" },
  { value: "disrespectful", label: "Disrespectful" },
  { value: "spam", label: "Spam" },
  { value: "other", label: "Other", hint: "say what in the note" },
];

const DONE = {
  hide: "Post hidden. Its author sees your reason.",
  unhide: "Post restored: everyone can see it again.",
  approve: "Post approved: everyone can see it now.",
  pin: "Thread pinned to the top.",
  unpin: "Thread unpinned.",
  lock: "Thread locked: no new replies.",
  unlock: "Thread unlocked.",
  delete: "Post deleted.",
  dismiss: "Flags dismissed.",
};

// The actions that apply to a post in its current state (the server checks again).
export function moderationActions(item) {
  const top = !item.parent;
  const out = [];
  if (item.status === "pending") out.push(["approve", "Approve"]);
  if (item.status === "published" || item.status === "pending") out.push(["hide", "Hide…"]);
  if (item.status === "hidden") out.push(["unhide", "Unhide"]);
  if (top && item.pinned) out.push(["unpin", "Unpin"]);
  else if (top && item.status === "published") out.push(["pin", "Pin to the top"]);
  if (top) out.push(item.locked ? ["unlock", "Unlock thread"] : ["lock", "Lock thread"]);
  if (item.flags > 0) out.push(["dismiss", `Dismiss ${plural(item.flags, "flag")}`]);
  out.push(["delete", "Delete…"]);
  return out;
}

export class Moderation {
  constructor({ api, announce, reload }) {
    this.api = api;
    this.announce = announce;
    this.reload = reload;
  }

  // Click on a button[data-action]; true when it was one of ours.
  click(action, item, button) {
    if (action === "flag") this.toggleFlagForm(item, button);
    else if (action === "cancel-flag") this.closeFlagForm(button.closest(".flag-form"));
    else if (action === "moderate") this.toggleMenu(item, button);
    else if (action === "mod") this.choose(item, button);
    else if (action === "cancel-mod") this.closeReason(button.closest(".mod-reason-form"));
    else return false;
    return true;
  }

  // Submit of a form inside a thread (about `item`); true when it was one of ours.
  submit(form, item) {
    if (!item) return false;
    if (form.matches(".flag-form")) this.submitFlag(form);
    else if (form.matches(".mod-reason-form")) this.submitReason(form, item);
    else return false;
    return true;
  }

  // Escape closes the innermost open form or menu and gives focus back to its button.
  keydown(event) {
    if (event.key !== "Escape") return;
    const form = event.target.closest(".flag-form, .mod-reason-form");
    const panel = event.target.closest(".mod-panel");
    if (form?.matches(".flag-form")) this.closeFlagForm(form);
    else if (form) this.closeReason(form);
    else if (panel) this.closeMenu(panel);
    else return;
    event.preventDefault();
    event.stopPropagation();
  }

  // --- flags ---------------------------------------------------------------------------

  toggleFlagForm(item, button) {
    const row = button.closest(".post-actions");
    const open = row.parentElement.querySelector(`:scope > .flag-form[data-id="${item.id}"]`);
    if (open) {
      this.closeFlagForm(open);
      return;
    }
    const form = flagForm(item);
    row.after(form);
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", form.id);
    form.querySelector("input").focus();
  }

  closeFlagForm(form) {
    if (!form) return;
    const button = this.buttonFor(form, "flag");
    form.remove();
    button?.setAttribute("aria-expanded", "false");
    button?.focus();
  }

  async submitFlag(form) {
    const id = form.dataset.id;
    const reason = form.querySelector("input[type=radio]:checked")?.value || "";
    const note = form.querySelector("textarea");
    const fail = (message, field) => showError(form, message, field);
    if (!reason) return fail("Choose a reason.", form.querySelector("input[type=radio]"));
    if (reason === "other" && !note.value.trim()) {
      return fail("Say in a few words what is wrong.", note);
    }
    fail("");
    const button = form.querySelector('[type="submit"]');
    button.disabled = true;
    try {
      await this.api.flag(id, { reason, note: note.value.trim() });
    } catch (error) {
      button.disabled = false;
      if (error.status === 409) {
        // Already flagged (another tab, say): the answer is the same as success.
        await this.reload({ focus: `#annotation-${id}` });
        this.announce(error.detail || "You have already flagged this post.");
        return;
      }
      fail(error.detail || error.message);
      return;
    }
    await this.reload({ focus: `#annotation-${id}` });
    this.announce("Flagged. The moderators will take a look; only they see flags.");
  }

  // --- the moderators' menu ------------------------------------------------------------

  toggleMenu(item, button) {
    const row = button.closest(".post-actions");
    const open = row.parentElement.querySelector(`:scope > .mod-panel[data-id="${item.id}"]`);
    if (open) {
      this.closeMenu(open);
      return;
    }
    const panel = menu(item);
    row.after(panel);
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", panel.id);
    panel.querySelector("button").focus();
  }

  closeMenu(panel) {
    const button = this.buttonFor(panel, "moderate");
    panel.remove();
    button?.setAttribute("aria-expanded", "false");
    button?.focus();
  }

  choose(item, button) {
    const action = button.dataset.mod;
    const panel = button.closest(".mod-panel");
    if (action === "hide") {
      this.askReason(item, panel);
      return;
    }
    if (action === "delete") {
      const what = item.parent ? "reply" : item.kind === "comment" ? "comment" : "annotation";
      const ok = window.confirm(
        `Delete this ${what}? Its replies stay, under “This post was deleted”. The audit log keeps a record.`,
      );
      if (!ok) return;
    }
    this.act(item, action, "", panel);
  }

  askReason(item, panel) {
    let form = panel.querySelector(".mod-reason-form");
    if (!form) {
      form = reasonForm(item);
      panel.append(form);
    }
    panel.querySelector('[data-mod="hide"]')?.setAttribute("aria-expanded", "true");
    form.querySelector("input").focus();
  }

  closeReason(form) {
    const panel = form.closest(".mod-panel");
    form.remove();
    const hide = panel.querySelector('[data-mod="hide"]');
    hide?.setAttribute("aria-expanded", "false");
    hide?.focus();
  }

  submitReason(form, item) {
    const input = form.querySelector("input");
    const reason = input.value.trim();
    if (!reason) {
      showError(form, "Give a reason: the author will see it.", input);
      return;
    }
    showError(form, "");
    this.act(item, "hide", reason, form.closest(".mod-panel"));
  }

  async act(item, action, reason, panel) {
    const buttons = panel ? panel.querySelectorAll("button") : [];
    for (const b of buttons) b.disabled = true;
    // Back on the menu's button, ready for the next action; else the post; else its thread.
    const focus = [
      `button[data-action="moderate"][data-id="${item.id}"]`,
      `#annotation-${item.id}`,
      `.thread[data-thread="${item.thread}"] .thread-card`,
      "#margin-title",
    ];
    try {
      await this.api.moderate(item.id, { action, reason });
    } catch (error) {
      for (const b of buttons) b.disabled = false;
      if (error.status === 409) {
        // Someone acted first: show what the post is now, and why nothing happened.
        await this.reload({ focus });
        this.announce(error.detail, { long: true });
        return;
      }
      const form = panel?.querySelector(".mod-reason-form");
      if (form) showError(form, error.detail || error.message, form.querySelector("input"));
      else this.announce(`Not done: ${error.detail || error.message}`, { long: true });
      return;
    }
    await this.reload({ focus });
    this.announce(DONE[action] || "Done.");
  }

  buttonFor(node, action) {
    const id = node.dataset.id;
    return node.parentElement?.querySelector(`button[data-action="${action}"][data-id="${id}"]`);
  }
}

function flagForm(item) {
  const id = item.id;
  const form = el("form", { className: "flag-form inline-panel", id: `flag-form-${id}`, noValidate: true, dataset: { id: String(id) } });
  const group = el(
    "fieldset",
    { className: "flag-reasons" },
    el("legend", { className: "inline-panel-title", text: "Why flag this post?" }),
  );
  for (const reason of FLAG_REASONS) {
    const inputId = `flag-${id}-${reason.value}`;
    group.append(
      el(
        "div",
        { className: "form-check" },
        el("input", { className: "form-check-input", type: "radio", name: `flag-reason-${id}`, id: inputId, value: reason.value }),
        el("label", { className: "form-check-label", for: inputId, text: reason.label }),
      ),
    );
  }
  const noteId = `flag-note-${id}`;
  form.append(
    group,
    el(
      "label",
      { className: "form-label small", for: noteId },
      "Note ",
      el("span", { className: "text-body-secondary", text: "(needed for “Other”)" }),
    ),
    el("textarea", { className: "form-control form-control-sm", id: noteId, name: "note", rows: 2, maxLength: 500 }),
    el("p", { className: "inline-panel-help", text: "Only the seminar's moderators see flags, and who sent them." }),
    el("p", { className: "panel-error invalid-feedback d-block", role: "alert", hidden: true }),
    el(
      "div",
      { className: "reply-actions" },
      el("button", { type: "submit", className: "btn btn-sm btn-danger", text: "Flag post" }),
      el("button", { type: "button", className: "btn btn-link btn-sm", dataset: { action: "cancel-flag", id: String(id) }, text: "Cancel" }),
    ),
  );
  clearErrorOnInput(form);
  return form;
}

function menu(item) {
  const panel = el("div", {
    className: "mod-panel inline-panel",
    id: `mod-panel-${item.id}`,
    role: "group",
    "aria-label": "Moderate this post",
    dataset: { id: String(item.id) },
  });
  panel.append(el("p", { className: "inline-panel-title", "aria-hidden": "true", text: "Moderate" }));
  const buttons = el("div", { className: "mod-buttons" });
  for (const [action, label] of moderationActions(item)) {
    const extra = action === "hide" ? { "aria-expanded": false } : {};
    buttons.append(
      el("button", {
        type: "button",
        className: `btn btn-sm ${action === "delete" ? "btn-outline-danger" : "btn-outline-secondary"} mod-button`,
        dataset: { action: "mod", mod: action, id: String(item.id) },
        text: label,
        ...extra,
      }),
    );
  }
  panel.append(buttons);
  return panel;
}

function reasonForm(item) {
  const id = `mod-reason-${item.id}`;
  const form = el(
    "form",
    { className: "mod-reason-form", noValidate: true, dataset: { id: String(item.id) } },
    el("label", { className: "form-label small", for: id, text: "Why hide it? Its author will read this." }),
    el("input", { className: "form-control form-control-sm", id, name: "reason", type: "text", maxLength: 300, required: true, autocomplete: "off" }),
    el("p", { className: "panel-error invalid-feedback d-block", role: "alert", hidden: true }),
    el(
      "div",
      { className: "reply-actions" },
      el("button", { type: "submit", className: "btn btn-sm btn-dark", text: "Hide post" }),
      el("button", { type: "button", className: "btn btn-link btn-sm", dataset: { action: "cancel-mod", id: String(item.id) }, text: "Cancel" }),
    ),
  );
  clearErrorOnInput(form);
  return form;
}

// An error says what to fix; once the reader starts fixing it, it has done its job.
function clearErrorOnInput(form) {
  const clear = () => {
    if (!form.querySelector(":scope > .panel-error").hidden) showError(form, "");
  };
  form.addEventListener("input", clear);
  form.addEventListener("change", clear);
}

function showError(form, message, field = null) {
  const box = form.querySelector(":scope > .panel-error");
  box.textContent = message;
  box.hidden = !message;
  for (const invalid of form.querySelectorAll("[aria-invalid]")) invalid.removeAttribute("aria-invalid");
  if (message && field) {
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }
}
