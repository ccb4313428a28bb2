// Progressive enhancement only: every form works without this script.
// A second tap on a slow phone connection must not send the same form twice (a duplicate
// finding or measure), so a form's submit buttons are disabled once it is on its way.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.sent === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  // Disable after the submit has picked up the clicked button's name/value.
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      b.disabled = true;
    });
  }, 0);
  // If the page stays (a download, or the user came back), allow sending again.
  window.setTimeout(function () {
    form.dataset.sent = "";
    form.querySelectorAll("button").forEach(function (b) {
      b.disabled = false;
    });
  }, 8000);
});
