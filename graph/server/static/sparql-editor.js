/* The query editor: YASGUI (vendored, see static/yasgui/VERSION) on this server's /sparql, with the
   query library as examples. Nothing is persisted and nothing is fetched from elsewhere. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("editor-data").textContent);
  var endpoint = window.location.origin + "/sparql";
  document.getElementById("endpoint-url").textContent = endpoint;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { prefixCcApi: null },
    yasr: { prefixes: {} }
  });
  window.__yasgui = yasgui;
  var tab = yasgui.getTab();
  var first = data.query || (data.examples.length ? data.examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10");
  tab.setQuery(first);
  tab.setEndpoint(endpoint);
  var byName = {};
  data.examples.forEach(function (e) { byName[e.name] = e; });
  Array.prototype.forEach.call(document.querySelectorAll("button.example"), function (b) {
    b.addEventListener("click", function () {
      var e = byName[b.getAttribute("data-name")];
      var t = yasgui.getTab();
      t.setQuery(e.query);
      t.query();
    });
  });
})();
