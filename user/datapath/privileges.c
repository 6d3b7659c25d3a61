// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/privileges.h"

#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "lib/log.h"

static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return !cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) && v == CAP_SET;
}

int privileges_check(struct privileges *p)
{
	cap_t caps = cap_get_proc();
	bool ok;

	p->perfmon = true;
	if (!caps)
		return 0; /* cannot tell: let the kernel decide */
	ok = (has_cap(caps, CAP_BPF) || has_cap(caps, CAP_SYS_ADMIN)) &&
	     has_cap(caps, CAP_NET_ADMIN);
	p->perfmon = has_cap(caps, CAP_PERFMON) || has_cap(caps, CAP_SYS_ADMIN);
	cap_free(caps);
	if (!ok) {
		pr_err("permission denied: watching needs root, or CAP_BPF and CAP_NET_ADMIN "
		       "(and CAP_PERFMON for confirmed drops); run with sudo");
		return -EPERM;
	}
	if (!p->perfmon)
		pr_warn("no CAP_PERFMON: the kernel's confirmed drops (kfree_skb) are not "
			"counted, predicted ones are");
	return 0;
}

int privileges_drop(void)
{
	static const cap_value_t keep[] = { CAP_BPF, CAP_NET_ADMIN };
	cap_t caps = cap_init(); /* all clear */
	int err = 0;

	if (!caps)
		return -errno;
	if (cap_set_flag(caps, CAP_PERMITTED, 2, keep, CAP_SET) ||
	    cap_set_flag(caps, CAP_EFFECTIVE, 2, keep, CAP_SET) || cap_set_proc(caps))
		err = -errno;
	cap_free(caps);
	/* And no way back through exec of a setuid or file-capable binary. */
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
	if (err)
		pr_warn("cannot drop capabilities after attaching (%s); running with what it "
			"started with",
			strerror(-err));
	else
		pr_info("attached; keeping only CAP_BPF and CAP_NET_ADMIN");
	return err;
}
