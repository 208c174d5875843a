# The one list of warning flags, applied per target by the migsched_* helpers.
set(MIGSCHED_WARNINGS
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wnull-dereference
  -Wimplicit-fallthrough -Wformat=2)
if(MIGSCHED_WERROR)
  list(APPEND MIGSCHED_WARNINGS -Werror)
endif()

set(MIGSCHED_SANITIZER_FLAGS "")
if(MIGSCHED_SANITIZE)
  set(MIGSCHED_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
endif()
