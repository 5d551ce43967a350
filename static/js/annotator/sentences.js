// Paragraphs, sentences and words of the reading body, for moving a keyboard selection by
// whole units (keyboard.js). A paragraph is a run of text under one block element (p, li,
// a heading, …): text directly in a list item before its nested list is a paragraph of its
// own. Sentences and words come from Intl.Segmenter over each paragraph's text, in the
// body's language. Everything is in UTF-16 units of the body's textContent, the coordinates
// of TextIndex (offsets.js); the body is never changed (its text is the stored text), so
// what is computed once stays true.

const BLOCKS =
  "address, article, aside, blockquote, caption, dd, details, div, dl, dt, figcaption, figure, " +
  "footer, h1, h2, h3, h4, h5, h6, header, li, main, ol, p, pre, section, summary, table, td, th, tr, ul";
const BLANK = /^\s*$/;
const EDGE_SPACE = /^\s+|\s+$/g;

export class TextModel {
  constructor(root) {
    this.root = root;
    const locale = root.closest("[lang]")?.lang || undefined;
    this.sentenceSegmenter = new Intl.Segmenter(locale, { granularity: "sentence" });
    this.wordSegmenter = new Intl.Segmenter(locale, { granularity: "word" });
    this.runs = []; // [{start, end}] in reading order; sentences and words cached on them
    this.text = "";
    this.build();
  }

  build() {
    const walker = document.createTreeWalker(this.root, NodeFilter.SHOW_TEXT);
    const parts = [];
    let length = 0;
    let current = null; // {block, start, end, blank}
    const close = () => {
      if (current && !current.blank) this.runs.push({ start: current.start, end: current.end });
    };
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const found = node.parentElement.closest(BLOCKS);
      const block = found && found !== this.root && this.root.contains(found) ? found : null;
      if (!current || current.block !== block) {
        close();
        current = { block, start: length, end: length, blank: true };
      }
      parts.push(node.data);
      length += node.data.length;
      current.end = length;
      if (current.blank && !BLANK.test(node.data)) current.blank = false;
    }
    close();
    this.text = parts.join("");
  }

  // Segments of one paragraph, trimmed of the spaces around them, in body units.
  segments(run, segmenter, keep) {
    const text = this.text.slice(run.start, run.end);
    const out = [];
    for (const part of segmenter.segment(text)) {
      if (!keep(part)) continue;
      const lead = part.segment.length - part.segment.trimStart().length;
      const trimmed = part.segment.replace(EDGE_SPACE, "");
      if (!trimmed) continue;
      const start = run.start + part.index + lead;
      out.push({ start, end: start + trimmed.length });
    }
    return out;
  }

  sentences(i) {
    const run = this.runs[i];
    run.sentences ||= this.segments(run, this.sentenceSegmenter, () => true);
    return run.sentences;
  }

  words(i) {
    const run = this.runs[i];
    run.words ||= this.segments(run, this.wordSegmenter, (part) => part.isWordLike);
    return run.words;
  }

  // The paragraph holding `unit`, else the next one, else the last; -1 for an empty body.
  runIndex(unit) {
    const runs = this.runs;
    let lo = 0;
    let hi = runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (runs[mid].end < unit) lo = mid + 1;
      else hi = mid;
    }
    return runs.length ? lo : -1;
  }

  // Units of one kind ("sentences" or "words") from the paragraph at `unit` on, each with
  // its paragraph `run` and its place `index` in it; `backward` walks towards the start.
  *walk(kind, unit, backward = false) {
    let i = this.runIndex(unit);
    if (i < 0) return;
    if (backward && this.runs[i].start > unit) i -= 1;
    for (; i >= 0 && i < this.runs.length; i += backward ? -1 : 1) {
      const list = this[kind](i);
      const order = backward ? list.map((_, k) => list.length - 1 - k) : list.keys();
      for (const k of order) yield { ...list[k], run: i, index: k };
    }
  }

  find(kind, unit, test, backward = false) {
    for (const item of this.walk(kind, unit, backward)) if (test(item)) return item;
    return null;
  }

  // The sentence holding `unit` (its end counts: the caret just after a full stop is in that
  // sentence), else the next one, else the last.
  sentenceAt(unit) {
    return this.find("sentences", unit, (s) => s.end >= unit) || this.last("sentences");
  }

  wordAt(unit) {
    return this.find("words", unit, (w) => w.end >= unit) || this.last("words");
  }

  last(kind) {
    for (let i = this.runs.length - 1; i >= 0; i -= 1) {
      const list = this[kind](i);
      if (list.length) return { ...list[list.length - 1], run: i, index: list.length - 1 };
    }
    return null;
  }

  first(kind) {
    return this.find(kind, 0, () => true);
  }

  // The first sentence of paragraph `i`.
  opening(i) {
    const list = this.sentences(i);
    return list.length ? { ...list[0], run: i, index: 0 } : null;
  }

  // Where [start, end) sits, for the live region: "sentence 2 of paragraph 3".
  place(start, end) {
    const from = this.sentenceAt(start);
    const to = this.sentenceAt(Math.max(start, end - 1));
    if (!from || !to) return "";
    const paragraph = (s) => s.run + 1;
    if (from.run !== to.run) return `paragraphs ${paragraph(from)} to ${paragraph(to)}`;
    const whole = from.start === start && to.end === end;
    const count = this.sentences(from.run).length;
    if (whole && from.index === 0 && to.index === count - 1 && count > 1) {
      return `paragraph ${paragraph(from)}, ${count} sentences`;
    }
    if (from.index !== to.index) {
      return `sentences ${from.index + 1} to ${to.index + 1} of paragraph ${paragraph(from)}`;
    }
    return `${whole ? "" : "in "}sentence ${from.index + 1} of paragraph ${paragraph(from)}`;
  }
}
