#!/usr/bin/env bash
# README: more shapes of this record (reproduce.sh beside this file makes the numexpr and
# pandas logs): a binary wheel built against NumPy 1.x imported under NumPy 2.x. Extensions using
# NumPy's C API print "A module that was compiled using NumPy 1.x cannot be run in NumPy 2.x"
# and fail with "_ARRAY_API not found" / "numpy.core.multiarray failed to import"; Cython
# extensions fail with "numpy.dtype size changed, may indicate binary incompatibility".
#
# Captured with: CPython 3.12.1 (pyenv), pip 23.2.1 (bundled), numpy 2.0.2; Debian GNU/Linux 12
# (bookworm), glibc 2.36, x86_64; 2026-12-01. Only wheels are used.
#   h5py        pip install h5py==3.10.0 numpy==2.0.2 (h5py 3.10.0 sets no upper bound on
#               numpy), then import h5py.
#   matplotlib  pip install matplotlib==3.8.2 (pulls numpy 1.26), then pip install numpy==2.0.2
#               (pip warns about the conflict but installs it), then import matplotlib.pyplot.
#   sklearn     the same with scikit-learn==1.3.2, then import sklearn.ensemble.
# (Asked for together with numpy==2.0.2, matplotlib 3.8.2 and scikit-learn 1.3.2 are refused by
# pip's resolver, as their wheels' metadata caps numpy below 2.)
#   scipy       pip install scipy==1.11.4 (pulls numpy 1.26), then pip install numpy==2.0.2
#               (pip warns about scipy's numpy<1.28 but installs it), then import scipy.stats.
#
# Usage: reproduce.sh [CASE]   (CASE as above, default h5py; prints install and import output)
# Needs: /root/.pyenv/versions/3.12.*.
set -euo pipefail
SAMPLE=numpy2-module-compiled-with-numpy1
# shellcheck source=../repro-lib.sh
. "${WHEELFIX_REPRO_LIB:-$(dirname "$0")/../repro-lib.sh}"

_in() {
  _show _neutral_env PATH="$VENV/bin:$SYS_PATH" "$@"
}

_main() {
  VENV="$WORK/venv-$1"; _venv "$(_py 3.12)" "$VENV"
  case "$1" in
    h5py) _in pip install --only-binary :all: h5py==3.10.0 numpy==2.0.2
          _in python -c "import h5py" ;;
    matplotlib) _in pip install --only-binary :all: matplotlib==3.8.2
          _in pip install --only-binary :all: numpy==2.0.2
          _in python -c "import matplotlib.pyplot" ;;
    sklearn) _in pip install --only-binary :all: scikit-learn==1.3.2
          _in pip install --only-binary :all: numpy==2.0.2
          _in python -c "import sklearn.ensemble" ;;
    scipy) _in pip install --only-binary :all: scipy==1.11.4
          _in pip install --only-binary :all: numpy==2.0.2
          _in python -c "import scipy.stats" ;;
  esac
}

CASE="${1:-h5py}"
case "$CASE" in
  h5py|matplotlib|sklearn|scipy) _capture "$CASE-import" _main "$CASE" ;;
  *) echo "unknown case: $CASE" >&2; exit 2 ;;
esac
