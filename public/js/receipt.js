// Copy and share on the receipt; the page shows the code, the token and a save link without it.
(function () {
  var status = document.querySelector('.copy-status');
  function say(key) {
    if (status) status.textContent = status.getAttribute(key) || '';
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // Plain http on a local network has no clipboard API: select a temporary field and copy that.
    return new Promise(function (resolve, reject) {
      var field = document.createElement('textarea');
      field.value = text;
      field.setAttribute('readonly', '');
      field.style.position = 'fixed';
      field.style.opacity = '0';
      document.body.appendChild(field);
      field.select();
      var done;
      try {
        done = document.execCommand('copy');
      } catch {
        done = false;
      }
      document.body.removeChild(field);
      if (done) resolve();
      else reject(new Error('copy'));
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll('button.copy[data-copy]'), function (button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    if (!source) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      copyText(source.textContent.trim()).then(
        function () {
          say('data-copied');
        },
        function () {
          say('data-failed');
        },
      );
    });
  });
  var share = document.querySelector('button.share');
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener('click', function () {
      navigator
        .share({
          title: share.getAttribute('data-title'),
          text: share.getAttribute('data-text'),
          url: share.getAttribute('data-url'),
        })
        .catch(function () {
          // The person closed the share sheet: nothing to do.
        });
    });
  }
})();
