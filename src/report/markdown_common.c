#include "report/markdown_common.h"

#include <string.h>

#include "core/utf8.h"

const char *const md_status_marks[4] = {"✅ pass", "❌ fail", "➖ n/a", "❔ unknown"};

void md_put_inline(FILE *out, const char *s)
{
	for (size_t n = s ? strlen(s) : 0; n;) {
		unsigned cp;
		size_t len = utf8_char(s, n, &cp);
		if (!len || utf8_is_control(cp))
			fputc(' ', out);
		else if (cp < 0x80 && strchr("\\`*_[]<>|#!~", (int)cp))
			fprintf(out, "\\%c", (char)cp);
		else if (cp == '&')
			fputs("&amp;", out);
		else
			fwrite(s, 1, len, out);
		len = len ? len : 1;
		s += len;
		n -= len;
	}
}

static void put_fence(FILE *out, int n)
{
	while (n-- > 0)
		fputc('`', out);
}

void md_put_code(FILE *out, const char *lang, const char *s, bool tight)
{
	int longest = 0, run = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	int fence = longest >= 3 ? longest + 1 : 3;
	put_fence(out, fence);
	fprintf(out, "%s\n", lang);
	size_t n = strlen(s);
	for (const char *p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		fputc(ch < 0x20 && ch != '\t' && ch != '\n' ? ' ' : ch, out);
	}
	fputs(tight && n && s[n - 1] == '\n' ? "" : "\n", out);
	put_fence(out, fence);
	fputc('\n', out);
}
