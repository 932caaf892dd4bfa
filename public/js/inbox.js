// Live staff inbox (progressive enhancement): new and changed tickets appear without a reload, presence on a
// ticket page, and a catch-up refetch after a reconnect. The pages work without this script.
(function () {
  if (!window.io) return;
  var socket = window.io('/staff', { transports: ['websocket', 'polling'] });
  var rows = document.getElementById('inbox-rows');
  var presence = document.getElementById('presence');
  var notice = document.getElementById('live-notice');
  var wasDisconnected = false;

  // Rows come from the server as it renders them (GET /inbox/rows with this page's filters), so a live row reads
  // exactly like a row after a reload: labels, the agency's clock, the filters. Several events in a burst cost one
  // request.
  var refreshTimer = null;
  var total = document.getElementById('inbox-total');
  function refreshRows(announceCode) {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      var known = {};
      rows.querySelectorAll('tr[data-ticket]').forEach(function (tr) {
        known[tr.getAttribute('data-ticket')] = true;
      });
      fetch('/inbox/rows' + window.location.search, { headers: { Accept: 'text/html' } })
        .then(function (response) {
          if (!response.ok) return null;
          var count = response.headers.get('X-Inbox-Total');
          if (total && count !== null) total.textContent = total.getAttribute('data-label').replace('{total}', count);
          return response.text();
        })
        .then(function (html) {
          if (html === null) return;
          rows.innerHTML = html;
          rows.querySelectorAll('tr[data-ticket]').forEach(function (tr) {
            if (!known[tr.getAttribute('data-ticket')]) tr.classList.add('fresh');
          });
          if (announceCode && rows.querySelector('tr.fresh'))
            announce(rows.getAttribute('data-new-label') + ': ' + announceCode);
        });
    }, 300);
  }

  // Desktop and sound notices only after the person asked for them (browsers require a click first).
  var wantsNotices = false;
  var enable = document.getElementById('enable-notices');
  if (enable && window.Notification && Notification.permission !== 'denied') {
    enable.hidden = false;
    enable.addEventListener('click', function () {
      Notification.requestPermission().then(function (permission) {
        wantsNotices = permission === 'granted';
        enable.hidden = wantsNotices;
      });
    });
    wantsNotices = Notification.permission === 'granted';
  }
  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    var audio = new Context();
    var tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.15);
  }

  function announce(text) {
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = false;
    if (!wantsNotices) return;
    beep();
    if (document.hidden) new Notification(text);
  }

  if (rows) {
    socket.on('ticket:created', function (payload) {
      refreshRows(payload.ticket.code);
    });
    socket.on('ticket:updated', function (payload) {
      var old = rows.querySelector('tr[data-ticket="' + payload.ticket.id + '"]');
      // Events can overtake each other; a row never goes back to an older revision.
      if (!old || Number(old.getAttribute('data-revision')) < payload.ticket.revision) refreshRows(null);
    });
    // After being offline, fetch what was missed rather than trusting the gap.
    socket.on('connect', function () {
      if (!wasDisconnected) return;
      wasDisconnected = false;
      refreshRows(null);
    });
  }

  if (presence) {
    var ticketId = presence.getAttribute('data-ticket');
    var me = null;
    var watch = function () {
      socket.emit('ticket:watch', { ticketId: ticketId }, function () {});
    };
    socket.on('connect', watch);
    socket.on('presence:update', function (payload) {
      if (payload.ticketId !== ticketId) return;
      var others = payload.viewers.filter(function (viewer) {
        return viewer.userId !== me;
      });
      var typing = others.filter(function (viewer) {
        return viewer.typing;
      });
      var text = others.length
        ? presence.getAttribute('data-viewing').replace(
            '{names}',
            others
              .map(function (v) {
                return v.name;
              })
              .join(', '),
          )
        : '';
      if (typing.length) text += ' — ' + presence.getAttribute('data-typing').replace('{name}', typing[0].name);
      presence.textContent = text;
    });
    socket.on('ticket:updated', function (payload) {
      if (payload.ticket.id === ticketId) presence.textContent = presence.textContent + ' ↻';
    });
    var textarea = document.querySelector('#reply-form textarea');
    var timer;
    if (textarea)
      textarea.addEventListener('input', function () {
        if (!timer) socket.emit('ticket:typing', { ticketId: ticketId, typing: true });
        clearTimeout(timer);
        timer = setTimeout(function () {
          timer = null;
          socket.emit('ticket:typing', { ticketId: ticketId, typing: false });
        }, 3000);
      });
    fetch('/api/v1/auth/me', { headers: { Accept: 'application/json' } })
      .then(function (response) {
        return response.json();
      })
      .then(function (who) {
        me = who.id || null;
      });
  }

  socket.on('disconnect', function () {
    wasDisconnected = true;
  });
  socket.on('notice', function (payload) {
    announce(payload.message);
  });
})();
