/* Lowering of js into the flow form (flow/ir.h): not written yet. */
#include "lang/lower.h"

#include "core/error.h"

int js_lower(struct ir_file *f, const struct syntax *syn)
{
	(void)syn;
	return error_set("%s: the js lowering is not written yet", f->path);
}
