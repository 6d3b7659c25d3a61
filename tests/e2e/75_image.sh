# shellcheck shell=bash
# The image as shipped: built here (tools/image.sh: a Debian base from the
# archive, then deploy/Containerfile with buildah), and its own binary run
# from the image's root filesystem as the DaemonSet runs it: the manifest's
# arguments and capabilities, a read-only root, bpffs, the node's / at
# /host and /run/netns mapped in. Sourced by tests/e2e.sh.

IMAGE_TAG=localhost/mtuguard:e2e
IMAGE_CTR=$LAB_PREFIX-image

# Runs "$@" (mtuguard's arguments) from the image's root filesystem $1 in
# the node netns, in a mount namespace of its own, as the kubelet would.
run_from_image() {
	local rootfs=$1 caps=$2
	shift 2
	mkdir -p "$rootfs/host" "$rootfs/run/netns" "$LAB_HOST/var/lib/cni"
	# exec all the way down: the caller's $! is mtuguard itself (SIGTERM).
	exec nsenter --net="/run/netns/$NS_NODE" unshare --mount --propagation private -- bash -c '
		set -e
		r=$1 caps=$2 host=$3 cache=$4
		shift 4
		ro() { mount --bind "$1" "$2"; mount -o remount,bind,ro "$2"; }
		mount --bind "$r" "$r"
		mount -t proc proc "$r/proc"
		mount -t sysfs sysfs "$r/sys"
		mount --bind /sys/fs/bpf "$r/sys/fs/bpf"
		ro "$host" "$r/host"
		ro "$cache" "$r/host/var/lib/cni"
		mount --rbind /run/netns "$r/run/netns"
		mount -o remount,bind,ro "$r"
		exec chroot "$r" setpriv --bounding-set="-all,$caps" -- /usr/local/bin/mtuguard "$@"
	' run_from_image "$rootfs" "$caps" "$LAB_HOST" "$LAB_CNI_CACHE" "$@"
}

test_image_runs_as_the_daemonset_does() {
	daemonset_json || fail "kubectl cannot decode the manifest" || return 1
	local caps args rootfs
	caps=$(jq -r '.spec.template.spec.containers[0].securityContext.capabilities.add | map("+" + ascii_downcase) | join(",")' "$WORK/ds.json")
	mapfile -t args < <(jq -r '.spec.template.spec.containers[0].args[] | sub("^--pin=.*"; "--pin='"$PIN"'")' "$WORK/ds.json")
	"$ROOT/tools/image.sh" "$IMAGE_TAG" >"$WORK/image.log" 2>&1 || fail "the image does not build: $(tail -5 "$WORK/image.log")" || return 1
	note "$(grep '^image:' "$WORK/image.log" | tr '\n' ' ')"
	buildah rm "$IMAGE_CTR" >/dev/null 2>&1
	buildah from --quiet --name "$IMAGE_CTR" "$IMAGE_TAG" >/dev/null || fail "buildah from" || return 1
	rootfs=$(buildah mount "$IMAGE_CTR") || fail "buildah mount" || return 1
	lab incident
	run_from_image "$rootfs" "$caps" "${args[@]}" --uplink "$UPLINK" >"$WATCH_OUT" 2>"$WATCH_ERR" &
	WATCH_PID=$!
	wait_for 15 watch_started || fail "the image's watch did not start: $(cat "$WATCH_ERR")" || return 1
	node curl -sf http://127.0.0.1:9465/healthz >/dev/null && node curl -sf -o "$WORK/metrics" http://127.0.0.1:9465/metrics ||
		fail "/healthz or /metrics did not answer" || return 1
	grep -q '^mtuguard_pods_watched 2$' "$WORK/metrics" || fail "metrics: $(grep pods_watched "$WORK/metrics")" || return 1
	in_ns "$NS_WEB" ping -q -c 2 -i 0.2 -W 1 -M do -s 1472 "$REMOTE_IP" >/dev/null 2>&1
	stop_watch TERM || fail "the image's watch did not stop on SIGTERM (exit $?): $(cat "$WATCH_ERR") $(tail -3 "$WATCH_OUT")" || return 1
	[[ $(alert_sum ".pod.name == \"$WEB_POD\"") == 2 ]] || fail "alerts from the image: $(alerts)" || return 1
	# The DaemonSet keeps its hooks (--keep-attached); the uninstall's
	# detach, from the same image with its own capabilities, removes them.
	[[ $(our_links) -eq 5 ]] || fail "SIGTERM left $(our_links) links, want the 5 kept" || return 1
	kubectl label --local -f "$ROOT/deploy/uninstall.yaml" checked=yes -o json >"$WORK/un.json" 2>/dev/null || fail "kubectl cannot decode uninstall.yaml" || return 1
	caps=$(jq -r '.spec.template.spec.initContainers[0].securityContext.capabilities.add | map("+" + ascii_downcase) | join(",")' "$WORK/un.json")
	mapfile -t args < <(jq -r '.spec.template.spec.initContainers[0].args[] | sub("^--pin=.*"; "--pin='"$PIN"'")' "$WORK/un.json")
	(run_from_image "$rootfs" "$caps" "${args[@]}") >"$WORK/detach.out" 2>&1 || fail "the image's detach failed: $(cat "$WORK/detach.out")" || return 1
	buildah rm "$IMAGE_CTR" >/dev/null 2>&1
	[[ $(our_links) -eq 0 ]] || fail "the uninstall's detach left $(our_links) links"
}
