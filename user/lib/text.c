// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/text.h"

#include <string.h>

/* The length of the valid UTF-8 sequence at @s (1 to 4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and what is past Unicode are invalid. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

bool text_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;
	bool changed = false;

	while (*p) {
		size_t n = utf8_len(p);

		if (!n || *p < 0x20 || *p == 0x7f || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)) {
			/* an invalid byte, or a C0, DEL or C1 control */
			size_t k = n ? n : 1;

			memset(p, '?', k);
			p += k;
			changed = true;
			continue;
		}
		p += n;
	}
	return changed;
}

void text_shell_word(const char *word, char *out, size_t size)
{
	size_t i, o = 0;

	if (word[0] && strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789._/-") == strlen(word)) {
		if (strlen(word) < size)
			memcpy(out, word, strlen(word) + 1);
		else if (size)
			out[0] = '\0';
		return;
	}
	if (size < 3) {
		if (size)
			out[0] = '\0';
		return;
	}
	out[o++] = '\'';
	for (i = 0; word[i]; i++) {
		const char *piece = word[i] == '\'' ? "'\\''" : NULL;
		size_t len = piece ? 4 : 1;

		if (o + len + 2 > size) {
			out[0] = '\0';
			return;
		}
		if (piece)
			memcpy(out + o, piece, len);
		else
			out[o] = word[i];
		o += len;
	}
	out[o++] = '\'';
	out[o] = '\0';
}
