// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/progs.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "datapath/bpffs.h"
#include "lib/log.h"
#include "mtuguard.skel.h"

static struct bpf_program *skel_prog(const struct mtuguard_bpf *skel, enum guard_prog which)
{
	switch (which) {
	case GUARD_PROG_POD_INGRESS:
		return skel->progs.mg_pod_ingress;
	case GUARD_PROG_POD_EGRESS:
		return skel->progs.mg_pod_egress;
	case GUARD_PROG_UPLINK_TC:
		return skel->progs.mg_uplink_tc;
	case GUARD_PROG_UPLINK_XDP:
	case GUARD_PROG_MAX:
		break;
	}
	return skel->progs.mg_uplink_xdp;
}

/* FNV-1a, 64 bits: a fingerprint, not a defence (the pins are root's). */
static __u64 fnv1a(__u64 h, const void *data, size_t size)
{
	const unsigned char *b = data;
	size_t i;

	for (i = 0; i < size; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

__u64 progs_fingerprint(const void *elf, size_t elf_size, const void *ro, size_t ro_size)
{
	__u64 h = fnv1a(fnv1a(0xcbf29ce484222325ULL, elf, elf_size), ro, ro ? ro_size : 0);

	return h ? h : 1; /* 0 means "unknown" */
}

void progs_init(struct guard_progs *p, const struct mtuguard_bpf *skel)
{
	size_t elf_size = 0, ro_size = 0;
	const void *elf = mtuguard_bpf__elf_bytes(&elf_size);
	const void *ro = bpf_map__initial_value(skel->maps.rodata, &ro_size);
	int i;

	for (i = 0; i < GUARD_PROG_MAX; i++)
		p->fd[i] = -1;
	p->reused = false;
	p->build_hash = progs_fingerprint(elf, elf_size, ro, ro_size);
}

bool progs_reuse(struct guard_progs *p, struct mtuguard_bpf *skel, const char *pin_dir,
		 __u64 pinned_hash)
{
	char path[PATH_MAX];
	int i;

	if (pinned_hash != p->build_hash)
		return false;
	for (i = 0; i < GUARD_PROG_MAX; i++) {
		struct bpf_program *prog = skel_prog(skel, i);

		if (!bpf_program__autoload(prog))
			continue;
		pin_prog_path(path, sizeof(path), pin_dir, bpf_program__name(prog));
		p->fd[i] = bpf_obj_get(path);
		if (p->fd[i] < 0) {
			/* One missing (another uplink hook): load them all. */
			while (i--) {
				if (p->fd[i] >= 0)
					close(p->fd[i]);
				p->fd[i] = -1;
			}
			return false;
		}
	}
	for (i = 0; i < GUARD_PROG_MAX; i++) {
		if (p->fd[i] >= 0)
			bpf_program__set_autoload(skel_prog(skel, i), false);
	}
	p->reused = true;
	return true;
}

int progs_loaded(struct guard_progs *p, struct mtuguard_bpf *skel, const char *pin_dir)
{
	char path[PATH_MAX];
	int i;

	if (p->reused)
		return 0;
	for (i = 0; i < GUARD_PROG_MAX; i++) {
		struct bpf_program *prog = skel_prog(skel, i);

		if (!bpf_program__autoload(prog))
			continue;
		p->fd[i] = bpf_program__fd(prog);
		pin_prog_path(path, sizeof(path), pin_dir, bpf_program__name(prog));
		unlink(path); /* the earlier watch's, taken over or detached */
		if (bpf_program__pin(prog, path)) {
			int err = -errno;

			pr_err("cannot pin %s: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

void progs_close(struct guard_progs *p)
{
	int i;

	for (i = 0; i < GUARD_PROG_MAX; i++) {
		if (p->reused && p->fd[i] >= 0)
			close(p->fd[i]);
		p->fd[i] = -1;
	}
	p->reused = false;
}
