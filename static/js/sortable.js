// Sortable tables: a header button sorts its column; pressing again reverses. Cells carry
// data-value (numbers or text) so what is sorted is not what is displayed.
for (const table of document.querySelectorAll("table[data-sortable]")) {
  const headers = [...table.querySelectorAll("thead th")];
  headers.forEach((th, column) => {
    const button = th.querySelector(".sort-button");
    if (!button) return;
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const numeric = button.dataset.sort === "number";
      const body = table.tBodies[0];
      const rows = [...body.rows];
      const key = (row) => {
        const cell = row.cells[column];
        const value = cell?.dataset.value ?? cell?.textContent ?? "";
        return numeric ? Number.parseFloat(value) : value.toLocaleLowerCase();
      };
      rows.sort((a, b) => {
        const x = key(a);
        const y = key(b);
        const order = numeric ? x - y : x.localeCompare(y);
        return ascending ? order : -order;
      });
      body.append(...rows);
    });
  });
}
