// Optional enhancement of the survey form; the form works the same without it.
(function () {
  var form = document.getElementById('survey-form');
  if (!form) return;
  var errors = document.getElementById('survey-errors');
  if (errors) errors.focus();
  // A second tap while the first is on its way changes nothing on the server (the form token is the same);
  // disabling the button just tells the person their tap was taken.
  form.addEventListener('submit', function () {
    var button = form.querySelector('button[type="submit"]');
    if (button) {
      window.setTimeout(function () {
        button.disabled = true;
      }, 0);
    }
  });
})();
