/* Let people paste raw error lines into the search box.
 *
 * Material's search hands the query to lunr's query parser, where "error:" is
 * a field name, "^" a boost, "~" an edit distance, "*" a wildcard and a
 * leading "+"/"-" a presence flag.  A pasted line such as
 *   error: failed to create directory `/usr/local/cargo/registry/cache`
 * therefore becomes an invalid query and finds nothing.  This listener runs in
 * the capture phase, before Material's own handlers, and turns every such
 * operator character (and quotes, backticks, brackets and slashes, which the
 * index splits on anyway) into a space.  The words stay as typed.
 */
(function () {
  "use strict";
  var OPERATORS = /[:^~*+\\`'"()\[\]{}<>\/|=]|(^|\s)-+/g;

  function clean(value) {
    return value.replace(OPERATORS, " ").replace(/\s+/g, " ").replace(/^ /, "");
  }

  function onInput(event) {
    var el = event.target;
    if (!el || !el.matches || !el.matches("[data-md-component=search-query]")) return;
    var cleaned = clean(el.value);
    if (cleaned !== el.value) {
      el.value = cleaned;
    }
    // Material searches on keyup and focus, not on input: a paste from a menu or
    // on a phone fires only "input", so hand Material the keyup it waits for.
    if (event.type === "input") {
      el.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
    }
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { clean: clean };
  } else {
    ["input", "keyup", "change", "focus"].forEach(function (type) {
      window.addEventListener(type, onInput, true);
    });
  }
})();
