/* clusterkg explorer: typeahead search over labels, acronyms and aliases (GET /search.json).
   Data is inserted with textContent only. */
(function () {
  "use strict";
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function entityUrl(iri) { return "/entity?iri=" + encodeURIComponent(iri); }

  // Attach a suggestion list to an input. onPick(result) runs when a suggestion is chosen.
  function typeahead(input, list, onPick) {
    var timer = null, results = [], active = -1, seq = 0;
    function close() { list.hidden = true; active = -1; input.setAttribute("aria-expanded", "false"); }
    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
    }
    function show(items) {
      results = items; active = -1;
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (!items.length) { close(); return; }
      items.forEach(function (r, i) {
        var li = el("li"); li.setAttribute("role", "option");
        li.appendChild(el("span", null, r.label));
        li.appendChild(el("small", null, r["class"] || r.curie));
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); onPick(r); close(); });
        list.appendChild(li);
      });
      list.hidden = false; input.setAttribute("aria-expanded", "true");
    }
    function lookup() {
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      var mine = ++seq;
      fetch("/search.json?limit=8&q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (d) { if (mine === seq) { show(d.results || []); } })
        .catch(function () { close(); });
    }
    input.setAttribute("role", "combobox"); input.setAttribute("aria-autocomplete", "list");
    input.addEventListener("input", function () {
      if (input.dataset) { delete input.dataset.iri; }  // typed over: no longer the picked entity
      clearTimeout(timer); timer = setTimeout(lookup, 120);
    });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden) { return; }
      if (ev.key === "ArrowDown") { active = Math.min(results.length - 1, active + 1); mark(); ev.preventDefault(); }
      else if (ev.key === "ArrowUp") { active = Math.max(0, active - 1); mark(); ev.preventDefault(); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); onPick(results[active]); close(); }
      else if (ev.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  var main = document.getElementById("typeahead");
  if (main) {
    typeahead(main, document.getElementById("typeahead-list"), function (r) { window.location.href = entityUrl(r.iri); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("input.entity-input"), function (input) {
    var list = el("ul", "typeahead"); list.hidden = true; list.setAttribute("role", "listbox");
    input.parentNode.appendChild(list);
    typeahead(input, list, function (r) { input.value = r.label; input.dataset.iri = r.iri; });
  });
  var pathForm = document.querySelector("form.pathform");
  if (pathForm) {  // send the picked entity's IRI, not its label (labels can be ambiguous)
    pathForm.addEventListener("submit", function () {
      Array.prototype.forEach.call(pathForm.querySelectorAll("input.entity-input"), function (input) {
        if (input.dataset.iri && input.value) { input.value = input.dataset.iri; }
      });
    });
  }
  window.clusterkg = { el: el, entityUrl: entityUrl };
})();
