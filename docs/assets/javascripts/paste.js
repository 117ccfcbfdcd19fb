/* wheelfix: "Paste your build log" — match a log against signatures.json in the browser.
 *
 * Same normalisation and ranking as generator/logs/text.py, bundle.py and matcher.py
 * (tests/test_paste_js.py runs this file under node over every sample log and checks
 * that both pick the same guide, and that the patterns below equal Python's).
 * Regex conditions run as the programs in signatures.json, with linre.js: linear time,
 * the same results as Python. Matching runs in a Web Worker (this same file), so that
 * a huge paste never freezes the page; the page stops it after a time budget.
 * Nothing leaves the browser: the only request is for signatures.json on this site.
 */
(function (root) {
  "use strict";

  var isWorker = typeof document === "undefined" && typeof importScripts === "function";
  if (isWorker) importScripts("linre.js"); // resolved against this file's URL
  var linre = typeof module !== "undefined" && module.exports ? require("./linre.js") : root.wheelfixLinre;
  // This file's URL, for the worker (captured now: currentScript is only set while it runs).
  var scriptUrl = !isWorker && typeof document !== "undefined" && document.currentScript ? document.currentScript.src : null;

  // Keep equal to generator/logs/text.py and generator/logs/mentions.py (checked by the tests).
  var MAX_LINE = 65536;
  var ANSI_PATTERN = "\\x1b\\[[0-?]*[ -/]*[@-~]|\\x1b\\][^\\x07\\x1b\\n]*(?:\\x07|\\x1b\\\\)?|\\x1b[@-Z\\\\-_]|[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]";
  var WINPATH_PATTERN = "(?<=[A-Za-z0-9_.:~$-])\\\\+(?=[A-Za-z0-9_.~$-])";
  var PREFIX_PATTERN = "^[ \\t]*(?:(?:\\[?[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2}| ?UTC)?\\]?(?: [0-9]{2}[OE]\\+?)?|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}(?: [AP]M)?|\\[?[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}\\]?)[ \\t]*)?(?:##\\[(?:error|warning|notice|debug|group|endgroup)\\])?(?:#[0-9]+ (?:[0-9]+\\.[0-9]+ )?)?(?:remote: )?[ \\t]*(?:(?:[\u2502\u2503\u2551]|[\u00d7\u2717]|[\u2570\u251c]\u2500+(?:>|\u25b6)?)(?: |$))?[ \\t]*";
  var TRAILING_PATTERN = "[ \\t]+$";
  var MENTION_PATTERNS = [
    ["named", "^Collecting ([A-Za-z0-9][A-Za-z0-9._-]*)(?:\\[[^\\]]*\\])?(?:==([A-Za-z0-9.+!_-]+))?", false],
    ["named", "^(?:[-\u2022] )?Installing ([A-Za-z0-9][A-Za-z0-9._-]*) \\(([^)]*)\\)", false],
    ["named", "^(?:Downloading|Using cached|Processing) (?:[^ ]*/)?([A-Za-z0-9][A-Za-z0-9._-]*?)-([0-9][A-Za-z0-9.+!_]*)\\.(?:tar\\.gz|zip|tar\\.bz2)", false],
    ["built", "^Building (?:wheel|editable) for ([A-Za-z0-9][A-Za-z0-9._-]*)", false],
    ["built", "^Building wheels for collected packages: (.+)$", true],
    ["built", "^Running setup\\.py (?:install|bdist_wheel|develop) for ([A-Za-z0-9][A-Za-z0-9._-]*)", false],
    ["built", "^Buil(?:ding|t) ([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)", false],
    ["failed", "Failed building wheel for ([A-Za-z0-9][A-Za-z0-9._-]*)", false],
    ["failed", "Failed to build (?!installable wheels )((?:`[^`]+`|[A-Za-z0-9][A-Za-z0-9._-]*(?:\\[[^\\]]*\\])?(?:==[^ ,]+)?)(?:,? (?:`[^`]+`|[A-Za-z0-9][A-Za-z0-9._-]*(?:\\[[^\\]]*\\])?(?:==[^ ,]+)?))*)$", true],
    ["failed", "Failed to (?:download and )?build (`[^`]+`)", true],
    ["failed", "Failed to (?:download and )?build: ([A-Za-z0-9][A-Za-z0-9._-]*)(?:==([A-Za-z0-9.+!_-]+))?", false],
    ["failed", "Failed to build installable wheels for some pyproject\\.toml based projects \\(([^)]*)\\)", true],
    ["failed", "Could not build wheels for (.+?),? which ", true],
    ["failed", "but with ([A-Za-z0-9][A-Za-z0-9._-]*) \\(([^)]*)\\) not supporting PEP 517", false],
    ["failed", "This error originates from the build backend, and is likely not a problem with poetry but one of the following issues with ([A-Za-z0-9][A-Za-z0-9._-]*) \\(([^)]*)\\)", false],
    ["failed", "^(?:[-\u2022] )?Installing ([A-Za-z0-9][A-Za-z0-9._-]*) \\(([^)]*)\\): Failed", false],
  ];
  var ITEM_PATTERN = "^`?([A-Za-z0-9][A-Za-z0-9._-]*)(?:\\[[^\\]]*\\])?(?:==([^ ,`]+))?`?$";

  var ansiRe = new RegExp(ANSI_PATTERN, "g");
  var winpathRe = new RegExp(WINPATH_PATTERN, "g");
  var prefixRe = new RegExp(PREFIX_PATTERN);
  var trailingRe = new RegExp(TRAILING_PATTERN);
  var itemRe = new RegExp(ITEM_PATTERN);
  var mentionRes = MENTION_PATTERNS.map(function (p) {
    return { kind: p[0], re: new RegExp(p[1]), isList: p[2] };
  });

  function normaliseBlock(text) {
    text = text.replace(ansiRe, "");
    if (text.indexOf("\\") >= 0) text = text.replace(winpathRe, "/");
    return text;
  }

  function normaliseLine(line) {
    if (line.length > MAX_LINE) line = line.slice(0, MAX_LINE);
    var m = prefixRe.exec(line);
    if (m && m[0].length) line = line.slice(m[0].length);
    return line.replace(trailingRe, "");
  }

  /** Every line of a pasted log, normalised; line i is number i + 1. */
  function normalise(text) {
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    var lines = text.split(/\r\n|\r|\n/);
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    return lines.map(function (l) { return normaliseLine(normaliseBlock(l)); });
  }

  function canonicalName(name) {
    return name.replace(/[-_.]+/g, "-").toLowerCase();
  }

  /** Canonical names of the packages a normalised line names. */
  function packageMentions(line) {
    var found = [];
    mentionRes.forEach(function (p) {
      var m = p.re.exec(line);
      if (!m) return;
      if (!p.isList) { found.push(canonicalName(m[1])); return; }
      m[1].trim().split(/[ ,]+/).forEach(function (item) {
        var im = itemRe.exec(item);
        if (im) found.push(canonicalName(im[1]));
      });
    });
    return found;
  }

  var BUNDLE_FORMAT = 2;

  /** A matcher over a loaded signatures.json object (format 2). */
  function Matcher(bundle) {
    if (!bundle || bundle.format !== BUNDLE_FORMAT || !Array.isArray(bundle.guides)) {
      throw new Error("signatures.json: not a format " + BUNDLE_FORMAT + " bundle");
    }
    this.guides = bundle.guides;
    this.sigs = [];
    this.packages = {};
    var self = this;
    bundle.guides.forEach(function (g, gi) {
      (g.signatures || []).forEach(function (s) {
        var pkg = s.package ? canonicalName(s.package) : null;
        if (pkg) self.packages[pkg] = true;
        self.sigs.push({
          guide: gi,
          package: pkg,
          score: s.score,
          conds: s.match.map(function (c, j) {
            return {
              text: c.text !== undefined ? c.text : null,
              program: c.text === undefined ? new linre.Program(c.program) : null,
              need: s.need[j],
            };
          }),
        });
      });
    });
  }

  function testCondition(c, line) {
    var hasNeed = c.need.some(function (n) { return line.indexOf(n) >= 0; });
    if (!hasNeed) return false;
    return c.text !== null ? line.indexOf(c.text) >= 0 : c.program.search(line);
  }

  /** Matches for a pasted log, best first: [{id, title, url, fix, score, lines: [[n, text]]}]. */
  Matcher.prototype.match = function (text) {
    var lines = normalise(text);
    var self = this;
    var mentions = {};
    lines.forEach(function (line, i) {
      packageMentions(line).forEach(function (name) {
        if (self.packages[name] && !mentions[name]) mentions[name] = [i + 1, line];
      });
    });
    var best = {};
    this.sigs.forEach(function (s) {
      var shown = [];
      for (var k = 0; k < s.conds.length; k++) {
        var hit = null;
        for (var i = 0; i < lines.length; i++) {
          if (testCondition(s.conds[k], lines[i])) { hit = [i + 1, lines[i]]; break; }
        }
        if (!hit) return;
        shown.push(hit);
      }
      if (s.package) {
        if (!mentions[s.package]) return;
        shown.push(mentions[s.package]);
      }
      var cur = best[s.guide];
      if (!cur || s.score > cur.score) best[s.guide] = { score: s.score, lines: shown };
    });
    var out = Object.keys(best).map(function (gi) {
      var g = self.guides[gi];
      var seen = {};
      var ls = best[gi].lines.filter(function (l) {
        var key = l[0] + "\n" + l[1];
        if (seen[key]) return false;
        seen[key] = true;
        return true;
      }).sort(function (a, b) { return a[0] - b[0]; });
      return { id: g.id, title: g.title, url: g.url, fix: g.fix, score: best[gi].score, lines: ls };
    });
    out.sort(function (a, b) {
      if (a.score !== b.score) return b.score - a.score;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    return out;
  };

  // ---------------------------------------------------------------- the page

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function siteBase() {
    // Material writes the relative path to the site root into #__config.
    var config = document.getElementById("__config");
    if (config) {
      try { return new URL(JSON.parse(config.textContent).base + "/", location.href); } catch (e) { /* fall through */ }
    }
    return new URL("../", location.href);
  }

  function render(box, results, matches) {
    results.textContent = "";
    if (!matches.length) {
      results.appendChild(el("p", {}, "No guide matches this log. Check that it holds the first error, not only the last lines."));
      return;
    }
    var base = siteBase();
    var list = el("ol", { class: "wheelfix-results" });
    matches.slice(0, box.showAll ? matches.length : 5).forEach(function (m) {
      var item = el("li");
      // Text goes in as textContent (el); a link only to the site's own http(s) pages.
      var target = new URL(m.url, base);
      var link = el("a", /^https?:$/.test(target.protocol) && target.origin === base.origin ? { href: target.href } : {}, m.title);
      item.appendChild(link);
      if (m.fix) item.appendChild(el("p", {}, "Fix: " + m.fix));
      var pre = el("pre");
      pre.appendChild(el("code", {}, m.lines.map(function (l) { return l[0] + ": " + l[1]; }).join("\n")));
      item.appendChild(pre);
      list.appendChild(item);
    });
    results.appendChild(list);
  }

  // Longest paste matched, in characters: beyond it the page says so instead of matching
  // (`wheelfix explain` reads logs of any size). #wheelfix-paste's data-max-chars overrides it.
  var MAX_PASTE = 5000000;
  // How long the worker may match before the page stops it (data-time-budget-ms overrides it).
  var TIME_BUDGET_MS = 20000;

  function setting(box, name, fallback) {
    var value = parseInt(box.dataset[name], 10);
    return value > 0 ? value : fallback;
  }

  function setUp() {
    var box = document.getElementById("wheelfix-paste");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var input = box.querySelector("textarea");
    var button = box.querySelector("button");
    var results = document.getElementById("wheelfix-results");
    var bundle = null, matcher = null, worker = null, workerFailed = !scriptUrl || typeof Worker === "undefined";
    var job = 0, timer = null;

    function stopWorker() {
      if (timer !== null) { clearTimeout(timer); timer = null; }
      if (worker) { worker.terminate(); worker = null; }
    }

    // Where the last results were computed ("worker" or "page"): for people debugging, and the tests.
    function show(matches, where) {
      box.dataset.matchedIn = where;
      render(box, results, matches);
    }

    function matchInWorker(text) {
      var id = ++job;
      var budget = setting(box, "timeBudgetMs", TIME_BUDGET_MS);
      if (!worker) {
        worker = new Worker(scriptUrl);
        worker.postMessage({ bundle: bundle });
      }
      worker.onmessage = function (e) {
        if (e.data.id !== id) return;
        stopWorker();
        if (e.data.error) results.textContent = "Matching failed: " + e.data.error;
        else show(e.data.matches, "worker");
      };
      worker.onerror = function (e) {
        // The worker could not start (or broke): match here instead, as before workers.
        if (e && e.preventDefault) e.preventDefault();
        stopWorker();
        workerFailed = true;
        if (id === job) show(matcher.match(text), "page");
      };
      timer = setTimeout(function () {
        stopWorker();
        var took = budget >= 1000 ? Math.round(budget / 1000) + " seconds" : budget + " ms";
        results.textContent = "Matching this log took more than " + took + ", so it was stopped. " +
          "Paste the part with the first error, or run `wheelfix explain` on the whole log.";
      }, budget);
      worker.postMessage({ id: id, text: text });
    }

    function go() {
      var text = input.value;
      var maxChars = setting(box, "maxChars", MAX_PASTE);
      stopWorker(); // a new paste replaces a match still running
      if (text.length > maxChars) {
        results.textContent = "This log has " + text.length + " characters; this page matches at most " + maxChars +
          ". Paste the part with the first error and the lines naming the package, or run `wheelfix explain build.log`, which reads logs of any size.";
        return;
      }
      if (workerFailed) { show(matcher.match(text), "page"); return; }
      try { matchInWorker(text); } catch (err) { workerFailed = true; show(matcher.match(text), "page"); }
    }

    button.addEventListener("click", function () {
      results.textContent = "Matching…";
      if (matcher) { go(); return; }
      fetch(new URL("signatures.json", siteBase()).href)
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (data) { matcher = new Matcher(data); bundle = data; go(); })
        .catch(function (err) { results.textContent = "Could not load the signatures: " + err.message; });
    });
  }

  function serveWorker() {
    var workerMatcher = null;
    root.onmessage = function (e) {
      var d = e.data;
      try {
        if (d.bundle) { workerMatcher = new Matcher(d.bundle); return; }
        root.postMessage({ id: d.id, matches: workerMatcher.match(d.text) });
      } catch (err) {
        root.postMessage({ id: d.id, error: String((err && err.message) || err) });
      }
    };
  }

  var api = {
    MAX_LINE: MAX_LINE,
    MAX_PASTE: MAX_PASTE,
    BUNDLE_FORMAT: BUNDLE_FORMAT,
    ANSI_PATTERN: ANSI_PATTERN,
    WINPATH_PATTERN: WINPATH_PATTERN,
    PREFIX_PATTERN: PREFIX_PATTERN,
    TRAILING_PATTERN: TRAILING_PATTERN,
    MENTION_PATTERNS: MENTION_PATTERNS,
    ITEM_PATTERN: ITEM_PATTERN,
    normalise: normalise,
    normaliseLine: normaliseLine,
    normaliseBlock: normaliseBlock,
    packageMentions: packageMentions,
    Matcher: Matcher,
  };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else if (isWorker) {
    serveWorker();
  } else {
    root.wheelfixPaste = api;
    if (typeof root.document$ !== "undefined" && root.document$.subscribe) {
      root.document$.subscribe(setUp); // Material's instant navigation
    } else if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", setUp);
    } else {
      setUp();
    }
  }
})(typeof window !== "undefined" ? window : this);
