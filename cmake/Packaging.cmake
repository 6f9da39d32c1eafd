# `cmake --install` puts the binary in PREFIX/bin and the JSON report's schema and the docs in
# PREFIX/share; `cpack` (run in the build folder) makes a .deb, its dependencies found by
# dpkg-shlibdeps from the libraries the binary links (the grammars and rules are compiled
# in), and a .tar.gz of the same tree.
install(FILES "${CMAKE_SOURCE_DIR}/schema/ocpay-audit-report.schema.json"
        DESTINATION share/ocpay-audit)
install(FILES "${CMAKE_SOURCE_DIR}/README.md" "${CMAKE_SOURCE_DIR}/SECURITY.md"
        DESTINATION share/doc/ocpay-audit)

set(CPACK_PACKAGE_NAME ocpay-audit)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Production-readiness auditor for OCPay payment integrations")
set(CPACK_PACKAGE_CONTACT "ocpay-audit maintainers <ocpay-audit@users.noreply.invalid>")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME "ocpay-audit-${PROJECT_VERSION}-${CMAKE_SYSTEM_PROCESSOR}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # ocpay-audit_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS git)
include(CPack)
