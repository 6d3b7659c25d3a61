// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `mtuguard detach`: remove every link, filter and pin mtuguard left. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "datapath/attach.h"
#include "datapath/bpffs.h"
#include "lib/cli.h"
#include "cmd/commands.h"
#include "lib/log.h"
#include "report/json.h"

static const char detach_help[] =
	"Usage: mtuguard detach [OPTIONS]\n"
	"\n"
	"Remove everything mtuguard attached or pinned in this network namespace:\n"
	"the TCX and XDP links pinned under DIR/links, the clsact filters at mtuguard's\n"
	"handle (0x6d67) and priority (1) whose program is mtuguard's, and the maps\n"
	"pinned in DIR. Other programs, filters and the clsact qdisc itself are left\n"
	"alone. A watch detaches by itself when it stops; this is for one that was\n"
	"killed or ran with --keep-attached (the DaemonSet's: deploy/uninstall.yaml runs\n"
	"this on every node), and to drop the counters `mtuguard stats` reads.\n"
	"\n";

static const char detach_help_outro[] =
	"\n"
	"Exit status: 0 success (also when there was nothing to remove), 2 error\n"
	"(a running watch holds DIR, no privileges).\n";

int cmd_detach(int argc, char **argv)
{
	struct common_opts common;
	struct opt_group group;
	int removed = 0;
	int lock_fd, err;

	cli_common_init(&common, "one JSON document on stdout", MG_DEFAULT_PIN_DIR,
			"the pin directory (default " MG_DEFAULT_PIN_DIR ")");
	group = cli_common_group(&common, "Options");
	err = options_parse("detach", argc, argv, &group, 1);
	if (err == CLI_HELP) {
		fputs(detach_help, stdout);
		options_print_help(stdout, &group, 1);
		fputs(detach_help_outro, stdout);
		return EXIT_OK;
	}
	if (err)
		return EXIT_ERROR;
	cli_apply_common(&common);
	if (pin_dir_check(common.pin_dir) == -EINVAL)
		return EXIT_ERROR;
	if (geteuid() != 0)
		pr_info("not root: removing links and filters needs CAP_NET_ADMIN and CAP_BPF");

	lock_fd = pin_dir_lock(common.pin_dir, false);
	if (lock_fd == -EBUSY) {
		pr_err("a running mtuguard watch holds %s; stop it (Ctrl-C or SIGTERM) and it "
		       "detaches by itself",
		       common.pin_dir);
		return EXIT_ERROR;
	}
	err = detach_leftovers(common.pin_dir, &removed);
	if (err) {
		pr_err("cannot remove mtuguard's hooks: %s", strerror(-err));
		goto out;
	}
	if (lock_fd >= 0)
		err = pin_dir_remove(common.pin_dir, &removed, true);
out:
	if (lock_fd >= 0)
		close(lock_fd);
	if (common.json) {
		struct json_object *o = json_event("detach");

		json_object_object_add(o, "removed", json_object_new_int(removed));
		json_object_object_add(o, "ok", json_object_new_boolean(!err));
		json_print_line(o);
	} else {
		printf("mtuguard: removed %d link%s, filter%s and pin%s\n", removed,
		       removed == 1 ? "" : "s", removed == 1 ? "" : "s", removed == 1 ? "" : "s");
	}
	return err ? EXIT_ERROR : EXIT_OK;
}
