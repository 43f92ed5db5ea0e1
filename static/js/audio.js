/* Liner audio pages: uploads with progress, the waveform, the loudness plot, A/B at matched
   loudness. Plain JavaScript, no build step; every part is optional and checks its element. */
(function () {
  "use strict";

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* Uploads: each file its own request and progress bar, so one bad file spoils nothing. */
  function setUpUploads() {
    var zone = document.getElementById("dropzone");
    if (!zone) return;
    var input = document.getElementById("files");
    var list = document.getElementById("uploads");
    var button = document.getElementById("upload-button");
    var pending = 0, anyOk = false;

    function row(name) {
      var li = document.createElement("li");
      li.className = "upload";
      var label = document.createElement("span");
      label.textContent = name;
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      var note = document.createElement("span");
      note.className = "upload-note";
      li.append(label, bar, note);
      list.append(li);
      return { li: li, bar: bar, note: note };
    }

    function send(file) {
      var ui = row(file.name);
      var data = new FormData();
      data.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", zone.action);
      xhr.setRequestHeader("X-CSRFToken", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) ui.bar.value = Math.round(100 * e.loaded / e.total);
      });
      xhr.addEventListener("load", function () {
        var result;
        try { result = JSON.parse(xhr.responseText).results[0]; } catch (err) { result = null; }
        if (result && result.ok) {
          ui.bar.value = 100;
          ui.li.classList.add("ok");
          ui.note.innerHTML = "";
          var link = document.createElement("a");
          link.href = result.url;
          link.textContent = result.created ? "uploaded, analysing…" : "already here";
          ui.note.append(link);
          anyOk = true;
        } else {
          ui.li.classList.add("failed");
          ui.note.textContent = (result && result.error) || ("Upload failed (" + xhr.status + ").");
        }
        finish();
      });
      xhr.addEventListener("error", function () {
        ui.li.classList.add("failed");
        ui.note.textContent = "The connection dropped; try again.";
        finish();
      });
      pending += 1;
      xhr.send(data);
    }

    function finish() {
      pending -= 1;
      if (pending === 0 && anyOk) setTimeout(function () { window.location.reload(); }, 1200);
    }

    function sendAll(files) {
      Array.prototype.forEach.call(files, send);
      input.value = "";
    }

    button.hidden = true;
    input.addEventListener("change", function () { sendAll(input.files); });
    zone.addEventListener("submit", function (e) { e.preventDefault(); sendAll(input.files); });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files.length) sendAll(e.dataTransfer.files);
    });
  }

  /* The waveform: min/max per column at the zoom level that fits the canvas. */
  function drawWaveform(canvas, peaks, played) {
    var width = canvas.clientWidth || 800;
    var ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(96 * ratio);
    var levels = Object.keys(peaks.levels).map(Number).sort(function (a, b) { return a - b; });
    var pick = levels.find(function (n) { return n >= canvas.width; }) || levels[levels.length - 1];
    var level = peaks.levels[String(pick)];
    var ctx = canvas.getContext("2d");
    var h = canvas.height, mid = h / 2, n = level.min.length;
    ctx.clearRect(0, 0, canvas.width, h);
    for (var x = 0; x < canvas.width; x++) {
      var i = Math.min(n - 1, Math.floor(x * n / canvas.width));
      var top = mid - level.max[i] * mid, bottom = mid - level.min[i] * mid;
      ctx.fillStyle = x / canvas.width < played ? "#5b3cc4" : "#b9b3c4";
      ctx.fillRect(x, top, 1, Math.max(1, bottom - top));
    }
  }

  function setUpWaveform() {
    var canvas = document.getElementById("waveform");
    var data = document.getElementById("peaks-data");
    if (!canvas || !data) return;
    var peaks = JSON.parse(data.textContent);
    if (!peaks || !peaks.levels) { canvas.hidden = true; return; }
    var player = document.getElementById("player");
    function redraw() {
      var played = player && player.duration ? player.currentTime / player.duration : 0;
      drawWaveform(canvas, peaks, played);
    }
    redraw();
    window.addEventListener("resize", redraw);
    if (player) player.addEventListener("timeupdate", redraw);
    canvas.addEventListener("click", function (e) {
      if (!player || !player.duration) return;
      var rect = canvas.getBoundingClientRect();
      player.currentTime = player.duration * (e.clientX - rect.left) / rect.width;
    });
  }

  function setUpPlot() {
    var node = document.getElementById("loudness-plot");
    var data = document.getElementById("loudness-figure");
    if (!node || !data || !window.Plotly) return;
    var figure = JSON.parse(JSON.parse(data.textContent));
    window.Plotly.newPlot(node, figure.data, figure.layout, { displayModeBar: false, responsive: true });
  }

  /* A/B: two players kept in step; the louder one turned down so both play equally loud. */
  function setUpAB() {
    document.querySelectorAll(".ab").forEach(function (box) {
      var a = box.querySelector(".ab-a"), b = box.querySelector(".ab-b");
      var play = box.querySelector(".ab-play"), toggle = box.querySelector(".ab-toggle");
      var gain = parseFloat(box.dataset.gainDb || "0") || 0;
      var down = Math.pow(10, -Math.abs(gain) / 20);
      a.volume = gain < 0 ? down : 1;
      b.volume = gain > 0 ? down : 1;
      var onB = false;
      function apply() {
        a.muted = onB; b.muted = !onB;
        toggle.setAttribute("aria-pressed", String(onB));
        toggle.textContent = "Listening to: " + (onB ? "master" : "original");
      }
      apply();
      play.addEventListener("click", function () {
        if (a.paused) {
          b.currentTime = a.currentTime;
          Promise.all([a.play(), b.play()]).catch(function () {});
          play.textContent = "Pause";
        } else {
          a.pause(); b.pause();
          play.textContent = "Play";
        }
      });
      toggle.addEventListener("click", function () {
        b.currentTime = a.currentTime;
        onB = !onB;
        apply();
      });
    });
  }

  function start() {
    setUpUploads();
    setUpWaveform();
    setUpAB();
    if (window.Plotly) setUpPlot();
    else window.addEventListener("load", setUpPlot);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
