/* Liner, a track's review page: clicking the waveform fills the comment form's time, a button
   takes the playing position, comment times and markers jump the player there. The player,
   the waveform and the A/B are audio-player.js's. Plain JavaScript, no build step; the page
   works without it (times are typed). */
(function () {
  "use strict";

  function clock(seconds) {
    var t = Math.max(0, seconds || 0);
    var m = Math.floor(t / 60), s = t - m * 60;
    var whole = Math.floor(s), tenth = Math.floor((s - whole) * 10);
    return m + ":" + String(whole).padStart(2, "0") + (tenth ? "." + tenth : "");
  }

  function setUp() {
    var page = document.querySelector(".review-page");
    if (!page || page.dataset.ready) return;
    page.dataset.ready = "1";
    var audio = document.getElementById("player-audio");
    var canvas = document.getElementById("waveform");
    var at = document.getElementById("comment-at");
    var body = document.getElementById("comment-body");
    var here = document.getElementById("comment-here");
    var length = parseFloat(page.dataset.duration) || 0;

    function duration() { return (audio && isFinite(audio.duration) && audio.duration) || length; }

    function fill(seconds) {
      if (!at) return;
      at.value = clock(Math.min(seconds, duration()));
      at.removeAttribute("aria-invalid");
      if (body) body.focus({ preventScroll: true });
    }

    if (canvas && at) {
      // The player seeks on the same click (audio-player.js); here the form takes the time.
      canvas.addEventListener("click", function (e) {
        var d = duration();
        if (!d) return;
        var rect = canvas.getBoundingClientRect();
        fill(d * Math.min(1, Math.max(0, (e.clientX - rect.left) / rect.width)));
      });
    }
    if (here && audio) {
      here.hidden = false;
      here.addEventListener("click", function () { fill(audio.currentTime); });
    }
    document.querySelectorAll("[data-seek]").forEach(function (el) {
      el.addEventListener("click", function () {
        if (!audio) return;
        var t = parseFloat(el.dataset.seek);
        if (!isFinite(t)) return;
        audio.currentTime = t;
        // A time button plays from there; a marker (a link) also scrolls to its comment.
        if (el.tagName === "BUTTON" && audio.paused) audio.play().catch(function () {});
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
