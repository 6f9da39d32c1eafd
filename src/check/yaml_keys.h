/* Rule files and the configuration are YAML mappings read key by key: a key given twice
 * would silently replace (and leak) what the first one set, so both loaders refuse it. */
#ifndef OCPAY_YAML_KEYS_H
#define OCPAY_YAML_KEYS_H

#include <yaml.h>

/* The second occurrence of the first key repeated in a mapping of doc, or NULL. Sets the
 * error "out of memory" and returns NULL with *oom set when it cannot tell. */
const yaml_node_t *yaml_repeated_key(yaml_document_t *doc, int *oom);

#endif
