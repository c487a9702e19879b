/* The quarterly grid, enhanced: paste a block copied from Excel (measures as
   rows, months as columns) at the focused cell, by position or, when its
   first column names the measures, by name; Enter moves down, Tab moves
   right (Shift reverses); a live "filled" count; the focus on the error
   summary, and its links (and the warnings') focus their cell. The page
   works without it: the server checks every cell again whatever this
   script does. */
(function () {
  "use strict";

  var THOUSANDS = /^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/;
  var PERCENT = /^([-+]?[\d,]*\.?\d+)\s*%$/;
  var PLAIN = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;
  var PARTS = /^\s*([\d,]*\.?\d+)\s*(?:\/|of)\s*([\d,]*\.?\d+)\s*$/i;
  // Spaces and punctuation around a measure's name or code, as a pasted label may carry ("* All crime:").
  var AROUND = /^[\s!-\/:-@\[-`{-~\u00a0\u2013\u2014\u2018-\u201f\u2022]+|[\s!-\/:-@\[-`{-~\u00a0\u2013\u2014\u2018-\u201f\u2022]+$/g;

  // A measure's name or code as a pasted label is matched with it: case and surrounding punctuation ignored.
  function label(text) {
    return (text || "").replace(AROUND, "").replace(/\s+/g, " ").toLowerCase();
  }

  // A pasted cell that is a figure (or empty), not a label or a heading.
  function figureLike(text) {
    var t = (text || "").trim();
    return t === "" || PARTS.test(t) || PLAIN.test(normalise(t, "percent"));
  }

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
      var measures = 0, figures = 0, total = 0, counted = 0;
      rows.forEach(function (tr) {
        if (tr.getAttribute("data-expected") === "0") return;   // expects no figure: shown, not counted
        counted++;
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
      strong.textContent = measures + " of " + counted;
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

    form.addEventListener("input", function (event) {
      var td = event.target.closest && event.target.closest("td.cell-needs-parts");
      if (td && Array.prototype.every.call(td.querySelectorAll("input.fig"), function (i) {
        return i.value.trim() !== "";
      })) unmark(td);
      count();
    });
    form.addEventListener("change", count);

    form.addEventListener("paste", function (event) {
      var target = event.target;
      var at = where.get(target);
      if (!at && target.closest && target.closest("th.grid-measure") && rows.indexOf(target.closest("tr")) >= 0) {
        at = {row: rows.indexOf(target.closest("tr")), col: 0, name: true};     // a name cell: the first month
      }
      if (!at || !event.clipboardData) return;
      var text = event.clipboardData.getData("text/plain");
      var block = parseBlock(text);
      var labels = labelColumns(block);
      if (labels) {
        event.preventDefault();
        fillByName(block, labels, at.col);
        count();
        return;
      }
      if (at.name) return;
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

    // Names and codes of the measures shown (their rows) and of those the grid left out (expecting no figure).
    var byLabel = new Map();
    rows.forEach(function (tr) {
      [tr.getAttribute("data-name"), tr.getAttribute("data-code")].forEach(function (text) {
        if (text && !byLabel.has(label(text))) byLabel.set(label(text), tr);
      });
    });
    var leftOut = new Map();
    var hiddenData = document.getElementById("grid-hidden-measures");
    if (hiddenData) {
      JSON.parse(hiddenData.textContent).forEach(function (pair) {
        leftOut.set(label(pair[0]), pair[0]);
        leftOut.set(label(pair[1]), pair[0]);
      });
    }

    // How many leading columns of a block are labels: columns holding no figure, some cell of which names
    // (or codes) a measure. 0: the block is figures only, pasted by position.
    function labelColumns(block) {
      var n = 0;
      for (var j = 0; j < 2; j++) {
        var named = false, figures = false;
        block.forEach(function (cells) {
          var t = cells[j] || "";
          if (t.trim() === "") return;
          if (figureLike(t)) figures = true;
          else if (byLabel.has(label(t)) || leftOut.has(label(t))) named = true;
        });
        if (!named || figures) break;
        n = j + 1;
      }
      // a label with no figure beside it (a name pasted alone) is pasted as it is
      return block.some(function (cells) { return cells.length > n; }) ? n : 0;
    }

    function monthName(col) {
      return table.tHead.rows[0].cells[col + 1].textContent;
    }

    function listed(items) {
      return items.slice(0, 6).join("; ") + (items.length > 6 ? "; …" : "");
    }

    // A ratio cell given one figure: marked, with the figure and what it needs in a note beside it.
    function markNeedsParts(td, raw) {
      var inputs = td.querySelectorAll("input.fig");
      var id = "needs-" + inputs[0].id.replace(/^numerator-/, "");
      var note = document.getElementById(id);
      if (!note) {
        note = document.createElement("p");
        note.className = "needs-parts";
        note.id = id;
        var den = td.querySelector('input[data-part="denominator"]');
        den.parentNode.insertBefore(note, den.nextSibling);
        Array.prototype.forEach.call(inputs, function (input) {
          var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
          ids.push(id);
          input.setAttribute("aria-describedby", ids.join(" "));
        });
      }
      note.textContent = "Pasted “" + raw.trim() + "”: needs numerator and denominator (type them, or paste 275/498).";
      td.classList.add("cell-needs-parts");
    }

    function unmark(td) {
      if (!td.classList.contains("cell-needs-parts")) return;
      td.classList.remove("cell-needs-parts");
      var note = td.querySelector("p.needs-parts");
      if (!note) return;
      Array.prototype.forEach.call(td.querySelectorAll("input.fig"), function (input) {
        var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (i) {
          return i && i !== note.id;
        });
        if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
        else input.removeAttribute("aria-describedby");
      });
      note.parentNode.removeChild(note);
    }

    function setPart(td, part, text) {
      var input = td.querySelector('input[data-part="' + part + '"]');
      input.value = normalise(text, "count");
      input.classList.add("pasted");
    }

    // One pasted cell into the grid's cell of ``tr`` at ``col``; what happened is tallied in ``said``.
    function put(said, tr, col, raw, den) {
      var td = cellOf(tr, col);
      var name = tr.getAttribute("data-name");
      if (raw.trim() === "" && (den === undefined || den.trim() === "")) { said.empty++; return; }
      if (!open(tr, col)) { said.closed.push(name + ", " + monthName(col)); return; }
      if (tr.getAttribute("data-ratio") === "1") {
        var parts = den === undefined ? PARTS.exec(raw) : null;
        if (den !== undefined && raw.trim() !== "" && den.trim() !== "") {
          setPart(td, "numerator", raw);
          setPart(td, "denominator", den);
          unmark(td);
          said.ratioColumns++;
          said.put++;
        } else if (parts) {
          setPart(td, "numerator", parts[1]);
          setPart(td, "denominator", parts[2]);
          unmark(td);
          said.ratioSplit++;
          said.put++;
        } else {
          var one = den === undefined ? raw : (raw.trim() || den);
          markNeedsParts(td, one);
          said.ratioMarked.push(name + ", " + monthName(col) + " (" + one.trim() + ")");
        }
        return;
      }
      var input = td.querySelector('input[data-part="value"]');
      var value = normalise(raw, tr.getAttribute("data-unit"));
      input.value = value;
      input.classList.add("pasted");
      said.put++;
      if (!PLAIN.test(value)) said.text.push(name + ", " + monthName(col) + " (" + value + ")");
    }

    function tally() {
      Array.prototype.forEach.call(form.querySelectorAll("input.pasted"), function (i) {
        i.classList.remove("pasted");
      });
      return {put: 0, empty: 0, text: [], ratioMarked: [], ratioSplit: 0, ratioColumns: 0, closed: [], beyond: 0};
    }

    // What every paste says after its first sentence.
    function sayCells(said, out) {
      if (said.empty) out.push(plural(said.empty, "empty cell") + " left the grid's cell as it was.");
      if (said.closed.length) {
        out.push(plural(said.closed.length, "pasted cell") + " fell in a month where the measure has no figure (a " +
          "quarterly measure has one at the quarter's end, an annual one in March) and " +
          (said.closed.length === 1 ? "was" : "were") + " left out: " + listed(said.closed) + ".");
      }
      if (said.ratioSplit) {
        out.push(plural(said.ratioSplit, "ratio cell") + " written as numerator/denominator filled both parts.");
      }
      if (said.ratioColumns) {
        out.push(plural(said.ratioColumns, "ratio cell") + " took two pasted columns, numerator then denominator.");
      }
      if (said.ratioMarked.length) {
        out.push(plural(said.ratioMarked.length, "pasted cell") + " holding one figure fell on a ratio measure, " +
          "which needs its numerator and denominator: " + (said.ratioMarked.length === 1 ? "the cell is" :
          "the cells are") + " marked, with what was pasted beside " + (said.ratioMarked.length === 1 ? "it" :
          "each") + " (type the parts, or paste them as 275/498): " + listed(said.ratioMarked) + ".");
      }
      if (said.text.length) {
        out.push(plural(said.text.length, "cell") + " " + (said.text.length === 1 ? "holds" : "hold") +
          " text, not a number; saving will say so beside " + (said.text.length === 1 ? "it" : "each") + ": " +
          listed(said.text) + ".");
      }
      status.textContent = out.join(" ");
    }

    // A block whose first column (or two) names the measures: each row on its measure's row, whatever the
    // order, its figures from month ``col0``. A ratio measure's row running past the months left, with no
    // cell written as 275/498, is read as two columns a month: numerator, denominator.
    function fillByName(block, labels, col0) {
      var said = tally();
      var width = Math.max.apply(null, block.map(function (r) { return r.length; }));
      var matched = 0, notFound = [], hidden = [], heading = false, seen = new Set(), twice = [];
      var room = months - col0;
      block.forEach(function (cells, i) {
        var names = cells.slice(0, labels);
        var figures = cells.slice(labels);
        var tr = null;
        names.forEach(function (text) { if (!tr && byLabel.has(label(text))) tr = byLabel.get(label(text)); });
        if (!tr) {
          var left = names.map(function (text) { return leftOut.get(label(text)); }).filter(Boolean)[0];
          var shown = names.join(" ").trim();
          if (left) hidden.push(left);
          else if (i === 0 && !figures.some(function (t) { return t.trim() !== "" && figureLike(t); })) heading = true;
          else if (shown || figures.some(function (t) { return t.trim() !== ""; })) notFound.push("“" + shown + "”");
          return;
        }
        matched++;
        if (seen.has(tr)) twice.push(tr.getAttribute("data-name"));
        seen.add(tr);
        var used = figures.length;
        while (used && figures[used - 1].trim() === "") used--;
        var pairs = tr.getAttribute("data-ratio") === "1" && used > room && used <= 2 * room &&
          !figures.some(function (t) { return PARTS.test(t); });
        var step = pairs ? 2 : 1;
        for (var k = 0; k * step < used; k++) {
          var col = col0 + k;
          if (col >= months) { said.beyond += used - k * step; break; }
          if (pairs) put(said, tr, col, figures[2 * k] || "", figures[2 * k + 1] || "");
          else put(said, tr, col, figures[k]);
        }
      });
      var out = ["Pasted " + plural(said.put, "cell") + " by measure name from a block of " +
        plural(block.length, "row") + " × " + plural(width, "column") + ": " + plural(matched, "row") +
        " matched by name, figures from " + monthName(col0) + "."];
      if (heading) out.push("Its first row was read as headings.");
      if (notFound.length) {
        out.push(plural(notFound.length, "row") + " named no measure of this grid and " +
          (notFound.length === 1 ? "was" : "were") + " left out: " + listed(notFound) + ".");
      }
      if (hidden.length) {
        out.push(plural(hidden.length, "row") + " named measures expecting no monthly figure, not shown (Show all " +
          "measures to fill them), and " + (hidden.length === 1 ? "was" : "were") + " left out: " + listed(hidden) + ".");
      }
      if (twice.length) out.push("Named twice, the last row kept: " + listed(twice) + ".");
      if (said.beyond) {
        out.push(plural(said.beyond, "pasted cell") + " ran past " + monthName(months - 1) + " and " +
          (said.beyond === 1 ? "was" : "were") + " left out.");
      }
      sayCells(said, out);
    }

    function fill(block, row0, col0) {
      var said = tally();
      var width = Math.max.apply(null, block.map(function (r) { return r.length; }));
      var droppedRows = Math.max(0, row0 + block.length - rows.length);
      var droppedCols = Math.max(0, col0 + width - months);
      block.forEach(function (cells, i) {
        var tr = rows[row0 + i];
        if (!tr) return;
        cells.forEach(function (raw, j) {
          if (col0 + j < months) put(said, tr, col0 + j, raw);
        });
      });
      var first = rows[row0].getAttribute("data-name") + ", " + monthName(col0);
      var out = ["Pasted " + plural(said.put, "cell") + " from a block of " + plural(block.length, "row") + " × " +
        plural(width, "column") + ", starting at " + first + "."];
      if (droppedRows || droppedCols) {
        var cut = [];
        if (droppedRows) {
          cut.push("its last " + plural(droppedRows, "row") + " (from “" +
            block[block.length - droppedRows].join(" ").trim().slice(0, 40) + "”)");
        }
        if (droppedCols) cut.push("its last " + plural(droppedCols, "column"));
        out.push("The block is larger than the grid from here: " + cut.join(" and ") +
          " did not fit and " + (droppedRows + droppedCols === 1 ? "was" : "were") + " left out.");
      }
      sayCells(said, out);
    }

    count();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("grid-form");
    if (form) init(form);
    // The error summary takes the focus (autofocus does where the browser honours it on a <div>)...
    var summary = document.getElementById("grid-summary");
    if (summary && document.activeElement !== summary) summary.focus();
    // ...and its links, as the warnings', take it to their cell: a link to an input scrolls to it
    // but leaves the focus where it was.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest(".grid-summary a[href^='#'], .grid-warnings a[href^='#']");
      if (!link) return;
      var cell = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!cell) return;
      event.preventDefault();
      var details = cell.closest("details");
      if (details) details.open = true;
      cell.focus();
      if (cell.select) cell.select();
      if (history.replaceState) history.replaceState(null, "", "#" + cell.id);
    });
  });
})();
