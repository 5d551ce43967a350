// Selecting text without a mouse. Browsers offer no caret in ordinary (non-editable) text
// unless the reader turns on caret browsing, so "Select text with keyboard" makes the body
// focusable and moves the document selection with Selection.modify(), the same primitive
// caret browsing uses. The body never becomes contenteditable: its text must stay exactly
// the stored text. A drawn caret shows where the selection's moving end is.
//
// Arrow keys alone make long passages slow to reach (a phrase in the second paragraph took
// 188 presses), so whole units have keys too: a sentence or paragraph is selected in one
// press, the next one in one more, and a number typed first repeats a move ("12}" is twelve
// paragraphs on). The "Skip to the reading" link turns the mode on at the first word, so any
// sentence is a handful of keys from the top of the page. Units come from sentences.js.

import { TextIndex } from "./offsets.js";
import { TextModel } from "./sentences.js";

const MOVES = {
  ArrowLeft: ["backward", "character"],
  ArrowRight: ["forward", "character"],
  ArrowUp: ["backward", "line"],
  ArrowDown: ["forward", "line"],
  Home: ["backward", "lineboundary"],
  End: ["forward", "lineboundary"],
};

// Plain keys (no Ctrl, Alt or Meta) that select by unit, by the character they type (Shift+[
// types "{" on most layouts); letters in either case, Shift telling w from Shift+W.
const UNITS = {
  s: "sentence",
  p: "paragraph",
  "]": "nextSentence",
  "[": "previousSentence",
  "}": "nextParagraph",
  "{": "previousParagraph",
  ".": "growSentence",
  ",": "shrinkSentence",
  w: "growWord",
};
const MODIFIERS = new Set(["Shift", "Control", "Alt", "Meta", "CapsLock", "AltGraph"]);
const SPACE = /\s/;
const MAX_COUNT_DIGITS = 3;

export class CaretMode {
  constructor({ root, toggle, help, caret, skip, onAnnotate, onCaretEnter, announce }) {
    this.root = root;
    this.toggle = toggle;
    this.help = help;
    this.caret = caret;
    this.onAnnotate = onAnnotate;
    this.onCaretEnter = onCaretEnter;
    this.announce = announce;
    this.enabled = false;
    this.announceTimer = 0;
    this.count = ""; // digits typed before a unit key
    this.model = null;
    // The selection last made here. Focus in a text field (the composer, a reply box) takes
    // the document selection with it; coming back to the text puts this one back.
    this.kept = null;

    toggle.addEventListener("click", () => (this.enabled ? this.disable() : this.enable()));
    // The page's first Tab stop: Enter on it lands here, at the first word, ready to select.
    skip?.addEventListener("click", (event) => {
      event.preventDefault();
      this.enable({ atStart: true });
    });
    root.addEventListener("keydown", (event) => this.enabled && this.keydown(event));
    root.addEventListener("focus", () => {
      this.restore();
      this.drawCaret();
    });
    root.addEventListener("blur", () => {
      this.caret.hidden = true;
    });
    document.addEventListener("selectionchange", () => {
      if (!this.enabled || document.activeElement !== root) return;
      this.keep();
      this.drawCaret();
    });
    window.addEventListener("resize", () => this.enabled && this.drawCaret());
  }

  // Built on first use: a page whose reader never selects by keyboard never segments.
  get text() {
    this.model ||= new TextModel(this.root);
    return this.model;
  }

  enable({ atStart = false } = {}) {
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
    if (atStart) this.select(this.text.first("sentences")?.start ?? 0);
    else if (!inside) this.placeAtStart(selection);
    this.root.focus({ preventScroll: true });
    this.scrollToCaret();
    this.drawCaret();
    this.announce(
      atStart
        ? "Keyboard selection on, at the start of the reading. S selects the sentence, ] the next one; Enter annotates."
        : "Keyboard selection on. S selects the sentence, Shift and the arrow keys any words; Enter annotates.",
    );
  }

  // Called on every selection change in the text (and before Enter opens the composer).
  keep() {
    const selection = document.getSelection();
    if (!selection.rangeCount || !this.root.contains(selection.focusNode)) return;
    // A live Range, so it follows the text nodes if highlights are drawn as <mark>s.
    const range = selection.getRangeAt(0).cloneRange();
    const backward = range.startContainer !== selection.anchorNode || range.startOffset !== selection.anchorOffset;
    this.kept = { range, backward };
  }

  restore() {
    const selection = document.getSelection();
    if (!this.enabled || !this.kept || (selection.rangeCount && this.root.contains(selection.focusNode))) return;
    const { range, backward } = this.kept;
    if (!this.root.contains(range.startContainer)) return;
    const [a, b] = backward ? ["end", "start"] : ["start", "end"];
    selection.setBaseAndExtent(range[`${a}Container`], range[`${a}Offset`], range[`${b}Container`], range[`${b}Offset`]);
  }

  // After a save: the caret just after the passage, for the next one.
  collapseToEnd() {
    this.kept?.range.collapse(false);
    const selection = document.getSelection();
    if (selection.rangeCount && this.root.contains(selection.focusNode)) selection.collapseToEnd();
  }

  // Back from a thread (Escape there, app.js): the caret is where the reader left it.
  returnToText() {
    if (!this.enabled) return;
    this.root.focus({ preventScroll: true });
    this.scrollToCaret();
    this.drawCaret();
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
    const plain = !event.ctrlKey && !event.altKey && !event.metaKey;
    if (plain && /^[0-9]$/.test(event.key)) {
      event.preventDefault();
      if (event.key !== "0" || this.count) this.count = (this.count + event.key).slice(-MAX_COUNT_DIGITS);
      return;
    }
    // Shift on its way to "}" must not forget the number typed before it.
    if (MODIFIERS.has(event.key)) return;
    const times = Math.max(1, Number(this.count) || 1);
    this.count = "";
    let unit = plain && UNITS[event.key.length === 1 ? event.key.toLowerCase() : ""];
    if (unit === "growWord" && event.shiftKey) unit = "shrinkWord";
    if (unit) {
      event.preventDefault();
      this.byUnit(unit, times);
      return;
    }
    if (event.ctrlKey && !event.altKey && !event.metaKey && (event.key === "Home" || event.key === "End")) {
      event.preventDefault();
      this.toEdge(event.key === "Home", event.shiftKey);
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(this.announceTimer); // the composer speaks for itself
      this.keep(); // before the composer's text box takes the selection
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
    if (event.shiftKey) this.announceSelection(500);
  }

  // --- whole units (sentences.js) ----------------------------------------------------------

  // The selection in body units, trimmed of spaces at its edges; `caret` is its moving end.
  units(index) {
    const selection = document.getSelection();
    if (!selection.rangeCount || !this.root.contains(selection.focusNode)) return null;
    const caret = index.unitOf(selection.focusNode, selection.focusOffset);
    if (selection.isCollapsed) return { collapsed: true, caret, start: caret, end: caret };
    const range = selection.getRangeAt(0);
    let start = index.unitOf(range.startContainer, range.startOffset);
    let end = index.unitOf(range.endContainer, range.endOffset);
    const text = index.text;
    while (start < end && SPACE.test(text[start])) start += 1;
    while (end > start && SPACE.test(text[end - 1])) end -= 1;
    if (start === end) return { collapsed: true, caret, start: caret, end: caret };
    return { collapsed: false, caret, start, end };
  }

  // Selects [start, end) (a caret when end is left out), anchored at the start so that
  // Shift+Arrow goes on moving the end.
  select(start, end = start, index = new TextIndex(this.root)) {
    if (!index.nodes.length) return;
    // A caret goes in the node that starts there, never at the end of the one before it
    // (the line break between two paragraphs, where no caret can be drawn).
    const a = index.nodeAt(start, false);
    const b = end === start ? a : index.nodeAt(end, true);
    const [from, to] = [index.nodes[a], index.nodes[b]];
    document.getSelection().setBaseAndExtent(from, start - index.starts[a], to, end - index.starts[b]);
  }

  byUnit(action, times) {
    const model = this.text;
    const selection = document.getSelection();
    if (!selection.rangeCount || !this.root.contains(selection.focusNode)) this.placeAtStart(selection);
    const index = new TextIndex(this.root);
    const at = this.units(index);
    if (!at || !model.runs.length) return;
    const { collapsed, caret } = at;
    let { start, end } = at;
    const repeat = (step) => {
      let moved = false;
      for (let n = 0; n < times; n += 1) {
        if (!step()) break;
        moved = true;
      }
      return moved;
    };
    let refused = "";
    if (action === "sentence") {
      ({ start, end } = model.sentenceAt(collapsed ? caret : start));
    } else if (action === "paragraph") {
      const run = model.runIndex(collapsed ? caret : start);
      const sentences = model.sentences(run);
      [start, end] = [sentences[0].start, sentences[sentences.length - 1].end];
    } else if (action === "nextSentence" || action === "previousSentence") {
      const forward = action === "nextSentence";
      let ref = collapsed ? caret : forward ? end : start;
      const moved = repeat(() => {
        const found = forward
          ? model.find("sentences", ref, (s) => s.start > ref)
          : model.find("sentences", ref, (s) => s.start < ref, true);
        if (!found) return false;
        ({ start, end } = found);
        ref = forward ? end : start;
        return true;
      });
      if (!moved) refused = forward ? "This is the last sentence of the reading." : "This is the first sentence of the reading.";
    } else if (action === "nextParagraph" || action === "previousParagraph") {
      const forward = action === "nextParagraph";
      const ref = collapsed ? caret : forward ? end : start;
      const run = model.runIndex(ref);
      const opening = model.opening(run).start;
      // Forward: the paragraph after the one the caret is in. Back: the start of this one,
      // unless the caret is already there.
      const first = forward ? (opening <= ref ? run + 1 : run) : opening >= ref ? run - 1 : run;
      const last = model.runs.length - 1;
      if (first < 0 || first > last) {
        refused = forward ? "This is the last paragraph of the reading." : "This is the first paragraph of the reading.";
      } else {
        const target = first + (forward ? 1 : -1) * (times - 1);
        ({ start, end } = model.opening(Math.min(Math.max(target, 0), last)));
      }
    } else if (action === "growSentence" || action === "growWord") {
      const kind = action === "growSentence" ? "sentences" : "words";
      let left = times;
      if (collapsed) {
        ({ start, end } = kind === "words" ? model.wordAt(caret) : model.sentenceAt(caret));
        left -= 1;
      }
      for (; left > 0; left -= 1) {
        const found = model.find(kind, end, (u) => u.end > end);
        if (!found) break;
        end = found.end;
      }
    } else if (action === "shrinkSentence" || action === "shrinkWord") {
      const kind = action === "shrinkSentence" ? "sentences" : "words";
      const moved = collapsed
        ? false
        : repeat(() => {
            const found = model.find(kind, end, (u) => u.end < end && u.end > start, true);
            if (found) end = found.end;
            return Boolean(found);
          });
      if (!moved) {
        refused = collapsed
          ? "Nothing is selected: S selects the sentence."
          : `The selection is ${kind === "sentences" ? "inside one sentence" : "one word"}: it cannot shrink by a ${kind === "sentences" ? "sentence" : "word"}.`;
      }
    }
    if (refused) {
      this.announce(refused);
      return;
    }
    this.select(start, end, index);
    this.scrollToCaret();
    this.drawCaret();
    this.announceSelection(200);
  }

  // Ctrl+Home, Ctrl+End: the first or last word of the reading (Shift extends to it).
  toEdge(home, extend) {
    const model = this.text;
    const edge = home ? model.first("sentences")?.start : model.last("sentences")?.end;
    if (edge === undefined) return;
    const selection = document.getSelection();
    if (extend && selection.rangeCount && this.root.contains(selection.anchorNode)) {
      const index = new TextIndex(this.root);
      const i = index.nodeAt(edge, !home);
      selection.extend(index.nodes[i], edge - index.starts[i]);
    } else this.select(edge);
    this.scrollToCaret();
    this.drawCaret();
    if (extend) this.announceSelection(200);
    else this.announce(home ? "Start of the reading." : "End of the reading.");
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

  // "Selected: “first words … last words” (sentence 2 of paragraph 3)", once keys settle.
  announceSelection(delay) {
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => {
      const index = new TextIndex(this.root);
      const at = this.units(index);
      if (!at || at.collapsed) return;
      const text = index.text.slice(at.start, at.end);
      const words = text.split(/\s+/);
      const spoken = words.length > 12 ? `${words.slice(0, 6).join(" ")} … ${words.slice(-3).join(" ")}` : text;
      const place = this.text.place(at.start, at.end);
      this.announce(`Selected: “${spoken}”${place ? ` (${place})` : ""}`);
    }, delay);
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
