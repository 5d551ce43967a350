// The grading view: score one student's posts on a reading without leaving the keyboard.
//   j / k      next / previous post        0..9    score the focused post
//                                          1 0     score 10, where the scale goes up to 10
//   c          comment on it (Ctrl+Enter saves, Escape goes back to the post)
//   [ / ]      previous / next student
// Scores are saved through PUT /api/annotations/{id}/score; each result is announced, and the
// suggested grade beside the posts is fetched again from GET /api/seminars/{id}/gradebook.
// Requests go one at a time, in the order of the keys pressed: the last score typed is the
// one that stays, and the page never races its own writes. Without this script the forms
// still post to the server.

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const list = document.querySelector(".grading-posts");
const posts = [...document.querySelectorAll(".grading-post")];
const scoreMax = Number(list?.dataset.scoreMax ?? 9);
const statusBox = document.getElementById("grading-status");
const summary = document.querySelector(".grade-summary");
let statusTimer = 0;
let queue = Promise.resolve();
// On a 0–10 scale a "1" may be the start of "10": it waits briefly for a "0". Any other key,
// or the wait running out, saves the 1 on the post it was typed on.
const TEN_WAIT_MS = 800;
let pendingOne = null; // { post, timer }

function enqueue(task) {
  queue = queue.then(task, task);
  return queue;
}

function announce(message) {
  if (!statusBox) return;
  statusBox.textContent = "";
  clearTimeout(statusTimer);
  // Cleared first, set in the next frame: a repeated message is spoken again.
  requestAnimationFrame(() => {
    statusBox.textContent = message;
    statusBox.classList.add("is-visible");
  });
  statusTimer = setTimeout(() => statusBox.classList.remove("is-visible"), 4000);
}

async function request(method, url, body) {
  // keepalive: a score typed just before "]" still reaches the server as the page changes.
  const init = { method, credentials: "same-origin", keepalive: method !== "GET", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.headers["X-CSRFToken"] = csrf;
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new Error("The connection failed. Check your network and try again.");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = typeof data.detail === "string" ? data.detail : data.detail?.[0]?.msg;
    throw new Error(detail || `The server answered ${response.status}. Try again.`);
  }
  return data;
}

function save(post, value) {
  const radio = post.querySelector(`input[name="score"][value="${value}"]`);
  if (!radio) return;
  radio.checked = true;
  const status = post.querySelector(".score-status");
  status.textContent = "Saving…";
  post.classList.add("is-saving");
  const comment = post.querySelector(".score-comment")?.value.trim() ?? "";
  const number = post.dataset.number;
  enqueue(async () => {
    try {
      const saved = await request("PUT", post.dataset.scoreUrl, { score: Number(value), comment });
      status.textContent = `Scored ${saved.score} / ${scoreMax}`;
      post.classList.add("scored");
      announce(`Post ${number} scored ${saved.score} of ${scoreMax}${saved.comment ? ", with a comment" : ""}.`);
      refreshSuggestion();
    } catch (error) {
      status.textContent = "Not saved";
      announce(`Post ${number}: not saved. ${error.message}`);
    } finally {
      post.classList.remove("is-saving");
    }
  });
}

// The suggested grade follows the scores; a final grade set by hand stays as it is.
let refreshTimer = 0;
function refreshSuggestion() {
  if (!summary) return;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => enqueue(showSuggestion), 250);
}

async function showSuggestion() {
  let book;
  try {
    book = await request("GET", summary.dataset.gradebookUrl);
  } catch {
    return; // the figure stays as the page drew it; the scores themselves are saved
  }
  const { reading, student } = summary.dataset;
  const cell = book.cells.find((c) => String(c.reading) === reading && String(c.student) === student);
  if (!cell) return;
  summary.querySelector("#suggestion").textContent = `Suggested: ${cell.explanation}`;
  if (!cell.overridden) {
    summary.querySelector(".grade-value").textContent = cell.final === null ? "—" : `${cell.final.toFixed(1)}%`;
    summary.querySelector(".grade-origin").textContent = cell.final === null ? "nothing scored yet" : "suggested";
  }
}

function currentPost() {
  return document.activeElement?.closest?.(".grading-post") || null;
}

function move(step) {
  const at = posts.indexOf(currentPost());
  const next = at < 0 ? posts[0] : posts[Math.min(posts.length - 1, Math.max(0, at + step))];
  if (!next) return;
  if (next === posts[at]) announce(step > 0 ? "This is the last post." : "This is the first post.");
  next.focus({ preventScroll: true });
  next.scrollIntoView({ block: "nearest", behavior: matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth" });
}

for (const post of posts) {
  const form = post.querySelector(".score-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = form.querySelector('input[name="score"]:checked');
    if (chosen) save(post, chosen.value);
    else announce("Choose a score first: press a digit, or click one.");
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "score") save(post, event.target.value);
  });
  const comment = post.querySelector(".score-comment");
  comment?.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Escape") {
      event.preventDefault();
      post.focus();
    }
  });
}

function commitPendingOne() {
  if (!pendingOne) return;
  clearTimeout(pendingOne.timer);
  const { post } = pendingOne;
  pendingOne = null;
  save(post, "1");
}

function scoreKey(post, digit) {
  if (pendingOne) {
    if (digit === "0" && pendingOne.post === post) {
      clearTimeout(pendingOne.timer);
      pendingOne = null;
      save(post, "10");
      return;
    }
    commitPendingOne();
  }
  if (Number(digit) > scoreMax) announce(`Scores go from 0 to ${scoreMax}.`);
  else if (digit === "1" && scoreMax >= 10) {
    post.querySelector(".score-status").textContent = "1… (press 0 for 10)";
    pendingOne = { post, timer: setTimeout(commitPendingOne, TEN_WAIT_MS) };
  } else save(post, digit);
}

// Leaving the page with a "1" still waiting saves it (keepalive carries the request out).
addEventListener("pagehide", commitPendingOne);

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  const typing = event.target.closest?.("textarea, select, input:not([type=radio]):not([type=checkbox])");
  if (typing) return;
  const post = currentPost();
  const digit = /^[0-9]$/.test(event.key) && post;
  if (!digit && !["Shift", "CapsLock"].includes(event.key)) commitPendingOne();
  if (event.key === "j") move(1);
  else if (event.key === "k") move(-1);
  else if (event.key === "[") document.querySelector('a[rel="prev"]')?.click();
  else if (event.key === "]") document.querySelector('a[rel="next"]')?.click();
  else if (event.key === "c" && post) post.querySelector(".score-comment")?.focus();
  else if (digit) scoreKey(post, event.key);
  else return;
  event.preventDefault();
});

// Start where the work is: a field the server sent back with an error, else the first
// unscored post, else the first post.
const invalid = document.querySelector(".grade-summary .is-invalid");
if (invalid) invalid.focus();
else if (posts.length && !currentPost()) {
  (posts.find((post) => !post.classList.contains("scored")) || posts[0]).focus({ preventScroll: true });
}
