// The grading view: score posts with the keyboard (or the mouse) without leaving the page.
//   j / k      next / previous post        0..9   score the focused post
//   c          write a comment             [ / ]  previous / next student
// Scores are saved through PUT /api/annotations/{id}/score; the form still works without us.

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const posts = [...document.querySelectorAll(".grading-post")];

async function save(post, value) {
  const status = post.querySelector(".score-status");
  const comment = post.querySelector(".score-comment")?.value ?? "";
  const radio = post.querySelector(`input[name="score"][value="${value}"]`);
  if (!radio) return;
  radio.checked = true;
  status.textContent = "Saving…";
  const response = await fetch(post.dataset.scoreUrl, {
    method: "PUT",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    credentials: "same-origin",
    body: JSON.stringify({ score: Number(value), comment }),
  });
  const body = await response.json().catch(() => ({}));
  status.textContent = response.ok ? `Scored ${body.score}` : body.detail || "Not saved";
  post.classList.toggle("scored", response.ok);
}

for (const post of posts) {
  const form = post.querySelector(".score-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = form.querySelector('input[name="score"]:checked');
    if (chosen) save(post, chosen.value);
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "score") save(post, event.target.value);
  });
}

function move(step) {
  const current = posts.indexOf(document.activeElement.closest(".grading-post"));
  const next = posts[Math.min(posts.length - 1, Math.max(0, current + step))];
  next?.focus();
  next?.scrollIntoView({ block: "nearest" });
}

document.addEventListener("keydown", (event) => {
  const typing = event.target.closest("textarea, input[type=text], input[type=number]");
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  const post = document.activeElement.closest(".grading-post");
  if (event.key === "j") move(1);
  else if (event.key === "k") move(-1);
  else if (event.key === "[") document.querySelector('a[rel="prev"]')?.click();
  else if (event.key === "]") document.querySelector('a[rel="next"]')?.click();
  else if (event.key === "c" && post) post.querySelector(".score-comment")?.focus();
  else if (/^[0-9]$/.test(event.key) && post) save(post, event.key);
  else return;
  event.preventDefault();
});

if (posts.length && !document.activeElement.closest(".grading-post")) posts[0].focus();
