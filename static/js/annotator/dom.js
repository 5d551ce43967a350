// Building DOM from data. People's words (names, tags, quotes) only ever reach the page as
// text nodes; the one HTML string we insert is an annotation's `html`, which the server
// renders from Markdown and sanitizes with nh3.

export const KINDS = [
  { value: "critique", label: "Critique", hint: "Challenge a claim or its reasoning" },
  { value: "question", label: "Question", hint: "Ask what the passage means or assumes" },
  { value: "evidence", label: "Evidence", hint: "Point to support or counter-evidence" },
  { value: "connection", label: "Connection", hint: "Link to another reading or idea" },
  { value: "note", label: "Note", hint: "A note to remember" },
];
export const KIND_LABELS = Object.fromEntries(KINDS.map((k) => [k.value, k.label]));
KIND_LABELS.comment = "Comment";
KIND_LABELS.reply = "Reply";

export const VISIBILITY_LABELS = {
  seminar: "Everyone in the seminar",
  instructors: "Instructors and TAs",
  private: "Only me",
};
export const ROLE_LABELS = { instructor: "Instructor", ta: "TA" };

// el("p", {className: "x", text: "hi"}, child, ...): attributes set as properties or, for
// aria-* and data-*, as attributes. `text` sets textContent; there is no `html` option.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith("aria-") && typeof value === "boolean") {
      node.setAttribute(key, String(value));
      continue;
    }
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("aria-") || key === "role" || key === "for") {
      node.setAttribute(key, String(value));
    } else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

// The sanitized HTML of a post. A <template> parses it inert (no image loads, no handlers
// run while parsing), and we adopt its nodes.
export function sanitizedHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html || "";
  return template.content;
}

const DATE_FORMAT = new Intl.DateTimeFormat("en-US", {
  month: "long",
  day: "numeric",
  year: "numeric",
  hour: "numeric",
  minute: "2-digit",
});
const SHORT_FORMAT = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric" });

export function timeElement(iso, className = "post-time") {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  const long = DATE_FORMAT.format(date);
  return el("time", { className, dateTime: iso, title: long, text: relative(date) || long });
}

function relative(date) {
  const seconds = (Date.now() - date.getTime()) / 1000;
  if (seconds < 0) return "";
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  if (seconds < 7 * 86400) return `${Math.floor(seconds / 86400)} d ago`;
  return "";
}

export function shortDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : SHORT_FORMAT.format(date);
}

export function truncate(text, limit) {
  const chars = Array.from(text);
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join("").trimEnd()}…`;
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}
