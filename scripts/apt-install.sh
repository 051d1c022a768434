# Sourced by setup.sh and setup-bench.sh. apt_install WHO PACKAGE...: installs the missing Debian packages the
# calling script found (through sudo when not root); with none named it does nothing.
apt_install() {
  local who=$1
  shift
  (($#)) || return 0
  echo "$who: installing $* with apt-get" >&2
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
