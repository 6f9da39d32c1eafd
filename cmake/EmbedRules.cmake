# Turns the YAML files of a folder into a C array compiled into the binary, so ocpay-audit
# runs with no files beside it: rules/*.yml (embedded_rules) and rules/models/*.yml
# (embedded_models). Invoked at build time:
#   cmake -DOUT=... -DDIR=... -DPREFIX=rules/ -DVAR=embedded_rules -DTYPE=embedded_rule
#         -DHEADER=check/rule.h -P EmbedRules.cmake
file(GLOB files "${DIR}/*.yml")
list(SORT files)
set(body "/* Built from ${PREFIX} by cmake/EmbedRules.cmake. */\n#include \"${HEADER}\"\n\n")
set(table "")
set(i 0)
foreach(f IN LISTS files)
  file(READ "${f}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  get_filename_component(name "${f}" NAME)
  string(APPEND body "static const char file_${i}[] = {${bytes}0x00};\n")
  string(APPEND table "    {\"${PREFIX}${name}\", file_${i}, sizeof file_${i} - 1},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND body "\nconst struct ${TYPE} ${VAR}[] = {\n${table}    {0, 0, 0}\n};\n")
file(WRITE "${OUT}.tmp" "${body}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
