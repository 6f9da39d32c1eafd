/* Lowering of python into the flow form (flow/ir.h): not written yet. */
#include "lang/lower.h"

#include "core/error.h"

int python_lower(struct ir_file *f, const struct syntax *syn)
{
	(void)syn;
	return error_set("%s: the python lowering is not written yet", f->path);
}
