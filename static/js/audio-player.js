/* Liner, one audio file's page: the waveform player, the loudness plot, and the A/B of each
   master at matched loudness. Plain JavaScript, no build step. Every part checks for its
   elements and marks them ready, so it runs again safely on what htmx swaps in. */
(function () {
  "use strict";

  var COLORS = { played: "#5b3cc4", rest: "#b9b3c4", quiet: "#dcd8e3", head: "#1d1b22" };

  function readJSON(node) {
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (err) { return null; }
  }

  function clock(seconds) {
    if (!isFinite(seconds)) return "0:00";
    var s = Math.max(0, Math.floor(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  /* Peaks come at a few zoom levels (columns across the whole file): take the coarsest that
     still has a column for every device pixel, else the finest there is. */
  function pickLevel(peaks, pixels) {
    if (!peaks || !peaks.levels) return null;
    var sizes = Object.keys(peaks.levels).map(Number).sort(function (a, b) { return a - b; });
    if (!sizes.length) return null;
    var pick = sizes.find(function (n) { return n >= pixels; }) || sizes[sizes.length - 1];
    return peaks.levels[String(pick)];
  }

  function sizeCanvas(canvas, cssHeight) {
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.clientWidth || canvas.parentNode.clientWidth || 600;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    return ratio;
  }

  /* One lane of min/max bars; columns left of `played` (0..1) in the played colour. */
  function drawLane(ctx, level, top, height, width, played, colors) {
    if (!level || !level.max || !level.max.length) return;
    var n = level.max.length, mid = top + height / 2, half = height / 2;
    for (var x = 0; x < width; x++) {
      var from = Math.floor(x * n / width), to = Math.max(from + 1, Math.floor((x + 1) * n / width));
      var hi = -1, lo = 1;
      for (var i = from; i < to && i < n; i++) {
        if (level.max[i] > hi) hi = level.max[i];
        if (level.min[i] < lo) lo = level.min[i];
      }
      if (hi < lo) continue;
      var y1 = mid - Math.min(1, hi) * half, y2 = mid - Math.max(-1, lo) * half;
      ctx.fillStyle = x < played * width ? colors[0] : colors[1];
      ctx.fillRect(x, y1, 1, Math.max(1, y2 - y1));
    }
  }

  /* --- The player at the top: waveform of the original, click to seek. ------------------- */
  function setUpPlayer(root) {
    var canvas = root.querySelector ? root.querySelector("#waveform") : null;
    var audio = document.getElementById("player-audio");
    if (audio && !audio.dataset.ready) {
      audio.dataset.ready = "1";
      audio.addEventListener("error", function () {
        var note = document.querySelector(".player-error");
        if (note && audio.error && audio.error.code === 4) note.hidden = false;
      });
    }
    if (!canvas || canvas.dataset.ready) return;
    var peaks = readJSON(document.getElementById("peaks-data"));
    if (!peaks || !peaks.levels) { canvas.hidden = true; return; }
    canvas.dataset.ready = "1";
    function draw() {
      var ratio = sizeCanvas(canvas, 96);
      var ctx = canvas.getContext("2d");
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      var played = audio && audio.duration ? audio.currentTime / audio.duration : 0;
      drawLane(ctx, pickLevel(peaks, canvas.width), 0, canvas.height, canvas.width, played,
               [COLORS.played, COLORS.rest]);
      if (played > 0) {
        ctx.fillStyle = COLORS.head;
        ctx.fillRect(Math.round(played * canvas.width), 0, Math.max(1, ratio), canvas.height);
      }
    }
    draw();
    window.addEventListener("resize", draw);
    if (audio) {
      audio.addEventListener("timeupdate", draw);
      audio.addEventListener("seeked", draw);
      canvas.addEventListener("click", function (e) {
        if (!audio.duration) return;
        var rect = canvas.getBoundingClientRect();
        audio.currentTime = audio.duration * (e.clientX - rect.left) / rect.width;
      });
    }
  }

  /* --- The loudness plot, built on the server with plotly, drawn here. -------------------- */
  function setUpPlot() {
    var node = document.getElementById("loudness-plot");
    var figure = readJSON(document.getElementById("loudness-figure"));
    if (!node || !figure || node.dataset.ready) return;
    if (!window.Plotly) { window.addEventListener("load", setUpPlot, { once: true }); return; }
    node.dataset.ready = "1";
    window.Plotly.newPlot(node, figure.data, figure.layout, { displayModeBar: false, responsive: true });
    var audio = document.getElementById("player-audio");
    if (audio && node.on) {
      node.on("plotly_click", function (data) {
        var point = data && data.points && data.points[0];
        if (!point || !isFinite(point.x)) return;
        // The short-term value at t covers the 3 s before it: start there.
        audio.currentTime = Math.max(0, point.x - 3);
        if (audio.paused) audio.play().catch(function () {});
      });
    }
  }

  /* --- A/B: original and master run together, one muted; the louder one turned down. ----- */
  var AudioCtx = window.AudioContext || window.webkitAudioContext;
  var sharedContext = null;

  function turnDown(el, gain) {
    el.volume = gain;
    // Some browsers (iOS) keep media volume at 1: use a Web Audio gain stage there instead.
    if (Math.abs(el.volume - gain) > 0.01 && AudioCtx && !el.gainNode) {
      sharedContext = sharedContext || new AudioCtx();
      var source = sharedContext.createMediaElementSource(el);
      el.gainNode = sharedContext.createGain();
      el.gainNode.gain.value = gain;
      source.connect(el.gainNode).connect(sharedContext.destination);
    }
  }

  /* Any two sources: the box may name them (data-label-a / data-label-b, default "original"
     and "master") and say where A's peaks are (data-peaks-a, the id of a JSON script; default
     the page's #peaks-data). B's peaks are the JSON script inside the box. */
  function setUpAB(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    var a = box.querySelector(".ab-a"), b = box.querySelector(".ab-b");
    var play = box.querySelector(".ab-play"), toggle = box.querySelector(".ab-toggle");
    var time = box.querySelector(".ab-time"), canvas = box.querySelector(".ab-wave");
    var labelA = box.dataset.labelA || "original", labelB = box.dataset.labelB || "master";
    var before = readJSON(document.getElementById(box.dataset.peaksA || "peaks-data"));
    var after = readJSON(box.querySelector("script[type='application/json']"));
    // Positive: B (the master) is this many dB louder than A (the original).
    var gainDb = parseFloat(box.dataset.gainDb || "0") || 0;
    var down = Math.pow(10, -Math.abs(gainDb) / 20);
    var onB = false;
    var volumesSet = false;

    function setVolumes() {
      if (volumesSet) return;
      volumesSet = true;
      turnDown(a, gainDb < 0 ? down : 1);
      turnDown(b, gainDb > 0 ? down : 1);
      if (sharedContext && sharedContext.state === "suspended") sharedContext.resume();
    }
    function lead() { return onB ? b : a; }
    function draw() {
      if (!canvas) return;
      sizeCanvas(canvas, 120);
      var ctx = canvas.getContext("2d");
      var w = canvas.width, h = canvas.height, lane = h / 2 - 2;
      ctx.clearRect(0, 0, w, h);
      var el = lead();
      var played = el.duration ? el.currentTime / el.duration : 0;
      drawLane(ctx, pickLevel(before, w), 0, lane, w, played,
               onB ? [COLORS.rest, COLORS.quiet] : [COLORS.played, COLORS.rest]);
      drawLane(ctx, pickLevel(after, w), h - lane, lane, w, played,
               onB ? [COLORS.played, COLORS.rest] : [COLORS.rest, COLORS.quiet]);
      ctx.fillStyle = COLORS.head;
      ctx.font = Math.round(11 * (window.devicePixelRatio || 1)) + "px system-ui, sans-serif";
      ctx.fillText(labelA, 4, 12 * (window.devicePixelRatio || 1));
      ctx.fillText(labelB, 4, h - lane + 12 * (window.devicePixelRatio || 1));
      if (played > 0) ctx.fillRect(Math.round(played * w), 0, Math.max(1, window.devicePixelRatio || 1), h);
    }
    function apply() {
      a.muted = onB;
      b.muted = !onB;
      toggle.setAttribute("aria-pressed", String(onB));
      toggle.textContent = "Listening to: " + (onB ? labelB : labelA);
      box.classList.toggle("on-b", onB);
      draw();
    }
    function sync() {
      var from = lead(), to = onB ? a : b;
      if (Math.abs(to.currentTime - from.currentTime) > 0.04) to.currentTime = from.currentTime;
    }
    function stopOthers() {
      document.querySelectorAll("audio").forEach(function (el) {
        if (el !== a && el !== b && !el.paused) el.pause();
      });
    }
    function playing(now) {
      play.textContent = now ? "Pause" : "Play";
      play.setAttribute("aria-label", now ? "Pause both" : "Play both");
    }
    apply();
    play.addEventListener("click", function () {
      setVolumes();
      if (a.paused && b.paused) {
        stopOthers();
        sync();
        Promise.all([a.play(), b.play()]).catch(function () { playing(false); });
        playing(true);
      } else {
        a.pause();
        b.pause();
        playing(false);
      }
    });
    toggle.addEventListener("click", function () {
      setVolumes();
      onB = !onB;
      sync();
      apply();
    });
    [a, b].forEach(function (el) {
      el.addEventListener("timeupdate", function () {
        if (el !== lead()) return;
        if (time) time.textContent = clock(el.currentTime) + " / " + clock(el.duration);
        draw();
      });
      el.addEventListener("ended", function () { a.pause(); b.pause(); playing(false); });
      el.addEventListener("loadedmetadata", draw);
    });
    if (canvas) {
      canvas.addEventListener("click", function (e) {
        var el = lead();
        if (!el.duration) return;
        var rect = canvas.getBoundingClientRect();
        var t = el.duration * (e.clientX - rect.left) / rect.width;
        a.currentTime = t;
        b.currentTime = t;
        draw();
      });
    }
    window.addEventListener("resize", draw);
    // Some browsers lay out nothing in a closed <details> (a folded master): the canvas is
    // drawn at a guessed width there, so draw it again once it is shown.
    var fold = box.closest("details");
    if (fold) fold.addEventListener("toggle", function () { if (fold.open) draw(); });
    // The main player and an A/B never talk over each other.
    var main = document.getElementById("player-audio");
    if (main) main.addEventListener("play", function () { a.pause(); b.pause(); playing(false); });
  }

  /* --- Small things: range read-outs, confirmations, polls of jobs that are gone. -------- */
  function setUpForms(root) {
    root.querySelectorAll("input[type=range]").forEach(function (range) {
      if (range.dataset.ready) return;
      range.dataset.ready = "1";
      var out = range.parentNode.querySelector("output");
      if (!out) return;
      range.addEventListener("input", function () { out.textContent = range.value + " %"; });
    });
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.dataset.confirm)) e.preventDefault();
      });
    });
  }

  /* A link to a folded part of the audio page (#master-12 after asking for that master again,
     #dest-spotify) opens it. */
  var FOLDS = "details.master-fold, details.fold, details.dest";
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var fold = target.closest(FOLDS) || target.querySelector(":scope > details.master-fold");
    if (fold) fold.open = true;
  }

  function setUp(root) {
    root = root && root.querySelectorAll ? root : document;
    setUpPlayer(document);
    setUpPlot();
    setUpForms(root);
    document.querySelectorAll(".ab").forEach(setUpAB);
  }

  function start() {
    openTarget();
    window.addEventListener("hashchange", openTarget);
    setUp(document);
    if (window.htmx) {
      window.htmx.onLoad(setUp);
      document.body.addEventListener("htmx:responseError", function (e) {
        // The job (or its file) was deleted meanwhile: stop asking.
        var elt = e.detail && e.detail.elt;
        if (elt && e.detail.xhr && e.detail.xhr.status === 404 && elt.hasAttribute("hx-trigger")) {
          var row = elt.tagName === "TR";
          var note = document.createElement(row ? "tr" : "p");
          note.innerHTML = row ? "<td colspan='5' class='help'></td>" : "";
          (row ? note.firstChild : note).textContent = "This job is gone; reload the page.";
          note.className = "help";
          elt.replaceWith(note);
        }
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
