/*
 * Ballotroom slip scanner: reads a token slip's QR code with the tablet's rear camera.
 *
 *   BallotroomScanner.start(videoEl, canvasEl, onCode, onError)
 *   BallotroomScanner.stop()
 *
 * Needs the vendored decoder (vendor/jsQR.js, window.jsQR) loaded first. Frames are copied to
 * canvasEl (which may be hidden, or null for an off-screen canvas) about 8 times a second and
 * decoded; the first text found is passed once to onCode(text) after the camera has been released.
 * When the camera cannot be used, onError(reason) is called with one of:
 *   "insecure"  - the page is not a secure context (http on the LAN): browsers hide the camera API
 *   "denied"    - the person or the browser's policy refused the camera
 *   "no_camera" - there is no usable camera (none found, busy elsewhere, or it stopped)
 * The page turns these codes into its own messages; this file holds no text for people.
 * Plain ES5 plus Promise, so older tablet browsers run it; no dependencies besides jsQR.
 */
(function (window) {
  "use strict";

  var FRAME_INTERVAL_MS = 125; // about 8 decodes a second: quick enough, spares the tablet's battery
  var MAX_EDGE = 640; // frames are scaled down to this: slips are held close, big frames only cost time

  var session = null; // the running scan, or null

  function mapError(err) {
    var name = err && err.name;
    if (name === "NotAllowedError" || name === "PermissionDeniedError" || name === "SecurityError") {
      return "denied";
    }
    return "no_camera"; // NotFoundError, OverconstrainedError, NotReadableError, AbortError, ...
  }

  function release(s) {
    if (s.timer !== null) {
      window.clearTimeout(s.timer);
      s.timer = null;
    }
    if (s.stream) {
      s.stream.getTracks().forEach(function (track) {
        track.onended = null;
        track.stop();
      });
      s.stream = null;
    }
    if (s.video) {
      try {
        s.video.pause();
      } catch (e) {
        // a video that never started has nothing to pause
      }
      s.video.srcObject = null;
    }
  }

  function stop() {
    var s = session;
    session = null;
    if (s) {
      s.active = false;
      release(s);
    }
  }

  function fail(s, reason) {
    if (!s.active) {
      return;
    }
    stop();
    if (typeof s.onError === "function") {
      s.onError(reason);
    }
  }

  function found(s, text) {
    if (!s.active) {
      return;
    }
    stop();
    s.onCode(text);
  }

  function scanFrame(s) {
    s.timer = null;
    if (!s.active) {
      return;
    }
    var video = s.video;
    // HAVE_CURRENT_DATA (2) or better: a frame can be drawn
    if (video.readyState >= 2 && video.videoWidth > 0 && video.videoHeight > 0) {
      var scale = Math.min(1, MAX_EDGE / Math.max(video.videoWidth, video.videoHeight));
      var width = Math.round(video.videoWidth * scale);
      var height = Math.round(video.videoHeight * scale);
      var canvas = s.canvas;
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
        s.context = null;
      }
      if (!s.context) {
        s.context = canvas.getContext("2d", { willReadFrequently: true });
      }
      s.context.drawImage(video, 0, 0, width, height);
      var image = s.context.getImageData(0, 0, width, height);
      // slips are printed dark on light: skipping the inverted pass halves the work
      var code = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
      if (code && code.data) {
        found(s, code.data);
        return;
      }
    }
    if (s.active) {
      s.timer = window.setTimeout(function () {
        scanFrame(s);
      }, FRAME_INTERVAL_MS);
    }
  }

  function start(videoEl, canvasEl, onCode, onError) {
    if (typeof onCode !== "function") {
      throw new TypeError("BallotroomScanner.start needs an onCode(text) callback");
    }
    if (typeof window.jsQR !== "function") {
      throw new Error("BallotroomScanner needs vendor/jsQR.js loaded before scanner.js");
    }
    stop();
    var s = {
      active: true,
      video: videoEl,
      canvas: canvasEl || window.document.createElement("canvas"),
      context: null,
      stream: null,
      timer: null,
      onCode: onCode,
      onError: onError
    };
    session = s;

    var media = window.navigator && window.navigator.mediaDevices;
    if (window.isSecureContext === false || !media || typeof media.getUserMedia !== "function") {
      // reported asynchronously, like every other outcome, so callers handle one shape
      s.timer = window.setTimeout(function () {
        s.timer = null;
        fail(s, "insecure");
      }, 0);
      return;
    }

    media
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        if (!s.active) {
          // stopped (or restarted) while the permission prompt was open
          stream.getTracks().forEach(function (track) {
            track.stop();
          });
          return;
        }
        s.stream = stream;
        stream.getVideoTracks().forEach(function (track) {
          track.onended = function () {
            fail(s, "no_camera");
          };
        });
        videoEl.setAttribute("playsinline", ""); // iOS: stay in the page, not full screen
        videoEl.muted = true;
        videoEl.srcObject = stream;
        var playing = videoEl.play();
        if (playing && typeof playing.catch === "function") {
          playing.catch(function () {
            // autoplay refusals still leave frames readable once the stream runs; keep scanning
          });
        }
        scanFrame(s);
      })
      .catch(function (err) {
        fail(s, mapError(err));
      });
  }

  window.BallotroomScanner = { start: start, stop: stop };
})(window);
