// Threads beside their passages on wide screens (≥ 992px): each thread card's top is level
// with the top of its highlight, pushed down just enough not to overlap the card before it.
// The list keeps its order (reading order, pinned threads first), so keyboard focus moves
// through the cards in the order they are seen. On narrow screens the list is a plain column
// under the text and none of this runs.
//
// One pass, all reads then all writes: the list's top, the first line box of every anchored
// passage (Range.getClientRects) and every card's height are read after one layout, then
// every card's `top` is written; 500 threads cost one layout, not 500. Threads with no place
// in the text shown (pinned ones, or ones whose words are not on this revision) follow the
// card before them. The pass runs again when a card, the text or the margin's head changes
// size (ResizeObserver: a reply form opening, a filter bar appearing, fonts arriving, the
// window narrowing), at most once per notification batch, and right after the list is drawn.
// When only cards changed size (a long list's cards are laid out as they scroll into view:
// content-visibility), the passages have not moved and their positions are not read again.

const GAP = 12; // px between two cards pushed together

export class MarginLayout {
  constructor({ list, painter, media, watch = [] }) {
    this.list = list;
    this.painter = painter;
    this.media = media;
    this.watch = watch.filter(Boolean);
    this.anchors = new Map(); // thread id (string) -> {unitStart, unitEnd}
    this.sizes = new WeakMap(); // element -> the size the last pass saw
    this.wanted = null; // per card, its passage's top relative to the list (null: none)
    this.frame = 0;
    this.observer = new ResizeObserver((entries) => this.resized(entries));
    media.addEventListener("change", () => {
      this.run();
      this.observe();
    });
    // Text reflow moves passages without always resizing what we observe (a wider window
    // can leave the text column as it was); one pass a frame at most.
    window.addEventListener("resize", () => {
      this.wanted = null;
      this.schedule();
    });
  }

  get active() {
    return this.media.matches;
  }

  // After the list is redrawn: where each thread's passage is. Laid out at once, so the
  // caller can scroll to or focus a card in its final place.
  update(anchors) {
    this.anchors = anchors;
    this.wanted = null;
    this.run();
    this.observe();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.run();
    });
  }

  observe() {
    this.observer.disconnect();
    if (!this.active) return;
    for (const element of this.watch) this.observer.observe(element);
    for (const li of this.list.children) this.observer.observe(li);
  }

  resized(entries) {
    let changed = false;
    const watched = new Set(this.watch);
    for (const entry of entries) {
      const box = entry.borderBoxSize?.[0];
      const size = box
        ? `${Math.round(box.inlineSize)}x${Math.round(box.blockSize)}`
        : `${Math.round(entry.contentRect.width)}x${Math.round(entry.contentRect.height)}`;
      const seen = this.sizes.get(entry.target);
      this.sizes.set(entry.target, size);
      // The first notification after observe() reports what the last pass already used.
      if (seen !== undefined && seen !== size) {
        changed = true;
        // The text or the margin's head: the passages moved relative to the list.
        if (watched.has(entry.target)) this.wanted = null;
      }
    }
    // In the callback, not a frame later: the cards move before the browser paints. Only
    // `top` and the list's height change, which no observed element's size depends on.
    if (changed) this.run();
  }

  run() {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    const list = this.list;
    const items = Array.from(list.children);
    if (!this.active) {
      this.wanted = null;
      if (list.classList.contains("is-beside")) {
        list.classList.remove("is-beside");
        list.style.height = "";
        for (const li of items) {
          li.style.top = "";
          li.classList.remove("is-level");
        }
      }
      return;
    }
    if (!list.classList.contains("is-beside")) {
      list.classList.add("is-beside");
      this.wanted = null;
    }
    // Reads.
    if (!this.wanted || this.wanted.length !== items.length) {
      const origin = list.getBoundingClientRect().top;
      this.wanted = items.map((li) => {
        const anchor = this.anchors.get(li.dataset.thread);
        const top = anchor ? this.passageTop(anchor) : null;
        return top === null ? null : Math.round(top - origin);
      });
      for (const element of this.watch) {
        const rect = element.getBoundingClientRect();
        this.sizes.set(element, `${Math.round(rect.width)}x${Math.round(rect.height)}`);
      }
    }
    const wanted = this.wanted;
    const boxes = items.map((li) => [li.offsetWidth, li.offsetHeight]);
    // Writes.
    let next = 0;
    items.forEach((li, i) => {
      const [width, height] = boxes[i];
      const top = wanted[i] === null ? next : Math.max(wanted[i], next);
      li.style.top = `${top}px`;
      // Level with its passage, or not (then the card's pointer would point at other words).
      li.classList.toggle("is-level", wanted[i] !== null && top - wanted[i] < 2);
      this.sizes.set(li, `${width}x${height}`);
      next = top + height + GAP;
    });
    list.style.height = `${items.length ? next - GAP : 0}px`;
  }

  // The viewport top of a passage's first line, or null if it has no box.
  passageTop({ unitStart, unitEnd }) {
    const range = this.painter.index.rangeForUnits(unitStart, unitEnd);
    if (!range) return null;
    for (const rect of range.getClientRects()) {
      if (rect.width > 0 && rect.height > 0) return rect.top;
    }
    const rect = range.getBoundingClientRect();
    return rect.height > 0 ? rect.top : null;
  }
}
