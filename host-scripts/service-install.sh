# shellcheck shell=sh
# clawctl: write and enable one agent gateway's systemd unit (POSIX sh), after refuse-links.sh.
#   sh -c "$SCRIPT" clawctl-service-install SERVICE UNIT   (stdin: the unit, one base64 line)
# SERVICE is systemd-user (~/.config/systemd/user, with lingering so it runs without a login)
# or systemd (/etc/systemd/system, as root or through sudo -n). The unit is staged and renamed
# into place; nothing is written through a link. systemd then reloads and enables it; the
# gateway is started by the restart that follows.
set -eu
umask 022
service=$1 unit=$2
fail() { echo "clawctl: $*" >&2; exit 1; }
case $unit in openclaw-gateway.service | openclaw-gateway-[a-z0-9]*.service) ;; *) fail "bad unit name $unit" ;; esac
case $unit in *[!a-z0-9.-]*) fail "bad unit name $unit" ;; esac
IFS= read -r b64 || fail "the unit arrived incomplete; nothing was written"
case "$service" in
  systemd-user)
    dir="$HOME/.config/systemd/user"
    refuse_links "$HOME/.config" "$HOME/.config/systemd" "$dir" "$dir/$unit" "$dir/.clawctl-new.$unit"
    mkdir -p "$dir"
    rm -f "$dir/.clawctl-new.$unit"
    (set -C && printf '%s' "$b64" | base64 -d > "$dir/.clawctl-new.$unit")
    mv -f "$dir/.clawctl-new.$unit" "$dir/$unit"
    # Without lingering, a user's units stop at their last logout (and never start at boot).
    out=$(loginctl enable-linger "$(id -un)" 2>&1) || fail "loginctl enable-linger $(id -un) failed: $out"
    sc="systemctl --user" ;;
  systemd)
    if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi
    staged="$HOME/.clawctl-new.$unit"
    refuse_links "$staged"
    rm -f "$staged"
    (set -C && printf '%s' "$b64" | base64 -d > "$staged")
    # shellcheck disable=SC2086 # $sudo is empty or a command and its option
    out=$($sudo install -m 0644 "$staged" "/etc/systemd/system/$unit" 2>&1) || { rm -f "$staged"; fail "installing /etc/systemd/system/$unit failed (root, or sudo without a password, is needed): $out"; }
    rm -f "$staged"
    sc="$sudo systemctl" ;;
  *) fail "service $service has no unit" ;;
esac
# shellcheck disable=SC2086 # $sc is a command and its options
out=$($sc daemon-reload 2>&1) || fail "$sc daemon-reload failed: $out"
# shellcheck disable=SC2086
out=$($sc enable "$unit" 2>&1) || fail "$sc enable $unit failed: $out"
echo "clawctl: $unit written and enabled"
