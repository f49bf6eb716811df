// The channel-conflict report's chart: the conflict rate per month (percent; a month without deals is a gap)
// against the target line. The data comes from a json_script element (the CSP forbids inline scripts).
document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("conflict-data");
  const canvas = document.getElementById("conflict-chart");
  if (!data || !canvas || typeof Chart === "undefined" || !window.parceriaCharts) return;
  const chart = JSON.parse(data.textContent);
  const language = document.documentElement.lang || "en";
  const months = window.parceriaCharts.months(chart.labels, language);
  const { brand, bad } = window.parceriaCharts.palette();
  const labels = JSON.parse(canvas.dataset.labels || "{}");
  const target = Number(chart.target);
  const rates = chart.rates.map((v) => (v === null ? null : Number(v)));
  // "5 %" in Portuguese and Spanish, "5%" in English (as the pages' percent tag writes it)
  const sign = language.toLowerCase().startsWith("en") ? "%" : " %";
  const pct = (v, places) => `${Number(v).toLocaleString(language, { minimumFractionDigits: places, maximumFractionDigits: places })}${sign}`;
  new Chart(canvas, {
    type: "line",
    data: {
      labels: months,
      datasets: [
        { label: labels.rate || "%", data: rates, borderColor: brand, backgroundColor: brand, spanGaps: false,
          pointRadius: 3, pointBackgroundColor: rates.map((v) => (v !== null && v >= target ? bad : brand)) },
        { label: `${labels.target || "target"} (${pct(target, 0)})`, data: months.map(() => target),
          borderColor: bad, borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { display: true },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${pct(ctx.raw, 2)}` } },
      },
      scales: {
        y: { beginAtZero: true, suggestedMax: target * 2, ticks: { callback: (v) => pct(v, 0) } },
      },
    },
  });
});
