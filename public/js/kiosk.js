// The kiosk goes back to its start page after a minute without a touch, so the next person finds a fresh screen.
// Without this script the pages still work; the thank-you page returns to the start by itself (meta refresh).
(function () {
  var body = document.body;
  var url = body.getAttribute('data-reset-url');
  var seconds = Number(body.getAttribute('data-idle-seconds'));
  if (!url || !(seconds > 0)) return;
  var timer;
  function arm() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      window.location.replace(url);
    }, seconds * 1000);
  }
  ['pointerdown', 'keydown', 'input', 'scroll', 'touchstart'].forEach(function (name) {
    window.addEventListener(name, arm, { passive: true, capture: true });
  });
  // Coming back with the browser's back button must not show the previous person's answers.
  window.addEventListener('pageshow', function (event) {
    if (event.persisted) window.location.replace(url);
  });
  arm();
})();
