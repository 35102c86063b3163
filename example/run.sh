#!/usr/bin/env bash
# The bundled example, offline: dependency confusion shown with plain pip,
# refused by safepip, then the safe install once safepip.toml pins the
# private project to the private index; last, the company's own project
# installed with -e ., whose build backend is attacked the same way. Needs Go (or SAFEPIP_BIN, a built
# safepip) and python3 (with venv).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The example's file:// indexes are found through this variable, which
# requirements.txt and safepip.toml name as ${SAFEPIP_EXAMPLE}.
export SAFEPIP_EXAMPLE="$here" SAFEPIP_CACHE_DIR="$work/cache" PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_NO_INDEX
# SAFEPIP_BIN runs a prebuilt binary (CI runs the released one); else build it.
if [ -n "${SAFEPIP_BIN:-}" ]; then
  cp "$SAFEPIP_BIN" "$work/safepip"
else
  (cd "$here/.." && go build -o "$work/safepip" ./cmd/safepip)
fi
cp "$here/requirements.txt" "$work/"
cd "$work"
python3 -m venv pip-venv
python3 -m venv venv

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. plain pip, with the private index as --extra-index-url"
cat requirements.txt
pip-venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
pip-venv/bin/python -c 'import acme_triton as a; print("plain pip installed acme-triton", a.__version__, "from the", a.ORIGIN)'

say "2. safepip, same requirements: the name is on two indexes, so it refuses"
set +e
./safepip install -r requirements.txt --python venv/bin/python
code=$?
set -e
echo "(safepip exited with status $code: nothing was locked or installed)"

say "3. safepip with safepip.toml routing acme-* to the private index only"
cp "$here/safepip.toml" .
cat safepip.toml
./safepip install -r requirements.txt --python venv/bin/python
venv/bin/python -c 'import acme_triton as a; print("safepip installed acme-triton", a.__version__, "from the", a.ORIGIN)'

say "4. the lock it wrote (reviewed by people, checked by CI with safepip lock --check)"
cat safepip.lock
./safepip lock -r requirements.txt --check

say "5. your own code, installed with -e . : its build backend is a private package too"
cp -R "$here/app" app
cp "$here/safepip.toml" app/
cat app/requirements.txt
sed -n '/^\[build-system\]/,/^$/p' app/pyproject.toml

say "5a. plain pip builds it with whatever backend the merged indexes offer"
(cd app && ../pip-venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt)
if [ -e app/PWNED-by-public-acme-build-backend.txt ]; then
  echo "plain pip ran the PUBLIC acme-build-backend 9.9.9 during the build:"
  cat app/PWNED-by-public-acme-build-backend.txt
  rm app/PWNED-by-public-acme-build-backend.txt
fi

say "5b. safepip locks the backend (routed, hashed) and builds with nothing else"
(cd app && ../safepip install -r requirements.txt --python ../venv/bin/python)
if [ -e app/PWNED-by-public-acme-build-backend.txt ]; then
  echo "BUG: the public backend ran under safepip" >&2
  exit 1
fi
echo "no marker: the public acme-build-backend never ran"
venv/bin/python -c 'import acme_app; print(acme_app.GREETING)'
echo 'GREETING = "edited in place: -e . installs the working copy"' >> app/acme_app/__init__.py
venv/bin/python -c 'import acme_app; print(acme_app.GREETING)'
echo "the lock's entries for the project and its build backend:"
sed -n -e "/^name = 'acme-app'/,/^\$/p" -e '/^\[\[build-package\]\]/,$p' app/safepip.lock
(cd app && ../safepip lock -r requirements.txt --check)
(cd app && ../safepip verify --installed --python ../venv/bin/python)
