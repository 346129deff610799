// Draws the portfolio charts from the JSON the server puts beside each table. The tables
// hold the same numbers, so the charts are hidden from assistive technologies. Charts are
// drawn as they come into view, and again whenever htmx swaps in fresh figures (filters,
// refresh).

(function () {
  if (!("Chart" in window)) return;

  // The design system's palette, read from its stylesheet's custom properties: blue France
  // first, then illustrative colours far apart in hue and lightness.
  const TOKENS = [
    "--blue-france-sun-113-625",
    "--orange-terre-battue-main-645",
    "--green-emeraude-main-632",
    "--purple-glycine-main-494",
    "--blue-cumulus-main-526",
    "--yellow-tournesol-main-731",
    "--green-archipel-main-557",
  ];
  const style = getComputedStyle(document.documentElement);
  const COLOURS = TOKENS.map((token) => style.getPropertyValue(token).trim() || "#000091");
  window.Chart.defaults.font.family = "Marianne, arial, sans-serif";
  window.Chart.defaults.color = style.getPropertyValue("--text-default-grey").trim() || "#3a3a3a";
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

  // A chart is drawn when it comes near the screen: the page's first paint waits for the
  // one or two charts in view, not for all nine.
  const nearScreen =
    "IntersectionObserver" in window &&
    new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          nearScreen.unobserve(entry.target);
          draw(entry.target);
        }
      },
      { rootMargin: "200px" },
    );

  // Every chart of the page, drawn anew (the canvases of swapped-in figures are new).
  function drawAll() {
    if (nearScreen) nearScreen.disconnect();
    charts.forEach((chart) => chart.destroy());
    charts.clear();
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      if (nearScreen) nearScreen.observe(canvas);
      else draw(canvas);
    });
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  document.body.addEventListener("htmx:afterSwap", drawAll);
})();
