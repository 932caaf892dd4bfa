// Report pages: the print button (the page prints the same without it, through the browser's menu).
(function () {
  var button = document.getElementById('print-button');
  if (!button) return;
  button.addEventListener('click', function () {
    window.print();
  });
})();
