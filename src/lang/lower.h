/* Lowering: a parsed file into the flow form (flow/ir.h). Each language has its own
 * lowering under src/lang/<language>/, the only code that names its grammar's node
 * types; lang_lower() picks it by the syntax's language. */
#ifndef OCPAY_LANG_LOWER_H
#define OCPAY_LANG_LOWER_H

#include "flow/ir.h"

struct syntax;

/* Nesting deeper than this is cut (IR_F_TRUNC on the node, ir_file.truncated set), so a
 * hostile file costs bounded stack. */
#define LOWER_MAX_DEPTH 512

/* Lowers syn (parsed from the source of path) into a new ir_file, linked and ready to
 * read. Returns 0, or -1 with the error set (out of memory, no lowering for the
 * language). The caller frees *out with ir_file_free(); syn may be freed right after. */
int lang_lower(struct ir_file **out, const struct syntax *syn, const char *path);

/* The lowerings, for lang_lower(). Each fills f (made by ir_file_new) and returns 0 or -1. */
int js_lower(struct ir_file *f, const struct syntax *syn);
int php_lower(struct ir_file *f, const struct syntax *syn);
int python_lower(struct ir_file *f, const struct syntax *syn);

#endif
