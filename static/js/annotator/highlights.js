// Painting annotated passages. With the CSS Custom Highlight API the text is never touched:
// ranges go into a handful of named highlights that annotator.css styles with ::highlight().
// Two families of highlights work together:
//   - one per kind, carrying an underline style (solid, wavy, double, dashed, dotted), so the
//     kind reads without colour;
//   - one per overlap depth (1, 2, 3+), carrying a background that darkens where passages
//     overlap; the sweep below cuts the text into segments of equal depth.
// Browsers without the API get <mark> elements instead, which leave textContent unchanged
// (offsets are always computed from text nodes, never from element positions).

import { TextIndex } from "./offsets.js";

const KIND_NAMES = ["critique", "question", "evidence", "connection", "note"];
const MAX_DEPTH = 3;
const FLASH_MS = 1800;

export const supportsHighlights = typeof CSS !== "undefined" && "highlights" in CSS;

export class Painter {
  constructor(root) {
    this.root = root;
    this.index = new TextIndex(root);
    this.items = [];
    this.flashTimer = 0;
    this.useMarks = !supportsHighlights;
  }

  // items: [{id, kind, unitStart, unitEnd}] in UTF-16 units of the body text.
  paint(items) {
    this.items = items;
    const segments = depthSegments(items, this.useMarks);
    if (this.useMarks) this.paintMarks(segments);
    else this.paintHighlights(items, segments);
  }

  paintHighlights(items, segments) {
    const byKind = new Map(KIND_NAMES.map((name) => [name, []]));
    for (const item of items) {
      const range = this.index.rangeForUnits(item.unitStart, item.unitEnd);
      if (range) (byKind.get(item.kind) || byKind.get("note")).push(range);
    }
    const byDepth = [[], [], []];
    for (const segment of segments) {
      const range = this.index.rangeForUnits(segment.start, segment.end);
      if (range) byDepth[segment.depth - 1].push(range);
    }
    byDepth.forEach((ranges, i) => setHighlight(`annot-depth-${i + 1}`, ranges, i));
    for (const [kind, ranges] of byKind) setHighlight(`annot-${kind}`, ranges, 4);
  }

  // The fallback: wrap each segment's text in <mark>, after unwrapping the last paint.
  paintMarks(segments) {
    this.unwrapMarks();
    const index = new TextIndex(this.root);
    // Back to front, so splitting a text node never moves an earlier segment's nodes.
    for (let s = segments.length - 1; s >= 0; s -= 1) {
      const { start, end, depth, kind } = segments[s];
      const first = index.nodeAt(start, false);
      const last = index.nodeAt(end, true);
      for (let i = last; i >= first; i -= 1) {
        const node = index.nodes[i];
        const nodeStart = index.starts[i];
        const from = Math.max(start, nodeStart) - nodeStart;
        const to = Math.min(end - nodeStart, node.data.length);
        if (to <= from || !node.data.slice(from, to).trim()) continue;
        if (to < node.data.length) node.splitText(to);
        const piece = from > 0 ? node.splitText(from) : node;
        const mark = document.createElement("mark");
        mark.className = `annot-mark annot-mark-depth-${depth} annot-mark-${kind}`;
        piece.parentNode.insertBefore(mark, piece);
        mark.append(piece);
      }
    }
    this.index = new TextIndex(this.root);
  }

  unwrapMarks() {
    const marks = this.root.querySelectorAll("mark.annot-mark");
    if (!marks.length) return;
    for (const mark of marks) mark.replaceWith(...mark.childNodes);
    this.root.normalize();
    this.index = new TextIndex(this.root);
  }

  // A passage being written about, painted while the composer is open (the selection itself
  // goes away when focus moves into the form); and the passage of the thread under the pointer.
  setDraft(unitStart, unitEnd) {
    this.show("annot-draft", unitStart, unitEnd, 8);
  }

  setHover(unitStart, unitEnd) {
    this.show("annot-hover", unitStart, unitEnd, 7);
  }

  show(name, unitStart, unitEnd, priority) {
    if (this.useMarks) return;
    const range = unitStart === null ? null : this.index.rangeForUnits(unitStart, unitEnd);
    setHighlight(name, range ? [range] : [], priority);
  }

  flash(unitStart, unitEnd) {
    if (this.useMarks) return;
    const range = this.index.rangeForUnits(unitStart, unitEnd);
    if (!range) return;
    setHighlight("annot-active", [range], 9);
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => setHighlight("annot-active", [], 9), FLASH_MS);
  }

  // The painted items under a point on screen, shortest passage first.
  itemsAt(x, y) {
    const unit = this.unitAtPoint(x, y);
    if (unit === null) return [];
    return this.items
      .filter((item) => item.unitStart <= unit && unit < item.unitEnd)
      .sort((a, b) => a.unitEnd - a.unitStart - (b.unitEnd - b.unitStart));
  }

  unitsAt(unit) {
    return this.items.filter((item) => item.unitStart <= unit && unit < item.unitEnd);
  }

  // The character under (x, y) as a UTF-16 position, or null off the text. The caret lands
  // between characters, so the character is whichever neighbour's box holds the point.
  unitAtPoint(x, y) {
    let node;
    let offset;
    if (document.caretPositionFromPoint) {
      const position = document.caretPositionFromPoint(x, y);
      if (!position) return null;
      node = position.offsetNode;
      offset = position.offset;
    } else if (document.caretRangeFromPoint) {
      const range = document.caretRangeFromPoint(x, y);
      if (!range) return null;
      node = range.startContainer;
      offset = range.startOffset;
    } else return null;
    if (!node || node.nodeType !== Node.TEXT_NODE || !this.root.contains(node)) return null;
    const unit = this.index.unitOf(node, offset);
    for (const candidate of [unit, unit - 1]) {
      if (candidate < 0 || candidate >= this.index.length) continue;
      const range = this.index.rangeForUnits(candidate, candidate + 1);
      for (const rect of range.getClientRects()) {
        if (x >= rect.left - 1 && x <= rect.right + 1 && y >= rect.top && y <= rect.bottom) {
          return candidate;
        }
      }
    }
    return null;
  }
}

function setHighlight(name, ranges, priority) {
  if (!ranges.length) {
    CSS.highlights.delete(name);
    return;
  }
  const highlight = new Highlight(...ranges);
  highlight.priority = priority;
  CSS.highlights.set(name, highlight);
}

// Cuts the covered text into maximal segments of equal overlap depth (capped at MAX_DEPTH),
// in one sorted sweep over the passage boundaries. Each segment also names the kind of the
// innermost passage covering it, for the <mark> fallback.
export function depthSegments(items, withKind = false) {
  const events = [];
  for (const item of items) {
    if (item.unitEnd <= item.unitStart) continue;
    events.push([item.unitStart, 1, item], [item.unitEnd, -1, item]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const segments = [];
  const open = new Set();
  let depth = 0;
  let position = 0;
  for (const [at, delta, item] of events) {
    if (at > position && depth > 0) {
      const level = Math.min(depth, MAX_DEPTH);
      const kind = withKind ? innermostKind(open) : null;
      const previous = segments[segments.length - 1];
      const same = previous && previous.depth === level && previous.kind === kind;
      if (same && previous.end === position) {
        previous.end = at;
      } else segments.push({ start: position, end: at, depth: level, kind });
    }
    depth += delta;
    if (delta > 0) open.add(item);
    else open.delete(item);
    position = at;
  }
  return segments;
}

function innermostKind(open) {
  let best = null;
  for (const item of open) {
    if (!best || item.unitEnd - item.unitStart < best.unitEnd - best.unitStart) best = item;
  }
  return best ? best.kind : "note";
}
