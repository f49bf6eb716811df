// The pipeline board: drag a card onto another stage's column to move the partner there. A drop fills in the
// card's own move form and submits it, so a drag makes exactly the move the Move button makes, and a refused
// move comes back with the failed gates beside that card. The forms stay for keyboard users.
(() => {
  const board = document.querySelector(".board[data-draggable]");
  if (!board) return;
  let dragged = null;

  const closest = (node, selector) => (node instanceof Element ? node.closest(selector) : null);
  const allows = (card, stage) => (card.dataset.moves || "").split(" ").includes(stage);
  const dropColumn = (event) => {
    const column = closest(event.target, "section.column[data-stage]");
    return column && dragged && allows(dragged, column.dataset.stage) ? column : null;
  };
  const clearTargets = () => board.querySelectorAll(".drop-target").forEach((c) => c.classList.remove("drop-target"));

  board.addEventListener("dragstart", (event) => {
    const card = closest(event.target, "article.card[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.partner);
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearTargets();
  });
  board.addEventListener("dragover", (event) => {
    const column = dropColumn(event);
    if (!column) return; // not a stage this partner may move to: the drop is refused
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearTargets();
    column.classList.add("drop-target");
  });
  board.addEventListener("drop", (event) => {
    const column = dropColumn(event);
    if (!column) return;
    event.preventDefault();
    const form = dragged.querySelector("form");
    const select = form && form.querySelector("select[name$='-to']");
    if (!select) return;
    select.value = column.dataset.stage;
    clearTargets();
    form.requestSubmit();
  });
})();
