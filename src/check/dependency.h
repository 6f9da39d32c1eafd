/* The dependencies a project declares (package.json for JavaScript), for rules whose
 * verdict depends on a framework's version: Express 4 does not catch an async route's
 * rejection, Express 5 does. */
#ifndef OCPAY_CHECK_DEPENDENCY_H
#define OCPAY_CHECK_DEPENDENCY_H

#include "check/scan.h"

/* The major version of the dependency `name` in the package.json nearest above path
 * (dependencies, devDependencies, peerDependencies: "^4.21.1" -> 4); -2 when its version
 * is not a number ("latest", "workspace:*"), -1 when it is not a dependency. */
int dependency_major(const struct scan *s, const char *path, const char *name);

#endif
