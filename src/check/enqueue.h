/* The JavaScript files a WordPress plugin or theme hands to the browser with
 * wp_enqueue_script / wp_register_script. Their folder names often say nothing
 * (includes/js/pay.js), but an enqueued script runs in the customer's browser. */
#ifndef OCPAY_ENQUEUE_H
#define OCPAY_ENQUEUE_H

#include <stddef.h>

struct scan;

struct enqueued_script {
	char *src;     /* the path literal of the call: "assets/js/pay.js" */
	char *php_dir; /* the folder of the PHP file that enqueues it ("" at the root) */
	char *php;     /* that PHP file */
};

/* The PHP file that enqueues the project file path, or NULL. The index of every
 * enqueued script is built on the first call (reading the PHP files that call
 * wp_enqueue_script or wp_register_script) and kept for the scan. */
const char *enqueue_owner(struct scan *s, const char *path);
void enqueue_free(struct scan *s);

#endif
