// The officer's answer to a finding can be given once: show how many characters are left and ask before sending.
// Progressive enhancement only: the form works the same without it.
(function () {
  var forms = document.querySelectorAll('form.answer-form');
  Array.prototype.forEach.call(forms, function (form) {
    var text = form.querySelector('textarea');
    var counter = form.querySelector('.answer-left');
    var max = Number(text.getAttribute('maxlength')) || 2000;
    function update() {
      if (counter)
        counter.textContent = counter.getAttribute('data-label').replace('{n}', String(max - text.value.length));
    }
    text.addEventListener('input', update);
    update();
    form.addEventListener('submit', function (event) {
      var question = form.getAttribute('data-confirm');
      if (question && !window.confirm(question)) event.preventDefault();
    });
  });
})();
