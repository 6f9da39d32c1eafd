/* The frame of every HTML page: one file with an inline style, no script, nothing loaded
 * from the network (the Content-Security-Policy says so to the browser too), readable at
 * 1280 px, on a 390 px phone and printed. And the charts, drawn as inline SVG. */
#include <string.h>

#include "report/html.h"

static const char style[] =
    "*{box-sizing:border-box}"
    "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2433;"
    "max-width:68rem;margin:1.5rem auto;padding:0 1.25rem;background:#fff}"
    "h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.3rem;margin:2.25rem 0 .75rem;"
    "border-bottom:2px solid #e3e7ef;padding-bottom:.25rem}h3{font-size:1.05rem;margin:1rem 0 .4rem}"
    "a{color:#1f5fbf}code,pre,.where{font-family:ui-monospace,Menlo,Consolas,monospace}"
    ".meta{color:#5b6478;font-size:.9rem;margin:0;word-break:break-all}"
    ".verdict{border-radius:8px;padding:1rem 1.25rem;margin:1rem 0 .75rem;font-size:1.2rem;"
    "font-weight:650;border:2px solid}"
    ".verdict.bad{background:#fdecec;border-color:#d93a3a;color:#8a1414}"
    ".verdict.ok{background:#e9f7ef;border-color:#2e9d5b;color:#14532d}"
    ".verdict.na{background:#f1f3f7;border-color:#9aa3b5;color:#39404f}"
    ".todo{margin:.25rem 0 1rem;padding-left:1.25rem}.todo li{margin:.2rem 0}"
    ".charts{display:grid;grid-template-columns:repeat(3,1fr);gap:1rem;margin:1rem 0}"
    ".charts figure{margin:0;border:1px solid #e3e7ef;border-radius:8px;padding:.75rem}"
    ".charts figcaption{font-weight:650;margin-bottom:.4rem}"
    ".charts svg{width:100%;height:auto;display:block}"
    ".charts svg text{font:13px system-ui,sans-serif;fill:#1d2433}"
    ".legend{list-style:none;margin:.5rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem .9rem;"
    "font-size:.9rem}.legend b{font-size:1.05rem}"
    ".dot{display:inline-block;width:.7rem;height:.7rem;border-radius:2px;margin-right:.3rem}"
    ".f-pass{fill:#2e9d5b;background:#2e9d5b}.f-fail{fill:#d93a3a;background:#d93a3a}"
    ".f-unknown{fill:#e0a100;background:#e0a100}.f-na{fill:#b8bfcc;background:#b8bfcc}"
    ".f-critical{fill:#7f1d1d;background:#7f1d1d}.f-high{fill:#d93a3a;background:#d93a3a}"
    ".f-medium{fill:#f0a020;background:#f0a020}.f-low{fill:#6b9bd8;background:#6b9bd8}"
    ".f-info{fill:#9aa3b5;background:#9aa3b5}.f-bar{fill:#4a6fa5}"
    "nav.toc{border:1px solid #e3e7ef;border-radius:8px;padding:.5rem .9rem;font-size:.92rem;"
    "display:flex;flex-wrap:wrap;gap:.2rem 1.1rem}nav.toc a{white-space:nowrap}"
    ".sev{display:inline-block;border-radius:4px;padding:0 .45rem;font-size:.78rem;font-weight:700;"
    "text-transform:uppercase;letter-spacing:.02em;vertical-align:1px}"
    ".critical{background:#7f1d1d;color:#fff}.high{background:#d93a3a;color:#fff}"
    ".medium{background:#f0a020;color:#2b1a00}.low{background:#cfe0f7;color:#123}"
    ".info{background:#e3e7ef;color:#123}"
    ".kind{display:inline-block;border-radius:4px;padding:0 .45rem;font-size:.8rem;font-weight:700}"
    ".kind.live{background:#7f1d1d;color:#fff}.kind.sandbox{background:#cfe0f7;color:#123}"
    ".kind.unknown{background:#f0a020;color:#2b1a00}"
    "table{border-collapse:collapse;width:100%;font-size:.92rem}"
    "th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e3e7ef;vertical-align:top}"
    "th{background:#f6f8fb}td.count{white-space:nowrap}.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".matrix th,.matrix td{text-align:center;font-size:.8rem;padding:.3rem}"
    ".matrix td:first-child,.matrix th:first-child{text-align:left}"
    ".st{font-weight:700;white-space:nowrap}.st-pass{color:#2e7d4f}.st-fail{color:#c62828}"
    ".st-na{color:#6b7385}.st-unknown{color:#9a6700}"
    ".key{border:1px solid #e3e7ef;border-left:5px solid #7f1d1d;border-radius:6px;"
    "padding:.6rem .9rem;margin:.75rem 0;break-inside:avoid}.key h3{margin:0 0 .25rem;overflow-wrap:anywhere}.key p{overflow-wrap:anywhere}"
    ".key ul{margin:.3rem 0;padding-left:1.2rem}.key li{overflow-wrap:anywhere}"
    "details.rule{border:1px solid #e3e7ef;border-radius:8px;margin:.9rem 0;padding:0 .9rem}"
    "details.rule>summary{cursor:pointer;padding:.6rem 0;font-weight:650}"
    "details.rule[open]>summary{border-bottom:1px solid #e3e7ef;margin-bottom:.5rem}"
    ".finding{border-left:4px solid #9aa3b5;padding:.1rem 0 .1rem .8rem;margin:1rem 0;"
    "break-inside:avoid}"
    ".finding.s-critical{border-left-color:#7f1d1d}.finding.s-high{border-left-color:#d93a3a}"
    ".finding.s-medium{border-left-color:#f0a020}.finding.s-low{border-left-color:#6b9bd8}"
    ".what{margin:.2rem 0;font-weight:600}"
    ".where{font-size:.86rem;color:#39404f;word-break:break-all;margin:.1rem 0}"
    "pre{background:#f6f8fb;border:1px solid #e3e7ef;border-radius:4px;padding:.6rem .75rem;"
    "overflow-x:auto;white-space:pre-wrap;word-break:break-word;font-size:13px;line-height:1.45;"
    "margin:.4rem 0}pre.code{background:#f2f8f3;border-color:#cfe6d6}"
    "mark{background:#ffe08a;color:inherit;border-radius:2px}"
    ".label{font-weight:650;margin:.5rem 0 0}.why{margin:.25rem 0 .5rem}.muted{color:#5b6478}"
    "footer{margin:2.5rem 0 1rem;color:#5b6478;font-size:.85rem}"
    "@media (max-width:760px){body{padding:0 .75rem;margin:.75rem auto;font-size:14px}"
    ".charts{grid-template-columns:1fr}h1{font-size:1.35rem}.verdict{font-size:1.05rem}"
    "table.stack thead{display:none}table.stack tr{display:block;border-bottom:1px solid #e3e7ef;"
    "padding:.3rem 0}table.stack td{display:block;border:0;padding:.1rem .25rem}"
    "table.stack td.n{text-align:left}table.wide{display:block;overflow-x:auto}}"
    "@media print{body{margin:0;max-width:none;font-size:10.5pt}nav.toc{display:none}"
    "h2{break-after:avoid}.finding,.key,tr,figure{break-inside:avoid}"
    "details.rule{border:0;padding:0}"
    "details::details-content{content-visibility:visible;display:block}"
    "a{color:inherit;text-decoration:none}}";

void html_put_n(FILE *out, const char *s, size_t n)
{
	for (n = strnlen(s, n); n;) {
		size_t k = 1;
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			k = report_put_char(out, s, n, true);
		}
		s += k;
		n -= k;
	}
}

void html_put(FILE *out, const char *s)
{
	if (s)
		html_put_n(out, s, strlen(s));
}

void html_put_id(FILE *out, const char *s)
{
	for (; s && *s; s++)
		fputc((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
			  ? *s
			  : '-',
		      out);
}

void html_begin(FILE *out, const char *title, const char *title_detail)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n<title>",
	      out);
	html_put(out, title);
	if (title_detail) {
		fputs(": ", out);
		html_put(out, title_detail);
	}
	fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
}

void html_end(FILE *out)
{
	fputs("</body>\n</html>\n", out);
}

static void svg_open(FILE *out, const char *title, int width, int height)
{
	fprintf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", width, height);
	html_put(out, title);
	fputs("\"><title>", out);
	html_put(out, title);
	fputs("</title>\n", out);
}

void html_svg_stack(FILE *out, const char *title, const struct html_bar *bars, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += bars[i].value;
	svg_open(out, title, 400, 36);
	double x = 0;
	for (size_t i = 0; i < n && total; i++) {
		if (!bars[i].value)
			continue;
		double w = 400.0 * (double)bars[i].value / (double)total;
		fprintf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"36\">"
			     "<title>%zu ",
			bars[i].cls, x, w, bars[i].value);
		html_put(out, bars[i].label);
		fputs("</title></rect>\n", out);
		x += w;
	}
	if (!total)
		fputs("<rect class=\"f-na\" x=\"0\" y=\"0\" width=\"400\" height=\"36\"/>\n", out);
	fputs("</svg>\n<ul class=\"legend\">\n", out);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "<li><span class=\"dot %s\"></span><b>%zu</b> ", bars[i].cls,
			bars[i].value);
		html_put(out, bars[i].label);
		fputs("</li>\n", out);
	}
	fputs("</ul>\n", out);
}

void html_svg_bars(FILE *out, const char *title, const struct html_bar *bars, size_t n)
{
	size_t max = 0;
	for (size_t i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	const int row = 26, label = 100, room = 165;
	svg_open(out, title, 300, (int)n * row);
	for (size_t i = 0; i < n; i++) {
		int y = (int)i * row;
		double w = max ? (double)room * (double)bars[i].value / (double)max : 0;
		if (bars[i].href) {
			fputs("<a href=\"", out);
			html_put(out, bars[i].href);
			fputs("\">", out);
		}
		fprintf(out, "<text x=\"0\" y=\"%d\">", y + 17);
		html_put(out, bars[i].label);
		fprintf(out, "</text><rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" "
			     "rx=\"2\"/><text x=\"%.1f\" y=\"%d\">%zu</text>",
			bars[i].cls, label, y + 4, w, label + w + 6, y + 17, bars[i].value);
		fputs(bars[i].href ? "</a>\n" : "\n", out);
	}
	fputs("</svg>\n", out);
}

const char *html_verdict_class(const struct report *rep)
{
	const struct scan_result *s = rep->result;
	return rep->failing ? "bad" : (!s->ocpay_seen && !s->findings.len) ? "na" : "ok";
}
