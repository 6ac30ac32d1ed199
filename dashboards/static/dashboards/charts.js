/* Draw every chart of the page from the JSON the server embedded beside it. */
(function () {
  "use strict";
  var PHONE = 640;  // px: below this, charts take the phone layout

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function shorten(text, limit) {
    var plain = String(text).replace(/<br>/g, " ");
    return plain.length <= limit ? plain : plain.slice(0, limit - 1) + "…";
  }

  function twoLines(text, width) {
    var words = String(text).replace(/<br>/g, " ").split(" ");
    var first = "";
    while (words.length && (first + " " + words[0]).trim().length <= width) {
      first = (first + " " + words.shift()).trim();
    }
    return first + "<br>" + shorten(words.join(" "), width);
  }

  // A heatmap of units × periods cannot show 28 quarters in 390 px: a phone gets the latest
  // quarters that fit at a readable cell size, beside the unit names (the page says so, and
  // the year filter and the table under the chart give the rest).
  function phoneHeatmap(div, figure, layout, config) {
    var trace = figure.data[0];
    var keep = Math.max(1, Math.floor((div.clientWidth - 150) / 26));
    var cut = function (row) { return row.slice(-keep); };
    if ((trace.x || []).length > keep) {
      trace.x = cut(trace.x);
      trace.z = (trace.z || []).map(cut);
      trace.text = (trace.text || []).map(cut);
    }
    var names = trace.y || [];
    var short = names.map(function (label) { return shorten(label, 20); });
    if (new Set(short).size < short.length) {
      // Cut names that collide ("Phường Thử nghiệm s…" twice) would merge rows: two lines.
      short = names.map(function (label) { return twoLines(label, 20); });
    }
    trace.y = short;
    layout.margin = {l: 4, r: 4, t: 4, b: 4};
    layout.xaxis = Object.assign({}, layout.xaxis, {tickangle: -90, tickfont: {size: 10}});
    layout.yaxis = Object.assign({}, layout.yaxis, {tickfont: {size: 11}});
    config.displayModeBar = false;
  }

  function phoneBars(layout) {
    layout.yaxis = Object.assign({}, layout.yaxis, {tickfont: {size: 11}});
    layout.margin = Object.assign({}, layout.margin, {l: 4, r: 4});
  }

  function draw(div) {
    var figure = readJSON(div.dataset.figure);
    var config = readJSON(div.dataset.config) || {};
    if (!figure) { return; }
    var layout = figure.layout || {};
    layout.autosize = true;
    delete layout.width;
    var phone = window.innerWidth < PHONE;
    var first = (figure.data || [])[0] || {};
    if (phone && first.type === "heatmap") {
      phoneHeatmap(div, figure, layout, config);
    } else if (phone && first.orientation === "h") {
      phoneBars(layout);
    }
    window.Plotly.newPlot(div, figure.data || [], layout, config);
  }

  function drawAll() {
    if (window.innerWidth < PHONE) {
      // On a phone the numbers under each chart open on demand: the page stays short.
      document.querySelectorAll("details.numbers[open]").forEach(function (d) { d.open = false; });
    }
    if (!window.Plotly) { return; }
    document.querySelectorAll(".chart[data-figure]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
