// Idle screen: scan a slip's QR (or type its code) and open the ballot.
(function () {
  "use strict";
  var start = document.getElementById("scan-start");
  var video = document.getElementById("scan-video");
  var canvas = document.getElementById("scan-canvas");
  var message = document.getElementById("scan-message");
  function show(reason) {
    message.textContent = message.dataset[reason] || message.dataset.no_camera;
    message.hidden = false;
  }
  function open(text) {
    // A slip's QR holds ".../t/<code>"; only the code is used, always on this server.
    var match = /\/t\/([0-9A-Za-z-]+)\s*$/.exec(text) || /^([0-9A-Za-z-]{24,40})$/.exec(text.trim());
    if (!match) { show("foreign"); return; }
    window.location.assign("/t/" + encodeURIComponent(match[1]));
  }
  if (!start) return;
  start.addEventListener("click", function () {
    if (!window.BallotroomScanner) { show("no_camera"); return; }
    message.hidden = true;
    video.hidden = false;
    window.BallotroomScanner.start(video, canvas, open, function (reason) {
      video.hidden = true;
      show(reason);
    });
  });
})();
