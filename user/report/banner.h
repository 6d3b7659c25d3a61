/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The watch's start: the `start` event (--json) or the banner listing each
 * Pod veth with its MTUs, once every hook is attached.
 */
#ifndef MTUGUARD_BANNER_H
#define MTUGUARD_BANNER_H

#include <stdbool.h>
#include <stddef.h>

#include "limits/view.h"

struct assist_opts;

struct banner {
	const char *attach;		  /* "tcx", "tc" or "xdp" (the first hook's), "none" */
	const char *uplink_hook;	  /* "xdp" or "tc" */
	size_t taken_over;		  /* hooks taken over from an earlier watch */
	bool keep_attached;		  /* --keep-attached: the hooks stay at exit */
	const struct assist_opts *assist; /* --assist or --clamp-mss; NULL: off */
};

void banner_print(const struct view *v, const struct banner *b, bool json);

#endif
