// The console overview's chart: accruals (up) and clawbacks (down) per month, one pair of bars per currency, each
// currency on its own axis (amounts in different currencies are never added together or drawn on one scale). The
// data comes from a json_script element (the CSP forbids inline scripts).
document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("finance-data");
  const canvas = document.getElementById("finance-chart");
  if (!data || !canvas || typeof Chart === "undefined" || !window.parceriaCharts) return;
  const chart = JSON.parse(data.textContent);
  const language = document.documentElement.lang || "en";
  const months = window.parceriaCharts.months(chart.labels, language);
  const { brand, bad } = window.parceriaCharts.palette();
  const colours = [brand, "#0f766e", "#6b7280", "#a16207"];
  const clawColours = [bad, "#c2410c", "#9f1239", "#7c2d12"];
  const labels = JSON.parse(canvas.dataset.labels || "{}");
  const tick = (v) => Number(v).toLocaleString(language, { maximumFractionDigits: 0 });
  const scales = { x: { stacked: true } };
  const datasets = [];
  // Each currency has its own axis; their zero lines are aligned so that a bar above zero in one currency never
  // reads as below zero in another: every axis goes from −ratio × top to top, ratio the largest clawback share.
  const tops = chart.series.map((s) => Math.max(1, ...s.accrued.map(Number)));
  const bottoms = chart.series.map((s) => Math.max(0, ...s.clawed_back.map((v) => -Number(v))));
  const ratio = Math.max(0, ...bottoms.map((b, i) => b / tops[i]));
  chart.series.forEach((series, index) => {
    const axis = `y${index}`;
    const top = tops[index] * 1.08;
    scales[axis] = {
      min: -ratio * top,
      max: top,
      stacked: true,
      position: index % 2 === 0 ? "left" : "right",
      display: index < 2,
      grid: { drawOnChartArea: index === 0 },
      title: { display: true, text: series.currency },
      // the axis ends (the aligned extremes) are not round numbers: no label there
      ticks: { callback: (v) => (v === -ratio * top || v === top ? "" : tick(v)) },
    };
    const stack = series.currency;
    datasets.push({ label: `${labels.accrued || "+"} ${series.currency}`, data: series.accrued.map(Number),
                    yAxisID: axis, stack, backgroundColor: colours[index % colours.length], borderRadius: 2 });
    datasets.push({ label: `${labels.clawed_back || "−"} ${series.currency}`, data: series.clawed_back.map(Number),
                    yAxisID: axis, stack, backgroundColor: clawColours[index % clawColours.length], borderRadius: 2 });
  });
  new Chart(canvas, {
    type: "bar",
    data: { labels: months, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: true },
        tooltip: {
          callbacks: {
            label: (ctx) => `${ctx.dataset.label}: ${Number(ctx.raw).toLocaleString(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
          },
        },
      },
      scales,
    },
  });
});
