// The Copy button beside a short link (data-copy holds the text). Shown only where the
// Clipboard API is there to copy with (pages served over https or from localhost); the
// status next to it says what happened, for screen readers too.
for (const button of document.querySelectorAll("[data-copy]")) {
  if (navigator.clipboard) {
    const status = button.parentElement.querySelector(".copied");
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        status.textContent = "Copied";
      } catch {
        status.textContent = "Could not copy: select the link and copy it";
      }
    });
  }
}
