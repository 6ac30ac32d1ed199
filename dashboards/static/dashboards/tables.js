/* Long tables on the dashboards: sort by a column, search, and show the first rows only.
 * Progressive enhancement: without this script every row shows, unsorted. Loaded as a file
 * (the Content-Security-Policy allows no inline script). */
(function () {
  "use strict";

  function fold(text) {
    // "Sở Nội vụ" matches "so noi vu": no case, no accents, đ as d.
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  function cellValue(row, index, kind) {
    var cell = row.cells[index];
    if (!cell) { return kind === "number" ? -Infinity : ""; }
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    if (kind === "number") {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return fold(raw.trim());
  }

  function rowsOf(table) { return Array.prototype.slice.call(table.tBodies[0].rows); }

  function setup(table) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var pageSize = parseInt(table.getAttribute("data-page-size") || "0", 10);
    if (pageSize && window.innerWidth < 640) { pageSize = Math.min(pageSize, 8); }  // a phone
    var hasMore = body.querySelector("tr[data-more]") !== null;
    var showAll = false;
    var query = "";
    var tools = document.querySelector('[data-table-tools="' + table.getAttribute("data-testid") + '"]');
    var count = tools ? tools.querySelector('[data-role="count"]') : null;
    var button = null;

    function render() {
      var shown = 0;
      var matching = 0;
      rowsOf(table).forEach(function (row) {
        var matches = !query || fold(row.textContent).indexOf(query) !== -1;
        if (matches) { matching += 1; }
        var limited = !showAll && !query && (
          (pageSize && matching > pageSize) || (!pageSize && row.hasAttribute("data-more")));
        row.hidden = !matches || limited;
        if (!row.hidden) { shown += 1; }
      });
      if (count) { count.textContent = shown + " / " + rowsOf(table).length; }
      if (button) { button.hidden = showAll || !!query || shown === matching; }
    }

    if (pageSize || hasMore) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "secondary show-all";
      button.textContent = table.getAttribute("data-show-all") || "…";
      button.addEventListener("click", function () { showAll = true; render(); });
      var wrap = table.closest(".table-wrap") || table;
      wrap.insertAdjacentElement("afterend", button);
    }

    if (tools) {
      tools.hidden = false;
      var input = tools.querySelector("input");
      input.addEventListener("input", function () { query = fold(input.value.trim()); render(); });
    }

    if (table.classList.contains("sortable")) {
      var headers = table.tHead ? table.tHead.rows[0].cells : [];
      Array.prototype.forEach.call(headers, function (th, index) {
        var kind = th.getAttribute("data-sort");
        if (!kind) { return; }
        var sortButton = document.createElement("button");
        sortButton.type = "button";
        sortButton.className = "sort";
        sortButton.title = table.getAttribute("data-sort-label") || "";
        while (th.firstChild) { sortButton.appendChild(th.firstChild); }
        th.appendChild(sortButton);
        sortButton.addEventListener("click", function () {
          var ascending = th.getAttribute("aria-sort") !== "ascending";
          Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var sorted = rowsOf(table).sort(function (a, b) {
            var x = cellValue(a, index, kind);
            var y = cellValue(b, index, kind);
            var order = x < y ? -1 : (x > y ? 1 : 0);
            return ascending ? order : -order;
          });
          sorted.forEach(function (row) { body.appendChild(row); });
          render();
        });
      });
    }
    render();
  }

  function setupAll() {
    document.querySelectorAll("table.sortable, table[data-show-all]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupAll);
  } else {
    setupAll();
  }
})();
