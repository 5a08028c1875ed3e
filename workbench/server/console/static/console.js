// Keeps the 48-hour decision clocks of the review queue current without reloading the page.
(function () {
  function span(minutes) {
    minutes = Math.floor(Math.abs(minutes));
    if (minutes < 60) return minutes + " min";
    var hours = Math.floor(minutes / 60);
    if (hours < 48) return hours + " h";
    var days = Math.floor(hours / 24), rest = hours % 24;
    return rest ? days + " d " + rest + " h" : days + " d";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".clock[data-submitted]").forEach(function (clock) {
      var submitted = Date.parse(clock.dataset.submitted);
      var sla = Number(clock.dataset.slaHours) * 3600 * 1000;
      if (isNaN(submitted) || !sla) return;
      var left = (submitted + sla - now) / 60000;
      clock.textContent = left < 0 ? span(left) + " over" : span(left) + " left";
      clock.classList.toggle("bad", left < 0);
      clock.classList.toggle("warn", left >= 0 && left <= sla / 4 / 60000);
      clock.classList.toggle("ok", left > sla / 4 / 60000);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setInterval(tick, 30000); });
  // Destructive buttons ask first.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
})();
