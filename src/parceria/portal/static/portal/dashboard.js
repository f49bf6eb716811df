// The dashboard's bar chart of net commissions per month. Data comes from a json_script element (strict CSP).
document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("earnings-data");
  const canvas = document.getElementById("earnings-chart");
  if (!data || !canvas || typeof Chart === "undefined") return;
  const series = JSON.parse(data.textContent);
  const language = document.documentElement.lang || "en";
  const months = series.labels.map((label) => {
    const [year, month] = label.split("-").map(Number);
    return new Date(year, month - 1, 1).toLocaleDateString(language, { month: "short", year: "2-digit" });
  });
  const values = series.values.map(Number);
  const styles = getComputedStyle(document.documentElement);
  const brand = styles.getPropertyValue("--brand").trim() || "#1f5fbf";
  const bad = styles.getPropertyValue("--bad").trim() || "#b42318";
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: months,
      datasets: [{ data: values, backgroundColor: values.map((v) => (v < 0 ? bad : brand)), borderRadius: 3 }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { callback: (v) => Number(v).toLocaleString(language) } } },
    },
  });
});
