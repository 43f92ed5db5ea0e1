/* Liner, audio list: drag-and-drop uploads, each file its own request with its own progress
   bar and its own outcome, so one bad file spoils nothing. Plain JavaScript, no build step.
   Without this script the drop zone is an ordinary multipart form and still works. */
(function () {
  "use strict";

  var PARALLEL = 3; // uploads at once; the rest wait their turn

  function sizeWords(n) {
    var units = [["GB", 1 << 30], ["MB", 1 << 20], ["KB", 1 << 10]];
    for (var i = 0; i < units.length; i++) {
      if (n >= units[i][1]) return (n / units[i][1]).toFixed(1) + " " + units[i][0];
    }
    return n + " bytes";
  }

  function setUp() {
    var zone = document.getElementById("dropzone");
    if (!zone || zone.dataset.ready) return;
    zone.dataset.ready = "1";
    var input = document.getElementById("files");
    var list = document.getElementById("uploads");
    var button = document.getElementById("upload-button");
    var maxBytes = parseInt(zone.dataset.maxBytes || "0", 10) || Infinity;
    var maxWords = zone.dataset.maxWords || sizeWords(maxBytes);
    var waiting = [];
    var active = 0;

    function csrf() {
      var field = zone.querySelector("input[name=csrfmiddlewaretoken]");
      return field ? field.value : "";
    }

    function entry(file) {
      var li = document.createElement("li");
      li.className = "upload waiting";
      var name = document.createElement("span");
      name.className = "upload-name";
      name.textContent = file.name;
      var size = document.createElement("small");
      size.className = "help";
      size.textContent = " " + sizeWords(file.size);
      name.append(size);
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Upload of " + file.name);
      var note = document.createElement("span");
      note.className = "upload-note";
      note.textContent = "Waiting…";
      var cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "link upload-cancel";
      cancel.textContent = "Cancel";
      cancel.setAttribute("aria-label", "Cancel the upload of " + file.name);
      li.append(name, bar, note, cancel);
      list.append(li);
      return { file: file, li: li, bar: bar, note: note, cancel: cancel, xhr: null, done: false };
    }

    function finish(ui, ok, text, link) {
      ui.done = true;
      ui.li.classList.remove("waiting", "sending");
      ui.li.classList.add(ok ? "ok" : "failed");
      ui.cancel.remove();
      ui.note.textContent = text;
      if (!ok) ui.note.setAttribute("role", "alert");
      if (link) {
        var a = document.createElement("a");
        a.href = link.href;
        a.textContent = link.text;
        ui.note.append(" ", a);
      }
      if (ok) ui.bar.value = 100;
      else ui.bar.style.visibility = "hidden";
    }

    function showRow(result) {
      var table = document.getElementById("audio-files");
      var body = document.getElementById("audio-rows");
      if (!table || !body || !result.row) return;
      var existing = document.getElementById("file-" + result.id);
      var holder = document.createElement("tbody");
      holder.innerHTML = result.row.trim();
      var row = holder.firstElementChild;
      if (!row) return;
      if (existing) {
        existing.classList.add("flash");
        setTimeout(function () { existing.classList.remove("flash"); }, 2000);
        return;
      }
      body.prepend(row);
      row.classList.add("flash");
      table.hidden = false;
      var empty = document.getElementById("audio-empty");
      if (empty) empty.remove();
      if (window.htmx) window.htmx.process(row); // starts the row's progress polling
    }

    function outcome(ui, xhr) {
      var result = null;
      try { result = JSON.parse(xhr.responseText).results[0]; } catch (err) { result = null; }
      if (result && result.ok) {
        showRow(result);
        if (result.created) {
          finish(ui, true, "Uploaded; analysing.", { href: result.url, text: "Open the report" });
        } else {
          finish(ui, true, "“" + ui.file.name + "” is already here.", { href: result.url, text: "Open it" });
        }
      } else if (result && result.error) {
        finish(ui, false, result.error);
      } else if (xhr.status === 403) {
        finish(ui, false, "Liner refused the upload: your role here can't upload, or this page is out of date. Reload it and try again.");
      } else if (xhr.status === 413) {
        finish(ui, false, "“" + ui.file.name + "” is over the limit of " + maxWords + ".");
      } else {
        finish(ui, false, "The upload failed (" + (xhr.status || "no answer") + "). Try again.");
      }
    }

    function send(ui) {
      active += 1;
      ui.li.classList.remove("waiting");
      ui.li.classList.add("sending");
      ui.note.textContent = "Uploading…";
      var data = new FormData();
      data.append("files", ui.file, ui.file.name);
      var xhr = new XMLHttpRequest();
      ui.xhr = xhr;
      xhr.open("POST", zone.action);
      xhr.setRequestHeader("X-CSRFToken", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var pct = Math.round(100 * e.loaded / e.total);
        ui.bar.value = Math.min(pct, 99);
        ui.note.textContent = pct < 100 ? "Uploading… " + pct + " %" : "Checking the file…";
      });
      xhr.upload.addEventListener("load", function () { ui.note.textContent = "Checking the file…"; });
      xhr.addEventListener("load", function () { outcome(ui, xhr); });
      xhr.addEventListener("error", function () {
        finish(ui, false, "The connection dropped before “" + ui.file.name + "” was in. Try again.");
      });
      xhr.addEventListener("abort", function () { finish(ui, false, "Cancelled."); });
      xhr.addEventListener("loadend", function () { active -= 1; next(); });
      xhr.send(data);
    }

    function next() {
      while (active < PARALLEL && waiting.length) {
        var ui = waiting.shift();
        if (!ui.done) send(ui);
      }
    }

    function add(files) {
      Array.prototype.forEach.call(files, function (file) {
        var ui = entry(file);
        ui.cancel.addEventListener("click", function () {
          if (ui.xhr) ui.xhr.abort();
          else finish(ui, false, "Cancelled.");
        });
        if (file.size > maxBytes) {
          finish(ui, false, "“" + file.name + "” is " + sizeWords(file.size) + "; the limit is " + maxWords + ". Nothing was sent.");
        } else if (file.size === 0) {
          finish(ui, false, "“" + file.name + "” is empty.");
        } else {
          waiting.push(ui);
        }
      });
      input.value = "";
      next();
    }

    if (button) button.hidden = true;
    input.addEventListener("change", function () { if (input.files.length) add(input.files); });
    zone.addEventListener("submit", function (e) { e.preventDefault(); if (input.files.length) add(input.files); });
    var depth = 0;
    zone.addEventListener("dragenter", function (e) { e.preventDefault(); depth += 1; zone.classList.add("over"); });
    zone.addEventListener("dragover", function (e) { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = "copy"; });
    zone.addEventListener("dragleave", function () { depth = Math.max(0, depth - 1); if (!depth) zone.classList.remove("over"); });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      depth = 0;
      zone.classList.remove("over");
      if (e.dataTransfer && e.dataTransfer.files.length) add(e.dataTransfer.files);
    });
    // A file dropped next to the zone would make the browser leave the page, uploads and all.
    ["dragover", "drop"].forEach(function (type) {
      window.addEventListener(type, function (e) { if (!zone.contains(e.target)) e.preventDefault(); });
    });
    window.addEventListener("beforeunload", function (e) {
      if (active || waiting.length) { e.preventDefault(); e.returnValue = ""; }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
