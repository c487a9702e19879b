// Draws every chart on the page from its embedded JSON figure with the
// locally served plotly.js. Without JavaScript the caption and the data
// table below each chart say the same thing.
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-chart"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
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
