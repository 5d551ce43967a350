// The margin's filters: kind (toggle buttons that double as the legend of underline styles),
// tag, author, group (the staff's), "only mine" and "open questions". Options come from the threads on the page; names and tags go
// in as text. The controls are rebuilt only when the options change, so focus survives.

import { KINDS, el } from "./dom.js";
import { emptyFilters, isFiltering, isOpenQuestion } from "./model.js";

export class Filters {
  constructor(container, { onChange }) {
    this.container = container;
    this.onChange = onChange;
    this.state = emptyFilters();
    this.signature = "";
  }

  update(passages) {
    const kinds = new Set(passages.map((t) => t.top.item.kind));
    const tags = new Map();
    for (const thread of passages) {
      for (const tag of thread.top.item.tags || []) tags.set(tag.toLowerCase(), tag);
    }
    const authors = new Set();
    for (const thread of passages) for (const name of thread.authors) authors.add(name);
    const groups = new Set(passages.map((t) => t.group).filter(Boolean));
    const signature = JSON.stringify([
      [...groups].sort(),
      [...kinds].sort(),
      [...tags.keys()].sort(),
      [...authors].sort(),
      passages.some((t) => t.mine),
      passages.some((t) => isOpenQuestion(t.top.item)),
    ]);
    // Forget choices that no longer exist (an edited tag, a deleted thread).
    for (const kind of this.state.kinds) if (!kinds.has(kind)) this.state.kinds.delete(kind);
    if (this.state.tag && !tags.has(this.state.tag)) this.state.tag = "";
    if (this.state.author && !authors.has(this.state.author)) this.state.author = "";
    if (this.state.group && !groups.has(this.state.group)) this.state.group = "";
    this.container.hidden = passages.length === 0;
    if (signature === this.signature) return;
    this.signature = signature;
    this.render(kinds, tags, authors, passages.some((t) => isOpenQuestion(t.top.item)), groups);
  }

  render(kinds, tags, authors, anyOpen, groups) {
    const state = this.state;
    const kindGroup = el("div", { className: "filter-kinds", role: "group", "aria-label": "Show only these kinds" });
    for (const kind of KINDS) {
      const button = el(
        "button",
        {
          type: "button",
          className: `filter-kind kind-chip kind-chip-${kind.value}`,
          "aria-pressed": state.kinds.has(kind.value),
          disabled: !kinds.has(kind.value),
          dataset: { kind: kind.value },
          title: kind.hint,
        },
        el("span", { className: `kind-sample kind-sample-${kind.value}`, text: kind.label }),
      );
      button.addEventListener("click", () => {
        if (state.kinds.has(kind.value)) state.kinds.delete(kind.value);
        else state.kinds.add(kind.value);
        button.setAttribute("aria-pressed", String(state.kinds.has(kind.value)));
        this.changed();
      });
      kindGroup.append(button);
    }

    const tagSelect = select("filter-tag", "Filter by tag", "All tags", [...tags].sort((a, b) => a[0].localeCompare(b[0])), state.tag);
    tagSelect.control.addEventListener("change", () => {
      state.tag = tagSelect.control.value;
      this.changed();
    });
    const names = [...authors].sort((a, b) => a.localeCompare(b)).map((name) => [name, name]);
    const authorSelect = select("filter-author", "Filter by author", "All authors", names, state.author);
    authorSelect.control.addEventListener("change", () => {
      state.author = authorSelect.control.value;
      this.changed();
    });

    const mine = el("input", { type: "checkbox", className: "form-check-input", id: "filter-mine", checked: state.mine });
    mine.addEventListener("change", () => {
      state.mine = mine.checked;
      this.changed();
    });
    const open = el("input", { type: "checkbox", className: "form-check-input", id: "filter-open", checked: state.open });
    open.disabled = !anyOpen && !state.open;
    open.addEventListener("change", () => {
      state.open = open.checked;
      this.changed();
    });
    const openField = el(
      "div",
      { className: "form-check filter-open", title: "Questions not yet answered or addressed in class" },
      open,
      el("label", { className: "form-check-label", for: "filter-open", text: "Open questions" }),
    );
    const mineField = el(
      "div",
      { className: "form-check filter-mine" },
      mine,
      el("label", { className: "form-check-label", for: "filter-mine", text: "Only mine" }),
    );

    this.clear = el("button", { type: "button", className: "btn btn-link btn-sm filter-clear", text: "Clear filters", hidden: !isFiltering(state) });
    this.clear.addEventListener("click", () => {
      this.state = emptyFilters();
      this.signature = "";
      this.changed({ rebuild: true });
      this.container.querySelector(".filter-kind:not([disabled])")?.focus();
    });

    this.container.replaceChildren(
      kindGroup,
      el("div", { className: "filter-row" }, tagSelect.field, authorSelect.field),
      ...(groups.size ? [el("div", { className: "filter-row" }, this.groupSelect(groups).field)] : []),
      el("div", { className: "filter-row" }, mineField, openField, this.clear),
    );
  }

  // The staff's: threads started in one group (the list names groups for the staff only).
  groupSelect(groups) {
    const names = [...groups].sort((a, b) => a.localeCompare(b)).map((name) => [name, name]);
    const groupSelect = select("filter-group", "Filter by group", "All groups", names, this.state.group);
    groupSelect.control.addEventListener("change", () => {
      this.state.group = groupSelect.control.value;
      this.changed();
    });
    return groupSelect;
  }

  changed({ rebuild = false } = {}) {
    if (this.clear) this.clear.hidden = !isFiltering(this.state);
    this.onChange(this.state, { rebuild });
  }
}

function select(id, label, allLabel, options, value) {
  const control = el("select", { className: "form-select form-select-sm", id });
  control.append(el("option", { value: "", text: allLabel }));
  for (const [optionValue, optionLabel] of options) {
    control.append(el("option", { value: optionValue, text: optionLabel, selected: optionValue === value }));
  }
  control.disabled = options.length === 0;
  // The first option ("All tags") says what the menu is; the label is for screen readers.
  const field = el("div", { className: "filter-field" }, el("label", { className: "visually-hidden", for: id, text: label }), control);
  return { field, control };
}
