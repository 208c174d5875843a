// Must not compile: a target that links only migsched::geometry sees no
// other module's headers (cmake/MigschedHelpers.cmake, migsched_module_root).
#include "plan/planner.h"
