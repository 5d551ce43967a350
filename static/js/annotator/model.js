// From the API's flat list (oldest first) to threads: passage threads in reading order,
// orphans (passages no longer in the text) apart, and page comments in posting order; pinned
// threads first in each. A thread is its top post plus the tree of replies under it.

import { readTarget } from "./offsets.js";

export function buildThreads(items, { index, revision, latest = revision }) {
  const nodes = new Map(items.map((item) => [item.id, { item, children: [], parent: null }]));
  const tops = [];
  for (const node of nodes.values()) {
    const { item } = node;
    const parent = item.parent ? nodes.get(item.parent) || nodes.get(item.thread) : null;
    if (parent && parent !== node) {
      node.parent = parent;
      parent.children.push(node);
    } else if (!item.parent) tops.push(node);
    // The server sends a placeholder for a concealed parent ("Hidden by a moderator"), so
    // a reply always finds its place; one that still cannot is not shown.
  }
  const passages = [];
  const orphans = [];
  const comments = [];
  for (const top of tops) {
    // A thread is the group's of who started it (the staff's filter by group, annotations/peers).
    const group = top.item.author?.group || "";
    const thread = { top, size: countPosts(top), authors: new Set(), mine: false, group };
    collect(top, thread);
    // By kind, not by target: an orphaned critique is still a passage thread.
    if (top.item.kind !== "comment") {
      thread.passage = passageOf(top.item, index, revision);
      // On the text the page has not loaded yet: not stale, just not here until a reload.
      thread.passage.onNewer =
        String(latest) !== String(revision) && String(thread.passage.revision) === String(latest);
      (thread.passage.orphaned ? orphans : passages).push(thread);
    } else comments.push(thread);
  }
  const byPlace = (a, b) =>
    pinnedFirst(a, b) ||
    (a.passage.start ?? Infinity) - (b.passage.start ?? Infinity) ||
    (a.passage.end ?? 0) - (b.passage.end ?? 0) ||
    a.top.item.id - b.top.item.id;
  passages.sort(byPlace);
  orphans.sort(byPlace);
  // Comments keep their number (posting order) wherever pinning puts them.
  comments.forEach((thread, i) => {
    thread.number = i + 1;
  });
  comments.sort((a, b) => pinnedFirst(a, b) || a.number - b.number);
  return { passages, orphans, comments, nodes };
}

function pinnedFirst(a, b) {
  return Number(Boolean(b.top.item.pinned)) - Number(Boolean(a.top.item.pinned));
}

function countPosts(node) {
  let count = 1;
  for (const child of node.children) count += countPosts(child);
  return count;
}

function collect(node, thread) {
  const { author, deleted } = node.item;
  if (!deleted && author?.name) thread.authors.add(author.name);
  if (!deleted && author?.is_me) thread.mine = true;
  for (const child of node.children) collect(child, thread);
}

// Where an annotation's passage is in today's text. Only a selector against the page's own
// revision whose quote still matches is painted; anything else waits for re-anchoring.
function passageOf(item, index, revision) {
  const target = readTarget(item.target);
  const passage = { ...target, current: false, missing: false, unitStart: 0, unitEnd: 0 };
  passage.orphaned = item.anchor_status === "orphaned";
  passage.moved = item.anchor_status === "moved";
  // Words edited since it was written: it followed them, and says so.
  const original = item.target?.original_quote;
  passage.originalQuote = original && original !== target.exact ? original : "";
  const sameRevision = target.revision === null || String(target.revision) === String(revision);
  if (passage.orphaned || !sameRevision || target.start === null || target.end === null) {
    return passage;
  }
  if (target.start < 0 || target.end <= target.start || target.end > index.cpLength) {
    passage.missing = true;
    return passage;
  }
  passage.unitStart = index.unit(target.start);
  passage.unitEnd = index.unit(target.end);
  const shown = index.text.slice(passage.unitStart, passage.unitEnd);
  if (target.exact && shown !== target.exact) {
    passage.missing = true;
    return passage;
  }
  if (!passage.exact) passage.exact = shown;
  passage.current = true;
  return passage;
}

// The filter state -> does a passage thread pass? Kinds: none chosen means all.
export function matches(thread, filters) {
  const { item } = thread.top;
  if (filters.kinds.size && !filters.kinds.has(item.kind)) return false;
  if (filters.tag && !(item.tags || []).some((tag) => tag.toLowerCase() === filters.tag)) return false;
  if (filters.author && !thread.authors.has(filters.author)) return false;
  if (filters.group && thread.group !== filters.group) return false;
  if (filters.mine && !thread.mine) return false;
  if (filters.open && !isOpenQuestion(item)) return false;
  return true;
}

// A question nobody has marked answered or addressed in class (annotations/questions).
export function isOpenQuestion(item) {
  return item.kind === "question" && !item.deleted && item.resolution?.state === "open";
}

export function emptyFilters() {
  return { kinds: new Set(), tag: "", author: "", group: "", mine: false, open: false };
}

export function isFiltering(filters) {
  return Boolean(filters.kinds.size || filters.tag || filters.author || filters.group || filters.mine || filters.open);
}
