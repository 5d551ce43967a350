// The bar a tap on a highlight brings up on narrow screens (app.js): whose annotation, and a
// button to go to its thread under the text, rather than a jump the reader did not ask for.

import { KIND_LABELS, plural } from "./dom.js";

export class Peek {
  constructor(bar, { onShow }) {
    this.bar = bar;
    this.text = bar.querySelector(".peek-text");
    this.hits = [];
    bar.querySelector(".peek-show").addEventListener("click", () => {
      const hits = this.hits;
      this.hide();
      onShow(hits);
    });
    bar.querySelector(".peek-close").addEventListener("click", () => this.hide());
  }

  show(hits, nodes) {
    this.hits = hits;
    const item = nodes.get(hits[0].id)?.item;
    const who = item && !item.deleted && !item.placeholder ? ` by ${item.author.name}` : "";
    const more = hits.length > 1 ? ` and ${plural(hits.length - 1, "more")}` : "";
    this.text.textContent = `${KIND_LABELS[hits[0].kind] || "Annotation"}${who}${more}`;
    this.bar.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.hide(), 8000);
  }

  hide() {
    this.bar.hidden = true;
  }
}
