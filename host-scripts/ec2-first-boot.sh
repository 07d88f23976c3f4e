#!/bin/sh
# First boot of an EC2 host that clawctl created: cloud-init runs this once, as root, from the
# instance's user data. clawctl writes these assignments above the script (each value quoted):
#   CLAWCTL_USER            the Unix user clawctl logs in as; the agents live in its home
#   CLAWCTL_AUTHORIZED_KEY  the public key clawctl logs in with
#   CLAWCTL_HOST_KEY        the host's ed25519 private key, OpenSSH format (made by clawctl,
#                           kept in the fleet's SOPS secrets; its public half is pinned)
#   CLAWCTL_HOST_KEY_PUB    its public half
#   CLAWCTL_SSH_PORT        the port sshd listens on
#   CLAWCTL_TS_AUTH_KEY     a one-use, pre-authorized, tagged Tailscale auth key, or empty
#   CLAWCTL_TS_HOSTNAME     the device's name on the tailnet
#   CLAWCTL_TS_TAGS         its tags, comma-separated
# Nothing here prints a secret: cloud-init keeps this script's output in its log.
# shellcheck disable=SC2154 # assigned above the script, in the same user data
set -eu
umask 077

# The host key the fleet pinned, and no other: sshd presents only it.
rm -f /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub
printf '%s\n' "$CLAWCTL_HOST_KEY" > /etc/ssh/ssh_host_ed25519_key
printf '%s\n' "$CLAWCTL_HOST_KEY_PUB" > /etc/ssh/ssh_host_ed25519_key.pub
chmod 600 /etc/ssh/ssh_host_ed25519_key
chmod 644 /etc/ssh/ssh_host_ed25519_key.pub
mkdir -p /etc/ssh/sshd_config.d
printf 'HostKey /etc/ssh/ssh_host_ed25519_key\nPort %s\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n' "$CLAWCTL_SSH_PORT" > /etc/ssh/sshd_config.d/00-clawctl.conf
chmod 644 /etc/ssh/sshd_config.d/00-clawctl.conf

# The user, with clawctl's key; lingering lets its systemd user units run without a login.
id "$CLAWCTL_USER" > /dev/null 2>&1 || useradd -m -s /bin/bash "$CLAWCTL_USER"
home=$(getent passwd "$CLAWCTL_USER" | cut -d: -f6)
mkdir -p "$home/.ssh"
printf '%s\n' "$CLAWCTL_AUTHORIZED_KEY" > "$home/.ssh/authorized_keys"
chmod 700 "$home/.ssh"
chmod 600 "$home/.ssh/authorized_keys"
chown -R "$CLAWCTL_USER:" "$home/.ssh"
loginctl enable-linger "$CLAWCTL_USER" 2> /dev/null || true

if command -v systemctl > /dev/null 2>&1; then
  systemctl restart ssh 2> /dev/null || systemctl restart sshd
fi

# The tailnet: the auth key is pre-authorized and tagged, and good for this one join.
if [ -n "$CLAWCTL_TS_AUTH_KEY" ]; then
  if ! command -v tailscale > /dev/null 2>&1; then
    timeout 300 sh -c 'curl -fsSL https://tailscale.com/install.sh | sh'
  fi
  timeout 300 tailscale up --auth-key="$CLAWCTL_TS_AUTH_KEY" --hostname="$CLAWCTL_TS_HOSTNAME" --advertise-tags="$CLAWCTL_TS_TAGS"
fi

# cloud-init keeps the user data on disk: the key lives only in /etc/ssh from now on. (clawctl
# turns the metadata service off once it has reached the host, which ends the other copy.)
rm -f /var/lib/cloud/instance/user-data.txt /var/lib/cloud/instance/user-data.txt.i
rm -f /var/lib/cloud/instance/scripts/part-* /var/lib/cloud/instance/scripts/runcmd
