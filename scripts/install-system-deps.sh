#!/usr/bin/env bash
# Installs the system programs the test suite drives for real: promtool/Prometheus,
# Alertmanager, headless Chromium, redis-server, docker-compose (config validation only),
# Debian's PyTorch and torchvision (the crosscheck and differential tests) and oneDNN (the
# native kernels, rebuilt here if npm install ran without it), the DejaVu fonts the PNG and
# PDF figures are drawn with, and poppler-utils (pdfinfo, pdftotext, pdftoppm: the PDF
# figure tests read and render the PDFs with them).
# Runs as `pretest`; as root it uses apt-get, elsewhere it prints the exact command.
set -euo pipefail

declare -A need=(
  [promtool]=prometheus
  [prometheus]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager
  [chromium]=chromium
  [redis-server]=redis-server
  [docker-compose]=docker-compose
  [pdfinfo]=poppler-utils
  [pdffonts]=poppler-utils
  [pdftotext]=poppler-utils
  [pdftoppm]=poppler-utils
)

# Libraries and Python modules, checked by a file they install.
declare -A need_file=(
  [/usr/include/dnnl.hpp]=libdnnl-dev
  [/usr/lib/python3/dist-packages/torch/__init__.py]=python3-torch
  [/usr/lib/python3/dist-packages/torchvision/__init__.py]=python3-torchvision
  [/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf]=fonts-dejavu-core
)

addon=sim/backend/native/build/Release/permanence_kernels.node
rebuild_native() {
  if [ ! -f "$addon" ] && [ -f /usr/include/dnnl.hpp ]; then node sim/backend/native/build.mjs; fi
}

missing=()
for bin in "${!need[@]}"; do
  if ! command -v "$bin" >/dev/null 2>&1 && [ ! -x "/usr/bin/$bin" ]; then
    missing+=("${need[$bin]}")
  fi
done
for file in "${!need_file[@]}"; do
  [ -e "$file" ] || missing+=("${need_file[$file]}")
done
if [ ${#missing[@]} -eq 0 ]; then
  rebuild_native
  exit 0
fi
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests need these system packages: ${packages[*]}" >&2
  echo "Install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
  exit 1
fi

echo "Installing system packages for the tests: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# Debian starts these as services on install; the tests start their own on loopback.
for svc in prometheus prometheus-alertmanager redis-server prometheus-node-exporter; do
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
rebuild_native
