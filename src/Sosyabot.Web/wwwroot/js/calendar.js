// The calendar page: FullCalendar (bundled into wwwroot/lib by tools/calendar) fed by the page's Feed handler.
// A drag posts the new start to the Drop handler and is undone when the server refuses; selecting a post
// (click, or Tab then Enter) opens a dialog with its states, a link to it and a Move form for the keyboard.
(function () {
  'use strict';
  var element = document.getElementById('calendar');
  if (!element || !window.FullCalendar) {
    return;
  }
  var data = element.dataset;
  var clock24 = data.clock24 === 'true';
  var token = document.querySelector('input[name="__RequestVerificationToken"]').value;
  var status = document.getElementById('calendar-status');
  var dialog = document.getElementById('post-dialog');
  // A post's colour says what most needs noticing about it (CalendarFeed.Kind).
  var colours = {
    draft: '#8795a1', scheduled: '#1d9bf0', publishing: '#1d9bf0', published: '#00875a', held: '#b26a00',
    failed: '#c62828', cancelled: '#90a4ae', deleted: '#90a4ae', more: '#eceff1'
  };
  var timeFormat = { hour: clock24 ? '2-digit' : 'numeric', minute: '2-digit', hour12: !clock24 };

  function say(message, ok) {
    status.textContent = message;
    status.className = 'flash ' + (ok ? 'flash-success' : 'flash-error');
    status.setAttribute('role', ok ? 'status' : 'alert');
    status.hidden = false;
  }

  function openDialog(event) {
    var props = event.extendedProps;
    if (props.kind === 'more') {
      window.location.href = event.url;
      return;
    }
    document.getElementById('post-dialog-title').textContent = props.parts > 1 ? 'Thread of ' + props.parts + ' parts' : 'Post';
    document.getElementById('post-dialog-when').textContent = props.when + ' (' + data.timeZone + ')';
    document.getElementById('post-dialog-text').textContent = props.text;
    var states = document.getElementById('post-dialog-states');
    states.replaceChildren();
    props.states.forEach(function (text) {
      var item = document.createElement('li');
      item.textContent = text;
      states.appendChild(item);
    });
    document.getElementById('post-dialog-open').href = event.url;
    var movable = event.startEditable !== false && !props.whyNotMovable;
    var why = document.getElementById('post-dialog-why');
    why.textContent = props.whyNotMovable || '';
    why.hidden = movable;
    document.getElementById('move-form').hidden = !movable;
    document.getElementById('post-dialog-close-only').hidden = movable;
    if (movable) {
      document.getElementById('move-post').value = event.id;
      document.getElementById('move-at').value = props.local;
      document.getElementById('move-view').value = calendar.view.type;
      document.getElementById('move-date').value = props.local.substring(0, 10);
    }
    dialog.showModal();
    (movable ? document.getElementById('move-at') : document.getElementById('post-dialog-open')).focus();
  }

  ['post-dialog-close', 'post-dialog-close-2'].forEach(function (id) {
    document.getElementById(id).addEventListener('click', function () { dialog.close(); });
  });

  var calendar = new window.FullCalendar.Calendar(element, {
    plugins: [window.FullCalendar.classicTheme],
    initialView: data.view,
    initialDate: data.date,
    timeZone: data.timeZone,
    headerToolbar: { start: 'prev,next today', center: 'title', end: 'dayGridMonth,timeGridWeek,listWeek' },
    buttonText: { today: 'Today', month: 'Month', week: 'Week', list: 'List' },
    firstDay: 1,
    height: 'auto',
    nowIndicator: true,
    dayMaxEvents: 4,
    eventDisplay: 'block',
    eventTimeFormat: timeFormat,
    slotLabelFormat: timeFormat,
    defaultTimedEventDuration: '00:30',
    nextDayThreshold: '01:00',
    eventInteractive: true,
    editable: data.canMove === 'true',
    eventDurationEditable: false,
    events: { url: data.feed, failure: function () { say('The calendar could not load the posts. Reload the page to try again.', false); } },
    eventDataTransform: function (input) {
      input.color = colours[input.extendedProps.kind];
      input.contrastColor = input.extendedProps.kind === 'more' ? '#0f1419' : '#ffffff';
      return input;
    },
    eventClick: function (info) {
      info.jsEvent.preventDefault();
      openDialog(info.event);
    },
    eventDidMount: function (info) {
      info.el.setAttribute('data-post', info.event.id);
      info.el.setAttribute('data-kind', info.event.extendedProps.kind);
      info.el.setAttribute('title', info.event.extendedProps.states ? info.event.extendedProps.states.join('\n') : info.event.title);
    },
    eventDrop: function (info) {
      var body = new URLSearchParams();
      body.set('postId', info.event.id);
      body.set('start', info.event.startStr);
      fetch(data.drop, {
        method: 'POST',
        headers: { 'RequestVerificationToken': token, 'Accept': 'application/json' },
        body: body,
        credentials: 'same-origin',
        redirect: 'error'
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (!response.ok) {
            throw new Error(answer.error || 'The move was refused (' + response.status + ').');
          }
          say(answer.message, true);
          calendar.refetchEvents();
        });
      }).catch(function (error) {
        info.revert();
        say(error.message && error.message.indexOf('fetch') < 0
          ? error.message
          : 'The post was not moved: your role may not move posts, or you were signed out.', false);
      });
    }
  });
  calendar.render();
  window.sosyabotCalendar = calendar;
})();
