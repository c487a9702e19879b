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
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
