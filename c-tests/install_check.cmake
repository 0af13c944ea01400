# Installs the build tree into a scratch prefix and uses it like a
# downstream project would (including a plain Makefile project, C and C++,
# that takes its flags from pkg-config):
#   1. the expected files and symlinks are installed;
#   2. pkg-config finds nanomsg 1.1.5, and a program compiled with its
#      --cflags/--libs (and a static link with --static --libs when the
#      archive is installed) runs against the installed library;
#   3. after moving the whole prefix elsewhere, find_package(nanomsg) still
#      works from it (the package config uses relative paths) and the
#      consumer built through nanomsg::nanomsg runs.
#
#   cmake -DBUILD_DIR=... -DWORK_DIR=... -DSOURCE_DIR=... -DC_COMPILER=...
#         -DREAL_NAME=libnanomsg.so.5.1.0 -DSONAME=libnanomsg.so.5
#         -DLIBDIR=lib -P install_check.cmake

foreach(var BUILD_DIR WORK_DIR SOURCE_DIR C_COMPILER REAL_NAME SONAME LIBDIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_check.cmake: ${var} is not set")
  endif()
endforeach()

function(run)
  string(REPLACE ";" " " shown "${ARGN}")
  message(STATUS "run: ${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${shown}")
  endif()
endfunction()

function(expect_file path)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "not installed: ${path}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(prefix "${WORK_DIR}/stage")

# 1. Install.
run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}")
set(libdir "${prefix}/${LIBDIR}")
expect_file("${libdir}/${REAL_NAME}")
foreach(link ${SONAME} libnanomsg.so)
  if(NOT IS_SYMLINK "${libdir}/${link}")
    message(FATAL_ERROR "${libdir}/${link} is not a symlink")
  endif()
  get_filename_component(resolved "${libdir}/${link}" REALPATH)
  if(NOT resolved STREQUAL "${libdir}/${REAL_NAME}")
    message(FATAL_ERROR "${libdir}/${link} resolves to ${resolved}")
  endif()
endforeach()
foreach(h nn pair reqrep pubsub pipeline survey bus inproc ipc tcp ws)
  expect_file("${prefix}/include/nanomsg/${h}.h")
endforeach()
expect_file("${libdir}/pkgconfig/nanomsg.pc")
expect_file("${libdir}/cmake/nanomsg/nanomsgConfig.cmake")
expect_file("${libdir}/cmake/nanomsg/nanomsgConfigVersion.cmake")
set(have_static OFF)
if(EXISTS "${libdir}/libnanomsg.a")
  set(have_static ON)
endif()

# 2. pkg-config.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} "${libdir}/pkgconfig")
  set(ENV{PKG_CONFIG_LIBDIR} "${libdir}/pkgconfig")
  execute_process(COMMAND "${PKG_CONFIG}" --modversion nanomsg
    OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT version STREQUAL "1.1.5")
    message(FATAL_ERROR "pkg-config --modversion nanomsg: '${version}' (${rc})")
  endif()
  execute_process(COMMAND "${PKG_CONFIG}" --cflags --libs nanomsg
    OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config --cflags --libs nanomsg failed")
  endif()
  message(STATUS "pkg-config: ${flags}")
  separate_arguments(flag_list UNIX_COMMAND "${flags}")
  run("${C_COMPILER}" "${SOURCE_DIR}/install-consumer/consumer.c"
    -o "${WORK_DIR}/consumer-pc" ${flag_list})
  set(ENV{LD_LIBRARY_PATH} "${libdir}")
  set(ENV{CONSUMER_EXPECT_LIB} "${libdir}/${REAL_NAME}")
  run("${WORK_DIR}/consumer-pc")

  # A Makefile project (C and C++) using pkg-config, as users build.
  find_program(MAKE_PROGRAM NAMES make gmake)
  if(MAKE_PROGRAM)
    file(COPY "${SOURCE_DIR}/install-consumer/Makefile" "${SOURCE_DIR}/install-consumer/consumer.c"
         "${SOURCE_DIR}/install-consumer/consumer_cxx.cpp" DESTINATION "${WORK_DIR}/make")
    run("${MAKE_PROGRAM}" -C "${WORK_DIR}/make")
    run("${WORK_DIR}/make/consumer-make")
    run("${WORK_DIR}/make/consumer-cxx")
  else()
    message(FATAL_ERROR "make not found: the Makefile consumer cannot be checked")
  endif()

  if(have_static)
    execute_process(COMMAND "${PKG_CONFIG}" --static --libs-only-l nanomsg
      OUTPUT_VARIABLE slibs OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
    execute_process(COMMAND "${PKG_CONFIG}" --cflags --libs-only-L nanomsg
      OUTPUT_VARIABLE sflags OUTPUT_STRIP_TRAILING_WHITESPACE)
    string(REPLACE "-lnanomsg" "-Wl,-Bstatic -lnanomsg -Wl,-Bdynamic" slibs "${slibs}")
    separate_arguments(slib_list UNIX_COMMAND "${sflags} ${slibs}")
    run("${C_COMPILER}" "${SOURCE_DIR}/install-consumer/consumer.c"
      -o "${WORK_DIR}/consumer-pc-static" ${slib_list})
    set(ENV{CONSUMER_EXPECT_LIB} "static")
    run("${WORK_DIR}/consumer-pc-static")
  endif()
else()
  message(STATUS "pkg-config not found: pkg-config check skipped")
endif()

# 3. Relocate the prefix, then find_package() from the new place.
set(moved "${WORK_DIR}/moved")
file(RENAME "${prefix}" "${moved}")
set(libdir "${moved}/${LIBDIR}")
run("${CMAKE_COMMAND}" -S "${SOURCE_DIR}/install-consumer" -B "${WORK_DIR}/consumer-build"
  "-DCMAKE_PREFIX_PATH=${moved}" "-DCMAKE_C_COMPILER=${C_COMPILER}")
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/consumer-build")
set(ENV{LD_LIBRARY_PATH} "${libdir}")
set(ENV{CONSUMER_EXPECT_LIB} "${libdir}/${REAL_NAME}")
run("${WORK_DIR}/consumer-build/consumer")
if(have_static)
  if(NOT EXISTS "${WORK_DIR}/consumer-build/consumer_static")
    message(FATAL_ERROR "nanomsg::nanomsg_static was not defined although libnanomsg.a is installed")
  endif()
  set(ENV{CONSUMER_EXPECT_LIB} "static")
  run("${WORK_DIR}/consumer-build/consumer_static")
endif()
message(STATUS "install check passed")
