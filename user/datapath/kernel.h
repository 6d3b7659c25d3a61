/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What this kernel offers mtuguard, asked once before loading: BTF (which
 * every CO-RE program needs), the PKT_TOO_BIG drop reason (confirmed
 * drops), and the inode of our netns (kfree_skb fires for every netns).
 */
#ifndef MTUGUARD_KERNEL_H
#define MTUGUARD_KERNEL_H

#include <stdbool.h>

#include <linux/types.h>

/* Reports and returns -ENOENT when the kernel exposes no BTF. */
int kernel_check_btf(void);
/* Whether the kernel's BTF knows SKB_DROP_REASON_PKT_TOO_BIG. */
bool kernel_has_pkt_too_big_reason(void);
/* The inode number of this process's netns, 0 when it cannot be read. */
__u32 kernel_own_netns_ino(void);

#endif
