// The referral links page: a [data-copy] button copies the value of the input it names (no inline scripts: the
// pages run under a strict CSP). Where the clipboard is not available, the link's text is selected instead.
(function () {
  "use strict";
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    const input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) return;
    const done = () => {
      const status = document.getElementById(button.getAttribute("aria-describedby") || "");
      if (status) status.textContent = button.getAttribute("data-copied") || "";
    };
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, () => {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });
})();
