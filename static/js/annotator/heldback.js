// "Think first" (annotations/peers): the notice that classmates' posts are held back from
// this reader. The list says how many (`held_back`, null once they see the class): the
// notice goes when they may see them, and a reading held back until its due date loads
// the list again when the date passes, so nobody has to reload the page for it.

const LONGEST_WAIT_MS = 24 * 3600 * 1000; // beyond this a timer is not worth keeping

export class HeldBack {
  constructor(notice, { reload }) {
    this.notice = notice;
    this.reload = reload;
    this.timer = null;
  }

  // A load's list: whether classmates' posts are still held back.
  update(heldBack) {
    if (!this.notice) return;
    const held = heldBack !== null && heldBack !== undefined;
    this.notice.hidden = !held;
    if (!held) {
      clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    if (this.timer || this.notice.dataset.until !== "after_due" || !this.notice.dataset.due) return;
    const wait = Date.parse(this.notice.dataset.due) - Date.now() + 1000;
    if (wait > 0 && wait < LONGEST_WAIT_MS) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.reload();
      }, wait);
    }
  }
}
