// The JSON API (docs/api.md) as the page uses it: the session cookie plus the CSRF token,
// errors as ApiError carrying the server's "detail" sentence, which is written for people.

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta?.content) return meta.content;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function detailOf(response) {
  try {
    const body = await response.json();
    if (typeof body?.detail === "string") return body.detail;
    // Schema errors come back as a list; show the first in words.
    if (Array.isArray(body?.detail) && body.detail.length) {
      const first = body.detail[0];
      const where = Array.isArray(first.loc) ? first.loc.slice(1).join(" → ") : "";
      return where ? `${where}: ${first.msg}` : String(first.msg);
    }
  } catch {
    // Not JSON: a proxy or a crash page. Fall through to the status line.
  }
  if (response.status === 401 || response.status === 403) {
    return "You are not allowed to do that. Your session may have ended: reload the page.";
  }
  return `The server answered ${response.status} ${response.statusText}. Try again.`;
}

export class Api {
  constructor(base) {
    this.base = base.replace(/\/$/, "");
  }

  // Writes carry a client_id, so repeating one after a dropped connection is safe: the server
  // answers with the first result. Only network failures and 5xx answers are retried.
  async request(method, path, body, { retries = 0 } = {}) {
    const init = {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    };
    if (method !== "GET") init.headers["X-CSRFToken"] = csrfToken();
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    for (let attempt = 0; ; attempt += 1) {
      let response;
      try {
        response = await fetch(this.base + path, init);
      } catch (error) {
        if (attempt < retries) {
          await pause(400 * (attempt + 1));
          continue;
        }
        throw new ApiError(0, `The connection failed (${error.message}). Check your network and try again.`);
      }
      if (response.status >= 500 && attempt < retries) {
        await pause(400 * (attempt + 1));
        continue;
      }
      if (!response.ok) throw new ApiError(response.status, await detailOf(response));
      if (response.status === 204) return null;
      return response.json();
    }
  }

  annotations(readingId) {
    return this.request("GET", `/readings/${readingId}/annotations`);
  }

  // The list and where live updates start from (its X-Changes-Cursor header).
  async listing(readingId) {
    const response = await this.fetchOk(`/readings/${readingId}/annotations`);
    return { data: await response.json(), cursor: response.headers.get("X-Changes-Cursor") };
  }

  // What changed since `since` (annotations/live), or null when nothing did (304).
  async changes(readingId, since) {
    const response = await this.fetchOk(`/readings/${readingId}/changes?since=${encodeURIComponent(since)}`);
    return response.status === 304 ? null : response.json();
  }

  async fetchOk(path) {
    let response;
    try {
      response = await fetch(this.base + path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (error) {
      throw new ApiError(0, `The connection failed (${error.message}). Check your network and try again.`);
    }
    if (!response.ok && response.status !== 304) throw new ApiError(response.status, await detailOf(response));
    return response;
  }

  create(readingId, payload) {
    return this.request("POST", `/readings/${readingId}/annotations`, payload, { retries: 2 });
  }

  reply(annotationId, payload) {
    return this.request("POST", `/annotations/${annotationId}/replies`, payload, { retries: 2 });
  }

  update(annotationId, changes) {
    return this.request("PATCH", `/annotations/${annotationId}`, changes);
  }

  remove(annotationId) {
    return this.request("DELETE", `/annotations/${annotationId}`);
  }

  vote(annotationId, on) {
    return this.request(on ? "POST" : "DELETE", `/annotations/${annotationId}/vote`);
  }

  flag(annotationId, payload) {
    return this.request("POST", `/annotations/${annotationId}/flags`, payload);
  }

  moderate(annotationId, payload) {
    return this.request("POST", `/annotations/${annotationId}/moderation`, payload);
  }

  // Instructors and TAs: the rubric score of a post, {score, comment} (the comment is replaced).
  score(annotationId, payload) {
    return this.request("PUT", `/annotations/${annotationId}/score`, payload);
  }

  // A question's state, {state: open | answered | addressed, note} (its author, staff).
  resolve(annotationId, payload) {
    return this.request("POST", `/annotations/${annotationId}/resolution`, payload);
  }

  // Instructors and TAs: endorse a reply as its question's answer, or take that back.
  endorse(annotationId, on) {
    return this.request(on ? "POST" : "DELETE", `/annotations/${annotationId}/endorsement`);
  }

  reattach(annotationId, selector) {
    return this.request("POST", `/annotations/${annotationId}/reattach`, { target: { selector } });
  }
}

function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // randomUUID needs a secure context; plain-http LAN demos still deserve unique ids.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
