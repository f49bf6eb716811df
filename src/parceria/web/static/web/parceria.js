// Small behaviours for Parceria's pages (no inline scripts: the pages run under a strict CSP).
(function () {
  "use strict";

  // What the pages' charts (portal/dashboard.js, console/home.js) share: month labels ("2026-03") in the page's
  // language, and the brand and warning colours of the stylesheet.
  window.parceriaCharts = {
    months(labels, language) {
      return labels.map((label) => {
        const [year, month] = label.split("-").map(Number);
        return new Date(year, month - 1, 1).toLocaleDateString(language, { month: "short", year: "2-digit" });
      });
    },
    palette() {
      const styles = getComputedStyle(document.documentElement);
      return {
        brand: styles.getPropertyValue("--brand").trim() || "#0b5cad",
        bad: styles.getPropertyValue("--bad").trim() || "#a4262c",
      };
    },
  };

  // A <select data-autosubmit> (the language menu, filters) sends its form when it changes.
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
      target.form.submit();
    }
  });

  // The menu button opens and closes the sidebar on narrow screens. It is a link to #sidebar, which the CSS
  // opens as the page's target when scripts do not run.
  function setUpMenu() {
    const toggle = document.querySelector("[data-menu-toggle]");
    const sidebar = document.getElementById("sidebar");
    if (!toggle || !sidebar) return;
    toggle.setAttribute("role", "button");
    toggle.setAttribute("aria-expanded", "false");
    const set = (open) => {
      document.body.classList.toggle("nav-open", open);
      toggle.setAttribute("aria-expanded", String(open));
    };
    const flip = (event) => {
      event.preventDefault();
      const open = !document.body.classList.contains("nav-open");
      set(open);
      if (open) {
        const first = sidebar.querySelector("a");
        if (first) first.focus();
      }
    };
    toggle.addEventListener("click", flip);
    toggle.addEventListener("keydown", (event) => {
      if (event.key === " ") flip(event);
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
        set(false);
        toggle.focus();
      }
    });
  }

  // The user menu (a <details>) closes on a click elsewhere and on Escape.
  function setUpUserMenu() {
    const menu = document.querySelector("details.usermenu");
    if (!menu) return;
    document.addEventListener("click", (event) => {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }

  // Tables: each cell gets its column's name in data-label (a header spanning columns names each of them), and
  // the table is wrapped in a .table-wrap and marked .stacked, so that the CSS can show it as cards where it is
  // narrow.
  function columnNames(table) {
    const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return null;
    const names = [];
    for (const cell of head.cells) {
      const name = cell.textContent.replace(/[▲▼]/g, "").replace(/\s+/g, " ").trim();
      for (let i = 0; i < cell.colSpan; i += 1) names.push(name);
    }
    return names;
  }

  function stack(table) {
    if (table.classList.contains("stacked")) return;
    const names = columnNames(table);
    if (!names) return;
    const rows = [];
    for (const body of table.tBodies) rows.push(...body.rows);
    if (table.tFoot) rows.push(...table.tFoot.rows);
    for (const row of rows) {
      let column = 0;
      for (const cell of row.cells) {
        // a footer's header cell ("Total of 4 lines") names itself; its figures keep their column's name
        const own = cell.tagName === "TH" && row.parentElement === table.tFoot;
        if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", own ? "" : names[column] || "");
        column += cell.colSpan;
      }
    }
    const parent = table.parentElement;
    if (parent && !parent.classList.contains("table-wrap")) {
      const wrap = document.createElement("div");
      wrap.className = "table-wrap";
      parent.insertBefore(wrap, table);
      wrap.appendChild(table);
    }
    table.classList.add("stacked");
  }

  function stackTables(root) {
    for (const table of root.querySelectorAll("table")) stack(table);
  }

  setUpMenu();
  setUpUserMenu();
  stackTables(document);
  document.addEventListener("htmx:afterSettle", (event) => stackTables(event.target));
})();
