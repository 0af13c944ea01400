# Man pages: man/*.<section>.scd (scdoc sources, written for this project)
# turned into roff in build/man/ by scdoc (Debian package scdoc), installed
# by `cmake --install` into share/man/man<section> and shipped in the -dev
# package. CTest's man-pages test checks that every exported function and
# every NN_* constant of the headers has a page that mentions it.

file(GLOB NN_MAN_SOURCES "${CMAKE_SOURCE_DIR}/man/*.scd")
find_program(NN_SCDOC scdoc DOC "scdoc, to turn man/*.scd into man pages")
set(NN_MAN_PAGES)
if(NN_MAN_SOURCES AND NN_SCDOC)
  foreach(_src IN LISTS NN_MAN_SOURCES)
    get_filename_component(_page "${_src}" NAME_WE)  # nn_socket
    get_filename_component(_name "${_src}" NAME)     # nn_socket.3.scd
    string(REGEX REPLACE "\\.scd$" "" _name "${_name}")   # nn_socket.3
    string(REGEX REPLACE ".*\\." "" _section "${_name}")  # 3
    set(_out "${CMAKE_BINARY_DIR}/man/${_name}")
    add_custom_command(OUTPUT "${_out}"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${CMAKE_BINARY_DIR}/man"
      COMMAND sh -c "\"$0\" < \"$1\" > \"$2\"" "${NN_SCDOC}" "${_src}" "${_out}"
      DEPENDS "${_src}"
      COMMENT "scdoc ${_name}"
      VERBATIM)
    list(APPEND NN_MAN_PAGES "${_out}")
    install(FILES "${_out}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man${_section}")
  endforeach()
  add_custom_target(man-pages ALL DEPENDS ${NN_MAN_PAGES})
elseif(NN_MAN_SOURCES)
  message(WARNING "scdoc not found: the man pages are not built (install scdoc)")
endif()

find_package(Python3 COMPONENTS Interpreter)
if(NN_MAN_SOURCES AND Python3_FOUND)
  add_test(NAME man-pages
    COMMAND ${Python3_EXECUTABLE} "${CMAKE_SOURCE_DIR}/scripts/check_man_pages.py"
            --man-dir "${CMAKE_SOURCE_DIR}/man"
            --include-dir "${CMAKE_SOURCE_DIR}/include/nanomsg"
            --exports "${CMAKE_SOURCE_DIR}/cmake/check_exports.sh")
  set_tests_properties(man-pages PROPERTIES TIMEOUT 60 LABELS library)
endif()
