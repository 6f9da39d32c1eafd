#include "core/utf8.h"

#include <stdlib.h>

size_t utf8_char(const char *s, size_t n, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!n)
		return 0;
	unsigned c = p[0];
	size_t len;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2, min = 0x80, c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3, min = 0x800, c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

bool utf8_is_control(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

static size_t put_utf8(char *out, unsigned c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

int utf8_from_file(const char **text, size_t *len, char **owned, const char *data, size_t n)
{
	const unsigned char *p = (const unsigned char *)data;
	*owned = NULL;
	*text = data;
	*len = n;
	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		*text = data + 3;
		*len = n - 3;
		return 0;
	}
	bool le = n >= 2 && p[0] == 0xFF && p[1] == 0xFE;
	if (!le && !(n >= 2 && p[0] == 0xFE && p[1] == 0xFF))
		return 0;
	/* a unit of 2 bytes becomes at most 3, a pair of 4 bytes at most 4 */
	size_t units = (n - 2) / 2;
	char *out = malloc(units * 3 + 4);
	if (!out)
		return -1;
	size_t o = 0;
	for (size_t i = 0; i < units; i++) {
		const unsigned char *u = p + 2 + 2 * i;
		unsigned c = le ? (unsigned)(u[0] | u[1] << 8) : (unsigned)(u[0] << 8 | u[1]);
		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
			const unsigned char *v = u + 2;
			unsigned d = le ? (unsigned)(v[0] | v[1] << 8) : (unsigned)(v[0] << 8 | v[1]);
			if (d >= 0xDC00 && d <= 0xDFFF) {
				c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
				i++;
			}
		}
		if (c >= 0xD800 && c <= 0xDFFF)
			c = 0xFFFD;
		o += put_utf8(out + o, c);
	}
	if ((n - 2) % 2)
		o += put_utf8(out + o, 0xFFFD);
	out[o] = '\0';
	*owned = out;
	*text = out;
	*len = o;
	return 0;
}
