// Draws each <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json">
// (Django's json_script). The numbers are the same as in the table next to the chart.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  const colours = ["#1f6f43", "#b35c00", "#2f5d9e", "#8a3ffc"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    const data = JSON.parse(source.textContent);
    data.datasets.forEach(function (dataset, index) {
      dataset.backgroundColor = colours[index % colours.length];
      dataset.borderColor = colours[index % colours.length];
    });
    new Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets: data.datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true } },
      },
    });
  });
})();
