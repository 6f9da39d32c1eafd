/* What a JavaScript/TypeScript file's own code says about where it runs, read from its
 * tree for classify.c (which adds the path and package.json evidence and decides):
 * directives, the modules it imports, the browser-only APIs it uses, the serverless and
 * route exports it makes. Only this file names the node types involved. */
#ifndef OCPAY_LANG_JS_RUNTIME_EVIDENCE_H
#define OCPAY_LANG_JS_RUNTIME_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

struct syntax;

/* Each field holds the first occurrence in the file, or "". */
struct js_runtime_evidence {
	char directive[16];	/* "use client" / "use server" */
	char server_import[64]; /* first server-only module */
	char browser_import[64];
	char browser_api[64]; /* first browser-only API used */
	bool handler_export;  /* exports.handler / export const handler */
	bool data_export;     /* export function loader / action: a Remix route's server half */
};

/* Fills *e from the parsed file s (zeroing it first). */
void js_runtime_evidence_read(struct js_runtime_evidence *e, const struct syntax *s);
/* Whether the code at offset sits in a function that only ever runs on the server even
 * in a browser file: Next.js getServerSideProps/getStaticProps/getStaticPaths, or a
 * function whose body starts with "use server" (a server action). */
bool js_runtime_in_server_function(const struct syntax *s, uint32_t offset);

#endif
