/* clusterkg explorer maps: draw a map from /map.json (the data graph.maps.render builds for the
   offline maps: positions, tooltips, legend) with vis-network, and expand a node's neighbourhood
   on click (as the Wikidata Query Service graph view does). Double-click opens the entity page.
   Nodes are keyed by IRI so that expansions merge; tooltips and details use textContent only. */
(function () {
  "use strict";
  var el = window.clusterkg.el, entityUrl = window.clusterkg.entityUrl;

  function tipElement(lines) {
    var d = el("div", "tip");
    (lines || []).forEach(function (line, i) { d.appendChild(el("div", i === 0 ? "tip-head" : "tip-line", line)); });
    return d;
  }

  function setup(box) {
    var url = box.getAttribute("data-map-url");
    var mapDiv = box.querySelector(".map");
    var status = box.querySelector(".map-status");
    var details = box.querySelector(".map-details");
    if (mapDiv.getAttribute("data-height")) { mapDiv.style.height = mapDiv.getAttribute("data-height"); }
    var nodes = new vis.DataSet([]), edges = new vis.DataSet([]);
    var info = {};            // iri -> node data from the server
    var expanded = {};        // iri -> true once its neighbourhood was fetched
    var network = null, pending = 0, mode = "focus";

    function styleOf(doc, n) {
      var g = (doc.legend && doc.legend.groups && doc.legend.groups[n.group]) || {};
      return { shape: g.shape || "dot", color: g.color };
    }
    function addDoc(doc, anchor) {
      // anchor: {iri, x, y}: place the new neighbourhood around the clicked node
      var byId = {}, centre = null, added = 0;
      doc.nodes.forEach(function (n) { byId[n.id] = n; if (n.centre) { centre = n; } });
      var dx = 0, dy = 0, scale = 1;
      if (anchor && centre && centre.x !== undefined) { scale = 0.8; dx = anchor.x - centre.x * scale; dy = anchor.y - centre.y * scale; }
      doc.nodes.forEach(function (n) {
        if (nodes.get(n.iri)) { return; }
        var st = styleOf(doc, n);
        var item = { id: n.iri, label: n.label, value: n.value, shape: st.shape, title: tipElement(n.tip) };
        if (st.color) { item.color = st.color; }
        if (n.x !== undefined) { item.x = n.x * scale + dx; item.y = n.y * scale + dy; }
        if (n.level !== undefined) { item.level = n.level; }
        if (n.centre && !anchor) { item.borderWidth = 4; }
        info[n.iri] = n; nodes.add(item); added += 1;
      });
      doc.edges.forEach(function (e) {
        var a = byId[e.from].iri, b = byId[e.to].iri;
        var id = a < b ? a + "\u0000" + b : b + "\u0000" + a;
        if (edges.get(id)) { return; }
        var st = doc.edgeStyles[e.style];
        var item = { id: id, from: a, to: b, title: tipElement(e.tip), dashes: !!st.dashes,
          color: { color: st.color, opacity: st.opacity, highlight: "#111111", hover: "#333333", inherit: false },
          width: e.style === "p" ? 1 : 1.8,
          arrows: { to: { enabled: e.arrows.indexOf("to") >= 0, scaleFactor: 0.45 },
                    from: { enabled: e.arrows.indexOf("from") >= 0, scaleFactor: 0.45 } } };
        if (e.label) { item.label = e.label; }
        edges.add(item);
      });
      return added;
    }
    function say(text) { status.textContent = text; }
    // Place new nodes: the ones already drawn stay where they are, the new ones settle around
    // them with a short physics run, then physics is off again (the map stays still).
    function settle(old) {
      nodes.update(old.map(function (id) { return { id: id, fixed: true }; }));
      network.setOptions({ physics: { enabled: true, solver: "forceAtlas2Based",
        forceAtlas2Based: { gravitationalConstant: -60, springLength: 110, avoidOverlap: 0.6 },
        stabilization: { enabled: true, iterations: 150, updateInterval: 50, fit: false } } });
      network.once("stabilizationIterationsDone", function () {
        network.setOptions({ physics: { enabled: false } });
        nodes.update(nodes.getIds().map(function (id) { return { id: id, fixed: false }; }));
        relabel();
      });
      network.stabilize(150);
    }
    // Show the labels of the most important entities first and hide those that would overlap.
    function relabel() {
      if (!network) { return; }
      var scale = network.getScale(), placed = [];
      var ids = nodes.getIds().sort(function (a, b) {
        var na = info[a], nb = info[b];
        return (expanded[b] ? 1 : 0) - (expanded[a] ? 1 : 0) || (nb.value || 0) - (na.value || 0);
      });
      var pos = network.getPositions(ids), changes = [];
      ids.forEach(function (id) {
        var n = info[id], p = pos[id], w = (n.label.length * 7 + 8) / scale, h = 16 / scale;
        var box = [p.x - w / 2, p.y + 8 / scale, p.x + w / 2, p.y + 8 / scale + h];
        var free = !placed.some(function (b) { return box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]; });
        if (free) { placed.push(box); }
        var want = free ? n.label : "";
        var cur = nodes.get(id).label || "";
        if (cur !== want) { changes.push({ id: id, label: want }); }
      });
      if (changes.length) { nodes.update(changes); }
    }
    function counts() { return nodes.length + " entities, " + edges.length + " linked pairs"; }
    function showDetails(iri) {
      var n = info[iri];
      if (!n) { return; }
      while (details.firstChild) { details.removeChild(details.firstChild); }
      details.appendChild(el("p", "head", n.name));
      n.tip.slice(1).forEach(function (line) { details.appendChild(el("p", null, line)); });
      var a = el("a", null, "Open the page of " + n.name); a.href = entityUrl(iri);
      var p = el("p"); p.appendChild(a); details.appendChild(p);
      details.hidden = false;
    }
    function expand(iri) {
      if (expanded[iri] || pending) { return; }
      var pos = network.getPositions([iri])[iri];
      pending += 1; say("Adding the neighbours of " + (info[iri] ? info[iri].name : iri) + "…");
      fetch("/map.json?depth=1&focus=" + encodeURIComponent(iri), { headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
        .then(function (doc) {
          expanded[iri] = true;
          var old = nodes.getIds();
          var added = addDoc(doc, pos);
          settle(old);
          say(counts() + " — added " + added + " around " + (info[iri] ? info[iri].name : iri) + ".");
          window.__mapExpanded = (window.__mapExpanded || 0) + 1;
        })
        .catch(function () { say(counts() + " — could not expand this entity."); })
        .then(function () { pending -= 1; });
    }
    fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { return r.json().then(function (d) { throw new Error(d.error || ("HTTP " + r.status)); }); } return r.json(); })
      .then(function (doc) {
        mode = doc.mode;
        addDoc(doc, null);
        if (doc.focus) { expanded[doc.focus] = true; }
        var options = doc.options;
        options.interaction = options.interaction || {};
        options.interaction.hover = true;
        network = new vis.Network(mapDiv, { nodes: nodes, edges: edges }, options);
        network.fit({ animation: false });
        network.moveTo({ scale: network.getScale() * 0.85 });  // room for the labels at the edges
        relabel();
        var timer = null;
        network.on("zoom", function () { clearTimeout(timer); timer = setTimeout(relabel, 80); });
        network.on("dragEnd", function () { relabel(); });
        network.on("click", function (p) {
          if (p.nodes.length) { showDetails(p.nodes[0]); if (mode !== "path") { expand(p.nodes[0]); } }
          else { details.hidden = true; }
        });
        network.on("doubleClick", function (p) { if (p.nodes.length) { window.location.href = entityUrl(p.nodes[0]); } });
        network.once("afterDrawing", function () { window.__mapReady = (window.__mapReady || 0) + 1; });
        box.querySelector(".map-fit").addEventListener("click", function () {
          network.fit({ animation: false });
          network.moveTo({ scale: network.getScale() * 0.85 });
          relabel();
        });
        say(counts() + (mode === "path" ? "." : " — click an entity to add its neighbours."));
        box.__network = network;
      })
      .catch(function (err) { say("The map could not be drawn: " + err.message); });
  }
  Array.prototype.forEach.call(document.querySelectorAll(".mapbox"), setup);
})();
