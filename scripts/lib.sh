# Shared by scripts/demo and scripts/test: find Python >= 3.12 and install the project in .venv.
# shellcheck shell=bash

find_python() {
  local candidate
  for candidate in python3 python3.12 python3.13 "$HOME/.pyenv/versions/3.12"*/bin/python3 /usr/bin/python3.12 /usr/bin/python3.13; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  cat >&2 <<'MSG'
Comptoir needs Python 3.12 or newer (the road engine ships wheels for 3.12+ only).
Install it, for example:
  - with pyenv:  pyenv install 3.12   (this folder's .python-version then selects it)
  - on Debian 13 / Ubuntu 24.04:  sudo apt-get install python3 python3-venv
MSG
  return 1
}

# ensure_venv EXTRAS: create .venv and (re)install when pyproject.toml changed.
ensure_venv() {
  local extras="$1" python stamp want
  python=$(find_python) || exit 1
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then
    rm -rf .venv
    echo "Creating .venv with $("$python" --version)"
    "$python" -m venv .venv
  fi
  stamp=.venv/.comptoir-installed
  want="$(sha256sum pyproject.toml | cut -c1-64)$extras"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing Comptoir and its dependencies into .venv ..."
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".$extras"
    echo "$want" > "$stamp"
  fi
}
