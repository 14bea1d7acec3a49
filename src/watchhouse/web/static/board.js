// Draws every chart whose figure is given as JSON in <script type="application/json"
// class="chart-data" data-target="ID">. Used by the board pages (loaded from /static) and
// inlined into the monthly pack. When all charts are drawn, <html data-charts-drawn="N">.
(function () {
  "use strict";
  function drawAll() {
    var sources = document.querySelectorAll("script.chart-data");
    var pending = [];
    sources.forEach(function (source) {
      var target = document.getElementById(source.dataset.target);
      if (!target) { return; }
      var figure = JSON.parse(source.textContent);
      var config = { displayModeBar: false, responsive: true, staticPlot: source.dataset.static === "yes" };
      pending.push(window.Plotly.newPlot(target, figure.data, figure.layout, config));
    });
    Promise.all(pending).then(function () {
      document.documentElement.dataset.chartsDrawn = String(pending.length);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
