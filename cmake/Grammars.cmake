# Tree-sitter grammars come from the npm registry as `npm pack` tarballs, pinned by
# version and checked against the registry's published sha512 integrity before use.
# Nothing of them is committed: the tarballs are cached outside the source tree.

set(OCPAY_GRAMMAR_CACHE "$ENV{HOME}/.cache/ocpay-audit/grammars"
    CACHE PATH "Where npm grammar tarballs are kept between builds")

# name, version, sha512 (hex form of npm's `dist.integrity`)
set(OCPAY_GRAMMARS
    "tree-sitter-javascript|0.23.1|fdb9e16eb4c3f5fad46074138989cf731c87391230d79ec44416ba76acda2b1bd1ff1dcf0b863377e0f5a5920c4baccd836bf76bc059d282bb8c7aac428f5f58"
    "tree-sitter-typescript|0.23.2|7b4e095142b14d3e77ff1dd4ab5cc82f8e43a182957c71f8099ab081984f839a9844e9799d08d5fbce6bb85cc5199c6ef9078555b4533c3467a8bf546d4e1578"
    "tree-sitter-php|0.23.11|9fe60748a998282c8f5ec83bdabaa852d5f20a6351b06ff17bb131ac5da0e9b5c3111710fcd3ce288ccd7d121c2377f74ed6c3e8fa2803480c5b4129bae52354"
    "tree-sitter-python|0.23.6|c8833dcf4a31288c53edb02d3ce860a1597a8135e59a5221b9eee58854f8a013c5fe585aec76b8750052f3602fea130c459a159c5248f0cea62fe4b05a82c3dc")

function(ocpay_fetch_grammar name version sha512 out_dir)
  set(tgz "${OCPAY_GRAMMAR_CACHE}/${name}-${version}.tgz")
  if(EXISTS "${tgz}")
    file(SHA512 "${tgz}" have)
    if(NOT have STREQUAL sha512)
      file(REMOVE "${tgz}")
    endif()
  endif()
  if(NOT EXISTS "${tgz}")
    find_program(NPM npm REQUIRED)
    file(MAKE_DIRECTORY "${OCPAY_GRAMMAR_CACHE}")
    message(STATUS "Fetching ${name}@${version} with npm pack")
    execute_process(
      COMMAND "${NPM}" pack "${name}@${version}" --pack-destination "${OCPAY_GRAMMAR_CACHE}"
              --silent --ignore-scripts
      RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
    if(NOT rc EQUAL 0 OR NOT EXISTS "${tgz}")
      message(FATAL_ERROR "npm pack ${name}@${version} failed: ${err}")
    endif()
  endif()
  file(SHA512 "${tgz}" have)
  if(NOT have STREQUAL sha512)
    file(REMOVE "${tgz}")
    message(FATAL_ERROR "${name}@${version}: sha512 mismatch (got ${have}); tarball removed")
  endif()
  set(dest "${CMAKE_BINARY_DIR}/grammars/${name}-${version}")
  if(NOT EXISTS "${dest}/package/package.json")
    file(ARCHIVE_EXTRACT INPUT "${tgz}" DESTINATION "${dest}")
  endif()
  set(${out_dir} "${dest}/package" PARENT_SCOPE)
endfunction()

# One static library per grammar; third-party code is built without our warning flags.
function(ocpay_grammar_library target src_dir)
  add_library(${target} STATIC "${src_dir}/parser.c" "${src_dir}/scanner.c")
  target_include_directories(${target} PRIVATE "${src_dir}")
  set_target_properties(${target} PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
  target_compile_options(${target} PRIVATE -w -O2)
  # The sanitizers add nothing useful inside generated parse tables and slow them badly.
  target_compile_options(${target} PRIVATE -fno-sanitize=all)
endfunction()

foreach(spec IN LISTS OCPAY_GRAMMARS)
  string(REPLACE "|" ";" parts "${spec}")
  list(GET parts 0 gname)
  list(GET parts 1 gversion)
  list(GET parts 2 gsha)
  ocpay_fetch_grammar(${gname} ${gversion} ${gsha} gdir)
  set(${gname}_DIR "${gdir}")
endforeach()

ocpay_grammar_library(ts_javascript "${tree-sitter-javascript_DIR}/src")
ocpay_grammar_library(ts_typescript "${tree-sitter-typescript_DIR}/typescript/src")
ocpay_grammar_library(ts_tsx "${tree-sitter-typescript_DIR}/tsx/src")
# The php grammar reads a whole .php file: PHP inside <?php ?>, and the HTML around it as
# text nodes (whose <script> blocks are read again as JavaScript). Its php_only sibling,
# for PHP with no tags at all, has no file kind of its own here and is not built.
ocpay_grammar_library(ts_php "${tree-sitter-php_DIR}/php/src")
ocpay_grammar_library(ts_python "${tree-sitter-python_DIR}/src")

# Debian's tree-sitter 0.20 loads ABI 13..14 only: refuse anything else at configure time.
foreach(src IN ITEMS "${tree-sitter-javascript_DIR}/src" "${tree-sitter-typescript_DIR}/typescript/src"
                     "${tree-sitter-typescript_DIR}/tsx/src" "${tree-sitter-php_DIR}/php/src"
                     "${tree-sitter-python_DIR}/src")
  file(STRINGS "${src}/parser.c" abi REGEX "^#define LANGUAGE_VERSION " LIMIT_COUNT 1)
  if(NOT abi MATCHES "LANGUAGE_VERSION 14$")
    message(FATAL_ERROR "${src}/parser.c: grammar ABI is not 14 (${abi})")
  endif()
endforeach()
