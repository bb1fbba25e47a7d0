#!/usr/bin/env bash
# Install the compiled build of servicepolicy (docs/performance.md) into a virtual environment:
#
#     scripts/install-compiled.sh .venv-compiled          # the library and its CLI
#     scripts/install-compiled.sh .venv-compiled dev      # with an extra, here the test tools
#
# mypyc compiles the evaluation core from the same .py files that the default install runs.
# The build works on a copy of the checkout (the files git knows of, as they are now), so no
# compiled module is left beside the sources, where it would shadow an editable install's code.
set -euo pipefail
venv=${1:?usage: scripts/install-compiled.sh VENV [EXTRA]}
extra=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
git -C "$root" ls-files -z --cached --others --exclude-standard \
  | (cd "$root" && tar --null --ignore-failed-read -T - -c 2>/dev/null) | tar -x -C "$tree"

python3 -m venv "$venv"
venv=$(cd "$venv" && pwd)
"$venv/bin/python" -m pip install --quiet --upgrade pip
HATCH_BUILD_HOOK_ENABLE_MYPYC=true "$venv/bin/python" -m pip install --quiet "$tree${extra:+[$extra]}"
cd /  # the check imports the installed package, not a servicepolicy/ folder nearby
"$venv/bin/python" - <<'PY'
import sys

from servicepolicy._common import build

if not build.COMPILED:
    sys.exit(f"the evaluation core was not compiled: {build.__file__}")
print(f"compiled build installed: {build.__file__}")
PY
