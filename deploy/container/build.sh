#!/usr/bin/env bash
# Builds the leadscore container image from a binary cargo built outside it.
#
#   deploy/container/build.sh [BINARY] [TAG]
#
# BINARY  the leadscore executable (default: $CARGO_TARGET_DIR/release/leadscore,
#         CARGO_TARGET_DIR defaulting to the repository's target/)
# TAG     the image's name (default: leadscore:VERSION, VERSION from the
#         binary's --version)
#
# The image is built FROM scratch out of a root file system made here: the
# binary (debug info stripped), exactly the shared libraries `ldd` lists for it
# with the dynamic loader, a minimal /etc (passwd and group with the service's
# user, uid 10001; nsswitch.conf; the host's CA certificates, which reqwest's
# native roots read for HTTPS webhooks), /tmp, the shipped models and sample
# under /usr/share/leadscore, and /data, the service's working directory,
# owned by that user. Nothing is downloaded: no base image, no registry.
#
# Environment:
#   PODMAN                 the podman command (default: podman)
#   PODMAN_STORAGE_DRIVER  its storage driver (default: vfs, which needs no
#                          kernel overlay support; empty: podman's own default)
#   PODMAN_FLAGS           more global podman flags, split on spaces, e.g.
#                          "--root DIR --runroot DIR" for a separate image store
#   PODMAN_BUILD_FLAGS     more `podman build` flags, split on spaces
#   CA_CERTIFICATES        the CA bundle to ship
#                          (default: /etc/ssl/certs/ca-certificates.crt)
#   STRIP                  how the binary is copied: "debug" (default: drop the
#                          debug info, keep the symbols for backtraces), "all"
#                          (drop the symbols too) or "none"
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here="$repo/deploy/container"

# The service's user and group in the image.
uid=10001
gid=10001

die() {
  echo "build.sh: $*" >&2
  exit 1
}

binary=${1:-${CARGO_TARGET_DIR:-$repo/target}/release/leadscore}
[ -f "$binary" ] && [ -x "$binary" ] ||
  die "no executable $binary: build it first (cargo build --release), or name it: build.sh BINARY [TAG]"
command -v ldd >/dev/null || die "ldd is missing (Debian: libc-bin)"
podman_cmd=${PODMAN:-podman}
command -v "$podman_cmd" >/dev/null || die "$podman_cmd is missing (Debian: apt-get install podman)"

version=$("$binary" --version) || die "$binary --version failed"
version=${version%%$'\n'*} # "leadscore 0.1.0"
version=${version##* }
[[ $version =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || die "cannot read a version from $binary --version"
tag=${2:-leadscore:$version}

ca=${CA_CERTIFICATES:-/etc/ssl/certs/ca-certificates.crt}
[ -s "$ca" ] || die "no CA certificates at $ca (Debian: apt-get install ca-certificates, or set CA_CERTIFICATES)"

context=$(mktemp -d "${TMPDIR:-/tmp}/leadscore-image.XXXXXX")
trap 'rm -rf "$context"' EXIT
root="$context/rootfs"

# Directories: everything root's and read-only to the service but /tmp, and
# /data (its own build-context folder: the Containerfile copies it owned by the
# service's user).
install -d -m 0755 "$root/usr/bin" "$root/etc/ssl/certs" "$root/usr/share/leadscore"
install -d -m 1777 "$root/tmp"
install -d -m 0750 "$context/data"

# The binary, without its debug info (a debug build carries ~1 GB of it).
echo "copying $binary (strip: ${STRIP:-debug})" >&2
case ${STRIP:-debug} in
  debug) objcopy --strip-debug "$binary" "$root/usr/bin/leadscore" ;;
  all) objcopy --strip-all "$binary" "$root/usr/bin/leadscore" ;;
  none) cp "$binary" "$root/usr/bin/leadscore" ;;
  *) die "STRIP must be debug, all or none, not ${STRIP}" ;;
esac
chmod 0755 "$root/usr/bin/leadscore"

# Exactly the shared libraries the binary loads, at the paths the host's loader
# found them, and the loader itself (the path the binary names as its
# interpreter). A static binary has none.
if ldd_out=$(ldd "$binary" 2>&1); then
  if grep -q 'not found' <<<"$ldd_out"; then
    die "$binary needs libraries this machine does not have:
$ldd_out"
  fi
  libs=$(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$ldd_out" | sort -u)
  for lib in $libs; do
    install -d -m 0755 "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
    echo "  + $lib" >&2
  done
elif ! grep -q -e 'not a dynamic executable' -e 'statically linked' <<<"$ldd_out"; then
  die "ldd $binary failed: $ldd_out"
fi

# Users and groups: root, and the service's own user, whose home is /data.
cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/usr/sbin/nologin
leadscore:x:$uid:$gid:leadscore:/data:/usr/sbin/nologin
EOF
cat >"$root/etc/group" <<EOF
root:x:0:
leadscore:x:$gid:
EOF
cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/nsswitch.conf"

# CA certificates: webhooks are delivered with reqwest over rustls with the
# platform's roots (SSL_CERT_FILE names this file in the image).
install -m 0644 "$ca" "$root/etc/ssl/certs/ca-certificates.crt"

# The shipped models and sample, for `serve --load-sample --models
# /usr/share/leadscore/models --sample /usr/share/leadscore/training-data/sample`.
cp -R "$repo/models" "$root/usr/share/leadscore/models"
install -d -m 0755 "$root/usr/share/leadscore/training-data"
cp -R "$repo/training-data/sample" "$root/usr/share/leadscore/training-data/sample"
chmod -R u=rwX,go=rX "$root/usr/share/leadscore"

cp "$here/Containerfile" "$context/Containerfile"

podman=("$podman_cmd")
storage_driver=${PODMAN_STORAGE_DRIVER-vfs}
if [ -n "$storage_driver" ]; then
  podman+=(--storage-driver "$storage_driver")
fi
# shellcheck disable=SC2206 # split on spaces on purpose
podman+=(${PODMAN_FLAGS:-})
# shellcheck disable=SC2206
build_flags=(${PODMAN_BUILD_FLAGS:-})

echo "building $tag ($(du -sh "$root" | cut -f1) root file system)" >&2
# One layer: with vfs every layer is a full copy of the file system.
"${podman[@]}" build --layers=false --pull=never --network=none \
  --build-arg "VERSION=$version" "${build_flags[@]}" \
  --tag "$tag" --file "$context/Containerfile" "$context" >&2
echo "$tag"
