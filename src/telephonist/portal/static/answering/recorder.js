// Record a greeting with the computer's microphone (GS-1, GS-3, VM-1): MediaRecorder
// records WebM/Ogg, the recording becomes the file of the greeting's upload form, and
// the user listens to it before pressing Attach. The server converts it with ffmpeg.
"use strict";
(function () {
  function preferredType() {
    var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/ogg"];
    for (var i = 0; i < types.length; i++) {
      if (window.MediaRecorder && MediaRecorder.isTypeSupported(types[i])) return types[i];
    }
    return "";
  }

  function attach(button) {
    var formId = button.getAttribute("data-record-for");
    var box = button.closest(".upload");
    var input = document.querySelector('input[type=file][form="' + formId + '"]');
    var preview = box.querySelector(".recording-preview");
    var status = box.querySelector(".record-status");
    var recorder = null;
    var chunks = [];
    if (!window.MediaRecorder || !navigator.mediaDevices) {
      button.disabled = true;
      return;
    }
    button.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") {
        recorder.stop();
        return;
      }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var type = preferredType();
        recorder = type ? new MediaRecorder(stream, { mimeType: type }) : new MediaRecorder(stream);
        chunks = [];
        recorder.ondataavailable = function (event) { if (event.data.size) chunks.push(event.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          var mime = (recorder.mimeType || "audio/webm").split(";")[0];
          var blob = new Blob(chunks, { type: mime });
          var file = new File([blob], "recording." + (mime.indexOf("ogg") >= 0 ? "ogg" : "webm"), { type: mime });
          var transfer = new DataTransfer();
          transfer.items.add(file);
          input.files = transfer.files;
          preview.src = URL.createObjectURL(blob);
          preview.hidden = false;
          button.classList.remove("recording");
          button.textContent = button.getAttribute("data-record-label");
          status.textContent = "✓";
        };
        recorder.start();
        button.classList.add("recording");
        button.textContent = button.getAttribute("data-stop-label");
        status.textContent = "●";
      }).catch(function (error) {
        status.textContent = String(error && error.name ? error.name : error);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-record-for]").forEach(attach);
  });
})();
