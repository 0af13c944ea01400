# Compiles one C or C++ source against the nanomsg headers and library with
# the given flags, then runs the result. Used by CTest (cmake -P) so that a
# header problem fails one test instead of breaking the whole build.
#
#   cmake -DCOMPILER=cc -DSOURCE=file.c -DOUTPUT=exe -DINCLUDE_DIR=dir
#         -DLIB_DIR=dir "-DFLAGS=-std=c99 -Wall" [-DLANGUAGE=c++]
#         -P compile_and_run.cmake

foreach(var COMPILER SOURCE OUTPUT INCLUDE_DIR LIB_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "compile_and_run.cmake: ${var} is not set")
  endif()
endforeach()

separate_arguments(flag_list UNIX_COMMAND "${FLAGS}")
set(lang_args)
if(LANGUAGE)
  set(lang_args -x "${LANGUAGE}")
endif()

set(cmd "${COMPILER}" ${flag_list} "-I${INCLUDE_DIR}" ${lang_args} "${SOURCE}"
  -x none -o "${OUTPUT}" "-L${LIB_DIR}" -lnanomsg -pthread)
string(REPLACE ";" " " shown "${cmd}")
message(STATUS "compile: ${shown}")
execute_process(COMMAND ${cmd} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "compilation failed (${rc})")
endif()

message(STATUS "run: ${OUTPUT}")
execute_process(COMMAND "${OUTPUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${OUTPUT} failed (${rc})")
endif()
