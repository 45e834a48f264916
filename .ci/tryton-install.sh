#!/usr/bin/env bash
# Installs Tryton 6.0 from Debian bookworm for the ERP connector tests (test/support/tryton/).
# Idempotent: does nothing when every package is already installed.
# --no-install-recommends keeps it to ~32 small packages; with Recommends apt pulls in LibreOffice,
# PostgreSQL and more (hundreds of packages). The SQLite backend is built into trytond, so no driver is added.
set -euo pipefail

PACKAGES=(
  tryton-server tryton-proteus
  tryton-modules-company tryton-modules-party tryton-modules-currency tryton-modules-product
  tryton-modules-account-invoice tryton-modules-account-payment
  tryton-modules-purchase tryton-modules-purchase-request tryton-modules-purchase-requisition
)

missing=()
for p in "${PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "tryton: already installed ($(dpkg-query -W -f='${Version}' tryton-server))"
  exit 0
fi

started=$(date +%s)
echo "tryton: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
echo "tryton: installed $(dpkg-query -W -f='${Version}' tryton-server) in $(( $(date +%s) - started )) s"
