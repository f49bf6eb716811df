// The pipeline board: drag a card onto another stage's column to move the partner there. A drop submits the card's
// own form for that stage from its Move menu, so a drag makes exactly the move the menu makes (the same POST, with
// its CSRF token, to the same address), and a refused move comes back with its reason above the board. A move that
// needs a written reason (back, rejected, churned) opens the menu at that stage's reason field instead. The menu
// stays for keyboard and touch users.
(() => {
  const board = document.querySelector(".board[data-draggable]");
  if (!board) return;
  let dragged = null;

  const closest = (node, selector) => (node instanceof Element ? node.closest(selector) : null);
  const allows = (card, stage) => (card.dataset.moves || "").split(" ").includes(stage);
  const columns = () => board.querySelectorAll("section.column[data-stage]");
  const dropColumn = (event) => {
    const column = closest(event.target, "section.column[data-stage]");
    return column && dragged && allows(dragged, column.dataset.stage) ? column : null;
  };
  const clear = () => {
    board.classList.remove("is-dragging");
    columns().forEach((c) => c.classList.remove("drop-target", "can-drop"));
  };

  board.addEventListener("dragstart", (event) => {
    const card = closest(event.target, "article.board-card[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    board.classList.add("is-dragging");
    columns().forEach((c) => c.classList.toggle("can-drop", allows(card, c.dataset.stage)));
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.partner);
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clear();
  });
  board.addEventListener("dragover", (event) => {
    const column = dropColumn(event);
    if (!column) return; // not a stage this partner may move to: the drop is refused
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    columns().forEach((c) => c.classList.toggle("drop-target", c === column));
  });
  board.addEventListener("drop", (event) => {
    const column = dropColumn(event);
    if (!column) return;
    event.preventDefault();
    const card = dragged;
    const form = card.querySelector(`form[data-to="${column.dataset.stage}"]`);
    clear();
    if (!form) return;
    const reason = form.querySelector("input[required]");
    if (reason && !reason.value.trim()) {
      card.querySelector("details.move-menu").open = true;
      reason.focus();
      return;
    }
    form.requestSubmit();
  });

  // After a refused move, bring its card into view inside its column.
  const refused = board.querySelector("article.board-card.refused");
  if (refused) refused.scrollIntoView({ block: "nearest", inline: "nearest" });
})();
