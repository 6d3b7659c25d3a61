#!/usr/bin/env bash
# The C sources against .clang-format (kernel style). `tools/format.sh check`
# lists the files that differ and fails; `tools/format.sh fix` rewrites them.
# vmlinux/vmlinux.h is generated and left as bpftool wrote it.
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}
mode=${1:-check}

mapfile -t files < <(git ls-files -co --exclude-standard -- \
	'user/*.[ch]' 'bpf/*.[ch]' 'include/*.h' 'tests/*.[ch]' 'tools/*.[ch]')
differ=()
for f in "${files[@]}"; do
	[[ -f $f ]] || continue
	if [[ $mode == fix ]]; then
		"$CLANG_FORMAT" -i "$f"
	elif ! "$CLANG_FORMAT" "$f" | cmp -s - "$f"; then
		differ+=("$f")
	fi
done
if ((${#differ[@]})); then
	echo "these files differ from .clang-format (tools/format.sh fix rewrites them):"
	printf '  %s\n' "${differ[@]}"
	exit 1
fi
[[ $mode == fix ]] || echo "${#files[@]} files match .clang-format"
