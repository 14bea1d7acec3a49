// Live dispatch queue: rows arrive over server-sent events; the countdown ticks every second.
(function () {
  "use strict";
  const table = document.getElementById("queue");
  const body = document.getElementById("queue-rows");
  const state = document.getElementById("live-state");
  let pending = null;

  function format(seconds) {
    const sign = seconds < 0 ? "-" : "";
    let s = Math.abs(Math.trunc(seconds));
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const pad = (n) => String(n).padStart(2, "0");
    if (h >= 24) return sign + Math.floor(h / 24) + "d " + pad(h % 24) + "h " + pad(m) + "m";
    if (h) return sign + h + "h " + pad(m) + "m " + pad(s) + "s";
    return sign + m + "m " + pad(s) + "s";
  }

  function tick() {
    const now = Date.now();
    body.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      const left = (Date.parse(el.dataset.deadline) - now) / 1000;
      const breached = left < 0;
      el.textContent = breached ? "BREACHED by " + format(-left) : format(left);
      el.classList.toggle("breach", breached);
      const row = el.closest("tr");
      if (row) row.classList.toggle("breached", breached);
    });
  }

  function apply(rows) {
    if (body.contains(document.activeElement)) { pending = rows; return; }
    body.innerHTML = rows;
    pending = null;
    tick();
  }

  body.addEventListener("focusout", function () {
    setTimeout(function () {
      if (pending !== null && !body.contains(document.activeElement)) apply(pending);
    }, 0);
  });

  function connect() {
    const source = new EventSource("/dispatch/events?since=" + encodeURIComponent(table.dataset.version));
    source.addEventListener("open", function () { state.textContent = "live"; state.classList.add("on"); });
    source.addEventListener("queue", function (event) {
      const data = JSON.parse(event.data);
      table.dataset.version = data.version;
      apply(data.rows);
    });
    source.addEventListener("error", function () { state.textContent = "reconnecting…"; state.classList.remove("on"); });
  }

  tick();
  setInterval(tick, 1000);
  connect();
})();
