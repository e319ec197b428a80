/* Report charts: a document's tasks by status at each quarter's cut-off (stacked bars), and
   overdue tasks by province and by age on the review page. Data comes from json_script
   elements (no inline scripts: CSP script-src 'self'); the tables beside each chart hold the
   same numbers for readers without it. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var colors = {
    done_on_time: "#1e7b34",
    done_late: "#7cb342",
    in_progress: "#1f5fa8",
    overdue: "#a4161a",
    not_due: "#9e9e9e"
  };
  var vn = new Intl.NumberFormat("vi-VN");
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function bars(canvas, labels, datasets, stacked, horizontal) {
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: stacked, ticks: { precision: 0 } },
          y: { stacked: stacked, ticks: { precision: 0 } }
        },
        plugins: {
          legend: { display: datasets.length > 1, position: "bottom" },
          tooltip: { callbacks: { label: function (ctx) {
            return ctx.dataset.label + ": " + vn.format(ctx.raw);
          } } }
        }
      }
    });
  }
  var progress = read("document-progress-data");
  var progressCanvas = document.getElementById("document-progress-chart");
  if (progress && progressCanvas) {
    bars(progressCanvas, progress.labels, progress.series.map(function (s) {
      return { label: s.label, data: s.data, backgroundColor: colors[s.key] || "#5b6475" };
    }), true, false);
  }
  var overdue = read("overdue-chart-data");
  var provinceCanvas = document.getElementById("overdue-province-chart");
  if (overdue && provinceCanvas) {
    bars(provinceCanvas, overdue.provinces.labels, [{
      label: overdue.provinces.label, data: overdue.provinces.data, backgroundColor: colors.overdue
    }], false, true);
  }
  var ageCanvas = document.getElementById("overdue-age-chart");
  if (overdue && ageCanvas) {
    bars(ageCanvas, overdue.ages.labels, [{
      label: overdue.ages.label, data: overdue.ages.data, backgroundColor: "#a15c00"
    }], false, false);
  }
})();
