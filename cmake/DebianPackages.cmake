# Debian packages: `cpack -G DEB` in the build directory makes
#
#   libnanomsg5-rs_<version>_<arch>.deb     the shared library
#   libnanomsg-rs-dev_<version>_<arch>.deb  headers, libnanomsg.so, .a,
#                                           nanomsg.pc, the CMake package,
#                                           man pages (sections 3 and 7)
#
# laid out as Debian's libnanomsg5 and libnanomsg-dev are (multiarch
# /usr/lib/<triplet>). Each Provides the Debian package it stands in for at
# the version Debian's other packages depend on (nanomsg-utils wants
# libnanomsg5 (= 1.1.5+dfsg-1.1+b1) exactly), and Conflicts with and
# Replaces it: `apt install ./libnanomsg5-rs_*.deb` swaps the library
# under every nanomsg program on the machine, Debian's nanocat included,
# and `apt install libnanomsg5` swaps it back.
#
# The packages' files come from install rules of their own (components
# deb-lib and deb-dev, left out of a plain `cmake --install`), since their
# paths are Debian's whatever prefix this tree was configured for.

if(NN_TESTS_AGAINST_SYSTEM OR NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
  return()
endif()

set(NN_DEB_ARCH_DIR "lib")
if(CMAKE_LIBRARY_ARCHITECTURE)
  set(NN_DEB_ARCH_DIR "lib/${CMAKE_LIBRARY_ARCHITECTURE}")
endif()

# The version of Debian's packages this one replaces: the installed or
# candidate libnanomsg5, else Debian 12's.
set(NN_DEB_DEBIAN_VERSION "1.1.5+dfsg-1.1+b1")
find_program(NN_APT_CACHE apt-cache)
if(NN_APT_CACHE)
  execute_process(COMMAND "${NN_APT_CACHE}" policy libnanomsg5
    OUTPUT_VARIABLE _policy ERROR_QUIET)
  if(_policy MATCHES "Candidate: ([^ \n]+)" AND NOT CMAKE_MATCH_1 STREQUAL "(none)")
    set(NN_DEB_DEBIAN_VERSION "${CMAKE_MATCH_1}")
  endif()
endif()

# --- files of the library package ---------------------------------------
install(FILES "${NN_SHARED_LIBRARY_FILE}"
  DESTINATION "${NN_DEB_ARCH_DIR}" RENAME "${NN_REAL_NAME}"
  PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
  COMPONENT deb-lib EXCLUDE_FROM_ALL)
install(FILES "${NN_LIB_DIR}/${NN_SONAME}"
  DESTINATION "${NN_DEB_ARCH_DIR}" COMPONENT deb-lib EXCLUDE_FROM_ALL)

# --- files of the -dev package --------------------------------------------
install(FILES "${NN_LIB_DIR}/libnanomsg.so" "${NN_STATIC_LIBRARY_FILE}"
  DESTINATION "${NN_DEB_ARCH_DIR}" COMPONENT deb-dev EXCLUDE_FROM_ALL)
foreach(_h IN LISTS NN_PUBLIC_HEADERS)
  install(FILES "${NN_INCLUDE_DIR}/nanomsg/${_h}.h"
    DESTINATION include/nanomsg COMPONENT deb-dev EXCLUDE_FROM_ALL)
endforeach()
set(NN_PC_PREFIX "/usr")
set(NN_PC_LIBDIR "\${prefix}/${NN_DEB_ARCH_DIR}")
set(NN_PC_INCLUDEDIR "\${prefix}/include")
set(NN_PC_VERSION "${PROJECT_VERSION}")
configure_file("${CMAKE_SOURCE_DIR}/cmake/nanomsg.pc.in"
  "${CMAKE_BINARY_DIR}/deb/nanomsg.pc" @ONLY)
install(FILES "${CMAKE_BINARY_DIR}/deb/nanomsg.pc"
  DESTINATION "${NN_DEB_ARCH_DIR}/pkgconfig" COMPONENT deb-dev EXCLUDE_FROM_ALL)
set(_deb_cmake_dir "${NN_DEB_ARCH_DIR}/cmake/nanomsg")
# The CMake package file, with its paths relative to Debian's layout.
function(nn_deb_package_config)
  set(CMAKE_INSTALL_LIBDIR "${NN_DEB_ARCH_DIR}")
  set(CMAKE_INSTALL_INCLUDEDIR include)
  configure_package_config_file(
    "${CMAKE_SOURCE_DIR}/cmake/nanomsgConfig.cmake.in"
    "${CMAKE_BINARY_DIR}/deb/nanomsgConfig.cmake"
    INSTALL_DESTINATION "${_deb_cmake_dir}"
    INSTALL_PREFIX "/usr"
    PATH_VARS CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_INCLUDEDIR)
endfunction()
nn_deb_package_config()
install(FILES "${CMAKE_BINARY_DIR}/deb/nanomsgConfig.cmake"
  "${CMAKE_BINARY_DIR}/nanomsgConfigVersion.cmake"
  DESTINATION "${_deb_cmake_dir}" COMPONENT deb-dev EXCLUDE_FROM_ALL)
foreach(_page IN LISTS NN_MAN_PAGES)
  get_filename_component(_name "${_page}" NAME)
  string(REGEX REPLACE ".*\\." "" _section "${_name}")
  if(_section STREQUAL "3" OR _section STREQUAL "7")
    install(FILES "${_page}" DESTINATION "share/man/man${_section}"
      COMPONENT deb-dev EXCLUDE_FROM_ALL)
  endif()
endforeach()

# --- the packages ---------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nanomsg-rs)
set(CPACK_PACKAGE_VENDOR "nanomsg-rs")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}+rs")
set(CPACK_PACKAGE_CONTACT "nanomsg-rs maintainers <nanomsg-rs@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_COMPONENTS_ALL deb-lib deb-dev)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://nanomsg.org")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Debug information stays in the build tree, as Debian strips its packages.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_DEB-LIB_PACKAGE_NAME libnanomsg5-rs)
set(CPACK_DEBIAN_DEB-LIB_PACKAGE_PROVIDES "libnanomsg5 (= ${NN_DEB_DEBIAN_VERSION})")
set(CPACK_DEBIAN_DEB-LIB_PACKAGE_CONFLICTS "libnanomsg5")
set(CPACK_DEBIAN_DEB-LIB_PACKAGE_REPLACES "libnanomsg5")
# An ldconfig trigger and a shlibs file, as for any shared library package.
set(CPACK_DEBIAN_DEB-LIB_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_DEB-LIB_DESCRIPTION
  "nanomsg 1.1.5 in Rust: drop-in libnanomsg.so.5\nA drop-in replacement for the nanomsg 1.1.5 C library (the scalability\nprotocols: PAIR, REQ/REP, PUB/SUB, PUSH/PULL, SURVEY, BUS over inproc,\nipc, tcp and ws), written in Rust. Programs built against nanomsg run on\nit unchanged.")

set(CPACK_DEBIAN_DEB-DEV_PACKAGE_NAME libnanomsg-rs-dev)
set(CPACK_DEBIAN_DEB-DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEB-DEV_PACKAGE_DEPENDS
  "libnanomsg5-rs (= ${CPACK_PACKAGE_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})")
set(CPACK_DEBIAN_DEB-DEV_PACKAGE_PROVIDES "libnanomsg-dev (= ${NN_DEB_DEBIAN_VERSION})")
set(CPACK_DEBIAN_DEB-DEV_PACKAGE_CONFLICTS "libnanomsg-dev")
set(CPACK_DEBIAN_DEB-DEV_PACKAGE_REPLACES "libnanomsg-dev")
set(CPACK_DEBIAN_DEB-DEV_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_DEB-DEV_DESCRIPTION
  "nanomsg 1.1.5 in Rust: development files\nHeaders, libnanomsg.so, the static library, pkg-config and CMake\npackage files and the man pages of libnanomsg5-rs.")

include(CPack)

# The packages installed in place of Debian's, Debian's nanocat on them,
# and Debian's packages put back: alone (it swaps the system's library
# under every other test). Port 19090-19091.
add_test(NAME packaging.deb
  COMMAND bash "${CMAKE_SOURCE_DIR}/packaging/deb_test.sh" "${CMAKE_BINARY_DIR}" 19090)
set_tests_properties(packaging.deb PROPERTIES
  TIMEOUT 600 LABELS packaging RUN_SERIAL TRUE SKIP_RETURN_CODE 77)
