// Coaching session form: more rows of agreed actions. Without JavaScript the form has one row, which is enough.
(function () {
  'use strict';
  var rows = document.getElementById('action-rows');
  var add = document.getElementById('add-action');
  if (!rows || !add) return;

  function refresh() {
    var all = rows.querySelectorAll('.action-row');
    for (var i = 0; i < all.length; i++) {
      var remove = all[i].querySelector('.remove-action');
      if (remove) remove.hidden = all.length < 2;
    }
  }

  add.hidden = false;
  add.addEventListener('click', function () {
    var first = rows.querySelector('.action-row');
    if (!first) return;
    var row = first.cloneNode(true);
    var fields = row.querySelectorAll('input');
    for (var i = 0; i < fields.length; i++) fields[i].value = '';
    var select = row.querySelector('select');
    if (select) select.selectedIndex = 0;
    rows.appendChild(row);
    refresh();
    var text = row.querySelector('.action-text');
    if (text) text.focus();
  });
  rows.addEventListener('click', function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement) || !target.classList.contains('remove-action')) return;
    var row = target.closest('.action-row');
    if (row && rows.querySelectorAll('.action-row').length > 1) row.remove();
    refresh();
  });
  refresh();
})();
