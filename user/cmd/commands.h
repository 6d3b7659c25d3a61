/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The subcommands; each parses its own options and returns an exit code. */
#ifndef MTUGUARD_COMMANDS_H
#define MTUGUARD_COMMANDS_H

int cmd_watch(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_fix(int argc, char **argv);

#endif
