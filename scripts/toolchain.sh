#!/usr/bin/env bash
# Makes Node 24 and the pinned pnpm available, installing them from the npm registry when
# this machine lacks them. Source it: `source scripts/toolchain.sh` (it extends PATH).
# Why a private prefix: Debian's Node 20 is past end of life, and a global install would
# fight with it; a versioned folder keeps both and is reused by later runs.
# Sourced: keep the caller's shell options as they were (restored at the end).
_hookrail_saved_flags="$-"
_hookrail_saved_pipefail="$(shopt -po pipefail || true)"
set -euo pipefail
_hookrail_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_node_major=24
_pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$_hookrail_root/package.json")"
_prefix="${HOOKRAIL_TOOLCHAIN_DIR:-$HOME/.cache/hookrail-toolchain}/node${_node_major}-pnpm${_pnpm_version}"

if ! node --version 2>/dev/null | grep -q "^v${_node_major}\."; then
  if [ ! -x "$_prefix/node_modules/node/bin/node" ] || [ ! -x "$_prefix/node_modules/.bin/pnpm" ]; then
    echo "toolchain: installing node@${_node_major} and pnpm@${_pnpm_version} into $_prefix" >&2
    mkdir -p "$_prefix"
    # node@24's preinstall script picks the platform binary; allow it explicitly.
    npm install --no-save --no-audit --no-fund --foreground-scripts --prefix "$_prefix" \
      "node@${_node_major}" "pnpm@${_pnpm_version}" >&2
    if [ ! -x "$_prefix/node_modules/node/bin/node" ]; then
      # npm 11 may refuse install scripts; fall back to the arch package's binary.
      bin="$(find "$_prefix/node_modules" -path '*node-linux-*/bin/node' -type f | head -n1)"
      [ -n "$bin" ] || { echo "toolchain: could not install node@${_node_major}" >&2; exit 1; }
      mkdir -p "$_prefix/node_modules/node/bin" && ln -sf "$bin" "$_prefix/node_modules/node/bin/node"
    fi
  fi
  export PATH="$_prefix/node_modules/node/bin:$_prefix/node_modules/.bin:$PATH"
elif ! pnpm --version 2>/dev/null | grep -qx "$_pnpm_version"; then
  if [ ! -x "$_prefix/node_modules/.bin/pnpm" ]; then
    mkdir -p "$_prefix"
    npm install --no-save --no-audit --no-fund --prefix "$_prefix" "pnpm@${_pnpm_version}" >&2
  fi
  export PATH="$_prefix/node_modules/.bin:$PATH"
fi
echo "toolchain: node $(node --version), pnpm $(pnpm --version)" >&2
case "$_hookrail_saved_flags" in *e*) set -e ;; *) set +e ;; esac
case "$_hookrail_saved_flags" in *u*) set -u ;; *) set +u ;; esac
eval "$_hookrail_saved_pipefail"
