// Part of evidence (MIT licence); written for this project, no third-party code.
// Progressive enhancement only: every page works without this file.
// - "Add to basket" forms are sent with fetch, so the page does not reload.
// - "Copy" buttons copy a citation or BibTeX to the clipboard.
// - Export buttons post the basket to /api/export and download the file.
"use strict";

function setBasketCount(count) {
  document.querySelectorAll(".basket-count").forEach((el) => { el.textContent = String(count); });
}

async function sendBasketForm(form) {
  const action = form.querySelector('input[name="action"]').value;
  if (action !== "add") { form.submit(); return; }
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    // getAttribute: `form.action` is the hidden input named "action", not the URL.
    const response = await fetch(form.getAttribute("action"), {
      method: "POST", body: new FormData(form), headers: { Accept: "application/json" },
    });
    const data = await response.json();
    if (!data.ok) { throw new Error(data.error); }
    setBasketCount(data.count);
    button.textContent = "In basket";
  } catch (error) {
    button.disabled = false;
    button.textContent = "Could not add: retry";
  }
}

function filenameFrom(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = /filename="?([^";]+)"?/.exec(header);
  return match ? match[1] : fallback;
}

async function sendExport(form, format) {
  const status = form.querySelector(".export-status");
  const items = Array.from(form.querySelectorAll('input[name="item"]')).map((el) => el.value);
  const body = {
    passage_ids: items.filter((i) => i.includes("#")),
    keys: items.filter((i) => !i.includes("#")),
    format: format,
    style: form.querySelector('input[name="style"]').value,
    title: form.querySelector('input[name="title"]').value,
  };
  status.textContent = "Preparing the " + format + " file…";
  const response = await fetch(form.dataset.api, {
    method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const data = await response.json().catch(() => ({ error: response.statusText }));
    status.textContent = "Export failed: " + data.error;
    return;
  }
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filenameFrom(response, "talking-points." + format);
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  status.textContent = "Downloaded " + link.download + ".";
}

async function copyText(button) {
  const target = document.getElementById(button.dataset.copy);
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(target.textContent.trim());
    button.textContent = "Copied";
  } catch (error) {
    const range = document.createRange();  // no clipboard access: select it for Ctrl+C
    range.selectNodeContents(target);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    button.textContent = "Selected: press Ctrl+C";
  }
  setTimeout(() => { button.textContent = label; }, 2000);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button.copy").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => copyText(button));
  });
  document.querySelectorAll("form.basket-form").forEach((form) => {
    form.addEventListener("submit", (event) => { event.preventDefault(); sendBasketForm(form); });
  });
  document.querySelectorAll("form.export-form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sendExport(form, event.submitter ? event.submitter.value : "md");
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
});
