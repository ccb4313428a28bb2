// Progressive enhancement only: every form works without this script.
// The page says the script runs, so CSS can drop what only the script-less page needs.
document.documentElement.classList.add("js");

// A second tap on a slow phone connection must not send the same form twice (a duplicate
// finding or measure), so a form's submit buttons are disabled once it is on its way.
document.addEventListener("submit", function (event) {
  var form = event.target;
  // 对账查摆 answers save in place (the 不适用 reason's 保存结论 button comes here).
  if (form.classList.contains("verdict-form") && window.fetch) {
    event.preventDefault();
    saveAnswer(form);
    return;
  }
  if (form.dataset.sent === "1") {
    event.preventDefault();
    return;
  }
  // Signing, resetting a password: asked once more (data-confirm on the form or its button).
  var ask = (event.submitter && event.submitter.dataset.confirm) || form.dataset.confirm || pastDeadline(form);
  if (ask && !window.confirm(ask)) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  form.dataset.dirty = "";
  markDraftsSent(form);
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

// A 整改时限 typed into the past (not the one already saved) is asked about once more.
function pastDeadline(form) {
  var input = form.querySelector("input[type=date][name=deadline], input[type=date][name=measure_deadline]");
  if (!input || !input.value || input.readOnly || input.value === input.defaultValue) {
    return "";
  }
  var now = new Date();
  var today = [now.getFullYear(), ("0" + (now.getMonth() + 1)).slice(-2), ("0" + now.getDate()).slice(-2)].join("-");
  return input.value < today ? "整改时限 " + input.value + " 已经过去，确定按这个日期保存吗？" : "";
}

// Long texts: the limit is not enforced by cutting what is pasted (the server says what is too
// long and keeps the text); a counter under the box shows how much is left.
function countText(box) {
  var max = parseInt(box.dataset.max, 10);
  // After the field's label when the field sits in it, so the field's name stays its label's.
  var anchor = box.closest("label") || box;
  var counter = anchor.nextElementSibling;
  if (!counter || !counter.classList.contains("counter")) {
    counter = document.createElement("span");
    counter.className = "counter";
    counter.id = "counter-" + Math.random().toString(36).slice(2);
    anchor.parentNode.insertBefore(counter, anchor.nextSibling);
    box.setAttribute("aria-describedby", counter.id);
  }
  var n = Array.from(box.value).length;
  counter.textContent = n > max ? "已超出 " + (n - max) + " 字（最多 " + max + " 字）" : n + " / " + max + " 字";
  counter.classList.toggle("over", n > max);
}
document.querySelectorAll("textarea[data-max]").forEach(countText);
document.addEventListener("input", function (event) {
  var box = event.target;
  if (box.matches && box.matches("textarea[data-max]")) {
    countText(box);
    keepDraft(box);
  }
  if (box.form && box.form.method === "post" && !box.form.classList.contains("verdict-form")) {
    box.form.dataset.dirty = "1";
  }
  keepAlive();
});

// Drafts: what is typed into a long text is kept in this tab (sessionStorage, never sent
// anywhere) until the form is saved, so a timed-out login or a lost connection loses nothing.
// After logging in again, the form offers it back.
var DRAFTS = "duizhang-drafts";

function draftKey(box) {
  var form = box.form;
  // The action without its anchor or query (an upload form's ?_csrf= changes at each login).
  var action = form ? (form.getAttribute("action") || "").split("#")[0].split("?")[0] : "";
  // Several new-finding forms post to one address: the item or category tells them apart.
  var unit = form && form.querySelector("input[name=item_id], input[name=category_id]");
  return window.location.pathname + "|" + action + "|" + box.name + (unit ? "|" + unit.name + "=" + unit.value : "");
}

function readDrafts() {
  try {
    return JSON.parse(window.sessionStorage.getItem(DRAFTS) || "{}");
  } catch (e) {
    return {};
  }
}

function writeDrafts(drafts) {
  try {
    window.sessionStorage.setItem(DRAFTS, JSON.stringify(drafts));
  } catch (e) {
    // Storage full or off: the form still works, only the safety net is gone.
  }
}

function keepDraft(box) {
  var drafts = readDrafts();
  if (box.value.trim() === "" || box.value === box.defaultValue) {
    delete drafts[draftKey(box)];
  } else {
    drafts[draftKey(box)] = { text: box.value, at: Date.now(), sent: false };
  }
  writeDrafts(drafts);
}

function markDraftsSent(form) {
  var drafts = readDrafts();
  form.querySelectorAll("textarea[data-max]").forEach(function (box) {
    var d = drafts[draftKey(box)];
    if (d) {
      d.sent = true;
    }
  });
  writeDrafts(drafts);
}

function forgetDrafts(form) {
  var drafts = readDrafts();
  form.querySelectorAll("textarea[data-max]").forEach(function (box) {
    delete drafts[draftKey(box)];
  });
  writeDrafts(drafts);
}

(function () {
  var drafts = readDrafts();
  var day = 24 * 3600 * 1000;
  // The page after a save says it was saved: what was sent is saved. Any other page after a
  // submit (the login timed out, an error page, no connection) saved nothing: offer it again.
  var saved = document.querySelector("p.notice.saved") !== null;
  Object.keys(drafts).forEach(function (key) {
    var d = drafts[key];
    if (d.sent && saved) {
      delete drafts[key];
      return;
    }
    d.sent = false;
    if (Date.now() - d.at > day) {
      delete drafts[key];
    }
  });
  document.querySelectorAll("textarea[data-max]").forEach(function (box) {
    var key = draftKey(box);
    var d = drafts[key];
    if (!d) {
      return;
    }
    if (box.value === d.text) {
      // On the page again (a refused save shows what was sent).
      delete drafts[key];
      return;
    }
    offerDraft(box, d, key);
  });
  writeDrafts(drafts);
})();

function offerDraft(box, d, key) {
  var note = document.createElement("p");
  note.className = "notice draft-offer";
  note.setAttribute("role", "status");
  var when = new Date(d.at);
  note.textContent =
    "有一段尚未保存的文字（" + Array.from(d.text).length + " 字，" +
    ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2) + " 填写）。";
  var restore = document.createElement("button");
  restore.type = "button";
  restore.textContent = "恢复";
  var drop = document.createElement("button");
  drop.type = "button";
  drop.textContent = "丢弃";
  note.appendChild(restore);
  note.appendChild(drop);
  var anchor = box.closest("label") || box;
  anchor.parentNode.insertBefore(note, anchor);
  var details = box.closest("details");
  if (details) {
    details.open = true;
  }
  restore.addEventListener("click", function () {
    box.value = d.text;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    note.remove();
    box.focus();
  });
  drop.addEventListener("click", function () {
    var drafts = readDrafts();
    delete drafts[key];
    writeDrafts(drafts);
    note.remove();
  });
}

// While someone types into a form, the login stays alive (a request every few minutes), so a
// long text is not lost to the idle timeout.
var lastAlive = Date.now();
function keepAlive() {
  if (Date.now() - lastAlive < 5 * 60 * 1000 || !window.fetch) {
    return;
  }
  lastAlive = Date.now();
  // The home page answers GET for every login (a page shown after a refused save may be a
  // POST-only address).
  fetch("/", { method: "HEAD", credentials: "same-origin", redirect: "manual" }).catch(function () {});
}

// Leaving a page with changes not yet saved asks first.
window.addEventListener("beforeunload", function (event) {
  var dirty = Array.from(document.querySelectorAll("form")).some(function (f) {
    return f.dataset.dirty === "1";
  });
  if (dirty) {
    event.preventDefault();
    event.returnValue = "";
  }
});

// A form the server sent back refused holds what was typed but not saved: leaving asks too.
document.querySelectorAll("form[method=post]").forEach(function (f) {
  var refused = f.querySelector(".field-error, .alert[role=alert]");
  var typed = Array.from(f.querySelectorAll("textarea, input[type=text]")).some(function (box) {
    return box.value.trim() !== "";
  });
  if (refused && typed && !f.classList.contains("verdict-form")) {
    f.dataset.dirty = "1";
  }
});

// A link that replaces what was typed asks first.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-confirm]");
  if (link && !window.confirm(link.dataset.confirm)) {
    event.preventDefault();
  }
});

// 对账查摆: choosing 存在问题 or 未发现问题 saves at once, in place: no page load, the page
// stays where it is (不适用 still needs its reason and its 保存结论 button).
document.addEventListener("change", function (event) {
  var input = event.target;
  var form = input.form;
  if (input.name !== "verdict" || !form || !form.classList.contains("verdict-form")) {
    return;
  }
  form.classList.toggle("not-applicable", input.value === "not_applicable");
  if (input.value === "not_applicable") {
    var reason = form.querySelector("textarea[name=reason]");
    if (reason) {
      reason.focus();
    }
    return;
  }
  if (window.fetch) {
    saveAnswer(form);
  } else if (form.requestSubmit) {
    form.requestSubmit(form.querySelector("button.save-verdict"));
  }
});

// Where 不适用 is the answer chosen, its reason and 保存结论 show (a class, for browsers without
// :has()).
document.querySelectorAll("form.verdict-form").forEach(function (form) {
  form.classList.toggle("not-applicable", chosen(form) === "not_applicable");
});

// Sends an answer and shows what the server saved. Anything but the server's answer in JSON
// (the session ended, the network failed) sends the form the plain way, whose page says why.
function chosen(form) {
  var c = form.querySelector("input[name=verdict]:checked");
  return c ? c.value : "";
}

function saveAnswer(form) {
  if (form.dataset.saving === "1") {
    // Sent when the one on its way is answered (with the version it returns).
    return;
  }
  form.dataset.saving = "1";
  form.dataset.sentChoice = chosen(form);
  var status = form.querySelector(".answer-status");
  setStatus(status, "正在保存…", false);
  var url = form.getAttribute("action").split("#")[0];
  fetch(url, {
    method: "POST",
    body: new URLSearchParams(new FormData(form)),
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  })
    .then(function (res) {
      var type = res.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0) {
        throw new Error("not an answer");
      }
      return res.json();
    })
    .then(function (data) {
      form.dataset.saving = "";
      var now = chosen(form);
      if (now !== form.dataset.sentChoice) {
        // Tapped again while this one was on its way: the newer choice stands. It is sent now
        // (on top of the version just saved); 不适用 waits for its reason.
        var version = form.querySelector("input[name=version]");
        if (version) {
          version.value = data.version;
        }
        if (now !== "not_applicable") {
          saveAnswer(form);
        } else {
          setStatus(status, "", false);
        }
        return;
      }
      showAnswer(form, data, status);
    })
    .catch(function () {
      form.dataset.saving = "";
      form.submit();
    });
}

function setStatus(status, text, error) {
  if (!status) {
    return;
  }
  status.textContent = text;
  status.classList.toggle("field-error", error);
  status.setAttribute("role", error ? "alert" : "status");
}

// The item shows the answer as saved: after a refusal, the saved one, not the one refused.
function showAnswer(form, data, status) {
  var version = form.querySelector("input[name=version]");
  if (version) {
    version.value = data.version;
  }
  var chosen = form.querySelector("input[name=verdict]:checked");
  var errors = data.errors || {};
  var message = errors.verdict || errors.reason || "";
  if (!errors.reason || !chosen || chosen.value !== "not_applicable") {
    form.querySelectorAll("input[name=verdict]").forEach(function (r) {
      r.checked = r.value === data.saved;
    });
  }
  form.classList.toggle("not-applicable", data.saved === "not_applicable" || (!!errors.reason && !!chosen && chosen.value === "not_applicable"));
  var savedAs = form.querySelector(".saved-as");
  if (savedAs) {
    savedAs.textContent = data.saved ? "已保存：" + data.label : "";
  }
  setStatus(status, message || "刚刚保存", message !== "");
  if (message === "") {
    forgetDrafts(form);
  }
  form.classList.toggle("has-error", message !== "");
  var bar = document.getElementById("answered");
  if (bar) {
    bar.value = data.answered;
    var words = bar.parentNode.querySelector("strong");
    if (words) {
      words.textContent = "已作答 " + data.answered + " / " + bar.max + " 项";
    }
  }
  var item = form.closest("li.item");
  if (item) {
    findingFormFor(item, data.saved === "problem");
  }
}

// Under an item answered 存在问题, the form to add its first finding, open; gone (if empty)
// when the answer changes.
function findingFormFor(item, wanted) {
  var existing = item.querySelector("form.new-finding");
  if (!wanted) {
    if (existing && existing.dataset.added === "1" && !existing.querySelector("textarea").value) {
      existing.remove();
    }
    return;
  }
  var template = document.getElementById("new-finding-for-item");
  if (existing || !template) {
    return;
  }
  var form = template.content.querySelector("form").cloneNode(true);
  var id = item.id.replace("item-", "");
  form.dataset.added = "1";
  form.querySelector("input[name=item_id]").value = id;
  form.setAttribute("action", form.getAttribute("action").split("#")[0] + "#item-" + id);
  var text = form.querySelector("textarea");
  var label = form.querySelector("label[for]");
  text.id = "nf-item_id-" + id;
  if (label) {
    label.setAttribute("for", text.id);
  }
  form.querySelector("details").open = true;
  var history = item.querySelector(":scope > .history");
  item.insertBefore(form, history);
}

// The message after an action goes to the row the page landed on (#item-3 after saving it),
// at the row's top, where it is read and covers nothing.
(function () {
  var notice = document.querySelector("p.notice.saved");
  var target = null;
  try {
    target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
  } catch (e) {
    // A malformed address fragment: the message stays where it is.
  }
  if (!notice || !target || target.contains(notice)) {
    return;
  }
  // A table row cannot hold a paragraph: the message goes above its table.
  var table = target.closest("table");
  if (table) {
    var wrap = table.closest(".table-wrap") || table;
    wrap.parentNode.insertBefore(notice, wrap);
  } else {
    target.insertBefore(notice, target.firstChild);
  }
  target.scrollIntoView();
})();

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
