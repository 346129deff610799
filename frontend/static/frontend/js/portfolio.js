// Draws the portfolio charts from the JSON the server puts beside each table. The tables
// hold the same numbers, so the charts are hidden from assistive technologies. Charts are
// drawn on first load and again whenever htmx swaps in fresh figures (filters, refresh).

(function () {
  if (!("Chart" in window)) return;

  // Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
  const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"];
  const charts = new Map();
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const spec = JSON.parse(source.textContent);
    const axis = spec.horizontal ? "y" : "x";
    const value = spec.horizontal ? "x" : "y";
    const chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map((set, index) => ({
          ...set,
          backgroundColor: COLOURS[index % COLOURS.length],
        })),
      },
      options: {
        indexAxis: axis,
        maintainAspectRatio: false,
        animation: reducedMotion ? false : undefined,
        plugins: { legend: { display: spec.datasets.length > 1, position: "bottom" } },
        scales: {
          [axis]: { stacked: spec.stacked },
          [value]: {
            stacked: spec.stacked,
            beginAtZero: true,
            max: spec.percent ? 100 : undefined,
            ticks: spec.percent ? { callback: (tick) => `${tick} %` } : { precision: 0 },
          },
        },
      },
    });
    charts.set(canvas.dataset.chart, chart);
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const previous = charts.get(canvas.dataset.chart);
      if (previous) previous.destroy();
      draw(canvas);
    });
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.body.addEventListener("htmx:afterSwap", () => drawAll(document));
})();
