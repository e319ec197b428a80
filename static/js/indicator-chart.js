/* Indicator chart: approved actuals against the expected path. Data comes from the
   json_script element "indicator-chart-data" (no inline scripts: CSP script-src 'self'). */
(function () {
  "use strict";
  var dataNode = document.getElementById("indicator-chart-data");
  var canvas = document.getElementById("indicator-chart");
  if (!dataNode || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(dataNode.textContent);
  var unit = data.unit || "";
  var vn = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 4 });
  var palette = ["#a4161a", "#1e7b34", "#a15c00", "#6a3d9a", "#00838f", "#5b6475", "#c2185b",
    "#33691e", "#4e342e", "#283593", "#ef6c00", "#00695c", "#8e24aa", "#455a64"];
  function withUnit(value) {
    if (value === null || value === undefined) {
      return "—";
    }
    var text = vn.format(value);
    if (!unit) {
      return text;
    }
    return unit.charAt(0) === "%" ? text + unit : text + " " + unit;
  }
  var datasets = data.series.map(function (series, index) {
    var color = series.own ? palette[0] : palette[(index % (palette.length - 1)) + 1];
    return {
      label: series.label,
      data: series.data,
      borderColor: color,
      backgroundColor: color,
      borderWidth: series.own ? 3 : 2,
      pointRadius: series.own ? 5 : 3,
      spanGaps: true
    };
  });
  if (data.expected.some(function (value) { return value !== null; })) {
    datasets.push({
      label: data.expectedLabel,
      data: data.expected,
      borderColor: "#1f5fa8",
      backgroundColor: "#1f5fa8",
      borderDash: [6, 4],
      borderWidth: 2,
      pointRadius: 2,
      spanGaps: true
    });
  }
  new window.Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { ticks: { callback: function (value) { return withUnit(value); } } }
      },
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8 } },
        tooltip: {
          callbacks: {
            label: function (context) {
              return context.dataset.label + ": " + withUnit(context.parsed.y);
            }
          }
        }
      }
    }
  });
})();
