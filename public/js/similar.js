// Duplicate help on the intake form: while the citizen types, show open public reports of the same unit and
// category that share words. Progressive enhancement only: the form works the same without it.
(function () {
  var form = document.querySelector('form.intake');
  if (!form || !window.fetch) return;
  var description = form.querySelector('#description');
  var category = form.querySelector('#category');
  var box = document.getElementById('similar');
  var unitCode = form.getAttribute('data-unit');
  var timer;
  function render(items) {
    box.textContent = '';
    if (!items.length) return (box.hidden = true);
    var heading = document.createElement('p');
    heading.className = 'hint';
    heading.textContent = box.getAttribute('data-heading');
    box.appendChild(heading);
    var list = document.createElement('ul');
    items.forEach(function (item) {
      var li = document.createElement('li');
      li.textContent = item.summary; // text only: never HTML from the server
      list.appendChild(li);
    });
    box.appendChild(list);
    box.hidden = false;
  }
  function lookUp() {
    var q = description.value.trim();
    if (q.length < 15) return render([]);
    var url =
      '/api/v1/tickets/similar?unitCode=' +
      encodeURIComponent(unitCode) +
      '&category=' +
      encodeURIComponent(category ? category.value : '') +
      '&q=' +
      encodeURIComponent(q.slice(0, 500));
    fetch(url, { headers: { Accept: 'application/json' } })
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .then(render)
      .catch(function () {
        render([]);
      });
  }
  description.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 600);
  });
})();
