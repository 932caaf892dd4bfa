// Optional enhancement of the complaint form; the form works the same without it.
(function () {
  var form = document.getElementById('intake-form');
  if (!form) return;
  // After a refused submission, the message comes first: a screen reader reads it and Tab goes to its links.
  var summary = document.getElementById('intake-retry') || document.getElementById('intake-errors');
  if (summary) summary.focus();
  // A summary link moves focus to its field, not only the scroll position.
  var errors = document.getElementById('intake-errors');
  if (errors) {
    errors.addEventListener('click', function (event) {
      var link = event.target.closest('a[href^="#"]');
      var field = link && document.getElementById(link.getAttribute('href').slice(1));
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView({ block: 'center' });
      field.focus();
    });
  }
  // A second tap while the first is on its way files nothing twice (the form token is the same); disabling the
  // button just tells the person their tap was taken.
  form.addEventListener('submit', function () {
    var button = form.querySelector('button[type="submit"]');
    if (button) {
      window.setTimeout(function () {
        button.disabled = true;
      }, 0);
    }
  });
})();
