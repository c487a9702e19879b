// Draws every chart on the page from its embedded JSON figure with the
// locally served plotly.js, in place of the SVG the server drew (which is
// what readers without JavaScript, and print, see). The caption and the
// data table below each chart say the same thing.
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
      var fallback = el.querySelector("svg.chart-svg");
      if (fallback) { fallback.remove(); }
      el.classList.remove("chart-static");
      // Plotly's chart is for the eye and the mouse; the caption and the
      // table carry it for screen readers.
      el.setAttribute("aria-hidden", "true");
      if (el.clientWidth && el.clientWidth < 560) { narrow(figure.layout); }
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
