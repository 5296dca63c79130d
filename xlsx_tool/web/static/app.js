/* xlsx_tool web page: small enhancements; every page also works without JavaScript. */
(function () {
  "use strict";

  function mb(bytes) { return (bytes / 1048576).toFixed(1) + " MB"; }

  // The format that goes with the chosen year.
  document.querySelectorAll("select[data-format-hint]").forEach(function (select) {
    var hint = document.getElementById(select.getAttribute("data-format-hint"));
    function show() {
      var opt = select.options[select.selectedIndex];
      if (hint && opt && opt.getAttribute("data-label")) {
        hint.textContent = opt.value + " 年度使用 " + opt.getAttribute("data-label") + "。";
      }
    }
    select.addEventListener("change", show);
    show();
  });

  // Files over the limit are refused before they are sent.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = parseInt(input.getAttribute("data-max-bytes"), 10);
      var big = Array.prototype.filter.call(input.files, function (f) { return f.size > max; });
      input.setCustomValidity(big.length ?
        "“" + big[0].name + "”有 " + mb(big[0].size) + "，超过每个文件 " + mb(max) + " 的限制" : "");
      input.reportValidity();
    });
  });

  // Busy state while a form is being processed.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (!button) { return; }
      var text = button.textContent;
      window.setTimeout(function () { button.disabled = true; button.textContent = form.getAttribute("data-busy"); }, 0);
      // a download leaves the page in place: give the button back
      window.setTimeout(function () { button.disabled = false; button.textContent = text; }, 8000);
    });
  });

  // Review progress: poll instead of reloading the whole page.
  var progress = document.getElementById("progress");
  if (progress && progress.getAttribute("data-status-url")) {
    var url = progress.getAttribute("data-status-url");
    var bar = document.getElementById("progress-bar");
    var text = document.getElementById("progress-text");
    var meta = document.querySelector("meta[http-equiv=refresh]");
    if (meta) { meta.parentNode.removeChild(meta); }
    var poll = function () {
      fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) { return r.json(); })
        .then(function (s) {
          bar.max = s.total || 1; bar.value = s.done || 0;
          text.textContent = "已处理 " + (s.done || 0) + " / " + (s.total || 0) + " 个文件" + (s.current ? "：" + s.current : "");
          if (s.running) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  }

  // Overview: live search by unit name and sorting by column, in the browser.
  var search = document.querySelector("input[data-filter]");
  if (search) {
    var table = document.getElementById(search.getAttribute("data-filter"));
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      table.querySelectorAll("tbody tr[data-name]").forEach(function (tr) {
        tr.hidden = q !== "" && tr.getAttribute("data-name").toLowerCase().indexOf(q) < 0;
      });
    });
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th[data-sort]").forEach(function (th, col) {
      var link = th.querySelector("a");
      (link || th).addEventListener("click", function (ev) {
        ev.preventDefault();
        var numeric = th.getAttribute("data-type") === "number";
        var desc = th.getAttribute("aria-sort") === "ascending";
        table.querySelectorAll("th[data-sort]").forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", desc ? "descending" : "ascending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-name]"));
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute("data-value"), y = b.cells[col].getAttribute("data-value");
          var c = numeric ? (parseFloat(x) - parseFloat(y)) : x.localeCompare(y, "zh-CN");
          return desc ? -c : c;
        });
        rows.forEach(function (tr) { body.appendChild(tr); });
      });
    });
  });
})();
