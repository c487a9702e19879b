// Draws every chart on the page from its embedded JSON figure with the
// locally served plotly.js. Without JavaScript the caption and the data
// table below each chart say the same thing.
(function () {
  "use strict";
  // On a phone the chart's title, already in the caption above it, would be
  // clipped at both ends: leave it out and give the plot the room.
  function narrow(layout) {
    layout.title = { text: "" };
    layout.margin = Object.assign({}, layout.margin || {}, { t: 16, r: 8, l: Math.min((layout.margin || {}).l || 60, 48) });
    layout.font = Object.assign({}, layout.font || {}, { size: 11 });
  }
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      if (el.clientWidth && el.clientWidth < 560) { narrow(figure.layout); }
      window.Plotly.newPlot(el, figure.data, figure.layout,
        { displayModeBar: false, responsive: true, staticPlot: false });
      el.classList.add("chart-drawn");
      // In the exported report the data tables start open, for readers
      // without scripts; once the chart is drawn, fold its table away.
      var details = el.parentNode.querySelector("details[data-close-when-drawn]");
      if (details) { details.removeAttribute("open"); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
