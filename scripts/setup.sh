# Shared by scripts/course and scripts/test (sourced, not run): messages, Debian packages,
# the Python check and the .venv. Each caller sets NAME before sourcing.

say() { printf '%s: %s\n' "$NAME" "$*" >&2; }

apt_install() {   # apt_install PACKAGE...: 0 when installed, 1 when apt-get cannot run here
  command -v apt-get >/dev/null 2>&1 || return 1
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || return 1
    sudo=(sudo)
  fi
  say "installing Debian packages: $*"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null || return 1
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" >/dev/null || return 1
}

make_venv() {     # make_venv: check the Python version, create .venv, upgrade pip
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "awskit needs Python 3.11 or newer: set PYTHON=/path/to/python3.11"
    exit 1
  fi
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
}
