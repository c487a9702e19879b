/* The quarterly grid, enhanced: paste a block copied from Excel (measures as
   rows, months as columns) at the focused cell; Enter moves down, Tab moves
   right (Shift reverses); a live "filled" count. The page works without it:
   the server checks every cell again whatever this script does. */
(function () {
  "use strict";

  var THOUSANDS = /^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/;
  var PERCENT = /^([-+]?[\d,]*\.?\d+)\s*%$/;
  var PLAIN = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;
  var PARTS = /^\s*([\d,]*\.?\d+)\s*(?:\/|of)\s*([\d,]*\.?\d+)\s*$/i;

  // As the server reads a grid cell (indicators/returns/grid.py normalise_number).
  function normalise(text, unit) {
    text = (text || "").replace(/\u00a0/g, " ").trim();
    var percent = PERCENT.exec(text);
    if (percent && unit === "percent") text = percent[1];
    if (THOUSANDS.test(text)) text = text.replace(/,/g, "");
    return text;
  }

  // A tab-separated block: rows of cells; Excel ends it with a line break.
  function parseBlock(text) {
    var lines = text.replace(/\r\n?/g, "\n").split("\n");
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    return lines.map(function (line) { return line.split("\t"); });
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : (many || one + "s")); }

  function init(form) {
    var table = form.querySelector("table.grid-table");
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows).filter(function (tr) {
      return tr.querySelector("input.fig");
    });
    var months = parseInt(table.getAttribute("data-months"), 10) || 3;
    var status = document.getElementById("paste-status");
    var counter = document.getElementById("grid-counter");
    var tabFigures = document.getElementById("tab-figures");
    ["grid-keys", "grid-tab-choice"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.hidden = false;
    });

    // The grid as lines of figure inputs: one line per measure, two (numerator,
    // denominator) for a ratio measure. Enter moves along a column, Tab along a line.
    var lines = [];
    var where = new Map();          // input -> {row, col, line}
    rows.forEach(function (tr, r) {
      var parts = tr.getAttribute("data-ratio") === "1" ? ["numerator", "denominator"] : ["value"];
      parts.forEach(function (part) {
        var line = [];
        Array.prototype.forEach.call(tr.cells, function (td) {
          if (!td.hasAttribute("data-col")) return;
          var input = td.querySelector('input.fig[data-part="' + part + '"]');
          if (!input) return;       // a month the measure has no figure in (SPEC §6: quarterly, annual)
          where.set(input, {row: r, col: parseInt(td.getAttribute("data-col"), 10), line: lines.length});
          line.push(input);
        });
        lines.push(line);
      });
    });

    function cellOf(tr, col) {
      return Array.prototype.filter.call(tr.cells, function (td) {
        return td.getAttribute("data-col") === String(col);
      })[0];
    }

    function filled(tr, col) {
      var td = cellOf(tr, col);
      var select = td.querySelector("select");
      if (select && select.value === "unavailable") return true;
      var figs = td.querySelectorAll("input.fig");
      return Array.prototype.every.call(figs, function (i) { return i.value.trim() !== ""; });
    }

    function open(tr, col) {
      var td = cellOf(tr, col);
      return !!(td && td.querySelector("input.fig"));
    }

    function count() {
      var measures = 0, figures = 0, total = 0;
      rows.forEach(function (tr) {
        var all = true;
        for (var col = 0; col < months; col++) {
          if (!open(tr, col)) continue;       // no cell this month: nothing to fill
          total++;
          if (filled(tr, col)) figures++; else all = false;
        }
        if (all) measures++;
      });
      counter.innerHTML = "";
      counter.appendChild(document.createTextNode("Filled: "));
      var strong = document.createElement("strong");
      strong.textContent = measures + " of " + rows.length;
      counter.appendChild(strong);
      counter.appendChild(document.createTextNode(" measures (every month) · " + figures + " of " +
        total + " figures"));
    }

    function go(input) {
      if (!input) return false;
      input.focus();
      input.select();
      return true;
    }

    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Enter" && target.tagName === "INPUT" && target.type !== "submit" &&
          target.type !== "checkbox") {
        event.preventDefault();                   // Enter never submits the grid
        var at = where.get(target);
        if (at && !event.altKey && !event.ctrlKey && !event.metaKey) {
          var line = lines[at.line + (event.shiftKey ? -1 : 1)];
          go(line && line[at.col]);
        }
        return;
      }
      if (event.key === "Tab" && where.has(target) && tabFigures && tabFigures.checked &&
          !event.altKey && !event.ctrlKey && !event.metaKey) {
        var pos = where.get(target);
        var line = pos.line, col = pos.col + (event.shiftKey ? -1 : 1);
        if (col >= months) { line++; col = 0; }
        if (col < 0) { line--; col = months - 1; }
        if (lines[line] && go(lines[line][col])) event.preventDefault();
        // past the first or last figure, Tab leaves the grid as usual
      }
    });

    form.addEventListener("input", count);
    form.addEventListener("change", count);

    form.addEventListener("paste", function (event) {
      var target = event.target;
      var at = where.get(target);
      if (!at || !event.clipboardData) return;
      var text = event.clipboardData.getData("text/plain");
      var block = parseBlock(text);
      var tr0 = rows[at.row];
      var ratioParts = tr0.getAttribute("data-ratio") === "1" && PARTS.test(block[0][0] || "");
      if (block.length === 1 && block[0].length === 1 && !ratioParts) {
        // one cell: the browser pastes it; only separators and % are tidied
        var tr1 = rows[at.row];
        var single = normalise(block[0][0], target.getAttribute("data-part") === "value"
          ? tr1.getAttribute("data-unit") : "count");
        event.preventDefault();
        target.value = single;
        count();
        return;
      }
      event.preventDefault();
      fill(block, at.row, at.col);
      count();
    });

    function fill(block, row0, col0) {
      var width = Math.max.apply(null, block.map(function (r) { return r.length; }));
      var put = 0, empty = 0, text = [], ratioSkipped = [], ratioSplit = 0, closed = [];
      var droppedRows = Math.max(0, row0 + block.length - rows.length);
      var droppedCols = Math.max(0, col0 + width - months);
      var changed = form.querySelectorAll("input.pasted");
      Array.prototype.forEach.call(changed, function (i) { i.classList.remove("pasted"); });
      block.forEach(function (cells, i) {
        var tr = rows[row0 + i];
        if (!tr) return;
        cells.forEach(function (raw, j) {
          var col = col0 + j;
          if (col >= months) return;
          var td = cellOf(tr, col);
          var name = tr.getAttribute("data-name");
          var month = table.tHead.rows[0].cells[col + 1].textContent;
          if (raw.trim() === "") { empty++; return; }
          if (!open(tr, col)) { closed.push(name + ", " + month); return; }
          if (tr.getAttribute("data-ratio") === "1") {
            var parts = PARTS.exec(raw);
            if (parts) {
              var num = td.querySelector('input[data-part="numerator"]');
              var den = td.querySelector('input[data-part="denominator"]');
              num.value = normalise(parts[1], "count");
              den.value = normalise(parts[2], "count");
              num.classList.add("pasted");
              den.classList.add("pasted");
              ratioSplit++;
              put++;
            } else {
              ratioSkipped.push(name + ", " + month + " (" + raw.trim() + ")");
            }
            return;
          }
          var input = td.querySelector('input[data-part="value"]');
          var value = normalise(raw, tr.getAttribute("data-unit"));
          input.value = value;
          input.classList.add("pasted");
          put++;
          if (!PLAIN.test(value)) text.push(name + ", " + month + " (" + value + ")");
        });
      });
      var first = rows[row0].getAttribute("data-name") + ", " + table.tHead.rows[0].cells[col0 + 1].textContent;
      var said = ["Pasted " + plural(put, "cell") + " from a block of " + plural(block.length, "row") + " × " +
        plural(width, "column") + ", starting at " + first + "."];
      if (droppedRows || droppedCols) {
        var cut = [];
        if (droppedRows) {
          cut.push("its last " + plural(droppedRows, "row") + " (from “" +
            block[block.length - droppedRows].join(" ").trim().slice(0, 40) + "”)");
        }
        if (droppedCols) cut.push("its last " + plural(droppedCols, "column"));
        said.push("The block is larger than the grid from here: " + cut.join(" and ") +
          " did not fit and " + (droppedRows + droppedCols === 1 ? "was" : "were") + " left out.");
      }
      if (empty) said.push(plural(empty, "empty cell") + " left the grid's cell as it was.");
      if (closed.length) {
        said.push(plural(closed.length, "pasted cell") + " fell in a month where the measure has no figure (a " +
          "quarterly measure has one at the quarter's end, an annual one in March) and " +
          (closed.length === 1 ? "was" : "were") + " left out: " + closed.slice(0, 6).join("; ") +
          (closed.length > 6 ? "; …" : "") + ".");
      }
      if (ratioSplit) said.push(plural(ratioSplit, "ratio cell") + " written as numerator/denominator filled both parts.");
      if (ratioSkipped.length) {
        said.push("A ratio measure takes a numerator and a denominator, so " + plural(ratioSkipped.length, "pasted cell") +
          " holding one figure " + (ratioSkipped.length === 1 ? "was" : "were") + " left out (type the parts, or paste " +
          "them as 275/498): " + ratioSkipped.slice(0, 6).join("; ") + (ratioSkipped.length > 6 ? "; …" : "") + ".");
      }
      if (text.length) {
        said.push(plural(text.length, "cell") + " " + (text.length === 1 ? "holds" : "hold") +
          " text, not a number; saving will say so beside " + (text.length === 1 ? "it" : "each") + ": " +
          text.slice(0, 6).join("; ") + (text.length > 6 ? "; …" : "") + ".");
      }
      status.textContent = said.join(" ");
    }

    count();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("grid-form");
    if (form) init(form);
  });
})();
