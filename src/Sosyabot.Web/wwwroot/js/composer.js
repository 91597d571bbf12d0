// The composer: thread parts with live counters, one description per chosen image, the schedule, a preview
// of the post as X shows it, and a form post that keeps every field when the server finds a problem.
// Counting is the official twitter-text parseTweet (v3: URL = 23, emoji = 2), the same rule the server enforces;
// the limit is the strictest among the chosen channels (280, or 25,000 for an account with long posts), as each
// channel's data-max-length says (ChannelAbility.MaxPostLength on the server).
(function () {
  'use strict';
  var standardLimit = 280;
  var limit = standardLimit;

  function measure(text, config) {
    var result = window.twitterText.parseTweet(text || '', config || window.twitterText.configs.defaults);
    return { weightedLength: result.weightedLength, valid: result.valid, validRangeEnd: result.validRangeEnd };
  }
  window.sosyabotComposer = { measure: measure };

  var parts = document.getElementById('parts');
  if (!parts) {
    return;
  }
  var form = parts.closest('form');
  var add = document.getElementById('add-part');
  var partsStatus = document.getElementById('parts-status');
  var problems = document.getElementById('composer-problems');
  var schedule = form.querySelector('.schedule');
  var scheduledLocal = document.getElementById('Compose_ScheduledLocal');
  var zone = document.getElementById('Compose_TimeZone');
  var accessWarning = document.getElementById('access-warning');
  var videoChannels = document.getElementById('video-channels');
  var images = document.getElementById('images');
  var imagesMessage = document.getElementById('images-message');
  var altTexts = document.getElementById('alt-texts');
  var publish = document.getElementById('publish');
  var saveDraft = document.getElementById('save-draft');
  var addToQueue = document.getElementById('add-to-queue');
  var publishBlocked = document.getElementById('publish-blocked');
  var preview = form.querySelector('.x-preview');
  var thread = document.getElementById('x-thread');

  var chosenImages = [];
  var sending = false;

  function all(selector) {
    return Array.prototype.slice.call(form.querySelectorAll(selector));
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  // Rewriting a live region with the same words makes screen readers say them again.
  function setText(node, text) {
    if (node.textContent !== text) {
      node.textContent = text;
    }
  }

  function listOfWords(words) {
    return words.length < 2 ? words.join('') : words.slice(0, -1).join(', ') + ' and ' + words[words.length - 1];
  }

  // --- Thread parts -----------------------------------------------------------------------------------------

  function partList() {
    return all('#parts .part');
  }

  function partName(index) {
    return index === 0 ? 'Post' : 'Part ' + (index + 1);
  }

  function setButton(button, label, disabled) {
    button.setAttribute('aria-label', label);
    button.title = label;
    button.disabled = disabled;
  }

  // The index in each name is what makes the server bind the parts in the order they are shown.
  function renumber() {
    var list = partList();
    list.forEach(function (part, index) {
      var area = part.querySelector('textarea');
      area.id = 'part-' + index;
      area.name = 'Compose.Parts[' + index + ']';
      var label = part.querySelector('label');
      label.htmlFor = area.id;
      label.textContent = partName(index);
      part.querySelector('.part-tools').hidden = list.length === 1;
      var number = index + 1;
      setButton(part.querySelector('[data-move="-1"]'), 'Move part ' + number + ' up', index === 0);
      setButton(part.querySelector('[data-move="1"]'), 'Move part ' + number + ' down', index === list.length - 1);
      setButton(part.querySelector('[data-remove]'), 'Remove part ' + number, false);
    });
    add.disabled = list.length >= Number(add.getAttribute('data-max'));
  }

  function move(part, step) {
    var list = partList();
    var from = list.indexOf(part);
    var to = from + step;
    parts.insertBefore(part, step < 0 ? list[to] : list[to].nextSibling);
    renumber();
    var pressed = part.querySelector('[data-move="' + step + '"]');
    (pressed.disabled ? part.querySelector('[data-move="' + -step + '"]') : pressed).focus();
    partsStatus.textContent = 'Part ' + (from + 1) + ' is now part ' + (to + 1) + '.';
    refresh();
  }

  function remove(part) {
    var index = partList().indexOf(part);
    parts.removeChild(part);
    renumber();
    var remaining = partList();
    remaining[Math.min(index, remaining.length - 1)].querySelector('textarea').focus();
    partsStatus.textContent = 'Part ' + (index + 1) + ' removed.';
    refresh();
  }

  function addPart() {
    var part = parts.querySelector('.part').cloneNode(true);
    var area = part.querySelector('textarea');
    area.defaultValue = '';
    area.value = '';
    parts.appendChild(part);
    renumber();
    refresh();
    area.focus();
  }

  parts.addEventListener('click', function (event) {
    var button = event.target.closest('button');
    if (!button) {
      return;
    }
    var part = button.closest('.part');
    if (button.hasAttribute('data-remove')) {
      remove(part);
    } else {
      move(part, Number(button.getAttribute('data-move')));
    }
  });
  add.addEventListener('click', addPart);

  // --- Length limit -----------------------------------------------------------------------------------------

  // Only the words just before the cut are repeated, so that a long part does not appear twice in full.
  var overflowContext = 40;

  function showOverflow(box, text, result) {
    var over = result.weightedLength > limit;
    box.hidden = !over;
    box.textContent = '';
    if (!over) {
      return;
    }
    var cut = result.validRangeEnd + 1;
    var start = Math.max(0, cut - overflowContext);
    if (/[\udc00-\udfff]/.test(text.charAt(start))) {
      start += 1;
    }
    box.appendChild(element('span', 'overflow-note', (result.weightedLength - limit) + ' over; the marked text does not fit: '));
    box.appendChild(document.createTextNode((start > 0 ? '…' : '') + text.slice(start, cut)));
    box.appendChild(element('mark', null, text.slice(cut)));
  }

  function chosenLimit() {
    var lengths = all('input[name="Compose.ChannelIds"]:checked').map(function (box) {
      return Number(box.getAttribute('data-max-length')) || standardLimit;
    });
    return lengths.length === 0 ? standardLimit : Math.min.apply(null, lengths);
  }

  function refreshLimits() {
    var over = [];
    limit = chosenLimit();
    partList().forEach(function (part, index) {
      setText(part.querySelector('.limit'), limit.toLocaleString('en-US'));
      var text = part.querySelector('textarea').value;
      var result = measure(text);
      setText(part.querySelector('.count'), String(result.weightedLength));
      part.querySelector('.counter').classList.toggle('over', result.weightedLength > limit);
      showOverflow(part.querySelector('.overflow'), text, result);
      if (result.weightedLength > limit) {
        over.push(partName(index));
      }
    });
    publish.disabled = sending || over.length > 0;
    if (addToQueue) {
      addToQueue.disabled = publish.disabled;
    }
    if (saveDraft) {
      saveDraft.disabled = sending;
    }
    setText(publishBlocked, over.length === 0 ? '' :
      'Publishing is off: ' + listOfWords(over) + (over.length === 1 ? ' is' : ' are') + ' over X\'s ' + limit.toLocaleString('en-US') +
      '-character limit for the chosen channels. Shorten it or move text into another part.' + (saveDraft ? ' Save draft still works.' : ''));
  }

  // --- Video and the channels that cannot take it ---------------------------------------------------------------

  function isVideo(file) {
    return file.type === 'video/mp4' || /\.mp4$/i.test(file.name);
  }

  function carriesVideo() {
    return chosenImages.some(function (image) { return isVideo(image.file); }) || all('.kept-image[data-video]').some(function (kept) {
      return kept.querySelector('input[type=checkbox]').checked;
    });
  }

  // The server refuses a video for these channels (ChannelAbility.ToPublishVideo); they are unticked and greyed
  // out while the post carries one, and offered again when it no longer does.
  function refreshVideoChannels() {
    var video = carriesVideo();
    var refused = [];
    all('input[name="Compose.ChannelIds"][data-no-video]').filter(function (box) {
      return box.getAttribute('data-no-video') !== '';
    }).forEach(function (box) {
      if (video && !box.hasAttribute('data-off-for-video')) {
        box.setAttribute('data-off-for-video', box.disabled ? 'was-disabled' : '');
        box.checked = false;
        box.disabled = true;
      } else if (!video && box.hasAttribute('data-off-for-video')) {
        box.disabled = box.getAttribute('data-off-for-video') === 'was-disabled';
        box.removeAttribute('data-off-for-video');
      }
      if (video) {
        refused.push('@' + box.getAttribute('data-handle') + ' (' + box.getAttribute('data-no-video') + ')');
      }
    });
    videoChannels.hidden = refused.length === 0;
    setText(videoChannels, refused.length === 0 ? '' : 'A video cannot go to ' + listOfWords(refused) + '.');
  }

  // --- Schedule and access warning ----------------------------------------------------------------------------

  function scheduling() {
    var when = form.querySelector('input[name="Compose.When"]:checked');
    return when !== null && when.value === 'schedule';
  }

  function zoneOffset(timeZone, instant) {
    var fields = {};
    new Intl.DateTimeFormat('en-US', {
      timeZone: timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric'
    }).formatToParts(new Date(instant)).forEach(function (part) {
      fields[part.type] = Number(part.value);
    });
    return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second) - instant;
  }

  // The server reads the local time in the chosen zone. Intl only gives a zone's offset at an instant, so the
  // offset is taken at the wall-clock time read as UTC: wrong by the DST shift only within hours of a clock
  // change, close enough for a warning. An unknown zone falls back to the browser's, the common case anyway.
  function scheduledInstant() {
    if (!scheduledLocal || !scheduledLocal.value) {
      return NaN;
    }
    var wall = Date.parse(scheduledLocal.value + 'Z');
    try {
      return wall - zoneOffset(zone.value, wall);
    } catch (unknownZone) {
      return new Date(scheduledLocal.value).getTime();
    }
  }

  function formatInstant(instant) {
    var options = { dateStyle: 'medium', timeStyle: 'short', timeZone: zone.value };
    try {
      return new Date(instant).toLocaleString(undefined, options) + ' (' + zone.value + ')';
    } catch (unknownZone) {
      return new Date(instant).toLocaleString();
    }
  }

  function refreshAccessWarning() {
    var due = scheduling() ? scheduledInstant() : NaN;
    var late = all('input[name="Compose.ChannelIds"]:checked').filter(function (box) {
      var ends = box.getAttribute('data-access-ends');
      return ends && due > Number(ends);
    });
    // The words of the server's own warning (ChannelAccess.WaysOut), with the reconnect page linked.
    var message = document.createDocumentFragment();
    late.forEach(function (box) {
      var handle = '@' + box.getAttribute('data-handle');
      var reconnect = element('a', null, 'Reconnect ' + handle);
      reconnect.href = box.getAttribute('data-reconnect');
      message.appendChild(document.createTextNode(handle + '\'s access to X ends at ' +
        formatInstant(Number(box.getAttribute('data-access-ends'))) +
        ', before this post is due: it will be held, not lost, until the channel is reconnected. '));
      message.appendChild(reconnect);
      message.appendChild(document.createTextNode(' after that time, ask your admin to turn on long-lived connections (Admin → X (Twitter)), ' +
        'or connect the account with browser cookies or API keys, which do not expire. '));
    });
    accessWarning.hidden = late.length === 0;
    // Rebuilt on every keystroke in the form; a live region rewritten with the same words is read out again.
    if (message.textContent !== accessWarning.textContent) {
      accessWarning.textContent = '';
      accessWarning.appendChild(message);
    }
  }

  if (zone && !zone.value && window.Intl) {
    zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  }

  // --- Images -------------------------------------------------------------------------------------------------

  function fileKey(file) {
    return file.name + '/' + file.size;
  }

  // Thumbnails as data: URLs, because the page's Content-Security-Policy allows those images and not blob: ones.
  function showFile(file, thumbnails) {
    var reader = new FileReader();
    reader.onload = function () {
      thumbnails.forEach(function (thumbnail) {
        thumbnail.src = reader.result;
      });
    };
    reader.readAsDataURL(file);
  }

  function chooseImages() {
    var max = Number(images.getAttribute('data-max'));
    var files = Array.prototype.slice.call(images.files);
    var message = '';
    if (files.length > max) {
      var leftOut = files.slice(max);
      files = files.slice(0, max);
      var kept = new DataTransfer();
      files.forEach(function (file) {
        kept.items.add(file);
      });
      images.files = kept.files;
      message = 'Only ' + max + ' image' + (max === 1 ? '' : 's') + ' fit; left out: ' +
        listOfWords(leftOut.map(function (file) { return file.name; })) + '.';
    }
    setText(imagesMessage, message);

    var descriptions = {};
    chosenImages.forEach(function (image) {
      descriptions[fileKey(image.file)] = image.description.value;
    });
    altTexts.textContent = '';
    chosenImages = files.map(function (file, index) {
      // A video is named, not drawn: reading a whole video into a data: URL only to show its first frame costs too much.
      var video = isVideo(file);
      var image = { file: file, preview: video ? element('span', 'kept', '▶ ' + file.name) : element('img') };
      var row = element('div', 'alt-text');
      var thumbnail = video ? element('span', 'thumb', '▶') : element('img', 'thumb');
      if (video) {
        thumbnail.setAttribute('aria-hidden', 'true');
      } else {
        thumbnail.alt = '';
        showFile(file, [thumbnail, image.preview]);
      }
      image.description = element('input');
      image.description.type = 'text';
      image.description.id = 'alt-text-' + index;
      image.description.name = 'Compose.AltTexts[' + index + ']';
      image.description.maxLength = Number(altTexts.getAttribute('data-maxlength'));
      image.description.placeholder = 'Alt text';
      image.description.value = descriptions[fileKey(file)] || '';
      var label = element('label', null, 'Description of ' + file.name);
      label.htmlFor = image.description.id;
      row.appendChild(thumbnail);
      row.appendChild(label);
      row.appendChild(image.description);
      altTexts.appendChild(row);
      return image;
    });
  }

  if (images) {
    images.addEventListener('change', chooseImages);
    chooseImages();
  }

  // --- Preview of the post on X ---------------------------------------------------------------------------------

  // What X turns into links: addresses with a scheme or www., bare domains (only under common endings here:
  // twitter-text's own extractor is not in the bundle, and this is a preview), @mentions and #hashtags.
  var entities = /(^|[\s(])((?:https?:\/\/|www\.)\S+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|dev|app|co|ai|me|tr|eu|uk|de)(?![a-z0-9-])(?:\/\S*)?|@\w{1,15}|#[\w\u00c0-\uffff]+)/gi;
  var trailingPunctuation = /[.,:;!?'")\]]+$/;
  // X shows a link without its scheme and www., cut after about this many characters.
  var displayedUrlLength = 25;

  function displayedUrl(url) {
    var shown = url.replace(/^https?:\/\//i, '').replace(/^www\./i, '').replace(/^([^\/]+)\/$/, '$1');
    return shown.length > displayedUrlLength ? shown.slice(0, displayedUrlLength) + '…' : shown;
  }

  function appendEntity(container, token) {
    if (token.charAt(0) === '@' || token.charAt(0) === '#') {
      container.appendChild(element('span', 'x-entity', token));
      return;
    }
    var link = element('a', null, displayedUrl(token));
    link.href = /^https?:\/\//i.test(token) ? token : 'https://' + token;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    container.appendChild(link);
  }

  function appendRichText(container, text) {
    var at = 0;
    var match;
    entities.lastIndex = 0;
    while ((match = entities.exec(text)) !== null) {
      var start = match.index + match[1].length;
      var token = /^[@#]/.test(match[2]) ? match[2] : match[2].replace(trailingPunctuation, '');
      container.appendChild(document.createTextNode(text.slice(at, start)));
      appendEntity(container, token);
      at = start + token.length;
      entities.lastIndex = at;
    }
    container.appendChild(document.createTextNode(text.slice(at)));
  }

  function previewMedia() {
    var tiles = all('.kept-image').filter(function (kept) {
      return kept.querySelector('input[type=checkbox]').checked;
    }).map(function (kept) {
      return element('span', 'kept', kept.getAttribute('data-file-name'));
    }).concat(chosenImages.map(function (image) {
      if (image.preview.tagName === 'IMG') {
        image.preview.alt = image.description.value;
      }
      return image.preview;
    }));
    if (tiles.length === 0) {
      return null;
    }
    var grid = element('div', 'x-media count-' + tiles.length);
    tiles.forEach(function (tile) {
      grid.appendChild(tile);
    });
    return grid;
  }

  function avatarFor(channel) {
    var url = channel && channel.getAttribute('data-avatar');
    if (url) {
      var image = element('img', 'avatar');
      image.src = url;
      image.alt = '';
      return image;
    }
    var placeholder = element('span', 'avatar placeholder', channel ? channel.getAttribute('data-handle').charAt(0).toUpperCase() : '?');
    placeholder.setAttribute('aria-hidden', 'true');
    return placeholder;
  }

  function refreshPreview() {
    var channel = form.querySelector('input[name="Compose.ChannelIds"]:checked');
    var handle = channel ? channel.getAttribute('data-handle') : null;
    thread.textContent = '';
    partList().forEach(function (part, index) {
      var text = part.querySelector('textarea').value;
      var post = element('article', 'x-post');
      post.appendChild(avatarFor(channel));
      var body = element('div', 'x-body');
      var head = element('p', 'x-head');
      head.appendChild(element('strong', null, handle || 'No channel chosen'));
      head.appendChild(element('span', 'muted', (handle ? ' @' + handle : '') + ' · now'));
      body.appendChild(head);
      var content = element('p', 'x-text');
      if (text.trim()) {
        appendRichText(content, text);
      } else {
        content.classList.add('muted');
        content.textContent = index === 0 ? 'Nothing written yet.' : 'Empty part.';
      }
      body.appendChild(content);
      var media = index === 0 ? previewMedia() : null;
      if (media) {
        body.appendChild(media);
      }
      post.appendChild(body);
      thread.appendChild(post);
    });
  }

  // --- Sending ------------------------------------------------------------------------------------------------

  function showProblems(messages) {
    var list = element('ul');
    messages.forEach(function (message) {
      list.appendChild(element('li', null, message));
    });
    problems.className = 'flash flash-error validation-summary-errors';
    problems.textContent = '';
    problems.appendChild(list);
    problems.focus();
  }

  // A redirect means the post was taken, and the page it leads to has already shown (so spent) its one-time
  // flash message: loading that address again would lose "Queued for …". Showing the page received is what a
  // plain form post does.
  function showPage(html, url) {
    history.replaceState(null, '', url);
    document.open();
    document.write(html);
    document.close();
  }

  // The server's list replaces the box as it comes; every field, the chosen files included, stays as it is.
  function answer(response, html) {
    if (response.redirected && new URL(response.url).pathname.indexOf('/account/') === 0) {
      // The session ended: the post was not taken, and the login page must not replace what was written.
      showProblems(['You were signed out, so nothing was sent. Log in again in another tab, then press the button again: ' +
        'your text and images are still here.']);
      return;
    }
    if (response.redirected) {
      showPage(html, response.url);
      return;
    }
    if (response.status === 400) {
      showProblems(['This page is too old to send (its security token expired). Copy your text, reload the page and send again.']);
      return;
    }
    var fresh = response.ok ? new DOMParser().parseFromString(html, 'text/html').getElementById('composer-problems') : null;
    if (!fresh) {
      showProblems([(response.status === 413 ? 'The images are larger than Sosyabot takes in one post.' : 'Sosyabot answered ' + response.status + ' ' + response.statusText + '.') +
        ' Your text and images are still here.']);
      return;
    }
    problems.className = fresh.className;
    problems.innerHTML = fresh.innerHTML;
    problems.focus();
  }

  function setSending(value) {
    sending = value;
    form.setAttribute('aria-busy', String(value));
    refreshLimits();
  }

  function send(submitter) {
    var data = new FormData(form);
    data.append(submitter.name, submitter.value);
    setSending(true);
    fetch(form.action, { method: 'POST', body: data, credentials: 'same-origin' })
      .then(function (response) {
        return response.text().then(function (html) {
          return { response: response, html: html };
        });
      })
      .then(function (received) {
        answer(received.response, received.html);
      }, function () {
        showProblems(['Sosyabot could not be reached, so nothing was sent. Your text and images are still here: try again.']);
      })
      .then(function () {
        setSending(false);
      });
  }

  form.addEventListener('submit', function (event) {
    if (!event.submitter || !window.fetch) {
      return;
    }
    event.preventDefault();
    if (!sending) {
      send(event.submitter);
    }
  });

  // --- Everything that follows the fields -------------------------------------------------------------------

  function refresh() {
    schedule.hidden = !scheduling();
    refreshVideoChannels();
    refreshLimits();
    refreshAccessWarning();
    refreshPreview();
  }

  form.addEventListener('input', refresh);
  form.addEventListener('change', refresh);
  renumber();
  add.hidden = false;
  preview.hidden = false;
  refresh();
})();
