/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names from outside (a CNI cache file, a Pod map, OVSDB, the kernel's
 * interface names) made safe to print: no control character reaches a
 * terminal (it could clear the screen or forge an alert line), no invalid
 * UTF-8 reaches JSON or a Prometheus label (one bad byte makes a whole
 * scrape invalid), and a word pasted into a shell command stays one word.
 */
#ifndef MTUGUARD_TEXT_H
#define MTUGUARD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Replaces, in place, every control character and every byte of an
 * invalid UTF-8 sequence with '?'; true when it changed anything. */
bool text_clean(char *s);
/* @word as one shell word: as is when it holds only [A-Za-z0-9._/-], else
 * in single quotes ('\'' for a quote). "" when it does not fit @size. */
void text_shell_word(const char *word, char *out, size_t size);

#endif
