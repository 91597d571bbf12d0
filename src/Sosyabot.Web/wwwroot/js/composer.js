// The composer's live counter: the official twitter-text parseTweet (v3: 280 weighted, URL = 23,
// emoji = 2), the same rule the server enforces.
(function () {
  'use strict';
  var limit = 280;

  function measure(text, config) {
    var result = window.twitterText.parseTweet(text || '', config || window.twitterText.configs.defaults);
    return { weightedLength: result.weightedLength, valid: result.valid };
  }
  window.sosyabotComposer = { measure: measure };

  var parts = document.getElementById('parts');
  if (!parts) {
    return;
  }

  function update(part) {
    var text = part.querySelector('textarea').value;
    var result = measure(text);
    var counter = part.querySelector('.counter');
    counter.querySelector('.count').textContent = String(result.weightedLength);
    counter.classList.toggle('over', result.weightedLength > limit);
  }

  function wire(part) {
    part.querySelector('textarea').addEventListener('input', function () { update(part); });
    update(part);
  }

  Array.prototype.forEach.call(parts.querySelectorAll('.part'), wire);

  var add = document.getElementById('add-part');
  add.hidden = false;
  add.addEventListener('click', function () {
    var index = parts.querySelectorAll('.part').length;
    var part = parts.querySelector('.part').cloneNode(true);
    var area = part.querySelector('textarea');
    area.id = 'part-' + index;
    area.name = 'Compose.Parts[' + index + ']';
    area.value = '';
    var label = part.querySelector('label');
    label.setAttribute('for', area.id);
    label.textContent = 'Part ' + (index + 1);
    parts.appendChild(part);
    wire(part);
    area.focus();
  });

  var zone = document.getElementById('Compose_TimeZone');
  if (zone && !zone.value && window.Intl) {
    zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  }
})();
