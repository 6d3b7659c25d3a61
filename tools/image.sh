#!/usr/bin/env bash
# `make image`: the DaemonSet's image, built here with no registry. A Debian
# bookworm base is made from the archive once (mmdebstrap, cached as
# .output/image/bookworm-minbase.tar and as the local image
# localhost/mtuguard-base:bookworm), then deploy/Containerfile is built on
# it with buildah's chroot isolation (this machine's container runtime cannot
# start containers; buildah's RUN steps in a chroot can).
#
#   tools/image.sh [IMAGE]      (default localhost/mtuguard:dev; run as root)
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${1:-localhost/mtuguard:dev}
BASE=localhost/mtuguard-base:bookworm
MIRROR=${MIRROR:-http://deb.debian.org/debian}
CACHE=.output/image
TARBALL=$CACHE/bookworm-minbase.tar

for tool in buildah mmdebstrap; do
	command -v "$tool" >/dev/null || {
		echo "image: $tool is missing: tools/install-deps.sh installs it" >&2
		exit 2
	}
done
mkdir -p "$CACHE"
if ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
	if [[ ! -s $TARBALL ]]; then
		start=$(date +%s)
		echo "image: making a Debian bookworm base from $MIRROR (once)"
		mmdebstrap --variant=minbase --quiet bookworm "$TARBALL.new" "$MIRROR"
		mv "$TARBALL.new" "$TARBALL"
		echo "image: base made in $(($(date +%s) - start)) s"
	fi
	ctr=$(buildah from scratch)
	trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
	buildah add --quiet "$ctr" "$TARBALL" / >/dev/null
	buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
	buildah commit --quiet "$ctr" "$BASE" >/dev/null
	buildah rm "$ctr" >/dev/null
	trap - EXIT
fi
start=$(date +%s)
buildah bud --quiet --isolation chroot --build-arg "BASE=$BASE" --build-arg "RUNTIME_BASE=$BASE" \
	-f deploy/Containerfile -t "$IMAGE" . >/dev/null
echo "image: $IMAGE built in $(($(date +%s) - start)) s, $(buildah images --format '{{.Size}}' "$IMAGE")"
# The image a rebuild replaced is left untagged: drop the untagged ones.
buildah rmi --prune >/dev/null 2>&1 || true
