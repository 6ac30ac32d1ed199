/* Draw every chart of the page from the JSON the server embedded beside it. */
(function () {
  "use strict";
  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw(div) {
    var figure = readJSON(div.dataset.figure);
    var config = readJSON(div.dataset.config) || {};
    if (!figure) { return; }
    var layout = figure.layout || {};
    layout.autosize = true;
    delete layout.width;
    window.Plotly.newPlot(div, figure.data || [], layout, config);
  }
  function drawAll() {
    if (!window.Plotly) { return; }
    document.querySelectorAll(".chart[data-figure]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
