#!/usr/bin/env bash
# Installs the Debian packages the tests use (idempotent; needs root or sudo): Chromium for the UI
# tests, Python with numpy, h5py, Pillow and scikit-image for the Python runners and the
# cross-checks, PyTorch for bioimage.io models' TorchScript weights, pytest and requests for the
# ported Compox HTTP tests, PostgreSQL and Redis for cluster mode's tests; then starts the
# services (scripts/start-services.sh). Recommends are left out (PyTorch's pull in Qt and codecs).
set -euo pipefail
packages=(chromium xvfb python3-numpy python3-h5py python3-skimage python3-pil python3-tifffile python3-torch python3-pytest python3-requests postgresql redis-server)
need=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all installed (${packages[*]})"
else
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  echo "system packages: installed ${need[*]}"
fi
bash "$(dirname "$0")/start-services.sh"
