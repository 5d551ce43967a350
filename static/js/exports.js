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
  row.querySelector(".job-retry").hidden = !(job.stale || job.status === "failed");
  if (job.stale) {
    status.textContent = "Stalled: its worker stopped. Retry it.";
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

const MAX_FAILURES = 8; // about a minute of a server that keeps failing, then stop

async function follow(row) {
  let failures = 0;
  for (;;) {
    let job = null;
    try {
      const response = await fetch(row.dataset.jobUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (response.ok) job = await response.json();
      else if (response.status < 500) return; // gone or not ours: a reload will tell
    } catch {
      // offline for a moment, or the server restarting: try again below
    }
    if (job) {
      failures = 0;
      show(row, job);
      if (!WORKING.has(job.status) || job.stale) return;
    } else if (++failures >= MAX_FAILURES) {
      row.querySelector(".job-status").textContent = "Not responding: reload the page to check.";
      return;
    }
    // Back off while the server fails, so a struggling server is not hammered.
    const wait = POLL_MS * 2 ** Math.min(failures, 3);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

for (const row of document.querySelectorAll(".export-job")) {
  if (WORKING.has(row.dataset.status)) follow(row);
}
