// The passage heat map (staff only): the reading shaded by how many of the class's posts cover
// each character, or by how many questions do ("where the class is confused"). The server
// merges the anchored passages into spans of equal counts (GET /api/readings/{id}/insight,
// annotations/insight); this module only buckets them and paints them with the same Custom
// Highlight API the annotator uses, into LEVELS named highlights that annotator.css colours
// with a sequential ramp. While the map is on, the annotator's own highlights recede (the
// `heat-on` class on #annotator), so the heat reads alone; off brings them back.
//
// The buckets are relative: the most-covered character is always the darkest level, and a
// count c falls in level ceil(c * LEVELS / max), so with few posts each count has its own
// shade and with many a shade covers a range, which the legend spells out ("5–6").

import { Api } from "./api.js";
import { supportsHighlights } from "./highlights.js";
import { TextIndex } from "./offsets.js";

export const LEVELS = 5;
// Above the annotator's depth (0–2) and kind (4) layers; under hover, draft and flash (7–9),
// which answer what the person is doing.
const PRIORITY = 5;
const MODES = {
  posts: { count: "posts", max: "max_posts", total: (data) => data.posts, one: "post", many: "posts", label: "" },
  questions: {
    count: "questions",
    max: "max_questions",
    total: (data) => data.totals.questions,
    one: "question",
    many: "questions",
    label: ", questions only",
  },
};

export function startHeatMap() {
  const toggle = document.getElementById("heatmap-toggle");
  const shell = document.getElementById("annotator");
  const root = document.getElementById("reading-body");
  if (!toggle || !shell || !root) return null;
  return new HeatMap({ toggle, shell, root });
}

class HeatMap {
  constructor({ toggle, shell, root }) {
    this.toggle = toggle;
    this.shell = shell;
    this.root = root;
    this.panel = document.getElementById("heatmap-panel");
    this.legend = document.getElementById("heatmap-legend");
    this.status = document.getElementById("heatmap-status");
    this.api = new Api(shell.dataset.api || "/api");
    this.data = null;
    this.asked = 0; // the newest request: an answer to an older one (toggled off meanwhile) is dropped
    if (!supportsHighlights) {
      toggle.setAttribute("aria-disabled", "true");
      toggle.textContent = "Heat map: not in this browser";
      toggle.title = "This browser cannot show the heat map (it lacks the CSS Custom Highlight API).";
      toggle.addEventListener("click", () => this.say("This browser cannot show the heat map."));
      return;
    }
    toggle.addEventListener("click", () => (this.on ? this.turnOff() : this.turnOn()));
    for (const radio of this.panel?.querySelectorAll('input[name="heatmap-mode"]') || []) {
      radio.addEventListener("change", () => this.data && this.paint());
    }
  }

  get on() {
    return this.toggle.getAttribute("aria-pressed") === "true";
  }

  get mode() {
    const checked = this.panel?.querySelector('input[name="heatmap-mode"]:checked');
    return MODES[checked?.value] ? checked.value : "posts";
  }

  // Fetched afresh each time it is turned on: the class may have posted since.
  async turnOn() {
    const asked = ++this.asked;
    this.toggle.setAttribute("aria-pressed", "true");
    this.toggle.setAttribute("aria-busy", "true");
    this.say("Loading the heat map…");
    let data;
    try {
      data = await this.api.request("GET", `/readings/${this.shell.dataset.reading}/insight`);
    } catch (error) {
      if (asked !== this.asked) return;
      this.turnOff({ quiet: true });
      this.say(`The heat map could not be loaded: ${error.detail || error.message}`);
      return;
    } finally {
      if (asked === this.asked) this.toggle.removeAttribute("aria-busy");
    }
    if (asked !== this.asked) return;
    if (String(data.revision) !== String(this.root.dataset.revision)) {
      this.turnOff({ quiet: true });
      this.say("The text has been edited since this page was loaded: reload the page to see its heat map.");
      return;
    }
    this.data = data;
    this.shell.classList.add("heat-on");
    if (this.panel) this.panel.hidden = false;
    this.paint();
  }

  turnOff({ quiet = false } = {}) {
    this.asked += 1;
    this.toggle.setAttribute("aria-pressed", "false");
    this.toggle.removeAttribute("aria-busy");
    this.shell.classList.remove("heat-on");
    if (this.panel) this.panel.hidden = true;
    clearLayers();
    this.data = null;
    if (!quiet) this.say("Heat map off.");
  }

  paint() {
    const mode = MODES[this.mode];
    const max = this.data[mode.max];
    const index = new TextIndex(this.root);
    const layers = Array.from({ length: LEVELS }, () => []);
    for (const run of levelRuns(this.data.spans, mode.count, max)) {
      const range = index.rangeForUnits(index.unit(run.start), index.unit(run.end));
      if (range) layers[run.level - 1].push(range);
    }
    layers.forEach((ranges, i) => {
      const name = `heat-${i + 1}`;
      if (!ranges.length) CSS.highlights.delete(name);
      else {
        const highlight = new Highlight(...ranges);
        highlight.priority = PRIORITY;
        CSS.highlights.set(name, highlight);
      }
    });
    this.drawLegend(max, mode);
    this.say(summary(this.data, mode, max));
  }

  drawLegend(max, mode) {
    if (!this.legend) return;
    const items = legendRanges(max).map(({ level, low, high }) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = `heatmap-swatch heatmap-swatch-${level}`;
      swatch.setAttribute("aria-hidden", "true");
      item.append(swatch, low === high ? String(low) : `${low}–${high}`);
      return item;
    });
    const unit = document.createElement("li");
    unit.className = "heatmap-unit";
    unit.textContent = items.length ? `${mode.many} on a passage` : `no ${mode.many} yet`;
    this.legend.replaceChildren(...items, unit);
  }

  say(message) {
    if (this.status) this.status.textContent = message;
  }
}

function clearLayers() {
  for (let i = 1; i <= LEVELS; i += 1) CSS.highlights.delete(`heat-${i}`);
}

export function levelOf(count, max) {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(LEVELS, Math.max(1, Math.ceil((count * LEVELS) / max)));
}

// The spans as runs of one level, touching runs of the same level joined (in "questions"
// mode two spans that differ only in their other posts read as one stretch).
export function levelRuns(spans, key, max) {
  const runs = [];
  for (const span of spans) {
    const level = levelOf(span[key], max);
    if (!level) continue;
    const last = runs[runs.length - 1];
    if (last && last.level === level && last.end === span.start) last.end = span.end;
    else runs.push({ start: span.start, end: span.end, level });
  }
  return runs;
}

// Each level in use and the counts it stands for, lightest first.
export function legendRanges(max) {
  const out = [];
  for (let count = 1; count <= max; count += 1) {
    const level = levelOf(count, max);
    const last = out[out.length - 1];
    if (last && last.level === level) last.high = count;
    else out.push({ level, low: count, high: count });
  }
  return out;
}

// Stretches of text covered at all: spans that touch are one passage.
function passageCount(spans, key) {
  let count = 0;
  let end = -1;
  for (const span of spans) {
    if (span[key] <= 0) continue;
    if (span.start !== end) count += 1;
    end = span.end;
  }
  return count;
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function summary(data, mode, max) {
  const total = mode.total(data);
  if (!total || !max) return `Heat map on${mode.label}: no ${mode.many} on passages yet.`;
  const passages = passageCount(data.spans, mode.count);
  const where = max === 1 ? `no two ${mode.many} overlap` : `darkest where ${max} overlap`;
  return `Heat map on${mode.label}: ${plural(total, mode.one, mode.many)} on ${plural(passages, "passage", "passages")}; ${where}.`;
}
