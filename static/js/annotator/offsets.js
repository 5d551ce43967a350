// Offsets into the reading body. The server counts Unicode code points into the body's
// textContent (the W3C rule); the DOM counts UTF-16 units. Everything crossing the API goes
// through TextIndex, so the two never mix.

const SURROGATE = /[\uD800-\uDFFF]/;
const CONTEXT = 32; // code points of prefix and suffix, as the anchoring contract says
const SPACE = /\s/;

export class TextIndex {
  constructor(root) {
    this.root = root;
    this.nodes = [];
    this.starts = []; // UTF-16 start of each text node
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let length = 0;
    const parts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      this.nodes.push(node);
      this.starts.push(length);
      parts.push(node.data);
      length += node.data.length;
    }
    this.text = parts.join("");
    this.length = length;
    this.cpToUnit = SURROGATE.test(this.text) ? buildCodePointMap(this.text) : null;
    this.cpLength = this.cpToUnit ? this.cpToUnit.length - 1 : length;
  }

  // Code points -> UTF-16 units. Identity for texts without astral characters (most).
  unit(cp) {
    if (!this.cpToUnit) return Math.min(cp, this.length);
    return this.cpToUnit[Math.min(cp, this.cpLength)];
  }

  // UTF-16 units -> code points (binary search in the map; a split pair counts as before it).
  codePoint(unit) {
    if (!this.cpToUnit) return unit;
    const map = this.cpToUnit;
    let lo = 0;
    let hi = map.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (map[mid] <= unit) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  // Index of the text node holding UTF-16 position `unit`. `atEnd` prefers the node that
  // ends there over the one that starts there, so a range never begins or ends on an empty side.
  nodeAt(unit, atEnd) {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (atEnd ? starts[mid] < unit : starts[mid] <= unit) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  // A DOM Range for UTF-16 [start, end), or null when the index is empty.
  rangeForUnits(start, end) {
    if (!this.nodes.length) return null;
    const range = document.createRange();
    const a = this.nodeAt(start, false);
    const b = this.nodeAt(end, true);
    range.setStart(this.nodes[a], start - this.starts[a]);
    range.setEnd(this.nodes[b], end - this.starts[b]);
    return range;
  }

  rangeForCodePoints(start, end) {
    return this.rangeForUnits(this.unit(start), this.unit(end));
  }

  // UTF-16 position of a DOM boundary point inside the root, clamped to the root.
  unitOf(container, offset) {
    if (container.nodeType === Node.TEXT_NODE && this.root.contains(container)) {
      const i = this.nodeIndex(container);
      if (i >= 0) return this.starts[i] + Math.min(offset, container.data.length);
    }
    const probe = document.createRange();
    probe.selectNodeContents(this.root);
    if (probe.comparePoint(container, offset) < 0) return 0;
    if (probe.comparePoint(container, offset) > 0) return this.length;
    // Element boundaries: the text before the point is exactly its offset (Range#toString
    // concatenates Text nodes, like textContent; no CSS, unlike Selection#toString).
    probe.setEnd(container, offset);
    return probe.toString().length;
  }

  nodeIndex(node) {
    if (!this.positions) this.positions = new Map(this.nodes.map((n, i) => [n, i]));
    return this.positions.get(node) ?? -1;
  }

  // The selection as code point offsets and W3C selectors, or null when it is not (or not
  // only whitespace) inside the root. Whitespace at either edge is trimmed: a double-click
  // selects a word and its trailing space, and nobody means to annotate the space.
  describe(range) {
    if (!range || range.collapsed) return null;
    let start = this.unitOf(range.startContainer, range.startOffset);
    let end = this.unitOf(range.endContainer, range.endOffset);
    const text = this.text;
    while (start < end && SPACE.test(text[start])) start += 1;
    while (end > start && SPACE.test(text[end - 1])) end -= 1;
    if (end <= start) return null;
    // Never split a surrogate pair: widen to whole code points.
    if (isLow(text.charCodeAt(start)) && start > 0) start -= 1;
    if (isLow(text.charCodeAt(end)) && end < text.length) end += 1;
    return this.selectorsForUnits(start, end);
  }

  selectorsForUnits(start, end) {
    const cpStart = this.codePoint(start);
    const cpEnd = this.codePoint(end);
    const exact = this.text.slice(start, end);
    const prefix = this.text.slice(this.unit(Math.max(0, cpStart - CONTEXT)), start);
    const suffix = this.text.slice(end, this.unit(Math.min(this.cpLength, cpEnd + CONTEXT)));
    return {
      start: cpStart,
      end: cpEnd,
      unitStart: start,
      unitEnd: end,
      exact,
      prefix,
      suffix,
      length: cpEnd - cpStart,
    };
  }
}

function isLow(code) {
  return code >= 0xdc00 && code <= 0xdfff;
}

function buildCodePointMap(text) {
  const map = [];
  for (let i = 0; i < text.length; i += 1) {
    map.push(i);
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && isLow(text.charCodeAt(i + 1))) i += 1;
  }
  map.push(text.length);
  return Uint32Array.from(map);
}

export function codePointLength(text) {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

// The W3C selector pair the API expects for a described selection.
export function selectorsFor(described) {
  return [
    {
      type: "TextQuoteSelector",
      exact: described.exact,
      prefix: described.prefix,
      suffix: described.suffix,
    },
    { type: "TextPositionSelector", start: described.start, end: described.end },
  ];
}

// Reads {start, end, exact, prefix, suffix} back out of an API target.
export function readTarget(target) {
  const out = { start: null, end: null, exact: "", prefix: "", suffix: "", revision: null };
  if (!target) return out;
  out.revision = target.revision ?? null;
  for (const selector of target.selector || []) {
    if (selector.type === "TextPositionSelector") {
      out.start = selector.start;
      out.end = selector.end;
    } else if (selector.type === "TextQuoteSelector") {
      out.exact = selector.exact || "";
      out.prefix = selector.prefix || "";
      out.suffix = selector.suffix || "";
    }
  }
  return out;
}
