/* wheelfix: run the regex programs of signatures.json (format 2) in linear time.
 *
 * A port of generator/logs/linre.py's Program: a Thompson NFA simulated with all
 * threads at once, its states cached as a lazily built DFA with a bounded
 * cache. No backtracking, so a line costs at most len(line) x len(program)
 * steps, whatever the pattern. tests/test_linre_js.py runs this file under
 * node on the same programs and lines as Python and checks that both give the
 * same results and count the same steps. The program format is in docs/api.md.
 */
(function (root) {
  "use strict";

  // Keep equal to generator/logs/linre.py (checked by the tests).
  var MAX_PROGRAM = 1000;
  var MAX_CODE = 0x10ffff;
  var CACHE_BUDGET = 1 << 14;
  var ASSERTIONS = ["^", "$", "\\b", "\\B"];

  var SET = 0, SPLIT = 1, JUMP = 2, ASSERT = 3, MATCH = 4;
  var OPS = { set: SET, split: SPLIT, jump: JUMP, assert: ASSERT, match: MATCH };
  var ARITY = { split: 2, jump: 1, assert: 1, match: 0 };
  // What is on either side of a position (see linre.py).
  var START = 0, WORDCH = 1, OTHER = 2, END = 3;
  var MATCHED = -1, FAILED = -2;
  var END_KEY = -1; // the transition at the line's end

  function isWord(c) {
    return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 95 || (c >= 97 && c <= 122);
  }

  function isInt(v) {
    return typeof v === "number" && Math.floor(v) === v;
  }

  function fail(message) {
    throw new Error("program: " + message);
  }

  function check(data) {
    if (!Array.isArray(data) || !data.length) fail("must be a non-empty list of instructions");
    if (data.length > MAX_PROGRAM) fail("has " + data.length + " instructions, more than " + MAX_PROGRAM);
    var size = data.length;
    data.forEach(function (inst, pc) {
      var at = "instruction " + pc;
      if (!Array.isArray(inst) || !inst.length || !Object.prototype.hasOwnProperty.call(OPS, inst[0])) {
        fail(at + ": must be a list starting with one of set, split, jump, assert, match");
      }
      var op = inst[0], args = inst.slice(1);
      if (op === "set") {
        if (args.length % 2 || !args.every(function (v) { return isInt(v) && v >= 0 && v <= MAX_CODE; })) {
          fail(at + ": a set holds pairs of code points from 0 to " + MAX_CODE);
        }
        for (var k = 0; k + 1 < args.length; k++) {
          if (args[k] > args[k + 1] || (k % 2 === 1 && args[k] === args[k + 1])) {
            fail(at + ": the ranges of a set must be ascending and disjoint");
          }
        }
      } else if (args.length !== ARITY[op]) {
        fail(at + ": " + op + " takes " + ARITY[op] + " argument(s), got " + args.length);
      } else if (op === "assert" && ASSERTIONS.indexOf(args[0]) < 0) {
        fail(at + ": unknown assertion");
      } else if ((op === "split" || op === "jump") && !args.every(function (v) { return isInt(v) && v >= 0 && v < size; })) {
        fail(at + ": jumps go to instructions 0 to " + (size - 1));
      }
      if ((op === "set" || op === "assert") && pc + 1 >= size) fail(at + ": " + op + " may not be the last instruction");
    });
  }

  /** A checked program (the JSON array of signatures.json); .search(line) -> boolean. */
  function Program(data) {
    check(data);
    this.size = data.length;
    this.ops = data.map(function (inst) { return OPS[inst[0]]; });
    this.args = data.map(function (inst) { return inst.slice(1); });
    this.los = data.map(function (inst) { return inst[0] === "set" ? inst.filter(function (_, k) { return k % 2 === 1; }) : []; });
    this.his = data.map(function (inst) { return inst[0] === "set" ? inst.filter(function (_, k) { return k > 0 && k % 2 === 0; }) : []; });
    var asserts = {};
    data.forEach(function (inst) { if (inst[0] === "assert") asserts[inst[1]] = true; });
    // Kinds of neighbour no assertion tells apart are merged, as in linre.py.
    this.wordMatters = !!(asserts["\\b"] || asserts["\\B"]);
    this.startMatters = !!asserts["^"];
    this.endMatters = !!asserts["$"];
    this.steps = 0;
    this.resets = 0; // times the DFA cache outgrew CACHE_BUDGET and was emptied
    this.seen = new Int32Array(this.size);
    this.generation = 0;
    this.states = [];
    this.ids = new Map();
    this.trans = [];
    this.closures = [];
    this.units = 0;
    this.reset();
  }

  function codePoints(line) {
    var n = line.length;
    for (var i = 0; i + 1 < line.length; i++) {
      var u = line.charCodeAt(i);
      if (u >= 0xd800 && u <= 0xdbff) {
        var w = line.charCodeAt(i + 1);
        if (w >= 0xdc00 && w <= 0xdfff) { n--; i++; }
      }
    }
    return n;
  }

  /** Whether the program matches anywhere in line (characters are code points, as in Python). */
  Program.prototype.search = function (line) {
    this.steps += codePoints(line) + 1;
    var trans = this.trans; // emptied in place by a reset
    var sid = 0;
    var n = line.length;
    for (var i = 0; i < n; ) {
      var c = line.charCodeAt(i++);
      if (c >= 0xd800 && c <= 0xdbff && i < n) {
        var d = line.charCodeAt(i);
        if (d >= 0xdc00 && d <= 0xdfff) { c = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000; i++; }
      }
      var nxt = trans[sid].get(c);
      if (nxt === undefined) nxt = this.step(sid, c);
      if (nxt < 0) return true;
      sid = nxt;
    }
    var end = trans[sid].get(END_KEY);
    if (end === undefined) end = this.step(sid, END_KEY);
    return end === MATCHED;
  };

  Program.prototype.reset = function () {
    this.states.length = 0;
    this.ids.clear();
    this.trans.length = 0;
    this.closures.length = 0;
    this.units = 0;
    this.intern([], this.startMatters ? START : OTHER);
  };

  Program.prototype.intern = function (kernel, before) {
    var key = kernel.join(",") + "|" + before;
    var sid = this.ids.get(key);
    if (sid === undefined) {
      sid = this.states.length;
      this.ids.set(key, sid);
      this.states.push([kernel, before]);
      this.trans.push(new Map());
      this.closures.push([null, null, null, null]);
      this.units += kernel.length + 1;
    }
    return sid;
  };

  Program.prototype.kind = function (c) {
    if (c === END_KEY) return this.endMatters ? END : OTHER;
    return this.wordMatters && isWord(c) ? WORDCH : OTHER;
  };

  Program.prototype.step = function (sid, c) {
    if (this.units > CACHE_BUDGET) {
      var state = this.states[sid];
      this.reset();
      this.resets += 1;
      sid = this.intern(state[0], state[1]);
    }
    var after = this.kind(c);
    var closure = this.closure(sid, after);
    var result;
    if (closure[0]) {
      result = MATCHED;
    } else if (c === END_KEY) {
      result = FAILED;
    } else {
      var consumers = closure[1], targets = [];
      for (var k = 0; k < consumers.length; k++) {
        var pc = consumers[k], los = this.los[pc];
        var lo = 0, hi = los.length; // the last range starting at or below c
        while (lo < hi) {
          var mid = (lo + hi) >> 1;
          if (los[mid] <= c) lo = mid + 1; else hi = mid;
        }
        if (lo > 0 && c <= this.his[pc][lo - 1]) targets.push(pc + 1);
      }
      this.steps += consumers.length;
      result = this.intern(targets, after);
    }
    this.trans[sid].set(c, result);
    this.units += 1;
    return result;
  };

  Program.prototype.closure = function (sid, after) {
    var cached = this.closures[sid][after];
    if (cached) return cached;
    var state = this.states[sid], kernel = state[0], before = state[1];
    var seen = this.seen, mark = ++this.generation;
    var stack = [0];
    for (var k = kernel.length - 1; k >= 0; k--) stack.push(kernel[k]);
    var consumers = [], matched = false, visited = 0;
    while (stack.length) {
      var pc = stack.pop();
      if (seen[pc] === mark) continue;
      seen[pc] = mark;
      visited++;
      var op = this.ops[pc], args = this.args[pc];
      if (op === SET) consumers.push(pc);
      else if (op === SPLIT) { stack.push(args[1]); stack.push(args[0]); }
      else if (op === JUMP) stack.push(args[0]);
      else if (op === ASSERT) { if (holds(args[0], before, after)) stack.push(pc + 1); }
      else matched = true;
    }
    this.steps += visited;
    consumers.sort(function (a, b) { return a - b; });
    var result = [matched, consumers];
    this.closures[sid][after] = result;
    return result;
  };

  function holds(assertion, before, after) {
    if (assertion === "^") return before === START;
    if (assertion === "$") return after === END;
    var boundary = (before === WORDCH) !== (after === WORDCH);
    return assertion === "\\b" ? boundary : !boundary;
  }

  var api = { MAX_PROGRAM: MAX_PROGRAM, MAX_CODE: MAX_CODE, CACHE_BUDGET: CACHE_BUDGET, ASSERTIONS: ASSERTIONS, Program: Program };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.wheelfixLinre = api;
  }
})(typeof self !== "undefined" ? self : this);
