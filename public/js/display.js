// The hall display: live figures over Socket.IO (namespace /display). Without JavaScript the page refreshes itself
// every 60 s (meta refresh in <noscript>); without a live connection this script does the same.
(function () {
  var root = document.getElementById('display');
  if (!root) return;
  var unitCode = root.getAttribute('data-unit-code');
  var fallback = null;
  function scheduleReload() {
    if (fallback) return;
    fallback = window.setTimeout(function () {
      window.location.reload();
    }, 60000);
  }
  function cancelReload() {
    if (fallback) window.clearTimeout(fallback);
    fallback = null;
  }
  if (typeof window.io !== 'function') return scheduleReload();

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value;
  }
  function list(id, items, render) {
    var el = document.getElementById(id);
    if (!el) return;
    while (el.firstChild) el.removeChild(el.firstChild);
    if (!items || items.length === 0) {
      var empty = document.createElement('li');
      empty.className = 'muted';
      empty.textContent = el.getAttribute('data-empty') || '';
      el.appendChild(empty);
      return;
    }
    items.forEach(function (item) {
      el.appendChild(render(item, el));
    });
  }
  function line(label, value) {
    var span = document.createElement('span');
    if (label) {
      var strong = document.createElement('strong');
      strong.textContent = label + ' ';
      span.appendChild(strong);
    }
    span.appendChild(document.createTextNode(value));
    return span;
  }

  function update(data) {
    text('d-today', String(data.todaySurveys));
    text('d-ikm', data.ikmText);
    text('d-grade', data.grade ? data.grade + ' · ' + data.label : '');
    text('d-respondents', String(data.respondents));
    var card = document.getElementById('d-ikm-card');
    if (card) card.className = 'display-card grade-' + (data.grade || '');
    list('d-compliments', data.compliments, function (item) {
      var li = document.createElement('li');
      li.appendChild(document.createTextNode('“' + item.youSaid + '”'));
      if (item.weDid) {
        li.appendChild(document.createElement('br'));
        var we = document.createElement('span');
        we.className = 'we-did';
        we.textContent = item.weDid;
        li.appendChild(we);
      }
      return li;
    });
    list('d-showcase', data.youSaidWeDid, function (item, el) {
      var li = document.createElement('li');
      li.appendChild(line(el.getAttribute('data-you-said'), item.youSaid));
      li.appendChild(document.createElement('br'));
      li.appendChild(line(el.getAttribute('data-we-did'), item.weDid));
      return li;
    });
    var updated = document.getElementById('d-updated');
    if (updated) {
      var lang = root.getAttribute('data-lang') === 'en' ? 'en-GB' : 'id-ID';
      updated.textContent =
        (updated.getAttribute('data-live') || '') +
        ' ' +
        new Date(data.at).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
    }
    root.setAttribute('data-updated', data.at);
  }

  var socket = window.io('/display', { auth: { unitCode: unitCode }, transports: ['websocket', 'polling'] });
  socket.on('connect', cancelReload);
  socket.on('disconnect', scheduleReload);
  socket.on('connect_error', scheduleReload);
  socket.on('display:update', update);
})();
