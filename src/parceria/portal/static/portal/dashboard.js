// The dashboard's bar chart of net commissions per month, one series per currency, each on its own axis (amounts
// in different currencies are never added together or compared on one scale). Data comes from a json_script
// element (strict CSP).
document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("earnings-data");
  const canvas = document.getElementById("earnings-chart");
  if (!data || !canvas || typeof Chart === "undefined" || !window.parceriaCharts) return;
  const chart = JSON.parse(data.textContent);
  const language = document.documentElement.lang || "en";
  const months = window.parceriaCharts.months(chart.labels, language);
  const { brand, bad } = window.parceriaCharts.palette();
  const colours = [brand, "#6b7280", "#0f766e", "#a16207"];
  const several = chart.series.length > 1;
  const tick = (v) => Number(v).toLocaleString(language);
  const scales = {};
  const datasets = chart.series.map((series, index) => {
    const values = series.values.map(Number);
    const colour = colours[index % colours.length];
    const axis = `y${index}`;
    scales[axis] = {
      beginAtZero: true,
      position: index % 2 === 0 ? "left" : "right",
      display: index < 2,
      grid: { drawOnChartArea: index === 0 },
      title: { display: several, text: series.currency },
      ticks: { callback: tick },
    };
    return {
      label: series.currency,
      data: values,
      yAxisID: axis,
      borderColor: colour,
      backgroundColor: values.map((v) => (v < 0 ? bad : colour)),
      borderRadius: 3,
    };
  });
  new Chart(canvas, {
    type: "bar",
    data: { labels: months, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: {
          display: several,
          labels: {
            generateLabels: (c) =>
              c.data.datasets.map((d, i) => ({ text: d.label, fillStyle: d.borderColor, strokeStyle: d.borderColor,
                                               datasetIndex: i, hidden: !c.isDatasetVisible(i) })),
          },
        },
      },
      scales,
    },
  });
});
