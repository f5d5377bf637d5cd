# Debian packages for scripts/test.sh and scripts/app.sh (sourced, not run).
# Without root, sudo or apt-get nothing is installed: a warning says what is missing, and the
# tests that need it skip (the browser and Spark tests fail instead under CI=true).

# Prints how to run apt-get here: nothing as root, "sudo" where sudo needs no password (or can
# ask for one on a terminal). Fails where packages cannot be installed.
apt_prefix() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ "$(id -u)" -eq 0 ]; then
    echo ""
  elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
    echo "sudo"
  else
    return 1
  fi
}

# Installs the Debian packages given; returns 1 with a warning when it cannot.
install_debian_packages() {
  [ $# -gt 0 ] || return 0
  local prefix
  if ! prefix=$(apt_prefix); then
    echo "warning: cannot install $* here (needs apt-get, and root or sudo)" >&2
    return 1
  fi
  echo "installing Debian packages: $*" >&2
  if ! { $prefix apt-get update -q &&
    $prefix env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "$@"; }; then
    echo "warning: apt-get could not install $*" >&2
    return 1
  fi
}

# Has the dynamic linker a library (ldconfig lives in /sbin, often not on a user's PATH)?
has_library() {
  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q "$1"
}
