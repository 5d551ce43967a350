// Watching the reader's selection in the body and offering "Annotate" beside it. Mouse, touch
// and keyboard selections all end up as a document selection, so one handler serves them;
// the described passage is captured when the button appears, because clicking the button
// (or tapping it on a phone) may clear the selection before the click lands. While an orphan
// is being re-attached (orphans.js) the same button reads "Attach here", with a Cancel.

const SETTLE_MS = 150;
const MAX_EXACT = 5000;
const NARROW = window.matchMedia("(max-width: 575.98px)");

export class SelectionWatcher {
  constructor({ root, float, painter, onAnnotate, onTooLong }) {
    this.root = root;
    this.float = float;
    this.button = float.querySelector(".annotate-button");
    this.label = float.querySelector(".annotate-label");
    this.hiddenLabel = float.querySelector(".annotate-hidden");
    this.cancelButton = float.querySelector(".annotate-cancel");
    this.onCancel = null;
    this.painter = painter;
    this.onAnnotate = onAnnotate;
    this.onTooLong = onTooLong;
    this.pending = null;
    this.timer = 0;
    this.paused = false;

    document.addEventListener("selectionchange", () => this.schedule());
    root.addEventListener("mouseup", () => this.schedule(0));
    root.addEventListener("touchend", () => this.schedule(SETTLE_MS * 2));
    // Keep the selection alive while the button is pressed.
    this.button.addEventListener("mousedown", (event) => event.preventDefault());
    this.button.addEventListener("click", () => this.annotate());
    this.cancelButton?.addEventListener("click", () => this.onCancel?.());
    window.addEventListener("resize", () => this.pending && this.place());
  }

  schedule(delay = SETTLE_MS) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), delay);
  }

  // The selection clipped to the body, described in code points; null when there is none.
  current() {
    const selection = document.getSelection();
    if (!selection || !selection.rangeCount || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0).cloneRange();
    if (!range.intersectsNode(this.root)) return null;
    const body = document.createRange();
    body.selectNodeContents(this.root);
    if (range.compareBoundaryPoints(Range.START_TO_START, body) < 0) {
      range.setStart(body.startContainer, body.startOffset);
    }
    if (range.compareBoundaryPoints(Range.END_TO_END, body) > 0) {
      range.setEnd(body.endContainer, body.endOffset);
    }
    return this.painter.index.describe(range);
  }

  update() {
    if (this.paused) return;
    const described = this.current();
    if (!described) {
      // Focus on the button itself means the reader is about to use it: keep it.
      if (!this.float.contains(document.activeElement)) this.hide();
      return;
    }
    this.pending = described;
    this.float.hidden = false;
    this.place();
  }

  place() {
    if (!this.pending) return;
    if (NARROW.matches) {
      // Phones: a bar pinned to the bottom of the screen (CSS), clear of the native
      // selection handles and menu.
      this.float.style.top = "";
      this.float.style.left = "";
      return;
    }
    const range = this.painter.index.rangeForUnits(this.pending.unitStart, this.pending.unitEnd);
    const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
    if (!rects.length) return;
    const last = rects[rects.length - 1];
    const container = this.float.offsetParent || document.body;
    const box = container.getBoundingClientRect();
    const width = this.float.offsetWidth || 120;
    const left = Math.min(Math.max(last.right - box.left - width / 2, 0), box.width - width);
    this.float.style.left = `${Math.round(left)}px`;
    this.float.style.top = `${Math.round(last.bottom - box.top + 8)}px`;
  }

  // `live`: the keyboard's Enter, which can come before the selection has settled (150 ms):
  // the selection as it is now, not the one the button was shown for.
  annotate({ live = false } = {}) {
    const described = (live && this.current()) || this.pending || this.current();
    if (!described) return;
    if (described.length > MAX_EXACT) {
      this.onTooLong?.();
      return;
    }
    this.hide();
    this.onAnnotate(described);
  }

  hide() {
    this.pending = null;
    this.float.hidden = true;
  }

  // "annotate" (the default) or "attach"; onCancel answers the Cancel beside "Attach here".
  setMode(mode, onCancel = null) {
    const attach = mode === "attach";
    this.label.textContent = attach ? "Attach here" : "Annotate";
    this.hiddenLabel.textContent = attach ? ": move the annotation to the selected words" : " the selected passage";
    if (this.cancelButton) this.cancelButton.hidden = !attach;
    this.onCancel = onCancel;
    this.float.classList.toggle("is-attach", attach);
    if (!attach) this.hide();
  }

  pause(paused) {
    this.paused = paused;
    if (paused) this.hide();
  }
}
