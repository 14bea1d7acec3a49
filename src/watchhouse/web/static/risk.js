// DASH form: each answer is saved as the officer chooses it, and the page says when.
(function () {
  "use strict";
  const form = document.getElementById("risk-form");
  const state = document.getElementById("saved-state");
  if (!form || !state) return;
  form.addEventListener("change", function (event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "radio" || !input.name.startsWith("a_")) return;
    const body = new FormData();
    body.append("csrf_token", form.elements["csrf_token"].value);
    body.append("autosave", "yes");
    body.append(input.name, input.value);
    state.textContent = "Saving…";
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) { state.textContent = "Saved at " + data.saved_at + "."; })
      .catch(function () { state.textContent = "Not saved: check the connection and press Save progress."; });
  });
})();
