// The dashboard's bar chart of net commissions per month, one series per currency (amounts in different
// currencies are never added together). Data comes from a json_script element (strict CSP).
document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("earnings-data");
  const canvas = document.getElementById("earnings-chart");
  if (!data || !canvas || typeof Chart === "undefined") return;
  const chart = JSON.parse(data.textContent);
  const language = document.documentElement.lang || "en";
  const months = chart.labels.map((label) => {
    const [year, month] = label.split("-").map(Number);
    return new Date(year, month - 1, 1).toLocaleDateString(language, { month: "short", year: "2-digit" });
  });
  const styles = getComputedStyle(document.documentElement);
  const brand = styles.getPropertyValue("--brand").trim() || "#1f5fbf";
  const bad = styles.getPropertyValue("--bad").trim() || "#b42318";
  const others = ["#6b7280", "#0f766e", "#a16207"];
  const datasets = chart.series.map((series, index) => {
    const values = series.values.map(Number);
    const colour = index === 0 ? brand : others[(index - 1) % others.length];
    return {
      label: series.currency,
      data: values,
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
      plugins: { legend: { display: datasets.length > 1 } },
      scales: { y: { beginAtZero: true, ticks: { callback: (v) => Number(v).toLocaleString(language) } } },
    },
  });
});
