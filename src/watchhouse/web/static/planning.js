// The planning page's charts: forecast with its band, and staff required against cover.
(function () {
  "use strict";
  var source = document.getElementById("planning-data");
  if (!source || typeof Plotly === "undefined") { return; }
  var charts = JSON.parse(source.textContent);
  var layout = function (title, yTitle) {
    return {
      title: { text: title, x: 0.01, xanchor: "left", y: 0.98, yref: "container", yanchor: "top" },
      height: 380, margin: { t: 75, r: 20, b: 40, l: 60 },
      xaxis: { type: "date", automargin: true },
      yaxis: { title: { text: yTitle }, rangemode: "tozero" },
      // Above the plot: below it, the legend covered the second line of the date labels
      // (the year) and Plotly does not move it out of their way.
      legend: { orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom" }
    };
  };
  Object.keys(charts).forEach(function (channel) {
    var c = charts[channel];
    var forecast = document.getElementById("forecast-" + channel);
    if (forecast) {
      Plotly.newPlot(forecast, [
        { x: c.time, y: c.upper, mode: "lines", line: { width: 0 }, name: "upper", showlegend: false },
        { x: c.time, y: c.lower, mode: "lines", line: { width: 0 }, fill: "tonexty",
          fillcolor: "rgba(11,79,138,0.2)", name: "prediction interval" },
        { x: c.time, y: c.expected, mode: "lines", line: { color: "#0b4f8a" }, name: "expected contacts" }
      ], layout("Contacts per interval", "contacts"), { responsive: true });
    }
    var cover = document.getElementById("cover-" + channel);
    if (cover && c.staff) {
      var before = !c.staff_before ? [] : [
        { x: c.time, y: c.staff_before, mode: "lines", line: { shape: "hv", color: "#b00020", dash: "dot" }, name: "staff needed before" },
        { x: c.time, y: c.rostered_before, mode: "lines", line: { shape: "hv", color: "#2a6f2a", dash: "dot" }, name: "rostered before" }
      ];
      Plotly.newPlot(cover, before.concat([
        { x: c.time, y: c.handlers, mode: "lines", line: { shape: "hv", color: "#c25100" }, name: "handlers needed" },
        { x: c.time, y: c.staff, mode: "lines", line: { shape: "hv", color: "#b00020" }, name: "staff needed (with shrinkage)" },
        { x: c.time, y: c.rostered, mode: "lines", line: { shape: "hv", color: "#2a6f2a" }, name: "rostered" }
      ]), layout(c.staff_before ? "Requirement against cover, before (dotted) and after" :
        "Requirement against rostered cover", "people"), { responsive: true });
    }
    var daily = document.getElementById("daily-" + channel);
    if (daily && c.daily) {
      var days = layout("Forecast against actual contacts by day", "contacts");
      Plotly.newPlot(daily, [
        { x: c.daily.day, y: c.daily.forecast, mode: "lines+markers", line: { color: "#0b4f8a" }, name: "forecast" },
        { x: c.daily.day, y: c.daily.actual, mode: "lines+markers", line: { color: "#2a6f2a" }, name: "actual" }
      ], days, { responsive: true });
    }
  });
}());
