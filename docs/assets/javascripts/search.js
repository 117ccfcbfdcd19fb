/* The site search: a box in the header that finds the guide for a typed or pasted error line.
 *
 * The index is Pagefind's (written by the wheelfix plugin after the build, in
 * pagefind/): it holds each guide's title, summary and telling symptom lines,
 * split into chunks by word, so the browser fetches only what a query needs,
 * and only once the box is used.  A query is split into words with the same
 * separator as the indexed lines (mkdocs.yml extra.wheelfix_search, shipped in
 * pagefind/wheelfix-search.json), so the punctuation of a pasted line (colons,
 * backticks, slashes, quotes, parentheses) never reaches Pagefind's query
 * syntax.  A line that pip prints around every failed build names no guide: the
 * box says so instead of ranking one.  Everything shown comes from the index
 * and is inserted as text, never as HTML.
 */
(function () {
  "use strict";

  /** Characters of the box that are searched; a pasted log is cut to its first line anyway. */
  var MAX_QUERY = 2000;
  /** Words of a query sent to Pagefind. */
  var MAX_WORDS = 64;
  /** Results listed; more are counted. */
  var SHOWN = 10;

  function firstLine(text) {
    var lines = String(text).slice(0, MAX_QUERY).split(/\r\n|\r|\n/);
    for (var i = 0; i < lines.length; i++) {
      if (lines[i].trim()) return lines[i].trim();
    }
    return "";
  }

  function words(text, separator) {
    return String(text).split(separator).filter(function (w) { return w; });
  }

  /** What to do with the box's text: {kind: "empty" | "generic" | "words", line, words}. */
  function queryOf(text, settings) {
    var line = firstLine(text);
    var found = words(line, settings.separatorRe).slice(0, MAX_WORDS);
    if (!found.length) return { kind: "empty", line: line, words: [] };
    var generic = line.length <= settings.genericMax && settings.genericRe.some(function (re) { return re.test(line); });
    return { kind: generic ? "generic" : "words", line: line, words: found };
  }

  /** The symptom line (of a result's newline-joined lines) that holds the most query words. */
  function bestLine(symptoms, queryWords, separator) {
    var wanted = {};
    queryWords.forEach(function (w) { wanted[w.toLowerCase()] = true; });
    var best = "", bestScore = 0;
    String(symptoms || "").split("\n").forEach(function (line) {
      var seen = {}, score = 0;
      words(line, separator).forEach(function (w) {
        var k = w.toLowerCase();
        if (wanted[k] && !seen[k]) { seen[k] = true; score++; }
      });
      if (score > bestScore) { best = line; bestScore = score; }
    });
    return best;
  }

  function compileSettings(raw) {
    return {
      separatorRe: new RegExp(raw.separator),
      genericRe: raw.generic.map(function (p) { return new RegExp(p, "i"); }),
      genericMax: raw.generic_max,
    };
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { queryOf: queryOf, bestLine: bestLine, compileSettings: compileSettings, words: words };
    return;
  }

  function siteRoot() {
    var base = ".";
    var config = document.getElementById("__config");
    try {
      base = JSON.parse(config.textContent).base || ".";
    } catch (e) { /* no Material config: assume the page is at the root */ }
    return new URL(base.replace(/\/*$/, "/"), location.href);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setup() {
    var header = document.querySelector(".md-header__inner");
    if (!header || header.querySelector(".wf-search")) return;
    var root = siteRoot();
    var form = el("form", { "class": "wf-search", role: "search" });
    var input = el("input", {
      "class": "wf-search__input", type: "search", name: "q", autocomplete: "off", spellcheck: "false",
      placeholder: "Search or paste an error", "aria-label": "Search the guides, or paste an error line",
    });
    var output = el("div", { "class": "wf-search__output", "aria-live": "polite" });
    var meta = el("p", { "class": "wf-search__meta" });
    var list = el("ol", { "class": "wf-search__results" });
    output.appendChild(meta);
    output.appendChild(list);
    output.hidden = true;
    form.appendChild(input);
    form.appendChild(output);
    header.insertBefore(form, header.querySelector(".md-header__source"));

    var loading = null;
    var sequence = 0;

    function load() {
      if (!loading) {
        var bundle = new URL("pagefind/", root);
        loading = Promise.all([
          import(new URL("pagefind.js", bundle).href),
          fetch(new URL("wheelfix-search.json", bundle).href).then(function (r) {
            if (!r.ok) throw new Error("search settings: HTTP " + r.status);
            return r.json();
          }),
        ]).then(function (parts) {
          var pagefind = parts[0];
          return pagefind.options({ baseUrl: root.pathname }).then(function () {
            return pagefind.init();
          }).then(function () {
            return { pagefind: pagefind, settings: compileSettings(parts[1]) };
          });
        });
        loading.catch(function () { loading = null; });
      }
      return loading;
    }

    function pasteLink(text) {
      var a = el("a", { href: new URL("paste/", root).href }, text);
      return a;
    }

    function say(line, text, withPasteLink) {
      output.setAttribute("data-query", line);
      meta.textContent = text;
      if (withPasteLink) {
        meta.appendChild(document.createTextNode(" "));
        meta.appendChild(pasteLink("Paste the whole build log"));
        meta.appendChild(document.createTextNode(" to find the line that does."));
      }
      list.textContent = "";
      output.hidden = false;
    }

    function show(datas, total, query, settings) {
      output.setAttribute("data-query", query.line);
      meta.textContent = total === 1 ? "1 guide matches" : total + " guides match" + (total > datas.length ? ", the first " + datas.length + " shown" : "");
      list.textContent = "";
      datas.forEach(function (data) {
        var target = new URL(data.url, location.href);
        if (target.origin !== location.origin) return;
        var item = el("li", { "class": "wf-search__result" });
        var link = el("a", { href: target.href });
        link.appendChild(el("span", { "class": "wf-search__title" }, (data.meta && data.meta.title) || data.url));
        var line = bestLine(data.meta && data.meta.symptoms, query.words, settings.separatorRe);
        if (line) link.appendChild(el("code", { "class": "wf-search__line" }, line));
        item.appendChild(link);
        list.appendChild(item);
      });
      output.hidden = false;
    }

    function run() {
      var mine = ++sequence;
      var text = input.value;
      load().then(function (engine) {
        if (mine !== sequence) return null;
        var query = queryOf(text, engine.settings);
        if (query.kind === "empty") {
          output.removeAttribute("data-query");
          output.hidden = true;
          return null;
        }
        if (query.kind === "generic") {
          say(query.line, "pip prints this line for every failed build: it does not tell which guide applies.", true);
          return null;
        }
        return engine.pagefind.search(query.words.join(" ")).then(function (search) {
          if (mine !== sequence || !search) return null;
          var results = search.results || [];
          if (!results.length) {
            say(query.line, "No guide matches this line.", true);
            return null;
          }
          return Promise.all(results.slice(0, SHOWN).map(function (r) { return r.data(); })).then(function (datas) {
            if (mine === sequence) show(datas, results.length, query, engine.settings);
          });
        });
      }).catch(function () {
        if (mine === sequence) say(firstLine(text), "The search could not load its index.", true);
      });
    }

    input.addEventListener("focus", function () { load().catch(function () {}); });
    input.addEventListener("input", run);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") output.hidden = true;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("a");
      if (first) location.href = first.href;
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) output.hidden = true;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
