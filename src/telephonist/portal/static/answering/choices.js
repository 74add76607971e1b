// Show only the details of the option chosen (the wizard's action, weekly schedule or
// date ranges, the after-hours action). Without JavaScript every detail stays visible;
// hidden inputs are still sent, and the server only reads those the choice needs.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-shown-by]").forEach(function (detail) {
    var parts = detail.getAttribute("data-shown-by").split("=");
    var radios = document.querySelectorAll('input[name="' + parts[0] + '"]');
    function update() {
      var chosen = document.querySelector('input[name="' + parts[0] + '"]:checked');
      detail.hidden = !chosen || parts[1].split("|").indexOf(chosen.value) < 0;
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  });
});
