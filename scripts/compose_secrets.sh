#!/usr/bin/env bash
# Makes the secrets compose.yaml reads, one file each in secrets/: random ones where none is
# there yet, never replacing one (a new SECRET_KEY would sign everyone out, a new database
# password would lock the portal out of its data). secrets/email_host_password starts empty:
# put the SMTP password there if the server wants one.
#
# secrets/ is readable by its owner alone; the files in it are readable by anyone who gets to
# them, because compose mounts each file itself into containers that run as other users
# (the portal's image runs as uid 10001). Keep a copy of secrets/ where backups go:
# secrets/audit_keys signs the audit log, secrets/secret_key the sessions and links.
set -euo pipefail
cd "$(dirname "$0")/.."
secrets="${COMPOSE_SECRETS_DIR:-secrets}"
mkdir -p "$secrets"
chmod 700 "$secrets"

random_hex() { python3 -c "import secrets; print(secrets.token_hex($1))"; }

keep_or_make() {
  local name="$1" value="$2"
  if [ -e "$secrets/$name" ]; then
    echo "$secrets/$name: kept"
  else
    printf '%s\n' "$value" >"$secrets/$name"
    echo "$secrets/$name: made"
  fi
  chmod 644 "$secrets/$name"
}

keep_or_make secret_key "$(random_hex 32)"
# The audit chain's signing key, under an id of its own (docs/audit.md says how to rotate it).
keep_or_make audit_keys "$(date +%Y)=$(random_hex 32)"
keep_or_make postgres_password "$(random_hex 24)"
keep_or_make s3_secret_access_key "$(random_hex 24)"
keep_or_make email_host_password ""
