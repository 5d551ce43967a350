// Selecting text without a mouse. Browsers offer no caret in ordinary (non-editable) text
// unless the reader turns on caret browsing, so "Select text with keyboard" makes the body
// focusable and moves the document selection with Selection.modify(), the same primitive
// caret browsing uses. The body never becomes contenteditable: its text must stay exactly
// the stored text. A drawn caret shows where the selection's moving end is.

const MOVES = {
  ArrowLeft: ["backward", "character"],
  ArrowRight: ["forward", "character"],
  ArrowUp: ["backward", "line"],
  ArrowDown: ["forward", "line"],
  Home: ["backward", "lineboundary"],
  End: ["forward", "lineboundary"],
};

export class CaretMode {
  constructor({ root, toggle, help, caret, onAnnotate, onCaretEnter, announce }) {
    this.root = root;
    this.toggle = toggle;
    this.help = help;
    this.caret = caret;
    this.onAnnotate = onAnnotate;
    this.onCaretEnter = onCaretEnter;
    this.announce = announce;
    this.enabled = false;
    this.announceTimer = 0;

    toggle.addEventListener("click", () => (this.enabled ? this.disable() : this.enable()));
    root.addEventListener("keydown", (event) => this.enabled && this.keydown(event));
    root.addEventListener("focus", () => this.drawCaret());
    root.addEventListener("blur", () => {
      this.caret.hidden = true;
    });
    document.addEventListener("selectionchange", () => {
      if (this.enabled && document.activeElement === root) this.drawCaret();
    });
    window.addEventListener("resize", () => this.enabled && this.drawCaret());
  }

  enable() {
    this.enabled = true;
    this.root.tabIndex = 0;
    this.root.setAttribute("aria-describedby", this.help.id);
    this.root.setAttribute("role", "region");
    this.root.setAttribute("aria-label", "Reading text: keyboard selection");
    this.root.classList.add("caret-mode");
    this.toggle.setAttribute("aria-pressed", "true");
    this.help.hidden = false;
    const selection = document.getSelection();
    const inside = selection.rangeCount && this.root.contains(selection.focusNode);
    if (!inside) this.placeAtStart(selection);
    this.root.focus({ preventScroll: true });
    this.scrollToCaret();
    this.drawCaret();
    this.announce("Keyboard selection on. Shift and the arrow keys select; Enter annotates.");
  }

  disable({ focusToggle = true } = {}) {
    this.enabled = false;
    this.root.removeAttribute("tabindex");
    this.root.removeAttribute("aria-describedby");
    this.root.removeAttribute("aria-label");
    this.root.removeAttribute("role");
    this.root.classList.remove("caret-mode");
    this.toggle.setAttribute("aria-pressed", "false");
    this.help.hidden = true;
    this.caret.hidden = true;
    if (focusToggle) this.toggle.focus();
  }

  // The first character of the body that is on screen, else the first of all.
  placeAtStart(selection) {
    const walker = document.createTreeWalker(this.root, NodeFilter.SHOW_TEXT);
    let first = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.data.trim()) continue;
      first ||= node;
      const rect = node.parentElement.getBoundingClientRect();
      if (rect.bottom > 0 && rect.top < window.innerHeight) {
        first = node;
        break;
      }
    }
    if (!first) return;
    const offset = first.data.search(/\S/);
    selection.collapse(first, Math.max(0, offset));
  }

  keydown(event) {
    const selection = document.getSelection();
    if (event.key === "Enter") {
      event.preventDefault();
      if (!selection.isCollapsed) this.onAnnotate();
      else this.onCaretEnter(selection.focusNode, selection.focusOffset);
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      if (!selection.isCollapsed) selection.collapse(selection.focusNode, selection.focusOffset);
      else this.disable();
      return;
    }
    const move = MOVES[event.key];
    if (!move || event.metaKey) return;
    let [direction, granularity] = move;
    if ((event.ctrlKey || event.altKey) && granularity === "character") granularity = "word";
    if ((event.ctrlKey || event.altKey) && granularity === "line") granularity = "paragraph";
    event.preventDefault();
    if (!selection.rangeCount || !this.root.contains(selection.focusNode)) {
      this.placeAtStart(selection);
    }
    selection.modify(event.shiftKey ? "extend" : "move", direction, granularity);
    this.keepInside(selection);
    this.scrollToCaret();
    this.drawCaret();
    if (event.shiftKey) this.announceSelection(selection);
  }

  // Selection.modify happily walks out of the body into the page around it; pull it back.
  keepInside(selection) {
    if (this.root.contains(selection.focusNode)) return;
    const range = document.createRange();
    range.selectNodeContents(this.root);
    const before = range.comparePoint(selection.focusNode, selection.focusOffset) < 0;
    const edge = before ? firstText(this.root) : lastText(this.root);
    if (!edge) return;
    const offset = before ? 0 : edge.data.length;
    if (selection.isCollapsed || !this.root.contains(selection.anchorNode)) {
      selection.collapse(edge, offset);
    } else selection.extend(edge, offset);
  }

  caretRect() {
    const selection = document.getSelection();
    if (!selection.rangeCount || !this.root.contains(selection.focusNode)) return null;
    const range = document.createRange();
    range.setStart(selection.focusNode, selection.focusOffset);
    range.collapse(true);
    let rect = range.getClientRects()[0] || range.getBoundingClientRect();
    if (!rect || (!rect.height && selection.focusNode.nodeType === Node.TEXT_NODE)) {
      // Collapsed ranges at a line start can measure as nothing; use the next character.
      const node = selection.focusNode;
      if (selection.focusOffset < node.data.length) {
        range.setEnd(node, selection.focusOffset + 1);
        const box = range.getClientRects()[0];
        if (box) rect = { left: box.left, top: box.top, bottom: box.bottom, height: box.height };
      }
    }
    return rect && rect.height ? rect : null;
  }

  drawCaret() {
    const rect = this.enabled && document.activeElement === this.root ? this.caretRect() : null;
    if (!rect) {
      this.caret.hidden = true;
      return;
    }
    this.caret.hidden = false;
    const box = (this.caret.offsetParent || this.caret.parentElement).getBoundingClientRect();
    this.caret.style.left = `${Math.round(rect.left - box.left - 1)}px`;
    this.caret.style.top = `${Math.round(rect.top - box.top)}px`;
    this.caret.style.height = `${Math.round(rect.height)}px`;
    // Restart the blink so the caret is solid right after it moves.
    this.caret.classList.remove("blink");
    void this.caret.offsetWidth;
    this.caret.classList.add("blink");
  }

  scrollToCaret() {
    const rect = this.caretRect();
    if (!rect) return;
    const margin = 80;
    if (rect.top < margin) window.scrollBy(0, rect.top - margin);
    else if (rect.bottom > window.innerHeight - margin) {
      window.scrollBy(0, rect.bottom - window.innerHeight + margin);
    }
  }

  announceSelection(selection) {
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => {
      const text = selection.toString().trim();
      if (!text) return;
      const words = text.split(/\s+/);
      const spoken = words.length > 12 ? `${words.slice(0, 4).join(" ")} … ${words.slice(-4).join(" ")}` : text;
      this.announce(`Selected: ${spoken}`);
    }, 500);
  }
}

function firstText(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  return walker.nextNode();
}

function lastText(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let last = null;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) last = node;
  return last;
}
