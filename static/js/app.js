// Progressive enhancement only: every form works without this script.
// A second tap on a slow phone connection must not send the same form twice (a duplicate
// finding or measure), so a form's submit buttons are disabled once it is on its way.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.sent === "1") {
    event.preventDefault();
    return;
  }
  // Signing, resetting a password: asked once more (data-confirm on the form or its button).
  var ask = (event.submitter && event.submitter.dataset.confirm) || form.dataset.confirm;
  if (ask && !window.confirm(ask)) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  var clicked = event.submitter;
  // Disable after the submit has picked up the clicked button's name/value, and say it is on
  // its way.
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      b.disabled = true;
    });
    if (clicked && clicked.tagName === "BUTTON") {
      clicked.dataset.label = clicked.textContent;
      clicked.textContent = "正在提交…";
      clicked.classList.add("pending");
    }
  }, 0);
  // If the page stays (a download, or the user came back), allow sending again.
  window.setTimeout(function () {
    form.dataset.sent = "";
    form.querySelectorAll("button").forEach(function (b) {
      b.disabled = false;
      if (b.dataset.label) {
        b.textContent = b.dataset.label;
        b.classList.remove("pending");
      }
    });
  }, 8000);
});

// A link that replaces what was typed asks first.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-confirm]");
  if (link && !window.confirm(link.dataset.confirm)) {
    event.preventDefault();
  }
});

// 对账查摆: choosing 存在问题 or 未发现问题 saves at once (不适用 still needs its reason), so an
// answer tapped on a phone is never left unsaved.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (input.name !== "verdict" || input.value === "not_applicable") {
    return;
  }
  var form = input.form;
  if (form && form.classList.contains("verdict-form") && form.requestSubmit) {
    form.requestSubmit(form.querySelector("button.save-verdict"));
  }
});

// The message after an action stays in view wherever the page lands, then steps aside.
window.setTimeout(function () {
  document.querySelectorAll("p.notice.saved").forEach(function (n) {
    n.classList.add("faded");
  });
}, 6000);

// Exports of a whole committee take a few seconds: the link says it is being prepared.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[download]");
  if (!link || link.getAttribute("aria-busy") === "true") {
    return;
  }
  var label = link.textContent;
  link.setAttribute("aria-busy", "true");
  link.textContent = "正在生成…";
  window.setTimeout(function () {
    link.removeAttribute("aria-busy");
    link.textContent = label;
  }, 4000);
});

// Coming back with the browser's back button shows the page as it was left: reset any
// pending state kept in the page cache.
window.addEventListener("pageshow", function (event) {
  if (!event.persisted) {
    return;
  }
  document.querySelectorAll("form").forEach(function (f) {
    f.dataset.sent = "";
  });
  document.querySelectorAll("button").forEach(function (b) {
    b.disabled = false;
    if (b.dataset.label) {
      b.textContent = b.dataset.label;
      b.classList.remove("pending");
    }
  });
});
