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
  /** Results whose words are checked (in batches of SHOWN) before the rest are only counted. */
  var CHECKED = 50;
  /** Letters a query word must share with an indexed word it matches by stem (Pagefind stems). */
  var STEM = 4;

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

  /** The packages a framing line names ([] for none), or null for a line that is no framing. */
  function framing(line, settings) {
    if (line.length > settings.framingMax) return null;
    if (settings.genericRe.some(function (re) { return re.test(line); })) return [];
    for (var i = 0; i < settings.packageRe.length; i++) {
      var m = settings.packageRe[i].exec(line);
      if (m) return m[1].split(/[\s,]+/).filter(function (n) { return n; }).slice(0, settings.maxNames);
    }
    return null;
  }

  /**
   * What to do with the box's text: {kind, line, words}.  kind is "empty", "generic"
   * (pip's framing: no guide), "package" (framing naming packages: words are the
   * names) or "words" (search for the line's words).
   */
  function queryOf(text, settings) {
    var line = firstLine(text);
    var found = words(line, settings.separatorRe).slice(0, MAX_WORDS);
    if (!found.length) return { kind: "empty", line: line, words: [] };
    var names = framing(line, settings);
    if (names === null) return { kind: "words", line: line, words: found };
    if (!names.length) return { kind: "generic", line: line, words: [] };
    return { kind: "package", line: line, words: names };
  }

  /**
   * Pagefind's order, regrouped by what a guide is about (each group keeps Pagefind's
   * order): first the guides about a package the query names (their record lists
   * it), then the general guides (about no package), then guides about other
   * packages.  A line that names no package lands on the general guide for its
   * error, which links the specific ones; a line naming a package, on that package's.
   */
  function aboutFirst(datas, queryWords) {
    var named = {};
    queryWords.forEach(function (w) { named[String(w).toLowerCase()] = true; });
    function group(data) {
      var packages = symptomLines(data.meta && data.meta.packages);
      if (packages.some(function (p) { return named[p.toLowerCase()]; })) return 0;
      return packages.length ? 2 : 1;
    }
    return [0, 1, 2].reduce(function (out, g) {
      return out.concat(datas.filter(function (d) { return group(d) === g; }));
    }, []);
  }

  /** Whether indexed word w stands for query word q: equal, the same stem, or q typed so far. */
  function sameWord(w, q, last) {
    if (w === q || (last && w.indexOf(q) === 0)) return true;
    var n = 0;
    while (n < w.length && n < q.length && w.charAt(n) === q.charAt(n)) n++;
    return n >= STEM && n >= Math.min(w.length, q.length) - STEM;
  }

  /**
   * Whether a result's indexed text holds every query word.  Pagefind answers a
   * word it does not hold with the longest prefix it does ("safetensors" finds
   * the "s" of "compiler(s)"); a result held only by such a prefix is dropped.
   */
  function holds(content, queryWords, separator) {
    var have = words(content, separator).map(function (w) { return w.toLowerCase(); });
    return queryWords.every(function (q, i) {
      var word = q.toLowerCase(), last = i === queryWords.length - 1;
      return have.some(function (w) { return sameWord(w, word, last); });
    });
  }

  /** A list of strings from a result's JSON metadata ([] if it is not one). */
  function symptomLines(json) {
    try {
      var lines = JSON.parse(json || "[]");
      return Array.isArray(lines) ? lines.filter(function (l) { return typeof l === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  /** The symptom line (of a result's lines) that holds the most query words. */
  function bestLine(symptoms, queryWords, separator) {
    var wanted = {};
    queryWords.forEach(function (w) { wanted[w.toLowerCase()] = true; });
    var best = "", bestScore = 0;
    symptoms.forEach(function (line) {
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
      packageRe: raw.package.map(function (p) { return new RegExp(p, "i"); }),
      framingMax: raw.framing_max,
      maxNames: raw.max_names,
    };
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { aboutFirst: aboutFirst, symptomLines: symptomLines, holds: holds, framing: framing, queryOf: queryOf, bestLine: bestLine, compileSettings: compileSettings, words: words };
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

    function show(found, query, settings) {
      var datas = found.datas, total = found.total;
      output.setAttribute("data-query", query.line);
      var count = (found.exact ? "" : "At least ") + total + (total === 1 ? " guide matches" : " guides match") +
        (total > datas.length || !found.exact ? ", the first " + datas.length + " shown" : "");
      meta.textContent = query.kind === "package"
        ? "pip prints this line for any failed build of " + query.words[0] + ": it does not tell which guide applies. " + count + " " + query.words[0] + "."
        : count;
      list.textContent = "";
      datas.forEach(function (data) {
        var target = new URL(data.url, location.href);
        if (target.origin !== location.origin) return;
        var item = el("li", { "class": "wf-search__result" });
        var link = el("a", { href: target.href });
        link.appendChild(el("span", { "class": "wf-search__title" }, (data.meta && data.meta.title) || data.url));
        var line = bestLine(symptomLines(data.meta && data.meta.symptoms), query.words, settings.separatorRe);
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
        // A framing line that names packages searches for the first one named.
        var terms = query.kind === "package" ? query.words.slice(0, 1) : query.words;
        return engine.pagefind.search(terms.join(" ")).then(function (search) {
          if (mine !== sequence || !search) return null;
          return checked(search.results || [], terms, engine.settings, mine).then(function (found) {
            if (found) answer(query, found, engine.settings);
          });
        });
      }).catch(function () {
        if (mine === sequence) say(firstLine(text), "The search could not load its index.", true);
      });
    }

    /**
     * The first SHOWN results that hold every term, how many do, and whether that
     * count is exact (every result checked) or a lower bound (more are unchecked).
     */
    function checked(results, terms, settings, mine) {
      var kept = [], dropped = 0, next = 0;
      function batch() {
        if (mine !== sequence) return Promise.resolve(null);
        if (kept.length >= SHOWN || next >= Math.min(results.length, CHECKED)) {
          return Promise.resolve({ datas: kept.slice(0, SHOWN), total: kept.length, exact: next >= results.length });
        }
        var slice = results.slice(next, Math.min(next + SHOWN, CHECKED));
        next += slice.length;
        return Promise.all(slice.map(function (r) { return r.data(); })).then(function (datas) {
          datas.forEach(function (data) {
            if (holds(data.content || "", terms, settings.separatorRe)) kept.push(data); else dropped++;
          });
          return batch();
        });
      }
      return batch();
    }

    function answer(query, found, settings) {
      if (!found.datas.length) {
        var none = found.exact ? "" : " among the " + CHECKED + " closest";
        say(query.line, query.kind === "package"
          ? "pip prints this line for any failed build of " + query.words[0] + ", and no guide" + none + " is about " + query.words[0] + "."
          : "No guide" + none + " matches this line.", true);
        return;
      }
      found.datas = aboutFirst(found.datas, query.words);
      show(found, query, settings);
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
    // A query in the address (the home page's search form, or a shared link) runs at once,
    // as if typed; bounded like a pasted line.
    var asked = new URLSearchParams(location.search).get("q");
    if (asked) {
      input.value = asked.slice(0, 2000);
      run();
    }
    // "/" focuses the box, as Material's own search did, unless the reader is typing elsewhere.
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
