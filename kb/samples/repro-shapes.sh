# Shape variants of a captured log, in the forms people paste (sourced, never run on its own).
#
# Every variant is a mechanical rendering of a real captured log: nothing is added except the
# prefixes the named tool puts in front of each line, and nothing is removed except whole lines
# before the cut.
#   _excerpt ERE        from the first line matching ERE (grep -E syntax) to the end: the part a
#                       user copies when they start at the error block.
#   _cut ERE1 ERE2      from the first line matching ERE1 to the next line matching ERE2: the
#                       compiler errors alone, as people quote them in issues.
#   _buildkit STEP T0   `docker build --progress=plain` rendering: "#STEP 12.345 " before each
#                       line, seconds rising from T0 by 0.013 a line (the rise is invented, the
#                       format is BuildKit's).
#   _gha_stamps HH MM   GitHub Actions raw-log rendering: "2026-12-01THH:MM:SS.fffffffZ " before
#                       each line, 0.0131 s apart (the date and rise are invented, the format is
#                       the runner's).
#   _midline COL        the first line from its character COL on, the rest unchanged: a copy
#                       whose selection started in the middle of a line.
# All read the log on stdin and write the variant to stdout. _from_capture CASE gives the log
# of an earlier capture (needs repro-lib.sh sourced first).
# shellcheck shell=bash

_excerpt() {
  awk -v re="$1" 'found || $0 ~ re { found = 1; print }'
}

_cut() {
  awk -v re1="$1" -v re2="$2" '!found && $0 ~ re1 { found = 1 } found { print } found && $0 ~ re2 { exit }'
}

_from_capture() {
  # _from_capture CASE: the redacted output of CASE, from its raw capture when one exists
  # (a shape variant needs no second build), else by running this script for CASE.
  if [ -s "$WORK/$1.raw" ]; then _redact < "$WORK/$1.raw"; else "$0" "$1"; fi
}

_buildkit() {
  awk -v step="$1" -v t0="$2" '{ printf "#%s %.3f %s\n", step, t0 + NR * 0.013, $0 }'
}

_gha_stamps() {
  awk -v hh="$1" -v mm="$2" '{
    t = NR * 0.0131; m = mm + int(t / 60); s = t - 60 * int(t / 60)
    printf "2026-12-01T%02d:%02d:%010.7fZ %s\n", hh, m, s, $0
  }'
}

_midline() {
  awk -v col="$1" 'NR == 1 { print substr($0, col + 1); next } { print }'
}
