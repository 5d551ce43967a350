// The export page: follow background archive builds until they are ready to download.
// Each unfinished job row polls GET /api/exports/{id}; the page works without us (reload it).

const POLL_MS = 1500;
const WORKING = new Set(["queued", "running"]);

function show(row, job) {
  const bar = row.querySelector(".job-progress");
  const status = row.querySelector(".job-status");
  const link = row.querySelector(".job-download");
  row.dataset.status = job.status;
  bar.value = job.progress;
  bar.textContent = `${job.progress}%`;
  if (job.stale) {
    status.textContent = "Stalled: the server may have restarted. Build a new one.";
  } else if (job.status === "done") {
    status.textContent = "Ready";
    link.href = job.download;
    link.hidden = false;
  } else if (job.status === "failed") {
    status.textContent = job.error || "Failed";
  } else {
    status.textContent = job.status === "queued" ? "Queued" : `Running · ${job.progress}%`;
  }
}

async function follow(row) {
  for (;;) {
    let job;
    try {
      const response = await fetch(row.dataset.jobUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      job = await response.json();
    } catch {
      return; // offline or the server went away: a reload will tell
    }
    show(row, job);
    if (!WORKING.has(job.status) || job.stale) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

for (const row of document.querySelectorAll(".export-job")) {
  if (WORKING.has(row.dataset.status)) follow(row);
}
