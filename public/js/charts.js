// Trends charts: Chart.js (served from the app) drawing the data the page carries in a JSON block. Every chart
// has its table beside it, so the page says the same without JavaScript.
(function () {
  var source = document.getElementById('trends-data');
  if (!source || typeof window.Chart !== 'function') return;
  var charts;
  try {
    charts = JSON.parse(source.textContent || '[]');
  } catch {
    return;
  }
  var palette = ['#0b6e4f', '#c2571a', '#2f5fa7', '#8a3ea8', '#a4261d', '#5b6472', '#b38f00', '#1f8a99', '#6b8e23'];
  charts.forEach(function (chart) {
    var canvas = document.getElementById('chart-' + chart.id);
    if (!canvas) return;
    canvas.hidden = false;
    new window.Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (dataset, index) {
          var color = palette[index % palette.length];
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: color,
            borderColor: color,
            spanGaps: true,
            fill: false,
            tension: 0.2,
          };
        }),
      },
      options: {
        responsive: true,
        animation: false,
        scales: chart.stacked
          ? { x: { stacked: true }, y: { stacked: true, beginAtZero: true } }
          : { y: { beginAtZero: true } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    canvas.setAttribute('data-rendered', '1');
  });
})();
