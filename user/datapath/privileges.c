// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/privileges.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "lib/log.h"

static bool has_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return !cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) && v == CAP_SET;
}

int privileges_check(void)
{
	cap_t caps = cap_get_proc();
	bool admin, bpf, perfmon, net_admin;
	char missing[64] = "";

	if (!caps)
		return 0; /* cannot tell: let the kernel decide */
	admin = has_cap(caps, CAP_SYS_ADMIN);
	bpf = admin || has_cap(caps, CAP_BPF);
	perfmon = admin || has_cap(caps, CAP_PERFMON);
	net_admin = has_cap(caps, CAP_NET_ADMIN);
	cap_free(caps);
	if (bpf && perfmon && net_admin)
		return 0;
	snprintf(missing, sizeof(missing), "%s%s%s", bpf ? "" : " CAP_BPF",
		 perfmon ? "" : " CAP_PERFMON", net_admin ? "" : " CAP_NET_ADMIN");
	pr_err("permission denied: watching needs root, or CAP_BPF, CAP_PERFMON and "
	       "CAP_NET_ADMIN (missing:%s); run with sudo",
	       missing);
	return -EPERM;
}

bool privileges_net_broadcast(void)
{
	cap_t caps = cap_get_proc();
	bool ok;

	if (!caps)
		return true; /* cannot tell */
	ok = has_cap(caps, CAP_NET_BROADCAST);
	cap_free(caps);
	return ok;
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
