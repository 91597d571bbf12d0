// Pages show times in the reader's zone: tell the server which one the browser is in.
(function () {
  'use strict';
  var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && document.cookie.indexOf('sosyabot_tz=' + encodeURIComponent(zone)) < 0) {
    document.cookie = 'sosyabot_tz=' + encodeURIComponent(zone) + '; path=/; max-age=31536000; samesite=lax';
  }
})();
